/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Memory: what the mediator holds per pinned guest page (shadow list
 * pages and objects, as the hosted platform accounts them in struct
 * sim_vm) with 16384 pages registered, what a registered buffer of each
 * of a few sizes holds, and what a VM costs before its first call.
 * Counted, not timed, so one run is exact.
 */
#include <stdio.h>

#include "bench.h"

#define PINNED 16384u

/* Buffers measured one at a time: compact up to 511 pages, chunked past. */
static const uint32_t rows[] = {1,    16,   129,  511,	 512,	600,
				1022, 1024, 4096, 16352, PINNED};

static double bytes_of(const struct sim_vm *h)
{
	return (double)h->pages * TEEMED_PAGE_SIZE + (double)h->obj_bytes;
}

/*
 * What a registered buffer of `pages` pages, named by the guest's page
 * list at `list` (0: a list of its own), costs the VM in mediator memory
 * once registered, against the target of 64 + 8 bytes per page. It is
 * unregistered after, and what it held must all come back.
 */
static void registered_bytes(struct bench_vm *vm, uint64_t arg_ipa,
			     uint64_t list, uint32_t pages, uint32_t cookie)
{
	struct sim_vm before = vm->hv;
	char name[64];
	double bytes;

	if (!list)
		list = bench_vm_build_list(vm, pages);
	bench_vm_register(vm, arg_ipa, list, pages, bench_cookie(cookie));
	bytes = bytes_of(&vm->hv) - bytes_of(&before);
	snprintf(name, sizeof(name), "registered_%u_bytes", pages);
	bench_out_num(name, bytes);
	snprintf(name, sizeof(name), "registered_%u_target_bytes", pages);
	bench_out_num(name, 64.0 + 8.0 * pages);
	snprintf(name, sizeof(name), "registered_%u_bytes_per_page", pages);
	bench_out_num(name, bytes / pages);
	bench_vm_unregister(vm, arg_ipa, bench_cookie(cookie));
	if (bytes_of(&vm->hv) != bytes_of(&before))
		bench_fail("memory: UNREGISTER_SHM left memory behind", pages);
}

int bench_memory_run(const struct bench_opts *o)
{
	struct teemed_vm_stats st;
	struct bench_env env;
	struct bench_vm vm;
	struct sim_vm before;
	uint64_t list, arg_ipa;
	double delta;

	/* Default step budget and quotas: the registration takes several
	   FOREIGN_INTR round trips, as it would for a real guest. */
	struct teemed_quota q = {.pinned_pages = PINNED + 1024};

	if (bench_env_init(&env, 2 * PINNED + 8192, 0, 2) ||
	    bench_vm_init(&env, &vm, 1, PINNED + 2048, &q))
		bench_fail("memory: setup", 0);
	bench_progress("memory", 0, 1);
	bench_out_num("vm_fixed_bytes", bytes_of(&vm.hv));
	bench_out_num("vm_fixed_pages", (double)vm.hv.pages);
	bench_out_num("vm_fixed_objs", (double)vm.hv.objs);
	bench_out_num("vm_fixed_obj_bytes", (double)vm.hv.obj_bytes);
	bench_out_num("instance_bytes", bytes_of(&env.plat.global));

	before = vm.hv;
	list = bench_vm_build_list(&vm, PINNED);
	arg_ipa = bench_vm_alloc(&vm, 1);
	bench_vm_register(&vm, arg_ipa, list, PINNED, bench_cookie(1));
	teemed_vm_get_stats(vm.vm, &st);
	if (st.pinned_pages != PINNED)
		bench_fail("memory: pinned pages", st.pinned_pages);
	delta = bytes_of(&vm.hv) - bytes_of(&before);
	bench_out_num("pinned_pages", st.pinned_pages);
	bench_out_num("mediator_pages_for_pins",
		      (double)(vm.hv.pages - before.pages));
	bench_out_num("mediator_obj_bytes_for_pins",
		      (double)(vm.hv.obj_bytes - before.obj_bytes));
	bench_out_num("bytes_per_pinned_page", delta / st.pinned_pages);
	bench_out_num("register_16384_smcs", (double)st.smcs);
	/* The 16384-page buffer's list serves the longer rows: the guest's
	   list is read no further than the pages asked. */
	bench_vm_unregister(&vm, arg_ipa, bench_cookie(1));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		registered_bytes(&vm, arg_ipa, rows[i] > 511 ? list : 0,
				 rows[i], 2 + (uint32_t)i);
	bench_progress_done();
	(void)o;
	bench_vm_fini(&vm);
	bench_env_fini(&env);
	return 0;
}
