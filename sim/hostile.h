/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A raw, hostile guest driver: it writes its own memory directly and
 * issues SMCs register by register, so it can send anything a real
 * driver never would. It also knows the protocol well enough to drive a
 * well-formed call to its end (serving FOREIGN_INTR, RPC_ALLOC/FREE,
 * SHM_ALLOC/FREE and the TA_RPC supplicant command), which the attacks
 * use to reach the state they abuse.
 *
 * Memory is handed out page by page from the bottom of the guest's RAM
 * and never given back: every attack builds a fresh world.
 */
#ifndef TEEMED_SIM_HOSTILE_H
#define TEEMED_SIM_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "tas.h"
#include "optee_abi.h"
#include "world.h"

#define HOSTILE_MAX_BUFS 32u

/* A buffer the driver handed out by cookie (RPC argument or payload). */
struct hostile_buf {
	uint64_t cookie;
	uint64_t ipa; /* first page; pages are consecutive in IPA space */
	uint64_t size;
};

struct hostile {
	struct world *w;
	struct world_vm *v;
	uint32_t next_page;
	uint64_t next_cookie;
	struct hostile_buf rpc_args[HOSTILE_MAX_BUFS];
	struct hostile_buf payloads[HOSTILE_MAX_BUFS];
	/* Answer SHM_ALLOC with a contiguous page when it fits. */
	bool contiguous_payloads;
	uint64_t smcs;
	uint64_t last_shm_free; /* cookie of the last SHM_FREE served */
	/* RPC area of the RPC_ARG / REGD_ARG call in progress (0: none):
	   where an RPC_CMD naming cookie 0 is. */
	uint64_t area_ipa;
	/* The vCPU its SMCs trap from; TEEMED_NO_VCPU after hostile_init(). */
	uint32_t vcpu;
};

void hostile_init(struct hostile *h, struct world *w, struct world_vm *v);

/* The client id of the VM. */
uint16_t hostile_id(const struct hostile *h);

/* A fresh zeroed page of the guest's RAM (its IPA), or 0 when out. */
uint64_t hostile_page(struct hostile *h);
/* `n` consecutive fresh pages; the IPA of the first, or 0. */
uint64_t hostile_pages(struct hostile *h, uint32_t n);
/* The guest's own view of `ipa` (NULL: not its RAM). */
void *hostile_ptr(struct hostile *h, uint64_t ipa);
/* A cookie never used before by this driver. */
uint64_t hostile_cookie(struct hostile *h);

/* Trap to the hypervisor with `r`; checks the answer with the oracle. */
void hostile_smc(struct hostile *h, struct teemed_regs *r);

/*
 * A fresh argument page holding `cmd` and `n` zeroed parameters, with
 * ret/ret_origin preset to a sentinel so a write-back shows.
 */
#define HOSTILE_SENTINEL 0x5e5e5e5eu
uint64_t hostile_arg(struct hostile *h, uint32_t cmd, uint32_t n);
struct optee_msg_arg *hostile_msg(struct hostile *h, uint64_t arg_ipa);

/* CALL_WITH_ARG of the argument at `arg_ipa` (registers in `r`). */
void hostile_call_start(struct hostile *h, uint64_t arg_ipa,
			struct teemed_regs *r);
/*
 * CALL_WITH_RPC_ARG (a1:a2 = the argument's IPA) or CALL_WITH_REGD_ARG
 * (a1:a2 = cookie, a3 = offset); `area_ipa` is where its RPC messages
 * will be, in a single page.
 */
void hostile_call_start_fid(struct hostile *h, uint32_t fid, uint64_t a1a2,
			    uint32_t a3, uint64_t area_ipa,
			    struct teemed_regs *r);
/* Serve the RPC in `r` and leave the RETURN_FROM_RPC in `r`, unsent. */
void hostile_rpc_serve(struct hostile *h, struct teemed_regs *r);
/* Answer the RPC in `r` as a Linux driver would and resume. */
void hostile_rpc_answer(struct hostile *h, struct teemed_regs *r);
/* Serve RPCs until the call ends; returns its a0. */
uint32_t hostile_finish(struct hostile *h, struct teemed_regs *r);
/* Start a call and serve it to its end; returns its a0. */
uint32_t hostile_call(struct hostile *h, uint64_t arg_ipa);
/*
 * Serve RPCs until OP-TEE asks `rpc` (an OPTEE_SMC_RETURN_RPC_* code;
 * for RPC_CMD, `cmd` is the message's command, or ~0u for any). True
 * with `r` holding that RPC unanswered; false if the call ended.
 */
bool hostile_until(struct hostile *h, struct teemed_regs *r, uint32_t rpc,
		   uint32_t cmd);

/* The message of the RPC_CMD in `r` in the guest's memory, or NULL. */
struct optee_msg_arg *hostile_rpc_msg(struct hostile *h,
				      const struct teemed_regs *r);

/*
 * A page list naming the `n` IPAs of `entries` (list pages chained as
 * Linux does); returns the IPA of its first page.
 */
uint64_t hostile_list(struct hostile *h, const uint64_t *entries, uint32_t n);
/* A list of `pages` fresh consecutive data pages; the first in `*data`. */
uint64_t hostile_buffer(struct hostile *h, uint32_t pages, uint64_t *data);

/* Fill a NONCONTIG tmem parameter. */
void hostile_tmem(struct optee_msg_param *p, uint64_t attr_type,
		  uint64_t list_ipa, uint64_t size, uint64_t cookie);

/* OPEN_SESSION to `uuid`; the session id, or 0 on failure. */
uint32_t hostile_open(struct hostile *h, const struct sim_uuid *uuid);
/* REGISTER_SHM of `pages` fresh pages under `cookie`; ret (0: done). */
uint32_t hostile_register(struct hostile *h, uint64_t cookie, uint32_t pages,
			  uint64_t *data);
/* Copy between guest memory at `ipa` and `buf`; false off its RAM. */
bool hostile_read(struct hostile *h, uint64_t ipa, void *buf, uint64_t len);
bool hostile_write(struct hostile *h, uint64_t ipa, const void *buf,
		   uint64_t len);
/* UNREGISTER_SHM of `cookie`; the message's ret. */
uint32_t hostile_unregister(struct hostile *h, uint64_t cookie);
/* INVOKE xform ECHO: true when the TA answered a + 1 as it must. */
bool hostile_echo_ok(struct hostile *h, uint32_t session);

#endif /* TEEMED_SIM_HOSTILE_H */
