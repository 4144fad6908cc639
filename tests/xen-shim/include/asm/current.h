/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): the vCPU this CPU (thread) runs. */
#ifndef XEN_SHIM_ASM_CURRENT_H
#define XEN_SHIM_ASM_CURRENT_H

struct vcpu;
extern __thread struct vcpu *xen_shim_curr_vcpu;
#define current (xen_shim_curr_vcpu)

#endif
