/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VM contexts: creation (VM_CREATED, spec §2.16, §7.4) and resumable
 * teardown (VM_DESTROYED first, then bounded release, §7.5).
 */
#include "mock_platform.h"

#include <string.h>

struct held {
	uint32_t objs, pages, locks, maps;
	uint64_t smcs;
};

static struct held held_now(void)
{
	struct held h = {mock.objs, mock.med_pages, mock.locks, mock.maps,
			 mock.smc_count};
	return h;
}

static void assert_held_unchanged(const struct held *h)
{
	assert_int_equal(mock.objs, h->objs);
	assert_int_equal(mock.med_pages, h->pages);
	assert_int_equal(mock.locks, h->locks);
	assert_int_equal(mock.maps, h->maps);
}

static int create(uint16_t id, int slot, const struct teemed_quota *q)
{
	mock.vm[slot].client_id = id;
	return teemed_vm_create(fx.t, id, &mock.vm[slot], q, &fx.vm[slot]);
}

static void test_client_id_zero(void **state)
{
	struct held h = held_now();

	assert_int_equal(create(0, 2, NULL), TEEMED_ERR_PERM);
	mock.vm[2].client_id = 0;
	assert_held_unchanged(&h);
	assert_int_equal(mock.smc_count, h.smcs);
	assert_null(fx.vm[2]);
}

static void test_duplicate_id(void **state)
{
	struct held h = held_now();
	uint64_t created = mock.vm_created_calls;

	assert_int_equal(create(7, 2, NULL), TEEMED_ERR_EXIST);
	mock.vm[2].client_id = 0;
	assert_held_unchanged(&h);
	assert_int_equal(mock.vm_created_calls, created);
	assert_int_equal(teemed_vm_client_id(fx.vm[0]), 7);
}

static void test_too_many_vms(void **state)
{
	struct teemed_config cfg = mock_config(0, NULL);
	struct held h;

	mock_reset();
	cfg.max_vms = 2;
	mock_start_cfg(&cfg, 2);
	h = held_now();
	assert_int_equal(create(30, 2, NULL), TEEMED_ERR_RANGE);
	mock.vm[2].client_id = 0;
	assert_held_unchanged(&h);
	assert_int_equal(mock.vm_created_calls, 2);
	/* A slot freed by destruction can be used again. */
	assert_int_equal(mock_destroy_vm(1, NULL), TEEMED_OK);
	assert_int_equal(create(30, 2, NULL), TEEMED_OK);
}

static void test_vm_created_refused(void **state)
{
	struct held h = held_now();

	mock.vm_created_a0 = OPTEE_SMC_RETURN_ENOTAVAIL;
	assert_int_equal(create(20, 2, NULL), TEEMED_ERR_IO);
	assert_held_unchanged(&h);
	/* The id was given back: the next try with it succeeds. */
	mock.vm_created_a0 = OPTEE_SMC_RETURN_OK;
	assert_int_equal(create(20, 2, NULL), TEEMED_OK);
}

static void test_created_destroyed_registers(void **state)
{
	mock.hyp = mock_sw_expect;
	expect_smc(OPTEE_SMC_VM_CREATED, 0x4321, 0, 0, 0, 0, 0, 0);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(create(0x4321, 2, NULL), TEEMED_OK);
	assert_int_equal(teemed_vm_client_id(fx.vm[2]), 0x4321);

	expect_smc(OPTEE_SMC_VM_DESTROYED, 0x4321, 0, 0, 0, 0, 0, 0);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(mock_destroy_vm(2, NULL), TEEMED_OK);
	mock.hyp = mock_fake_hyp;
}

/* Fail each allocation of creation in turn: NOMEM, nothing kept. */
static void test_create_alloc_failures(void **state)
{
	int err = TEEMED_ERR_NOMEM;
	struct held h = held_now();
	uint64_t created = mock.vm_created_calls;

	for (int32_t n = 0; err != TEEMED_OK; n++) {
		assert_true(n < 64);
		mock.obj_fail_after = n;
		err = create(21, 2, NULL);
		mock.obj_fail_after = -1;
		if (err != TEEMED_OK) {
			assert_int_equal(err, TEEMED_ERR_NOMEM);
			assert_held_unchanged(&h);
			assert_int_equal(mock.vm_created_calls, created);
		}
	}
	assert_int_equal(mock_destroy_vm(2, NULL), TEEMED_OK);

	err = TEEMED_ERR_NOMEM;
	for (int32_t n = 0; err != TEEMED_OK; n++) {
		assert_true(n < 64);
		mock.page_fail_after = n;
		err = create(22, 2, NULL);
		mock.page_fail_after = -1;
		if (err != TEEMED_OK) {
			assert_int_equal(err, TEEMED_ERR_NOMEM);
			assert_held_unchanged(&h);
		}
	}
	assert_int_equal(mock_destroy_vm(2, NULL), TEEMED_OK);

	mock.lock_fail_after = 0;
	assert_int_equal(create(23, 2, NULL), TEEMED_ERR_NOMEM);
	mock.lock_fail_after = -1;
	assert_held_unchanged(&h);
}

static uint32_t guest_thread_count(int vm)
{
	struct teemed_regs r = {{OPTEE_SMC_GET_THREAD_COUNT}};

	assert_int_equal(mock_smc_guest(vm, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	return (uint32_t)r.a[1];
}

/* More calls than OP-TEE has threads per VM would earn ETHREAD_LIMIT. */
static void test_quota_override(void **state)
{
	struct teemed_quota q = {.calls = 100};

	assert_int_equal(create(40, 2, &q), TEEMED_OK);
	assert_int_equal(guest_thread_count(2), mock.threads);
	q.calls = 2;
	assert_int_equal(create(41, 3, &q), TEEMED_OK);
	assert_int_equal(guest_thread_count(3), 2);
	/* The other VMs keep the instance default. */
	assert_int_equal(guest_thread_count(0), mock.threads);
}

/* A mediator-page quota below one shadow page per call slot. */
static void test_quota_too_small_for_slots(void **state)
{
	struct teemed_quota q = {.mediator_pages = 1};
	struct held h = held_now();

	assert_int_equal(create(42, 2, &q), TEEMED_ERR_INVAL);
	assert_held_unchanged(&h);
}

static void test_destroy_idle(void **state)
{
	uint64_t destroyed = mock.vm_destroyed_calls;

	assert_int_equal(teemed_vm_destroy(fx.vm[1]), TEEMED_OK);
	fx.vm[1] = NULL;
	assert_int_equal(mock.vm_destroyed_calls, destroyed + 1);
	assert_int_equal(mock_last_in()->a[0], OPTEE_SMC_VM_DESTROYED);
	assert_int_equal(mock_last_in()->a[1], 9);
	assert_int_equal(mock_last_in()->a[7], 0);
	/* Its id may be given to a new VM. */
	assert_int_equal(create(9, 1, NULL), TEEMED_OK);
}

static void test_fini_busy_then_ok(void **state)
{
	assert_int_equal(teemed_fini(fx.t), TEEMED_ERR_BUSY);
	assert_int_equal(mock_destroy_vm(0, NULL), TEEMED_OK);
	assert_int_equal(teemed_fini(fx.t), TEEMED_ERR_BUSY);
	assert_int_equal(mock_destroy_vm(1, NULL), TEEMED_OK);
	assert_int_equal(teemed_fini(fx.t), TEEMED_OK);
	fx.t = NULL;
	mock_assert_clean();
}

/* Start a call whose tmem covers `pages` data pages from `first`. */
static void start_tmem_call(int vm, uint64_t arg_ipa, uint64_t list_ipa,
			    uint32_t first, uint32_t pages, uint64_t cookie,
			    struct teemed_regs *r)
{
	struct optee_msg_arg *arg =
		mock_arg_init(vm, arg_ipa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	mock_fill_list_range(vm, list_ipa, first, pages);
	mock_set_tmem(&arg->params[0],
		      OPTEE_MSG_ATTR_TYPE_TMEM_INOUT | OPTEE_MSG_ATTR_NONCONTIG,
		      list_ipa, (uint64_t)pages * MOCK_PAGE, cookie);
	mock_call(vm, arg_ipa, r);
}

/*
 * Teardown with everything a VM can hold: registered buffers, a call
 * suspended in an RPC, a call paused in translation. VM_DESTROYED goes
 * first, every step stays within the budget, nothing is left.
 */
static void test_destroy_busy_vm_bounded(void **state)
{
	struct teemed_regs r;
	uint64_t seen, unpins;
	uint32_t steps = 0, pins_before;
	int err;

	mock_reset();
	mock_start(8, NULL);
	for (uint32_t b = 0; b < 3; b++) {
		mock_fill_list_range(0, GPAGE(2), 16 + 100 * b, 100);
		assert_int_equal(mock_register(0, ARG_IPA, GPAGE(2), 0,
					       100 * MOCK_PAGE,
					       0x1000 * (b + 1)),
				 TEEC_SUCCESS);
	}
	assert_int_equal(mock.pins, 300);

	/* A call that OP-TEE suspends in an RPC. */
	mock.pauses = 1;
	seen = mock.calls_seen;
	start_tmem_call(0, GPAGE(1), GPAGE(3), 400, 50, 0xa1, &r);
	while (mock.calls_seen == seen) {
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
		mock_resume(0, (uint32_t)r.a[3], &r);
	}
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	/* Each call in flight also pins its argument page. */
	assert_int_equal(mock.pins, 350 + 1);

	/* A call paused half-way through its translation. */
	start_tmem_call(0, GPAGE(4), GPAGE(5), 500, 40, 0xa2, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(mock.pins, 358 + 2);
	/* The other VM is untouched by all of this. */
	mock_fill_list_range(1, GPAGE(2), 16, 5);
	assert_int_equal(
		mock_register(1, ARG_IPA, GPAGE(2), 0, 5 * MOCK_PAGE, 0x1000),
		TEEC_SUCCESS);

	pins_before = mock.pins;
	do {
		unpins = mock.unpin_calls;
		err = teemed_vm_destroy(fx.vm[0]);
		steps++;
		assert_true(mock.unpin_calls - unpins <= 8);
		if (steps == 1) {
			assert_int_equal(mock.vm_destroyed_calls, 1);
			assert_int_equal(mock.unpins_at_destroyed, unpins);
			assert_int_equal(mock.pins_at_destroyed, pins_before);
		}
		assert_true(err == TEEMED_ERR_AGAIN || err == TEEMED_OK);
		/* Still there until the last step. */
		if (err == TEEMED_ERR_AGAIN)
			assert_int_equal(teemed_fini(fx.t), TEEMED_ERR_BUSY);
	} while (err == TEEMED_ERR_AGAIN && steps < 10000);
	assert_int_equal(err, TEEMED_OK);
	fx.vm[0] = NULL;
	assert_true(steps >= 358 / 8);
	assert_int_equal(mock.vm_destroyed_calls, 1);
	/* Only the other VM's buffer is left. */
	assert_int_equal(mock.pins, 5);
	assert_int_equal(mock.unpin_calls - mock.unpins_at_destroyed,
			 pins_before - 5);
}

/* If OP-TEE does not take VM_DESTROYED, nothing is unpinned. */
static void test_destroy_refused_keeps_pins(void **state)
{
	uint64_t unpins;

	mock_fill_list_range(0, GPAGE(2), 16, 10);
	assert_int_equal(
		mock_register(0, ARG_IPA, GPAGE(2), 0, 10 * MOCK_PAGE, 0x99),
		TEEC_SUCCESS);
	unpins = mock.unpin_calls;
	mock.vm_destroyed_a0 = OPTEE_SMC_RETURN_ENOTAVAIL;
	assert_int_equal(teemed_vm_destroy(fx.vm[0]), TEEMED_ERR_IO);
	assert_int_equal(mock.unpin_calls, unpins);
	assert_int_equal(mock.pins, 10);
	mock.vm_destroyed_a0 = OPTEE_SMC_RETURN_OK;
	assert_int_equal(mock_destroy_vm(0, NULL), TEEMED_OK);
	assert_int_equal(mock.pins, 0);
}

/* Statistics follow what is held. */
static void test_stats_track_buffers(void **state)
{
	struct teemed_vm_stats s;

	mock_fill_list_range(0, GPAGE(2), 16, 12);
	assert_int_equal(
		mock_register(0, ARG_IPA, GPAGE(2), 0, 12 * MOCK_PAGE, 0x5),
		TEEC_SUCCESS);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.pinned_pages, 12);
	assert_int_equal(s.buffers, 1);
	assert_int_equal(s.calls, 0);
	assert_int_equal(s.std_calls, 1);
	assert_int_equal(s.mediator_pages,
			 mock.med_pages - (fx.baseline_med_pages / 2));
	assert_int_equal(mock_unregister(0, ARG_IPA, 0x5), TEEC_SUCCESS);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.pinned_pages, 0);
	assert_int_equal(s.pinned_pages_peak, 12);
	assert_int_equal(s.buffers, 0);
	assert_int_equal(s.buffers_peak, 1);
	assert_int_equal(s.std_calls, 2);
}

/*
 * Call shadows are the instance's: a finished call's page waits in a
 * pool of at most TEEMED_SHADOW_POOL_PAGES for the next call of any VM,
 * is charged to no VM, and goes back once no VM is left.
 */
static void test_shadow_pool_bounded(void **state)
{
	enum { CALLS = TEEMED_SHADOW_POOL_PAGES + 2 };
	struct teemed_regs r[CALLS];
	struct teemed_vm_stats s;

	mock_reset();
	mock.threads = CALLS;
	mock.pauses = 1;
	mock_start(4096, NULL);
	for (uint32_t i = 0; i < CALLS; i++) {
		mock_arg_init(0, GPAGE(i), OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
		mock_call(0, GPAGE(i), &r[i]);
		assert_int_equal(r[i].a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	}
	assert_int_equal(mock.inst_pages, CALLS);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	for (uint32_t i = 0; i < CALLS; i++) {
		struct teemed_regs done;

		mock_resume(0, (uint32_t)r[i].a[3], &done);
		assert_int_equal(done.a[0], OPTEE_SMC_RETURN_OK);
	}
	assert_int_equal(mock.inst_pages, TEEMED_SHADOW_POOL_PAGES);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 0);
	assert_int_equal(s.calls_peak, CALLS);
	assert_int_equal(s.std_calls, CALLS);
	assert_int_equal(s.smcs, 2 * CALLS);
	assert_int_equal(s.mediator_pages, 0);
	/* The other VM's next call takes a pooled page. */
	mock.pauses = 0;
	mock_arg_init(1, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	assert_int_equal(mock_call_to_end(1, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.inst_pages, TEEMED_SHADOW_POOL_PAGES);
	assert_int_equal(mock_destroy_vm(0, NULL), TEEMED_OK);
	assert_int_equal(mock.inst_pages, TEEMED_SHADOW_POOL_PAGES);
	assert_int_equal(mock_destroy_vm(1, NULL), TEEMED_OK);
	assert_int_equal(mock.inst_pages, 0);
}

/*
 * The calls peak counts calls in flight at once, whichever slots they
 * hold: a call that takes a slot given back below a busy one does not
 * raise it; one more call in flight does.
 */
static void test_calls_peak_counts_concurrency(void **state)
{
	struct teemed_regs a, b, c, d, done;
	struct teemed_vm_stats s;

	mock_reset();
	mock.pauses = 1;
	mock_start(4096, NULL);
	for (uint32_t i = 0; i < 4; i++)
		mock_arg_init(0, GPAGE(i), OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	mock_call(0, GPAGE(0), &a);
	mock_call(0, GPAGE(1), &b);
	assert_int_equal(a.a[3], 0);
	assert_int_equal(b.a[3], 1);
	mock_resume(0, (uint32_t)a.a[3], &done);
	assert_int_equal(done.a[0], OPTEE_SMC_RETURN_OK);
	mock_call(0, GPAGE(2), &c);
	assert_int_equal(c.a[3], 0);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.calls_peak, 2);
	mock_call(0, GPAGE(3), &d);
	assert_int_equal(d.a[3], 2);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.calls_peak, 3);
	mock_resume(0, (uint32_t)b.a[3], &done);
	mock_resume(0, (uint32_t)c.a[3], &done);
	mock_resume(0, (uint32_t)d.a[3], &done);
	assert_int_equal(done.a[0], OPTEE_SMC_RETURN_OK);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 0);
	assert_int_equal(s.calls_peak, 3);
}

/* A call from `vcpu` that parks in FOREIGN_INTR: its slot, as the guest
   sees it in a3. */
static uint32_t parked_call_from(uint32_t vcpu, uint32_t page)
{
	struct teemed_regs r;

	mock.guest_vcpu = vcpu;
	mock_arg_init(0, GPAGE(page), OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	mock_call(0, GPAGE(page), &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	return (uint32_t)r.a[3];
}

/*
 * A vCPU's new call takes the slot numbered as the vCPU (modulo the
 * calls quota) when it is free, else the next free one; the quota and
 * the answers are those of teemed_vm_smc(). Any vCPU may resume any of
 * the VM's calls.
 */
static void test_vcpu_own_slot(void **state)
{
	struct teemed_regs r, done;
	struct teemed_vm_stats s;
	uint32_t slot[4];

	mock_reset();
	mock.threads = 4;
	mock.pauses = 1;
	mock_start(4096, NULL);
	slot[0] = parked_call_from(2, 0);
	slot[1] = parked_call_from(1, 1);
	slot[2] = parked_call_from(6, 2);	    /* 6 % 4 = 2: busy */
	slot[3] = parked_call_from(0xfffffffeu, 3); /* % 4 = 2: wraps */
	assert_int_equal(slot[0], 2);
	assert_int_equal(slot[1], 1);
	assert_int_equal(slot[2], 3);
	assert_int_equal(slot[3], 0);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 4);
	assert_int_equal(s.calls_peak, 4);
	/* Every slot busy: the same refusal with or without a vCPU. */
	mock_arg_init(0, GPAGE(4), OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	mock.guest_vcpu = 1;
	mock_call(0, GPAGE(4), &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ETHREAD_LIMIT);
	mock.guest_vcpu = TEEMED_NO_VCPU;
	mock_call(0, GPAGE(4), &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ETHREAD_LIMIT);
	/* vCPU 3 finishes the calls vCPUs 2, 1, 6 and 0xfffffffe began. */
	mock.guest_vcpu = 3;
	for (uint32_t i = 0; i < 4; i++) {
		mock_resume(0, slot[i], &done);
		assert_int_equal(done.a[0], OPTEE_SMC_RETURN_OK);
	}
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 0);
	assert_int_equal(s.std_calls, 4);
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 2);
}

/*
 * With vCPUs named, the peak is the highest slot taken + 1 (an upper
 * bound, as teemed.h says): one call from vCPU 3 alone counts 4.
 */
static void test_vcpu_peak_is_slot_bound(void **state)
{
	struct teemed_regs done;
	struct teemed_vm_stats s;

	mock_reset();
	mock.threads = 4;
	mock.pauses = 1;
	mock_start(4096, NULL);
	assert_int_equal(parked_call_from(3, 0), 3);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.calls_peak, 4);
	mock_resume(0, 3, &done);
	assert_int_equal(done.a[0], OPTEE_SMC_RETURN_OK);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_id_zero, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_id, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_vms, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_vm_created_refused,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_created_destroyed_registers, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_create_alloc_failures,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_quota_override, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_quota_too_small_for_slots,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_idle, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_fini_busy_then_ok,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_busy_vm_bounded,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_refused_keeps_pins,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_stats_track_buffers,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_shadow_pool_bounded, NULL,
						mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_calls_peak_counts_concurrency, NULL,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_own_slot, NULL,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_peak_is_slot_bound,
						NULL, mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
