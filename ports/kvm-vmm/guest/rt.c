// SPDX-License-Identifier: BSD-2-Clause
/* The test guests' runtime (rt.h). */
#include "rt.h"

extern char __heap_start[];

/* Per vCPU: no state is shared, so no locks. */
static struct {
	uint64_t heap_next, heap_end;
	uint32_t failures;
	uint64_t rng_state;
} cpu_state[GUEST_MAX_CPUS];

#define ME (&cpu_state[rt_cpu()])

static void mmio_write8(uint64_t addr, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)addr = v;
}

static void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

void rt_smc(struct smc_regs *r)
{
	register uint64_t x0 __asm__("x0") = r->a[0];
	register uint64_t x1 __asm__("x1") = r->a[1];
	register uint64_t x2 __asm__("x2") = r->a[2];
	register uint64_t x3 __asm__("x3") = r->a[3];
	register uint64_t x4 __asm__("x4") = r->a[4];
	register uint64_t x5 __asm__("x5") = r->a[5];
	register uint64_t x6 __asm__("x6") = r->a[6];
	register uint64_t x7 __asm__("x7") = r->a[7];

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
			   "+r"(x5), "+r"(x6), "+r"(x7)
			 :
			 : "memory");
	r->a[0] = x0;
	r->a[1] = x1;
	r->a[2] = x2;
	r->a[3] = x3;
	r->a[4] = x4;
	r->a[5] = x5;
	r->a[6] = x6;
	r->a[7] = x7;
}

void rt_hvc(struct smc_regs *r)
{
	register uint64_t x0 __asm__("x0") = r->a[0];
	register uint64_t x1 __asm__("x1") = r->a[1];
	register uint64_t x2 __asm__("x2") = r->a[2];
	register uint64_t x3 __asm__("x3") = r->a[3];

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "memory");
	r->a[0] = x0;
	r->a[1] = x1;
	r->a[2] = x2;
	r->a[3] = x3;
}

void rt_putc(char c)
{
	mmio_write8(GUEST_TESTDEV + rt_cpu() * TESTDEV_STRIDE + TESTDEV_PUTC,
		    (uint8_t)c);
}

void rt_puts(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

void rt_put_hex(uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int shift = 60;

	rt_puts("0x");
	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		rt_putc(digits[(v >> shift) & 0xf]);
}

void rt_put_dec(uint64_t v)
{
	char buf[24];
	int i = 0;

	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		rt_putc(buf[--i]);
}

bool rt_check(bool ok, const char *name, uint64_t detail)
{
	rt_puts(ok ? "ok " : "FAIL ");
	rt_puts(name);
	if (!ok) {
		rt_puts(" (");
		rt_put_hex(detail);
		rt_putc(')');
		ME->failures++;
	}
	rt_putc('\n');
	return ok;
}

uint32_t rt_failures(void)
{
	return ME->failures;
}

void rt_exit(uint32_t status)
{
	mmio_write32(GUEST_TESTDEV + rt_cpu() * TESTDEV_STRIDE + TESTDEV_STATUS,
		     status);
}

void rt_mark(const char *what)
{
	rt_puts(what);
	rt_putc('\n');
}

/*
 * One level-1 table of 1 GiB blocks: the first GiB (the test device) as
 * Device-nGnRnE, the second (RAM) as normal write-back memory, so the
 * VMM and teemed.ko see what the guest wrote without cache maintenance.
 */
static uint64_t l1_table[512] __attribute__((aligned(4096)));

void rt_mmu_on(void)
{
	const uint64_t block = 1u, af = 1u << 10, sh_inner = 3u << 8;
	const uint64_t mair = 0x00ull | (0xffull << 8); /* attr0 dev, attr1 WB */
	const uint64_t tcr = 25ull		/* T0SZ: 39-bit VA */
			     | (1ull << 8)	/* IRGN0 WBWA */
			     | (1ull << 10)	/* ORGN0 WBWA */
			     | (3ull << 12)	/* SH0 inner */
			     | (1ull << 23)	/* EPD1: no TTBR1 walks */
			     | (2ull << 32);	/* IPS: 40 bits */
	uint64_t sctlr;

	l1_table[0] = 0x0ull | block | af | (0ull << 2) | (1ull << 54);
	l1_table[1] = 0x40000000ull | block | af | sh_inner | (1ull << 2);
	__asm__ volatile("msr mair_el1, %0\n"
			 "msr tcr_el1, %1\n"
			 "msr ttbr0_el1, %2\n"
			 "isb\n"
			 "tlbi vmalle1\n"
			 "dsb sy\n"
			 "isb\n"
			 :
			 : "r"(mair), "r"(tcr), "r"((uint64_t)(uintptr_t)l1_table)
			 : "memory");
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr |= (1u << 0) | (1u << 2) | (1u << 12); /* M, C, I */
	__asm__ volatile("msr sctlr_el1, %0\nisb" : : "r"(sctlr) : "memory");
}

/* This vCPU's slice of the RAM after the image. */
static void heap_init(void)
{
	uint64_t start = (uint64_t)(uintptr_t)__heap_start;
	uint64_t slice = ((GUEST_RAM_BASE + GUEST_RAM_SIZE - start) /
			  GUEST_MAX_CPUS) & ~4095ull;

	if (!ME->heap_next) {
		ME->heap_next = start + rt_cpu() * slice;
		ME->heap_end = ME->heap_next + slice;
	}
}

uint64_t rt_pages(uint32_t n)
{
	uint64_t p;

	heap_init();
	if (n > (ME->heap_end - ME->heap_next) / 4096)
		return 0;
	p = ME->heap_next;
	ME->heap_next += (uint64_t)n * 4096;
	memset(ipa_ptr(p), 0, (size_t)n * 4096);
	return p;
}

uint64_t rt_heap_mark(void)
{
	heap_init();
	return ME->heap_next;
}

void rt_heap_release(uint64_t mark)
{
	ME->heap_next = mark;
}

uint64_t rt_page(void)
{
	return rt_pages(1);
}

uint64_t rt_rand(void)
{
	uint64_t *st = &ME->rng_state;

	if (!*st)
		*st = 0x9e3779b97f4a7c15ull + rt_cpu();
	/* xorshift64 */
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	if (dp < sp)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *dp = d;

	while (n--)
		*dp++ = (uint8_t)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
