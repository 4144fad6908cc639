/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The secure-world model: SMC entry as TF-A's opteed and OP-TEE's
 * thread_handle_{fast,std}_smc see it, the fast calls (spec §2), VM
 * partitions (§7), and the thread engine that runs yielding calls and
 * their RPCs (§2.6-2.9, §2.21, §6).
 *
 * A yielding call runs on a thread of the caller's partition. The
 * thread is a continuation: its phase, the RPC it waits on, the command
 * step and the TA's own step. An SMC runs the thread until it needs the
 * normal world (an RPC exit, a0 = 0xFFFF00xx, a3 = thread index) or the
 * call ends; the whole SMC is served under the model's one mutex, which
 * is never held while waiting for anything.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "optee_model_private.h"

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the model reads OP-TEE's little-endian structures in place"
#endif
#endif

#define OPTEE_OWNER_FIRST     50u /* TF-A routes owners 50..63 to OP-TEE */
#define CALLS_COUNT_BASE      12u
#define CALLS_COUNT_VIRT      2u
#define NOTIF_SYNC_VALUE_BASE 64u
#define ARG_OFF_RET	      0x14u
#define ARG_OFF_NUM_PARAMS    0x1Cu
#define PARAM_OFF(i)	      (32u + 32u * (uint64_t)(i))

static uint32_t lo32(uint64_t v)
{
	return (uint32_t)v;
}

static uint64_t pair(uint64_t hi, uint64_t lo)
{
	return (uint64_t)lo32(hi) << 32 | lo32(lo);
}

void optee_model_default_config(struct optee_model_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->threads = 4;
	cfg->max_partitions = 8;
	cfg->sec_caps = OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM |
			OPTEE_SMC_SEC_CAP_DYNAMIC_SHM |
			OPTEE_SMC_SEC_CAP_VIRTUALIZATION |
			OPTEE_SMC_SEC_CAP_MEMREF_NULL |
			OPTEE_SMC_SEC_CAP_ASYNC_NOTIF |
			OPTEE_SMC_SEC_CAP_RPC_ARG;
	cfg->virtualization = true;
	cfg->msg_major = OPTEE_MSG_REVISION_MAJOR;
	cfg->os_major = 4;
	cfg->os_minor = 10;
	cfg->prealloc_rpc_cache = true;
}

/* ------------------------------------------------------------------ */
/* Partitions                                                          */

static bool part_init(struct optee_model *sw, struct model_part *p, uint16_t id)
{
	memset(p, 0, sizeof(*p));
	p->threads = calloc(sw->cfg.threads, sizeof(*p->threads));
	if (!p->threads)
		return false;
	for (uint32_t i = 0; i < sw->cfg.threads; i++)
		p->threads[i].index = i;
	p->used = true;
	p->id = id;
	p->seq = ++sw->part_seq;
	return true;
}

/* Everything of the partition goes; no normal-world memory is touched. */
static void part_fini(struct model_part *p)
{
	optee_model_obj_drop_all(p);
	optee_model_sessions_free(p);
	free(p->threads);
	memset(p, 0, sizeof(*p));
}

/* Duplicated ids are legal in OP-TEE: the newest partition wins. */
static struct model_part *part_find(struct optee_model *sw, uint16_t id)
{
	struct model_part *best = NULL;

	for (uint32_t i = 0; i < sw->nparts; i++) {
		struct model_part *p = &sw->parts[i];

		if (p->used && p->id == id && (!best || p->seq > best->seq))
			best = p;
	}
	return best;
}

/* The partition a host-side query about VM `id` looks at (lock held). */
static struct model_part *part_of_vm(struct optee_model *sw, uint16_t id)
{
	return sw->cfg.virtualization ? part_find(sw, id) : &sw->parts[0];
}

static bool part_idle(struct optee_model *sw, const struct model_part *p)
{
	for (uint32_t i = 0; i < sw->cfg.threads; i++)
		if (p->threads[i].busy)
			return false;
	return true;
}

static bool cache_effective(struct optee_model *sw, const struct model_part *p)
{
	return sw->cfg.prealloc_rpc_cache && p->cache_on;
}

struct optee_model *optee_model_create(struct machine *m, struct oracle *o,
				       const struct optee_model_config *cfg)
{
	struct optee_model *sw;

	if (!m || !o || !cfg || !cfg->threads ||
	    (cfg->virtualization && !cfg->max_partitions))
		return NULL;
	sw = calloc(1, sizeof(*sw));
	if (!sw)
		return NULL;
	sw->m = m;
	sw->o = o;
	sw->cfg = *cfg;
	sw->nparts = cfg->virtualization ? cfg->max_partitions : 1;
	sw->parts = calloc(sw->nparts, sizeof(*sw->parts));
	if (!sw->parts || pthread_mutex_init(&sw->mu, NULL) != 0) {
		free(sw->parts);
		free(sw);
		return NULL;
	}
	/* Without virtualization there is one context, whatever a7 says. */
	if (!cfg->virtualization && !part_init(sw, &sw->parts[0], 0)) {
		optee_model_destroy(sw);
		return NULL;
	}
	return sw;
}

void optee_model_destroy(struct optee_model *sw)
{
	if (!sw)
		return;
	for (uint32_t i = 0; i < sw->nparts; i++)
		if (sw->parts[i].used)
			part_fini(&sw->parts[i]);
	pthread_mutex_destroy(&sw->mu);
	free(sw->parts);
	free(sw);
}

/* ------------------------------------------------------------------ */
/* Fast calls                                                          */

typedef void (*fast_fn)(struct optee_model *sw, struct model_part *part,
			struct teemed_regs *r);

static void fast_calls_count(struct optee_model *sw, struct model_part *part,
			     struct teemed_regs *r)
{
	(void)part;
	r->a[0] = CALLS_COUNT_BASE +
		  (sw->cfg.virtualization ? CALLS_COUNT_VIRT : 0);
}

static void fast_calls_uid(struct optee_model *sw, struct model_part *part,
			   struct teemed_regs *r)
{
	(void)part;
	r->a[0] = OPTEE_MSG_UID_0 ^ (sw->cfg.wrong_uid ? 0x1u : 0u);
	r->a[1] = OPTEE_MSG_UID_1;
	r->a[2] = OPTEE_MSG_UID_2;
	r->a[3] = OPTEE_MSG_UID_3;
}

static void fast_calls_revision(struct optee_model *sw, struct model_part *part,
				struct teemed_regs *r)
{
	(void)part;
	r->a[0] = sw->cfg.msg_major;
	r->a[1] = OPTEE_MSG_REVISION_MINOR;
}

static void fast_os_uuid(struct optee_model *sw, struct model_part *part,
			 struct teemed_regs *r)
{
	(void)sw;
	(void)part;
	r->a[0] = OPTEE_MSG_OS_OPTEE_UUID_0;
	r->a[1] = OPTEE_MSG_OS_OPTEE_UUID_1;
	r->a[2] = OPTEE_MSG_OS_OPTEE_UUID_2;
	r->a[3] = OPTEE_MSG_OS_OPTEE_UUID_3;
}

static void fast_os_revision(struct optee_model *sw, struct model_part *part,
			     struct teemed_regs *r)
{
	(void)part;
	r->a[0] = sw->cfg.os_major;
	r->a[1] = sw->cfg.os_minor;
	r->a[2] = 0; /* no build id */
}

/* §12: reserved SHM exists per guest only; the hypervisor sees none. */
static void fast_shm_config(struct optee_model *sw, struct model_part *part,
			    struct teemed_regs *r)
{
	(void)part;
	if (!(sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM)) {
		r->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
		return;
	}
	r->a[0] = OPTEE_SMC_RETURN_OK;
	r->a[1] = 0;
	r->a[2] = 0;
	r->a[3] = OPTEE_SMC_SHM_CACHED;
}

static void fast_exchange_caps(struct optee_model *sw, struct model_part *part,
			       struct teemed_regs *r)
{
	uint32_t caps = sw->cfg.sec_caps;

	(void)part;
	/* Refused: a1..a3 come back as they went in. */
	if (lo32(r->a[1]) & ~OPTEE_SMC_NSEC_CAP_UNIPROCESSOR) {
		r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		return;
	}
	r->a[0] = OPTEE_SMC_RETURN_OK;
	r->a[1] = caps;
	if (caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)
		r->a[2] = NOTIF_SYNC_VALUE_BASE + sw->cfg.threads;
	if (caps & OPTEE_SMC_SEC_CAP_RPC_ARG)
		r->a[3] = OPTEE_RPC_MAX_NUM_PARAMS;
}

/*
 * One cached RPC arg per call. OP-TEE writes the whole 64-bit cookie
 * into x2 (spec §1.3); the model does the same, so a mediator must mask.
 */
static void fast_disable_cache(struct optee_model *sw, struct model_part *part,
			       struct teemed_regs *r)
{
	if (!part) {
		r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		return;
	}
	if (!part_idle(sw, part)) {
		r->a[0] = OPTEE_SMC_RETURN_EBUSY;
		return;
	}
	if (sw->cfg.prealloc_rpc_cache) {
		for (uint32_t i = 0; i < sw->cfg.threads; i++) {
			struct model_thread *t = &part->threads[i];
			uint64_t cookie;

			if (!t->rpc_obj)
				continue;
			cookie = t->rpc_obj->cookie;
			optee_model_obj_put(part, t->rpc_obj);
			t->rpc_obj = NULL;
			/* A cookie of 0 reads as "empty"; the cache stays on.
			 */
			if (!cookie) {
				r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
				return;
			}
			r->a[0] = OPTEE_SMC_RETURN_OK;
			r->a[1] = cookie >> 32;
			r->a[2] = cookie;
			return;
		}
	}
	part->cache_on = false;
	r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
}

static void fast_enable_cache(struct optee_model *sw, struct model_part *part,
			      struct teemed_regs *r)
{
	if (!part) {
		r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		return;
	}
	if (!sw->cfg.prealloc_rpc_cache) {
		r->a[0] = OPTEE_SMC_RETURN_OK;
		return;
	}
	if (!part_idle(sw, part)) {
		r->a[0] = OPTEE_SMC_RETURN_EBUSY;
		return;
	}
	part->cache_on = true;
	r->a[0] = OPTEE_SMC_RETURN_OK;
}

static void fast_boot_secondary(struct optee_model *sw, struct model_part *part,
				struct teemed_regs *r)
{
	(void)sw;
	(void)part;
	r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
}

static void fast_thread_count(struct optee_model *sw, struct model_part *part,
			      struct teemed_regs *r)
{
	(void)part;
	r->a[0] = OPTEE_SMC_RETURN_OK;
	r->a[1] = sw->cfg.threads;
}

static void fast_vm_created(struct optee_model *sw, struct model_part *part,
			    struct teemed_regs *r)
{
	uint16_t id = (uint16_t)r->a[1];

	(void)part;
	r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
	if (id == OPTEE_HYP_CLNT_ID || lo32(r->a[7]) != OPTEE_HYP_CLNT_ID)
		return;
	/* No check for a live partition of that id, as in OP-TEE. */
	for (uint32_t i = 0; i < sw->nparts; i++) {
		if (!sw->parts[i].used) {
			if (part_init(sw, &sw->parts[i], id))
				r->a[0] = OPTEE_SMC_RETURN_OK;
			return;
		}
	}
}

static void fast_vm_destroyed(struct optee_model *sw, struct model_part *part,
			      struct teemed_regs *r)
{
	struct model_part *victim;

	(void)part;
	if (lo32(r->a[7]) != OPTEE_HYP_CLNT_ID) {
		r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		return;
	}
	/*
	 * Calls of the VM cannot be executing here (each SMC is served
	 * whole under the lock); suspended ones vanish with the partition.
	 */
	victim = part_find(sw, (uint16_t)r->a[1]);
	if (victim)
		part_fini(victim);
	r->a[0] = OPTEE_SMC_RETURN_OK;
}

/*
 * notif_deliver_atomic_event(STARTED, a7): the partition a7 names, none
 * for the hypervisor; OK either way.
 */
static void fast_async_enable(struct optee_model *sw, struct model_part *part,
			      struct teemed_regs *r)
{
	if (!(sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)) {
		r->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
		return;
	}
	if (part)
		part->notif_started = true;
	r->a[0] = OPTEE_SMC_RETURN_OK;
}

/*
 * notif_get_value(): the lowest pending value of the calling partition,
 * with VALID, and PENDING if more remain; nothing for the hypervisor.
 */
static void fast_async_value(struct optee_model *sw, struct model_part *part,
			     struct teemed_regs *r)
{
	uint64_t *bits = part ? &part->notif_values : NULL;
	uint32_t v = 0;

	if (!(sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)) {
		r->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
		return;
	}
	r->a[0] = OPTEE_SMC_RETURN_OK;
	r->a[1] = 0;
	r->a[2] = 0;
	if (!bits || !*bits)
		return;
	while (!(*bits & (1ull << v)))
		v++;
	*bits &= ~(1ull << v);
	r->a[1] = v;
	r->a[2] = OPTEE_SMC_ASYNC_NOTIF_VALID |
		  (*bits ? OPTEE_SMC_ASYNC_NOTIF_PENDING : 0);
}

/* notif_send_async(): the value is the partition's; one interrupt. */
bool optee_model_notif_send(struct optee_model *sw, struct model_part *part,
			    uint32_t value)
{
	if (value > OPTEE_NOTIF_ASYNC_VALUE_MAX || !part ||
	    !(sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF))
		return false;
	part->notif_values |= 1ull << value;
	sw->irq_raised = true;
	sw->st.notif_sent++;
	sw->st.notif_irqs++;
	return true;
}

bool optee_model_notify_vm(struct optee_model *sw, uint16_t vm_id,
			   uint32_t value)
{
	bool ok;

	pthread_mutex_lock(&sw->mu);
	ok = optee_model_notif_send(sw, part_find(sw, vm_id), value);
	pthread_mutex_unlock(&sw->mu);
	return ok;
}

bool optee_model_take_irq(struct optee_model *sw)
{
	bool raised;

	pthread_mutex_lock(&sw->mu);
	raised = sw->irq_raised;
	sw->irq_raised = false;
	pthread_mutex_unlock(&sw->mu);
	return raised;
}

uint64_t optee_model_vm_bottom_halves(struct optee_model *sw, uint16_t vm_id)
{
	struct model_part *p;
	uint64_t n = 0;

	pthread_mutex_lock(&sw->mu);
	p = part_of_vm(sw, vm_id);
	if (p)
		n = p->bottom_halves;
	pthread_mutex_unlock(&sw->mu);
	return n;
}

uint64_t optee_model_vm_notif_pending(struct optee_model *sw, uint16_t vm_id)
{
	struct model_part *p;
	uint64_t bits = 0;

	pthread_mutex_lock(&sw->mu);
	p = part_of_vm(sw, vm_id);
	if (p)
		bits = p->notif_values;
	pthread_mutex_unlock(&sw->mu);
	return bits;
}

static const struct {
	uint32_t id;
	bool virt_only; /* compiled only with CFG_NS_VIRTUALIZATION */
	fast_fn run;
} fast_calls[] = {
	{OPTEE_SMC_CALLS_COUNT, false, fast_calls_count},
	{OPTEE_SMC_CALLS_UID, false, fast_calls_uid},
	{OPTEE_SMC_CALLS_REVISION, false, fast_calls_revision},
	{OPTEE_SMC_CALL_GET_OS_UUID, false, fast_os_uuid},
	{OPTEE_SMC_CALL_GET_OS_REVISION, false, fast_os_revision},
	{OPTEE_SMC_GET_SHM_CONFIG, false, fast_shm_config},
	{OPTEE_SMC_EXCHANGE_CAPABILITIES, false, fast_exchange_caps},
	{OPTEE_SMC_DISABLE_SHM_CACHE, false, fast_disable_cache},
	{OPTEE_SMC_ENABLE_SHM_CACHE, false, fast_enable_cache},
	{OPTEE_SMC_BOOT_SECONDARY, false, fast_boot_secondary},
	{OPTEE_SMC_GET_THREAD_COUNT, false, fast_thread_count},
	{OPTEE_SMC_VM_CREATED, true, fast_vm_created},
	{OPTEE_SMC_VM_DESTROYED, true, fast_vm_destroyed},
	{OPTEE_SMC_ENABLE_ASYNC_NOTIF, false, fast_async_enable},
	{OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, false, fast_async_value},
	/* L2CC_MUTEX (AArch64) and GET_PROTMEM_CONFIG: not built. */
};

/*
 * §7.3: the client id selects the partition; 0 is the hypervisor.
 * Returns false (ENOTAVAIL) for an unknown id.
 */
static bool admit(struct optee_model *sw, uint64_t a7, bool yielding,
		  struct model_part **part)
{
	uint16_t id = (uint16_t)a7;

	*part = NULL;
	if (!sw->cfg.virtualization) {
		*part = &sw->parts[0];
		return true;
	}
	if (id == OPTEE_HYP_CLNT_ID)
		return !yielding;
	*part = part_find(sw, id);
	return *part != NULL;
}

static void fast_call(struct optee_model *sw, struct teemed_regs *r)
{
	uint32_t fn = lo32(r->a[0]);
	struct model_part *part;

	if (!admit(sw, r->a[7], false, &part)) {
		r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		return;
	}
	for (size_t i = 0; i < sizeof(fast_calls) / sizeof(fast_calls[0]);
	     i++) {
		if (fast_calls[i].id != fn)
			continue;
		if (fast_calls[i].virt_only && !sw->cfg.virtualization)
			break;
		fast_calls[i].run(sw, part, r);
		return;
	}
	r->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
}

/* ------------------------------------------------------------------ */
/* The RPC layer: what thread_rpc_* do in OP-TEE                       */

static void emit(struct model_thread *t, struct teemed_regs *r, uint32_t a0,
		 uint64_t v, enum model_wait wait)
{
	r->a[0] = a0;
	r->a[1] = v >> 32;
	r->a[2] = lo32(v);
	r->a[3] = t->index;
	t->wait = wait;
}

/* Where this thread's RPC message lives, and the cookie RPC_CMD names. */
static bool rpc_arg_where(struct model_thread *t, struct model_obj **obj,
			  uint64_t *off, uint64_t *carg)
{
	if (t->call_rpc_arg) {
		*obj = t->arg_obj;
		*off = t->rpc_off;
		*carg = 0;
		return true;
	}
	if (t->rpc_obj) {
		*obj = t->rpc_obj;
		*off = 0;
		*carg = t->rpc_obj->cookie;
		return true;
	}
	return false;
}

static void rpc_done(struct model_ctx *c, uint32_t ret)
{
	struct model_rpc_req *rq = &c->t->req;

	rq->ret = ret;
	/* An SHM_FREE drops its object even when the RPC cannot be sent. */
	if (rq->kind == MODEL_RQ_SHM_FREE && rq->shm) {
		optee_model_obj_put(c->part, rq->shm);
		rq->shm = NULL;
	}
	c->t->req_pending = false;
}

/* §6.4: zero the message, cmd, num_params, ret = GENERIC, params. */
static uint32_t rpc_msg_write(struct model_ctx *c, struct model_obj *obj,
			      uint64_t off, const struct model_rpc_req *rq)
{
	struct optee_msg_param mp[OPTEE_RPC_MAX_NUM_PARAMS];
	struct optee_msg_arg hdr;
	uint32_t n = rq->num_params;

	if (n > OPTEE_RPC_MAX_NUM_PARAMS)
		return TEEC_ERROR_BAD_PARAMETERS;
	memset(&hdr, 0, sizeof(hdr));
	memset(mp, 0, sizeof(mp));
	hdr.cmd = rq->cmd;
	hdr.num_params = n;
	hdr.ret = TEEC_ERROR_GENERIC;
	for (uint32_t i = 0; i < n; i++) {
		const struct model_param *p = &rq->params[i];

		if (model_pt_is_value(p->type)) {
			mp[i].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT + p->type -
				     MODEL_PT_VALUE_IN;
			mp[i].u.value.a = p->a;
			mp[i].u.value.b = p->b;
			mp[i].u.value.c = p->c;
		} else if (model_pt_is_mem(p->type) && !p->obj) {
			mp[i].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT + p->type -
				     MODEL_PT_MEM_IN;
			mp[i].u.tmem.size = p->size;
		} else if (model_pt_is_mem(p->type)) {
			/* Dynamic SHM goes by cookie; 0 cannot name it. */
			if (!p->obj->cookie)
				return TEEC_ERROR_BAD_PARAMETERS;
			mp[i].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + p->type -
				     MODEL_PT_MEM_IN;
			mp[i].u.rmem.offs = p->offs;
			mp[i].u.rmem.size = p->size;
			mp[i].u.rmem.shm_ref = p->obj->cookie;
		}
	}
	if (!optee_model_obj_access(c->sw, obj, off, &hdr, sizeof(hdr), true,
				    "RPC arg") ||
	    !optee_model_obj_access(c->sw, obj, off + sizeof(hdr), mp,
				    sizeof(mp[0]) * n, true, "RPC arg"))
		return TEEC_ERROR_COMMUNICATION;
	return TEEC_SUCCESS;
}

/* Issue the pending request; false when it completed without an exit. */
static bool rpc_issue(struct model_ctx *c, struct teemed_regs *r)
{
	struct model_thread *t = c->t;
	struct model_rpc_req *rq = &t->req;
	struct model_obj *obj = NULL;
	uint64_t off = 0, carg = 0;
	uint32_t res;

	if (rq->kind == MODEL_RQ_INTR) {
		emit(t, r, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, MODEL_W_INTR);
		return true;
	}
	if (!rpc_arg_where(t, &obj, &off, &carg)) {
		emit(t, r, OPTEE_SMC_RETURN_RPC_ALLOC, 0, MODEL_W_ALLOC);
		r->a[1] = MODEL_RPC_ARG_SIZE; /* a size, not a register pair */
		return true;
	}
	res = rpc_msg_write(c, obj, off, rq);
	if (rq->kind == MODEL_RQ_SHM_FREE && rq->shm) {
		optee_model_obj_put(c->part, rq->shm);
		rq->shm = NULL;
	}
	if (res) {
		rpc_done(c, res);
		return false;
	}
	emit(t, r, OPTEE_SMC_RETURN_RPC_CMD, carg, MODEL_W_CMD);
	return true;
}

/* The answer to RPC_ALLOC: a1:a2 = PA, a4:a5 = cookie (§6.2). */
static bool alloc_answer(struct model_ctx *c, struct teemed_regs *r)
{
	struct model_thread *t = c->t;
	uint64_t pa = pair(t->res[0], t->res[1]);
	uint64_t cookie = pair(t->res[2], t->res[3]);
	struct model_obj *obj = NULL;

	if (!(pa & 7) && (c->sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM))
		obj = optee_model_obj_page(c->sw, c->part, MODEL_OBJ_RPC_ARG,
					   pa, cookie);
	if (obj) {
		t->rpc_obj = obj; /* the request is issued again */
		return false;
	}
	if (cookie) {
		emit(t, r, OPTEE_SMC_RETURN_RPC_FREE, cookie,
		     MODEL_W_ALLOC_FREE);
		return true;
	}
	rpc_done(c, TEEC_ERROR_OUT_OF_MEMORY);
	return false;
}

static bool msg_read(struct model_ctx *c, uint64_t off, void *buf, uint64_t len)
{
	struct model_obj *obj = NULL;
	uint64_t base = 0, carg = 0;

	return rpc_arg_where(c->t, &obj, &base, &carg) &&
	       optee_model_obj_access(c->sw, obj, base + off, buf, len, false,
				      "RPC arg");
}

/* get_rpc_alloc_res: the exact checks of §6.7 on an SHM_ALLOC reply. */
static bool shm_alloc_answer(struct model_ctx *c, struct teemed_regs *r,
			     uint32_t ret)
{
	struct model_thread *t = c->t;
	struct model_rpc_req *rq = &t->req;
	struct optee_msg_param mp;
	struct model_obj *pobj = NULL, *obj = NULL;
	uint32_t np;
	uint64_t off = 0, carg = 0;

	if (ret || !msg_read(c, ARG_OFF_NUM_PARAMS, &np, sizeof(np)) ||
	    np != 1 || !msg_read(c, PARAM_OFF(0), &mp, sizeof(mp)) ||
	    mp.u.tmem.size < rq->shm_size)
		goto fail;
	if (mp.attr == OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT) {
		if (!(mp.u.tmem.buf_ptr & MODEL_PAGE_MASK) &&
		    mp.u.tmem.size <= MODEL_PAGE_SIZE &&
		    (c->sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM))
			pobj = optee_model_obj_page(
				c->sw, c->part, MODEL_OBJ_PAYLOAD,
				mp.u.tmem.buf_ptr, mp.u.tmem.shm_ref);
	} else if (mp.attr == (OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
			       OPTEE_MSG_ATTR_NONCONTIG)) {
		pobj = optee_model_obj_from_list(
			c->sw, c->part, MODEL_OBJ_PAYLOAD, mp.u.tmem.buf_ptr,
			mp.u.tmem.size, mp.u.tmem.shm_ref);
	} else {
		goto fail;
	}
	if (pobj) {
		rq->shm = pobj;
		rpc_done(c, TEEC_SUCCESS);
		return false;
	}
	/*
	 * Well-formed but unusable memory: OP-TEE tells the normal world
	 * to free it (SHM_FREE of the returned cookie) before failing.
	 */
	rq->cmd = OPTEE_RPC_CMD_SHM_FREE;
	rq->num_params = 1;
	memset(rq->params, 0, sizeof(rq->params));
	rq->params[0].type = MODEL_PT_VALUE_IN;
	rq->params[0].a = rq->shm_type;
	rq->params[0].b = mp.u.tmem.shm_ref;
	if (!rpc_arg_where(t, &obj, &off, &carg) ||
	    rpc_msg_write(c, obj, off, rq))
		goto fail;
	emit(t, r, OPTEE_SMC_RETURN_RPC_CMD, carg, MODEL_W_REFUSED_FREE);
	return true;
fail:
	rpc_done(c, TEEC_ERROR_OUT_OF_MEMORY);
	return false;
}

/* §6.4: read back ret, value a/b/c of value outputs, memref sizes. */
static bool cmd_answer(struct model_ctx *c, struct teemed_regs *r)
{
	struct model_rpc_req *rq = &c->t->req;
	uint32_t ret;

	/* thread_rpc_free does not look at the answer at all. */
	if (rq->kind == MODEL_RQ_SHM_FREE) {
		rpc_done(c, TEEC_SUCCESS);
		return false;
	}
	if (!msg_read(c, ARG_OFF_RET, &ret, sizeof(ret)))
		ret = TEEC_ERROR_GENERIC;
	if (rq->kind == MODEL_RQ_SHM_ALLOC)
		return shm_alloc_answer(c, r, ret);
	for (uint32_t i = 0; i < rq->num_params; i++) {
		struct model_param *p = &rq->params[i];
		uint64_t v[3];

		if (!model_pt_is_out(p->type))
			continue;
		if (model_pt_is_value(p->type)) {
			if (msg_read(c, PARAM_OFF(i) + 8, v, sizeof(v))) {
				p->a = v[0];
				p->b = v[1];
				p->c = v[2];
			}
		} else if (msg_read(c, PARAM_OFF(i) + 16, v, sizeof(v[0]))) {
			p->size = v[0];
		}
	}
	rpc_done(c, ret);
	return false;
}

/* ------------------------------------------------------------------ */
/* The thread engine                                                   */

static uint32_t read_header(struct model_ctx *c, bool with_rpc_arg)
{
	struct model_thread *t = c->t;
	struct model_obj *obj = t->arg_obj;
	uint64_t off = t->arg_off, sz;
	struct optee_msg_arg hdr;

	if (off > obj->size || obj->size - off < sizeof(hdr) ||
	    ((obj->page_offset + off) & 7))
		return OPTEE_SMC_RETURN_EBADADDR;
	if (!optee_model_obj_access(c->sw, obj, off, &hdr, sizeof(hdr), false,
				    "call arg") ||
	    hdr.num_params > OPTEE_MSG_MAX_NUM_PARAMS)
		return OPTEE_SMC_RETURN_EBADADDR;
	sz = OPTEE_MSG_GET_ARG_SIZE(hdr.num_params);
	if (obj->size - off < sz)
		return OPTEE_SMC_RETURN_EBADADDR;
	if (with_rpc_arg) {
		if (obj->size - off - sz < MODEL_RPC_ARG_SIZE)
			return OPTEE_SMC_RETURN_EBADADDR;
		t->call_rpc_arg = true;
		t->rpc_off = off + sz;
	}
	t->cmd = hdr.cmd;
	t->func = hdr.func;
	t->session = hdr.session;
	t->num_params = hdr.num_params;
	return OPTEE_SMC_RETURN_OK;
}

/* std_entry_with_parg, dynamic case: one page, 4 KiB aligned. */
static uint32_t enter_parg(struct model_ctx *c, bool with_rpc_arg)
{
	struct model_thread *t = c->t;
	uint64_t parg = pair(t->a1, t->a2);

	if (!(c->sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM) ||
	    (parg & MODEL_PAGE_MASK))
		return OPTEE_SMC_RETURN_EBADADDR;
	t->arg_obj =
		optee_model_obj_page(c->sw, c->part, MODEL_OBJ_ARG, parg, 0);
	if (!t->arg_obj)
		return OPTEE_SMC_RETURN_EBADADDR;
	t->arg_off = 0;
	return read_header(c, with_rpc_arg);
}

/* std_entry_with_regd_arg: any object of that cookie, newest first. */
static uint32_t enter_regd(struct model_ctx *c)
{
	struct model_thread *t = c->t;
	struct model_obj *obj =
		optee_model_obj_find(c->part, pair(t->a1, t->a2));

	if (!obj)
		return OPTEE_SMC_RETURN_EBADADDR;
	obj->refs++;
	t->arg_obj = obj;
	t->arg_off = lo32(t->a3);
	return read_header(c, true);
}

static uint32_t call_enter(struct model_ctx *c)
{
	bool rpc_arg = c->sw->cfg.sec_caps & OPTEE_SMC_SEC_CAP_RPC_ARG;

	switch (c->t->fn) {
	case OPTEE_SMC_CALL_WITH_ARG:
		return enter_parg(c, false);
	case OPTEE_SMC_CALL_WITH_RPC_ARG:
		return rpc_arg ? enter_parg(c, true) : OPTEE_SMC_RETURN_EBADCMD;
	case OPTEE_SMC_CALL_WITH_REGD_ARG:
		return rpc_arg ? enter_regd(c) : OPTEE_SMC_RETURN_EBADCMD;
	default:
		return OPTEE_SMC_RETURN_EBADCMD;
	}
}

static void call_exit(struct model_ctx *c)
{
	struct model_thread *t = c->t;

	if (t->arg_obj)
		optee_model_obj_put(c->part, t->arg_obj);
	t->arg_obj = NULL;
	t->call_rpc_arg = false;
	t->busy = false;
	c->sw->st.std_calls_done++;
}

/*
 * clear_prealloc_rpc_cache: RPC_FREE while the buffer is still mapped,
 * then drop it. False when nothing needed the normal world.
 */
static bool rpc_arg_free(struct model_ctx *c, struct teemed_regs *r)
{
	struct model_thread *t = c->t;

	if (!t->rpc_obj)
		return false;
	if (!t->rpc_obj->cookie) {
		optee_model_obj_put(c->part, t->rpc_obj);
		t->rpc_obj = NULL;
		return false;
	}
	emit(t, r, OPTEE_SMC_RETURN_RPC_FREE, t->rpc_obj->cookie,
	     MODEL_W_ARG_FREE);
	return true;
}

/* Runs the thread; true when it stopped in an RPC exit. */
static bool thread_run(struct model_ctx *c, struct teemed_regs *r)
{
	struct optee_model *sw = c->sw;
	struct model_thread *t = c->t;

	for (;;) {
		if (t->req_pending) {
			if (rpc_issue(c, r))
				return true;
			continue;
		}
		switch (t->phase) {
		case MODEL_PH_ENTER:
			t->result = call_enter(c);
			if (t->result != OPTEE_SMC_RETURN_OK) {
				sw->st.bad_requests++;
				t->phase = MODEL_PH_EXIT;
			} else {
				t->phase = MODEL_PH_PRECLEAR;
			}
			break;
		case MODEL_PH_PRECLEAR:
			if (t->call_rpc_arg && cache_effective(sw, c->part) &&
			    rpc_arg_free(c, r))
				return true;
			t->phase = MODEL_PH_COMMAND;
			break;
		case MODEL_PH_COMMAND:
			if (optee_model_cmd_step(c) == MODEL_CMD_RPC)
				t->req_pending = true;
			else
				t->phase = MODEL_PH_ENDCLEAR;
			break;
		case MODEL_PH_ENDCLEAR:
			/* After EBADCMD the RPC arg stays with the thread. */
			if (t->result == OPTEE_SMC_RETURN_OK &&
			    !cache_effective(sw, c->part) && rpc_arg_free(c, r))
				return true;
			t->phase = MODEL_PH_EXIT;
			break;
		case MODEL_PH_EXIT:
			call_exit(c);
			return false;
		}
	}
}

static bool thread_resume(struct model_ctx *c, struct teemed_regs *r)
{
	struct model_thread *t = c->t;
	enum model_wait w = t->wait;

	t->wait = MODEL_W_NONE;
	switch (w) {
	case MODEL_W_NONE:
	case MODEL_W_INTR:
		rpc_done(c, TEEC_SUCCESS);
		break;
	case MODEL_W_ALLOC:
		if (alloc_answer(c, r))
			return true;
		break;
	case MODEL_W_ALLOC_FREE:
	case MODEL_W_REFUSED_FREE:
		rpc_done(c, TEEC_ERROR_OUT_OF_MEMORY);
		break;
	case MODEL_W_CMD:
		if (cmd_answer(c, r))
			return true;
		break;
	case MODEL_W_ARG_FREE:
		optee_model_obj_put(c->part, t->rpc_obj);
		t->rpc_obj = NULL;
		t->phase++; /* PRECLEAR -> COMMAND, ENDCLEAR -> EXIT */
		break;
	}
	return thread_run(c, r);
}

static void thread_start(struct model_thread *t, const struct teemed_regs *r)
{
	t->busy = true;
	t->wait = MODEL_W_NONE;
	t->fn = lo32(r->a[0]);
	t->a1 = lo32(r->a[1]);
	t->a2 = lo32(r->a[2]);
	t->a3 = lo32(r->a[3]);
	t->phase = MODEL_PH_ENTER;
	t->result = OPTEE_SMC_RETURN_OK;
	t->arg_obj = NULL;
	t->call_rpc_arg = false;
	t->cmd_step = 0;
	t->ta_nparams = 0;
	t->req_pending = false;
	memset(&t->ta, 0, sizeof(t->ta));
}

static void std_call(struct optee_model *sw, struct teemed_regs *r)
{
	struct model_ctx c = {.sw = sw};
	bool rpc;

	if (!admit(sw, r->a[7], true, &c.part)) {
		r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		return;
	}
	if (lo32(r->a[0]) == OPTEE_SMC_CALL_RETURN_FROM_RPC) {
		uint32_t idx = lo32(r->a[3]);

		if (idx >= sw->cfg.threads || !c.part->threads[idx].busy) {
			sw->st.bad_requests++;
			r->a[0] = OPTEE_SMC_RETURN_ERESUME;
			return;
		}
		c.t = &c.part->threads[idx];
		c.t->res[0] = lo32(r->a[1]);
		c.t->res[1] = lo32(r->a[2]);
		c.t->res[2] = lo32(r->a[4]);
		c.t->res[3] = lo32(r->a[5]);
		rpc = thread_resume(&c, r);
	} else {
		for (uint32_t i = 0; i < sw->cfg.threads && !c.t; i++)
			if (!c.part->threads[i].busy)
				c.t = &c.part->threads[i];
		if (!c.t) {
			r->a[0] = OPTEE_SMC_RETURN_ETHREAD_LIMIT;
			return;
		}
		thread_start(c.t, r);
		rpc = thread_run(&c, r);
	}
	if (rpc) {
		sw->st.rpcs++;
		return;
	}
	r->a[0] = c.t->result;
	r->a[1] = 0;
	r->a[2] = 0;
	r->a[3] = 0;
}

void optee_model_smc(void *target, struct teemed_regs *regs)
{
	struct optee_model *sw = target;
	uint32_t fn = lo32(regs->a[0]);
	uint32_t owner = (fn >> OPTEE_SMC_OWNER_SHIFT) & OPTEE_SMC_OWNER_MASK;

	pthread_mutex_lock(&sw->mu);
	sw->st.smcs++;
	sw->client = (uint16_t)regs->a[7];
	/* TF-A hands only the Trusted OS owners to OP-TEE. */
	if (owner < OPTEE_OWNER_FIRST)
		regs->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
	else if (fn & OPTEE_SMC_FAST_CALL)
		fast_call(sw, regs);
	else
		std_call(sw, regs);
	pthread_mutex_unlock(&sw->mu);
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */

static bool obj_counted(const struct model_obj *obj)
{
	return obj->kind == MODEL_OBJ_REGISTERED ||
	       obj->kind == MODEL_OBJ_RPC_ARG || obj->kind == MODEL_OBJ_PAYLOAD;
}

static uint32_t part_objects(const struct model_part *p)
{
	uint32_t n = 0;

	for (const struct model_obj *obj = p->objs; obj; obj = obj->next)
		n += obj_counted(obj);
	return n;
}

void optee_model_get_stats(struct optee_model *sw,
			   struct optee_model_stats *out)
{
	pthread_mutex_lock(&sw->mu);
	*out = sw->st;
	out->partitions = 0;
	out->sessions = 0;
	out->registered = 0;
	out->threads_busy = 0;
	for (uint32_t i = 0; i < sw->nparts; i++) {
		const struct model_part *p = &sw->parts[i];

		if (!p->used)
			continue;
		/* The implicit context of a non-virtualized build is no VM. */
		out->partitions += sw->cfg.virtualization;
		out->sessions += p->nsessions;
		out->registered += part_objects(p);
		for (uint32_t t = 0; t < sw->cfg.threads; t++)
			out->threads_busy += p->threads[t].busy;
	}
	pthread_mutex_unlock(&sw->mu);
}

uint32_t optee_model_vm_objects(struct optee_model *sw, uint16_t vm_id)
{
	struct model_part *p;
	uint32_t n = 0;

	pthread_mutex_lock(&sw->mu);
	p = part_of_vm(sw, vm_id);
	if (p)
		n = part_objects(p);
	pthread_mutex_unlock(&sw->mu);
	return n;
}
