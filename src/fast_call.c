/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fast calls from guests (spec §2, §8): one table row per OP-TEE
 * function says whether the mediator forwards it, filters it, answers
 * it itself or refuses it. Function ids not in the table are unknown.
 */
#include "internal.h"

typedef void (*fast_handler)(struct teemed_vm *vm, struct teemed_regs *regs);

static void set_result(struct teemed_regs *regs, uint32_t a0, uint32_t a1,
		       uint32_t a2, uint32_t a3)
{
	regs->a[0] = a0;
	regs->a[1] = a1;
	regs->a[2] = a2;
	regs->a[3] = a3;
}

/*
 * Issue `fid` with the guest's a1..a3 (low halves only), nothing else,
 * and the VM's client id; results masked to 32 bits.
 */
static void forward(struct teemed_vm *vm, struct teemed_regs *regs,
		    uint32_t fid, uint32_t a1)
{
	struct teemed_regs sw = {{0}};

	sw.a[0] = fid;
	sw.a[1] = a1;
	sw.a[7] = vm->client_id;
	teemed_vm_plat_smc(vm, &sw, NULL);
	set_result(regs, reg32(sw.a[0]), reg32(sw.a[1]), reg32(sw.a[2]),
		   reg32(sw.a[3]));
}

static void fast_forward(struct teemed_vm *vm, struct teemed_regs *regs)
{
	forward(vm, regs, reg32(regs->a[0]), 0);
}

static void fast_unknown(struct teemed_vm *vm, struct teemed_regs *regs)
{
	teemed_vm_refuse(vm, TEEMED_REFUSED_FUNCTION);
	set_result(regs, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION, 0, 0, 0);
}

/* Reserved shared memory is global and addressed by PA (§5.7). */
static void fast_no_shm_config(struct teemed_vm *vm, struct teemed_regs *regs)
{
	teemed_vm_refuse(vm, TEEMED_REFUSED_FUNCTION);
	set_result(regs, OPTEE_SMC_RETURN_ENOTAVAIL, 0, 0, 0);
}

static void fast_exchange_caps(struct teemed_vm *vm, struct teemed_regs *regs)
{
	uint32_t caps;

	forward(vm, regs, OPTEE_SMC_EXCHANGE_CAPABILITIES,
		reg32(regs->a[1]) & OPTEE_SMC_NSEC_CAP_UNIPROCESSOR);
	if (regs->a[0] != OPTEE_SMC_RETURN_OK)
		return;
	if (!(regs->a[1] & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM)) {
		set_result(regs, OPTEE_SMC_RETURN_ENOTAVAIL, 0, 0, 0);
		return;
	}
	/*
	 * Hidden capabilities take their companion outputs with them: a2
	 * (highest notification value) and a3 (what an RPC area holds).
	 */
	caps = (uint32_t)regs->a[1] & vm->caps;
	set_result(regs, OPTEE_SMC_RETURN_OK, caps,
		   (caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)
			   ? vm->t->info.notif_value_max
			   : 0,
		   (caps & OPTEE_SMC_SEC_CAP_RPC_ARG)
			   ? vm->t->info.rpc_param_count
			   : 0);
}

/* Release the RPC buffer whose cookie OP-TEE hands back (§2.13). */
static void fast_disable_cache(struct teemed_vm *vm, struct teemed_regs *regs)
{
	fast_forward(vm, regs);
	if (regs->a[0] == OPTEE_SMC_RETURN_OK)
		teemed_rpc_disable_cache_cookie(
			vm, reg_pair(regs->a[1], regs->a[2]));
}

/* A guest may run as many calls at once as its quota allows. */
static void fast_thread_count(struct teemed_vm *vm, struct teemed_regs *regs)
{
	set_result(regs, OPTEE_SMC_RETURN_OK, vm->quota.calls, 0, 0);
}

static void fast_calls_count(struct teemed_vm *vm, struct teemed_regs *regs);

static const struct fast_rule {
	uint32_t fid;
	fast_handler handle;
} fast_rules[] = {
	{OPTEE_SMC_CALLS_COUNT, fast_calls_count},
	{OPTEE_SMC_CALLS_UID, fast_forward},
	{OPTEE_SMC_CALLS_REVISION, fast_forward},
	{OPTEE_SMC_CALL_GET_OS_UUID, fast_forward},
	{OPTEE_SMC_CALL_GET_OS_REVISION, fast_forward},
	{OPTEE_SMC_GET_SHM_CONFIG, fast_no_shm_config},
	{OPTEE_SMC_EXCHANGE_CAPABILITIES, fast_exchange_caps},
	{OPTEE_SMC_DISABLE_SHM_CACHE, fast_disable_cache},
	{OPTEE_SMC_ENABLE_SHM_CACHE, fast_forward},
	{OPTEE_SMC_GET_THREAD_COUNT, fast_thread_count},
	{OPTEE_SMC_ENABLE_ASYNC_NOTIF, teemed_notif_enable},
	{OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, teemed_notif_get_value},
};

/*
 * Functions offered to guests: the fast ones above plus CALL_WITH_ARG
 * and RETURN_FROM_RPC, and the two RPC-argument calls when offered.
 */
static void fast_calls_count(struct teemed_vm *vm, struct teemed_regs *regs)
{
	uint32_t n = (uint32_t)TEEMED_ARRAY_SIZE(fast_rules) + 2;

	if (vm->caps & OPTEE_SMC_SEC_CAP_RPC_ARG)
		n += 2;
	set_result(regs, n, 0, 0, 0);
}

void teemed_fast_call(struct teemed_vm *vm, struct teemed_regs *regs)
{
	uint32_t fid = reg32(regs->a[0]);

	for (size_t i = 0; i < TEEMED_ARRAY_SIZE(fast_rules); i++) {
		if (fast_rules[i].fid == fid) {
			fast_rules[i].handle(vm, regs);
			return;
		}
	}
	fast_unknown(vm, regs);
}
