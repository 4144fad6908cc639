// SPDX-License-Identifier: BSD-2-Clause
/*
 * teemed-vmm: a minimal KVM VMM for arm64 that gives its guest OP-TEE
 * through teemed.ko. One VM, 1 to GUEST_MAX_CPUS vCPUs (one thread
 * each), RAM at GUEST_RAM_BASE, one test device (console and status per
 * vCPU) in MMIO. Everything OP-TEE-specific is in teemed_kvm.c.
 *
 *   teemed-vmm [-m mode] [-a arg] [-n name] [-c vcpus] [-s] guest.bin
 *   teemed-vmm linux -k Image ...   (a Linux guest: linux_vmm.c)
 *
 * Every vCPU starts at the image's entry with x0 = mode, x1 = arg.
 * -s backs guest RAM with a memfd (shared memory) instead of anonymous
 * memory.
 *
 * Exit status: 0 when every vCPU reported success, 1 when one reported
 * failures, 2 on a VMM error.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_arm.h"
#include "linux_vmm.h"
#include "teemed_kvm.h"
#include "vmm_layout.h"

#define SMCCC_RET_NOT_SUPPORTED ((uint64_t)-1)

struct vcpu {
	struct vmm *vmm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	char line[256];
	size_t line_len;
	int status; /* -1 until the guest writes this vCPU's status */
};

struct vmm {
	const char *name;
	int kvm, vm;
	uint8_t *ram;
	struct teemed_kvm tk;
	unsigned int nr_vcpus;
	struct vcpu vcpus[GUEST_MAX_CPUS];
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void load_guest(struct vmm *v, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		die(path);
	n = fread(v->ram, 1, GUEST_RAM_SIZE, f);
	if (ferror(f) || n == 0)
		die("reading the guest image");
	fclose(f);
}

static void *guest_ram(bool shared)
{
	int fd;
	void *p;

	if (!shared)
		return mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, GUEST_RAM_SIZE) < 0)
		die("memfd for guest RAM");
	p = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	close(fd);
	return p;
}

static void create_vcpu(struct vmm *v, unsigned int i, uint64_t mode,
			uint64_t arg)
{
	struct vcpu *c = &v->vcpus[i];

	c->vmm = v;
	c->index = i;
	c->status = -1;
	c->fd = kvm_arm_create_vcpu(v->kvm, v->vm, i, false, &c->run);
	kvm_arm_set_reg(c->fd, CORE_REG(regs.pc), GUEST_RAM_BASE);
	kvm_arm_set_reg(c->fd, CORE_REG(regs.regs[0]), mode);
	kvm_arm_set_reg(c->fd, CORE_REG(regs.regs[1]), arg);
}

static void create_vm(struct vmm *v, uint64_t mode, uint64_t arg, bool shared)
{
	struct kvm_userspace_memory_region mem = {
		.slot = 0,
		.guest_phys_addr = GUEST_RAM_BASE,
		.memory_size = GUEST_RAM_SIZE,
	};

	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		die("/dev/kvm");
	if (ioctl(v->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("KVM API version");
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		die("KVM_CREATE_VM");

	v->ram = guest_ram(shared);
	if (v->ram == MAP_FAILED)
		die("mmap of guest RAM");
	mem.userspace_addr = (uint64_t)(uintptr_t)v->ram;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &mem) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	for (unsigned int i = 0; i < v->nr_vcpus; i++)
		create_vcpu(v, i, mode, arg);
}

/* OP-TEE for the guest: steps 1 and 2 of teemed_kvm.h. */
static void attach_teemed(struct vmm *v)
{
	struct teemed_region ram = {
		.ipa = GUEST_RAM_BASE,
		.size = GUEST_RAM_SIZE,
		.uaddr = (uint64_t)(uintptr_t)v->ram,
	};
	const char *failed;
	int err = teemed_kvm_attach(&v->tk, v->vm, &ram, 1, NULL, &failed);

	if (err) {
		errno = -err;
		die(failed);
	}
	printf("[%s] OP-TEE client id %u\n", v->name, v->tk.client_id);
	fflush(stdout);
}

static void console(struct vcpu *c, char ch)
{
	if (ch != '\n' && c->line_len < sizeof(c->line) - 1) {
		c->line[c->line_len++] = ch;
		return;
	}
	c->line[c->line_len] = 0;
	pthread_mutex_lock(&out_lock);
	if (c->vmm->nr_vcpus > 1)
		printf("[%s.%u] %s\n", c->vmm->name, c->index, c->line);
	else
		printf("[%s] %s\n", c->vmm->name, c->line);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
	c->line_len = 0;
}

/* The test device: each vCPU has its own console and status register. */
static void mmio(struct vcpu *c)
{
	struct kvm_run *r = c->run;
	uint64_t val = 0, off;

	if (!r->mmio.is_write) {
		memset(r->mmio.data, 0, sizeof(r->mmio.data));
		return;
	}
	memcpy(&val, r->mmio.data, r->mmio.len <= 8 ? r->mmio.len : 8);
	off = r->mmio.phys_addr - GUEST_TESTDEV - c->index * TESTDEV_STRIDE;
	if (off == TESTDEV_PUTC)
		console(c, (char)val);
	else if (off == TESTDEV_STATUS)
		c->status = (int)(uint32_t)val;
}

static void hypercall(struct vcpu *c)
{
	int r = teemed_kvm_handle_exit(&c->vmm->tk, c->fd, c->index, c->run);

	if (r < 0) {
		errno = -r;
		die("TEEMED_VM_SMC");
	}
	if (r == 1) /* not OP-TEE's: the VMM's own, and it has none */
		kvm_arm_set_reg(c->fd, CORE_REG(regs.regs[0]),
				SMCCC_RET_NOT_SUPPORTED);
}

/* One vCPU's run loop, until it reports its status or the VM is off. */
static void *vcpu_run(void *arg)
{
	struct vcpu *c = arg;

	while (c->status < 0) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		switch (c->run->exit_reason) {
		case KVM_EXIT_HYPERCALL:
			hypercall(c);
			break;
		case KVM_EXIT_MMIO:
			mmio(c);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			return NULL;
		default:
			fprintf(stderr, "[%s] unexpected exit %u\n",
				c->vmm->name, c->run->exit_reason);
			exit(2);
		}
	}
	return NULL;
}

static void print_stats(struct vmm *v)
{
	struct teemed_vm_stats_out st;

	if (ioctl(v->tk.vm_fd, TEEMED_VM_GET_STATS, &st) < 0)
		die("TEEMED_VM_GET_STATS");
	printf("[%s] teemed: client %u smcs %llu std_calls %llu calls_peak %u pinned_peak %u refused",
	       v->name, st.client_id, (unsigned long long)st.smcs,
	       (unsigned long long)st.std_calls, st.calls_peak,
	       st.pinned_pages_peak);
	for (int i = 0; i < 8; i++)
		printf(" %llu", (unsigned long long)st.refused[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct vmm v = {.name = "guest", .nr_vcpus = 1};
	uint64_t mode = GUEST_MODE_HONEST, arg = 0;
	bool shared = false;
	int opt, rc = 0;

	if (argc > 1 && !strcmp(argv[1], "linux"))
		return linux_vmm_main(argc - 1, argv + 1);
	while ((opt = getopt(argc, argv, "m:a:n:c:s")) != -1) {
		switch (opt) {
		case 'm':
			mode = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			arg = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			v.name = optarg;
			break;
		case 'c':
			v.nr_vcpus = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			shared = true;
			break;
		default:
			fprintf(stderr,
				"usage: teemed-vmm [-m mode] [-a arg] [-n name] [-c vcpus] [-s] guest.bin\n");
			return 2;
		}
	}
	if (optind != argc - 1 || !v.nr_vcpus || v.nr_vcpus > GUEST_MAX_CPUS) {
		fprintf(stderr, "teemed-vmm: one guest image and 1..%u vCPUs\n",
			GUEST_MAX_CPUS);
		return 2;
	}
	create_vm(&v, mode, arg, shared);
	load_guest(&v, argv[optind]);
	attach_teemed(&v); /* before the first KVM_RUN */

	for (unsigned int i = 0; i < v.nr_vcpus; i++)
		if (pthread_create(&v.vcpus[i].thread, NULL, vcpu_run,
				   &v.vcpus[i]))
			die("pthread_create");
	for (unsigned int i = 0; i < v.nr_vcpus; i++)
		pthread_join(v.vcpus[i].thread, NULL);

	print_stats(&v);
	for (unsigned int i = 0; i < v.nr_vcpus; i++) {
		int s = v.vcpus[i].status;

		if (s < 0) {
			fprintf(stderr, "[%s] vCPU %u stopped without a status\n",
				v.name, i);
			return 2;
		}
		printf("[%s] guest status %d%s\n", v.name, s,
		       v.nr_vcpus > 1 ? " (one vCPU)" : "");
		if (s)
			rc = 1;
	}
	teemed_kvm_close(&v.tk);
	return rc;
}
