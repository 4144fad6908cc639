/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The standard call: a value-only INVOKE_COMMAND (TA_XFORM ECHO)
 * through the mediator (as CALL_WITH_ARG, and as CALL_WITH_REGD_ARG), against the same call issued straight to the
 * secure-world model (the argument in a mediator-owned page, through
 * the same platform SMC callback), and against the work no mediator
 * can skip: copying the argument in from the guest and the answer back
 * out, each through the platform's pin and map.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "tas.h"

#define MAX_REPS 64

/* Keeps the compiler from folding copies nobody reads. */
#define TOUCH(p) __asm__ __volatile__("" : : "r"(p) : "memory")

static void echo_arg(struct optee_msg_arg *arg, uint32_t session)
{
	memset(arg, 0, OPTEE_MSG_GET_ARG_SIZE(1));
	arg->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	arg->func = TA_XFORM_CMD_ECHO;
	arg->session = session;
	arg->num_params = 1;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
}

static uint64_t via_mediator(struct bench_vm *v, uint32_t n)
{
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++)
		if (bench_vm_call(v, v->arg_ipa) != OPTEE_SMC_RETURN_OK)
			bench_fail("invoke through the mediator", i);
	return bench_now_ns() - t0;
}

static uint64_t direct(struct bench_vm *v, uint64_t pa, uint32_t n)
{
	const struct teemed_platform *p = &v->env->plat.ops;
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++) {
		struct teemed_regs r = {{0}};

		r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
		r.a[1] = pa >> 32;
		r.a[2] = (uint32_t)pa;
		r.a[3] = OPTEE_SMC_SHM_CACHED;
		r.a[7] = v->hv.vm_id;
		p->smc(p->ctx, &r);
		if ((uint32_t)r.a[0] != OPTEE_SMC_RETURN_OK)
			bench_fail("invoke straight to the model", i);
	}
	return bench_now_ns() - t0;
}

/*
 * The same INVOKE as Linux 6.x sends it: CALL_WITH_REGD_ARG, the
 * argument at offset 0 of a page registered beforehand.
 */
static uint64_t regd_setup(struct bench_vm *v)
{
	uint64_t list = bench_vm_build_list(v, 1);
	uint64_t data = ((const uint64_t *)bench_vm_ptr(v, list))[0];
	uint64_t ipa = bench_vm_alloc(v, 1);
	uint64_t cookie = bench_cookie(0x7ffffffeu);
	struct optee_msg_arg *a = bench_vm_arg(v, ipa,
					       OPTEE_MSG_CMD_REGISTER_SHM, 1);

	a->params[0].attr =
		OPTEE_MSG_ATTR_NONCONTIG | OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	a->params[0].u.tmem.buf_ptr = list;
	a->params[0].u.tmem.size = TEEMED_PAGE_SIZE;
	a->params[0].u.tmem.shm_ref = cookie;
	if (bench_vm_call(v, ipa) != OPTEE_SMC_RETURN_OK ||
	    a->ret != TEEC_SUCCESS)
		bench_fail("stdcall: register the argument page", a->ret);
	echo_arg(bench_vm_ptr(v, data), v->session);
	return cookie;
}

static uint64_t via_regd(struct bench_vm *v, uint64_t cookie, uint32_t n)
{
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++) {
		struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_REGD_ARG,
					 cookie >> 32, (uint32_t)cookie, 0}};

		teemed_vm_smc(v->vm, &r);
		if ((uint32_t)r.a[0] != OPTEE_SMC_RETURN_OK)
			bench_fail("invoke as REGD_ARG", i);
	}
	return bench_now_ns() - t0;
}

/* Argument in and answer out, through pin + map like any mediator. */
static uint64_t two_copies(struct bench_vm *v, void *shadow, uint32_t n)
{
	const struct teemed_platform *p = &v->env->plat.ops;
	const size_t size = OPTEE_MSG_GET_ARG_SIZE(1);
	teemed_ipa_t ipa = teemed_ipa(v->arg_ipa);
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++) {
		teemed_pa_t pa;
		void *va;

		if (p->pin_guest_page(p->ctx, &v->hv, ipa, 0, &pa))
			bench_fail("copy-in pin", i);
		va = p->map(p->ctx, pa);
		memcpy(shadow, va, size);
		p->unmap(p->ctx, va);
		p->unpin_guest_page(p->ctx, &v->hv, pa);
		TOUCH(shadow);
		if (p->pin_guest_page(p->ctx, &v->hv, ipa, TEEMED_PIN_WRITE,
				      &pa))
			bench_fail("copy-out pin", i);
		va = p->map(p->ctx, pa);
		memcpy(va, shadow, size);
		TOUCH(va);
		p->unmap(p->ctx, va);
		p->unpin_guest_page(p->ctx, &v->hv, pa);
	}
	return bench_now_ns() - t0;
}

/* The bare copies, for scale: no translation at all. */
static uint64_t two_memcpy(void *guest, void *shadow, uint32_t n)
{
	const size_t size = OPTEE_MSG_GET_ARG_SIZE(1);
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < n; i++) {
		memcpy(shadow, guest, size);
		TOUCH(shadow);
		memcpy(guest, shadow, size);
		TOUCH(guest);
	}
	return bench_now_ns() - t0;
}

int bench_stdcall_run(const struct bench_opts *o)
{
	double med[MAX_REPS], nul[MAX_REPS], dir[MAX_REPS], cp[MAX_REPS],
		mc[MAX_REPS], rg[MAX_REPS];
	struct bench_summary sm, sn, sd, sc, smc, srg;
	uint64_t regd_cookie;
	uint32_t n = o->quick ? 1000 : 20000;
	struct optee_msg_arg *garg, *darg;
	struct bench_env env;
	struct bench_vm vm;
	uint64_t pa;
	void *shadow;

	if (bench_env_init(&env, 8192, 0, 2) ||
	    bench_vm_init(&env, &vm, 1, 1024, NULL) ||
	    bench_vm_open_session(&vm))
		bench_fail("stdcall: setup", 0);
	if (machine_alloc_mediator_page(env.m, &pa))
		bench_fail("stdcall: no mediator page", 0);
	darg = machine_pa_ptr(env.m, pa);
	shadow = (uint8_t *)darg + TEEMED_PAGE_SIZE / 2;
	echo_arg(darg, vm.session);
	garg = bench_vm_ptr(&vm, vm.arg_ipa);
	echo_arg(garg, vm.session);
	regd_cookie = regd_setup(&vm);
	via_regd(&vm, regd_cookie, n / 4 + 1);

	/* Warm-up, and a check that both paths really ran the TA. */
	via_mediator(&vm, n / 4 + 1);
	direct(&vm, pa, n / 4 + 1);
	if (garg->params[0].u.value.a != n / 4 + 1 ||
	    darg->params[0].u.value.a != n / 4 + 1)
		bench_fail("ECHO answered wrongly", (long long)garg->ret);
	for (uint32_t r = 0; r < o->reps; r++) {
		bench_progress("std call", r, o->reps);
		med[r] = (double)via_mediator(&vm, n) / n;
		dir[r] = (double)direct(&vm, pa, n) / n;
		cp[r] = (double)two_copies(&vm, shadow, n) / n;
		mc[r] = (double)two_memcpy(garg, shadow, n) / n;
		rg[r] = (double)via_regd(&vm, regd_cookie, n) / n;
		atomic_store(&env.null_sw, true);
		nul[r] = (double)via_mediator(&vm, n) / n;
		atomic_store(&env.null_sw, false);
	}
	bench_progress_done();
	bench_summarize(med, o->reps, &sm);
	bench_summarize(nul, o->reps, &sn);
	bench_summarize(dir, o->reps, &sd);
	bench_summarize(cp, o->reps, &sc);
	bench_summarize(mc, o->reps, &smc);
	bench_summarize(rg, o->reps, &srg);
	bench_out_summary("invoke_ns", &sm);
	bench_out_summary("invoke_direct_ns", &sd);
	bench_out_summary("invoke_null_sw_ns", &sn);
	bench_out_summary("invoke_copies_ns", &sc);
	bench_out_summary("invoke_memcpy_ns", &smc);
	bench_out_summary("invoke_regd_ns", &srg);
	bench_out_num("invoke_overhead_ns", sm.median - sd.median);
	bench_out_num("invoke_ratio_direct", sm.median / sd.median);
	bench_out_num("invoke_ratio_copies",
		      (sm.median - sd.median) / sc.median);
	bench_out_num("invoke_ratio_memcpy",
		      (sm.median - sd.median) / smc.median);

	machine_free_mediator_page(env.m, pa);
	bench_vm_fini(&vm);
	bench_env_fini(&env);
	return 0;
}
