/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one place the core and its public headers take their basic types
 * from. Hosted and most freestanding builds get them from the compiler's
 * <stdint.h>, <stddef.h> and <stdbool.h>. An embedder that builds with
 * -nostdinc (Xen, Linux) names its own header instead, e.g.
 * -DTEEMED_TYPES_HEADER='<xen/types.h>'; that header must provide
 * uint8_t .. uint64_t, int32_t, int64_t, uintptr_t, size_t, bool/true/false and
 * NULL.
 */
#ifndef TEEMED_TYPES_H
#define TEEMED_TYPES_H

#ifdef TEEMED_TYPES_HEADER
#include TEEMED_TYPES_HEADER
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#endif /* TEEMED_TYPES_H */
