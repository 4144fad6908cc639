/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VM contexts: creation (VM_CREATED), the SMC entry point, statistics,
 * and resumable teardown (VM_DESTROYED, then bounded release).
 */
#include "internal.h"
#include "string_ops.h"

static void resolve_quota(const struct teemed *t,
			  const struct teemed_quota *override,
			  struct teemed_quota *q)
{
	*q = t->vm_quota;
	teemed_quota_overlay(q, override);
	/* More calls than OP-TEE has threads would earn ETHREAD_LIMIT. */
	if (q->calls > t->info.thread_count)
		q->calls = t->info.thread_count;
	if (q->calls > TEEMED_MAX_CALLS)
		q->calls = TEEMED_MAX_CALLS;
}

static bool id_in_use(const struct teemed *t, uint16_t id, uint32_t *free_slot)
{
	*free_slot = t->max_vms;
	for (uint32_t i = 0; i < t->max_vms; i++) {
		if (!t->vms[i]) {
			if (*free_slot == t->max_vms)
				*free_slot = i;
		} else if (t->vms[i]->client_id == id) {
			return true;
		}
	}
	return false;
}

static void inst_lock(struct teemed *t)
{
	t->plat->lock(t->plat->ctx, t->lock);
}

static void inst_unlock(struct teemed *t)
{
	t->plat->unlock(t->plat->ctx, t->lock);
}

/* Free the parts of a VM that exist; for failed creation and teardown. */
static void free_vm(struct teemed_vm *vm)
{
	const struct teemed_platform *p = vm->t->plat;

	if (vm->calls) {
		for (uint32_t i = 0; i < vm->quota.calls; i++)
			if (vm->calls[i])
				teemed_call_free_slot(vm, vm->calls[i]);
		teemed_vm_free_obj(vm, vm->calls,
				   sizeof(*vm->calls) * vm->quota.calls);
	}
	if (vm->lock)
		p->lock_destroy(p->ctx, vm->lock);
	p->free_obj(p->ctx, vm->hv_vm, vm, sizeof(*vm));
}

static int make_calls(struct teemed_vm *vm)
{
	vm->calls =
		teemed_vm_zalloc_obj(vm, sizeof(*vm->calls) * vm->quota.calls);
	if (!vm->calls)
		return TEEMED_ERR_NOMEM;
	for (uint32_t i = 0; i < vm->quota.calls; i++) {
		struct call *c = teemed_call_make_slot(vm, (uint16_t)i);

		if (!c)
			return TEEMED_ERR_NOMEM;
		vm->calls[i] = c;
	}
	return TEEMED_OK;
}

static int announce(struct teemed *t, uint32_t fid, uint16_t id)
{
	struct teemed_regs r = {{fid, id, 0, 0, 0, 0, 0, 0}};

	r.a[7] = OPTEE_HYP_CLNT_ID;
	teemed_plat_smc(t, &r);
	return reg32(r.a[0]) == OPTEE_SMC_RETURN_OK ? TEEMED_OK : TEEMED_ERR_IO;
}

/* The capabilities one VM is shown: the instance's, minus its choices. */
static uint32_t vm_caps(const struct teemed *t, uint32_t features_off)
{
	uint32_t caps = t->info.guest_caps;

	if (features_off & TEEMED_FEATURE_RPC_ARG)
		caps &= ~OPTEE_SMC_SEC_CAP_RPC_ARG;
	if (features_off & TEEMED_FEATURE_ASYNC_NOTIF)
		caps &= ~OPTEE_SMC_SEC_CAP_ASYNC_NOTIF;
	return caps;
}

int teemed_vm_create(struct teemed *t, uint16_t client_id, void *hv_vm,
		     const struct teemed_quota *quota, struct teemed_vm **out)
{
	struct teemed_vm_config cfg = {.quota = quota};

	return teemed_vm_create_ex(t, client_id, hv_vm, &cfg, out);
}

int teemed_vm_create_ex(struct teemed *t, uint16_t client_id, void *hv_vm,
			const struct teemed_vm_config *cfg,
			struct teemed_vm **out)
{
	const struct teemed_platform *p = t->plat;
	const struct teemed_quota *quota = cfg ? cfg->quota : NULL;
	struct teemed_vm *vm;
	uint32_t slot;
	int err;

	struct teemed_quota q;

	if (client_id == OPTEE_HYP_CLNT_ID)
		return TEEMED_ERR_PERM;
	resolve_quota(t, quota, &q);
	/* Each call slot keeps a mediator page reserved for its shadow. */
	if (q.mediator_pages < q.calls)
		return TEEMED_ERR_INVAL;
	vm = teemed_zalloc_obj(p, hv_vm, sizeof(*vm));
	if (!vm)
		return TEEMED_ERR_NOMEM;
	vm->t = t;
	vm->hv_vm = hv_vm;
	vm->client_id = client_id;
	vm->caps = vm_caps(t, cfg ? cfg->features_off : 0);
	vm->quota = q;
	vm->lock = p->lock_create(p->ctx);
	err = vm->lock ? make_calls(vm) : TEEMED_ERR_NOMEM;
	if (err)
		goto fail;

	/* Claim the id before telling OP-TEE, so no twin can slip in. */
	inst_lock(t);
	if (id_in_use(t, client_id, &slot))
		err = TEEMED_ERR_EXIST;
	else if (slot == t->max_vms)
		err = TEEMED_ERR_RANGE;
	else
		t->vms[slot] = vm;
	inst_unlock(t);
	if (err)
		goto fail;

	err = announce(t, OPTEE_SMC_VM_CREATED, client_id);
	if (err) {
		inst_lock(t);
		t->vms[slot] = NULL;
		inst_unlock(t);
		goto fail;
	}
	*out = vm;
	if (teemed_tracing(t))
		teemed_trace_vm(t, hv_vm, client_id, TEEMED_TRACE_VM_CREATED,
				TEEMED_OK, 0);
	return TEEMED_OK;

fail:
	free_vm(vm);
	if (teemed_tracing(t))
		teemed_trace_vm(t, hv_vm, client_id, TEEMED_TRACE_VM_CREATED,
				err, 0);
	return err;
}

uint16_t teemed_vm_client_id(const struct teemed_vm *vm)
{
	return vm->client_id;
}

void teemed_vm_get_stats(const struct teemed_vm *vm,
			 struct teemed_vm_stats *out)
{
	struct teemed_vm *v = (struct teemed_vm *)(uintptr_t)vm;

	teemed_vm_lock(v);
	*out = vm->stats;
	teemed_vm_unlock(v);
	teemed_call_add_stats(vm, out);
	out->notif_values = TEEMED_ATOMIC_LOAD(&v->notif_values);
}

static bool in_trusted_os_range(uint32_t fid)
{
	uint32_t owner = (fid >> OPTEE_SMC_OWNER_SHIFT) & OPTEE_SMC_OWNER_MASK;

	return owner >= OPTEE_SMC_OWNER_TRUSTED_OS &&
	       owner <= OPTEE_SMC_OWNER_TRUSTED_OS_API;
}

/*
 * Fold a step's page work into the statistics. Most SMCs move no page
 * and take no lock here.
 */
static void commit_step(struct teemed_vm *vm, const struct step *st)
{
	if (!st->pages)
		return;
	teemed_vm_lock(vm);
	/* Pages pinned and released within the step count for the peak. */
	teemed_stats_peak(&vm->stats.pinned_pages, &vm->stats.pinned_pages_peak,
			  st->pin_high);
	vm->stats.pinned_pages = (uint32_t)((int64_t)vm->stats.pinned_pages -
					    st->pin_high + st->pin_delta);
	if (st->pages > vm->stats.max_pages_per_smc)
		vm->stats.max_pages_per_smc = st->pages;
	teemed_vm_unlock(vm);
}

static void set_answer(struct teemed_regs *regs, uint32_t a0)
{
	regs->a[0] = a0;
	regs->a[1] = 0;
	regs->a[2] = 0;
	regs->a[3] = 0;
}

static inline __attribute__((__always_inline__)) void
handle_smc(struct teemed_vm *vm, struct teemed_regs *regs, uint32_t fid,
	   uint32_t vcpu)
{
	struct step st = {.budget = vm->t->step_pages, .vcpu = vcpu};

	if (vm->phase != VM_ALIVE) {
		set_answer(regs, OPTEE_SMC_RETURN_ENOTAVAIL);
	} else if (fid & OPTEE_SMC_FAST_CALL) {
		teemed_fast_call(vm, regs);
	} else if (fid == OPTEE_SMC_CALL_WITH_ARG) {
		teemed_std_call_with_arg(vm, regs, &st);
	} else if (fid == OPTEE_SMC_CALL_RETURN_FROM_RPC) {
		teemed_std_return_from_rpc(vm, regs, &st);
	} else if (fid == OPTEE_SMC_CALL_WITH_RPC_ARG &&
		   (vm->caps & OPTEE_SMC_SEC_CAP_RPC_ARG)) {
		teemed_std_call_with_rpc_arg(vm, regs, &st);
	} else if (fid == OPTEE_SMC_CALL_WITH_REGD_ARG &&
		   (vm->caps & OPTEE_SMC_SEC_CAP_RPC_ARG)) {
		teemed_std_call_with_regd_arg(vm, regs, &st);
	} else {
		/* Every other yielding function, and the RPC-argument calls
		   of a VM not offered them. */
		teemed_vm_refuse(vm, TEEMED_REFUSED_FUNCTION);
		set_answer(regs, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	}
	/* Buffers OP-TEE let go of are unpinned with what budget is left. */
	if (TEEMED_ATOMIC_LOAD(&vm->queued))
		teemed_shm_drain_release_queue(vm, &st);
	if (!st.counted)
		TEEMED_ATOMIC_ADD(&vm->smcs, 1);
	commit_step(vm, &st);
}

/* The same with the guest's call and its answer traced. */
static __attribute__((__noinline__)) TEEMED_COLD void
traced_smc(struct teemed_vm *vm, struct teemed_regs *regs, uint32_t fid,
	   uint32_t vcpu)
{
	teemed_trace_guest(vm, false, fid, regs);
	handle_smc(vm, regs, fid, vcpu);
	teemed_trace_guest(vm, true, fid, regs);
}

/* Inlined into both entries, so that neither pays a call to the other. */
static inline __attribute__((__always_inline__)) enum teemed_smc_result
smc_entry(struct teemed_vm *vm, uint32_t vcpu, struct teemed_regs *regs)
{
	uint32_t fid = reg32(regs->a[0]) & ~OPTEE_SMC_SVE_HINT;

	if (!in_trusted_os_range(fid))
		return TEEMED_SMC_NOT_OPTEE;
	/* Dispatch, and OP-TEE, see the id as TF-A would pass it on. */
	regs->a[0] = fid;
	if (teemed_tracing(vm->t))
		traced_smc(vm, regs, fid, vcpu);
	else
		handle_smc(vm, regs, fid, vcpu);
	return TEEMED_SMC_HANDLED;
}

enum teemed_smc_result teemed_vcpu_smc(struct teemed_vm *vm, uint32_t vcpu,
				       struct teemed_regs *regs)
{
	return smc_entry(vm, vcpu, regs);
}

enum teemed_smc_result teemed_vm_smc(struct teemed_vm *vm,
				     struct teemed_regs *regs)
{
	return smc_entry(vm, TEEMED_NO_VCPU, regs);
}

/*
 * Move every buffer the VM still holds to its release queue, one
 * budget unit per buffer. True when nothing is left to move.
 */
static bool collect_buffers(struct teemed_vm *vm, struct step *st)
{
	while (vm->destroy_slot < vm->quota.calls) {
		struct call *c = vm->calls[vm->destroy_slot];

		if (c->arg_pinned) {
			if (step_exhausted(st))
				return false;
			st->pages++;
			teemed_call_unpin_arg(vm, c);
		}
		while (c->bufs) {
			struct buf *b = c->bufs;

			if (step_exhausted(st))
				return false;
			st->pages++;
			c->bufs = b->next;
			teemed_vm_lock(vm);
			if (b->in_tree)
				teemed_shm_remove_locked(vm, b);
			teemed_shm_queue_release_locked(vm, b);
			teemed_vm_unlock(vm);
		}
		vm->destroy_slot++;
	}
	for (;;) {
		struct buf *b;

		if (step_exhausted(st))
			return false;
		teemed_vm_lock(vm);
		b = teemed_shm_first_locked(vm);
		if (b) {
			teemed_shm_remove_locked(vm, b);
			teemed_shm_queue_release_locked(vm, b);
		}
		teemed_vm_unlock(vm);
		if (!b)
			return true;
		st->pages++;
	}
}

static void trace_destroy(const struct teemed_vm *vm, int status, uint32_t work)
{
	if (teemed_tracing(vm->t))
		teemed_trace_vm(vm->t, vm->hv_vm, vm->client_id,
				TEEMED_TRACE_VM_DESTROY_STEP, status, work);
}

int teemed_vm_destroy(struct teemed_vm *vm)
{
	struct teemed *t = vm->t;
	struct step st = {.budget = t->step_pages};
	bool others = false;
	bool done;

	if (vm->phase == VM_ALIVE) {
		vm->phase = VM_DYING;
		teemed_notif_vm_gone(vm);
	}
	/* An interrupt handler may still be asking OP-TEE for its values. */
	if (!teemed_notif_vm_idle(vm))
		return TEEMED_ERR_AGAIN;
	if (vm->phase == VM_DYING) {
		/* OP-TEE must forget the VM before any page is unpinned. */
		if (announce(t, OPTEE_SMC_VM_DESTROYED, vm->client_id)) {
			trace_destroy(vm, TEEMED_ERR_IO, 0);
			return TEEMED_ERR_IO;
		}
		vm->phase = VM_RELEASING;
		vm->destroy_slot = 0;
	}
	done = collect_buffers(vm, &st) &&
	       teemed_shm_drain_release_queue(vm, &st);
	commit_step(vm, &st);
	trace_destroy(vm, done ? TEEMED_OK : TEEMED_ERR_AGAIN, st.pages);
	if (!done)
		return TEEMED_ERR_AGAIN;

	inst_lock(t);
	for (uint32_t i = 0; i < t->max_vms; i++) {
		if (t->vms[i] == vm)
			t->vms[i] = NULL;
		else if (t->vms[i])
			others = true;
	}
	inst_unlock(t);
	if (teemed_tracing(t))
		teemed_trace_vm(t, vm->hv_vm, vm->client_id,
				TEEMED_TRACE_VM_DESTROYED, TEEMED_OK, 0);
	free_vm(vm);
	/* An instance without VMs holds no page (Xen's never ends). */
	if (!others)
		teemed_call_pool_drain(t);
	return TEEMED_OK;
}
