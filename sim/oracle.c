/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The oracle (see oracle.h). It only reads the machine's page metadata,
 * so it can run on every access without changing what it observes.
 */
#define _POSIX_C_SOURCE 200809L

#include "oracle.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define ORACLE_TEXT 320

struct oracle {
	pthread_mutex_t mu;
	struct machine *m;
	uint64_t checks;
	uint64_t violations;
	char first[ORACLE_TEXT];
};

struct oracle *oracle_create(struct machine *m)
{
	struct oracle *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	if (pthread_mutex_init(&o->mu, NULL) != 0) {
		free(o);
		return NULL;
	}
	o->m = m;
	return o;
}

void oracle_destroy(struct oracle *o)
{
	if (!o)
		return;
	pthread_mutex_destroy(&o->mu);
	free(o);
}

static void olock(struct oracle *o)
{
	if (pthread_mutex_lock(&o->mu) != 0)
		abort();
}

static void ounlock(struct oracle *o)
{
	if (pthread_mutex_unlock(&o->mu) != 0)
		abort();
}

static void count_check(struct oracle *o)
{
	olock(o);
	o->checks++;
	ounlock(o);
}

#if defined(__GNUC__) || defined(__clang__)
#define ORACLE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ORACLE_PRINTF(f, a)
#endif

static void violation(struct oracle *o, const char *fmt, ...)
	ORACLE_PRINTF(2, 3);

static void violation(struct oracle *o, const char *fmt, ...)
{
	va_list ap;

	olock(o);
	/* Later violations are usually fallout of the first one. */
	if (!o->violations) {
		va_start(ap, fmt);
		vsnprintf(o->first, sizeof(o->first), fmt, ap);
		va_end(ap);
	}
	o->violations++;
	ounlock(o);
}

static const char *owner_name(uint32_t owner)
{
	switch (owner) {
	case MACHINE_OWNER_FREE:
		return "free";
	case MACHINE_OWNER_MEDIATOR:
		return "mediator";
	case MACHINE_OWNER_DEVICE:
		return "device";
	case MACHINE_OWNER_HOST:
		return "host";
	default:
		return "vm";
	}
}

bool oracle_sw_access(struct oracle *o, uint16_t vm_id, uint64_t pa,
		      uint64_t len, const char *what)
{
	struct machine_page_info info;
	uint64_t page, last;

	count_check(o);
	what = what ? what : "?";
	/* A zero-length access still hands the secure world this PA. */
	if (!len)
		len = 1;
	if (pa + (len - 1) < pa) {
		violation(o,
			  "inv1 vm %u %s: range pa 0x%" PRIx64 " len 0x%" PRIx64
			  " wraps",
			  (unsigned int)vm_id, what, pa, len);
		return false;
	}
	page = pa - pa % MACHINE_PAGE_SIZE;
	last = pa + (len - 1);
	last -= last % MACHINE_PAGE_SIZE;
	/* Bounded by host RAM: the first page outside it ends the walk. */
	for (;;) {
		if (machine_page_info(o->m, page, &info) != 0) {
			violation(o,
				  "inv1 vm %u %s: pa 0x%" PRIx64
				  " len 0x%" PRIx64 ": page 0x%" PRIx64
				  " is outside host RAM",
				  (unsigned int)vm_id, what, pa, len, page);
			return false;
		}
		if (info.owner != MACHINE_OWNER_MEDIATOR &&
		    (info.owner != vm_id || !info.pins)) {
			violation(
				o,
				"inv1 vm %u %s: pa 0x%" PRIx64 " len 0x%" PRIx64
				": page 0x%" PRIx64 " owned by %s 0x%" PRIx32
				" with %" PRIu32 " pins",
				(unsigned int)vm_id, what, pa, len, page,
				owner_name(info.owner), info.owner, info.pins);
			return false;
		}
		if (page == last)
			break;
		page += MACHINE_PAGE_SIZE;
	}
	return true;
}

static bool regs_check(struct oracle *o, uint16_t vm_id, const char *name,
		       uint64_t v)
{
	if (!machine_is_host_pa(o->m, v))
		return true;
	violation(o, "inv2 vm %u regs: %s = 0x%" PRIx64 " is a host PA",
		  (unsigned int)vm_id, name, v);
	return false;
}

static uint64_t lo32(uint64_t v)
{
	return v & 0xffffffffull;
}

bool oracle_guest_regs(struct oracle *o, uint16_t vm_id,
		       const struct teemed_regs *regs)
{
	static const char *const full[8] = {"a0", "a1", "a2", "a3",
					    "a4", "a5", "a6", "a7"};
	static const char *const low[8] = {"lo32(a0)", "lo32(a1)", "lo32(a2)",
					   "lo32(a3)", "lo32(a4)", "lo32(a5)",
					   "lo32(a6)", "lo32(a7)"};
	/* Register pairs through which the ABI passes 64-bit values. */
	static const unsigned int pairs[3][2] = {{1, 2}, {3, 4}, {4, 5}};
	static const char *const pair_name[3] = {"a1:a2", "a3:a4", "a4:a5"};
	const uint64_t *a = regs->a;
	unsigned int i;

	count_check(o);
	for (i = 0; i < 8; i++) {
		if (!regs_check(o, vm_id, full[i], a[i]) ||
		    !regs_check(o, vm_id, low[i], lo32(a[i])))
			return false;
	}
	for (i = 0; i < 3; i++) {
		uint64_t v = lo32(a[pairs[i][0]]) << 32 | lo32(a[pairs[i][1]]);

		if (!regs_check(o, vm_id, pair_name[i], v))
			return false;
	}
	return true;
}

bool oracle_guest_bytes(struct oracle *o, uint16_t vm_id, const void *p,
			size_t len, const char *what)
{
	const unsigned char *b = p;
	size_t off;
	unsigned int i;

	count_check(o);
	what = what ? what : "?";
	for (off = 0; off + 8 <= len; off += 8) {
		uint64_t v = 0;

		/* Assembled byte by byte: the ABI is little-endian whatever
		   the host is, and `p` need not be aligned. */
		for (i = 0; i < 8; i++)
			v |= (uint64_t)b[off + i] << (8 * i);
		if (machine_is_host_pa(o->m, v)) {
			violation(o,
				  "inv2 vm %u %s: word at offset 0x%zx = "
				  "0x%" PRIx64 " is a host PA",
				  (unsigned int)vm_id, what, off, v);
			return false;
		}
	}
	return true;
}

bool oracle_vm_gone(struct oracle *o, uint16_t vm_id, const struct sim_vm *h)
{
	uint64_t pins;

	count_check(o);
	pins = machine_pins_of(o->m, vm_id);
	if (pins) {
		violation(o, "inv3 vm %u: %" PRIu64 " pins left",
			  (unsigned int)vm_id, pins);
		return false;
	}
	if (h && (h->objs || h->obj_bytes || h->pages)) {
		violation(o,
			  "inv3 vm %u: %" PRId64 " objects (%" PRId64
			  " bytes) and %" PRId64 " pages left",
			  (unsigned int)vm_id, h->objs, h->obj_bytes, h->pages);
		return false;
	}
	return true;
}

uint64_t oracle_checks(struct oracle *o)
{
	uint64_t n;

	olock(o);
	n = o->checks;
	ounlock(o);
	return n;
}

uint64_t oracle_violations(struct oracle *o)
{
	uint64_t n;

	olock(o);
	n = o->violations;
	ounlock(o);
	return n;
}

const char *oracle_first_violation(struct oracle *o)
{
	const char *t;

	/* The text is written once, under the lock: taking the lock here
	   makes it visible to a caller that saw a violation counted. */
	olock(o);
	t = o->first;
	ounlock(o);
	return t;
}
