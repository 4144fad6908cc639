/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * teemed-bench: the command line. Runs every figure (or those named by
 * --only) and prints the result table, or one JSON object with --json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_REPS 64u

struct section {
	const char *name;
	int (*run)(const struct bench_opts *o);
};

static const struct section sections[] = {
	{"translate", bench_translate_run},   {"stdcall", bench_stdcall_run},
	{"scaling", bench_scaling_run},	      {"memory", bench_memory_run},
	{"throughput", bench_throughput_run}, {"lean", bench_lean_run},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: teemed-bench [--quick] [--json] [--reps N] "
		"[--data-dir DIR] [--only a,b]\n"
		"       teemed-bench --callgrind-op OP --count N [--held H]\n"
		"sections: translate stdcall scaling memory throughput lean\n"
		"callgrind ops: invoke regd notif translate register regpages "
		"rmem openclose tmem16\n"
		"  over the reference platform (bench/lean.c): invoke-ref "
		"openclose-ref tmem16-ref regpages-ref\n");
}

static uint32_t number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > UINT32_MAX) {
		usage(stderr);
		exit(1);
	}
	return (uint32_t)v;
}

/* Whether `name` is in the comma-separated `list` (NULL: all). */
static bool wanted(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list)
		return true;
	for (const char *p = list; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct bench_opts o = {.reps = 0};
	const char *only = NULL, *cg_op = NULL;
	uint32_t count = 0, held = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quick")) {
			o.quick = true;
		} else if (!strcmp(a, "--json")) {
			o.json = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (next && !strcmp(a, "--reps")) {
			o.reps = number(next);
			i++;
		} else if (next && !strcmp(a, "--data-dir")) {
			o.data_dir = next;
			i++;
		} else if (next && !strcmp(a, "--only")) {
			only = next;
			i++;
		} else if (next && !strcmp(a, "--callgrind-op")) {
			cg_op = next;
			i++;
		} else if (next && !strcmp(a, "--count")) {
			count = number(next);
			i++;
		} else if (next && !strcmp(a, "--held")) {
			held = number(next);
			i++;
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (cg_op && strstr(cg_op, "-ref"))
		return bench_ref_cg_run(cg_op, count) ? 1 : 0;
	if (cg_op)
		return bench_cg_run(cg_op, count, held) ? 1 : 0;
	if (!o.reps)
		o.reps = o.quick ? 3 : 11;
	if (o.reps > MAX_REPS)
		o.reps = MAX_REPS;

	bench_out_machine();
	bench_out_num("quick", o.quick);
	bench_out_num("reps", o.reps);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!wanted(only, sections[i].name))
			continue;
		if (sections[i].run(&o))
			return 2;
	}
	bench_out_print(o.json);
	return 0;
}
