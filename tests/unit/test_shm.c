/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Registered shared memory (spec §5): REGISTER_SHM keeps pins on
 * success only, UNREGISTER_SHM releases on success only, rmem must name
 * a live registered buffer of this VM within its bounds, and one cookie
 * namespace per VM (§5.2).
 */
#include "mock_platform.h"

#define TMEM_NC(t) (OPTEE_MSG_ATTR_TYPE_##t | OPTEE_MSG_ATTR_NONCONTIG)
#define LIST	   GPAGE(2)
#define CALL_ARG   GPAGE(1)

static void refused(int vm, uint64_t arg_ipa, uint32_t ret)
{
	struct optee_msg_arg *arg = mock_guest_arg(vm, arg_ipa);
	struct teemed_regs r;
	uint64_t sw = mock.sw_count;

	mock_call(vm, arg_ipa, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, ret);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_COMMS);
	assert_int_equal(mock.sw_count, sw);
}

static void register_pages(int vm, uint32_t first, uint32_t n, uint32_t offset,
			   uint64_t size, uint64_t cookie, uint32_t want)
{
	mock_fill_list_range(vm, LIST, first, n);
	assert_int_equal(mock_register(vm, ARG_IPA, LIST, offset, size, cookie),
			 want);
}

static void test_register_keeps_pins(void **state)
{
	struct optee_msg_arg *arg = mock_guest_arg(0, ARG_IPA);
	struct teemed_vm_stats s;

	register_pages(0, 16, 3, 0x100, 0x2000, 0xc1, TEEC_SUCCESS);
	/* REGISTER_SHM writes ret only (§3.6). */
	assert_int_equal(arg->ret_origin, 0);
	assert_int_equal(arg->params[0].u.tmem.buf_ptr, LIST | 0x100);
	assert_int_equal(mock.seen_pages[0], 3);
	for (int j = 0; j < 3; j++) {
		assert_int_equal(mock.seen_pa[0][j],
				 mock_guest_pa(0, GPAGE(16 + j)));
		assert_int_equal(mock_pa_pins(mock_guest_pa(0, GPAGE(16 + j))),
				 1);
	}
	assert_int_equal(mock.pins, 3);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.buffers, 1);
	assert_int_equal(s.pinned_pages, 3);
	/* The guest's list page may be reused at once. */
	mock_fill_list_range(0, LIST, 100, 3);
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xc1), TEEC_SUCCESS);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.buffers, 0);
}

/*
 * Once OP-TEE holds a registration of one list page, the buffer becomes
 * a compact record with its PAs and gives its shadow list page back
 * (test_buf_compact.c has the bytes); what OP-TEE saw
 * while registering was the page list, and the pins stay until
 * UNREGISTER_SHM.
 */
static void test_registered_buffers_packed(void **state)
{
	struct teemed_vm_stats s;

	register_pages(0, 16, 1, 0, 10, 0xc1, TEEC_SUCCESS);
	assert_int_equal(mock.seen_pa[0][0], mock_guest_pa(0, GPAGE(16)));
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	register_pages(0, 20, 5, 0x80, 5 * MOCK_PAGE - 0x80, 0xc2,
		       TEEC_SUCCESS);
	for (int j = 0; j < 5; j++)
		assert_int_equal(mock.seen_pa[0][j],
				 mock_guest_pa(0, GPAGE(20 + j)));
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	assert_int_equal(mock.pins, 6);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.buffers, 2);
	assert_int_equal(s.pinned_pages, 6);
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xc2), TEEC_SUCCESS);
	for (int j = 0; j < 5; j++)
		assert_int_equal(mock_pa_pins(mock_guest_pa(0, GPAGE(20 + j))),
				 0);
	assert_int_equal(mock_pa_pins(mock_guest_pa(0, GPAGE(16))), 1);
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xc1), TEEC_SUCCESS);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
}

static void test_register_failure_releases(void **state)
{
	struct teemed_vm_stats s;
	struct teemed_regs r;

	mock.msg_ret = TEEC_ERROR_OUT_OF_MEMORY;
	register_pages(0, 16, 20, 0, 20 * MOCK_PAGE, 0xc1,
		       TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.buffers, 0);
	/* SMC-level failure: released too, and the cookie is free again. */
	mock.msg_ret = TEEC_SUCCESS;
	mock.call_a0 = OPTEE_SMC_RETURN_ENOTAVAIL;
	mock_fill_list_range(0, LIST, 16, 20);
	mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	mock_set_tmem(&mock_guest_arg(0, ARG_IPA)->params[0],
		      TMEM_NC(TMEM_OUTPUT), LIST, 20 * MOCK_PAGE, 0xc1);
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(mock.pins, 0);
	mock.call_a0 = OPTEE_SMC_RETURN_OK;
	register_pages(0, 16, 20, 0, 20 * MOCK_PAGE, 0xc1, TEEC_SUCCESS);
	assert_int_equal(mock.pins, 20);
}

static void test_register_cookie_refusals(void **state)
{
	struct optee_msg_arg *arg;

	register_pages(0, 16, 2, 0, 2 * MOCK_PAGE, 0xc1, TEEC_SUCCESS);
	/* Duplicate, then zero: refused before OP-TEE, first one intact. */
	mock_fill_list_range(0, LIST, 30, 2);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_OUTPUT), LIST,
		      2 * MOCK_PAGE, 0xc1);
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	arg->params[0].u.tmem.shm_ref = 0;
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(mock.pins, 2);
	assert_int_equal(mock_pa_pins(mock_guest_pa(0, GPAGE(16))), 1);
	/* The same cookie in another VM is another namespace. */
	mock_fill_list_range(1, LIST, 16, 2);
	assert_int_equal(
		mock_register(1, ARG_IPA, LIST, 0, 2 * MOCK_PAGE, 0xc1),
		TEEC_SUCCESS);
	assert_int_equal(mock.pins, 4);
}

static void test_register_bad_list_releases(void **state)
{
	uint64_t *list = mock_guest_ptr(0, LIST);
	struct optee_msg_arg *arg;

	mock_fill_list_range(0, LIST, 16, 30);
	list[29] = GPAGE(16) | 0x8;
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_OUTPUT), LIST,
		      30 * MOCK_PAGE, 0xc1);
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(mock.pins, 0);
	/* The refused cookie was not kept. */
	list[29] = GPAGE(45);
	assert_int_equal(
		mock_register(0, ARG_IPA, LIST, 0, 30 * MOCK_PAGE, 0xc1),
		TEEC_SUCCESS);
}

static void test_unregister(void **state)
{
	struct optee_msg_arg *arg;

	register_pages(0, 16, 4, 0, 4 * MOCK_PAGE, 0xc1, TEEC_SUCCESS);
	/* OP-TEE refuses: still pinned, still usable. */
	mock.msg_ret = TEEC_ERROR_BAD_PARAMETERS;
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xc1),
			 TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(mock.pins, 4);
	assert_int_equal(mock_seen_arg()->params[0].u.rmem.shm_ref, 0xc1);
	mock.msg_ret = TEEC_SUCCESS;
	arg = mock_arg_init(0, CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INOUT, 0, 16,
		      0xc1);
	assert_int_equal(mock_call_to_end(0, CALL_ARG, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	/* Succeeds: released. */
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xc1), TEEC_SUCCESS);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	/* Twice, unknown, zero, other VM's: refused locally. */
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 0,
		      0xc1);
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	arg->params[0].u.rmem.shm_ref = 0x5555;
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	arg->params[0].u.rmem.shm_ref = 0;
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	mock_fill_list_range(1, LIST, 16, 1);
	assert_int_equal(mock_register(1, ARG_IPA, LIST, 0, 10, 0xd1),
			 TEEC_SUCCESS);
	arg->params[0].u.rmem.shm_ref = 0xd1;
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(mock.pins, 1);
}

/* rmem: a live cookie of this VM, offs/size within the usable size. */
static void test_rmem_bounds(void **state)
{
	/* 3 pages from offset 0x100: usable 3 * 4096 - 0x100 = 0x2f00. */
	static const struct {
		uint64_t offs, size;
		bool ok;
	} cases[] = {
		{0, 0x2f00, true},
		{0, 0x2000, true},
		{0x2f00, 0, true},
		{0x1000, 0x1f00, true},
		{0, 0x2f01, false},
		{0x2f00, 1, false},
		{0x2f01, 0, false},
		{1, UINT64_MAX, false},
		{UINT64_MAX, 2, false},
		{UINT64_MAX, 0, false},
		{0x1000, UINT64_MAX - 0xfff, false},
	};
	struct optee_msg_arg *arg;
	const struct optee_msg_arg *seen = mock_seen_arg();

	register_pages(0, 16, 3, 0x100, 0x2000, 0xc1, TEEC_SUCCESS);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		arg = mock_arg_init(0, CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND,
				    2);
		arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
		mock_set_rmem(&arg->params[1], OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT,
			      cases[i].offs, cases[i].size, 0xc1);
		if (!cases[i].ok) {
			refused(0, CALL_ARG, TEEC_ERROR_BAD_PARAMETERS);
			continue;
		}
		assert_int_equal(mock_call_to_end(0, CALL_ARG, NULL),
				 OPTEE_SMC_RETURN_OK);
		/* Passed unchanged. */
		assert_memory_equal(&seen->params[1], &arg->params[1],
				    sizeof(arg->params[1]));
	}
	assert_int_equal(mock.pins, 3);
}

static void test_rmem_unknown_cookie(void **state)
{
	struct optee_msg_arg *arg;

	register_pages(0, 16, 1, 0, 100, 0xc1, TEEC_SUCCESS);
	mock_fill_list_range(1, LIST, 16, 1);
	assert_int_equal(mock_register(1, ARG_IPA, LIST, 0, 100, 0xd1),
			 TEEC_SUCCESS);
	arg = mock_arg_init(0, CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 10,
		      0xc2);
	refused(0, CALL_ARG, TEEC_ERROR_BAD_PARAMETERS);
	/* Cookie 0 is the argument page inside OP-TEE (§5.2). */
	arg->params[0].u.rmem.shm_ref = 0;
	refused(0, CALL_ARG, TEEC_ERROR_BAD_PARAMETERS);
	/* Another VM's cookie. */
	arg->params[0].u.rmem.shm_ref = 0xd1;
	refused(0, CALL_ARG, TEEC_ERROR_BAD_PARAMETERS);
	/* Its own works, and the output size comes back. */
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
	arg->params[0].u.rmem.shm_ref = 0xc1;
	assert_int_equal(mock_call_to_end(0, CALL_ARG, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
}

/* An rmem in a call suspended in an RPC: the buffer is in use. */
static void test_unregister_while_in_use(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_regs r;

	register_pages(0, 16, 2, 0, 2 * MOCK_PAGE, 0xc1, TEEC_SUCCESS);
	arg = mock_arg_init(0, CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 10,
		      0xc1);
	mock.pauses = 1;
	mock_call(0, CALL_ARG, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	mock.pauses = 0;
	/* Whatever the answer, the pages stay pinned while in use. */
	(void)mock_unregister(0, ARG_IPA, 0xc1);
	/* The buffer's pages and the suspended call's argument page. */
	assert_int_equal(mock.pins, 2 + 1);
	mock_resume(0, (uint32_t)r.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
}

/* Quota of registered buffers: OUT_OF_MEMORY/COMMS, nothing changes. */
static void test_buffer_quota(void **state)
{
	struct teemed_quota q = {.buffers = 2};
	struct optee_msg_arg *arg;
	struct teemed_vm_stats s;

	mock_reset();
	mock_start(4096, &q);
	register_pages(0, 16, 1, 0, 10, 0xc1, TEEC_SUCCESS);
	register_pages(0, 17, 1, 0, 10, 0xc2, TEEC_SUCCESS);
	mock_fill_list_range(0, LIST, 18, 1);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_OUTPUT), LIST, 10, 0xc3);
	refused(0, ARG_IPA, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(mock.pins, 2);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.buffers, 2);
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 1);
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xc1), TEEC_SUCCESS);
	register_pages(0, 18, 1, 0, 10, 0xc3, TEEC_SUCCESS);
}

/*
 * A NONCONTIG temporary memref's cookie shares the VM's namespace. Spec
 * §5.2: OP-TEE keeps in-flight temporary memrefs in the same per-VM list
 * as registered buffers and resolves rmem cookies against all of them,
 * newest first, so a live twin is refused with BAD_PARAMETERS/COMMS
 * without reaching OP-TEE.
 */
static void test_tmem_cookie_clash_refused(void **state)
{
	struct optee_msg_arg *arg;

	register_pages(0, 16, 2, 0, 2 * MOCK_PAGE, 0xc1, TEEC_SUCCESS);
	mock_fill_list_range(0, GPAGE(3), 40, 2);
	arg = mock_arg_init(0, CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_INPUT), GPAGE(3),
		      2 * MOCK_PAGE, 0xc1);
	refused(0, CALL_ARG, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(mock.pins, 2);
}

/*
 * While a call holding a NONCONTIG tmem with cookie C is in flight, C is
 * live inside OP-TEE; a REGISTER_SHM with C is refused (spec §5.2).
 */
static void test_register_clashing_with_inflight_tmem(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_regs r;

	mock_fill_list_range(0, GPAGE(3), 40, 2);
	arg = mock_arg_init(0, CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_INPUT), GPAGE(3),
		      2 * MOCK_PAGE, 0xc7);
	mock.pauses = 1;
	mock_call(0, CALL_ARG, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	mock.pauses = 0;

	mock_fill_list_range(0, LIST, 16, 2);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_OUTPUT), LIST,
		      2 * MOCK_PAGE, 0xc7);
	refused(0, ARG_IPA, TEEC_ERROR_BAD_PARAMETERS);
	mock_resume(0, (uint32_t)r.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_keeps_pins,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_registered_buffers_packed,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_register_failure_releases,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_register_cookie_refusals,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_list_releases,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_unregister, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_rmem_bounds, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_rmem_unknown_cookie,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_unregister_while_in_use,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_buffer_quota, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_tmem_cookie_clash_refused,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_register_clashing_with_inflight_tmem, mock_setup,
			mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
