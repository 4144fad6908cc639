/* SPDX-License-Identifier: BSD-2-Clause */
/* What both of teemed-vmm's guests (bare-metal and Linux) need of KVM. */
#ifndef TEEMED_VMM_KVM_ARM_H
#define TEEMED_VMM_KVM_ARM_H

#include <stdbool.h>
#include <stddef.h> /* offsetof, for KVM_REG_ARM_CORE_REG */
#include <stdint.h>

#include <linux/kvm.h>

/* Says which step failed, with errno, and exits with status 2. */
void die(const char *what);

/*
 * vCPU `index` of `vm`, with PSCI 0.2+ answered by KVM itself (CPU_ON,
 * SYSTEM_OFF...); `powered_off`: it waits for a CPU_ON. Its kvm_run is
 * mapped into `*run`. Returns its fd; dies on any failure.
 */
int kvm_arm_create_vcpu(int kvm, int vm, unsigned int index, bool powered_off,
			struct kvm_run **run);

/* The id of core register `name` (of struct kvm_regs) for *_ONE_REG. */
#define CORE_REG(name)                                                         \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |                 \
	 KVM_REG_ARM_CORE_REG(name))

/* Sets register `id` of the vCPU `vcpu_fd` to `val`; dies on failure. */
void kvm_arm_set_reg(int vcpu_fd, uint64_t id, uint64_t val);

#endif /* TEEMED_VMM_KVM_ARM_H */
