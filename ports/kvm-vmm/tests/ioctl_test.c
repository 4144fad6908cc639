// SPDX-License-Identifier: BSD-2-Clause
/*
 * Bad input to /dev/teemed from a VMM, run as root inside the QEMU test
 * (after teemed.ko and a secure world are loaded). Every case checks
 * the errno and that nothing changed; the last checks prove that no VM,
 * pin or module page is left. Prints one "PASS ioctl_<name>" or
 * "FAIL ioctl_<name> ..." line per check; exit status 1 on any FAIL.
 *
 *   ioctl_test [all]   every check
 *   ioctl_test nosw    with no secure world: VM creation is refused
 *   ioctl_test limit N teemed.ko has max_vms=N: the N+1th VM is refused
 *   ioctl_test info    print the module's counters
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "optee_abi.h"
#include "uapi/teemed.h"

#define PG 4096u
#define IPA_BASE 0x40000000ull
#define RAM_PAGES 64u

static int failures;
static int dev;

static void result(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void result(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s ioctl_%s", ok ? "PASS" : "FAIL", name);
	if (!ok) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		failures++;
	}
	printf("\n");
	fflush(stdout);
}

static struct teemed_dev_info info(void)
{
	struct teemed_dev_info i;

	memset(&i, 0, sizeof(i));
	if (ioctl(dev, TEEMED_GET_INFO, &i) < 0) {
		perror("TEEMED_GET_INFO");
		exit(2);
	}
	return i;
}

static uint8_t *ram; /* the "guest RAM" of this process's VMs */

static struct teemed_region ram_region(void)
{
	struct teemed_region r = {
		.ipa = IPA_BASE,
		.size = RAM_PAGES * PG,
		.uaddr = (uint64_t)(uintptr_t)ram,
	};
	return r;
}

/* TEEMED_CREATE_VM: the new fd, or -errno. */
static int create(struct teemed_create_vm *req)
{
	int fd = ioctl(dev, TEEMED_CREATE_VM, req);

	return fd < 0 ? -errno : fd;
}

static int create_regions(const struct teemed_region *r, uint32_t n)
{
	struct teemed_create_vm req;

	memset(&req, 0, sizeof(req));
	req.nr_regions = n;
	req.regions = (uint64_t)(uintptr_t)r;
	return create(&req);
}

static int good_vm(uint16_t *client)
{
	struct teemed_region one = ram_region();
	struct teemed_create_vm req;
	int fd;

	memset(&req, 0, sizeof(req));
	req.nr_regions = 1;
	req.regions = (uint64_t)(uintptr_t)&one;
	fd = create(&req);
	if (client)
		*client = req.client_id;
	return fd;
}

static void expect_refused(int got, int want, const char *name)
{
	if (got >= 0)
		close(got);
	result(got == -want, name, "got %d (%s), want -%d (%s)", got,
	       got < 0 ? strerror(-got) : "an fd", want, strerror(want));
}

/* One SMC through the VM fd: 0 or -errno. */
static int smc(int fd, struct teemed_smc *s)
{
	return ioctl(fd, TEEMED_VM_SMC, s) < 0 ? -errno : 0;
}

/* TEEMED_CREATE_VM_ASYNC_NOTIF and its eventfd, refused. */
static void bad_notif(const struct teemed_create_vm *req)
{
	struct teemed_create_vm b;
	int closed = eventfd(0, EFD_CLOEXEC), pipefd[2];

	b = *req;
	b.notif_eventfd = eventfd(0, EFD_CLOEXEC);
	expect_refused(create(&b), EINVAL, "create_eventfd_without_flag");
	close(b.notif_eventfd);
	b = *req;
	b.flags = TEEMED_CREATE_VM_ASYNC_NOTIF;
	b.notif_eventfd = -1;
	expect_refused(create(&b), EBADF, "create_notif_without_fd");
	close(closed);
	b.notif_eventfd = closed;
	expect_refused(create(&b), EBADF, "create_notif_closed_fd");
	if (pipe(pipefd) < 0)
		exit(2);
	b.notif_eventfd = pipefd[0];
	expect_refused(create(&b), EINVAL, "create_notif_not_an_eventfd");
	b.notif_eventfd = dev;
	expect_refused(create(&b), EINVAL, "create_notif_dev_fd");
	close(pipefd[0]);
	close(pipefd[1]);
	b = *req;
	b.flags = TEEMED_CREATE_VM_ASYNC_NOTIF;
	b.notif_eventfd = eventfd(0, EFD_CLOEXEC);
	b.nr_regions = 0; /* a good eventfd does not excuse the rest */
	expect_refused(create(&b), EINVAL, "create_notif_no_region");
	close(b.notif_eventfd);
}

/* EXCHANGE_CAPABILITIES of the VM `fd`: OP-TEE's a1, or 0. */
static uint32_t vm_caps(int fd)
{
	struct teemed_smc s;

	memset(&s, 0, sizeof(s));
	s.regs[0] = OPTEE_SMC_EXCHANGE_CAPABILITIES;
	if (smc(fd, &s) || s.regs[0] != OPTEE_SMC_RETURN_OK)
		return 0;
	return (uint32_t)s.regs[1];
}

/*
 * Only a VM created with an eventfd is offered notifications; its VMM
 * may close its own copy of the eventfd at once.
 */
static void notif_offered(void)
{
	struct teemed_region one = ram_region();
	struct teemed_create_vm req;
	struct teemed_smc s;
	int fd, plain, efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	plain = good_vm(NULL);
	memset(&req, 0, sizeof(req));
	req.nr_regions = 1;
	req.regions = (uint64_t)(uintptr_t)&one;
	req.flags = TEEMED_CREATE_VM_ASYNC_NOTIF;
	req.notif_eventfd = efd;
	fd = create(&req);
	result(plain >= 0 && fd >= 0, "create_with_notif",
	       "fds %d (plain) %d (notif)", plain, fd);
	if (plain < 0 || fd < 0)
		exit(1);
	result(!(vm_caps(plain) & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF),
	       "notif_not_offered_without_flag", "caps %#x", vm_caps(plain));
	result(vm_caps(fd) & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF,
	       "notif_offered_with_flag", "caps %#x", vm_caps(fd));
	memset(&s, 0, sizeof(s));
	s.regs[0] = OPTEE_SMC_ENABLE_ASYNC_NOTIF;
	result(smc(plain, &s) == 0 &&
		       s.regs[0] == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
	       "notif_enable_refused_without_flag", "a0 %#llx",
	       (unsigned long long)s.regs[0]);
	close(efd); /* teemed.ko holds its own reference */
	memset(&s, 0, sizeof(s));
	s.regs[0] = OPTEE_SMC_ENABLE_ASYNC_NOTIF;
	result(smc(fd, &s) == 0 && s.regs[0] == OPTEE_SMC_RETURN_OK,
	       "notif_enable_with_flag", "a0 %#llx",
	       (unsigned long long)s.regs[0]);
	close(fd);
	close(plain);
	result(info().vms == 0, "notif_vms_released", "vms %u", info().vms);
}

static void bad_create(void)
{
	struct teemed_region r[TEEMED_MAX_REGIONS + 1], one = ram_region();
	struct teemed_create_vm req;
	void *ro;

	memset(&req, 0, sizeof(req));
	req.nr_regions = 1;
	req.regions = (uint64_t)(uintptr_t)&one;
	struct teemed_create_vm b;

	b = req;
	b.flags = TEEMED_CREATE_VM_FLAGS + 1; /* the first unknown flag */
	expect_refused(create(&b), EINVAL, "create_flags");
	bool all = true;

	for (int i = 0; i < 6; i++) {
		b = req;
		b.reserved[i] = 1u << (i * 4);
		if (create(&b) != -EINVAL)
			all = false;
	}
	for (int i = 0; i < 3; i++) {
		b = req;
		b.quota.reserved[i] = 0x80000000u >> i;
		if (create(&b) != -EINVAL)
			all = false;
	}
	result(all, "create_every_reserved_field", "one was accepted");
	b = req;
	b.reserved[5] = 1;
	expect_refused(create(&b), EINVAL, "create_reserved");
	b = req;
	b.reserved16 = 1;
	expect_refused(create(&b), EINVAL, "create_reserved16");
	b = req;
	b.client_id = 7;
	expect_refused(create(&b), EINVAL, "create_caller_names_client_id");
	b = req;
	b.quota.reserved[2] = 1;
	expect_refused(create(&b), EINVAL, "create_quota_reserved");
	b = req;
	b.quota.pinned_pages = 0xffffffffu;
	expect_refused(create(&b), EPERM, "create_quota_above_module_limit");
	b = req;
	b.quota.mediator_pages = 1; /* each call slot holds a page */
	expect_refused(create(&b), EINVAL, "create_quota_too_small_for_a_vm");
	b = req;
	b.nr_regions = 0;
	expect_refused(create(&b), EINVAL, "create_no_region");
	b = req;
	b.nr_regions = TEEMED_MAX_REGIONS + 1;
	expect_refused(create(&b), EINVAL, "create_too_many_regions");
	b = req;
	b.regions = 0;
	expect_refused(create(&b), EFAULT, "create_regions_null");
	b = req;
	b.regions = 0xffff800000000000ull;
	expect_refused(create(&b), EFAULT, "create_regions_kernel_pointer");
	expect_refused(ioctl(dev, TEEMED_CREATE_VM, NULL) < 0 ? -errno : 0,
		       EFAULT, "create_null_argument");

	bad_notif(&req);

	r[0] = ram_region();
	r[0].ipa += 8;
	expect_refused(create_regions(r, 1), EINVAL, "region_unaligned_ipa");
	r[0] = ram_region();
	r[0].size = 100;
	expect_refused(create_regions(r, 1), EINVAL, "region_unaligned_size");
	r[0] = ram_region();
	r[0].uaddr += 16;
	expect_refused(create_regions(r, 1), EINVAL, "region_unaligned_uaddr");
	r[0] = ram_region();
	r[0].size = 0;
	expect_refused(create_regions(r, 1), EINVAL, "region_empty");
	r[0] = ram_region();
	r[0].flags = 0x80;
	expect_refused(create_regions(r, 1), EINVAL, "region_unknown_flag");
	r[0] = ram_region();
	r[0].reserved = 1;
	expect_refused(create_regions(r, 1), EINVAL, "region_reserved");
	r[0] = ram_region();
	r[0].ipa = 0xfffffffffffff000ull;
	expect_refused(create_regions(r, 1), E2BIG, "region_ipa_wraps");
	r[0] = ram_region();
	r[0].ipa = 1ull << 52;
	expect_refused(create_regions(r, 1), E2BIG, "region_ipa_too_high");
	r[0] = ram_region();
	r[0].size = 1ull << 50; /* huge: far past this process's memory */
	expect_refused(create_regions(r, 1), EFAULT, "region_huge");
	r[0] = ram_region();
	r[0].uaddr = 0xffff000000000000ull; /* kernel memory */
	expect_refused(create_regions(r, 1), EFAULT, "region_kernel_memory");
	r[0] = ram_region();
	r[0].uaddr = 0x1000; /* nothing mapped there */
	expect_refused(create_regions(r, 1), EFAULT, "region_unmapped_memory");
	ro = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r[0] = ram_region();
	r[0].uaddr = (uint64_t)(uintptr_t)ro;
	r[0].size = 4 * PG;
	expect_refused(create_regions(r, 1), EFAULT,
		       "region_readonly_memory_as_writable");
	munmap(ro, 4 * PG);
	r[0] = ram_region();
	r[1] = ram_region();
	r[1].ipa += PG; /* overlaps r[0] by all but one page */
	expect_refused(create_regions(r, 2), EEXIST, "regions_overlap");
	r[1] = ram_region();
	r[1].ipa = IPA_BASE - PG;
	r[1].size = 2 * PG; /* reaches one page into r[0] */
	expect_refused(create_regions(r, 2), EEXIST, "regions_overlap_at_start");
	for (int i = 0; i <= TEEMED_MAX_REGIONS; i++) {
		r[i] = ram_region();
		r[i].ipa = IPA_BASE + (uint64_t)i * RAM_PAGES * PG;
	}
	expect_refused(create_regions(r, TEEMED_MAX_REGIONS + 1), EINVAL,
		       "regions_past_limit");
}

/* REGISTER_SHM of `npages` pages of `ram` from `first`, via CALL_WITH_ARG. */
static uint32_t register_shm(int fd, uint32_t arg_page, uint32_t first,
			     uint32_t npages, uint64_t cookie)
{
	struct optee_msg_arg *m = (void *)(ram + (size_t)arg_page * PG);
	uint64_t *list = (void *)(ram + (size_t)(arg_page + 1) * PG);
	struct teemed_smc s;

	memset(m, 0, 2 * PG);
	for (uint32_t i = 0; i < npages; i++)
		list[i] = IPA_BASE + (uint64_t)(first + i) * PG;
	m->cmd = OPTEE_MSG_CMD_REGISTER_SHM;
	m->num_params = 1;
	m->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
	m->params[0].u.tmem.buf_ptr = IPA_BASE + (uint64_t)(arg_page + 1) * PG;
	m->params[0].u.tmem.size = (uint64_t)npages * PG;
	m->params[0].u.tmem.shm_ref = cookie;
	memset(&s, 0, sizeof(s));
	s.regs[0] = OPTEE_SMC_CALL_WITH_ARG;
	s.regs[2] = IPA_BASE + (uint64_t)arg_page * PG;
	if (smc(fd, &s) || s.regs[0] != OPTEE_SMC_RETURN_OK)
		return 0xdead0000u | (uint32_t)s.regs[0];
	return m->ret;
}

/*
 * A call from vCPU 2 (TEEMED_SMC_VCPU) starts in call slot 2: a
 * REGISTER_SHM of more entries than the step budget's 256 pauses with
 * FOREIGN_INTR carrying that thread id, and vCPU 2 resumes it to the end.
 */
static void vcpu_own_slot(int fd)
{
	struct optee_msg_arg *m = (void *)(ram + 40 * (size_t)PG);
	uint64_t *list = (void *)(ram + 41 * (size_t)PG);
	struct teemed_smc s;
	uint32_t pauses = 0, thread;

	memset(m, 0, 2 * PG);
	/* Pins nest: 300 entries over 16 pages. */
	for (uint32_t i = 0; i < 300; i++)
		list[i] = IPA_BASE + (uint64_t)(44 + i % 16) * PG;
	m->cmd = OPTEE_MSG_CMD_REGISTER_SHM;
	m->num_params = 1;
	m->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
	m->params[0].u.tmem.buf_ptr = IPA_BASE + 41 * (uint64_t)PG;
	m->params[0].u.tmem.size = 300 * (uint64_t)PG;
	m->params[0].u.tmem.shm_ref = 0x300;
	memset(&s, 0, sizeof(s));
	s.flags = TEEMED_SMC_VCPU;
	s.vcpu = 2;
	s.regs[0] = OPTEE_SMC_CALL_WITH_ARG;
	s.regs[2] = IPA_BASE + 40 * (uint64_t)PG;
	result(smc(fd, &s) == 0 &&
		       s.regs[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR &&
		       s.regs[3] == 2,
	       "smc_vcpu_own_call_slot", "a0 %#llx thread %llu",
	       (unsigned long long)s.regs[0], (unsigned long long)s.regs[3]);
	while (s.regs[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR && pauses < 8) {
		thread = (uint32_t)s.regs[3];
		memset(&s, 0, sizeof(s));
		s.flags = TEEMED_SMC_VCPU;
		s.vcpu = 2;
		s.regs[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		s.regs[3] = thread;
		if (smc(fd, &s))
			break;
		pauses++;
	}
	result(s.regs[0] == OPTEE_SMC_RETURN_OK && m->ret == TEEC_SUCCESS &&
		       pauses == 1,
	       "smc_vcpu_call_resumed", "a0 %#llx ret %#x pauses %u",
	       (unsigned long long)s.regs[0], m->ret, pauses);
}

static void vm_fd_input(void)
{
	struct teemed_vm_stats_out st;
	struct teemed_smc s, z;
	uint16_t c1 = 0, c2 = 0;
	int fd = good_vm(&c1), fd2 = good_vm(&c2);

	result(fd >= 0 && fd2 >= 0 && c1 && c2 && c1 != c2,
	       "create_two_vms_distinct_ids", "fds %d %d ids %u %u", fd, fd2,
	       c1, c2);
	if (fd < 0 || fd2 < 0)
		exit(1);
	result(info().vms == 2, "info_counts_vms", "vms %u", info().vms);

	memset(&z, 0, sizeof(z));
	z.regs[0] = OPTEE_SMC_CALLS_UID;
	s = z;
	s.flags = 0x80000000u;
	expect_refused(smc(fd, &s), EINVAL, "smc_flags");
	s = z;
	s.reserved = 5;
	expect_refused(smc(fd, &s), EINVAL, "smc_reserved");
	s = z;
	s.reserved32 = 5;
	expect_refused(smc(fd, &s), EINVAL, "smc_reserved32");
	s = z;
	s.vcpu = 2; /* without TEEMED_SMC_VCPU */
	expect_refused(smc(fd, &s), EINVAL, "smc_vcpu_without_flag");
	s = z;
	s.flags = TEEMED_SMC_VCPU;
	s.vcpu = 2;
	result(smc(fd, &s) == 0 && s.result == TEEMED_SMC_RESULT_HANDLED &&
		       s.regs[0] == OPTEE_MSG_UID_0,
	       "smc_with_vcpu", "result %u a0 %#llx", s.result,
	       (unsigned long long)s.regs[0]);
	s = z;
	s.result = 3;
	expect_refused(smc(fd, &s), EINVAL, "smc_result_in");
	expect_refused(ioctl(fd, TEEMED_VM_SMC, NULL) < 0 ? -errno : 0, EFAULT,
		       "smc_null_argument");
	expect_refused(ioctl(fd, _IO(TEEMED_IO, 0x7f), 0) < 0 ? -errno : 0,
		       ENOTTY, "vm_unknown_ioctl");
	expect_refused(ioctl(dev, _IO(TEEMED_IO, 0x7f), 0) < 0 ? -errno : 0,
		       ENOTTY, "dev_unknown_ioctl");
	expect_refused(ioctl(fd, TEEMED_CREATE_VM, 0) < 0 ? -errno : 0, ENOTTY,
		       "dev_ioctl_on_vm_fd");

	s = z;
	result(smc(fd, &s) == 0 && s.result == TEEMED_SMC_RESULT_HANDLED &&
		       s.regs[0] == OPTEE_MSG_UID_0 &&
		       s.regs[3] == OPTEE_MSG_UID_3,
	       "smc_calls_uid", "a0 %#llx", (unsigned long long)s.regs[0]);
	s = z;
	s.regs[0] = 0x84000000; /* PSCI_VERSION: not OP-TEE's */
	s.regs[5] = 0x5555;
	result(smc(fd, &s) == 0 && s.result == TEEMED_SMC_RESULT_NOT_OPTEE &&
		       s.regs[0] == 0x84000000 && s.regs[5] == 0x5555,
	       "smc_not_optee_untouched", "result %u", s.result);
	s = z;
	memset(s.regs, 0xff, sizeof(s.regs));
	result(smc(fd, &s) == 0, "smc_garbage_registers", "errno");
	s = z;
	s.regs[0] = OPTEE_SMC_CALL_WITH_ARG;
	s.regs[2] = 0x10000; /* outside every region */
	result(smc(fd, &s) == 0 && s.regs[0] == OPTEE_SMC_RETURN_EBADADDR,
	       "smc_arg_outside_regions", "a0 %#llx",
	       (unsigned long long)s.regs[0]);

	/* Pins through the VM, seen in its stats and the module's. */
	result(register_shm(fd, 0, 8, 16, 0x100) == TEEC_SUCCESS,
	       "register_shm_through_ioctl", "ret");
	memset(&st, 0, sizeof(st));
	result(ioctl(fd, TEEMED_VM_GET_STATS, &st) == 0 &&
		       st.pinned_pages == 16 && st.client_id == c1 &&
		       info().pinned_pages == 16,
	       "stats_count_pins", "vm %u module %llu", st.pinned_pages,
	       (unsigned long long)info().pinned_pages);

	/* A VM belongs to the process that created it. */
	pid_t pid = fork();

	if (pid == 0) {
		struct teemed_smc c = z;
		int e1 = smc(fd, &c);
		int e2 = ioctl(fd, TEEMED_VM_GET_STATS, &st) < 0 ? -errno : 0;

		_exit(e1 == -EIO && e2 == -EIO ? 0 : 1);
	}
	int wst = 0;

	waitpid(pid, &wst, 0);
	result(WIFEXITED(wst) && WEXITSTATUS(wst) == 0,
	       "vm_fd_from_another_process", "child status %#x", wst);
	result(info().pinned_pages == 16, "other_process_changed_nothing",
	       "pinned %llu", (unsigned long long)info().pinned_pages);

	vcpu_own_slot(fd2);
	close(fd);
	close(fd2);
	result(info().vms == 0 && info().pinned_pages == 0,
	       "close_releases_pins", "vms %u pinned %llu", info().vms,
	       (unsigned long long)info().pinned_pages);
}

/* ---- many threads on one VM while its fd is closed ---- */

struct hammer {
	int fd;
	int id;
	long calls, ebadf, other;
};

static void *hammer_run(void *p)
{
	struct hammer *h = p;

	for (uint32_t i = 0;; i++) {
		struct teemed_smc s;
		int e;

		memset(&s, 0, sizeof(s));
		if (i % 2) {
			s.regs[0] = OPTEE_SMC_CALLS_UID;
			e = smc(h->fd, &s);
		} else {
			/* register 2 pages per call: pins pile up to the quota */
			uint32_t ret = register_shm(h->fd, 2 * (uint32_t)h->id,
						    32 + (uint32_t)h->id * 2, 2,
						    0x10000 + ((uint64_t)h->id << 20) + i);
			e = (ret & 0xffff0000u) == 0xdead0000u ? -errno : 0;
		}
		if (e == -EBADF)
			break;
		if (e)
			h->other++;
		h->calls++;
		if (h->calls > 200000)
			break;
	}
	return NULL;
}

static void concurrent_close(void)
{
	enum { N = 8 };
	struct hammer h[N];
	pthread_t t[N];
	struct timespec ts = {0, 300 * 1000 * 1000};
	long calls = 0, other = 0;
	int fd = good_vm(NULL);

	if (fd < 0) {
		result(false, "concurrent_close", "create %d", fd);
		return;
	}
	for (int i = 0; i < N; i++) {
		h[i] = (struct hammer){.fd = fd, .id = i};
		pthread_create(&t[i], NULL, hammer_run, &h[i]);
	}
	nanosleep(&ts, NULL);
	close(fd);
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		calls += h[i].calls;
		other += h[i].other;
	}
	printf("concurrent: %ld SMCs from %d threads, %ld refused\n", calls, N,
	       other);
	result(calls > 0 && info().vms == 0 && info().pinned_pages == 0 &&
		       info().mediator_pages == 0,
	       "concurrent_smcs_while_closing", "vms %u pinned %llu",
	       info().vms, (unsigned long long)info().pinned_pages);
}

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Garbage: valid requests with random bits flipped in random fields.
 * Each ioctl must succeed or fail with one of the documented errnos;
 * afterwards nothing is left.
 */
static void garbage(void)
{
	static const int known[] = {EINVAL, EFAULT, E2BIG, EEXIST, EPERM,
				    ENOSPC, EIO, ENOMEM};
	int created = 0, bad = 0, last_bad = 0;

	for (int it = 0; it < 3000; it++) {
		struct teemed_region r[3];
		struct teemed_create_vm req;
		uint8_t *bytes;
		int fd, n;

		for (int i = 0; i < 3; i++) {
			r[i] = ram_region();
			r[i].ipa += (uint64_t)i * RAM_PAGES * PG;
		}
		memset(&req, 0, sizeof(req));
		req.nr_regions = 1 + (uint32_t)(rnd() % 3);
		req.regions = (uint64_t)(uintptr_t)r;
		n = 1 + (int)(rnd() % 3);
		for (int k = 0; k < n; k++) {
			uint64_t x = rnd();

			if (x & 1) {
				bytes = (uint8_t *)&req;
				bytes[(x >> 8) % sizeof(req)] ^= (uint8_t)(1u << ((x >> 16) % 8));
			} else {
				bytes = (uint8_t *)r;
				bytes[(x >> 8) % sizeof(r)] ^= (uint8_t)(1u << ((x >> 16) % 8));
			}
		}
		fd = create(&req);
		if (fd >= 0) {
			struct teemed_smc s;

			created++;
			memset(&s, 0, sizeof(s));
			for (int k = 0; k < 8; k++)
				s.regs[k] = rnd();
			s.regs[0] = 0x32000000u | (rnd() & 0x1f);
			if (rnd() & 1)
				s.reserved = rnd() | 1;
			int e = smc(fd, &s);

			if (e && e != -EINVAL) {
				bad++;
				last_bad = e;
			}
			close(fd);
			continue;
		}
		bool ok = false;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (fd == -known[k])
				ok = true;
		if (!ok) {
			if (bad++ < 3) {
				printf("unexpected %d for nr_regions %u flags %#x quota %u %u %u %u %u:",
				       fd, req.nr_regions, req.flags,
				       req.quota.pinned_pages, req.quota.buffers,
				       req.quota.rpc_buffers, req.quota.calls,
				       req.quota.mediator_pages);
				for (int i = 0; i < 3; i++)
					printf(" [%#llx %#llx %#llx %#x]",
					       (unsigned long long)r[i].ipa,
					       (unsigned long long)r[i].size,
					       (unsigned long long)r[i].uaddr,
					       r[i].flags);
				printf("\n");
			}
			last_bad = fd;
		}
	}
	printf("garbage: 3000 requests, %d accepted\n", created);
	result(bad == 0, "garbage_documented_errnos_only", "%d bad, last %d",
	       bad, last_bad);
	result(info().vms == 0 && info().pinned_pages == 0 &&
		       info().mediator_pages == 0,
	       "garbage_left_nothing", "vms %u", info().vms);
}

/* A VMM may lower its VM's quotas; the core then holds the VM to them. */
static void quota_lowered(void)
{
	struct teemed_region one = ram_region();
	struct teemed_vm_stats_out st;
	struct teemed_create_vm req;
	uint32_t ret;
	int fd;

	memset(&req, 0, sizeof(req));
	req.nr_regions = 1;
	req.regions = (uint64_t)(uintptr_t)&one;
	req.quota.pinned_pages = 4;
	fd = create(&req);
	if (fd < 0) {
		result(false, "quota_lowered_by_vmm", "create %d", fd);
		return;
	}
	ret = register_shm(fd, 0, 8, 16, 0x300);
	memset(&st, 0, sizeof(st));
	ioctl(fd, TEEMED_VM_GET_STATS, &st);
	result(ret == TEEC_ERROR_OUT_OF_MEMORY && st.pinned_pages == 0,
	       "quota_lowered_by_vmm_refuses_more", "ret %#x pinned %u", ret,
	       st.pinned_pages);
	ret = register_shm(fd, 0, 8, 4, 0x340);
	ioctl(fd, TEEMED_VM_GET_STATS, &st);
	result(ret == TEEC_SUCCESS && st.pinned_pages == 4,
	       "quota_lowered_by_vmm_allows_less", "ret %#x pinned %u", ret,
	       st.pinned_pages);
	close(fd);
	result(info().vms == 0 && info().pinned_pages == 0,
	       "quota_vm_released", "vms %u", info().vms);
}

/*
 * Create VMs until refused: `want_errno` (0: EIO or ENOSPC) after
 * `want_n` VMs (0: any number from 2), distinct ids, all released.
 */
static void vm_limit(int want_errno, int want_n)
{
	int fds[70], n = 0, last = 0;
	uint16_t ids[70];
	bool distinct = true;

	while (n < 70) {
		int fd = good_vm(&ids[n]);

		if (fd < 0) {
			last = fd;
			break;
		}
		for (int i = 0; i < n; i++)
			if (ids[i] == ids[n])
				distinct = false;
		fds[n++] = fd;
	}
	printf("vm limit: %d VMs, then %s\n", n, strerror(-last));
	if (want_errno)
		result(n == want_n && last == -want_errno && distinct,
		       "vm_limit_module_parameter", "%d VMs then %d", n, last);
	else
		result(n >= 2 && (last == -EIO || last == -ENOSPC) && distinct,
		       "vm_limit_clear_errno", "%d VMs then %d", n, last);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	result(info().vms == 0, "vm_limit_all_released", "vms %u", info().vms);
	last = good_vm(NULL);
	result(last >= 0, "create_after_limit", "%d", last);
	if (last >= 0)
		close(last);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";

	dev = open("/dev/teemed", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("/dev/teemed");
		return 2;
	}
	ram = mmap(NULL, RAM_PAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		return 2;

	if (!strcmp(what, "info")) {
		struct teemed_dev_info i = info();

		printf("vms=%u pinned=%llu pages=%llu created=%llu\n", i.vms,
		       (unsigned long long)i.pinned_pages,
		       (unsigned long long)i.mediator_pages,
		       (unsigned long long)i.vms_created);
		return 0;
	}
	if (!strcmp(what, "limit") && argc == 3) {
		/* teemed.ko loaded with max_vms=N: N VMs, then ENOSPC */
		vm_limit(ENOSPC, atoi(argv[2]));
		return failures ? 1 : 0;
	}
	if (!strcmp(what, "nosw")) {
		int fd = good_vm(NULL);

		result(fd == -EPROTO || fd == -ENODEV, "no_secure_world_refused",
		       "got %d", fd);
		result(info().vms == 0 && info().pinned_pages == 0,
		       "no_secure_world_nothing_left", "vms %u", info().vms);
		return failures ? 1 : 0;
	}

	result(ioctl(dev, TEEMED_GET_API_VERSION, 0) == TEEMED_API_VERSION,
	       "api_version", "errno %d", errno);
	expect_refused(ioctl(dev, TEEMED_GET_API_VERSION, 1) < 0 ? -errno : 0,
		       EINVAL, "api_version_arg");
	bad_create();
	result(info().vms == 0 && info().pinned_pages == 0 &&
		       info().mediator_pages == 0,
	       "bad_input_left_nothing", "vms %u", info().vms);
	vm_fd_input();
	notif_offered();
	concurrent_close();
	garbage();
	quota_lowered();
	vm_limit(0, 0);
	result(info().vms == 0 && info().pinned_pages == 0 &&
		       info().mediator_pages == 0,
	       "nothing_left", "vms %u pinned %llu pages %llu", info().vms,
	       (unsigned long long)info().pinned_pages,
	       (unsigned long long)info().mediator_pages);
	return failures ? 1 : 0;
}
