/* SPDX-License-Identifier: BSD-2-Clause */
#include "cookie_tree.h"

#include <stddef.h>

static int32_t height_of(const struct ctree_node *n)
{
	return n ? n->height : 0;
}

static void update_height(struct ctree_node *n)
{
	int32_t l = height_of(n->left);
	int32_t r = height_of(n->right);

	n->height = 1 + (l > r ? l : r);
}

/* Make `parent` point at `to` where it pointed at `from`. */
static void replace_child(struct ctree *tree, struct ctree_node *parent,
			  struct ctree_node *from, struct ctree_node *to)
{
	if (!parent)
		tree->root = to;
	else if (parent->left == from)
		parent->left = to;
	else
		parent->right = to;
	if (to)
		to->parent = parent;
}

static struct ctree_node *rotate_left(struct ctree *tree, struct ctree_node *x)
{
	struct ctree_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(tree, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

static struct ctree_node *rotate_right(struct ctree *tree, struct ctree_node *x)
{
	struct ctree_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(tree, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

static struct ctree_node *rebalance(struct ctree *tree, struct ctree_node *n)
{
	int32_t balance = height_of(n->left) - height_of(n->right);

	if (balance > 1) {
		if (height_of(n->left->left) < height_of(n->left->right))
			rotate_left(tree, n->left);
		return rotate_right(tree, n);
	}
	if (balance < -1) {
		if (height_of(n->right->right) < height_of(n->right->left))
			rotate_right(tree, n->right);
		return rotate_left(tree, n);
	}
	update_height(n);
	return n;
}

static void rebalance_to_root(struct ctree *tree, struct ctree_node *n)
{
	while (n) {
		n = rebalance(tree, n);
		n = n->parent;
	}
}

struct ctree_node *ctree_find(const struct ctree *tree, uint64_t key)
{
	struct ctree_node *n = tree->root;

	while (n && n->key != key)
		n = key < n->key ? n->left : n->right;
	return n;
}

int ctree_insert(struct ctree *tree, struct ctree_node *node)
{
	struct ctree_node *parent = NULL;
	struct ctree_node **link = &tree->root;

	while (*link) {
		parent = *link;
		if (node->key == parent->key)
			return -1;
		link = node->key < parent->key ? &parent->left : &parent->right;
	}
	node->left = NULL;
	node->right = NULL;
	node->parent = parent;
	node->height = 1;
	*link = node;
	tree->count++;
	rebalance_to_root(tree, parent);
	return 0;
}

void ctree_remove(struct ctree *tree, struct ctree_node *node)
{
	struct ctree_node *fix_from;

	if (node->left && node->right) {
		/* Put the in-order successor where `node` was. */
		struct ctree_node *succ = node->right;

		while (succ->left)
			succ = succ->left;
		if (succ->parent == node) {
			fix_from = succ;
		} else {
			fix_from = succ->parent;
			replace_child(tree, succ->parent, succ, succ->right);
			succ->right = node->right;
			succ->right->parent = succ;
		}
		replace_child(tree, node->parent, node, succ);
		succ->left = node->left;
		succ->left->parent = succ;
		succ->height = node->height;
	} else {
		struct ctree_node *child = node->left ? node->left : node->right;

		fix_from = node->parent;
		replace_child(tree, node->parent, node, child);
	}
	node->left = node->right = node->parent = NULL;
	tree->count--;
	rebalance_to_root(tree, fix_from);
}

struct ctree_node *ctree_first(const struct ctree *tree)
{
	struct ctree_node *n = tree->root;

	while (n && n->left)
		n = n->left;
	return n;
}

int32_t ctree_height(const struct ctree *tree)
{
	return height_of(tree->root);
}
