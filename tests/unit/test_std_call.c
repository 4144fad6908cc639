/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CALL_WITH_ARG (spec §2.6, §3): the argument address, the command and
 * parameter checks, what OP-TEE sees (a shadow, never the guest's page)
 * and what the guest gets back (only the output fields, §3.6).
 */
#include "mock_platform.h"

#include <string.h>

#define TMEM_NC(t) (OPTEE_MSG_ATTR_TYPE_##t | OPTEE_MSG_ATTR_NONCONTIG)
#define META_VALUE (OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT)

static uint8_t before[MOCK_PAGE];

static void snapshot(int vm, uint64_t ipa)
{
	memcpy(before, mock_guest_ptr(vm, ipa), MOCK_PAGE);
}

static void assert_guest_unchanged(int vm, uint64_t ipa)
{
	assert_memory_equal(mock_guest_ptr(vm, ipa), before, MOCK_PAGE);
}

static void assert_regs(const struct teemed_regs *r, uint32_t a0)
{
	assert_int_equal(r->a[0], a0);
	assert_int_equal(r->a[1], 0);
	assert_int_equal(r->a[2], 0);
	assert_int_equal(r->a[3], 0);
}

static void arg_at(uint64_t ipa, struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_CALL_WITH_ARG;
	r->a[1] = ipa >> 32;
	r->a[2] = (uint32_t)ipa;
	assert_int_equal(mock_smc_guest(0, r), TEEMED_SMC_HANDLED);
}

static void test_unaligned_arg(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;

	mock.sw = mock_sw_never;
	mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	snapshot(0, ARG_IPA);
	arg_at(ARG_IPA + 8, &r);
	assert_regs(&r, OPTEE_SMC_RETURN_EBADADDR);
	arg_at(ARG_IPA + 0x800, &r);
	assert_regs(&r, OPTEE_SMC_RETURN_EBADADDR);
	assert_guest_unchanged(0, ARG_IPA);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_ARG], 2);
	assert_int_equal(s.calls, 0);
}

static void test_unmapped_arg(void **state)
{
	struct teemed_regs r;

	mock.sw = mock_sw_never;
	mock_ipa_set(0, GPAGE(5), MOCK_IPA_UNMAPPED);
	mock_ipa_set(0, GPAGE(6), MOCK_IPA_MMIO);
	arg_at(GPAGE(5), &r);
	assert_regs(&r, OPTEE_SMC_RETURN_EBADADDR);
	arg_at(GPAGE(6), &r);
	assert_regs(&r, OPTEE_SMC_RETURN_EBADADDR);
	arg_at(0, &r);
	assert_regs(&r, OPTEE_SMC_RETURN_EBADADDR);
	arg_at(0x7ffffffff000ull, &r);
	assert_regs(&r, OPTEE_SMC_RETURN_EBADADDR);
	assert_int_equal(mock.pins, 0);
}

/* The 64-bit address is a1:a2 with only their low halves meaningful. */
static void test_arg_register_halves(void **state)
{
	struct teemed_regs r;

	mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
	r.a[1] = 0xabcd000000000000ull | (ARG_IPA >> 32);
	r.a[2] = 0x1234000000000000ull | (uint32_t)ARG_IPA;
	r.a[3] = 0xffffffffffffffffull;
	r.a[4] = r.a[5] = r.a[6] = r.a[7] = 0x1111111111111111ull;
	mock.sw = mock_sw_expect;
	expect_call_with_arg(7);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	assert_regs(&r, OPTEE_SMC_RETURN_OK);
	/* The shadow, a mediator page (kept in the instance's pool for the
	   next call once this one ended), not the guest's page. */
	{
		const struct teemed_regs *in = mock_last_in();
		uint64_t pa = (in->a[1] << 32) | in->a[2];

		assert_true(mock_pa_is_mediator(pa));
		assert_int_equal(mock.inst_pages, 1);
		assert_int_not_equal(pa, mock_guest_pa(0, ARG_IPA));
	}
}

static void test_too_many_params(void **state)
{
	static const uint32_t counts[] = {128, 200, 0x80000000u, 0xffffffffu};
	struct teemed_regs r;

	mock.sw = mock_sw_never;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND,
			      counts[i]);
		snapshot(0, ARG_IPA);
		arg_at(ARG_IPA, &r);
		assert_regs(&r, OPTEE_SMC_RETURN_EBADADDR);
		assert_guest_unchanged(0, ARG_IPA);
	}
	assert_int_equal(mock.pins, 0);
}

/* EBADCMD leaves arg->ret untouched (spec §2.6 item 3). */
static void test_bad_command(void **state)
{
	static const uint32_t cmds[] = {
		OPTEE_MSG_CMD_DO_BOTTOM_HALF,
		OPTEE_MSG_CMD_STOP_ASYNC_NOTIF,
		OPTEE_MSG_CMD_LEND_PROTMEM,
		OPTEE_MSG_CMD_RECLAIM_PROTMEM,
		OPTEE_MSG_CMD_GET_PROTMEM_CONFIG,
		OPTEE_MSG_CMD_ASSIGN_PROTMEM,
		12,
		0x100,
		0x80000000u,
		0xffffffffu,
	};
	struct teemed_regs r;
	struct teemed_vm_stats s;

	mock.sw = mock_sw_never;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct optee_msg_arg *arg =
			mock_arg_init(0, ARG_IPA, cmds[i], 0);

		arg->ret = 0x12345678;
		snapshot(0, ARG_IPA);
		arg_at(ARG_IPA, &r);
		assert_regs(&r, OPTEE_SMC_RETURN_EBADCMD);
		assert_guest_unchanged(0, ARG_IPA);
	}
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_CMD],
			 sizeof(cmds) / sizeof(cmds[0]));
	assert_int_equal(s.calls, 0);
}

/* One malformed message and where it goes wrong. */
struct shape_case {
	uint32_t cmd;
	uint32_t num_params;
	uint64_t attr[7];
};

static const struct shape_case bad_shapes[] = {
	/* Counts per command (§3.4). */
	{OPTEE_MSG_CMD_OPEN_SESSION, 0, {0}},
	{OPTEE_MSG_CMD_OPEN_SESSION, 1, {META_VALUE}},
	{OPTEE_MSG_CMD_OPEN_SESSION, 7, {META_VALUE, META_VALUE}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 5, {0}},
	{OPTEE_MSG_CMD_CLOSE_SESSION, 1, {0}},
	{OPTEE_MSG_CMD_CANCEL, 1, {0}},
	{OPTEE_MSG_CMD_REGISTER_SHM, 0, {0}},
	{OPTEE_MSG_CMD_REGISTER_SHM, 2, {TMEM_NC(TMEM_OUTPUT), 0}},
	{OPTEE_MSG_CMD_UNREGISTER_SHM, 0, {0}},
	{OPTEE_MSG_CMD_UNREGISTER_SHM,
	 2,
	 {OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, OPTEE_MSG_ATTR_TYPE_RMEM_INPUT}},
	/* META: exactly 0x101 for OPEN's first two, nowhere else. */
	{OPTEE_MSG_CMD_OPEN_SESSION,
	 2,
	 {OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, META_VALUE}},
	{OPTEE_MSG_CMD_OPEN_SESSION,
	 2,
	 {META_VALUE, OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INOUT}},
	{OPTEE_MSG_CMD_OPEN_SESSION, 3, {META_VALUE, META_VALUE, META_VALUE}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {META_VALUE}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND,
	 2,
	 {0, OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_TMEM_INPUT}},
	/* Invalid types (§3.3). */
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x4}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x8}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0xC}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0xF}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x10}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x11}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0xFF}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 3, {0x1, 0x2, 0x81}},
	/* Unknown attribute bits. */
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x1 | (1u << 10)}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x1 | (1u << 15)}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x1 | (1u << 19)}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x9 | (1ull << 32)}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x0 | (1ull << 63)}},
	/* NONCONTIG on anything but a tmem. */
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x1 | OPTEE_MSG_ATTR_NONCONTIG}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x3 | OPTEE_MSG_ATTR_NONCONTIG}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x5 | OPTEE_MSG_ATTR_NONCONTIG}},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, 1, {0x0 | OPTEE_MSG_ATTR_NONCONTIG}},
	{OPTEE_MSG_CMD_OPEN_SESSION,
	 3,
	 {META_VALUE, META_VALUE, 0x2 | OPTEE_MSG_ATTR_NONCONTIG}},
	/* REGISTER_SHM wants exactly TMEM_OUTPUT | NONCONTIG. */
	{OPTEE_MSG_CMD_REGISTER_SHM, 1, {TMEM_NC(TMEM_INPUT)}},
	{OPTEE_MSG_CMD_REGISTER_SHM, 1, {TMEM_NC(TMEM_INOUT)}},
	{OPTEE_MSG_CMD_REGISTER_SHM, 1, {OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT}},
	{OPTEE_MSG_CMD_REGISTER_SHM,
	 1,
	 {TMEM_NC(TMEM_OUTPUT) | (1u << OPTEE_MSG_ATTR_CACHE_SHIFT)}},
	{OPTEE_MSG_CMD_REGISTER_SHM, 1, {OPTEE_MSG_ATTR_TYPE_RMEM_INPUT}},
};

/*
 * Refused by the mediator: a0 OK with ret BAD_PARAMETERS and origin
 * COMMS (spec §3.7), every other byte of the guest's argument as it was,
 * the secure world never called, nothing held.
 */
static void test_bad_shapes(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;
	size_t n = sizeof(bad_shapes) / sizeof(bad_shapes[0]);

	mock.sw = mock_sw_never;
	for (size_t i = 0; i < n; i++) {
		const struct shape_case *c = &bad_shapes[i];
		struct optee_msg_arg *arg =
			mock_arg_init(0, ARG_IPA, c->cmd, c->num_params);
		struct optee_msg_arg *want;

		/* Valid-looking contents, so only the shape is wrong. */
		mock_fill_list_range(0, GPAGE(2), 16, 1);
		for (uint32_t p = 0; p < c->num_params; p++) {
			arg->params[p].attr = c->attr[p];
			arg->params[p].u.tmem.buf_ptr = GPAGE(2);
			arg->params[p].u.tmem.size = 16;
			arg->params[p].u.tmem.shm_ref = 0x100 + p;
		}
		arg->ret = 0xaaaaaaaa;
		arg->ret_origin = 0xbbbbbbbb;
		arg->session = 0xcccccccc;
		snapshot(0, ARG_IPA);
		want = (struct optee_msg_arg *)(void *)before;
		want->ret = TEEC_ERROR_BAD_PARAMETERS;
		want->ret_origin = TEEC_ORIGIN_COMMS;

		arg_at(ARG_IPA, &r);
		if (r.a[0] != OPTEE_SMC_RETURN_OK)
			fail_msg("case %zu: a0 %#llx", i,
				 (unsigned long long)r.a[0]);
		assert_regs(&r, OPTEE_SMC_RETURN_OK);
		if (memcmp(arg, before, MOCK_PAGE))
			fail_msg("case %zu: ret %#x origin %#x", i, arg->ret,
				 arg->ret_origin);
		assert_int_equal(mock.pins, 0);
		assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	}
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_PARAM], n);
	assert_int_equal(s.calls, 0);
}

/* Good shapes at the limits do reach OP-TEE. */
static void test_good_shapes(void **state)
{
	struct optee_msg_arg *arg;

	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_OPEN_SESSION, 6);
	arg->params[0].attr = META_VALUE;
	arg->params[1].attr = META_VALUE;
	arg->params[2].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	arg->params[3].attr = OPTEE_MSG_ATTR_TYPE_NONE;
	arg->params[4].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	arg->params[5].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT |
			      (7u << OPTEE_MSG_ATTR_CACHE_SHIFT);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(mock.calls_seen, 1);

	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 4);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_CANCEL, 0);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.calls_seen, 3);
}

static void test_contiguous_tmem_refused(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_regs r;

	mock.sw = mock_sw_never;
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	mock_set_tmem(&arg->params[1], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
		      GPAGE(16), 100, 0x42);
	arg_at(ARG_IPA, &r);
	assert_regs(&r, OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_COMMS);
	/* A PA-looking pointer is no better. */
	mock_set_tmem(&arg->params[1], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
		      mock_guest_pa(0, GPAGE(16)), 100, 0x42);
	arg->ret = 0;
	arg_at(ARG_IPA, &r);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(mock.pins, 0);
}

/* NULL memrefs and values reach OP-TEE unchanged (§5.4). */
static void test_null_tmem_and_values_unchanged(void **state)
{
	struct optee_msg_arg *arg;
	const struct optee_msg_arg *seen = mock_seen_arg();

	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 4);
	arg->func = 0x77;
	arg->session = 0x1234;
	arg->cancel_id = 0x55;
	mock_set_tmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, 0, 0x100,
		      0);
	mock_set_tmem(&arg->params[1], TMEM_NC(TMEM_OUTPUT), 0, 0x200, 0x9);
	arg->params[2].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[2].u.value.a = 0x1111222233334444ull;
	arg->params[2].u.value.b = 0x5555666677778888ull;
	arg->params[2].u.value.c = 0x9999aaaabbbbccccull;
	arg->params[3].attr = OPTEE_MSG_ATTR_TYPE_NONE;
	memset(&arg->params[3].u, 0xee, sizeof(arg->params[3].u));
	snapshot(0, ARG_IPA);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	/* Header and parameters as the guest wrote them. */
	assert_int_equal(seen->cmd, OPTEE_MSG_CMD_INVOKE_COMMAND);
	assert_int_equal(seen->func, 0x77);
	assert_int_equal(seen->session, 0x1234);
	assert_int_equal(seen->cancel_id, 0x55);
	assert_int_equal(seen->num_params, 4);
	assert_memory_equal(seen->params,
			    ((struct optee_msg_arg *)(void *)before)->params,
			    4 * sizeof(struct optee_msg_param));
	assert_int_equal(mock.pins, 0);
}

/* What the fake OP-TEE writes: every field it may and some it may not. */
static void scribble(struct optee_msg_arg *arg, uint16_t client)
{
	arg->func = 0xdead0001;
	arg->cancel_id = 0xdead0002;
	arg->pad = 0xdead0003;
	arg->session = 0x5e55;
	arg->ret = 0xffff3024;
	arg->ret_origin = TEEC_ORIGIN_TRUSTED_APP;
	for (uint32_t i = 0; i < arg->num_params; i++) {
		struct optee_msg_param *p = &arg->params[i];

		p->u.value.a = 0xa000 + i;
		p->u.value.b = 0xb000 + i;
		p->u.value.c = 0xc000 + i;
	}
}

/*
 * Copy-back writes only ret, ret_origin, session (OPEN), value a/b of
 * value outputs and the size of memref outputs (§3.6); in particular
 * no translated buf_ptr reaches the guest.
 */
static void test_copy_back_only_outputs(void **state)
{
	struct optee_msg_arg *arg, *want;
	static const uint32_t types[6] = {
		0,
		0,
		OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT,
		OPTEE_MSG_ATTR_TYPE_VALUE_INOUT,
		OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
		TMEM_NC(TMEM_INOUT),
	};

	arg = mock_guest_arg(0, ARG_IPA);
	memset(arg, 0x5a, MOCK_PAGE);
	arg->cmd = OPTEE_MSG_CMD_OPEN_SESSION;
	arg->num_params = 6;
	arg->params[0].attr = META_VALUE;
	arg->params[1].attr = META_VALUE;
	arg->params[1].u.value.c = OPTEE_MSG_LOGIN_PUBLIC;
	for (int i = 2; i < 6; i++)
		arg->params[i].attr = types[i];
	mock_fill_list_range(0, GPAGE(2), 16, 3);
	mock_set_tmem(&arg->params[5], types[5], GPAGE(2) | 0x10, 0x2000,
		      0xc00c1e);
	snapshot(0, ARG_IPA);
	mock.on_msg = scribble;
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);

	want = (struct optee_msg_arg *)(void *)before;
	want->session = 0x5e55;
	want->ret = 0xffff3024;
	want->ret_origin = TEEC_ORIGIN_TRUSTED_APP;
	want->params[2].u.value.a = 0xa002;
	want->params[2].u.value.b = 0xb002;
	want->params[3].u.value.a = 0xa003;
	want->params[3].u.value.b = 0xb003;
	/* tmem.size shares its offset with value.b. */
	want->params[5].u.tmem.size = 0xb005;
	assert_memory_equal(arg, before, MOCK_PAGE);
	assert_int_equal(mock.pins, 0);
}

static void scribble_close(struct optee_msg_arg *arg, uint16_t client)
{
	scribble(arg, client);
	arg->ret = TEEC_SUCCESS;
}

/* CLOSE_SESSION: ret and ret_origin only; the session stays. */
static void test_copy_back_close(void **state)
{
	struct optee_msg_arg *arg, *want;

	arg = mock_guest_arg(0, ARG_IPA);
	memset(arg, 0x3c, MOCK_PAGE);
	arg->cmd = OPTEE_MSG_CMD_CLOSE_SESSION;
	arg->num_params = 0;
	snapshot(0, ARG_IPA);
	mock.on_msg = scribble_close;
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	want = (struct optee_msg_arg *)(void *)before;
	want->ret = TEEC_SUCCESS;
	want->ret_origin = TEEC_ORIGIN_TRUSTED_APP;
	assert_memory_equal(arg, before, MOCK_PAGE);
}

/* An SMC-level error from OP-TEE: passed on, the argument untouched. */
static void test_optee_error_passed(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_regs r;

	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	arg->ret = 0x12345678;
	snapshot(0, ARG_IPA);
	mock.on_msg = scribble;
	mock.call_a0 = OPTEE_SMC_RETURN_ENOTAVAIL;
	mock_call(0, ARG_IPA, &r);
	assert_regs(&r, OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_guest_unchanged(0, ARG_IPA);
	mock.call_a0 = OPTEE_SMC_RETURN_EBADCMD;
	mock_call(0, ARG_IPA, &r);
	assert_regs(&r, OPTEE_SMC_RETURN_EBADCMD);
	assert_guest_unchanged(0, ARG_IPA);
	assert_int_equal(mock.calls_seen, 2);
}

/* The guest rewrites its argument and list while OP-TEE runs. */
static void rewrite_guest(struct teemed_regs *r)
{
	struct optee_msg_arg *arg = mock_guest_arg(0, ARG_IPA);
	uint64_t *list = mock_guest_ptr(0, GPAGE(2));

	if ((uint32_t)r->a[0] != OPTEE_SMC_CALL_WITH_ARG)
		return;
	arg->cmd = OPTEE_MSG_CMD_REGISTER_SHM;
	arg->num_params = 127;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT;
	arg->params[0].u.value.a = 0x1234;
	arg->params[1].u.tmem.buf_ptr = GPAGE(40);
	arg->params[1].u.tmem.size = 0x100000;
	for (int i = 0; i < 4; i++)
		list[i] = GPAGE(100 + i);
}

static void test_guest_rewrite_during_call(void **state)
{
	struct optee_msg_arg *arg;
	const struct optee_msg_arg *seen;
	uint64_t shadow_pa;

	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[0].u.value.a = 0xfeed;
	mock_fill_list_range(0, GPAGE(2), 16, 4);
	mock_set_tmem(&arg->params[1], TMEM_NC(TMEM_INPUT), GPAGE(2) | 0x20,
		      3 * MOCK_PAGE, 0x77);
	mock.on_enter = rewrite_guest;
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	seen = mock_seen_arg();
	assert_int_equal(seen->cmd, OPTEE_MSG_CMD_INVOKE_COMMAND);
	assert_int_equal(seen->num_params, 2);
	assert_int_equal(seen->params[0].attr, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT);
	assert_int_equal(seen->params[0].u.value.a, 0xfeed);
	assert_int_equal(seen->params[1].u.tmem.size, 3 * MOCK_PAGE);
	shadow_pa = seen->params[1].u.tmem.buf_ptr;
	assert_int_equal(shadow_pa & 0xfff, 0x20);
	assert_int_not_equal(shadow_pa & ~0xfffull, GPAGE(2));
	assert_int_equal(mock.seen_pages[1], 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(mock.seen_pa[1][i],
				 mock_guest_pa(0, GPAGE(16 + i)));
	assert_int_equal(mock.pins, 0);
}

/* The VM's call quota is full: ETHREAD_LIMIT, and OP-TEE never asked. */
static void test_thread_limit(void **state)
{
	struct teemed_regs r;
	uint32_t threads[4];
	struct teemed_vm_stats s;

	mock.pauses = 1;
	for (uint32_t i = 0; i < mock.threads; i++) {
		mock_arg_init(0, GPAGE(i), OPTEE_MSG_CMD_CLOSE_SESSION, 0);
		mock_call(0, GPAGE(i), &r);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
		threads[i] = (uint32_t)r.a[3];
	}
	mock_arg_init(0, GPAGE(4), OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	mock_call(0, GPAGE(4), &r);
	assert_regs(&r, OPTEE_SMC_RETURN_ETHREAD_LIMIT);
	assert_int_equal(mock.calls_seen, mock.threads);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, mock.threads);
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 1);
	/* The other VM is not affected. */
	mock_arg_init(1, GPAGE(0), OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	mock.pauses = 0;
	assert_int_equal(mock_call_to_end(1, GPAGE(0), NULL),
			 OPTEE_SMC_RETURN_OK);
	/* One call ends; a new one fits again. */
	mock_resume(0, threads[0], &r);
	assert_regs(&r, OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock_call_to_end(0, GPAGE(4), NULL),
			 OPTEE_SMC_RETURN_OK);
	for (uint32_t i = 1; i < mock.threads; i++) {
		mock_resume(0, threads[i], &r);
		assert_regs(&r, OPTEE_SMC_RETURN_OK);
	}
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 0);
	assert_int_equal(s.calls_peak, mock.threads);
}

/* Every parameter count up to OPEN's six, with every legal type mix. */
static void test_random_valid_params(void **state)
{
	static const uint32_t value_types[] = {OPTEE_MSG_ATTR_TYPE_NONE,
					       OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
					       OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT,
					       OPTEE_MSG_ATTR_TYPE_VALUE_INOUT};
	uint64_t seed = 12345;

	for (int round = 0; round < 200; round++) {
		uint32_t n = (uint32_t)mock_rand(&seed) % 5;
		struct optee_msg_arg *arg = mock_arg_init(
			0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, n);

		for (uint32_t i = 0; i < n; i++) {
			arg->params[i].attr = value_types[mock_rand(&seed) % 4];
			arg->params[i].u.value.a = (uint64_t)mock_rand(&seed);
			arg->params[i].u.value.c = (uint64_t)mock_rand(&seed);
		}
		snapshot(0, ARG_IPA);
		assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
				 OPTEE_SMC_RETURN_OK);
		assert_memory_equal(
			mock_seen_arg()->params,
			((struct optee_msg_arg *)(void *)before)->params,
			n * sizeof(struct optee_msg_param));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unaligned_arg, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_unmapped_arg, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_arg_register_halves,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_params,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_bad_command, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_bad_shapes, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_good_shapes, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_contiguous_tmem_refused,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_null_tmem_and_values_unchanged, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_copy_back_only_outputs,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_copy_back_close,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_optee_error_passed,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_guest_rewrite_during_call,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_thread_limit, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_random_valid_params,
						mock_setup, mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
