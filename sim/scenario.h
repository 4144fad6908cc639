/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scenario runner: a simulated world (sim/world.h: machine, oracle,
 * secure-world model, hosted platform, one teemed instance) with a few
 * guests (sim/guest.h), driven by a seeded scheduler that picks a random
 * runnable vCPU for every SMC. At the end every VM is destroyed and the
 * result says what was done and what went wrong.
 *
 * Scenarios:
 *   basic         sessions, value-only invokes, temporary memory, slow
 *                 calls interrupted by FOREIGN_INTR
 *   mixed         temporary, registered and RPC memory, many VMs and vCPUs
 *   large-buffer  one 16384-page registered buffer checksummed whole
 *   quota         guests push past the pin, buffer and call quotas
 *   teardown      VMs destroyed holding registered buffers and calls
 *                 suspended in RPCs
 *   trace-demo    one guest's short scripted conversation (sim/demo.c),
 *                 to read with teemed-sim's --trace
 */
#ifndef TEEMED_SIM_SCENARIO_H
#define TEEMED_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_platform.h"

/* A field left at 0 (or NULL) takes the scenario's default. */
struct scenario_opts {
	const char *name; /* default "basic" */
	uint32_t vms;
	uint32_t vcpus;	   /* per VM */
	uint64_t ops;	   /* operations per VM */
	uint64_t buf_size; /* largest memref in bytes */
	uint64_t seed;
	/* Called now and then with SMCs issued so far and an estimate of
	   the total; may be NULL. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/*
	 * Fault injection: call number `fail_at` (1-based, counted from
	 * before teemed_init) of the platform's `fail_op` fails; 0: none.
	 * Guest-visible failures that are defined protocol errors then
	 * count as tolerated, not as errors; a VM or instance the fault
	 * keeps from starting is left out.
	 */
	enum sim_op fail_op;
	uint64_t fail_at;
	/* The machine also has host RAM at PA 0 (world_opts). */
	bool ram_at_zero;
	/* TEEMED_FEATURE_* the VMs are not offered: the guests then take
	   the older paths (CALL_WITH_ARG, no notifications), as Linux. */
	uint32_t features_off;
};

struct scenario_result {
	/* What ran. */
	uint32_t vms;
	uint32_t vcpus;
	uint64_t ops;	/* operations finished */
	uint64_t smcs;	/* SMCs the guests issued */
	uint64_t calls; /* yielding calls completed */
	uint64_t rpcs;
	uint64_t foreign_intrs;
	uint64_t regd_calls;	/* CALL_WITH_REGD_ARG issued by guests */
	uint64_t rpc_arg_calls; /* CALL_WITH_RPC_ARG issued by guests */
	uint64_t notif_irqs;	/* notification interrupts injected */
	uint64_t notif_values;	/* values guests read */
	uint64_t bottom_halves; /* DO_BOTTOM_HALF calls OP-TEE served */
	uint64_t bytes_verified;
	uint64_t ethread_waits;
	/* What went wrong: any non-zero here fails the run. */
	uint64_t errors;      /* guest mismatches, setup and API failures */
	uint64_t leaked_pins; /* pins left on a VM's pages after destroy */
	uint64_t leaked_mediator_pages; /* after teemed_fini */
	uint64_t oracle_violations;
	/* Figures from teemed_vm_get_stats() just before destruction. */
	uint64_t pinned_pages_now; /* guest pages pinned once the run ended */
	uint64_t pinned_pages_at_destroy; /* held when teardown began */
	uint32_t pinned_pages_peak;	  /* largest over VMs */
	uint32_t buffers_peak;
	uint32_t calls_peak;
	uint32_t max_pages_per_smc;
	uint64_t quota_refusals; /* teemed's TEEMED_REFUSED_QUOTA */
	uint64_t refused_other;	 /* teemed's other refusals */
	uint64_t guest_refusals; /* OUT_OF_MEMORY/COMMS the guests saw */
	/* Teardown figures. */
	uint64_t calls_cut;	/* calls suspended in RPC at destroy */
	uint64_t buffers_cut;	/* registered buffers at destroy */
	uint64_t destroy_steps; /* teemed_vm_destroy() calls, all VMs */
	uint64_t oracle_checks;
	/* Fault injection. */
	uint64_t op_calls[SIM_OP_COUNT]; /* platform calls made, per op */
	uint64_t injected_faults;
	uint64_t tolerated;	  /* defined errors seen under a fault */
	uint64_t balloon_tries;	  /* pages OP-TEE holds, ballooning refused */
	uint64_t unanswered;	  /* calls ended OK without their answer */
	uint64_t vms_not_started; /* creation refused under a fault */
	uint64_t destroy_retries; /* TEEMED_ERR_IO answers retried */
	char first_error[256];
};

/* Name and one-line description of scenario `i`; NULL past the end. */
const char *scenario_name(size_t i);
const char *scenario_help(size_t i);

/*
 * Run a scenario. Returns 0 when it ran (the result says how well) and
 * -1 when the name is unknown or the options are unusable.
 */
int scenario_run(const struct scenario_opts *opts, struct scenario_result *r);

/* No error, leak or violation. */
bool scenario_ok(const struct scenario_result *r);

#endif /* TEEMED_SIM_SCENARIO_H */
