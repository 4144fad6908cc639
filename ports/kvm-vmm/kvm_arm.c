// SPDX-License-Identifier: BSD-2-Clause
/* What both of teemed-vmm's guests need of KVM (kvm_arm.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kvm_arm.h"

void die(const char *what)
{
	fprintf(stderr, "teemed-vmm: %s: %s\n", what, strerror(errno));
	exit(2);
}

int kvm_arm_create_vcpu(int kvm, int vm, unsigned int index, bool powered_off,
			struct kvm_run **run)
{
	struct kvm_vcpu_init init;
	int fd, run_size;

	fd = ioctl(vm, KVM_CREATE_VCPU, index);
	if (fd < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	*run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	if (*run == MAP_FAILED)
		die("mmap of kvm_run");
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die("KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (powered_off)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(fd, KVM_ARM_VCPU_INIT, &init) < 0)
		die("KVM_ARM_VCPU_INIT");
	return fd;
}

void kvm_arm_set_reg(int vcpu_fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	if (ioctl(vcpu_fd, KVM_SET_ONE_REG, &r) < 0)
		die("KVM_SET_ONE_REG");
}
