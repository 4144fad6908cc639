/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One fuzz run's world: the simulator's world (sim/world.h) with a
 * small machine and two VMs. Every SMC a harness issues goes through
 * fz_smc(), which checks the answer; every VM ends in fz_vm_destroy(),
 * which checks that nothing is left. Any violation aborts with a
 * message, which is what libFuzzer reports.
 *
 * Nothing outlives fz_world_fini(): each input builds and frees its own
 * world, so runs cannot influence each other.
 */
#ifndef TEEMED_FUZZ_WORLD_H
#define TEEMED_FUZZ_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "teemed/teemed.h"
#include "world.h"

#define FZ_VMS 2u
/* RAM of VM 0; VM 1 has more, so VM 0's IPAs past its end are another
   VM's RAM but unmapped for VM 0. */
#define FZ_RAM_PAGES 64u
#define FZ_OTHER_RAM_PAGES 96u
/* What the harness's guest driver uses for itself: payloads and RPC
   arguments come from the top of RAM, inputs name any page. */
#define FZ_PAYLOAD_FIRST 32u
#define FZ_PAYLOAD_PAGES 15u
#define FZ_PAYLOAD_LIST 47u
#define FZ_RPC_FIRST 48u
#define FZ_RPC_PAGES 16u

#define FZ_TAS 5u
#define FZ_RPC_ARGS 16u
#define FZ_WATCH 8u
/* Bytes of a watched page compared before and after each SMC: an
   argument header with the six parameters a guest may send. */
#define FZ_WATCH_BYTES 224u

/* Cookies the world registers at creation, one per VM. */
#define FZ_COOKIE_REG(v) (0x1000u + (v) * 0x1000u)

struct fz_rpc_arg {
	uint64_t cookie; /* 0: slot free */
	uint64_t ipa;
};

struct fz_vm {
	struct world_vm wv; /* wv.vm NULL once destroyed */
	uint32_t sessions[FZ_TAS];
	struct fz_rpc_arg rpc[FZ_RPC_ARGS];
	uint32_t rpc_next;     /* round-robin over the RPC pages */
	uint32_t payload_next; /* round-robin over the payload pages */
	uint64_t next_cookie;
	uint64_t watch[FZ_WATCH]; /* pages the mediator may write */
	uint32_t watch_next;
	/* RPC area of the latest RPC_ARG / REGD_ARG call (0: none): where
	   an RPC_CMD naming cookie 0 is answered. */
	uint64_t area_ipa;
};

struct fz_world_opts {
	uint32_t step_pages;
	uint64_t seed;
	struct teemed_quota quota; /* zeros: teemed's defaults */
};

struct fz_world {
	struct world world;
	uint32_t step_pages;
	uint64_t smcs;
	bool trace; /* TEEMED_FUZZ_TRACE set: print every SMC */
	struct fz_vm vms[FZ_VMS];
};

/* Build the world; both VMs created (aborts if that fails). */
void fz_world_init(struct fz_world *w, const struct fz_world_opts *o);
/* Destroy what is left, check for leaks, free everything. */
void fz_world_fini(struct fz_world *w);

/* Abort with a message: the harness found a bug (or has one). */
__attribute__((noreturn, format(printf, 1, 2))) void fz_fail(const char *fmt,
							     ...);

/*
 * Trap an SMC of VM `v` into teemed and check the answer: oracle
 * (registers, bytes the mediator wrote to watched pages), protocol
 * codes, accounting. Returns a0 of the answer.
 */
uint32_t fz_smc(struct fz_world *w, unsigned int v, struct teemed_regs *regs);

/* Tear VM `v` down step by step and check nothing of it is left. */
void fz_vm_destroy(struct fz_world *w, unsigned int v);

static inline bool fz_alive(const struct fz_world *w, unsigned int v)
{
	return w->vms[v].wv.vm != NULL;
}

static inline uint64_t fz_ram_ipa(uint32_t page)
{
	return MACHINE_GUEST_RAM_BASE + (uint64_t)page * MACHINE_PAGE_SIZE;
}

/* The guest's view of its page at `ipa` (any offset): NULL if not RAM. */
uint8_t *fz_guest_ptr(struct fz_world *w, unsigned int v, uint64_t ipa);

/* Copy into guest memory, page by page; bytes off RAM are dropped. */
void fz_guest_write(struct fz_world *w, unsigned int v, uint64_t ipa,
		    const void *src, uint64_t len);

/* Watch a page the mediator writes to (argument or RPC message). */
void fz_watch(struct fz_world *w, unsigned int v, uint64_t ipa);

/*
 * A guest-chosen value that can never be mistaken for a leaked host PA
 * when the mediator legitimately echoes it back (a cookie, a register
 * the guest set): the oracle must only flag real leaks. Host RAM lies
 * within 0x88_0000_0000 + 4 GiB and the oracle also checks 32-bit
 * register pairs, so neither half may be 0x88.
 */
#define FZ_HOST_HI ((uint32_t)(MACHINE_HOST_BASE >> 32))

static inline uint64_t fz_nohost_reg(uint32_t v)
{
	return v == FZ_HOST_HI ? v + 1 : v;
}

static inline uint64_t fz_nohost(uint64_t v)
{
	return fz_nohost_reg((uint32_t)(v >> 32)) << 32 |
	       fz_nohost_reg((uint32_t)v);
}

#endif /* TEEMED_FUZZ_WORLD_H */
