/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest physical layout teemed-vmm builds, shared with the test
 * guests: RAM from GUEST_RAM_BASE, and one test device (console and
 * status register) in an MMIO page outside RAM.
 */
#ifndef TEEMED_VMM_LAYOUT_H
#define TEEMED_VMM_LAYOUT_H

#define GUEST_RAM_BASE 0x40000000ull
#define GUEST_RAM_SIZE (16ull << 20)
#define GUEST_TESTDEV 0x0a000000ull
/* One register pair per vCPU, TESTDEV_STRIDE apart (vCPU n at n * 16). */
#define TESTDEV_STRIDE 0x10
#define TESTDEV_PUTC 0x0   /* byte written: one console character */
#define TESTDEV_STATUS 0x8 /* 32-bit written: this vCPU is done */
#define GUEST_MAX_CPUS 4

/* x0 at entry: what the guest does. */
#define GUEST_MODE_HONEST 0
#define GUEST_MODE_HOLD 1    /* take resources, say READY, wait forever */
#define GUEST_MODE_HOSTILE 2
#define GUEST_MODE_BUSY 3    /* calls OP-TEE in a loop until killed */
#define GUEST_MODE_SMP 4     /* honest on every vCPU at once */

#endif /* TEEMED_VMM_LAYOUT_H */
