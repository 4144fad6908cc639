/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RPCs from OP-TEE during a yielding call (spec §2.21, §6), and the
 * guest's answers to them.
 *
 * RPC messages are shadowed: OP-TEE writes its request into a mediator
 * page (the shadow of an RPC_ALLOC buffer, or the RPC area right after
 * the call's shadow argument for the RPC-argument calls), the mediator
 * copies it to the guest's buffer or RPC area when forwarding RPC_CMD
 * and copies back only the fields OP-TEE reads (§6.4) when the guest
 * answers. Payload buffers (the answer to
 * SHM_ALLOC) are translated like any page list and pinned until OP-TEE
 * frees them with SHM_FREE.
 */
#include "internal.h"
#include "string_ops.h"

/* Internal RPC state: a mediator-made SHM_FREE the guest must serve. */
#define TEEMED_RPC_SYNTHETIC_SHM_FREE 0xFFu

#define TEEMED_RPC_MSG_SIZE OPTEE_MSG_GET_ARG_SIZE(OPTEE_RPC_MAX_NUM_PARAMS)

union rpc_msg {
	struct optee_msg_arg arg;
	uint8_t bytes[TEEMED_RPC_MSG_SIZE];
};

static void to_guest(struct teemed_regs *regs, uint32_t a0, uint64_t pair,
		     uint16_t index)
{
	regs->a[0] = a0;
	reg_pair_set(&regs->a[1], &regs->a[2], pair);
	regs->a[3] = index;
}

static struct buf *lookup_kind(struct teemed_vm *vm, uint64_t cookie,
			       uint8_t kind)
{
	struct buf *b;

	teemed_vm_lock(vm);
	b = teemed_shm_lookup_locked(vm, cookie);
	if (b && b->kind != kind)
		b = NULL;
	teemed_vm_unlock(vm);
	return b;
}

/*
 * The message of the RPC_CMD in progress: in the call's RPC area
 * (RPC-argument calls) or in an RPC_ALLOC buffer.
 */
static struct optee_msg_arg *msg_shadow(struct teemed_vm *vm, struct call *c)
{
	if (c->rpc_in_area)
		return (struct optee_msg_arg *)(void *)((uint8_t *)c->shadow +
							c->rpc_off);
	return teemed_plat_map(vm->t, full_buf_of(c->rpc_arg)->head);
}

static void msg_shadow_done(struct teemed_vm *vm, struct call *c,
			    struct optee_msg_arg *m)
{
	if (!c->rpc_in_area)
		teemed_plat_unmap(vm->t, m);
}

/* Parameters the guest's copy of the message has room for. */
static uint32_t msg_capacity(const struct teemed_vm *vm, const struct call *c)
{
	return c->rpc_in_area ? vm->t->info.rpc_param_count
			      : OPTEE_RPC_MAX_NUM_PARAMS;
}

static int msg_guest_io(struct teemed_vm *vm, struct call *c, void *buf,
			size_t len, bool write)
{
	if (c->rpc_in_area)
		return teemed_call_arg_io(vm, c, c->rpc_off, buf, len, write);
	if (write)
		return teemed_guest_write(
			vm, full_buf_of(c->rpc_arg)->guest_list, buf, len);
	return teemed_guest_read(vm, full_buf_of(c->rpc_arg)->guest_list, buf,
				 len);
}

/* What RPC_CMD carries in a1:a2: 0 when the message is in the area. */
static uint64_t msg_cookie(const struct call *c)
{
	return c->rpc_in_area ? 0 : teemed_buf_cookie(c->rpc_arg);
}

/* Take a buffer out of the namespace and have its pages unpinned. */
static void retire_buf(struct teemed_vm *vm, struct buf *b)
{
	teemed_vm_lock(vm);
	teemed_shm_remove_locked(vm, b);
	teemed_shm_queue_release_locked(vm, b);
	teemed_vm_unlock(vm);
}

/*
 * Copy OP-TEE's request to the guest's RPC buffer. False when it must
 * not or cannot reach the guest; OP-TEE is then resumed with the
 * request unanswered (its ret preset to TEEC_ERROR_GENERIC fails it).
 */
static bool forward_message(struct teemed_vm *vm, struct call *c)
{
	struct optee_msg_arg *shadow = msg_shadow(vm, c);
	union rpc_msg msg;
	bool ok = false;
	uint32_t n = shadow->num_params;

	if (n > msg_capacity(vm, c))
		goto out;
	if (shadow->cmd == OPTEE_RPC_CMD_BENCH_REG) {
		/* Carries a physical address (§6.5). */
		shadow->ret = TEEC_ERROR_NOT_SUPPORTED;
		goto out;
	}
	if (shadow->cmd == OPTEE_RPC_CMD_SHM_FREE && n >= 1) {
		struct buf *payload = lookup_kind(
			vm, shadow->params[0].u.value.b, BUF_RPC_PAYLOAD);

		/* OP-TEE unmapped it before asking (§5.3). */
		if (payload && payload->state == BUF_LIVE)
			retire_buf(vm, payload);
	}
	memcpy(&msg, shadow, OPTEE_MSG_GET_ARG_SIZE(n));
	for (uint32_t i = 0; i < n; i++) {
		struct optee_msg_param *p = &msg.arg.params[i];
		uint64_t type = p->attr & OPTEE_MSG_ATTR_TYPE_MASK;

		/* A tmem from OP-TEE holds a PA; the guest never gets one. */
		if (type >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT &&
		    type <= OPTEE_MSG_ATTR_TYPE_TMEM_INOUT)
			p->u.tmem.buf_ptr = 0;
	}
	ok = msg_guest_io(vm, c, &msg, OPTEE_MSG_GET_ARG_SIZE(n), true) ==
	     TEEMED_OK;
	if (ok && teemed_tracing(vm->t))
		teemed_trace_msg(vm, TEEMED_TRACE_RPC_MSG, &msg,
				 (uint32_t)OPTEE_MSG_GET_ARG_SIZE(n));
out:
	msg_shadow_done(vm, c, shadow);
	return ok;
}

void teemed_rpc_forward(struct teemed_vm *vm, struct call *c,
			const struct teemed_regs *sw, struct teemed_regs *regs)
{
	uint32_t func = reg32(sw->a[0]) & OPTEE_SMC_RETURN_RPC_FUNC_MASK;
	uint64_t cookie = reg_pair(sw->a[1], sw->a[2]);

	c->rpc_func = (uint8_t)func;
	switch (func) {
	case OPTEE_SMC_RPC_FUNC_ALLOC:
		c->rpc_size = reg32(sw->a[1]);
		to_guest(regs, OPTEE_SMC_RETURN_RPC_ALLOC, 0, c->index);
		regs->a[1] = c->rpc_size;
		return;
	case OPTEE_SMC_RPC_FUNC_FREE:
		/* A refused buffer was never ours, even if its cookie is. */
		c->rpc_free = cookie && cookie == c->refused_cookie
				      ? NULL
				      : lookup_kind(vm, cookie, BUF_RPC_ARG);
		c->refused_cookie = 0;
		to_guest(regs, OPTEE_SMC_RETURN_RPC_FREE, cookie, c->index);
		return;
	case OPTEE_SMC_RPC_FUNC_CMD:
		/*
		 * An RPC-argument call's messages are in its RPC area,
		 * whatever cookie OP-TEE names (it can name a cached RPC_ALLOC
		 * buffer there); the guest is told 0, as OP-TEE documents.
		 */
		c->rpc_in_area = c->arg_kind != ARG_PAGE;
		c->rpc_arg = c->rpc_in_area
				     ? NULL
				     : lookup_kind(vm, cookie, BUF_RPC_ARG);
		if ((c->rpc_in_area || c->rpc_arg) && forward_message(vm, c)) {
			to_guest(regs, OPTEE_SMC_RETURN_RPC_CMD, msg_cookie(c),
				 c->index);
			return;
		}
		break;
	default:
		break;
	}
	/*
	 * FOREIGN_INTR, and anything the guest must not see: the guest
	 * just resumes, and OP-TEE gets an empty answer.
	 */
	c->rpc_func = OPTEE_SMC_RPC_FUNC_FOREIGN_INTR;
	to_guest(regs, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, c->index);
}

/*
 * The PA OP-TEE is given when the guest's RPC_ALLOC answer is refused or
 * says its allocation failed. Not 0: OP-TEE's thread_rpc_alloc_arg()
 * (core/arch/arm/kernel/thread_optee_smc.c) checks only that the PA is
 * aligned for struct optee_msg_arg and lies in non-secure memory, so on
 * boards whose DRAM starts at 0 it would map page 0 as the argument.
 * An odd address fails that alignment check, which every OP-TEE since
 * 2.4 makes before mapping anything, and lies in no memory range either;
 * OP-TEE then frees the cookie (RPC_FREE) and fails the request.
 */
#define TEEMED_RPC_ALLOC_NO_PA (~(uint64_t)0)

/* The guest's answer to RPC_ALLOC: its page, shadowed by one of ours. */
static void answer_alloc(struct teemed_vm *vm, struct call *c,
			 const struct teemed_regs *regs, struct teemed_regs *sw)
{
	uint64_t ipa = reg_pair(regs->a[1], regs->a[2]);
	uint64_t cookie = reg_pair(regs->a[4], regs->a[5]);
	uint32_t refusal = TEEMED_REFUSED_RPC;
	struct buf *b = NULL;
	teemed_pa_t probe;
	void *va;

	if (ipa == 0) {
		/* The guest's allocation failed: tell OP-TEE so. */
		reg_pair_set(&sw->a[1], &sw->a[2], TEEMED_RPC_ALLOC_NO_PA);
		return;
	}
	if (c->rpc_size > TEEMED_PAGE_SIZE)
		goto refuse;
	/* The page must be the guest's own RAM, or no copy could work. */
	va = teemed_guest_map(vm, teemed_ipa(ipa & ~TEEMED_PAGE_MASK),
			      TEEMED_PIN_WRITE, &probe);
	if (!va)
		goto refuse;
	teemed_guest_unmap(vm, va, probe);
	b = teemed_buf_create_rpc_arg(vm, cookie, ipa, &refusal);
	if (!b)
		goto refuse;
	refusal = teemed_shm_insert(vm, b);
	if (refusal != TEEMED_REFUSED_COUNT)
		goto refuse;
	b->state = BUF_LIVE;
	reg_pair_set(&sw->a[1], &sw->a[2], teemed_buf_shadow_ptr(b));
	reg_pair_set(&sw->a[4], &sw->a[5], cookie);
	return;

refuse:
	if (b)
		teemed_buf_discard(vm, b);
	teemed_vm_refuse(vm, refusal);
	/*
	 * OP-TEE answers a failed allocation with RPC_FREE of the cookie
	 * (§6.2), which brings the guest's page back to the guest.
	 */
	reg_pair_set(&sw->a[1], &sw->a[2], TEEMED_RPC_ALLOC_NO_PA);
	reg_pair_set(&sw->a[4], &sw->a[5], cookie);
	c->refused_cookie = cookie;
}

/*
 * Ask the guest to free a payload it offered but OP-TEE will not get:
 * OP-TEE is told the allocation failed, the guest must not leak it.
 */
static enum rpc_route synthetic_shm_free(struct teemed_vm *vm, struct call *c,
					 uint64_t type, uint64_t cookie,
					 struct teemed_regs *regs)
{
	union rpc_msg msg;

	memset(&msg, 0, OPTEE_MSG_GET_ARG_SIZE(1));
	msg.arg.cmd = OPTEE_RPC_CMD_SHM_FREE;
	msg.arg.ret = TEEC_ERROR_GENERIC;
	msg.arg.num_params = 1;
	msg.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	msg.arg.params[0].u.value.a = type;
	msg.arg.params[0].u.value.b = cookie;
	if (msg_guest_io(vm, c, &msg, OPTEE_MSG_GET_ARG_SIZE(1), true))
		return RPC_TO_OPTEE;
	c->rpc_func = TEEMED_RPC_SYNTHETIC_SHM_FREE;
	to_guest(regs, OPTEE_SMC_RETURN_RPC_CMD, msg_cookie(c), c->index);
	return RPC_TO_GUEST;
}

/* Finish a payload translation: OP-TEE gets the shadow list. */
static enum rpc_route payload_translated(struct teemed_vm *vm, struct call *c,
					 int err, struct teemed_regs *regs)
{
	struct buf *b = c->rpc_payload;
	struct optee_msg_arg *shadow = msg_shadow(vm, c);
	struct optee_msg_param *p = &shadow->params[0];
	uint64_t type = p->u.value.a;
	enum rpc_route route = RPC_TO_OPTEE;

	c->rpc_payload = NULL;
	if (err) {
		teemed_vm_refuse(vm, err == TEEMED_ERR_NOMEM
					     ? TEEMED_REFUSED_NOMEM
					     : TEEMED_REFUSED_RPC);
		shadow->ret = TEEC_ERROR_OUT_OF_MEMORY;
		retire_buf(vm, b);
		route = synthetic_shm_free(vm, c, type, teemed_buf_cookie(b),
					   regs);
	} else {
		teemed_vm_lock(vm);
		b->state = BUF_LIVE;
		teemed_vm_unlock(vm);
		shadow->ret = TEEC_SUCCESS;
		shadow->num_params = 1;
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
			  OPTEE_MSG_ATTR_NONCONTIG;
		p->u.tmem.buf_ptr = teemed_buf_shadow_ptr(b);
		p->u.tmem.size = full_buf_of(b)->size;
		p->u.tmem.shm_ref = teemed_buf_cookie(b);
	}
	msg_shadow_done(vm, c, shadow);
	return route;
}

/*
 * The guest's answer to SHM_ALLOC (§6.7): one TMEM_OUTPUT, NONCONTIG or
 * a single page, at least as large as asked, under a fresh cookie.
 */
static enum rpc_route answer_shm_alloc(struct teemed_vm *vm, struct call *c,
				       const struct optee_msg_arg *reply,
				       struct optee_msg_arg *shadow,
				       struct step *st,
				       struct teemed_regs *regs)
{
	const struct optee_msg_param *p = &reply->params[0];
	uint64_t type = shadow->params[0].u.value.a;
	uint64_t asked = shadow->params[0].u.value.b;
	uint32_t refusal = TEEMED_REFUSED_RPC;
	struct buf *b = NULL;
	int err;

	shadow->ret = reply->ret;
	if (reply->ret != TEEC_SUCCESS)
		return RPC_TO_OPTEE;
	if (reply->num_params == 1 && p->u.tmem.size >= asked) {
		if (p->attr == (OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
				OPTEE_MSG_ATTR_NONCONTIG))
			b = teemed_buf_create(
				vm, BUF_RPC_PAYLOAD, p->u.tmem.shm_ref,
				p->u.tmem.buf_ptr, p->u.tmem.size, &refusal);
		else if (p->attr == OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT)
			b = teemed_buf_create_contiguous(
				vm, p->u.tmem.shm_ref, p->u.tmem.buf_ptr,
				p->u.tmem.size, &refusal);
	}
	if (b) {
		refusal = teemed_shm_insert(vm, b);
		if (refusal != TEEMED_REFUSED_COUNT) {
			teemed_buf_discard(vm, b);
			b = NULL;
		}
	}
	if (!b) {
		teemed_vm_refuse(vm, refusal);
		shadow->ret = TEEC_ERROR_OUT_OF_MEMORY;
		if (reply->num_params == 1 && p->u.tmem.shm_ref)
			return synthetic_shm_free(vm, c, type,
						  p->u.tmem.shm_ref, regs);
		return RPC_TO_OPTEE;
	}
	c->rpc_payload = b;
	err = teemed_buf_translate(vm, b, st);
	if (err == TEEMED_ERR_AGAIN)
		return RPC_PAUSED;
	return payload_translated(vm, c, err, regs);
}

/* Copy back what OP-TEE reads of an answered RPC_CMD (§6.4). */
static enum rpc_route answer_cmd(struct teemed_vm *vm, struct call *c,
				 struct step *st, struct teemed_regs *regs)
{
	struct optee_msg_arg *shadow;
	enum rpc_route route = RPC_TO_OPTEE;
	union rpc_msg reply;

	/* Read once, no more than the guest's copy holds. */
	memset(&reply, 0, sizeof(reply));
	if (msg_guest_io(vm, c, &reply,
			 OPTEE_MSG_GET_ARG_SIZE(msg_capacity(vm, c)), false))
		return RPC_TO_OPTEE; /* request stays failed */
	if (teemed_tracing(vm->t))
		teemed_trace_msg(
			vm, TEEMED_TRACE_RPC_REPLY, &reply,
			(uint32_t)OPTEE_MSG_GET_ARG_SIZE(msg_capacity(vm, c)));
	shadow = msg_shadow(vm, c);
	if (shadow->cmd == OPTEE_RPC_CMD_SHM_ALLOC) {
		route = answer_shm_alloc(vm, c, &reply.arg, shadow, st, regs);
		msg_shadow_done(vm, c, shadow);
		return route;
	}
	shadow->ret = reply.arg.ret;
	for (uint32_t i = 0; i < shadow->num_params; i++) {
		struct optee_msg_param *to = &shadow->params[i];
		const struct optee_msg_param *from = &reply.arg.params[i];

		switch (teemed_params_output(to->attr)) {
		case PARAM_OUT_VALUE:
			to->u.value = from->u.value;
			break;
		case PARAM_OUT_SIZE:
			to->u.tmem.size = from->u.tmem.size;
			break;
		case PARAM_OUT_NONE:
			break;
		}
	}
	msg_shadow_done(vm, c, shadow);
	return route;
}

enum rpc_route teemed_rpc_answer(struct teemed_vm *vm, struct call *c,
				 struct teemed_regs *regs, struct step *st,
				 struct teemed_regs *sw)
{
	switch (c->rpc_func) {
	case OPTEE_SMC_RPC_FUNC_ALLOC:
		answer_alloc(vm, c, regs, sw);
		return RPC_TO_OPTEE;
	case OPTEE_SMC_RPC_FUNC_FREE:
		if (c->rpc_free) {
			teemed_vm_lock(vm);
			teemed_shm_remove_locked(vm, c->rpc_free);
			teemed_vm_unlock(vm);
		}
		return RPC_TO_OPTEE;
	case OPTEE_SMC_RPC_FUNC_CMD:
		return answer_cmd(vm, c, st, regs);
	default:
		return RPC_TO_OPTEE;
	}
}

enum rpc_route teemed_rpc_continue(struct teemed_vm *vm, struct call *c,
				   struct step *st, struct teemed_regs *regs)
{
	int err = teemed_buf_translate(vm, c->rpc_payload, st);

	if (err == TEEMED_ERR_AGAIN)
		return RPC_PAUSED;
	return payload_translated(vm, c, err, regs);
}

/* OP-TEE has been resumed: what it no longer maps can go. */
void teemed_rpc_after_resume(struct teemed_vm *vm, struct call *c)
{
	if (c->rpc_free) {
		teemed_buf_discard(vm, c->rpc_free);
		c->rpc_free = NULL;
	}
	c->rpc_arg = NULL;
	c->rpc_in_area = false;
}

/* DISABLE_SHM_CACHE handed back an RPC buffer OP-TEE already dropped. */
void teemed_rpc_disable_cache_cookie(struct teemed_vm *vm, uint64_t cookie)
{
	struct buf *b = lookup_kind(vm, cookie, BUF_RPC_ARG);

	if (b) {
		teemed_vm_lock(vm);
		teemed_shm_remove_locked(vm, b);
		teemed_vm_unlock(vm);
		teemed_buf_discard(vm, b);
	}
}
