/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Hosted C headers in the kernel: the trace decoder's snprintf. */
#include <linux/kernel.h>
