/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Yielding calls: CALL_WITH_ARG, CALL_WITH_RPC_ARG, CALL_WITH_REGD_ARG
 * and RETURN_FROM_RPC (spec §2.6-2.9, §6). A call moves through
 *
 *   prepare (copy and translate) -> OP-TEE <-> RPCs -> finish (copy back,
 *   release) -> answer
 *
 * and may stop after any step: when the step budget runs out while
 * preparing or finishing, the guest gets RPC FOREIGN_INTR, which every
 * OP-TEE driver answers with RETURN_FROM_RPC, and the call goes on from
 * where it stopped (docs/bounded-work.md).
 */
#include "internal.h"
#include "string_ops.h"

static void answer(struct teemed_regs *regs, uint32_t a0, uint32_t a3)
{
	regs->a[0] = a0;
	regs->a[1] = 0;
	regs->a[2] = 0;
	regs->a[3] = a3;
}

/* Give the CPU back to the guest; it resumes us with RETURN_FROM_RPC. */
static void pause_call(struct teemed_vm *vm, struct call *c,
		       struct teemed_regs *regs, const struct step *st,
		       uint8_t state)
{
	answer(regs, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, c->index);
	/* Before parking: from then on another vCPU may resume it. */
	if (teemed_tracing(vm->t))
		teemed_trace_pause(vm, st->pages, c->index);
	teemed_call_park(vm, c, state);
}

static TEEMED_ALWAYS_INLINE void continue_finish(struct teemed_vm *vm,
						 struct call *c,
						 struct teemed_regs *regs,
						 struct step *st)
{
	while (c->bufs) {
		struct buf *b = c->bufs;
		struct buf *next = b->next;

		if (!teemed_buf_release(vm, b, st)) {
			pause_call(vm, c, regs, st, CALL_PAUSED_FINISH);
			return;
		}
		c->bufs = next;
	}
	answer(regs, c->result, 0);
	teemed_call_retire(vm, c);
}

/*
 * End the call with SMC result `a0`, with `outputs` copied back to the
 * guest's message.
 */
static TEEMED_ALWAYS_INLINE void
finish_call(struct teemed_vm *vm, struct call *c, struct teemed_regs *regs,
	    struct step *st, uint32_t a0, enum call_outputs outputs)
{
	teemed_params_end_call(vm, c, outputs);
	if (outputs != OUTPUTS_NONE && teemed_tracing(vm->t))
		teemed_trace_reply(vm, c);
	teemed_call_unpin_arg(vm, c);
	c->result = a0;
	continue_finish(vm, c, regs, st);
}

/*
 * A call that failed before OP-TEE saw it, with only ret and ret_origin
 * for the guest: out of line, the common path is the answered call.
 */
static __attribute__((__noinline__)) void fail_call(struct teemed_vm *vm,
						    struct call *c,
						    struct teemed_regs *regs,
						    struct step *st)
{
	finish_call(vm, c, regs, st, OPTEE_SMC_RETURN_OK, OUTPUTS_ERROR);
}

static TEEMED_ALWAYS_INLINE void
handle_optee_answer(struct teemed_vm *vm, struct call *c,
		    struct teemed_regs *regs, struct step *st,
		    const struct teemed_regs *sw)
{
	uint32_t a0 = reg32(sw->a[0]);

	if (!OPTEE_SMC_RETURN_IS_RPC(a0)) {
		finish_call(vm, c, regs, st, a0,
			    a0 == OPTEE_SMC_RETURN_OK ? OUTPUTS_ALL
						      : OUTPUTS_NONE);
		return;
	}
	c->optee_thread = reg32(sw->a[3]);
	teemed_rpc_forward(vm, c, sw, regs);
	teemed_call_park(vm, c, CALL_IN_RPC);
}

/*
 * `answers_rpc`: the SMC resumes OP-TEE after an RPC, whose buffers it
 * no longer maps once it returns; a call's first SMC follows none.
 */
static TEEMED_ALWAYS_INLINE void issue(struct teemed_vm *vm, struct call *c,
				       struct teemed_regs *regs,
				       struct step *st, struct teemed_regs *sw,
				       bool answers_rpc)
{
	sw->a[7] = vm->client_id;
	teemed_vm_plat_smc(vm, sw, c->shadow);
	if (answers_rpc)
		teemed_rpc_after_resume(vm, c);
	handle_optee_answer(vm, c, regs, st, sw);
}

static TEEMED_ALWAYS_INLINE void continue_prepare(struct teemed_vm *vm,
						  struct call *c,
						  struct teemed_regs *regs,
						  struct step *st)
{
	struct teemed_regs sw;
	/* Value-only messages have nothing left to translate. */
	enum params_result translated =
		c->param_cursor < c->shadow->num_params
			? teemed_params_translate(vm, c, st)
			: PARAMS_DONE;

	switch (translated) {
	case PARAMS_PAUSED:
		pause_call(vm, c, regs, st, CALL_PAUSED_PREPARE);
		return;
	case PARAMS_FAILED:
		fail_call(vm, c, regs, st);
		return;
	case PARAMS_DONE:
		break;
	}
	/*
	 * OP-TEE only ever sees the shadow. A REGD_ARG call goes as an
	 * RPC_ARG call on it: OP-TEE's REGD_ARG would read the guest's own
	 * registered pages.
	 */
	sw = (struct teemed_regs){
		{c->arg_kind == ARG_PAGE ? OPTEE_SMC_CALL_WITH_ARG
					 : OPTEE_SMC_CALL_WITH_RPC_ARG,
		 teemed_pa_addr(c->shadow_pa) >> 32,
		 (uint32_t)teemed_pa_addr(c->shadow_pa), OPTEE_SMC_SHM_CACHED}};
	issue(vm, c, regs, st, &sw, false);
}

/*
 * A claimed call refused before OP-TEE saw it: whatever of its argument
 * was taken goes back, then its slot; the guest gets `err`.
 */
static void refuse_start(struct teemed_vm *vm, struct call *c,
			 struct teemed_regs *regs, uint32_t refusal,
			 uint32_t err)
{
	teemed_vm_refuse(vm, refusal);
	teemed_call_unpin_arg(vm, c);
	answer(regs, err, 0);
	teemed_call_retire(vm, c);
}

/* A new call's message was not taken: why, to the guest. */
static __attribute__((__noinline__)) void
message_not_taken(struct teemed_vm *vm, struct call *c,
		  struct teemed_regs *regs, struct step *st,
		  enum message_taken taken)
{
	switch (taken) {
	case MESSAGE_FAILED:
		fail_call(vm, c, regs, st);
		return;
	case MESSAGE_BAD_CMD:
		refuse_start(vm, c, regs, TEEMED_REFUSED_CMD,
			     OPTEE_SMC_RETURN_EBADCMD);
		return;
	default:
		refuse_start(vm, c, regs, TEEMED_REFUSED_ARG,
			     OPTEE_SMC_RETURN_EBADADDR);
		return;
	}
}

/* A claimed call whose argument is known: copy it in and go. */
static TEEMED_ALWAYS_INLINE void start_call(struct teemed_vm *vm,
					    struct call *c,
					    struct teemed_regs *regs,
					    struct step *st, uint64_t room)
{
	enum message_taken taken = teemed_params_take_message(vm, c, room);

	if (taken != MESSAGE_TAKEN) {
		message_not_taken(vm, c, regs, st, taken);
		return;
	}
	continue_prepare(vm, c, regs, st);
}

/*
 * No call could start: every slot is in use (ETHREAD_LIMIT, which the
 * guest waits out), or the platform had no page for the shadow.
 */
static void no_call(struct teemed_vm *vm, struct teemed_regs *regs,
		    bool no_page)
{
	if (no_page) {
		teemed_vm_refuse(vm, TEEMED_REFUSED_NOMEM);
		answer(regs, OPTEE_SMC_RETURN_ENOMEM, 0);
		return;
	}
	teemed_vm_refuse_at(vm, TEEMED_REFUSED_QUOTA, TEEMED_TRACE_CAUSE_CALLS,
			    TEEMED_TRACE_NO_INDEX);
	answer(regs, OPTEE_SMC_RETURN_ETHREAD_LIMIT, 0);
}

/* CALL_WITH_ARG and CALL_WITH_RPC_ARG: the argument is a guest page. */
static void call_with_page(struct teemed_vm *vm, struct teemed_regs *regs,
			   struct step *st, uint8_t kind)
{
	uint64_t ipa = reg_pair(regs->a[1], regs->a[2]);
	struct call *c;
	bool no_page;

	/* Dynamic shared memory: the argument is one 4 KiB page. */
	if (ipa & TEEMED_PAGE_MASK) {
		teemed_vm_refuse_at(vm, TEEMED_REFUSED_ARG,
				    TEEMED_TRACE_CAUSE_ALIGN,
				    TEEMED_TRACE_NO_INDEX);
		answer(regs, OPTEE_SMC_RETURN_EBADADDR, 0);
		return;
	}
	c = teemed_call_claim_new(vm, st->vcpu, &no_page);
	if (!c) {
		no_call(vm, regs, no_page);
		return;
	}
	teemed_call_count_smc(c, st);
	c->arg_kind = kind;
	c->guest_arg = teemed_ipa(ipa);
	if (teemed_call_pin_arg(vm, c)) {
		refuse_start(vm, c, regs, TEEMED_REFUSED_ARG,
			     OPTEE_SMC_RETURN_EBADADDR);
		return;
	}
	start_call(vm, c, regs, st, TEEMED_PAGE_SIZE);
}

void teemed_std_call_with_arg(struct teemed_vm *vm, struct teemed_regs *regs,
			      struct step *st)
{
	call_with_page(vm, regs, st, ARG_PAGE);
}

void teemed_std_call_with_rpc_arg(struct teemed_vm *vm,
				  struct teemed_regs *regs, struct step *st)
{
	call_with_page(vm, regs, st, ARG_PAGE_RPC);
}

/*
 * Whatever a call reads or writes of its argument (six parameters at
 * most, then the RPC area) within one page of the buffer, as Linux's
 * argument slots are: that page's pinned PA is mapped directly, with no
 * walk of the buffer's list per access.
 */
static void take_arg_page(struct teemed_vm *vm, struct call *c)
{
	const struct buf *b = c->arg_buf;
	uint64_t pos = b->offset + c->arg_offset;
	uint64_t span = OPTEE_MSG_GET_ARG_SIZE(TEEMED_CALL_MAX_PARAMS) +
			OPTEE_MSG_GET_ARG_SIZE(vm->t->info.rpc_param_count);

	if ((pos & TEEMED_PAGE_MASK) + span > TEEMED_PAGE_SIZE)
		return;
	c->guest_arg_pa =
		teemed_buf_page_pa(vm, b, (uint32_t)(pos / TEEMED_PAGE_SIZE));
	c->arg_page_off = (uint32_t)(pos & TEEMED_PAGE_MASK);
	c->arg_direct = true;
}

/*
 * The buffer holding a REGD_ARG argument: a live registered buffer of
 * this VM, which stays registered and pinned while the call names it
 * (an UNREGISTER_SHM of it is refused until then). Returns the bytes
 * from `offset` to the buffer's end, 0 if it cannot hold the header.
 */
static uint64_t take_arg_buf(struct teemed_vm *vm, struct call *c,
			     uint64_t cookie, uint64_t offset)
{
	uint64_t room = 0;
	struct buf *b;

	teemed_vm_lock(vm);
	b = teemed_shm_lookup_locked(vm, cookie);
	if (b && b->kind == BUF_REGISTERED && b->state == BUF_LIVE &&
	    offset <= teemed_buf_usable_size(b) &&
	    teemed_buf_usable_size(b) - offset >=
		    sizeof(struct optee_msg_arg) &&
	    !((b->offset + offset) & (sizeof(uint64_t) - 1))) {
		room = teemed_buf_usable_size(b) - offset;
		b->users++;
		c->arg_buf = b;
		c->arg_offset = offset;
	}
	teemed_vm_unlock(vm);
	if (room)
		take_arg_page(vm, c);
	return room;
}

void teemed_std_call_with_regd_arg(struct teemed_vm *vm,
				   struct teemed_regs *regs, struct step *st)
{
	bool no_page;
	struct call *c = teemed_call_claim_new(vm, st->vcpu, &no_page);
	uint64_t room;

	if (!c) {
		no_call(vm, regs, no_page);
		return;
	}
	teemed_call_count_smc(c, st);
	c->arg_kind = ARG_REGD;
	/* Unknown, foreign, unregistering or too small: OP-TEE's EBADADDR. */
	room = take_arg_buf(vm, c, reg_pair(regs->a[1], regs->a[2]),
			    reg32(regs->a[3]));
	if (!room) {
		refuse_start(vm, c, regs, TEEMED_REFUSED_ARG,
			     OPTEE_SMC_RETURN_EBADADDR);
		return;
	}
	start_call(vm, c, regs, st, room);
}

/* Go on with an RPC answer: back to OP-TEE, or the guest once more. */
static void route_rpc(struct teemed_vm *vm, struct call *c,
		      struct teemed_regs *regs, struct step *st,
		      enum rpc_route route, struct teemed_regs *sw)
{
	switch (route) {
	case RPC_TO_GUEST:
		teemed_call_park(vm, c, CALL_IN_RPC);
		return;
	case RPC_PAUSED:
		pause_call(vm, c, regs, st, CALL_PAUSED_RPC);
		return;
	case RPC_TO_OPTEE:
		sw->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		sw->a[3] = c->optee_thread;
		issue(vm, c, regs, st, sw, true);
		return;
	}
}

void teemed_std_return_from_rpc(struct teemed_vm *vm, struct teemed_regs *regs,
				struct step *st)
{
	uint8_t was = CALL_FREE;
	struct call *c = teemed_call_claim_paused(vm, reg32(regs->a[3]), &was);
	struct teemed_regs sw = {{0}};

	if (!c) {
		teemed_vm_refuse_at(vm, TEEMED_REFUSED_RESUME,
				    TEEMED_TRACE_CAUSE_NONE, reg32(regs->a[3]));
		answer(regs, OPTEE_SMC_RETURN_ERESUME, 0);
		return;
	}
	teemed_call_count_smc(c, st);
	switch (was) {
	case CALL_PAUSED_PREPARE:
		continue_prepare(vm, c, regs, st);
		break;
	case CALL_PAUSED_FINISH:
		continue_finish(vm, c, regs, st);
		break;
	case CALL_PAUSED_RPC:
		route_rpc(vm, c, regs, st, teemed_rpc_continue(vm, c, st, regs),
			  &sw);
		break;
	default:
		route_rpc(vm, c, regs, st,
			  teemed_rpc_answer(vm, c, regs, st, &sw), &sw);
		break;
	}
}
