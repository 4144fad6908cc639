/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Hosted C headers in the kernel, for the model (teemed_model.ko) and
   the trace decoder (trace/, in teemed.ko). */
#ifndef TEEMED_MODEL_PTHREAD_H
#define TEEMED_MODEL_PTHREAD_H
#include <linux/mutex.h>

typedef struct mutex pthread_mutex_t;

static inline int pthread_mutex_init(pthread_mutex_t *m, const void *attr)
{
	mutex_init(m);
	return 0;
}

static inline int pthread_mutex_destroy(pthread_mutex_t *m)
{
	mutex_destroy(m);
	return 0;
}

static inline int pthread_mutex_lock(pthread_mutex_t *m)
{
	mutex_lock(m);
	return 0;
}

static inline int pthread_mutex_unlock(pthread_mutex_t *m)
{
	mutex_unlock(m);
	return 0;
}
#endif
