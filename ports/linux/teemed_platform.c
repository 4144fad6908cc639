// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * struct teemed_platform for the Linux host: guest pages are the VMM's
 * memory, found through the regions it registered and pinned long-term;
 * mediator pages come from the page allocator; everything is reached
 * through the linear map; the SMC is the SMCCC instruction unless a test
 * backend is registered.
 */
#include <linux/arm-smccc.h>
#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "include/teemed_backend.h"
#include "teemed_linux.h"

#if PAGE_SIZE != TEEMED_PAGE_SIZE
#error "teemed.ko needs a kernel with 4 KiB pages"
#endif

atomic_long_t tm_pinned_total = ATOMIC_LONG_INIT(0);
atomic_long_t tm_pages_total = ATOMIC_LONG_INIT(0);

static const struct tm_region *tm_find_region(const struct tm_vm *vm, u64 ipa)
{
	u32 lo = 0, hi = vm->nr_regions;

	/* Regions are sorted by IPA and do not overlap. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct tm_region *r = &vm->regions[mid];

		if (ipa < r->ipa)
			hi = mid;
		else if (ipa - r->ipa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static int tm_pin_guest_page(void *ctx, void *hv_vm, teemed_ipa_t ipa,
			     unsigned int flags, teemed_pa_t *pa)
{
	struct tm_vm *vm = hv_vm;
	u64 addr = teemed_ipa_addr(ipa);
	const struct tm_region *r;
	unsigned int gup = FOLL_LONGTERM;
	struct page *page;
	int n;

	if (addr & ~PAGE_MASK)
		return TEEMED_ERR_FAULT;
	r = tm_find_region(vm, addr);
	if (!r)
		return TEEMED_ERR_FAULT;
	/*
	 * Writable regions are always pinned for writing: a read pin of an
	 * untouched anonymous page would pin the shared zero page, not the
	 * page the guest writes later.
	 */
	if (!r->readonly)
		gup |= FOLL_WRITE;
	else if (flags & TEEMED_PIN_WRITE)
		return TEEMED_ERR_FAULT;
	/* Pins come from the VM's SMC ioctl, which runs in the VMM's mm. */
	if (current->mm != vm->mm)
		return TEEMED_ERR_FAULT;
	n = pin_user_pages_fast(r->uaddr + (addr - r->ipa), 1, gup, &page);
	if (n != 1)
		return n == -ENOMEM ? TEEMED_ERR_NOMEM : TEEMED_ERR_FAULT;
	atomic_long_inc(&vm->pinned);
	atomic_long_inc(&tm_pinned_total);
	*pa = teemed_pa(page_to_phys(page));
	return TEEMED_OK;
}

static void tm_unpin_guest_page(void *ctx, void *hv_vm, teemed_pa_t pa)
{
	struct tm_vm *vm = hv_vm;
	struct page *page = pfn_to_page(PHYS_PFN(teemed_pa_addr(pa)));

	/* OP-TEE may have written it. */
	unpin_user_pages_dirty_lock(&page, 1, true);
	atomic_long_dec(&vm->pinned);
	atomic_long_dec(&tm_pinned_total);
}

static int tm_alloc_page(void *ctx, void *hv_vm, teemed_pa_t *pa)
{
	struct tm_vm *vm = hv_vm;
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT);

	if (!page)
		return TEEMED_ERR_NOMEM;
	if (vm)
		atomic_long_inc(&vm->pages);
	atomic_long_inc(&tm_pages_total);
	*pa = teemed_pa(page_to_phys(page));
	return TEEMED_OK;
}

static void tm_free_page(void *ctx, void *hv_vm, teemed_pa_t pa)
{
	struct tm_vm *vm = hv_vm;

	__free_page(pfn_to_page(PHYS_PFN(teemed_pa_addr(pa))));
	if (vm)
		atomic_long_dec(&vm->pages);
	atomic_long_dec(&tm_pages_total);
}

static void *tm_alloc_obj(void *ctx, void *hv_vm, size_t size)
{
	return kmalloc(size, GFP_KERNEL_ACCOUNT);
}

static void tm_free_obj(void *ctx, void *hv_vm, void *obj, size_t size)
{
	kfree(obj);
}

/* Pinned and allocated pages are ordinary RAM: all in the linear map. */
static void *tm_map(void *ctx, teemed_pa_t pa)
{
	return page_address(pfn_to_page(PHYS_PFN(teemed_pa_addr(pa))));
}

static void tm_unmap(void *ctx, void *va)
{
}

static void tm_smc(void *ctx, struct teemed_regs *regs)
{
	const struct teemed_smc_backend *b = READ_ONCE(tm_backend);
	struct arm_smccc_res res;
	u64 *a = regs->a;

	if (b) {
		b->smc(b->ctx, a);
		return;
	}
	__arm_smccc_smc(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], &res,
			NULL);
	a[0] = res.a0;
	a[1] = res.a1;
	a[2] = res.a2;
	a[3] = res.a3;
}

/*
 * The core holds its locks for short sections, but the callbacks it
 * calls under them pin user pages and allocate with GFP_KERNEL, which
 * may sleep: a mutex. Every caller is in process context.
 */
static void *tm_lock_create(void *ctx)
{
	struct mutex *m = kmalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);

	if (m)
		mutex_init(m);
	return m;
}

static void tm_lock_destroy(void *ctx, void *lock)
{
	mutex_destroy(lock);
	kfree(lock);
}

static void tm_lock(void *ctx, void *lock)
{
	mutex_lock(lock);
}

static void tm_unlock(void *ctx, void *lock)
{
	mutex_unlock(lock);
}

/*
 * The core calls this under its instance lock, from the work that
 * polls OP-TEE: eventfd_signal() only takes a spinlock. The VMM turns
 * the count into the guest's interrupt (KVM_IRQFD).
 */
static void tm_notify(void *ctx, void *hv_vm)
{
	struct tm_vm *vm = hv_vm;

	if (vm->notif)
		eventfd_signal(vm->notif);
}

static void tm_log(void *ctx, void *hv_vm, enum teemed_log_level level,
		   const char *msg, u64 v1, u64 v2)
{
	struct tm_vm *vm = hv_vm;
	unsigned int id = vm ? vm->client_id : 0;

	switch (level) {
	case TEEMED_LOG_ERROR:
		pr_err_ratelimited("teemed: vm %u: %s (%llu, %llu)\n", id, msg,
				   v1, v2);
		break;
	case TEEMED_LOG_WARN:
		pr_warn_ratelimited("teemed: vm %u: %s (%llu, %llu)\n", id,
				    msg, v1, v2);
		break;
	default:
		pr_debug("teemed: vm %u: %s (%llu, %llu)\n", id, msg, v1, v2);
		break;
	}
}

struct teemed_platform tm_platform = {
	.ctx = NULL,
	.pin_guest_page = tm_pin_guest_page,
	.unpin_guest_page = tm_unpin_guest_page,
	.alloc_page = tm_alloc_page,
	.free_page = tm_free_page,
	.alloc_obj = tm_alloc_obj,
	.free_obj = tm_free_obj,
	.map = tm_map,
	.unmap = tm_unmap,
	.smc = tm_smc,
	.lock_create = tm_lock_create,
	.lock_destroy = tm_lock_destroy,
	.lock = tm_lock,
	.unlock = tm_unlock,
	.notify = tm_notify,
	.log = tm_log,
	/* .trace: set while the teemed_event tracepoint is on. */
};
