/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The basic types of the core (TEEMED_TYPES_HEADER), from the kernel's
 * own headers: the kernel builds with -nostdinc and has its own
 * uint64_t, bool and size_t.
 */
#ifndef TEEMED_KTYPES_H
#define TEEMED_KTYPES_H

#include <linux/bug.h>
#include <linux/limits.h>
#include <linux/stddef.h>
#include <linux/types.h>

#ifndef UINT16_MAX
#define UINT16_MAX U16_MAX
#endif
#ifndef UINT32_MAX
#define UINT32_MAX U32_MAX
#endif
#ifndef UINT64_MAX
#define UINT64_MAX U64_MAX
#endif

#endif /* TEEMED_KTYPES_H */
