/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The call table of a VM. Each yielding call in flight owns one slot;
 * the slot's index is the thread id the guest sees in a3 of an RPC, so
 * resuming is one array look-up and a guest can only ever name its own
 * calls. Slots are made with the VM and kept for reuse until it is
 * destroyed; the page of a slot's shadow argument is reserved with the
 * slot (so the quota never refuses it) but taken from the platform only
 * while a call uses the slot, so an idle VM holds no mediator page.
 */
#include "internal.h"
#include "string_ops.h"

/*
 * Make the slot `index`, with its shadow page reserved: slots are made
 * when the VM is created, so the SMC path never meets a quota for them.
 */
struct call *teemed_call_make_slot(struct teemed_vm *vm, uint16_t index)
{
	struct call *c;

	if (teemed_vm_reserve_pages(vm, 0, 1))
		return NULL;
	c = teemed_vm_alloc_obj(vm, sizeof(*c));
	if (!c) {
		teemed_vm_unreserve_pages(vm, 0, 1);
		return NULL;
	}
	c->index = index;
	return c;
}

/*
 * Take a free slot for a new call, with a shadow page; NULL when the VM
 * already has as many calls in flight as its quota allows (so answering
 * ETHREAD_LIMIT cannot strand a guest: one of its own calls will finish)
 * or, `*no_page` set, when the platform has no page for the shadow. The
 * page is asked for before the lock and counted inside it, so a call
 * takes the VM lock once to start.
 */
struct call *teemed_call_claim_new(struct teemed_vm *vm, bool *no_page)
{
	const struct teemed_platform *p = vm->t->plat;
	teemed_pa_t pa;
	struct call *c;

	*no_page = p->alloc_page(p->ctx, vm->hv_vm, &pa) != 0;
	if (*no_page)
		return NULL;
	teemed_vm_lock(vm);
	if (vm->free_head == TEEMED_CALL_NONE) {
		teemed_vm_unlock(vm);
		p->free_page(p->ctx, vm->hv_vm, pa);
		return NULL;
	}
	c = vm->calls[vm->free_head];
	vm->free_head = c->next_free;
	teemed_stats_peak(&vm->stats.calls, &vm->stats.calls_peak, 1);
	teemed_stats_peak(&vm->stats.mediator_pages,
			  &vm->stats.mediator_pages_peak, 1);
	vm->stats.std_calls++;
	c->state = CALL_BUSY;
	teemed_vm_unlock(vm);

	c->shadow_pa = pa;
	c->shadow = teemed_plat_map(vm->t, pa);

	c->param_cursor = 0;
	c->result = 0;
	c->bufs = NULL;
	c->building = NULL;
	c->registering = NULL;
	c->unregistering = NULL;
	c->rmem_count = 0;
	c->tmem_named = 0;
	c->rpc_arg = NULL;
	c->rpc_free = NULL;
	c->rpc_payload = NULL;
	c->refused_cookie = 0;
	c->arg_pinned = false;
	c->arg_kind = ARG_PAGE;
	c->arg_buf = NULL;
	c->arg_direct = false;
	c->arg_page_off = 0;
	c->rpc_in_area = false;
	c->rpc_off = 0;
	return c;
}

/*
 * Take the paused call the guest names in a3 of RETURN_FROM_RPC. NULL
 * unless it is this VM's and waits for the guest; `*was` tells what it
 * waited in.
 */
struct call *teemed_call_claim_paused(struct teemed_vm *vm, uint32_t index,
				      uint8_t *was)
{
	struct call *c = NULL;

	teemed_vm_lock(vm);
	if (index < vm->quota.calls) {
		c = vm->calls[index];
		if (c && (c->state == CALL_PAUSED_PREPARE ||
			  c->state == CALL_IN_RPC ||
			  c->state == CALL_PAUSED_FINISH ||
			  c->state == CALL_PAUSED_RPC)) {
			*was = c->state;
			c->state = CALL_BUSY;
		} else {
			c = NULL;
		}
	}
	teemed_vm_unlock(vm);
	return c;
}

void teemed_call_park(struct teemed_vm *vm, struct call *c, uint8_t state)
{
	teemed_vm_lock(vm);
	c->state = state;
	teemed_vm_unlock(vm);
}

/* The call is over: its slot is free again, its shadow page goes back. */
void teemed_call_retire(struct teemed_vm *vm, struct call *c)
{
	const struct teemed_platform *p = vm->t->plat;
	teemed_pa_t pa = c->shadow_pa;

	teemed_plat_unmap(vm->t, c->shadow);
	c->shadow = NULL;
	teemed_vm_lock(vm);
	c->state = CALL_FREE;
	c->next_free = vm->free_head;
	vm->free_head = c->index;
	vm->stats.calls--;
	vm->stats.mediator_pages--;
	teemed_vm_unlock(vm);
	p->free_page(p->ctx, vm->hv_vm, pa);
}

/*
 * The guest's argument page stays pinned from the copy to the answer, so
 * a guest cannot lose its answer by giving the page away mid-call. One
 * page per call, bounded by the calls quota, so it is counted apart from
 * the pinned-pages quota and the step budget.
 */
int teemed_call_pin_arg(struct teemed_vm *vm, struct call *c)
{
	const struct teemed_platform *p = vm->t->plat;

	if (p->pin_guest_page(p->ctx, vm->hv_vm, c->guest_arg, TEEMED_PIN_WRITE,
			      &c->guest_arg_pa))
		return TEEMED_ERR_FAULT;
	c->arg_pinned = true;
	TEEMED_ATOMIC_ADD(&vm->pinned_args, 1);
	return TEEMED_OK;
}

/* The argument's memory goes back: its page's pin, or its buffer's use. */
void teemed_call_unpin_arg(struct teemed_vm *vm, struct call *c)
{
	const struct teemed_platform *p = vm->t->plat;

	if (c->arg_pinned) {
		p->unpin_guest_page(p->ctx, vm->hv_vm, c->guest_arg_pa);
		c->arg_pinned = false;
		TEEMED_ATOMIC_SUB(&vm->pinned_args, 1);
	}
	if (c->arg_buf) {
		teemed_vm_lock(vm);
		c->arg_buf->users--;
		teemed_vm_unlock(vm);
		c->arg_buf = NULL;
		c->arg_direct = false;
	}
}

/*
 * The guest's argument page mapped (CALL_WITH_ARG, CALL_WITH_RPC_ARG:
 * pinned for the call), or NULL for an argument in a registered buffer,
 * which teemed_call_arg_io() reaches page by page.
 */
uint8_t *teemed_call_arg_map(struct teemed_vm *vm, const struct call *c)
{
	if (c->arg_kind == ARG_REGD ? !c->arg_direct : !c->arg_pinned)
		return NULL;
	return (uint8_t *)teemed_plat_map(vm->t, c->guest_arg_pa) +
	       c->arg_page_off;
}

void teemed_call_arg_unmap(struct teemed_vm *vm, const struct call *c,
			   uint8_t *arg)
{
	if (arg)
		teemed_plat_unmap(vm->t, arg - c->arg_page_off);
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
	if ((c->arg_kind != ARG_REGD && !c->arg_pinned) ||
	    off > TEEMED_PAGE_SIZE - c->arg_page_off ||
	    len > TEEMED_PAGE_SIZE - c->arg_page_off - off)
		return TEEMED_ERR_FAULT;
	arg = teemed_call_arg_map(vm, c);
	if (write)
		memcpy(arg + off, buf, len);
	else
		memcpy(buf, arg + off, len);
	teemed_call_arg_unmap(vm, c, arg);
	return TEEMED_OK;
}

/* Teardown: the slot itself. Its buffers were queued already. */
void teemed_call_free_slot(struct teemed_vm *vm, struct call *c)
{
	if (c->shadow) {
		teemed_plat_unmap(vm->t, c->shadow);
		teemed_vm_free_page(vm, c->shadow_pa);
	}
	teemed_vm_free_obj(vm, c, sizeof(*c));
	teemed_vm_unreserve_pages(vm, 0, 1);
}
