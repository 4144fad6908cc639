/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Throughput across vCPUs over a lean platform: callbacks that take no
 * global lock (guest RAM is a per-VM array whose address is its PA, a
 * pin is an atomic count per page, pages and objects come from the C
 * library, each lock is its own mutex) and a secure world that does no
 * work (a value-only call is answered at once). N host threads drive N
 * VMs, or N vCPUs of one VM, each its own value-only INVOKE; calls/s
 * beside one thread's. Wall-clock: as noisy as the machine is busy.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "internal.h"

#define LEAN_PAGES   8u
#define LEAN_THREADS 2u
#define LEAN_REPS    5u

struct lean_vm {
	uint8_t *ram; /* LEAN_PAGES pages; PA = host address */
	uint32_t pins[LEAN_PAGES];
	struct teemed_vm *vm;
};

static int lean_pin(void *ctx, void *vm, teemed_ipa_t ipa, unsigned int flags,
		    teemed_pa_t *pa)
{
	struct lean_vm *v = vm;
	uint64_t i = teemed_ipa_addr(ipa) / TEEMED_PAGE_SIZE;

	(void)ctx;
	(void)flags;
	if (i >= LEAN_PAGES)
		return TEEMED_ERR_FAULT;
	__atomic_add_fetch(&v->pins[i], 1, __ATOMIC_RELAXED);
	*pa = teemed_pa((uint64_t)(uintptr_t)(v->ram + i * TEEMED_PAGE_SIZE));
	return TEEMED_OK;
}

static void lean_unpin(void *ctx, void *vm, teemed_pa_t pa)
{
	struct lean_vm *v = vm;
	uint64_t i = (teemed_pa_addr(pa) - (uint64_t)(uintptr_t)v->ram) /
		     TEEMED_PAGE_SIZE;

	(void)ctx;
	__atomic_sub_fetch(&v->pins[i], 1, __ATOMIC_RELAXED);
}

static int lean_alloc_page(void *ctx, void *vm, teemed_pa_t *pa)
{
	void *p = aligned_alloc(TEEMED_PAGE_SIZE, TEEMED_PAGE_SIZE);

	(void)ctx;
	(void)vm;
	if (!p)
		return TEEMED_ERR_NOMEM;
	*pa = teemed_pa((uint64_t)(uintptr_t)p);
	return TEEMED_OK;
}

static void lean_free_page(void *ctx, void *vm, teemed_pa_t pa)
{
	(void)ctx;
	(void)vm;
	free((void *)(uintptr_t)teemed_pa_addr(pa));
}

static void *lean_alloc_obj(void *ctx, void *vm, size_t size)
{
	(void)ctx;
	(void)vm;
	return calloc(1, size);
}

static void lean_free_obj(void *ctx, void *vm, void *obj, size_t size)
{
	(void)ctx;
	(void)vm;
	(void)size;
	free(obj);
}

static void *lean_map(void *ctx, teemed_pa_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)teemed_pa_addr(pa);
}

static void lean_unmap(void *ctx, void *va)
{
	(void)ctx;
	(void)va;
}

static void *lean_lock_create(void *ctx)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	(void)ctx;
	if (m)
		pthread_mutex_init(m, NULL);
	return m;
}

static void lean_lock_destroy(void *ctx, void *lock)
{
	(void)ctx;
	pthread_mutex_destroy(lock);
	free(lock);
}

static void lean_lock(void *ctx, void *lock)
{
	(void)ctx;
	pthread_mutex_lock(lock);
}

static void lean_unlock(void *ctx, void *lock)
{
	(void)ctx;
	pthread_mutex_unlock(lock);
}

/* A secure world that answers the probe and does no work. */
static void lean_smc(void *ctx, struct teemed_regs *r)
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

		arg->ret = TEEC_SUCCESS;
		arg->ret_origin = TEEC_ORIGIN_TEE;
		break;
	}
	default:
		break;
	}
	r->a[0] = OPTEE_SMC_RETURN_OK;
}

static const struct teemed_platform lean_ops = {
	.pin_guest_page = lean_pin,
	.unpin_guest_page = lean_unpin,
	.alloc_page = lean_alloc_page,
	.free_page = lean_free_page,
	.alloc_obj = lean_alloc_obj,
	.free_obj = lean_free_obj,
	.map = lean_map,
	.unmap = lean_unmap,
	.smc = lean_smc,
	.lock_create = lean_lock_create,
	.lock_destroy = lean_lock_destroy,
	.lock = lean_lock,
	.unlock = lean_unlock,
};

struct lean_worker {
	struct lean_vm *v;
	uint64_t arg_ipa;
	uint64_t calls;
	pthread_t th;
};

static void *lean_drive(void *p)
{
	struct lean_worker *w = p;
	struct optee_msg_arg *a = (void *)(w->v->ram + w->arg_ipa);

	for (uint64_t i = 0; i < w->calls; i++) {
		struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_ARG,
					 w->arg_ipa >> 32,
					 (uint32_t)w->arg_ipa}};

		memset(a, 0, OPTEE_MSG_GET_ARG_SIZE(1));
		a->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
		a->num_params = 1;
		a->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
		teemed_vm_smc(w->v->vm, &r);
		if ((uint32_t)r.a[0] != OPTEE_SMC_RETURN_OK ||
		    a->ret != TEEC_SUCCESS)
			bench_fail("lean: INVOKE", (long long)r.a[0]);
	}
	return NULL;
}

/* Calls/s of `n` threads; `one_vm`: all on VM 0, else thread i on VM i. */
static double lean_rate(struct lean_vm *vms, uint32_t n, bool one_vm,
			uint64_t calls)
{
	struct lean_worker w[LEAN_THREADS];
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++) {
		w[i].v = &vms[one_vm ? 0 : i];
		w[i].arg_ipa = (uint64_t)(one_vm ? i : 0) * TEEMED_PAGE_SIZE;
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
	static const char *const keys[] = {"lean_1t", "lean_2vm", "lean_2vcpu"};
	struct lean_vm vms[LEAN_THREADS];
	struct teemed_config tc = {.platform = &lean_ops};
	struct teemed *t;
	uint64_t calls = o->quick ? 2000 : 2000000;
	double cps[3][LEAN_REPS];
	struct bench_summary s[3];

	if (teemed_init(&tc, &t) != TEEMED_OK)
		bench_fail("lean: teemed_init", 0);
	memset(vms, 0, sizeof(vms));
	for (uint32_t i = 0; i < LEAN_THREADS; i++) {
		vms[i].ram = aligned_alloc(TEEMED_PAGE_SIZE,
					   LEAN_PAGES * TEEMED_PAGE_SIZE);
		if (!vms[i].ram || teemed_vm_create(t, (uint16_t)(i + 1),
						    &vms[i], NULL, &vms[i].vm))
			bench_fail("lean: VM", i);
	}
	for (uint32_t r = 0; r < LEAN_REPS; r++) {
		bench_progress("lean", r, LEAN_REPS);
		cps[0][r] = lean_rate(vms, 1, false, calls);
		cps[1][r] = lean_rate(vms, 2, false, calls);
		cps[2][r] = lean_rate(vms, 2, true, calls);
	}
	bench_progress_done();
	for (uint32_t k = 0; k < 3; k++) {
		char key[48];

		bench_summarize(cps[k], LEAN_REPS, &s[k]);
		snprintf(key, sizeof(key), "%s_calls_per_s", keys[k]);
		bench_out_summary(key, &s[k]);
	}
	bench_out_num("lean_2vm_ratio", s[1].median / s[0].median);
	bench_out_num("lean_2vcpu_ratio", s[2].median / s[0].median);
	for (uint32_t i = 0; i < LEAN_THREADS; i++) {
		while (teemed_vm_destroy(vms[i].vm) == TEEMED_ERR_AGAIN)
			;
		for (uint32_t p = 0; p < LEAN_PAGES; p++)
			if (vms[i].pins[p])
				bench_fail("lean: pin left", p);
		free(vms[i].ram);
	}
	teemed_fini(t);
	return 0;
}
