/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Hosted C headers in the kernel, for the model (teemed_model.ko) and
   the trace decoder (trace/, in teemed.ko). */
#ifndef TEEMED_MODEL_STDLIB_H
#define TEEMED_MODEL_STDLIB_H
#include <linux/bug.h>
#include <linux/slab.h>

/* The model allocates with its mutex held, in process context. */
static inline void *calloc(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL);
}

static inline void free(void *p)
{
	kvfree(p);
}

#define abort() BUG()
#endif
