/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What an embedder provides to teemed.
 *
 * The core never touches memory, locks or the secure world except
 * through this table. A hypervisor fills it once; every callback gets
 * `ctx` back as its first argument. Callbacks that concern one VM also
 * get `vm`, the embedder's own handle passed to teemed_vm_create(), so
 * the embedder can find its p2m and charge memory to the right VM;
 * `vm` is NULL for the instance's own needs.
 *
 * Unless a contract says otherwise, callbacks may be called with a
 * teemed lock held (never while holding two), so they must not call
 * back into teemed and, where the lock is a spinlock, must not sleep.
 */
#ifndef TEEMED_PLATFORM_H
#define TEEMED_PLATFORM_H

#include "teemed/types.h"

/*
 * Typed addresses. A guest-physical address (IPA) and a host-physical
 * address (PA) are different types so one cannot be passed for the
 * other by mistake.
 */
typedef struct {
	uint64_t ipa;
} teemed_ipa_t;

typedef struct {
	uint64_t pa;
} teemed_pa_t;

static inline teemed_ipa_t teemed_ipa(uint64_t addr)
{
	teemed_ipa_t r = {addr};
	return r;
}

static inline uint64_t teemed_ipa_addr(teemed_ipa_t ipa)
{
	return ipa.ipa;
}

static inline teemed_pa_t teemed_pa(uint64_t addr)
{
	teemed_pa_t r = {addr};
	return r;
}

static inline uint64_t teemed_pa_addr(teemed_pa_t pa)
{
	return pa.pa;
}

/* Size of every page teemed pins, allocates or maps. */
#define TEEMED_PAGE_SIZE 4096u
#define TEEMED_PAGE_MASK ((uint64_t)TEEMED_PAGE_SIZE - 1)

/* The eight SMC argument/result registers, a0..a7. */
struct teemed_regs {
	uint64_t a[8];
};

/* Flags of pin_guest_page. */
#define TEEMED_PIN_WRITE 0x1u /* the secure world or teemed may write */

/* Log levels of the optional log callback. */
enum teemed_log_level {
	TEEMED_LOG_ERROR = 0,
	TEEMED_LOG_WARN = 1,
	TEEMED_LOG_INFO = 2,
	TEEMED_LOG_DEBUG = 3,
};

struct teemed_trace_event; /* include/teemed/trace.h */

struct teemed_platform {
	/* Passed back as the first argument of every callback. */
	void *ctx;

	/*
	 * Pin the 4 KiB guest page at `ipa` (4 KiB aligned) of `vm` and
	 * return its host PA in `*pa`. On success the page is ordinary RAM
	 * of that VM and stays so, at the same PA, until the matching
	 * unpin: the guest can neither balloon it out nor give it away.
	 * Pins nest: each call takes one reference. Refuse (return a
	 * negative TEEMED_ERR_*, TEEMED_ERR_FAULT for anything the guest
	 * may not share: unmapped, MMIO, not RAM, read-only when
	 * TEEMED_PIN_WRITE is asked) without side effects.
	 */
	int (*pin_guest_page)(void *ctx, void *vm, teemed_ipa_t ipa,
			      unsigned int flags, teemed_pa_t *pa);

	/* Drop one reference taken by pin_guest_page. Never fails. */
	void (*unpin_guest_page)(void *ctx, void *vm, teemed_pa_t pa);

	/*
	 * Get one 4 KiB page, 4 KiB aligned, of non-secure normal cached
	 * memory that the secure world may read and write and that no
	 * guest can reach. Never from OP-TEE's reserved shared memory.
	 * Contents are unspecified. Return 0 or TEEMED_ERR_NOMEM.
	 */
	int (*alloc_page)(void *ctx, void *vm, teemed_pa_t *pa);

	/* Give back a page from alloc_page. */
	void (*free_page)(void *ctx, void *vm, teemed_pa_t pa);

	/*
	 * Get an object of `size` bytes (at most TEEMED_PAGE_SIZE), aligned
	 * for any C type. Contents are unspecified, as from xmalloc or
	 * kmalloc: teemed initialises what it uses, so zeroing here would
	 * be wasted work on the SMC path. The secure world never sees it.
	 * Return NULL when out of memory.
	 */
	void *(*alloc_obj)(void *ctx, void *vm, size_t size);

	/* Give back an object from alloc_obj; `size` is the size asked. */
	void (*free_obj)(void *ctx, void *vm, void *obj, size_t size);

	/*
	 * Make the 4 KiB page at host `pa` (4 KiB aligned; a page from
	 * alloc_page or pinned with pin_guest_page) addressable and return
	 * its address. Valid until the matching unmap. Never fails for
	 * such pages; a direct map is the usual implementation.
	 */
	void *(*map)(void *ctx, teemed_pa_t pa);

	/* End a mapping made by map. */
	void (*unmap)(void *ctx, void *va);

	/*
	 * Issue one SMC to the secure world with a0..a7 from `regs` and
	 * write its results a0..a3 back (a4..a7 are preserved by the
	 * secure world and need not be touched). Called with no teemed
	 * lock held; may run for as long as the secure world runs.
	 */
	void (*smc)(void *ctx, struct teemed_regs *regs);

	/*
	 * Locks. lock_create returns a new unlocked lock or NULL when out
	 * of memory. teemed holds a lock only for short, bounded sections
	 * and never across smc.
	 */
	void *(*lock_create)(void *ctx);
	void (*lock_destroy)(void *ctx, void *lock);
	void (*lock)(void *ctx, void *lock);
	void (*unlock)(void *ctx, void *lock);

	/*
	 * Optional (may be NULL): inject the notification interrupt that
	 * the guest `vm` was told OP-TEE uses (its device tree's
	 * "interrupts" of linaro,optee-tz). Called by teemed_notif_irq()
	 * with the instance lock held: must not sleep or call into teemed.
	 * When NULL, no guest is offered asynchronous notifications.
	 */
	void (*notify)(void *ctx, void *vm);

	/*
	 * Optional (may be NULL). One event: a fixed message and two
	 * numbers whose meaning the message gives. `vm` as above.
	 */
	void (*log)(void *ctx, void *vm, enum teemed_log_level level,
		    const char *msg, uint64_t v1, uint64_t v2);

	/*
	 * Optional (may be NULL: tracing off, and then the core only tests
	 * this pointer). One event of the conversation between guests,
	 * teemed and OP-TEE (include/teemed/trace.h); `vm` as above, NULL
	 * for teemed's own calls. The event and the message it points to
	 * are valid during the call only. Called with no teemed lock held,
	 * possibly on several CPUs at once; must not call back into
	 * teemed. Decode it later or elsewhere (libteemed_trace) rather
	 * than in a hypervisor's trap path.
	 */
	void (*trace)(void *ctx, void *vm, const struct teemed_trace_event *ev);
};

#endif /* TEEMED_PLATFORM_H */
