/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * teemed: share one OP-TEE among several virtual machines.
 *
 * A hypervisor creates one instance with teemed_init(), one VM context
 * per guest with teemed_vm_create(), and hands every SMC (or HVC) that a
 * guest issues in the Trusted-OS range to teemed_vm_smc(). teemed checks
 * and rewrites the request, talks to OP-TEE through the platform's smc
 * callback, and leaves the guest's answer in the same registers.
 *
 * Concurrency: teemed_vm_smc() may run on several CPUs at once, for one
 * VM or many. teemed_vm_create(), teemed_vm_destroy() and teemed_fini()
 * must not race with calls for the VM they concern.
 */
#ifndef TEEMED_TEEMED_H
#define TEEMED_TEEMED_H

#include "teemed/config.h"
#include "teemed/platform.h"

#define TEEMED_VERSION_MAJOR 0
#define TEEMED_VERSION_MINOR 1
#define TEEMED_VERSION_PATCH 0

/* Errors: negative, errno-like. */
enum teemed_err {
	TEEMED_OK = 0,
	TEEMED_ERR_PERM = -1,	 /* not allowed (e.g. client id 0) */
	TEEMED_ERR_NOENT = -2,	 /* no such object */
	TEEMED_ERR_IO = -5,	 /* the secure world answered an error */
	TEEMED_ERR_AGAIN = -11,	 /* not finished: call again */
	TEEMED_ERR_NOMEM = -12,	 /* platform or quota out of memory */
	TEEMED_ERR_FAULT = -14,	 /* guest address not shareable */
	TEEMED_ERR_BUSY = -16,	 /* object still in use */
	TEEMED_ERR_EXIST = -17,	 /* id or cookie already in use */
	TEEMED_ERR_INVAL = -22,	 /* bad argument */
	TEEMED_ERR_RANGE = -34,	 /* out of range */
	TEEMED_ERR_PROTO = -71,	 /* the secure world is not OP-TEE */
	TEEMED_ERR_NOTSUP = -95, /* OP-TEE lacks a required feature */
};

/*
 * Limits for one VM. In teemed_config.vm_quota and in the override given
 * to teemed_vm_create(), a field left at 0 takes the default.
 */
struct teemed_quota {
	/* Guest pages pinned at once (default TEEMED_DEFAULT_PINNED_PAGES). */
	uint32_t pinned_pages;
	/* Registered buffers plus RPC payload buffers held at once. */
	uint32_t buffers;
	/* RPC argument buffers (RPC_ALLOC) held at once. */
	uint32_t rpc_buffers;
	/* Yielding calls in flight at once; default: OP-TEE's thread count. */
	uint32_t calls;
	/* Mediator pages (shadow arguments and page lists) held at once. */
	uint32_t mediator_pages;
};

struct teemed_config {
	/* The embedder's callbacks; must outlive the instance. */
	const struct teemed_platform *platform;
	/* VM contexts alive at once (default TEEMED_DEFAULT_MAX_VMS). */
	uint32_t max_vms;
	/*
	 * Guest pages pinned or released per trapped SMC, and per step of
	 * teemed_vm_destroy() (default TEEMED_DEFAULT_STEP_PAGES). Longer
	 * work is spread over several SMCs; see docs/bounded-work.md.
	 */
	uint32_t step_pages;
	/* Per-VM defaults. */
	struct teemed_quota vm_quota;
	/* Pages pinned across all VMs at once (default: no cap beyond VMs). */
	uint64_t global_pinned_pages;
};

/* What teemed_init() learned from the secure world. */
struct teemed_info {
	uint32_t os_major;
	uint32_t os_minor;
	uint32_t os_build;
	uint32_t sec_caps;     /* as OP-TEE reported them */
	uint32_t guest_caps;   /* what guests are shown */
	uint32_t thread_count; /* OP-TEE threads per VM */
	/* RPC parameters an RPC argument area holds (EXCHANGE_CAPABILITIES
	   a3), when guests are offered SEC_CAP_RPC_ARG; else 0. */
	uint32_t rpc_param_count;
	/* Highest notification value (a2), when guests are offered
	   SEC_CAP_ASYNC_NOTIF; else 0. */
	uint32_t notif_value_max;
};

/* Why a guest request was refused; indexes teemed_vm_stats.refused. */
enum teemed_refusal {
	TEEMED_REFUSED_FUNCTION = 0, /* function id unknown or denied */
	TEEMED_REFUSED_ARG,	     /* argument address or layout */
	TEEMED_REFUSED_CMD,	     /* message command */
	TEEMED_REFUSED_PARAM,	     /* a parameter or its page list */
	TEEMED_REFUSED_RESUME,	     /* RETURN_FROM_RPC naming no call */
	TEEMED_REFUSED_QUOTA,	     /* a quota would be exceeded */
	TEEMED_REFUSED_NOMEM,	     /* the platform ran out of memory */
	TEEMED_REFUSED_RPC,	     /* a malformed answer to an RPC */
	TEEMED_REFUSED_COUNT
};

struct teemed_vm_stats {
	uint64_t smcs;	    /* calls to teemed_vm_smc() */
	uint64_t std_calls; /* yielding calls started */
	uint32_t calls;	    /* yielding calls in flight now */
	/* The highest call slot taken + 1: the most calls in flight at
	   once when calls take the lowest free slot (teemed_vm_smc()); with
	   teemed_vcpu_smc(), an upper bound (a vCPU's slot counts from its
	   number). */
	uint32_t calls_peak;
	uint32_t pinned_pages; /* pages of shared buffers pinned now */
	uint32_t pinned_pages_peak;
	uint32_t buffers; /* registered and RPC payload buffers */
	uint32_t buffers_peak;
	uint32_t rpc_buffers; /* RPC argument buffers */
	uint32_t rpc_buffers_peak;
	/* Mediator pages held for this VM; call shadows are the instance's
	   and not counted (see TEEMED_SHADOW_POOL_PAGES). */
	uint32_t mediator_pages;
	uint32_t mediator_pages_peak;
	uint32_t max_pages_per_smc; /* most pages pinned+released in one SMC */
	uint32_t pinned_args;  /* argument pages of calls in flight, pinned */
	uint64_t notif_values; /* notification values taken for the VM */
	uint64_t refused[TEEMED_REFUSED_COUNT];
};

struct teemed;
struct teemed_vm;

/*
 * Probe the secure world and create an instance. Refuses with
 * TEEMED_ERR_PROTO when the secure world is not OP-TEE (UID) or speaks
 * another message revision, and with TEEMED_ERR_NOTSUP when OP-TEE lacks
 * dynamic shared memory or virtualization support.
 */
int teemed_init(const struct teemed_config *cfg, struct teemed **out);

/* Free the instance; every VM must have been destroyed (else BUSY). */
int teemed_fini(struct teemed *t);

/* What the probe found. */
const struct teemed_info *teemed_get_info(const struct teemed *t);

/*
 * Create the context of one VM whose OP-TEE client id is `client_id`
 * (not 0: that is the hypervisor's; Xen uses domain id + 1), and announce
 * it to OP-TEE with VM_CREATED. `hv_vm` is handed back to the platform
 * callbacks. `quota` may be NULL; its non-zero fields override the
 * instance's per-VM defaults. Errors: PERM (id 0), EXIST (id in use),
 * RANGE (too many VMs), INVAL (a quota too small for the VM to exist:
 * fewer mediator pages than calls, since each call slot keeps one
 * reserved), NOMEM, IO (OP-TEE refused the VM).
 */
int teemed_vm_create(struct teemed *t, uint16_t client_id, void *hv_vm,
		     const struct teemed_quota *quota, struct teemed_vm **out);

/*
 * Optional parts of the OP-TEE ABI a VM is offered. Each is on unless
 * the embedder turns it off for the VM, and only if OP-TEE has it (and,
 * for notifications, the platform can inject them: `notify`).
 */
#define TEEMED_FEATURE_RPC_ARG	   0x1u /* CALL_WITH_RPC_ARG, _REGD_ARG */
#define TEEMED_FEATURE_ASYNC_NOTIF 0x2u /* asynchronous notifications */

struct teemed_vm_config {
	/* Per-VM quota override as for teemed_vm_create(); may be NULL. */
	const struct teemed_quota *quota;
	/* TEEMED_FEATURE_* bits this VM is NOT offered (0: all). */
	uint32_t features_off;
};

/*
 * teemed_vm_create() with per-VM choices. `cfg` may be NULL: defaults.
 * teemed_vm_create(t, id, hv, q, out) is this call with .quota = q.
 */
int teemed_vm_create_ex(struct teemed *t, uint16_t client_id, void *hv_vm,
			const struct teemed_vm_config *cfg,
			struct teemed_vm **out);

/* What teemed_vm_smc() tells the hypervisor. */
enum teemed_smc_result {
	/* Handled: regs hold the guest's answer; advance the guest PC. */
	TEEMED_SMC_HANDLED = 0,
	/* Not an OP-TEE function id: regs untouched; the hypervisor's own. */
	TEEMED_SMC_NOT_OPTEE = 1,
};

/*
 * Handle one SMC trapped from a guest of `vm`. `regs` holds the guest's
 * a0..a7 on entry and the answer on return. Work per call is bounded by
 * the step budget; a guest's malformed request gets the protocol's own
 * error.
 */
enum teemed_smc_result teemed_vm_smc(struct teemed_vm *vm,
				     struct teemed_regs *regs);

/* No vCPU named: a new call takes the VM's lowest free call slot. */
#define TEEMED_NO_VCPU 0xffffffffu

/*
 * teemed_vm_smc() from vCPU `vcpu` of the VM (any number the hypervisor
 * gives its vCPUs, e.g. Xen's vcpu_id; TEEMED_NO_VCPU: none). A new
 * call first tries the call slot numbered `vcpu` modulo the calls
 * quota, so that vCPUs of one VM calling at once on different CPUs
 * write no common cache line; when that slot is busy it takes the next
 * free one. The guest sees the slot as the call's thread id in RPCs.
 * It differs from teemed_vm_smc() only in the slot a call starts in:
 * quotas and answers are the same.
 */
enum teemed_smc_result teemed_vcpu_smc(struct teemed_vm *vm, uint32_t vcpu,
				       struct teemed_regs *regs);

/*
 * Tear a VM down. The hypervisor must have stopped the VM's vCPUs: no
 * teemed_vm_smc() for it may run or start. Each call does at most one
 * step of bounded work and returns TEEMED_ERR_AGAIN until the VM is
 * gone, then TEEMED_OK; after that `vm` is invalid. OP-TEE is told with
 * VM_DESTROYED before any page is unpinned.
 */
int teemed_vm_destroy(struct teemed_vm *vm);

/*
 * OP-TEE's notification interrupt fired (one physical interrupt for all
 * VMs). Call from its handler (or a bottom half of it): for each VM that
 * enabled asynchronous notifications, teemed asks OP-TEE for that VM's
 * pending values, keeps them for the VM's own GET_ASYNC_NOTIF_VALUE, and
 * calls the platform's `notify` for every VM that has one, so the
 * hypervisor injects the guest's notification interrupt. Work is
 * bounded by the number of such VMs times the 64 values a VM can have
 * pending. May run on any CPU, concurrently with teemed_vm_smc() and
 * teemed_vm_destroy(). Returns how many VMs were notified.
 */
uint32_t teemed_notif_irq(struct teemed *t);

/* Counters of one VM. */
void teemed_vm_get_stats(const struct teemed_vm *vm,
			 struct teemed_vm_stats *out);

/* The client id given at creation. */
uint16_t teemed_vm_client_id(const struct teemed_vm *vm);

#endif /* TEEMED_TEEMED_H */
