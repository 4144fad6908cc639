/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz target: one CALL_WITH_ARG whose argument, page lists and list
 * contents come from the input, driven to its end through every RPC and
 * FOREIGN_INTR, then the VM is destroyed. Input (docs/fuzzing.md):
 *
 *   u8  world: bits 0-1 step budget, bits 2-7 machine seed
 *   u8  a3 of the call: 0 cached, 0xFE the call is CALL_WITH_RPC_ARG,
 *       0xFF CALL_WITH_REGD_ARG (cookie selector, u16 offset follow,
 *       the message is copied into the registered buffer there), else
 *       a raw u32 a3 follows
 *   ... the message (fz_msg)
 *   ... RPC answers (fz_driver_answer), until the input ends
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_driver.h"
#include "fuzz_input.h"
#include "fuzz_msg.h"
#include "fuzz_target.h"
#include "fuzz_world.h"
#include "optee_abi.h"

static const uint32_t budgets[4] = {0, 1, 2, 5};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	struct fz_world_opts o = {0};
	struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_ARG}};
	struct fz_world world;
	struct fz_world *w = &world;
	uint8_t hdr = fz_u8(&in);
	uint8_t sel;
	uint64_t arg;

	o.step_pages = budgets[hdr & 3u];
	o.seed = hdr >> 2;
	fz_world_init(w, &o);
	fz_driver_setup(w, 0);
	fz_driver_setup(w, 1);
	sel = fz_u8(&in);
	r.a[3] = sel && sel < 0xFE ? fz_nohost_reg(fz_u32(&in))
				   : OPTEE_SMC_SHM_CACHED;
	arg = fz_msg(w, 0, &in);
	r.a[1] = arg >> 32;
	r.a[2] = (uint32_t)arg;
	if (sel >= 0xFE)
		fz_driver_arg_kind(w, 0, sel == 0xFE ? 1 : 2, arg, &r, &in);
	fz_driver_call(w, 0, &r, &in);
	fz_world_fini(w);
	return 0;
}
