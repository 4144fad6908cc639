/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a KVM VMM adds to give its arm64 guests OP-TEE through teemed.ko
 * (docs/kvm.md walks through it). Three steps:
 *
 *  1. before the first KVM_RUN: teemed_kvm_forward_smccc(vm_fd) makes
 *     KVM exit to the VMM (KVM_EXIT_HYPERCALL) for OP-TEE's SMCCC ranges;
 *  2. teemed_kvm_open() creates the guest's context in teemed.ko, naming
 *     the guest RAM regions OP-TEE may be given;
 *  3. on each KVM_EXIT_HYPERCALL, teemed_kvm_handle_exit().
 *
 * Optionally, before step 2, teemed_kvm_notif_irqfd() gives the guest
 * OP-TEE's asynchronous notifications as an interrupt KVM injects by
 * itself (no VMM thread on the way).
 *
 * Closing (teemed_kvm_close(), or the VMM's exit) tears the guest's
 * OP-TEE state down. Needs Linux >= 6.4 on arm64.
 */
#ifndef TEEMED_KVM_H
#define TEEMED_KVM_H

#include <stdbool.h>
#include <stddef.h> /* offsetof, for KVM_REG_ARM_CORE_REG */
#include <stdint.h>

#include <linux/kvm.h>

#include "uapi/teemed.h"

struct teemed_kvm {
	int vm_fd;	    /* teemed.ko's VM file descriptor */
	uint16_t client_id; /* the guest's OP-TEE client id */
	bool notif;	    /* teemed_kvm_notif_irqfd() succeeded */
	int notif_fd;	    /* then: the eventfd bound to the guest's SPI */
};

/* Step 1: forward OP-TEE's function ids to the VMM. 0 or -errno. */
int teemed_kvm_forward_smccc(int kvm_vm_fd);

/*
 * Optional, before step 2 and after the in-kernel vGIC is initialized:
 * asynchronous notifications for the guest, as an edge on its SPI `spi`
 * (INTID 32 + spi: the optee node's "interrupts" must say
 * <GIC_SPI spi IRQ_TYPE_EDGE_RISING>). An eventfd that teemed.ko
 * signals and KVM turns into the interrupt (KVM_IRQFD); step 2 then asks
 * teemed.ko to offer the guest notifications. The eventfd stays open
 * until teemed_kvm_close(): KVM ends the irqfd when it is closed.
 * 0 or -errno.
 */
int teemed_kvm_notif_irqfd(struct teemed_kvm *tk, int kvm_vm_fd, uint32_t spi);

/*
 * Step 2: a context for one guest, `n` regions of its RAM (guest
 * physical address, size, VMM address). `quota` may be NULL. 0 or -errno.
 */
int teemed_kvm_open(struct teemed_kvm *tk, const struct teemed_region *regions,
		    uint32_t n, const struct teemed_vm_quota *quota);

/*
 * Steps 1 and 2 together, what most VMMs want once the guest's RAM is
 * mapped and before its first KVM_RUN. 0, or -errno with `*failed`
 * naming the step that failed (for the VMM's message).
 */
int teemed_kvm_attach(struct teemed_kvm *tk, int kvm_vm_fd,
		      const struct teemed_region *regions, uint32_t n,
		      const struct teemed_vm_quota *quota, const char **failed);

/*
 * Step 3: serve the KVM_EXIT_HYPERCALL in `run` of `vcpu_fd`, the VM's
 * vCPU number `vcpu` (it names the vCPU in trace events). Returns 0
 * when handled (x0..x3 written back; the PC needs no change), 1 when the
 * call is not OP-TEE's (nothing written; the VMM's own business), or
 * -errno.
 */
int teemed_kvm_handle_exit(struct teemed_kvm *tk, int vcpu_fd, uint32_t vcpu,
			   const struct kvm_run *run);

void teemed_kvm_close(struct teemed_kvm *tk);

#endif /* TEEMED_KVM_H */
