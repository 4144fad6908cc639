/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Hosted C headers in the kernel, for the model (teemed_model.ko) and
   the trace decoder (trace/, in teemed.ko). */
#include <linux/stddef.h>
#include <linux/types.h>
