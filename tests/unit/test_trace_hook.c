/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The core's trace hook (platform.trace, include/teemed/trace.h): which
 * events a guest's SMCs, teemed's refusals and pauses, and a VM's life
 * produce, in which order and with what in them; that guest-facing
 * events carry no host PA; and that a platform without the callback
 * behaves exactly as one with it.
 */
#include "mock_platform.h"

#include <string.h>

#include "teemed/trace.h"

#define MAX_EVENTS 256

struct seen {
	struct teemed_trace_event ev;
	void *vm;
	uint8_t msg[OPTEE_MSG_GET_ARG_SIZE(OPTEE_MSG_MAX_NUM_PARAMS)];
};

static struct seen seen[MAX_EVENTS];
static uint32_t seen_count;
static struct teemed_platform traced;

static void on_trace(void *ctx, void *vm, const struct teemed_trace_event *ev)
{
	struct seen *s;

	assert_int_equal(mock.locks_held, 0); /* never under a teemed lock */
	assert_true(seen_count < MAX_EVENTS);
	s = &seen[seen_count++];
	s->ev = *ev;
	s->vm = vm;
	assert_true(ev->msg_len <= sizeof(s->msg));
	assert_true(ev->msg_len == 0 || ev->msg != NULL);
	if (ev->msg_len) {
		memcpy(s->msg, ev->msg, ev->msg_len);
		s->ev.msg = s->msg;
	}
}

static int setup_traced(void **state)
{
	struct teemed_config cfg;

	mock_reset();
	traced = mock_platform;
	traced.trace = on_trace;
	cfg = mock_config(2, NULL);
	cfg.platform = &traced;
	seen_count = 0;
	mock_start_cfg(&cfg, 2);
	return 0;
}

static int teardown(void **state)
{
	mock_stop();
	return 0;
}

/* Print the events from index `from`, decoded, to explain a failure. */
static void dump(uint32_t from)
{
	char line[TEEMED_TRACE_LINE_MAX];

	for (uint32_t i = from; i < seen_count; i++) {
		teemed_trace_format(&seen[i].ev, line, sizeof(line), 0);
		print_message("%s\n", line);
	}
}

/* The kinds of the events seen from index `from` are `want`. */
static void expect_kinds(uint32_t from, const uint8_t *want, size_t n)
{
	if (seen_count - from != n)
		dump(from);
	assert_int_equal(seen_count - from, n);
	for (size_t i = 0; i < n; i++)
		if (seen[from + i].ev.kind != want[i]) {
			dump(from);
			fail_msg("event %zu: kind %u, want %u", i,
				 seen[from + i].ev.kind, want[i]);
		}
}

#define EXPECT_KINDS(from, ...)                                                \
	do {                                                                   \
		static const uint8_t want_[] = {__VA_ARGS__};                  \
		expect_kinds(from, want_, sizeof(want_));                      \
	} while (0)

static bool is_host_pa(uint64_t v)
{
	return v >= MOCK_PA_BASE &&
	       v < MOCK_PA_BASE + (uint64_t)MOCK_RAM_PAGES * MOCK_PAGE;
}

/* Events the guest could see hold IPAs and cookies only. */
static void assert_guest_facing_clean(void)
{
	for (uint32_t i = 0; i < seen_count; i++) {
		const struct teemed_trace_event *e = &seen[i].ev;

		if (e->kind == TEEMED_TRACE_OPTEE_CALL ||
		    e->kind == TEEMED_TRACE_OPTEE_ANSWER)
			continue;
		for (int r = 0; r < 8; r++)
			assert_false(is_host_pa(e->regs.a[r]));
		for (uint32_t off = 0; off + 8 <= e->msg_len; off += 8) {
			uint64_t w;

			memcpy(&w, (const uint8_t *)e->msg + off, 8);
			assert_false(is_host_pa(w));
		}
	}
}

/* Probe and VM creation: teemed's own calls, then VM_CREATED. */
static void test_init_and_create(void **state)
{
	uint32_t created = 0;

	for (uint32_t i = 0; i < seen_count; i++) {
		const struct teemed_trace_event *e = &seen[i].ev;

		assert_int_equal(e->vcpu, TEEMED_TRACE_NO_VCPU);
		if (e->kind == TEEMED_TRACE_VM_CREATED) {
			assert_int_equal(e->status, TEEMED_OK);
			assert_int_equal(e->client_id, 7 + 2 * created);
			assert_ptr_equal(seen[i].vm, &mock.vm[created]);
			created++;
		} else {
			assert_true(e->kind == TEEMED_TRACE_OPTEE_CALL ||
				    e->kind == TEEMED_TRACE_OPTEE_ANSWER);
			assert_int_equal(e->client_id, 0);
			assert_null(seen[i].vm);
		}
	}
	assert_int_equal(created, 2);
	assert_int_equal(seen[0].ev.kind, TEEMED_TRACE_OPTEE_CALL);
	assert_int_equal(seen[0].ev.regs.a[0], OPTEE_SMC_CALLS_UID);
	assert_int_equal(seen[1].ev.fid, OPTEE_SMC_CALLS_UID);
	assert_int_equal(seen[1].ev.regs.a[0], mock.uid[0]);
}

/* A forwarded fast call: in, to OP-TEE, back, out. */
static void test_fast_call(void **state)
{
	struct teemed_regs r = {{OPTEE_SMC_CALLS_UID}};
	uint32_t from = seen_count;

	assert_int_equal(mock_smc_guest(1, &r), TEEMED_SMC_HANDLED);
	EXPECT_KINDS(from, TEEMED_TRACE_GUEST_CALL, TEEMED_TRACE_OPTEE_CALL,
		     TEEMED_TRACE_OPTEE_ANSWER, TEEMED_TRACE_GUEST_ANSWER);
	for (uint32_t i = from; i < seen_count; i++) {
		assert_int_equal(seen[i].ev.client_id, 9);
		assert_ptr_equal(seen[i].vm, &mock.vm[1]);
	}
	assert_int_equal(seen[from + 3].ev.fid, OPTEE_SMC_CALLS_UID);
	assert_int_equal(seen[from + 3].ev.regs.a[0], r.a[0]);
	assert_int_equal(seen[from + 1].ev.regs.a[7], 9);
}

/* Refusals come between the call and its answer, with their reason. */
static void test_refusals(void **state)
{
	struct teemed_regs r = {{0x32000099u}};
	struct optee_msg_arg *arg;
	uint32_t from = seen_count;

	assert_int_equal(mock_smc_guest(0, &r), TEEMED_SMC_HANDLED);
	EXPECT_KINDS(from, TEEMED_TRACE_GUEST_CALL, TEEMED_TRACE_REFUSAL,
		     TEEMED_TRACE_GUEST_ANSWER);
	assert_int_equal(seen[from + 1].ev.reason, TEEMED_REFUSED_FUNCTION);
	assert_int_equal(seen[from + 1].ev.index, TEEMED_TRACE_NO_INDEX);
	assert_int_equal(seen[from + 2].ev.regs.a[0],
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);

	/* An argument that is not page aligned. */
	from = seen_count;
	mock_call(0, ARG_IPA + 8, &r);
	EXPECT_KINDS(from, TEEMED_TRACE_GUEST_CALL, TEEMED_TRACE_REFUSAL,
		     TEEMED_TRACE_GUEST_ANSWER);
	assert_int_equal(seen[from + 1].ev.reason, TEEMED_REFUSED_ARG);
	assert_int_equal(seen[from + 1].ev.cause, TEEMED_TRACE_CAUSE_ALIGN);

	/* A resume naming no call. */
	from = seen_count;
	mock_resume(0, 3, &r);
	EXPECT_KINDS(from, TEEMED_TRACE_RPC_ANSWER, TEEMED_TRACE_REFUSAL,
		     TEEMED_TRACE_GUEST_ANSWER);
	assert_int_equal(seen[from + 1].ev.reason, TEEMED_REFUSED_RESUME);
	assert_int_equal(seen[from + 1].ev.index, 3);

	/* An rmem (the second parameter) naming a cookie the guest never
	   registered: the guest reads BAD_PARAMETERS from COMMS. */
	from = seen_count;
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	mock_set_rmem(&arg->params[1], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 16,
		      0x1234);
	mock_call(0, ARG_IPA, &r);
	EXPECT_KINDS(from, TEEMED_TRACE_GUEST_CALL, TEEMED_TRACE_GUEST_MSG,
		     TEEMED_TRACE_REFUSAL, TEEMED_TRACE_GUEST_REPLY,
		     TEEMED_TRACE_GUEST_ANSWER);
	assert_int_equal(seen[from + 2].ev.reason, TEEMED_REFUSED_PARAM);
	assert_int_equal(seen[from + 2].ev.index, 1);
	assert_int_equal(seen[from + 2].ev.cause, TEEMED_TRACE_CAUSE_COOKIE);
	assert_int_equal(
		((const struct optee_msg_arg *)seen[from + 3].ev.msg)->ret,
		TEEC_ERROR_BAD_PARAMETERS);

	/* A page list naming an unmapped page: refused while pinning. */
	from = seen_count;
	mock_ipa_set(0, GPAGE(21), MOCK_IPA_UNMAPPED);
	mock_fill_list_range(0, GPAGE(1), 20, 2);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_tmem(&arg->params[0],
		      OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG,
		      GPAGE(1), 2 * MOCK_PAGE, 0);
	mock_call(0, ARG_IPA, &r);
	EXPECT_KINDS(from, TEEMED_TRACE_GUEST_CALL, TEEMED_TRACE_GUEST_MSG,
		     TEEMED_TRACE_REFUSAL, TEEMED_TRACE_GUEST_REPLY,
		     TEEMED_TRACE_GUEST_ANSWER);
	assert_int_equal(seen[from + 2].ev.reason, TEEMED_REFUSED_PARAM);
	assert_int_equal(seen[from + 2].ev.cause, TEEMED_TRACE_CAUSE_PAGES);
	assert_int_equal(seen[from + 2].ev.index, 0);
	assert_guest_facing_clean();
}

/* The one refusal among the events from index `from`. */
static const struct teemed_trace_event *refusal_from(uint32_t from)
{
	const struct teemed_trace_event *found = NULL;

	for (uint32_t i = from; i < seen_count; i++) {
		if (seen[i].ev.kind != TEEMED_TRACE_REFUSAL)
			continue;
		assert_null(found);
		found = &seen[i].ev;
	}
	if (!found)
		dump(from);
	assert_non_null(found);
	return found;
}

/* The call at ARG_IPA is refused as PARAM, with `cause`, at `index`. */
static void expect_param_refusal(uint8_t cause, uint32_t index)
{
	const struct teemed_trace_event *e;
	struct teemed_regs r;
	uint32_t from = seen_count;

	mock_call(0, ARG_IPA, &r);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(mock_guest_arg(0, ARG_IPA)->ret,
			 TEEC_ERROR_BAD_PARAMETERS);
	e = refusal_from(from);
	assert_int_equal(e->reason, TEEMED_REFUSED_PARAM);
	assert_int_equal(e->cause, cause);
	assert_int_equal(e->index, index);
}

/* Each way a parameter is refused carries its own cause. */
static void test_param_refusal_causes(void **state)
{
	struct optee_msg_arg *arg;

	/* A registered buffer of two pages, cookie 0xc1. */
	mock_fill_list_range(0, GPAGE(2), 22, 2);
	assert_int_equal(
		mock_register(0, ARG_IPA, GPAGE(2), 0, 2 * MOCK_PAGE, 0xc1),
		TEEC_SUCCESS);

	/* An rmem reaching one byte past it. */
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT,
		      MOCK_PAGE, MOCK_PAGE + 1, 0xc1);
	expect_param_refusal(TEEMED_TRACE_CAUSE_BOUNDS, 0);

	/* UNREGISTER_SHM of a cookie the guest never registered. */
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 0,
		      0xc2);
	expect_param_refusal(TEEMED_TRACE_CAUSE_COOKIE, 0);

	/* A page list under the cookie of the live buffer. */
	mock_fill_list_range(0, GPAGE(3), 24, 1);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	mock_set_tmem(&arg->params[1],
		      OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG,
		      GPAGE(3), MOCK_PAGE, 0xc1);
	expect_param_refusal(TEEMED_TRACE_CAUSE_COOKIE, 1);

	/* A contiguous tmem: it would hand OP-TEE a guest address. */
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_set_tmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
		      GPAGE(24), 16, 0);
	expect_param_refusal(TEEMED_TRACE_CAUSE_SHAPE, 0);

	/* An attribute with unknown bits: the whole message's shape. */
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | (1ull << 40);
	expect_param_refusal(TEEMED_TRACE_CAUSE_SHAPE, TEEMED_TRACE_NO_INDEX);

	/* The counters keep one reason for all of them. */
	struct teemed_vm_stats st;

	teemed_vm_get_stats(fx.vm[0], &st);
	assert_int_equal(st.refused[TEEMED_REFUSED_PARAM], 5);
}

/* No call slot left: QUOTA, cause CALLS, and OP-TEE never asked. */
static void test_refusal_calls(void **state)
{
	struct teemed_regs r;
	uint32_t threads[MOCK_MAX_THREADS], from;

	assert_true(mock.threads <= MOCK_MAX_THREADS);
	mock.pauses = 1;
	for (uint32_t i = 0; i < mock.threads; i++) {
		mock_arg_init(0, GPAGE(i), OPTEE_MSG_CMD_CLOSE_SESSION, 0);
		mock_call(0, GPAGE(i), &r);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
		threads[i] = (uint32_t)r.a[3];
	}
	from = seen_count;
	mock_arg_init(0, GPAGE(20), OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	mock_call(0, GPAGE(20), &r);
	EXPECT_KINDS(from, TEEMED_TRACE_GUEST_CALL, TEEMED_TRACE_REFUSAL,
		     TEEMED_TRACE_GUEST_ANSWER);
	assert_int_equal(seen[from + 1].ev.reason, TEEMED_REFUSED_QUOTA);
	assert_int_equal(seen[from + 1].ev.cause, TEEMED_TRACE_CAUSE_CALLS);
	assert_int_equal(seen[from + 2].ev.regs.a[0],
			 OPTEE_SMC_RETURN_ETHREAD_LIMIT);
	for (uint32_t i = 0; i < mock.threads; i++) {
		mock_resume(0, threads[i], &r);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	}
}

/* A call with a page list: the guest's message, the shadow OP-TEE
   gets (PAs), a pause when the budget (2 pages) is spent, the reply. */
static void test_call_with_pause(void **state)
{
	struct optee_msg_arg *arg =
		mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	uint32_t from = seen_count, pauses = 0;
	const struct teemed_trace_event *e;

	mock_fill_list_range(0, GPAGE(1), 10, 3);
	mock_set_tmem(&arg->params[0],
		      OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG,
		      GPAGE(1) | 0x10, 3 * MOCK_PAGE - 0x20, 0);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, &pauses),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(pauses, 2);
	/* Paused twice: pinning, then unpinning, each past 2 pages. */
	EXPECT_KINDS(from, TEEMED_TRACE_GUEST_CALL, TEEMED_TRACE_GUEST_MSG,
		     TEEMED_TRACE_PAUSE, TEEMED_TRACE_RPC_TO_GUEST,
		     TEEMED_TRACE_RPC_ANSWER, TEEMED_TRACE_OPTEE_CALL,
		     TEEMED_TRACE_OPTEE_ANSWER, TEEMED_TRACE_GUEST_REPLY,
		     TEEMED_TRACE_PAUSE, TEEMED_TRACE_RPC_TO_GUEST,
		     TEEMED_TRACE_RPC_ANSWER, TEEMED_TRACE_GUEST_ANSWER);
	/* The guest's message: its list by IPA. */
	e = &seen[from + 1].ev;
	assert_int_equal(e->msg_len, OPTEE_MSG_GET_ARG_SIZE(1));
	assert_int_equal(((const struct optee_msg_arg *)e->msg)
				 ->params[0]
				 .u.tmem.buf_ptr,
			 GPAGE(1) | 0x10);
	/* The pause: budget spent, the thread the guest resumes. */
	e = &seen[from + 2].ev;
	assert_int_equal(e->regs.a[0], 2);
	assert_int_equal(e->regs.a[3], seen[from + 3].ev.regs.a[3]);
	assert_int_equal(seen[from + 3].ev.regs.a[0],
			 OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	/* What OP-TEE got: the shadow, the list by host PA (the list page
	   is freed by now, so only "a host page" can be checked here). */
	e = &seen[from + 5].ev;
	assert_int_equal(e->regs.a[0], OPTEE_SMC_CALL_WITH_ARG);
	assert_true(is_host_pa(((const struct optee_msg_arg *)e->msg)
				       ->params[0]
				       .u.tmem.buf_ptr));
	/* The shadow: a mediator page while the call lasted. */
	assert_true(mock_pa_was_mediator((e->regs.a[1] << 32) | e->regs.a[2]));
	/* Its answer carries the shadow too, with OP-TEE's ret. */
	e = &seen[from + 6].ev;
	assert_int_equal(e->fid, OPTEE_SMC_CALL_WITH_ARG);
	assert_int_equal(e->msg_len, OPTEE_MSG_GET_ARG_SIZE(1));
	assert_int_equal(seen[from + 11].ev.fid,
			 OPTEE_SMC_CALL_RETURN_FROM_RPC);
	assert_int_equal(seen[from + 11].ev.regs.a[0], OPTEE_SMC_RETURN_OK);
	assert_guest_facing_clean();
}

/* Teardown: VM_DESTROYED to OP-TEE, each step, then gone. */
static void test_destroy(void **state)
{
	uint32_t steps = 0, from, n_steps = 0;

	mock_fill_list_range(1, GPAGE(1), 10, 5);
	assert_int_equal(
		mock_register(1, ARG_IPA, GPAGE(1), 0, 5 * MOCK_PAGE, 0x40),
		TEEC_SUCCESS);
	from = seen_count;
	assert_int_equal(mock_destroy_vm(1, &steps), TEEMED_OK);
	assert_int_equal(seen[from].ev.kind, TEEMED_TRACE_OPTEE_CALL);
	assert_int_equal(seen[from].ev.regs.a[0], OPTEE_SMC_VM_DESTROYED);
	assert_int_equal(seen[from].ev.regs.a[1], 9);
	for (uint32_t i = from + 2; i < seen_count - 1; i++) {
		assert_int_equal(seen[i].ev.kind, TEEMED_TRACE_VM_DESTROY_STEP);
		assert_int_equal(seen[i].ev.client_id, 9);
		assert_true(seen[i].ev.regs.a[0] <= 2);
		n_steps++;
	}
	assert_int_equal(n_steps, steps);
	assert_int_equal(seen[seen_count - 2].ev.status, TEEMED_OK);
	assert_int_equal(seen[seen_count - 1].ev.kind,
			 TEEMED_TRACE_VM_DESTROYED);
	assert_ptr_equal(seen[seen_count - 1].vm, &mock.vm[1]);
}

/* The same conversation with and without the hook: same answers, same
   SMCs to the secure world, same statistics. */
static void converse(struct teemed_regs out[3], struct teemed_vm_stats *st)
{
	struct optee_msg_arg *arg;

	mock_call(0, ARG_IPA + 8, &out[0]);
	arg = mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	mock_fill_list_range(0, GPAGE(1), 10, 3);
	mock_set_tmem(&arg->params[0],
		      OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG,
		      GPAGE(1), 3 * MOCK_PAGE, 0);
	mock_call(0, ARG_IPA, &out[1]);
	mock_resume(0, (uint32_t)out[1].a[3], &out[2]);
	teemed_vm_get_stats(fx.vm[0], st);
}

static void test_same_without_hook(void **state)
{
	struct teemed_regs with[3], without[3];
	struct teemed_vm_stats a, b;
	uint64_t smcs_with, smcs_without;

	converse(with, &a);
	smcs_with = mock.smc_count;
	assert_true(seen_count > 0);
	mock_stop();

	mock_reset();
	mock_start(2, NULL);
	converse(without, &b);
	smcs_without = mock.smc_count;
	assert_memory_equal(with, without, sizeof(with));
	assert_int_equal(smcs_with, smcs_without);
	assert_int_equal(a.smcs, b.smcs);
	assert_memory_equal(a.refused, b.refused, sizeof(a.refused));
	assert_int_equal(a.std_calls, b.std_calls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_and_create,
						setup_traced, teardown),
		cmocka_unit_test_setup_teardown(test_fast_call, setup_traced,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup_traced,
						teardown),
		cmocka_unit_test_setup_teardown(test_param_refusal_causes,
						setup_traced, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_calls,
						setup_traced, teardown),
		cmocka_unit_test_setup_teardown(test_call_with_pause,
						setup_traced, teardown),
		cmocka_unit_test_setup_teardown(test_destroy, setup_traced,
						teardown),
		cmocka_unit_test_setup_teardown(test_same_without_hook,
						setup_traced, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
