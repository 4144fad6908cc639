/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RPC argument buffers (spec §2.13, §2.21, §5.3, §5.6, §6.2-§6.5):
 * RPC_ALLOC shadowed by a mediator page, RPC_FREE released only once
 * OP-TEE has been resumed, RPC_CMD copied out and back field by field,
 * DISABLE_SHM_CACHE, and teardown. The secure world is scripted
 * register by register; mock_sw_scripted plays OP-TEE's reads and
 * writes of the RPC buffer inside each SMC.
 */
#include "rpc_script.h"

#include <string.h>

/*
 * RPC_ALLOC: the size (low half only) and the guest-visible thread id
 * reach the guest; OP-TEE gets a mediator page and the guest's cookie;
 * nothing of the guest is pinned for it, and the buffer outlives the
 * call (§5.6).
 */
static void test_alloc_shadowed(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;
	uint32_t tid;
	uint64_t pa;

	start_call(OPTEE_SMC_RETURN_RPC_ALLOC, NOISE | 160, 0x9abc, OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_ALLOC, 160, 0, 0);
	tid = (uint32_t)r.a[3];
	assert_int_equal(stats().calls, 1);
	pa = give_page(tid, RPC_IPA, RC, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_true(mock_pa_is_mediator(pa));
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages + 1);
	s = stats();
	assert_int_equal(s.rpc_buffers, 1);
	assert_int_equal(s.rpc_buffers_peak, 1);
	assert_int_equal(s.buffers, 0);
	assert_int_equal(s.calls, 0);
	/* The call's shadow is the instance's, not counted for the VM. */
	assert_int_equal(s.mediator_pages, s.mediator_pages_peak);
	for (int i = 0; i < TEEMED_REFUSED_COUNT; i++)
		assert_int_equal(s.refused[i], 0);
}

/*
 * What OP-TEE gets instead of a page: never PA 0, which is RAM on boards
 * whose DRAM starts there, but an address OP-TEE's alignment check in
 * thread_rpc_alloc_arg() refuses before mapping anything.
 */
#define NO_PA UINT64_MAX

/* IPA 0: the guest's allocation failed, and OP-TEE is told so. */
static void test_alloc_ipa_zero(void **state)
{
	struct teemed_regs r;
	uint32_t tid = start_alloc(160, &r);
	struct teemed_vm_stats s;

	expect_smc(RFR, HI(NO_PA), LO(NO_PA), OTID, 0, 0, 0, CLIENT0);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	mock_resume_regs(0, tid, NOISE, NOISE, HI(RC), LO(RC), &r);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	s = stats();
	assert_int_equal(s.rpc_buffers, 0);
	assert_int_equal(s.rpc_buffers_peak, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	assert_int_equal(mock.objs, fx.baseline_objs);
}

struct alloc_case {
	const char *what;
	uint64_t size; /* OP-TEE's a1 */
	uint64_t ipa;
	uint64_t cookie;
	int32_t page_fail; /* mock.page_fail_after during the answer */
	int32_t obj_fail;
	enum teemed_refusal why;
};

/*
 * A refused answer to RPC_ALLOC: OP-TEE gets NO_PA and the
 * guest's cookie (low halves), so that its RPC_FREE of that cookie
 * (§6.2) reaches the guest, which gets its page back. That RPC_FREE
 * must not release a live RPC buffer that happens to share the cookie.
 */
static void refused_answer(uint32_t tid, uint64_t ipa, uint64_t cookie,
			   struct teemed_regs *r)
{
	expect_smc(RFR, HI(NO_PA), LO(NO_PA), OTID, HI(cookie), LO(cookie), 0,
		   CLIENT0);
	if (cookie) {
		will_answer(OPTEE_SMC_RETURN_RPC_FREE, HI(cookie), LO(cookie),
			    OTID);
	} else {
		will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	}
	mock_resume_regs(0, tid, NOISE | HI(ipa), NOISE | LO(ipa),
			 NOISE | HI(cookie), NOISE | LO(cookie), r);
	if (!cookie)
		return;
	assert_answer(r, OPTEE_SMC_RETURN_RPC_FREE, HI(cookie), LO(cookie),
		      tid);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, r);
}

/*
 * Every refused answer to RPC_ALLOC: OP-TEE gets no page, the refusal
 * is counted, nothing stays allocated or pinned, and no live buffer is
 * touched.
 */
static void test_alloc_refusals(void **state)
{
	static const struct alloc_case cases[] = {
		{"misaligned", 160, GPAGE(9) | 0x10, RC, -1, -1,
		 TEEMED_REFUSED_RPC},
		{"misaligned by 8", 160, GPAGE(9) | 0x8, RC, -1, -1,
		 TEEMED_REFUSED_RPC},
		{"unmapped", 160, BAD_UNMAPPED, RC, -1, -1, TEEMED_REFUSED_RPC},
		{"MMIO", 160, BAD_MMIO, RC, -1, -1, TEEMED_REFUSED_RPC},
		{"read-only", 160, BAD_READ_ONLY, RC, -1, -1,
		 TEEMED_REFUSED_RPC},
		{"outside the guest", 160, GPAGE(MOCK_GUEST_PAGES), RC, -1, -1,
		 TEEMED_REFUSED_RPC},
		{"upper half set", 160, (1ull << 32) | GPAGE(9), RC, -1, -1,
		 TEEMED_REFUSED_RPC},
		{"more than a page asked", 4097, GPAGE(9), RC, -1, -1,
		 TEEMED_REFUSED_RPC},
		{"cookie 0", 160, GPAGE(9), 0, -1, -1, TEEMED_REFUSED_PARAM},
		{"registered buffer's cookie", 160, GPAGE(9), 0xc1, -1, -1,
		 TEEMED_REFUSED_PARAM},
		{"live RPC buffer's cookie", 160, GPAGE(9), RC2, -1, -1,
		 TEEMED_REFUSED_PARAM},
		{"live RPC buffer's own page and cookie", 160, GPAGE(10), RC2,
		 -1, -1, TEEMED_REFUSED_PARAM},
		{"alloc_page fails", 160, GPAGE(9), RC, 0, -1,
		 TEEMED_REFUSED_NOMEM},
		{"alloc_obj fails", 160, GPAGE(9), RC, -1, 0,
		 TEEMED_REFUSED_NOMEM},
	};
	uint64_t live;
	uint32_t med, objs;

	register_buffer(16, 2, 0xc1);
	live = cache_rpc_buffer(GPAGE(10), RC2);
	make_bad_pages();
	med = mock.med_pages;
	objs = mock.objs;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct alloc_case *k = &cases[i];
		struct teemed_vm_stats before, after;
		struct teemed_regs r;
		uint32_t tid;

		print_message("case: %s\n", k->what);
		tid = start_alloc(k->size, &r);
		before = stats();
		mock.page_fail_after = k->page_fail;
		mock.obj_fail_after = k->obj_fail;
		refused_answer(tid, k->ipa, k->cookie, &r);
		mock.page_fail_after = -1;
		mock.obj_fail_after = -1;
		assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
		after = stats();
		for (int j = 0; j < TEEMED_REFUSED_COUNT; j++)
			assert_int_equal(after.refused[j],
					 before.refused[j] +
						 (j == (int)k->why));
		assert_int_equal(after.rpc_buffers, 1);
		assert_int_equal(after.rpc_buffers_peak, 1);
		assert_int_equal(after.buffers, 1);
		assert_int_equal(after.calls, 0);
		assert_true(mock_pa_is_mediator(live));
		assert_int_equal(mock.pins, 2);
		assert_int_equal(mock.med_pages, med);
		assert_int_equal(mock.objs, objs);
	}
	/* The refusals took nothing from the buffers that were live. */
	disable_cache_returns(RC2);
	assert_false(mock_pa_is_mediator(live));
	mock.sw = mock_fake_optee;
	assert_int_equal(mock_unregister(0, GPAGE(1), 0xc1), TEEC_SUCCESS);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
}

/* rpc_buffers: the quota holds; a released buffer makes room. */
static void test_alloc_rpc_buffers_quota(void **state)
{
	struct teemed_quota q = {.rpc_buffers = 2};
	struct teemed_vm_stats s;
	struct teemed_regs r;
	uint32_t tid;

	mock_reset();
	mock_start(4096, &q);
	cache_rpc_buffer(GPAGE(9), RC);
	cache_rpc_buffer(GPAGE(10), RC2);
	tid = start_alloc(160, &r);
	refused_answer(tid, GPAGE(11), 0x3, &r);
	s = stats();
	assert_int_equal(s.rpc_buffers, 2);
	assert_int_equal(s.rpc_buffers_peak, 2);
	assert_int_equal(s.refused[TEEMED_REFUSED_QUOTA], 1);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages + 2);

	/* DISABLE_SHM_CACHE hands RC back: there is room again. */
	disable_cache_returns(RC);
	assert_int_equal(stats().rpc_buffers, 1);
	cache_rpc_buffer(GPAGE(11), 0x3);
	s = stats();
	assert_int_equal(s.rpc_buffers, 2);
	assert_int_equal(s.rpc_buffers_peak, 2);
}

/* The mediator-page quota covers RPC buffers too. */
static void test_alloc_mediator_pages_quota(void **state)
{
	struct teemed_quota q = {.mediator_pages = 5};
	struct teemed_regs r;
	uint32_t tid;

	mock_reset();
	mock_start(4096, &q);
	/* Four call slots reserve a shadow argument page each, taken only
	   while a call uses the slot. */
	assert_int_equal(stats().mediator_pages, 0);
	cache_rpc_buffer(GPAGE(9), RC);
	tid = start_alloc(160, &r);
	refused_answer(tid, GPAGE(10), RC2, &r);
	assert_int_equal(stats().refused[TEEMED_REFUSED_QUOTA], 1);
	assert_int_equal(stats().rpc_buffers, 1);
	/* The RPC buffer; the call's shadow went back with its end. */
	assert_int_equal(stats().mediator_pages, 1);
}

/*
 * RPC_FREE: forwarded with the cookie; the mediator page is still the
 * mediator's while OP-TEE runs the resume (it may touch it until then,
 * §5.3) and is freed once OP-TEE has been resumed.
 */
static void test_free_after_resume(void **state)
{
	struct teemed_regs r;
	struct teemed_vm_stats s;
	uint32_t tid = start_alloc(160, &r);
	uint64_t pa;

	pa = give_page(tid, RPC_IPA, RC, OPTEE_SMC_RETURN_RPC_FREE,
		       NOISE | HI(RC), NOISE | LO(RC), OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_FREE, HI(RC), LO(RC), tid);
	assert_true(mock_pa_is_mediator(pa));
	assert_int_equal(stats().rpc_buffers, 1);

	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_true(mock.rpc.seen_valid);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_false(mock_pa_is_mediator(pa));
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	assert_int_equal(mock.objs, fx.baseline_objs);
	s = stats();
	assert_int_equal(s.rpc_buffers, 0);
	assert_int_equal(s.rpc_buffers_peak, 1);
	/* The cookie is free again. */
	cache_rpc_buffer(RPC_IPA, RC);
	assert_int_equal(stats().rpc_buffers, 1);
}

/*
 * RPC_FREE naming no RPC buffer of the VM (unknown, or a registered
 * buffer's cookie) is forwarded but releases nothing.
 */
static void test_free_foreign_cookie(void **state)
{
	static const uint64_t cookies[] = {RC + 1, RC ^ (1ull << 32), 0xc1, 0};
	struct teemed_regs r;
	uint32_t tid;

	register_buffer(16, 2, 0xc1);
	cache_rpc_buffer(RPC_IPA, RC);
	tid = start_alloc(160, &r);
	give_page(tid, GPAGE(10), RC2, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0,
		  OTID, &r);
	for (size_t i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
		resume_bare(tid, OPTEE_SMC_RETURN_RPC_FREE, HI(cookies[i]),
			    LO(cookies[i]), OTID, &r);
		assert_answer(&r, OPTEE_SMC_RETURN_RPC_FREE, HI(cookies[i]),
			      LO(cookies[i]), tid);
		resume_bare(tid, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, OTID,
			    &r);
		assert_int_equal(stats().rpc_buffers, 2);
		assert_int_equal(stats().buffers, 1);
		assert_int_equal(mock.pins, 2 + 1); /* + the argument page */
	}
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	/* The registered buffer packed its PAs and gave its list page back. */
	assert_int_equal(mock.med_pages, fx.baseline_med_pages + 2);
	mock.sw = mock_fake_optee;
	assert_int_equal(mock_unregister(0, GPAGE(1), 0xc1), TEEC_SUCCESS);
}

/*
 * RPC_CMD: OP-TEE's request goes to the guest's page (a tmem buf_ptr,
 * a PA, excepted); of the guest's answer only ret, value a/b/c of
 * value outputs and the size of memref outputs come back (§6.4), so a
 * guest rewriting cmd, num_params, attrs, buf_ptr, offs or shm_ref
 * changes nothing OP-TEE reads.
 */
static void test_cmd_copied_field_by_field(void **state)
{
	union {
		struct optee_msg_arg arg;
		uint8_t b[MOCK_RPC_MSG_SIZE];
	} req, want;
	struct optee_msg_arg *g = mock_guest_arg(0, RPC_IPA);
	uint8_t *gb = (uint8_t *)g;
	const uint64_t pa = MOCK_PA_BASE + 0x1234000;
	struct teemed_regs r;
	uint32_t tid;

	memset(g, 0x5a, MOCK_PAGE);
	request(&req.arg, OPTEE_RPC_CMD_FS, 4);
	req.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	req.arg.params[0].u.value.a = 1;
	req.arg.params[0].u.value.b = 2;
	req.arg.params[0].u.value.c = 3;
	req.arg.params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	req.arg.params[1].u.value.a = 4;
	req.arg.params[1].u.value.b = 5;
	req.arg.params[1].u.value.c = 6;
	mock_set_tmem(&req.arg.params[2], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, pa,
		      0x100, 0x99);
	mock_set_rmem(&req.arg.params[3], OPTEE_MSG_ATTR_TYPE_RMEM_INOUT, 0x10,
		      0x20, 0xabc);

	tid = start_alloc(160, &r);
	mock_rpc_post(&req.arg);
	give_page(tid, RPC_IPA, RC, OPTEE_SMC_RETURN_RPC_CMD, NOISE | HI(RC),
		  LO(RC), OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), tid);
	want = req;
	want.arg.params[2].u.tmem.buf_ptr = 0;
	assert_memory_equal(g, want.b, MOCK_RPC_MSG_SIZE);
	for (uint32_t i = MOCK_RPC_MSG_SIZE; i < MOCK_PAGE; i++)
		assert_int_equal(gb[i], 0x5a);

	/* The guest answers, scribbling over every byte of the message. */
	memset(g, 0xee, MOCK_RPC_MSG_SIZE);
	g->ret = 0x1234;
	want.arg.ret = 0x1234;
	want.arg.params[1].u.value.a = 0xeeeeeeeeeeeeeeeeull;
	want.arg.params[1].u.value.b = 0xeeeeeeeeeeeeeeeeull;
	want.arg.params[1].u.value.c = 0xeeeeeeeeeeeeeeeeull;
	want.arg.params[2].u.tmem.buf_ptr = pa;
	want.arg.params[2].u.tmem.size = 0xeeeeeeeeeeeeeeeeull;
	want.arg.params[3].u.rmem.size = 0xeeeeeeeeeeeeeeeeull;

	/* OP-TEE then asks again: value output, memref inputs. */
	request(&req.arg, OPTEE_RPC_CMD_SOCKET, 3);
	req.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	req.arg.params[0].u.value.a = 7;
	mock_set_rmem(&req.arg.params[1], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0x30,
		      0x40, 0xabc);
	mock_set_tmem(&req.arg.params[2], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, 0,
		      0x50, 0);
	mock_rpc_post(&req.arg);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	assert_memory_equal(mock_rpc_seen(), want.b, MOCK_RPC_MSG_SIZE);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), tid);
	/* Only the request's own size is written: the rest keeps 0xee. */
	assert_memory_equal(g, req.b, OPTEE_MSG_GET_ARG_SIZE(3));
	for (uint32_t i = OPTEE_MSG_GET_ARG_SIZE(3); i < MOCK_RPC_MSG_SIZE; i++)
		assert_int_equal(gb[i], 0xee);

	memset(g, 0x11, MOCK_RPC_MSG_SIZE);
	g->ret = TEEC_SUCCESS;
	want = req;
	want.arg.ret = TEEC_SUCCESS;
	want.arg.params[0].u.value.a = 0x1111111111111111ull;
	want.arg.params[0].u.value.b = 0x1111111111111111ull;
	want.arg.params[0].u.value.c = 0x1111111111111111ull;
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_memory_equal(mock_rpc_seen(), want.b, MOCK_RPC_MSG_SIZE);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(stats().rpc_buffers, 1);
}

/*
 * BENCH_REG carries a PA (§6.5): never forwarded; the guest sees a bare
 * FOREIGN_INTR and OP-TEE gets NOT_SUPPORTED. A request with more than
 * four parameters cannot be an RPC message: it stays unanswered.
 */
static void test_cmd_not_forwarded(void **state)
{
	struct optee_msg_arg *g = mock_guest_arg(0, RPC_IPA);
	uint8_t before[MOCK_PAGE];
	union {
		struct optee_msg_arg arg;
		uint8_t b[MOCK_RPC_MSG_SIZE];
	} m;
	struct teemed_regs r;
	uint32_t tid;

	tid = start_alloc(160, &r);
	give_page(tid, RPC_IPA, RC, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0,
		  OTID, &r);
	request(&m.arg, OPTEE_RPC_CMD_BENCH_REG, 1);
	m.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m.arg.params[0].u.value.a = 1;
	m.arg.params[0].u.value.b = MOCK_PA_BASE + 0x5000;
	m.arg.params[0].u.value.c = 0x1000;
	mock_rpc_post(&m.arg);
	memset(g, 0x5a, MOCK_PAGE);
	memcpy(before, g, MOCK_PAGE);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, tid);
	assert_memory_equal(g, before, MOCK_PAGE);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, OTID, &r);
	m.arg.ret = TEEC_ERROR_NOT_SUPPORTED;
	assert_memory_equal(mock_rpc_seen(), m.b, MOCK_RPC_MSG_SIZE);

	request(&m.arg, OPTEE_RPC_CMD_GET_TIME, 5);
	m.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	mock_rpc_post(&m.arg);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, tid);
	assert_memory_equal(g, before, MOCK_PAGE);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_memory_equal(mock_rpc_seen(), m.b, MOCK_RPC_MSG_SIZE);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
}

/*
 * RPC_CMD naming no RPC buffer of this VM (unknown, other upper half, a
 * registered buffer's cookie, 0): the guest sees a bare FOREIGN_INTR,
 * none of its memory changes, OP-TEE is resumed with nothing.
 */
static void test_cmd_unknown_cookie(void **state)
{
	static const uint64_t cookies[] = {RC + 1, RC ^ (1ull << 32), 0xc1, 0};
	struct optee_msg_arg *g = mock_guest_arg(0, RPC_IPA);
	uint8_t before[MOCK_PAGE], reg_before[MOCK_PAGE];
	union {
		struct optee_msg_arg arg;
		uint8_t b[MOCK_RPC_MSG_SIZE];
	} m;
	struct teemed_regs r;
	uint32_t tid;

	register_buffer(16, 1, 0xc1);
	memset(mock_guest_ptr(0, GPAGE(16)), 0x3c, MOCK_PAGE);
	memcpy(reg_before, mock_guest_ptr(0, GPAGE(16)), MOCK_PAGE);
	request(&m.arg, OPTEE_RPC_CMD_GET_TIME, 1);
	m.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	tid = start_alloc(160, &r);
	give_page(tid, RPC_IPA, RC, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0,
		  OTID, &r);
	memset(g, 0x5a, MOCK_PAGE);
	memcpy(before, g, MOCK_PAGE);
	for (size_t i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
		mock_rpc_post(&m.arg);
		resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, HI(cookies[i]),
			    LO(cookies[i]), OTID, &r);
		assert_answer(&r, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, tid);
		assert_memory_equal(g, before, MOCK_PAGE);
		assert_memory_equal(mock_guest_ptr(0, GPAGE(16)), reg_before,
				    MOCK_PAGE);
		resume_bare(tid, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, OTID,
			    &r);
		/* OP-TEE's request went unanswered. */
		assert_memory_equal(mock_rpc_seen(), m.b, MOCK_RPC_MSG_SIZE);
	}
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_int_equal(mock.pins, 1);
}

/*
 * The guest took its RPC page away: before the request (nothing is
 * forwarded) or before its answer (OP-TEE's request stays failed).
 */
static void test_cmd_guest_page_gone(void **state)
{
	union {
		struct optee_msg_arg arg;
		uint8_t b[MOCK_RPC_MSG_SIZE];
	} m;
	struct teemed_regs r;
	uint32_t tid;

	request(&m.arg, OPTEE_RPC_CMD_GET_TIME, 1);
	m.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	tid = start_alloc(160, &r);
	give_page(tid, RPC_IPA, RC, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0,
		  OTID, &r);

	mock_ipa_set(0, RPC_IPA, MOCK_IPA_UNMAPPED);
	mock_rpc_post(&m.arg);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, tid);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, OTID, &r);
	assert_memory_equal(mock_rpc_seen(), m.b, MOCK_RPC_MSG_SIZE);

	mock_ipa_set(0, RPC_IPA, MOCK_IPA_RAM);
	mock_rpc_post(&m.arg);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), tid);
	mock_guest_arg(0, RPC_IPA)->ret = TEEC_SUCCESS;
	mock_guest_arg(0, RPC_IPA)->params[0].u.value.a = 42;
	mock_ipa_set(0, RPC_IPA, MOCK_IPA_MMIO);
	resume_bare(tid, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);
	assert_memory_equal(mock_rpc_seen(), m.b, MOCK_RPC_MSG_SIZE);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	assert_int_equal(mock.pins, 0);
}

/*
 * DISABLE_SHM_CACHE (§2.13): a cookie OP-TEE hands back releases that
 * RPC buffer, whatever OP-TEE left in the upper half of a2; the guest
 * gets the cookie as two 32-bit halves. Cookies of other kinds, unknown
 * cookies and other answers release nothing.
 */
static void test_disable_shm_cache(void **state)
{
	struct teemed_regs r;
	uint64_t pa, pa2;

	register_buffer(16, 2, 0xc1);
	pa = cache_rpc_buffer(RPC_IPA, RC);
	pa2 = cache_rpc_buffer(GPAGE(10), RC2);
	assert_int_equal(stats().rpc_buffers, 2);

	disable_cache(OPTEE_SMC_RETURN_OK, HI(RC), RC, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], HI(RC));
	assert_int_equal(r.a[2], LO(RC));
	assert_false(mock_pa_is_mediator(pa));
	assert_true(mock_pa_is_mediator(pa2));
	assert_int_equal(stats().rpc_buffers, 1);
	assert_int_equal(stats().rpc_buffers_peak, 2);

	/* Again (OP-TEE already dropped it), unknown, registered, busy. */
	disable_cache(OPTEE_SMC_RETURN_OK, HI(RC), LO(RC), &r);
	disable_cache(OPTEE_SMC_RETURN_OK, 0, 0xc1, &r);
	assert_int_equal(r.a[2], 0xc1);
	disable_cache(OPTEE_SMC_RETURN_EBUSY, HI(RC2), LO(RC2), &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBUSY);
	disable_cache(OPTEE_SMC_RETURN_ENOTAVAIL, HI(RC2), LO(RC2), &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_true(mock_pa_is_mediator(pa2));
	assert_int_equal(stats().rpc_buffers, 1);
	assert_int_equal(stats().buffers, 1);
	assert_int_equal(mock.pins, 2);

	disable_cache(OPTEE_SMC_RETURN_OK, NOISE | HI(RC2), RC2, &r);
	assert_int_equal(r.a[1], HI(RC2));
	assert_int_equal(r.a[2], LO(RC2));
	assert_false(mock_pa_is_mediator(pa2));
	assert_int_equal(stats().rpc_buffers, 0);
	/* The registered buffer keeps no list page once registered. */
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
	mock.sw = mock_fake_optee;
	assert_int_equal(mock_unregister(0, GPAGE(1), 0xc1), TEEC_SUCCESS);
	assert_int_equal(mock.med_pages, fx.baseline_med_pages);
}

/*
 * Teardown with RPC buffers cached, one in use by a call suspended in an
 * RPC_CMD, and one whose RPC_FREE the guest never answered: OP-TEE is
 * told first, then everything goes.
 */
static void test_teardown_releases_rpc_buffers(void **state)
{
	union {
		struct optee_msg_arg arg;
		uint8_t b[MOCK_RPC_MSG_SIZE];
	} m;
	struct teemed_regs r;
	uint32_t tid, steps;

	register_buffer(16, 3, 0xc1);
	cache_rpc_buffer(GPAGE(9), RC);
	tid = start_alloc(160, &r);
	give_page(tid, GPAGE(10), RC2, OPTEE_SMC_RETURN_RPC_FREE, HI(RC2),
		  LO(RC2), OTID, &r);
	request(&m.arg, OPTEE_RPC_CMD_GET_TIME, 1);
	m.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	tid = start_alloc(160, &r);
	give_page(tid, GPAGE(11), 0x3, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0,
		  OTID, &r);
	mock_rpc_post(&m.arg);
	resume_bare(tid, OPTEE_SMC_RETURN_RPC_CMD, 0, 0x3, OTID, &r);
	assert_answer(&r, OPTEE_SMC_RETURN_RPC_CMD, 0, 0x3, tid);
	assert_int_equal(stats().rpc_buffers, 3);
	assert_int_equal(stats().calls, 2);
	assert_int_equal(mock.pins, 3 + 2); /* + 2 argument pages */

	assert_int_equal(mock_destroy_vm(0, &steps), TEEMED_OK);
	assert_int_equal(mock.vm_destroyed_calls, 1);
	assert_int_equal(mock.pins_at_destroyed, 3 + 2);
	mock_stop();
}

/* Another VM cannot answer, free or reach this VM's RPC buffers. */
static void test_rpc_buffers_per_vm(void **state)
{
	struct teemed_regs r;
	uint64_t pa = cache_rpc_buffer(RPC_IPA, RC);
	struct teemed_vm_stats s;
	uint32_t tid;

	/* Same cookie in VM 1: its own namespace. */
	mock_arg_init(1, ARG_IPA, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	expect_call_with_arg(9);
	will_answer(OPTEE_SMC_RETURN_RPC_CMD, HI(RC), LO(RC), OTID);
	mock_call(1, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(mock_guest_arg(0, RPC_IPA)->cmd, 0);
	tid = (uint32_t)r.a[3];
	teemed_vm_get_stats(fx.vm[1], &s);
	assert_int_equal(s.rpc_buffers, 0);
	/* VM 1 cannot resume VM 0's calls, and its DISABLE finds nothing. */
	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_DISABLE_SHM_CACHE;
	expect_smc(OPTEE_SMC_DISABLE_SHM_CACHE, 0, 0, 0, 0, 0, 0, 9);
	will_answer(OPTEE_SMC_RETURN_OK, HI(RC), LO(RC), 0);
	assert_int_equal(mock_smc_guest(1, &r), TEEMED_SMC_HANDLED);
	assert_true(mock_pa_is_mediator(pa));
	assert_int_equal(stats().rpc_buffers, 1);
	expect_smc(RFR, 0, 0, OTID, 0, 0, 0, 9);
	will_answer(OPTEE_SMC_RETURN_OK, 0, 0, 0);
	mock_resume(1, tid, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, mock_setup, mock_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_shadowed),
		T(test_alloc_ipa_zero),
		T(test_alloc_refusals),
		T(test_alloc_rpc_buffers_quota),
		T(test_alloc_mediator_pages_quota),
		T(test_free_after_resume),
		T(test_free_foreign_cookie),
		T(test_cmd_copied_field_by_field),
		T(test_cmd_not_forwarded),
		T(test_cmd_unknown_cookie),
		T(test_cmd_guest_page_gone),
		T(test_disable_shm_cache),
		T(test_teardown_releases_rpc_buffers),
		T(test_rpc_buffers_per_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
