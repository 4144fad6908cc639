/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Access to guest memory named by IPA. A page is pinned for as long as
 * it is mapped, so a guest cannot make it vanish half-way, and is never
 * kept mapped beyond one operation.
 */
#include "internal.h"
#include "string_ops.h"

void *teemed_guest_map(struct teemed_vm *vm, teemed_ipa_t page,
		       unsigned int flags, teemed_pa_t *pa)
{
	const struct teemed_platform *p = vm->t->plat;

	if (p->pin_guest_page(p->ctx, vm->hv_vm, page, flags, pa))
		return NULL;
	return teemed_plat_map(vm->t, *pa);
}

void teemed_guest_unmap(struct teemed_vm *vm, void *va, teemed_pa_t pa)
{
	const struct teemed_platform *p = vm->t->plat;

	teemed_plat_unmap(vm->t, va);
	p->unpin_guest_page(p->ctx, vm->hv_vm, pa);
}

static int guest_copy(struct teemed_vm *vm, uint64_t addr, uint8_t *buf,
		      size_t len, bool to_guest)
{
	while (len) {
		size_t off = (size_t)(addr & TEEMED_PAGE_MASK);
		size_t chunk = TEEMED_PAGE_SIZE - off;
		teemed_pa_t pa;
		uint8_t *page;

		if (chunk > len)
			chunk = len;
		page = teemed_guest_map(vm, teemed_ipa(addr - off),
					to_guest ? TEEMED_PIN_WRITE : 0, &pa);
		if (!page)
			return TEEMED_ERR_FAULT;
		if (to_guest)
			memcpy(page + off, buf, chunk);
		else
			memcpy(buf, page + off, chunk);
		teemed_guest_unmap(vm, page, pa);
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
	return TEEMED_OK;
}

int teemed_guest_read(struct teemed_vm *vm, teemed_ipa_t ipa, void *dst,
		      size_t len)
{
	return guest_copy(vm, teemed_ipa_addr(ipa), dst, len, false);
}

int teemed_guest_write(struct teemed_vm *vm, teemed_ipa_t ipa, const void *src,
		       size_t len)
{
	/* The cast is safe: copying to the guest only reads `src`. */
	return guest_copy(vm, teemed_ipa_addr(ipa), (uint8_t *)(uintptr_t)src,
			  len, true);
}
