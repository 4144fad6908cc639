/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulator's world with teemed embedded as Xen embeds it: teemed
 * runs inside the Xen port (ports/xen/), which runs over the Xen shim
 * (xen.c), which runs over the simulator's platform. sim/world.c uses
 * this when TEEMED_WORLD_PORT=xen (see world.h), so every scenario,
 * attack and fault sweep can run through the port:
 *
 *   guest model -> SMC trap (vsmccc) -> tee_handle_call -> port's
 *   handle_call -> teemed core -> arm_smccc_smc -> OP-TEE model
 *
 * Xen is one per machine: one xen_world at a time per process.
 * Results are teemed's error codes, translated back from Xen's.
 */
#ifndef TEEMED_XEN_WORLD_H
#define TEEMED_XEN_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "sim_platform.h"
#include "teemed/teemed.h"

struct xen_world;

/*
 * Boot Xen over `p` (whose machine has `host_pages` pages): the port's
 * command-line parameters say what `cfg` says (platform ignored), then
 * Xen probes its mediators. On failure *rc is teemed's (TEEMED_ERR_IO
 * when no mediator took OP-TEE, so the world can tell an injected
 * fault), and the returned world still needs xen_world_shutdown(); NULL
 * only when another Xen runs.
 */
struct xen_world *xen_world_boot(struct sim_platform *p, uint64_t host_pages,
				 const struct teemed_config *cfg, int *rc);

/* What the next xen_world_boot() does differently (tests of the port). */
struct xen_world_opts {
	const char *cmdline;  /* more of Xen's command line */
	bool no_optee_node;   /* the host device tree lacks OP-TEE */
	/* hypercall_preempt_check() is true every this many calls
	   (0: every call). */
	uint32_t preempt_every;
};
/* Applies to the next boot only; NULL: none. */
void xen_world_next_boot(const struct xen_world_opts *o);

/* The p2m maps guest `vm_id`'s page at `ipa` read-only (p2m_ram_ro);
   a few pages at most. */
void xen_world_set_read_only(struct xen_world *x, uint16_t vm_id,
			     uint64_t ipa);

/*
 * As xen_world_vm_create, but a step of domain construction after the
 * mediator's domain_init fails, so Xen destroys the domain at once
 * (free_domain_ctx, no relinquish_resources). Returns that failure.
 */
int xen_world_vm_create_failing(struct xen_world *x, uint16_t client_id,
				void *hv);

/*
 * Create domain `client_id - 1` with an OP-TEE client (the toolstack's
 * tee_type), its per-domain quota given on Xen's command line first.
 * *dom is the Xen domain, *vm the teemed VM the port made (d->arch.tee).
 */
int xen_world_vm_create(struct xen_world *x, uint16_t client_id, void *hv,
			const struct teemed_quota *quota, void **dom,
			struct teemed_vm **vm);

/* The guest issues an SMC; TEEMED_SMC_NOT_OPTEE when Xen answered
   "unknown function" (then regs are untouched). */
enum teemed_smc_result xen_world_smc(struct xen_world *x, void *dom,
				     uint32_t vcpu, struct teemed_regs *regs);

/*
 * One pass of domain_kill() (domain_teardown, relinquish_resources):
 * TEEMED_ERR_AGAIN for -ERESTART, TEEMED_OK when the domain is gone
 * (then freed: free_domain_ctx), else the error.
 */
int xen_world_vm_destroy_step(struct xen_world *x, void *dom);

/* -ERESTART answers seen, over all domains. */
uint64_t xen_world_restarts(const struct xen_world *x);

/*
 * Xen never unloads its mediator: after every domain is gone, what the
 * mediator holds beyond what it held right after boot is a leak. The
 * shim then frees everything.
 */
void xen_world_shutdown(struct xen_world *x, int64_t *objs_left,
			int64_t *pages_left);

/*
 * Forget the Xen that runs, if any, without touching it (its machine may
 * be gone): what a test that failed midway leaves, so the next can boot.
 * Its memory is lost.
 */
void xen_world_abandon(void);

#endif /* TEEMED_XEN_WORLD_H */
