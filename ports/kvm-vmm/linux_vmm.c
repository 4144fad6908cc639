// SPDX-License-Identifier: BSD-2-Clause
/*
 * teemed-vmm's Linux mode: boots an arm64 Linux Image with an initramfs
 * in a KVM guest that has OP-TEE through teemed.ko.
 *
 *   teemed-vmm linux -k Image [-i initramfs] [-p params] [-m MiB]
 *                    [-c vCPUs] [-n name] [-N]
 *
 * (the options of kvmtool's lkvm run: -p is the kernel command line;
 * -N offers the guest OP-TEE's asynchronous notifications, on SPI
 * LINUX_OPTEE_NOTIF_SPI through KVM_IRQFD)
 *
 * Each vCPU is a thread in KVM_RUN; the secondary ones start powered off
 * and the guest brings them up with PSCI CPU_ON, which KVM handles.
 *
 * The guest gets what Linux needs and nothing more: RAM, an in-kernel
 * GICv3 (KVM_DEV_TYPE_ARM_VGIC_V3), the architected timer, PSCI from KVM
 * itself (KVM_ARM_VCPU_PSCI_0_2), a 16550A console (linux_uart.c), and
 * the device tree that describes them plus /firmware/optee
 * (linux_dt.c). OP-TEE's calls go to teemed.ko exactly as in vmm.c.
 *
 * SIGUSR1 prints the guest's teemed counters (TEEMED_VM_GET_STATS).
 *
 * Exit status: 0 when the guest powered off, 1 when it asked for a reset
 * or crashed, 2 on a VMM error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_arm.h"
#include "linux_uart.h"
#include "linux_vmm.h"
#include "teemed_kvm.h"

#define SMCCC_RET_NOT_SUPPORTED ((uint64_t)-1)
#define SZ_2M			0x200000ull
#define ARM64_IMAGE_MAGIC	0x644d5241u /* "ARM\x64" */

struct lvm;

struct lcpu {
	struct lvm *v;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
};

struct lvm {
	const char *name;
	int kvm, vm, gic;
	struct lcpu cpus[LINUX_MAX_VCPUS];
	unsigned int ncpus;
	/* The console, the list below and stdout, between vCPU threads. */
	pthread_mutex_t lock;
	uint8_t *ram;
	uint64_t ram_size;
	struct teemed_kvm tk;
	bool optee_notif; /* -N */
	struct uart uart;
	uint32_t fids[32]; /* OP-TEE function ids the guest used so far */
	unsigned int nfids;
};

static volatile sig_atomic_t stats_wanted;
static struct lvm *volatile signalled_vm;

/* Also makes a KVM_RUN about to start return EINTR (immediate_exit). */
static void on_sigusr1(int sig)
{
	struct lvm *v = signalled_vm;

	(void)sig;
	stats_wanted = 1;
	for (unsigned int i = 0; v && i < v->ncpus; i++)
		v->cpus[i].run->immediate_exit = 1;
}

static void fail(const char *what)
{
	fprintf(stderr, "teemed-vmm: %s\n", what);
	exit(2);
}

static void get_reg(struct lcpu *c, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)val};

	if (ioctl(c->fd, KVM_GET_ONE_REG, &r) < 0)
		die("KVM_GET_ONE_REG");
}

/* Reads a whole file to guest RAM at `off`, at most `room` bytes. */
static uint64_t load_file(struct lvm *v, const char *path, uint64_t off,
			  uint64_t room)
{
	struct stat st;
	uint64_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	if ((uint64_t)st.st_size > room)
		fail("a boot file does not fit in guest RAM (raise -m)");
	while (done < (uint64_t)st.st_size) {
		ssize_t n = read(fd, v->ram + off + done, st.st_size - done);

		if (n <= 0)
			die(path);
		done += (uint64_t)n;
	}
	close(fd);
	return done;
}

static void create_vm(struct lvm *v)
{
	struct kvm_userspace_memory_region mem = {
		.slot = 0,
		.guest_phys_addr = LINUX_RAM_BASE,
		.memory_size = v->ram_size,
	};

	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		die("/dev/kvm");
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		die("KVM_CREATE_VM");
	v->ram = mmap(NULL, v->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->ram == MAP_FAILED)
		die("mmap of guest RAM");
	mem.userspace_addr = (uint64_t)(uintptr_t)v->ram;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &mem) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	for (unsigned int i = 0; i < v->ncpus; i++) {
		struct lcpu *c = &v->cpus[i];

		c->v = v;
		/* Secondaries wait for the guest's PSCI CPU_ON. */
		c->fd = kvm_arm_create_vcpu(v->kvm, v->vm, i, i != 0, &c->run);
	}
}

static void gic_attr(struct lvm *v, uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};

	if (ioctl(v->gic, KVM_SET_DEVICE_ATTR, &a) < 0)
		die("vGICv3 attribute");
}

/* The in-kernel GICv3: after the vCPUs exist, before the first run. */
static void create_gic(struct lvm *v)
{
	struct kvm_create_device dev = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
	uint64_t dist = LINUX_GICD_BASE, redist = LINUX_GICR_BASE;
	uint32_t nr_irqs = LINUX_GIC_NR_IRQS;

	if (ioctl(v->vm, KVM_CREATE_DEVICE, &dev) < 0)
		die("KVM_CREATE_DEVICE (vGICv3)");
	v->gic = (int)dev.fd;
	gic_attr(v, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST,
		 &dist);
	gic_attr(v, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST,
		 &redist);
	gic_attr(v, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	gic_attr(v, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
		 NULL);
}

/*
 * arm64 boot protocol (Documentation/arch/arm64/booting.rst): the Image
 * at a 2 MiB-aligned address plus its text_offset, the DTB 8-byte
 * aligned in a 2 MiB block of its own, x0 = DTB, x1..x3 = 0.
 */
static void load_linux(struct lvm *v, const char *image, const char *initrd,
		       const char *cmdline)
{
	uint64_t text_offset, image_size, initrd_start = 0, initrd_size = 0;
	uint64_t dtb_off = v->ram_size - SZ_2M, kernel_end;
	uint32_t magic;
	size_t dtb_size;

	load_file(v, image, 0, dtb_off);
	memcpy(&text_offset, v->ram + 8, 8);
	memcpy(&image_size, v->ram + 16, 8);
	memcpy(&magic, v->ram + 56, 4);
	if (magic != ARM64_IMAGE_MAGIC)
		fail("not an arm64 Image (no ARM\\x64 magic)");
	/* image_size 0: a kernel before 3.17, which needs less than this. */
	if (!image_size)
		image_size = 64ull << 20;
	if (text_offset > dtb_off || image_size > dtb_off - text_offset)
		fail("the kernel does not fit in guest RAM (raise -m)");
	kernel_end = text_offset + image_size;
	if (text_offset) { /* kernels before 5.10 may ask for an offset */
		memmove(v->ram + text_offset, v->ram, image_size);
		memset(v->ram, 0, text_offset);
	}
	if (initrd) {
		/* Just below the DTB's block, page aligned. */
		struct stat st;

		if (stat(initrd, &st) < 0)
			die(initrd);
		initrd_size = (uint64_t)st.st_size;
		if (initrd_size > dtb_off - kernel_end)
			fail("initramfs too big for guest RAM (raise -m)");
		initrd_start = (dtb_off - initrd_size) & ~0xfffull;
		if (initrd_start < kernel_end)
			fail("initramfs too big for guest RAM (raise -m)");
		load_file(v, initrd, initrd_start, dtb_off - initrd_start);
	}
	dtb_size = linux_dt_build(
		v->ram + dtb_off, SZ_2M,
		&(struct linux_dt){
			.ram_base = LINUX_RAM_BASE,
			.ram_size = v->ram_size,
			.initrd_start =
				initrd ? LINUX_RAM_BASE + initrd_start : 0,
			.initrd_end =
				LINUX_RAM_BASE + initrd_start + initrd_size,
			.bootargs = cmdline,
			.cpus = v->ncpus,
			.optee_notif = v->optee_notif,
		});
	if (!dtb_size)
		fail("the device tree does not fit");
	kvm_arm_set_reg(v->cpus[0].fd, CORE_REG(regs.pc),
			LINUX_RAM_BASE + text_offset);
	kvm_arm_set_reg(v->cpus[0].fd, CORE_REG(regs.regs[0]),
			LINUX_RAM_BASE + dtb_off);
}

/* OP-TEE for the guest: steps 1 and 2 of teemed_kvm.h. */
static void attach_teemed(struct lvm *v)
{
	struct teemed_region ram = {
		.ipa = LINUX_RAM_BASE,
		.size = v->ram_size,
		.uaddr = (uint64_t)(uintptr_t)v->ram,
	};
	const char *failed;
	int err;

	/* After the vGIC's init, which KVM_IRQFD's injection needs. */
	if (v->optee_notif) {
		err = teemed_kvm_notif_irqfd(&v->tk, v->vm,
					     LINUX_OPTEE_NOTIF_SPI);
		if (err) {
			errno = -err;
			die("OP-TEE notifications (KVM_IRQFD)");
		}
	}
	err = teemed_kvm_attach(&v->tk, v->vm, &ram, 1, NULL, &failed);
	if (err) {
		errno = -err;
		die(failed);
	}
	printf("[%s] OP-TEE client id %u\n", v->name, v->tk.client_id);
	fflush(stdout);
}

/* The console's interrupt line: a level on SPI LINUX_UART_SPI. */
static void uart_irq(void *ctx, int level)
{
	struct lvm *v = ctx;
	struct kvm_irq_level irq = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT |
		       (32 + LINUX_UART_SPI),
		.level = (uint32_t)level,
	};

	if (ioctl(v->vm, KVM_IRQ_LINE, &irq) < 0)
		die("KVM_IRQ_LINE");
}

static void mmio(struct lcpu *c)
{
	struct lvm *v = c->v;
	struct kvm_run *r = c->run;
	uint64_t pa = r->mmio.phys_addr;

	if (pa >= LINUX_UART_BASE && pa < LINUX_UART_BASE + UART_MMIO_SIZE) {
		pthread_mutex_lock(&v->lock);
		uart_mmio(&v->uart, pa - LINUX_UART_BASE, r->mmio.is_write,
			  r->mmio.data, r->mmio.len);
		pthread_mutex_unlock(&v->lock);
		return;
	}
	/* Nothing else is there: reads as zero, writes are dropped. */
	if (!r->mmio.is_write)
		memset(r->mmio.data, 0, sizeof(r->mmio.data));
}

/* Names each OP-TEE function the guest calls, the first time. */
static void note_fid(struct lvm *v, uint32_t fid)
{
	unsigned int i;

	pthread_mutex_lock(&v->lock);
	for (i = 0; i < v->nfids && v->fids[i] != fid; i++)
		;
	if (i == v->nfids && i < sizeof(v->fids) / sizeof(v->fids[0])) {
		v->fids[v->nfids++] = fid;
		printf("[%s] first call of OP-TEE function 0x%08x\n", v->name,
		       fid);
		fflush(stdout);
	}
	pthread_mutex_unlock(&v->lock);
}

#define OPTEE_EXCHANGE_CAPABILITIES 0xb2000009u

static void hypercall(struct lcpu *c)
{
	struct lvm *v = c->v;
	uint32_t fid = (uint32_t)c->run->hypercall.nr;
	uint64_t x0 = 0, x1 = 0;
	int r;

	note_fid(v, fid);
	/* teemed.ko takes calls from several vCPUs of a VM at once. */
	r = teemed_kvm_handle_exit(&v->tk, c->fd, (uint32_t)(c - v->cpus),
				   c->run);
	if (r < 0) {
		errno = -r;
		die("TEEMED_VM_SMC");
	}
	if (r == 1) { /* not OP-TEE's: the VMM's own, and it has none */
		kvm_arm_set_reg(c->fd, CORE_REG(regs.regs[0]),
				SMCCC_RET_NOT_SUPPORTED);
		return;
	}
	/* What the guest was offered decides how its driver calls. */
	if (fid == OPTEE_EXCHANGE_CAPABILITIES) {
		get_reg(c, CORE_REG(regs.regs[0]), &x0);
		get_reg(c, CORE_REG(regs.regs[1]), &x1);
		if (!x0) {
			pthread_mutex_lock(&v->lock);
			printf("[%s] OP-TEE capabilities offered to the "
			       "guest 0x%llx\n",
			       v->name, (unsigned long long)(uint32_t)x1);
			fflush(stdout);
			pthread_mutex_unlock(&v->lock);
		}
	}
}

static void print_stats(struct lvm *v)
{
	struct teemed_vm_stats_out st;

	if (ioctl(v->tk.vm_fd, TEEMED_VM_GET_STATS, &st) < 0)
		die("TEEMED_VM_GET_STATS");
	pthread_mutex_lock(&v->lock);
	printf("[%s] teemed: client %u smcs %llu std_calls %llu calls_peak %u "
	       "pinned %u pinned_peak %u max_pages_per_smc %u buffers_peak %u "
	       "rpc_buffers_peak %u notif_values %llu\n",
	       v->name, st.client_id, (unsigned long long)st.smcs,
	       (unsigned long long)st.std_calls, st.calls_peak, st.pinned_pages,
	       st.pinned_pages_peak, st.max_pages_per_smc, st.buffers_peak,
	       st.rpc_buffers_peak, (unsigned long long)st.notif_values);
	fflush(stdout);
	pthread_mutex_unlock(&v->lock);
}

/* The guest powered off (exit status 0) or reset or crashed (1). */
static void system_event(struct lcpu *c)
{
	struct lvm *v = c->v;
	uint32_t type = c->run->system_event.type;

	pthread_mutex_lock(&v->lock);
	uart_flush(&v->uart);
	printf("[%s] system event %u (%s)\n", v->name, type,
	       type == KVM_SYSTEM_EVENT_SHUTDOWN ? "power off"
						 : "reset or crash");
	fflush(stdout);
	teemed_kvm_close(&v->tk);
	exit(type == KVM_SYSTEM_EVENT_SHUTDOWN ? 0 : 1);
}

/* One vCPU's loop; the guest's power-off ends the whole VMM. */
static void *vcpu_loop(void *arg)
{
	struct lcpu *c = arg;
	struct lvm *v = c->v;

	for (;;) {
		if (stats_wanted) {
			stats_wanted = 0;
			print_stats(v);
		}
		c->run->immediate_exit = 0;
		if (stats_wanted) /* raised since: do not sleep in KVM_RUN */
			continue;
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN");
		}
		switch (c->run->exit_reason) {
		case KVM_EXIT_MMIO:
			mmio(c);
			break;
		case KVM_EXIT_HYPERCALL:
			hypercall(c);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			system_event(c);
			break;
		default:
			pthread_mutex_lock(&v->lock);
			uart_flush(&v->uart);
			fprintf(stderr, "[%s] unexpected exit %u\n", v->name,
				c->run->exit_reason);
			exit(2);
		}
	}
	return NULL;
}

static int run(struct lvm *v)
{
	struct sigaction sa = {.sa_handler = on_sigusr1};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0) /* no SA_RESTART: KVM_RUN */
		die("sigaction");
	signalled_vm = v;
	for (unsigned int i = 1; i < v->ncpus; i++) {
		errno = pthread_create(&v->cpus[i].thread, NULL, vcpu_loop,
				       &v->cpus[i]);
		if (errno)
			die("pthread_create");
	}
	vcpu_loop(&v->cpus[0]);
	return 2;
}

int linux_vmm_main(int argc, char **argv)
{
	struct lvm v = {.name = "linux", .ncpus = 1};
	const char *image = NULL, *initrd = NULL;
	const char *cmdline = "console=ttyS0";
	unsigned long mib = 256;
	int opt;

	while ((opt = getopt(argc, argv, "k:i:p:m:c:n:N")) != -1) {
		switch (opt) {
		case 'k':
			image = optarg;
			break;
		case 'i':
			initrd = optarg;
			break;
		case 'p':
			cmdline = optarg;
			break;
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			v.ncpus = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			v.name = optarg;
			break;
		case 'N':
			v.optee_notif = true;
			break;
		default:
			image = NULL;
			optind = argc + 1;
			break;
		}
	}
	if (!image || optind != argc || mib < 32 || mib > LINUX_RAM_MAX_MIB ||
	    !v.ncpus || v.ncpus > LINUX_MAX_VCPUS) {
		fprintf(stderr,
			"usage: teemed-vmm linux -k Image [-i initramfs] "
			"[-p params] [-m MiB (32..%u)] [-c vCPUs (1..%u)] "
			"[-n name] [-N]\n",
			LINUX_RAM_MAX_MIB, LINUX_MAX_VCPUS);
		return 2;
	}
	pthread_mutex_init(&v.lock, NULL);
	v.ram_size = (uint64_t)mib << 20;
	v.uart.name = v.name;
	v.uart.set_irq = uart_irq;
	v.uart.ctx = &v;
	create_vm(&v);
	create_gic(&v);
	load_linux(&v, image, initrd, cmdline);
	attach_teemed(&v); /* before the first KVM_RUN */
	return run(&v);
}
