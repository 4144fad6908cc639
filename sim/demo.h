/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The trace-demo scenario (sim/demo.c): one guest's short, scripted
 * conversation with OP-TEE, for reading its trace.
 */
#ifndef TEEMED_SIM_DEMO_H
#define TEEMED_SIM_DEMO_H

#include "scenario.h"

#define DEMO_SCENARIO_NAME "trace-demo"
#define DEMO_SCENARIO_HELP                                                     \
	"one guest, one vCPU: probe, session, registered memory, RPCs, a "     \
	"refusal, teardown (for --trace)"

/* Run it; always 0 (the result says how it went). */
int demo_run(const struct scenario_opts *o, struct scenario_result *r);

#endif /* TEEMED_SIM_DEMO_H */
