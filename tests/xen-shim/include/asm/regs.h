/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): a trapped vCPU's registers. */
#ifndef XEN_SHIM_ASM_REGS_H
#define XEN_SHIM_ASM_REGS_H

#include <xen/types.h>

struct cpu_user_regs {
    register_t x[31];
    register_t pc;
    uint32_t hsr;
};

register_t get_user_reg(struct cpu_user_regs *regs, int reg);
void set_user_reg(struct cpu_user_regs *regs, int reg, register_t value);

#endif
