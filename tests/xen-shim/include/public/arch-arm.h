/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): xen_arch_domainconfig's tee_type values. */
#ifndef XEN_SHIM_PUBLIC_ARCH_ARM_H
#define XEN_SHIM_PUBLIC_ARCH_ARM_H

#define XEN_DOMCTL_CONFIG_TEE_NONE 0
#define XEN_DOMCTL_CONFIG_TEE_OPTEE 1
#define XEN_DOMCTL_CONFIG_TEE_FFA 2

#endif
