/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulated machine (see machine.h).
 *
 * Page metadata lives in flat arrays indexed by host page number so that
 * a host RAM of a million pages costs a few megabytes of bookkeeping and
 * every lookup is O(1). Free pages form an unordered set (a dense array
 * plus each page's position in it) so that taking a random free page and
 * giving one back are both O(1): scattering a large guest never degrades
 * into a search over a fragmented RAM.
 */
#define _POSIX_C_SOURCE 200809L

#include "machine.h"
#include "sim_rng.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MACHINE_MAX_GUESTS 256u
#define MACHINE_VM_IDS	   65536u
/* A guest page given back by ballooning has no host page behind it. */
#define NO_PAGE UINT32_MAX

struct machine_guest {
	uint16_t vm_id; /* 0: slot unused */
	uint32_t ram_pages;
	uint32_t *ram; /* host page per guest RAM page, or NO_PAGE */
	uint32_t mmio[MACHINE_GUEST_MMIO_PAGES];
	uint64_t pins; /* sum of the pins on this guest's pages */
};

struct machine {
	pthread_mutex_t lock;
	uint8_t *ram;
	uint8_t *page_zero; /* the host's own page at PA 0, or NULL */
	uint32_t host_pages;
	uint32_t *owner;
	uint32_t *pins;
	uint8_t *mapped;
	uint32_t *free_list;
	uint32_t *free_pos;
	uint32_t free_count;
	uint64_t rng;
	uint64_t mediator_pages;
	/* VM id -> slot + 1 (0: no such guest). */
	uint16_t slot_of[MACHINE_VM_IDS];
	struct machine_guest guests[MACHINE_MAX_GUESTS];
};

/* xorshift64*: tiny, and good enough to scatter pages. */
static uint64_t rng_next(struct machine *m)
{
	uint64_t x = m->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Multiply-shift keeps the bias negligible without a division. */
static uint32_t rng_below(struct machine *m, uint32_t n)
{
	return (uint32_t)(((rng_next(m) >> 32) * (uint64_t)n) >> 32);
}

static void lock_machine(struct machine *m)
{
	if (pthread_mutex_lock(&m->lock) != 0)
		abort();
}

static void unlock_machine(struct machine *m)
{
	if (pthread_mutex_unlock(&m->lock) != 0)
		abort();
}

static uint64_t page_pa(uint32_t idx)
{
	return MACHINE_HOST_BASE + (uint64_t)idx * MACHINE_PAGE_SIZE;
}

static uint8_t *page_ptr(struct machine *m, uint32_t idx)
{
	return m->ram + (size_t)idx * MACHINE_PAGE_SIZE;
}

/* Caller checked that a page is free. */
static uint32_t take_page(struct machine *m, uint32_t owner)
{
	uint32_t i = rng_below(m, m->free_count);
	uint32_t idx = m->free_list[i];
	uint32_t last = m->free_list[--m->free_count];

	m->free_list[i] = last;
	m->free_pos[last] = i;
	m->owner[idx] = owner;
	m->pins[idx] = 0;
	m->mapped[idx] = 0;
	return idx;
}

static void put_page(struct machine *m, uint32_t idx)
{
	m->owner[idx] = MACHINE_OWNER_FREE;
	m->pins[idx] = 0;
	m->mapped[idx] = 0;
	m->free_list[m->free_count] = idx;
	m->free_pos[idx] = m->free_count;
	m->free_count++;
}

static struct machine_guest *guest_of(struct machine *m, uint16_t vm_id)
{
	uint16_t s = m->slot_of[vm_id];

	if (!vm_id || !s)
		return NULL;
	return &m->guests[s - 1];
}

static bool ram_index(const struct machine_guest *g, uint64_t ipa, uint32_t *i)
{
	uint64_t n;

	if (ipa < MACHINE_GUEST_RAM_BASE)
		return false;
	n = (ipa - MACHINE_GUEST_RAM_BASE) / MACHINE_PAGE_SIZE;
	if (n >= g->ram_pages)
		return false;
	*i = (uint32_t)n;
	return true;
}

static bool mmio_index(uint64_t ipa, uint32_t *i)
{
	uint64_t n;

	if (ipa < MACHINE_GUEST_MMIO_BASE)
		return false;
	n = (ipa - MACHINE_GUEST_MMIO_BASE) / MACHINE_PAGE_SIZE;
	if (n >= MACHINE_GUEST_MMIO_PAGES)
		return false;
	*i = (uint32_t)n;
	return true;
}

static bool in_page_zero(const struct machine *m, uint64_t pa)
{
	return m->page_zero && pa < MACHINE_PAGE_SIZE;
}

/* Host page index of `pa`, or false outside host RAM. */
static bool pa_index(const struct machine *m, uint64_t pa, uint32_t *idx)
{
	if (!machine_is_host_pa(m, pa))
		return false;
	*idx = (uint32_t)((pa - MACHINE_HOST_BASE) / MACHINE_PAGE_SIZE);
	return true;
}

struct machine *machine_create(uint32_t host_pages, uint64_t seed)
{
	struct machine *m;
	uint64_t s = seed;
	uint32_t i;

	if (!host_pages)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->host_pages = host_pages;
	m->ram = calloc(host_pages, MACHINE_PAGE_SIZE);
	m->owner = calloc(host_pages, sizeof(*m->owner));
	m->pins = calloc(host_pages, sizeof(*m->pins));
	m->mapped = calloc(host_pages, sizeof(*m->mapped));
	m->free_list = calloc(host_pages, sizeof(*m->free_list));
	m->free_pos = calloc(host_pages, sizeof(*m->free_pos));
	if (!m->ram || !m->owner || !m->pins || !m->mapped || !m->free_list ||
	    !m->free_pos || pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m->ram);
		free(m->owner);
		free(m->pins);
		free(m->mapped);
		free(m->free_list);
		free(m->free_pos);
		free(m);
		return NULL;
	}
	for (i = 0; i < host_pages; i++)
		put_page(m, i);
	/* xorshift must never start from zero, whatever seed it is given. */
	do {
		m->rng = sim_splitmix64(&s);
	} while (!m->rng);
	return m;
}

void machine_destroy(struct machine *m)
{
	uint32_t i;

	if (!m)
		return;
	for (i = 0; i < MACHINE_MAX_GUESTS; i++)
		free(m->guests[i].ram);
	pthread_mutex_destroy(&m->lock);
	free(m->page_zero);
	free(m->ram);
	free(m->owner);
	free(m->pins);
	free(m->mapped);
	free(m->free_list);
	free(m->free_pos);
	free(m);
}

int machine_guest_add(struct machine *m, uint16_t vm_id, uint32_t ram_pages)
{
	struct machine_guest *g = NULL;
	uint32_t *map;
	uint32_t i, slot;
	int ret = -1;

	if (!vm_id)
		return -1;
	/* One spare entry so that a guest without RAM still gets a map. */
	map = malloc(((size_t)ram_pages + 1) * sizeof(*map));
	if (!map)
		return -1;
	lock_machine(m);
	if (guest_of(m, vm_id))
		goto out;
	if ((uint64_t)ram_pages + MACHINE_GUEST_MMIO_PAGES > m->free_count)
		goto out;
	for (slot = 0; slot < MACHINE_MAX_GUESTS; slot++) {
		if (!m->guests[slot].vm_id) {
			g = &m->guests[slot];
			break;
		}
	}
	if (!g)
		goto out;
	g->vm_id = vm_id;
	g->ram_pages = ram_pages;
	g->ram = map;
	g->pins = 0;
	for (i = 0; i < ram_pages; i++) {
		uint32_t idx = take_page(m, vm_id);

		m->mapped[idx] = 1;
		/* A guest must not see what the previous owner left. */
		memset(page_ptr(m, idx), 0, MACHINE_PAGE_SIZE);
		map[i] = idx;
	}
	for (i = 0; i < MACHINE_GUEST_MMIO_PAGES; i++) {
		uint32_t idx = take_page(m, MACHINE_OWNER_DEVICE);

		m->mapped[idx] = 1;
		memset(page_ptr(m, idx), 0, MACHINE_PAGE_SIZE);
		g->mmio[i] = idx;
	}
	m->slot_of[vm_id] = (uint16_t)(slot + 1);
	map = NULL;
	ret = 0;
out:
	unlock_machine(m);
	free(map);
	return ret;
}

int machine_guest_remove(struct machine *m, uint16_t vm_id)
{
	struct machine_guest *g;
	uint32_t i;
	uint32_t *map;

	lock_machine(m);
	g = guest_of(m, vm_id);
	if (!g || g->pins) {
		unlock_machine(m);
		return -1;
	}
	for (i = 0; i < g->ram_pages; i++) {
		if (g->ram[i] != NO_PAGE)
			put_page(m, g->ram[i]);
	}
	for (i = 0; i < MACHINE_GUEST_MMIO_PAGES; i++)
		put_page(m, g->mmio[i]);
	map = g->ram;
	memset(g, 0, sizeof(*g));
	m->slot_of[vm_id] = 0;
	unlock_machine(m);
	free(map);
	return 0;
}

void *machine_guest_ptr(struct machine *m, uint16_t vm_id, uint64_t ipa)
{
	struct machine_guest *g;
	void *p = NULL;
	uint32_t i;

	lock_machine(m);
	g = guest_of(m, vm_id);
	if (g && ram_index(g, ipa, &i) && g->ram[i] != NO_PAGE)
		p = page_ptr(m, g->ram[i]) + (ipa % MACHINE_PAGE_SIZE);
	unlock_machine(m);
	return p;
}

uint64_t machine_guest_pa(struct machine *m, uint16_t vm_id, uint64_t ipa)
{
	struct machine_guest *g;
	uint64_t pa = 0;
	uint32_t i;

	lock_machine(m);
	g = guest_of(m, vm_id);
	if (g && ram_index(g, ipa, &i)) {
		if (g->ram[i] != NO_PAGE)
			pa = page_pa(g->ram[i]) + ipa % MACHINE_PAGE_SIZE;
	} else if (g && mmio_index(ipa, &i)) {
		pa = page_pa(g->mmio[i]) + ipa % MACHINE_PAGE_SIZE;
	}
	unlock_machine(m);
	return pa;
}

int machine_guest_balloon(struct machine *m, uint16_t vm_id, uint64_t ipa)
{
	struct machine_guest *g;
	uint32_t i;
	int ret = -1;

	lock_machine(m);
	g = guest_of(m, vm_id);
	if (g && ram_index(g, ipa, &i) && g->ram[i] != NO_PAGE &&
	    !m->pins[g->ram[i]]) {
		put_page(m, g->ram[i]);
		g->ram[i] = NO_PAGE;
		ret = 0;
	}
	unlock_machine(m);
	return ret;
}

int machine_pin(struct machine *m, uint16_t vm_id, uint64_t ipa, bool write,
		uint64_t *pa)
{
	struct machine_guest *g;
	uint32_t i, idx;
	int ret = -1;

	/* Every RAM page of a guest is writable in this machine. */
	(void)write;
	if (ipa % MACHINE_PAGE_SIZE)
		return -1;
	lock_machine(m);
	g = guest_of(m, vm_id);
	if (g && ram_index(g, ipa, &i) && g->ram[i] != NO_PAGE) {
		idx = g->ram[i];
		if (m->pins[idx] != UINT32_MAX) {
			m->pins[idx]++;
			g->pins++;
			*pa = page_pa(idx);
			ret = 0;
		}
	}
	unlock_machine(m);
	return ret;
}

void machine_unpin(struct machine *m, uint16_t vm_id, uint64_t pa)
{
	struct machine_guest *g;
	uint32_t idx;

	lock_machine(m);
	if (!pa_index(m, pa, &idx)) {
		fprintf(stderr,
			"machine: unpin for vm %u of pa 0x%" PRIx64
			" outside host RAM (core bug)\n",
			(unsigned int)vm_id, pa);
		abort();
	}
	g = guest_of(m, vm_id);
	if (!g || m->owner[idx] != vm_id || !m->pins[idx]) {
		fprintf(stderr,
			"machine: unpin for vm %u of pa 0x%" PRIx64
			" owned by 0x%" PRIx32 " with %" PRIu32
			" pins (core bug)\n",
			(unsigned int)vm_id, pa, m->owner[idx], m->pins[idx]);
		abort();
	}
	m->pins[idx]--;
	g->pins--;
	unlock_machine(m);
}

int machine_alloc_mediator_page(struct machine *m, uint64_t *pa)
{
	uint32_t idx;

	lock_machine(m);
	if (!m->free_count) {
		unlock_machine(m);
		return -1;
	}
	idx = take_page(m, MACHINE_OWNER_MEDIATOR);
	m->mediator_pages++;
	unlock_machine(m);
	*pa = page_pa(idx);
	return 0;
}

void machine_free_mediator_page(struct machine *m, uint64_t pa)
{
	uint32_t idx;

	lock_machine(m);
	if (pa % MACHINE_PAGE_SIZE || !pa_index(m, pa, &idx) ||
	    m->owner[idx] != MACHINE_OWNER_MEDIATOR) {
		fprintf(stderr,
			"machine: free of pa 0x%" PRIx64
			" which is not a mediator page (core bug)\n",
			pa);
		abort();
	}
	put_page(m, idx);
	m->mediator_pages--;
	unlock_machine(m);
}

void *machine_pa_ptr(struct machine *m, uint64_t pa)
{
	/* RAM base and size never change, so no lock is needed. */
	if (in_page_zero(m, pa))
		return m->page_zero + pa;
	if (!machine_is_host_pa(m, pa))
		return NULL;
	return m->ram + (size_t)(pa - MACHINE_HOST_BASE);
}

int machine_add_page_zero(struct machine *m)
{
	if (!m->page_zero)
		m->page_zero = calloc(1, MACHINE_PAGE_SIZE);
	return m->page_zero ? 0 : -1;
}

bool machine_is_ram(const struct machine *m, uint64_t pa)
{
	return machine_is_host_pa(m, pa) || in_page_zero(m, pa);
}

int machine_page_info(struct machine *m, uint64_t pa,
		      struct machine_page_info *out)
{
	uint32_t idx;

	if (in_page_zero(m, pa)) {
		out->owner = MACHINE_OWNER_HOST;
		out->pins = 0;
		out->guest_mapped = false;
		return 0;
	}
	if (!pa_index(m, pa, &idx))
		return -1;
	lock_machine(m);
	out->owner = m->owner[idx];
	out->pins = m->pins[idx];
	out->guest_mapped = m->mapped[idx] != 0;
	unlock_machine(m);
	return 0;
}

bool machine_is_host_pa(const struct machine *m, uint64_t pa)
{
	return pa >= MACHINE_HOST_BASE &&
	       pa - MACHINE_HOST_BASE <
		       (uint64_t)m->host_pages * MACHINE_PAGE_SIZE;
}

uint64_t machine_pins_of(struct machine *m, uint16_t vm_id)
{
	struct machine_guest *g;
	uint64_t n;

	lock_machine(m);
	g = guest_of(m, vm_id);
	n = g ? g->pins : 0;
	unlock_machine(m);
	return n;
}

uint64_t machine_mediator_pages(struct machine *m)
{
	uint64_t n;

	lock_machine(m);
	n = m->mediator_pages;
	unlock_machine(m);
	return n;
}
