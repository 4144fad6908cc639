/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): the xmalloc heap. */
#ifndef XEN_SHIM_XMALLOC_H
#define XEN_SHIM_XMALLOC_H

#include <xen/types.h>

void *_xmalloc(unsigned long size, unsigned long align);
void *_xzalloc(unsigned long size, unsigned long align);
void xfree(void *p);

#define xzalloc(_type) ((_type *)_xzalloc(sizeof(_type), __alignof__(_type)))
#define XFREE(p) do { xfree(p); (p) = NULL; } while ( 0 )

#endif
