/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scenario runner (see scenario.h). One host thread drives every
 * guest: each round it collects the runnable vCPUs of all VMs and steps
 * one at random, so calls of one VM and of different VMs interleave at
 * SMC granularity while the run stays reproducible from its seed.
 */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "guest.h"
#include "machine.h"
#include "sim_rng.h"
#include "optee_abi.h"
#include "teemed/teemed.h"
#include "world.h"

#define PAGES_OF(bytes) (((bytes) + MACHINE_PAGE_SIZE - 1) / MACHINE_PAGE_SIZE)
#define LARGE_PAGES	16384u
#define PROGRESS_EVERY	16384u

struct scenario_desc {
	const char *name;
	const char *help;
	uint32_t vms, vcpus, min_vcpus;
	uint64_t ops, buf_size;
	uint32_t mem;	     /* GUEST_MEM_* */
	uint32_t long_lived; /* registered buffers kept per guest */
	uint32_t big_pages;
	uint32_t max_spins;
	bool cleanup;		/* guests give everything back before destroy */
	bool quota_mode;	/* refusals expected */
	bool cut;		/* destroy VMs in the middle of their work */
	bool legacy_mix;	/* every second VM answers one-page kernel
				   payloads the legacy way (contiguous) */
	uint32_t balloon_every; /* scheduler steps between balloon tries */
	struct teemed_quota quota; /* per-VM override; zeros: defaults */
};

static const struct scenario_desc scenarios[] = {
	{
		.name = "basic",
		.help = "sessions, value-only invokes, temporary memory, "
			"interrupted slow calls, notifications",
		.vms = 4,
		.vcpus = 2,
		.ops = 6000,
		.buf_size = 16384,
		.mem = GUEST_MEM_VALUE | GUEST_MEM_TMEM | GUEST_MEM_NULL |
		       GUEST_MEM_NOTIF,
		.max_spins = 4,
		.cleanup = true,
	},
	{
		.name = "mixed",
		.help = "temporary, registered and RPC memory from many VMs "
			"and vCPUs; every second VM a legacy driver",
		.vms = 6,
		.vcpus = 3,
		.ops = 2500,
		.buf_size = 16384,
		.mem = GUEST_MEM_ALL,
		.long_lived = 3,
		.max_spins = 4,
		.cleanup = true,
		.legacy_mix = true,
		.balloon_every = 16,
	},
	{
		.name = "large-buffer",
		.help = "one 16384-page buffer registered, checksummed, "
			"unregistered",
		.vms = 2,
		.vcpus = 2,
		.ops = 100,
		.buf_size = 16384,
		.mem = GUEST_MEM_VALUE | GUEST_MEM_TMEM,
		.big_pages = LARGE_PAGES,
		.max_spins = 4,
		.cleanup = true,
		/* Room for the big buffer plus what other vCPUs pin. */
		.quota = {.pinned_pages = LARGE_PAGES + 1024},
		.balloon_every = 16,
	},
	{
		.name = "quota",
		.help = "guests push past the pin, buffer and call quotas",
		.vms = 3,
		.vcpus = 4,
		.min_vcpus = 4,
		.ops = 800,
		.buf_size = 256 * 1024,
		.mem = GUEST_MEM_VALUE | GUEST_MEM_TMEM | GUEST_MEM_RMEM |
		       GUEST_MEM_RPC,
		.long_lived = 6,
		.max_spins = 8,
		.cleanup = true,
		.quota_mode = true,
		.quota = {.pinned_pages = 192, .buffers = 3, .calls = 2},
	},
	{
		.name = "teardown",
		.help = "VMs destroyed holding registered buffers and calls "
			"suspended in RPCs",
		.vms = 4,
		.vcpus = 3,
		.ops = 400,
		.buf_size = 1024 * 1024,
		.mem = GUEST_MEM_ALL,
		.long_lived = 3,
		.max_spins = 16,
		.cut = true,
		.balloon_every = 16,
	},
};

#define SCENARIO_COUNT (sizeof(scenarios) / sizeof(scenarios[0]))

struct rvm {
	struct world_vm wv;
	struct world *w;
	struct guest *g;
	bool halted; /* no longer stepped: its vCPUs are stopped */
};

struct run {
	const struct scenario_desc *d;
	struct scenario_opts o;
	struct scenario_result *r;
	/* Also holds the run's errors, so setup, guests and teardown
	   share one first error. */
	struct world w;
	struct rvm *vms;
	uint32_t ram_pages;
	uint64_t rng;
};

/* The scripted trace-demo (sim/demo.c) comes after the table. */
const char *scenario_name(size_t i)
{
	if (i == SCENARIO_COUNT)
		return DEMO_SCENARIO_NAME;
	return i < SCENARIO_COUNT ? scenarios[i].name : NULL;
}

const char *scenario_help(size_t i)
{
	if (i == SCENARIO_COUNT)
		return DEMO_SCENARIO_HELP;
	return i < SCENARIO_COUNT ? scenarios[i].help : NULL;
}

bool scenario_ok(const struct scenario_result *r)
{
	return !r->errors && !r->leaked_pins && !r->leaked_mediator_pages &&
	       !r->oracle_violations;
}

/* The guest's conduit: the hypervisor's trap handler for OP-TEE SMCs. */
static void rvm_smc(void *ctx, uint32_t vcpu, struct teemed_regs *regs)
{
	struct rvm *v = ctx;

	if (world_vm_smc(v->w, &v->wv, vcpu, regs) == TEEMED_SMC_NOT_OPTEE)
		regs->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
}

/* Guest RAM: what every vCPU may hold at once, with generous slack. */
static uint32_t ram_for(const struct scenario_desc *d,
			const struct scenario_opts *o)
{
	uint64_t bp = PAGES_OF(o->buf_size) + 3;
	uint64_t n = 1024 + o->vcpus * (6 * bp + 16) + d->long_lived * bp;

	if (d->big_pages)
		n += d->big_pages + d->big_pages / 511 + 8;
	return n > 0x7fffffffu ? 0x7fffffffu : (uint32_t)n;
}

static bool run_setup(struct run *run)
{
	const struct scenario_desc *d = run->d;
	struct world_opts wo;

	memset(&wo, 0, sizeof(wo));
	wo.host_pages = (uint64_t)run->o.vms * run->ram_pages + 8192 +
			(uint64_t)run->o.vms * 2048;
	wo.seed = run->o.seed;
	wo.max_vms = run->o.vms;
	wo.fail_op = run->o.fail_op;
	wo.fail_at = run->o.fail_at;
	wo.ram_at_zero = run->o.ram_at_zero;
	wo.features_off = run->o.features_off;
	if (!world_init(&run->w, &wo))
		return false;
	run->vms = calloc(run->o.vms, sizeof(*run->vms));
	if (!run->vms) {
		world_err(&run->w, "out of host memory");
		return false;
	}
	for (uint32_t i = 0; i < run->o.vms; i++) {
		struct rvm *v = &run->vms[i];
		uint16_t id = (uint16_t)(i + 1);
		struct guest_config gc;
		const struct teemed_quota *q = NULL;

		if (d->quota.pinned_pages || d->quota.buffers ||
		    d->quota.calls || d->quota.rpc_buffers ||
		    d->quota.mediator_pages)
			q = &d->quota;
		v->w = &run->w;
		if (!world_vm_add(&run->w, &v->wv, id, run->ram_pages, q)) {
			if (!v->wv.refused)
				return false;
			/* The VM never starts; teardown checks it left
			   nothing behind. */
			run->r->vms_not_started++;
			continue;
		}
		memset(&gc, 0, sizeof(gc));
		gc.machine = run->w.m;
		gc.oracle = run->w.orc;
		gc.vm_id = id;
		gc.ram_pages = run->ram_pages;
		gc.vcpus = run->o.vcpus;
		gc.ops = run->o.ops;
		gc.buf_size = run->o.buf_size;
		gc.mem = d->mem;
		gc.long_lived = d->long_lived;
		gc.big_pages = d->big_pages;
		gc.max_spins = d->max_spins;
		gc.cleanup = d->cleanup;
		gc.quota_mode = d->quota_mode;
		gc.contig_kernel_payloads = d->legacy_mix && id % 2 == 0;
		gc.tolerate_faults = run->o.fail_at != 0;
		gc.seed = run->o.seed;
		gc.smc = rvm_smc;
		gc.smc_ctx = v;
		v->g = guest_create(&gc);
		if (!v->g) {
			world_err(&run->w, "guest_create(%u) failed", id);
			return false;
		}
		/* The guest's line of OP-TEE's notification interrupt. */
		v->wv.hv.irq = guest_notif_irq;
		v->wv.hv.irq_ctx = v->g;
	}
	return true;
}

/* Teardown: stop a VM once it holds buffers and has calls in RPCs. */
static void maybe_halt(struct run *run, struct rvm *v)
{
	struct guest_stats st;

	if (!run->d->cut || v->halted)
		return;
	guest_get_stats(v->g, &st);
	if (st.ops >= run->o.ops / 2 && guest_calls_in_rpc(v->g) &&
	    guest_registered_now(v->g))
		v->halted = true;
}

static void run_schedule(struct run *run)
{
	uint32_t nv = run->o.vms, nc = run->o.vcpus;
	uint32_t *cand = malloc((size_t)nv * nc * sizeof(*cand));
	uint64_t steps = 0, limit = run->o.ops * nv * 4096 + 1000000;
	uint64_t total = run->o.ops * nv * 12;

	if (!cand) {
		world_err(&run->w, "out of host memory");
		return;
	}
	for (;;) {
		uint32_t n = 0, pick;
		struct rvm *v;

		for (uint32_t i = 0; i < nv; i++) {
			if (run->vms[i].halted || !run->vms[i].g)
				continue;
			for (uint32_t c = 0; c < nc; c++)
				if (guest_vcpu_runnable(run->vms[i].g, c))
					cand[n++] = i * nc + c;
		}
		if (!n)
			break;
		if (++steps > limit) {
			world_err(&run->w,
				  "run does not finish after %llu steps",
				  (unsigned long long)limit);
			break;
		}
		pick = cand[sim_splitmix64(&run->rng) % n];
		v = &run->vms[pick / nc];
		v->wv.hv.vcpu = pick % nc;
		guest_vcpu_step(v->g, pick % nc);
		/* OP-TEE's notification interrupt, if that SMC raised it. */
		world_poll_irq(&run->w);
		/* The guest tries to take back a page OP-TEE holds. */
		if (run->d->balloon_every && steps % run->d->balloon_every == 0)
			guest_balloon_shared(v->g);
		maybe_halt(run, v);
		if (run->o.progress && steps % PROGRESS_EVERY == 0)
			run->o.progress(run->o.progress_ctx, steps,
					steps > total ? steps : total);
	}
	free(cand);
	for (uint32_t i = 0; i < nv; i++)
		if (!run->vms[i].halted && run->vms[i].g &&
		    !guest_done(run->vms[i].g))
			world_err(&run->w,
				  "vm %u stuck: work left, no vCPU runnable",
				  i + 1);
}

static void collect_vm(struct run *run, struct rvm *v)
{
	struct scenario_result *r = run->r;
	struct teemed_vm_stats ts;
	struct guest_stats gs;

	guest_get_stats(v->g, &gs);
	r->ops += gs.ops;
	r->smcs += gs.smcs;
	r->calls += gs.calls;
	r->rpcs += gs.rpcs;
	r->foreign_intrs += gs.foreign_intrs;
	r->regd_calls += gs.regd_calls;
	r->rpc_arg_calls += gs.rpc_arg_calls;
	r->notif_irqs += gs.notif_irqs;
	r->notif_values += gs.notif_values;
	r->bytes_verified += gs.bytes_verified;
	/* Each interrupt teemed injected reached this guest, and each
	   bottom half it asked for ran in its own partition. */
	if (gs.notif_irqs != v->wv.hv.irqs)
		world_err(&run->w, "vm %u: %llu interrupts injected, %llu taken",
			  v->wv.hv.vm_id, (unsigned long long)v->wv.hv.irqs,
			  (unsigned long long)gs.notif_irqs);
	r->bottom_halves +=
		optee_model_vm_bottom_halves(run->w.sw, v->wv.hv.vm_id);
	if (!run->o.fail_at && !v->halted &&
	    optee_model_vm_bottom_halves(run->w.sw, v->wv.hv.vm_id) !=
		    gs.bottom_halves)
		world_err(&run->w, "vm %u: %llu bottom halves asked, %llu ran",
			  v->wv.hv.vm_id, (unsigned long long)gs.bottom_halves,
			  (unsigned long long)optee_model_vm_bottom_halves(
				  run->w.sw, v->wv.hv.vm_id));
	r->ethread_waits += gs.ethread_waits;
	r->balloon_tries += gs.balloon_tries;
	/*
	 * With a fault injected the guest's view of what it shares can be
	 * wrong (a refusal it never heard of); the oracle still checks that
	 * OP-TEE touches no page that is not pinned.
	 */
	if (gs.balloon_given && !run->o.fail_at)
		world_err(&run->w, "vm %u gave back %llu pages OP-TEE holds",
			  v->wv.hv.vm_id, (unsigned long long)gs.balloon_given);
	r->guest_refusals += gs.refusals;
	r->tolerated += gs.tolerated;
	r->unanswered += gs.unanswered;
	world_errs(&run->w, gs.errors, gs.first_error);
	r->calls_cut += guest_calls_in_rpc(v->g);
	r->buffers_cut += guest_registered_now(v->g);

	teemed_vm_get_stats(v->wv.vm, &ts);
	r->pinned_pages_at_destroy += ts.pinned_pages;
	if (ts.pinned_pages_peak > r->pinned_pages_peak)
		r->pinned_pages_peak = ts.pinned_pages_peak;
	if (ts.buffers_peak > r->buffers_peak)
		r->buffers_peak = ts.buffers_peak;
	if (ts.calls_peak > r->calls_peak)
		r->calls_peak = ts.calls_peak;
	if (ts.max_pages_per_smc > r->max_pages_per_smc)
		r->max_pages_per_smc = ts.max_pages_per_smc;
	for (int k = 0; k < TEEMED_REFUSED_COUNT; k++) {
		if (k == TEEMED_REFUSED_QUOTA)
			r->quota_refusals += ts.refused[k];
		else
			r->refused_other += ts.refused[k];
	}
}

static void run_teardown(struct run *run)
{
	struct scenario_result *r = run->r;
	struct world_end end;

	for (uint32_t i = 0; run->vms && i < run->o.vms; i++) {
		struct rvm *v = &run->vms[i];
		bool created = v->wv.vm != NULL;
		uint64_t pins;

		if (created && v->g)
			collect_vm(run, v);
		/* Its vCPUs are stopped; a VM teemed refused is checked too. */
		if (v->wv.hv.vm_id) {
			pins = world_vm_destroy(&run->w, &v->wv,
						&r->destroy_steps);
			r->leaked_pins += pins;
			if (created)
				r->pinned_pages_now += pins;
		}
		guest_destroy(v->g);
	}
	free(run->vms);
	world_fini(&run->w, &end);
	r->leaked_mediator_pages = end.leaked_mediator_pages;
	memcpy(r->op_calls, end.op_calls, sizeof(r->op_calls));
	r->injected_faults = end.injected_faults;
	r->oracle_violations = end.oracle_violations;
	r->oracle_checks = end.oracle_checks;
	r->tolerated += run->w.tolerated;
	r->destroy_retries = run->w.destroy_retries;
	r->errors = run->w.errors;
	snprintf(r->first_error, sizeof(r->first_error), "%s",
		 run->w.first_error);
	if (r->oracle_violations && !r->first_error[0])
		snprintf(r->first_error, sizeof(r->first_error), "oracle: %.*s",
			 (int)(sizeof(r->first_error) - sizeof("oracle: ")),
			 end.first_violation);
}

int scenario_run(const struct scenario_opts *opts, struct scenario_result *r)
{
	const char *name = opts->name ? opts->name : "basic";
	const struct scenario_desc *d = NULL;
	struct run run;

	memset(r, 0, sizeof(*r));
	if (!strcmp(name, DEMO_SCENARIO_NAME))
		return demo_run(opts, r);
	for (size_t i = 0; i < SCENARIO_COUNT; i++)
		if (!strcmp(scenarios[i].name, name))
			d = &scenarios[i];
	if (!d)
		return -1;
	memset(&run, 0, sizeof(run));
	run.d = d;
	run.r = r;
	run.o = *opts;
	run.o.vms = opts->vms ? opts->vms : d->vms;
	run.o.vcpus = opts->vcpus ? opts->vcpus : d->vcpus;
	if (run.o.vcpus < d->min_vcpus)
		run.o.vcpus = d->min_vcpus;
	run.o.ops = opts->ops ? opts->ops : d->ops;
	run.o.buf_size = opts->buf_size ? opts->buf_size : d->buf_size;
	if (run.o.vms > 0xfffe || run.o.vcpus > 1024)
		return -1;
	run.rng = run.o.seed ^ 0x5ced5eedull;
	run.ram_pages = ram_for(d, &run.o);
	r->vms = run.o.vms;
	r->vcpus = run.o.vcpus;
	if (run_setup(&run))
		run_schedule(&run);
	run_teardown(&run);
	return 0;
}
