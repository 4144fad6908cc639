/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Names of the protocol's numbers, for the decoder (spec/optee-abi.md
 * sections in the comments).
 */
#include "trace_private.h"

#include <stdio.h>

struct name {
	uint32_t v;
	const char *s;
};

#define COUNT_OF(table) (sizeof(table) / sizeof(table[0]))

/* §2.0 */
static const struct name functions[] = {
	{OPTEE_SMC_CALLS_COUNT, "CALLS_COUNT"},
	{OPTEE_SMC_CALLS_UID, "CALLS_UID"},
	{OPTEE_SMC_CALLS_REVISION, "CALLS_REVISION"},
	{OPTEE_SMC_CALL_GET_OS_UUID, "GET_OS_UUID"},
	{OPTEE_SMC_CALL_GET_OS_REVISION, "GET_OS_REVISION"},
	{OPTEE_SMC_CALL_RETURN_FROM_RPC, "RETURN_FROM_RPC"},
	{OPTEE_SMC_CALL_WITH_ARG, "CALL_WITH_ARG"},
	{OPTEE_SMC_GET_SHM_CONFIG, "GET_SHM_CONFIG"},
	{OPTEE_SMC_L2CC_MUTEX, "L2CC_MUTEX"},
	{OPTEE_SMC_EXCHANGE_CAPABILITIES, "EXCHANGE_CAPABILITIES"},
	{OPTEE_SMC_DISABLE_SHM_CACHE, "DISABLE_SHM_CACHE"},
	{OPTEE_SMC_ENABLE_SHM_CACHE, "ENABLE_SHM_CACHE"},
	{OPTEE_SMC_BOOT_SECONDARY, "BOOT_SECONDARY"},
	{OPTEE_SMC_VM_CREATED, "VM_CREATED"},
	{OPTEE_SMC_VM_DESTROYED, "VM_DESTROYED"},
	{OPTEE_SMC_GET_THREAD_COUNT, "GET_THREAD_COUNT"},
	{OPTEE_SMC_ENABLE_ASYNC_NOTIF, "ENABLE_ASYNC_NOTIF"},
	{OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, "GET_ASYNC_NOTIF_VALUE"},
	{OPTEE_SMC_CALL_WITH_RPC_ARG, "CALL_WITH_RPC_ARG"},
	{OPTEE_SMC_CALL_WITH_REGD_ARG, "CALL_WITH_REGD_ARG"},
	{OPTEE_SMC_GET_PROTMEM_CONFIG, "GET_PROTMEM_CONFIG"},
};

/* §1.5 */
static const struct name smc_returns[] = {
	{OPTEE_SMC_RETURN_OK, "OK"},
	{OPTEE_SMC_RETURN_ETHREAD_LIMIT, "ETHREAD_LIMIT"},
	{OPTEE_SMC_RETURN_EBUSY, "EBUSY"},
	{OPTEE_SMC_RETURN_ERESUME, "ERESUME"},
	{OPTEE_SMC_RETURN_EBADADDR, "EBADADDR"},
	{OPTEE_SMC_RETURN_EBADCMD, "EBADCMD"},
	{OPTEE_SMC_RETURN_ENOMEM, "ENOMEM"},
	{OPTEE_SMC_RETURN_ENOTAVAIL, "ENOTAVAIL"},
	{OPTEE_SMC_RETURN_UNKNOWN_FUNCTION, "UNKNOWN_FUNCTION"},
};

/* §2.21 */
static const struct name rpc_funcs[] = {
	{OPTEE_SMC_RPC_FUNC_ALLOC, "ALLOC"},
	{OPTEE_SMC_RPC_FUNC_FREE, "FREE"},
	{OPTEE_SMC_RPC_FUNC_FOREIGN_INTR, "FOREIGN_INTR"},
	{OPTEE_SMC_RPC_FUNC_CMD, "CMD"},
};

/* §3.4 */
static const struct name commands[] = {
	{OPTEE_MSG_CMD_OPEN_SESSION, "OPEN_SESSION"},
	{OPTEE_MSG_CMD_INVOKE_COMMAND, "INVOKE_COMMAND"},
	{OPTEE_MSG_CMD_CLOSE_SESSION, "CLOSE_SESSION"},
	{OPTEE_MSG_CMD_CANCEL, "CANCEL"},
	{OPTEE_MSG_CMD_REGISTER_SHM, "REGISTER_SHM"},
	{OPTEE_MSG_CMD_UNREGISTER_SHM, "UNREGISTER_SHM"},
	{OPTEE_MSG_CMD_DO_BOTTOM_HALF, "DO_BOTTOM_HALF"},
	{OPTEE_MSG_CMD_STOP_ASYNC_NOTIF, "STOP_ASYNC_NOTIF"},
	{OPTEE_MSG_CMD_LEND_PROTMEM, "LEND_PROTMEM"},
	{OPTEE_MSG_CMD_RECLAIM_PROTMEM, "RECLAIM_PROTMEM"},
	{OPTEE_MSG_CMD_GET_PROTMEM_CONFIG, "GET_PROTMEM_CONFIG"},
	{OPTEE_MSG_CMD_ASSIGN_PROTMEM, "ASSIGN_PROTMEM"},
};

/* §6.5 */
static const struct name rpc_commands[] = {
	{OPTEE_RPC_CMD_LOAD_TA, "LOAD_TA"},
	{OPTEE_RPC_CMD_RPMB, "RPMB"},
	{OPTEE_RPC_CMD_FS, "FS"},
	{OPTEE_RPC_CMD_GET_TIME, "GET_TIME"},
	{OPTEE_RPC_CMD_NOTIFICATION, "NOTIFICATION"},
	{OPTEE_RPC_CMD_SUSPEND, "SUSPEND"},
	{OPTEE_RPC_CMD_SHM_ALLOC, "SHM_ALLOC"},
	{OPTEE_RPC_CMD_SHM_FREE, "SHM_FREE"},
	{OPTEE_RPC_CMD_SQL_FS_RESERVED, "SQL_FS_RESERVED"},
	{OPTEE_RPC_CMD_GPROF, "GPROF"},
	{OPTEE_RPC_CMD_SOCKET, "SOCKET"},
	{OPTEE_RPC_CMD_FTRACE, "FTRACE"},
	{OPTEE_RPC_CMD_SUPP_PLUGIN, "SUPP_PLUGIN"},
	{OPTEE_RPC_CMD_BENCH_REG, "BENCH_REG"},
	{OPTEE_RPC_CMD_I2C_TRANSFER, "I2C_TRANSFER"},
	{OPTEE_RPC_CMD_RPMB_PROBE_RESET, "RPMB_PROBE_RESET"},
	{OPTEE_RPC_CMD_RPMB_PROBE_NEXT, "RPMB_PROBE_NEXT"},
	{OPTEE_RPC_CMD_RPMB_FRAMES, "RPMB_FRAMES"},
};

/* §3.7 */
static const struct name tee_results[] = {
	{TEEC_SUCCESS, "SUCCESS"},
	{TEEC_ERROR_GENERIC, "GENERIC"},
	{TEEC_ERROR_ACCESS_DENIED, "ACCESS_DENIED"},
	{TEEC_ERROR_CANCEL, "CANCEL"},
	{TEEC_ERROR_BAD_FORMAT, "BAD_FORMAT"},
	{TEEC_ERROR_BAD_PARAMETERS, "BAD_PARAMETERS"},
	{TEEC_ERROR_BAD_STATE, "BAD_STATE"},
	{TEEC_ERROR_ITEM_NOT_FOUND, "ITEM_NOT_FOUND"},
	{TEEC_ERROR_NOT_IMPLEMENTED, "NOT_IMPLEMENTED"},
	{TEEC_ERROR_NOT_SUPPORTED, "NOT_SUPPORTED"},
	{TEEC_ERROR_OUT_OF_MEMORY, "OUT_OF_MEMORY"},
	{TEEC_ERROR_BUSY, "BUSY"},
	{TEEC_ERROR_COMMUNICATION, "COMMUNICATION"},
	{TEEC_ERROR_SECURITY, "SECURITY"},
	{TEEC_ERROR_SHORT_BUFFER, "SHORT_BUFFER"},
};

static const struct name origins[] = {
	{TEEC_ORIGIN_API, "API"},
	{TEEC_ORIGIN_COMMS, "COMMS"},
	{TEEC_ORIGIN_TEE, "TEE"},
	{TEEC_ORIGIN_TRUSTED_APP, "TRUSTED_APP"},
};

/* §3.3 */
static const struct name param_types[] = {
	{OPTEE_MSG_ATTR_TYPE_NONE, "none"},
	{OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, "value-in"},
	{OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, "value-out"},
	{OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, "value-inout"},
	{OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, "rmem-in"},
	{OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT, "rmem-out"},
	{OPTEE_MSG_ATTR_TYPE_RMEM_INOUT, "rmem-inout"},
	{OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, "tmem-in"},
	{OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, "tmem-out"},
	{OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, "tmem-inout"},
};

/* §2.12 */
static const struct name sec_caps[] = {
	{OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM, "RESERVED_SHM"},
	{OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM, "UNREGISTERED_SHM"},
	{OPTEE_SMC_SEC_CAP_DYNAMIC_SHM, "DYNAMIC_SHM"},
	{OPTEE_SMC_SEC_CAP_VIRTUALIZATION, "VIRTUALIZATION"},
	{OPTEE_SMC_SEC_CAP_MEMREF_NULL, "MEMREF_NULL"},
	{OPTEE_SMC_SEC_CAP_ASYNC_NOTIF, "ASYNC_NOTIF"},
	{OPTEE_SMC_SEC_CAP_RPC_ARG, "RPC_ARG"},
	{OPTEE_SMC_SEC_CAP_RPMB_PROBE, "RPMB_PROBE"},
	{OPTEE_SMC_SEC_CAP_PROTMEM, "PROTMEM"},
	{OPTEE_SMC_SEC_CAP_DYNAMIC_PROTMEM, "DYNAMIC_PROTMEM"},
};

static const struct {
	const struct name *names;
	size_t count;
} sets[TRACE_NAMES_COUNT] = {
	[TRACE_NAMES_FUNCTION] = {functions, COUNT_OF(functions)},
	[TRACE_NAMES_SMC_RETURN] = {smc_returns, COUNT_OF(smc_returns)},
	[TRACE_NAMES_RPC_FUNC] = {rpc_funcs, COUNT_OF(rpc_funcs)},
	[TRACE_NAMES_CMD] = {commands, COUNT_OF(commands)},
	[TRACE_NAMES_RPC_CMD] = {rpc_commands, COUNT_OF(rpc_commands)},
	[TRACE_NAMES_TEE_RESULT] = {tee_results, COUNT_OF(tee_results)},
	[TRACE_NAMES_ORIGIN] = {origins, COUNT_OF(origins)},
	[TRACE_NAMES_PARAM_TYPE] = {param_types, COUNT_OF(param_types)},
	[TRACE_NAMES_SEC_CAP] = {sec_caps, COUNT_OF(sec_caps)},
};

const char *trace_name(enum trace_names set, uint32_t v)
{
	if ((unsigned int)set >= TRACE_NAMES_COUNT)
		return NULL;
	for (size_t i = 0; i < sets[set].count; i++)
		if (sets[set].names[i].v == v)
			return sets[set].names[i].s;
	return NULL;
}

/* The name of `i` in a table indexed by it; `unknown` past its end. */
static const char *indexed(const char *const *table, unsigned int count,
			   unsigned int i, const char *unknown)
{
	return i < count ? table[i] : unknown;
}

static const char *const kind_names[TEEMED_TRACE_KIND_COUNT] = {
	[TEEMED_TRACE_GUEST_CALL] = "guest_call",
	[TEEMED_TRACE_RPC_ANSWER] = "rpc_answer",
	[TEEMED_TRACE_GUEST_MSG] = "guest_msg",
	[TEEMED_TRACE_OPTEE_CALL] = "optee_call",
	[TEEMED_TRACE_OPTEE_ANSWER] = "optee_answer",
	[TEEMED_TRACE_GUEST_REPLY] = "guest_reply",
	[TEEMED_TRACE_RPC_MSG] = "rpc_msg",
	[TEEMED_TRACE_RPC_REPLY] = "rpc_reply",
	[TEEMED_TRACE_REFUSAL] = "refusal",
	[TEEMED_TRACE_PAUSE] = "pause",
	[TEEMED_TRACE_RPC_TO_GUEST] = "rpc_to_guest",
	[TEEMED_TRACE_GUEST_ANSWER] = "guest_answer",
	[TEEMED_TRACE_VM_CREATED] = "vm_created",
	[TEEMED_TRACE_VM_DESTROY_STEP] = "vm_destroy_step",
	[TEEMED_TRACE_VM_DESTROYED] = "vm_destroyed",
};

const char *teemed_trace_kind_name(unsigned int kind)
{
	return indexed(kind_names, TEEMED_TRACE_KIND_COUNT, kind, "?");
}

static const char *const refusal_names[TEEMED_REFUSED_COUNT] = {
	[TEEMED_REFUSED_FUNCTION] = "FUNCTION",
	[TEEMED_REFUSED_ARG] = "ARG",
	[TEEMED_REFUSED_CMD] = "CMD",
	[TEEMED_REFUSED_PARAM] = "PARAM",
	[TEEMED_REFUSED_RESUME] = "RESUME",
	[TEEMED_REFUSED_QUOTA] = "QUOTA",
	[TEEMED_REFUSED_NOMEM] = "NOMEM",
	[TEEMED_REFUSED_RPC] = "RPC",
};

static const char *const refusal_texts[TEEMED_REFUSED_COUNT] = {
	[TEEMED_REFUSED_FUNCTION] = "function unknown or not offered to guests",
	[TEEMED_REFUSED_ARG] = "argument address not a page of the guest's "
			       "RAM, or the message too large",
	[TEEMED_REFUSED_CMD] = "message command not offered to guests",
	[TEEMED_REFUSED_PARAM] = "a parameter: bad shape, a cookie not the "
				 "guest's or in use, out of bounds, or a page "
				 "not the guest's RAM",
	[TEEMED_REFUSED_RESUME] = "RETURN_FROM_RPC names no call of this "
				  "guest waiting for it",
	[TEEMED_REFUSED_QUOTA] = "a quota of the VM would be exceeded",
	[TEEMED_REFUSED_NOMEM] = "the platform ran out of memory",
	[TEEMED_REFUSED_RPC] = "a malformed answer to an RPC",
};

static const char *const cause_names[TEEMED_TRACE_CAUSE_COUNT] = {
	[TEEMED_TRACE_CAUSE_NONE] = "",
	[TEEMED_TRACE_CAUSE_ALIGN] = "ALIGN",
	[TEEMED_TRACE_CAUSE_CALLS] = "CALLS",
	[TEEMED_TRACE_CAUSE_PAGES] = "PAGES",
	[TEEMED_TRACE_CAUSE_COOKIE] = "COOKIE",
	[TEEMED_TRACE_CAUSE_BOUNDS] = "BOUNDS",
	[TEEMED_TRACE_CAUSE_SHAPE] = "SHAPE",
};

static const char *const cause_texts[TEEMED_TRACE_CAUSE_COUNT] = {
	[TEEMED_TRACE_CAUSE_NONE] = "",
	[TEEMED_TRACE_CAUSE_ALIGN] = "the argument's address is not 4 KiB "
				     "aligned",
	[TEEMED_TRACE_CAUSE_CALLS] = "every call slot of the VM is in use "
				     "(as many calls in flight as its quota)",
	[TEEMED_TRACE_CAUSE_PAGES] = "a page of it, or of its page list, is "
				     "not the guest's to share (unmapped, "
				     "MMIO, read-only or another VM's)",
	[TEEMED_TRACE_CAUSE_COOKIE] = "its cookie is not the guest's, not a "
				      "live registered buffer, already taken, "
				      "or still in use",
	[TEEMED_TRACE_CAUSE_BOUNDS] = "its offset and size reach past the "
				      "registered buffer",
	[TEEMED_TRACE_CAUSE_SHAPE] = "bad shape: a parameter count, attribute "
				     "or meta parameter the command does not "
				     "take, a contiguous memref, or a size no "
				     "page count holds",
};

const char *teemed_trace_cause_name(unsigned int cause)
{
	return indexed(cause_names, TEEMED_TRACE_CAUSE_COUNT, cause, "?");
}

const char *teemed_trace_cause_text(unsigned int cause)
{
	return indexed(cause_texts, TEEMED_TRACE_CAUSE_COUNT, cause,
		       "unknown cause");
}

const char *teemed_trace_refusal_name(unsigned int reason)
{
	return indexed(refusal_names, TEEMED_REFUSED_COUNT, reason, "?");
}

const char *teemed_trace_refusal_text(unsigned int reason)
{
	return indexed(refusal_texts, TEEMED_REFUSED_COUNT, reason,
		       "unknown reason");
}
