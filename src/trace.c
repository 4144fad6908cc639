/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trace events for the platform's optional trace callback
 * (include/teemed/trace.h). Every hook in the core tests the callback
 * first (teemed_tracing()) and only then comes here, so a platform
 * without one pays a pointer test per hook and nothing else. Nothing
 * here formats: the event is handed over as it is.
 */
#include "internal.h"
#include "string_ops.h"

static void event_init(struct teemed_trace_event *ev, uint8_t kind,
		       uint16_t client_id)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->client_id = client_id;
	ev->vcpu = TEEMED_TRACE_NO_VCPU;
	ev->index = TEEMED_TRACE_NO_INDEX;
}

static void emit(const struct teemed *t, void *hv_vm,
		 const struct teemed_trace_event *ev)
{
	const struct teemed_platform *p = t->plat;

	if (p->trace)
		p->trace(p->ctx, hv_vm, ev);
}

/* A message's size as far as a mediator page holds it. */
static uint32_t msg_size(const struct optee_msg_arg *arg)
{
	uint32_t n = arg->num_params;

	if (n > OPTEE_MSG_MAX_NUM_PARAMS)
		n = OPTEE_MSG_MAX_NUM_PARAMS;
	return (uint32_t)OPTEE_MSG_GET_ARG_SIZE(n);
}

void teemed_trace_guest(struct teemed_vm *vm, bool answer, uint32_t fid,
			const struct teemed_regs *regs)
{
	struct teemed_trace_event ev;
	uint8_t kind;

	if (answer)
		kind = OPTEE_SMC_RETURN_IS_RPC(regs->a[0])
			       ? TEEMED_TRACE_RPC_TO_GUEST
			       : TEEMED_TRACE_GUEST_ANSWER;
	else
		kind = fid == OPTEE_SMC_CALL_RETURN_FROM_RPC
			       ? TEEMED_TRACE_RPC_ANSWER
			       : TEEMED_TRACE_GUEST_CALL;
	event_init(&ev, kind, vm->client_id);
	ev.fid = fid;
	ev.regs = *regs;
	emit(vm->t, vm->hv_vm, &ev);
}

void teemed_trace_smc(const struct teemed *t, const struct teemed_vm *vm,
		      bool answer, uint32_t fid, const struct teemed_regs *regs,
		      const struct optee_msg_arg *shadow)
{
	struct teemed_trace_event ev;
	bool with_msg;

	event_init(&ev,
		   answer ? TEEMED_TRACE_OPTEE_ANSWER : TEEMED_TRACE_OPTEE_CALL,
		   vm ? vm->client_id : (uint16_t)reg32(regs->a[7]));
	ev.fid = fid;
	ev.regs = *regs;
	/* The shadow goes with the call, and with its final answer. */
	with_msg = answer ? !OPTEE_SMC_RETURN_IS_RPC(regs->a[0])
			  : fid == OPTEE_SMC_CALL_WITH_ARG;
	if (shadow && with_msg) {
		ev.msg = shadow;
		ev.msg_len = msg_size(shadow);
	}
	emit(t, vm ? vm->hv_vm : NULL, &ev);
}

/* teemed_vm_plat_smc() with the SMC and its answer traced. */
void teemed_trace_traced_smc(struct teemed_vm *vm, struct teemed_regs *regs,
			     const struct optee_msg_arg *shadow)
{
	const struct teemed_platform *p = vm->t->plat;
	uint32_t fid = reg32(regs->a[0]);

	teemed_trace_smc(vm->t, vm, false, fid, regs, shadow);
	p->smc(p->ctx, regs);
	teemed_trace_smc(vm->t, vm, true, fid, regs, shadow);
}

void teemed_trace_msg(struct teemed_vm *vm, uint8_t kind, const void *msg,
		      uint32_t len)
{
	struct teemed_trace_event ev;

	event_init(&ev, kind, vm->client_id);
	ev.msg = msg;
	ev.msg_len = len;
	emit(vm->t, vm->hv_vm, &ev);
}

/* The guest's message once the answer was copied back to it. */
void teemed_trace_reply(struct teemed_vm *vm, const struct call *c)
{
	const struct optee_msg_arg *guest =
		teemed_plat_map(vm->t, c->guest_arg_pa);

	teemed_trace_msg(vm, TEEMED_TRACE_GUEST_REPLY, guest,
			 msg_size(c->shadow));
	teemed_plat_unmap(vm->t, (void *)(uintptr_t)guest);
}

void teemed_trace_refusal(struct teemed_vm *vm, enum teemed_refusal why,
			  uint8_t cause, uint32_t index)
{
	struct teemed_trace_event ev;

	event_init(&ev, TEEMED_TRACE_REFUSAL, vm->client_id);
	ev.reason = (uint8_t)why;
	ev.cause = cause;
	ev.index = index;
	emit(vm->t, vm->hv_vm, &ev);
}

void teemed_trace_pause(struct teemed_vm *vm, uint32_t pages, uint16_t thread)
{
	struct teemed_trace_event ev;

	event_init(&ev, TEEMED_TRACE_PAUSE, vm->client_id);
	ev.regs.a[0] = pages;
	ev.regs.a[3] = thread;
	emit(vm->t, vm->hv_vm, &ev);
}

void teemed_trace_vm(const struct teemed *t, void *hv_vm, uint16_t client_id,
		     uint8_t kind, int status, uint32_t work)
{
	struct teemed_trace_event ev;

	event_init(&ev, kind, client_id);
	ev.status = status;
	ev.regs.a[0] = work;
	emit(t, hv_vm, &ev);
}
