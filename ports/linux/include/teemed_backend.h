/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Where teemed.ko sends the SMCs the core issues. Production: the SMC
 * instruction (SMCCC). A test module with a model of the secure world
 * may register itself instead, before the first VM is created; the code
 * path from the ioctl down to the core's smc callback stays the same.
 */
#ifndef TEEMED_BACKEND_H
#define TEEMED_BACKEND_H

#include <linux/module.h>
#include <linux/types.h>

struct teemed_smc_backend {
	struct module *owner; /* held while an instance uses the backend */
	const char *name;
	void *ctx;
	/* a[0..7] in; a[0..3] out, as the SMC instruction does. */
	void (*smc)(void *ctx, u64 a[8]);
};

/*
 * Use `b` instead of the SMC instruction. -EBUSY if a backend is already
 * registered or VMs exist (the instance was probed through the other).
 */
int teemed_register_smc_backend(const struct teemed_smc_backend *b);

/*
 * The registered backend `b` raised OP-TEE's notification interrupt:
 * teemed.ko polls OP-TEE for the VMs' values soon after, outside any SMC
 * (the call only queues that work, so `b` may call it from its smc
 * callback). Ignored when `b` is not the registered backend.
 */
void teemed_backend_notif_raised(const struct teemed_smc_backend *b);

/*
 * Back to the SMC instruction. Cannot race with VMs: while one exists
 * the backend's module is held.
 */
void teemed_unregister_smc_backend(const struct teemed_smc_backend *b);

#endif /* TEEMED_BACKEND_H */
