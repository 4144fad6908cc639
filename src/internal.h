/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private header between the core's files.
 *
 * Lock order: an instance lock and a VM lock are never held together.
 * The VM lock guards the VM's cookie tree, buffer states and users,
 * quota reservations and the statistics in `stats`; it is held only for
 * short bounded sections and never across the SMC or across page walks.
 * The call table takes no lock: a free slot is claimed by moving its
 * state from FREE, and a parked call from its parked state, to BUSY by
 * compare-and-swap, and work on one call is done by the one vCPU that
 * claimed it. The counters a call moves are atomics or its slot's
 * own (summed by teemed_vm_get_stats()).
 */
#ifndef TEEMED_INTERNAL_H
#define TEEMED_INTERNAL_H

#include "atomic.h"
#include "cookie_tree.h"
#include "optee_abi.h"
#include "teemed/teemed.h"
#include "teemed/trace.h"

#define TEEMED_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A check of the core's own bookkeeping, left out of NDEBUG builds. */
#ifdef NDEBUG
#define TEEMED_DEBUG_ASSERT(cond) ((void)0)
#else
#define TEEMED_DEBUG_ASSERT(cond) TEEMED_ASSERT(cond)
#endif
/*
 * A step of the yielding-call path that is worth its copies: inlined
 * into each entry (CALL_WITH_ARG, REGD_ARG, RETURN_FROM_RPC), a call
 * saves about 100 instructions of calls and register saves for about
 * 2.6 KiB more code.
 */
#define TEEMED_ALWAYS_INLINE inline __attribute__((__always_inline__))
#define TEEMED_U64_MAX	     (~(uint64_t)0)
#define TEEMED_FALLTHROUGH   __attribute__((__fallthrough__))

/* Register helpers: only the low 32 bits of a register carry meaning. */
static inline uint32_t reg32(uint64_t r)
{
	return (uint32_t)r;
}

static inline uint64_t reg_pair(uint64_t hi, uint64_t lo)
{
	return ((uint64_t)reg32(hi) << 32) | reg32(lo);
}

/* A configuration field: 0 means "the default". */
static inline uint32_t or_default(uint32_t value, uint32_t fallback)
{
	return value ? value : fallback;
}

static inline void reg_pair_set(uint64_t *hi, uint64_t *lo, uint64_t v)
{
	*hi = v >> 32;
	*lo = (uint32_t)v;
}

/* What two CPUs must not both write to stay fast (Arm's and x86's). */
#define TEEMED_CACHE_LINE 64u
/* uint64_t per cache line: the pool's slots share no line. */
#define TEEMED_POOL_STRIDE (TEEMED_CACHE_LINE / 8u)

struct teemed {
	const struct teemed_platform *plat;
	struct teemed_info info;
	uint32_t max_vms;
	uint32_t step_pages;
	struct teemed_quota vm_quota;
	uint64_t global_pinned_cap;
	uint64_t global_pinned;
	void *lock; /* guards vms[], vm_count and the notification list */
	uint32_t vm_count;
	struct teemed_vm **vms; /* max_vms slots */
	/* VMs that enabled asynchronous notifications, packed first. */
	struct teemed_vm **notif_vms; /* max_vms slots */
	uint32_t notif_count;
	/* Free shadow pages (PA | 1; 0: empty), one per cache line. */
	uint64_t shadow_pool[TEEMED_SHADOW_POOL_PAGES * TEEMED_POOL_STRIDE + 1];
};

/* What a buffer object is for; decides how it may be named and freed. */
enum buf_kind {
	BUF_TMEM,	 /* temporary memref of one call */
	BUF_REGISTERED,	 /* REGISTER_SHM: rmem may name it */
	BUF_RPC_PAYLOAD, /* answer to an RPC SHM_ALLOC */
	BUF_RPC_ARG	 /* answer to RPC_ALLOC: a shadowed message page */
};

enum buf_state {
	BUF_BUILDING,	   /* being translated; not yet usable */
	BUF_LIVE,	   /* known to OP-TEE */
	BUF_UNREGISTERING, /* UNREGISTER_SHM in flight */
	BUF_RELEASING	   /* being unpinned */
};

/* How a buffer keeps its PAs. */
enum buf_form {
	BUF_FULL = 0, /* struct full_buf: the shadow list OP-TEE reads */
	BUF_COMPACT,  /* after the record, or in an array it points to */
	BUF_CHUNKED   /* in chunks of 512 the record points to (buf.c) */
};

/*
 * A buffer object: what every buffer has, and all a registered buffer
 * keeps once OP-TEE holds it. A buffer starts full (struct full_buf):
 * its pinned PAs live in the shadow page list (511 entries and a next
 * pointer per 4 KiB page), the format OP-TEE reads, beside the state of
 * the translation or release running over them. Once OP-TEE holds a
 * registration it no longer reads the list, and the buffer is made
 * compact (teemed_buf_compact()): this record, 56 bytes, and its PAs at
 * 8 bytes a page. Up to 505 pages they follow the record in its object;
 * up to 511 the record's one more word points to an array of them; from
 * 512 on it points to the first of the list pages refilled as chunks of
 * 512 PAs linked through their entries' spare low bits, the last chunk
 * to an array of the PAs past them: 64 + 8 bytes a page at most.
 */
struct buf {
	struct ctree_node node; /* key: cookie (registered, payload) */
	struct buf *next;	/* call's temporary list / release queue */
	uint32_t page_count;	/* data pages */
	uint32_t users;		/* in-flight calls naming it by rmem */
	uint16_t offset;	/* of the first byte in the first page */
	uint16_t released;	/* compact: pages unpinned so far (chunked:
				   in its first chunk left, or 512 + in the
				   PAs past the chunks) */
	uint8_t kind;
	uint8_t state;
	bool in_tree; /* entered in the VM's cookie namespace */
	uint8_t form; /* enum buf_form */
};

/* A buffer with its shadow list and the state that builds and frees it. */
struct full_buf {
	struct buf b;
	uint64_t size;		 /* bytes, as the guest stated */
	uint32_t pinned;	 /* data pages pinned so far */
	uint32_t cursor;	 /* entries released so far */
	uint32_t list_pages;	 /* shadow list pages held */
	uint32_t guest_list_no;	 /* which of the guest's list pages */
	uint32_t mpages;	 /* mediator pages reserved for it */
	bool contiguous;	 /* one page named directly, no guest list */
	teemed_pa_t head;	 /* first shadow list page (RPC_ARG: shadow) */
	teemed_pa_t tail;	 /* list page being filled */
	teemed_ipa_t guest_list; /* guest list page being read (RPC_ARG and
				    contiguous: the guest's page itself) */
};

/* Payloads, RPC argument and temporary buffers are never compact. */
static inline struct full_buf *full_buf_of(const struct buf *b)
{
	TEEMED_ASSERT(b->form == BUF_FULL);
	return (struct full_buf *)(uintptr_t)b;
}

/*
 * States of a call slot; a slot is BUSY while one vCPU works on it. Read
 * and written atomically: a parked call is taken by compare-and-swap.
 */
enum call_state {
	CALL_FREE = 0,
	CALL_BUSY,
	CALL_PAUSED_PREPARE, /* translation paused; guest will resume */
	CALL_IN_RPC,	     /* OP-TEE waits for the guest's RPC answer */
	CALL_PAUSED_FINISH,  /* release paused; guest will resume */
	CALL_PAUSED_RPC	     /* RPC answer's translation paused */
};

/* Most parameters of any command a guest may send (OPEN_SESSION). */
#define TEEMED_CALL_MAX_PARAMS 6

/* Where a call's argument lives in the guest (spec §2.6-2.8). */
enum arg_kind {
	ARG_PAGE,     /* CALL_WITH_ARG: a pinned page, no RPC area */
	ARG_PAGE_RPC, /* CALL_WITH_RPC_ARG: a pinned page, RPC area after it */
	ARG_REGD      /* CALL_WITH_REGD_ARG: inside a registered buffer */
};

/* One yielding call in flight, with its resumable translation. */
struct call {
	void *alloc; /* what alloc_obj gave: the slot is aligned within it */
	uint8_t state;
	uint8_t rpc_func;      /* RPC the guest is answering (IN_RPC) */
	uint16_t index;	       /* guest-visible thread id */
	uint32_t optee_thread; /* OP-TEE's thread index */
	uint32_t param_cursor; /* next parameter to translate */
	uint32_t result;       /* a0 to deliver once finished */
	teemed_ipa_t guest_arg;
	teemed_pa_t guest_arg_pa; /* pinned while the call lasts */
	bool arg_pinned;       /* written atomically: the statistics read it */
	uint8_t arg_kind;      /* enum arg_kind */
	bool rpc_in_area;      /* the RPC_CMD in progress uses the RPC area */
	uint32_t rpc_off;      /* RPC area, from the start of the argument */
	struct buf *arg_buf;   /* ARG_REGD: the buffer, one of its users */
	uint64_t arg_offset;   /* ARG_REGD: the argument's offset in it */
	uint32_t arg_page_off; /* the argument's offset in guest_arg_pa */
	bool arg_direct; /* ARG_REGD within one page: guest_arg_pa holds it */
	uint8_t *arg_va; /* mapped in this SMC (pin, arg_map), or NULL */
	const struct cmd_rule *rule;  /* of the message's command (params.c) */
	teemed_pa_t shadow_pa;	      /* while the call lasts */
	struct optee_msg_arg *shadow; /* mapped shadow argument, or NULL */
	struct buf *bufs;	      /* temporary buffers of this call */
	struct buf *building;	      /* buffer being translated */
	struct buf *registering;      /* REGISTER_SHM target */
	struct buf *unregistering;    /* UNREGISTER_SHM target */
	struct buf *rmem_bufs[TEEMED_CALL_MAX_PARAMS];
	uint32_t rmem_count;
	uint32_t tmem_named; /* temporary buffers in the namespace */
	/* RPC in progress */
	uint32_t rpc_size;	 /* RPC_ALLOC: bytes asked */
	struct buf *rpc_arg;	 /* RPC_CMD: the message buffer */
	struct buf *rpc_free;	 /* RPC_FREE: drop once OP-TEE resumed */
	struct buf *rpc_payload; /* SHM_ALLOC answer being translated */
	uint64_t refused_cookie; /* of an RPC_ALLOC answer refused */
	/* Statistics of the slot, written by its vCPU of the moment (atomic
	   stores), summed by teemed_vm_get_stats(): no line shared between
	   vCPUs is written per call. */
	uint64_t started; /* yielding calls started in it */
	uint64_t smcs;	  /* SMCs that claimed it */
};

/* Work done in one trapped SMC, checked against the step budget. */
struct step {
	uint32_t budget;
	uint32_t pages;	   /* pinned + unpinned so far */
	int32_t pin_delta; /* pinned minus unpinned, for the statistics */
	int32_t pin_high;  /* highest pin_delta reached during the step */
	bool counted;	   /* the SMC is counted in a call slot's smcs */
	uint32_t vcpu;	   /* the caller's, or TEEMED_NO_VCPU */
};

static inline bool step_exhausted(const struct step *s)
{
	return s->pages >= s->budget;
}

enum vm_phase {
	VM_ALIVE = 0,
	VM_DYING,    /* destroy started; OP-TEE not told yet */
	VM_RELEASING /* OP-TEE forgot the VM; releasing memory */
};

struct teemed_vm {
	struct teemed *t;
	void *hv_vm;
	void *lock;
	uint16_t client_id;
	uint8_t phase;
	struct teemed_quota quota;
	/* Under the lock, but for smcs, std_calls, calls, mediator_pages,
	   their peaks and pinned_args: see below and struct call. */
	struct teemed_vm_stats stats;
	uint64_t smcs;		  /* SMCs that claimed no call slot (atomic) */
	uint32_t mpages;	  /* mediator pages charged to it (atomic) */
	uint32_t mpages_peak;	  /* (atomic) */
	uint32_t calls_peak;	  /* (atomic) */
	uint32_t reserved_pages;  /* pinned or about to be (lock; stored
				     atomically for a lock-free look) */
	uint32_t reserved_mpages; /* mediator pages held or about to be */
	/* Call table: quota.calls slots made with the VM. */
	struct call **calls;
	struct ctree cookies;	   /* registered and payload buffers */
	struct buf *release_queue; /* buffers waiting to be unpinned */
	uint32_t queued;	   /* buffers in release_queue */
	uint32_t destroy_slot;	   /* teardown cursor over calls[] */
	/* Capabilities this VM is offered (subset of info.guest_caps). */
	uint32_t caps;
	/* Asynchronous notifications (instance lock). */
	bool notif_on; /* in t->notif_vms[notif_slot] */
	uint32_t notif_slot;
	uint32_t notif_polling; /* teemed_notif_irq() polling OP-TEE for it */
	uint64_t notif_pending; /* values taken from OP-TEE, not yet read */
	uint64_t notif_values;	/* taken in all (atomic) */
};

/* --- util.c: platform wrappers and accounting --------------------------- */

void teemed_quota_overlay(struct teemed_quota *q,
			  const struct teemed_quota *over);
void teemed_vm_lock(struct teemed_vm *vm);
void teemed_vm_unlock(struct teemed_vm *vm);
void teemed_vm_refuse(struct teemed_vm *vm, enum teemed_refusal why);
void teemed_vm_refuse_at(struct teemed_vm *vm, enum teemed_refusal why,
			 uint8_t cause, uint32_t index);
void *teemed_zalloc_obj(const struct teemed_platform *p, void *hv_vm,
			size_t size);
void *teemed_vm_alloc_obj(struct teemed_vm *vm, size_t size);
void *teemed_vm_zalloc_obj(struct teemed_vm *vm, size_t size);
void teemed_vm_free_obj(struct teemed_vm *vm, void *obj, size_t size);
int teemed_vm_alloc_page(struct teemed_vm *vm, teemed_pa_t *pa);
void teemed_vm_free_page(struct teemed_vm *vm, teemed_pa_t pa);
int teemed_vm_reserve_pages(struct teemed_vm *vm, uint32_t pages,
			    uint32_t mpages);
void teemed_vm_unreserve_pages(struct teemed_vm *vm, uint32_t pages,
			       uint32_t mpages);
bool teemed_vm_pages_available(struct teemed_vm *vm, uint64_t pages);
void teemed_vm_log(struct teemed_vm *vm, enum teemed_log_level level,
		   const char *msg, uint64_t v1, uint64_t v2);
static inline void *teemed_plat_map(struct teemed *t, teemed_pa_t pa)
{
	return t->plat->map(t->plat->ctx, pa);
}

static inline void teemed_plat_unmap(struct teemed *t, void *va)
{
	t->plat->unmap(t->plat->ctx, va);
}

void teemed_plat_smc(struct teemed *t, struct teemed_regs *regs);

/* --- guest_mem.c: reading and writing guest memory by IPA ---------------- */

void *teemed_guest_map(struct teemed_vm *vm, teemed_ipa_t page,
		       unsigned int flags, teemed_pa_t *pa);
void teemed_guest_unmap(struct teemed_vm *vm, void *va, teemed_pa_t pa);
int teemed_guest_read(struct teemed_vm *vm, teemed_ipa_t ipa, void *dst,
		      size_t len);
int teemed_guest_write(struct teemed_vm *vm, teemed_ipa_t ipa, const void *src,
		       size_t len);

/* --- buf.c: page lists, pins, resumable translation and release --------- */

bool teemed_buf_span_pages(uint64_t buf_ptr, uint64_t size, uint32_t *pages);
struct buf *teemed_buf_create(struct teemed_vm *vm, uint8_t kind,
			      uint64_t cookie, uint64_t buf_ptr, uint64_t size,
			      uint32_t *refusal);
struct buf *teemed_buf_create_contiguous(struct teemed_vm *vm, uint64_t cookie,
					 uint64_t ipa, uint64_t size,
					 uint32_t *refusal);
struct buf *teemed_buf_create_rpc_arg(struct teemed_vm *vm, uint64_t cookie,
				      uint64_t ipa, uint32_t *refusal);
int teemed_buf_translate(struct teemed_vm *vm, struct buf *b, struct step *st);
bool teemed_buf_release(struct teemed_vm *vm, struct buf *b, struct step *st);
struct buf *teemed_buf_compact(struct teemed_vm *vm, struct buf *b);
void teemed_buf_discard(struct teemed_vm *vm, struct buf *b);
uint64_t teemed_buf_shadow_ptr(const struct buf *b);
uint64_t teemed_buf_usable_size(const struct buf *b);
uint64_t teemed_buf_cookie(const struct buf *b);
int teemed_buf_io(struct teemed_vm *vm, const struct buf *b, uint64_t off,
		  void *buf, size_t len, bool write);
teemed_pa_t teemed_buf_page_pa(struct teemed_vm *vm, const struct buf *b,
			       uint32_t index);

/* --- shm.c: the VM's cookie namespace ------------------------------------ */

struct buf *teemed_shm_lookup_locked(struct teemed_vm *vm, uint64_t cookie);
int teemed_shm_insert_locked(struct teemed_vm *vm, struct buf *b);
uint32_t teemed_shm_insert(struct teemed_vm *vm, struct buf *b);
void teemed_shm_remove_locked(struct teemed_vm *vm, struct buf *b);
void teemed_shm_replace(struct teemed_vm *vm, struct buf *b, struct buf *with);
struct buf *teemed_shm_first_locked(struct teemed_vm *vm);
void teemed_shm_queue_release_locked(struct teemed_vm *vm, struct buf *b);
bool teemed_shm_drain_release_queue(struct teemed_vm *vm, struct step *st);

/* --- call.c: the call table ----------------------------------------------- */

struct call *teemed_call_make_slot(struct teemed_vm *vm, uint16_t index);
void teemed_call_add_stats(const struct teemed_vm *vm,
			   struct teemed_vm_stats *out);
void teemed_call_pool_drain(struct teemed *t);
void teemed_stats_raise(uint32_t *peak, uint32_t value);
struct call *teemed_call_claim_new(struct teemed_vm *vm, uint32_t vcpu,
				   bool *no_page);
struct call *teemed_call_claim_paused(struct teemed_vm *vm, uint32_t index,
				      uint8_t *was);
void teemed_call_park(struct teemed_vm *vm, struct call *c, uint8_t state);
void teemed_call_retire(struct teemed_vm *vm, struct call *c);
void teemed_call_free_slot(struct teemed_vm *vm, struct call *c);
void teemed_call_drop_arg_buf(struct teemed_vm *vm, struct call *c);
uint8_t *teemed_call_arg_map_page(struct teemed_vm *vm, struct call *c);
int teemed_call_arg_io(struct teemed_vm *vm, struct call *c, uint64_t off,
		       void *buf, size_t len, bool write);

/* The argument mapped for this SMC (teemed_call_arg_map_page()). */
static inline uint8_t *teemed_call_arg_map(struct teemed_vm *vm, struct call *c)
{
	return c->arg_va ? c->arg_va : teemed_call_arg_map_page(vm, c);
}

/* This SMC claimed `c`: counted in the slot, not in a shared counter. */
static inline void teemed_call_count_smc(struct call *c, struct step *st)
{
	TEEMED_ATOMIC_STORE(&c->smcs, c->smcs + 1);
	st->counted = true;
}

/* The argument's mapping for this SMC ends, if it was mapped. */
static inline void teemed_call_arg_unmap(struct teemed_vm *vm, struct call *c)
{
	if (c->arg_va) {
		teemed_plat_unmap(vm->t, c->arg_va - c->arg_page_off);
		c->arg_va = NULL;
	}
}

/*
 * The guest's argument page stays pinned from the copy to the answer, so
 * a guest cannot lose its answer by giving the page away mid-call. One
 * page per call, bounded by the calls quota, so it is counted apart from
 * the pinned-pages quota and the step budget. Mapped at once: the
 * message is copied in next, in this SMC.
 */
static inline int teemed_call_pin_arg(struct teemed_vm *vm, struct call *c)
{
	const struct teemed_platform *p = vm->t->plat;

	if (p->pin_guest_page(p->ctx, vm->hv_vm, c->guest_arg, TEEMED_PIN_WRITE,
			      &c->guest_arg_pa))
		return TEEMED_ERR_FAULT;
	TEEMED_ATOMIC_STORE(&c->arg_pinned, true);
	c->arg_va = p->map(p->ctx, c->guest_arg_pa);
	return TEEMED_OK;
}

/* The argument's memory goes back: its page's pin, or its buffer's use. */
static inline void teemed_call_unpin_arg(struct teemed_vm *vm, struct call *c)
{
	const struct teemed_platform *p = vm->t->plat;

	teemed_call_arg_unmap(vm, c);
	if (c->arg_pinned) {
		p->unpin_guest_page(p->ctx, vm->hv_vm, c->guest_arg_pa);
		TEEMED_ATOMIC_STORE(&c->arg_pinned, false);
	}
	if (c->arg_buf)
		teemed_call_drop_arg_buf(vm, c);
}

/*
 * Copy between the argument and `buf`: through `page` when mapped (the
 * caller keeping within it), else as teemed_call_arg_io(). Inline, so a
 * copy of a fixed size is a few moves on the CALL_WITH_ARG path.
 */
static inline int teemed_call_arg_copy(struct teemed_vm *vm, struct call *c,
				       uint8_t *page, uint64_t off, void *buf,
				       size_t len, bool write)
{
	if (!page)
		return teemed_call_arg_io(vm, c, off, buf, len, write);
	if (write)
		__builtin_memcpy(page + off, buf, len);
	else
		__builtin_memcpy(buf, page + off, len);
	return TEEMED_OK;
}

/* --- std_call.c / params.c: yielding calls ------------------------------- */

void teemed_std_call_with_arg(struct teemed_vm *vm, struct teemed_regs *regs,
			      struct step *st);
void teemed_std_return_from_rpc(struct teemed_vm *vm, struct teemed_regs *regs,
				struct step *st);
void teemed_std_call_with_rpc_arg(struct teemed_vm *vm,
				  struct teemed_regs *regs, struct step *st);
void teemed_std_call_with_regd_arg(struct teemed_vm *vm,
				   struct teemed_regs *regs, struct step *st);

enum params_result {
	PARAMS_DONE,   /* every parameter translated */
	PARAMS_PAUSED, /* budget spent; resume later */
	PARAMS_FAILED  /* shadow->ret/ret_origin tell why */
};

/* What became of a new call's message (teemed_params_take_message()). */
enum message_taken {
	MESSAGE_TAKEN,	  /* in the shadow, its shape checked: go on */
	MESSAGE_FAILED,	  /* its shape broke a rule; ret/ret_origin say so */
	MESSAGE_BAD_ADDR, /* EBADADDR: it does not fit where it lies */
	MESSAGE_BAD_CMD	  /* EBADCMD: a command the guest may not send */
};

/* What goes back to the guest's message as a call ends. */
enum call_outputs {
	OUTPUTS_NONE,  /* no message-level answer */
	OUTPUTS_ERROR, /* refused by the mediator: ret and ret_origin */
	OUTPUTS_ALL    /* answered by OP-TEE: what its command writes */
};

/* What OP-TEE writes back in a parameter (§3.6). */
enum param_output {
	PARAM_OUT_NONE = 0,
	PARAM_OUT_VALUE, /* value.a and value.b */
	PARAM_OUT_SIZE	 /* a memref's size, value.b's bytes */
};

enum param_output teemed_params_output(uint64_t attr);
enum message_taken teemed_params_take_message(struct teemed_vm *vm,
					      struct call *c, uint64_t room);
enum params_result teemed_params_translate(struct teemed_vm *vm, struct call *c,
					   struct step *st);
void teemed_params_end_call(struct teemed_vm *vm, struct call *c,
			    enum call_outputs outputs);

/* --- rpc.c: RPCs from OP-TEE and the guest's answers -------------------- */

enum rpc_route {
	RPC_TO_GUEST, /* regs hold the RPC for the guest */
	RPC_PAUSED,   /* translation paused; regs hold FOREIGN_INTR */
	RPC_TO_OPTEE  /* sw holds the RETURN_FROM_RPC for OP-TEE */
};

void teemed_rpc_forward(struct teemed_vm *vm, struct call *c,
			const struct teemed_regs *sw, struct teemed_regs *regs);
enum rpc_route teemed_rpc_answer(struct teemed_vm *vm, struct call *c,
				 struct teemed_regs *regs, struct step *st,
				 struct teemed_regs *sw);
enum rpc_route teemed_rpc_continue(struct teemed_vm *vm, struct call *c,
				   struct step *st, struct teemed_regs *regs);
void teemed_rpc_after_resume(struct teemed_vm *vm, struct call *c);
void teemed_rpc_disable_cache_cookie(struct teemed_vm *vm, uint64_t cookie);

/* --- teemed_fast_call.c
 * ------------------------------------------------------------
 */

void teemed_fast_call(struct teemed_vm *vm, struct teemed_regs *regs);

/* --- trace.c: events for the platform's trace callback ----------------- */

/* Whether the embedder traces; every hook tests this first. */
static inline bool teemed_tracing(const struct teemed *t)
{
	return __builtin_expect(t->plat->trace != NULL, 0);
}

void teemed_trace_guest(struct teemed_vm *vm, bool answer, uint32_t fid,
			const struct teemed_regs *regs);
void teemed_trace_smc(const struct teemed *t, const struct teemed_vm *vm,
		      bool answer, uint32_t fid, const struct teemed_regs *regs,
		      const struct optee_msg_arg *shadow);
void teemed_trace_traced_smc(struct teemed_vm *vm, struct teemed_regs *regs,
			     const struct optee_msg_arg *shadow);
void teemed_trace_msg(struct teemed_vm *vm, uint8_t kind, const void *msg,
		      uint32_t len);
void teemed_trace_reply(struct teemed_vm *vm, const struct call *c);
void teemed_trace_refusal(struct teemed_vm *vm, enum teemed_refusal why,
			  uint8_t cause, uint32_t index);
void teemed_trace_pause(struct teemed_vm *vm, uint32_t pages, uint16_t thread);
void teemed_trace_vm(const struct teemed *t, void *hv_vm, uint16_t client_id,
		     uint8_t kind, int status, uint32_t work);

/* An SMC on behalf of `vm`; `shadow`: the call's argument, or NULL. */
static inline void teemed_vm_plat_smc(struct teemed_vm *vm,
				      struct teemed_regs *regs,
				      const struct optee_msg_arg *shadow)
{
	const struct teemed_platform *p = vm->t->plat;

	if (__builtin_expect(p->trace != NULL, 0))
		teemed_trace_traced_smc(vm, regs, shadow);
	else
		p->smc(p->ctx, regs);
}

/* --- notif.c: asynchronous notifications ------------------------------- */

void teemed_notif_enable(struct teemed_vm *vm, struct teemed_regs *regs);
void teemed_notif_get_value(struct teemed_vm *vm, struct teemed_regs *regs);
void teemed_notif_stopped(struct teemed_vm *vm);
void teemed_notif_vm_gone(struct teemed_vm *vm);
bool teemed_notif_vm_idle(struct teemed_vm *vm);

/* --- vm.c -------------------------------------------------------------------
 */

void teemed_stats_peak(uint32_t *now, uint32_t *peak, int64_t delta);

#endif /* TEEMED_INTERNAL_H */
