/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fast calls from guests (spec §1.6, §2.0, §8): what is forwarded and
 * with which registers, what is filtered, what is answered locally and
 * what never reaches the secure world.
 */
#include "mock_platform.h"

#include <string.h>

#define JUNK 0xfeedface00000000ull

static void guest_regs(struct teemed_regs *r, uint64_t fid)
{
	r->a[0] = fid;
	/* A guest may put anything in the other registers. */
	for (int i = 1; i < 8; i++)
		r->a[i] = JUNK | (0x1111u * (unsigned)i);
}

static void smc(struct teemed_regs *r)
{
	assert_int_equal(mock_smc_guest(0, r), TEEMED_SMC_HANDLED);
}

/* Forwarded: fid and nothing else from the guest, a7 = client id. */
static void test_forwarded(void **state)
{
	static const uint32_t fids[] = {
		OPTEE_SMC_CALLS_UID,	     OPTEE_SMC_CALLS_REVISION,
		OPTEE_SMC_CALL_GET_OS_UUID,  OPTEE_SMC_CALL_GET_OS_REVISION,
		OPTEE_SMC_DISABLE_SHM_CACHE, OPTEE_SMC_ENABLE_SHM_CACHE,
	};
	struct teemed_regs r;

	mock.sw = mock_sw_expect;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		guest_regs(&r, fids[i]);
		expect_smc(fids[i], 0, 0, 0, 0, 0, 0, 7);
		/* Results are masked to 32 bits on the way back. */
		will_answer(JUNK | 0x10 | i, JUNK | 0x20, JUNK | 0x30,
			    JUNK | 0x40);
		smc(&r);
		assert_int_equal(r.a[0], 0x10 | i);
		assert_int_equal(r.a[1], 0x20);
		assert_int_equal(r.a[2], 0x30);
		assert_int_equal(r.a[3], 0x40);
	}
	/* The second VM's calls carry its own id. */
	guest_regs(&r, OPTEE_SMC_CALLS_UID);
	expect_smc(OPTEE_SMC_CALLS_UID, 0, 0, 0, 0, 0, 0, 9);
	will_answer(1, 2, 3, 4);
	assert_int_equal(mock_smc_guest(1, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[3], 4);
}

/*
 * Spec §8: guest a1 masked to UNIPROCESSOR, caps filtered; a3 (the RPC
 * area's parameters) shown with RPC_ARG, a2 cleared with ASYNC_NOTIF
 * hidden (the mock platform cannot inject interrupts).
 */
static void test_exchange_capabilities(void **state)
{
	struct teemed_regs r;

	mock.sw = mock_sw_expect;
	guest_regs(&r, OPTEE_SMC_EXCHANGE_CAPABILITIES);
	r.a[1] = 0xffffffffffffffffull;
	expect_smc(OPTEE_SMC_EXCHANGE_CAPABILITIES,
		   OPTEE_SMC_NSEC_CAP_UNIPROCESSOR, 0, 0, 0, 0, 0, 7);
	will_answer(OPTEE_SMC_RETURN_OK, 0xffffffffu, 0x5a, 4);
	smc(&r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], OPTEE_SMC_SEC_CAP_DYNAMIC_SHM |
					 OPTEE_SMC_SEC_CAP_MEMREF_NULL |
					 OPTEE_SMC_SEC_CAP_RPC_ARG);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 4);

	guest_regs(&r, OPTEE_SMC_EXCHANGE_CAPABILITIES);
	r.a[1] = 0;
	expect_smc(OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0, 0, 0, 0, 0, 7);
	will_answer(OPTEE_SMC_RETURN_OK,
		    OPTEE_SMC_SEC_CAP_DYNAMIC_SHM |
			    OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM |
			    OPTEE_SMC_SEC_CAP_ASYNC_NOTIF |
			    OPTEE_SMC_SEC_CAP_PROTMEM,
		    64 + 4, 4);
	smc(&r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], OPTEE_SMC_SEC_CAP_DYNAMIC_SHM);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
}

static void test_exchange_capabilities_without_dynamic_shm(void **state)
{
	struct teemed_regs r;

	mock.sw = mock_sw_expect;
	guest_regs(&r, OPTEE_SMC_EXCHANGE_CAPABILITIES);
	r.a[1] = 0;
	expect_smc(OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0, 0, 0, 0, 0, 7);
	will_answer(OPTEE_SMC_RETURN_OK,
		    OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM |
			    OPTEE_SMC_SEC_CAP_MEMREF_NULL,
		    0, 4);
	smc(&r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);

	/* OP-TEE's own refusal passes through. */
	guest_regs(&r, OPTEE_SMC_EXCHANGE_CAPABILITIES);
	r.a[1] = 1;
	expect_smc(OPTEE_SMC_EXCHANGE_CAPABILITIES, 1, 0, 0, 0, 0, 0, 7);
	will_answer(OPTEE_SMC_RETURN_ENOTAVAIL, 1, 0, 0);
	smc(&r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
}

static void test_get_shm_config_denied(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;

	mock.sw = mock_sw_never;
	guest_regs(&r, OPTEE_SMC_GET_SHM_CONFIG);
	smc(&r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_FUNCTION], 1);
}

/* Denied or unknown ids in the Trusted-OS ranges, SMC32 and SMC64. */
static void test_unknown_function(void **state)
{
	static const uint32_t fids[] = {
		OPTEE_SMC_L2CC_MUTEX,
		OPTEE_SMC_BOOT_SECONDARY,
		OPTEE_SMC_VM_CREATED,
		OPTEE_SMC_VM_DESTROYED,
		OPTEE_SMC_ENABLE_ASYNC_NOTIF,
		OPTEE_SMC_GET_ASYNC_NOTIF_VALUE,
		OPTEE_SMC_GET_PROTMEM_CONFIG,
		0xB2000002u, /* opteed's insecure image load */
		0xB2000005u,
		0xB2000006u,
		0xB2000015u,
		0xB200FFFFu,
		0xB200FF01u,
		0xBF00FF02u,
		0xBC000000u, /* a platform's own fast SMC */
		0xBE000005u, /* OP-TEE -> monitor only */
		0xF2000009u, /* SMC64 EXCHANGE_CAPABILITIES */
		0xFF00FF01u, /* SMC64 CALLS_UID */
		0x32000000u,
		0x32000001u,
		0x72000012u, /* SMC64 CALL_WITH_RPC_ARG */
		0x72000013u, /* SMC64 CALL_WITH_REGD_ARG */
		0x72000004u, /* SMC64 CALL_WITH_ARG */
		0x72000003u,
		0x3F00FFFFu,
		0x32010077u, /* bit 16 is the SVE hint, not part of the id */
	};
	struct teemed_regs r, before;
	struct teemed_vm_stats s;

	mock.sw = mock_sw_never;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		guest_regs(&r, fids[i]);
		before = r;
		smc(&r);
		if (r.a[0] != OPTEE_SMC_RETURN_UNKNOWN_FUNCTION)
			fail_msg("fid %#x answered %#llx", fids[i],
				 (unsigned long long)r.a[0]);
		/* Nothing but zeroes or the guest's own values come back. */
		for (int k = 1; k < 8; k++)
			assert_true(r.a[k] == 0 || r.a[k] == before.a[k]);
	}
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_FUNCTION],
			 sizeof(fids) / sizeof(fids[0]));
	assert_int_equal(mock.sw_count, 0);
}

/* Not OP-TEE's: the hypervisor's own; registers untouched. */
static void test_not_optee(void **state)
{
	static const uint32_t fids[] = {
		0x84000000u,		  /* PSCI_VERSION */
		0xC4000003u,		  /* PSCI CPU_ON (SMC64) */
		0x80000000u,		  /* SMCCC_VERSION */
		0x00000000u, 0x31000004u, /* owner 49: trusted apps */
		0x30000004u,		  /* owner 48 */
		0xB1000009u,		  /* owner 49, fast */
		0x82003D06u,		  /* SiP watchdog */
		0x86000000u,
	};
	struct teemed_regs r, before;
	struct teemed_vm_stats s0, s1;

	mock.sw = mock_sw_never;
	teemed_vm_get_stats(fx.vm[0], &s0);
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		guest_regs(&r, fids[i]);
		before = r;
		assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_NOT_OPTEE);
		assert_memory_equal(&r, &before, sizeof(r));
	}
	/* Only the low 32 bits of a0 name the function. */
	guest_regs(&r, 0xffffffff84000000ull);
	before = r;
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_NOT_OPTEE);
	assert_memory_equal(&r, &before, sizeof(r));
	teemed_vm_get_stats(fx.vm[0], &s1);
	assert_int_equal(s1.smcs, s0.smcs);
}

/* GET_THREAD_COUNT: the VM's call quota, answered locally. */
static void test_thread_count_is_quota(void **state)
{
	struct teemed_quota q = {.calls = 3};
	struct teemed_regs r;

	mock.vm[2].client_id = 30;
	assert_int_equal(teemed_vm_create(fx.t, 30, &mock.vm[2], &q, &fx.vm[2]),
			 TEEMED_OK);
	mock.sw = mock_sw_never;
	guest_regs(&r, OPTEE_SMC_GET_THREAD_COUNT);
	assert_int_equal(mock_smc_guest(2, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], 3);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
	guest_regs(&r, OPTEE_SMC_GET_THREAD_COUNT);
	smc(&r);
	assert_int_equal(r.a[1], mock.threads);
}

/* CALLS_COUNT is informational; the mediator answers it itself. */
static void test_calls_count_local(void **state)
{
	struct teemed_regs r;

	mock.sw = mock_sw_never;
	guest_regs(&r, OPTEE_SMC_CALLS_COUNT);
	smc(&r);
	assert_true(r.a[0] > 0 && r.a[0] < 64);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(r.a[3], 0);
}

/* Upper halves of a guest's a0 are ignored (spec §1.3). */
static void test_fid_upper_half_ignored(void **state)
{
	struct teemed_regs r;

	mock.sw = mock_sw_expect;
	guest_regs(&r, JUNK | OPTEE_SMC_CALLS_REVISION);
	expect_smc(OPTEE_SMC_CALLS_REVISION, 0, 0, 0, 0, 0, 0, 7);
	will_answer(2, 0, 0, 0);
	smc(&r);
	assert_int_equal(r.a[0], 2);
}

/*
 * SMCCC 1.3's SVE hint (bit 16) changes nothing: every function answers
 * the same with and without it, and OP-TEE gets the id without it.
 */
static void test_sve_hint_ignored(void **state)
{
	static const uint32_t fids[] = {
		OPTEE_SMC_CALLS_COUNT,
		OPTEE_SMC_CALLS_UID,
		OPTEE_SMC_CALLS_REVISION,
		OPTEE_SMC_CALL_GET_OS_REVISION,
		OPTEE_SMC_GET_SHM_CONFIG,
		OPTEE_SMC_EXCHANGE_CAPABILITIES,
		OPTEE_SMC_DISABLE_SHM_CACHE,
		OPTEE_SMC_ENABLE_SHM_CACHE,
		OPTEE_SMC_GET_THREAD_COUNT,
		OPTEE_SMC_FAST(OPTEE_SMC_OWNER_TRUSTED_OS, 0x77),
	};
	struct teemed_regs plain, hinted;

	mock.sw = mock_fake_optee;
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		uint32_t seen = mock.sw_count;
		uint64_t plain_fid;

		guest_regs(&plain, fids[i]);
		smc(&plain);
		plain_fid = mock.sw_count != seen ? mock_last_in()->a[0] : 0;
		seen = mock.sw_count;
		guest_regs(&hinted, fids[i] | OPTEE_SMC_SVE_HINT);
		smc(&hinted);
		for (int j = 0; j < 4; j++)
			assert_int_equal(hinted.a[j], plain.a[j]);
		if (plain_fid) {
			assert_int_equal(mock.sw_count, seen + 1);
			assert_int_equal(mock_last_in()->a[0], plain_fid);
		} else {
			assert_int_equal(mock.sw_count, seen);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forwarded, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_exchange_capabilities,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_exchange_capabilities_without_dynamic_shm,
			mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_get_shm_config_denied,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_function,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_not_optee, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_thread_count_is_quota,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_calls_count_local,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_fid_upper_half_ignored,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_sve_hint_ignored,
						mock_setup, mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
