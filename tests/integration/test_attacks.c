/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attack catalogue (sim/attacks.h), one cmocka test per attack:
 * blocked, with exactly the answer the spec asks for, nothing else
 * changed, both VMs still served, nothing leaked, no oracle violation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "attacks.h"

static void test_attack(void **state)
{
	size_t i = (size_t)(uintptr_t)*state;
	struct attack_result r;
	char exp[96], obs[96];

	attack_run(i, &r);
	attack_format(&r.expected, exp, sizeof(exp));
	attack_format(&r.observed, obs, sizeof(obs));
	if (!r.blocked)
		print_message("%s: expected %s, observed %s: %s\n", r.name, exp,
			      obs, r.note);
	assert_string_equal(obs, exp);
	assert_true(r.answer_ok);
	assert_true(r.checks_ok);
	assert_true(r.unchanged);
	assert_true(r.victim_ok);
	assert_true(r.clean);
	assert_int_equal(r.oracle_violations, 0);
	assert_true(r.blocked);
}

/* The catalogue must keep covering what the threat model names. */
static void test_catalogue(void **state)
{
	(void)state;
	assert_true(attack_count() >= 30);
	assert_int_equal(attack_find("no-such-attack"), -1);
	for (size_t i = 0; i < attack_count(); i++)
		assert_int_equal(attack_find(attack_name(i)), (long)i);
}

int main(void)
{
	size_t n = attack_count();
	struct CMUnitTest *tests = calloc(n + 1, sizeof(*tests));
	int rc;

	if (!tests)
		return 1;
	for (size_t i = 0; i < n; i++) {
		tests[i].name = attack_name(i);
		tests[i].test_func = test_attack;
		tests[i].initial_state = (void *)(uintptr_t)i;
	}
	tests[n].name = "catalogue";
	tests[n].test_func = test_catalogue;
	rc = _cmocka_run_group_tests("attacks", tests, n + 1, NULL, NULL);
	free(tests);
	return rc;
}
