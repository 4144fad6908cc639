/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The only C library functions the core uses: memcpy, memmove, memset
 * and memcmp. An embedder whose string header declares them (or makes
 * them macros, as Xen does on some architectures) names it with
 * -DTEEMED_STRING_HEADER='<xen/string.h>', so they are not declared
 * twice. Otherwise they are declared here, because freestanding builds
 * have no <string.h>; the embedder links its own implementations.
 */
#ifndef TEEMED_STRING_OPS_H
#define TEEMED_STRING_OPS_H

#ifdef TEEMED_STRING_HEADER
#include TEEMED_STRING_HEADER
#else
#include "teemed/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif

#endif /* TEEMED_STRING_OPS_H */
