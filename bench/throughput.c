/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Throughput: a mixed workload (value invokes, temporary, registered
 * and RPC memory, interrupted slow calls) from the guest-driver model,
 * in calls per second, with one host thread driving one VM and with two
 * threads each driving its own VM through the same teemed instance.
 * The guest checks every answer, so this is also a correctness run.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "guest.h"

#define MAX_REPS 64
#define MAX_THREADS 2u
#define GUEST_RAM 4096u
#define VCPUS 2u

struct worker {
	struct bench_vm vm;
	struct guest *g;
	pthread_t th;
};

static void guest_smc(void *ctx, uint32_t vcpu, struct teemed_regs *regs)
{
	struct bench_vm *v = ctx;

	teemed_vcpu_smc(v->vm, vcpu, regs);
}

static void *drive(void *arg)
{
	struct worker *w = arg;
	bool progress = true;

	while (progress && !guest_done(w->g)) {
		progress = false;
		for (uint32_t c = 0; c < VCPUS; c++)
			if (guest_vcpu_runnable(w->g, c) &&
			    guest_vcpu_step(w->g, c))
				progress = true;
	}
	return NULL;
}

static void start_worker(struct bench_env *env, struct worker *w,
			 uint16_t id, uint64_t ops, uint64_t seed)
{
	struct guest_config gc;

	if (bench_vm_init(env, &w->vm, id, GUEST_RAM, NULL))
		bench_fail("throughput: VM", id);
	memset(&gc, 0, sizeof(gc));
	gc.machine = env->m;
	gc.oracle = env->orc;
	gc.vm_id = id;
	gc.ram_pages = GUEST_RAM;
	gc.vcpus = VCPUS;
	gc.ops = ops;
	gc.buf_size = 4 * TEEMED_PAGE_SIZE;
	gc.mem = GUEST_MEM_ALL & ~GUEST_MEM_NOTIF;
	gc.long_lived = 2;
	gc.max_spins = 2;
	gc.cleanup = true;
	gc.seed = seed;
	gc.smc = guest_smc;
	gc.smc_ctx = &w->vm;
	w->g = guest_create(&gc);
	if (!w->g)
		bench_fail("throughput: guest", id);
}

/* Calls per second of one run with `n` threads. */
static double run(struct bench_env *env, uint32_t n, uint64_t ops,
		  uint64_t seed)
{
	struct worker w[MAX_THREADS];
	uint64_t t0, calls = 0;

	for (uint32_t i = 0; i < n; i++)
		start_worker(env, &w[i], (uint16_t)(i + 1), ops, seed + i);
	t0 = bench_now_ns();
	for (uint32_t i = 0; i < n; i++)
		if (pthread_create(&w[i].th, NULL, drive, &w[i]))
			bench_fail("pthread_create", i);
	for (uint32_t i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
	t0 = bench_now_ns() - t0;
	for (uint32_t i = 0; i < n; i++) {
		struct guest_stats gs;

		guest_get_stats(w[i].g, &gs);
		if (gs.errors || !guest_done(w[i].g)) {
			fprintf(stderr, "teemed-bench: guest: %s\n",
				gs.first_error);
			bench_fail("throughput: guest errors",
				   (long long)gs.errors);
		}
		calls += gs.calls;
		guest_destroy(w[i].g);
		bench_vm_fini(&w[i].vm);
	}
	return (double)calls * 1e9 / (double)(t0 ? t0 : 1);
}

int bench_throughput_run(const struct bench_opts *o)
{
	uint64_t ops = o->quick ? 200 : 3000;
	uint32_t reps = o->reps < 5 ? o->reps : 5;
	struct bench_env env;
	char key[64];

	if (bench_env_init(&env, MAX_THREADS * GUEST_RAM + 8192, 0,
			   MAX_THREADS))
		bench_fail("throughput: setup", 0);
	for (uint32_t n = 1; n <= MAX_THREADS; n++) {
		double cps[MAX_REPS];
		struct bench_summary s;

		run(&env, n, ops / 4 + 1, 99); /* warm-up */
		for (uint32_t r = 0; r < reps; r++) {
			bench_progress("throughput", (n - 1) * reps + r,
				       MAX_THREADS * reps);
			cps[r] = run(&env, n, ops, 1000 + r * 16);
		}
		bench_summarize(cps, reps, &s);
		snprintf(key, sizeof(key), "throughput_calls_per_s_%ut", n);
		bench_out_summary(key, &s);
	}
	bench_progress_done();
	if (oracle_violations(env.orc))
		bench_fail("throughput: oracle violations",
			   (long long)oracle_violations(env.orc));
	bench_env_fini(&env);
	return 0;
}
