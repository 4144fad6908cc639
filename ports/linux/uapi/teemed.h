/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * /dev/teemed: the OP-TEE mediator for userspace VMMs.
 *
 * A VMM opens /dev/teemed and asks for one VM context per guest
 * (TEEMED_CREATE_VM), naming the guest memory regions OP-TEE may be
 * given. The answer is a new file descriptor; each SMC the guest makes in
 * the Trusted-OS range goes through it (TEEMED_VM_SMC), and closing it
 * (or the VMM's exit) tears the VM's OP-TEE state down.
 *
 * Every structure has a fixed size; reserved fields and unknown flags
 * must be zero (else EINVAL), so later versions can give them a meaning.
 * docs/kvm.md describes each call and its errors.
 */
#ifndef _UAPI_LINUX_TEEMED_H
#define _UAPI_LINUX_TEEMED_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define TEEMED_API_VERSION 1

#define TEEMED_IO 0xE7

/* Most regions one VM may name. */
#define TEEMED_MAX_REGIONS 32

/*
 * One range of guest RAM: `size` bytes at guest-physical `ipa`, backed
 * by the VMM's memory at `uaddr`. All three 4 KiB aligned; ranges of one
 * VM must not overlap in IPA.
 */
struct teemed_region {
	__u64 ipa;
	__u64 size;
	__u64 uaddr;
	__u32 flags;	/* TEEMED_REGION_* */
	__u32 reserved; /* 0 */
};

/* The guest may not hand this region to OP-TEE for writing. */
#define TEEMED_REGION_READONLY (1u << 0)
#define TEEMED_REGION_FLAGS TEEMED_REGION_READONLY

/*
 * Limits of one VM. 0 takes the module's default; a value above it is
 * refused (EPERM): a VMM can only lower its VM's limits.
 */
struct teemed_vm_quota {
	__u32 pinned_pages;   /* guest pages pinned at once */
	__u32 buffers;	      /* registered and RPC payload buffers */
	__u32 rpc_buffers;    /* RPC argument buffers */
	__u32 calls;	      /* yielding calls in flight */
	__u32 mediator_pages; /* module pages held for the VM */
	__u32 reserved[3];    /* 0 */
};

struct teemed_create_vm {
	__u32 flags;	  /* TEEMED_CREATE_VM_* */
	__u32 nr_regions; /* 1 .. TEEMED_MAX_REGIONS */
	__u64 regions;	  /* user pointer to struct teemed_region[] */
	struct teemed_vm_quota quota;
	__u16 client_id;     /* out: the OP-TEE client id of the VM */
	__u16 reserved16;    /* 0 */
	__s32 notif_eventfd; /* with TEEMED_CREATE_VM_ASYNC_NOTIF; else 0 */
	__u32 reserved[6];   /* 0 */
};

/*
 * Offer the guest OP-TEE's asynchronous notifications. `notif_eventfd`
 * is an eventfd the module signals each time the guest has a value
 * pending; the VMM turns it into the interrupt its guest's device tree
 * names in the optee node (on KVM: KVM_IRQFD). Without this flag the
 * guest is not told OP-TEE has notifications.
 */
#define TEEMED_CREATE_VM_ASYNC_NOTIF (1u << 0)
#define TEEMED_CREATE_VM_FLAGS TEEMED_CREATE_VM_ASYNC_NOTIF

/* One trapped SMC: a0..a7 in, the guest's a0..a7 out. */
struct teemed_smc {
	__u64 regs[8];
	__u32 flags;	  /* TEEMED_SMC_* */
	__u32 result;	  /* out: TEEMED_SMC_RESULT_* */
	__u32 vcpu;	  /* with TEEMED_SMC_VCPU: the vCPU that trapped; else 0 */
	__u32 reserved32; /* 0 */
	__u64 reserved;	  /* 0 */
};

/*
 * `vcpu` names the vCPU (the VMM's own numbering, e.g. KVM's vcpu id):
 * its new calls start in a call slot of their own, so vCPUs calling at
 * once share no cache line (teemed_vcpu_smc()), and trace events
 * (teemed:teemed_event) carry it.
 */
#define TEEMED_SMC_VCPU (1u << 0)
#define TEEMED_SMC_FLAGS TEEMED_SMC_VCPU

/* Write regs[0..3] back to the guest's x0..x3. */
#define TEEMED_SMC_RESULT_HANDLED 0
/* Not an OP-TEE function id: registers untouched, the VMM's own call. */
#define TEEMED_SMC_RESULT_NOT_OPTEE 1

/* Counters of one VM (see struct teemed_vm_stats in teemed.h). */
#define TEEMED_REFUSED_KINDS 16
struct teemed_vm_stats_out {
	__u16 client_id;
	__u16 reserved16;
	__u32 calls; /* yielding calls in flight */
	__u64 smcs;
	__u64 std_calls;
	__u32 calls_peak;
	__u32 pinned_pages;
	__u32 pinned_pages_peak;
	__u32 buffers;
	__u32 buffers_peak;
	__u32 rpc_buffers;
	__u32 rpc_buffers_peak;
	__u32 mediator_pages;
	__u32 mediator_pages_peak;
	__u32 max_pages_per_smc;
	__u32 pinned_args;
	__u32 reserved32;
	__u64 refused[TEEMED_REFUSED_KINDS]; /* by enum teemed_refusal */
	__u64 notif_values; /* asynchronous notification values it got */
	__u64 reserved[3];
};

/* The module and the secure world, all VMs together. */
struct teemed_dev_info {
	__u32 api_version; /* TEEMED_API_VERSION */
	__u32 vms;	   /* VM contexts alive */
	__u64 pinned_pages;   /* guest pages pinned now, all VMs */
	__u64 mediator_pages; /* module pages held now, all VMs */
	__u64 vms_created;    /* since load */
	__u32 os_major;	      /* OP-TEE, as last probed (0: never) */
	__u32 os_minor;
	__u32 sec_caps;
	__u32 thread_count;
	__u32 max_vms; /* module parameter */
	__u32 reserved32;
	__u64 reserved[4];
};

/* On /dev/teemed. */
#define TEEMED_GET_API_VERSION _IO(TEEMED_IO, 0x00)
#define TEEMED_CREATE_VM _IOWR(TEEMED_IO, 0x01, struct teemed_create_vm)
#define TEEMED_GET_INFO _IOR(TEEMED_IO, 0x02, struct teemed_dev_info)

/* On a VM file descriptor. */
#define TEEMED_VM_SMC _IOWR(TEEMED_IO, 0x10, struct teemed_smc)
#define TEEMED_VM_GET_STATS _IOR(TEEMED_IO, 0x11, struct teemed_vm_stats_out)

#endif /* _UAPI_LINUX_TEEMED_H */
