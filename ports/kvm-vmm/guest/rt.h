/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test guests' runtime: console and status through teemed-vmm's test
 * device, the SMC instruction, a page allocator over guest RAM and the
 * few C library functions the compiler may call.
 */
#ifndef TEEMED_GUEST_RT_H
#define TEEMED_GUEST_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../vmm_layout.h"

struct smc_regs {
	uint64_t a[8];
};

/* smc #0 (or hvc #0) with a0..a7; results a0..a7. */
void rt_smc(struct smc_regs *r);
void rt_hvc(struct smc_regs *r);

void rt_putc(char c);
void rt_puts(const char *s);
void rt_put_hex(uint64_t v);
void rt_put_dec(uint64_t v);
/* "ok name" or "FAIL name (detail)": counts failures. */
bool rt_check(bool ok, const char *name, uint64_t detail);
uint32_t rt_failures(void);
/* Tell the VMM the guest is done (status 0: every check passed). */
void rt_exit(uint32_t status);
/* A line the host's test waits for (e.g. "READY"). */
void rt_mark(const char *what);

/* This vCPU's index (0 .. GUEST_MAX_CPUS - 1). */
static inline unsigned int rt_cpu(void)
{
	uint64_t v;

	__asm__("mrs %0, tpidr_el1" : "=r"(v));
	return (unsigned int)v % GUEST_MAX_CPUS;
}

/* Identity-mapped MMU, caches on: guest RAM is normal memory. */
void rt_mmu_on(void);

/*
 * One fresh zeroed page of guest RAM (never reused); 0 when none left.
 * Each vCPU allocates from its own slice of RAM.
 */
uint64_t rt_page(void);
/* `n` consecutive fresh zeroed pages. */
uint64_t rt_pages(uint32_t n);
/* Where the next page comes from; giving it back frees all after it. */
uint64_t rt_heap_mark(void);
void rt_heap_release(uint64_t mark);

uint64_t rt_rand(void);

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *d, const void *s, size_t n);

static inline void *ipa_ptr(uint64_t ipa)
{
	return (void *)(uintptr_t)ipa; /* identity map */
}

#endif /* TEEMED_GUEST_RT_H */
