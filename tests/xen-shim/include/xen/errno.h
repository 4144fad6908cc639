/* SPDX-License-Identifier: BSD-2-Clause */
/* Xen shim (see xen/config.h): the values of public/errno.h. */
#ifndef XEN_SHIM_ERRNO_H
#define XEN_SHIM_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERESTART 85

#endif
