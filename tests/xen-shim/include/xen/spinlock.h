/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim (see xen/config.h): spinlocks. The shim's checks: a CPU
 * (thread) never takes one it holds, never releases one it does not
 * hold; and it counts how many it holds, so that the SMC can tell when
 * it is issued under one.
 */
#ifndef XEN_SHIM_SPINLOCK_H
#define XEN_SHIM_SPINLOCK_H

#include <xen/types.h>

typedef struct {
    unsigned int locked;
    const void *holder;
} spinlock_t;

#define SPIN_LOCK_UNLOCKED { 0, NULL }
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED
#define spin_lock_init(l) (*(l) = (spinlock_t)SPIN_LOCK_UNLOCKED)

void _spin_lock(spinlock_t *lock);
void _spin_unlock(spinlock_t *lock);
bool _spin_is_locked(const spinlock_t *lock);

static always_inline void spin_lock(spinlock_t *l)
{
    _spin_lock(l);
}
#define spin_unlock(l) _spin_unlock(l)
#define spin_is_locked(l) _spin_is_locked(l)

#endif
