/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OP-TEE SMC ABI and message protocol facts, as the mediator needs them.
 *
 * Every value here comes from the project's ABI reference
 * (spec/optee-abi.md); section numbers below point into it. Only the
 * low 32 bits of SMC registers carry meaning (§1.3); 64-bit quantities
 * travel as register pairs with the upper half in the lower-numbered
 * register.
 */
#ifndef TEEMED_OPTEE_ABI_H
#define TEEMED_OPTEE_ABI_H

#include "teemed/types.h"

/* §1.1 Function ID encoding. */
#define OPTEE_SMC_FAST_CALL	0x80000000u
#define OPTEE_SMC_STD_CALL	0x00000000u
#define OPTEE_SMC_64		0x40000000u
#define OPTEE_SMC_OWNER_MASK	0x3Fu
#define OPTEE_SMC_OWNER_SHIFT	24
#define OPTEE_SMC_FUNC_MASK	0xFFFFu
#define OPTEE_SMC_RESERVED_MASK 0x00FF0000u
/*
 * SMCCC 1.3: bit 16 of a function id hints that the caller holds no live
 * SVE state. Linux sets it on SVE systems; TF-A clears it before
 * dispatching (common/runtime_svc.c), so OP-TEE never sees it.
 */
#define OPTEE_SMC_SVE_HINT 0x00010000u

/* §1.2 Owner numbers. */
#define OPTEE_SMC_OWNER_TRUSTED_APP	  48u
#define OPTEE_SMC_OWNER_TRUSTED_OS	  50u
#define OPTEE_SMC_OWNER_TRUSTED_OS_OPTEED 62u
#define OPTEE_SMC_OWNER_TRUSTED_OS_API	  63u

#define OPTEE_SMC_FAST(owner, func)                                            \
	(OPTEE_SMC_FAST_CALL | ((uint32_t)(owner) << OPTEE_SMC_OWNER_SHIFT) |  \
	 (uint32_t)(func))
#define OPTEE_SMC_STD(owner, func)                                             \
	(OPTEE_SMC_STD_CALL | ((uint32_t)(owner) << OPTEE_SMC_OWNER_SHIFT) |   \
	 (uint32_t)(func))

/* §2.0 Function IDs. */
#define OPTEE_SMC_CALLS_COUNT		0xBF00FF00u
#define OPTEE_SMC_CALLS_UID		0xBF00FF01u
#define OPTEE_SMC_CALLS_REVISION	0xBF00FF03u
#define OPTEE_SMC_CALL_GET_OS_UUID	0xB2000000u
#define OPTEE_SMC_CALL_GET_OS_REVISION	0xB2000001u
#define OPTEE_SMC_CALL_RETURN_FROM_RPC	0x32000003u
#define OPTEE_SMC_CALL_WITH_ARG		0x32000004u
#define OPTEE_SMC_GET_SHM_CONFIG	0xB2000007u
#define OPTEE_SMC_L2CC_MUTEX		0xB2000008u
#define OPTEE_SMC_EXCHANGE_CAPABILITIES 0xB2000009u
#define OPTEE_SMC_DISABLE_SHM_CACHE	0xB200000Au
#define OPTEE_SMC_ENABLE_SHM_CACHE	0xB200000Bu
#define OPTEE_SMC_BOOT_SECONDARY	0xB200000Cu
#define OPTEE_SMC_VM_CREATED		0xB200000Du
#define OPTEE_SMC_VM_DESTROYED		0xB200000Eu
#define OPTEE_SMC_GET_THREAD_COUNT	0xB200000Fu
#define OPTEE_SMC_ENABLE_ASYNC_NOTIF	0xB2000010u
#define OPTEE_SMC_GET_ASYNC_NOTIF_VALUE 0xB2000011u
#define OPTEE_SMC_CALL_WITH_RPC_ARG	0x32000012u
#define OPTEE_SMC_CALL_WITH_REGD_ARG	0x32000013u
#define OPTEE_SMC_GET_PROTMEM_CONFIG	0xB2000014u

/* §1.6 The Trusted-OS ranges a mediator polices (SMC32 and SMC64). */
#define OPTEE_SMC_TOS_STD_FIRST	 0x32000000u
#define OPTEE_SMC_TOS_STD_LAST	 0x3F00FFFFu
#define OPTEE_SMC_TOS_FAST_FIRST 0xB2000000u
#define OPTEE_SMC_TOS_FAST_LAST	 0xBF00FFFFu

/* §1.5 Return codes in a0. */
#define OPTEE_SMC_RETURN_OK		  0x0u
#define OPTEE_SMC_RETURN_ETHREAD_LIMIT	  0x1u
#define OPTEE_SMC_RETURN_EBUSY		  0x2u
#define OPTEE_SMC_RETURN_ERESUME	  0x3u
#define OPTEE_SMC_RETURN_EBADADDR	  0x4u
#define OPTEE_SMC_RETURN_EBADCMD	  0x5u
#define OPTEE_SMC_RETURN_ENOMEM		  0x6u
#define OPTEE_SMC_RETURN_ENOTAVAIL	  0x7u
#define OPTEE_SMC_RETURN_UNKNOWN_FUNCTION 0xFFFFFFFFu

#define OPTEE_SMC_RETURN_RPC_PREFIX_MASK 0xFFFF0000u
#define OPTEE_SMC_RETURN_RPC_PREFIX	 0xFFFF0000u
#define OPTEE_SMC_RETURN_RPC_FUNC_MASK	 0x0000FFFFu
#define OPTEE_SMC_RETURN_IS_RPC(a0)                                            \
	((((uint32_t)(a0)) & OPTEE_SMC_RETURN_RPC_PREFIX_MASK) ==              \
		 OPTEE_SMC_RETURN_RPC_PREFIX &&                                \
	 ((uint32_t)(a0)) != OPTEE_SMC_RETURN_UNKNOWN_FUNCTION)

/* §2.21 RPC functions (a0 from OP-TEE = prefix | func). */
#define OPTEE_SMC_RPC_FUNC_ALLOC	  0u
#define OPTEE_SMC_RPC_FUNC_FREE		  2u
#define OPTEE_SMC_RPC_FUNC_FOREIGN_INTR	  4u
#define OPTEE_SMC_RPC_FUNC_CMD		  5u
#define OPTEE_SMC_RETURN_RPC_ALLOC	  0xFFFF0000u
#define OPTEE_SMC_RETURN_RPC_FREE	  0xFFFF0002u
#define OPTEE_SMC_RETURN_RPC_FOREIGN_INTR 0xFFFF0004u
#define OPTEE_SMC_RETURN_RPC_CMD	  0xFFFF0005u

/* §2.0 Cache settings value for a3 of CALL_WITH_ARG. */
#define OPTEE_SMC_SHM_CACHED 1u

/* §2.2, §2.4 UIDs. */
#define OPTEE_MSG_UID_0		  0x384FB3E0u
#define OPTEE_MSG_UID_1		  0xE7F811E3u
#define OPTEE_MSG_UID_2		  0xAF630002u
#define OPTEE_MSG_UID_3		  0xA5D5C51Bu
#define OPTEE_MSG_OS_OPTEE_UUID_0 0x486178E0u
#define OPTEE_MSG_OS_OPTEE_UUID_1 0xE7F811E3u
#define OPTEE_MSG_OS_OPTEE_UUID_2 0xBC5E0002u
#define OPTEE_MSG_OS_OPTEE_UUID_3 0xA5D5C51Bu

/* §2.3 Message protocol revision. */
#define OPTEE_MSG_REVISION_MAJOR 2u
#define OPTEE_MSG_REVISION_MINOR 0u

/* §2.12 Capabilities. */
#define OPTEE_SMC_NSEC_CAP_UNIPROCESSOR	    (1u << 0)
#define OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM (1u << 0)
#define OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM  (1u << 1)
#define OPTEE_SMC_SEC_CAP_DYNAMIC_SHM	    (1u << 2)
#define OPTEE_SMC_SEC_CAP_VIRTUALIZATION    (1u << 3)
#define OPTEE_SMC_SEC_CAP_MEMREF_NULL	    (1u << 4)
#define OPTEE_SMC_SEC_CAP_ASYNC_NOTIF	    (1u << 5)
#define OPTEE_SMC_SEC_CAP_RPC_ARG	    (1u << 6)
#define OPTEE_SMC_SEC_CAP_RPMB_PROBE	    (1u << 7)
#define OPTEE_SMC_SEC_CAP_PROTMEM	    (1u << 8)
#define OPTEE_SMC_SEC_CAP_DYNAMIC_PROTMEM   (1u << 9)

/* §2.12 EXCHANGE_CAPABILITIES a3: RPC parameters of an RPC area. */
#define OPTEE_SMC_RPC_PARAMS_MASK 0xFFu

/* §2.19 GET_ASYNC_NOTIF_VALUE a2 flags; value 0 asks for a bottom half. */
#define OPTEE_SMC_ASYNC_NOTIF_VALID		   (1u << 0)
#define OPTEE_SMC_ASYNC_NOTIF_PENDING		   (1u << 1)
#define OPTEE_SMC_ASYNC_NOTIF_VALUE_DO_BOTTOM_HALF 0u
/* Asynchronous values are 0..63 (NOTIF_ASYNC_VALUE_MAX). */
#define OPTEE_NOTIF_ASYNC_VALUE_MAX 63u

/* §7.2 Client id reserved for the hypervisor. */
#define OPTEE_HYP_CLNT_ID 0u

/* §3.1, §3.2 Message structures. */
struct optee_msg_param_tmem {
	uint64_t buf_ptr;
	uint64_t size;
	uint64_t shm_ref;
};

struct optee_msg_param_rmem {
	uint64_t offs;
	uint64_t size;
	uint64_t shm_ref;
};

struct optee_msg_param_value {
	uint64_t a;
	uint64_t b;
	uint64_t c;
};

struct optee_msg_param {
	uint64_t attr;
	union {
		struct optee_msg_param_tmem tmem;
		struct optee_msg_param_rmem rmem;
		struct optee_msg_param_value value;
		uint8_t octets[24];
	} u;
};

struct optee_msg_arg {
	uint32_t cmd;
	uint32_t func;
	uint32_t session;
	uint32_t cancel_id;
	uint32_t pad;
	uint32_t ret;
	uint32_t ret_origin;
	uint32_t num_params;
	struct optee_msg_param params[];
};

#define OPTEE_MSG_GET_ARG_SIZE(n)                                              \
	(sizeof(struct optee_msg_arg) +                                        \
	 sizeof(struct optee_msg_param) * (uint64_t)(n))
#define OPTEE_MSG_MAX_NUM_PARAMS 127u

_Static_assert(sizeof(struct optee_msg_param) == 32, "optee_msg_param");
_Static_assert(sizeof(struct optee_msg_arg) == 32, "optee_msg_arg header");
_Static_assert(__builtin_offsetof(struct optee_msg_arg, ret) == 0x14, "ret");
_Static_assert(__builtin_offsetof(struct optee_msg_arg, num_params) == 0x1C,
	       "num_params");
_Static_assert(__builtin_offsetof(struct optee_msg_param, u) == 0x08, "u");
_Static_assert(__builtin_offsetof(struct optee_msg_param_tmem, size) == 0x08,
	       "tmem.size at param offset 0x10");
_Static_assert(__builtin_offsetof(struct optee_msg_param_rmem, size) == 0x08,
	       "rmem.size at param offset 0x10");
_Static_assert(OPTEE_MSG_GET_ARG_SIZE(OPTEE_MSG_MAX_NUM_PARAMS) == 4096,
	       "127 params fill one page");

/* §3.3 Parameter attributes. */
#define OPTEE_MSG_ATTR_TYPE_MASK	 0xFFu
#define OPTEE_MSG_ATTR_TYPE_NONE	 0x0u
#define OPTEE_MSG_ATTR_TYPE_VALUE_INPUT	 0x1u
#define OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT 0x2u
#define OPTEE_MSG_ATTR_TYPE_VALUE_INOUT	 0x3u
#define OPTEE_MSG_ATTR_TYPE_RMEM_INPUT	 0x5u
#define OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT	 0x6u
#define OPTEE_MSG_ATTR_TYPE_RMEM_INOUT	 0x7u
#define OPTEE_MSG_ATTR_TYPE_TMEM_INPUT	 0x9u
#define OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT	 0xAu
#define OPTEE_MSG_ATTR_TYPE_TMEM_INOUT	 0xBu
#define OPTEE_MSG_ATTR_META		 (1u << 8)
#define OPTEE_MSG_ATTR_NONCONTIG	 (1u << 9)
#define OPTEE_MSG_ATTR_CACHE_SHIFT	 16
#define OPTEE_MSG_ATTR_CACHE_MASK	 0x7u
#define OPTEE_MSG_ATTR_CACHE_PREDEFINED	 0u

/* §3.4 Commands. */
#define OPTEE_MSG_CMD_OPEN_SESSION	 0u
#define OPTEE_MSG_CMD_INVOKE_COMMAND	 1u
#define OPTEE_MSG_CMD_CLOSE_SESSION	 2u
#define OPTEE_MSG_CMD_CANCEL		 3u
#define OPTEE_MSG_CMD_REGISTER_SHM	 4u
#define OPTEE_MSG_CMD_UNREGISTER_SHM	 5u
#define OPTEE_MSG_CMD_DO_BOTTOM_HALF	 6u
#define OPTEE_MSG_CMD_STOP_ASYNC_NOTIF	 7u
#define OPTEE_MSG_CMD_LEND_PROTMEM	 8u
#define OPTEE_MSG_CMD_RECLAIM_PROTMEM	 9u
#define OPTEE_MSG_CMD_GET_PROTMEM_CONFIG 10u
#define OPTEE_MSG_CMD_ASSIGN_PROTMEM	 11u

/* §3.5 Logins. */
#define OPTEE_MSG_LOGIN_PUBLIC		  0x00000000u
#define OPTEE_MSG_LOGIN_USER		  0x00000001u
#define OPTEE_MSG_LOGIN_GROUP		  0x00000002u
#define OPTEE_MSG_LOGIN_APPLICATION	  0x00000004u
#define OPTEE_MSG_LOGIN_APPLICATION_USER  0x00000005u
#define OPTEE_MSG_LOGIN_APPLICATION_GROUP 0x00000006u
#define OPTEE_MSG_LOGIN_REE_KERNEL	  0x80000000u

/* §3.7 Origins and results. */
#define TEEC_ORIGIN_API		0x1u
#define TEEC_ORIGIN_COMMS	0x2u
#define TEEC_ORIGIN_TEE		0x3u
#define TEEC_ORIGIN_TRUSTED_APP 0x4u

#define TEEC_SUCCESS		   0x00000000u
#define TEEC_ERROR_GENERIC	   0xFFFF0000u
#define TEEC_ERROR_ACCESS_DENIED   0xFFFF0001u
#define TEEC_ERROR_CANCEL	   0xFFFF0002u
#define TEEC_ERROR_BAD_FORMAT	   0xFFFF0005u
#define TEEC_ERROR_BAD_PARAMETERS  0xFFFF0006u
#define TEEC_ERROR_BAD_STATE	   0xFFFF0007u
#define TEEC_ERROR_ITEM_NOT_FOUND  0xFFFF0008u
#define TEEC_ERROR_NOT_IMPLEMENTED 0xFFFF0009u
#define TEEC_ERROR_NOT_SUPPORTED   0xFFFF000Au
#define TEEC_ERROR_OUT_OF_MEMORY   0xFFFF000Cu
#define TEEC_ERROR_BUSY		   0xFFFF000Du
#define TEEC_ERROR_COMMUNICATION   0xFFFF000Eu
#define TEEC_ERROR_SECURITY	   0xFFFF000Fu
#define TEEC_ERROR_SHORT_BUFFER	   0xFFFF0010u

/* §4.1 Non-contiguous page lists. */
#define OPTEE_MSG_NONCONTIG_PAGE_SIZE 4096u
#define OPTEE_MSG_PAGELIST_ENTRIES    511u /* data entries per list page */
#define OPTEE_MSG_PAGELIST_NEXT_SLOT  511u

/* §6.5 RPC commands carried by RPC_CMD. */
#define OPTEE_RPC_CMD_LOAD_TA	   0u
#define OPTEE_RPC_CMD_RPMB	   1u
#define OPTEE_RPC_CMD_FS	   2u
#define OPTEE_RPC_CMD_GET_TIME	   3u
#define OPTEE_RPC_CMD_NOTIFICATION 4u
/* value[0].a of a NOTIFICATION RPC; value[0].b is the key. */
#define OPTEE_RPC_NOTIFICATION_WAIT    0u
#define OPTEE_RPC_NOTIFICATION_SEND    1u
#define OPTEE_RPC_CMD_SUSPEND	       5u
#define OPTEE_RPC_CMD_SHM_ALLOC	       6u
#define OPTEE_RPC_CMD_SHM_FREE	       7u
#define OPTEE_RPC_CMD_SQL_FS_RESERVED  8u
#define OPTEE_RPC_CMD_GPROF	       9u
#define OPTEE_RPC_CMD_SOCKET	       10u
#define OPTEE_RPC_CMD_FTRACE	       11u
#define OPTEE_RPC_CMD_SUPP_PLUGIN      12u
#define OPTEE_RPC_CMD_BENCH_REG	       20u
#define OPTEE_RPC_CMD_I2C_TRANSFER     21u
#define OPTEE_RPC_CMD_RPMB_PROBE_RESET 22u
#define OPTEE_RPC_CMD_RPMB_PROBE_NEXT  23u
#define OPTEE_RPC_CMD_RPMB_FRAMES      24u

/* §6.7 SHM types of SHM_ALLOC / SHM_FREE. */
#define OPTEE_RPC_SHM_TYPE_APPL	  0u
#define OPTEE_RPC_SHM_TYPE_KERNEL 1u
#define OPTEE_RPC_SHM_TYPE_GLOBAL 2u

/* §6.4 RPC messages hold at most this many parameters. */
#define OPTEE_RPC_MAX_NUM_PARAMS 4u

#endif /* TEEMED_OPTEE_ABI_H */
