/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RPCs and RETURN_FROM_RPC (spec §2.9, §2.21, §6.1), and the bounded
 * work that pauses a long translation or release with FOREIGN_INTR.
 */
#include "mock_platform.h"

#include <string.h>

#define TMEM_NC(t) (OPTEE_MSG_ATTR_TYPE_##t | OPTEE_MSG_ATTR_NONCONTIG)

static void close_arg(int vm, uint64_t ipa)
{
	mock_arg_init(vm, ipa, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
}

/*
 * FOREIGN_INTR reaches the guest with a3 = the guest-visible thread id;
 * the resume reaches OP-TEE with OP-TEE's own thread id.
 */
static void test_foreign_intr_round_trip(void **state)
{
	struct teemed_regs r;

	close_arg(0, ARG_IPA);
	mock.sw = mock_sw_expect;
	expect_call_with_arg(7);
	will_answer(OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, 0x2a);
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_not_equal(r.a[3], 0x2a);
	assert_true(r.a[3] < mock.threads);

	/* The guest's a1/a2/a4..a7 must not reach OP-TEE. */
	{
		uint64_t tid = r.a[3];

		memset(&r, 0, sizeof(r));
		r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		r.a[1] = 0x1111;
		r.a[2] = 0x2222;
		r.a[3] = tid;
		r.a[4] = 0x4444;
		r.a[5] = 0x5555;
		r.a[6] = 0x6666;
		r.a[7] = 0x7777;
	}
	expect_smc(OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, 0x2a, 0, 0, 0, 7);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
}

/* Two calls in RPCs at once, resumed in the other order. */
static void test_two_calls_resumed_out_of_order(void **state)
{
	struct teemed_regs a, b, r;

	mock.pauses = 2;
	close_arg(0, GPAGE(0));
	close_arg(0, GPAGE(1));
	mock_call(0, GPAGE(0), &a);
	mock_call(0, GPAGE(1), &b);
	assert_int_equal(a.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(b.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_not_equal(a.a[3], b.a[3]);
	/* The fake OP-TEE checks the thread id it gets back. */
	mock_resume(0, (uint32_t)b.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(r.a[3], b.a[3]);
	assert_int_equal(mock_last_in()->a[3], mock.thread_base + 1);
	mock_resume(0, (uint32_t)a.a[3], &r);
	assert_int_equal(mock_last_in()->a[3], mock.thread_base + 0);
	mock_resume(0, (uint32_t)a.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	mock_resume(0, (uint32_t)b.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock_guest_arg(0, GPAGE(0))->ret, TEEC_SUCCESS);
	assert_int_equal(mock_guest_arg(0, GPAGE(1))->ret, TEEC_SUCCESS);
}

static void assert_eresume(int vm, uint32_t tid)
{
	struct teemed_regs r;
	uint64_t sw = mock.sw_count;

	mock_resume(vm, tid, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ERESUME);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
	assert_int_equal(mock.sw_count, sw);
}

static void test_resume_naming_no_call(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;
	uint32_t tid;

	/* Nothing in flight at all. */
	for (uint32_t t = 0; t < mock.threads + 2; t++)
		assert_eresume(0, t);
	assert_eresume(0, 0xffff);
	assert_eresume(0, 0xffffffffu);
	assert_eresume(0, mock.thread_base);

	mock.pauses = 1;
	close_arg(0, ARG_IPA);
	mock_call(0, ARG_IPA, &r);
	tid = (uint32_t)r.a[3];
	/* Another VM cannot name it; a free slot next to it is no call. */
	assert_eresume(1, tid);
	assert_eresume(0, tid + 1);
	/* OP-TEE's id is not the guest's. */
	assert_eresume(0, mock.thread_base);

	mock_resume(0, tid, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	/* Twice: the call is over. */
	assert_eresume(0, tid);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_RESUME], mock.threads + 8);
	teemed_vm_get_stats(fx.vm[1], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_RESUME], 1);
}

/*
 * RPC functions the mediator does not know, and RPC_CMD naming no RPC
 * buffer of the VM, reach the guest as a bare FOREIGN_INTR: none of
 * OP-TEE's registers leak, and OP-TEE gets nothing from the guest.
 */
static void test_unknown_rpcs_not_leaked(void **state)
{
	static const uint32_t rpcs[] = {0xFFFF0001u, 0xFFFF0003u, 0xFFFF00FFu,
					0xFFFFFFFEu, OPTEE_SMC_RETURN_RPC_CMD};
	struct teemed_regs r;

	for (size_t i = 0; i < sizeof(rpcs) / sizeof(rpcs[0]); i++) {
		close_arg(0, ARG_IPA);
		mock.sw = mock_sw_expect;
		expect_value(mock_sw_expect, a0, OPTEE_SMC_CALL_WITH_ARG);
		expect_any(mock_sw_expect, a1);
		expect_any(mock_sw_expect, a2);
		expect_any(mock_sw_expect, a3);
		expect_any(mock_sw_expect, a4);
		expect_any(mock_sw_expect, a5);
		expect_any(mock_sw_expect, a6);
		expect_value(mock_sw_expect, a7, 7);
		will_answer(rpcs[i], 0x8, 0x9abc0000, 3);
		mock_call(0, ARG_IPA, &r);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
		assert_int_equal(r.a[1], 0);
		assert_int_equal(r.a[2], 0);

		r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		r.a[1] = mock_guest_pa(0, GPAGE(9)) >> 32;
		r.a[2] = (uint32_t)mock_guest_pa(0, GPAGE(9));
		r.a[4] = 0x1;
		r.a[5] = 0x2;
		expect_smc(OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, 3, 0, 0, 0, 7);
		will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
		assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	}
}

/*
 * RPC_ALLOC: the guest's page is replaced by a mediator page for
 * OP-TEE, the guest's cookie kept; RPC_FREE hands the cookie back and
 * the mediator page goes once OP-TEE has been resumed.
 */
static void test_rpc_alloc_and_free(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;
	uint64_t shadow, tid;

	close_arg(0, ARG_IPA);
	mock.sw = mock_sw_expect;
	expect_value(mock_sw_expect, a0, OPTEE_SMC_CALL_WITH_ARG);
	expect_any(mock_sw_expect, a1);
	expect_any(mock_sw_expect, a2);
	expect_any(mock_sw_expect, a3);
	expect_any(mock_sw_expect, a4);
	expect_any(mock_sw_expect, a5);
	expect_any(mock_sw_expect, a6);
	expect_value(mock_sw_expect, a7, 7);
	will_answer(OPTEE_SMC_RETURN_RPC_ALLOC, 160, 0, 3);
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_ALLOC);
	assert_int_equal(r.a[1], 160);
	assert_int_equal(r.a[2], 0);
	assert_int_not_equal(r.a[3], 3);
	tid = r.a[3];

	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r.a[1] = GPAGE(9) >> 32;
	r.a[2] = (uint32_t)GPAGE(9);
	r.a[3] = tid;
	r.a[4] = 0x1;
	r.a[5] = 0x2345;
	expect_value(mock_sw_expect, a0, OPTEE_SMC_CALL_RETURN_FROM_RPC);
	expect_any(mock_sw_expect, a1);
	expect_any(mock_sw_expect, a2);
	expect_value(mock_sw_expect, a3, 3);
	expect_value(mock_sw_expect, a4, 0x1);
	expect_value(mock_sw_expect, a5, 0x2345);
	expect_value(mock_sw_expect, a6, 0);
	expect_value(mock_sw_expect, a7, 7);
	will_answer(OPTEE_SMC_RETURN_RPC_FREE, 0x1, 0x2345, 3);
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	shadow = (mock_last_in()->a[1] << 32) | mock_last_in()->a[2];
	assert_true(mock_pa_is_mediator(shadow));
	assert_int_equal(shadow & 0xfff, 0);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FREE);
	assert_int_equal(r.a[1], 0x1);
	assert_int_equal(r.a[2], 0x2345);
	assert_int_equal(r.a[3], tid);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.rpc_buffers, 1);

	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r.a[3] = tid;
	expect_smc(OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, 3, 0, 0, 0, 7);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_false(mock_pa_is_mediator(shadow));
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.rpc_buffers, 0);
	assert_int_equal(mock.pins, 0);
}

struct work {
	uint32_t smcs, pauses;
	uint64_t max_pins, max_unpins;
};

static uint64_t data_pins(int vm, uint32_t first, uint32_t n, bool unpins)
{
	/* Pins and unpins are counted per host page by the mock. */
	uint64_t held = 0;

	for (uint32_t j = 0; j < n; j++)
		held += mock_pa_pins(mock_guest_pa(vm, GPAGE(first + j)));
	(void)unpins;
	return held;
}

/*
 * Drive one call to its end, measuring per SMC how many of the data
 * pages became pinned or unpinned.
 */
static uint32_t drive(int vm, uint64_t arg_ipa, uint32_t first, uint32_t n,
		      struct work *w)
{
	struct teemed_regs r;
	uint64_t before = data_pins(vm, first, n, false), after;

	memset(w, 0, sizeof(*w));
	mock_call(vm, arg_ipa, &r);
	for (;;) {
		after = data_pins(vm, first, n, false);
		w->smcs++;
		if (after > before && after - before > w->max_pins)
			w->max_pins = after - before;
		if (before > after && before - after > w->max_unpins)
			w->max_unpins = before - after;
		before = after;
		if (r.a[0] != OPTEE_SMC_RETURN_RPC_FOREIGN_INTR)
			return (uint32_t)r.a[0];
		w->pauses++;
		assert_true(w->pauses < 10000);
		mock_resume(vm, (uint32_t)r.a[3], &r);
	}
}

/*
 * step_pages = 8: a 100-page tmem pauses the translation with
 * FOREIGN_INTR, pins at most 8 pages per SMC, completes after the
 * resumes, and releases at most 8 pages per SMC at the end.
 */
static void test_bounded_translation_and_release(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_vm_stats s;
	struct work w;
	uint64_t seen_before;

	mock_reset();
	mock_start(8, NULL);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	arg->params[0].u.value.a = 0x42;
	mock_fill_list_range(0, GPAGE(2), 16, 100);
	mock_set_tmem(&arg->params[1], TMEM_NC(TMEM_INOUT), GPAGE(2) | 0x100,
		      100 * MOCK_PAGE - 0x100, 0xbeef);
	seen_before = mock.calls_seen;
	assert_int_equal(drive(0, ARG_IPA, 16, 100, &w), OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.calls_seen, seen_before + 1);
	assert_true(w.max_pins <= 8);
	assert_true(w.max_unpins <= 8);
	/* 100 pins and 100 unpins at 8 per SMC. */
	assert_true(w.pauses >= 2 * 100 / 8 - 1);
	assert_int_equal(mock.seen_pages[1], 100);
	for (uint32_t j = 0; j < 100; j++)
		assert_int_equal(mock.seen_pa[1][j],
				 mock_guest_pa(0, GPAGE(16 + j)));
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_true(s.max_pages_per_smc <= 8);
	assert_true(s.max_pages_per_smc > 0);
	assert_int_equal(s.pinned_pages, 0);
	assert_int_equal(s.pinned_pages_peak, 100);
	assert_int_equal(s.calls, 0);
	assert_int_equal(mock.pins, 0);
}

/* A guest rewriting its argument while a translation is paused. */
static void test_rewrite_while_paused(void **state)
{
	struct optee_msg_arg *arg;
	const struct optee_msg_arg *seen = mock_seen_arg();
	struct teemed_regs r;
	uint64_t *list;

	mock_reset();
	mock_start(8, NULL);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[0].u.value.a = 0x1234;
	mock_fill_list_range(0, GPAGE(2), 16, 40);
	mock_set_tmem(&arg->params[1], TMEM_NC(TMEM_INPUT), GPAGE(2),
		      40 * MOCK_PAGE, 0xbeef);
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(mock.calls_seen, 0);

	arg->num_params = 4;
	arg->params[0].u.value.a = 0x6666;
	arg->params[1].u.tmem.size = 1;
	arg->params[1].u.tmem.buf_ptr = GPAGE(5);
	list = mock_guest_ptr(0, GPAGE(2));
	list[0] = GPAGE(500); /* already read: no effect */
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR)
		mock_resume(0, (uint32_t)r.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(seen->num_params, 2);
	assert_int_equal(seen->params[0].u.value.a, 0x1234);
	assert_int_equal(seen->params[1].u.tmem.size, 40 * MOCK_PAGE);
	assert_int_equal(mock.seen_pages[1], 40);
	assert_int_equal(mock.seen_pa[1][0], mock_guest_pa(0, GPAGE(16)));
	assert_int_equal(mock.pins, 0);
}

/* While paused before OP-TEE saw the call, a resume never reaches it. */
static void test_paused_prepare_stays_local(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_regs r;
	uint32_t tid;

	mock_reset();
	mock_start(8, NULL);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_fill_list_range(0, GPAGE(2), 16, 30);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_INPUT), GPAGE(2),
		      30 * MOCK_PAGE, 0xbeef);
	mock_call(0, ARG_IPA, &r);
	tid = (uint32_t)r.a[3];
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	/* 8 data pages and the argument page, pinned for the call. */
	assert_int_equal(mock.pins, 8 + 1);
	assert_int_equal(mock.sw_count, 0);
	mock_resume(0, tid, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(r.a[3], tid);
	assert_int_equal(mock.pins, 16 + 1);
	assert_int_equal(mock.sw_count, 0);
	/* Other slots are still no call. */
	assert_eresume(0, tid + 1);
	assert_eresume(1, tid);
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR)
		mock_resume(0, tid, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.sw_count, 1);
}

/* A refused page list with many pins already taken: bounded release. */
static void test_bounded_release_after_refusal(void **state)
{
	struct optee_msg_arg *arg;
	struct work w;

	mock_reset();
	mock_start(8, NULL);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_fill_list_range(0, GPAGE(2), 16, 60);
	((uint64_t *)mock_guest_ptr(0, GPAGE(2)))[59] = 0x3;
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_INPUT), GPAGE(2),
		      60 * MOCK_PAGE, 0xbeef);
	mock.sw = mock_sw_never;
	assert_int_equal(drive(0, ARG_IPA, 16, 59, &w), OPTEE_SMC_RETURN_OK);
	assert_true(w.max_pins <= 8);
	assert_true(w.max_unpins <= 8);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_COMMS);
	assert_int_equal(mock.pins, 0);
}

/*
 * The same calls with SMCCC 1.3's SVE hint (bit 16) in every function id
 * the guest issues: CALL_WITH_ARG and RETURN_FROM_RPC work unchanged and
 * OP-TEE never sees the bit (the mock fails any SMC that carries it).
 */
static void test_sve_hint_rpc_alloc_and_free(void **state)
{
	mock.guest_fid_bits = OPTEE_SMC_SVE_HINT;
	test_rpc_alloc_and_free(state);
}

static void test_sve_hint_two_calls_resumed(void **state)
{
	mock.guest_fid_bits = OPTEE_SMC_SVE_HINT;
	test_two_calls_resumed_out_of_order(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_foreign_intr_round_trip,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_two_calls_resumed_out_of_order, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_resume_naming_no_call,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_rpcs_not_leaked,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_sve_hint_rpc_alloc_and_free,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_sve_hint_two_calls_resumed,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_rpc_alloc_and_free,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_bounded_translation_and_release, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_while_paused,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_paused_prepare_stays_local,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_bounded_release_after_refusal, mock_setup,
			mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
