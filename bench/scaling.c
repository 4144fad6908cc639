/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scaling: what a REGISTER_SHM + UNREGISTER_SHM pair, and an INVOKE
 * naming a registered buffer by RMEM, cost through the mediator while
 * the VM already holds 1, 100, 1000 and 10000 registered buffers. The
 * secure world is the do-nothing one (env.c) so that only the
 * mediator's data structures can grow with the count; the model's own
 * object list is a list walk and would hide them.
 *
 * The naive twin is the same figure with the cookie tree's share
 * replaced by a list's share under the same operation mix (naive.c).
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define MAX_REPS 64
#define NLEVELS 4u
#define MAX_HELD 10000u

static const uint32_t levels[NLEVELS] = {1, 100, 1000, MAX_HELD};

static double reg_pairs(struct bench_vm *v, uint64_t arg_ipa, uint64_t list,
			uint32_t ops)
{
	uint64_t cookie = bench_cookie(0x7fffffffu);
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < ops; i++) {
		bench_vm_register(v, arg_ipa, list, 1, cookie);
		bench_vm_unregister(v, arg_ipa, cookie);
	}
	return (double)(bench_now_ns() - t0) / ops;
}

static double rmem_invokes(struct bench_vm *v, uint64_t arg_ipa,
			   uint32_t held, uint32_t ops)
{
	struct optee_msg_arg *a =
		bench_vm_arg(v, arg_ipa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	uint64_t t0;

	a->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
	a->params[0].u.rmem.size = TEEMED_PAGE_SIZE;
	t0 = bench_now_ns();
	for (uint32_t i = 0; i < ops; i++) {
		a->params[0].u.rmem.shm_ref = bench_cookie(i % held);
		if (bench_vm_call(v, arg_ipa) != OPTEE_SMC_RETURN_OK ||
		    a->ret != TEEC_SUCCESS)
			bench_fail("INVOKE with RMEM", (long long)a->ret);
	}
	return (double)(bench_now_ns() - t0) / ops;
}

struct level {
	struct bench_summary reg, rmem, both;
	struct bench_mix tree, list;
	double naive_delta; /* list minus tree, per reg pair + rmem */
};

static void write_dat(const char *dir, const struct level *lv)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/scaling.dat", dir);
	f = fopen(path, "w");
	if (!f)
		bench_fail("cannot write scaling.dat", 0);
	fprintf(f, "# held teemed_median teemed_min teemed_max naive_median "
		   "naive_min naive_max (ns per REGISTER+UNREGISTER+RMEM "
		   "INVOKE)\n");
	for (uint32_t i = 0; i < NLEVELS; i++)
		fprintf(f, "%u %.6g %.6g %.6g %.6g %.6g %.6g\n", levels[i],
			lv[i].both.median, lv[i].both.min, lv[i].both.max,
			lv[i].both.median + lv[i].naive_delta,
			lv[i].both.min + lv[i].naive_delta,
			lv[i].both.max + lv[i].naive_delta);
	fclose(f);
}

static void report(const struct level *lv)
{
	const struct level *one = &lv[0], *top = &lv[NLEVELS - 1];
	char key[64];

	for (uint32_t i = 0; i < NLEVELS; i++) {
		snprintf(key, sizeof(key), "scaling_reg_ns_%u", levels[i]);
		bench_out_summary(key, &lv[i].reg);
		snprintf(key, sizeof(key), "scaling_rmem_ns_%u", levels[i]);
		bench_out_summary(key, &lv[i].rmem);
		snprintf(key, sizeof(key), "scaling_ns_%u", levels[i]);
		bench_out_summary(key, &lv[i].both);
		snprintf(key, sizeof(key), "naive_ns_%u", levels[i]);
		bench_out_num(key, lv[i].both.median + lv[i].naive_delta);
		snprintf(key, sizeof(key), "table_tree_ns_%u", levels[i]);
		bench_out_num(key, lv[i].tree.reg_ns + lv[i].tree.rmem_ns);
		snprintf(key, sizeof(key), "table_list_ns_%u", levels[i]);
		bench_out_num(key, lv[i].list.reg_ns + lv[i].list.rmem_ns);
	}
	bench_out_num("scaling_ratio_10000",
		      top->both.median / one->both.median);
	bench_out_num("scaling_ratio_reg_10000",
		      top->reg.median / one->reg.median);
	bench_out_num("scaling_ratio_rmem_10000",
		      top->rmem.median / one->rmem.median);
	bench_out_num("naive_scaling_ratio_10000",
		      (top->both.median + top->naive_delta) /
			      (one->both.median + one->naive_delta));
}

int bench_scaling_run(const struct bench_opts *o)
{
	struct teemed_quota q = {.buffers = MAX_HELD + 16,
				 .pinned_pages = MAX_HELD + 64,
				 .mediator_pages = MAX_HELD + 64};
	uint32_t ops = o->quick ? 200 : 2000;
	struct level lv[NLEVELS];
	struct bench_env env;
	struct bench_vm vm;
	uint64_t op_list, arg_ipa;
	uint32_t held = 0;

	if (bench_env_init(&env, 3 * MAX_HELD + 4096, 0, 2) ||
	    bench_vm_init(&env, &vm, 1, 2 * MAX_HELD + 256, &q))
		bench_fail("scaling: setup", 0);
	atomic_store(&env.null_sw, true);
	op_list = bench_vm_build_list(&vm, 1);
	arg_ipa = bench_vm_alloc(&vm, 1);
	for (uint32_t l = 0; l < NLEVELS; l++) {
		double reg[MAX_REPS], rmem[MAX_REPS];
		struct level *x = &lv[l];

		bench_progress("scaling", l, NLEVELS);
		while (held < levels[l]) {
			bench_vm_register(&vm, arg_ipa,
					  bench_vm_build_list(&vm, 1), 1,
					  bench_cookie(held));
			held++;
		}
		/* The first level also warms the allocator and the caches
		   up, so it gets a longer warm-up than the others. */
		reg_pairs(&vm, arg_ipa, op_list, l ? ops / 4 + 1 : 2 * ops);
		rmem_invokes(&vm, arg_ipa, held, l ? ops / 4 + 1 : 2 * ops);
		for (uint32_t r = 0; r < o->reps; r++) {
			reg[r] = reg_pairs(&vm, arg_ipa, op_list, ops);
			rmem[r] = rmem_invokes(&vm, arg_ipa, held, ops);
		}
		bench_summarize(reg, o->reps, &x->reg);
		bench_summarize(rmem, o->reps, &x->rmem);
		/* Sum of the parts' statistics: one preempted batch of one
		   part must not drag the other's repetition with it. */
		x->both = x->reg;
		x->both.median += x->rmem.median;
		x->both.min += x->rmem.min;
		x->both.max += x->rmem.max;
		x->both.q1 += x->rmem.q1;
		x->both.q3 += x->rmem.q3;
		bench_naive_measure(held, ops, o->reps, &x->tree, &x->list);
		x->naive_delta = x->list.reg_ns + x->list.rmem_ns -
				 x->tree.reg_ns - x->tree.rmem_ns;
	}
	bench_progress_done();
	report(lv);
	if (o->data_dir)
		write_dat(o->data_dir, lv);
	bench_vm_fini(&vm);
	bench_env_fini(&env);
	return 0;
}
