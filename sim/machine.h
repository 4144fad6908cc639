/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulated machine: host RAM as 4 KiB pages, each with an owner and
 * a pin count, and one stage-2 map (IPA -> PA) per guest whose pages are
 * scattered over host RAM. Thread-safe (one internal mutex).
 *
 * Host RAM starts at MACHINE_HOST_BASE, an address no guest IPA or test
 * value is likely to hold, so a host PA leaking to a guest is easy to
 * spot. Every guest sees its RAM at MACHINE_GUEST_RAM_BASE and an MMIO
 * window at MACHINE_GUEST_MMIO_BASE (mapped, but never pinnable).
 */
#ifndef TEEMED_SIM_MACHINE_H
#define TEEMED_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#define MACHINE_PAGE_SIZE 4096u
#define MACHINE_HOST_BASE 0x8800000000ull
#define MACHINE_GUEST_RAM_BASE 0x40000000ull
#define MACHINE_GUEST_MMIO_BASE 0x09000000ull
#define MACHINE_GUEST_MMIO_PAGES 16u

/* Page owners besides guests (guests own pages under their VM id). */
#define MACHINE_OWNER_FREE 0x10000u
#define MACHINE_OWNER_MEDIATOR 0x10001u
#define MACHINE_OWNER_DEVICE 0x10002u /* backs guests' MMIO windows */
#define MACHINE_OWNER_HOST 0x10003u   /* the host's page at PA 0 */

struct machine;

struct machine_page_info {
	uint32_t owner;    /* a VM id, or MACHINE_OWNER_* */
	uint32_t pins;     /* pin references held */
	bool guest_mapped; /* mapped in its owner's IPA space */
};

/* `host_pages` of RAM; `seed` decides how guest pages scatter. */
struct machine *machine_create(uint32_t host_pages, uint64_t seed);
void machine_destroy(struct machine *m);

/*
 * Give guest `vm_id` `ram_pages` pages at MACHINE_GUEST_RAM_BASE, each at
 * a random free host page, plus its MMIO window. -1 if out of pages or
 * the id exists.
 */
int machine_guest_add(struct machine *m, uint16_t vm_id, uint32_t ram_pages);

/* Take the guest's pages back. -1 (and nothing changes) if any is pinned. */
int machine_guest_remove(struct machine *m, uint16_t vm_id);

/* The guest's own view of its memory: NULL if `ipa` is not guest RAM. */
void *machine_guest_ptr(struct machine *m, uint16_t vm_id, uint64_t ipa);

/* The host PA behind a guest IPA, or 0. For tests and the oracle only. */
uint64_t machine_guest_pa(struct machine *m, uint16_t vm_id, uint64_t ipa);

/*
 * The guest gives the page at `ipa` back to the hypervisor (balloon).
 * Fails with -1 and changes nothing while the page is pinned.
 */
int machine_guest_balloon(struct machine *m, uint16_t vm_id, uint64_t ipa);

/*
 * Pin the guest page at `ipa` (4 KiB aligned) and return its PA: only
 * guest RAM of that VM; MMIO, unmapped or unaligned IPAs give -1.
 */
int machine_pin(struct machine *m, uint16_t vm_id, uint64_t ipa, bool write,
		uint64_t *pa);

/* Drop one pin of the page at `pa` taken for `vm_id`. Aborts if none. */
void machine_unpin(struct machine *m, uint16_t vm_id, uint64_t pa);

/* A free page becomes the mediator's. -1 when none is free. */
int machine_alloc_mediator_page(struct machine *m, uint64_t *pa);
void machine_free_mediator_page(struct machine *m, uint64_t pa);

/* Direct map of host RAM: NULL if `pa` is outside it. */
void *machine_pa_ptr(struct machine *m, uint64_t pa);

/* Owner and pins of the page holding `pa`; -1 outside host RAM. */
int machine_page_info(struct machine *m, uint64_t pa,
		      struct machine_page_info *out);

/* Whether `pa` lies in host RAM. */
bool machine_is_host_pa(const struct machine *m, uint64_t pa);

/*
 * A second bank of RAM: one page at PA 0, the host's own (boot code,
 * spin tables), never handed out to guests or the mediator, as on boards
 * whose DRAM starts at 0 (Raspberry Pi 3, HiKey). PA 0 is then memory
 * the secure world would really map; the oracle reports any access to
 * it. Its address is not one a guest must not see (host PA checks cover
 * the main bank only), since any small number would look like it.
 */
int machine_add_page_zero(struct machine *m);

/* Host RAM or the page at PA 0: what OP-TEE would take as non-secure RAM. */
bool machine_is_ram(const struct machine *m, uint64_t pa);

/* Pins held on pages of `vm_id`, and mediator pages, right now. */
uint64_t machine_pins_of(struct machine *m, uint16_t vm_id);
uint64_t machine_mediator_pages(struct machine *m);

#endif /* TEEMED_SIM_MACHINE_H */
