/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Hosted C headers in the kernel, for the model (teemed_model.ko) and
   the trace decoder (trace/, in teemed.ko): the core's own types. */
#include "teemed_ktypes.h"
