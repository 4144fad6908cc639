/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program built against an installed teemed (pkg-config or CMake
 * package), as a userspace VMM would be. Its "secure world" is not
 * OP-TEE, so teemed_init() must refuse it with TEEMED_ERR_PROTO.
 */
#include <stdio.h>
#include <stdlib.h>

#include <teemed/teemed.h>

static int no_pin(void *ctx, void *vm, teemed_ipa_t ipa, unsigned int flags,
		  teemed_pa_t *pa)
{
	return TEEMED_ERR_FAULT;
}

static void no_unpin(void *ctx, void *vm, teemed_pa_t pa)
{
}

static int no_page(void *ctx, void *vm, teemed_pa_t *pa)
{
	return TEEMED_ERR_NOMEM;
}

static void no_free_page(void *ctx, void *vm, teemed_pa_t pa)
{
}

static void *obj_alloc(void *ctx, void *vm, size_t size)
{
	return malloc(size);
}

static void obj_free(void *ctx, void *vm, void *obj, size_t size)
{
	free(obj);
}

static void *no_map(void *ctx, teemed_pa_t pa)
{
	return NULL;
}

static void no_unmap(void *ctx, void *va)
{
}

/* Answers every call as a secure OS that is not OP-TEE would. */
static void other_tee(void *ctx, struct teemed_regs *regs)
{
	regs->a[0] = 0xFFFFFFFFu;
	regs->a[1] = regs->a[2] = regs->a[3] = 0;
}

static void *lock_new(void *ctx)
{
	static int token;
	return &token;
}

static void lock_nop(void *ctx, void *lock)
{
}

int main(void)
{
	const struct teemed_platform ops = {
		.pin_guest_page = no_pin,
		.unpin_guest_page = no_unpin,
		.alloc_page = no_page,
		.free_page = no_free_page,
		.alloc_obj = obj_alloc,
		.free_obj = obj_free,
		.map = no_map,
		.unmap = no_unmap,
		.smc = other_tee,
		.lock_create = lock_new,
		.lock_destroy = lock_nop,
		.lock = lock_nop,
		.unlock = lock_nop,
	};
	struct teemed_config cfg = {.platform = &ops};
	struct teemed *t;
	int err = teemed_init(&cfg, &t);

	printf("teemed %d.%d.%d: teemed_init on a non-OP-TEE secure world: %d\n",
	       TEEMED_VERSION_MAJOR, TEEMED_VERSION_MINOR, TEEMED_VERSION_PATCH,
	       err);
	return err == TEEMED_ERR_PROTO ? 0 : 1;
}
