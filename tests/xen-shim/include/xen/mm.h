/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim (see xen/config.h): frames, the frame table and the domheap,
 * as xen/mm.h, xen/mm-frame.h and arm's asm/mm.h. The frame table covers
 * the simulated machine's host RAM.
 */
#ifndef XEN_SHIM_MM_H
#define XEN_SHIM_MM_H

#include <xen/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

typedef struct { unsigned long mfn; } mfn_t;
static inline mfn_t _mfn(unsigned long m) { mfn_t r = { m }; return r; }
static inline unsigned long mfn_x(mfn_t m) { return m.mfn; }

struct domain;

struct page_info {
    unsigned long count_info;   /* references, as Xen's PGC_count_mask */
    struct domain *owner;       /* guest RAM: the owner; else NULL */
    void *charged_hv;           /* domheap pages: simulator handle of d */
    bool allocated;             /* a domheap page now */
};

/* The frame table: one entry per host page, from the first host MFN. */
extern struct page_info *frame_table;
extern unsigned long xen_shim_first_mfn;

#define mfn_to_page(mfn) (frame_table + (mfn_x(mfn) - xen_shim_first_mfn))
#define page_to_mfn(pg) \
    _mfn((unsigned long)((pg) - frame_table) + xen_shim_first_mfn)
#define paddr_to_pfn(pa) ((unsigned long)((pa) >> PAGE_SHIFT))
#define pfn_to_paddr(pfn) ((paddr_t)(pfn) << PAGE_SHIFT)
#define maddr_to_mfn(ma) _mfn(paddr_to_pfn(ma))
#define mfn_to_maddr(mfn) pfn_to_paddr(mfn_x(mfn))
#define maddr_to_page(ma) mfn_to_page(maddr_to_mfn(ma))
#define page_to_maddr(pg) (mfn_to_maddr(page_to_mfn(pg)))

/* Drop a reference taken by get_page_from_gfn(). */
void put_page(struct page_info *page);

#define _MEMF_no_owner 5
#define MEMF_no_owner (1U << _MEMF_no_owner)

struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags);
void free_domheap_pages(struct page_info *pg, unsigned int order);
#define alloc_domheap_page(d, f) (alloc_domheap_pages(d, 0, f))
#define free_domheap_page(p) (free_domheap_pages(p, 0))

#endif
