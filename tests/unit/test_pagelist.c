/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Non-contiguous temporary memrefs (spec §4): the guest's list of IPAs
 * becomes a shadow list of single mediator pages holding exactly the
 * PAs of the pinned guest pages; anything the guest may not share is
 * refused with every pin given back; quotas refuse before anything is
 * taken.
 */
#include "internal.h"
#include "mock_platform.h"

#define TMEM_NC(t) (OPTEE_MSG_ATTR_TYPE_##t | OPTEE_MSG_ATTR_NONCONTIG)
#define LIST_IPA   GPAGE(2) /* up to three list pages: 2, 3, 4 */
#define DATA0	   8u	    /* first data page */

static uint64_t data_ipa[1100];

/* Data pages in a shuffled order: a list may name any of its pages. */
static void shuffle_data(uint32_t n, uint64_t seed)
{
	for (uint32_t j = 0; j < n; j++)
		data_ipa[j] = GPAGE(DATA0 + j);
	for (uint32_t j = n; j > 1; j--) {
		uint32_t k = mock_rand(&seed) % j;
		uint64_t t = data_ipa[j - 1];

		data_ipa[j - 1] = data_ipa[k];
		data_ipa[k] = t;
	}
}

static struct optee_msg_arg *tmem_arg(uint32_t type, uint32_t offset,
				      uint64_t size, uint64_t cookie)
{
	struct optee_msg_arg *arg =
		mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	mock_set_tmem(&arg->params[0], type, LIST_IPA | offset, size, cookie);
	return arg;
}

static void assert_refused(struct optee_msg_arg *arg, uint32_t ret)
{
	struct teemed_regs r;

	mock.sw = mock_sw_never;
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, ret);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_COMMS);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	mock.sw = mock_fake_optee;
}

struct size_case {
	uint32_t pages;
	uint32_t offset;
	uint64_t size;
};

static void check_translation(const struct size_case *c)
{
	struct optee_msg_arg *arg;
	const struct optee_msg_arg *seen = mock_seen_arg();
	uint64_t bp;

	shuffle_data(c->pages, c->pages);
	mock_fill_list(0, LIST_IPA, data_ipa, c->pages);
	arg = tmem_arg(TMEM_NC(TMEM_INOUT), c->offset, c->size, 0xabc);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	bp = seen->params[0].u.tmem.buf_ptr;
	assert_int_equal(bp & 0xfff, c->offset);
	assert_int_equal(seen->params[0].u.tmem.size, c->size);
	assert_int_equal(seen->params[0].u.tmem.shm_ref, 0xabc);
	assert_int_equal(seen->params[0].attr, TMEM_NC(TMEM_INOUT));
	assert_int_equal(mock.seen_pages[0], c->pages);
	assert_int_equal(mock.seen_list_pages[0], (c->pages + 510) / 511);
	for (uint32_t j = 0; j < c->pages; j++)
		if (mock.seen_pa[0][j] != mock_guest_pa(0, data_ipa[j]))
			fail_msg("%u pages: entry %u is %#llx", c->pages, j,
				 (unsigned long long)mock.seen_pa[0][j]);
	/* The guest keeps its own pointer; all pins are back. */
	assert_int_equal(arg->params[0].u.tmem.buf_ptr, LIST_IPA | c->offset);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
}

static void test_sizes(void **state)
{
	static const struct size_case cases[] = {
		{1, 0, 1},
		{1, 0, MOCK_PAGE},
		{1, 0xfff, 1},
		{1, 0x234, MOCK_PAGE - 0x234},
		{2, 0x234, MOCK_PAGE - 0x233},
		{3, 0x234, 0x2000},
		{3, 0, 2 * MOCK_PAGE + 1},
		{511, 0, 511 * MOCK_PAGE},
		{511, 0x10, 510 * MOCK_PAGE + 1},
		{512, 0, 511 * MOCK_PAGE + 1},
		{512, 0xff8, 511 * MOCK_PAGE - 0xff0},
		{1023, 0x800, 1022 * MOCK_PAGE},
		{1023, 0, 1023 * MOCK_PAGE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_translation(&cases[i]);
}

/* 511 entries: slot 511 is never read, so Linux's stray pointer is fine. */
static void test_next_pointer_read_only_when_needed(void **state)
{
	struct size_case c = {511, 0, 511 * MOCK_PAGE};
	uint64_t *list = mock_guest_ptr(0, LIST_IPA);

	shuffle_data(511, 3);
	mock_fill_list(0, LIST_IPA, data_ipa, 511);
	list[511] = 0xdeadbeef;
	tmem_arg(TMEM_NC(TMEM_INPUT), 0, c.size, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.seen_pages[0], 511);
}

/* A page named twice is pinned twice and released twice. */
static void test_same_page_twice(void **state)
{
	uint64_t ipas[3] = {GPAGE(20), GPAGE(21), GPAGE(20)};

	mock_fill_list(0, LIST_IPA, ipas, 3);
	tmem_arg(TMEM_NC(TMEM_INPUT), 0, 3 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.seen_pa[0][0], mock.seen_pa[0][2]);
	assert_int_equal(mock.pins, 0);
}

/* A read-only list page is fine: the mediator only reads it. */
static void test_read_only_list_page(void **state)
{
	mock_fill_list_range(0, LIST_IPA, DATA0, 4);
	mock_ipa_set(0, LIST_IPA, MOCK_IPA_RO);
	tmem_arg(TMEM_NC(TMEM_INPUT), 0, 4 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.seen_pages[0], 4);
}

/* Each bad entry, at several positions, of a 600-page list. */
static void test_bad_entries(void **state)
{
	static const uint32_t where[] = {0, 1, 300, 510, 511, 512, 599};
	static const uint64_t bad[] = {
		GPAGE(DATA0) | 0x10, /* unaligned */
		GPAGE(DATA0) | 0x800,
		0,	    /* IPA 0: not RAM here */
		GPAGE(900), /* unmapped (a hole, below) */
		GPAGE(901), /* MMIO */
		GPAGE(902), /* read-only */
		0xfffffffffffff000ull,
		0x100000000ull, /* beyond the guest's RAM */
	};
	struct teemed_vm_stats s;
	uint32_t refused = 0;

	mock_ipa_set(0, GPAGE(900), MOCK_IPA_UNMAPPED);
	mock_ipa_set(0, GPAGE(901), MOCK_IPA_MMIO);
	mock_ipa_set(0, GPAGE(902), MOCK_IPA_RO);
	for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
		for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
			struct optee_msg_arg *arg;

			shuffle_data(600, w + 1);
			data_ipa[where[w]] = bad[b];
			mock_fill_list(0, LIST_IPA, data_ipa, 600);
			arg = tmem_arg(TMEM_NC(TMEM_INOUT), 0x40,
				       600 * MOCK_PAGE - 0x40, 5);
			assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
			refused++;
		}
	}
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.refused[TEEMED_REFUSED_PARAM], refused);
	assert_int_equal(s.pinned_pages, 0);
	assert_true(s.pinned_pages_peak >= 511);
	assert_int_equal(mock.calls_seen, 0);
}

/* The list pages themselves: unmapped, MMIO, bad next pointers. */
static void test_bad_list_pages(void **state)
{
	struct optee_msg_arg *arg;
	uint64_t *list = mock_guest_ptr(0, LIST_IPA);

	mock_fill_list_range(0, LIST_IPA, DATA0, 4);
	mock_ipa_set(0, LIST_IPA, MOCK_IPA_UNMAPPED);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 4 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	mock_ipa_set(0, LIST_IPA, MOCK_IPA_MMIO);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 4 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	mock_ipa_set(0, LIST_IPA, MOCK_IPA_RAM);

	mock_fill_list_range(0, LIST_IPA, DATA0, 600);
	list[511] = GPAGE(3) | 8;
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 600 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	list[511] = GPAGE(950);
	mock_ipa_set(0, GPAGE(950), MOCK_IPA_UNMAPPED);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 600 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	list[511] = 0;
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 600 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
}

static void test_size_zero_and_overflow(void **state)
{
	struct optee_msg_arg *arg;

	mock_fill_list_range(0, LIST_IPA, DATA0, 2);
	/* Size 0 at offset 0: OP-TEE's page count wraps. */
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 0, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	/* size + offset wraps around. */
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0x10, UINT64_MAX - 0xf, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0xfff, UINT64_MAX, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	/* No wrap, but more pages than any count holds: nonsense too. */
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, UINT64_MAX, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 1ull << 44, 1);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	/* A real size, more than the quota: the quota's answer. */
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 1ull << 40, 1);
	assert_refused(arg, TEEC_ERROR_OUT_OF_MEMORY);
	/* Size 0 at a non-zero offset is one page, as OP-TEE counts it. */
	arg = tmem_arg(TMEM_NC(TMEM_OUTPUT), 0x123, 0, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(mock.seen_pages[0], 1);
	assert_int_equal(mock.seen_pa[0][0], mock_guest_pa(0, GPAGE(DATA0)));
	assert_int_equal(mock.pins, 0);
}

/*
 * What the quotas cannot hold is refused in the first SMC, before any
 * pin: four memrefs of 16384 pages each, and a registration larger than
 * what is left of the quota.
 */
static void test_over_quota_refused_before_work(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_vm_stats s;
	struct teemed_regs r;

	mock_reset();
	mock_start(256, NULL);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 4);
	for (int i = 0; i < 4; i++)
		mock_set_tmem(&arg->params[i], TMEM_NC(TMEM_INPUT),
			      GPAGE(2 + i), 16384ull * MOCK_PAGE, 0);
	mock.sw = mock_sw_never;
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_COMMS);
	assert_int_equal(mock.pins, 0);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.max_pages_per_smc, 0);
	assert_int_equal(s.pinned_pages_peak, 0);
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 1);

	/* Registered memory holds part of the quota; the rest is exact. */
	mock.sw = mock_fake_optee;
	mock_fill_list_range(0, LIST_IPA, DATA0, 100);
	assert_int_equal(
		mock_register(0, ARG_IPA, LIST_IPA, 0, 100 * MOCK_PAGE, 0x1),
		TEEC_SUCCESS);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	mock_set_tmem(&arg->params[0],
		      OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
			      OPTEE_MSG_ATTR_NONCONTIG,
		      GPAGE(200), (16384ull - 99) * MOCK_PAGE, 0x2);
	mock.sw = mock_sw_never;
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(mock.pins, 100);
	teemed_vm_get_stats(fx.vm[0], &s);
	assert_int_equal(s.max_pages_per_smc, 100);
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 2);
	mock.sw = mock_fake_optee;
	assert_int_equal(mock_unregister(0, ARG_IPA, 0x1), TEEC_SUCCESS);
}

/* A bad second tmem releases the first tmem's pins too. */
static void test_second_param_fails(void **state)
{
	struct optee_msg_arg *arg =
		mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 3);

	mock_fill_list_range(0, GPAGE(2), DATA0, 50);
	mock_fill_list_range(0, GPAGE(3), DATA0 + 50, 5);
	((uint64_t *)mock_guest_ptr(0, GPAGE(3)))[4] = GPAGE(DATA0) | 1;
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_INPUT), GPAGE(2),
		      50 * MOCK_PAGE, 1);
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	mock_set_tmem(&arg->params[2], TMEM_NC(TMEM_OUTPUT), GPAGE(3),
		      5 * MOCK_PAGE, 2);
	assert_refused(arg, TEEC_ERROR_BAD_PARAMETERS);
	/* Fixed, both go through, each with its own list. */
	((uint64_t *)mock_guest_ptr(0, GPAGE(3)))[4] = GPAGE(DATA0 + 54);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock.seen_pages[0], 50);
	assert_int_equal(mock.seen_pages[2], 5);
	assert_int_equal(mock.seen_pa[2][4],
			 mock_guest_pa(0, GPAGE(DATA0 + 54)));
	assert_int_equal(mock.pins, 0);
}

/* Per-VM quota of pinned pages: OUT_OF_MEMORY/COMMS, nothing changed. */
static void test_pinned_quota(void **state)
{
	struct teemed_quota q = {.pinned_pages = 16};
	struct teemed_vm_stats s0, s1;
	struct optee_msg_arg *arg;

	mock_reset();
	mock_start(4096, &q);
	mock_fill_list_range(0, LIST_IPA, DATA0, 17);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 17 * MOCK_PAGE, 1);
	teemed_vm_get_stats(fx.vm[0], &s0);
	assert_refused(arg, TEEC_ERROR_OUT_OF_MEMORY);
	teemed_vm_get_stats(fx.vm[0], &s1);
	assert_int_equal(s1.refused[TEEMED_REFUSED_QUOTA], 1);
	assert_int_equal(s1.pinned_pages_peak, s0.pinned_pages_peak);
	/* No list page was taken (the call's shadow is the instance's). */
	assert_int_equal(s1.mediator_pages_peak, s0.mediator_pages_peak);
	/* One page less fits exactly. */
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 16 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);

	/* Held pages count: a registered buffer leaves less room. */
	mock_fill_list_range(0, GPAGE(5), 100, 10);
	assert_int_equal(
		mock_register(0, GPAGE(1), GPAGE(5), 0, 10 * MOCK_PAGE, 0x77),
		TEEC_SUCCESS);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 7 * MOCK_PAGE, 1);
	mock.sw = mock_sw_never;
	{
		struct teemed_regs r;

		mock_call(0, ARG_IPA, &r);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	}
	mock.sw = mock_fake_optee;
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_COMMS);
	assert_int_equal(mock.pins, 10);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 6 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	/* The other VM has its own quota. */
	mock_fill_list_range(1, LIST_IPA, DATA0, 16);
	mock_arg_init(1, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_tmem(&mock_guest_arg(1, ARG_IPA)->params[0],
		      TMEM_NC(TMEM_INPUT), LIST_IPA, 16 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(1, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock_guest_arg(1, ARG_IPA)->ret, TEEC_SUCCESS);
}

/* Mediator pages: call slots hold one each; lists need the rest. */
static void test_mediator_page_quota(void **state)
{
	struct teemed_quota q = {.calls = 2, .mediator_pages = 3};
	struct optee_msg_arg *arg;

	mock_reset();
	mock_start(4096, &q);
	mock_fill_list_range(0, LIST_IPA, DATA0, 512);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 512 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_OUT_OF_MEMORY);
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 511 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
}

/*
 * All VMs together: the instance-wide cap. A refusal by it leaves the
 * instance-wide count as it was: repeated refusals must not lower it (and
 * so let the cap be passed) nor make it wrap once pages are released.
 */
static uint64_t global_pinned(void)
{
	return TEEMED_ATOMIC_LOAD(&fx.t->global_pinned);
}

static uint32_t invoke_pages(int vm, uint32_t pages)
{
	struct optee_msg_arg *arg;

	mock_fill_list_range(vm, LIST_IPA, DATA0, pages);
	arg = mock_arg_init(vm, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_INPUT), LIST_IPA,
		      (uint64_t)pages * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(vm, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	return mock_guest_arg(vm, ARG_IPA)->ret;
}

static void test_global_cap_refusals_keep_count(void **state)
{
	struct teemed_config cfg = mock_config(4096, NULL);

	mock_reset();
	cfg.global_pinned_pages = 20;
	mock_start_cfg(&cfg, 2);
	mock_fill_list_range(1, LIST_IPA, DATA0, 15);
	assert_int_equal(
		mock_register(1, ARG_IPA, LIST_IPA, 0, 15 * MOCK_PAGE, 0x1),
		TEEC_SUCCESS);
	assert_int_equal(global_pinned(), 15);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(invoke_pages(0, 6), TEEC_ERROR_OUT_OF_MEMORY);
		assert_int_equal(global_pinned(), 15);
		assert_int_equal(mock.pins, 15);
	}
	assert_int_equal(invoke_pages(0, 5), TEEC_SUCCESS);
	assert_int_equal(global_pinned(), 15);
	assert_int_equal(mock_unregister(1, ARG_IPA, 0x1), TEEC_SUCCESS);
	assert_int_equal(global_pinned(), 0);
	assert_int_equal(mock.pins, 0);
	/* After the release the cap is exact: 20 pages pass, 21 do not. */
	assert_int_equal(invoke_pages(1, 21), TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(global_pinned(), 0);
	assert_int_equal(invoke_pages(1, 20), TEEC_SUCCESS);
	assert_int_equal(invoke_pages(0, 1), TEEC_SUCCESS);
	assert_int_equal(global_pinned(), 0);
}

/* The platform runs out of pages or objects mid-way. */
static void test_platform_out_of_memory(void **state)
{
	struct optee_msg_arg *arg;
	struct teemed_regs r;

	mock_fill_list_range(0, LIST_IPA, DATA0, 600);
	/* No page for the call's shadow (the instance's pool is empty
	   before the first call): ENOMEM, nothing held. */
	mock.page_fail_after = 0;
	mock.sw = mock_sw_never;
	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ENOMEM);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	assert_int_equal(mock.inst_pages, 0);
	mock.sw = mock_fake_optee;
	/* The second list page (after the shadow and the first): 511 pins
	   taken, then given back. */
	mock.page_fail_after = 2;
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 600 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_OUT_OF_MEMORY);
	/* The shadow now comes from the pool: the first list page fails. */
	assert_int_equal(mock.inst_pages, 1);
	mock.page_fail_after = 0;
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 600 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(mock.pins, 0);
	mock.page_fail_after = -1;
	mock.obj_fail_after = 0;
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 600 * MOCK_PAGE, 1);
	assert_refused(arg, TEEC_ERROR_OUT_OF_MEMORY);
	mock.obj_fail_after = -1;
	arg = tmem_arg(TMEM_NC(TMEM_INPUT), 0, 600 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(mock.seen_pages[0], 600);
}

/* A VM's lists name its own IPAs: the other VM's pages never appear. */
static void test_vms_isolated(void **state)
{
	struct optee_msg_arg *arg;

	mock_fill_list_range(1, LIST_IPA, DATA0, 3);
	arg = mock_arg_init(1, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_tmem(&arg->params[0], TMEM_NC(TMEM_INPUT), LIST_IPA,
		      3 * MOCK_PAGE, 1);
	assert_int_equal(mock_call_to_end(1, ARG_IPA, NULL),
			 OPTEE_SMC_RETURN_OK);
	for (int j = 0; j < 3; j++) {
		assert_int_equal(mock.seen_pa[0][j],
				 mock_guest_pa(1, GPAGE(DATA0 + j)));
		assert_int_equal(mock_pa_owner(mock.seen_pa[0][j]), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sizes, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_next_pointer_read_only_when_needed, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_same_page_twice,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_read_only_list_page,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_bad_entries, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_bad_list_pages, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_size_zero_and_overflow,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_over_quota_refused_before_work, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_second_param_fails,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_pinned_quota, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_mediator_page_quota,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(
			test_global_cap_refusals_keep_count, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_platform_out_of_memory,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_vms_isolated, mock_setup,
						mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
