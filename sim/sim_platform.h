/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hosted platform: teemed's platform callbacks implemented over the
 * simulated machine, with fault injection and usage accounting.
 *
 * The `vm` handle teemed passes back to the callbacks is a
 * `struct sim_vm *` (the embedder hands it to teemed_vm_create()).
 */
#ifndef TEEMED_SIM_PLATFORM_H
#define TEEMED_SIM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "teemed/platform.h"
#include "teemed/trace.h"

/* Operations that fault injection can make fail. */
enum sim_op {
	SIM_OP_PIN = 0,
	SIM_OP_ALLOC_PAGE,
	SIM_OP_ALLOC_OBJ,
	SIM_OP_LOCK_CREATE,
	SIM_OP_SMC, /* a failed SMC never reaches the secure world and
		       answers a0 = OPTEE_SMC_RETURN_ENOTAVAIL */
	SIM_OP_COUNT
};

/* The embedder's per-VM handle. */
struct sim_vm {
	uint16_t vm_id;
	/* Accounting kept by the platform (read-only for others). */
	int64_t objs;         /* alloc_obj minus free_obj */
	int64_t obj_bytes;
	int64_t pages;        /* alloc_page minus free_page */
	/* The vCPU trapping now, as a hypervisor knows it (its `current`);
	   TEEMED_TRACE_NO_VCPU outside a trap. Only trace events read it. */
	uint32_t vcpu;
	/* The VM's OP-TEE notification interrupt line (platform notify). */
	void (*irq)(void *ctx);
	void *irq_ctx;
	uint64_t irqs; /* injected */
};

/* Receives each trace event, its vcpu filled in from the VM's handle. */
typedef void (*sim_trace_fn)(void *ctx, const struct teemed_trace_event *ev);

/* Where the platform's smc callback sends the call. */
typedef void (*sim_smc_fn)(void *target, struct teemed_regs *regs);

struct sim_platform {
	struct teemed_platform ops; /* hand &ops to teemed_config.platform */
	struct machine *machine;
	sim_smc_fn smc_fn;
	void *smc_target;
	/* Instance-level accounting (vm == NULL). */
	struct sim_vm global;
	/* Calls made per op, and the call number to fail (0 = never). */
	uint64_t op_calls[SIM_OP_COUNT];
	uint64_t fail_at[SIM_OP_COUNT];
	uint64_t injected_faults;
	/* Largest number of locks held at once by one thread (checks the
	   "never two locks" rule), and whether smc ran under a lock. */
	int max_locks_held;
	int smc_under_lock;
	/* Fresh objects as malloc gives them, not poisoned: for instruction
	   counts, where the poisoning is the simulator's own check and no
	   hypervisor's work (xmalloc and kmalloc leave objects as they are). */
	bool no_obj_poison;
	void *mutex; /* internal */
	sim_trace_fn trace_fn;
	void *trace_ctx;
};

void sim_platform_init(struct sim_platform *p, struct machine *m,
		       sim_smc_fn smc_fn, void *smc_target);
void sim_platform_fini(struct sim_platform *p);

/* Make the `nth` call (counted from now, 1-based) of `op` fail. */
/* Trace to `fn` from now on (NULL: tracing off, ops.trace NULL). */
void sim_platform_set_trace(struct sim_platform *p, sim_trace_fn fn,
			    void *ctx);

void sim_platform_fail_nth(struct sim_platform *p, enum sim_op op,
			   uint64_t nth);
void sim_platform_clear_faults(struct sim_platform *p);

/*
 * Count one call of `op` as the platform counts its own; true if fault
 * injection makes this one fail. For an embedding whose own primitive
 * stands in for a callback (the Xen shim's xmalloc for alloc_obj).
 */
bool sim_platform_inject(struct sim_platform *p, enum sim_op op);

/*
 * Make the `size` bytes at `obj` what alloc_obj gives: poisoned (unless
 * no_obj_poison) and, under valgrind, undefined. For the same embedding's
 * own allocator (the Xen shim's xmalloc).
 */
void sim_platform_fresh_obj(struct sim_platform *p, void *obj, size_t size);

/* "pin", "alloc_page", "alloc_obj", "lock_create", "smc"; NULL past the
   end. Names a fault on the command line and in reports. */
const char *sim_op_name(enum sim_op op);

#endif /* TEEMED_SIM_PLATFORM_H */
