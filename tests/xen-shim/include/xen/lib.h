/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): printk, log levels, strtoul, BUG_ON. */
#ifndef XEN_SHIM_LIB_H
#define XEN_SHIM_LIB_H

#include <xen/types.h>

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

#define XENLOG_ERR "<0>"
#define XENLOG_WARNING "<1>"
#define XENLOG_INFO "<2>"
#define XENLOG_DEBUG "<3>"
#define XENLOG_GUEST "<G>"
#define XENLOG_G_ERR XENLOG_GUEST XENLOG_ERR
#define XENLOG_G_WARNING XENLOG_GUEST XENLOG_WARNING
#define XENLOG_G_INFO XENLOG_GUEST XENLOG_INFO
#define XENLOG_G_DEBUG XENLOG_GUEST XENLOG_DEBUG

void printk(const char *fmt, ...) __attribute__((__format__(__printf__, 1, 2)));

unsigned long simple_strtoul(const char *cp, const char **endp,
                             unsigned int base);

void xen_shim_bug(const char *file, int line);
#define BUG_ON(c) do { if ( c ) xen_shim_bug(__FILE__, __LINE__); } while ( 0 )
#define ASSERT(c) BUG_ON(!(c))

#endif
