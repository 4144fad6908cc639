/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim (see xen/config.h): Xen's TEE mediator framework,
 * asm/tee/tee.h. Xen collects the mediators in a linker section; the
 * shim registers each from a constructor. The calls in the lower half
 * are Xen's (tee.c's) side, implemented by tests/xen-shim/xen.c.
 */
#ifndef XEN_SHIM_ASM_TEE_TEE_H
#define XEN_SHIM_ASM_TEE_TEE_H

#include <xen/lib.h>
#include <xen/types.h>

#include <asm/regs.h>

struct domain;

struct tee_mediator_ops {
    bool (*probe)(void);
    void (*init_secondary)(void);
    int (*domain_init)(struct domain *d);
    int (*domain_teardown)(struct domain *d);
    void (*free_domain_ctx)(struct domain *d);
    /* May return -ERESTART: call again. */
    int (*relinquish_resources)(struct domain *d);
    /* An SMCCC call of current's domain; false: not the mediator's. */
    bool (*handle_call)(struct cpu_user_regs *regs);
};

struct tee_mediator_desc {
    const char *name;
    const char *cmdline_name;
    const struct tee_mediator_ops *ops;
    uint16_t tee_type;
};

void xen_shim_register_mediator(const struct tee_mediator_desc *desc);

#define REGISTER_TEE_MEDIATOR(_name, _namestr, _type, _ops)             \
    static const struct tee_mediator_desc __tee_desc_##_name = {        \
        .name = _namestr,                                               \
        .cmdline_name = #_name,                                         \
        .ops = _ops,                                                    \
        .tee_type = _type                                               \
    };                                                                  \
    static void __attribute__((__constructor__))                        \
    __tee_desc_reg_##_name(void)                                        \
    {                                                                   \
        xen_shim_register_mediator(&__tee_desc_##_name);                \
    }                                                                   \
    extern int xen_shim_tee_semicolon_##_name

bool tee_handle_call(struct cpu_user_regs *regs);
int tee_domain_init(struct domain *d, uint16_t tee_type);
int tee_domain_teardown(struct domain *d);
int tee_relinquish_resources(struct domain *d);
uint16_t tee_get_type(void);
void tee_free_domain_ctx(struct domain *d);

#endif
