/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xen/arch/arm/tee/teemed/include/teemed_xen_config.h: teemed's
 * build-time settings inside Xen (TEEMED_USER_CONFIG). Any default of
 * include/teemed/config.h can be set here too.
 */
#ifndef TEEMED_XEN_CONFIG_H
#define TEEMED_XEN_CONFIG_H

#include <xen/bug.h>

/* Broken internal invariants (never guest input) are Xen's BUG. */
#define TEEMED_ASSERT(cond) BUG_ON(!(cond))

#endif /* TEEMED_XEN_CONFIG_H */
