/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The oracle checks DESIGN.md's isolation invariants while anything runs
 * in the simulator, and counts violations:
 *
 *  1. every PA the secure world touches for client `vm_id` is a mediator
 *     page or a page of that VM pinned right now;
 *  2. no host PA reaches a guest's registers or the structures it reads;
 *  3. after a VM is destroyed nothing is left pinned or allocated for it.
 *
 * Thread-safe.
 */
#ifndef TEEMED_SIM_ORACLE_H
#define TEEMED_SIM_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"
#include "sim_platform.h"
#include "teemed/platform.h"

struct oracle;

struct oracle *oracle_create(struct machine *m);
void oracle_destroy(struct oracle *o);

/*
 * Invariant 1: the secure world is about to read or write `len` bytes at
 * host `pa` for client `vm_id` (the a7 of the SMC it serves). Every page
 * of the range is checked. Returns false (and counts) on a violation.
 */
bool oracle_sw_access(struct oracle *o, uint16_t vm_id, uint64_t pa,
		      uint64_t len, const char *what);

/*
 * Invariant 2: `regs` were handed to guest `vm_id` as the answer of an
 * SMC. Every register and every register pair (a1:a2, a3:a4, a4:a5)
 * is checked against host RAM.
 */
bool oracle_guest_regs(struct oracle *o, uint16_t vm_id,
		       const struct teemed_regs *regs);

/* Invariant 2 for a structure the guest reads (8-byte words checked). */
bool oracle_guest_bytes(struct oracle *o, uint16_t vm_id, const void *p,
			size_t len, const char *what);

/* Invariant 3: VM `vm_id`, whose platform handle is `h`, was destroyed. */
bool oracle_vm_gone(struct oracle *o, uint16_t vm_id, const struct sim_vm *h);

uint64_t oracle_checks(struct oracle *o);
uint64_t oracle_violations(struct oracle *o);
/* Text of the first violation, or "" if none. */
const char *oracle_first_violation(struct oracle *o);

#endif /* TEEMED_SIM_ORACLE_H */
