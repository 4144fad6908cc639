/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private header of the decoder (libteemed_trace): the bounded writer
 * and the protocol's names.
 */
#ifndef TEEMED_TRACE_PRIVATE_H
#define TEEMED_TRACE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "optee_abi.h"
#include "teemed/teemed.h"
#include "teemed/trace.h"

/* The protocol's sets of numbers with names. */
enum trace_names {
	TRACE_NAMES_FUNCTION,	/* SMC function ids */
	TRACE_NAMES_SMC_RETURN, /* SMC return codes */
	TRACE_NAMES_RPC_FUNC,	/* RPCs of an SMC answer */
	TRACE_NAMES_CMD,	/* message commands */
	TRACE_NAMES_RPC_CMD,	/* RPC_CMD commands */
	TRACE_NAMES_TEE_RESULT, /* TEEC results */
	TRACE_NAMES_ORIGIN,	/* TEEC origins */
	TRACE_NAMES_PARAM_TYPE, /* parameter types */
	TRACE_NAMES_SEC_CAP,	/* secure-world capability bits */
	TRACE_NAMES_COUNT
};

/* The name of `v` in `set`; NULL when unknown. */
const char *trace_name(enum trace_names set, uint32_t v);

#endif /* TEEMED_TRACE_PRIVATE_H */
