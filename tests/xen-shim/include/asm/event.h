/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim (see xen/config.h): in Xen, what hypercall_preempt_check()
 * needs (local_events_need_delivery()); the shim's check needs nothing.
 */
#ifndef XEN_SHIM_ASM_EVENT_H
#define XEN_SHIM_ASM_EVENT_H

#endif
