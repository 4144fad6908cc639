/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Translation: pages per second turned from a guest's NONCONTIG list
 * into a pinned shadow list, by the core's own teemed_buf_create() +
 * teemed_buf_translate() (what a REGISTER_SHM or TMEM runs, minus the SMC),
 * against the least any mediator must do on the same pages: map the
 * guest's list page, and per entry one platform pin and one 8-byte
 * store of the PA. Both sides go through the same platform callbacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "internal.h"

#define ENTRIES OPTEE_MSG_PAGELIST_ENTRIES
#define MAX_PAGES 16384u
#define MAX_CHUNK 32u
#define NSIZES 5u

static const uint32_t sizes[NSIZES] = {1, 16, 256, 4096, MAX_PAGES};

/* Buffers in flight at once: enough to amortise the clock, bounded pins. */
static uint32_t chunk_for(uint32_t pages)
{
	uint32_t c = MAX_PAGES / pages;

	return c > MAX_CHUNK ? MAX_CHUNK : (c ? c : 1);
}

static uint64_t mediator_chunk(struct bench_vm *v, uint64_t list,
			       uint32_t pages, uint32_t nbuf,
			       struct buf **bufs)
{
	uint64_t t0, t1;
	uint32_t refusal = 0;

	t0 = bench_now_ns();
	for (uint32_t i = 0; i < nbuf; i++) {
		struct step st = {.budget = UINT32_MAX};

		bufs[i] = teemed_buf_create(v->vm, BUF_TMEM, 0, list,
				     (uint64_t)pages * TEEMED_PAGE_SIZE,
				     &refusal);
		if (!bufs[i])
			bench_fail("teemed_buf_create refused", refusal);
		if (teemed_buf_translate(v->vm, bufs[i], &st) != TEEMED_OK)
			bench_fail("teemed_buf_translate failed", pages);
	}
	t1 = bench_now_ns();
	for (uint32_t i = 0; i < nbuf; i++) {
		struct step st = {.budget = UINT32_MAX};

		if (!teemed_buf_release(v->vm, bufs[i], &st))
			bench_fail("teemed_buf_release incomplete", pages);
	}
	return t1 - t0;
}

static uint64_t baseline_chunk(struct bench_vm *v, uint64_t list,
			       uint32_t pages, uint32_t nbuf, uint64_t *dst)
{
	const struct teemed_platform *p = &v->env->plat.ops;
	void *hv = &v->hv;
	uint64_t t0, t1;

	t0 = bench_now_ns();
	for (uint32_t b = 0; b < nbuf; b++) {
		uint64_t *out = dst + (size_t)b * pages;
		uint64_t list_ipa = list;
		uint32_t i = 0;

		while (i < pages) {
			teemed_pa_t lpa;
			const uint64_t *entry;

			if (p->pin_guest_page(p->ctx, hv, teemed_ipa(list_ipa),
					      0, &lpa))
				bench_fail("baseline list pin", i);
			entry = p->map(p->ctx, lpa);
			for (uint32_t j = 0; j < ENTRIES && i < pages;
			     j++, i++) {
				teemed_pa_t pa;

				if (p->pin_guest_page(p->ctx, hv,
						      teemed_ipa(entry[j]),
						      TEEMED_PIN_WRITE, &pa))
					bench_fail("baseline pin", i);
				out[i] = teemed_pa_addr(pa);
			}
			list_ipa = entry[OPTEE_MSG_PAGELIST_NEXT_SLOT];
			p->unmap(p->ctx, (void *)(uintptr_t)entry);
			p->unpin_guest_page(p->ctx, hv, lpa);
		}
	}
	t1 = bench_now_ns();
	for (size_t i = 0; i < (size_t)nbuf * pages; i++)
		p->unpin_guest_page(p->ctx, hv, teemed_pa(dst[i]));
	return t1 - t0;
}

struct side {
	double rate[64]; /* pages/s per repetition */
	uint32_t n;
};

/* One repetition: about `target` pages each way, chunks interleaved so
   that noise hits both sides alike. */
static void one_rep(struct bench_vm *v, uint64_t list, uint32_t pages,
		    uint32_t target, struct buf **bufs, uint64_t *dst,
		    struct side *med, struct side *base)
{
	uint32_t chunk = chunk_for(pages);
	uint32_t nbuf = target / pages ? target / pages : 1;
	uint64_t tm = 0, tb = 0;
	uint32_t done = 0;

	while (done < nbuf) {
		uint32_t n = nbuf - done < chunk ? nbuf - done : chunk;

		tm += mediator_chunk(v, list, pages, n, bufs);
		tb += baseline_chunk(v, list, pages, n, dst);
		done += n;
	}
	if (med && base) {
		double total = (double)nbuf * pages * 1e9;

		med->rate[med->n++] = total / (double)(tm ? tm : 1);
		base->rate[base->n++] = total / (double)(tb ? tb : 1);
	}
}

static void write_dat(const char *dir, const struct bench_summary *m,
		      const struct bench_summary *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/translate.dat", dir);
	f = fopen(path, "w");
	if (!f)
		bench_fail("cannot write translate.dat", 0);
	fprintf(f, "# pages med_median med_min med_max base_median base_min "
		   "base_max (pages/s)\n");
	for (uint32_t i = 0; i < NSIZES; i++)
		fprintf(f, "%u %.6g %.6g %.6g %.6g %.6g %.6g\n", sizes[i],
			m[i].median, m[i].min, m[i].max, b[i].median, b[i].min,
			b[i].max);
	fclose(f);
}

int bench_translate_run(const struct bench_opts *o)
{
	struct teemed_quota q = {.pinned_pages = 2 * MAX_PAGES,
				 .mediator_pages = 4096};
	struct bench_summary ms[NSIZES], bs[NSIZES];
	uint32_t target = o->quick ? 4096 : 65536;
	struct buf *bufs[MAX_CHUNK];
	struct bench_env env;
	struct bench_vm vm;
	uint64_t lists[NSIZES];
	uint64_t *dst;
	char key[64];

	if (bench_env_init(&env, 3 * MAX_PAGES + 8192, 0, 2) ||
	    bench_vm_init(&env, &vm, 1, 2 * MAX_PAGES + 1024, &q))
		bench_fail("translate: setup", 0);
	dst = malloc(sizeof(*dst) * MAX_PAGES);
	if (!dst)
		bench_fail("out of memory", 0);
	for (uint32_t s = 0; s < NSIZES; s++)
		lists[s] = bench_vm_build_list(&vm, sizes[s]);

	for (uint32_t s = 0; s < NSIZES; s++) {
		struct side med = {.n = 0}, base = {.n = 0};

		bench_progress("translation", s, NSIZES);
		/* Warm-up: caches, the machine's page tables, the allocator. */
		one_rep(&vm, lists[s], sizes[s], target / 4 + 1, bufs, dst,
			NULL, NULL);
		for (uint32_t r = 0; r < o->reps; r++)
			one_rep(&vm, lists[s], sizes[s], target, bufs, dst,
				&med, &base);
		bench_summarize(med.rate, med.n, &ms[s]);
		bench_summarize(base.rate, base.n, &bs[s]);
		snprintf(key, sizeof(key), "translate_pps_%u", sizes[s]);
		bench_out_summary(key, &ms[s]);
		snprintf(key, sizeof(key), "translate_base_pps_%u", sizes[s]);
		bench_out_summary(key, &bs[s]);
		snprintf(key, sizeof(key), "translate_ratio_%u", sizes[s]);
		bench_out_num(key, bs[s].median / ms[s].median);
	}
	bench_progress_done();
	if (o->data_dir)
		write_dat(o->data_dir, ms, bs);
	free(dst);
	bench_vm_fini(&vm);
	bench_env_fini(&env);
	return 0;
}
