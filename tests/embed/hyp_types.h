/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hypervisor's own type header, as an embedder that builds with
 * -nostdinc would name it in TEEMED_TYPES_HEADER (Xen: <xen/types.h>).
 * Built from the compiler's predefined macros only.
 */
#ifndef HYP_TYPES_H
#define HYP_TYPES_H

typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __SIZE_TYPE__ size_t;

#define bool _Bool
#define true 1
#define false 0
#define NULL ((void *)0)

#endif /* HYP_TYPES_H */
