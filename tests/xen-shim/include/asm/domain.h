/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): the arch part of struct domain. */
#ifndef XEN_SHIM_ASM_DOMAIN_H
#define XEN_SHIM_ASM_DOMAIN_H

struct arch_domain {
    void *tee; /* the TEE mediator's context */
};

#endif
