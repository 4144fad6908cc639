/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The message of a yielding call: which commands and parameters a guest
 * may send, how each parameter is made safe for OP-TEE (spec §3, §4,
 * §5), which fields go back to the guest, and what a finished command
 * does to the VM's buffers.
 */
#include "internal.h"
#include "string_ops.h"

/* Parameter types by what the mediator must do with them. */
enum param_class {
	PC_INVALID = 0,
	PC_NONE,
	PC_VALUE,
	PC_RMEM,
	PC_TMEM,
};

/* Per parameter type: what the mediator does, what OP-TEE writes back. */
static const struct param_rule {
	uint8_t class;	/* enum param_class */
	uint8_t output; /* enum param_output */
} param_rules[16] = {
	[OPTEE_MSG_ATTR_TYPE_NONE] = {PC_NONE, PARAM_OUT_NONE},
	[OPTEE_MSG_ATTR_TYPE_VALUE_INPUT] = {PC_VALUE, PARAM_OUT_NONE},
	[OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT] = {PC_VALUE, PARAM_OUT_VALUE},
	[OPTEE_MSG_ATTR_TYPE_VALUE_INOUT] = {PC_VALUE, PARAM_OUT_VALUE},
	[OPTEE_MSG_ATTR_TYPE_RMEM_INPUT] = {PC_RMEM, PARAM_OUT_NONE},
	[OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT] = {PC_RMEM, PARAM_OUT_SIZE},
	[OPTEE_MSG_ATTR_TYPE_RMEM_INOUT] = {PC_RMEM, PARAM_OUT_SIZE},
	[OPTEE_MSG_ATTR_TYPE_TMEM_INPUT] = {PC_TMEM, PARAM_OUT_NONE},
	[OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT] = {PC_TMEM, PARAM_OUT_SIZE},
	[OPTEE_MSG_ATTR_TYPE_TMEM_INOUT] = {PC_TMEM, PARAM_OUT_SIZE},
};

/*
 * What a parameter past the META positions may set: a type within
 * param_rules (which `attr & 0xF` indexes), NONCONTIG and the cache
 * attribute. Any other bit is unknown to OP-TEE, a type it does not
 * have, or META out of place.
 */
#define TEEMED_ATTR_PARAM_BITS                                                 \
	((uint64_t)0xF | OPTEE_MSG_ATTR_NONCONTIG |                            \
	 ((uint64_t)OPTEE_MSG_ATTR_CACHE_MASK << OPTEE_MSG_ATTR_CACHE_SHIFT))
#define TEEMED_ATTR_OPEN_META                                                  \
	(OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT)
#define TEEMED_ATTR_REGISTER                                                   \
	(OPTEE_MSG_ATTR_NONCONTIG | OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT)

/* Which header fields OP-TEE writes back for a command (§3.6). */
#define TEEMED_OUT_RET	   0x1u
#define TEEMED_OUT_ORIGIN  0x2u
#define TEEMED_OUT_SESSION 0x4u
#define TEEMED_OUT_PARAMS  0x8u

/*
 * The commands a guest may send and the parameter counts OP-TEE itself
 * enforces for them. The notification commands are allowed to a VM
 * offered notifications; OP-TEE reads no parameter and writes nothing
 * back for them (entry_std.c), and Linux sends none. Everything else is
 * EBADCMD: protected memory is not offered to guests.
 */
static const struct cmd_rule {
	bool allowed;
	bool notif; /* needs SEC_CAP_ASYNC_NOTIF offered to the VM */
	uint8_t min_params;
	uint8_t max_params;
	uint8_t meta_params;
	uint8_t outputs;
} cmd_rules[] = {
	[OPTEE_MSG_CMD_OPEN_SESSION] = {true, false, 2, 6, 2,
					TEEMED_OUT_RET | TEEMED_OUT_ORIGIN |
						TEEMED_OUT_SESSION |
						TEEMED_OUT_PARAMS},
	[OPTEE_MSG_CMD_INVOKE_COMMAND] = {true, false, 0, 4, 0,
					  TEEMED_OUT_RET | TEEMED_OUT_ORIGIN |
						  TEEMED_OUT_PARAMS},
	[OPTEE_MSG_CMD_CLOSE_SESSION] = {true, false, 0, 0, 0,
					 TEEMED_OUT_RET | TEEMED_OUT_ORIGIN},
	[OPTEE_MSG_CMD_CANCEL] = {true, false, 0, 0, 0,
				  TEEMED_OUT_RET | TEEMED_OUT_ORIGIN},
	[OPTEE_MSG_CMD_REGISTER_SHM] = {true, false, 1, 1, 0, TEEMED_OUT_RET},
	[OPTEE_MSG_CMD_UNREGISTER_SHM] = {true, false, 1, 1, 0, TEEMED_OUT_RET},
	[OPTEE_MSG_CMD_DO_BOTTOM_HALF] = {true, true, 0, 0, 0, 0},
	[OPTEE_MSG_CMD_STOP_ASYNC_NOTIF] = {true, true, 0, 0, 0, 0},
};

/* What OP-TEE writes back in a parameter of type `attr`: one look-up. */
enum param_output teemed_params_output(uint64_t attr)
{
	uint64_t type = attr & OPTEE_MSG_ATTR_TYPE_MASK;

	return type < TEEMED_ARRAY_SIZE(param_rules)
		       ? (enum param_output)param_rules[type].output
		       : PARAM_OUT_NONE;
}

/* The command's rule, or NULL when a guest may not send it. */
static const struct cmd_rule *cmd_rule(const struct teemed_vm *vm, uint32_t cmd)
{
	if (cmd >= TEEMED_ARRAY_SIZE(cmd_rules) || !cmd_rules[cmd].allowed ||
	    (cmd_rules[cmd].notif &&
	     !(vm->caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)))
		return NULL;
	return &cmd_rules[cmd];
}

static void fail_message(struct call *c, uint32_t ret)
{
	c->shadow->ret = ret;
	c->shadow->ret_origin = TEEC_ORIGIN_COMMS;
}

static uint32_t refusal_ret(uint32_t refusal)
{
	return refusal == TEEMED_REFUSED_PARAM ? TEEC_ERROR_BAD_PARAMETERS
					       : TEEC_ERROR_OUT_OF_MEMORY;
}

/*
 * Shape checks that need no state: counts, attribute bits, META.
 * `*memrefs`: whether parameters name memory (UNREGISTER_SHM's does,
 * whatever it says: it is rewritten), the only ones translation touches.
 */
static TEEMED_ALWAYS_INLINE bool shape_ok(const struct optee_msg_arg *arg,
					  const struct cmd_rule *rule,
					  bool *memrefs)
{
	uint32_t n = arg->num_params;

	if (n < rule->min_params || n > rule->max_params)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t attr = arg->params[i].attr;
		uint8_t class = param_rules[attr & 0xF].class;

		/* META parameters come first, each exactly the META value. */
		if (i < rule->meta_params) {
			if (attr != TEEMED_ATTR_OPEN_META)
				return false;
			continue;
		}
		if (attr & ~TEEMED_ATTR_PARAM_BITS)
			return false;
		if (class == PC_INVALID ||
		    ((attr & OPTEE_MSG_ATTR_NONCONTIG) && class != PC_TMEM))
			return false;
		*memrefs |= class >= PC_RMEM;
	}
	if (arg->cmd == OPTEE_MSG_CMD_UNREGISTER_SHM)
		*memrefs = true;
	if (arg->cmd == OPTEE_MSG_CMD_REGISTER_SHM)
		return arg->params[0].attr == TEEMED_ATTR_REGISTER &&
		       arg->params[0].u.tmem.buf_ptr != 0;
	return true;
}

/* An rmem must name a live registered buffer of this VM, in bounds. */
static uint32_t take_rmem(struct teemed_vm *vm, struct call *c,
			  const struct optee_msg_param_rmem *rmem,
			  uint8_t *cause)
{
	uint32_t refusal = TEEMED_REFUSED_PARAM;
	struct buf *b;

	*cause = TEEMED_TRACE_CAUSE_COOKIE;
	teemed_vm_lock(vm);
	b = teemed_shm_lookup_locked(vm, rmem->shm_ref);
	if (b && b->kind == BUF_REGISTERED && b->state == BUF_LIVE) {
		*cause = TEEMED_TRACE_CAUSE_BOUNDS;
		if (rmem->offs <= teemed_buf_usable_size(b) &&
		    rmem->size <= teemed_buf_usable_size(b) - rmem->offs) {
			b->users++;
			c->rmem_bufs[c->rmem_count++] = b;
			refusal = TEEMED_REFUSED_COUNT;
		}
	}
	teemed_vm_unlock(vm);
	return refusal;
}

/* UNREGISTER_SHM may name only an idle, live registered buffer. */
static uint32_t take_unregister(struct teemed_vm *vm, struct call *c,
				uint64_t cookie)
{
	uint32_t refusal = TEEMED_REFUSED_PARAM;
	struct buf *b;

	teemed_vm_lock(vm);
	b = teemed_shm_lookup_locked(vm, cookie);
	if (b && b->kind == BUF_REGISTERED && b->state == BUF_LIVE &&
	    b->users == 0) {
		b->state = BUF_UNREGISTERING;
		c->unregistering = b;
		refusal = TEEMED_REFUSED_COUNT;
	}
	teemed_vm_unlock(vm);
	return refusal;
}

/*
 * Start translating the page list of a NONCONTIG tmem. Its cookie joins
 * the VM's namespace for the call: OP-TEE lists temporary memrefs with
 * registered buffers (§5.2), so a live twin would let an rmem of
 * another call reach pages unpinned when this call ends. Cookie 0 is
 * "none" to OP-TEE and no rmem can name it, so it stays out.
 */
static uint32_t start_tmem(struct teemed_vm *vm, struct call *c,
			   const struct optee_msg_param_tmem *tmem,
			   uint8_t *cause)
{
	bool registering = c->shadow->cmd == OPTEE_MSG_CMD_REGISTER_SHM;
	uint32_t refusal = TEEMED_REFUSED_COUNT;
	struct buf *b;

	b = teemed_buf_create(vm, registering ? BUF_REGISTERED : BUF_TMEM,
			      tmem->shm_ref, tmem->buf_ptr, tmem->size,
			      &refusal);
	if (!b) {
		*cause = TEEMED_TRACE_CAUSE_SHAPE; /* when PARAM: its size */
		return refusal;
	}
	if (registering || tmem->shm_ref) {
		refusal = teemed_shm_insert(vm, b);
		if (refusal != TEEMED_REFUSED_COUNT) {
			*cause = TEEMED_TRACE_CAUSE_COOKIE; /* when PARAM */
			teemed_buf_discard(vm, b);
			return refusal;
		}
	}
	if (registering) {
		c->registering = b;
	} else {
		c->tmem_named += b->in_tree;
		b->next = c->bufs;
		c->bufs = b;
	}
	c->building = b;
	return refusal;
}

/*
 * Check and translate one parameter; TEEMED_REFUSED_COUNT if fine, else
 * the refusal, with `*cause` saying what a PARAM refusal found.
 */
static uint32_t translate_param(struct teemed_vm *vm, struct call *c,
				struct optee_msg_param *p, uint8_t *cause)
{
	uint64_t attr = p->attr;

	if (c->shadow->cmd == OPTEE_MSG_CMD_UNREGISTER_SHM) {
		/*
		 * OP-TEE reads only the cookie; the rest is rewritten the way
		 * Linux sends it, so no guest address travels on unchecked.
		 */
		p->attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
		p->u.rmem.offs = 0;
		p->u.rmem.size = 0;
		*cause = TEEMED_TRACE_CAUSE_COOKIE;
		return take_unregister(vm, c, p->u.rmem.shm_ref);
	}
	switch (param_rules[attr & 0xF].class) {
	case PC_RMEM:
		return take_rmem(vm, c, &p->u.rmem, cause);
	case PC_TMEM:
		if (p->u.tmem.buf_ptr == 0)
			return TEEMED_REFUSED_COUNT; /* NULL memref (§5.4) */
		/* Contiguous tmem would hand OP-TEE a guest address. */
		*cause = TEEMED_TRACE_CAUSE_SHAPE;
		if (!(attr & OPTEE_MSG_ATTR_NONCONTIG))
			return TEEMED_REFUSED_PARAM;
		return start_tmem(vm, c, &p->u.tmem, cause);
	default:
		return TEEMED_REFUSED_COUNT;
	}
}

/*
 * The pages all NONCONTIG memrefs of a message span: a refusal if one
 * has a size OP-TEE could not count, or if together they cannot fit the
 * quotas, so that such a call is refused before anything is pinned.
 * Out of line: its loop's registers would otherwise be saved and
 * restored on every call, value-only ones included.
 */
static __attribute__((__noinline__)) uint32_t
check_memref_pages(struct teemed_vm *vm, const struct optee_msg_arg *arg)
{
	uint64_t total = 0;

	if (arg->cmd == OPTEE_MSG_CMD_UNREGISTER_SHM)
		return TEEMED_REFUSED_COUNT; /* its parameter is rewritten */
	for (uint32_t i = 0; i < arg->num_params; i++) {
		const struct optee_msg_param *p = &arg->params[i];
		uint32_t pages;

		if (param_rules[p->attr & 0xF].class != PC_TMEM ||
		    !(p->attr & OPTEE_MSG_ATTR_NONCONTIG) ||
		    p->u.tmem.buf_ptr == 0)
			continue;
		if (!teemed_buf_span_pages(p->u.tmem.buf_ptr, p->u.tmem.size,
					   &pages))
			return TEEMED_REFUSED_PARAM;
		total += pages;
	}
	if (total && !teemed_vm_pages_available(vm, total))
		return TEEMED_REFUSED_QUOTA;
	return TEEMED_REFUSED_COUNT;
}

/* A message whose shape the checks refused: it fails with `refusal`. */
static __attribute__((__noinline__)) enum message_taken
refuse_shape(struct teemed_vm *vm, struct call *c, uint32_t refusal)
{
	/* Both PARAM refusals here are of the message's shape. */
	teemed_vm_refuse_at(vm, refusal,
			    refusal == TEEMED_REFUSED_PARAM
				    ? TEEMED_TRACE_CAUSE_SHAPE
				    : TEEMED_TRACE_CAUSE_NONE,
			    TEEMED_TRACE_NO_INDEX);
	fail_message(c, refusal_ret(refusal));
	return MESSAGE_FAILED;
}

/* A well-shaped message naming memory: will its pages fit? */
static __attribute__((__noinline__)) enum message_taken
check_memrefs(struct teemed_vm *vm, struct call *c)
{
	uint32_t refusal = check_memref_pages(vm, c->shadow);

	if (refusal != TEEMED_REFUSED_COUNT)
		return refuse_shape(vm, c, refusal);
	c->param_cursor = 0;
	return MESSAGE_TAKEN;
}

/*
 * The checks a new call's message gets once, before any translation.
 * Each way out of it is a tail call or a return, so that a value-only
 * message's checks save no register.
 */
static TEEMED_ALWAYS_INLINE enum message_taken check_shape(struct teemed_vm *vm,
							   struct call *c)
{
	bool memrefs = false;

	if (!shape_ok(c->shadow, c->rule, &memrefs))
		return refuse_shape(vm, c, TEEMED_REFUSED_PARAM);
	if (memrefs)
		return check_memrefs(vm, c);
	/* Values go to OP-TEE as they are: nothing to translate. */
	c->param_cursor = c->shadow->num_params;
	return MESSAGE_TAKEN;
}

/* Parameters the shadow holds of a message claiming `num_params`. */
static uint32_t shadowed_params(uint32_t num_params)
{
	return num_params < TEEMED_CALL_MAX_PARAMS ? num_params
						   : TEEMED_CALL_MAX_PARAMS;
}

/*
 * The parameters through a mapped page: one copy of a fixed size each,
 * a few moves for the usual one to four, where one copy of a variable
 * size pays a string instruction's setup.
 */
static TEEMED_ALWAYS_INLINE void
copy_params_mapped(struct optee_msg_param *to, const uint8_t *from, uint32_t n)
{
	_Static_assert(TEEMED_CALL_MAX_PARAMS == 6, "a case per parameter");
#define TEEMED_COPY_PARAM(i)                                                   \
	__builtin_memcpy(&to[i], from + (i) * sizeof(*to), sizeof(*to))
	switch (n) {
	case 6:
		TEEMED_COPY_PARAM(5);
		TEEMED_FALLTHROUGH;
	case 5:
		TEEMED_COPY_PARAM(4);
		TEEMED_FALLTHROUGH;
	case 4:
		TEEMED_COPY_PARAM(3);
		TEEMED_FALLTHROUGH;
	case 3:
		TEEMED_COPY_PARAM(2);
		TEEMED_FALLTHROUGH;
	case 2:
		TEEMED_COPY_PARAM(1);
		TEEMED_FALLTHROUGH;
	case 1:
		TEEMED_COPY_PARAM(0);
		break;
	default:
		break;
	}
#undef TEEMED_COPY_PARAM
}

/*
 * Copy the guest's argument into the shadow, once (spec §2.6-2.8):
 * every later decision reads the shadow, never the guest's memory
 * again. `room`: bytes of guest memory from the argument's start. Only
 * the parameters a command may have are copied; a message with more is
 * refused by its shape without reading them.
 */
static TEEMED_ALWAYS_INLINE enum message_taken
copy_message(struct teemed_vm *vm, struct call *c, uint8_t *page, uint64_t room)
{
	struct optee_msg_arg *arg = c->shadow;
	uint64_t need;
	uint32_t n;

	if (teemed_call_arg_copy(vm, c, page, 0, arg, sizeof(*arg), false))
		return MESSAGE_BAD_ADDR;
	/* OP-TEE's order: the size of the argument, then its command. */
	if (arg->num_params > OPTEE_MSG_MAX_NUM_PARAMS)
		return MESSAGE_BAD_ADDR;
	need = OPTEE_MSG_GET_ARG_SIZE(arg->num_params);
	/* OP-TEE writes its RPC requests right after the argument. */
	c->rpc_off = (uint32_t)need;
	if (c->arg_kind != ARG_PAGE)
		need += OPTEE_MSG_GET_ARG_SIZE(vm->t->info.rpc_param_count);
	if (need > room)
		return MESSAGE_BAD_ADDR;
	c->rule = cmd_rule(vm, arg->cmd);
	if (!c->rule)
		return MESSAGE_BAD_CMD;
	n = shadowed_params(arg->num_params);
	if (page)
		copy_params_mapped(arg->params, page + sizeof(*arg), n);
	else if (teemed_call_arg_io(vm, c, sizeof(*arg), arg->params,
				    sizeof(arg->params[0]) * n, false))
		return MESSAGE_BAD_ADDR;
	return MESSAGE_TAKEN;
}

/*
 * A new call's message when traced, or when its argument is not mapped
 * (in a registered buffer), copied by teemed_call_arg_io(): out of
 * line, so that the common case (teemed_params_take_message()) calls
 * nothing before its shape check.
 */
static __attribute__((__noinline__)) enum message_taken
take_message_by_io(struct teemed_vm *vm, struct call *c, uint64_t room)
{
	const struct optee_msg_arg *arg = c->shadow;
	enum message_taken taken = copy_message(vm, c, NULL, room);

	if (teemed_tracing(vm->t))
		teemed_trace_msg(
			vm, TEEMED_TRACE_GUEST_MSG, arg,
			taken != MESSAGE_TAKEN
				? (uint32_t)sizeof(*arg)
				: (uint32_t)OPTEE_MSG_GET_ARG_SIZE(
					  shadowed_params(arg->num_params)));
	if (taken != MESSAGE_TAKEN)
		return taken;
	return check_shape(vm, c);
}

enum message_taken teemed_params_take_message(struct teemed_vm *vm,
					      struct call *c, uint64_t room)
{
	enum message_taken taken;

	if (!c->arg_va || teemed_tracing(vm->t))
		return take_message_by_io(vm, c, room);
	taken = copy_message(vm, c, c->arg_va, room);
	if (taken != MESSAGE_TAKEN)
		return taken;
	return check_shape(vm, c);
}

/*
 * Translate the shadow's parameters, from where the call stopped,
 * within the step budget.
 */
enum params_result teemed_params_translate(struct teemed_vm *vm, struct call *c,
					   struct step *st)
{
	struct optee_msg_arg *arg = c->shadow;

	while (c->param_cursor < arg->num_params) {
		struct optee_msg_param *p = &arg->params[c->param_cursor];
		uint8_t cause = TEEMED_TRACE_CAUSE_NONE;
		uint32_t refusal;

		if (!c->building) {
			refusal = translate_param(vm, c, p, &cause);
			if (refusal != TEEMED_REFUSED_COUNT) {
				if (refusal != TEEMED_REFUSED_PARAM)
					cause = TEEMED_TRACE_CAUSE_NONE;
				teemed_vm_refuse_at(vm, refusal, cause,
						    c->param_cursor);
				fail_message(c, refusal_ret(refusal));
				return PARAMS_FAILED;
			}
		}
		if (c->building) {
			int err = teemed_buf_translate(vm, c->building, st);

			if (err == TEEMED_ERR_AGAIN)
				return PARAMS_PAUSED;
			if (err) {
				refusal = err == TEEMED_ERR_NOMEM
						  ? TEEMED_REFUSED_NOMEM
						  : TEEMED_REFUSED_PARAM;
				teemed_vm_refuse_at(
					vm, refusal,
					err == TEEMED_ERR_FAULT
						? TEEMED_TRACE_CAUSE_PAGES
						: TEEMED_TRACE_CAUSE_NONE,
					c->param_cursor);
				fail_message(c, refusal_ret(refusal));
				c->building = NULL;
				return PARAMS_FAILED;
			}
			p->u.tmem.buf_ptr = teemed_buf_shadow_ptr(c->building);
			c->building = NULL;
		}
		c->param_cursor++;
	}
	return PARAMS_DONE;
}

#define TEEMED_PARAM_AT(i, field)                                              \
	(OPTEE_MSG_GET_ARG_SIZE(i) +                                           \
	 __builtin_offsetof(struct optee_msg_param, u) +                       \
	 __builtin_offsetof(struct optee_msg_param_value, field))

/*
 * Copy what OP-TEE wrote (and only that, §3.6, `outputs` of its
 * command) from the shadow to the guest's argument, held (pinned page
 * or buffer in use) since the call began: field by field, each within
 * what the argument's checks allowed. Through `page` when mapped, else
 * through teemed_call_arg_io().
 */
static TEEMED_ALWAYS_INLINE void copy_outputs(struct teemed_vm *vm,
					      struct call *c, uint8_t *page,
					      uint8_t outputs)
{
	struct optee_msg_arg *shadow = c->shadow;
	uint32_t n;

	/* ret and ret_origin are adjacent: one copy. */
	if ((outputs & TEEMED_OUT_ORIGIN) && (outputs & TEEMED_OUT_RET))
		(void)teemed_call_arg_copy(
			vm, c, page,
			__builtin_offsetof(struct optee_msg_arg, ret),
			&shadow->ret,
			sizeof(shadow->ret) + sizeof(shadow->ret_origin), true);
	else if (outputs & TEEMED_OUT_RET)
		(void)teemed_call_arg_copy(
			vm, c, page,
			__builtin_offsetof(struct optee_msg_arg, ret),
			&shadow->ret, sizeof(shadow->ret), true);
	if (outputs & TEEMED_OUT_SESSION)
		(void)teemed_call_arg_copy(
			vm, c, page,
			__builtin_offsetof(struct optee_msg_arg, session),
			&shadow->session, sizeof(shadow->session), true);
	if (!(outputs & TEEMED_OUT_PARAMS))
		return;
	/* Read once: writes to the guest's page may alias it for the compiler.
	 */
	n = shadow->num_params;
	for (uint32_t i = 0; i < n; i++) {
		struct optee_msg_param *from = &shadow->params[i];

		switch (teemed_params_output(from->attr)) {
		case PARAM_OUT_VALUE:
			/* value.c is not an output of a call (§3.6). */
			(void)teemed_call_arg_copy(
				vm, c, page, TEEMED_PARAM_AT(i, a),
				&from->u.value.a,
				sizeof(from->u.value.a) +
					sizeof(from->u.value.b),
				true);
			break;
		case PARAM_OUT_SIZE:
			/* tmem.size and rmem.size are value.b's bytes. */
			(void)teemed_call_arg_copy(
				vm, c, page, TEEMED_PARAM_AT(i, b),
				&from->u.tmem.size, sizeof(from->u.tmem.size),
				true);
			break;
		case PARAM_OUT_NONE:
			break;
		}
	}
}

/*
 * An argument spanning pages of a registered buffer: out of line, so
 * that the copy through a mapped page calls nothing and saves no
 * register.
 */
static __attribute__((__noinline__)) void
copy_outputs_unmapped(struct teemed_vm *vm, struct call *c, uint8_t outputs)
{
	copy_outputs(vm, c, NULL, outputs);
}

static void copy_back(struct teemed_vm *vm, struct call *c, uint8_t outputs)
{
	uint8_t *page = teemed_call_arg_map(vm, c);

	if (page)
		copy_outputs(vm, c, page, outputs);
	else
		copy_outputs_unmapped(vm, c, outputs);
}

/*
 * The call that named buffers is over (`ok`: OP-TEE answered it with
 * success): settle registrations and queue every buffer that must now
 * be unpinned onto the call's list.
 */
static __attribute__((__noinline__)) void
settle_buffers(struct teemed_vm *vm, struct call *c, bool ok)
{
	/* Not yet live, so no other vCPU reaches it. */
	if (ok && c->registering)
		c->registering = teemed_buf_compact(vm, c->registering);
	teemed_vm_lock(vm);
	for (uint32_t i = 0; i < c->rmem_count; i++)
		c->rmem_bufs[i]->users--;
	c->rmem_count = 0;
	for (struct buf *b = c->bufs; c->tmem_named && b; b = b->next) {
		if (b->in_tree) {
			teemed_shm_remove_locked(vm, b);
			c->tmem_named--;
		}
	}
	if (c->registering) {
		struct buf *b = c->registering;

		if (ok) {
			b->state = BUF_LIVE;
		} else {
			teemed_shm_remove_locked(vm, b);
			b->next = c->bufs;
			c->bufs = b;
		}
		c->registering = NULL;
	}
	if (c->unregistering) {
		struct buf *b = c->unregistering;

		if (ok) {
			teemed_shm_remove_locked(vm, b);
			b->next = c->bufs;
			c->bufs = b;
		} else {
			b->state = BUF_LIVE;
		}
		c->unregistering = NULL;
	}
	teemed_vm_unlock(vm);
}

/*
 * The call is over: `outputs` says whether OP-TEE answered it (ALL),
 * it never got there or failed in translation (ERROR: only ret and
 * ret_origin go back), or there is no message-level answer (NONE). The
 * settling is out of line, so that a call that named no buffer, as a
 * value-only one, runs a few loads for it.
 */
void teemed_params_end_call(struct teemed_vm *vm, struct call *c,
			    enum call_outputs outputs)
{
	bool done = outputs == OUTPUTS_ALL;

	/* OP-TEE writes no result for it: the call's end is its success. */
	if (done && c->rule == &cmd_rules[OPTEE_MSG_CMD_STOP_ASYNC_NOTIF])
		teemed_notif_stopped(vm);
	if (c->rmem_count || c->tmem_named || c->registering ||
	    c->unregistering)
		settle_buffers(vm, c, done && c->shadow->ret == TEEC_SUCCESS);
	if (outputs != OUTPUTS_NONE)
		copy_back(vm, c,
			  done ? c->rule->outputs
			       : TEEMED_OUT_RET | TEEMED_OUT_ORIGIN);
}
