// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * teemed.ko: the teemed OP-TEE mediator in the Linux host, for userspace
 * KVM VMMs. /dev/teemed creates VM contexts; each is a file descriptor
 * that takes the guest's trapped SMCs and whose release tears the VM's
 * OP-TEE state down. The ioctl ABI is in uapi/teemed.h, the design in
 * docs/kvm.md.
 *
 * Lifetimes: the core instance exists while at least one VM does (it is
 * probed when the first VM is created and freed with the last one), so
 * a test backend can be registered or removed whenever no VM exists.
 * tm_lock guards the instance, the backend and the VM count.
 */
#define pr_fmt(fmt) "teemed: " fmt

#include <linux/anon_inodes.h>
#include <linux/arm-smccc.h>
#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/platform_device.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "include/teemed_backend.h"
#include "teemed_events.h"
#include "teemed_linux.h"

static unsigned int max_vms = 8;
module_param(max_vms, uint, 0444);
MODULE_PARM_DESC(max_vms, "VM contexts alive at once (OP-TEE's own guest count may be lower)");

static unsigned int step_pages;
module_param(step_pages, uint, 0444);
MODULE_PARM_DESC(step_pages, "guest pages pinned or released per SMC (0: core default)");

static unsigned int vm_pinned_pages;
module_param(vm_pinned_pages, uint, 0444);
MODULE_PARM_DESC(vm_pinned_pages, "per-VM limit of pinned guest pages (0: core default)");

static unsigned int vm_buffers;
module_param(vm_buffers, uint, 0444);
MODULE_PARM_DESC(vm_buffers, "per-VM limit of shared buffers (0: core default)");

static unsigned int vm_rpc_buffers;
module_param(vm_rpc_buffers, uint, 0444);
MODULE_PARM_DESC(vm_rpc_buffers, "per-VM limit of RPC argument buffers (0: core default)");

static unsigned int vm_calls;
module_param(vm_calls, uint, 0444);
MODULE_PARM_DESC(vm_calls, "per-VM limit of calls in flight (0: OP-TEE's thread count)");

static unsigned int vm_mediator_pages;
module_param(vm_mediator_pages, uint, 0444);
MODULE_PARM_DESC(vm_mediator_pages, "per-VM limit of module pages (0: core default)");

static unsigned long global_pinned_pages;
module_param(global_pinned_pages, ulong, 0444);
MODULE_PARM_DESC(global_pinned_pages, "pinned guest pages, all VMs together (0: no cap)");

/* The highest IPA a region may reach: arm64's largest IPA space. */
#define TM_IPA_LIMIT BIT_ULL(52)
/* Tries of VM_DESTROYED before the VM's pages are left pinned for good. */
#define TM_DESTROY_TRIES 16

static DEFINE_MUTEX(tm_lock);
static struct teemed *tm_tee;
const struct teemed_smc_backend *tm_backend;
static unsigned int tm_vms;
static u64 tm_vms_created;
static struct teemed_info tm_info;
static DEFINE_IDA(tm_ids);
/* OP-TEE's notification interrupt in the host; 0: none described. */
static int tm_notif_irq;

static int tm_errno(int r)
{
	switch (r) {
	case TEEMED_OK:
		return 0;
	case TEEMED_ERR_PERM:
		return -EPERM;
	case TEEMED_ERR_NOENT:
		return -ENOENT;
	case TEEMED_ERR_AGAIN:
		return -EAGAIN;
	case TEEMED_ERR_NOMEM:
		return -ENOMEM;
	case TEEMED_ERR_FAULT:
		return -EFAULT;
	case TEEMED_ERR_BUSY:
		return -EBUSY;
	case TEEMED_ERR_EXIST:
		return -EEXIST;
	case TEEMED_ERR_INVAL:
		return -EINVAL;
	case TEEMED_ERR_RANGE:
		return -ENOSPC;
	case TEEMED_ERR_PROTO:
		return -EPROTO;
	case TEEMED_ERR_NOTSUP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static int tm_count_dev(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/*
 * The host's own OP-TEE driver must not run: OP-TEE refuses its yielding
 * calls (client id 0) once virtualization is on, and some versions halt
 * on its notification setup. It registers a platform driver "optee".
 */
static int tm_check_host_optee(void)
{
	struct device_driver *drv = driver_find("optee", &platform_bus_type);
	unsigned int bound = 0;

	if (IS_ENABLED(CONFIG_ARM_FFA_TRANSPORT))
		pr_info("OP-TEE's FF-A driver is not checked; teemed speaks OP-TEE's SMC ABI only\n");
	if (!drv)
		return 0;
	if (driver_for_each_device(drv, NULL, &bound, tm_count_dev) ||
	    bound) {
		pr_err("the host's OP-TEE driver (optee) is bound to %u device(s); unload it and keep it out (modprobe.blacklist=optee)\n",
		       bound);
		return -EBUSY;
	}
	pr_warn("the host's OP-TEE driver (optee) is loaded but bound to nothing; keep it out (modprobe.blacklist=optee)\n");
	return 0;
}

int teemed_register_smc_backend(const struct teemed_smc_backend *b)
{
	int ret = 0;

	if (!b || !b->smc)
		return -EINVAL;
	mutex_lock(&tm_lock);
	if (tm_backend || tm_tee)
		ret = -EBUSY;
	else
		WRITE_ONCE(tm_backend, b);
	mutex_unlock(&tm_lock);
	if (!ret)
		pr_warn("secure world: test backend %s instead of the SMC instruction\n",
			b->name);
	return ret;
}
EXPORT_SYMBOL_GPL(teemed_register_smc_backend);

void teemed_unregister_smc_backend(const struct teemed_smc_backend *b)
{
	mutex_lock(&tm_lock);
	/* While an instance exists it holds b->owner: it cannot be here. */
	WARN_ON(tm_tee);
	if (tm_backend == b)
		WRITE_ONCE(tm_backend, NULL);
	mutex_unlock(&tm_lock);
}
EXPORT_SYMBOL_GPL(teemed_unregister_smc_backend);

/*
 * OP-TEE raised its notification interrupt: the core asks it for each
 * VM's values and signals the VMs that have some (tm_notify). It takes
 * mutexes and makes SMCs, so it runs in process context: the threaded
 * half of the host interrupt, or a work item for a test backend (whose
 * SMC callback cannot call back into the core). tm_lock keeps the
 * instance alive meanwhile; a raise with no instance has no VM to tell.
 */
static void tm_notif_poll(void)
{
	mutex_lock(&tm_lock);
	if (tm_tee)
		teemed_notif_irq(tm_tee);
	mutex_unlock(&tm_lock);
}

static void tm_notif_work_fn(struct work_struct *work)
{
	tm_notif_poll();
}

static DECLARE_WORK(tm_notif_work, tm_notif_work_fn);

void teemed_backend_notif_raised(const struct teemed_smc_backend *b)
{
	if (READ_ONCE(tm_backend) == b)
		schedule_work(&tm_notif_work);
}
EXPORT_SYMBOL_GPL(teemed_backend_notif_raised);

static irqreturn_t tm_notif_irq_thread(int irq, void *data)
{
	tm_notif_poll();
	return IRQ_HANDLED;
}

/*
 * The interrupt the host's optee driver would have requested: the first
 * of its linaro,optee-tz node's "interrupts". Without it, guests offered
 * notifications never get a value: the log says so when OP-TEE's node
 * exists but names none.
 */
static void tm_notif_irq_request(void)
{
	struct device_node *np =
		of_find_compatible_node(NULL, NULL, "linaro,optee-tz");
	int irq, ret;

	if (!np)
		return;
	irq = of_irq_get(np, 0);
	of_node_put(np);
	if (irq <= 0) {
		pr_info("OP-TEE's node names no notification interrupt\n");
		return;
	}
	if (irq_is_percpu_devid(irq)) {
		pr_warn("OP-TEE's notification interrupt %d is per-CPU: not handled, guests get no notifications\n",
			irq);
		return;
	}
	ret = request_threaded_irq(irq, NULL, tm_notif_irq_thread, IRQF_ONESHOT,
				   "teemed-optee-notif", NULL);
	if (ret) {
		pr_warn("OP-TEE's notification interrupt %d: request failed (%d)\n",
			irq, ret);
		return;
	}
	tm_notif_irq = irq;
}

/* Make sure the instance exists. Called with tm_lock held. */
static int tm_instance_get(void)
{
	struct teemed_config cfg = {
		.platform = &tm_platform,
		.max_vms = max_vms,
		.step_pages = step_pages,
		.vm_quota = {
			.pinned_pages = vm_pinned_pages,
			.buffers = vm_buffers,
			.rpc_buffers = vm_rpc_buffers,
			.calls = vm_calls,
			.mediator_pages = vm_mediator_pages,
		},
		.global_pinned_pages = global_pinned_pages,
	};
	int ret;

	if (tm_tee)
		return 0;
	ret = tm_check_host_optee();
	if (ret)
		return ret;
	if (tm_backend) {
		if (!try_module_get(tm_backend->owner))
			return -ENODEV;
	} else if (arm_smccc_1_1_get_conduit() != SMCCC_CONDUIT_SMC) {
		pr_err("no SMC conduit to a secure world (SMCCC 1.1 over SMC)\n");
		return -ENODEV;
	}
	ret = teemed_init(&cfg, &tm_tee);
	if (ret) {
		const char *why = "probe failed";

		if (ret == TEEMED_ERR_PROTO)
			why = "not OP-TEE, or another message revision";
		else if (ret == TEEMED_ERR_NOTSUP)
			why = "OP-TEE lacks dynamic shared memory or virtualization";
		pr_err("the secure world was refused: %s (%d)\n", why, ret);
		tm_tee = NULL;
		if (tm_backend)
			module_put(tm_backend->owner);
		return tm_errno(ret);
	}
	if (!memcmp(&tm_info, teemed_get_info(tm_tee), sizeof(tm_info)))
		return 0;
	tm_info = *teemed_get_info(tm_tee);
	pr_info("OP-TEE %u.%u (build %#x), capabilities %#x, %u threads per VM\n",
		tm_info.os_major, tm_info.os_minor, tm_info.os_build,
		tm_info.sec_caps, tm_info.thread_count);
	return 0;
}

/* Free the instance once the last VM is gone. Called with tm_lock held. */
static void tm_instance_put(void)
{
	if (tm_vms || !tm_tee)
		return;
	WARN_ON(teemed_fini(tm_tee));
	tm_tee = NULL;
	if (tm_backend)
		module_put(tm_backend->owner);
}

/* ---- VM file descriptors ---- */

static long tm_vm_smc(struct tm_vm *vm, void __user *argp)
{
	struct tm_smc_caller caller;
	struct teemed_smc smc;
	struct teemed_regs regs;
	bool handled;

	if (copy_from_user(&smc, argp, sizeof(smc)))
		return -EFAULT;
	if ((smc.flags & ~TEEMED_SMC_FLAGS) || smc.result ||
	    (smc.vcpu && !(smc.flags & TEEMED_SMC_VCPU)) || smc.reserved32 ||
	    smc.reserved)
		return -EINVAL;
	BUILD_BUG_ON(sizeof(regs.a) != sizeof(smc.regs));
	memcpy(regs.a, smc.regs, sizeof(regs.a));
	caller.listed = false;
	if (trace_teemed_event_enabled() && (smc.flags & TEEMED_SMC_VCPU))
		tm_trace_smc_enter(vm, &caller, smc.vcpu);
	handled = teemed_vcpu_smc(vm->core,
				  smc.flags & TEEMED_SMC_VCPU ? smc.vcpu
							      : TEEMED_NO_VCPU,
				  &regs) == TEEMED_SMC_HANDLED;
	tm_trace_smc_leave(vm, &caller);
	if (handled) {
		memcpy(smc.regs, regs.a, sizeof(smc.regs));
		smc.result = TEEMED_SMC_RESULT_HANDLED;
	} else {
		smc.result = TEEMED_SMC_RESULT_NOT_OPTEE;
	}
	if (copy_to_user(argp, &smc, sizeof(smc)))
		return -EFAULT;
	return 0;
}

static long tm_vm_get_stats(struct tm_vm *vm, void __user *argp)
{
	struct teemed_vm_stats_out out;
	struct teemed_vm_stats st;
	unsigned int i;

	BUILD_BUG_ON(TEEMED_REFUSED_COUNT > TEEMED_REFUSED_KINDS);
	teemed_vm_get_stats(vm->core, &st);
	memset(&out, 0, sizeof(out));
	out.client_id = vm->client_id;
	out.calls = st.calls;
	out.smcs = st.smcs;
	out.std_calls = st.std_calls;
	out.calls_peak = st.calls_peak;
	out.pinned_pages = st.pinned_pages;
	out.pinned_pages_peak = st.pinned_pages_peak;
	out.buffers = st.buffers;
	out.buffers_peak = st.buffers_peak;
	out.rpc_buffers = st.rpc_buffers;
	out.rpc_buffers_peak = st.rpc_buffers_peak;
	out.mediator_pages = st.mediator_pages;
	out.mediator_pages_peak = st.mediator_pages_peak;
	out.max_pages_per_smc = st.max_pages_per_smc;
	out.pinned_args = st.pinned_args;
	out.notif_values = st.notif_values;
	for (i = 0; i < TEEMED_REFUSED_COUNT; i++)
		out.refused[i] = st.refused[i];
	if (copy_to_user(argp, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}

static long tm_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct tm_vm *vm = file->private_data;
	void __user *argp = (void __user *)arg;

	/* Like KVM: a VM belongs to the process that created it. */
	if (current->mm != vm->mm)
		return -EIO;
	switch (cmd) {
	case TEEMED_VM_SMC:
		return tm_vm_smc(vm, argp);
	case TEEMED_VM_GET_STATS:
		return tm_vm_get_stats(vm, argp);
	default:
		return -ENOTTY;
	}
}

static void tm_vm_free(struct tm_vm *vm)
{
	if (vm->notif)
		eventfd_ctx_put(vm->notif);
	mmdrop(vm->mm);
	kfree(vm);
}

/*
 * Tear the VM down in bounded steps, then give its id back. On return
 * `vm` is gone, unless OP-TEE refused VM_DESTROYED.
 */
static void tm_vm_destroy(struct tm_vm *vm)
{
	unsigned int tries = 0;
	int r;

	for (;;) {
		r = teemed_vm_destroy(vm->core);
		if (r == TEEMED_OK)
			break;
		if (r != TEEMED_ERR_AGAIN && ++tries >= TM_DESTROY_TRIES) {
			/*
			 * OP-TEE did not acknowledge VM_DESTROYED: it may still
			 * use the VM's pages, so they stay pinned and the id
			 * stays taken.
			 */
			pr_err("vm %u: OP-TEE refused VM_DESTROYED (%d); its %ld pinned pages stay pinned\n",
			       vm->client_id, r, atomic_long_read(&vm->pinned));
			/* What OP-TEE may still use must outlive the module. */
			__module_get(THIS_MODULE);
			return;
		}
		cond_resched();
	}
	WARN_ON(atomic_long_read(&vm->pinned) || atomic_long_read(&vm->pages));
	mutex_lock(&tm_lock);
	ida_free(&tm_ids, vm->client_id);
	tm_vms--;
	tm_instance_put();
	mutex_unlock(&tm_lock);
	tm_vm_free(vm);
}

/*
 * The last reference to the VM's file is gone: the VMM closed it or
 * died. No ioctl on it runs any more (each holds a file reference), so
 * the core may tear the VM down.
 */
static int tm_vm_release(struct inode *inode, struct file *file)
{
	tm_vm_destroy(file->private_data);
	return 0;
}

static const struct file_operations tm_vm_fops = {
	.owner = THIS_MODULE,
	.release = tm_vm_release,
	.unlocked_ioctl = tm_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* ---- VM creation ---- */

static int tm_region_cmp(const void *a, const void *b)
{
	const struct tm_region *x = a, *y = b;

	return x->ipa < y->ipa ? -1 : x->ipa > y->ipa;
}

/* The VMM's memory behind a region must be mapped ordinary memory now. */
static int tm_check_vmas(struct mm_struct *mm, const struct tm_region *r)
{
	unsigned long addr = r->uaddr, end = r->uaddr + r->size;
	struct vm_area_struct *vma;

	while (addr < end) {
		vma = vma_lookup(mm, addr);
		if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)))
			return -EFAULT;
		if (!r->readonly && !(vma->vm_flags & VM_WRITE))
			return -EFAULT;
		addr = vma->vm_end;
	}
	return 0;
}

static int tm_get_regions(struct tm_vm *vm, u64 uptr, u32 n)
{
	struct teemed_region *in;
	u32 i;
	int ret = 0;

	in = memdup_array_user(u64_to_user_ptr(uptr), n, sizeof(*in));
	if (IS_ERR(in))
		return PTR_ERR(in);
	for (i = 0; i < n; i++) {
		struct teemed_region *u = &in[i];
		struct tm_region *r = &vm->regions[i];

		if ((u->flags & ~TEEMED_REGION_FLAGS) || u->reserved ||
		    !u->size || !PAGE_ALIGNED(u->ipa) ||
		    !PAGE_ALIGNED(u->size) || !PAGE_ALIGNED(u->uaddr)) {
			ret = -EINVAL;
			goto out;
		}
		if (u->ipa >= TM_IPA_LIMIT || u->size > TM_IPA_LIMIT - u->ipa) {
			ret = -E2BIG;
			goto out;
		}
		if (u->uaddr != (unsigned long)u->uaddr ||
		    u->size != (unsigned long)u->size ||
		    !access_ok(u64_to_user_ptr(u->uaddr), u->size)) {
			ret = -EFAULT;
			goto out;
		}
		r->ipa = u->ipa;
		r->size = u->size;
		r->uaddr = u->uaddr;
		r->readonly = u->flags & TEEMED_REGION_READONLY;
	}
	sort(vm->regions, n, sizeof(vm->regions[0]), tm_region_cmp, NULL);
	for (i = 1; i < n; i++) {
		if (vm->regions[i].ipa - vm->regions[i - 1].ipa <
		    vm->regions[i - 1].size) {
			ret = -EEXIST;
			goto out;
		}
	}
	mmap_read_lock(current->mm);
	for (i = 0; i < n && !ret; i++)
		ret = tm_check_vmas(current->mm, &vm->regions[i]);
	mmap_read_unlock(current->mm);
out:
	kfree(in);
	return ret;
}

/* A VMM may lower its VM's limits, never raise them above the module's. */
static int tm_get_quota(const struct teemed_vm_quota *u, struct teemed_quota *q)
{
	if (memchr_inv(u->reserved, 0, sizeof(u->reserved)))
		return -EINVAL;
	if (u->pinned_pages > (vm_pinned_pages ?: TEEMED_DEFAULT_PINNED_PAGES) ||
	    u->buffers > (vm_buffers ?: TEEMED_DEFAULT_BUFFERS) ||
	    u->rpc_buffers > (vm_rpc_buffers ?: TEEMED_DEFAULT_RPC_BUFFERS) ||
	    u->calls > (vm_calls ?: TEEMED_MAX_CALLS) ||
	    u->mediator_pages > (vm_mediator_pages ?: TEEMED_DEFAULT_MEDIATOR_PAGES))
		return -EPERM;
	q->pinned_pages = u->pinned_pages;
	q->buffers = u->buffers;
	q->rpc_buffers = u->rpc_buffers;
	q->calls = u->calls;
	q->mediator_pages = u->mediator_pages;
	return 0;
}

/* Announce the VM to OP-TEE under a fresh client id. */
static int tm_vm_start(struct tm_vm *vm, const struct teemed_quota *q)
{
	/* Only a VMM that can deliver the interrupt has it offered. */
	struct teemed_vm_config cfg = {
		.quota = q,
		.features_off = vm->notif ? 0 : TEEMED_FEATURE_ASYNC_NOTIF,
	};
	int id, r, ret;

	mutex_lock(&tm_lock);
	ret = tm_instance_get();
	if (ret)
		goto out;
	/* OP-TEE accepts duplicate ids: the module alone keeps them unique. */
	id = ida_alloc_range(&tm_ids, 1, U16_MAX, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto out_put;
	}
	vm->client_id = id;
	r = teemed_vm_create_ex(tm_tee, id, vm, &cfg, &vm->core);
	if (r) {
		ret = tm_errno(r);
		if (r == TEEMED_ERR_IO)
			pr_err("vm %d: OP-TEE refused VM_CREATED (its guest count, CFG_VIRT_GUEST_COUNT, may be reached): %d\n",
			       id, ret);
		else if (r == TEEMED_ERR_RANGE)
			pr_warn_ratelimited("vm %d: max_vms=%u VMs exist already\n",
					    id, max_vms);
		ida_free(&tm_ids, id);
		goto out_put;
	}
	tm_vms++;
	tm_vms_created++;
	mutex_unlock(&tm_lock);
	return 0;
out_put:
	tm_instance_put();
out:
	mutex_unlock(&tm_lock);
	return ret;
}

static long tm_create_vm(void __user *argp)
{
	struct teemed_create_vm req;
	struct teemed_quota q;
	struct tm_vm *vm;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~TEEMED_CREATE_VM_FLAGS) || req.reserved16 ||
	    req.client_id || memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	if (!(req.flags & TEEMED_CREATE_VM_ASYNC_NOTIF) && req.notif_eventfd)
		return -EINVAL;
	if (!req.nr_regions || req.nr_regions > TEEMED_MAX_REGIONS)
		return -EINVAL;
	ret = tm_get_quota(&req.quota, &q);
	if (ret)
		return ret;

	vm = kzalloc(struct_size(vm, regions, req.nr_regions),
		     GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	vm->nr_regions = req.nr_regions;
	spin_lock_init(&vm->callers_lock);
	INIT_LIST_HEAD(&vm->callers);
	ret = tm_get_regions(vm, req.regions, req.nr_regions);
	if (!ret && (req.flags & TEEMED_CREATE_VM_ASYNC_NOTIF)) {
		/* EBADF: no such fd; EINVAL: not an eventfd. */
		vm->notif = eventfd_ctx_fdget(req.notif_eventfd);
		if (IS_ERR(vm->notif)) {
			ret = PTR_ERR(vm->notif);
			vm->notif = NULL;
		}
	}
	if (ret) {
		kfree(vm);
		return ret;
	}
	mmgrab(current->mm);
	vm->mm = current->mm;
	ret = tm_vm_start(vm, &q);
	if (ret) {
		tm_vm_free(vm);
		return ret;
	}

	/* From here the file's release tears the VM down. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		file = NULL;
		ret = fd;
	} else {
		file = anon_inode_getfile("teemed-vm", &tm_vm_fops, vm, O_RDWR);
		ret = IS_ERR(file) ? PTR_ERR(file) : 0;
	}
	if (ret) {
		if (fd >= 0)
			put_unused_fd(fd);
		tm_vm_destroy(vm);
		return ret;
	}
	req.client_id = vm->client_id;
	if (copy_to_user(argp, &req, sizeof(req))) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;
}

/* ---- /dev/teemed ---- */

static long tm_get_info(void __user *argp)
{
	struct teemed_dev_info info;

	memset(&info, 0, sizeof(info));
	info.api_version = TEEMED_API_VERSION;
	info.max_vms = max_vms;
	mutex_lock(&tm_lock);
	info.vms = tm_vms;
	info.vms_created = tm_vms_created;
	info.os_major = tm_info.os_major;
	info.os_minor = tm_info.os_minor;
	info.sec_caps = tm_info.sec_caps;
	info.thread_count = tm_info.thread_count;
	mutex_unlock(&tm_lock);
	info.pinned_pages = atomic_long_read(&tm_pinned_total);
	info.mediator_pages = atomic_long_read(&tm_pages_total);
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long tm_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case TEEMED_GET_API_VERSION:
		return arg ? -EINVAL : TEEMED_API_VERSION;
	case TEEMED_CREATE_VM:
		return tm_create_vm(argp);
	case TEEMED_GET_INFO:
		return tm_get_info(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations tm_dev_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = tm_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice tm_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "teemed",
	.fops = &tm_dev_fops,
	.mode = 0600,
};

static int __init tm_init(void)
{
	int ret;

	/* The ABI's sizes (docs/kvm.md): fixed on every architecture. */
	BUILD_BUG_ON(sizeof(struct teemed_region) != 32);
	BUILD_BUG_ON(sizeof(struct teemed_create_vm) != 80);
	BUILD_BUG_ON(sizeof(struct teemed_smc) != 88);
	BUILD_BUG_ON(sizeof(struct teemed_vm_stats_out) != 232);
	BUILD_BUG_ON(sizeof(struct teemed_dev_info) != 88);

	if (!max_vms || max_vms > U16_MAX) {
		pr_err("max_vms=%u: must be 1..%u\n", max_vms, U16_MAX);
		return -EINVAL;
	}
	ret = tm_check_host_optee();
	if (ret)
		return ret;
	ret = tm_trace_init();
	if (ret)
		return ret;
	ret = misc_register(&tm_dev);
	if (ret) {
		tm_trace_exit();
		return ret;
	}
	tm_notif_irq_request();
	return 0;
}

static void __exit tm_exit(void)
{
	/* Every VM file holds the module: none is left. */
	misc_deregister(&tm_dev);
	if (tm_notif_irq)
		free_irq(tm_notif_irq, NULL);
	cancel_work_sync(&tm_notif_work);
	ida_destroy(&tm_ids);
	tm_trace_exit();
}

module_init(tm_init);
module_exit(tm_exit);

MODULE_DESCRIPTION("teemed: OP-TEE mediator for userspace KVM VMMs");
MODULE_LICENSE("Dual BSD/GPL");
