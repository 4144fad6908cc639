/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * teemed-vmm's Linux guests: the guest-physical layout, and the device
 * tree that describes it (linux_dt.c). docs/kvm.md lists the tree.
 */
#ifndef TEEMED_LINUX_VMM_H
#define TEEMED_LINUX_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINUX_GICD_BASE	  0x08000000ull /* GICv3 distributor, 64 KiB */
#define LINUX_GICR_BASE	  0x080a0000ull /* redistributors, 128 KiB per vCPU */
#define LINUX_GICR_SIZE	  0x20000ull	/* per vCPU */
#define LINUX_MAX_VCPUS	  4u
#define LINUX_UART_BASE	  0x09000000ull /* 16550A console */
#define LINUX_RAM_BASE	  0x40000000ull
#define LINUX_RAM_MAX_MIB 2048u
#define LINUX_GIC_NR_IRQS 64u /* SGIs, PPIs and 32 SPIs */
#define LINUX_UART_SPI	  1u  /* the console's interrupt: SPI 1, INTID 33 */
/* OP-TEE's notification interrupt, with -N: SPI 2, INTID 34, an edge. */
#define LINUX_OPTEE_NOTIF_SPI 2u

/* What the guest's device tree says. */
struct linux_dt {
	uint64_t ram_base, ram_size;
	uint64_t initrd_start, initrd_end; /* guest physical; 0: none */
	const char *bootargs;
	unsigned int cpus; /* vCPUs, 1 .. LINUX_MAX_VCPUS */
	bool optee_notif;  /* the optee node names LINUX_OPTEE_NOTIF_SPI */
};

/* Writes the DTB into `out`; its size, or 0 if it does not fit. */
size_t linux_dt_build(void *out, size_t cap, const struct linux_dt *dt);

/* `teemed-vmm linux ...` (argv[0] is "linux"). */
int linux_vmm_main(int argc, char **argv);

#endif /* TEEMED_LINUX_VMM_H */
