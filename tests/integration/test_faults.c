/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault-injection sweep: every scenario is run once per platform call
 * that could fail, with exactly that call failing (sim_platform_fail_nth
 * armed before teemed_init, so creation paths are covered too). Each
 * run must end without an error, a leaked pin or mediator page, an
 * oracle violation or a hang, with every VM destroyed; what the guests
 * see of the fault must be a defined protocol error (the guest model
 * counts anything else, garbage or wrong data, as an error).
 *
 * Every call is failed for the first `dense` calls of an op, then a
 * stride keeps the number of runs per (scenario, op) under a budget;
 * the last call is always failed. A failing case is printed as a
 * teemed-sim command line that replays it alone.
 *
 * TEEMED_FAULTS=quick shrinks the sweep (for valgrind), =full widens
 * it (CI's faults job); default: a sweep that fits a Debug ctest run.
 *
 * A call that ends with a0 = OK must carry its answer: the guest model
 * fills `ret` with a value no TEE returns before each call and counts
 * calls that come back without one (r->unanswered). The core keeps the
 * argument page pinned for the whole call so this cannot happen; the
 * sweep once found it did when the copy-back pin failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scenario.h"

/* One run may take this long before it counts as a hang. */
#define RUN_TIMEOUT_S 60u
#define MAX_PRINTED   20u

struct sweep_case {
	const char *scenario;
	uint32_t vms;
	uint64_t ops;
	uint64_t buf_size; /* 0: the scenario's */
	uint64_t seed;
};

struct sweep_budget {
	uint64_t dense; /* every call up to here */
	uint64_t runs;	/* runs per op at most, dense ones included */
};

struct op_tally {
	uint64_t runs, visible, absorbed, failed;
};

static struct sweep_budget budget;
/* What runs now, for the hang report (written before each run). */
static char current[256];

static void on_alarm(int sig)
{
	static const char msg[] = "\nfault sweep: hang (no end after "
				  "the time limit) in: ";
	ssize_t ignored;

	(void)sig;
	ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	ignored = write(STDERR_FILENO, current, strlen(current));
	ignored = write(STDERR_FILENO, "\n", 1);
	(void)ignored;
	_exit(1);
}

static void set_budget(void)
{
	const char *mode = getenv("TEEMED_FAULTS");
	budget.dense = 100;
	budget.runs = 140;
	if (mode && !strcmp(mode, "quick")) {
		budget.dense = 2;
		budget.runs = 4;
	} else if (mode && !strcmp(mode, "full")) {
		budget.dense = 200;
		budget.runs = 600;
	}
}

static void describe(const struct sweep_case *c, enum sim_op op, uint64_t n)
{
	int len = snprintf(current, sizeof(current),
			   "teemed-sim run --scenario %s --vms %u --ops %llu "
			   "--seed %llu",
			   c->scenario, c->vms, (unsigned long long)c->ops,
			   (unsigned long long)c->seed);

	if (len > 0 && (size_t)len < sizeof(current) && c->buf_size)
		len += snprintf(current + len, sizeof(current) - (size_t)len,
				" --buf-size %llu",
				(unsigned long long)c->buf_size);
	if (len > 0 && (size_t)len < sizeof(current) && n)
		snprintf(current + len, sizeof(current) - (size_t)len,
			 " --fail %s:%llu", sim_op_name(op),
			 (unsigned long long)n);
}

static void run_case(const struct sweep_case *c, enum sim_op op, uint64_t n,
		     struct scenario_result *r)
{
	struct scenario_opts o = {
		.name = c->scenario,
		.vms = c->vms,
		.ops = c->ops,
		.buf_size = c->buf_size,
		.seed = c->seed,
		.fail_op = op,
		.fail_at = n,
	};

	describe(c, op, n);
	alarm(RUN_TIMEOUT_S);
	assert_int_equal(scenario_run(&o, r), 0);
	alarm(0);
}

/* Why a faulted run is wrong, or NULL. */
static const char *verdict(const struct scenario_result *r)
{
	if (r->injected_faults != 1)
		return "the fault did not fire";
	if (r->unanswered)
		return "a call ended OK without its answer";
	if (r->errors)
		return "guest saw garbage or the API failed";
	if (r->leaked_pins)
		return "pins leaked";
	if (r->leaked_mediator_pages)
		return "mediator pages leaked";
	if (r->oracle_violations)
		return "oracle violation";
	return NULL;
}

/* Next call number to fail after `n` of `total`; 0 when done. */
static uint64_t next_n(uint64_t n, uint64_t total)
{
	uint64_t rest, stride;

	if (n >= total)
		return 0;
	if (n < budget.dense)
		return n + 1;
	rest = total - budget.dense;
	stride = budget.runs > budget.dense ? budget.runs - budget.dense : 1;
	stride = (rest + stride - 1) / stride;
	if (stride < 1)
		stride = 1;
	return n + stride < total ? n + stride : total;
}

static void sweep(const struct sweep_case *c)
{
	struct scenario_result base, r;
	uint64_t failed = 0;

	run_case(c, SIM_OP_COUNT, 0, &base);
	if (!scenario_ok(&base))
		print_message("baseline %s: %s\n", current, base.first_error);
	assert_true(scenario_ok(&base));

	for (int op = 0; op < SIM_OP_COUNT; op++) {
		struct op_tally t = {0};
		uint64_t total = base.op_calls[op];

		for (uint64_t n = next_n(0, total); n; n = next_n(n, total)) {
			const char *why;

			run_case(c, (enum sim_op)op, n, &r);
			t.runs++;
			why = verdict(&r);
			if (why) {
				t.failed++;
				if (failed++ < MAX_PRINTED)
					print_message("FAIL %s\n  %s: %s\n",
						      current, why,
						      r.first_error);
				continue;
			}
			if (r.tolerated || r.guest_refusals ||
			    r.vms_not_started)
				t.visible++;
			else
				t.absorbed++;
		}
		print_message("%-12s %-11s %5llu calls, %4llu runs: %4llu seen "
			      "as defined errors, %4llu absorbed, %llu failed\n",
			      c->scenario, sim_op_name((enum sim_op)op),
			      (unsigned long long)total,
			      (unsigned long long)t.runs,
			      (unsigned long long)t.visible,
			      (unsigned long long)t.absorbed,
			      (unsigned long long)t.failed);
	}
	assert_int_equal(failed, 0);
}

static void test_basic(void **state)
{
	static const struct sweep_case c = {"basic", 2, 10, 0, 1};

	(void)state;
	sweep(&c);
}

static void test_mixed(void **state)
{
	static const struct sweep_case c = {"mixed", 3, 8, 0, 1};

	(void)state;
	sweep(&c);
}

static void test_teardown(void **state)
{
	static const struct sweep_case c = {"teardown", 2, 20, 65536, 1};

	(void)state;
	sweep(&c);
}

static void test_quota(void **state)
{
	static const struct sweep_case c = {"quota", 2, 12, 65536, 1};

	(void)state;
	sweep(&c);
}

/* 16384 pins per run: a few dozen cases, spread over every op. */
static void test_large_buffer(void **state)
{
	static const struct sweep_case c = {"large-buffer", 1, 2, 0, 1};
	struct sweep_budget saved = budget;

	(void)state;
	if (budget.runs < 20) {
		skip();
		return;
	}
	budget.dense = 4;
	budget.runs = budget.runs > 200 ? 40 : 12;
	sweep(&c);
	budget = saved;
}

/* The replay line of a case names the scenario, the op and the call. */
static void test_replay_line(void **state)
{
	static const struct sweep_case c = {"mixed", 3, 8, 0, 1};

	(void)state;
	describe(&c, SIM_OP_PIN, 137);
	assert_non_null(strstr(current, "--scenario mixed"));
	assert_non_null(strstr(current, "--fail pin:137"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_line),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_teardown),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_large_buffer),
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	set_budget();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
