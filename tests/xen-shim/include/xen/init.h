/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): __init and friends are in xen/compiler.h. */
#ifndef XEN_SHIM_INIT_H
#define XEN_SHIM_INIT_H

#include <xen/compiler.h>

#endif
