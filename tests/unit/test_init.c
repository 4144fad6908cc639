/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * teemed_init(): the probe of spec §11 item 1 and every refusal, with
 * nothing left behind when it refuses.
 */
#include "mock_platform.h"

#include <string.h>

static int setup(void **state)
{
	mock_reset();
	return 0;
}

static int teardown(void **state)
{
	mock_stop();
	return 0;
}

static int try_init(void)
{
	struct teemed_config cfg = mock_config(0, NULL);
	struct teemed *t = NULL;
	int err = teemed_init(&cfg, &t);

	if (!err)
		fx.t = t;
	return err;
}

/* The exact registers of the probe: every call with a7 = 0, zeroes. */
static void test_probe_registers(void **state)
{
	const struct teemed_info *info;
	uint32_t caps = mock.caps;

	mock.hyp = mock_sw_expect;
	expect_smc(OPTEE_SMC_CALLS_UID, 0, 0, 0, 0, 0, 0, 0);
	will_answer(OPTEE_MSG_UID_0, OPTEE_MSG_UID_1, OPTEE_MSG_UID_2,
		    OPTEE_MSG_UID_3);
	expect_smc(OPTEE_SMC_CALLS_REVISION, 0, 0, 0, 0, 0, 0, 0);
	will_answer(2, 0, 0, 0);
	expect_smc(OPTEE_SMC_CALL_GET_OS_REVISION, 0, 0, 0, 0, 0, 0, 0);
	will_answer(4, 10, 0xabcdef12, 0);
	expect_smc(OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0, 0, 0, 0, 0, 0);
	will_answer(OPTEE_SMC_RETURN_OK, caps, 0, 4);
	expect_smc(OPTEE_SMC_GET_THREAD_COUNT, 0, 0, 0, 0, 0, 0, 0);
	will_answer(OPTEE_SMC_RETURN_OK, 6, 0, 0);
	assert_int_equal(try_init(), TEEMED_OK);

	info = teemed_get_info(fx.t);
	assert_int_equal(info->os_major, 4);
	assert_int_equal(info->os_minor, 10);
	assert_int_equal(info->os_build, 0xabcdef12);
	assert_int_equal(info->sec_caps, caps);
	assert_int_equal(info->guest_caps,
			 caps & (OPTEE_SMC_SEC_CAP_DYNAMIC_SHM |
				 OPTEE_SMC_SEC_CAP_MEMREF_NULL |
				 OPTEE_SMC_SEC_CAP_RPC_ARG));
	assert_int_equal(info->rpc_param_count,
			 (caps & OPTEE_SMC_SEC_CAP_RPC_ARG) ? 4 : 0);
	assert_int_equal(info->notif_value_max, 0);
	assert_int_equal(info->thread_count, 6);
}

/* Only the low 32 bits of a result carry meaning (spec §1.3). */
static void test_probe_ignores_upper_halves(void **state)
{
	const uint64_t junk = 0xffffffff00000000ull;

	mock.hyp = mock_sw_expect;
	expect_smc(OPTEE_SMC_CALLS_UID, 0, 0, 0, 0, 0, 0, 0);
	will_answer(junk | OPTEE_MSG_UID_0, junk | OPTEE_MSG_UID_1,
		    junk | OPTEE_MSG_UID_2, junk | OPTEE_MSG_UID_3);
	expect_smc(OPTEE_SMC_CALLS_REVISION, 0, 0, 0, 0, 0, 0, 0);
	will_answer(junk | 2, 0, 0, 0);
	expect_smc(OPTEE_SMC_CALL_GET_OS_REVISION, 0, 0, 0, 0, 0, 0, 0);
	will_answer(3, 22, 0, 0);
	expect_smc(OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0, 0, 0, 0, 0, 0);
	will_answer(junk, junk | mock.caps, 0, 0);
	expect_smc(OPTEE_SMC_GET_THREAD_COUNT, 0, 0, 0, 0, 0, 0, 0);
	will_answer(junk, junk | 3, 0, 0);
	assert_int_equal(try_init(), TEEMED_OK);
	assert_int_equal(teemed_get_info(fx.t)->thread_count, 3);
	assert_int_equal(teemed_get_info(fx.t)->sec_caps, mock.caps);
}

static void test_wrong_uid(void **state)
{
	for (int w = 0; w < 4; w++) {
		mock_reset();
		mock.uid[w] ^= 0x100;
		assert_int_equal(try_init(), TEEMED_ERR_PROTO);
		mock_assert_clean();
	}
	/* A non-OP-TEE secure world answers UNKNOWN_FUNCTION. */
	mock_reset();
	mock.uid[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
	assert_int_equal(try_init(), TEEMED_ERR_PROTO);
	/* OP-TEE's OS UUID is not its API UID. */
	mock_reset();
	mock.uid[0] = OPTEE_MSG_OS_OPTEE_UUID_0;
	mock.uid[1] = OPTEE_MSG_OS_OPTEE_UUID_1;
	mock.uid[2] = OPTEE_MSG_OS_OPTEE_UUID_2;
	mock.uid[3] = OPTEE_MSG_OS_OPTEE_UUID_3;
	assert_int_equal(try_init(), TEEMED_ERR_PROTO);
	mock_assert_clean();
}

static void test_wrong_revision(void **state)
{
	static const uint32_t majors[] = {0, 1, 3, 0xffffffffu};

	for (size_t i = 0; i < sizeof(majors) / sizeof(majors[0]); i++) {
		mock_reset();
		mock.rev_major = majors[i];
		assert_int_equal(try_init(), TEEMED_ERR_PROTO);
		mock_assert_clean();
	}
}

static void test_missing_caps(void **state)
{
	mock.caps &= ~OPTEE_SMC_SEC_CAP_DYNAMIC_SHM;
	assert_int_equal(try_init(), TEEMED_ERR_NOTSUP);
	mock_assert_clean();

	mock_reset();
	mock.caps &= ~OPTEE_SMC_SEC_CAP_VIRTUALIZATION;
	assert_int_equal(try_init(), TEEMED_ERR_NOTSUP);
	mock_assert_clean();

	mock_reset();
	mock.caps = 0;
	assert_int_equal(try_init(), TEEMED_ERR_NOTSUP);
	mock_assert_clean();

	mock_reset();
	mock.caps_a0 = OPTEE_SMC_RETURN_ENOTAVAIL;
	assert_int_equal(try_init(), TEEMED_ERR_NOTSUP);
	mock_assert_clean();
}

static void test_thread_count_failure(void **state)
{
	mock.threads_a0 = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
	assert_int_equal(try_init(), TEEMED_ERR_NOTSUP);
	mock_assert_clean();

	mock_reset();
	mock.threads = 0;
	assert_int_equal(try_init(), TEEMED_ERR_NOTSUP);
	mock_assert_clean();
}

/* Every required callback; `log` is optional. */
static void test_incomplete_platform(void **state)
{
	static const size_t required[] = {
		offsetof(struct teemed_platform, pin_guest_page),
		offsetof(struct teemed_platform, unpin_guest_page),
		offsetof(struct teemed_platform, alloc_page),
		offsetof(struct teemed_platform, free_page),
		offsetof(struct teemed_platform, alloc_obj),
		offsetof(struct teemed_platform, free_obj),
		offsetof(struct teemed_platform, map),
		offsetof(struct teemed_platform, unmap),
		offsetof(struct teemed_platform, smc),
		offsetof(struct teemed_platform, lock_create),
		offsetof(struct teemed_platform, lock_destroy),
		offsetof(struct teemed_platform, lock),
		offsetof(struct teemed_platform, unlock),
	};
	struct teemed_platform plat;
	struct teemed_config cfg = mock_config(0, NULL);
	struct teemed *t = NULL;

	assert_int_equal(teemed_init(NULL, &t), TEEMED_ERR_INVAL);
	cfg.platform = NULL;
	assert_int_equal(teemed_init(&cfg, &t), TEEMED_ERR_INVAL);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		plat = mock_platform;
		/* Function pointers are zeroed through the struct's bytes. */
		memset((char *)&plat + required[i], 0, sizeof(void (*)(void)));
		cfg.platform = &plat;
		assert_int_equal(teemed_init(&cfg, &t), TEEMED_ERR_INVAL);
	}
	assert_int_equal(mock.smc_count, 0);
	mock_assert_clean();

	plat = mock_platform;
	plat.log = NULL;
	cfg.platform = &plat;
	assert_int_equal(teemed_init(&cfg, &t), TEEMED_OK);
	assert_int_equal(teemed_fini(t), TEEMED_OK);
}

static void test_too_many_vms(void **state)
{
	struct teemed_config cfg = mock_config(0, NULL);
	struct teemed *t = NULL;

	cfg.max_vms = TEEMED_PAGE_SIZE / sizeof(void *) + 1;
	assert_int_equal(teemed_init(&cfg, &t), TEEMED_ERR_RANGE);
	assert_int_equal(mock.smc_count, 0);
	mock_assert_clean();
	cfg.max_vms = TEEMED_PAGE_SIZE / sizeof(void *);
	assert_int_equal(teemed_init(&cfg, &t), TEEMED_OK);
	fx.t = t;
}

/* Fail each allocation of init in turn; each failure cleans up. */
static void test_alloc_failures(void **state)
{
	int err = TEEMED_ERR_NOMEM;

	for (int32_t n = 0; err != TEEMED_OK; n++) {
		assert_true(n < 20);
		mock_reset();
		mock.obj_fail_after = n;
		err = try_init();
		if (err != TEEMED_OK) {
			assert_int_equal(err, TEEMED_ERR_NOMEM);
			mock_assert_clean();
		}
		if (n == 0)
			assert_int_equal(mock.smc_count, 0);
	}
	assert_int_equal(teemed_fini(fx.t), TEEMED_OK);
	fx.t = NULL;
	mock_assert_clean();

	mock_reset();
	mock.lock_fail_after = 0;
	assert_int_equal(try_init(), TEEMED_ERR_NOMEM);
	mock_assert_clean();
}

static void test_fini_refuses_live_vms(void **state)
{
	struct teemed_vm *vm;

	assert_int_equal(try_init(), TEEMED_OK);
	mock.vm[0].client_id = 1;
	assert_int_equal(teemed_vm_create(fx.t, 1, &mock.vm[0], NULL, &vm),
			 TEEMED_OK);
	assert_int_equal(teemed_fini(fx.t), TEEMED_ERR_BUSY);
	/* Still usable after the refusal. */
	fx.vm[0] = vm;
	assert_int_equal(teemed_vm_client_id(vm), 1);
	assert_int_equal(mock_destroy_vm(0, NULL), TEEMED_OK);
	assert_int_equal(teemed_fini(fx.t), TEEMED_OK);
	fx.t = NULL;
	mock_assert_clean();
}

/* The default call quota is OP-TEE's per-VM thread count. */
static void test_default_call_quota(void **state)
{
	struct teemed_regs r = {{OPTEE_SMC_GET_THREAD_COUNT}};

	mock.threads = 3;
	mock_start(0, NULL);
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_registers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_probe_ignores_upper_halves,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_uid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_revision, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_caps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_thread_count_failure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_platform, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_many_vms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fini_refuses_live_vms,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_call_quota, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
