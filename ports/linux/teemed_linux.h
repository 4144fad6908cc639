/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * teemed.ko internals shared by its files: the VM context, the module's
 * counters and the platform table (teemed_platform.c).
 */
#ifndef TEEMED_LINUX_H
#define TEEMED_LINUX_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "teemed/teemed.h"
#include "uapi/teemed.h"

/* One region of guest RAM, as the VMM named it (checked, sorted by IPA). */
struct tm_region {
	u64 ipa;
	u64 size;
	unsigned long uaddr;
	bool readonly;
};

struct eventfd_ctx;

/* The embedder's VM handle: what the core hands back to the callbacks. */
struct tm_vm {
	struct teemed_vm *core;
	struct mm_struct *mm; /* the VMM's, held with mmgrab() */
	/* Signalled when the guest has a notification; NULL: not offered. */
	struct eventfd_ctx *notif;
	u16 client_id;
	atomic_long_t pinned; /* pins this VM holds now */
	atomic_long_t pages;  /* mediator pages held for it now */
	/* While tracing: its SMCs in flight, by task (teemed_trace.c). */
	spinlock_t callers_lock;
	struct list_head callers;
	u32 nr_regions;
	struct tm_region regions[];
};

/* Totals over all VMs, for TEEMED_GET_INFO. */
extern atomic_long_t tm_pinned_total;
extern atomic_long_t tm_pages_total;

/* Where the core's SMCs go; NULL: the SMC instruction. */
struct teemed_smc_backend;
extern const struct teemed_smc_backend *tm_backend;

/* Not const: teemed_trace.c installs the trace callback while tracing. */
extern struct teemed_platform tm_platform;

/* One TEEMED_VM_SMC in flight: which task serves which vCPU. */
struct tm_smc_caller {
	struct list_head node;
	struct task_struct *task;
	u32 vcpu;
	bool listed;
};

/* teemed_trace.c */
void tm_trace_smc_enter(struct tm_vm *vm, struct tm_smc_caller *c, u32 vcpu);
void tm_trace_smc_leave(struct tm_vm *vm, struct tm_smc_caller *c);
int tm_trace_init(void);
void tm_trace_exit(void);

#endif /* TEEMED_LINUX_H */
