/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim (see xen/config.h): boot command-line parameters, as
 * xen/param.h's struct kernel_param. Xen collects them in a linker
 * section; the shim registers each from a constructor.
 */
#ifndef XEN_SHIM_PARAM_H
#define XEN_SHIM_PARAM_H

#include <xen/types.h>

struct kernel_param {
    const char *name;
    enum {
        OPT_STR,
        OPT_UINT,
        OPT_BOOL,
        OPT_SIZE,
        OPT_CUSTOM,
        OPT_IGNORE,
    } type;
    unsigned int len;
    union {
        void *var;
        int (*func)(const char *s);
    } par;
};

void xen_shim_register_param(const struct kernel_param *p);

#define XEN_SHIM_PARAM(_var, ...)                                       \
    static const struct kernel_param __setup_##_var = { __VA_ARGS__ };  \
    static void __attribute__((__constructor__))                        \
    __setup_reg_##_var(void)                                            \
    {                                                                   \
        xen_shim_register_param(&__setup_##_var);                       \
    }                                                                   \
    extern int xen_shim_param_semicolon_##_var

#define custom_param(_name, _var)                                       \
    XEN_SHIM_PARAM(_var, .name = (_name), .type = OPT_CUSTOM,           \
                   .par.func = (_var))
#define integer_param(_name, _var)                                      \
    XEN_SHIM_PARAM(_var, .name = (_name), .type = OPT_UINT,             \
                   .len = sizeof(_var), .par.var = &(_var))
#define string_param(_name, _var)                                       \
    XEN_SHIM_PARAM(_var, .name = (_name), .type = OPT_STR,              \
                   .len = sizeof(_var), .par.var = &(_var))

#endif
