/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The sim's C headers in the kernel (teemed_model.ko only). */
#include <linux/stddef.h>
#include <linux/types.h>
