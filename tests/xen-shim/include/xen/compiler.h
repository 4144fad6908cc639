/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): compiler annotations. */
#ifndef XEN_SHIM_COMPILER_H
#define XEN_SHIM_COMPILER_H

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define always_inline __inline__ __attribute__((__always_inline__))
#define __used __attribute__((__used__))
#define __section(s) __attribute__((__section__(s)))
#define __read_mostly
#define __init
#define __initdata
#define __initconst
#define offsetof(t, m) __builtin_offsetof(t, m)

#endif
