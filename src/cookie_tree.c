/* SPDX-License-Identifier: BSD-2-Clause */
#include "cookie_tree.h"

/*
 * Deepest path an insert or remove records: an AVL tree of n nodes is
 * less than 1.4405 * log2(n + 2) high, 46 for 2^32 nodes (the counts are
 * 32-bit), one more for the successor's side.
 */
#define TEEMED_CTREE_MAX_PATH 48

/* The links walked from the root, path[i] pointing at the node at depth i. */
struct ctree_path {
	struct ctree_node **link[TEEMED_CTREE_MAX_PATH];
	uint32_t depth;
};

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

/* `x` goes down on side `dir`; returns its child from the other side,
   which takes its place. */
static struct ctree_node *rotate(struct ctree_node *x, int dir)
{
	struct ctree_node *y = x->child[!dir];

	x->child[!dir] = y->child[dir];
	y->child[dir] = x;
	update_height(x);
	update_height(y);
	return y;
}

/* Restore the AVL property at `n`; returns the node now in its place. */
static struct ctree_node *rebalance(struct ctree_node *n)
{
	int32_t balance = height_of(n->child[0]) - height_of(n->child[1]);
	int heavy;

	if (balance >= -1 && balance <= 1) {
		update_height(n);
		return n;
	}
	heavy = balance < 0;
	if (height_of(n->child[heavy]->child[heavy]) <
	    height_of(n->child[heavy]->child[!heavy]))
		n->child[heavy] = rotate(n->child[heavy], heavy);
	return rotate(n, !heavy);
}

/*
 * Rebalance the recorded path from its deepest node up; a subtree whose
 * height did not change leaves everything above it as it was. Most
 * nodes only need their height updated, so that is tried first.
 */
static void rebalance_path(struct ctree_path *p)
{
	for (uint32_t depth = p->depth; depth--;) {
		struct ctree_node **link = p->link[depth];
		struct ctree_node *n = *link;
		int32_t l = height_of(n->child[0]);
		int32_t r = height_of(n->child[1]);
		int32_t was = n->height;
		int32_t height = 1 + (l > r ? l : r);

		if (l - r < -1 || l - r > 1) {
			n = rebalance(n);
			*link = n;
			height = n->height;
		} else {
			n->height = height;
		}
		if (height == was)
			return;
	}
}

static void path_push(struct ctree_path *p, struct ctree_node **link)
{
	p->link[p->depth++] = link;
}

/*
 * The link that points at `key`'s node (or where it would go), with the
 * links above it recorded in `p`.
 */
static struct ctree_node **walk(struct ctree *tree, uint64_t key,
				struct ctree_path *p)
{
	struct ctree_node **link = &tree->root;
	struct ctree_node *n;
	uint32_t depth = 0;

	while ((n = *link) && n->key != key) {
		p->link[depth++] = link;
		link = &n->child[key > n->key];
	}
	p->depth = depth;
	return link;
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
	struct ctree_path p;
	struct ctree_node **link = walk(tree, node->key, &p);

	if (*link)
		return -1;
	node->child[0] = NULL;
	node->child[1] = NULL;
	node->height = 1;
	*link = node;
	tree->count++;
	rebalance_path(&p);
	return 0;
}

void teemed_ctree_remove(struct ctree *tree, struct ctree_node *node)
{
	struct ctree_path p;
	struct ctree_node **link = walk(tree, node->key, &p);

	if (node->child[0] && node->child[1]) {
		/* Put the in-order successor where `node` was. */
		uint32_t at = p.depth;
		struct ctree_node **succ_link = &node->child[1];
		struct ctree_node *succ;

		path_push(&p, link);
		while ((*succ_link)->child[0]) {
			path_push(&p, succ_link);
			succ_link = &(*succ_link)->child[0];
		}
		succ = *succ_link;
		*succ_link = succ->child[1];
		succ->child[0] = node->child[0];
		succ->child[1] = node->child[1];
		succ->height = node->height;
		*link = succ;
		/* The step below `node` now leaves from its successor. */
		if (p.depth > at + 1)
			p.link[at + 1] = &succ->child[1];
	} else {
		*link = node->child[0] ? node->child[0] : node->child[1];
	}
	node->child[0] = node->child[1] = NULL;
	tree->count--;
	rebalance_path(&p);
}

void teemed_ctree_replace(struct ctree *tree, struct ctree_node *node,
			  struct ctree_node *with)
{
	struct ctree_node **link = &tree->root;

	while (*link != node)
		link = &(*link)->child[node->key > (*link)->key];

	with->child[0] = node->child[0];
	with->child[1] = node->child[1];
	with->height = node->height;
	*link = with;
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
