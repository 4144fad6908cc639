/* SPDX-License-Identifier: BSD-2-Clause */
#include "cookie_tree.h"

static void set_parent(struct ctree_node *n, struct ctree_node *parent)
{
	n->parent_balance = (uintptr_t)parent | (n->parent_balance & 3);
}

static void set_balance(struct ctree_node *n, int balance)
{
	n->parent_balance =
		(n->parent_balance & ~(uintptr_t)3) | (uintptr_t)(balance + 1);
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
		set_parent(to, parent);
}

/* `x` goes down on side `dir`; its child on the other side comes up.
   Links only: the caller sets the balances. */
static struct ctree_node *rotate(struct ctree *tree, struct ctree_node *x,
				 int dir)
{
	struct ctree_node *y = x->child[!dir];
	struct ctree_node *parent = teemed_ctree_parent(x);

	x->child[!dir] = y->child[dir];
	if (y->child[dir])
		set_parent(y->child[dir], x);
	y->child[dir] = x;
	set_parent(x, y);
	replace_child(tree, parent, x, y);
	return y;
}

/*
 * `x` is out of balance by 2 (`balance`, not stored: it does not fit)
 * on its heavy side; restore it with one rotation or two. Returns
 * whether the subtree is now one lower than with `x` heavy, which is
 * not so only when the heavy child was balanced (after a removal).
 */
static bool rebalance(struct ctree *tree, struct ctree_node *x, int balance)
{
	int heavy = balance > 0;
	int s = heavy ? 1 : -1;
	struct ctree_node *z = x->child[heavy];
	int zb = teemed_ctree_balance(z);

	if (zb == -s) {
		/* z leans the other way: its inner child comes to the top. */
		struct ctree_node *y = z->child[!heavy];
		int yb = teemed_ctree_balance(y);

		rotate(tree, z, heavy);
		rotate(tree, x, !heavy);
		set_balance(x, yb == s ? -s : 0);
		set_balance(z, yb == -s ? s : 0);
		set_balance(y, 0);
		return true;
	}
	rotate(tree, x, !heavy);
	set_balance(x, zb ? 0 : s);
	set_balance(z, zb ? 0 : -s);
	return zb != 0;
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
	struct ctree_node *n;

	while (*link) {
		parent = *link;
		if (node->key == parent->key)
			return -1;
		link = &parent->child[node->key > parent->key];
	}
	node->child[0] = NULL;
	node->child[1] = NULL;
	node->parent_balance = (uintptr_t)parent | 1;
	*link = node;
	tree->count++;
	/* Up from the new leaf while a subtree grew taller. */
	for (n = node; parent; n = parent, parent = teemed_ctree_parent(n)) {
		int balance = teemed_ctree_balance(parent) +
			      (parent->child[1] == n ? 1 : -1);

		if (balance == 2 || balance == -2) {
			rebalance(tree, parent, balance);
			break;
		}
		set_balance(parent, balance);
		if (balance == 0)
			break;
	}
	return 0;
}

void teemed_ctree_remove(struct ctree *tree, struct ctree_node *node)
{
	struct ctree_node *x; /* its subtree on `side` got one lower */
	int side;

	if (node->child[0] && node->child[1]) {
		/* Put the in-order successor where `node` was. */
		struct ctree_node *succ = node->child[1];

		while (succ->child[0])
			succ = succ->child[0];
		if (succ == node->child[1]) {
			x = succ;
			side = 1;
		} else {
			x = teemed_ctree_parent(succ);
			side = 0;
			x->child[0] = succ->child[1];
			if (succ->child[1])
				set_parent(succ->child[1], x);
			succ->child[1] = node->child[1];
			set_parent(succ->child[1], succ);
		}
		succ->child[0] = node->child[0];
		set_parent(succ->child[0], succ);
		set_balance(succ, teemed_ctree_balance(node));
		replace_child(tree, teemed_ctree_parent(node), node, succ);
	} else {
		struct ctree_node *child =
			node->child[0] ? node->child[0] : node->child[1];

		x = teemed_ctree_parent(node);
		side = x && x->child[1] == node;
		replace_child(tree, x, node, child);
	}
	node->child[0] = node->child[1] = NULL;
	node->parent_balance = 0;
	tree->count--;
	/* Up from `x` while a subtree got lower. */
	while (x) {
		struct ctree_node *parent = teemed_ctree_parent(x);
		int parent_side = parent && parent->child[1] == x;
		int balance = teemed_ctree_balance(x) - (side ? 1 : -1);

		if (balance == 2 || balance == -2) {
			if (!rebalance(tree, x, balance))
				break;
		} else {
			set_balance(x, balance);
			if (balance != 0)
				break;
		}
		x = parent;
		side = parent_side;
	}
}

void teemed_ctree_replace(struct ctree *tree, struct ctree_node *node,
			  struct ctree_node *with)
{
	with->child[0] = node->child[0];
	with->child[1] = node->child[1];
	with->parent_balance = node->parent_balance;
	if (with->child[0])
		set_parent(with->child[0], with);
	if (with->child[1])
		set_parent(with->child[1], with);
	replace_child(tree, teemed_ctree_parent(node), node, with);
}

struct ctree_node *teemed_ctree_first(const struct ctree *tree)
{
	struct ctree_node *n = tree->root;

	while (n && n->child[0])
		n = n->child[0];
	return n;
}

/* Down the taller side (either, where balanced) to a leaf. */
int32_t teemed_ctree_height(const struct ctree *tree)
{
	int32_t height = 0;

	for (const struct ctree_node *n = tree->root; n; height++)
		n = n->child[teemed_ctree_balance(n) > 0];
	return height;
}
