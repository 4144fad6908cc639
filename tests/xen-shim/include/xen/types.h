/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): basic types, as xen/types.h. */
#ifndef XEN_SHIM_TYPES_H
#define XEN_SHIM_TYPES_H

#include <xen/stdbool.h>

typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef uint64_t u64;

#include <asm/types.h>

typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef __UINTPTR_TYPE__ uintptr_t;

#ifndef NULL
#define NULL ((void *)0)
#endif

#endif
