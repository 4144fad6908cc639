/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hypervisor's string header, named in TEEMED_STRING_HEADER. Like
 * Xen on some architectures, it makes the functions macros over its own
 * implementations, so the core must not declare them again.
 */
#ifndef HYP_STRING_H
#define HYP_STRING_H

#include "hyp_types.h"

void *hyp_memcpy(void *dst, const void *src, size_t n);
void *hyp_memmove(void *dst, const void *src, size_t n);
void *hyp_memset(void *dst, int c, size_t n);
int hyp_memcmp(const void *a, const void *b, size_t n);

#define memcpy(d, s, n)	 hyp_memcpy(d, s, n)
#define memmove(d, s, n) hyp_memmove(d, s, n)
#define memset(d, c, n)	 hyp_memset(d, c, n)
#define memcmp(a, b, n)	 hyp_memcmp(a, b, n)

#endif /* HYP_STRING_H */
