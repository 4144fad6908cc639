/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Clocks and summaries. The machine is shared and noisy, so every
 * figure is a median over repetitions with its spread beside it, never
 * a single run or a mean that one preemption can drag.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (sorted `v`). */
static double quantile(const double *v, uint32_t n, double q)
{
	double pos = q * (double)(n - 1);
	uint32_t lo = (uint32_t)pos;
	double frac = pos - (double)lo;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (v[lo + 1] - v[lo]) * frac;
}

/* Sorts `v` in place. */
void bench_summarize(double *v, uint32_t n, struct bench_summary *out)
{
	out->n = n;
	if (!n) {
		out->median = out->min = out->max = out->q1 = out->q3 = 0;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	out->min = v[0];
	out->max = v[n - 1];
	out->median = quantile(v, n, 0.5);
	out->q1 = quantile(v, n, 0.25);
	out->q3 = quantile(v, n, 0.75);
}

static int progress_tty = -1;
static int progress_shown;

/* A one-line display on a terminal; a line per section otherwise. */
void bench_progress(const char *what, uint32_t done, uint32_t total)
{
	if (progress_tty < 0)
		progress_tty = isatty(STDERR_FILENO);
	if (progress_tty) {
		fprintf(stderr, "\r  %-28s %3u%%", what,
			total ? (unsigned int)(100ull * done / total) : 100u);
		progress_shown = 1;
	} else if (done == 0) {
		fprintf(stderr, "  %s...\n", what);
	}
	fflush(stderr);
}

void bench_progress_done(void)
{
	if (progress_shown)
		fprintf(stderr, "\r%50s\r", "");
	progress_shown = 0;
}

/* The simulator reported something impossible: no figure can be trusted. */
void bench_fail(const char *what, long long v)
{
	bench_progress_done();
	fprintf(stderr, "teemed-bench: %s (%lld)\n", what, v);
	exit(2);
}
