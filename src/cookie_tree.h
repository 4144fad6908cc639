/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An intrusive AVL tree keyed by 64-bit cookies. Guests choose cookies,
 * so a hash table would let a guest force collisions; a balanced tree
 * keeps every operation O(log n) whatever the keys. No recursion, no
 * allocation: nodes are embedded in the objects they index. A node is
 * 32 bytes (every registered buffer carries one, so 8 bytes count): its
 * balance (the right subtree's height minus the left's, -1 to 1) lives
 * in the two low bits of its parent link, which nodes' alignment keeps
 * zero.
 */
#ifndef TEEMED_COOKIE_TREE_H
#define TEEMED_COOKIE_TREE_H

#include "teemed/types.h"

/* child[0] holds smaller keys, child[1] larger ones. */
struct ctree_node {
	struct ctree_node *child[2];
	uintptr_t parent_balance; /* parent's address | (balance + 1) */
	uint64_t key;
};

struct ctree {
	struct ctree_node *root;
	uint32_t count;
};

static inline struct ctree_node *teemed_ctree_parent(const struct ctree_node *n)
{
	return (struct ctree_node *)(n->parent_balance & ~(uintptr_t)3);
}

static inline int teemed_ctree_balance(const struct ctree_node *n)
{
	return (int)(n->parent_balance & 3) - 1;
}

struct ctree_node *teemed_ctree_find(const struct ctree *tree, uint64_t key);

/* Insert `node` (its key set); -1 and no change if the key exists. */
int teemed_ctree_insert(struct ctree *tree, struct ctree_node *node);

/* Remove `node`, which must be in the tree. */
void teemed_ctree_remove(struct ctree *tree, struct ctree_node *node);

/*
 * Put `with` (its key equal to that of `node`, which must be in the tree)
 * where `node` is: same links, same place, nothing rebalanced.
 */
void teemed_ctree_replace(struct ctree *tree, struct ctree_node *node,
			  struct ctree_node *with);

/* Smallest key, or NULL when empty. */
struct ctree_node *teemed_ctree_first(const struct ctree *tree);

/* Height of the tree (0 when empty); for tests of balance. */
int32_t teemed_ctree_height(const struct ctree *tree);

#endif /* TEEMED_COOKIE_TREE_H */
