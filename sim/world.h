/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A simulated world: one machine, the oracle, the secure-world model,
 * the hosted platform and one teemed instance, plus the VMs added to
 * it. Shared by the scenario runner, the attack catalogue, the stress
 * test and the fuzzers so all build and tear down the same way and
 * check the same invariants at the end (no pin, mediator page or
 * platform object left, no oracle violation, no lock-rule breach).
 *
 * The world embeds teemed directly (the hosted platform is teemed's
 * platform) or, when the environment has TEEMED_WORLD_PORT=xen, as Xen
 * embeds it: through the Xen port (ports/xen/) over a shim of Xen's API
 * (tests/xen-shim/) over the same hosted platform. Guests reach teemed
 * with world_vm_smc() and VMs go with world_vm_destroy_step(), so the
 * same scenarios, attacks and fault sweeps run either way.
 *
 * Every SMC teemed issues goes through world_smc(), which calls the
 * optional hook before and after the secure world serves it: a test
 * can watch what OP-TEE receives, or rewrite guest memory at the very
 * moment OP-TEE is entered.
 */
#ifndef TEEMED_SIM_WORLD_H
#define TEEMED_SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "optee_model.h"
#include "oracle.h"
#include "sim_platform.h"
#include "teemed/teemed.h"

struct xen_world;

/* Called around each SMC to the secure world; `after` once it answered. */
typedef void (*world_hook_fn)(void *ctx, struct teemed_regs *regs, bool after);

struct world_opts {
	uint64_t host_pages; /* more than 2^32 - 1 is refused */
	uint64_t seed;
	/*
	 * The machine also has the host's own RAM page at PA 0
	 * (machine_add_page_zero()), as on boards whose DRAM starts at 0:
	 * PA 0 is then an address the secure world would really map.
	 */
	bool ram_at_zero;
	uint32_t max_vms;
	uint32_t step_pages; /* 0: teemed's default */
	/* Secure-world threads per VM (0: the model's default). */
	uint32_t sw_threads;
	/* Instance-wide per-VM quotas; zeros: teemed's defaults. */
	struct teemed_quota vm_quota;
	/*
	 * teemed_vm_destroy() calls per VM before a destroy counts as hung
	 * (0: a limit no working teardown comes near). A fuzzer wants a
	 * hang found fast.
	 */
	uint64_t destroy_step_limit;
	/*
	 * TEEMED_ERR_IO from teemed_vm_destroy() fails the destroy at once
	 * instead of being retried as a hypervisor would: for harnesses
	 * in which OP-TEE has no reason to refuse, so a refusal is a bug.
	 */
	bool destroy_io_fatal;
	/*
	 * Fault injection, armed before teemed_init: call number `fail_at`
	 * (1-based) of the platform's `fail_op` fails; 0: none. A
	 * teemed_init() or teemed_vm_create() it makes fail with one of
	 * teemed's own error codes is then counted in `tolerated`, not in
	 * `errors`.
	 */
	enum sim_op fail_op;
	uint64_t fail_at;
	/* TEEMED_FEATURE_* no VM is offered (teemed_vm_create_ex). */
	uint32_t features_off;
};

struct world_vm {
	struct sim_vm hv; /* the embedder's handle teemed hands back */
	struct teemed_vm *vm;
	void *port_vm; /* the port's own VM (Xen: struct domain) */
	uint32_t ram_pages;
	bool refused; /* creation refused because of an injected fault */
};

struct world {
	struct machine *m;
	struct oracle *orc;
	struct optee_model *sw;
	struct sim_platform plat;
	bool plat_up;
	struct teemed *t;
	struct xen_world *xen; /* TEEMED_WORLD_PORT=xen: teemed is Xen's */
	uint32_t threads; /* secure-world threads per VM */
	/* world_opts' destroy policy, defaults filled in. */
	uint64_t destroy_step_limit;
	uint32_t destroy_io_retries;
	world_hook_fn hook;
	void *hook_ctx;
	uint32_t features_off; /* world_opts' */
	bool faulting;		  /* fault injection armed */
	uint64_t tolerated;	  /* API refusals caused by an injected fault */
	uint64_t destroy_retries; /* VM_DESTROYED refusals retried */
	/* What went wrong here or for the user (world_err()); the first one in
	   words. */
	uint64_t errors;
	char first_error[256];
};

/* What world_fini() found. */
struct world_end {
	uint64_t leaked_mediator_pages;
	uint64_t oracle_violations;
	uint64_t oracle_checks;
	uint64_t op_calls[SIM_OP_COUNT]; /* platform calls made, per op */
	uint64_t injected_faults;
	/* Instance-wide platform objects and pages teemed_fini() left. */
	int64_t instance_objs;
	int64_t instance_pages;
	char first_violation[256]; /* "" if none */
};

/*
 * Trace every world built from now on (sim_platform_set_trace() before
 * teemed_init, so the probe shows): for tools that run worlds they do
 * not build themselves (scenarios, attacks). NULL: off.
 */
void world_set_default_trace(sim_trace_fn fn, void *ctx);

/* Build the world; false (with first_error set) on failure. */
bool world_init(struct world *w, const struct world_opts *o);

/*
 * Give guest `id` `ram_pages` of RAM and a teemed VM context with the
 * per-VM `quota` override (NULL: defaults). False on failure, with
 * `refused` set if an injected fault made teemed refuse the VM (not an
 * error). Either way `v` then takes world_vm_destroy(), which checks
 * that the attempt left nothing behind and takes the guest's RAM back.
 */
bool world_vm_add(struct world *w, struct world_vm *v, uint16_t id,
		  uint32_t ram_pages, const struct teemed_quota *quota);

/*
 * Destroy a VM as a hypervisor does once its vCPUs are stopped: call
 * teemed_vm_destroy() until done (trying again, a few times, when
 * OP-TEE refused VM_DESTROYED with TEEMED_ERR_IO, unless
 * destroy_io_fatal), then check invariant 3 and take the guest's RAM
 * back. Returns the pins left on the guest's pages and adds the destroy
 * steps taken to `*steps` (may be NULL). A VM whose creation failed
 * takes no step, only the checks. If teemed does not finish, `v->vm`
 * stays set and the failure is counted in `errors`.
 */
uint64_t world_vm_destroy(struct world *w, struct world_vm *v, uint64_t *steps);

/*
 * vCPU `vcpu` (TEEMED_NO_VCPU: unnamed) of a guest of `v` issues an
 * SMC: to teemed_vcpu_smc(), or through Xen's trap to the port.
 * TEEMED_SMC_NOT_OPTEE: no one took it.
 */
enum teemed_smc_result world_vm_smc(struct world *w, struct world_vm *v,
				    uint32_t vcpu, struct teemed_regs *regs);

/*
 * One step of a VM's teardown: teemed_vm_destroy(), or one pass of
 * Xen's domain_kill() (TEEMED_ERR_AGAIN for -ERESTART). On TEEMED_OK
 * the VM is gone and `v->vm` is NULL.
 */
int world_vm_destroy_step(struct world *w, struct world_vm *v);

/* Whether worlds are built through the Xen port (TEEMED_WORLD_PORT). */
bool world_port_is_xen(void);

/* Tear everything down (VMs must be destroyed) and report. */
void world_fini(struct world *w, struct world_end *end);

/*
 * Count an error of the world's user in the same record, so the first
 * one in words is the first that happened, whoever found it.
 */
__attribute__((format(printf, 2, 3))) void world_err(struct world *w,
						     const char *fmt, ...);

/* Count `n` errors found elsewhere (a guest's), `first` the first one. */
void world_errs(struct world *w, uint64_t n, const char *first);

/*
 * The hypervisor's handler of OP-TEE's notification interrupt: if the
 * secure world raised it since the last poll, teemed_notif_irq(), which
 * injects each VM's line (sim_vm.irq) that has values. Returns the VMs
 * notified. Call between SMCs, never from inside one.
 */
uint32_t world_poll_irq(struct world *w);

/* The platform's SMC target: the hook, then the secure-world model. */
void world_smc(void *target, struct teemed_regs *regs);

#endif /* TEEMED_SIM_WORLD_H */
