/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h). */
#ifndef XEN_SHIM_STDBOOL_H
#define XEN_SHIM_STDBOOL_H

#define bool _Bool
#define true 1
#define false 0

#endif
