/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The secure-world model: behaves like OP-TEE built with
 * CFG_NS_VIRTUALIZATION behind TF-A (spec/optee-abi.md), at the level of
 * SMC registers and the bytes of "physical" memory. Every access it makes
 * to normal-world memory goes through the oracle first.
 *
 * Single entry point: optee_model_smc(), usable as the platform's SMC
 * target. Thread-safe (one internal mutex; the model never blocks while
 * holding it).
 */
#ifndef TEEMED_SIM_OPTEE_MODEL_H
#define TEEMED_SIM_OPTEE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "oracle.h"
#include "teemed/platform.h"

struct optee_model_config {
	uint32_t threads;        /* CFG_NUM_THREADS, per partition */
	uint32_t max_partitions; /* CFG_VIRT_GUEST_COUNT */
	uint32_t sec_caps;       /* EXCHANGE_CAPABILITIES a1 */
	bool virtualization;     /* false: VM_CREATED etc. are unknown */
	bool wrong_uid;          /* answer CALLS_UID with another UID */
	uint32_t msg_major;      /* CALLS_REVISION a0 */
	uint32_t os_major, os_minor;
	bool prealloc_rpc_cache; /* CFG_PREALLOC_RPC_CACHE */
};

/* A 4.10-like OP-TEE: 4 threads, 8 partitions, caps 0x7d, cache on. */
void optee_model_default_config(struct optee_model_config *cfg);

struct optee_model;

struct optee_model *optee_model_create(struct machine *m, struct oracle *o,
				       const struct optee_model_config *cfg);
void optee_model_destroy(struct optee_model *sw);

/* Serve one SMC: a0..a7 in, a0..a3 out. Signature of sim_smc_fn. */
void optee_model_smc(void *sw, struct teemed_regs *regs);

struct optee_model_stats {
	uint64_t smcs;
	uint64_t std_calls_done;     /* yielding calls that completed */
	uint64_t rpcs;               /* RPC exits */
	uint64_t ta_bytes;           /* bytes TAs read or wrote */
	uint32_t partitions;         /* live VM partitions */
	uint32_t sessions;           /* open sessions, all partitions */
	uint32_t registered;         /* registered + RPC objects, all */
	uint32_t threads_busy;       /* active or suspended, all */
	uint64_t bad_requests;       /* calls refused for malformed input */
	uint64_t notif_sent;         /* asynchronous values sent */
	uint64_t notif_irqs;         /* notification interrupts raised */
};

void optee_model_get_stats(struct optee_model *sw,
			   struct optee_model_stats *out);

/*
 * Whether OP-TEE raised its notification interrupt since the last call
 * (and clear it): the hypervisor's handler of that one physical
 * interrupt then runs. Never raised from inside an SMC's caller.
 */
bool optee_model_take_irq(struct optee_model *sw);

/*
 * A driver of OP-TEE sends asynchronous `value` (0..63) to `vm_id`, as
 * notif_send_async() does; false if that VM or value does not exist.
 */
bool optee_model_notify_vm(struct optee_model *sw, uint16_t vm_id,
			   uint32_t value);

/* DO_BOTTOM_HALF calls the partition of `vm_id` served while started. */
uint64_t optee_model_vm_bottom_halves(struct optee_model *sw, uint16_t vm_id);

/* Asynchronous values pending in the partition of `vm_id`. */
uint64_t optee_model_vm_notif_pending(struct optee_model *sw, uint16_t vm_id);

/* Objects (registered buffers, RPC buffers) the partition of `vm_id` holds. */
uint32_t optee_model_vm_objects(struct optee_model *sw, uint16_t vm_id);

#endif /* TEEMED_SIM_OPTEE_MODEL_H */
