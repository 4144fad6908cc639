/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The call table of a VM. Each yielding call in flight owns one slot;
 * the slot's index is the thread id the guest sees in a3 of an RPC, so
 * resuming is one array look-up and a guest can only ever name its own
 * calls. Slots are made with the VM and kept for reuse until it is
 * destroyed. The page of a slot's shadow argument is reserved against
 * the VM's quota with the slot (so the quota never refuses it) but held
 * only while a call uses the slot, so an idle VM holds no mediator page.
 * Shadow pages are the instance's (`vm` NULL to the platform): a page
 * freed by one VM's call may serve another's next, so none is charged
 * to a VM nor counted in its mediator_pages.
 *
 * No lock: a slot is claimed by moving its state from FREE to BUSY
 * (compare-and-swap, acquire) and given back by storing FREE (release);
 * a parked call is taken by moving its state to BUSY the same way. A
 * vCPU that says which it is (teemed_vcpu_smc()) looks first at a slot
 * of its own, so vCPUs of one VM write no common line per call; others
 * take the lowest free slot. The shadow page comes from the instance's
 * pool of free shadow pages (one exchange), or from the platform when
 * the pool is empty.
 */
#include "internal.h"
#include "string_ops.h"

/*
 * A slot is written on every call by the vCPU holding it, so it gets
 * cache lines of its own wherever the platform's allocator puts it:
 * whole lines, aligned within an object one line larger.
 */
#define TEEMED_SLOT_LINES_SIZE                                                 \
	((sizeof(struct call) + TEEMED_CACHE_LINE - 1) &                       \
	 ~(size_t)(TEEMED_CACHE_LINE - 1))
#define TEEMED_SLOT_ALLOC_SIZE (TEEMED_SLOT_LINES_SIZE + TEEMED_CACHE_LINE)

/*
 * Make the slot `index`, with its shadow page reserved: slots are made
 * when the VM is created, so the SMC path never meets a quota for them.
 */
struct call *teemed_call_make_slot(struct teemed_vm *vm, uint16_t index)
{
	struct call *c;
	void *raw;

	if (teemed_vm_reserve_pages(vm, 0, 1))
		return NULL;
	raw = teemed_vm_zalloc_obj(vm, TEEMED_SLOT_ALLOC_SIZE);
	if (!raw) {
		teemed_vm_unreserve_pages(vm, 0, 1);
		return NULL;
	}
	c = (struct call *)(((uintptr_t)raw + TEEMED_CACHE_LINE - 1) &
			    ~(uintptr_t)(TEEMED_CACHE_LINE - 1));
	c->alloc = raw;
	c->index = index;
	c->state = CALL_FREE;
	return c;
}

/* Raise a peak; no store unless it rises, so a steady state writes none. */
void teemed_stats_raise(uint32_t *peak, uint32_t value)
{
	uint32_t old = TEEMED_ATOMIC_LOAD(peak);

	while (value > old && !TEEMED_ATOMIC_CAS(peak, &old, value))
		;
}

/* What the call slots count, added to `out`. */
void teemed_call_add_stats(const struct teemed_vm *vm,
			   struct teemed_vm_stats *out)
{
	out->calls = 0;
	out->calls_peak = TEEMED_ATOMIC_LOAD(&vm->calls_peak);
	out->mediator_pages = TEEMED_ATOMIC_LOAD(&vm->mpages);
	out->mediator_pages_peak = TEEMED_ATOMIC_LOAD(&vm->mpages_peak);
	out->smcs = TEEMED_ATOMIC_LOAD(&vm->smcs);
	out->std_calls = 0;
	out->pinned_args = 0;
	for (uint32_t i = 0; vm->calls && i < vm->quota.calls; i++) {
		const struct call *c = vm->calls[i];

		if (!c)
			continue;
		out->smcs += TEEMED_ATOMIC_LOAD(&c->smcs);
		out->std_calls += TEEMED_ATOMIC_LOAD(&c->started);
		out->pinned_args += TEEMED_ATOMIC_LOAD(&c->arg_pinned);
		/* A slot holding a call: a call in flight. */
		out->calls += TEEMED_ATOMIC_LOAD(&c->state) != CALL_FREE;
	}
}

/*
 * The instance's free shadow pages. A slot holds a page's PA | 1 (a PA
 * may be 0) or 0 when empty; taking is one exchange, giving one
 * compare-and-swap, each starting at the caller's `home` slot so that
 * calls on different CPUs (other VMs, other slots) touch different lines.
 */
static uint32_t pool_next(uint32_t i)
{
	return i + 1 < TEEMED_SHADOW_POOL_PAGES ? i + 1 : 0;
}

static TEEMED_ALWAYS_INLINE bool pool_take(struct teemed *t, uint32_t home,
					   teemed_pa_t *pa)
{
	uint32_t i = home;

	for (uint32_t k = 0; k < TEEMED_SHADOW_POOL_PAGES; k++) {
		uint64_t *slot = &t->shadow_pool[i * TEEMED_POOL_STRIDE];
		uint64_t v;

		if (TEEMED_ATOMIC_LOAD(slot)) {
			v = TEEMED_ATOMIC_XCHG_ACQUIRE(slot, 0);
			if (v) {
				*pa = teemed_pa(v & ~(uint64_t)1);
				return true;
			}
		}
		i = pool_next(i);
	}
	return false;
}

static bool pool_give(struct teemed *t, uint32_t home, teemed_pa_t pa)
{
	uint32_t i = home;

	for (uint32_t k = 0; k < TEEMED_SHADOW_POOL_PAGES; k++) {
		uint64_t *slot = &t->shadow_pool[i * TEEMED_POOL_STRIDE];
		uint64_t empty = 0;

		if (!TEEMED_ATOMIC_LOAD(slot) &&
		    TEEMED_ATOMIC_CAS_RELEASE(slot, &empty,
					      teemed_pa_addr(pa) | 1))
			return true;
		i = pool_next(i);
	}
	return false;
}

/* teemed_fini(): the pool's pages go back to the platform. */
void teemed_call_pool_drain(struct teemed *t)
{
	const struct teemed_platform *p = t->plat;
	teemed_pa_t pa;

	while (pool_take(t, 0, &pa))
		p->free_page(p->ctx, NULL, pa);
}

/*
 * Where a call's look into the pool starts: other VMs and other slots
 * of one VM start at other slots, so CPUs rarely write one line.
 */
static uint32_t shadow_home(const struct teemed_vm *vm, const struct call *c)
{
#if TEEMED_SHADOW_POOL_PAGES
	return (uint32_t)(vm->client_id + c->index) % TEEMED_SHADOW_POOL_PAGES;
#else
	(void)vm;
	(void)c;
	return 0;
#endif
}

/* Shadow pages are the instance's: `vm` NULL to the platform. */
static TEEMED_ALWAYS_INLINE void shadow_give_back(struct teemed_vm *vm,
						  struct call *c)
{
	const struct teemed_platform *p = vm->t->plat;

	teemed_plat_unmap(vm->t, c->shadow);
	c->shadow = NULL;
	if (!pool_give(vm->t, shadow_home(vm, c), c->shadow_pa))
		p->free_page(p->ctx, NULL, c->shadow_pa);
}

/*
 * A slot comes back clean: each field a call sets is reset where its
 * use ends (the call's buffers settled and released, its argument let
 * go, its RPC state after OP-TEE resumed), so a claim writes none of
 * them. The fields a call always sets before reading them (param_cursor,
 * result, arg_kind, rule, rpc_off) are left as they are.
 */
static void slot_is_clean(const struct call *c)
{
	TEEMED_DEBUG_ASSERT(!c->bufs && !c->building && !c->registering &&
			    !c->unregistering && !c->rmem_count &&
			    !c->tmem_named);
	TEEMED_DEBUG_ASSERT(!c->arg_buf && !c->arg_direct && !c->arg_page_off &&
			    !c->arg_va && !c->arg_pinned);
	TEEMED_DEBUG_ASSERT(!c->rpc_arg && !c->rpc_free && !c->rpc_payload &&
			    !c->refused_cookie && !c->rpc_in_area);
	(void)c;
}

static bool claim_slot(struct call *c)
{
	uint8_t free = CALL_FREE;

	return TEEMED_ATOMIC_LOAD(&c->state) == CALL_FREE &&
	       TEEMED_ATOMIC_CAS_ACQUIRE(&c->state, &free, (uint8_t)CALL_BUSY);
}

/*
 * The first free slot from `first` on, wrapping: a vCPU's own slot, or
 * slot 0 for the lowest free one.
 */
static struct call *claim_free_slot(struct teemed_vm *vm, uint32_t first)
{
	uint32_t n = vm->quota.calls;

	for (uint32_t k = 0, i = first; k < n; k++, i = i + 1 < n ? i + 1 : 0)
		if (claim_slot(vm->calls[i]))
			return vm->calls[i];
	return NULL;
}

/*
 * Take a free slot for a new call, with a shadow page; NULL when the VM
 * already has as many calls in flight as its quota allows (so answering
 * ETHREAD_LIMIT cannot strand a guest: one of its own calls will finish)
 * or, `*no_page` set, when the pool is empty and the platform has no
 * page for the shadow.
 */
struct call *teemed_call_claim_new(struct teemed_vm *vm, uint32_t vcpu,
				   bool *no_page)
{
	const struct teemed_platform *p = vm->t->plat;
	struct call *c = claim_free_slot(
		vm, vcpu == TEEMED_NO_VCPU ? 0 : vcpu % vm->quota.calls);

	*no_page = false;
	if (!c)
		return NULL;
	if (!pool_take(vm->t, shadow_home(vm, c), &c->shadow_pa) &&
	    p->alloc_page(p->ctx, NULL, &c->shadow_pa)) {
		*no_page = true;
		TEEMED_ATOMIC_STORE_RELEASE(&c->state, (uint8_t)CALL_FREE);
		return NULL;
	}
	/*
	 * The peak is the highest slot taken + 1. When calls take the
	 * lowest free slot, slots 0..index-1 were busy as the search passed
	 * them, so that is the calls in flight (one more for each that
	 * ended during the search); a vCPU's own slot counts from its
	 * index, an upper bound.
	 */
	teemed_stats_raise(&vm->calls_peak, c->index + 1u);
	TEEMED_ATOMIC_STORE(&c->started, c->started + 1);
	c->shadow = teemed_plat_map(vm->t, c->shadow_pa);

	slot_is_clean(c);
	return c;
}

/*
 * The guest's argument page mapped (CALL_WITH_ARG, CALL_WITH_RPC_ARG:
 * pinned for the call; a REGD_ARG within one page of its buffer), or
 * NULL for an argument that spans pages of a registered buffer, which
 * teemed_call_arg_io() reaches page by page. Mapped once per SMC: the
 * mapping ends when the call parks or its argument is let go, so no
 * guest page stays mapped while the guest runs.
 */
uint8_t *teemed_call_arg_map_page(struct teemed_vm *vm, struct call *c)
{
	if (c->arg_kind == ARG_REGD ? !c->arg_direct : !c->arg_pinned)
		return NULL;
	c->arg_va = (uint8_t *)teemed_plat_map(vm->t, c->guest_arg_pa) +
		    c->arg_page_off;
	return c->arg_va;
}

static bool call_parked(uint8_t state)
{
	return state == CALL_PAUSED_PREPARE || state == CALL_IN_RPC ||
	       state == CALL_PAUSED_FINISH || state == CALL_PAUSED_RPC;
}

/*
 * Take the paused call the guest names in a3 of RETURN_FROM_RPC. NULL
 * unless it is this VM's and waits for the guest; `*was` tells what it
 * waited in. Of two vCPUs naming it, one compare-and-swap wins.
 */
struct call *teemed_call_claim_paused(struct teemed_vm *vm, uint32_t index,
				      uint8_t *was)
{
	struct call *c;
	uint8_t state;

	if (index >= vm->quota.calls)
		return NULL;
	c = vm->calls[index];
	if (!c)
		return NULL;
	state = TEEMED_ATOMIC_LOAD(&c->state);
	while (call_parked(state)) {
		if (TEEMED_ATOMIC_CAS_ACQUIRE(&c->state, &state,
					      (uint8_t)CALL_BUSY)) {
			*was = state;
			return c;
		}
	}
	return NULL;
}

/* From here on another vCPU may take the call: all it needs is written. */
void teemed_call_park(struct teemed_vm *vm, struct call *c, uint8_t state)
{
	teemed_call_arg_unmap(vm, c);
	TEEMED_ATOMIC_STORE_RELEASE(&c->state, state);
}

/* The call is over: its shadow page goes back, then its slot. */
void teemed_call_retire(struct teemed_vm *vm, struct call *c)
{
	/* OP-TEE may end a call without freeing an allocation refused in it. */
	c->refused_cookie = 0;
	shadow_give_back(vm, c);
	TEEMED_ATOMIC_STORE_RELEASE(&c->state, (uint8_t)CALL_FREE);
}

/* A REGD_ARG call's argument buffer: this call no longer uses it. */
void teemed_call_drop_arg_buf(struct teemed_vm *vm, struct call *c)
{
	teemed_vm_lock(vm);
	c->arg_buf->users--;
	teemed_vm_unlock(vm);
	c->arg_buf = NULL;
	c->arg_direct = false;
	c->arg_page_off = 0;
}

/*
 * Read or write `len` bytes at `off` from the start of the guest's
 * argument: in its pinned page, or in the registered buffer that holds
 * it, through the PAs pinned for that buffer. The caller keeps within
 * what the argument's checks allowed (the page, or the buffer).
 */
int teemed_call_arg_io(struct teemed_vm *vm, struct call *c, uint64_t off,
		       void *buf, size_t len, bool write)
{
	uint8_t *arg;

	if (c->arg_kind == ARG_REGD && !c->arg_direct)
		return teemed_buf_io(vm, c->arg_buf, c->arg_offset + off, buf,
				     len, write);
	arg = teemed_call_arg_map(vm, c);
	if (!arg || off > TEEMED_PAGE_SIZE - c->arg_page_off ||
	    len > TEEMED_PAGE_SIZE - c->arg_page_off - off)
		return TEEMED_ERR_FAULT;
	if (write)
		memcpy(arg + off, buf, len);
	else
		memcpy(buf, arg + off, len);
	return TEEMED_OK;
}

/* Teardown: the slot itself. Its buffers were queued already. */
void teemed_call_free_slot(struct teemed_vm *vm, struct call *c)
{
	if (c->shadow)
		shadow_give_back(vm, c);
	teemed_vm_free_obj(vm, c->alloc, TEEMED_SLOT_ALLOC_SIZE);
	teemed_vm_unreserve_pages(vm, 0, 1);
}
