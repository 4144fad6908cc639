/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reference platform: what a hypervisor's callbacks cost, so that a
 * "whole" figure (everything inside the entry call but the secure world)
 * can be set beside Xen's mediator measured over the same kind of
 * harness (a refcount per page in a frame table: a pin of about 35
 * instructions, an unpin of about 13). It does what a hypervisor does:
 *
 *   - host RAM is one array of 4 KiB frames, PA = host address (the
 *     direct map: map and unmap cost nothing);
 *   - a frame table: each frame's owner and reference count; each VM's
 *     p2m maps its guest frames to scattered host frames;
 *   - pin: bounds check of the IPA, p2m look-up (a write pin of a
 *     read-only page refused), the owner checked and
 *     the count raised by compare-and-swap (refused on overflow), as
 *     Xen's get_page(); unpin: the PA back to its frame, bounds checked,
 *     the count dropped;
 *   - pages: a free list of frames per VM (and one for the instance's
 *     own pages, `vm` NULL), each under its own spinlock;
 *   - objects: the C library's malloc/free (no zeroing, as xmalloc);
 *   - locks: a test-and-test-and-set spinlock.
 *
 * No callback takes a lock shared by all VMs, but for a page of the
 * instance's own (which the core's shadow pool asks for only when it is
 * empty). The secure world does no work: it answers each call at once.
 *
 * Two uses: `--callgrind-op invoke-ref|openclose-ref|tmem16-ref|
 * regpages-ref` (the whole figures of docs/benchmarks.md; regpages-ref
 * with --count the buffer's pages), and the `lean` section:
 * throughput of N host threads driving N VMs, or N vCPUs of one VM, each
 * its own value-only INVOKE; calls/s beside one thread's. Wall-clock: as
 * noisy as the machine is busy.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "internal.h"

#define RP_VMS	      2u
#define RP_VM_PAGES   64u /* guest RAM per VM */
#define RP_HEAP_PAGES 32u /* mediator pages per heap */
#define RP_FRAMES     (RP_VMS * RP_VM_PAGES + (RP_VMS + 1) * RP_HEAP_PAGES)
#define RP_NO_FRAME   UINT32_MAX
#define LEAN_THREADS  2u
#define LEAN_REPS     5u

struct rp_lock {
	int held;
};

struct rp_frame {
	uint32_t owner; /* VM id, 0: the hypervisor's */
	uint32_t refs;	/* pins */
	uint32_t next_free;
};

struct rp_heap {
	struct rp_lock lock;
	uint32_t head; /* first free frame */
};

struct rp_host {
	uint8_t *ram; /* RP_FRAMES frames; PA = host address */
	struct rp_frame frames[RP_FRAMES];
	struct rp_heap heap; /* the instance's own pages */
	struct teemed_platform plat;
	struct teemed *t;
};

struct rp_vm {
	struct rp_host *h;
	uint32_t id;
	uint64_t p2m[RP_VM_PAGES]; /* frame << 1 | writable */
	struct rp_heap heap;
	struct teemed_vm *vm;
};

static void ref_spin_lock(struct rp_lock *l)
{
	for (unsigned int spins = 0;; spins++) {
		if (!__atomic_load_n(&l->held, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
			return;
		/* The machine is shared: a preempted holder gets its CPU. */
		if (spins % 64 == 63)
			sched_yield();
	}
}

static void ref_spin_unlock(struct rp_lock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

static uint64_t ref_frame_pa(const struct rp_host *h, uint32_t mfn)
{
	return (uint64_t)(uintptr_t)(h->ram + (size_t)mfn * TEEMED_PAGE_SIZE);
}

static int rp_pin(void *ctx, void *vm, teemed_ipa_t ipa, unsigned int flags,
		  teemed_pa_t *pa)
{
	struct rp_host *h = ctx;
	struct rp_vm *v = vm;
	uint64_t gfn = teemed_ipa_addr(ipa) / TEEMED_PAGE_SIZE;
	struct rp_frame *f;
	uint64_t entry;
	uint32_t refs;

	if (gfn >= RP_VM_PAGES)
		return TEEMED_ERR_FAULT;
	entry = v->p2m[gfn];
	if ((flags & TEEMED_PIN_WRITE) && !(entry & 1))
		return TEEMED_ERR_FAULT;
	f = &h->frames[entry >> 1];
	refs = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);
	do {
		if (f->owner != v->id || refs == UINT32_MAX)
			return TEEMED_ERR_FAULT;
	} while (!__atomic_compare_exchange_n(&f->refs, &refs, refs + 1, true,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	*pa = teemed_pa(ref_frame_pa(h, (uint32_t)(entry >> 1)));
	return TEEMED_OK;
}

static void rp_unpin(void *ctx, void *vm, teemed_pa_t pa)
{
	struct rp_host *h = ctx;
	uint64_t mfn = (teemed_pa_addr(pa) - (uint64_t)(uintptr_t)h->ram) /
		       TEEMED_PAGE_SIZE;

	(void)vm;
	if (mfn >= RP_FRAMES ||
	    !__atomic_fetch_sub(&h->frames[mfn].refs, 1, __ATOMIC_RELEASE))
		bench_fail("reference platform: unpin of an unpinned page",
			   (long long)mfn);
}

static struct rp_heap *ref_heap_of(struct rp_host *h, void *vm)
{
	return vm ? &((struct rp_vm *)vm)->heap : &h->heap;
}

static int rp_alloc_page(void *ctx, void *vm, teemed_pa_t *pa)
{
	struct rp_host *h = ctx;
	struct rp_heap *heap = ref_heap_of(h, vm);
	uint32_t mfn;

	ref_spin_lock(&heap->lock);
	mfn = heap->head;
	if (mfn != RP_NO_FRAME)
		heap->head = h->frames[mfn].next_free;
	ref_spin_unlock(&heap->lock);
	if (mfn == RP_NO_FRAME)
		return TEEMED_ERR_NOMEM;
	*pa = teemed_pa(ref_frame_pa(h, mfn));
	return TEEMED_OK;
}

static void rp_free_page(void *ctx, void *vm, teemed_pa_t pa)
{
	struct rp_host *h = ctx;
	struct rp_heap *heap = ref_heap_of(h, vm);
	uint64_t mfn = (teemed_pa_addr(pa) - (uint64_t)(uintptr_t)h->ram) /
		       TEEMED_PAGE_SIZE;

	if (mfn >= RP_FRAMES || h->frames[mfn].owner)
		bench_fail("reference platform: free of a guest page",
			   (long long)mfn);
	ref_spin_lock(&heap->lock);
	h->frames[mfn].next_free = heap->head;
	heap->head = (uint32_t)mfn;
	ref_spin_unlock(&heap->lock);
}

static void *rp_alloc_obj(void *ctx, void *vm, size_t size)
{
	(void)ctx;
	(void)vm;
	return malloc(size);
}

static void rp_free_obj(void *ctx, void *vm, void *obj, size_t size)
{
	(void)ctx;
	(void)vm;
	(void)size;
	free(obj);
}

static void *rp_map(void *ctx, teemed_pa_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)teemed_pa_addr(pa);
}

static void rp_unmap(void *ctx, void *va)
{
	(void)ctx;
	(void)va;
}

static void *rp_lock_create(void *ctx)
{
	(void)ctx;
	return calloc(1, sizeof(struct rp_lock));
}

static void rp_lock_destroy(void *ctx, void *lock)
{
	(void)ctx;
	free(lock);
}

static void rp_lock(void *ctx, void *lock)
{
	(void)ctx;
	ref_spin_lock(lock);
}

static void rp_unlock(void *ctx, void *lock)
{
	(void)ctx;
	ref_spin_unlock(lock);
}

/* A secure world that answers the probe and every call at once. */
static void rp_smc(void *ctx, struct teemed_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];
	uint64_t arg_pa = reg_pair(r->a[1], r->a[2]);

	(void)ctx;
	memset(&r->a[1], 0, 3 * sizeof(r->a[0]));
	switch (fid) {
	case OPTEE_SMC_CALLS_UID:
		r->a[0] = OPTEE_MSG_UID_0;
		r->a[1] = OPTEE_MSG_UID_1;
		r->a[2] = OPTEE_MSG_UID_2;
		r->a[3] = OPTEE_MSG_UID_3;
		return;
	case OPTEE_SMC_CALLS_REVISION:
		r->a[0] = OPTEE_MSG_REVISION_MAJOR;
		return;
	case OPTEE_SMC_EXCHANGE_CAPABILITIES:
		r->a[1] = OPTEE_SMC_SEC_CAP_DYNAMIC_SHM |
			  OPTEE_SMC_SEC_CAP_VIRTUALIZATION;
		break;
	case OPTEE_SMC_GET_THREAD_COUNT:
		r->a[1] = 8;
		break;
	case OPTEE_SMC_CALL_WITH_ARG: {
		struct optee_msg_arg *arg = (void *)(uintptr_t)arg_pa;

		if (arg->cmd == OPTEE_MSG_CMD_OPEN_SESSION)
			arg->session = 1;
		arg->ret = TEEC_SUCCESS;
		arg->ret_origin = TEEC_ORIGIN_TEE;
		break;
	}
	default:
		break;
	}
	r->a[0] = OPTEE_SMC_RETURN_OK;
}

static const struct teemed_platform rp_ops = {
	.pin_guest_page = rp_pin,
	.unpin_guest_page = rp_unpin,
	.alloc_page = rp_alloc_page,
	.free_page = rp_free_page,
	.alloc_obj = rp_alloc_obj,
	.free_obj = rp_free_obj,
	.map = rp_map,
	.unmap = rp_unmap,
	.smc = rp_smc,
	.lock_create = rp_lock_create,
	.lock_destroy = rp_lock_destroy,
	.lock = rp_lock,
	.unlock = rp_unlock,
};

static void ref_heap_init(struct rp_host *h, struct rp_heap *heap,
			  uint32_t first)
{
	heap->head = RP_NO_FRAME;
	for (uint32_t i = RP_HEAP_PAGES; i-- > 0;) {
		h->frames[first + i].next_free = heap->head;
		heap->head = first + i;
	}
}

/*
 * Host frames: each VM's RAM in reverse order (a guest's pages are not
 * contiguous in PA), then one heap per VM and the instance's.
 */
static void ref_setup(struct rp_host *h, struct rp_vm *vms)
{
	struct teemed_config tc = {.platform = &h->plat};
	uint32_t heaps = RP_VMS * RP_VM_PAGES;

	memset(h, 0, sizeof(*h));
	memset(vms, 0, sizeof(*vms) * RP_VMS);
	h->ram = aligned_alloc(TEEMED_PAGE_SIZE,
			       (size_t)RP_FRAMES * TEEMED_PAGE_SIZE);
	if (!h->ram)
		bench_fail("reference platform: RAM", 0);
	memset(h->ram, 0, (size_t)RP_FRAMES * TEEMED_PAGE_SIZE);
	ref_heap_init(h, &h->heap, heaps + RP_VMS * RP_HEAP_PAGES);
	h->plat = rp_ops;
	h->plat.ctx = h;
	if (teemed_init(&tc, &h->t) != TEEMED_OK)
		bench_fail("reference platform: teemed_init", 0);
	for (uint32_t i = 0; i < RP_VMS; i++) {
		struct rp_vm *v = &vms[i];

		v->h = h;
		v->id = i + 1;
		for (uint32_t g = 0; g < RP_VM_PAGES; g++) {
			uint32_t mfn = i * RP_VM_PAGES + RP_VM_PAGES - 1 - g;

			v->p2m[g] = (uint64_t)mfn << 1 | 1;
			h->frames[mfn].owner = v->id;
		}
		ref_heap_init(h, &v->heap, heaps + i * RP_HEAP_PAGES);
		if (teemed_vm_create(h->t, (uint16_t)v->id, v, NULL, &v->vm))
			bench_fail("reference platform: VM", i);
	}
}

static void ref_teardown(struct rp_host *h, struct rp_vm *vms)
{
	for (uint32_t i = 0; i < RP_VMS; i++)
		while (teemed_vm_destroy(vms[i].vm) == TEEMED_ERR_AGAIN)
			;
	if (teemed_fini(h->t) != TEEMED_OK)
		bench_fail("reference platform: teemed_fini", 0);
	for (uint32_t f = 0; f < RP_FRAMES; f++)
		if (h->frames[f].refs)
			bench_fail("reference platform: pin left", f);
	free(h->ram);
}

static void *ref_guest_ptr(const struct rp_vm *v, uint64_t ipa)
{
	return v->h->ram +
	       (size_t)(v->p2m[ipa / TEEMED_PAGE_SIZE] >> 1) *
		       TEEMED_PAGE_SIZE +
	       (ipa & TEEMED_PAGE_MASK);
}

/*
 * CALL_WITH_ARG of the message at `ipa` from vCPU `vcpu` (or
 * TEEMED_NO_VCPU), resumed after each pause of a long translation
 * (FOREIGN_INTR, as the guest's driver would); fails the run unless OK.
 */
static void ref_call_from(struct rp_vm *v, uint32_t vcpu, uint64_t ipa,
			  const char *what)
{
	const struct optee_msg_arg *a = ref_guest_ptr(v, ipa);
	struct teemed_regs r = {
		{OPTEE_SMC_CALL_WITH_ARG, ipa >> 32, (uint32_t)ipa}};

	for (;;) {
		uint64_t thread;

		if (vcpu == TEEMED_NO_VCPU)
			teemed_vm_smc(v->vm, &r);
		else
			teemed_vcpu_smc(v->vm, vcpu, &r);
		if ((uint32_t)r.a[0] != OPTEE_SMC_RETURN_RPC_FOREIGN_INTR)
			break;
		thread = r.a[3];
		memset(&r, 0, sizeof(r));
		r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		r.a[3] = thread;
	}
	if ((uint32_t)r.a[0] != OPTEE_SMC_RETURN_OK || a->ret != TEEC_SUCCESS)
		bench_fail(what, (long long)r.a[0]);
}

static void ref_call(struct rp_vm *v, uint64_t ipa, const char *what)
{
	ref_call_from(v, TEEMED_NO_VCPU, ipa, what);
}

static struct optee_msg_arg *ref_msg(struct rp_vm *v, uint64_t ipa,
				     uint32_t cmd, uint32_t num_params)
{
	return bench_msg_init(ref_guest_ptr(v, ipa), cmd, num_params);
}

/* The value-only INVOKE of the callgrind figure and the lean section. */
static void ref_set_invoke(struct rp_vm *v, uint64_t ipa)
{
	struct optee_msg_arg *a =
		ref_msg(v, ipa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	a->session = 1;
	a->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	a->params[0].u.value.a = 41;
}

static void ref_open_close(struct rp_vm *v, uint64_t ipa)
{
	struct optee_msg_arg *a =
		ref_msg(v, ipa, OPTEE_MSG_CMD_OPEN_SESSION, 2);

	a->params[0].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	a->params[1].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	a->params[1].u.value.c = OPTEE_MSG_LOGIN_PUBLIC;
	ref_call(v, ipa, "reference platform: open session");
	a = ref_msg(v, ipa, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	a->session = 1;
	ref_call(v, ipa, "reference platform: close session");
}

/* A 16-page NONCONTIG temporary memref: list at gfn 1, data from 2. */
static void ref_tmem16(struct rp_vm *v, uint64_t ipa)
{
	uint64_t list = TEEMED_PAGE_SIZE;
	uint64_t *entry = ref_guest_ptr(v, list);
	struct optee_msg_arg *a =
		ref_msg(v, ipa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	memset(entry, 0, TEEMED_PAGE_SIZE);
	for (uint32_t i = 0; i < 16; i++)
		entry[i] = (uint64_t)(2 + i) * TEEMED_PAGE_SIZE;
	a->params[0].attr =
		OPTEE_MSG_ATTR_NONCONTIG | OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
	a->params[0].u.tmem.buf_ptr = list;
	a->params[0].u.tmem.size = 16 * TEEMED_PAGE_SIZE;
	ref_call(v, ipa, "reference platform: 16-page tmem INVOKE");
}

/*
 * REGISTER_SHM + UNREGISTER_SHM of one buffer of `pages` pages. The
 * guest's list fills gfns 1..RP_REG_LISTS (511 entries a page, linked
 * through the last slot); its entries name the data pages past them in
 * turn, more than once for a long buffer: pins nest, and each costs
 * what a pin of a page of its own does.
 */
#define RP_REG_LISTS 9u
#define RP_REG_DATA  (RP_REG_LISTS + 1)

static void ref_regpages(struct rp_vm *v, uint64_t ipa, uint32_t pages)
{
	const uint32_t per_list = OPTEE_MSG_PAGELIST_ENTRIES;

	if (!pages || pages > RP_REG_LISTS * per_list)
		bench_fail("reference platform: buffer pages", pages);
	for (uint32_t i = 0; i < pages; i++) {
		uint64_t *list =
			ref_guest_ptr(v, (uint64_t)(1 + i / per_list) *
						 TEEMED_PAGE_SIZE);

		list[i % per_list] =
			(uint64_t)(RP_REG_DATA +
				   i % (RP_VM_PAGES - RP_REG_DATA)) *
			TEEMED_PAGE_SIZE;
		if (i % per_list == 0)
			list[OPTEE_MSG_PAGELIST_NEXT_SLOT] =
				(uint64_t)(2 + i / per_list) *
				TEEMED_PAGE_SIZE;
	}
	bench_msg_register(ref_guest_ptr(v, ipa), TEEMED_PAGE_SIZE, pages, 1);
	ref_call(v, ipa, "reference platform: REGISTER_SHM of N pages");
	bench_msg_unregister(ref_guest_ptr(v, ipa), 1);
	ref_call(v, ipa, "reference platform: UNREGISTER_SHM of N pages");
}

int bench_ref_cg_run(const char *op, uint32_t count)
{
	struct rp_vm vms[RP_VMS];
	struct rp_host h;
	struct rp_vm *v = &vms[0];

	if (strcmp(op, "invoke-ref") && strcmp(op, "openclose-ref") &&
	    strcmp(op, "tmem16-ref") && strcmp(op, "regpages-ref"))
		return -1;
	ref_setup(&h, vms);
	if (!strcmp(op, "regpages-ref")) {
		ref_regpages(v, 0, count);
	} else if (!strcmp(op, "invoke-ref")) {
		ref_set_invoke(v, 0);
		for (uint32_t i = 0; i < count; i++)
			ref_call(v, 0, "reference platform: INVOKE");
	} else if (!strcmp(op, "openclose-ref")) {
		for (uint32_t i = 0; i < count; i++)
			ref_open_close(v, 0);
	} else {
		for (uint32_t i = 0; i < count; i++)
			ref_tmem16(v, 0);
	}
	ref_teardown(&h, vms);
	return 0;
}

struct lean_worker {
	struct rp_vm *v;
	uint32_t vcpu;
	uint64_t arg_ipa;
	uint64_t calls;
	pthread_t th;
};

static void *lean_drive(void *p)
{
	struct lean_worker *w = p;

	for (uint64_t i = 0; i < w->calls; i++) {
		ref_set_invoke(w->v, w->arg_ipa);
		ref_call_from(w->v, w->vcpu, w->arg_ipa, "lean: INVOKE");
	}
	return NULL;
}

/*
 * What this machine gives two threads at all: work that shares nothing
 * (a loop on a thread's own stack), runs/s of 1 and 2 threads. On a
 * shared machine the second CPU may be busy; a ratio near 1 here says
 * teemed's ratio cannot be read as contention.
 */
static void *lean_spin(void *p)
{
	struct lean_worker *w = p;
	volatile uint64_t x = 0;

	for (uint64_t i = 0; i < w->calls * 256; i++)
		x = x * 6364136223846793005ull + 1;
	return NULL;
}

static double lean_ceiling(uint32_t n, uint64_t runs)
{
	struct lean_worker w[LEAN_THREADS];
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++) {
		w[i].calls = runs;
		if (pthread_create(&w[i].th, NULL, lean_spin, &w[i]))
			bench_fail("lean: thread", i);
	}
	for (uint32_t i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
	return (double)(n * runs) * 1e9 / (double)(bench_now_ns() - t0);
}

/* Calls/s of `n` threads; `one_vm`: all on VM 0, else thread i on VM i. */
static double lean_rate(struct rp_vm *vms, uint32_t n, bool one_vm,
			uint64_t calls)
{
	struct lean_worker w[LEAN_THREADS];
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++) {
		w[i].v = &vms[one_vm ? 0 : i];
		/* As a hypervisor numbers them: vCPU i of VM 0, or vCPU 0. */
		w[i].vcpu = one_vm ? i : 0;
		/* vCPUs' argument pages 8 apart: their frames' counts do not
		   share a cache line (a hypervisor's frame records are
		   larger than this table's 12 bytes). */
		w[i].arg_ipa =
			(uint64_t)(one_vm ? 8 * i : 0) * TEEMED_PAGE_SIZE;
		w[i].calls = calls;
		if (pthread_create(&w[i].th, NULL, lean_drive, &w[i]))
			bench_fail("lean: thread", i);
	}
	for (uint32_t i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
	return (double)(n * calls) * 1e9 / (double)(bench_now_ns() - t0);
}

int bench_lean_run(const struct bench_opts *o)
{
	static const char *const keys[] = {
		"lean_1t_calls_per_s", "lean_2vm_calls_per_s",
		"lean_2vcpu_calls_per_s", "lean_spin_1t_runs_per_s",
		"lean_spin_2t_runs_per_s"};
	struct rp_vm vms[RP_VMS];
	struct rp_host h;
	uint64_t calls = o->quick ? 2000 : 2000000;
	double cps[5][LEAN_REPS];
	struct bench_summary s[5];

	ref_setup(&h, vms);
	for (uint32_t r = 0; r < LEAN_REPS; r++) {
		bench_progress("lean", r, LEAN_REPS);
		cps[0][r] = lean_rate(vms, 1, false, calls);
		cps[1][r] = lean_rate(vms, 2, false, calls);
		cps[2][r] = lean_rate(vms, 2, true, calls);
		cps[3][r] = lean_ceiling(1, calls / 16);
		cps[4][r] = lean_ceiling(2, calls / 16);
	}
	bench_progress_done();
	for (uint32_t k = 0; k < 5; k++) {
		bench_summarize(cps[k], LEAN_REPS, &s[k]);
		bench_out_summary(keys[k], &s[k]);
	}
	bench_out_num("lean_2vm_ratio", s[1].median / s[0].median);
	bench_out_num("lean_2vcpu_ratio", s[2].median / s[0].median);
	bench_out_num("lean_spin_2t_ratio", s[4].median / s[3].median);
	ref_teardown(&h, vms);
	return 0;
}
