/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): variadic arguments, as xen/stdarg.h. */
#ifndef XEN_SHIM_STDARG_H
#define XEN_SHIM_STDARG_H

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, type) __builtin_va_arg(ap, type)

#endif
