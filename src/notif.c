/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Asynchronous notifications (spec §2.19, §7.9), per VM.
 *
 * OP-TEE keeps the pending values of each VM in that VM's partition and
 * answers GET_ASYNC_NOTIF_VALUE from the partition the client id in a7
 * selects, but raises one physical interrupt for all of them. The
 * hypervisor's handler of that interrupt calls teemed_notif_irq(): for
 * each VM that enabled notifications teemed asks OP-TEE, with that VM's
 * id, for its values, keeps them in the VM's own bitmap and has the
 * platform inject the guest's interrupt. A guest's GET_ASYNC_NOTIF_VALUE
 * is answered from its bitmap, then from OP-TEE with its own id: no VM
 * can read or wake another.
 *
 * The VMs that enabled notifications are packed at the front of
 * t->notif_vms (instance lock). The handler walks it from the end, so a
 * VM leaving it (swapped with the last one) is never skipped; a VM being
 * polled counts in notif_polling, and teemed_vm_destroy() waits for it.
 */
#include "internal.h"

/* Values a VM can have pending: OP-TEE's asynchronous values 0..63. */
#define TEEMED_NOTIF_VALUES (OPTEE_NOTIF_ASYNC_VALUE_MAX + 1)

static void inst_lock(struct teemed *t)
{
	t->plat->lock(t->plat->ctx, t->lock);
}

static void inst_unlock(struct teemed *t)
{
	t->plat->unlock(t->plat->ctx, t->lock);
}

static void set_result(struct teemed_regs *regs, uint32_t a0, uint32_t a1,
		       uint32_t a2)
{
	regs->a[0] = a0;
	regs->a[1] = a1;
	regs->a[2] = a2;
	regs->a[3] = 0;
}

/*
 * Whether the VM was offered notifications; if not, its call is refused
 * as a function OP-TEE does not have.
 */
static bool offered(struct teemed_vm *vm, struct teemed_regs *regs)
{
	if (vm->caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)
		return true;
	teemed_vm_refuse(vm, TEEMED_REFUSED_FUNCTION);
	set_result(regs, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION, 0, 0);
	return false;
}

/* The registers of a fast call to OP-TEE on behalf of the VM `id`. */
static void fast_regs(struct teemed_regs *r, uint16_t id, uint32_t fid)
{
	for (size_t i = 0; i < TEEMED_ARRAY_SIZE(r->a); i++)
		r->a[i] = 0;
	r->a[0] = fid;
	r->a[7] = id;
}

/* Leave the list; instance lock held. */
static void list_remove_locked(struct teemed *t, struct teemed_vm *vm)
{
	struct teemed_vm *last;

	if (!vm->notif_on)
		return;
	last = t->notif_vms[--t->notif_count];
	t->notif_vms[vm->notif_slot] = last;
	last->notif_slot = vm->notif_slot;
	t->notif_vms[t->notif_count] = NULL;
	vm->notif_on = false;
	vm->notif_pending = 0;
}

void teemed_notif_enable(struct teemed_vm *vm, struct teemed_regs *regs)
{
	struct teemed *t = vm->t;
	struct teemed_regs r;

	if (!offered(vm, regs))
		return;
	fast_regs(&r, vm->client_id, OPTEE_SMC_ENABLE_ASYNC_NOTIF);
	teemed_vm_plat_smc(vm, &r, NULL);
	if (reg32(r.a[0]) == OPTEE_SMC_RETURN_OK) {
		inst_lock(t);
		/* A dying VM stays out: destroy has already left the list. */
		if (!vm->notif_on && vm->phase == VM_ALIVE) {
			vm->notif_slot = t->notif_count;
			t->notif_vms[t->notif_count++] = vm;
			vm->notif_on = true;
		}
		inst_unlock(t);
	}
	set_result(regs, reg32(r.a[0]), 0, 0);
}

/* Lowest pending value first, as OP-TEE hands them out. */
static bool take_value(uint64_t *bits, uint32_t *value)
{
	if (!*bits)
		return false;
	*value = (uint32_t)__builtin_ctzll(*bits);
	*bits &= *bits - 1;
	return true;
}

void teemed_notif_get_value(struct teemed_vm *vm, struct teemed_regs *regs)
{
	struct teemed *t = vm->t;
	struct teemed_regs r;
	uint32_t value = 0;
	uint32_t flags;
	bool got;

	if (!offered(vm, regs))
		return;
	inst_lock(t);
	got = take_value(&vm->notif_pending, &value);
	flags = vm->notif_pending ? OPTEE_SMC_ASYNC_NOTIF_PENDING : 0;
	inst_unlock(t);
	if (got) {
		set_result(regs, OPTEE_SMC_RETURN_OK, value,
			   OPTEE_SMC_ASYNC_NOTIF_VALID | flags);
		return;
	}
	/* Nothing taken yet: whatever OP-TEE holds for this VM. */
	fast_regs(&r, vm->client_id, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE);
	teemed_vm_plat_smc(vm, &r, NULL);
	if (reg32(r.a[0]) != OPTEE_SMC_RETURN_OK) {
		set_result(regs, reg32(r.a[0]), 0, 0);
		return;
	}
	flags = reg32(r.a[2]) &
		(OPTEE_SMC_ASYNC_NOTIF_VALID | OPTEE_SMC_ASYNC_NOTIF_PENDING);
	set_result(regs, OPTEE_SMC_RETURN_OK,
		   (flags & OPTEE_SMC_ASYNC_NOTIF_VALID) ? reg32(r.a[1]) : 0,
		   flags);
}

/* STOP_ASYNC_NOTIF went through: no more interrupts for this VM. */
void teemed_notif_stopped(struct teemed_vm *vm)
{
	struct teemed *t = vm->t;

	inst_lock(t);
	list_remove_locked(t, vm);
	inst_unlock(t);
}

void teemed_notif_vm_gone(struct teemed_vm *vm)
{
	teemed_notif_stopped(vm);
}

bool teemed_notif_vm_idle(struct teemed_vm *vm)
{
	struct teemed *t = vm->t;
	bool idle;

	inst_lock(t);
	idle = vm->notif_polling == 0;
	inst_unlock(t);
	return idle;
}

/*
 * Take every value OP-TEE holds for `id`, at most all 64 of them (each
 * answer clears one); a value beyond 63 is not OP-TEE's to send.
 */
static uint64_t poll_values(struct teemed *t, uint16_t id, uint32_t *count)
{
	uint64_t bits = 0;

	*count = 0;
	for (uint32_t i = 0; i < TEEMED_NOTIF_VALUES; i++) {
		struct teemed_regs r;
		uint32_t flags;

		fast_regs(&r, id, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE);
		teemed_plat_smc(t, &r);
		flags = reg32(r.a[2]);
		if (reg32(r.a[0]) != OPTEE_SMC_RETURN_OK ||
		    !(flags & OPTEE_SMC_ASYNC_NOTIF_VALID))
			break;
		if (reg32(r.a[1]) <= OPTEE_NOTIF_ASYNC_VALUE_MAX) {
			bits |= (uint64_t)1 << reg32(r.a[1]);
			(*count)++;
		}
		if (!(flags & OPTEE_SMC_ASYNC_NOTIF_PENDING))
			break;
	}
	return bits;
}

uint32_t teemed_notif_irq(struct teemed *t)
{
	const struct teemed_platform *p = t->plat;
	uint32_t notified = 0;
	uint32_t i;

	inst_lock(t);
	i = t->notif_count;
	inst_unlock(t);
	while (i-- > 0) {
		struct teemed_vm *vm;
		uint16_t id;
		uint64_t bits;
		uint32_t count;

		inst_lock(t);
		/* The list may have shrunk since; what moved was polled. */
		if (i >= t->notif_count) {
			if (!t->notif_count) {
				inst_unlock(t);
				break;
			}
			i = t->notif_count - 1;
		}
		vm = t->notif_vms[i];
		vm->notif_polling++;
		id = vm->client_id;
		inst_unlock(t);

		bits = poll_values(t, id, &count);

		inst_lock(t);
		vm->notif_polling--;
		if (bits && vm->notif_on) {
			vm->notif_pending |= bits;
			TEEMED_ATOMIC_ADD(&vm->notif_values, (uint64_t)count);
			p->notify(p->ctx, vm->hv_vm);
			notified++;
		}
		inst_unlock(t);
	}
	return notified;
}
