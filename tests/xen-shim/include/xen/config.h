/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Xen shim: what Xen's build force-includes in every file (-include
 * xen/config.h). The shim declares exactly the Xen API that
 * the port (ports/xen/) uses, with the names, types and semantics of Xen's own
 * headers at commit c447b7308b1330ec6dcfef37220736c28f41daa0 (which
 * agree, for this API, with RELEASE-4.19.0 .. RELEASE-4.22.0), so the
 * port compiles here unmodified. It is implemented over the simulator
 * (tests/xen-shim/xen.c, tests/xen-shim/xen_world.c).
 */
#ifndef XEN_SHIM_CONFIG_H
#define XEN_SHIM_CONFIG_H

#include <xen/compiler.h>

#define CONFIG_TEE 1
#define CONFIG_ARM_64 1

#endif
