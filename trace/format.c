/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The decoder: one trace event (include/teemed/trace.h) to one line of
 * text, strace-like, or to one JSON object.
 *
 * It reads the event and at most msg_len bytes of its message, byte by
 * byte through msg_u32()/msg_u64() (never as a struct, so no length,
 * count or alignment in the message is trusted), and writes through a
 * writer that never passes the caller's buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trace_private.h"

/* --- bounded output ------------------------------------------------------ */

struct out {
	char *buf;
	size_t len;
	size_t pos; /* characters written, < len when len > 0 */
	bool cut;
};

static void out_init(struct out *o, char *buf, size_t len)
{
	o->buf = buf;
	o->len = len;
	o->pos = 0;
	o->cut = false;
	if (len)
		buf[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void put(struct out *o,
						      const char *fmt, ...)
{
	size_t room;
	va_list ap;
	int n;

	if (o->cut || !o->len)
		return;
	room = o->len - o->pos;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->buf[o->pos] = '\0';
		o->cut = true;
	} else if ((size_t)n >= room) {
		o->pos = o->len - 1;
		o->cut = true;
	} else {
		o->pos += (size_t)n;
	}
}

/* Terminate; output cut short ends in "...". */
static size_t out_end(struct out *o)
{
	if (!o->len)
		return 0;
	if (o->cut && o->len >= 4) {
		memcpy(o->buf + o->len - 4, "...", 4);
		o->pos = o->len - 1;
	}
	o->buf[o->pos] = '\0';
	return o->pos;
}

/* --- reading the event --------------------------------------------------- */

#define MSG_HDR	  32u /* struct optee_msg_arg without params */
#define MSG_PARAM 32u /* struct optee_msg_param */

static bool msg_u32(const struct teemed_trace_event *ev, size_t off,
		    uint32_t *v)
{
	if (!ev->msg || off > ev->msg_len || ev->msg_len - off < sizeof(*v))
		return false;
	memcpy(v, (const uint8_t *)ev->msg + off, sizeof(*v));
	return true;
}

static bool msg_u64(const struct teemed_trace_event *ev, size_t off,
		    uint64_t *v)
{
	if (!ev->msg || off > ev->msg_len || ev->msg_len - off < sizeof(*v))
		return false;
	memcpy(v, (const uint8_t *)ev->msg + off, sizeof(*v));
	return true;
}

struct msg_hdr {
	uint32_t cmd, func, session, cancel_id, ret, origin, num_params;
	uint32_t shown; /* parameters present in msg_len, at most 127 */
};

static bool read_hdr(const struct teemed_trace_event *ev, struct msg_hdr *h)
{
	size_t room;

	if (!ev->msg || ev->msg_len < MSG_HDR)
		return false;
	msg_u32(ev, 0, &h->cmd);
	msg_u32(ev, 4, &h->func);
	msg_u32(ev, 8, &h->session);
	msg_u32(ev, 12, &h->cancel_id);
	msg_u32(ev, 20, &h->ret);
	msg_u32(ev, 24, &h->origin);
	msg_u32(ev, 28, &h->num_params);
	room = (ev->msg_len - MSG_HDR) / MSG_PARAM;
	h->shown = h->num_params;
	if (h->shown > room)
		h->shown = (uint32_t)room;
	if (h->shown > OPTEE_MSG_MAX_NUM_PARAMS)
		h->shown = OPTEE_MSG_MAX_NUM_PARAMS;
	return true;
}

struct param {
	uint64_t attr, a, b, c; /* a, b, c: the union's three words */
};

static void read_param(const struct teemed_trace_event *ev, uint32_t i,
		       struct param *p)
{
	size_t off = MSG_HDR + (size_t)i * MSG_PARAM;

	msg_u64(ev, off, &p->attr);
	msg_u64(ev, off + 8, &p->a);
	msg_u64(ev, off + 16, &p->b);
	msg_u64(ev, off + 24, &p->c);
}

static uint64_t pair(uint64_t hi, uint64_t lo)
{
	return ((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo;
}

static bool is_rpc(uint64_t a0)
{
	return OPTEE_SMC_RETURN_IS_RPC(a0);
}

static bool optee_facing(const struct teemed_trace_event *ev)
{
	return ev->kind == TEEMED_TRACE_OPTEE_CALL ||
	       ev->kind == TEEMED_TRACE_OPTEE_ANSWER;
}

/* Registers that hold a host PA (bit i: a_i). */
static unsigned int pa_regs(const struct teemed_trace_event *ev)
{
	/* A call is what a0 says; an answer, what ev->fid says. */
	uint32_t called = (uint32_t)ev->regs.a[0];

	if (ev->kind == TEEMED_TRACE_OPTEE_CALL &&
	    (called == OPTEE_SMC_CALL_WITH_ARG ||
	     called == OPTEE_SMC_CALL_WITH_RPC_ARG ||
	     called == OPTEE_SMC_CALL_RETURN_FROM_RPC))
		return 0x6u;
	if (ev->kind == TEEMED_TRACE_OPTEE_ANSWER &&
	    ev->fid == OPTEE_SMC_GET_SHM_CONFIG)
		return 0x2u;
	return 0;
}

/* Whom the event concerns: "vm3.1" (VM 3, vCPU 1), "vm3", "hyp". */
static void who(const struct teemed_trace_event *ev, char *buf, size_t len)
{
	if (!ev->client_id)
		snprintf(buf, len, "hyp");
	else if (ev->vcpu == TEEMED_TRACE_NO_VCPU)
		snprintf(buf, len, "vm%u", (unsigned int)ev->client_id);
	else
		snprintf(buf, len, "vm%u.%u", (unsigned int)ev->client_id,
			 (unsigned int)ev->vcpu);
}

static const char *status_name(int32_t status)
{
	switch (status) {
	case TEEMED_OK:
		return "OK";
	case TEEMED_ERR_PERM:
		return "PERM";
	case TEEMED_ERR_NOENT:
		return "NOENT";
	case TEEMED_ERR_IO:
		return "IO";
	case TEEMED_ERR_AGAIN:
		return "AGAIN";
	case TEEMED_ERR_NOMEM:
		return "NOMEM";
	case TEEMED_ERR_FAULT:
		return "FAULT";
	case TEEMED_ERR_BUSY:
		return "BUSY";
	case TEEMED_ERR_EXIST:
		return "EXIST";
	case TEEMED_ERR_INVAL:
		return "INVAL";
	case TEEMED_ERR_RANGE:
		return "RANGE";
	case TEEMED_ERR_PROTO:
		return "PROTO";
	case TEEMED_ERR_NOTSUP:
		return "NOTSUP";
	default:
		return NULL;
	}
}

static const char *login_name(uint64_t login)
{
	switch (login) {
	case OPTEE_MSG_LOGIN_PUBLIC:
		return "PUBLIC";
	case OPTEE_MSG_LOGIN_USER:
		return "USER";
	case OPTEE_MSG_LOGIN_GROUP:
		return "GROUP";
	case OPTEE_MSG_LOGIN_APPLICATION:
		return "APPLICATION";
	case OPTEE_MSG_LOGIN_APPLICATION_USER:
		return "APPLICATION_USER";
	case OPTEE_MSG_LOGIN_APPLICATION_GROUP:
		return "APPLICATION_GROUP";
	case OPTEE_MSG_LOGIN_REE_KERNEL:
		return "REE_KERNEL";
	default:
		return NULL;
	}
}

/* A number's name, or the number. */
static void put_name(struct out *o, const char *name, uint32_t v)
{
	if (name)
		put(o, "%s", name);
	else
		put(o, "0x%x", (unsigned int)v);
}

/* An address: the guest's (IPA), or OP-TEE's (a host PA, hidden). */
static void put_addr(struct out *o, uint64_t addr, bool pa, unsigned int flags)
{
	if (!addr)
		put(o, "NULL");
	else if (!pa)
		put(o, "ipa:0x%llx", (unsigned long long)addr);
	else if (flags & TEEMED_TRACE_FMT_SHOW_PA)
		put(o, "pa:0x%llx", (unsigned long long)addr);
	else
		put(o, "pa:*");
}

/* UUID octets as OPEN_SESSION carries them (§3.5): a then b, bytes in
   memory order. */
static void put_uuid_octets(struct out *o, uint64_t a, uint64_t b)
{
	uint8_t u[16];

	memcpy(u, &a, 8);
	memcpy(u + 8, &b, 8);
	put(o,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
	    u[11], u[12], u[13], u[14], u[15]);
}

/* A UUID as CALLS_UID and GET_OS_UUID answer it (§2.2, §2.4). */
static void put_uuid_regs(struct out *o, const struct teemed_regs *r)
{
	uint32_t a0 = (uint32_t)r->a[0], a1 = (uint32_t)r->a[1];
	uint32_t a2 = (uint32_t)r->a[2], a3 = (uint32_t)r->a[3];

	put(o, "%08x-%04x-%04x-%04x-%04x%08x", a0, a1 >> 16, a1 & 0xffffu,
	    a2 >> 16, a2 & 0xffffu, a3);
	if ((a0 == OPTEE_MSG_UID_0 && a1 == OPTEE_MSG_UID_1 &&
	     a2 == OPTEE_MSG_UID_2 && a3 == OPTEE_MSG_UID_3) ||
	    (a0 == OPTEE_MSG_OS_OPTEE_UUID_0 &&
	     a1 == OPTEE_MSG_OS_OPTEE_UUID_1 &&
	     a2 == OPTEE_MSG_OS_OPTEE_UUID_2 &&
	     a3 == OPTEE_MSG_OS_OPTEE_UUID_3))
		put(o, " (OP-TEE)");
}

static void put_caps(struct out *o, uint32_t caps)
{
	const char *sep = " (";

	put(o, "caps=0x%x", caps);
	for (uint32_t bit = 1; bit; bit <<= 1) {
		const char *n = (caps & bit)
					? trace_name(TRACE_NAMES_SEC_CAP, bit)
					: NULL;

		if (n) {
			put(o, "%s%s", sep, n);
			sep = "|";
		}
	}
	if (sep[0] == '|')
		put(o, ")");
}

/* --- text ----------------------------------------------------------------- */

static void text_param(struct out *o, const struct teemed_trace_event *ev,
		       const struct msg_hdr *h, uint32_t i, unsigned int flags)
{
	struct param p = {0};
	uint32_t type;
	const char *tn;
	bool pa = optee_facing(ev);

	read_param(ev, i, &p);
	type = (uint32_t)(p.attr & OPTEE_MSG_ATTR_TYPE_MASK);
	tn = trace_name(TRACE_NAMES_PARAM_TYPE, type);
	put(o, " [%u] ", i);
	if (!tn) {
		put(o, "attr=0x%llx", (unsigned long long)p.attr);
		return;
	}
	put(o, "%s", tn);
	if (p.attr & OPTEE_MSG_ATTR_META)
		put(o, " meta");
	if (p.attr &
	    ~(uint64_t)(OPTEE_MSG_ATTR_TYPE_MASK | OPTEE_MSG_ATTR_META |
			OPTEE_MSG_ATTR_NONCONTIG))
		put(o, " attr=0x%llx", (unsigned long long)p.attr);
	switch (type) {
	case OPTEE_MSG_ATTR_TYPE_NONE:
		return;
	case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
		/* OPEN_SESSION's meta parameters: the TA and the login. */
		if ((p.attr & OPTEE_MSG_ATTR_META) &&
		    h->cmd == OPTEE_MSG_CMD_OPEN_SESSION &&
		    ev->kind != TEEMED_TRACE_RPC_MSG &&
		    ev->kind != TEEMED_TRACE_RPC_REPLY && i < 2) {
			if (i == 0) {
				put(o, " uuid=");
				put_uuid_octets(o, p.a, p.b);
			} else {
				put(o, " login=");
				put_name(o, login_name(p.c), (uint32_t)p.c);
			}
			return;
		}
		put(o, " a=0x%llx b=0x%llx c=0x%llx", (unsigned long long)p.a,
		    (unsigned long long)p.b, (unsigned long long)p.c);
		return;
	case OPTEE_MSG_ATTR_TYPE_RMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
		put(o, " cookie=0x%llx offs=0x%llx size=%llu",
		    (unsigned long long)p.c, (unsigned long long)p.a,
		    (unsigned long long)p.b);
		return;
	default: /* tmem */
		if (p.attr & OPTEE_MSG_ATTR_NONCONTIG) {
			put(o, " list=");
			put_addr(o, p.a & ~(uint64_t)0xfff, pa, flags);
			put(o, "+0x%llx", (unsigned long long)(p.a & 0xfff));
		} else {
			put(o, " buf=");
			put_addr(o, p.a, pa, flags);
		}
		put(o, " size=%llu cookie=0x%llx", (unsigned long long)p.b,
		    (unsigned long long)p.c);
		return;
	}
}

static void text_msg(struct out *o, const struct teemed_trace_event *ev,
		     unsigned int flags)
{
	bool rpc = ev->kind == TEEMED_TRACE_RPC_MSG ||
		   ev->kind == TEEMED_TRACE_RPC_REPLY;
	bool answered = ev->kind == TEEMED_TRACE_OPTEE_ANSWER ||
			ev->kind == TEEMED_TRACE_GUEST_REPLY ||
			ev->kind == TEEMED_TRACE_RPC_REPLY;
	struct msg_hdr h;

	if (!read_hdr(ev, &h)) {
		put(o, "(%u bytes: no message header)",
		    (unsigned int)ev->msg_len);
		return;
	}
	put_name(o,
		 rpc ? trace_name(TRACE_NAMES_RPC_CMD, h.cmd)
		     : trace_name(TRACE_NAMES_CMD, h.cmd),
		 h.cmd);
	if (!rpc && h.cmd == OPTEE_MSG_CMD_INVOKE_COMMAND)
		put(o, " func=0x%x", h.func);
	if (h.session || (!rpc && h.cmd != OPTEE_MSG_CMD_REGISTER_SHM &&
			  h.cmd != OPTEE_MSG_CMD_UNREGISTER_SHM &&
			  (answered || h.cmd != OPTEE_MSG_CMD_OPEN_SESSION)))
		put(o, " session=0x%x", h.session);
	if (h.cancel_id)
		put(o, " cancel=0x%x", h.cancel_id);
	if (answered) {
		put(o, " ret=");
		put_name(o, trace_name(TRACE_NAMES_TEE_RESULT, h.ret), h.ret);
		/* Registration answers carry no origin (§3.6). */
		if (!rpc && ((h.cmd != OPTEE_MSG_CMD_REGISTER_SHM &&
			      h.cmd != OPTEE_MSG_CMD_UNREGISTER_SHM) ||
			     h.ret != TEEC_SUCCESS)) {
			put(o, " origin=");
			put_name(o, trace_name(TRACE_NAMES_ORIGIN, h.origin),
				 h.origin);
		}
	}
	if (h.num_params != h.shown)
		put(o, " num_params=%u (%u here)", h.num_params, h.shown);
	for (uint32_t i = 0; i < h.shown; i++)
		text_param(o, ev, &h, i, flags);
}

/* What a call's registers mean, by function. */
static void text_call_args(struct out *o, const struct teemed_trace_event *ev,
			   uint32_t fid, unsigned int flags)
{
	const struct teemed_regs *r = &ev->regs;
	bool pa = optee_facing(ev);
	const char *name = trace_name(TRACE_NAMES_FUNCTION, fid);

	put_name(o, name, fid);
	switch (fid) {
	case OPTEE_SMC_CALL_WITH_ARG:
	case OPTEE_SMC_CALL_WITH_RPC_ARG:
		put(o, " arg=");
		put_addr(o, pair(r->a[1], r->a[2]), pa, flags);
		return;
	case OPTEE_SMC_CALL_WITH_REGD_ARG:
		put(o, " cookie=0x%llx offs=0x%x",
		    (unsigned long long)pair(r->a[1], r->a[2]),
		    (unsigned int)(uint32_t)r->a[3]);
		return;
	case OPTEE_SMC_CALL_RETURN_FROM_RPC:
		put(o, " thread=%u", (unsigned int)(uint32_t)r->a[3]);
		if (pair(r->a[1], r->a[2]) || pair(r->a[4], r->a[5])) {
			put(o, " buf=");
			put_addr(o, pair(r->a[1], r->a[2]), pa, flags);
			put(o, " cookie=0x%llx",
			    (unsigned long long)pair(r->a[4], r->a[5]));
		}
		return;
	case OPTEE_SMC_EXCHANGE_CAPABILITIES:
		put(o, " nsec_caps=0x%x", (unsigned int)(uint32_t)r->a[1]);
		return;
	case OPTEE_SMC_VM_CREATED:
	case OPTEE_SMC_VM_DESTROYED:
		put(o, " client=%u", (unsigned int)(uint32_t)r->a[1]);
		return;
	default:
		if (!name || (uint32_t)r->a[1] || (uint32_t)r->a[2] ||
		    (uint32_t)r->a[3])
			put(o, " a1=0x%x a2=0x%x a3=0x%x",
			    (unsigned int)(uint32_t)r->a[1],
			    (unsigned int)(uint32_t)r->a[2],
			    (unsigned int)(uint32_t)r->a[3]);
		return;
	}
}

/* An RPC request in a0..a3 (§2.21, §6.2). */
static void text_rpc(struct out *o, const struct teemed_regs *r)
{
	uint32_t func = (uint32_t)r->a[0] & OPTEE_SMC_RETURN_RPC_FUNC_MASK;

	put(o, "RPC ");
	put_name(o, trace_name(TRACE_NAMES_RPC_FUNC, func), func);
	switch (func) {
	case OPTEE_SMC_RPC_FUNC_ALLOC:
		put(o, " size=%u", (unsigned int)(uint32_t)r->a[1]);
		break;
	case OPTEE_SMC_RPC_FUNC_FREE:
	case OPTEE_SMC_RPC_FUNC_CMD:
		put(o, " cookie=0x%llx",
		    (unsigned long long)pair(r->a[1], r->a[2]));
		break;
	default:
		break;
	}
	put(o, " thread=%u", (unsigned int)(uint32_t)r->a[3]);
}

/* What an answer's registers mean, by the function answered. */
static void text_answer(struct out *o, const struct teemed_trace_event *ev,
			unsigned int flags)
{
	const struct teemed_regs *r = &ev->regs;
	uint32_t a0 = (uint32_t)r->a[0];

	put(o, " = ");
	switch (ev->fid) {
	case OPTEE_SMC_CALLS_UID:
	case OPTEE_SMC_CALL_GET_OS_UUID:
		put_uuid_regs(o, r);
		return;
	case OPTEE_SMC_CALLS_REVISION:
		put(o, "%u.%u", a0, (unsigned int)(uint32_t)r->a[1]);
		return;
	case OPTEE_SMC_CALL_GET_OS_REVISION:
		put(o, "%u.%u build 0x%x", a0, (unsigned int)(uint32_t)r->a[1],
		    (unsigned int)(uint32_t)r->a[2]);
		return;
	case OPTEE_SMC_CALLS_COUNT:
		put(o, "%u functions", a0);
		return;
	default:
		break;
	}
	if (is_rpc(r->a[0])) {
		text_rpc(o, r);
		return;
	}
	put_name(o, trace_name(TRACE_NAMES_SMC_RETURN, a0), a0);
	if (a0 != OPTEE_SMC_RETURN_OK)
		return;
	switch (ev->fid) {
	case OPTEE_SMC_EXCHANGE_CAPABILITIES:
		put(o, " ");
		put_caps(o, (uint32_t)r->a[1]);
		return;
	case OPTEE_SMC_GET_THREAD_COUNT:
		put(o, " threads=%u", (unsigned int)(uint32_t)r->a[1]);
		return;
	case OPTEE_SMC_DISABLE_SHM_CACHE:
		put(o, " cookie=0x%llx",
		    (unsigned long long)pair(r->a[1], r->a[2]));
		return;
	case OPTEE_SMC_GET_SHM_CONFIG:
		put(o, " start=");
		put_addr(o, (uint32_t)r->a[1], optee_facing(ev), flags);
		put(o, " size=%u", (unsigned int)(uint32_t)r->a[2]);
		return;
	default:
		return;
	}
}

static void text_raw(struct out *o, const struct teemed_trace_event *ev,
		     unsigned int flags)
{
	unsigned int hide =
		(flags & TEEMED_TRACE_FMT_SHOW_PA) ? 0 : pa_regs(ev);

	put(o, " [");
	for (unsigned int i = 0; i < 8; i++) {
		if (hide & (1u << i))
			put(o, "%sa%u=*", i ? " " : "", i);
		else
			put(o, "%sa%u=0x%llx", i ? " " : "", i,
			    (unsigned long long)ev->regs.a[i]);
	}
	put(o, "]");
}

/* ">": from the guest (or to OP-TEE), "<": to the guest (or from it). */
static const char *const text_tags[TEEMED_TRACE_KIND_COUNT] = {
	[TEEMED_TRACE_GUEST_CALL] = "guest>",
	[TEEMED_TRACE_RPC_ANSWER] = "guest>",
	[TEEMED_TRACE_GUEST_MSG] = "msg>",
	[TEEMED_TRACE_OPTEE_CALL] = "tee>",
	[TEEMED_TRACE_OPTEE_ANSWER] = "tee<",
	[TEEMED_TRACE_GUEST_REPLY] = "msg<",
	[TEEMED_TRACE_RPC_MSG] = "rpc<",
	[TEEMED_TRACE_RPC_REPLY] = "rpc>",
	[TEEMED_TRACE_REFUSAL] = "refuse",
	[TEEMED_TRACE_PAUSE] = "pause",
	[TEEMED_TRACE_RPC_TO_GUEST] = "guest<",
	[TEEMED_TRACE_GUEST_ANSWER] = "guest<",
	[TEEMED_TRACE_VM_CREATED] = "vm",
	[TEEMED_TRACE_VM_DESTROY_STEP] = "vm",
	[TEEMED_TRACE_VM_DESTROYED] = "vm",
};

static void text_status(struct out *o, int32_t status)
{
	const char *n = status_name(status);

	if (n)
		put(o, "%s", n);
	else
		put(o, "%d", (int)status);
}

size_t teemed_trace_format(const struct teemed_trace_event *ev, char *buf,
			   size_t len, unsigned int flags)
{
	struct out o;
	char w[24];

	out_init(&o, buf, len);
	who(ev, w, sizeof(w));
	if (ev->kind >= TEEMED_TRACE_KIND_COUNT) {
		put(&o, "%-8s ?      event kind %u", w, (unsigned int)ev->kind);
		return out_end(&o);
	}
	put(&o, "%-8s %-6s ", w, text_tags[ev->kind]);
	switch (ev->kind) {
	case TEEMED_TRACE_GUEST_CALL:
	case TEEMED_TRACE_RPC_ANSWER:
	case TEEMED_TRACE_OPTEE_CALL:
		text_call_args(&o, ev, (uint32_t)ev->regs.a[0], flags);
		if (ev->msg) {
			put(&o, " msg: ");
			text_msg(&o, ev, flags);
		}
		break;
	case TEEMED_TRACE_GUEST_ANSWER:
	case TEEMED_TRACE_OPTEE_ANSWER:
		put_name(&o, trace_name(TRACE_NAMES_FUNCTION, ev->fid),
			 ev->fid);
		text_answer(&o, ev, flags);
		if (ev->msg) {
			put(&o, " msg: ");
			text_msg(&o, ev, flags);
		}
		break;
	case TEEMED_TRACE_RPC_TO_GUEST:
		text_rpc(&o, &ev->regs);
		break;
	case TEEMED_TRACE_GUEST_MSG:
	case TEEMED_TRACE_GUEST_REPLY:
	case TEEMED_TRACE_RPC_MSG:
	case TEEMED_TRACE_RPC_REPLY:
		text_msg(&o, ev, flags);
		break;
	case TEEMED_TRACE_REFUSAL:
		put(&o, "%s", teemed_trace_refusal_name(ev->reason));
		if (ev->cause)
			put(&o, "/%s", teemed_trace_cause_name(ev->cause));
		if (ev->index != TEEMED_TRACE_NO_INDEX)
			put(&o,
			    ev->reason == TEEMED_REFUSED_RESUME ? " thread=%u"
								: " [%u]",
			    (unsigned int)ev->index);
		/* What exactly, where known; else what the reason covers. */
		put(&o, ": %s",
		    ev->cause ? teemed_trace_cause_text(ev->cause)
			      : teemed_trace_refusal_text(ev->reason));
		break;
	case TEEMED_TRACE_PAUSE:
		put(&o,
		    "step budget spent (%llu pages this SMC): RPC "
		    "FOREIGN_INTR, thread %u resumes",
		    (unsigned long long)ev->regs.a[0],
		    (unsigned int)(uint32_t)ev->regs.a[3]);
		break;
	case TEEMED_TRACE_VM_CREATED:
		put(&o, "created = ");
		text_status(&o, ev->status);
		break;
	case TEEMED_TRACE_VM_DESTROY_STEP:
		put(&o, "destroy step = ");
		text_status(&o, ev->status);
		put(&o, " (%llu pages and buffers released)",
		    (unsigned long long)ev->regs.a[0]);
		break;
	default: /* TEEMED_TRACE_VM_DESTROYED */
		put(&o, "destroyed");
		break;
	}
	if (flags & TEEMED_TRACE_FMT_RAW)
		text_raw(&o, ev, flags);
	return out_end(&o);
}

/* --- JSON ----------------------------------------------------------------- */

static void json_hex(struct out *o, const char *key, uint64_t v)
{
	put(o, ",\"%s\":\"0x%llx\"", key, (unsigned long long)v);
}

/* Names are ours (no quotes or controls), so they need no escaping. */
static void json_name(struct out *o, const char *key, const char *name)
{
	if (name)
		put(o, ",\"%s\":\"%s\"", key, name);
}

static void json_addr(struct out *o, const char *key, uint64_t v, bool pa,
		      unsigned int flags)
{
	if (pa && v && !(flags & TEEMED_TRACE_FMT_SHOW_PA))
		put(o, ",\"%s\":\"hidden\"", key);
	else
		json_hex(o, key, v);
}

static void json_param(struct out *o, const struct teemed_trace_event *ev,
		       uint32_t i, unsigned int flags)
{
	struct param p = {0};
	uint32_t type;
	bool pa = optee_facing(ev);

	read_param(ev, i, &p);
	type = (uint32_t)(p.attr & OPTEE_MSG_ATTR_TYPE_MASK);
	put(o, "%s{\"attr\":\"0x%llx\"", i ? "," : "",
	    (unsigned long long)p.attr);
	json_name(o, "type", trace_name(TRACE_NAMES_PARAM_TYPE, type));
	if (p.attr & OPTEE_MSG_ATTR_META)
		put(o, ",\"meta\":true");
	switch (type) {
	case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
		json_hex(o, "a", p.a);
		json_hex(o, "b", p.b);
		json_hex(o, "c", p.c);
		break;
	case OPTEE_MSG_ATTR_TYPE_RMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
		json_hex(o, "offs", p.a);
		json_hex(o, "size", p.b);
		json_hex(o, "cookie", p.c);
		break;
	case OPTEE_MSG_ATTR_TYPE_TMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
		if (p.attr & OPTEE_MSG_ATTR_NONCONTIG)
			put(o, ",\"noncontig\":true");
		json_addr(o, "buf", p.a, pa, flags);
		if (pa)
			json_hex(o, "offset", p.a & 0xfff);
		json_hex(o, "size", p.b);
		json_hex(o, "cookie", p.c);
		break;
	default:
		break;
	}
	put(o, "}");
}

static void json_msg(struct out *o, const struct teemed_trace_event *ev,
		     unsigned int flags)
{
	bool rpc = ev->kind == TEEMED_TRACE_RPC_MSG ||
		   ev->kind == TEEMED_TRACE_RPC_REPLY;
	struct msg_hdr h;

	put(o, ",\"msg\":{\"len\":%u", (unsigned int)ev->msg_len);
	if (!read_hdr(ev, &h)) {
		put(o, ",\"truncated\":true}");
		return;
	}
	put(o, ",\"cmd\":%u", h.cmd);
	json_name(o, "cmd_name",
		  rpc ? trace_name(TRACE_NAMES_RPC_CMD, h.cmd)
		      : trace_name(TRACE_NAMES_CMD, h.cmd));
	put(o, ",\"func\":%u,\"session\":%u,\"cancel_id\":%u", h.func,
	    h.session, h.cancel_id);
	json_hex(o, "ret", h.ret);
	json_name(o, "ret_name", trace_name(TRACE_NAMES_TEE_RESULT, h.ret));
	put(o, ",\"origin\":%u", h.origin);
	json_name(o, "origin_name", trace_name(TRACE_NAMES_ORIGIN, h.origin));
	put(o, ",\"num_params\":%u", h.num_params);
	if (h.shown != h.num_params)
		put(o, ",\"params_present\":%u", h.shown);
	put(o, ",\"params\":[");
	for (uint32_t i = 0; i < h.shown; i++)
		json_param(o, ev, i, flags);
	put(o, "]}");
}

size_t teemed_trace_format_json(const struct teemed_trace_event *ev, char *buf,
				size_t len, unsigned int flags)
{
	unsigned int hide =
		(flags & TEEMED_TRACE_FMT_SHOW_PA) ? 0 : pa_regs(ev);
	uint32_t a0 = (uint32_t)ev->regs.a[0];
	struct out o;

	out_init(&o, buf, len);
	put(&o, "{\"kind\":\"%s\",\"vm\":%u", teemed_trace_kind_name(ev->kind),
	    (unsigned int)ev->client_id);
	if (ev->vcpu != TEEMED_TRACE_NO_VCPU)
		put(&o, ",\"vcpu\":%u", (unsigned int)ev->vcpu);
	switch (ev->kind) {
	case TEEMED_TRACE_GUEST_CALL:
	case TEEMED_TRACE_RPC_ANSWER:
	case TEEMED_TRACE_OPTEE_CALL:
		json_hex(&o, "fid", a0);
		json_name(&o, "func", trace_name(TRACE_NAMES_FUNCTION, a0));
		break;
	case TEEMED_TRACE_GUEST_ANSWER:
	case TEEMED_TRACE_OPTEE_ANSWER:
	case TEEMED_TRACE_RPC_TO_GUEST:
		json_hex(&o, "fid", ev->fid);
		json_name(&o, "func",
			  trace_name(TRACE_NAMES_FUNCTION, ev->fid));
		if (is_rpc(ev->regs.a[0]))
			json_name(&o, "rpc",
				  trace_name(
					  TRACE_NAMES_RPC_FUNC,
					  a0 & OPTEE_SMC_RETURN_RPC_FUNC_MASK));
		else
			json_name(&o, "result",
				  trace_name(TRACE_NAMES_SMC_RETURN, a0));
		break;
	case TEEMED_TRACE_REFUSAL:
		put(&o, ",\"reason\":%u", (unsigned int)ev->reason);
		if (ev->index != TEEMED_TRACE_NO_INDEX)
			put(&o, ",\"%s\":%u",
			    ev->reason == TEEMED_REFUSED_RESUME ? "thread"
								: "param",
			    (unsigned int)ev->index);
		json_name(&o, "reason_name",
			  teemed_trace_refusal_name(ev->reason));
		json_name(&o, "reason_text",
			  teemed_trace_refusal_text(ev->reason));
		if (ev->cause) {
			put(&o, ",\"cause\":%u", (unsigned int)ev->cause);
			json_name(&o, "cause_name",
				  teemed_trace_cause_name(ev->cause));
			json_name(&o, "cause_text",
				  teemed_trace_cause_text(ev->cause));
		}
		break;
	case TEEMED_TRACE_PAUSE:
		put(&o, ",\"pages\":%llu,\"thread\":%u",
		    (unsigned long long)ev->regs.a[0],
		    (unsigned int)(uint32_t)ev->regs.a[3]);
		break;
	case TEEMED_TRACE_VM_CREATED:
	case TEEMED_TRACE_VM_DESTROY_STEP:
	case TEEMED_TRACE_VM_DESTROYED:
		put(&o, ",\"status\":%d", (int)ev->status);
		json_name(&o, "status_name", status_name(ev->status));
		if (ev->kind == TEEMED_TRACE_VM_DESTROY_STEP)
			put(&o, ",\"released\":%llu",
			    (unsigned long long)ev->regs.a[0]);
		break;
	default:
		break;
	}
	switch (ev->kind) {
	case TEEMED_TRACE_GUEST_CALL:
	case TEEMED_TRACE_RPC_ANSWER:
	case TEEMED_TRACE_OPTEE_CALL:
	case TEEMED_TRACE_GUEST_ANSWER:
	case TEEMED_TRACE_OPTEE_ANSWER:
	case TEEMED_TRACE_RPC_TO_GUEST:
		put(&o, ",\"regs\":[");
		for (unsigned int i = 0; i < 8; i++) {
			if (hide & (1u << i))
				put(&o, "%s\"hidden\"", i ? "," : "");
			else
				put(&o, "%s\"0x%llx\"", i ? "," : "",
				    (unsigned long long)ev->regs.a[i]);
		}
		put(&o, "]");
		break;
	default:
		break;
	}
	if (ev->msg)
		json_msg(&o, ev, flags);
	put(&o, "}");
	return out_end(&o);
}
