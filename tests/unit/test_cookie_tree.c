/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AVL cookie tree (white box): after every insert, remove and
 * replace the tree is ordered, its heights are right, every node is
 * balanced, and the height stays within 1.45 * log2(n + 2).
 */
#include "mock_platform.h"

#include <string.h>

#include "cookie_tree.h"

#define N 3000

static struct ctree_node nodes[N];
static bool in_tree[N];

/*
 * height <= 1.45 * log2(n + 2), without libm: 2^(20 h) <= (n + 2)^29.
 * Both sides stay far below DBL_MAX for the sizes used here.
 */
static bool height_within_bound(int32_t height, uint32_t n)
{
	double lhs = 1, rhs = 1;

	for (int32_t i = 0; i < 20 * height; i++)
		lhs *= 2;
	for (int i = 0; i < 29; i++)
		rhs *= (double)n + 2;
	return lhs <= rhs;
}

/* A subtree's height, counted (the tree keeps only balances). */
static int32_t h(const struct ctree_node *n)
{
	int32_t l, r;

	if (!n)
		return 0;
	l = h(n->child[0]);
	r = h(n->child[1]);
	return 1 + (l > r ? l : r);
}

/* Walk in order without recursion; check every invariant. */
static void check(const struct ctree *t)
{
	const struct ctree_node *stack[64];
	const struct ctree_node *n = t->root;
	uint32_t depth = 0, count = 0;
	bool have_prev = false;
	uint64_t prev = 0;

	if (t->root)
		assert_null(teemed_ctree_parent(t->root));
	while (n || depth) {
		while (n) {
			assert_true(depth < 64);
			stack[depth++] = n;
			n = n->child[0];
		}
		n = stack[--depth];
		if (have_prev)
			assert_true(n->key > prev);
		prev = n->key;
		have_prev = true;
		count++;
		for (int side = 0; side < 2; side++)
			if (n->child[side])
				assert_ptr_equal(
					teemed_ctree_parent(n->child[side]), n);
		assert_int_equal(teemed_ctree_balance(n),
				 h(n->child[1]) - h(n->child[0]));
		assert_true(teemed_ctree_balance(n) >= -1 &&
			    teemed_ctree_balance(n) <= 1);
		n = n->child[1];
	}
	assert_int_equal(teemed_ctree_height(t), h(t->root));
	assert_int_equal(count, t->count);
	assert_true(height_within_bound(teemed_ctree_height(t), t->count));
	if (t->count) {
		const struct ctree_node *first = teemed_ctree_first(t);

		assert_non_null(first);
		n = t->root;
		while (n->child[0])
			n = n->child[0];
		assert_ptr_equal(first, n);
	} else {
		assert_null(teemed_ctree_first(t));
		assert_int_equal(teemed_ctree_height(t), 0);
	}
}

static uint64_t key_of(uint32_t i)
{
	/* Spread over the whole 64-bit range, 0 and UINT64_MAX included. */
	if (i == 0)
		return 0;
	if (i == 1)
		return UINT64_MAX;
	return (uint64_t)i * 0x9e3779b97f4a7c15ull;
}

static int setup(void **state)
{
	memset(nodes, 0, sizeof(nodes));
	memset(in_tree, 0, sizeof(in_tree));
	for (uint32_t i = 0; i < N; i++)
		nodes[i].key = key_of(i);
	return 0;
}

static void test_empty(void **state)
{
	struct ctree t = {0};

	check(&t);
	assert_null(teemed_ctree_find(&t, 0));
	assert_null(teemed_ctree_find(&t, 42));
}

static void insert_ok(struct ctree *t, uint32_t i)
{
	assert_int_equal(teemed_ctree_insert(t, &nodes[i]), 0);
	in_tree[i] = true;
}

/* Sorted input is the worst case for an unbalanced tree. */
static void test_ascending_and_descending(void **state)
{
	struct ctree t = {0};

	for (uint32_t i = 0; i < 1024; i++) {
		nodes[i].key = i;
		insert_ok(&t, i);
	}
	check(&t);
	assert_true(teemed_ctree_height(&t) <= 11);
	for (uint32_t i = 0; i < 1024; i++)
		assert_ptr_equal(teemed_ctree_find(&t, i), &nodes[i]);
	assert_int_equal(teemed_ctree_first(&t)->key, 0);
	for (uint32_t i = 0; i < 1024; i++) {
		teemed_ctree_remove(&t, &nodes[i]);
		if (i % 64 == 0)
			check(&t);
	}
	check(&t);
	for (uint32_t i = 0; i < 1024; i++) {
		nodes[i].key = 5000 - i;
		insert_ok(&t, i);
	}
	check(&t);
	assert_int_equal(teemed_ctree_first(&t)->key, 5000 - 1023);
	for (uint32_t i = 1024; i-- > 0;)
		teemed_ctree_remove(&t, &nodes[i]);
	check(&t);
}

static void test_duplicates_refused(void **state)
{
	struct ctree t = {0};
	struct ctree_node twin;

	for (uint32_t i = 0; i < 100; i++)
		insert_ok(&t, i);
	for (uint32_t i = 0; i < 100; i++) {
		memset(&twin, 0, sizeof(twin));
		twin.key = key_of(i);
		assert_int_equal(teemed_ctree_insert(&t, &twin), -1);
		assert_int_equal(t.count, 100);
		/* The original is still the one found. */
		assert_ptr_equal(teemed_ctree_find(&t, key_of(i)), &nodes[i]);
	}
	check(&t);
}

/* Random inserts, finds and removes; invariants after every step. */
static void test_random_operations(void **state)
{
	struct ctree t = {0};
	uint64_t seed = 0x1234567;
	uint32_t live = 0;

	for (uint32_t op = 0; op < 40000; op++) {
		uint32_t i = mock_rand(&seed) % N;
		uint32_t what = mock_rand(&seed) % 10;

		if (what < 6 && !in_tree[i]) {
			insert_ok(&t, i);
			live++;
		} else if (what < 9 && in_tree[i]) {
			teemed_ctree_remove(&t, &nodes[i]);
			in_tree[i] = false;
			live--;
		} else {
			struct ctree_node *f = teemed_ctree_find(&t, key_of(i));

			assert_ptr_equal(f, in_tree[i] ? &nodes[i] : NULL);
			if (in_tree[i])
				assert_int_equal(
					teemed_ctree_insert(&t, &nodes[i]), -1);
		}
		assert_int_equal(t.count, live);
		if (op % 97 == 0 || live < 20)
			check(&t);
	}
	check(&t);
	for (uint32_t i = 0; i < N; i++)
		assert_ptr_equal(teemed_ctree_find(&t, key_of(i)),
				 in_tree[i] ? &nodes[i] : NULL);
	/* Drain in a random order. */
	while (t.count) {
		uint32_t i = mock_rand(&seed) % N;

		if (in_tree[i]) {
			teemed_ctree_remove(&t, &nodes[i]);
			in_tree[i] = false;
			if (t.count % 50 == 0)
				check(&t);
		}
	}
	check(&t);
	assert_null(t.root);
}

/* A removed node may be inserted again (buffers are reused). */
static void test_reinsert_after_remove(void **state)
{
	struct ctree t = {0};

	for (uint32_t i = 0; i < 50; i++)
		insert_ok(&t, i);
	for (uint32_t round = 0; round < 5; round++) {
		for (uint32_t i = round; i < 50; i += 5)
			teemed_ctree_remove(&t, &nodes[i]);
		check(&t);
		for (uint32_t i = round; i < 50; i += 5)
			assert_null(teemed_ctree_find(&t, key_of(i)));
		for (uint32_t i = round; i < 50; i += 5)
			insert_ok(&t, i);
		check(&t);
	}
	assert_int_equal(t.count, 50);
}

/*
 * A node replaced by another of the same key: the replacement is found,
 * keeps the shape, and can be removed like any node; the one replaced
 * is out of the tree. Every position: root, inner nodes, leaves.
 */
static void test_replace(void **state)
{
	static struct ctree_node twins[200];
	struct ctree t = {0};

	for (uint32_t i = 0; i < 200; i++)
		insert_ok(&t, i);
	for (uint32_t i = 0; i < 200; i++) {
		int32_t height = teemed_ctree_height(&t);

		twins[i].key = key_of(i);
		teemed_ctree_replace(&t, &nodes[i], &twins[i]);
		assert_ptr_equal(teemed_ctree_find(&t, key_of(i)), &twins[i]);
		assert_int_equal(teemed_ctree_height(&t), height);
		assert_int_equal(t.count, 200);
		if (i % 17 == 0)
			check(&t);
	}
	check(&t);
	for (uint32_t i = 0; i < 200; i += 2)
		teemed_ctree_remove(&t, &twins[i]);
	check(&t);
	for (uint32_t i = 0; i < 200; i++)
		assert_ptr_equal(teemed_ctree_find(&t, key_of(i)),
				 i % 2 ? &twins[i] : NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_ascending_and_descending, setup),
		cmocka_unit_test_setup(test_duplicates_refused, setup),
		cmocka_unit_test_setup(test_random_operations, setup),
		cmocka_unit_test_setup(test_reinsert_after_remove, setup),
		cmocka_unit_test_setup(test_replace, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
