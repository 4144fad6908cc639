/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Asynchronous notifications (spec §2.19, §7.9): offered only with a
 * platform that can inject them; teemed_notif_irq() asks OP-TEE for the
 * values of each VM that enabled them, with that VM's id, keeps them
 * per VM and notifies only VMs that have some; a VM reads its own.
 */
#include "mock_platform.h"

#include <string.h>

static uint32_t notified[MOCK_MAX_VMS];

static void count_notify(void *ctx, void *vm)
{
	(void)ctx;
	/* Called with the instance lock held: exactly one lock. */
	assert_int_equal(mock.locks_held, 1);
	notified[(struct mock_vm *)vm - mock.vm]++;
}

static struct teemed_platform plat;

static int setup_notif(void **state)
{
	struct teemed_config cfg;

	(void)state;
	mock_reset();
	memset(notified, 0, sizeof(notified));
	mock.caps |= OPTEE_SMC_SEC_CAP_ASYNC_NOTIF;
	plat = mock_platform;
	plat.notify = count_notify;
	cfg = mock_config(0, NULL);
	cfg.platform = &plat;
	mock_start_cfg(&cfg, 3);
	return 0;
}

static uint64_t fast(int vm, uint32_t fid, struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = fid;
	r->a[1] = 0x1234;  /* junk: never forwarded */
	r->a[7] = 0xbeef;  /* a guest's a7 is never used */
	assert_int_equal(mock_smc_guest(vm, r), TEEMED_SMC_HANDLED);
	return r->a[0];
}

static void enable(int vm)
{
	struct teemed_regs r;

	assert_int_equal(fast(vm, OPTEE_SMC_ENABLE_ASYNC_NOTIF, &r),
			 OPTEE_SMC_RETURN_OK);
	assert_true(mock.notif_started[vm]);
}

/* GET_ASYNC_NOTIF_VALUE of `vm`: the value, or -1 when none. */
static int64_t get(int vm, bool *pending)
{
	struct teemed_regs r;

	assert_int_equal(fast(vm, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, &r),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[3], 0);
	*pending = r.a[2] & OPTEE_SMC_ASYNC_NOTIF_PENDING;
	if (!(r.a[2] & OPTEE_SMC_ASYNC_NOTIF_VALID)) {
		assert_int_equal(r.a[1], 0);
		return -1;
	}
	return (int64_t)r.a[1];
}

/* Without a notify callback nothing is offered, and all is refused. */
static void test_not_offered(void **state)
{
	struct teemed_regs r;
	struct optee_msg_arg *a;

	(void)state;
	mock_reset();
	mock.caps |= OPTEE_SMC_SEC_CAP_ASYNC_NOTIF;
	mock_start(0, NULL);
	assert_int_equal(teemed_get_info(fx.t)->guest_caps &
				 OPTEE_SMC_SEC_CAP_ASYNC_NOTIF,
			 0);
	fast(0, OPTEE_SMC_EXCHANGE_CAPABILITIES, &r);
	assert_int_equal(r.a[1] & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF, 0);
	assert_int_equal(r.a[2], 0);
	mock.sw = mock_sw_never;
	assert_int_equal(fast(0, OPTEE_SMC_ENABLE_ASYNC_NOTIF, &r),
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	assert_int_equal(fast(0, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, &r),
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	a = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_DO_BOTTOM_HALF, 0);
	a->ret = 0x77;
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADCMD);
	assert_int_equal(a->ret, 0x77);
	assert_int_equal(teemed_notif_irq(fx.t), 0);
	mock_stop();
}

/* The embedder turned notifications off for one VM. */
static void test_feature_off(void **state)
{
	struct teemed_vm_config cfg = {
		.features_off = TEEMED_FEATURE_ASYNC_NOTIF};
	struct teemed_regs r;

	(void)state;
	assert_int_equal(mock_destroy_vm(2, NULL), TEEMED_OK);
	assert_int_equal(teemed_vm_create_ex(fx.t, mock.vm[2].client_id,
					     &mock.vm[2], &cfg, &fx.vm[2]),
			 TEEMED_OK);
	fast(2, OPTEE_SMC_EXCHANGE_CAPABILITIES, &r);
	assert_int_equal(r.a[1] & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF, 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(fast(2, OPTEE_SMC_ENABLE_ASYNC_NOTIF, &r),
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	assert_false(mock.notif_started[2]);
	fast(0, OPTEE_SMC_EXCHANGE_CAPABILITIES, &r);
	assert_int_equal(r.a[1] & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF,
			 OPTEE_SMC_SEC_CAP_ASYNC_NOTIF);
	assert_int_equal(r.a[2], 0x55);
}

/* Each VM is notified of, and reads, its own values only. */
static void test_routing(void **state)
{
	bool pending;

	(void)state;
	enable(0);
	enable(1);
	mock.notif_values[0] = (1ull << 3) | (1ull << 5);
	mock.notif_values[2] = 1ull << 4; /* VM 2 never enabled */
	assert_int_equal(teemed_notif_irq(fx.t), 1);
	assert_int_equal(notified[0], 1);
	assert_int_equal(notified[1], 0);
	assert_int_equal(notified[2], 0);
	assert_int_equal(mock.notif_values[0], 0);
	/* VM 2's values stay with OP-TEE: nobody asked for them. */
	assert_int_equal(mock.notif_values[2], 1ull << 4);
	/* VM 1 reads nothing of VM 0's. */
	assert_int_equal(get(1, &pending), -1);
	assert_false(pending);
	assert_int_equal(get(0, &pending), 3);
	assert_true(pending);
	assert_int_equal(get(0, &pending), 5);
	assert_false(pending);
	assert_int_equal(get(0, &pending), -1);
	/* A VM that never enabled reads its own from OP-TEE. */
	assert_int_equal(get(2, &pending), 4);
	assert_int_equal(get(2, &pending), -1);
	{
		struct teemed_vm_stats s;

		teemed_vm_get_stats(fx.vm[0], &s);
		assert_int_equal(s.notif_values, 2);
	}
	/* Nothing pending: nobody is woken. */
	assert_int_equal(teemed_notif_irq(fx.t), 0);
	assert_int_equal(notified[0], 1);
}

/* Bottom half (value 0) and STOP_ASYNC_NOTIF go to OP-TEE as calls. */
static void test_bottom_half_and_stop(void **state)
{
	struct teemed_regs r;
	struct optee_msg_arg *a;
	bool pending;

	(void)state;
	enable(0);
	mock.notif_values[0] = 1;
	assert_int_equal(teemed_notif_irq(fx.t), 1);
	assert_int_equal(get(0, &pending),
			 OPTEE_SMC_ASYNC_NOTIF_VALUE_DO_BOTTOM_HALF);
	a = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_DO_BOTTOM_HALF, 0);
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	/* With a parameter: the mediator's BAD_PARAMETERS, OP-TEE unasked. */
	a = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_STOP_ASYNC_NOTIF, 1);
	a->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	mock.sw = mock_sw_never;
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(a->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(a->ret_origin, TEEC_ORIGIN_COMMS);
	mock.sw = mock_fake_optee;
	/* Still enabled after the refused STOP. */
	mock.notif_values[0] = 1ull << 9;
	assert_int_equal(teemed_notif_irq(fx.t), 1);
	assert_int_equal(get(0, &pending), 9);
	mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_STOP_ASYNC_NOTIF, 0);
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	/* Stopped: no longer polled or woken. */
	mock.notif_values[0] = 1ull << 8;
	mock.notif_gets = 0;
	assert_int_equal(teemed_notif_irq(fx.t), 0);
	assert_int_equal(mock.notif_gets, 0);
	assert_int_equal(notified[0], 2);
}

/* OP-TEE claiming values forever: at most 64 asks per VM. */
static void test_bounded(void **state)
{
	(void)state;
	enable(0);
	enable(1);
	mock.notif_always_pending = true;
	mock.notif_gets = 0;
	assert_int_equal(teemed_notif_irq(fx.t), 2);
	assert_int_equal(mock.notif_gets, 2 * 64);
	mock.notif_always_pending = false;
}

/* A value beyond 63 is not OP-TEE's to send: dropped, no wake-up. */
static void test_value_out_of_range(void **state)
{
	(void)state;
	enable(0);
	mock.sw = mock_sw_expect;
	expect_smc(OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, 0, 0, 0, 0, 0, 0,
		   mock.vm[0].client_id);
	will_answer(OPTEE_SMC_RETURN_OK, 64, OPTEE_SMC_ASYNC_NOTIF_VALID, 0);
	assert_int_equal(teemed_notif_irq(fx.t), 0);
	assert_int_equal(notified[0], 0);
	mock.sw = mock_fake_optee;
}

/* Destroyed while the handler asks OP-TEE for its values. */
static int destroy_rc = 1;

static void destroy_mid_poll(struct teemed_regs *r)
{
	if ((uint32_t)r->a[0] != OPTEE_SMC_GET_ASYNC_NOTIF_VALUE ||
	    destroy_rc != 1)
		return;
	/* Another CPU: the VM's vCPUs stopped, the hypervisor destroys. */
	destroy_rc = teemed_vm_destroy(fx.vm[0]);
}

static void test_destroy_while_polling(void **state)
{
	(void)state;
	enable(0);
	mock.notif_values[0] = 1ull << 6;
	mock.on_enter = destroy_mid_poll;
	destroy_rc = 1;
	assert_int_equal(teemed_notif_irq(fx.t), 0);
	mock.on_enter = NULL;
	assert_int_equal(destroy_rc, TEEMED_ERR_AGAIN);
	assert_int_equal(notified[0], 0);
	assert_int_equal(mock_destroy_vm(0, NULL), TEEMED_OK);
	assert_int_equal(teemed_notif_irq(fx.t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_offered),
		cmocka_unit_test_setup_teardown(test_feature_off, setup_notif,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_routing, setup_notif,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_bottom_half_and_stop,
						setup_notif, mock_teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup_notif,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_value_out_of_range,
						setup_notif, mock_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_while_polling,
						setup_notif, mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
