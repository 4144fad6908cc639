/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Build-time defaults. An embedder overrides any of them by defining it
 * before this header is read (e.g. -DTEEMED_DEFAULT_STEP_PAGES=128, or a
 * file named by TEEMED_USER_CONFIG).
 */
#ifndef TEEMED_CONFIG_H
#define TEEMED_CONFIG_H

#ifdef TEEMED_USER_CONFIG
#include TEEMED_USER_CONFIG
#endif

/* VM contexts alive at once. */
#ifndef TEEMED_DEFAULT_MAX_VMS
#define TEEMED_DEFAULT_MAX_VMS 64
#endif

/* Guest pages pinned or released per trapped SMC or destroy step. */
#ifndef TEEMED_DEFAULT_STEP_PAGES
#define TEEMED_DEFAULT_STEP_PAGES 256
#endif

/* Per-VM quotas. */
#ifndef TEEMED_DEFAULT_PINNED_PAGES
#define TEEMED_DEFAULT_PINNED_PAGES 16384
#endif
#ifndef TEEMED_DEFAULT_BUFFERS
#define TEEMED_DEFAULT_BUFFERS 256
#endif
#ifndef TEEMED_DEFAULT_RPC_BUFFERS
#define TEEMED_DEFAULT_RPC_BUFFERS 64
#endif
#ifndef TEEMED_DEFAULT_MEDIATOR_PAGES
#define TEEMED_DEFAULT_MEDIATOR_PAGES 1024
#endif

/* Upper bound of the concurrent-calls quota (size of the call table). */
#ifndef TEEMED_MAX_CALLS
#define TEEMED_MAX_CALLS 256
#endif

/*
 * Free shadow argument pages the instance keeps for the next yielding
 * call of any VM, so a call's start and end need no page allocation.
 * Pages beyond it go back to the platform; teemed_fini() frees the pool.
 * Worth one per CPU that runs vCPUs; 0 takes a page from the platform
 * per call.
 */
#ifndef TEEMED_SHADOW_POOL_PAGES
#define TEEMED_SHADOW_POOL_PAGES 8
#endif

/*
 * Internal consistency checks (never used on guest input). Defaults to
 * a trap; an embedder may map it to its own BUG_ON/panic.
 */
#ifndef TEEMED_ASSERT
#define TEEMED_ASSERT(cond)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)
#endif

/*
 * Marks the rarely taken paths (tracing). An embedder whose compiler
 * or tracer needs otherwise may define it empty: GCC before 14 does not
 * apply -falign-functions to cold functions, and arm64 Linux's ftrace
 * needs every traceable function 8-byte aligned.
 */
#ifndef TEEMED_COLD
#define TEEMED_COLD __attribute__((__cold__))
#endif

#if TEEMED_DEFAULT_STEP_PAGES < 1
#error "TEEMED_DEFAULT_STEP_PAGES must be at least 1"
#endif
#if TEEMED_SHADOW_POOL_PAGES < 0 || TEEMED_SHADOW_POOL_PAGES > 32
#error "TEEMED_SHADOW_POOL_PAGES must be within 0..32"
#endif
#if TEEMED_MAX_CALLS < 1 || TEEMED_MAX_CALLS > 65535
#error "TEEMED_MAX_CALLS must be within 1..65535"
#endif

#endif /* TEEMED_CONFIG_H */
