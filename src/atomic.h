/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Atomic access to plain integers, through the compiler's __atomic
 * builtins (gcc and clang), so the core needs no <stdatomic.h> and no
 * _Atomic objects, neither of which exists in -nostdinc hypervisor
 * builds. Counters that only feed statistics and quotas are relaxed;
 * the compare-and-swap that enforces a shared cap is sequentially
 * consistent. Handing an object from one vCPU to another (a call slot,
 * a parked call, a pooled page) is a release by the one that lets go
 * and an acquire by the one that takes it, so everything the first
 * wrote is seen by the second.
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

#define TEEMED_ATOMIC_LOAD_ACQUIRE(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define TEEMED_ATOMIC_STORE_RELEASE(p, v)                                      \
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define TEEMED_ATOMIC_XCHG_ACQUIRE(p, v)                                       \
	__atomic_exchange_n((p), (v), __ATOMIC_ACQUIRE)
/* Take: acquire on success; `*expected` is refreshed on failure. */
#define TEEMED_ATOMIC_CAS_ACQUIRE(p, expected, desired)                        \
	__atomic_compare_exchange_n((p), (expected), (desired), true,          \
				    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
/* Give: release on success. */
#define TEEMED_ATOMIC_CAS_RELEASE(p, expected, desired)                        \
	__atomic_compare_exchange_n((p), (expected), (desired), true,          \
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED)

#endif /* TEEMED_ATOMIC_H */
