/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thin wrappers over the platform callbacks that keep each VM's
 * accounting (quotas, statistics) in one place.
 */
#include "internal.h"
#include "string_ops.h"

/* The non-zero fields of `over` replace those of `q`. */
void teemed_quota_overlay(struct teemed_quota *q,
			  const struct teemed_quota *over)
{
	if (!over)
		return;
	q->pinned_pages = or_default(over->pinned_pages, q->pinned_pages);
	q->buffers = or_default(over->buffers, q->buffers);
	q->rpc_buffers = or_default(over->rpc_buffers, q->rpc_buffers);
	q->calls = or_default(over->calls, q->calls);
	q->mediator_pages = or_default(over->mediator_pages, q->mediator_pages);
}

void teemed_vm_lock(struct teemed_vm *vm)
{
	const struct teemed_platform *p = vm->t->plat;

	p->lock(p->ctx, vm->lock);
}

void teemed_vm_unlock(struct teemed_vm *vm)
{
	const struct teemed_platform *p = vm->t->plat;

	p->unlock(p->ctx, vm->lock);
}

void teemed_stats_peak(uint32_t *now, uint32_t *peak, int64_t delta)
{
	*now = (uint32_t)((int64_t)*now + delta);
	if (*now > *peak)
		*peak = *now;
}

/*
 * For the trace only: `cause` (enum teemed_trace_cause) and `index`, the
 * parameter or thread refused or TEEMED_TRACE_NO_INDEX.
 */
void teemed_vm_refuse_at(struct teemed_vm *vm, enum teemed_refusal why,
			 uint8_t cause, uint32_t index)
{
	teemed_vm_lock(vm);
	vm->stats.refused[why]++;
	teemed_vm_unlock(vm);
	if (teemed_tracing(vm->t))
		teemed_trace_refusal(vm, why, cause, index);
}

void teemed_vm_refuse(struct teemed_vm *vm, enum teemed_refusal why)
{
	teemed_vm_refuse_at(vm, why, TEEMED_TRACE_CAUSE_NONE,
			    TEEMED_TRACE_NO_INDEX);
}

void teemed_vm_log(struct teemed_vm *vm, enum teemed_log_level level,
		   const char *msg, uint64_t v1, uint64_t v2)
{
	const struct teemed_platform *p = vm->t->plat;

	if (p->log)
		p->log(p->ctx, vm->hv_vm, level, msg, v1, v2);
}

/*
 * Objects come from the platform uninitialised, as a hypervisor's heap
 * gives them, so that records written in full on the SMC path (a compact
 * buffer's PAs) pay no zeroing; an object that must start zeroed is
 * asked for here.
 */
void *teemed_zalloc_obj(const struct teemed_platform *p, void *hv_vm,
			size_t size)
{
	void *obj = p->alloc_obj(p->ctx, hv_vm, size);

	if (obj)
		memset(obj, 0, size);
	return obj;
}

void *teemed_vm_alloc_obj(struct teemed_vm *vm, size_t size)
{
	const struct teemed_platform *p = vm->t->plat;

	return p->alloc_obj(p->ctx, vm->hv_vm, size);
}

void *teemed_vm_zalloc_obj(struct teemed_vm *vm, size_t size)
{
	return teemed_zalloc_obj(vm->t->plat, vm->hv_vm, size);
}

void teemed_vm_free_obj(struct teemed_vm *vm, void *obj, size_t size)
{
	const struct teemed_platform *p = vm->t->plat;

	p->free_obj(p->ctx, vm->hv_vm, obj, size);
}

/* The caller has reserved the page with teemed_vm_reserve_pages(). */
int teemed_vm_alloc_page(struct teemed_vm *vm, teemed_pa_t *pa)
{
	const struct teemed_platform *p = vm->t->plat;
	int err = p->alloc_page(p->ctx, vm->hv_vm, pa);

	if (err)
		return TEEMED_ERR_NOMEM;
	teemed_stats_raise(&vm->mpages_peak,
			   TEEMED_ATOMIC_ADD(&vm->mpages, 1) + 1);
	return TEEMED_OK;
}

void teemed_vm_free_page(struct teemed_vm *vm, teemed_pa_t pa)
{
	const struct teemed_platform *p = vm->t->plat;

	p->free_page(p->ctx, vm->hv_vm, pa);
	TEEMED_ATOMIC_SUB(&vm->mpages, 1);
}

static bool global_reserve(struct teemed *t, uint32_t pages)
{
	uint64_t old = TEEMED_ATOMIC_LOAD(&t->global_pinned);

	do {
		if (old + pages > t->global_pinned_cap)
			return false;
	} while (!TEEMED_ATOMIC_CAS(&t->global_pinned, &old, old + pages));
	return true;
}

static void vm_unreserve_local(struct teemed_vm *vm, uint32_t pages,
			       uint32_t mpages)
{
	teemed_vm_lock(vm);
	TEEMED_ASSERT(vm->reserved_pages >= pages);
	TEEMED_ASSERT(vm->reserved_mpages >= mpages);
	TEEMED_ATOMIC_STORE(&vm->reserved_pages, vm->reserved_pages - pages);
	vm->reserved_mpages -= mpages;
	teemed_vm_unlock(vm);
}

/*
 * Reserve room for `pages` guest pins and `mpages` mediator pages before
 * any is taken, so a refused request changes nothing.
 */
int teemed_vm_reserve_pages(struct teemed_vm *vm, uint32_t pages,
			    uint32_t mpages)
{
	bool ok;

	teemed_vm_lock(vm);
	ok = (uint64_t)vm->reserved_pages + pages <= vm->quota.pinned_pages &&
	     (uint64_t)vm->reserved_mpages + mpages <= vm->quota.mediator_pages;
	if (ok) {
		TEEMED_ATOMIC_STORE(&vm->reserved_pages,
				    vm->reserved_pages + pages);
		vm->reserved_mpages += mpages;
	}
	teemed_vm_unlock(vm);
	if (!ok)
		return TEEMED_ERR_NOMEM;
	if (!global_reserve(vm->t, pages)) {
		/* The instance-wide count was not raised: undo the VM's only.
		 */
		vm_unreserve_local(vm, pages, mpages);
		return TEEMED_ERR_NOMEM;
	}
	return TEEMED_OK;
}

/*
 * Whether `pages` more pins would fit the VM's quota and the instance's
 * cap now: a request that cannot fit is refused before any work. Pins
 * are still reserved one buffer at a time, under the lock, which keeps
 * the quotas exact when calls race; this early look needs no lock
 * (reserved_pages is stored atomically).
 */
bool teemed_vm_pages_available(struct teemed_vm *vm, uint64_t pages)
{
	return pages <= vm->quota.pinned_pages -
				TEEMED_ATOMIC_LOAD(&vm->reserved_pages) &&
	       pages <= vm->t->global_pinned_cap -
				TEEMED_ATOMIC_LOAD(&vm->t->global_pinned);
}

void teemed_vm_unreserve_pages(struct teemed_vm *vm, uint32_t pages,
			       uint32_t mpages)
{
	vm_unreserve_local(vm, pages, mpages);
	TEEMED_ATOMIC_SUB(&vm->t->global_pinned, pages);
}

/* teemed's own SMCs (client id 0). */
void teemed_plat_smc(struct teemed *t, struct teemed_regs *regs)
{
	uint32_t fid = reg32(regs->a[0]);

	if (teemed_tracing(t))
		teemed_trace_smc(t, NULL, false, fid, regs, NULL);
	t->plat->smc(t->plat->ctx, regs);
	if (teemed_tracing(t))
		teemed_trace_smc(t, NULL, true, fid, regs, NULL);
}
