/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * teemed-bench: shared pieces. Every figure is measured against a
 * baseline in the same run; see docs/benchmarks.md for what each one
 * means and why the baseline is what it is.
 */
#ifndef TEEMED_BENCH_H
#define TEEMED_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "optee_abi.h"
#include "optee_model.h"
#include "oracle.h"
#include "sim_platform.h"
#include "teemed/teemed.h"

struct bench_opts {
	bool quick;	      /* smoke run for CI */
	bool json;	      /* one JSON object on stdout */
	const char *data_dir; /* gnuplot data files go here, if set */
	uint32_t reps;	      /* repetitions per figure */
};

/* --- env.c: one simulated machine with teemed in front of OP-TEE -------- */

struct bench_env {
	struct machine *m;
	struct oracle *orc;
	struct optee_model *model;
	struct sim_platform plat;
	struct teemed *t;
	/* Yielding calls answered by a do-nothing secure world, so that a
	   figure shows the mediator and not the model's own data
	   structures. Fast calls always reach the model. */
	atomic_bool null_sw;
};

struct bench_vm {
	struct bench_env *env;
	struct sim_vm hv;
	struct teemed_vm *vm;
	uint32_t ram_pages;
	uint32_t next_page; /* guest page bump allocator */
	uint64_t arg_ipa;   /* a spare argument page */
	uint32_t session;   /* TA_XFORM session, once opened */
};

int bench_env_init(struct bench_env *e, uint32_t host_pages,
		   uint32_t step_pages, uint32_t max_vms);
void bench_env_fini(struct bench_env *e);
int bench_vm_init(struct bench_env *e, struct bench_vm *v, uint16_t id,
		  uint32_t ram_pages, const struct teemed_quota *quota);
void bench_vm_fini(struct bench_vm *v);
uint64_t bench_vm_alloc(struct bench_vm *v, uint32_t pages);
void *bench_vm_ptr(struct bench_vm *v, uint64_t ipa);
struct optee_msg_arg *bench_msg_init(void *where, uint32_t cmd,
				     uint32_t num_params);
struct optee_msg_arg *bench_msg_register(void *where, uint64_t list,
					 uint32_t pages, uint64_t cookie);
struct optee_msg_arg *bench_msg_unregister(void *where, uint64_t cookie);
struct optee_msg_arg *bench_vm_arg(struct bench_vm *v, uint64_t ipa,
				   uint32_t cmd, uint32_t num_params);
uint64_t bench_vm_build_list(struct bench_vm *v, uint32_t pages);
uint32_t bench_vm_call(struct bench_vm *v, uint64_t arg_ipa);
void bench_vm_call_ok(struct bench_vm *v, uint64_t arg_ipa, const char *what);
void bench_vm_register(struct bench_vm *v, uint64_t arg_ipa, uint64_t list,
		       uint32_t pages, uint64_t cookie);
void bench_vm_unregister(struct bench_vm *v, uint64_t arg_ipa, uint64_t cookie);
int bench_vm_open_session(struct bench_vm *v);

/* --- stats.c: clocks, summaries, progress ------------------------------- */

struct bench_summary {
	double median, min, max, q1, q3;
	uint32_t n;
};

uint64_t bench_now_ns(void);
void bench_summarize(double *v, uint32_t n, struct bench_summary *out);
void bench_progress(const char *what, uint32_t done, uint32_t total);
void bench_progress_done(void);
void bench_fail(const char *what, long long v);

/* --- output.c: the result table ----------------------------------------- */

void bench_out_num(const char *key, double v);
void bench_out_summary(const char *key, const struct bench_summary *s);
void bench_out_str(const char *key, const char *v);
void bench_out_print(bool json);
void bench_out_machine(void);

/* --- naive.c: a list-walking cookie table, the design teemed avoids ----- */

struct bench_mix {
	double reg_ns;	/* insert + find + remove of a fresh cookie */
	double rmem_ns; /* find of a held cookie */
};

uint64_t bench_cookie(uint32_t i);
void bench_naive_measure(uint32_t held, uint32_t ops, uint32_t reps,
			 struct bench_mix *tree, struct bench_mix *list);

/* --- the figures --------------------------------------------------------- */

int bench_translate_run(const struct bench_opts *o);
int bench_stdcall_run(const struct bench_opts *o);
int bench_scaling_run(const struct bench_opts *o);
int bench_memory_run(const struct bench_opts *o);
int bench_throughput_run(const struct bench_opts *o);
int bench_lean_run(const struct bench_opts *o);

/* --- cg_ops.c: fixed workloads for callgrind ----------------------------- */

int bench_cg_run(const char *op, uint32_t count, uint32_t held);

/* --- lean.c: the same over the reference platform (-1: unknown op) ------ */

int bench_ref_cg_run(const char *op, uint32_t count);

#endif /* TEEMED_BENCH_H */
