/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A VM's cookie namespace: every buffer OP-TEE knows by a guest-chosen
 * cookie (registered buffers, RPC payloads) in one balanced tree, so a
 * cookie is live at most once and look-ups cost O(log n). Buffers
 * leaving the namespace wait in a release queue until unpinned.
 */
#include "internal.h"

#define TEEMED_BUF_OF(n)                                                       \
	((struct buf *)(void *)((uint8_t *)(n) -                               \
				__builtin_offsetof(struct buf, node)))

struct buf *teemed_shm_lookup_locked(struct teemed_vm *vm, uint64_t cookie)
{
	struct ctree_node *n = teemed_ctree_find(&vm->cookies, cookie);

	return n ? TEEMED_BUF_OF(n) : NULL;
}

/* The counter and limit a buffer of this kind is held to. */
static uint32_t *kind_count(struct teemed_vm *vm, const struct buf *b,
			    uint32_t **peak, uint32_t *limit)
{
	if (b->kind == BUF_RPC_ARG) {
		*peak = &vm->stats.rpc_buffers_peak;
		*limit = vm->quota.rpc_buffers;
		return &vm->stats.rpc_buffers;
	}
	*peak = &vm->stats.buffers_peak;
	*limit = vm->quota.buffers;
	return &vm->stats.buffers;
}

/*
 * Enter a buffer in the namespace. EXIST: the cookie is live (OP-TEE
 * would silently shadow the older object, §5.2); NOMEM: quota.
 */
int teemed_shm_insert_locked(struct teemed_vm *vm, struct buf *b)
{
	uint32_t *peak, limit;
	uint32_t *count = kind_count(vm, b, &peak, &limit);

	if (*count >= limit)
		return TEEMED_ERR_NOMEM;
	if (teemed_ctree_insert(&vm->cookies, &b->node))
		return TEEMED_ERR_EXIST;
	b->in_tree = true;
	teemed_stats_peak(count, peak, 1);
	return TEEMED_OK;
}

void teemed_shm_remove_locked(struct teemed_vm *vm, struct buf *b)
{
	uint32_t *peak, limit;

	teemed_ctree_remove(&vm->cookies, &b->node);
	b->in_tree = false;
	(*kind_count(vm, b, &peak, &limit))--;
}

/* Put `with`, a copy of `b` made elsewhere, in its place. */
void teemed_shm_replace(struct teemed_vm *vm, struct buf *b, struct buf *with)
{
	teemed_vm_lock(vm);
	teemed_ctree_replace(&vm->cookies, &b->node, &with->node);
	teemed_vm_unlock(vm);
}

/* Insert, mapping failure to the refusal it is. */
uint32_t teemed_shm_insert(struct teemed_vm *vm, struct buf *b)
{
	int err;

	/* Cookie 0 means "none" inside OP-TEE (§5.2). */
	if (teemed_buf_cookie(b) == 0)
		return TEEMED_REFUSED_PARAM;
	teemed_vm_lock(vm);
	err = teemed_shm_insert_locked(vm, b);
	teemed_vm_unlock(vm);
	if (err == TEEMED_ERR_NOMEM)
		return TEEMED_REFUSED_QUOTA;
	return err ? TEEMED_REFUSED_PARAM : TEEMED_REFUSED_COUNT;
}

struct buf *teemed_shm_first_locked(struct teemed_vm *vm)
{
	struct ctree_node *n = teemed_ctree_first(&vm->cookies);

	return n ? TEEMED_BUF_OF(n) : NULL;
}

void teemed_shm_queue_release_locked(struct teemed_vm *vm, struct buf *b)
{
	b->state = BUF_RELEASING;
	b->next = vm->release_queue;
	vm->release_queue = b;
	TEEMED_ATOMIC_ADD(&vm->queued, 1);
}

/* Unpin queued buffers within the budget; true when the queue is empty. */
bool teemed_shm_drain_release_queue(struct teemed_vm *vm, struct step *st)
{
	for (;;) {
		struct buf *b;

		teemed_vm_lock(vm);
		b = vm->release_queue;
		if (b)
			vm->release_queue = b->next;
		teemed_vm_unlock(vm);
		if (!b)
			return true;
		if (!teemed_buf_release(vm, b, st)) {
			teemed_vm_lock(vm);
			b->next = vm->release_queue;
			vm->release_queue = b;
			teemed_vm_unlock(vm);
			return false;
		}
		TEEMED_ATOMIC_SUB(&vm->queued, 1);
	}
}
