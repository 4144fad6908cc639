/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fixed workloads for instruction counting: `teemed-bench
 * --callgrind-op OP --count N [--held H]` does its setup, then OP N
 * times. scripts/bench.sh runs each under callgrind twice, with two N,
 * collecting only inside the core's entry point (--toggle-collect), and
 * differences the totals so that setup cancels; the platform's share is
 * the inclusive cost of the sim platform's callbacks.
 *
 *   invoke     value-only INVOKE (ECHO) to the secure-world model
 *   regd       the same INVOKE as CALL_WITH_REGD_ARG, its argument in a
 *              registered buffer (what Linux 6.x sends)
 *   notif      a notification round trip: OP-TEE sends a value, the
 *              interrupt handler's teemed_notif_irq(), the guest's
 *              GET_ASYNC_NOTIF_VALUE
 *   translate  one buffer of N pages through teemed_buf_translate()
 *   register   REGISTER_SHM + UNREGISTER_SHM with H buffers held
 *   regpages   REGISTER_SHM + UNREGISTER_SHM of one buffer of N pages,
 *              with no step budget (bench_env_init() sets none; the
 *              reference platform's regpages-ref keeps the default, so
 *              its FOREIGN_INTR pauses are included); differenced
 *              between two N, the cost per page
 *   rmem       INVOKE with an RMEM with H buffers held
 *   openclose  OPEN_SESSION + CLOSE_SESSION of the model's TA
 *   tmem16     INVOKE with a 16-page NONCONTIG temporary memref (a
 *              do-nothing secure world answers)
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "internal.h"
#include "tas.h"

static void cg_invoke(struct bench_vm *v, uint32_t count)
{
	struct optee_msg_arg *a;

	if (bench_vm_open_session(v))
		bench_fail("callgrind: open session", 0);
	a = bench_vm_arg(v, v->arg_ipa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	a->func = TA_XFORM_CMD_ECHO;
	a->session = v->session;
	a->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	for (uint32_t i = 0; i < count; i++)
		if (bench_vm_call(v, v->arg_ipa) != OPTEE_SMC_RETURN_OK ||
		    a->ret != TEEC_SUCCESS)
			bench_fail("callgrind: invoke", i);
}

static void cg_regd(struct bench_vm *v, uint32_t count)
{
	uint64_t list = bench_vm_build_list(v, 1);
	uint64_t buf = ((const uint64_t *)bench_vm_ptr(v, list))[0];
	uint64_t cookie = bench_cookie(1);
	struct optee_msg_arg *m = bench_vm_ptr(v, buf);

	if (bench_vm_open_session(v))
		bench_fail("callgrind: open session", 0);
	bench_vm_register(v, v->arg_ipa, list, 1, cookie);
	memset(m, 0, OPTEE_MSG_GET_ARG_SIZE(1));
	m->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	m->func = TA_XFORM_CMD_ECHO;
	m->session = v->session;
	m->num_params = 1;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	for (uint32_t i = 0; i < count; i++) {
		struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_REGD_ARG,
					 cookie >> 32, (uint32_t)cookie, 0}};

		teemed_vm_smc(v->vm, &r);
		if ((uint32_t)r.a[0] != OPTEE_SMC_RETURN_OK ||
		    m->ret != TEEC_SUCCESS)
			bench_fail("callgrind: REGD_ARG invoke", i);
	}
}

static void cg_notif(struct bench_vm *v, uint32_t count)
{
	struct teemed_regs r = {{OPTEE_SMC_ENABLE_ASYNC_NOTIF}};

	teemed_vm_smc(v->vm, &r);
	if ((uint32_t)r.a[0] != OPTEE_SMC_RETURN_OK)
		bench_fail("callgrind: ENABLE_ASYNC_NOTIF", (long long)r.a[0]);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t value = 1 + i % 63;

		if (!optee_model_notify_vm(v->env->model, v->hv.vm_id, value) ||
		    teemed_notif_irq(v->env->t) != 1)
			bench_fail("callgrind: notification", i);
		memset(&r, 0, sizeof(r));
		r.a[0] = OPTEE_SMC_GET_ASYNC_NOTIF_VALUE;
		teemed_vm_smc(v->vm, &r);
		if ((uint32_t)r.a[1] != value ||
		    (uint32_t)r.a[2] != OPTEE_SMC_ASYNC_NOTIF_VALID)
			bench_fail("callgrind: GET_ASYNC_NOTIF_VALUE", i);
	}
}

static void cg_translate(struct bench_vm *v, uint32_t count)
{
	uint64_t list = bench_vm_build_list(v, count);
	struct step st = {.budget = UINT32_MAX};
	uint32_t refusal = 0;
	struct buf *b;

	b = teemed_buf_create(v->vm, BUF_TMEM, 0, list,
		       (uint64_t)count * TEEMED_PAGE_SIZE, &refusal);
	if (!b || teemed_buf_translate(v->vm, b, &st) != TEEMED_OK)
		bench_fail("callgrind: translate", refusal);
	if (!teemed_buf_release(v->vm, b, &st))
		bench_fail("callgrind: release", count);
}

static void cg_regpages(struct bench_vm *v, uint32_t pages)
{
	uint64_t ipa = bench_vm_alloc(v, 1);
	uint64_t list = bench_vm_build_list(v, pages);
	uint64_t cookie = bench_cookie(1);

	atomic_store(&v->env->null_sw, true);
	bench_vm_register(v, ipa, list, pages, cookie);
	bench_vm_unregister(v, ipa, cookie);
}

static void cg_openclose(struct bench_vm *v, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct optee_msg_arg *a;

		if (bench_vm_open_session(v))
			bench_fail("callgrind: open session", i);
		a = bench_vm_arg(v, v->arg_ipa, OPTEE_MSG_CMD_CLOSE_SESSION,
				 0);
		a->session = v->session;
		bench_vm_call_ok(v, v->arg_ipa, "callgrind: close session");
	}
}

static void cg_tmem16(struct bench_vm *v, uint32_t count)
{
	uint64_t ipa = bench_vm_alloc(v, 1);
	uint64_t list = bench_vm_build_list(v, 16);
	struct optee_msg_arg *a = bench_vm_ptr(v, ipa);

	atomic_store(&v->env->null_sw, true);
	for (uint32_t i = 0; i < count; i++) {
		memset(a, 0, OPTEE_MSG_GET_ARG_SIZE(1));
		a->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
		a->num_params = 1;
		a->params[0].attr = OPTEE_MSG_ATTR_NONCONTIG |
				    OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
		a->params[0].u.tmem.buf_ptr = list;
		a->params[0].u.tmem.size = 16 * TEEMED_PAGE_SIZE;
		bench_vm_call_ok(v, ipa, "callgrind: 16-page tmem INVOKE");
	}
}

static void cg_held(struct bench_vm *v, const char *op, uint32_t count,
		    uint32_t held)
{
	uint64_t ipa = bench_vm_alloc(v, 1);
	uint64_t op_list = bench_vm_build_list(v, 1);
	struct optee_msg_arg *a = bench_vm_ptr(v, ipa);
	uint64_t cookie = bench_cookie(0x7fffffffu);

	atomic_store(&v->env->null_sw, true);
	for (uint32_t i = 0; i < held; i++)
		bench_vm_register(v, ipa, bench_vm_build_list(v, 1), 1,
				  bench_cookie(i));
	for (uint32_t i = 0; i < count; i++) {
		if (!strcmp(op, "register")) {
			bench_vm_register(v, ipa, op_list, 1, cookie);
			bench_vm_unregister(v, ipa, cookie);
		} else {
			memset(a, 0, OPTEE_MSG_GET_ARG_SIZE(1));
			a->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
			a->num_params = 1;
			a->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
			a->params[0].u.rmem.size = TEEMED_PAGE_SIZE;
			a->params[0].u.rmem.shm_ref =
				bench_cookie(held ? i % held : 0);
			bench_vm_call_ok(v, ipa, "callgrind: INVOKE with RMEM");
		}
	}
}

int bench_cg_run(const char *op, uint32_t count, uint32_t held)
{
	struct teemed_quota q = {.buffers = held + 16,
				 .pinned_pages = held + count + 64,
				 .mediator_pages = held + count / 511 + 64};
	uint32_t ram = 2 * held + count + count / 511 + 256;
	struct bench_env env;
	struct bench_vm vm;

	if (strcmp(op, "invoke") && strcmp(op, "translate") &&
	    strcmp(op, "register") && strcmp(op, "rmem") &&
	    strcmp(op, "regd") && strcmp(op, "notif") &&
	    strcmp(op, "regpages") && strcmp(op, "openclose") &&
	    strcmp(op, "tmem16")) {
		fprintf(stderr, "teemed-bench: unknown --callgrind-op %s\n",
			op);
		return -1;
	}
	if ((!strcmp(op, "rmem") && !held) || count > (1u << 20) ||
	    held > 100000) {
		fprintf(stderr, "teemed-bench: bad --count/--held\n");
		return -1;
	}
	if (bench_env_init(&env, 2 * ram + 4096, UINT32_MAX, 2) ||
	    bench_vm_init(&env, &vm, 1, ram, &q))
		bench_fail("callgrind: setup", 0);
	if (!strcmp(op, "invoke"))
		cg_invoke(&vm, count);
	else if (!strcmp(op, "regd"))
		cg_regd(&vm, count);
	else if (!strcmp(op, "notif"))
		cg_notif(&vm, count);
	else if (!strcmp(op, "translate"))
		cg_translate(&vm, count);
	else if (!strcmp(op, "regpages"))
		cg_regpages(&vm, count);
	else if (!strcmp(op, "openclose"))
		cg_openclose(&vm, count);
	else if (!strcmp(op, "tmem16"))
		cg_tmem16(&vm, count);
	else
		cg_held(&vm, op, count, held);
	bench_vm_fini(&vm);
	bench_env_fini(&env);
	return 0;
}
