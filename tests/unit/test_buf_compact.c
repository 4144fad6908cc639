/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Compact records of registered buffers (white box): once OP-TEE holds a
 * registration, the buffer is a 56-byte record and its PAs (after it, in
 * an array, or in chunks of 512). What each size costs, exactly, as the mock
 * platform counts objects and pages; the PAs it keeps; what happens when
 * the record cannot be had; a record named by a call in flight; and
 * teardown of many records in bounded steps.
 */
#include "buf_check.h"

#define TMEM_NC(t) (OPTEE_MSG_ATTR_TYPE_##t | OPTEE_MSG_ATTR_NONCONTIG)
#define LIST	   GPAGE(2) /* and GPAGE(3) for a second list page */
#define CALL_ARG   GPAGE(1)
#define DATA	   16u /* first data page */

static void register_n(uint32_t first, uint32_t n, uint64_t cookie)
{
	mock_fill_list_range(0, LIST, first, n);
	assert_int_equal(mock_register(0, ARG_IPA, LIST, 0,
				       (uint64_t)n * MOCK_PAGE, cookie),
			 TEEC_SUCCESS);
}

/* A call of `cmd` at `ipa` with one rmem naming `cookie`. */
static struct optee_msg_arg *rmem_call(uint64_t ipa, uint32_t cmd,
				       uint64_t size, uint64_t cookie)
{
	struct optee_msg_arg *arg = mock_arg_init(0, ipa, cmd, 1);

	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, size,
		      cookie);
	return arg;
}

/* Start the call at `ipa`; OP-TEE suspends it (FOREIGN_INTR). */
static void start_suspended(uint64_t ipa, struct teemed_regs *r)
{
	mock.pauses = 1;
	mock_call(0, ipa, r);
	assert_int_equal(r->a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	mock.pauses = 0;
}

/* The call at `ipa` is refused by the mediator, OP-TEE never asked. */
static void assert_refused(uint64_t ipa, const struct optee_msg_arg *arg)
{
	uint64_t sw = mock.sw_count;
	struct teemed_regs r;

	mock_call(0, ipa, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_COMMS);
	assert_int_equal(mock.sw_count, sw);
}

/*
 * What a registered buffer costs once OP-TEE holds it, against the
 * target of 64 + 8 bytes per page: up to 505 pages the PAs sit in the
 * record's own object, up to 511 in an array of their own, and past
 * one list page the list pages are refilled as chunks of 512 PAs, those
 * past the last chunk in an array.
 */
static void test_bytes_per_registered_buffer(void **state)
{
	static const struct {
		uint32_t pages;
		uint64_t bytes;
		uint8_t form;
	} cases[] = {
		{1, 56 + 8, BUF_COMPACT},
		{2, 56 + 16, BUF_COMPACT},
		{16, 56 + 128, BUF_COMPACT},
		{129, 56 + 1032, BUF_COMPACT},
		{505, 56 + 4040, BUF_COMPACT},
		{506, 56 + 8 + 4048, BUF_COMPACT},
		{511, 56 + 8 + 4088, BUF_COMPACT},
		{512, 56 + 8 + MOCK_PAGE, BUF_CHUNKED},
		{1022, 56 + 8 + MOCK_PAGE + 8 * 510, BUF_CHUNKED},
		{1100, 56 + 8 + 2 * MOCK_PAGE + 8 * 76, BUF_CHUNKED},
	};
	uint64_t before = held();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t n = cases[i].pages;

		register_n(DATA, n, 0xc1);
		assert_int_equal(held() - before, cases[i].bytes);
		assert_true(cases[i].bytes <= 64 + 8 * (uint64_t)n);
		assert_int_equal(lookup(0xc1)->form, cases[i].form);
		/* OP-TEE read the list while registering, not the record. */
		for (uint32_t j = 0; j < n; j++)
			assert_int_equal(mock.seen_pa[0][j],
					 mock_guest_pa(0, GPAGE(DATA + j)));
		assert_pas(0xc1, n, mock_page_ipa_range, DATA);
		assert_int_equal(mock.pins, n);
		assert_rmem(CALL_ARG, 0xc1, 0, 16);
		assert_all_back(0xc1, before);
	}
}

/*
 * No object for the record (or for its PA array): the registration
 * still succeeds and the buffer stays full, list page and all, and
 * works and goes as any other.
 */
static void test_record_allocation_fails(void **state)
{
	static const struct {
		uint32_t pages;
		int32_t fail_after; /* objects given before the refusal */
	} cases[] = {
		{3, 1},	  /* the record */
		{506, 1}, /* the record of a buffer with a PA array */
		{506, 2}, /* its PA array */
	};
	uint64_t before = held();
	uint32_t objs = mock.objs;
	uint64_t allocs = mock.obj_allocs;
	struct teemed_vm_stats s;

	/* Unhindered: the full object, then the record. */
	register_n(DATA, 3, 0xc1);
	assert_int_equal(mock.obj_allocs - allocs, 2);
	assert_int_equal(mock_unregister(0, ARG_IPA, 0xc1), TEEC_SUCCESS);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t n = cases[i].pages;

		mock.obj_fail_after = cases[i].fail_after;
		register_n(DATA, n, 0xc2);
		mock.obj_fail_after = -1;
		assert_int_equal(lookup(0xc2)->form, BUF_FULL);
		assert_int_equal(held() - before,
				 sizeof(struct full_buf) + MOCK_PAGE);
		assert_int_equal(mock.objs, objs + 1);
		assert_int_equal(mock.pins, n);
		assert_pas(0xc2, n, mock_page_ipa_range, DATA);
		assert_rmem(CALL_ARG, 0xc2, 0, 16);
		teemed_vm_get_stats(fx.vm[0], &s);
		assert_int_equal(s.buffers, 1);
		assert_all_back(0xc2, before);
		assert_int_equal(mock.objs, objs);
	}
}

/*
 * A compact buffer named by a call suspended in OP-TEE: UNREGISTER_SHM
 * is refused without reaching OP-TEE and changes nothing; once the call
 * is over it goes. And the other way round: while an UNREGISTER_SHM of
 * it is in flight, no call may name it.
 */
static void test_record_in_use(void **state)
{
	uint64_t before = held();
	struct optee_msg_arg *u;
	struct teemed_regs r, ur;
	struct buf *b;

	register_n(DATA, 2, 0xc1);
	b = lookup(0xc1);
	assert_int_equal(b->form, BUF_COMPACT);
	rmem_call(CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND, 10, 0xc1);
	start_suspended(CALL_ARG, &r);
	assert_int_equal(b->users, 1);

	assert_refused(ARG_IPA, rmem_call(ARG_IPA, OPTEE_MSG_CMD_UNREGISTER_SHM,
					  0, 0xc1));
	/* The buffer's pages and the suspended call's argument page. */
	assert_int_equal(mock.pins, 2 + 1);
	assert_ptr_equal(lookup(0xc1), b);
	assert_int_equal(b->state, BUF_LIVE);
	assert_pas(0xc1, 2, mock_page_ipa_range, DATA);

	mock_resume(0, (uint32_t)r.a[3], &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(b->users, 0);

	/* Now UNREGISTER_SHM first, suspended; an rmem to it is refused. */
	u = rmem_call(ARG_IPA, OPTEE_MSG_CMD_UNREGISTER_SHM, 0, 0xc1);
	start_suspended(ARG_IPA, &ur);
	assert_refused(
		CALL_ARG,
		rmem_call(CALL_ARG, OPTEE_MSG_CMD_INVOKE_COMMAND, 10, 0xc1));
	assert_int_equal(b->users, 0);
	mock_resume(0, (uint32_t)ur.a[3], &ur);
	assert_int_equal(ur.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(u->ret, TEEC_SUCCESS);
	assert_null(lookup(0xc1));
	assert_int_equal(mock.pins, 0);
	assert_int_equal(held(), before);
}

/*
 * A buffer of three list pages refilled as two chunks and an array of
 * the 76 PAs past them: unregistered with a step of 16 pages, its
 * release crosses from the last chunk to the array within one step
 * (1024 = 64 x 16, but 1008 + 16 crosses the first chunk's end) and
 * leaves nothing behind. Without an object for the record or for the
 * array it stays full, list pages and all.
 */
static void test_chunked_release(void **state)
{
	static const int32_t fail_after[] = {1, 2};
	uint32_t pauses;
	uint64_t before;

	mock_reset();
	mock_start(16, NULL);
	before = held();
	register_n(DATA, 1100, 0xc1);
	assert_int_equal(lookup(0xc1)->form, BUF_CHUNKED);
	assert_int_equal(held() - before, 64 + 2 * MOCK_PAGE + 8 * 76);
	assert_pas(0xc1, 1100, mock_page_ipa_range, DATA);
	assert_unregistered(0xc1, &pauses);
	assert_true(pauses >= 1100 / 16 - 1);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(held(), before);

	/* The full object, then the record, then the array: refused. */
	for (size_t i = 0; i < 2; i++) {
		mock.obj_fail_after = fail_after[i];
		register_n(DATA, 1100, 0xc2);
		mock.obj_fail_after = -1;
		assert_int_equal(lookup(0xc2)->form, BUF_FULL);
		assert_int_equal(held() - before,
				 sizeof(struct full_buf) + 3 * MOCK_PAGE);
		assert_pas(0xc2, 1100, mock_page_ipa_range, DATA);
		assert_rmem(CALL_ARG, 0xc2, 0, 16);
		assert_all_back(0xc2, before);
	}
}

/* Pages of buffer i of the teardown test. */
#define MANY	    100u
#define PAGES_OF(i) ((i) % 24u + 1u)

/*
 * Many compact buffers held, with a step of 16 pages: an UNREGISTER_SHM
 * of a 24-page record pauses to release it; VM teardown releases the
 * rest in steps of at most 16 unpins, and leaves nothing behind.
 */
static void test_teardown_of_many_records(void **state)
{
	uint32_t first = DATA, pages = 0, pauses, steps = 0;
	uint64_t before, expect = 0;
	int err;

	mock_reset();
	mock_start(16, NULL);
	before = held();
	for (uint32_t i = 0; i < MANY; i++) {
		register_n(first, PAGES_OF(i), 0x100 + i);
		assert_int_equal(lookup(0x100 + i)->form, BUF_COMPACT);
		first += PAGES_OF(i);
		pages += PAGES_OF(i);
		expect += 56 + 8 * PAGES_OF(i);
	}
	assert_int_equal(held() - before, expect);
	assert_int_equal(mock.pins, pages);

	/* Buffer 23 has 24 pages: released over two steps or more. */
	assert_int_equal(PAGES_OF(23), 24);
	assert_unregistered(0x100 + 23, &pauses);
	assert_true(pauses >= 1);
	pages -= 24;
	assert_int_equal(mock.pins, pages);
	assert_int_equal(held() - before, expect - (56 + 8 * 24));

	do {
		uint64_t unpins = mock.unpin_calls;

		err = teemed_vm_destroy(fx.vm[0]);
		assert_true(mock.unpin_calls - unpins <= 16);
		steps++;
	} while (err == TEEMED_ERR_AGAIN);
	assert_int_equal(err, TEEMED_OK);
	fx.vm[0] = NULL;
	/* One unit per buffer and per page. */
	assert_true(steps >= (pages + MANY - 1) / 16);
	assert_int_equal(mock.pins, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_bytes_per_registered_buffer, mock_setup,
			mock_teardown),
		cmocka_unit_test_setup_teardown(test_record_allocation_fails,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_record_in_use, mock_setup,
						mock_teardown),
		cmocka_unit_test_setup_teardown(test_teardown_of_many_records,
						mock_setup, mock_teardown),
		cmocka_unit_test_setup_teardown(test_chunked_release,
						mock_setup, mock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
