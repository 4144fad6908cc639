/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The result table: every figure under a flat key, printed as aligned
 * text or as one JSON object (what scripts/bench.sh keeps).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define MAX_RESULTS 512
#define KEY_LEN 64
#define STR_LEN 160

struct result {
	char key[KEY_LEN];
	char str[STR_LEN]; /* empty: a number */
	double num;
};

static struct result results[MAX_RESULTS];
static uint32_t result_count;

static struct result *add(const char *key)
{
	struct result *r;

	if (result_count == MAX_RESULTS)
		bench_fail("too many results", MAX_RESULTS);
	r = &results[result_count++];
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->str[0] = '\0';
	return r;
}

void bench_out_num(const char *key, double v)
{
	add(key)->num = v;
}

void bench_out_str(const char *key, const char *v)
{
	struct result *r = add(key);

	snprintf(r->str, sizeof(r->str), "%s", v);
	/* Keeps the JSON valid whatever the CPU name holds. */
	for (char *c = r->str; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			*c = ' ';
}

void bench_out_summary(const char *key, const struct bench_summary *s)
{
	static const char *const suffix[] = {"median", "min", "max", "q1",
					     "q3"};
	const double v[] = {s->median, s->min, s->max, s->q1, s->q3};
	char k[KEY_LEN];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(k, sizeof(k), "%s_%s", key, suffix[i]);
		bench_out_num(k, v[i]);
	}
}

/* What machine the figures come from. */
void bench_out_machine(void)
{
	char line[256], cpu[STR_LEN] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		snprintf(cpu, sizeof(cpu), "%s", colon + 2);
		cpu[strcspn(cpu, "\n")] = '\0';
		break;
	}
	if (f)
		fclose(f);
	bench_out_str("cpu", cpu);
	bench_out_num("nproc", (double)sysconf(_SC_NPROCESSORS_ONLN));
#ifdef __clang__
	bench_out_str("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
	bench_out_str("compiler", "gcc " __VERSION__);
#else
	bench_out_str("compiler", "unknown");
#endif
}

static void print_num(double v)
{
	if (!isfinite(v))
		printf("null");
	else if (v == (double)(long long)v && fabs(v) < 1e15)
		printf("%lld", (long long)v);
	else
		printf("%.6g", v);
}

void bench_out_print(bool json)
{
	if (json)
		printf("{\n");
	for (uint32_t i = 0; i < result_count; i++) {
		const struct result *r = &results[i];

		if (json)
			printf("  \"%s\": ", r->key);
		else
			printf("%-40s ", r->key);
		if (r->str[0])
			printf(json ? "\"%s\"" : "%s", r->str);
		else
			print_num(r->num);
		if (json && i + 1 < result_count)
			printf(",");
		printf("\n");
	}
	if (json)
		printf("}\n");
}
