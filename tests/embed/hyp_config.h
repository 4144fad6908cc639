/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hypervisor's TEEMED_USER_CONFIG: it maps the core's assertion to its
 * own BUG_ON and, as real hypervisor headers do, defines common macro
 * names. The core must define none of them itself, or the build breaks
 * with redefinition errors under -Werror.
 */
#ifndef HYP_CONFIG_H
#define HYP_CONFIG_H

#include "hyp_types.h"

void hyp_bug(const char *file, int line);

#define BUG_ON(c)                                                              \
	do {                                                                   \
		if (c)                                                         \
			hyp_bug(__FILE__, __LINE__);                           \
	} while (0)
#define TEEMED_ASSERT(c) BUG_ON(!(c))

#define ARRAY_SIZE(a)	     (sizeof(a) / sizeof((a)[0]))
#define offsetof(t, m)	     __builtin_offsetof(t, m)
#define min(a, b)	     ((a) < (b) ? (a) : (b))
#define max(a, b)	     ((a) > (b) ? (a) : (b))
#define PAGE_SIZE	     4096
#define PAGE_SHIFT	     12
#define LIST_ENTRIES	     0
#define BUF_OF		     0
#define CALL_NONE	     0
#define vm_lock(v)	     hyp_vm_lock(v)
#define container_of(p, t, m) ((t *)((char *)(p)-offsetof(t, m)))

/*
 * Attribute names as macros, as Xen's and Linux's compiler.h define them:
 * the core spells attributes with underscores (__noinline__), or these
 * would break its build.
 */
#define always_inline	inline __attribute__((__always_inline__))
#define __always_inline inline __attribute__((__always_inline__))
#define noinline	__attribute__((__noinline__))
#define noreturn	__attribute__((__noreturn__))
#define __cold		__attribute__((__cold__))

#endif /* HYP_CONFIG_H */
