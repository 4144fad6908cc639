/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The only C library functions the core uses. Declared here rather than
 * taken from <string.h> so the core builds where no hosted headers
 * exist; the embedder links its own implementations.
 */
#ifndef TEEMED_STRING_OPS_H
#define TEEMED_STRING_OPS_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* TEEMED_STRING_OPS_H */
