/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): arm's p2m types and get_page_from_gfn(). */
#ifndef XEN_SHIM_ASM_P2M_H
#define XEN_SHIM_ASM_P2M_H

#include <xen/mm.h>

typedef enum {
    p2m_invalid = 0,
    p2m_ram_rw,
    p2m_ram_ro,
    p2m_mmio_direct_dev,
    p2m_mmio_direct_nc,
    p2m_mmio_direct_c,
    p2m_map_foreign_rw,
    p2m_map_foreign_ro,
    p2m_grant_map_rw,
    p2m_grant_map_ro,
    p2m_iommu_map_rw,
    p2m_iommu_map_ro,
    p2m_max_real_type,
} p2m_type_t;

typedef unsigned int p2m_query_t;
#define P2M_ALLOC (1u << 0)

/*
 * The page behind guest frame `gfn` of `d` with one reference taken
 * (drop it with put_page()), and its p2m type in *t; NULL (no
 * reference) where no page of RAM is mapped.
 */
struct page_info *get_page_from_gfn(struct domain *d, unsigned long gfn,
                                    p2m_type_t *t, p2m_query_t q);

#endif
