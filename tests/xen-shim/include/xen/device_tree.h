/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): the host device tree's one lookup used. */
#ifndef XEN_SHIM_DEVICE_TREE_H
#define XEN_SHIM_DEVICE_TREE_H

#include <xen/types.h>

struct dt_device_node {
    const char *compatible;
};

struct dt_device_node *dt_find_compatible_node(struct dt_device_node *from,
                                               const char *type,
                                               const char *compatible);

#endif
