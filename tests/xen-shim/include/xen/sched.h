/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim (see xen/config.h): struct domain and struct vcpu with the
 * fields the port reads (the rest of Xen's is elided), current, and
 * hypercall_preempt_check().
 */
#ifndef XEN_SHIM_SCHED_H
#define XEN_SHIM_SCHED_H

#include <xen/types.h>
#include <xen/spinlock.h>
#include <xen/mm.h>
#include <asm/current.h>
#include <asm/domain.h>
#include <public/xen.h>

struct domain {
    domid_t domain_id;
    struct arch_domain arch;
    /* Shim only: the simulator's handle and teardown progress. */
    void *shim_vm;
    unsigned int shim_teardown;
};

struct vcpu {
    int vcpu_id;
    struct domain *domain;
};

/* True when Xen wants the CPU back (the shim says yes every time). */
bool xen_shim_preempt_check(void);
#define hypercall_preempt_check() (unlikely(xen_shim_preempt_check()))

#endif
