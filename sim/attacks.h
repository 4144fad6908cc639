/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attack catalogue: hostile guests against teemed in the simulator.
 *
 * Each attack builds its own small world (sim/world.h) with an attacker
 * VM (client id 1) and a victim VM (client id 2), plays the attacker
 * with the raw driver of sim/hostile.h, and reports the answer it got
 * against the answer the spec (spec/optee-abi.md) and teemed's docs
 * say the mediator must give. It also checks that nothing else changed
 * (pins, teemed's counters, OP-TEE's objects, sessions and threads),
 * that the victim still works, that teardown leaves nothing behind and
 * that the oracle saw no violation. docs/threat-model.md lists them.
 */
#ifndef TEEMED_SIM_ATTACKS_H
#define TEEMED_SIM_ATTACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum attack_answer_kind {
	ATTACK_ANS_SMC, /* a0 of the hostile SMC */
	ATTACK_ANS_MSG, /* a0 = OK; ret and ret_origin of the message */
	ATTACK_ANS_RC,	/* a return code of the hypervisor-side API */
};

struct attack_answer {
	uint8_t kind;
	uint32_t a0; /* ATTACK_ANS_RC: the code, as int32_t */
	uint32_t ret;
	uint32_t origin;
};

struct attack_result {
	const char *name;
	const char *klass;
	const char *goal; /* what the attacker is after */
	struct attack_answer expected, observed;
	bool answer_ok; /* observed == expected */
	bool checks_ok; /* what OP-TEE saw was what it had to see */
	bool unchanged; /* nothing but the refused request's effect */
	bool victim_ok; /* the other VM (and the attacker's) still work */
	bool clean;	/* teardown: no pin, page or object left */
	uint64_t oracle_violations;
	bool blocked;	/* all of the above */
	char note[256]; /* the first check that failed, or "" */
};

size_t attack_count(void);
const char *attack_name(size_t i);
/* Index of the attack named `name`, or -1. */
long attack_find(const char *name);

/* Run attack `i` in a fresh world. */
void attack_run(size_t i, struct attack_result *r);

/* The same, on a machine whose host RAM starts at PA 0 (world_opts). */
void attack_run_at(size_t i, bool ram_at_zero, struct attack_result *r);

/* "a0=EBADADDR", "a0=OK ret=BAD_PARAMETERS origin=COMMS", ... */
void attack_format(const struct attack_answer *a, char *buf, size_t len);

#endif /* TEEMED_SIM_ATTACKS_H */
