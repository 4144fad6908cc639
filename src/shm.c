/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A VM's cookie namespace: every buffer OP-TEE knows by a guest-chosen
 * cookie (registered buffers, RPC payloads) in one balanced tree, so a
 * cookie is live at most once and look-ups cost O(log n). Buffers
 * leaving the namespace wait in a release queue until unpinned.
 */
#include "internal.h"

#define BUF_OF(n)                                                              \
	((struct buf *)(void *)((uint8_t *)(n)-offsetof(struct buf, node)))

struct buf *shm_lookup_locked(struct teemed_vm *vm, uint64_t cookie)
{
	struct ctree_node *n = ctree_find(&vm->cookies, cookie);

	return n ? BUF_OF(n) : NULL;
}

int shm_insert_locked(struct teemed_vm *vm, struct buf *b)
{
	if (ctree_insert(&vm->cookies, &b->node))
		return TEEMED_ERR_EXIST;
	stats_peak(&vm->stats.buffers, &vm->stats.buffers_peak, 1);
	return TEEMED_OK;
}

void shm_remove_locked(struct teemed_vm *vm, struct buf *b)
{
	ctree_remove(&vm->cookies, &b->node);
	vm->stats.buffers--;
}

struct buf *shm_first_locked(struct teemed_vm *vm)
{
	struct ctree_node *n = ctree_first(&vm->cookies);

	return n ? BUF_OF(n) : NULL;
}

void shm_queue_release_locked(struct teemed_vm *vm, struct buf *b)
{
	b->state = BUF_RELEASING;
	b->next = vm->release_queue;
	vm->release_queue = b;
}

/* Unpin queued buffers within the budget; true when the queue is empty. */
bool shm_drain_release_queue(struct teemed_vm *vm, struct step *st)
{
	for (;;) {
		struct buf *b;

		vm_lock(vm);
		b = vm->release_queue;
		if (b)
			vm->release_queue = b->next;
		vm_unlock(vm);
		if (!b)
			return true;
		if (!buf_release(vm, b, st)) {
			vm_lock(vm);
			b->next = vm->release_queue;
			vm->release_queue = b;
			vm_unlock(vm);
			return false;
		}
	}
}
