/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Registered buffers past one list page (white box): once OP-TEE holds
 * the registration, the list pages are refilled as chunks of 512 PAs,
 * linked through the PAs' low bits, the PAs past the last chunk in an
 * array. For each size around the chunk and list page boundaries, up to
 * the largest buffer a default quota lets a VM register: what it costs
 * against 64 + 8 bytes a page, exactly; the PA of every page; arguments
 * (CALL_WITH_REGD_ARG) read and written in its first, middle and last
 * pages and across the first chunk's end; pins and quota given back
 * exactly on UNREGISTER_SHM and on VM teardown, also in the middle of a
 * release; a buffer that stays full when the objects cannot be had; and
 * the most chunks refilled at once.
 */
#include <stdlib.h>
#include <string.h>

#include "buf_check.h"

#define LIST	    GPAGE(4) /* up to 33 list pages */
#define CALL_ARG    GPAGE(1)
#define DATA	    64u	  /* first of the data pages the buffers cycle over */
#define DATA_SPAN   1399u /* prime: neighbours in a buffer differ */
#define ARG_SIZE(n) ((uint32_t)OPTEE_MSG_GET_ARG_SIZE(n))

/* The guest page that page `i` of buffer `seed`'s names. */
static uint64_t data_ipa(uint32_t seed, uint32_t i)
{
	return GPAGE(DATA + (seed + (uint64_t)i * 37) % DATA_SPAN);
}

static void fill_list(uint32_t seed, uint32_t n)
{
	uint64_t *ipas = calloc(n, sizeof(*ipas));

	assert_non_null(ipas);
	for (uint32_t i = 0; i < n; i++)
		ipas[i] = data_ipa(seed, i);
	mock_fill_list(0, LIST, ipas, n);
	free(ipas);
}

static uint32_t register_n(uint32_t seed, uint32_t n, uint64_t cookie)
{
	fill_list(seed, n);
	return mock_register(0, ARG_IPA, LIST, 0, (uint64_t)n * MOCK_PAGE,
			     cookie);
}

/* What a registered buffer of `n` pages holds: the record and its PAs. */
static uint64_t record_bytes(uint32_t n)
{
	return (n <= 505 ? 56 : 64) + 8 * (uint64_t)n;
}

static uint8_t form_of(uint32_t n)
{
	return n < 512 ? BUF_COMPACT : BUF_CHUNKED;
}

/*
 * A value-only INVOKE whose argument is at `off` of the buffer: OP-TEE
 * gets the value written there, and the answer lands there.
 */
static void assert_regd_arg(uint64_t cookie, uint32_t seed, uint64_t off)
{
	union {
		struct optee_msg_arg h;
		uint8_t bytes[ARG_SIZE(1)];
	} a;
	struct teemed_regs r = {0};
	const uint64_t tag = 0x7a600000ull + off;

	memset(&a, 0, sizeof(a));
	a.h.cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	a.h.num_params = 1;
	a.h.ret = 0x77777777;
	a.h.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	a.h.params[0].u.value.a = tag;
	mock_buf_put(0, data_ipa, seed, off, &a, ARG_SIZE(1));
	r.a[0] = OPTEE_SMC_CALL_WITH_REGD_ARG;
	r.a[1] = cookie >> 32;
	r.a[2] = (uint32_t)cookie;
	r.a[3] = off;
	mock_smc_guest(0, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock_seen_arg()->params[0].u.value.a, tag);
	mock_buf_get(0, data_ipa, seed, off, &a, ARG_SIZE(1));
	assert_int_equal(a.h.ret, TEEC_SUCCESS);
}

/* Every data page pinned as often as buffer `seed`'s names it. */
static void assert_pinned(uint32_t seed, uint32_t n)
{
	static uint32_t expect[DATA_SPAN];

	memset(expect, 0, sizeof(expect));
	for (uint32_t i = 0; i < n; i++)
		expect[(data_ipa(seed, i) - GPAGE(DATA)) / MOCK_PAGE]++;
	for (uint32_t p = 0; p < DATA_SPAN; p++)
		assert_int_equal(
			mock_pa_pins(mock_guest_pa(0, GPAGE(DATA + p))),
			expect[p]);
}

/* Sizes around one list page (511), one chunk (512) and their sums. */
static const uint32_t sizes[] = {506,  511,  512,   600,   1022,
				 1023, 1024, 16352, 16383, 16384};

/*
 * Each size: register, check the record, the PAs and the quota, use the
 * buffer, unregister. Every pin is undone exactly once (the mock counts
 * each page's pins and refuses an unpin of a page not pinned).
 */
static void test_sizes(void **state)
{
	const uint64_t before = held();
	struct teemed_vm *vm = fx.vm[0];
	const uint32_t mpages = vm->reserved_mpages;
	const uint32_t pages = vm->reserved_pages;

	for (size_t i = 0; i < TEEMED_ARRAY_SIZE(sizes); i++) {
		const uint32_t n = sizes[i];
		const uint32_t seed = (uint32_t)i * 101;
		const uint64_t usable = (uint64_t)n * MOCK_PAGE;
		uint64_t unpins;
		struct teemed_vm_stats s;

		assert_int_equal(register_n(seed, n, 0xb0 + i), TEEC_SUCCESS);
		assert_int_equal(lookup(0xb0 + i)->form, form_of(n));
		assert_int_equal(held() - before, record_bytes(n));
		assert_true(held() - before <= 64 + 8 * (uint64_t)n);
		/* The chunks are the only mediator pages left, quota exact. */
		assert_int_equal(vm->reserved_mpages, mpages + n / 512);
		assert_int_equal(mock.med_pages,
				 fx.baseline_med_pages + n / 512);
		assert_int_equal(vm->reserved_pages, pages + n);
		teemed_vm_get_stats(vm, &s);
		assert_int_equal(s.pinned_pages, n);
		assert_pinned(seed, n);
		assert_pas(0xb0 + i, n, data_ipa, seed);

		assert_regd_arg(0xb0 + i, seed, 0);
		assert_regd_arg(0xb0 + i, seed, usable / 2);
		assert_regd_arg(0xb0 + i, seed, usable - MOCK_PAGE);
		/* Across pages: into the last of the first list page, and
		   from the first chunk to what follows it. */
		assert_regd_arg(0xb0 + i, seed,
				(n < 512 ? n - 1 : 511) * MOCK_PAGE - 16);
		if (n > 512)
			assert_regd_arg(0xb0 + i, seed, 512 * MOCK_PAGE - 16);
		assert_rmem(CALL_ARG, 0xb0 + i, 0, 16);
		assert_rmem(CALL_ARG, 0xb0 + i, usable - 16, 16);
		assert_rmem(CALL_ARG, 0xb0 + i, 0, usable);

		unpins = mock.unpin_calls;
		assert_int_equal(mock_unregister(0, ARG_IPA, 0xb0 + i),
				 TEEC_SUCCESS);
		assert_null(lookup(0xb0 + i));
		/* And the UNREGISTER_SHM's argument page. */
		assert_int_equal(mock.unpin_calls - unpins, n + 1);
		assert_int_equal(mock.pins, 0);
		assert_int_equal(held(), before);
		assert_int_equal(vm->reserved_mpages, mpages);
		assert_int_equal(vm->reserved_pages, pages);
		assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	}
}

/* The default quota's pins (16384) bound a buffer: a page more is
   refused with nothing left pinned; 16384 pages are chunked. */
static void test_largest_buffer(void **state)
{
	assert_int_equal(register_n(0, TEEMED_DEFAULT_PINNED_PAGES + 1, 0xb1),
			 TEEC_ERROR_OUT_OF_MEMORY);
	assert_null(lookup(0xb1));
	assert_int_equal(mock.pins, 0);
	assert_int_equal(register_n(0, TEEMED_DEFAULT_PINNED_PAGES, 0xb1),
			 TEEC_SUCCESS);
	assert_int_equal(lookup(0xb1)->form, BUF_CHUNKED);
	assert_pas(0xb1, TEEMED_DEFAULT_PINNED_PAGES, data_ipa, 0);
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xb1), TEEC_SUCCESS);
	assert_int_equal(mock.pins, 0);
}

/* Pages around the first chunk, the middle and the end have their PAs. */
static void assert_some_pas(uint64_t cookie, uint32_t seed, uint32_t n)
{
	const uint32_t at[] = {0, 1, 511, 512, n / 2, n - 2, n - 1};
	struct buf *b = lookup(cookie);

	for (size_t i = 0; i < TEEMED_ARRAY_SIZE(at); i++)
		assert_int_equal(
			teemed_pa_addr(teemed_buf_page_pa(fx.vm[0], b, at[i])),
			mock_guest_pa(0, data_ipa(seed, at[i])));
}

/*
 * Refilling takes work that grows as the square of the chunks: a quota
 * past the default lets a VM register more than 128 chunks' worth, and
 * such a buffer stays full, as cheap to register as before.
 */
static void test_chunk_limit(void **state)
{
	const struct teemed_quota q = {.pinned_pages = 70000};
	static const struct {
		uint32_t pages;
		uint8_t form;
		uint64_t bytes;
	} cases[] = {
		{128 * 512 + 511, BUF_CHUNKED, 64 + 8 * (128 * 512 + 511)},
		{129 * 512, BUF_FULL,
		 sizeof(struct full_buf) + 130 * (uint64_t)MOCK_PAGE},
	};
	uint64_t before;

	mock_stop();
	mock_reset();
	mock_start(4096, &q);
	before = held();
	for (size_t i = 0; i < TEEMED_ARRAY_SIZE(cases); i++) {
		const uint32_t n = cases[i].pages;

		/* The list's 130 pages reach into the data's: no matter. */
		assert_int_equal(register_n(3, n, 0xe0), TEEC_SUCCESS);
		assert_int_equal(lookup(0xe0)->form, cases[i].form);
		assert_int_equal(held() - before, cases[i].bytes);
		assert_int_equal(mock.pins, n);
		assert_some_pas(0xe0, 3, n);
		assert_all_back(0xe0, before);
	}
}

/*
 * No object for the record, or for the array of the PAs past the
 * chunks: the buffer stays full, list pages and all, and works and goes
 * as any other. 1024 pages have no such array.
 */
static void test_compaction_fails(void **state)
{
	static const struct {
		uint32_t pages;
		int32_t fail_after; /* objects given before the refusal */
	} cases[] = {
		{600, 1}, {600, 2}, {1024, 1}, {16383, 1}, {16383, 2},
	};
	const uint64_t before = held();
	struct teemed_vm *vm = fx.vm[0];
	const uint32_t mpages = vm->reserved_mpages;

	for (size_t i = 0; i < TEEMED_ARRAY_SIZE(cases); i++) {
		const uint32_t n = cases[i].pages;
		const uint32_t lists = (n + 510) / 511;

		mock.obj_fail_after = cases[i].fail_after;
		assert_int_equal(register_n(7, n, 0xc2), TEEC_SUCCESS);
		mock.obj_fail_after = -1;
		assert_int_equal(lookup(0xc2)->form, BUF_FULL);
		assert_int_equal(held() - before,
				 sizeof(struct full_buf) + lists * MOCK_PAGE);
		assert_int_equal(vm->reserved_mpages, mpages + lists);
		assert_pas(0xc2, n, data_ipa, 7);
		assert_regd_arg(0xc2, 7, 512 * MOCK_PAGE - 16);
		assert_all_back(0xc2, before);
		assert_int_equal(vm->reserved_mpages, mpages);
	}
}

/*
 * With a step of 64 pages, buffers of several forms registered: an
 * UNREGISTER_SHM pauses through the chunks and the array; VM teardown
 * releases the rest in steps of at most 64 unpins and leaves nothing.
 */
static void test_teardown(void **state)
{
	static const uint32_t held_sizes[] = {512, 600, 1023, 2000, 511};
	uint32_t pinned = 0, pauses, steps = 0;
	uint64_t before;
	int err;

	mock_reset();
	mock_start(64, NULL);
	before = held();
	for (uint32_t i = 0; i < TEEMED_ARRAY_SIZE(held_sizes); i++) {
		assert_int_equal(register_n(i, held_sizes[i], 0xd0 + i),
				 TEEC_SUCCESS);
		pinned += held_sizes[i];
	}
	assert_int_equal(mock.pins, pinned);

	/* 2000 = 3 x 512 + 464: three chunks, then the array. */
	assert_unregistered(0xd3, &pauses);
	assert_true(pauses >= 2000 / 64 - 1);
	pinned -= 2000;
	assert_int_equal(mock.pins, pinned);
	assert_true(held() - before <= 64 * 4 + 8 * (uint64_t)pinned);

	do {
		uint64_t unpins = mock.unpin_calls;

		err = teemed_vm_destroy(fx.vm[0]);
		assert_true(mock.unpin_calls - unpins <= 64);
		steps++;
	} while (err == TEEMED_ERR_AGAIN);
	assert_int_equal(err, TEEMED_OK);
	fx.vm[0] = NULL;
	assert_true(steps >= pinned / 64);
	assert_int_equal(mock.pins, 0);
}

/*
 * An UNREGISTER_SHM paused in the middle of a chunked buffer's release,
 * past its first chunk, and the VM destroyed then: teardown goes on from
 * where the release stopped and leaves nothing behind (the fixture's
 * teardown checks every pin, page and object is back).
 */
static void test_destroy_mid_release(void **state)
{
	struct optee_msg_arg *u;
	struct teemed_regs r;
	uint64_t unpins;
	uint32_t steps = 0;
	int err;

	mock_reset();
	mock_start(64, NULL);
	assert_int_equal(register_n(1, 2000, 0xd0), TEEC_SUCCESS);
	assert_int_equal(register_n(2, 600, 0xd1), TEEC_SUCCESS);
	u = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	mock_set_rmem(&u->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 0,
		      0xd0);
	unpins = mock.unpin_calls;
	mock_call(0, ARG_IPA, &r);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
		mock_resume(0, (uint32_t)r.a[3], &r);
	}
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_true(mock.unpin_calls - unpins > 512);
	assert_true(mock.unpin_calls - unpins < 1024);
	assert_int_equal(mock.pins, 2600 - (mock.unpin_calls - unpins) + 1);
	do {
		err = teemed_vm_destroy(fx.vm[0]);
		steps++;
	} while (err == TEEMED_ERR_AGAIN);
	assert_int_equal(err, TEEMED_OK);
	fx.vm[0] = NULL;
	assert_true(steps >= 1900 / 64);
	assert_int_equal(mock.pins, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sizes, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_largest_buffer, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_limit, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_compaction_fails,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_teardown, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_mid_release,
						mock_setup, mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
