/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The instance: probing the secure world (spec §11 item 1) and the
 * limits every VM starts from.
 */
#include "internal.h"
#include "string_ops.h"

/*
 * What guests may see of OP-TEE's capabilities (§8): dynamic shared
 * memory (required), NULL memrefs, the RPC-argument calls (shadowed,
 * std_call.c) and asynchronous notification (routed, notif.c).
 * Reserved memory, RPMB probing and protected memory are hidden.
 */
#define TEEMED_GUEST_CAPS                                                      \
	(OPTEE_SMC_SEC_CAP_DYNAMIC_SHM | OPTEE_SMC_SEC_CAP_MEMREF_NULL |       \
	 OPTEE_SMC_SEC_CAP_RPC_ARG | OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)

/* The hypervisor's own fast call (client id 0). */
static void hyp_call(struct teemed *t, uint32_t fid, uint32_t a1,
		     struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = fid;
	r->a[1] = a1;
	r->a[7] = OPTEE_HYP_CLNT_ID;
	teemed_plat_smc(t, r);
}

static int probe(struct teemed *t)
{
	struct teemed_regs r;

	hyp_call(t, OPTEE_SMC_CALLS_UID, 0, &r);
	if (reg32(r.a[0]) != OPTEE_MSG_UID_0 ||
	    reg32(r.a[1]) != OPTEE_MSG_UID_1 ||
	    reg32(r.a[2]) != OPTEE_MSG_UID_2 ||
	    reg32(r.a[3]) != OPTEE_MSG_UID_3)
		return TEEMED_ERR_PROTO;
	hyp_call(t, OPTEE_SMC_CALLS_REVISION, 0, &r);
	if (reg32(r.a[0]) != OPTEE_MSG_REVISION_MAJOR)
		return TEEMED_ERR_PROTO;
	hyp_call(t, OPTEE_SMC_CALL_GET_OS_REVISION, 0, &r);
	t->info.os_major = reg32(r.a[0]);
	t->info.os_minor = reg32(r.a[1]);
	t->info.os_build = reg32(r.a[2]);
	hyp_call(t, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, &r);
	if (reg32(r.a[0]) != OPTEE_SMC_RETURN_OK)
		return TEEMED_ERR_NOTSUP;
	t->info.sec_caps = reg32(r.a[1]);
	if (!(t->info.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM) ||
	    !(t->info.sec_caps & OPTEE_SMC_SEC_CAP_VIRTUALIZATION))
		return TEEMED_ERR_NOTSUP;
	t->info.guest_caps = t->info.sec_caps & TEEMED_GUEST_CAPS;
	/*
	 * An RPC area holds what OP-TEE says (a3); the mediator's own copy
	 * of an RPC message holds at most OPTEE_RPC_MAX_NUM_PARAMS.
	 */
	if (t->info.guest_caps & OPTEE_SMC_SEC_CAP_RPC_ARG) {
		uint32_t n = reg32(r.a[3]) & OPTEE_SMC_RPC_PARAMS_MASK;

		if (n == 0 || n > OPTEE_RPC_MAX_NUM_PARAMS)
			t->info.guest_caps &= ~OPTEE_SMC_SEC_CAP_RPC_ARG;
		else
			t->info.rpc_param_count = n;
	}
	/* Notifications need a way to interrupt a guest. */
	if (!t->plat->notify)
		t->info.guest_caps &= ~OPTEE_SMC_SEC_CAP_ASYNC_NOTIF;
	if (t->info.guest_caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)
		t->info.notif_value_max = reg32(r.a[2]);
	hyp_call(t, OPTEE_SMC_GET_THREAD_COUNT, 0, &r);
	if (reg32(r.a[0]) != OPTEE_SMC_RETURN_OK || reg32(r.a[1]) == 0)
		return TEEMED_ERR_NOTSUP;
	t->info.thread_count = reg32(r.a[1]);
	return TEEMED_OK;
}

/* Per-VM quotas before the embedder's; calls default to OP-TEE's threads. */
static const struct teemed_quota builtin_quota = {
	.pinned_pages = TEEMED_DEFAULT_PINNED_PAGES,
	.buffers = TEEMED_DEFAULT_BUFFERS,
	.rpc_buffers = TEEMED_DEFAULT_RPC_BUFFERS,
	.mediator_pages = TEEMED_DEFAULT_MEDIATOR_PAGES,
};

static bool platform_complete(const struct teemed_platform *p)
{
	return p && p->pin_guest_page && p->unpin_guest_page && p->alloc_page &&
	       p->free_page && p->alloc_obj && p->free_obj && p->map &&
	       p->unmap && p->smc && p->lock_create && p->lock_destroy &&
	       p->lock && p->unlock;
}

int teemed_init(const struct teemed_config *cfg, struct teemed **out)
{
	const struct teemed_platform *p;
	struct teemed *t;
	uint32_t max_vms;
	int err;

	if (!cfg || !platform_complete(cfg->platform))
		return TEEMED_ERR_INVAL;
	p = cfg->platform;
	max_vms = or_default(cfg->max_vms, TEEMED_DEFAULT_MAX_VMS);
	/* The VM table must fit one object (the platform's limit). */
	if (max_vms > TEEMED_PAGE_SIZE / sizeof(struct teemed_vm *))
		return TEEMED_ERR_RANGE;

	t = teemed_zalloc_obj(p, NULL, sizeof(*t));
	if (!t)
		return TEEMED_ERR_NOMEM;
	t->plat = p;
	t->max_vms = max_vms;
	t->step_pages = or_default(cfg->step_pages, TEEMED_DEFAULT_STEP_PAGES);
	t->vm_quota = builtin_quota;
	t->global_pinned_cap = cfg->global_pinned_pages
				       ? cfg->global_pinned_pages
				       : TEEMED_U64_MAX;
	TEEMED_ATOMIC_STORE(&t->global_pinned, 0);

	err = probe(t);
	if (err)
		goto free_t;
	t->vm_quota.calls = t->info.thread_count;
	teemed_quota_overlay(&t->vm_quota, &cfg->vm_quota);
	err = TEEMED_ERR_NOMEM;
	t->lock = p->lock_create(p->ctx);
	if (!t->lock)
		goto free_t;
	t->vms = teemed_zalloc_obj(p, NULL, sizeof(*t->vms) * max_vms);
	if (!t->vms)
		goto free_lock;
	t->notif_vms =
		teemed_zalloc_obj(p, NULL, sizeof(*t->notif_vms) * max_vms);
	if (!t->notif_vms)
		goto free_vms;
	*out = t;
	return TEEMED_OK;

free_vms:
	p->free_obj(p->ctx, NULL, t->vms, sizeof(*t->vms) * max_vms);
free_lock:
	p->lock_destroy(p->ctx, t->lock);
free_t:
	p->free_obj(p->ctx, NULL, t, sizeof(*t));
	return err;
}

int teemed_fini(struct teemed *t)
{
	const struct teemed_platform *p = t->plat;

	for (uint32_t i = 0; i < t->max_vms; i++)
		if (t->vms[i])
			return TEEMED_ERR_BUSY;
	teemed_call_pool_drain(t);
	p->free_obj(p->ctx, NULL, t->notif_vms,
		    sizeof(*t->notif_vms) * t->max_vms);
	p->free_obj(p->ctx, NULL, t->vms, sizeof(*t->vms) * t->max_vms);
	p->lock_destroy(p->ctx, t->lock);
	p->free_obj(p->ctx, NULL, t, sizeof(*t));
	return TEEMED_OK;
}

const struct teemed_info *teemed_get_info(const struct teemed *t)
{
	return &t->info;
}
