/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CALL_WITH_RPC_ARG and CALL_WITH_REGD_ARG (spec §2.7, §2.8, §6.3):
 * OP-TEE only ever gets a mediator page (REGD_ARG goes as RPC_ARG on the
 * shadow), RPC requests travel through the shadow's RPC area and back
 * field by field, and every malformed request gets OP-TEE's own error
 * without reaching it.
 */
#include "mock_platform.h"

#include <string.h>

#define ARG_SIZE(n) ((uint32_t)OPTEE_MSG_GET_ARG_SIZE(n))
#define COOKIE	    0x1234500ull
#define BUF_LIST    GPAGE(40)
#define BUF_DATA    50 /* first data page of the registered buffer */

/* A little OP-TEE for RPC_ARG calls: one RPC_CMD, then the answer. */
static struct {
	uint64_t arg_pa;
	uint32_t fid;
	bool post_rpc;		  /* ask GET_TIME-like RPC once */
	struct optee_msg_param seen_param;
	uint64_t resumes;
} sw;

/* The RPC area's header as OP-TEE read it on resume. */
static union {
	struct optee_msg_arg h;
	uint8_t bytes[32];
} seen;

static struct optee_msg_arg *sw_rpc_area(void)
{
	struct optee_msg_arg *arg = mock_pa_ptr(sw.arg_pa);

	return (struct optee_msg_arg *)(void *)((uint8_t *)arg +
						 ARG_SIZE(arg->num_params));
}

static void sw_complete(struct teemed_regs *r)
{
	struct optee_msg_arg *arg = mock_pa_ptr(sw.arg_pa);

	arg->ret = TEEC_SUCCESS;
	arg->ret_origin = TEEC_ORIGIN_TRUSTED_APP;
	if (arg->num_params) {
		arg->params[0].u.value.a = 0xa1a1a1a1;
		arg->params[0].u.value.b = 0xb2b2b2b2;
		arg->params[0].u.value.c = 0xc3c3c3c3; /* not an output */
	}
	r->a[0] = OPTEE_SMC_RETURN_OK;
	r->a[1] = r->a[2] = r->a[3] = 0;
}

static void sw_rpc_arg(struct teemed_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	if (fid == OPTEE_SMC_CALL_WITH_ARG ||
	    fid == OPTEE_SMC_CALL_WITH_RPC_ARG) {
		sw.fid = fid;
		sw.arg_pa = (r->a[1] << 32) | (uint32_t)r->a[2];
		if (!mock_pa_is_mediator(sw.arg_pa))
			fail_msg("OP-TEE given a guest page");
		if (sw.post_rpc) {
			struct optee_msg_arg *m = sw_rpc_area();

			assert_int_equal(fid, OPTEE_SMC_CALL_WITH_RPC_ARG);
			memset(m, 0, ARG_SIZE(2));
			m->cmd = OPTEE_RPC_CMD_GET_TIME;
			m->num_params = 2;
			m->ret = TEEC_ERROR_GENERIC;
			m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
			m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
			m->params[1].u.value.a = 0x5151;
			r->a[0] = OPTEE_SMC_RETURN_RPC_CMD;
			r->a[1] = r->a[2] = 0;
			r->a[3] = 3;
			return;
		}
		sw_complete(r);
		return;
	}
	assert_int_equal(fid, OPTEE_SMC_CALL_RETURN_FROM_RPC);
	assert_int_equal(r->a[3], 3);
	sw.resumes++;
	memcpy(&seen, sw_rpc_area(), sizeof(seen));
	memcpy(&sw.seen_param, &sw_rpc_area()->params[0],
	       sizeof(sw.seen_param));
	sw_complete(r);
}

static void call_regs(struct teemed_regs *r, uint32_t fid, uint64_t a1a2,
		      uint64_t a3)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = fid;
	r->a[1] = a1a2 >> 32;
	r->a[2] = (uint32_t)a1a2;
	r->a[3] = a3;
	r->a[7] = 0xdead;
}

static void invoke_msg(struct optee_msg_arg *a)
{
	a->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	a->num_params = 1;
	a->ret = 0x77777777;
	a->ret_origin = 0x77777777;
	a->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	a->params[0].u.value.a = 1;
	a->params[0].u.value.b = 2;
	a->params[0].u.value.c = 3;
}

static int setup(void **state)
{
	mock_setup(state);
	memset(&sw, 0, sizeof(sw));
	mock.sw = sw_rpc_arg;
	return 0;
}

/* RPC_ARG: shadowed, issued as RPC_ARG, only outputs come back. */
static void test_rpc_arg_shadowed(void **state)
{
	struct optee_msg_arg *a = mock_guest_arg(0, ARG_IPA);
	uint8_t area[MOCK_PAGE];
	struct teemed_regs r;

	memset(a, 0x3c, MOCK_PAGE);
	memset(a, 0, ARG_SIZE(1));
	invoke_msg(a);
	memcpy(area, (uint8_t *)a + ARG_SIZE(1), MOCK_PAGE - ARG_SIZE(1));
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA, 0);
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(sw.fid, OPTEE_SMC_CALL_WITH_RPC_ARG);
	assert_int_equal(a->ret, TEEC_SUCCESS);
	assert_int_equal(a->ret_origin, TEEC_ORIGIN_TRUSTED_APP);
	assert_int_equal(a->params[0].u.value.a, 0xa1a1a1a1);
	assert_int_equal(a->params[0].u.value.b, 0xb2b2b2b2);
	assert_int_equal(a->params[0].u.value.c, 3);
	/* Nothing written past the argument. */
	assert_memory_equal((uint8_t *)a + ARG_SIZE(1), area,
			    MOCK_PAGE - ARG_SIZE(1));
	assert_int_equal(mock.pins, 0);
}

/* The RPC request reaches the guest's area; only outputs go back. */
static void test_rpc_arg_rpc_round_trip(void **state)
{
	struct optee_msg_arg *a = mock_guest_arg(0, ARG_IPA);
	struct optee_msg_arg *m;
	struct teemed_regs r;

	memset(a, 0, MOCK_PAGE);
	invoke_msg(a);
	sw.post_rpc = true;
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA, 0);
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_CMD);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	m = (struct optee_msg_arg *)(void *)((uint8_t *)a + ARG_SIZE(1));
	assert_int_equal(m->cmd, OPTEE_RPC_CMD_GET_TIME);
	assert_int_equal(m->num_params, 2);
	assert_int_equal(m->params[1].u.value.a, 0x5151);
	/* The guest answers, and rewrites what it must not change. */
	m->ret = TEEC_SUCCESS;
	m->params[0].u.value.a = 11;
	m->params[0].u.value.b = 12;
	m->params[0].u.value.c = 13;
	m->cmd = 99;
	m->num_params = 4;
	m->params[1].u.value.a = 0x6666;
	a->num_params = 100; /* and its own argument, mid-call */
	mock_resume(0, (uint32_t)r.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(sw.resumes, 1);
	assert_int_equal(seen.h.cmd, OPTEE_RPC_CMD_GET_TIME);
	assert_int_equal(seen.h.num_params, 2);
	assert_int_equal(seen.h.ret, TEEC_SUCCESS);
	assert_int_equal(sw.seen_param.u.value.a, 11);
	assert_int_equal(sw.seen_param.u.value.b, 12);
	assert_int_equal(sw.seen_param.u.value.c, 13);
	assert_int_equal(a->params[0].u.value.a, 0xa1a1a1a1);
}

/* Argument and RPC area must fit the page (OP-TEE: EBADADDR first). */
static void test_rpc_arg_sizes(void **state)
{
	struct optee_msg_arg *a = mock_guest_arg(0, ARG_IPA);
	struct teemed_regs r;
	struct teemed_vm_stats s;

	mock.sw = mock_sw_never;
	memset(a, 0, MOCK_PAGE);
	a->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	a->ret = 0x77777777;
	a->num_params = 123; /* 32 + 123 * 32 + 160 > 4096 */
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA, 0);
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	assert_int_equal(a->ret, 0x77777777);
	a->num_params = 128;
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA, 0);
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	/* It fits, but no command takes so many: BAD_PARAMETERS. */
	a->num_params = 122;
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA, 0);
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(a->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(a->ret_origin, TEEC_ORIGIN_COMMS);
	/* Unknown command after the sizes. */
	a->num_params = 0;
	a->cmd = 0x42;
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA, 0);
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADCMD);
	/* Unaligned, unmapped. */
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA + 0x180, 0);
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	mock_ipa_set(0, GPAGE(9), MOCK_IPA_UNMAPPED);
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, GPAGE(9), 0);
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_ARG], 4);
	assert_int_equal(s.refused[TEEMED_REFUSED_CMD], 1);
	assert_int_equal(s.calls, 0);
	assert_int_equal(mock.pins, 0);
}

/* Register `pages` pages at BUF_DATA.. of `vm` under `cookie`. */
static void register_buf(int vm, uint64_t cookie, uint32_t pages)
{
	mock_sw_fn saved = mock.sw;

	mock.sw = mock_fake_optee;
	mock_fill_list_range(vm, BUF_LIST, BUF_DATA, pages);
	assert_int_equal(mock_register(vm, GPAGE(1), BUF_LIST, 0,
				       (uint64_t)pages * MOCK_PAGE, cookie),
			 TEEC_SUCCESS);
	mock.sw = saved;
}

/* Bytes `off`.. of the registered buffer, in the guest's own pages. */
static void buf_put(int vm, uint32_t off, const void *src, uint32_t len)
{
	mock_buf_put(vm, mock_page_ipa_range, BUF_DATA, off, src, len);
}

static void buf_get(int vm, uint32_t off, void *dst, uint32_t len)
{
	mock_buf_get(vm, mock_page_ipa_range, BUF_DATA, off, dst, len);
}

/*
 * REGD_ARG at `off` of a registered buffer: OP-TEE gets RPC_ARG on a
 * mediator page, and the answer lands in the guest's pages, RPC request
 * included; the buffer cannot be unregistered during the call.
 */
static void regd_round_trip(uint32_t off)
{
	union {
		struct optee_msg_arg h;
		uint8_t bytes[ARG_SIZE(4)];
	} a, m;
	struct teemed_regs r;
	struct teemed_vm_stats s;

	register_buf(0, COOKIE, 2);
	memset(&a, 0, sizeof(a));
	invoke_msg(&a.h);
	buf_put(0, off, &a, ARG_SIZE(1));
	sw.post_rpc = true;
	call_regs(&r, OPTEE_SMC_CALL_WITH_REGD_ARG, COOKIE, off);
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_CMD);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(sw.fid, OPTEE_SMC_CALL_WITH_RPC_ARG);
	buf_get(0, off + ARG_SIZE(1), &m, ARG_SIZE(2));
	assert_int_equal(m.h.cmd, OPTEE_RPC_CMD_GET_TIME);
	assert_int_equal(m.h.params[1].u.value.a, 0x5151);
	m.h.ret = TEEC_SUCCESS;
	m.h.params[0].u.value.a = 21;
	buf_put(0, off + ARG_SIZE(1), &m, ARG_SIZE(2));
	/* Unregistering the buffer that holds a call's argument: refused. */
	{
		mock_sw_fn saved = mock.sw;
		struct teemed_regs u;

		mock.sw = mock_fake_optee;
		assert_int_equal(mock_unregister(0, GPAGE(2), COOKIE),
				 TEEC_ERROR_BAD_PARAMETERS);
		(void)u;
		mock.sw = saved;
	}
	mock_resume(0, (uint32_t)r.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(sw.seen_param.u.value.a, 21);
	buf_get(0, off, &a, ARG_SIZE(1));
	assert_int_equal(a.h.ret, TEEC_SUCCESS);
	assert_int_equal(a.h.params[0].u.value.a, 0xa1a1a1a1);
	assert_int_equal(a.h.params[0].u.value.b, 0xb2b2b2b2);
	assert_int_equal(a.h.params[0].u.value.c, 3);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_PARAM], 1);
	/* Once the call is over, the buffer can go. */
	mock.sw = mock_fake_optee;
	assert_int_equal(mock_unregister(0, GPAGE(2), COOKIE), TEEC_SUCCESS);
}

/* The argument straddles two pages: reached page by page. */
static void test_regd_arg_straddling(void **state)
{
	(void)state;
	regd_round_trip(MOCK_PAGE - 48); /* params[0] crosses the page */
}

/* A Linux slot: argument and RPC area in one page, mapped directly. */
static void test_regd_arg_in_one_page(void **state)
{
	(void)state;
	regd_round_trip(384);
}

/* The last slot of the second page: direct, in the buffer's page 1. */
static void test_regd_arg_second_page(void **state)
{
	(void)state;
	regd_round_trip(MOCK_PAGE + 3 * 384);
}

/* Every malformed REGD_ARG: EBADADDR, OP-TEE never asked. */
static void test_regd_arg_refusals(void **state)
{
	struct optee_msg_arg a;
	struct teemed_regs r;
	struct teemed_vm_stats s;
	const uint64_t usable = 2 * MOCK_PAGE;
	const uint64_t bad[][2] = {
		{COOKIE + 1, 0},   /* unknown */
		{COOKIE + 2, 0},   /* the other VM's */
		{COOKIE, usable},  /* offset at the end */
		{COOKIE, usable - 16}, /* header past the end */
		{COOKIE, usable - ARG_SIZE(0) - ARG_SIZE(4) + 8}, /* RPC area */
		{COOKIE, 4},	   /* unaligned */
		{COOKIE, 0xfffffff8}, /* far out */
		{0, 0},		   /* "no cookie" */
	};
	uint32_t pins;

	register_buf(0, COOKIE, 2);
	register_buf(1, COOKIE + 2, 1);
	memset(&a, 0, sizeof(a));
	a.cmd = OPTEE_MSG_CMD_CLOSE_SESSION;
	for (uint32_t off = 0; off < usable; off += 8)
		buf_put(0, off, &a, 8);
	mock.sw = mock_sw_never;
	pins = mock.pins;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call_regs(&r, OPTEE_SMC_CALL_WITH_REGD_ARG, bad[i][0],
			  bad[i][1]);
		mock_smc_guest(0, &r);
		if (r.a[0] != OPTEE_SMC_RETURN_EBADADDR)
			fail_msg("case %zu: a0 %#llx", i,
				 (unsigned long long)r.a[0]);
		assert_int_equal(r.a[1], 0);
		assert_int_equal(r.a[3], 0);
	}
	/* The last offset that fits is taken. */
	mock.sw = sw_rpc_arg;
	call_regs(&r, OPTEE_SMC_CALL_WITH_REGD_ARG, COOKIE,
		  usable - ARG_SIZE(0) - ARG_SIZE(4));
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_ARG],
			 sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(s.calls, 0);
	assert_int_equal(mock.pins, pins);
	mock.sw = mock_fake_optee;
	assert_int_equal(mock_unregister(0, GPAGE(2), COOKIE), TEEC_SUCCESS);
	assert_int_equal(mock_unregister(1, GPAGE(2), COOKIE + 2),
			 TEEC_SUCCESS);
}

/* A buffer being unregistered cannot hold a new call's argument. */
static void test_regd_arg_unregistering(void **state)
{
	struct optee_msg_arg *u;
	struct teemed_regs r, c;

	register_buf(0, COOKIE, 1);
	mock.sw = mock_fake_optee;
	mock.pauses = 1;
	mock.rpc_a0 = OPTEE_SMC_RETURN_RPC_FOREIGN_INTR;
	u = mock_arg_init(0, GPAGE(2), OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	mock_set_rmem(&u->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 0,
		      COOKIE);
	mock_call(0, GPAGE(2), &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	call_regs(&c, OPTEE_SMC_CALL_WITH_REGD_ARG, COOKIE, 0);
	mock_smc_guest(0, &c);
	assert_int_equal(c.a[0], OPTEE_SMC_RETURN_EBADADDR);
	mock.pauses = 0;
	mock_resume(0, (uint32_t)r.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(u->ret, TEEC_SUCCESS);
	/* Gone now: still EBADADDR, and nothing left pinned. */
	call_regs(&c, OPTEE_SMC_CALL_WITH_REGD_ARG, COOKIE, 0);
	mock_smc_guest(0, &c);
	assert_int_equal(c.a[0], OPTEE_SMC_RETURN_EBADADDR);
	assert_int_equal(mock.pins, 0);
}

/* The embedder turned RPC_ARG off for a VM: hidden, calls unknown. */
static void test_feature_off(void **state)
{
	struct teemed_vm_config cfg = {.features_off = TEEMED_FEATURE_RPC_ARG};
	struct teemed_regs r;

	assert_int_equal(mock_destroy_vm(1, NULL), TEEMED_OK);
	assert_int_equal(teemed_vm_create_ex(fx.t, mock.vm[1].client_id,
					     &mock.vm[1], &cfg, &fx.vm[1]),
			 TEEMED_OK);
	mock.sw = mock_fake_optee;
	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_EXCHANGE_CAPABILITIES;
	mock_smc_guest(1, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1] & OPTEE_SMC_SEC_CAP_RPC_ARG, 0);
	assert_int_equal(r.a[3], 0);
	mock.sw = mock_sw_never;
	invoke_msg(mock_arg_init(1, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1));
	call_regs(&r, OPTEE_SMC_CALL_WITH_RPC_ARG, ARG_IPA, 0);
	mock_smc_guest(1, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	call_regs(&r, OPTEE_SMC_CALL_WITH_REGD_ARG, COOKIE, 0);
	mock_smc_guest(1, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	/* The other VM keeps it. */
	mock.sw = mock_fake_optee;
	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_EXCHANGE_CAPABILITIES;
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[1] & OPTEE_SMC_SEC_CAP_RPC_ARG,
			 OPTEE_SMC_SEC_CAP_RPC_ARG);
	assert_int_equal(r.a[3], 4);
}

/* OP-TEE's a3 outside 1..4: the mediator cannot shadow it, so hidden. */
static void test_rpc_params_out_of_range(void **state)
{
	static const uint32_t a3s[] = {0, 5, 0xff};

	for (size_t i = 0; i < sizeof(a3s) / sizeof(a3s[0]); i++) {
		struct teemed_config cfg = mock_config(0, NULL);
		struct teemed *t;

		mock.hyp = mock_sw_expect;
		expect_smc(OPTEE_SMC_CALLS_UID, 0, 0, 0, 0, 0, 0, 0);
		will_answer(OPTEE_MSG_UID_0, OPTEE_MSG_UID_1, OPTEE_MSG_UID_2,
			    OPTEE_MSG_UID_3);
		expect_smc(OPTEE_SMC_CALLS_REVISION, 0, 0, 0, 0, 0, 0, 0);
		will_answer(2, 0, 0, 0);
		expect_smc(OPTEE_SMC_CALL_GET_OS_REVISION, 0, 0, 0, 0, 0, 0,
			   0);
		will_answer(4, 10, 0, 0);
		expect_smc(OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0, 0, 0, 0, 0,
			   0);
		will_answer(OPTEE_SMC_RETURN_OK, mock.caps, 0, a3s[i]);
		expect_smc(OPTEE_SMC_GET_THREAD_COUNT, 0, 0, 0, 0, 0, 0, 0);
		will_answer(OPTEE_SMC_RETURN_OK, 4, 0, 0);
		assert_int_equal(teemed_init(&cfg, &t), TEEMED_OK);
		assert_int_equal(teemed_get_info(t)->guest_caps &
					 OPTEE_SMC_SEC_CAP_RPC_ARG,
				 0);
		assert_int_equal(teemed_get_info(t)->rpc_param_count, 0);
		assert_int_equal(teemed_fini(t), TEEMED_OK);
	}
	mock.hyp = mock_fake_hyp;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rpc_arg_shadowed, setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_rpc_arg_rpc_round_trip,
						setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_rpc_arg_sizes, setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_regd_arg_straddling,
						setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_regd_arg_in_one_page,
						setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_regd_arg_second_page,
						setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_regd_arg_refusals, setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_regd_arg_unregistering,
						setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_feature_off, setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_rpc_params_out_of_range,
						setup, mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
