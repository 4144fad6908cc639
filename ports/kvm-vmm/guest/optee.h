/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small OP-TEE driver for the test guests, doing what the Linux driver
 * does: the probe, messages in an argument page, NONCONTIG page lists,
 * registered memory, and the RPC loop (RPC_ALLOC/FREE, FOREIGN_INTR,
 * RPC_CMD with SHM_ALLOC/SHM_FREE and the test TA's supplicant command).
 */
#ifndef TEEMED_GUEST_OPTEE_H
#define TEEMED_GUEST_OPTEE_H

#include "optee_abi.h"
#include "rt.h"

/* What the RPC loop served, for the checks. */
struct optee_rpc_counts {
	uint32_t allocs, frees, intrs, cmds, shm_allocs, shm_frees, supp;
	/* RPCs naming a cookie or thread this guest does not know. */
	uint32_t unknown;
};
/*
 * Per vCPU: counters, cookie numbering, the hostile knobs. For hostile
 * guests: when non-zero, RPC_ALLOC is answered with bad_rpc_alloc, and
 * SHM_ALLOC with the page list bad_shm_list, instead of guest pages. The
 * buffers handed to OP-TEE are one table for all vCPUs, as in Linux: an
 * OP-TEE thread may keep an RPC buffer one vCPU gave and use it in
 * another vCPU's call.
 */
struct optee_cpu {
	struct optee_rpc_counts rpc;
	uint64_t bad_rpc_alloc;
	uint64_t bad_shm_list;
	uint64_t cookie_seq;
};
extern struct optee_cpu optee_cpus[GUEST_MAX_CPUS];
#define optee_me (&optee_cpus[rt_cpu()])
#define optee_rpc (optee_me->rpc)
#define optee_bad_rpc_alloc (optee_me->bad_rpc_alloc)
#define optee_bad_shm_list (optee_me->bad_shm_list)

/* Probe like Linux; true when OP-TEE (through teemed) looks right. */
bool optee_probe(uint32_t *caps, uint32_t *threads);

/* A message in a fresh argument page. */
struct optee_msg_arg *optee_msg(uint32_t cmd, uint32_t num_params);
/* CALL_WITH_ARG of `m`, serving RPCs; returns the final a0. */
uint32_t optee_call(struct optee_msg_arg *m);
/*
 * As optee_call, but after `intrs` FOREIGN_INTR returns leave the call
 * suspended (the hold mode); returns the last a0.
 */
uint32_t optee_call_partly(struct optee_msg_arg *m, uint32_t intrs);
/*
 * As optee_call, but leave the call suspended when OP-TEE asks for the
 * test TA's supplicant command (its payload buffer then held); returns
 * the last a0.
 */
uint32_t optee_call_until_supp(struct optee_msg_arg *m);

/* A guest buffer of `npages` fresh pages and its page list. */
struct optee_buf {
	uint64_t ipa; /* first data page (pages are consecutive) */
	uint32_t npages;
	uint64_t list; /* first list page */
	uint64_t cookie;
};
bool optee_buf_new(struct optee_buf *b, uint32_t npages);
/* Page list for `b` (Linux layout: 511 entries, slot 511 = next). */
uint64_t optee_list_build(const uint64_t *pages, uint32_t n);

/* A NONCONTIG tmem parameter over `b` at offset `off`, `size` bytes. */
void optee_param_tmem(struct optee_msg_param *p, uint32_t type,
		      const struct optee_buf *b, uint32_t off, uint64_t size);
void optee_param_value(struct optee_msg_param *p, uint32_t type, uint64_t a,
		       uint64_t b, uint64_t c);

/* OPEN_SESSION with a public login; 0 and *session on success. */
uint32_t optee_open(const uint8_t uuid[16], uint32_t *session,
		    uint32_t *origin);
uint32_t optee_close(uint32_t session);
uint32_t optee_register(const struct optee_buf *b);
uint32_t optee_unregister(uint64_t cookie);

uint64_t optee_new_cookie(void);

/*
 * DISABLE_SHM_CACHE until OP-TEE has none left, as Linux does on
 * removal: each returned cookie must be a buffer this guest gave for
 * RPC_ALLOC. Returns how many came back, or -1 on a foreign cookie or
 * an unexpected answer.
 */
int optee_disable_cache(void);

#endif /* TEEMED_GUEST_OPTEE_H */
