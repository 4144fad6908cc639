/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): arm64's register_t and paddr_t. */
#ifndef XEN_SHIM_ASM_TYPES_H
#define XEN_SHIM_ASM_TYPES_H

typedef u64 paddr_t;
typedef u64 register_t;

#endif
