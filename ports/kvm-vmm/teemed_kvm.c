// SPDX-License-Identifier: BSD-2-Clause
/* A KVM VMM's side of teemed (teemed_kvm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "teemed_kvm.h"

/*
 * OP-TEE's SMCCC function ids: owners 50..63 (Trusted OS), fast and
 * yielding, SMC32 and SMC64. teemed.ko refuses what guests may not call.
 */
static const uint32_t optee_ranges[] = {
	0xb2000000, /* fast, SMC32 */
	0xf2000000, /* fast, SMC64 */
	0x32000000, /* yielding, SMC32 */
	0x72000000, /* yielding, SMC64 */
};
#define OPTEE_RANGE_FUNCTIONS 0x0e000000u

int teemed_kvm_forward_smccc(int kvm_vm_fd)
{
	for (size_t i = 0; i < sizeof(optee_ranges) / sizeof(optee_ranges[0]);
	     i++) {
		struct kvm_smccc_filter f = {
			.base = optee_ranges[i],
			.nr_functions = OPTEE_RANGE_FUNCTIONS,
			.action = KVM_SMCCC_FILTER_FWD_TO_USER,
		};
		struct kvm_device_attr attr = {
			.group = KVM_ARM_VM_SMCCC_CTRL,
			.attr = KVM_ARM_VM_SMCCC_FILTER,
			.addr = (uint64_t)(uintptr_t)&f,
		};

		if (ioctl(kvm_vm_fd, KVM_SET_DEVICE_ATTR, &attr) < 0)
			return -errno;
	}
	return 0;
}

int teemed_kvm_notif_irqfd(struct teemed_kvm *tk, int kvm_vm_fd, uint32_t spi)
{
	/* KVM's default routing: gsi n is SPI n on arm64. */
	struct kvm_irqfd irqfd = {.gsi = spi};
	int fd = eventfd(0, EFD_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	irqfd.fd = (uint32_t)fd;
	if (ioctl(kvm_vm_fd, KVM_IRQFD, &irqfd) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	tk->notif = true;
	tk->notif_fd = fd;
	return 0;
}

int teemed_kvm_open(struct teemed_kvm *tk, const struct teemed_region *regions,
		    uint32_t n, const struct teemed_vm_quota *quota)
{
	struct teemed_create_vm req;
	int dev, fd, err;

	dev = open("/dev/teemed", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	if (ioctl(dev, TEEMED_GET_API_VERSION, 0) != TEEMED_API_VERSION) {
		close(dev);
		return -EPROTO;
	}
	memset(&req, 0, sizeof(req));
	req.nr_regions = n;
	req.regions = (uint64_t)(uintptr_t)regions;
	if (quota)
		req.quota = *quota;
	if (tk->notif) {
		req.flags |= TEEMED_CREATE_VM_ASYNC_NOTIF;
		req.notif_eventfd = tk->notif_fd;
	}
	fd = ioctl(dev, TEEMED_CREATE_VM, &req);
	err = errno;
	close(dev); /* the VM fd lives on its own */
	if (fd < 0)
		return -err;
	tk->vm_fd = fd;
	tk->client_id = req.client_id;
	return 0;
}

int teemed_kvm_attach(struct teemed_kvm *tk, int kvm_vm_fd,
		      const struct teemed_region *regions, uint32_t n,
		      const struct teemed_vm_quota *quota, const char **failed)
{
	int err = teemed_kvm_forward_smccc(kvm_vm_fd);

	if (err) {
		*failed = "SMCCC filter (KVM_ARM_VM_SMCCC_FILTER)";
		return err;
	}
	err = teemed_kvm_open(tk, regions, n, quota);
	if (err)
		*failed = "/dev/teemed: TEEMED_CREATE_VM";
	return err;
}

static uint64_t core_reg_x(int i)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
	       KVM_REG_ARM_CORE_REG(regs.regs[i]);
}

int teemed_kvm_handle_exit(struct teemed_kvm *tk, int vcpu_fd, uint32_t vcpu,
			   const struct kvm_run *run)
{
	struct teemed_smc smc;
	int i;

	(void)run; /* run->hypercall.nr is x0; the rest are registers */
	memset(&smc, 0, sizeof(smc));
	smc.flags = TEEMED_SMC_VCPU;
	smc.vcpu = vcpu;
	for (i = 0; i < 8; i++) {
		struct kvm_one_reg r = {
			.id = core_reg_x(i),
			.addr = (uint64_t)(uintptr_t)&smc.regs[i],
		};

		if (ioctl(vcpu_fd, KVM_GET_ONE_REG, &r) < 0)
			return -errno;
	}
	if (ioctl(tk->vm_fd, TEEMED_VM_SMC, &smc) < 0)
		return -errno;
	if (smc.result != TEEMED_SMC_RESULT_HANDLED)
		return 1;
	/* KVM already stepped the PC past the SMC/HVC: only x0..x3 change. */
	for (i = 0; i < 4; i++) {
		struct kvm_one_reg r = {
			.id = core_reg_x(i),
			.addr = (uint64_t)(uintptr_t)&smc.regs[i],
		};

		if (ioctl(vcpu_fd, KVM_SET_ONE_REG, &r) < 0)
			return -errno;
	}
	return 0;
}

void teemed_kvm_close(struct teemed_kvm *tk)
{
	if (tk->vm_fd >= 0)
		close(tk->vm_fd);
	tk->vm_fd = -1;
	/* KVM ends the irqfd when the eventfd's file is closed: only now. */
	if (tk->notif)
		close(tk->notif_fd);
	tk->notif = false;
}
