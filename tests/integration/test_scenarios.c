/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every simulator scenario, a few seeds each, through the runner API:
 * no error, leak or invariant violation, and the figures that show the
 * scenario did what it is named for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"
#include "teemed/teemed.h"

static const uint64_t seeds[] = {1, 7, 0xdecafbad};

#define SEED_COUNT (sizeof(seeds) / sizeof(seeds[0]))

/* Small runs: the figures matter, not the volume. */
static void run(const char *name, uint64_t seed, uint64_t ops,
		struct scenario_result *r)
{
	struct scenario_opts o = {
		.name = name,
		.ops = ops,
		.seed = seed,
	};

	assert_int_equal(scenario_run(&o, r), 0);
	if (!scenario_ok(r))
		print_message("%s seed %llu: %llu errors, %llu leaked pins, "
			      "%llu leaked mediator pages, %llu violations: "
			      "%s\n",
			      name, (unsigned long long)seed,
			      (unsigned long long)r->errors,
			      (unsigned long long)r->leaked_pins,
			      (unsigned long long)r->leaked_mediator_pages,
			      (unsigned long long)r->oracle_violations,
			      r->first_error);
	assert_int_equal(r->errors, 0);
	assert_int_equal(r->leaked_pins, 0);
	assert_int_equal(r->leaked_mediator_pages, 0);
	assert_int_equal(r->oracle_violations, 0);
	assert_true(r->oracle_checks > 0);
	assert_true(r->calls > 0);
}

/*
 * The default scenario's Linux-like guests use what teemed offers:
 * CALL_WITH_REGD_ARG from their registered argument cache (registrations
 * as CALL_WITH_RPC_ARG) and notifications, each VM woken only for its
 * own values; turned off per VM, they fall back to CALL_WITH_ARG and no
 * notification, as Linux does.
 */
static void test_basic_offered_or_not(void **state)
{
	struct scenario_opts o = {.name = "basic", .ops = 300, .seed = 3};
	struct scenario_result r;
	/* The Xen port creates VMs its own way and cannot inject OP-TEE's
	   interrupt (no notify): RPC_ARG only, per-VM choice not wired. */
	const char *port = getenv("TEEMED_WORLD_PORT");
	bool xen = port && !strcmp(port, "xen");

	(void)state;
	assert_int_equal(scenario_run(&o, &r), 0);
	assert_true(scenario_ok(&r));
	assert_true(r.regd_calls > r.calls / 2);
	assert_true(r.rpc_arg_calls > 0);
	if (xen) {
		assert_int_equal(r.notif_values, 0);
		return;
	}
	assert_true(r.notif_values > 0);
	assert_true(r.notif_irqs > 0);
	assert_true(r.bottom_halves > 0);

	o.features_off = TEEMED_FEATURE_RPC_ARG | TEEMED_FEATURE_ASYNC_NOTIF;
	assert_int_equal(scenario_run(&o, &r), 0);
	if (!scenario_ok(&r))
		print_message("features off: %s\n", r.first_error);
	assert_true(scenario_ok(&r));
	assert_int_equal(r.regd_calls, 0);
	assert_int_equal(r.rpc_arg_calls, 0);
	assert_int_equal(r.notif_values, 0);
	assert_int_equal(r.notif_irqs, 0);
	assert_int_equal(r.bottom_halves, 0);
	assert_true(r.calls > 0);
}

static void test_basic(void **state)
{
	(void)state;
	for (size_t i = 0; i < SEED_COUNT; i++) {
		struct scenario_result r;

		run("basic", seeds[i], 200, &r);
		assert_int_equal(r.ops, (uint64_t)r.vms * 200);
		assert_true(r.bytes_verified > 0);
		assert_true(r.foreign_intrs > 0);
		assert_int_equal(r.pinned_pages_now, 0);
		assert_int_equal(r.guest_refusals, 0);
		assert_int_equal(r.quota_refusals, 0);
		assert_true(r.calls_peak >= 1);
	}
}

static void test_mixed(void **state)
{
	(void)state;
	for (size_t i = 0; i < SEED_COUNT; i++) {
		struct scenario_result r;

		run("mixed", seeds[i], 150, &r);
		assert_int_equal(r.ops, (uint64_t)r.vms * 150);
		assert_true(r.bytes_verified > 0);
		assert_true(r.rpcs > r.foreign_intrs); /* real RPC traffic */
		assert_true(r.buffers_peak > 0);
		assert_int_equal(r.pinned_pages_now, 0);
		assert_int_equal(r.guest_refusals, 0);
	}
}

static void test_large_buffer(void **state)
{
	struct scenario_opts o = {
		.name = "large-buffer",
		.vms = 1,
		.ops = 20,
		.seed = 3,
	};
	struct scenario_result r;

	(void)state;
	assert_int_equal(scenario_run(&o, &r), 0);
	if (!scenario_ok(&r))
		print_message("large-buffer: %s\n", r.first_error);
	assert_true(scenario_ok(&r));
	/* The whole 64 MiB went through the checksum TA. */
	assert_true(r.bytes_verified >= 16384ull * 4096);
	assert_true(r.pinned_pages_peak >= 16384);
	assert_int_equal(r.pinned_pages_now, 0);
	/* Bounded work: no SMC pinned the whole buffer at once. */
	assert_true(r.max_pages_per_smc > 0);
	assert_true(r.max_pages_per_smc < 16384);
}

static void test_quota(void **state)
{
	(void)state;
	for (size_t i = 0; i < SEED_COUNT; i++) {
		struct scenario_result r;

		run("quota", seeds[i], 120, &r);
		assert_true(r.quota_refusals > 0);
		assert_true(r.guest_refusals > 0);
		assert_true(r.pinned_pages_peak <= 192);
		assert_true(r.buffers_peak <= 3);
		assert_true(r.calls_peak <= 2);
		assert_true(r.bytes_verified > 0);
		assert_int_equal(r.pinned_pages_now, 0);
	}
}

static void test_teardown(void **state)
{
	uint64_t cut = 0, bufs = 0;

	(void)state;
	for (size_t i = 0; i < SEED_COUNT; i++) {
		struct scenario_result r;

		run("teardown", seeds[i], 120, &r);
		assert_true(r.destroy_steps >= r.vms);
		cut += r.calls_cut;
		bufs += r.buffers_cut;
	}
	/* VMs really died in the middle of their work. */
	assert_true(cut > 0);
	assert_true(bufs > 0);
}

static void test_unknown_scenario(void **state)
{
	struct scenario_opts o = {.name = "no-such-scenario"};
	struct scenario_result r;

	(void)state;
	assert_int_equal(scenario_run(&o, &r), -1);
	assert_non_null(scenario_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_scenario),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_basic_offered_or_not),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_large_buffer),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
