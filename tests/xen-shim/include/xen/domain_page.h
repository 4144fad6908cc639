/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): transient mappings of a frame. */
#ifndef XEN_SHIM_DOMAIN_PAGE_H
#define XEN_SHIM_DOMAIN_PAGE_H

#include <xen/mm.h>

void *map_domain_page(mfn_t mfn);
void unmap_domain_page(const void *ptr);
#define __map_domain_page(pg) map_domain_page(page_to_mfn(pg))

#endif
