/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest-driver model (see guest.h). Behaviour follows the Linux
 * driver as spec/optee-abi.md §9 describes it; where the simulator wants
 * more variety than Linux produces (NONCONTIG temporary memrefs in
 * INVOKE, scattered list pages) the format still is the one Linux and
 * OP-TEE agree on.
 *
 * Each vCPU runs one operation: a short script of steps (probe fast
 * calls, REGISTER_SHM, OPEN_SESSION, INVOKE_COMMAND, CLOSE_SESSION,
 * UNREGISTER_SHM), each step one call made of one or more SMCs (RPCs,
 * ETHREAD_LIMIT retries). A step that fails marks the operation failed;
 * the remaining steps that only make sense on success are skipped, the
 * ones that give things back still run.
 */
#include "guest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_rng.h"
#include "tas.h"
#include "optee_abi.h"

#define PG	  4096u
#define ARG_WORDS (PG / 8)
#define MAX_STEPS 16
#define MAX_VIEWS 2
/* Linux cookies are kernel pointers; make ours look like them. */
#define COOKIE_TAG 0xffffff8000000000ull
/* Fast calls Linux would retry forever; we give up and report. */
#define RETRY_LIMIT 100000u
/* Under fault injection a call that cannot settle is expected; a short
   limit keeps such runs quick. */
#define RETRY_LIMIT_FAULTS 1000u
#define LO32(x)		   ((uint32_t)((x)&0xffffffffu))
/*
 * What `ret` holds until the answer is written back. Linux leaves 0
 * there, which would read as TEEC_SUCCESS if a call ended (a0 OK)
 * without its answer; a value no TEE returns tells that case apart.
 */
#define RET_UNANSWERED 0x0a5a5a5au

enum ta_id { TA_XFORM, TA_CHECKSUM, TA_INPLACE, TA_SLOW, TA_RPC, TA_COUNT };

static const struct sim_uuid ta_uuid[TA_COUNT] = {
	TA_XFORM_UUID, TA_CHECKSUM_UUID, TA_INPLACE_UUID,
	TA_SLOW_UUID,  TA_RPC_UUID,
};

enum page_state { PAGE_FREE, PAGE_USED, PAGE_LOST };

/* What Linux calls a tee_shm: a buffer with a cookie. */
enum shm_kind { SHM_TEMP, SHM_REG, SHM_RPC_ARG, SHM_PAYLOAD };

/* Linux's argument cache with RPC_ARG: registered pages of slots. */
#define ARGC_MAX_PAGES 16u

struct gshm {
	uint64_t cookie;
	uint64_t size;
	uint64_t *pages; /* IPAs of the data pages */
	uint64_t *lists; /* IPAs of the page-list pages, while a list exists */
	uint32_t npages;
	uint32_t nlists;
	uint32_t off; /* start of the buffer in its first page */
	uint8_t kind;
	bool shared;	 /* the secure world holds it */
	bool busy;	 /* claimed by an operation (long-lived ones) */
	bool long_lived; /* registered once, used by many operations */
	bool argcache;	 /* a page of Linux's argument cache */
	bool used;	 /* a supplicant command went through it */
};

enum view_kind { VIEW_NONE, VIEW_NULL, VIEW_TMEM, VIEW_RMEM };

/* The memory behind one memref parameter. */
struct gview {
	struct gshm *shm;
	uint64_t offs;
	uint64_t size;
	uint8_t kind;
	bool transient; /* registered for this operation only */
};

enum step_kind {
	STEP_FAST,
	STEP_REGISTER,
	STEP_OPEN,
	STEP_INVOKE,
	STEP_CLOSE,
	STEP_UNREGISTER,
	STEP_NOTIF_CMD, /* DO_BOTTOM_HALF or STOP_ASYNC_NOTIF */
	STEP_KIND_COUNT
};

struct gstep {
	uint8_t kind;
	uint8_t arg;	  /* fast-call index or TA */
	bool own;	  /* UNREGISTER: free the buffer on success */
	struct gshm *shm; /* REGISTER / UNREGISTER */
};

/* One call in progress: Linux keeps one register block for all of it. */
struct gcall {
	struct teemed_regs regs;
	struct teemed_regs start; /* first SMC, re-issued after ETHREAD_LIMIT */
	uint64_t msg[ARG_WORDS];  /* host copy of the message */
	uint64_t arg_ipa;	  /* 0 for fast calls */
	uint64_t arg_page;	  /* the page holding it */
	uint32_t arg_off;	  /* its offset there */
	bool arg_private;	  /* a page of its own, freed at the end */
	bool rpc_area;		  /* RPC messages follow the argument */
	uint64_t wait_mark;
	struct gshm *handed;	/* given to the secure world by this answer */
	struct gshm *list_keep; /* SHM_ALLOC whose list lives until the next */
	bool live;
	bool started; /* the secure world accepted the call */
	bool in_rpc;
	bool waiting;
};

enum op_type { OT_WORK, OT_PROBE, OT_CLOSE, OT_DRAIN, OT_NOTIF };

/* Parameter slots of an INVOKE: values come from op->val, memory from a view.
 */
enum pslot {
	PS_NONE,
	PS_VAL_IN,
	PS_VAL_OUT,
	PS_VAL_INOUT,
	PS_MEM_IN,
	PS_MEM_OUT,
	PS_MEM_INOUT,
};

struct gop;
struct guest;

struct op_desc {
	const char *name;
	uint32_t mem; /* GUEST_MEM_* class; 0: never drawn at random */
	uint8_t ta;
	uint8_t cmd;
	uint8_t slot[4];
	uint8_t view[4];
	bool (*prep)(struct guest *g, struct gop *op);
	void (*check)(struct guest *g, struct gop *op,
		      const struct optee_msg_param *p);
};

struct gop {
	const struct op_desc *d;
	struct gstep steps[MAX_STEPS];
	struct gview v[MAX_VIEWS];
	struct optee_msg_param_value val[4];
	uint8_t *in;	  /* input bytes, for expectations */
	uint64_t want[2]; /* expected values of value-only operations */
	uint64_t in_len;
	uint32_t nsteps;
	uint32_t pos;
	uint32_t repeats; /* of the current fast step */
	uint8_t type;
	bool failed;
	bool tampered;
	bool payload_refused; /* an RPC payload was freed unused */
};

struct gvcpu {
	struct gop op;
	struct gcall call;
	uint32_t session[TA_COUNT];
	bool has_session[TA_COUNT];
	bool busy;
};

enum phase { PH_PROBE, PH_RUN, PH_DRAIN, PH_DONE, PH_DEAD };

struct guest {
	struct guest_config cfg;
	struct guest_stats st;
	uint64_t rng;
	uint32_t *free_pages;
	uint8_t *page_state;
	uint32_t nfree;
	struct gshm **shms;
	uint32_t nshms;
	uint32_t cap_shms;
	struct gvcpu *vcpu;
	uint64_t cookies;
	uint64_t ops_started;
	uint64_t progress; /* yielding calls finished: wakes ETHREAD waiters */
	uint64_t clock_ns;
	uint32_t sec_caps;
	uint32_t thread_count;
	uint32_t long_count;
	uint8_t phase;
	bool probe_started;
	bool cache_enabled; /* we turned the RPC-argument cache on */
	bool big_done;
	/* SEC_CAP_RPC_ARG: RPC parameters of an RPC area, and the cache. */
	uint32_t rpc_count;
	uint32_t slot_size;
	uint32_t slots_per_page;
	struct gshm *argc[ARGC_MAX_PAGES];
	uint32_t argc_pages;
	/* Asynchronous notifications. */
	bool notif_on;		/* ENABLE_ASYNC_NOTIF answered OK */
	bool irq_pending;	/* interrupt taken, handler not run yet */
	bool notif_op;		/* a vCPU runs the handler */
	uint64_t notif_reserved; /* values an operation is about to send */
	uint64_t notif_expected; /* values sent, not yet read */
	uint64_t notif_early;	 /* read before the sending call returned */
};

/* ---- small helpers ---------------------------------------------------- */

static uint64_t rng_below(struct guest *g, uint64_t n)
{
	return n ? sim_splitmix64(&g->rng) % n : 0;
}

static void rng_fill(struct guest *g, uint8_t *p, uint64_t n)
{
	while (n) {
		uint64_t r = sim_splitmix64(&g->rng);
		size_t k = n < 8 ? (size_t)n : 8;

		memcpy(p, &r, k);
		p += k;
		n -= k;
	}
}

__attribute__((format(printf, 2, 3))) static void gerr(struct guest *g,
						       const char *fmt, ...)
{
	va_list ap;

	g->st.errors++;
	if (g->st.first_error[0])
		return;
	int n = snprintf(g->st.first_error, sizeof(g->st.first_error),
			 "vm %u: ", g->cfg.vm_id);
	if (n < 0 || (size_t)n >= sizeof(g->st.first_error))
		return;
	va_start(ap, fmt);
	vsnprintf(g->st.first_error + n, sizeof(g->st.first_error) - (size_t)n,
		  fmt, ap);
	va_end(ap);
}

static uint64_t reg_pair(uint64_t hi, uint64_t lo)
{
	return ((uint64_t)LO32(hi) << 32) | LO32(lo);
}

static uint8_t *gptr(struct guest *g, uint64_t ipa)
{
	return machine_guest_ptr(g->cfg.machine, g->cfg.vm_id, ipa);
}

static struct optee_msg_arg *msg_of(struct gcall *c)
{
	return (struct optee_msg_arg *)c->msg;
}

/* ---- guest RAM: scattered single pages ---------------------------------- */

static bool page_alloc(struct guest *g, uint64_t *ipa)
{
	if (!g->nfree)
		return false;
	uint32_t i = (uint32_t)rng_below(g, g->nfree);
	uint32_t idx = g->free_pages[i];

	g->free_pages[i] = g->free_pages[--g->nfree];
	g->page_state[idx] = PAGE_USED;
	*ipa = MACHINE_GUEST_RAM_BASE + (uint64_t)idx * PG;
	return true;
}

static void page_free(struct guest *g, uint64_t ipa)
{
	uint64_t idx = (ipa - MACHINE_GUEST_RAM_BASE) / PG;

	/* A ballooned page is the hypervisor's now; never reuse it. */
	if (idx >= g->cfg.ram_pages || g->page_state[idx] != PAGE_USED)
		return;
	g->page_state[idx] = PAGE_FREE;
	g->free_pages[g->nfree++] = (uint32_t)idx;
}

static bool page_write(struct guest *g, uint64_t ipa, uint32_t off,
		       const void *src, size_t len)
{
	uint8_t *p = gptr(g, ipa);

	if (!p)
		return false;
	memcpy(p + off, src, len);
	return true;
}

static bool page_read(struct guest *g, uint64_t ipa, uint32_t off, void *dst,
		      size_t len)
{
	uint8_t *p = gptr(g, ipa);

	if (!p)
		return false;
	memcpy(dst, p + off, len);
	return true;
}

/* ---- shared-memory objects -------------------------------------------- */

static struct gshm *shm_find(struct guest *g, uint64_t cookie, uint8_t kind)
{
	for (uint32_t i = 0; i < g->nshms; i++)
		if (g->shms[i]->cookie == cookie && g->shms[i]->kind == kind)
			return g->shms[i];
	return NULL;
}

static void shm_list_free(struct guest *g, struct gshm *s)
{
	for (uint32_t i = 0; i < s->nlists; i++)
		page_free(g, s->lists[i]);
	free(s->lists);
	s->lists = NULL;
	s->nlists = 0;
}

static void shm_free(struct guest *g, struct gshm *s)
{
	shm_list_free(g, s);
	for (uint32_t i = 0; i < s->npages; i++)
		page_free(g, s->pages[i]);
	for (uint32_t i = 0; i < g->cfg.vcpus; i++) {
		struct gcall *c = &g->vcpu[i].call;

		if (c->handed == s)
			c->handed = NULL;
		if (c->list_keep == s)
			c->list_keep = NULL;
	}
	for (uint32_t i = 0; i < g->nshms; i++) {
		if (g->shms[i] == s) {
			g->shms[i] = g->shms[--g->nshms];
			break;
		}
	}
	for (uint32_t i = 0; i < g->argc_pages; i++)
		if (g->argc[i] == s)
			g->argc[i] = NULL;
	free(s->pages);
	free(s);
}

static struct gshm *shm_new(struct guest *g, uint8_t kind, uint64_t size,
			    uint32_t off)
{
	uint64_t n = (off + size + PG - 1) / PG;
	struct gshm *s;

	if (n == 0 || n > g->nfree)
		return NULL;
	if (g->nshms == g->cap_shms) {
		uint32_t cap = g->cap_shms ? g->cap_shms * 2 : 64;
		struct gshm **t = realloc(g->shms, cap * sizeof(*t));

		if (!t)
			return NULL;
		g->shms = t;
		g->cap_shms = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pages = malloc(n * sizeof(uint64_t));
	if (!s->pages) {
		free(s);
		return NULL;
	}
	for (; s->npages < n; s->npages++)
		page_alloc(g, &s->pages[s->npages]);
	s->kind = kind;
	s->size = size;
	s->off = off;
	s->cookie = COOKIE_TAG + (++g->cookies << 7);
	g->shms[g->nshms++] = s;
	return s;
}

/* Copy between host memory and the buffer, as the guest's CPU would. */
static void shm_io(struct guest *g, struct gshm *s, uint64_t offs, void *buf,
		   uint64_t len, bool write)
{
	uint64_t pos = s->off + offs;
	uint8_t *b = buf;

	while (len) {
		uint64_t pi = pos / PG;
		uint32_t in = (uint32_t)(pos % PG);
		size_t n = PG - in < len ? PG - in : (size_t)len;
		bool ok = pi < s->npages &&
			  (write ? page_write(g, s->pages[pi], in, b, n)
				 : page_read(g, s->pages[pi], in, b, n));

		if (!ok) {
			gerr(g, "buffer page %llu unreachable",
			     (unsigned long long)pi);
			if (!write)
				memset(b, 0, n);
		}
		pos += n;
		b += n;
		len -= n;
	}
}

/*
 * Build the page list (§4.1/§4.4): 511 entries per list page, slot 511
 * pointing at the next list page. Linux allocates the list contiguously
 * and, when a list page fills up, always writes the address of the page
 * after it, even behind the last one; we take scattered list pages (the
 * format allows it) but keep that last dangling pointer. Returns buf_ptr,
 * 0 when the guest is out of RAM.
 */
static uint64_t shm_list_build(struct guest *g, struct gshm *s)
{
	uint32_t nl = (s->npages + OPTEE_MSG_PAGELIST_ENTRIES - 1) /
		      OPTEE_MSG_PAGELIST_ENTRIES;
	uint64_t slots[PG / 8];

	shm_list_free(g, s);
	if (nl > g->nfree)
		return 0;
	s->lists = calloc(nl, sizeof(uint64_t));
	if (!s->lists)
		return 0;
	for (; s->nlists < nl; s->nlists++)
		page_alloc(g, &s->lists[s->nlists]);
	for (uint32_t l = 0; l < nl; l++) {
		uint32_t first = l * OPTEE_MSG_PAGELIST_ENTRIES;
		uint32_t cnt = s->npages - first;

		memset(slots, 0, sizeof(slots));
		if (cnt > OPTEE_MSG_PAGELIST_ENTRIES)
			cnt = OPTEE_MSG_PAGELIST_ENTRIES;
		for (uint32_t i = 0; i < cnt; i++)
			slots[i] = s->pages[first + i];
		if (cnt == OPTEE_MSG_PAGELIST_ENTRIES)
			slots[OPTEE_MSG_PAGELIST_NEXT_SLOT] =
				l + 1 < nl ? s->lists[l + 1] : s->lists[l] + PG;
		page_write(g, s->lists[l], 0, slots, sizeof(slots));
	}
	return s->lists[0] | s->off;
}

/* ---- calls ---------------------------------------------------------- */

static struct optee_msg_arg *msg_init(struct gcall *c, uint32_t cmd,
				      uint32_t num_params)
{
	struct optee_msg_arg *a = msg_of(c);

	memset(c->msg, 0, sizeof(c->msg));
	a->cmd = cmd;
	a->num_params = num_params;
	a->ret = RET_UNANSWERED;
	return a;
}

static void regs_set(struct teemed_regs *r, uint32_t a0, uint64_t a1,
		     uint64_t a2)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = a0;
	r->a[1] = a1;
	r->a[2] = a2;
}

/*
 * The slot of `vi` in Linux's argument cache: each vCPU has at most one
 * call in flight, so slot vi is its own. NULL if not registered.
 */
static struct gshm *argc_slot(struct guest *g, uint32_t vi, uint32_t *off)
{
	uint32_t page;

	if (!g->rpc_count || !g->slots_per_page)
		return NULL;
	page = vi / g->slots_per_page;
	if (page >= g->argc_pages || !g->argc[page] || !g->argc[page]->shared)
		return NULL;
	*off = (vi % g->slots_per_page) * g->slot_size;
	return g->argc[page];
}

/*
 * A yielding call with the message of c->msg, as Linux 6.x issues it:
 * without RPC_ARG in a fresh private page (CALL_WITH_ARG); with it, in
 * the vCPU's slot of the registered argument cache (CALL_WITH_REGD_ARG)
 * or, for REGISTER/UNREGISTER (Linux's catch-22), in a private page
 * with the RPC area after the message (CALL_WITH_RPC_ARG).
 */
static bool call_std(struct guest *g, struct gvcpu *v)
{
	struct gcall *c = &v->call;
	static const uint8_t zero[PG];
	uint32_t cmd = msg_of(c)->cmd;
	size_t len = (size_t)OPTEE_MSG_GET_ARG_SIZE(msg_of(c)->num_params);
	struct gshm *slot = NULL;
	uint32_t off = 0;
	uint64_t ipa;

	if (cmd != OPTEE_MSG_CMD_REGISTER_SHM &&
	    cmd != OPTEE_MSG_CMD_UNREGISTER_SHM)
		slot = argc_slot(g, (uint32_t)(v - g->vcpu), &off);
	c->rpc_area = g->rpc_count != 0;
	if (slot) {
		ipa = slot->pages[0];
		page_write(g, ipa, off, zero, g->slot_size);
		page_write(g, ipa, off, c->msg, len);
		c->arg_private = false;
		regs_set(&c->regs, OPTEE_SMC_CALL_WITH_REGD_ARG,
			 slot->cookie >> 32, LO32(slot->cookie));
		c->regs.a[3] = off;
		g->st.regd_calls++;
	} else {
		if (!page_alloc(g, &ipa)) {
			gerr(g, "guest out of RAM for an argument page");
			return false;
		}
		page_write(g, ipa, 0, zero, PG);
		page_write(g, ipa, 0, c->msg, len);
		c->arg_private = true;
		regs_set(&c->regs,
			 c->rpc_area ? OPTEE_SMC_CALL_WITH_RPC_ARG
				     : OPTEE_SMC_CALL_WITH_ARG,
			 ipa >> 32, LO32(ipa));
		g->st.rpc_arg_calls += c->rpc_area;
	}
	c->arg_page = ipa;
	c->arg_off = off;
	c->arg_ipa = ipa + off;
	c->start = c->regs;
	c->live = true;
	c->started = false;
	return true;
}

static bool call_fast(struct gvcpu *v, uint32_t fid, uint64_t a1)
{
	struct gcall *c = &v->call;

	c->arg_ipa = 0;
	regs_set(&c->regs, fid, a1, 0);
	c->start = c->regs;
	c->live = true;
	return true;
}

static void op_fail(struct gop *op)
{
	op->failed = true;
}

static void step_add(struct gop *op, uint8_t kind, uint8_t arg,
		     struct gshm *shm, bool own)
{
	if (op->nsteps >= MAX_STEPS)
		return;
	struct gstep *s = &op->steps[op->nsteps++];

	s->kind = kind;
	s->arg = arg;
	s->shm = shm;
	s->own = own;
}

enum verdict { V_OK, V_REFUSED, V_BAD };

/* An answer a driver can act on, even if it is a failure. */
static bool smc_code_defined(uint32_t a0)
{
	return a0 <= OPTEE_SMC_RETURN_ENOTAVAIL ||
	       a0 == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
}

/* Origin 0: not written back (REGISTER_SHM, UNREGISTER_SHM, §3.6). */
static bool teec_defined(uint32_t ret, uint32_t origin)
{
	if (origin > TEEC_ORIGIN_TRUSTED_APP)
		return false;
	switch (ret) {
	case TEEC_ERROR_GENERIC:
	case TEEC_ERROR_ACCESS_DENIED:
	case TEEC_ERROR_CANCEL:
	case TEEC_ERROR_BAD_FORMAT:
	case TEEC_ERROR_BAD_PARAMETERS:
	case TEEC_ERROR_BAD_STATE:
	case TEEC_ERROR_ITEM_NOT_FOUND:
	case TEEC_ERROR_NOT_IMPLEMENTED:
	case TEEC_ERROR_NOT_SUPPORTED:
	case TEEC_ERROR_OUT_OF_MEMORY:
	case TEEC_ERROR_BUSY:
	case TEEC_ERROR_COMMUNICATION:
	case TEEC_ERROR_SECURITY:
	case TEEC_ERROR_SHORT_BUFFER:
		return true;
	default:
		return false;
	}
}

/*
 * Under fault injection a failure the platform caused on purpose is
 * fine as long as it reached us as something the protocol defines.
 */
static bool tolerate(struct guest *g, bool defined)
{
	if (!g->cfg.tolerate_faults || !defined)
		return false;
	g->st.tolerated++;
	return true;
}

/* Classify a finished message call the way a client library would. */
static enum verdict verdict(struct guest *g, struct gop *op, uint32_t a0,
			    const struct optee_msg_arg *m, const char *what)
{
	if (a0 != OPTEE_SMC_RETURN_OK) {
		if (tolerate(g, smc_code_defined(a0)))
			return V_REFUSED;
		if (!op->tampered)
			gerr(g, "%s: a0 %#x", what, a0);
		return V_BAD;
	}
	if (m->ret == RET_UNANSWERED) {
		g->st.unanswered++;
		if (!op->tampered)
			gerr(g, "%s: a0 OK but no answer written back", what);
		return V_BAD;
	}
	/*
	 * A quota refusal of the mediator is OUT_OF_MEMORY from COMMS; one
	 * of an RPC payload reaches us as the TA's OUT_OF_MEMORY after the
	 * payload came back unused.
	 */
	if (m->ret == TEEC_ERROR_OUT_OF_MEMORY &&
	    (m->ret_origin == TEEC_ORIGIN_COMMS ||
	     (g->cfg.quota_mode && op->payload_refused))) {
		g->st.refusals++;
		return V_REFUSED;
	}
	if (m->ret != TEEC_SUCCESS) {
		if (tolerate(g, teec_defined(m->ret, m->ret_origin)))
			return V_REFUSED;
		if (!op->tampered)
			gerr(g, "%s: ret %#x origin %u", what, m->ret,
			     m->ret_origin);
		return V_BAD;
	}
	return V_OK;
}

/* ---- probe and drain fast calls (§9.2, §9.8) ---------------------------- */

static uint32_t retry_limit(const struct guest *g)
{
	return g->cfg.tolerate_faults ? RETRY_LIMIT_FAULTS : RETRY_LIMIT;
}

enum fast_id {
	F_UID,
	F_OS_REV,
	F_REV,
	F_THREADS,
	F_CAPS,
	F_DISABLE,
	F_ENABLE,
	F_NOTIF_ENABLE,
	F_NOTIF_GET,
	F_COUNT
};

static const uint32_t fast_fid[F_COUNT] = {
	[F_UID] = OPTEE_SMC_CALLS_UID,
	[F_OS_REV] = OPTEE_SMC_CALL_GET_OS_REVISION,
	[F_REV] = OPTEE_SMC_CALLS_REVISION,
	[F_THREADS] = OPTEE_SMC_GET_THREAD_COUNT,
	[F_CAPS] = OPTEE_SMC_EXCHANGE_CAPABILITIES,
	[F_DISABLE] = OPTEE_SMC_DISABLE_SHM_CACHE,
	[F_ENABLE] = OPTEE_SMC_ENABLE_SHM_CACHE,
	[F_NOTIF_ENABLE] = OPTEE_SMC_ENABLE_ASYNC_NOTIF,
	[F_NOTIF_GET] = OPTEE_SMC_GET_ASYNC_NOTIF_VALUE,
};

static void probe_fatal(struct guest *g, struct gop *op, const char *why,
			uint32_t a0)
{
	/* A Linux driver whose probe fails just stays away from OP-TEE. */
	if (!tolerate(g, a0 != OPTEE_SMC_RETURN_OK && smc_code_defined(a0)))
		gerr(g, "probe: %s (a0 %#x)", why, a0);
	g->phase = PH_DEAD;
	op_fail(op);
	op->pos = op->nsteps;
}

/*
 * SEC_CAP_RPC_ARG: Linux sizes argument slots for 6 parameters plus the
 * RPC area OP-TEE asked for (a3), and pre-registers the pages holding
 * them; enough pages here for one slot per vCPU.
 */
static void argc_plan(struct guest *g, struct gop *op, uint32_t a3)
{
	uint32_t pages;

	if (a3 == 0 || a3 > OPTEE_RPC_MAX_NUM_PARAMS) {
		gerr(g, "RPC_ARG with %u RPC parameters", a3);
		return;
	}
	g->rpc_count = a3;
	g->slot_size = (uint32_t)(OPTEE_MSG_GET_ARG_SIZE(6) +
				  OPTEE_MSG_GET_ARG_SIZE(a3));
	g->slots_per_page = PG / g->slot_size;
	pages = (g->cfg.vcpus + g->slots_per_page - 1) / g->slots_per_page;
	if (pages > ARGC_MAX_PAGES)
		pages = ARGC_MAX_PAGES;
	for (; g->argc_pages < pages; g->argc_pages++) {
		struct gshm *s = shm_new(g, SHM_REG, PG, 0);

		if (!s)
			break;
		s->argcache = true;
		g->argc[g->argc_pages] = s;
		step_add(op, STEP_REGISTER, 0, s, false);
	}
}

/*
 * One GET_ASYNC_NOTIF_VALUE of the interrupt handler (§9.9): a value
 * must be one this guest's TA sent; 0 asks for a bottom half. Returns
 * whether the step is over (false: read again, more are pending).
 */
static bool notif_value(struct guest *g, struct gvcpu *v,
			const struct teemed_regs *r)
{
	uint32_t a0 = LO32(r->a[0]), val = LO32(r->a[1]);
	uint32_t flags = LO32(r->a[2]);

	if (a0 != OPTEE_SMC_RETURN_OK) {
		if (!tolerate(g, smc_code_defined(a0)))
			gerr(g, "GET_ASYNC_NOTIF_VALUE: a0 %#x", a0);
		return true;
	}
	if (!(flags & OPTEE_SMC_ASYNC_NOTIF_VALID))
		return true;
	g->st.notif_values++;
	/* On other CPUs the value can come before its call returns. */
	if (val <= OPTEE_NOTIF_ASYNC_VALUE_MAX &&
	    (g->notif_reserved & ~g->notif_early & (1ull << val))) {
		g->notif_early |= 1ull << val;
		if (val == OPTEE_SMC_ASYNC_NOTIF_VALUE_DO_BOTTOM_HALF)
			step_add(&v->op, STEP_NOTIF_CMD,
				 OPTEE_MSG_CMD_DO_BOTTOM_HALF, NULL, false);
	} else if (val > OPTEE_NOTIF_ASYNC_VALUE_MAX ||
		   !(g->notif_expected & (1ull << val))) {
		gerr(g, "notification value %u this guest never asked for",
		     val);
	} else {
		g->notif_expected &= ~(1ull << val);
		if (val == OPTEE_SMC_ASYNC_NOTIF_VALUE_DO_BOTTOM_HALF)
			step_add(&v->op, STEP_NOTIF_CMD,
				 OPTEE_MSG_CMD_DO_BOTTOM_HALF, NULL, false);
	}
	if (!(flags & OPTEE_SMC_ASYNC_NOTIF_PENDING))
		return true;
	if (++v->op.repeats > 64) {
		gerr(g, "more than 64 notification values pending");
		return true;
	}
	return false;
}

/* Returns whether the step is over (false: issue it again). */
static bool fast_done(struct guest *g, struct gvcpu *v, uint8_t id,
		      const struct teemed_regs *r)
{
	struct gop *op = &v->op;
	uint32_t a0 = LO32(r->a[0]);

	switch (id) {
	case F_UID:
		if (a0 != OPTEE_MSG_UID_0 || LO32(r->a[1]) != OPTEE_MSG_UID_1 ||
		    LO32(r->a[2]) != OPTEE_MSG_UID_2 ||
		    LO32(r->a[3]) != OPTEE_MSG_UID_3)
			probe_fatal(g, op, "not OP-TEE", a0);
		return true;
	case F_OS_REV:
		return true;
	case F_REV:
		if (a0 != OPTEE_MSG_REVISION_MAJOR)
			probe_fatal(g, op, "message revision", a0);
		return true;
	case F_THREADS:
		g->thread_count = a0 == OPTEE_SMC_RETURN_OK ? LO32(r->a[1]) : 0;
		return true;
	case F_CAPS:
		g->sec_caps = LO32(r->a[1]);
		if (a0 != OPTEE_SMC_RETURN_OK)
			probe_fatal(g, op, "capabilities refused", a0);
		else if (!(g->sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM))
			probe_fatal(g, op, "no dynamic shared memory", a0);
		else {
			if (g->sec_caps & OPTEE_SMC_SEC_CAP_RPC_ARG)
				argc_plan(g, op, LO32(r->a[3]) & 0xffu);
			if (g->sec_caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)
				step_add(op, STEP_FAST, F_NOTIF_ENABLE, NULL,
					 false);
			step_add(op, STEP_FAST, F_DISABLE, NULL, false);
			if (!g->rpc_count)
				step_add(op, STEP_FAST, F_ENABLE, NULL, false);
		}
		return true;
	case F_NOTIF_ENABLE:
		g->notif_on = a0 == OPTEE_SMC_RETURN_OK;
		if (!g->notif_on && !tolerate(g, smc_code_defined(a0)))
			gerr(g, "ENABLE_ASYNC_NOTIF: a0 %#x", a0);
		return true;
	case F_NOTIF_GET:
		return notif_value(g, v, r);
	case F_DISABLE:
		if (a0 == OPTEE_SMC_RETURN_OK) {
			uint64_t ck = reg_pair(r->a[1], r->a[2]);
			struct gshm *s = shm_find(g, ck, SHM_RPC_ARG);

			/* At probe Linux ignores leftovers of a previous
			   kernel; at removal it frees what it gave. */
			if (s)
				shm_free(g, s);
			else if (g->phase == PH_DRAIN)
				gerr(g,
				     "DISABLE_SHM_CACHE: unknown cookie "
				     "%#llx",
				     (unsigned long long)ck);
			if (++v->op.repeats <= retry_limit(g))
				return false;
			gerr(g, "DISABLE_SHM_CACHE never runs dry");
			return true;
		}
		if (a0 == OPTEE_SMC_RETURN_ENOTAVAIL) {
			g->cache_enabled = false;
			return true;
		}
		break;
	case F_ENABLE:
		if (a0 == OPTEE_SMC_RETURN_OK) {
			g->cache_enabled = true;
			return true;
		}
		break;
	default:
		return true;
	}
	if (++v->op.repeats > retry_limit(g)) {
		/* E.g. EBUSY from a secure world still holding a thread
		   that the injected fault cut off. */
		if (tolerate(g, smc_code_defined(a0)))
			return true;
		gerr(g,
		     "fast call %#x never settles (a0 %#x): a Linux guest "
		     "would spin forever",
		     fast_fid[id], a0);
		return true;
	}
	return false;
}

/* ---- message steps ---------------------------------------------------- */

static void param_mem(struct guest *g, struct gop *op,
		      struct optee_msg_param *p, uint8_t slot,
		      const struct gview *w)
{
	static const uint8_t dir[] = {
		[PS_MEM_IN] = 0, [PS_MEM_OUT] = 1, [PS_MEM_INOUT] = 2};
	uint8_t d = dir[slot];

	switch (w->kind) {
	case VIEW_NULL:
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT + d;
		break;
	case VIEW_TMEM: {
		uint64_t bp = shm_list_build(g, w->shm);

		if (!bp) {
			gerr(g, "guest out of RAM for a page list");
			op_fail(op);
		}
		p->attr = (OPTEE_MSG_ATTR_TYPE_TMEM_INPUT + d) |
			  OPTEE_MSG_ATTR_NONCONTIG;
		p->u.tmem.buf_ptr = bp;
		p->u.tmem.size = w->size;
		p->u.tmem.shm_ref = w->shm->cookie;
		break;
	}
	case VIEW_RMEM:
		p->attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + d;
		p->u.rmem.offs = w->offs;
		p->u.rmem.size = w->size;
		p->u.rmem.shm_ref = w->shm->cookie;
		break;
	default:
		break;
	}
}

static bool prep_invoke(struct guest *g, struct gvcpu *v, struct gstep *s)
{
	struct gop *op = &v->op;
	const struct op_desc *d = op->d;
	struct optee_msg_arg *a;

	a = msg_init(&v->call, OPTEE_MSG_CMD_INVOKE_COMMAND, 4);
	a->func = d->cmd;
	a->session = v->session[d->ta];
	for (int i = 0; i < 4; i++) {
		struct optee_msg_param *p = &a->params[i];
		uint8_t sl = d->slot[i];

		if (sl >= PS_VAL_IN && sl <= PS_VAL_INOUT) {
			p->attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT + sl -
				  PS_VAL_IN;
			p->u.value = op->val[i];
		} else if (sl >= PS_MEM_IN) {
			param_mem(g, op, p, sl, &op->v[d->view[i]]);
		}
	}
	/* Drop trailing unused slots, as Linux sizes messages. */
	while (a->num_params && a->params[a->num_params - 1].attr == 0)
		a->num_params--;
	(void)s;
	return !op->failed && call_std(g, v);
}

static void done_invoke(struct guest *g, struct gvcpu *v, struct gstep *s,
			uint32_t a0)
{
	struct gop *op = &v->op;
	const struct optee_msg_arg *m = msg_of(&v->call);

	for (int i = 0; i < MAX_VIEWS; i++)
		if (op->v[i].kind == VIEW_TMEM && op->v[i].shm)
			shm_list_free(g, op->v[i].shm);
	if (verdict(g, op, a0, m, op->d->name) != V_OK) {
		op_fail(op);
		return;
	}
	op->d->check(g, op, m->params);
	(void)s;
}

static bool prep_open(struct guest *g, struct gvcpu *v, struct gstep *s)
{
	struct optee_msg_arg *a =
		msg_init(&v->call, OPTEE_MSG_CMD_OPEN_SESSION, 2);

	a->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META;
	memcpy(a->params[0].u.octets, ta_uuid[s->arg].b, 16);
	a->params[1].attr =
		OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META;
	a->params[1].u.value.c = rng_below(g, 2) ? OPTEE_MSG_LOGIN_PUBLIC
						 : OPTEE_MSG_LOGIN_REE_KERNEL;
	return call_std(g, v);
}

static void done_open(struct guest *g, struct gvcpu *v, struct gstep *s,
		      uint32_t a0)
{
	const struct optee_msg_arg *m = msg_of(&v->call);

	if (verdict(g, &v->op, a0, m, "open session") != V_OK) {
		op_fail(&v->op);
		return;
	}
	v->session[s->arg] = m->session;
	v->has_session[s->arg] = true;
}

static bool prep_close(struct guest *g, struct gvcpu *v, struct gstep *s)
{
	struct optee_msg_arg *a =
		msg_init(&v->call, OPTEE_MSG_CMD_CLOSE_SESSION, 0);

	if (!v->has_session[s->arg])
		return false;
	a->session = v->session[s->arg];
	return call_std(g, v);
}

static void done_close(struct guest *g, struct gvcpu *v, struct gstep *s,
		       uint32_t a0)
{
	/* Linux forgets the session whatever the answer. */
	v->has_session[s->arg] = false;
	verdict(g, &v->op, a0, msg_of(&v->call), "close session");
}

static bool prep_register(struct guest *g, struct gvcpu *v, struct gstep *s)
{
	struct optee_msg_arg *a =
		msg_init(&v->call, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	uint64_t bp = shm_list_build(g, s->shm);

	if (!bp) {
		gerr(g, "guest out of RAM for a page list");
		op_fail(&v->op);
		return false;
	}
	a->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
	a->params[0].u.tmem.buf_ptr = bp;
	a->params[0].u.tmem.size = s->shm->size;
	a->params[0].u.tmem.shm_ref = s->shm->cookie;
	return call_std(g, v);
}

static void done_register(struct guest *g, struct gvcpu *v, struct gstep *s,
			  uint32_t a0)
{
	/* Linux frees the list as soon as REGISTER_SHM returns. */
	shm_list_free(g, s->shm);
	if (verdict(g, &v->op, a0, msg_of(&v->call), "register") != V_OK) {
		op_fail(&v->op);
		return;
	}
	s->shm->shared = true;
	g->st.registered++;
}

static bool prep_unregister(struct guest *g, struct gvcpu *v, struct gstep *s)
{
	struct optee_msg_arg *a;

	if (!s->shm || !s->shm->shared)
		return false;
	a = msg_init(&v->call, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	a->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	a->params[0].u.rmem.shm_ref = s->shm->cookie;
	/* Its pins may go any time now: no longer one to balloon-test. */
	s->shm->shared = false;
	return call_std(g, v);
}

static void done_unregister(struct guest *g, struct gvcpu *v, struct gstep *s,
			    uint32_t a0)
{
	if (verdict(g, &v->op, a0, msg_of(&v->call), "unregister") != V_OK) {
		s->shm->shared = true; /* still registered: it stays, pinned */
		return;
	}
	if (s->own) {
		if (s->shm->long_lived)
			g->long_count--;
		shm_free(g, s->shm);
		s->shm = NULL;
	}
}

/* DO_BOTTOM_HALF / STOP_ASYNC_NOTIF: no parameter, nothing written back. */
static bool prep_notif_cmd(struct guest *g, struct gvcpu *v, struct gstep *s)
{
	msg_init(&v->call, s->arg, 0);
	return call_std(g, v);
}

static void done_notif_cmd(struct guest *g, struct gvcpu *v, struct gstep *s,
			   uint32_t a0)
{
	if (a0 != OPTEE_SMC_RETURN_OK) {
		if (!tolerate(g, smc_code_defined(a0)))
			gerr(g, "notification command %u: a0 %#x", s->arg, a0);
		return;
	}
	if (s->arg == OPTEE_MSG_CMD_DO_BOTTOM_HALF)
		g->st.bottom_halves++;
	else
		g->notif_on = false;
}

static bool prep_fast(struct guest *g, struct gvcpu *v, struct gstep *s)
{
	uint64_t a1 = 0;

	if (s->arg == F_CAPS && g->cfg.vcpus == 1)
		a1 = OPTEE_SMC_NSEC_CAP_UNIPROCESSOR;
	return call_fast(v, fast_fid[s->arg], a1);
}

struct step_ops {
	bool (*prep)(struct guest *g, struct gvcpu *v, struct gstep *s);
	void (*done)(struct guest *g, struct gvcpu *v, struct gstep *s,
		     uint32_t a0);
	bool skip_if_failed; /* only makes sense while the op succeeds */
};

static const struct step_ops step_ops[STEP_KIND_COUNT] = {
	[STEP_FAST] = {prep_fast, NULL, true},
	[STEP_REGISTER] = {prep_register, done_register, true},
	[STEP_OPEN] = {prep_open, done_open, true},
	[STEP_INVOKE] = {prep_invoke, done_invoke, true},
	[STEP_CLOSE] = {prep_close, done_close, false},
	[STEP_UNREGISTER] = {prep_unregister, done_unregister, false},
	[STEP_NOTIF_CMD] = {prep_notif_cmd, done_notif_cmd, false},
};

/* ---- RPC service (§6, §9.6) ------------------------------------------- */

static void rpc_shm_alloc(struct guest *g, struct gvcpu *v,
			  struct optee_msg_arg *m)
{
	struct optee_msg_param *p = &m->params[0];
	uint64_t type = p->u.value.a, size = p->u.value.b;
	struct gshm *s;

	/* GLOBAL is refused as mainline Linux does (§6.7). */
	if (m->num_params != 1 ||
	    (type != OPTEE_RPC_SHM_TYPE_APPL &&
	     type != OPTEE_RPC_SHM_TYPE_KERNEL) ||
	    size == 0) {
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	/* The list of the previous allocation of this call goes now. */
	if (v->call.list_keep) {
		shm_list_free(g, v->call.list_keep);
		v->call.list_keep = NULL;
	}
	s = shm_new(g, SHM_PAYLOAD, size, 0);
	if (!s) {
		m->ret = TEEC_ERROR_OUT_OF_MEMORY;
		return;
	}
	memset(&p->u, 0, sizeof(p->u));
	p->u.tmem.size = s->npages * PG;
	if (g->cfg.contig_kernel_payloads &&
	    type == OPTEE_RPC_SHM_TYPE_KERNEL && s->npages == 1) {
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
		p->u.tmem.buf_ptr = s->pages[0];
		p->u.tmem.size = size;
	} else {
		p->u.tmem.buf_ptr = shm_list_build(g, s);
		if (!p->u.tmem.buf_ptr) {
			shm_free(g, s);
			m->ret = TEEC_ERROR_OUT_OF_MEMORY;
			return;
		}
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
			  OPTEE_MSG_ATTR_NONCONTIG;
		v->call.list_keep = s;
	}
	p->u.tmem.shm_ref = s->cookie;
	v->call.handed = s;
	g->st.shm_allocs++;
	m->ret = TEEC_SUCCESS;
}

static void rpc_shm_free(struct guest *g, struct gvcpu *v,
			 struct optee_msg_arg *m)
{
	uint64_t ck = m->params[0].u.value.b;
	struct gshm *s = shm_find(g, ck, SHM_PAYLOAD);

	if (m->num_params != 1 || !s) {
		gerr(g, "SHM_FREE of unknown cookie %#llx",
		     (unsigned long long)ck);
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	if (!s->used)
		v->op.payload_refused = true;
	shm_free(g, s);
	m->ret = TEEC_SUCCESS;
}

static void rpc_get_time(struct guest *g, struct gvcpu *v,
			 struct optee_msg_arg *m)
{
	(void)v;
	if (m->num_params < 1) {
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	m->params[0].u.value.a = g->clock_ns / 1000000000u;
	m->params[0].u.value.b = g->clock_ns % 1000000000u;
	m->ret = TEEC_SUCCESS;
}

/*
 * Synchronous notifications (OP-TEE's wait queues). Linux blocks a WAIT
 * until another call's SEND of the same key; the model wakes it at once,
 * which OP-TEE's waits tolerate (they look again and wait again), so a
 * guest with one vCPU cannot deadlock against itself.
 */
static void rpc_notification(struct guest *g, struct gvcpu *v,
			     struct optee_msg_arg *m)
{
	(void)g;
	(void)v;
	if (m->num_params != 1 ||
	    (m->params[0].u.value.a != OPTEE_RPC_NOTIFICATION_WAIT &&
	     m->params[0].u.value.a != OPTEE_RPC_NOTIFICATION_SEND)) {
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	m->ret = TEEC_SUCCESS;
}

/* The "supplicant": reverse the payload in place through the rmem. */
static void rpc_supp(struct guest *g, struct gvcpu *v, struct optee_msg_arg *m)
{
	const struct optee_msg_param *p = m->params;
	struct gshm *s;
	uint8_t *buf;
	uint64_t offs, size;

	(void)v;
	if (m->num_params < 2 || p[0].u.value.a != TA_RPC_SUPP_REVERSE ||
	    (p[1].attr & OPTEE_MSG_ATTR_TYPE_MASK) !=
		    OPTEE_MSG_ATTR_TYPE_RMEM_INOUT) {
		m->ret = TEEC_ERROR_NOT_SUPPORTED;
		return;
	}
	offs = p[1].u.rmem.offs;
	size = p[1].u.rmem.size;
	s = shm_find(g, p[1].u.rmem.shm_ref, SHM_PAYLOAD);
	if (!s)
		s = shm_find(g, p[1].u.rmem.shm_ref, SHM_REG);
	if (!s || offs > s->size || size > s->size - offs) {
		gerr(g, "supplicant: bad rmem %#llx+%llu",
		     (unsigned long long)offs, (unsigned long long)size);
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	buf = malloc(size ? size : 1);
	if (!buf) {
		m->ret = TEEC_ERROR_OUT_OF_MEMORY;
		return;
	}
	s->used = true;
	shm_io(g, s, offs, buf, size, false);
	for (uint64_t i = 0; i < size / 2; i++) {
		uint8_t t = buf[i];

		buf[i] = buf[size - 1 - i];
		buf[size - 1 - i] = t;
	}
	shm_io(g, s, offs, buf, size, true);
	free(buf);
	m->ret = TEEC_SUCCESS;
}

static const struct {
	uint32_t cmd;
	void (*fn)(struct guest *g, struct gvcpu *v, struct optee_msg_arg *m);
} rpc_cmds[] = {
	{OPTEE_RPC_CMD_SHM_ALLOC, rpc_shm_alloc},
	{OPTEE_RPC_CMD_SHM_FREE, rpc_shm_free},
	{OPTEE_RPC_CMD_GET_TIME, rpc_get_time},
	{OPTEE_RPC_CMD_NOTIFICATION, rpc_notification},
	{TA_RPC_SUPP_CMD, rpc_supp},
};

static void rpc_cmd(struct guest *g, struct gvcpu *v)
{
	struct gcall *c = &v->call;
	uint64_t ck = reg_pair(c->regs.a[1], c->regs.a[2]);
	uint64_t buf[OPTEE_MSG_GET_ARG_SIZE(OPTEE_RPC_MAX_NUM_PARAMS) / 8];
	struct optee_msg_arg *m = (struct optee_msg_arg *)buf;
	uint32_t cap = OPTEE_RPC_MAX_NUM_PARAMS;
	uint64_t page;
	uint32_t off = 0;
	size_t len;

	if (c->rpc_area) {
		/* Linux: right after its own message, whatever a1:a2 say. */
		page = c->arg_page;
		off = c->arg_off + (uint32_t)OPTEE_MSG_GET_ARG_SIZE(
					   msg_of(c)->num_params);
		cap = g->rpc_count;
	} else {
		struct gshm *s = shm_find(g, ck, SHM_RPC_ARG);

		if (!s) {
			gerr(g, "RPC_CMD names unknown cookie %#llx",
			     (unsigned long long)ck);
			return;
		}
		page = s->pages[0];
	}
	page_read(g, page, off, m, sizeof(*m));
	if (m->num_params > cap) {
		gerr(g, "RPC message with %u params", m->num_params);
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		page_write(g, page, off, m, sizeof(*m));
		return;
	}
	len = (size_t)OPTEE_MSG_GET_ARG_SIZE(m->num_params);
	page_read(g, page, off, m, len);
	oracle_guest_bytes(g->cfg.oracle, g->cfg.vm_id, m, len, "rpc message");
	m->ret = TEEC_ERROR_NOT_SUPPORTED;
	for (size_t i = 0; i < sizeof(rpc_cmds) / sizeof(rpc_cmds[0]); i++)
		if (rpc_cmds[i].cmd == m->cmd)
			rpc_cmds[i].fn(g, v, m);
	page_write(g, page, off, m, len);
}

static void rpc_serve(struct guest *g, struct gvcpu *v)
{
	struct gcall *c = &v->call;
	uint32_t func = LO32(c->regs.a[0]) & OPTEE_SMC_RETURN_RPC_FUNC_MASK;
	struct gshm *s;

	g->st.rpcs++;
	switch (func) {
	case OPTEE_SMC_RPC_FUNC_ALLOC:
		s = NULL;
		if (LO32(c->regs.a[1]) && LO32(c->regs.a[1]) <= PG)
			s = shm_new(g, SHM_RPC_ARG, LO32(c->regs.a[1]), 0);
		c->regs.a[1] = s ? s->pages[0] >> 32 : 0;
		c->regs.a[2] = s ? LO32(s->pages[0]) : 0;
		c->regs.a[4] = s ? s->cookie >> 32 : 0;
		c->regs.a[5] = s ? LO32(s->cookie) : 0;
		c->handed = s;
		break;
	case OPTEE_SMC_RPC_FUNC_FREE:
		s = shm_find(g, reg_pair(c->regs.a[1], c->regs.a[2]),
			     SHM_RPC_ARG);
		if (s)
			shm_free(g, s);
		else
			gerr(g, "RPC_FREE of unknown cookie %#llx",
			     (unsigned long long)reg_pair(c->regs.a[1],
							  c->regs.a[2]));
		break;
	case OPTEE_SMC_RPC_FUNC_FOREIGN_INTR:
		g->st.foreign_intrs++;
		break;
	case OPTEE_SMC_RPC_FUNC_CMD:
		rpc_cmd(g, v);
		break;
	default:
		gerr(g, "unknown RPC %#x", LO32(c->regs.a[0]));
		break;
	}
	c->regs.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
}

/* ---- operations ------------------------------------------------------- */

static struct gshm *long_lived_claim(struct guest *g, uint64_t size)
{
	for (uint32_t i = 0; i < g->nshms; i++) {
		struct gshm *s = g->shms[i];

		if (s->long_lived && s->shared && !s->busy && s->size >= size) {
			s->busy = true;
			return s;
		}
	}
	return NULL;
}

/* Memory for view `i`: temporary, long-lived registered or transient. */
static bool view_make(struct guest *g, struct gop *op, int i, uint64_t size)
{
	struct gview *w = &op->v[i];
	uint32_t kinds = g->cfg.mem & (GUEST_MEM_TMEM | GUEST_MEM_RMEM);
	bool rmem =
		kinds == GUEST_MEM_RMEM ||
		(kinds == (GUEST_MEM_TMEM | GUEST_MEM_RMEM) && rng_below(g, 2));

	w->size = size;
	w->offs = 0;
	if (!rmem) {
		w->kind = VIEW_TMEM;
		w->shm = shm_new(g, SHM_TEMP, size, (uint32_t)rng_below(g, PG));
		return w->shm != NULL;
	}
	w->kind = VIEW_RMEM;
	if (g->cfg.long_lived && rng_below(g, 3)) {
		w->shm = long_lived_claim(g, size);
		if (!w->shm && g->long_count < g->cfg.long_lived) {
			uint64_t sz =
				size > g->cfg.buf_size ? size : g->cfg.buf_size;

			w->shm = shm_new(g, SHM_REG, sz,
					 (uint32_t)rng_below(g, PG));
			if (!w->shm)
				return false;
			w->shm->long_lived = true;
			w->shm->busy = true;
			g->long_count++;
			step_add(op, STEP_REGISTER, 0, w->shm, false);
		}
		if (w->shm) {
			w->offs = rng_below(g, w->shm->size - size + 1);
			return true;
		}
	}
	w->transient = true;
	w->shm = shm_new(g, SHM_REG, size + rng_below(g, 64),
			 (uint32_t)rng_below(g, PG));
	if (!w->shm)
		return false;
	w->offs = rng_below(g, w->shm->size - size + 1);
	step_add(op, STEP_REGISTER, 0, w->shm, false);
	return true;
}

static void view_write(struct guest *g, struct gview *w, const uint8_t *src)
{
	shm_io(g, w->shm, w->offs, (void *)(uintptr_t)src, w->size, true);
}

static void view_garbage(struct guest *g, struct gview *w)
{
	uint8_t *b = malloc(w->size);

	if (!b)
		return;
	rng_fill(g, b, w->size);
	view_write(g, w, b);
	free(b);
}

static void view_release(struct guest *g, struct gview *w)
{
	struct gshm *s = w->shm;

	if (!s)
		return;
	if (w->kind == VIEW_TMEM) {
		shm_free(g, s);
	} else if (s->long_lived && s->shared) {
		s->busy = false;
	} else if (!s->shared) {
		if (s->long_lived)
			g->long_count--;
		shm_free(g, s);
	}
	/* A transient buffer still registered failed to unregister: it
	   stays (pinned) and was reported. */
	memset(w, 0, sizeof(*w));
}

static uint64_t pick_len(struct guest *g)
{
	return 1 + rng_below(g, g->cfg.buf_size);
}

/* Input bytes for view 0 of `len` bytes. */
static bool make_input(struct guest *g, struct gop *op, uint64_t len)
{
	op->in_len = len;
	op->in = malloc(len ? len : 1);
	if (!op->in || !view_make(g, op, 0, len))
		return false;
	rng_fill(g, op->in, len);
	view_write(g, &op->v[0], op->in);
	return true;
}

/* Read back `len` bytes of a view and compare with `want`. */
static void view_expect(struct guest *g, struct gop *op, struct gview *w,
			const uint8_t *want, uint64_t len, const char *what)
{
	uint8_t *b = malloc(len ? len : 1);

	if (!b)
		return;
	shm_io(g, w->shm, w->offs, b, len, false);
	if (memcmp(b, want, len)) {
		if (!op->tampered)
			gerr(g, "%s: output bytes differ", what);
	} else {
		g->st.bytes_verified += len;
	}
	free(b);
}

static void check_size(struct guest *g, struct gop *op, uint64_t got,
		       uint64_t want, const char *what)
{
	if (got != want && !op->tampered)
		gerr(g, "%s: output size %llu, want %llu", what,
		     (unsigned long long)got, (unsigned long long)want);
}

static bool prep_echo(struct guest *g, struct gop *op)
{
	op->val[0].a = LO32(sim_splitmix64(&g->rng));
	op->val[0].b = LO32(sim_splitmix64(&g->rng));
	/* TA value parameters are 32-bit (GP TEE_Param). */
	op->want[0] = LO32(op->val[0].a + 1);
	op->want[1] = LO32(op->val[0].b ^ 0x5a5a5a5au);
	return true;
}

static void check_echo(struct guest *g, struct gop *op,
		       const struct optee_msg_param *p)
{
	if ((p[0].u.value.a != op->want[0] || p[0].u.value.b != op->want[1]) &&
	    !op->tampered)
		gerr(g, "echo: got %#llx/%#llx",
		     (unsigned long long)p[0].u.value.a,
		     (unsigned long long)p[0].u.value.b);
}

static bool prep_slow(struct guest *g, struct gop *op)
{
	op->val[0].a =
		1 + rng_below(g, g->cfg.max_spins ? g->cfg.max_spins : 4);
	op->want[0] = LO32(op->val[0].a * 2 + 1);
	return true;
}

static void check_slow(struct guest *g, struct gop *op,
		       const struct optee_msg_param *p)
{
	if (p[0].u.value.b != op->want[0] && !op->tampered)
		gerr(g, "slow: got %llu, want %llu",
		     (unsigned long long)p[0].u.value.b,
		     (unsigned long long)op->want[0]);
}

static bool prep_xor(struct guest *g, struct gop *op)
{
	uint64_t len = pick_len(g);

	op->val[2].a = LO32(sim_splitmix64(&g->rng)); /* 32-bit TA value */
	if (!make_input(g, op, len) ||
	    !view_make(g, op, 1, len + rng_below(g, 32)))
		return false;
	view_garbage(g, &op->v[1]);
	return true;
}

static void check_xor(struct guest *g, struct gop *op,
		      const struct optee_msg_param *p)
{
	uint8_t *want = malloc(op->in_len);

	check_size(g, op, p[1].u.tmem.size, op->in_len, "xor");
	if (!want)
		return;
	for (uint64_t i = 0; i < op->in_len; i++)
		want[i] = op->in[i] ^ (uint8_t)(op->val[2].a >> (8 * (i % 8)));
	view_expect(g, op, &op->v[1], want, op->in_len, "xor");
	free(want);
}

/* Have the TA send a notification value no operation has outstanding. */
static bool prep_notify(struct guest *g, struct gop *op)
{
	uint64_t busy = g->notif_reserved | g->notif_expected;
	uint32_t v = (uint32_t)rng_below(g, OPTEE_NOTIF_ASYNC_VALUE_MAX + 1);

	for (uint32_t i = 0; i <= OPTEE_NOTIF_ASYNC_VALUE_MAX; i++) {
		uint32_t c = (v + i) % (OPTEE_NOTIF_ASYNC_VALUE_MAX + 1);

		if (!(busy & (1ull << c))) {
			g->notif_reserved |= 1ull << c;
			op->val[0].a = c;
			op->want[0] = c;
			return true;
		}
	}
	return false;
}

static void check_notify(struct guest *g, struct gop *op,
			 const struct optee_msg_param *p)
{
	(void)p;
	/* Sent: the interrupt and the value must now come (or came). */
	g->notif_reserved &= ~(1ull << op->want[0]);
	if (g->notif_early & (1ull << op->want[0]))
		g->notif_early &= ~(1ull << op->want[0]);
	else
		g->notif_expected |= 1ull << op->want[0];
}

static bool prep_fnv(struct guest *g, struct gop *op)
{
	return make_input(g, op, pick_len(g));
}

static void check_fnv(struct guest *g, struct gop *op,
		      const struct optee_msg_param *p)
{
	/* TA value parameters are 32-bit: the low half of FNV-1a 64. */
	uint64_t want = LO32(sim_fnv1a64(op->in, op->in_len));

	if (p[1].u.value.a != want || p[1].u.value.b != LO32(op->in_len)) {
		if (!op->tampered)
			gerr(g, "checksum of %llu bytes: got %#llx/%llu",
			     (unsigned long long)op->in_len,
			     (unsigned long long)p[1].u.value.a,
			     (unsigned long long)p[1].u.value.b);
		return;
	}
	g->st.bytes_verified += op->in_len;
}

static bool prep_null(struct guest *g, struct gop *op)
{
	(void)g;
	op->v[0].kind = VIEW_NULL;
	op->in = malloc(1);
	return op->in != NULL;
}

static bool prep_add(struct guest *g, struct gop *op)
{
	op->val[1].a = 1 + rng_below(g, 255);
	return make_input(g, op, pick_len(g));
}

static void check_add(struct guest *g, struct gop *op,
		      const struct optee_msg_param *p)
{
	uint8_t *want = malloc(op->in_len);

	(void)p;
	if (!want)
		return;
	for (uint64_t i = 0; i < op->in_len; i++)
		want[i] = (uint8_t)(op->in[i] + (uint8_t)op->val[1].a);
	view_expect(g, op, &op->v[0], want, op->in_len, "in-place add");
	free(want);
}

static bool prep_rev(struct guest *g, struct gop *op)
{
	uint64_t len = pick_len(g);

	/* The model's TA asks KERNEL payloads of one page only. */
	op->val[1].b = len <= PG && rng_below(g, 2) ? OPTEE_RPC_SHM_TYPE_KERNEL
						    : OPTEE_RPC_SHM_TYPE_APPL;
	if (!make_input(g, op, len) ||
	    !view_make(g, op, 1, len + rng_below(g, 32)))
		return false;
	view_garbage(g, &op->v[1]);
	return true;
}

static void check_rev(struct guest *g, struct gop *op,
		      const struct optee_msg_param *p)
{
	uint8_t *want = malloc(op->in_len);

	check_size(g, op, p[2].u.tmem.size, op->in_len, "rpc reverse");
	if (!want)
		return;
	for (uint64_t i = 0; i < op->in_len; i++)
		want[i] = op->in[op->in_len - 1 - i];
	view_expect(g, op, &op->v[1], want, op->in_len, "rpc reverse");
	free(want);
}

/* One registered buffer of big_pages pages, checksummed as a whole. */
static bool prep_big(struct guest *g, struct gop *op)
{
	struct gview *w = &op->v[0];
	uint64_t len = (uint64_t)g->cfg.big_pages * PG;

	op->in_len = len;
	op->in = malloc(len);
	if (!op->in)
		return false;
	w->kind = VIEW_RMEM;
	w->transient = true;
	w->size = len;
	w->shm = shm_new(g, SHM_REG, len, 0);
	if (!w->shm)
		return false;
	step_add(op, STEP_REGISTER, 0, w->shm, false);
	rng_fill(g, op->in, len);
	view_write(g, w, op->in);
	return true;
}

#define SL4(a, b, c, d)                                                        \
	{                                                                      \
		PS_##a, PS_##b, PS_##c, PS_##d                                 \
	}

static const struct op_desc op_table[] = {
	{"echo",
	 GUEST_MEM_VALUE,
	 TA_XFORM,
	 TA_XFORM_CMD_ECHO,
	 SL4(VAL_INOUT, NONE, NONE, NONE),
	 {0},
	 prep_echo,
	 check_echo},
	{"slow",
	 GUEST_MEM_VALUE,
	 TA_SLOW,
	 TA_SLOW_CMD_SPIN,
	 SL4(VAL_INOUT, NONE, NONE, NONE),
	 {0},
	 prep_slow,
	 check_slow},
	{"xor",
	 GUEST_MEM_TMEM | GUEST_MEM_RMEM,
	 TA_XFORM,
	 TA_XFORM_CMD_XOR,
	 SL4(MEM_IN, MEM_OUT, VAL_IN, NONE),
	 {0, 1},
	 prep_xor,
	 check_xor},
	{"checksum",
	 GUEST_MEM_TMEM | GUEST_MEM_RMEM,
	 TA_CHECKSUM,
	 TA_CHECKSUM_CMD_FNV,
	 SL4(MEM_IN, VAL_OUT, NONE, NONE),
	 {0},
	 prep_fnv,
	 check_fnv},
	{"in-place add",
	 GUEST_MEM_TMEM | GUEST_MEM_RMEM,
	 TA_INPLACE,
	 TA_INPLACE_CMD_ADD,
	 SL4(MEM_INOUT, VAL_IN, NONE, NONE),
	 {0},
	 prep_add,
	 check_add},
	{"rpc reverse",
	 GUEST_MEM_RPC,
	 TA_RPC,
	 TA_RPC_CMD_REVERSE,
	 SL4(MEM_IN, VAL_IN, MEM_OUT, NONE),
	 {0, 0, 1},
	 prep_rev,
	 check_rev},
	{"notify",
	 GUEST_MEM_NOTIF,
	 TA_XFORM,
	 TA_XFORM_CMD_NOTIFY,
	 SL4(VAL_IN, NONE, NONE, NONE),
	 {0},
	 prep_notify,
	 check_notify},
	{"null checksum",
	 GUEST_MEM_NULL,
	 TA_CHECKSUM,
	 TA_CHECKSUM_CMD_FNV,
	 SL4(MEM_IN, VAL_OUT, NONE, NONE),
	 {0},
	 prep_null,
	 check_fnv},
};

static const struct op_desc big_desc = {
	"large checksum",
	0,
	TA_CHECKSUM,
	TA_CHECKSUM_CMD_FNV,
	SL4(MEM_IN, VAL_OUT, NONE, NONE),
	{0},
	prep_big,
	check_fnv,
};

#define OP_COUNT (sizeof(op_table) / sizeof(op_table[0]))

static void op_reset(struct gvcpu *v, uint8_t type)
{
	memset(&v->op, 0, sizeof(v->op));
	v->op.type = type;
	v->busy = true;
}

/*
 * Whether a TA may send one more value: notifications on, and fewer than
 * 16 of the 64 outstanding (their interrupt may be slow to come on
 * another host thread).
 */
static bool notif_room(const struct guest *g)
{
	return g->notif_on &&
	       __builtin_popcountll(g->notif_reserved | g->notif_expected) < 16;
}

static const struct op_desc *op_draw(struct guest *g)
{
	const struct op_desc *cand[OP_COUNT];
	size_t n = 0;

	if (g->cfg.big_pages && !g->big_done) {
		g->big_done = true;
		return &big_desc;
	}
	for (size_t i = 0; i < OP_COUNT; i++)
		if ((op_table[i].mem & g->cfg.mem) &&
		    (op_table[i].mem != GUEST_MEM_NOTIF || notif_room(g)))
			cand[n++] = &op_table[i];
	return n ? cand[rng_below(g, n)] : NULL;
}

static bool op_start_work(struct guest *g, struct gvcpu *v)
{
	const struct op_desc *d = op_draw(g);
	struct gop *op = &v->op;

	g->ops_started++;
	if (!d)
		return false;
	op_reset(v, OT_WORK);
	op->d = d;
	if (!d->prep(g, op)) {
		gerr(g, "guest out of RAM preparing %s", d->name);
		op_fail(op);
		op->pos = op->nsteps;
		return true;
	}
	if (!v->has_session[d->ta])
		step_add(op, STEP_OPEN, d->ta, NULL, false);
	step_add(op, STEP_INVOKE, d->ta, NULL, false);
	if (!rng_below(g, 4))
		step_add(op, STEP_CLOSE, d->ta, NULL, false);
	for (int i = 0; i < MAX_VIEWS; i++)
		if (op->v[i].transient)
			step_add(op, STEP_UNREGISTER, 0, op->v[i].shm, false);
	return true;
}

static bool vcpu_has_sessions(const struct gvcpu *v)
{
	for (int t = 0; t < TA_COUNT; t++)
		if (v->has_session[t])
			return true;
	return false;
}

static bool others_quiet(const struct guest *g, uint32_t self)
{
	for (uint32_t i = 0; i < g->cfg.vcpus; i++)
		if (i != self &&
		    (g->vcpu[i].busy || vcpu_has_sessions(&g->vcpu[i])))
			return false;
	return true;
}

/* What the next operation of an idle vCPU would be. */
static int op_kind_next(const struct guest *g, uint32_t vi)
{
	const struct gvcpu *v = &g->vcpu[vi];

	/* Linux's interrupt handler runs before anything else. */
	if (g->irq_pending && !g->notif_op && g->notif_on &&
	    (g->phase == PH_RUN || g->phase == PH_DRAIN))
		return OT_NOTIF;
	switch (g->phase) {
	case PH_PROBE:
		return vi == 0 && !g->probe_started ? OT_PROBE : -1;
	case PH_RUN:
		if (g->ops_started < g->cfg.ops)
			return OT_WORK;
		if (!g->cfg.cleanup)
			return -1;
		if (vcpu_has_sessions(v))
			return OT_CLOSE;
		/*
		 * Cleanup waits for the notifications its TAs sent, unless
		 * a fault injected into the platform may have lost one (an
		 * SMC of the interrupt handler): drain_finish() counts it.
		 */
		return others_quiet(g, vi) && !g->irq_pending &&
				       (!g->notif_expected ||
					g->cfg.tolerate_faults)
			       ? OT_DRAIN
			       : -1;
	default:
		return -1;
	}
}

static void drain_finish(struct guest *g)
{
	g->phase = PH_DONE;
	/* Every value the TAs sent must have come, each exactly once. */
	if (g->notif_expected && !tolerate(g, true))
		gerr(g, "notification values %#llx never delivered",
		     (unsigned long long)g->notif_expected);
	/*
	 * After an injected fault some buffers never come back: the
	 * secure world holds them (a thread cut off in an RPC) or never
	 * got them (an RPC_ALLOC answer teemed refused without asking us to
	 * free it), or a failed DISABLE_SHM_CACHE read as "empty". The
	 * VM's destruction reclaims them.
	 */
	if (g->nshms && tolerate(g, true))
		return;
	if (g->nshms)
		gerr(g, "%u buffers never given back after cleanup", g->nshms);
}

/* Set up the next operation; false when the vCPU has nothing to do. */
static bool op_next(struct guest *g, uint32_t vi)
{
	struct gvcpu *v = &g->vcpu[vi];
	int k = op_kind_next(g, vi);

	switch (k) {
	case OT_PROBE:
		op_reset(v, OT_PROBE);
		for (uint8_t f = F_UID; f <= F_CAPS; f++)
			step_add(&v->op, STEP_FAST, f, NULL, false);
		g->probe_started = true;
		return true;
	case OT_WORK:
		return op_start_work(g, v);
	case OT_NOTIF:
		op_reset(v, OT_NOTIF);
		g->irq_pending = false;
		g->notif_op = true;
		step_add(&v->op, STEP_FAST, F_NOTIF_GET, NULL, false);
		return true;
	case OT_CLOSE:
		op_reset(v, OT_CLOSE);
		for (uint8_t t = 0; t < TA_COUNT; t++)
			if (v->has_session[t])
				step_add(&v->op, STEP_CLOSE, t, NULL, false);
		return true;
	case OT_DRAIN:
		op_reset(v, OT_DRAIN);
		g->phase = PH_DRAIN;
		/* Linux's removal: notifications, buffers, argument cache. */
		if (g->notif_on)
			step_add(&v->op, STEP_NOTIF_CMD,
				 OPTEE_MSG_CMD_STOP_ASYNC_NOTIF, NULL, false);
		for (uint32_t i = 0; i < g->nshms; i++)
			if (g->shms[i]->long_lived && g->shms[i]->shared)
				step_add(&v->op, STEP_UNREGISTER, 0, g->shms[i],
					 true);
		for (uint32_t i = 0; i < g->argc_pages; i++)
			if (g->argc[i] && g->argc[i]->shared)
				step_add(&v->op, STEP_UNREGISTER, 0, g->argc[i],
					 true);
		if (g->cache_enabled)
			step_add(&v->op, STEP_FAST, F_DISABLE, NULL, false);
		if (!v->op.nsteps) {
			v->busy = false;
			drain_finish(g);
			return false;
		}
		return true;
	default:
		return false;
	}
}

static void op_finish(struct guest *g, struct gvcpu *v)
{
	struct gop *op = &v->op;

	for (int i = 0; i < MAX_VIEWS; i++)
		view_release(g, &op->v[i]);
	free(op->in);
	switch (op->type) {
	case OT_WORK:
		/* A notification that was not sent is not awaited. */
		if (op->d && op->d->prep == prep_notify) {
			g->notif_reserved &= ~(1ull << op->want[0]);
			g->notif_early &= ~(1ull << op->want[0]);
		}
		g->st.ops++;
		break;
	case OT_NOTIF:
		g->notif_op = false;
		break;
	case OT_PROBE:
		if (g->phase == PH_PROBE)
			g->phase = PH_RUN;
		break;
	case OT_DRAIN:
		drain_finish(g);
		break;
	default:
		break;
	}
	memset(op, 0, sizeof(*op));
	v->busy = false;
}

/* ---- the step engine -------------------------------------------------- */

/* Start the current step; false when it is skipped without an SMC. */
static bool step_begin(struct guest *g, struct gvcpu *v)
{
	struct gop *op = &v->op;
	struct gstep *s = &op->steps[op->pos];
	const struct step_ops *so = &step_ops[s->kind];

	memset(&v->call, 0, sizeof(v->call));
	if (op->failed && so->skip_if_failed)
		return false;
	return so->prep(g, v, s);
}

static void step_end(struct guest *g, struct gvcpu *v, uint32_t a0,
		     const struct teemed_regs *r)
{
	struct gop *op = &v->op;
	struct gstep *s = &op->steps[op->pos];

	if (s->kind == STEP_FAST) {
		if (!fast_done(g, v, s->arg, r))
			return; /* issue the same fast call again */
	} else {
		step_ops[s->kind].done(g, v, s, a0);
	}
	op->repeats = 0;
	op->pos++;
}

/* The final (non-RPC) answer of a yielding call. */
static void call_end(struct guest *g, struct gvcpu *v, uint32_t a0)
{
	struct gcall *c = &v->call;
	size_t len = (size_t)OPTEE_MSG_GET_ARG_SIZE(msg_of(c)->num_params);

	c->live = false;
	g->progress++;
	if (a0 == OPTEE_SMC_RETURN_OK)
		g->st.calls++;
	if (c->list_keep) {
		shm_list_free(g, c->list_keep);
		c->list_keep = NULL;
	}
	page_read(g, c->arg_page, c->arg_off, c->msg, len);
	oracle_guest_bytes(g->cfg.oracle, g->cfg.vm_id, c->msg, len,
			   "argument");
	if (c->arg_private)
		page_free(g, c->arg_page);
	c->arg_ipa = 0;
	step_end(g, v, a0, NULL);
}

uint32_t guest_calls_in_rpc(const struct guest *g)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->cfg.vcpus; i++)
		n += g->vcpu[i].call.live && g->vcpu[i].call.in_rpc;
	return n;
}

static void smc_issue(struct guest *g, struct gvcpu *v)
{
	struct gcall *c = &v->call;
	struct teemed_regs r = c->regs;
	uint32_t a0;

	c->waiting = false;
	g->cfg.smc(g->cfg.smc_ctx, (uint32_t)(v - g->vcpu), &r);
	g->st.smcs++;
	g->clock_ns += 1000;
	oracle_guest_regs(g->cfg.oracle, g->cfg.vm_id, &r);
	/* Linux keeps a4..a7 of its own block and truncates to 32 bits. */
	for (int i = 0; i < 4; i++)
		c->regs.a[i] = LO32(r.a[i]);
	if (c->handed) {
		c->handed->shared = true;
		c->handed = NULL;
	}
	a0 = LO32(r.a[0]);
	if (!c->arg_ipa) {
		c->live = false;
		step_end(g, v, a0, &r);
		return;
	}
	if (OPTEE_SMC_RETURN_IS_RPC(a0)) {
		c->started = true;
		c->in_rpc = true;
		rpc_serve(g, v);
		return;
	}
	c->in_rpc = false;
	if (a0 == OPTEE_SMC_RETURN_ETHREAD_LIMIT && !c->started) {
		g->st.ethread_waits++;
		if (guest_calls_in_rpc(g)) {
			/* Sleep until another call of ours finishes. */
			c->waiting = true;
			c->wait_mark = g->progress;
			c->regs = c->start;
			return;
		}
		gerr(g, "ETHREAD_LIMIT with no other call in flight: a "
			"Linux guest would sleep forever");
	}
	call_end(g, v, a0);
}

/* ---- public API ----------------------------------------------------- */

int guest_vcpu_step(struct guest *g, uint32_t vi)
{
	struct gvcpu *v;

	if (!g || vi >= g->cfg.vcpus)
		return 0;
	v = &g->vcpu[vi];
	for (int guard = 0; guard < 4 * MAX_STEPS; guard++) {
		if (!v->busy && !op_next(g, vi))
			return 0;
		if (v->call.live) {
			if (v->call.waiting && v->call.wait_mark == g->progress)
				return 0;
			smc_issue(g, v);
			if (!v->call.live && v->op.pos >= v->op.nsteps)
				op_finish(g, v);
			return 1;
		}
		if (v->op.pos >= v->op.nsteps)
			op_finish(g, v);
		else if (!step_begin(g, v))
			v->op.pos++;
	}
	return 0;
}

bool guest_vcpu_runnable(const struct guest *g, uint32_t vi)
{
	const struct gvcpu *v;

	if (!g || vi >= g->cfg.vcpus)
		return false;
	v = &g->vcpu[vi];
	if (v->busy)
		return !(v->call.live && v->call.waiting &&
			 v->call.wait_mark == g->progress);
	return op_kind_next(g, vi) >= 0;
}

bool guest_done(const struct guest *g)
{
	for (uint32_t i = 0; i < g->cfg.vcpus; i++)
		if (g->vcpu[i].busy)
			return false;
	if (g->phase == PH_DONE || g->phase == PH_DEAD)
		return true;
	return g->phase == PH_RUN && !g->cfg.cleanup &&
	       g->ops_started >= g->cfg.ops;
}

uint32_t guest_registered_now(const struct guest *g)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->nshms; i++)
		n += g->shms[i]->kind == SHM_REG && g->shms[i]->shared;
	return n;
}

void guest_get_stats(const struct guest *g, struct guest_stats *out)
{
	*out = g->st;
}

struct guest *guest_create(const struct guest_config *cfg)
{
	struct guest *g;

	if (!cfg || !cfg->machine || !cfg->smc || !cfg->vcpus ||
	    !cfg->ram_pages || !cfg->buf_size)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->cfg = *cfg;
	g->rng = cfg->seed ^ (0x51ed270b1d3a6c8full * (cfg->vm_id + 1u));
	g->free_pages = malloc((size_t)cfg->ram_pages * sizeof(uint32_t));
	g->page_state = calloc(cfg->ram_pages, 1);
	g->vcpu = calloc(cfg->vcpus, sizeof(*g->vcpu));
	if (!g->free_pages || !g->page_state || !g->vcpu) {
		guest_destroy(g);
		return NULL;
	}
	for (uint32_t i = 0; i < cfg->ram_pages; i++)
		g->free_pages[i] = i;
	g->nfree = cfg->ram_pages;
	g->clock_ns = 1700000000ull * 1000000000ull;
	return g;
}

void guest_destroy(struct guest *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; i < g->nshms; i++) {
		free(g->shms[i]->lists);
		free(g->shms[i]->pages);
		free(g->shms[i]);
	}
	if (g->vcpu)
		for (uint32_t i = 0; i < g->cfg.vcpus; i++)
			free(g->vcpu[i].op.in);
	free(g->shms);
	free(g->vcpu);
	free(g->page_state);
	free(g->free_pages);
	free(g);
}

int guest_balloon_shared(struct guest *g)
{
	struct gshm *pick = NULL;
	uint64_t seen = 0, ipa, idx;

	/* Reservoir-sample one buffer the secure world maps directly. */
	for (uint32_t i = 0; i < g->nshms; i++) {
		struct gshm *s = g->shms[i];

		if (s->shared &&
		    (s->kind == SHM_REG || s->kind == SHM_PAYLOAD) &&
		    !rng_below(g, ++seen))
			pick = s;
	}
	if (!pick)
		return -1;
	ipa = pick->pages[rng_below(g, pick->npages)];
	idx = (ipa - MACHINE_GUEST_RAM_BASE) / PG;
	if (g->page_state[idx] != PAGE_USED)
		return -1;
	g->st.balloon_tries++;
	if (machine_guest_balloon(g->cfg.machine, g->cfg.vm_id, ipa) != 0)
		return 0;
	g->st.balloon_given++;
	g->page_state[idx] = PAGE_LOST;
	return 1;
}

bool guest_poke_arg(struct guest *g, uint32_t vi, uint32_t offset,
		    uint8_t value)
{
	struct gvcpu *v;

	if (!g || vi >= g->cfg.vcpus || offset >= PG)
		return false;
	v = &g->vcpu[vi];
	if (!v->busy || !v->call.live || !v->call.arg_ipa)
		return false;
	/* Within the call's own page, or its own slot of the cache. */
	if (!v->call.arg_private)
		offset %= g->slot_size;
	page_write(g, v->call.arg_page, v->call.arg_off + offset, &value, 1);
	if (!v->op.tampered) {
		v->op.tampered = true;
		g->st.tampered_ops++;
	}
	return true;
}

void guest_notif_irq(void *ctx)
{
	struct guest *g = ctx;

	g->st.notif_irqs++;
	g->irq_pending = true;
}
