/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): public/xen.h's domain ids. */
#ifndef XEN_SHIM_PUBLIC_XEN_H
#define XEN_SHIM_PUBLIC_XEN_H

#include <public/arch-arm.h>

typedef uint16_t domid_t;
#define DOMID_FIRST_RESERVED 0x7FF0U

#endif
