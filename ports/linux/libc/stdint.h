/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Hosted C headers in the kernel, for the model (teemed_model.ko) and
   the trace decoder (trace/, in teemed.ko). */
#ifndef TEEMED_MODEL_STDINT_H
#define TEEMED_MODEL_STDINT_H
#include <linux/limits.h>
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
#endif
