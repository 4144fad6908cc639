/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hosted platform (see sim_platform.h).
 *
 * Anything the core does that breaks the platform contract (unpinning a
 * page it never pinned, mapping a page it does not own, freeing an object
 * with another size, unlocking a lock it does not hold) aborts with a
 * message: in the simulator a core bug must be loud, never a silent
 * corruption that a later check may or may not notice.
 */
#define _POSIX_C_SOURCE 200809L

#include "sim_platform.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optee_abi.h"
#include "teemed/teemed.h"

#ifdef __has_include
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SIM_MAKE_UNDEFINED(p, n) VALGRIND_MAKE_MEM_UNDEFINED(p, n)
#endif
#endif
#ifndef SIM_MAKE_UNDEFINED
#define SIM_MAKE_UNDEFINED(p, n) ((void)(p), (void)(n))
#endif

#define OBJ_MAGIC 0x7465656d65646f62ull
/* Mediator pages come back dirty so that the core cannot rely on zeroes. */
#define PAGE_POISON 0xa5
/*
 * Objects too (alloc_obj promises no contents), with another byte so a
 * stray object pointer in a page stands out; under valgrind they are
 * also marked undefined, so memcheck names any read before a write.
 */
#define OBJ_POISON 0x5c

struct sim_platform_priv {
	pthread_mutex_t mu;
	uint64_t gen;
	int log_level; /* highest level printed; -1: logging off */
};

struct sim_lock {
	pthread_mutex_t m;
	struct sim_platform *p;
};

/* Lets every object be checked on free against what was asked. */
union obj_hdr {
	max_align_t align;
	struct {
		uint64_t magic;
		size_t size;
		const void *vm;
	} h;
};

/*
 * Locks of any sim platform this thread holds, and the peak it already
 * published to the platform of generation tls_gen, so that taking a lock
 * touches the shared mutex only when a new maximum is reached.
 */
static _Thread_local int tls_held;
static _Thread_local uint64_t tls_gen;
static _Thread_local int tls_peak;

/* Generations tell platforms apart even when one reuses another's address. */
static atomic_uint_least64_t next_gen = 1;

static struct sim_platform_priv *priv_of(struct sim_platform *p)
{
	return p->mutex;
}

static void plock(struct sim_platform *p)
{
	if (pthread_mutex_lock(&priv_of(p)->mu) != 0)
		abort();
}

static void punlock(struct sim_platform *p)
{
	if (pthread_mutex_unlock(&priv_of(p)->mu) != 0)
		abort();
}

static void core_bug(const char *what, uint64_t v)
{
	fprintf(stderr, "sim_platform: %s (0x%" PRIx64 "): core bug\n", what,
		v);
	abort();
}

/* Counts one call of `op`; true if fault injection makes it fail. */
static bool inject(struct sim_platform *p, enum sim_op op)
{
	bool fail;

	plock(p);
	p->op_calls[op]++;
	fail = p->fail_at[op] && p->op_calls[op] == p->fail_at[op];
	if (fail)
		p->injected_faults++;
	punlock(p);
	return fail;
}

bool sim_platform_inject(struct sim_platform *p, enum sim_op op)
{
	return (unsigned int)op < SIM_OP_COUNT && inject(p, op);
}

static void account(struct sim_platform *p, void *vm, int64_t objs,
		    int64_t bytes, int64_t pages)
{
	struct sim_vm *h = vm ? vm : &p->global;
	bool negative;

	plock(p);
	h->objs += objs;
	h->obj_bytes += bytes;
	h->pages += pages;
	negative = h->objs < 0 || h->obj_bytes < 0 || h->pages < 0;
	punlock(p);
	/* Something freed under a VM other than the one it was taken for. */
	if (negative)
		core_bug("accounting of a VM went negative", h->vm_id);
}

static int sp_pin(void *ctx, void *vm, teemed_ipa_t ipa, unsigned int flags,
		  teemed_pa_t *pa)
{
	struct sim_platform *p = ctx;
	struct sim_vm *h = vm;
	uint64_t addr;

	if (!h)
		core_bug("pin without a VM", teemed_ipa_addr(ipa));
	if (inject(p, SIM_OP_PIN))
		return TEEMED_ERR_FAULT;
	if (machine_pin(p->machine, h->vm_id, teemed_ipa_addr(ipa),
			(flags & TEEMED_PIN_WRITE) != 0, &addr) != 0)
		return TEEMED_ERR_FAULT;
	*pa = teemed_pa(addr);
	return 0;
}

static void sp_unpin(void *ctx, void *vm, teemed_pa_t pa)
{
	struct sim_platform *p = ctx;
	struct sim_vm *h = vm;

	if (!h)
		core_bug("unpin without a VM", teemed_pa_addr(pa));
	machine_unpin(p->machine, h->vm_id, teemed_pa_addr(pa));
}

static int sp_alloc_page(void *ctx, void *vm, teemed_pa_t *pa)
{
	struct sim_platform *p = ctx;
	uint64_t addr;

	if (inject(p, SIM_OP_ALLOC_PAGE))
		return TEEMED_ERR_NOMEM;
	if (machine_alloc_mediator_page(p->machine, &addr) != 0)
		return TEEMED_ERR_NOMEM;
	memset(machine_pa_ptr(p->machine, addr), PAGE_POISON,
	       MACHINE_PAGE_SIZE);
	account(p, vm, 0, 0, 1);
	*pa = teemed_pa(addr);
	return 0;
}

static void sp_free_page(void *ctx, void *vm, teemed_pa_t pa)
{
	struct sim_platform *p = ctx;

	machine_free_mediator_page(p->machine, teemed_pa_addr(pa));
	account(p, vm, 0, 0, -1);
}

void sim_platform_fresh_obj(struct sim_platform *p, void *obj, size_t size)
{
	if (!p->no_obj_poison)
		memset(obj, OBJ_POISON, size);
	SIM_MAKE_UNDEFINED(obj, size);
}

static void *sp_alloc_obj(void *ctx, void *vm, size_t size)
{
	struct sim_platform *p = ctx;
	union obj_hdr *hdr;

	if (size > TEEMED_PAGE_SIZE)
		core_bug("alloc_obj larger than a page", size);
	if (inject(p, SIM_OP_ALLOC_OBJ))
		return NULL;
	hdr = malloc(sizeof(*hdr) + size);
	if (!hdr)
		return NULL;
	hdr->h.magic = OBJ_MAGIC;
	hdr->h.size = size;
	hdr->h.vm = vm;
	sim_platform_fresh_obj(p, hdr + 1, size);
	account(p, vm, 1, (int64_t)size, 0);
	return hdr + 1;
}

static void sp_free_obj(void *ctx, void *vm, void *obj, size_t size)
{
	struct sim_platform *p = ctx;
	union obj_hdr *hdr = obj;

	if (!obj)
		return;
	hdr--;
	if (hdr->h.magic != OBJ_MAGIC)
		core_bug("free_obj of something alloc_obj did not give",
			 hdr->h.magic);
	if (hdr->h.size != size)
		core_bug("free_obj with another size than asked", size);
	if (hdr->h.vm != vm)
		core_bug("free_obj under another VM than alloc_obj", size);
	hdr->h.magic = 0;
	free(hdr);
	account(p, vm, -1, -(int64_t)size, 0);
}

/* The core may touch only its own pages and pages pinned right now. */
static void check_mappable(struct sim_platform *p, uint64_t pa,
			   const char *what)
{
	struct machine_page_info info;

	if (machine_page_info(p->machine, pa, &info) != 0)
		core_bug(what, pa);
	if (info.owner == MACHINE_OWNER_MEDIATOR)
		return;
	if (info.owner <= UINT16_MAX && info.pins)
		return;
	core_bug(what, pa);
}

static void *sp_map(void *ctx, teemed_pa_t pa)
{
	struct sim_platform *p = ctx;
	uint64_t addr = teemed_pa_addr(pa);

	if (addr & TEEMED_PAGE_MASK)
		core_bug("map of an unaligned PA", addr);
	check_mappable(p, addr, "map of a page neither mediator's nor pinned");
	return machine_pa_ptr(p->machine, addr);
}

static void sp_unmap(void *ctx, void *va)
{
	struct sim_platform *p = ctx;
	uintptr_t base =
		(uintptr_t)machine_pa_ptr(p->machine, MACHINE_HOST_BASE);
	uint64_t pa;

	if ((uintptr_t)va < base)
		core_bug("unmap of an address map never gave", (uintptr_t)va);
	pa = MACHINE_HOST_BASE + (uint64_t)((uintptr_t)va - base);
	if (!machine_is_host_pa(p->machine, pa))
		core_bug("unmap of an address map never gave", (uintptr_t)va);
	/* A mapping that outlives its pin would let the page be reused. */
	check_mappable(p, pa, "unmap after the page was unpinned or freed");
}

/* Inject the guest's notification interrupt: its line, if wired. */
static void sp_notify(void *ctx, void *vm)
{
	struct sim_vm *v = vm;

	(void)ctx;
	v->irqs++;
	if (v->irq)
		v->irq(v->irq_ctx);
}

static void sp_smc(void *ctx, struct teemed_regs *regs)
{
	struct sim_platform *p = ctx;

	if (tls_held > 0) {
		plock(p);
		p->smc_under_lock++;
		punlock(p);
	}
	/*
	 * A resume cannot fail this way: OP-TEE would keep the suspended
	 * thread, and the references it holds, for ever, while it answers a
	 * resume it cannot serve (ERESUME) only when it has no such thread.
	 */
	if ((uint32_t)regs->a[0] != OPTEE_SMC_CALL_RETURN_FROM_RPC &&
	    inject(p, SIM_OP_SMC)) {
		regs->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		return;
	}
	if (!p->smc_fn) {
		regs->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
		return;
	}
	p->smc_fn(p->smc_target, regs);
}

static void *sp_lock_create(void *ctx)
{
	struct sim_platform *p = ctx;
	struct sim_lock *l;
	pthread_mutexattr_t attr;
	int err;

	if (inject(p, SIM_OP_LOCK_CREATE))
		return NULL;
	l = malloc(sizeof(*l));
	if (!l)
		return NULL;
	/* Error-checking mutexes turn relocking and stray unlocks into
	   error codes instead of deadlocks or undefined behaviour. */
	if (pthread_mutexattr_init(&attr) != 0) {
		free(l);
		return NULL;
	}
	err = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	if (!err)
		err = pthread_mutex_init(&l->m, &attr);
	pthread_mutexattr_destroy(&attr);
	if (err) {
		free(l);
		return NULL;
	}
	l->p = p;
	return l;
}

static void sp_lock_destroy(void *ctx, void *lock)
{
	struct sim_lock *l = lock;

	(void)ctx;
	if (!l)
		return;
	if (pthread_mutex_destroy(&l->m) != 0)
		core_bug("lock_destroy of a held lock", (uintptr_t)lock);
	free(l);
}

static void sp_lock(void *ctx, void *lock)
{
	struct sim_platform *p = ctx;
	struct sim_platform_priv *pr = priv_of(p);
	struct sim_lock *l = lock;

	if (!l || l->p != p)
		core_bug("lock of something lock_create did not give",
			 (uintptr_t)lock);
	if (pthread_mutex_lock(&l->m) != 0)
		core_bug("lock taken twice by one thread", (uintptr_t)lock);
	tls_held++;
	if (tls_gen != pr->gen || tls_held > tls_peak) {
		tls_gen = pr->gen;
		tls_peak = tls_held;
		plock(p);
		if (tls_held > p->max_locks_held)
			p->max_locks_held = tls_held;
		punlock(p);
	}
}

static void sp_unlock(void *ctx, void *lock)
{
	struct sim_platform *p = ctx;
	struct sim_lock *l = lock;

	if (!l || l->p != p)
		core_bug("unlock of something lock_create did not give",
			 (uintptr_t)lock);
	if (pthread_mutex_unlock(&l->m) != 0)
		core_bug("unlock of a lock this thread does not hold",
			 (uintptr_t)lock);
	tls_held--;
}

static const char *level_name(enum teemed_log_level level)
{
	switch (level) {
	case TEEMED_LOG_ERROR:
		return "error";
	case TEEMED_LOG_WARN:
		return "warn";
	case TEEMED_LOG_INFO:
		return "info";
	case TEEMED_LOG_DEBUG:
		return "debug";
	}
	return "?";
}

static void sp_log(void *ctx, void *vm, enum teemed_log_level level,
		   const char *msg, uint64_t v1, uint64_t v2)
{
	struct sim_platform *p = ctx;
	const struct sim_vm *h = vm;

	if ((int)level > priv_of(p)->log_level)
		return;
	fprintf(stderr, "teemed[vm %u] %s: %s (0x%" PRIx64 ", 0x%" PRIx64 ")\n",
		h ? (unsigned int)h->vm_id : 0u, level_name(level),
		msg ? msg : "", v1, v2);
}

/* The trace callback: the event, attributed to the vCPU that trapped. */
static void sp_trace(void *ctx, void *vm, const struct teemed_trace_event *ev)
{
	struct sim_platform *p = ctx;
	const struct sim_vm *h = vm;
	struct teemed_trace_event e = *ev;

	if (h)
		e.vcpu = h->vcpu;
	if (p->trace_fn)
		p->trace_fn(p->trace_ctx, &e);
}

void sim_platform_set_trace(struct sim_platform *p, sim_trace_fn fn,
			    void *ctx)
{
	p->trace_fn = fn;
	p->trace_ctx = ctx;
	p->ops.trace = fn ? sp_trace : NULL;
}

/*
 * TEEMED_SIM_LOG unset: silent; set to a digit: levels up to it; set to
 * anything else: everything. Read once, as tests may run many platforms.
 */
static int log_level_from_env(void)
{
	const char *v = getenv("TEEMED_SIM_LOG");

	if (!v)
		return -1;
	if (v[0] >= '0' && v[0] <= '9' && !v[1])
		return v[0] - '0';
	return TEEMED_LOG_DEBUG;
}

void sim_platform_init(struct sim_platform *p, struct machine *m,
		       sim_smc_fn smc_fn, void *smc_target)
{
	struct sim_platform_priv *pr;

	memset(p, 0, sizeof(*p));
	pr = calloc(1, sizeof(*pr));
	if (!pr || pthread_mutex_init(&pr->mu, NULL) != 0) {
		fprintf(stderr, "sim_platform: out of memory\n");
		abort();
	}
	pr->gen = atomic_fetch_add(&next_gen, 1);
	pr->log_level = log_level_from_env();
	p->mutex = pr;
	p->machine = m;
	p->smc_fn = smc_fn;
	p->smc_target = smc_target;
	p->ops.ctx = p;
	p->ops.pin_guest_page = sp_pin;
	p->ops.unpin_guest_page = sp_unpin;
	p->ops.alloc_page = sp_alloc_page;
	p->ops.free_page = sp_free_page;
	p->ops.alloc_obj = sp_alloc_obj;
	p->ops.free_obj = sp_free_obj;
	p->ops.map = sp_map;
	p->ops.unmap = sp_unmap;
	p->ops.smc = sp_smc;
	p->ops.notify = sp_notify;
	p->ops.lock_create = sp_lock_create;
	p->ops.lock_destroy = sp_lock_destroy;
	p->ops.lock = sp_lock;
	p->ops.unlock = sp_unlock;
	p->ops.log = sp_log;
}

void sim_platform_fini(struct sim_platform *p)
{
	struct sim_platform_priv *pr = priv_of(p);

	if (!pr)
		return;
	pthread_mutex_destroy(&pr->mu);
	free(pr);
	p->mutex = NULL;
}

void sim_platform_fail_nth(struct sim_platform *p, enum sim_op op, uint64_t nth)
{
	if ((unsigned int)op >= SIM_OP_COUNT)
		return;
	plock(p);
	p->fail_at[op] = nth ? p->op_calls[op] + nth : 0;
	punlock(p);
}

void sim_platform_clear_faults(struct sim_platform *p)
{
	unsigned int i;

	plock(p);
	for (i = 0; i < SIM_OP_COUNT; i++)
		p->fail_at[i] = 0;
	punlock(p);
}

const char *sim_op_name(enum sim_op op)
{
	static const char *const names[SIM_OP_COUNT] = {
		[SIM_OP_PIN] = "pin",
		[SIM_OP_ALLOC_PAGE] = "alloc_page",
		[SIM_OP_ALLOC_OBJ] = "alloc_obj",
		[SIM_OP_LOCK_CREATE] = "lock_create",
		[SIM_OP_SMC] = "smc",
	};

	return (unsigned int)op < SIM_OP_COUNT ? names[op] : NULL;
}
