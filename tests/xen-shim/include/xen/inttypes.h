/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): printf formats of the fixed-size types. */
#ifndef XEN_SHIM_INTTYPES_H
#define XEN_SHIM_INTTYPES_H

#include <xen/types.h>

#if __SIZEOF_LONG__ == 8
#define PRIx64 "lx"
#define PRIu64 "lu"
#else
#define PRIx64 "llx"
#define PRIu64 "llu"
#endif

#endif
