/* SPDX-License-Identifier: BSD-2-Clause */
#include "cookie_tree.h"

static int32_t height_of(const struct ctree_node *n)
{
	return n ? n->height : 0;
}

static void update_height(struct ctree_node *n)
{
	int32_t l = height_of(n->child[0]);
	int32_t r = height_of(n->child[1]);

	n->height = 1 + (l > r ? l : r);
}

/* Make `parent` point at `to` where it pointed at `from`. */
static void replace_child(struct ctree *tree, struct ctree_node *parent,
			  struct ctree_node *from, struct ctree_node *to)
{
	if (!parent)
		tree->root = to;
	else
		parent->child[parent->child[1] == from] = to;
	if (to)
		to->parent = parent;
}

/* `x` goes down on side `dir`; its child on the other side comes up. */
static void rotate(struct ctree *tree, struct ctree_node *x, int dir)
{
	struct ctree_node *y = x->child[!dir];

	x->child[!dir] = y->child[dir];
	if (y->child[dir])
		y->child[dir]->parent = x;
	replace_child(tree, x->parent, x, y);
	y->child[dir] = x;
	x->parent = y;
	update_height(x);
	update_height(y);
}

/* Restore the AVL property at `n`; returns the node now in its place. */
static struct ctree_node *rebalance(struct ctree *tree, struct ctree_node *n)
{
	int32_t balance = height_of(n->child[0]) - height_of(n->child[1]);
	struct ctree_node *top;
	int heavy;

	if (balance >= -1 && balance <= 1) {
		update_height(n);
		return n;
	}
	heavy = balance < 0;
	top = n->child[heavy];
	if (height_of(top->child[heavy]) < height_of(top->child[!heavy]))
		rotate(tree, top, heavy);
	top = n->child[heavy];
	rotate(tree, n, !heavy);
	return top;
}

static void rebalance_to_root(struct ctree *tree, struct ctree_node *n)
{
	while (n) {
		n = rebalance(tree, n);
		n = n->parent;
	}
}

struct ctree_node *teemed_ctree_find(const struct ctree *tree, uint64_t key)
{
	struct ctree_node *n = tree->root;

	while (n && n->key != key)
		n = n->child[key > n->key];
	return n;
}

int teemed_ctree_insert(struct ctree *tree, struct ctree_node *node)
{
	struct ctree_node *parent = NULL;
	struct ctree_node **link = &tree->root;

	while (*link) {
		parent = *link;
		if (node->key == parent->key)
			return -1;
		link = &parent->child[node->key > parent->key];
	}
	node->child[0] = NULL;
	node->child[1] = NULL;
	node->parent = parent;
	node->height = 1;
	*link = node;
	tree->count++;
	rebalance_to_root(tree, parent);
	return 0;
}

void teemed_ctree_remove(struct ctree *tree, struct ctree_node *node)
{
	struct ctree_node *fix_from;

	if (node->child[0] && node->child[1]) {
		/* Put the in-order successor where `node` was. */
		struct ctree_node *succ = node->child[1];

		while (succ->child[0])
			succ = succ->child[0];
		if (succ->parent == node) {
			fix_from = succ;
		} else {
			fix_from = succ->parent;
			replace_child(tree, succ->parent, succ, succ->child[1]);
			succ->child[1] = node->child[1];
			succ->child[1]->parent = succ;
		}
		replace_child(tree, node->parent, node, succ);
		succ->child[0] = node->child[0];
		succ->child[0]->parent = succ;
		succ->height = node->height;
	} else {
		struct ctree_node *child =
			node->child[0] ? node->child[0] : node->child[1];

		fix_from = node->parent;
		replace_child(tree, node->parent, node, child);
	}
	node->child[0] = node->child[1] = node->parent = NULL;
	tree->count--;
	rebalance_to_root(tree, fix_from);
}

struct ctree_node *teemed_ctree_first(const struct ctree *tree)
{
	struct ctree_node *n = tree->root;

	while (n && n->child[0])
		n = n->child[0];
	return n;
}

int32_t teemed_ctree_height(const struct ctree *tree)
{
	return height_of(tree->root);
}
