/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harness's guest driver: what a Linux-like OP-TEE driver does
 * around the calls the fuzz input makes (open sessions, register a
 * buffer, serve RPCs), except that input bytes may make any RPC answer
 * hostile. A zero byte, and the end of the input, mean the correct
 * answer, so every call can be driven to its end.
 */
#ifndef TEEMED_FUZZ_DRIVER_H
#define TEEMED_FUZZ_DRIVER_H

#include <stdint.h>

#include "fuzz_input.h"
#include "fuzz_world.h"
#include "teemed/platform.h"

/* Open a session with every TA and register FZ_COOKIE_REG(v). */
void fz_driver_setup(struct fz_world *w, unsigned int v);

/*
 * `regs` hold an RPC the mediator handed VM `v`; turn them into the
 * guest's RETURN_FROM_RPC, serving the request in guest memory.
 */
void fz_driver_answer(struct fz_world *w, unsigned int v,
		      struct teemed_regs *regs, struct fz_in *in);

/*
 * Make `regs` (a CALL_WITH_ARG of the message at `arg_ipa`) the call
 * `kind` names: 0 as it is, 1 CALL_WITH_RPC_ARG at the same IPA, 2
 * CALL_WITH_REGD_ARG with the message copied into the registered
 * buffer at an input offset, under an input cookie (fz_cookie).
 */
void fz_driver_arg_kind(struct fz_world *w, unsigned int v, uint8_t kind,
			uint64_t arg_ipa, struct teemed_regs *regs,
			struct fz_in *in);

/* Issue `regs` and serve RPCs until the call ends; the final a0. */
uint32_t fz_driver_call(struct fz_world *w, unsigned int v,
			struct teemed_regs *regs, struct fz_in *in);

#endif /* TEEMED_FUZZ_DRIVER_H */
