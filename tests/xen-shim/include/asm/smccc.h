/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim (see xen/config.h): arm_smccc_smc(a0[, a1 .. a7], res), the
 * SMC to the secure world (here: the simulator's OP-TEE model). As in
 * Xen, a0 is passed as a 32-bit function id; arguments left out are 0
 * (Xen's SMCCC 1.0 helper pads them so; its 1.1 path leaves them
 * undefined, which no caller may rely on).
 */
#ifndef XEN_SHIM_ASM_SMCCC_H
#define XEN_SHIM_ASM_SMCCC_H

#include <xen/types.h>

struct arm_smccc_res {
    unsigned long a0;
    unsigned long a1;
    unsigned long a2;
    unsigned long a3;
};

void xen_shim_smc(register_t a0, register_t a1, register_t a2, register_t a3,
                  register_t a4, register_t a5, register_t a6, register_t a7,
                  struct arm_smccc_res *res);

#define xen_shim_smc_8(a0, a1, a2, a3, a4, a5, a6, a7, res) \
    xen_shim_smc((uint32_t)(a0), a1, a2, a3, a4, a5, a6, a7, res)
#define xen_shim_smc_7(a0, a1, a2, a3, a4, a5, a6, res) \
    xen_shim_smc_8(a0, a1, a2, a3, a4, a5, a6, 0, res)
#define xen_shim_smc_6(a0, a1, a2, a3, a4, a5, res) \
    xen_shim_smc_7(a0, a1, a2, a3, a4, a5, 0, res)
#define xen_shim_smc_5(a0, a1, a2, a3, a4, res) \
    xen_shim_smc_6(a0, a1, a2, a3, a4, 0, res)
#define xen_shim_smc_4(a0, a1, a2, a3, res) \
    xen_shim_smc_5(a0, a1, a2, a3, 0, res)
#define xen_shim_smc_3(a0, a1, a2, res) xen_shim_smc_4(a0, a1, a2, 0, res)
#define xen_shim_smc_2(a0, a1, res) xen_shim_smc_3(a0, a1, 0, res)
#define xen_shim_smc_1(a0, res) xen_shim_smc_2(a0, 0, res)

#define xen_shim_smc_count(_1, _2, _3, _4, _5, _6, _7, _8, _9, n, ...) n
#define xen_shim_smc_n_(n, ...) xen_shim_smc_##n(__VA_ARGS__)
#define xen_shim_smc_n(n, ...) xen_shim_smc_n_(n, __VA_ARGS__)

#define arm_smccc_smc(...)                                                 \
    xen_shim_smc_n(xen_shim_smc_count(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, \
                                      0),                                  \
                   __VA_ARGS__)
#define arm_smccc_1_1_smc(...) arm_smccc_smc(__VA_ARGS__)

#endif
