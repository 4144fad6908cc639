/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The trace-demo scenario: one guest with one vCPU holds a short,
 * scripted conversation with OP-TEE through teemed, so that a trace of
 * it (teemed-sim run --scenario trace-demo --trace) reads like a
 * walk-through of the protocol:
 *
 *   1. the probe a Linux driver makes (UID, revision, capabilities,
 *      thread count);
 *   2. OPEN_SESSION to the RPC trusted application;
 *   3. REGISTER_SHM of 6 pages, with a step budget of 4 pages per SMC
 *      so teemed pauses the call once with FOREIGN_INTR;
 *   4. an INVOKE that reads the registered buffer and makes OP-TEE ask
 *      the guest for an RPC argument buffer, a payload (SHM_ALLOC), a
 *      supplicant command and SHM_FREE;
 *   5. an INVOKE naming a cookie the guest never registered, which
 *      teemed refuses (BAD_PARAMETERS, origin COMMS);
 *   6. CLOSE_SESSION;
 *   7. teardown with the buffer still registered: VM_DESTROYED, then
 *      its pages released 4 at a time.
 *
 * Each step's answer is checked, so the scenario fails if teemed's
 * behaviour drifts; its trace is deterministic and is the golden trace
 * of tests/golden/.
 */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "hostile.h"
#include "optee_abi.h"
#include "tas.h"
#include "world.h"

#define DEMO_RAM_PAGES	  256u
#define DEMO_HOST_PAGES	  2048u
#define DEMO_STEP_PAGES	  4u
#define DEMO_SHM_PAGES	  6u
#define DEMO_PAYLOAD_SIZE 64u

struct demo {
	struct world w;
	struct world_vm v;
	struct hostile h;
	uint64_t checks;
};

static void check(struct demo *d, bool ok, const char *what)
{
	d->checks++;
	if (!ok)
		world_err(&d->w, "trace-demo: %s", what);
}

static void fast(struct demo *d, uint32_t fid, uint32_t a1,
		 struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = fid;
	r->a[1] = a1;
	hostile_smc(&d->h, r);
}

/* What the Linux driver asks before it offers OP-TEE to its users. */
static void probe(struct demo *d)
{
	struct teemed_regs r;

	fast(d, OPTEE_SMC_CALLS_UID, 0, &r);
	check(d, r.a[0] == OPTEE_MSG_UID_0, "CALLS_UID");
	fast(d, OPTEE_SMC_CALLS_REVISION, 0, &r);
	check(d, r.a[0] == OPTEE_MSG_REVISION_MAJOR, "CALLS_REVISION");
	fast(d, OPTEE_SMC_CALL_GET_OS_REVISION, 0, &r);
	fast(d, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, &r);
	check(d,
	      r.a[0] == OPTEE_SMC_RETURN_OK &&
		      (r.a[1] & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM),
	      "EXCHANGE_CAPABILITIES");
	fast(d, OPTEE_SMC_GET_THREAD_COUNT, 0, &r);
	check(d, r.a[0] == OPTEE_SMC_RETURN_OK && r.a[1] > 0,
	      "GET_THREAD_COUNT");
}

/* INVOKE reverse: [0] the registered buffer, [1] shm type, [2] output. */
static void invoke_rpc(struct demo *d, uint32_t session, uint64_t cookie,
		       uint64_t data)
{
	struct hostile *h = &d->h;
	uint64_t out_data;
	uint64_t out_list = hostile_buffer(h, 1, &out_data);
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	struct optee_msg_arg *m = ipa ? hostile_msg(h, ipa) : NULL;
	uint8_t in[DEMO_PAYLOAD_SIZE], out[DEMO_PAYLOAD_SIZE];
	bool ok;

	if (!m || !out_list) {
		check(d, false, "out of guest memory");
		return;
	}
	m->func = TA_RPC_CMD_REVERSE;
	m->session = session;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.offs = 16;
	m->params[0].u.rmem.size = DEMO_PAYLOAD_SIZE;
	m->params[0].u.rmem.shm_ref = cookie;
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m->params[1].u.value.b = OPTEE_RPC_SHM_TYPE_APPL;
	hostile_tmem(&m->params[2], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, out_list,
		     DEMO_PAYLOAD_SIZE, 0);
	ok = hostile_call(h, ipa) == OPTEE_SMC_RETURN_OK &&
	     m->ret == TEEC_SUCCESS &&
	     hostile_read(h, data + 16, in, sizeof(in)) &&
	     hostile_read(h, out_data, out, sizeof(out));
	for (size_t i = 0; ok && i < sizeof(in); i++)
		ok = out[i] == in[sizeof(in) - 1 - i];
	check(d, ok, "INVOKE reverse through RPCs");
}

/* INVOKE naming a cookie this guest never registered. */
static void invoke_refused(struct demo *d, uint32_t session)
{
	struct hostile *h = &d->h;
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	struct optee_msg_arg *m = ipa ? hostile_msg(h, ipa) : NULL;

	if (!m) {
		check(d, false, "out of guest memory");
		return;
	}
	m->func = TA_RPC_CMD_REVERSE;
	m->session = session;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.size = 16;
	m->params[0].u.rmem.shm_ref = hostile_cookie(h);
	check(d,
	      hostile_call(h, ipa) == OPTEE_SMC_RETURN_OK &&
		      m->ret == TEEC_ERROR_BAD_PARAMETERS &&
		      m->ret_origin == TEEC_ORIGIN_COMMS,
	      "INVOKE with a foreign cookie must be refused");
}

static void close_session(struct demo *d, uint32_t session)
{
	struct hostile *h = &d->h;
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	struct optee_msg_arg *m = ipa ? hostile_msg(h, ipa) : NULL;

	if (!m) {
		check(d, false, "out of guest memory");
		return;
	}
	m->session = session;
	check(d,
	      hostile_call(h, ipa) == OPTEE_SMC_RETURN_OK &&
		      m->ret == TEEC_SUCCESS,
	      "CLOSE_SESSION");
}

static void collect(struct demo *d, struct scenario_result *r)
{
	struct teemed_vm_stats ts;

	teemed_vm_get_stats(d->v.vm, &ts);
	r->calls = ts.std_calls;
	r->pinned_pages_at_destroy = ts.pinned_pages;
	r->pinned_pages_peak = ts.pinned_pages_peak;
	r->buffers_peak = ts.buffers_peak;
	r->calls_peak = ts.calls_peak;
	r->max_pages_per_smc = ts.max_pages_per_smc;
	for (int k = 0; k < TEEMED_REFUSED_COUNT; k++) {
		if (k == TEEMED_REFUSED_QUOTA)
			r->quota_refusals += ts.refused[k];
		else
			r->refused_other += ts.refused[k];
	}
}

int demo_run(const struct scenario_opts *o, struct scenario_result *r)
{
	const struct sim_uuid rpc_ta = TA_RPC_UUID;
	struct world_opts wo;
	struct world_end end;
	struct demo d;
	uint64_t cookie, data = 0;
	uint32_t session;

	memset(&d, 0, sizeof(d));
	memset(&wo, 0, sizeof(wo));
	wo.host_pages = DEMO_HOST_PAGES;
	wo.seed = o->seed;
	wo.max_vms = 1;
	wo.step_pages = DEMO_STEP_PAGES;
	wo.ram_at_zero = o->ram_at_zero;
	wo.destroy_io_fatal = true;
	r->vms = 1;
	r->vcpus = 1;
	if (world_init(&d.w, &wo) &&
	    world_vm_add(&d.w, &d.v, 1, DEMO_RAM_PAGES, NULL)) {
		hostile_init(&d.h, &d.w, &d.v);
		probe(&d);
		session = hostile_open(&d.h, &rpc_ta);
		check(&d, session != 0, "OPEN_SESSION");
		cookie = hostile_cookie(&d.h);
		check(&d,
		      hostile_register(&d.h, cookie, DEMO_SHM_PAGES, &data) ==
			      TEEC_SUCCESS,
		      "REGISTER_SHM");
		invoke_rpc(&d, session, cookie, data);
		invoke_refused(&d, session);
		close_session(&d, session);
		r->ops = 6;
		r->smcs = d.h.smcs;
		r->bytes_verified = DEMO_PAYLOAD_SIZE;
		collect(&d, r);
	}
	/* Teardown with the buffer still registered. */
	if (d.v.hv.vm_id)
		r->leaked_pins =
			world_vm_destroy(&d.w, &d.v, &r->destroy_steps);
	world_fini(&d.w, &end);
	r->leaked_mediator_pages = end.leaked_mediator_pages;
	r->oracle_violations = end.oracle_violations;
	r->oracle_checks = end.oracle_checks;
	memcpy(r->op_calls, end.op_calls, sizeof(r->op_calls));
	r->errors = d.w.errors;
	snprintf(r->first_error, sizeof(r->first_error), "%s", d.w.first_error);
	return 0;
}
