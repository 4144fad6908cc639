/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest-driver model: a guest OS that talks to OP-TEE the way the
 * Linux SMC driver does (spec/optee-abi.md §9), with its RAM in the
 * simulated machine. It touches its memory only through
 * machine_guest_ptr(), speaks only IPAs, and checks every result it gets
 * against what the trusted applications of sim/tas.h must produce.
 *
 * Concurrency without host threads: the guest has N vCPUs, each running
 * one operation at a time as a step machine. guest_vcpu_step() issues
 * exactly one SMC for that vCPU and advances its operation, so a
 * scheduler that picks vCPUs at random keeps several calls of one VM in
 * flight and interleaves their RPCs. Everything is deterministic from
 * the seed. Not thread-safe: one guest is stepped by one host thread.
 */
#ifndef TEEMED_SIM_GUEST_H
#define TEEMED_SIM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "oracle.h"
#include "teemed/platform.h"

/* The guest's conduit: vCPU `vcpu` traps to the hypervisor with a0..a7
   in `regs`. */
typedef void (*guest_smc_fn)(void *ctx, uint32_t vcpu,
			     struct teemed_regs *regs);

/* Kinds of work an operation may draw from (guest_config.mem). */
#define GUEST_MEM_VALUE 0x01u /* value-only invokes, slow interrupted calls */
#define GUEST_MEM_TMEM	0x02u /* temporary NONCONTIG memrefs */
#define GUEST_MEM_RMEM	0x04u /* registered memory (REGISTER_SHM + rmem) */
#define GUEST_MEM_RPC	0x08u /* TAs that need RPC SHM_ALLOC + supplicant */
#define GUEST_MEM_NULL	0x10u /* NULL memrefs */
#define GUEST_MEM_NOTIF 0x20u /* TAs that send asynchronous notifications */
#define GUEST_MEM_ALL	0x3Fu

struct guest_config {
	struct machine *machine; /* the guest's RAM was added already */
	struct oracle *oracle;
	uint16_t vm_id;
	uint32_t ram_pages; /* pages at MACHINE_GUEST_RAM_BASE */
	uint32_t vcpus;
	uint64_t ops;	     /* operations to run, all vCPUs together */
	uint64_t buf_size;   /* largest memref, bytes (>= 1) */
	uint32_t mem;	     /* GUEST_MEM_* */
	uint32_t long_lived; /* registered buffers kept across operations */
	uint32_t big_pages;  /* >0: first operation registers a buffer of
				this many pages and checksums all of it */
	uint32_t max_spins;  /* FOREIGN_INTR asked per slow call */
	bool cleanup;	     /* at the end: close sessions, unregister,
				drain the RPC-argument cache */
	bool quota_mode;     /* a TA's OUT_OF_MEMORY after its RPC payload was
				refused is a refusal, not an error */
	bool tolerate_faults; /* the platform fails on purpose: an answer
				 that is a defined protocol error (an SMC
				 return code, a TEEC error with a known
				 origin) is tolerated, not an error; only
				 garbage and wrong data stay errors */
	/*
	 * Legacy driver: a one-page KERNEL payload is answered as a
	 * contiguous TMEM with the exact size asked for. Linux with dynamic
	 * shared memory answers every payload as NONCONTIG with the size
	 * rounded up to whole pages (smc_abi.c, SHM_ALLOC), the default.
	 */
	bool contig_kernel_payloads;
	uint64_t seed;
	guest_smc_fn smc;
	void *smc_ctx;
};

struct guest_stats {
	uint64_t smcs;		 /* SMCs issued */
	uint64_t calls;		 /* yielding calls that completed */
	uint64_t ops;		 /* operations finished (ok or not) */
	uint64_t errors;	 /* wrong answers: the run failed */
	uint64_t bytes_verified; /* bytes compared against expectations */
	uint64_t refusals;	 /* OUT_OF_MEMORY/COMMS: quota refusals */
	uint64_t ethread_waits;	 /* ETHREAD_LIMIT answers */
	uint64_t rpcs;
	uint64_t foreign_intrs;
	uint64_t shm_allocs;	/* RPC SHM_ALLOC served */
	uint64_t registered;	/* successful REGISTER_SHM */
	uint64_t balloon_tries; /* guest_balloon_shared() attempts */
	uint64_t balloon_given; /* ... that wrongly succeeded */
	uint64_t tampered_ops;	/* operations whose argument was rewritten */
	uint64_t tolerated;	/* defined errors under tolerate_faults */
	uint64_t unanswered;	/* a0 OK, but the message's answer never
				   written back (counted in errors too) */
	uint64_t regd_calls;	/* CALL_WITH_REGD_ARG / _RPC_ARG issued */
	uint64_t rpc_arg_calls;
	uint64_t notif_irqs;	/* notification interrupts taken */
	uint64_t notif_values;	/* values read, bottom halves included */
	uint64_t bottom_halves; /* DO_BOTTOM_HALF calls made */
	char first_error[192];
};

struct guest;

/* NULL when out of host memory or the config is unusable. */
struct guest *guest_create(const struct guest_config *cfg);
/* Frees host-side state only; the guest's RAM belongs to the machine. */
void guest_destroy(struct guest *g);

/* Whether guest_vcpu_step() would issue an SMC for `vcpu` now. */
bool guest_vcpu_runnable(const struct guest *g, uint32_t vcpu);
/* Issue one SMC for `vcpu`; 1 if one was issued, 0 if it had no work. */
int guest_vcpu_step(struct guest *g, uint32_t vcpu);
/* Every operation ran and, with cleanup, everything was given back. */
bool guest_done(const struct guest *g);

/* Calls suspended in an RPC now, and live registered buffers. */
uint32_t guest_calls_in_rpc(const struct guest *g);
uint32_t guest_registered_now(const struct guest *g);

void guest_get_stats(const struct guest *g, struct guest_stats *out);

/*
 * The guest's OP-TEE notification interrupt fired (the hypervisor
 * injected it): an idle vCPU then reads the values as Linux's handler
 * does and runs DO_BOTTOM_HALF when asked. A value the guest never had
 * its TA send is an error: another VM's notification reached it.
 */
void guest_notif_irq(void *g);

/*
 * Attack hooks. guest_balloon_shared() tries to balloon a page the
 * secure world holds (registered, RPC argument or payload): -1 when the
 * guest shares none, 0 when the machine refused (as it must), 1 when the
 * page was given away (counted in balloon_given; the page is lost).
 * guest_poke_arg() writes `value` at `offset` of the argument page of
 * `vcpu`'s call in flight; false when it has none. The operation is then
 * marked tampered: wrong results are no longer the guest's errors.
 */
int guest_balloon_shared(struct guest *g);
bool guest_poke_arg(struct guest *g, uint32_t vcpu, uint32_t offset,
		    uint8_t value);

#endif /* TEEMED_SIM_GUEST_H */
