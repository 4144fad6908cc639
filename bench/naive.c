/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The naive twin: a cookie table that is a list, walked for every
 * look-up, as Xen's mediator keeps its shared buffers. A correct list
 * design must also walk it on insert (a live cookie must not be entered
 * twice) and appends at the tail, so a fresh cookie is found at the end.
 *
 * Both tables are exercised with the operation mix of one scaling step
 * (REGISTER + UNREGISTER: insert, find, remove; an RMEM: find of a held
 * cookie), on objects the size of the core's struct buf, each allocated
 * on its own as alloc_obj would. The difference between the two is what
 * the mediator would pay with a list instead of its tree.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "internal.h"

#define MAX_REPS 64

struct list_node {
	struct list_node *next, *prev;
	uint64_t key;
	uint8_t pad[sizeof(struct buf) - 2 * sizeof(void *) - 8];
};

struct list_table {
	struct list_node *head, *tail;
};

static struct list_node *list_find(const struct list_table *t, uint64_t key)
{
	struct list_node *n = t->head;

	while (n && n->key != key)
		n = n->next;
	return n;
}

static int list_insert(struct list_table *t, struct list_node *n)
{
	if (list_find(t, n->key))
		return -1;
	n->next = NULL;
	n->prev = t->tail;
	if (t->tail)
		t->tail->next = n;
	else
		t->head = n;
	t->tail = n;
	return 0;
}

static void list_remove(struct list_table *t, struct list_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		t->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		t->tail = n->prev;
}

/*
 * Guest cookies look like kernel pointers: unique, in no useful order.
 * Multiplying by an odd constant is a bijection, so no two collide.
 */
uint64_t bench_cookie(uint32_t i)
{
	return ((uint64_t)i + 1) * 0x9e3779b97f4a7c15ull;
}

/* Keeps the compiler from dropping look-ups nobody reads. */
#define TOUCH(p) __asm__ __volatile__("" : : "r"(p) : "memory")

static double tree_reg(struct ctree *t, struct buf *fresh, uint32_t ops)
{
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < ops; i++) {
		struct ctree_node *n;

		if (teemed_ctree_insert(t, &fresh->node))
			bench_fail("tree insert", i);
		n = teemed_ctree_find(t, fresh->node.key);
		TOUCH(n);
		teemed_ctree_remove(t, n);
	}
	return (double)(bench_now_ns() - t0) / ops;
}

static double tree_rmem(struct ctree *t, uint32_t held, uint32_t ops)
{
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < ops; i++) {
		struct ctree_node *n = teemed_ctree_find(t, bench_cookie(i % held));

		if (!n)
			bench_fail("tree find", i);
		TOUCH(n);
	}
	return (double)(bench_now_ns() - t0) / ops;
}

static double list_reg(struct list_table *t, struct list_node *fresh,
		       uint32_t ops)
{
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < ops; i++) {
		struct list_node *n;

		if (list_insert(t, fresh))
			bench_fail("list insert", i);
		n = list_find(t, fresh->key);
		TOUCH(n);
		list_remove(t, n);
	}
	return (double)(bench_now_ns() - t0) / ops;
}

static double list_rmem(struct list_table *t, uint32_t held, uint32_t ops)
{
	uint64_t t0 = bench_now_ns();

	for (uint32_t i = 0; i < ops; i++) {
		struct list_node *n = list_find(t, bench_cookie(i % held));

		if (!n)
			bench_fail("list find", i);
		TOUCH(n);
	}
	return (double)(bench_now_ns() - t0) / ops;
}

void bench_naive_measure(uint32_t held, uint32_t ops, uint32_t reps,
			 struct bench_mix *tree, struct bench_mix *list)
{
	double tr[MAX_REPS], tm[MAX_REPS], lr[MAX_REPS], lm[MAX_REPS];
	struct buf **bufs = calloc(held + 1, sizeof(*bufs));
	struct list_node **nodes = calloc(held + 1, sizeof(*nodes));
	struct list_table lt = {NULL, NULL};
	struct ctree ct = {NULL, 0};
	struct bench_summary s;

	if (!bufs || !nodes)
		bench_fail("out of memory", held);
	/* Interleaved allocations, as buffers and other objects would be. */
	for (uint32_t i = 0; i <= held; i++) {
		bufs[i] = calloc(1, sizeof(*bufs[i]));
		nodes[i] = calloc(1, sizeof(*nodes[i]));
		if (!bufs[i] || !nodes[i])
			bench_fail("out of memory", i);
		bufs[i]->node.key = nodes[i]->key =
			i < held ? bench_cookie(i) : bench_cookie(held);
		if (i < held && (teemed_ctree_insert(&ct, &bufs[i]->node) ||
				 list_insert(&lt, nodes[i])))
			bench_fail("cookie collision", i);
	}
	tree_reg(&ct, bufs[held], ops / 4 + 1);
	list_reg(&lt, nodes[held], ops / 4 + 1);
	for (uint32_t r = 0; r < reps; r++) {
		tr[r] = tree_reg(&ct, bufs[held], ops);
		lr[r] = list_reg(&lt, nodes[held], ops);
		tm[r] = tree_rmem(&ct, held, ops);
		lm[r] = list_rmem(&lt, held, ops);
	}
	bench_summarize(tr, reps, &s);
	tree->reg_ns = s.median;
	bench_summarize(tm, reps, &s);
	tree->rmem_ns = s.median;
	bench_summarize(lr, reps, &s);
	list->reg_ns = s.median;
	bench_summarize(lm, reps, &s);
	list->rmem_ns = s.median;
	for (uint32_t i = 0; i <= held; i++) {
		free(bufs[i]);
		free(nodes[i]);
	}
	free(bufs);
	free(nodes);
}
