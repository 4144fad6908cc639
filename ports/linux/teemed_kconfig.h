/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Forced into every file of teemed.ko (-include): how the freestanding
 * core finds its types and string functions in the kernel, and what its
 * internal consistency checks do here.
 */
#ifndef TEEMED_KCONFIG_H
#define TEEMED_KCONFIG_H

#define TEEMED_TYPES_HEADER "teemed_ktypes.h"
/* Quoted: "linux" is a predefined macro, so <linux/...> cannot be one. */
#define TEEMED_STRING_HEADER "teemed_kstring.h"

/*
 * The kernel's own __cold: empty where the compiler would not align
 * cold functions as ftrace's patch sites need (GCC < 14); a misaligned
 * one makes loading the module BUG on arm64.
 */
#define TEEMED_COLD __cold

/* Internal invariants only (never guest or VMM input): a kernel bug. */
#define TEEMED_ASSERT(cond) BUG_ON(!(cond)) /* teemed_ktypes.h has it */

#endif /* TEEMED_KCONFIG_H */
