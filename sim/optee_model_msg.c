/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The commands of a yielding call (spec §3.4): parameter intake
 * (§3.3, §5), sessions (§3.5), shared-memory registration (§4, §5.5) and
 * exactly the write-back of §3.6. The argument stays in normal-world
 * memory for the whole call, as in OP-TEE: it is read when the command
 * starts and its output fields are written when it ends, each access
 * checked by the oracle then.
 */
#include <stdlib.h>
#include <string.h>

#include "optee_model_private.h"

#define ARG_OFF_SESSION 0x08u
#define ARG_OFF_RET	0x14u
#define ARG_OFF_ORIGIN	0x18u
#define PARAM_OFF(i)	(32u + 32u * (uint64_t)(i))
#define PARAM_OFF_A	0x08u
#define PARAM_OFF_B	0x10u
#define PARAM_OFF_SIZE	0x10u
#define PARAM_OFF_REF	0x18u

#define META_ATTR (OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT)
#define REGISTER_ATTR                                                          \
	(OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG)

static bool arg_io(struct model_ctx *c, uint64_t off, void *buf, uint64_t len,
		   bool write)
{
	struct model_thread *t = c->t;

	return optee_model_obj_access(c->sw, t->arg_obj, t->arg_off + off, buf,
				      len, write, "call arg");
}

/* A write the oracle refuses is simply not done: it was counted. */
static void put_u32(struct model_ctx *c, uint64_t off, uint32_t v)
{
	arg_io(c, off, &v, sizeof(v), true);
}

static void put_u64(struct model_ctx *c, uint64_t off, uint64_t v)
{
	arg_io(c, off, &v, sizeof(v), true);
}

static bool read_param(struct model_ctx *c, uint32_t i,
		       struct optee_msg_param *mp)
{
	return arg_io(c, PARAM_OFF(i), mp, sizeof(*mp), false);
}

static uint32_t refuse(struct model_ctx *c, uint32_t res)
{
	c->sw->st.bad_requests++;
	return res;
}

static uint32_t tmem_in(struct model_ctx *c, const struct optee_msg_param *mp,
			struct model_param *p)
{
	const struct optee_msg_param_tmem *tm = &mp->u.tmem;

	/* A NULL memref reaches the TA with size 0. */
	if (!tm->buf_ptr)
		return TEEC_SUCCESS;
	/* Contiguous tmem is only valid inside reserved SHM: none here. */
	if (!(mp->attr & OPTEE_MSG_ATTR_NONCONTIG))
		return refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	p->obj = optee_model_obj_from_list(c->sw, c->part, MODEL_OBJ_TMEM,
					   tm->buf_ptr, tm->size, tm->shm_ref);
	if (!p->obj)
		return refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	p->size = tm->size;
	return TEEC_SUCCESS;
}

static uint32_t rmem_in(struct model_ctx *c, const struct optee_msg_param *mp,
			struct model_param *p)
{
	const struct optee_msg_param_rmem *rm = &mp->u.rmem;
	struct model_obj *obj;

	if (!(c->sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM))
		return refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	obj = optee_model_obj_find(c->part, rm->shm_ref);
	if (!obj)
		return refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	obj->refs++;
	p->obj = obj;
	p->offs = rm->offs;
	p->size = rm->size;
	if (rm->offs > UINT64_MAX - rm->size || rm->offs + rm->size > obj->size)
		return refuse(c, TEEC_ERROR_SECURITY);
	return TEEC_SUCCESS;
}

/* One message parameter to what the TA sees (OP-TEE copy_in_params). */
static uint32_t param_in(struct model_ctx *c, const struct optee_msg_param *mp,
			 struct model_param *p)
{
	uint32_t type = (uint32_t)(mp->attr & OPTEE_MSG_ATTR_TYPE_MASK);

	memset(p, 0, sizeof(*p));
	if (mp->attr & OPTEE_MSG_ATTR_META)
		return refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	switch (type) {
	case OPTEE_MSG_ATTR_TYPE_NONE:
		return TEEC_SUCCESS;
	case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
		p->type = type;
		p->a = (uint32_t)mp->u.value.a;
		p->b = (uint32_t)mp->u.value.b;
		return TEEC_SUCCESS;
	case OPTEE_MSG_ATTR_TYPE_TMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
		p->type =
			MODEL_PT_MEM_IN + type - OPTEE_MSG_ATTR_TYPE_TMEM_INPUT;
		return tmem_in(c, mp, p);
	case OPTEE_MSG_ATTR_TYPE_RMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
		p->type =
			MODEL_PT_MEM_IN + type - OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
		return rmem_in(c, mp, p);
	default:
		return refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	}
}

/* Parameters [first, first + n) of the message into t->ta.params. */
static uint32_t copy_in(struct model_ctx *c, uint32_t first, uint32_t n)
{
	struct model_thread *t = c->t;

	t->ta_nparams = 0;
	memset(t->ta.params, 0, sizeof(t->ta.params));
	if (n > MODEL_TA_PARAMS)
		return refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	for (uint32_t i = 0; i < n; i++) {
		struct optee_msg_param mp;
		uint32_t res;

		if (!read_param(c, first + i, &mp))
			return TEEC_ERROR_BAD_PARAMETERS;
		t->ta_nparams = i + 1;
		res = param_in(c, &mp, &t->ta.params[i]);
		if (res)
			return res;
	}
	return TEEC_SUCCESS;
}

/* §3.6: value a/b of value outputs, size of memref outputs, nothing else. */
static void copy_out(struct model_ctx *c, uint32_t first)
{
	struct model_thread *t = c->t;

	for (uint32_t i = 0; i < t->ta_nparams; i++) {
		const struct model_param *p = &t->ta.params[i];
		uint64_t off = PARAM_OFF(first + i);

		if (!model_pt_is_out(p->type))
			continue;
		if (model_pt_is_value(p->type)) {
			put_u64(c, off + PARAM_OFF_A, p->a);
			put_u64(c, off + PARAM_OFF_B, p->b);
		} else {
			put_u64(c, off + PARAM_OFF_SIZE, p->size);
		}
	}
}

static void cleanup_params(struct model_ctx *c)
{
	struct model_thread *t = c->t;

	for (uint32_t i = 0; i < t->ta_nparams; i++) {
		if (t->ta.params[i].obj)
			optee_model_obj_put(c->part, t->ta.params[i].obj);
		t->ta.params[i].obj = NULL;
	}
	t->ta_nparams = 0;
}

static struct model_session *session_find(struct model_part *part, uint32_t id)
{
	struct model_session *s;

	for (s = part->sessions; s; s = s->next)
		if (s->id == id && !s->closed)
			return s;
	return NULL;
}

static void session_unlink(struct model_part *part, struct model_session *s)
{
	struct model_session **pp;

	for (pp = &part->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			part->nsessions--;
			free(s);
			return;
		}
	}
}

/* A session closed while invoked goes when its last invocation ends. */
static void session_release(struct model_part *part, struct model_session *s)
{
	s->users--;
	if (s->closed && !s->users)
		session_unlink(part, s);
}

void optee_model_sessions_free(struct model_part *part)
{
	while (part->sessions) {
		struct model_session *s = part->sessions;

		part->sessions = s->next;
		free(s);
	}
	part->nsessions = 0;
}

static bool login_valid(uint32_t login)
{
	static const uint32_t logins[] = {
		OPTEE_MSG_LOGIN_PUBLIC,
		OPTEE_MSG_LOGIN_USER,
		OPTEE_MSG_LOGIN_GROUP,
		OPTEE_MSG_LOGIN_APPLICATION,
		OPTEE_MSG_LOGIN_APPLICATION_USER,
		OPTEE_MSG_LOGIN_APPLICATION_GROUP,
		OPTEE_MSG_LOGIN_REE_KERNEL,
	};

	for (size_t i = 0; i < sizeof(logins) / sizeof(logins[0]); i++)
		if (logins[i] == login)
			return true;
	return false;
}

static uint32_t session_open(struct model_ctx *c, const uint8_t uuid[16],
			     uint32_t *origin, uint32_t *id)
{
	const struct model_ta *ta = optee_model_ta_find(uuid);
	struct model_part *part = c->part;
	struct model_session *s;

	if (!ta)
		return TEEC_ERROR_ITEM_NOT_FOUND;
	if (part->nsessions >= MODEL_MAX_SESSIONS)
		return TEEC_ERROR_OUT_OF_MEMORY;
	s = calloc(1, sizeof(*s));
	if (!s)
		return TEEC_ERROR_OUT_OF_MEMORY;
	do
		s->id = ++part->session_seq;
	while (!s->id);
	s->ta = ta;
	s->next = part->sessions;
	part->sessions = s;
	part->nsessions++;
	*id = s->id;
	/* The (trivial) open entry point of the TA ran and said yes. */
	*origin = TEEC_ORIGIN_TRUSTED_APP;
	return TEEC_SUCCESS;
}

static enum model_cmd_status cmd_open(struct model_ctx *c)
{
	struct model_thread *t = c->t;
	struct optee_msg_param meta[2];
	uint32_t res = TEEC_ERROR_BAD_PARAMETERS;
	uint32_t origin = TEEC_ORIGIN_TEE;
	uint32_t session = 0;
	uint8_t uuid[16];

	if (t->num_params < 2 || !read_param(c, 0, &meta[0]) ||
	    !read_param(c, 1, &meta[1]) || meta[0].attr != META_ATTR ||
	    meta[1].attr != META_ATTR ||
	    !login_valid((uint32_t)meta[1].u.value.c)) {
		refuse(c, 0);
		goto out;
	}
	memcpy(uuid, meta[0].u.octets, sizeof(uuid));
	res = copy_in(c, 2, t->num_params - 2);
	if (res == TEEC_SUCCESS) {
		res = session_open(c, uuid, &origin, &session);
		copy_out(c, 2);
	}
	cleanup_params(c);
out:
	put_u32(c, ARG_OFF_SESSION, session);
	put_u32(c, ARG_OFF_RET, res);
	put_u32(c, ARG_OFF_ORIGIN, origin);
	return MODEL_CMD_DONE;
}

static enum model_cmd_status cmd_invoke(struct model_ctx *c)
{
	struct model_thread *t = c->t;
	struct model_ta_exec *x = &t->ta;
	uint32_t res, origin = TEEC_ORIGIN_TEE;

	if (t->cmd_step == 0) {
		res = copy_in(c, 0, t->num_params);
		if (res)
			goto out;
		x->sess = session_find(c->part, t->session);
		if (!x->sess) {
			res = refuse(c, TEEC_ERROR_BAD_PARAMETERS);
			goto out;
		}
		x->sess->users++;
		x->func = t->func;
		x->step = 0;
		x->req = &t->req;
		t->cmd_step = 1;
	}
	if (x->sess->ta->invoke(c, x) == MODEL_TA_RPC)
		return MODEL_CMD_RPC;
	res = x->ret;
	origin = x->origin;
	session_release(c->part, x->sess);
	x->sess = NULL;
	copy_out(c, 0);
out:
	cleanup_params(c);
	put_u32(c, ARG_OFF_RET, res);
	put_u32(c, ARG_OFF_ORIGIN, origin);
	return MODEL_CMD_DONE;
}

static enum model_cmd_status cmd_close(struct model_ctx *c)
{
	struct model_thread *t = c->t;
	struct model_session *s;
	uint32_t res = TEEC_SUCCESS;

	if (t->num_params) {
		res = refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	} else if (!(s = session_find(c->part, t->session))) {
		res = refuse(c, TEEC_ERROR_ITEM_NOT_FOUND);
	} else {
		/*
		 * OP-TEE waits for running invocations before closing;
		 * the model closes at once and frees when they end.
		 */
		s->closed = true;
		if (!s->users)
			session_unlink(c->part, s);
	}
	put_u32(c, ARG_OFF_RET, res);
	put_u32(c, ARG_OFF_ORIGIN, TEEC_ORIGIN_TEE);
	return MODEL_CMD_DONE;
}

static enum model_cmd_status cmd_cancel(struct model_ctx *c)
{
	struct model_thread *t = c->t;
	struct model_session *s;
	uint32_t res = TEEC_SUCCESS;

	if (t->num_params)
		res = refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	else if (!(s = session_find(c->part, t->session)))
		res = refuse(c, TEEC_ERROR_BAD_PARAMETERS);
	else
		s->cancelled = true;
	put_u32(c, ARG_OFF_RET, res);
	put_u32(c, ARG_OFF_ORIGIN, TEEC_ORIGIN_TEE);
	return MODEL_CMD_DONE;
}

static enum model_cmd_status cmd_register(struct model_ctx *c)
{
	struct optee_msg_param mp;
	uint32_t res = TEEC_ERROR_BAD_PARAMETERS;

	if (c->t->num_params == 1 && read_param(c, 0, &mp) &&
	    mp.attr == REGISTER_ATTR &&
	    optee_model_obj_from_list(c->sw, c->part, MODEL_OBJ_REGISTERED,
				      mp.u.tmem.buf_ptr, mp.u.tmem.size,
				      mp.u.tmem.shm_ref))
		res = TEEC_SUCCESS;
	else
		refuse(c, 0);
	put_u32(c, ARG_OFF_RET, res);
	return MODEL_CMD_DONE;
}

/*
 * The unregistering thread's wait for the last user of its buffer:
 * OP-TEE's condvar_wait() in mobj_reg_shm_release_by_cookie(), which
 * reaches the normal world as RPC_CMD NOTIFICATION WAIT. Its answer is
 * only a wake-up: the thread looks again and waits again if it must.
 */
static enum model_cmd_status unregister_wait(struct model_ctx *c)
{
	struct model_thread *t = c->t;
	struct model_rpc_req *rq = &t->req;

	if (t->releasing->release_frees) {
		optee_model_obj_free(c->part, t->releasing);
		t->releasing = NULL;
		put_u32(c, ARG_OFF_RET, TEEC_SUCCESS);
		return MODEL_CMD_DONE;
	}
	memset(rq, 0, sizeof(*rq));
	rq->kind = MODEL_RQ_CMD;
	rq->cmd = OPTEE_RPC_CMD_NOTIFICATION;
	rq->num_params = 1;
	rq->params[0].type = MODEL_PT_VALUE_IN;
	rq->params[0].a = OPTEE_RPC_NOTIFICATION_WAIT;
	rq->params[0].b = MODEL_UNREGISTER_WAIT_KEY + t->index;
	return MODEL_CMD_RPC;
}

/*
 * As OP-TEE: a buffer still in use by other calls is marked releasing,
 * its registration's reference dropped, and the call waits until the
 * last user is gone, then succeeds. Users may still find it by cookie
 * meanwhile (mobj_reg_shm_get_by_cookie() does not look at releasing);
 * a second UNREGISTER of it fails.
 */
static enum model_cmd_status cmd_unregister(struct model_ctx *c)
{
	uint64_t cookie;
	struct model_obj *obj;
	uint32_t res = TEEC_ERROR_BAD_PARAMETERS;

	if (c->t->cmd_step == 1)
		return unregister_wait(c);
	if (c->t->num_params != 1) {
		refuse(c, 0);
		put_u32(c, ARG_OFF_RET, res);
		put_u32(c, ARG_OFF_ORIGIN, TEEC_ORIGIN_TEE);
		return MODEL_CMD_DONE;
	}
	if (arg_io(c, PARAM_OFF(0) + PARAM_OFF_REF, &cookie, sizeof(cookie),
		   false)) {
		/* Only the newest object of that cookie counts. */
		obj = optee_model_obj_find(c->part, cookie);
		if (!obj || obj->kind != MODEL_OBJ_REGISTERED ||
		    obj->releasing) {
			refuse(c, 0);
		} else if (obj->refs > 1) {
			obj->releasing = true;
			optee_model_obj_put(c->part, obj);
			c->t->releasing = obj;
			c->t->cmd_step = 1;
			return unregister_wait(c);
		} else {
			optee_model_obj_put(c->part, obj);
			res = TEEC_SUCCESS;
		}
	}
	put_u32(c, ARG_OFF_RET, res);
	return MODEL_CMD_DONE;
}

/*
 * notif_deliver_event(): the partition's notification drivers run their
 * bottom half, or stop, if it was started; no parameter is read and
 * nothing is written back.
 */
static enum model_cmd_status cmd_bottom_half(struct model_ctx *c)
{
	if (c->part->notif_started)
		c->part->bottom_halves++;
	return MODEL_CMD_DONE;
}

static enum model_cmd_status cmd_stop_notif(struct model_ctx *c)
{
	c->part->notif_started = false;
	return MODEL_CMD_DONE;
}

static const struct {
	uint32_t cmd;
	uint32_t caps; /* needed in sec_caps, else EBADCMD */
	enum model_cmd_status (*run)(struct model_ctx *c);
} cmds[] = {
	{OPTEE_MSG_CMD_OPEN_SESSION, 0, cmd_open},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 0, cmd_invoke},
	{OPTEE_MSG_CMD_CLOSE_SESSION, 0, cmd_close},
	{OPTEE_MSG_CMD_CANCEL, 0, cmd_cancel},
	{OPTEE_MSG_CMD_REGISTER_SHM, OPTEE_SMC_SEC_CAP_DYNAMIC_SHM,
	 cmd_register},
	{OPTEE_MSG_CMD_UNREGISTER_SHM, OPTEE_SMC_SEC_CAP_DYNAMIC_SHM,
	 cmd_unregister},
	{OPTEE_MSG_CMD_DO_BOTTOM_HALF, OPTEE_SMC_SEC_CAP_ASYNC_NOTIF,
	 cmd_bottom_half},
	{OPTEE_MSG_CMD_STOP_ASYNC_NOTIF, OPTEE_SMC_SEC_CAP_ASYNC_NOTIF,
	 cmd_stop_notif},
};

enum model_cmd_status optee_model_cmd_step(struct model_ctx *c)
{
	struct model_thread *t = c->t;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (cmds[i].cmd != t->cmd)
			continue;
		if ((c->sw->cfg.sec_caps & cmds[i].caps) != cmds[i].caps)
			break;
		t->result = OPTEE_SMC_RETURN_OK;
		return cmds[i].run(c);
	}
	/* Unknown command: EBADCMD, and arg->ret is left alone. */
	c->sw->st.bad_requests++;
	t->result = OPTEE_SMC_RETURN_EBADCMD;
	return MODEL_CMD_DONE;
}
