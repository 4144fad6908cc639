/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Atomic access to plain integers, through the compiler's __atomic
 * builtins (gcc and clang), so the core needs no <stdatomic.h> and no
 * _Atomic objects, neither of which exists in -nostdinc hypervisor
 * builds. Counters that only feed statistics and quotas are relaxed;
 * the compare-and-swap that enforces a shared cap is sequentially
 * consistent.
 */
#ifndef TEEMED_ATOMIC_H
#define TEEMED_ATOMIC_H

#define TEEMED_ATOMIC_LOAD(p)	  __atomic_load_n((p), __ATOMIC_RELAXED)
#define TEEMED_ATOMIC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define TEEMED_ATOMIC_ADD(p, v)	  __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define TEEMED_ATOMIC_SUB(p, v)	  __atomic_fetch_sub((p), (v), __ATOMIC_RELAXED)
#define TEEMED_ATOMIC_CAS(p, expected, desired)                                \
	__atomic_compare_exchange_n((p), (expected), (desired), true,          \
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)

#endif /* TEEMED_ATOMIC_H */
