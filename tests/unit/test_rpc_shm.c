/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RPC payload buffers (spec §5.3, §6.4, §6.7): the guest's answer to
 * OP-TEE's SHM_ALLOC translated into a shadow list of pinned pages,
 * every refusal (OP-TEE reads OUT_OF_MEMORY, nothing stays pinned, the
 * guest is made to free what it offered), translation spread over SMCs
 * by the step budget, SHM_FREE, quotas and teardown.
 */
#include "internal.h" /* a paused call's state */
#include "rpc_script.h"

#define LIST	  GPAGE(3) /* the guest's list for payloads */
#define DATA	  40u	   /* first data page of payloads */
#define PC	  0xffff8000cafe0000ull
#define PC2	  0xffff8000cafe1000ull
#define APPL	  OPTEE_RPC_SHM_TYPE_APPL
#define KERNEL	  OPTEE_RPC_SHM_TYPE_KERNEL
#define ATTR_NC	  TMEM_NC(TMEM_OUTPUT)
#define ATTR_CONT OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT

union rpc_msg {
	struct optee_msg_arg arg;
	uint8_t b[MOCK_RPC_MSG_SIZE];
};

static void post_request(uint32_t cmd, uint64_t a, uint64_t b, uint64_t c)
{
	union rpc_msg m;

	request(&m.arg, cmd, 1);
	m.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m.arg.params[0].u.value.a = a;
	m.arg.params[0].u.value.b = b;
	m.arg.params[0].u.value.c = c;
	mock_rpc_post(&m.arg);
}

/* The guest got RPC_CMD for its buffer RC holding exactly this request. */
static void assert_request(const struct teemed_regs *r, uint32_t tid,
			   uint32_t cmd, uint64_t a, uint64_t b, uint64_t c)
{
	union rpc_msg want;
	const struct optee_msg_arg *g = mock_guest_arg(0, RPC_IPA);

	assert_answer(r, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), tid);
	request(&want.arg, cmd, 1);
	want.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	want.arg.params[0].u.value.a = a;
	want.arg.params[0].u.value.b = b;
	want.arg.params[0].u.value.c = c;
	assert_memory_equal(g, want.b, OPTEE_MSG_GET_ARG_SIZE(1));
}

/* With RPC buffer RC cached: a new call whose first RPC is SHM_ALLOC. */
static uint32_t start_shm_alloc(uint64_t type, uint64_t size,
				struct teemed_regs *r)
{
	uint32_t tid;

	post_request(OPTEE_RPC_CMD_SHM_ALLOC, type, size, 8);
	start_call(OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, r);
	tid = (uint32_t)r->a[3];
	assert_request(r, tid, OPTEE_RPC_CMD_SHM_ALLOC, type, size, 8);
	return tid;
}

static void reply(uint32_t ret, uint32_t n, uint64_t attr, uint64_t buf_ptr,
		  uint64_t size, uint64_t cookie)
{
	struct optee_msg_arg *g = mock_guest_arg(0, RPC_IPA);

	g->ret = ret;
	g->num_params = n;
	mock_set_tmem(&g->params[0], (uint32_t)attr, buf_ptr, size, cookie);
	g->params[0].attr = attr;
}

/*
 * OP-TEE was resumed reading a NONCONTIG list of the guest's pages
 * DATA + first .. + n - 1 (with `offset` into the first) for `cookie`.
 */
static void assert_payload_seen(uint32_t offset, uint64_t size, uint64_t cookie,
				uint32_t first, uint32_t n)
{
	const struct optee_msg_arg *a = mock_rpc_seen();
	const struct optee_msg_param *p = &a->params[0];
	const uint64_t *list = NULL;
	uint64_t lpa;

	assert_int_equal(a->ret, TEEC_SUCCESS);
	assert_int_equal(a->num_params, 1);
	assert_int_equal(p->attr, ATTR_NC);
	assert_int_equal(p->u.tmem.size, size);
	assert_int_equal(p->u.tmem.shm_ref, cookie);
	assert_int_equal(p->u.tmem.buf_ptr & (MOCK_PAGE - 1), offset);
	lpa = p->u.tmem.buf_ptr - offset;
	for (uint32_t j = 0; j < n; j++) {
		uint64_t pa;

		if (j % OPTEE_MSG_PAGELIST_ENTRIES == 0) {
			if (j)
				lpa = list[OPTEE_MSG_PAGELIST_NEXT_SLOT];
			assert_true(mock_pa_is_mediator(lpa));
			list = mock_pa_ptr(lpa);
		}
		pa = list[j % OPTEE_MSG_PAGELIST_ENTRIES];
		assert_int_equal(pa, mock_guest_pa(0, GPAGE(first + j)));
		assert_int_equal(mock_pa_pins(pa), 1);
	}
}

/*
 * A refused reply that named `cookie`: the guest must serve a synthetic
 * SHM_FREE of it before OP-TEE, which then reads OUT_OF_MEMORY.
 */
static void refused_with_free(uint32_t tid, uint64_t type, uint64_t cookie,
			      struct teemed_regs *r)
{
	uint64_t sw = mock.sw_count;

	mock_resume_regs(0, tid, NOISE, NOISE, NOISE, NOISE, r);
	assert_int_equal(mock.sw_count, sw);
	assert_request(r, tid, OPTEE_RPC_CMD_SHM_FREE, type, cookie, 0);
	mock_guest_arg(0, RPC_IPA)->ret = TEEC_SUCCESS;
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, r);
	assert_int_equal(mock_rpc_seen()->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_answer(r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
}

/* A refused reply that named no cookie: OP-TEE reads OUT_OF_MEMORY. */
static void refused_plain(uint32_t tid, struct teemed_regs *r)
{
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, r);
	assert_int_equal(mock_rpc_seen()->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_answer(r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
}

/* A payload of `n` pages from DATA + first, live once this returns. */
static void make_payload(uint32_t first, uint32_t n, uint64_t cookie)
{
	struct teemed_regs r;
	uint32_t tid = start_shm_alloc(APPL, n * MOCK_PAGE, &r);

	mock_fill_list_range(0, LIST, DATA + first, n);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST, n * MOCK_PAGE, cookie);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_payload_seen(0, n * MOCK_PAGE, cookie, DATA + first, n);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
}

/* ---------------------------------------------------------------- */

/*
 * A NONCONTIG reply: OP-TEE gets a shadow list of the pinned PAs at the
 * guest's offset, its size and cookie; the payload outlives the call.
 */
static void test_noncontig_translated(void **state)
{
	struct teemed_vm_stats s;
	struct teemed_regs r;
	uint32_t tid;

	cache_rpc_buffer(RPC_IPA, RC);
	tid = start_shm_alloc(APPL, 0x2f00, &r);
	mock_fill_list_range(0, LIST, DATA, 3);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST | 0x100, 0x2f00, PC);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_payload_seen(0x100, 0x2f00, PC, DATA, 3);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(mock.pins, 3);
	s = stats();
	assert_int_equal(s.buffers, 1);
	assert_int_equal(s.buffers_peak, 1);
	assert_int_equal(s.rpc_buffers, 1);
	assert_int_equal(s.pinned_pages, 3);
	assert_int_equal(s.pinned_pages_peak, 3);
	for (int i = 0; i < TEEMED_REFUSED_COUNT; i++)
		assert_int_equal(s.refused[i], 0);
	/* Its cookie is live: REGISTER_SHM may not take it. */
	mock.sw = mock_fake_optee;
	mock_fill_list_range(0, REG_LIST, 16, 1);
	mock_arg_init(0, GPAGE(1), OPTEE_MSG_CMD_REGISTER_SHM, 1);
	mock_set_tmem(&mock_guest_arg(0, GPAGE(1))->params[0], ATTR_NC,
		      REG_LIST, 10, PC);
	assert_int_equal(mock_call_to_end(0, GPAGE(1), NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock_guest_arg(0, GPAGE(1))->ret,
			 TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(mock.pins, 3);
}

/* A contiguous single page becomes a one-entry list (§6.7). */
static void test_contiguous_converted(void **state)
{
	struct teemed_regs r;
	uint32_t tid;

	cache_rpc_buffer(RPC_IPA, RC);
	tid = start_shm_alloc(KERNEL, 200, &r);
	reply(TEEC_SUCCESS, 1, ATTR_CONT, GPAGE(DATA), MOCK_PAGE, PC);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_payload_seen(0, MOCK_PAGE, PC, DATA, 1);
	assert_int_equal(mock.pins, 1);
	assert_int_equal(stats().buffers, 1);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages + 2);
}

/* The guest could not allocate: its ret reaches OP-TEE, nothing else. */
static void test_guest_allocation_failed(void **state)
{
	struct teemed_vm_stats s;
	struct teemed_regs r;
	uint32_t tid;

	cache_rpc_buffer(RPC_IPA, RC);
	tid = start_shm_alloc(APPL, 0x1000, &r);
	mock_fill_list_range(0, LIST, DATA, 1);
	reply(TEEC_ERROR_OUT_OF_MEMORY, 1, ATTR_NC, LIST, 0x1000, PC);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_int_equal(mock_rpc_seen()->ret, TEEC_ERROR_OUT_OF_MEMORY);
	tid = start_shm_alloc(APPL, 0x1000, &r);
	reply(TEEC_ERROR_BAD_PARAMETERS, 0, 0, 0, 0, 0);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_int_equal(mock_rpc_seen()->ret, TEEC_ERROR_BAD_PARAMETERS);
	s = stats();
	assert_int_equal(s.buffers, 0);
	assert_int_equal(s.buffers_peak, 0);
	assert_int_equal(mock.pins, 0);
	for (int i = 0; i < TEEMED_REFUSED_COUNT; i++)
		assert_int_equal(s.refused[i], 0);
}

struct reply_case {
	const char *what;
	uint64_t asked;
	uint32_t n;
	uint64_t attr, buf_ptr, size, cookie;
	uint32_t pages;	  /* list entries written from DATA */
	int32_t bad_slot; /* list entry replaced by bad_value */
	uint64_t bad_value;
	int32_t page_fail; /* mock.page_fail_after during the reply */
	int32_t obj_fail;
	enum teemed_refusal why;
};

#define NO_BAD	-1, 0
#define NO_FAIL -1, -1

/*
 * Every refused reply: OP-TEE reads OUT_OF_MEMORY, the refusal is
 * counted, no pin or mediator page stays, the cookie is not live, and
 * the guest is told to free what it named. Refusals OP-TEE itself would
 * not follow with SHM_FREE (num_params != 1, §6.7) get none.
 */
static void test_reply_refusals(void **state)
{
	static const struct reply_case cases[] = {
		{"smaller than asked", 0x3000, 1, ATTR_NC, LIST, 0x2fff, PC, 3,
		 NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"no parameter", 0x1000, 0, ATTR_NC, LIST, 0x1000, PC, 1,
		 NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"two parameters", 0x1000, 2, ATTR_NC, LIST, 0x1000, PC, 1,
		 NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"TMEM_INOUT", 0x1000, 1, TMEM_NC(TMEM_INOUT), LIST, 0x1000, PC,
		 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"TMEM_INPUT", 0x1000, 1, TMEM_NC(TMEM_INPUT), LIST, 0x1000, PC,
		 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"RMEM_OUTPUT", 0x1000, 1, OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT, 0,
		 0x1000, PC, 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"META set", 0x1000, 1, ATTR_NC | OPTEE_MSG_ATTR_META, LIST,
		 0x1000, PC, 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"cache bits set", 0x1000, 1, ATTR_NC | (1u << 16), LIST,
		 0x1000, PC, 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"contiguous misaligned", 100, 1, ATTR_CONT, GPAGE(DATA) | 0x10,
		 100, PC, 0, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"contiguous over a page", 5000, 1, ATTR_CONT, GPAGE(DATA),
		 8192, PC, 0, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"contiguous MMIO", 100, 1, ATTR_CONT, BAD_MMIO, 100, PC, 0,
		 NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"contiguous read-only", 100, 1, ATTR_CONT, BAD_READ_ONLY, 100,
		 PC, 0, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"cookie 0", 0x1000, 1, ATTR_NC, LIST, 0x1000, 0, 1, NO_BAD,
		 NO_FAIL, TEEMED_REFUSED_PARAM},
		{"registered buffer's cookie", 0x1000, 1, ATTR_NC, LIST, 0x1000,
		 0xc1, 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_PARAM},
		{"RPC buffer's cookie", 0x1000, 1, ATTR_NC, LIST, 0x1000, RC, 1,
		 NO_BAD, NO_FAIL, TEEMED_REFUSED_PARAM},
		{"live payload's cookie", 0x1000, 1, ATTR_NC, LIST, 0x1000, PC2,
		 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_PARAM},
		{"size 0", 0, 1, ATTR_NC, LIST, 0, PC, 1, NO_BAD, NO_FAIL,
		 TEEMED_REFUSED_PARAM},
		{"size wraps", 0x1000, 1, ATTR_NC, LIST | 0x100, UINT64_MAX, PC,
		 1, NO_BAD, NO_FAIL, TEEMED_REFUSED_PARAM},
		{"more pages than the quota", 0x1000, 1, ATTR_NC, LIST,
		 (uint64_t)(TEEMED_DEFAULT_PINNED_PAGES + 1) * MOCK_PAGE, PC, 1,
		 NO_BAD, NO_FAIL, TEEMED_REFUSED_QUOTA},
		{"entry misaligned", 0x3000, 1, ATTR_NC, LIST, 0x3000, PC, 3, 2,
		 GPAGE(DATA + 2) | 0x8, NO_FAIL, TEEMED_REFUSED_RPC},
		{"entry unmapped", 0x3000, 1, ATTR_NC, LIST, 0x3000, PC, 3, 1,
		 BAD_UNMAPPED, NO_FAIL, TEEMED_REFUSED_RPC},
		{"entry MMIO", 0x3000, 1, ATTR_NC, LIST, 0x3000, PC, 3, 2,
		 BAD_MMIO, NO_FAIL, TEEMED_REFUSED_RPC},
		{"entry read-only", 0x3000, 1, ATTR_NC, LIST, 0x3000, PC, 3, 2,
		 BAD_READ_ONLY, NO_FAIL, TEEMED_REFUSED_RPC},
		{"entry outside the guest", 0x3000, 1, ATTR_NC, LIST, 0x3000,
		 PC, 3, 0, GPAGE(MOCK_GUEST_PAGES + 5), NO_FAIL,
		 TEEMED_REFUSED_RPC},
		{"list page unmapped", 0x1000, 1, ATTR_NC, BAD_UNMAPPED, 0x1000,
		 PC, 0, NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"list page MMIO", 0x1000, 1, ATTR_NC, BAD_MMIO, 0x1000, PC, 0,
		 NO_BAD, NO_FAIL, TEEMED_REFUSED_RPC},
		{"list at IPA 0", 0x1000, 1, ATTR_NC, 0, 0x1000, PC, 0, NO_BAD,
		 NO_FAIL, TEEMED_REFUSED_RPC},
		{"next list page misaligned", 0x1000, 1, ATTR_NC, LIST,
		 600 * (uint64_t)MOCK_PAGE, PC, 600,
		 OPTEE_MSG_PAGELIST_NEXT_SLOT, GPAGE(4) | 0x20, NO_FAIL,
		 TEEMED_REFUSED_RPC},
		{"next list page unmapped", 0x1000, 1, ATTR_NC, LIST,
		 600 * (uint64_t)MOCK_PAGE, PC, 600,
		 OPTEE_MSG_PAGELIST_NEXT_SLOT, BAD_UNMAPPED, NO_FAIL,
		 TEEMED_REFUSED_RPC},
		{"no mediator page for the list", 0x3000, 1, ATTR_NC, LIST,
		 0x3000, PC, 3, NO_BAD, 0, -1, TEEMED_REFUSED_NOMEM},
		{"no mediator page for the second list page", 0x1000, 1,
		 ATTR_NC, LIST, 600 * (uint64_t)MOCK_PAGE, PC, 600, NO_BAD, 1,
		 -1, TEEMED_REFUSED_NOMEM},
		{"no object", 0x1000, 1, ATTR_NC, LIST, 0x1000, PC, 1, NO_BAD,
		 -1, 0, TEEMED_REFUSED_NOMEM},
	};
	uint32_t med, objs;

	register_buffer(16, 2, 0xc1);
	cache_rpc_buffer(RPC_IPA, RC);
	make_payload(700, 1, PC2);
	make_bad_pages();
	med = mock.med_pages;
	objs = mock.objs;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct reply_case *k = &cases[i];
		struct teemed_vm_stats before, after;
		struct teemed_regs r;
		uint32_t tid;

		print_message("case: %s\n", k->what);
		/* KERNEL: the reply overwrites the guest's copy of the type. */
		tid = start_shm_alloc(KERNEL, k->asked, &r);
		mock_fill_list_range(0, LIST, DATA, k->pages);
		if (k->bad_slot >= 0)
			((uint64_t *)mock_guest_ptr(0, LIST))[k->bad_slot] =
				k->bad_value;
		reply(TEEC_SUCCESS, k->n, k->attr, k->buf_ptr, k->size,
		      k->cookie);
		before = stats();
		mock.page_fail_after = k->page_fail;
		mock.obj_fail_after = k->obj_fail;
		if (k->n == 1 && k->cookie)
			refused_with_free(tid, KERNEL, k->cookie, &r);
		else
			refused_plain(tid, &r);
		mock.page_fail_after = -1;
		mock.obj_fail_after = -1;
		after = stats();
		for (int j = 0; j < TEEMED_REFUSED_COUNT; j++)
			assert_int_equal(after.refused[j],
					 before.refused[j] +
						 (j == (int)k->why));
		assert_int_equal(after.buffers, 2);
		assert_int_equal(after.rpc_buffers, 1);
		assert_int_equal(after.pinned_pages, 3);
		assert_int_equal(after.calls, 0);
		assert_int_equal(mock.pins, 3);
		assert_int_equal(mock.med_pages, med);
		assert_int_equal(mock.objs, objs);
	}
	/* No refused cookie stayed live; the live ones are intact. */
	make_payload(0, 3, PC);
	assert_int_equal(mock.pins, 6);
	mock.sw = mock_fake_optee;
	assert_int_equal(mock_unregister(0, GPAGE(1), 0xc1), TEEC_SUCCESS);
	assert_int_equal(mock.pins, 4);
}

/*
 * Quotas: pinned pages (per buffer and in total) and buffers, shared
 * with registered buffers; refusals leave the counters as they were.
 */
static void test_reply_quotas(void **state)
{
	struct teemed_quota q = {.pinned_pages = 8, .buffers = 2};
	struct teemed_vm_stats s;
	struct teemed_regs r;
	uint32_t tid;

	mock_reset();
	mock_start(4096, &q);
	register_buffer(16, 3, 0xc1);
	cache_rpc_buffer(RPC_IPA, RC);

	tid = start_shm_alloc(APPL, 6 * MOCK_PAGE, &r);
	mock_fill_list_range(0, LIST, DATA, 6);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST, 6 * MOCK_PAGE, PC);
	refused_with_free(tid, APPL, PC, &r);
	tid = start_shm_alloc(APPL, 9 * MOCK_PAGE, &r);
	mock_fill_list_range(0, LIST, DATA, 9);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST, 9 * MOCK_PAGE, PC);
	refused_with_free(tid, APPL, PC, &r);
	s = stats();
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 2);
	assert_int_equal(s.pinned_pages, 3);
	assert_int_equal(s.pinned_pages_peak, 3);

	make_payload(0, 2, PC);
	tid = start_shm_alloc(APPL, 0x10, &r);
	reply(TEEC_SUCCESS, 1, ATTR_CONT, GPAGE(DATA + 10), 0x10, PC2);
	refused_with_free(tid, APPL, PC2, &r);
	s = stats();
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 3);
	assert_int_equal(s.buffers, 2);
	assert_int_equal(s.buffers_peak, 2);
	assert_int_equal(s.pinned_pages, 5);
	assert_int_equal(s.pinned_pages_peak, 5);
	assert_int_equal(mock.pins, 5);
}

/* The instance-wide cap on pinned pages holds for payloads too. */
static void test_reply_global_pinned_cap(void **state)
{
	struct teemed_config cfg = mock_config(4096, NULL);
	struct teemed_regs r;
	uint32_t tid;

	mock_reset();
	cfg.global_pinned_pages = 4;
	mock_start_cfg(&cfg, 2);
	cache_rpc_buffer(RPC_IPA, RC);
	make_payload(0, 3, PC);
	tid = start_shm_alloc(APPL, 2 * MOCK_PAGE, &r);
	mock_fill_list_range(0, LIST, DATA + 3, 2);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST, 2 * MOCK_PAGE, PC2);
	refused_with_free(tid, APPL, PC2, &r);
	assert_int_equal(stats().refused[TEEMED_REFUSED_QUOTA], 1);
	assert_int_equal(mock.pins, 3);
	make_payload(3, 1, PC2);
	assert_int_equal(mock.pins, 4);
}

/* The mediator pages a shadow list needs count against the VM. */
static void test_reply_mediator_quota(void **state)
{
	/* Four call slots, the RPC buffer and one list page. */
	struct teemed_quota q = {.mediator_pages = 6};
	struct teemed_regs r;
	uint32_t tid;

	mock_reset();
	mock_start(4096, &q);
	cache_rpc_buffer(RPC_IPA, RC);
	make_payload(0, 2, PC);
	tid = start_shm_alloc(APPL, 0x10, &r);
	reply(TEEC_SUCCESS, 1, ATTR_CONT, GPAGE(DATA + 5), 0x10, PC2);
	refused_with_free(tid, APPL, PC2, &r);
	assert_int_equal(stats().refused[TEEMED_REFUSED_QUOTA], 1);
	/* The call is over: its shadow went back; the RPC buffer and the
	   payload's list page stay. */
	assert_int_equal(stats().mediator_pages, 2);
	assert_int_equal(mock.pins, 2);
}

static uint32_t pins_now(void)
{
	return mock.pins;
}

/* Checks the payload while OP-TEE reads it, before its SHM_FREE. */
static bool payload_checked;

static void check_payload_of_30(struct teemed_regs *r)
{
	assert_payload_seen(0x80, 30 * MOCK_PAGE - 0x80, PC, DATA, 30);
	payload_checked = true;
}

/*
 * step_pages = 8: a 30-page reply is translated across SMCs, the call
 * parked in CALL_PAUSED_RPC behind FOREIGN_INTR, at most 8 pins per
 * SMC, OP-TEE resumed only once the list is whole. OP-TEE's SHM_FREE
 * then has the pages released 8 per SMC, over the SMCs that follow.
 */
static void test_long_reply_paused(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;
	uint32_t tid, pauses = 0, before, drains = 0;
	uint64_t sw;

	mock_reset();
	mock_start(8, NULL);
	cache_rpc_buffer(RPC_IPA, RC);
	tid = start_shm_alloc(APPL, 30 * MOCK_PAGE - 0x80, &r);
	mock_fill_list_range(0, LIST, DATA, 30);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST | 0x80, 30 * MOCK_PAGE - 0x80, PC);
	sw = mock.sw_count;
	mock.rpc.seen_valid = false;
	post_request(OPTEE_RPC_CMD_SHM_FREE, APPL, PC, 0);
	expect_smc(RFR, 0, 0, OTID, 0, 0, 0, CLIENT0);
	will_answer(OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID);
	before = pins_now();
	payload_checked = false;
	mock.sw_hook = check_payload_of_30;
	mock_resume_regs(0, tid, 0, 0, 0, 0, &r);
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) {
		assert_answer(&r, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, tid);
		assert_int_equal(fx.vm[0]->calls[tid]->state, CALL_PAUSED_RPC);
		assert_int_equal(pins_now() - before, 8);
		assert_int_equal(mock.sw_count, sw);
		before = pins_now();
		/* Only the paused call can be resumed. */
		{
			struct teemed_regs e;

			mock_resume(0, tid + 1, &e);
			assert_int_equal(e.a[0], OPTEE_SMC_RETURN_ERESUME);
		}
		pauses++;
		mock_resume_regs(0, tid, 0, 0, 0, 0, &r);
	}
	assert_int_equal(pauses, 3);
	assert_int_equal(mock.sw_count, sw + 1);
	assert_true(payload_checked);
	mock.sw_hook = NULL;
	/* 6 pins, then SHM_FREE: 2 unpins with what the step had left. */
	assert_request(&r, tid, OPTEE_RPC_CMD_SHM_FREE, APPL, PC, 0);
	assert_int_equal(pins_now(), 28 + 1); /* + the argument page */
	assert_int_equal(stats().buffers, 0);

	mock_guest_arg(0, RPC_IPA)->ret = TEEC_SUCCESS;
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_int_equal(mock_rpc_seen()->ret, TEEC_SUCCESS);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(pins_now(), 20);
	while (pins_now()) {
		memset(&r, 0, sizeof(r));
		r.a[0] = OPTEE_SMC_GET_THREAD_COUNT;
		before = pins_now();
		assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
		assert_true(before - pins_now() <= 8);
		assert_true(before - pins_now() > 0);
		drains++;
	}
	assert_int_equal(drains, 3);
	s = stats();
	assert_int_equal(s.max_pages_per_smc, 8);
	assert_int_equal(s.pinned_pages, 0);
	assert_int_equal(s.pinned_pages_peak, 30);
	assert_int_equal(s.buffers_peak, 1);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages + 1);
}

/*
 * A fault half-way through a paused translation: the pins taken so far
 * are released within the budget, the guest frees its buffer, OP-TEE
 * reads OUT_OF_MEMORY and never saw the list.
 */
static void test_long_reply_fault_while_paused(void **state)
{
	struct teemed_regs r;
	uint32_t tid, before, n = 0;
	uint64_t sw;

	mock_reset();
	mock_start(8, NULL);
	cache_rpc_buffer(RPC_IPA, RC);
	tid = start_shm_alloc(APPL, 30 * MOCK_PAGE, &r);
	mock_fill_list_range(0, LIST, DATA, 30);
	((uint64_t *)mock_guest_ptr(0, LIST))[20] = GPAGE(21);
	mock_ipa_set(0, GPAGE(21), MOCK_IPA_MMIO);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST, 30 * MOCK_PAGE, PC);
	sw = mock.sw_count;
	before = pins_now();
	mock_resume_regs(0, tid, 0, 0, 0, 0, &r);
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) {
		assert_true(pins_now() - before <= 8);
		before = pins_now();
		assert_true(++n < 10);
		mock_resume_regs(0, tid, 0, 0, 0, 0, &r);
	}
	assert_int_equal(n, 2);
	assert_int_equal(mock.sw_count, sw);
	/* 4 pins then the fault: 4 of the 20 released in this SMC. */
	assert_int_equal(pins_now(), 16 + 1); /* + the argument page */
	assert_request(&r, tid, OPTEE_RPC_CMD_SHM_FREE, APPL, PC, 0);
	assert_int_equal(stats().buffers, 0);
	assert_int_equal(stats().refused[TEEMED_REFUSED_RPC], 1);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_int_equal(mock_rpc_seen()->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(pins_now(), 8);
	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_GET_THREAD_COUNT;
	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	assert_int_equal(pins_now(), 0);
	assert_true(stats().max_pages_per_smc <= 8);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages + 1);
}

/*
 * SHM_FREE: releases the payload it names (full 64-bit cookie) and is
 * forwarded; naming anything else (a registered buffer, the RPC buffer,
 * an unknown cookie, another upper half) releases nothing.
 */
static void test_shm_free(void **state)
{
	static const uint64_t others[] = {0xc1, RC, PC ^ (1ull << 40), 0x42, 0};
	struct teemed_regs r;
	uint32_t tid;

	register_buffer(16, 2, 0xc1);
	cache_rpc_buffer(RPC_IPA, RC);
	make_payload(0, 3, PC);
	assert_int_equal(mock.pins, 5);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		post_request(OPTEE_RPC_CMD_SHM_FREE, APPL, others[i], 0);
		start_call(OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
		tid = (uint32_t)r.a[3];
		assert_request(&r, tid, OPTEE_RPC_CMD_SHM_FREE, APPL, others[i],
			       0);
		resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
		assert_int_equal(mock.pins, 5);
		assert_int_equal(stats().buffers, 2);
		assert_int_equal(stats().rpc_buffers, 1);
	}
	post_request(OPTEE_RPC_CMD_SHM_FREE, APPL, PC, 0);
	start_call(OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	tid = (uint32_t)r.a[3];
	assert_request(&r, tid, OPTEE_RPC_CMD_SHM_FREE, APPL, PC, 0);
	assert_int_equal(mock.pins, 2 + 1); /* + the argument page */
	assert_int_equal(stats().buffers, 1);
	assert_int_equal(stats().buffers_peak, 2);
	mock_guest_arg(0, RPC_IPA)->ret = TEEC_SUCCESS;
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_int_equal(mock_rpc_seen()->ret, TEEC_SUCCESS);
	/* Twice: OP-TEE's second SHM_FREE finds nothing. */
	post_request(OPTEE_RPC_CMD_SHM_FREE, APPL, PC, 0);
	start_call(OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	resume_bare((uint32_t)r.a[3], OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_int_equal(mock.pins, 2);
	/* The RPC argument's shadow; the registered buffer is packed. */
	assert_int_equal(mock.med_pages, fx.baseline_med_pages + 1);
	/* The cookie may be used again. */
	make_payload(5, 1, PC);
	assert_int_equal(mock.pins, 3);
}

/*
 * Teardown with a live payload, one queued for release and one whose
 * translation is paused: OP-TEE forgets the VM first, then every pin,
 * list page and RPC buffer goes, step by step.
 */
static void test_teardown_with_payloads(void **state)
{
	struct teemed_regs r;
	uint32_t tid, steps;

	mock_reset();
	mock_start(8, NULL);
	cache_rpc_buffer(RPC_IPA, RC);
	mock_fill_list_range(0, LIST, DATA, 20);
	tid = start_shm_alloc(APPL, 20 * MOCK_PAGE, &r);
	reply(TEEC_SUCCESS, 1, ATTR_NC, LIST, 20 * MOCK_PAGE, PC);
	expect_smc(RFR, 0, 0, OTID, 0, 0, 0, CLIENT0);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	mock_resume_regs(0, tid, 0, 0, 0, 0, &r);
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR)
		mock_resume_regs(0, tid, 0, 0, 0, 0, &r);
	assert_int_equal(mock.pins, 20);
	/* SHM_FREE of PC: 8 of its 20 pages go in that SMC. */
	post_request(OPTEE_RPC_CMD_SHM_FREE, APPL, PC, 0);
	start_call(OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	tid = (uint32_t)r.a[3];
	assert_int_equal(mock.pins, 12 + 1); /* + the argument page */
	/* That call then asks for a 20-page payload, left paused. */
	post_request(OPTEE_RPC_CMD_SHM_ALLOC, APPL, 20 * MOCK_PAGE, 8);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	assert_int_equal(mock.pins, 4 + 1);
	mock_fill_list_range(0, GPAGE(5), DATA + 100, 20);
	reply(TEEC_SUCCESS, 1, ATTR_NC, GPAGE(5), 20 * MOCK_PAGE, PC2);
	mock_resume_regs(0, tid, 0, 0, 0, 0, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, tid);
	/* 8 pins, and no budget left to drain the queue in that SMC. */
	assert_int_equal(mock.pins, 12 + 1);
	assert_int_equal(fx.vm[0]->calls[tid]->state, CALL_PAUSED_RPC);
	assert_int_equal(stats().buffers, 1);
	assert_int_equal(stats().rpc_buffers, 1);

	assert_int_equal(mock_destroy_vm(0, &steps), TEEMED_OK);
	assert_int_equal(mock.pins_at_destroyed, 12 + 1);
	assert_true(steps > 1);
	mock_stop();
}

#define T(f) cmocka_unit_test_setup_teardown(f, mock_setup, mock_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_noncontig_translated),
		T(test_contiguous_converted),
		T(test_guest_allocation_failed),
		T(test_reply_refusals),
		T(test_reply_quotas),
		T(test_reply_global_pinned_cap),
		T(test_reply_mediator_quota),
		T(test_long_reply_paused),
		T(test_long_reply_fault_while_paused),
		T(test_shm_free),
		T(test_teardown_with_payloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
