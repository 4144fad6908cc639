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

/* Names of protocol numbers; NULL when unknown. */
const char *trace_function_name(uint32_t fid);
const char *trace_smc_return_name(uint32_t a0);
const char *trace_rpc_func_name(uint32_t func);
const char *trace_cmd_name(uint32_t cmd);
const char *trace_rpc_cmd_name(uint32_t cmd);
const char *trace_tee_result_name(uint32_t ret);
const char *trace_origin_name(uint32_t origin);
const char *trace_param_type_name(uint32_t type);
const char *trace_sec_cap_name(uint32_t bit);

#endif /* TEEMED_TRACE_PRIVATE_H */
