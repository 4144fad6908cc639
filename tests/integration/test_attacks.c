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

/*
 * state: the attack's index, plus `ram0` for a second run on a machine
 * whose host RAM starts at PA 0, where PA 0 is a page OP-TEE would map.
 */
static size_t ram0;

static void test_attack(void **state)
{
	size_t i = (size_t)(uintptr_t)*state;
	struct attack_result r;
	char exp[96], obs[96];

	attack_run_at(i % ram0, i >= ram0, &r);
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
	struct CMUnitTest *tests = calloc(2 * n + 1, sizeof(*tests));
	char(*names)[80] = calloc(n, sizeof(*names));
	int rc;

	if (!tests || !names)
		return 1;
	ram0 = n;
	for (size_t i = 0; i < 2 * n; i++) {
		tests[i].name = attack_name(i % n);
		if (i >= n) {
			snprintf(names[i - n], sizeof(names[0]), "%s@ram0",
				 attack_name(i - n));
			tests[i].name = names[i - n];
		}
		tests[i].test_func = test_attack;
		tests[i].initial_state = (void *)(uintptr_t)i;
	}
	tests[2 * n].name = "catalogue";
	tests[2 * n].test_func = test_catalogue;
	rc = _cmocka_run_group_tests("attacks", tests, 2 * n + 1, NULL, NULL);
	free(tests);
	free(names);
	return rc;
}
