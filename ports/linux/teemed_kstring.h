/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* memcpy, memset, memcmp, memmove for the core (TEEMED_STRING_HEADER). */
#include <linux/string.h>
