/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h). */
#ifndef XEN_SHIM_STRING_H
#define XEN_SHIM_STRING_H

#include <xen/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);

#endif
