/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulated world (see world.h): building it, adding and destroying
 * VMs, and the checks made when it is torn down.
 */
#include "world.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_world.h"

/* teemed_vm_destroy() must finish within this many steps per VM. */
#define WORLD_DESTROY_STEP_LIMIT 10000000u
/* VM_DESTROYED answered with an error: the embedder asks again. */
#define WORLD_DESTROY_IO_RETRIES 8u
#define WORLD_MAX_HOST_PAGES	 0xffffffffu

static sim_trace_fn default_trace;
static void *default_trace_ctx;

void world_set_default_trace(sim_trace_fn fn, void *ctx)
{
	default_trace = fn;
	default_trace_ctx = ctx;
}

void world_err(struct world *w, const char *fmt, ...)
{
	va_list ap;

	w->errors++;
	if (w->first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(w->first_error, sizeof(w->first_error), fmt, ap);
	va_end(ap);
}

void world_errs(struct world *w, uint64_t n, const char *first)
{
	if (!n)
		return;
	w->errors += n;
	if (!w->first_error[0])
		snprintf(w->first_error, sizeof(w->first_error), "%s", first);
}

void world_smc(void *target, struct teemed_regs *regs)
{
	struct world *w = target;

	if (w->hook)
		w->hook(w->hook_ctx, regs, false);
	optee_model_smc(w->sw, regs);
	if (w->hook)
		w->hook(w->hook_ctx, regs, true);
}

/*
 * Under fault injection, an API refusal with an error code the injected
 * fault can cause is what the embedder is promised, not an error.
 */
static bool fault_refusal(struct world *w, int rc)
{
	switch (rc) {
	case TEEMED_ERR_IO:
	case TEEMED_ERR_NOMEM:
	case TEEMED_ERR_PROTO:
	case TEEMED_ERR_NOTSUP:
		if (!w->faulting)
			return false;
		w->tolerated++;
		return true;
	default:
		return false;
	}
}

bool world_port_is_xen(void)
{
	const char *port = getenv("TEEMED_WORLD_PORT");

	return port && !strcmp(port, "xen");
}

bool world_init(struct world *w, const struct world_opts *o)
{
	struct optee_model_config mc;
	struct teemed_config tc;
	int rc;

	memset(w, 0, sizeof(*w));
	w->features_off = o->features_off;
	w->destroy_step_limit = o->destroy_step_limit
					? o->destroy_step_limit
					: WORLD_DESTROY_STEP_LIMIT;
	w->destroy_io_retries =
		o->destroy_io_fatal ? 0 : WORLD_DESTROY_IO_RETRIES;
	if (o->host_pages > WORLD_MAX_HOST_PAGES) {
		world_err(w, "machine too large: %llu pages",
			  (unsigned long long)o->host_pages);
		return false;
	}
	w->m = machine_create((uint32_t)o->host_pages, o->seed);
	if (w->m && o->ram_at_zero && machine_add_page_zero(w->m) != 0) {
		machine_destroy(w->m);
		w->m = NULL;
	}
	if (!w->m) {
		world_err(w, "machine_create failed");
		return false;
	}
	w->orc = oracle_create(w->m);
	optee_model_default_config(&mc);
	if (mc.max_partitions < o->max_vms)
		mc.max_partitions = o->max_vms;
	if (o->sw_threads)
		mc.threads = o->sw_threads;
	w->sw = w->orc ? optee_model_create(w->m, w->orc, &mc) : NULL;
	if (!w->sw) {
		world_err(w, "oracle or secure-world model creation failed");
		return false;
	}
	w->threads = mc.threads;
	sim_platform_init(&w->plat, w->m, world_smc, w);
	sim_platform_set_trace(&w->plat, default_trace, default_trace_ctx);
	w->plat_up = true;
	if (o->fail_at) {
		sim_platform_fail_nth(&w->plat, o->fail_op, o->fail_at);
		w->faulting = true;
	}
	memset(&tc, 0, sizeof(tc));
	tc.platform = &w->plat.ops;
	tc.max_vms = o->max_vms;
	tc.step_pages = o->step_pages;
	tc.vm_quota = o->vm_quota;
	if (world_port_is_xen()) {
		w->xen = xen_world_boot(&w->plat, o->host_pages, &tc, &rc);
		if (!w->xen) {
			world_err(w, "another Xen world is running");
			return false;
		}
	} else {
		rc = teemed_init(&tc, &w->t);
	}
	if (rc != TEEMED_OK) {
		if (!fault_refusal(w, rc))
			world_err(w, "%s: %d",
				  w->xen ? "Xen's mediator probe" : "teemed_init",
				  rc);
		w->t = NULL;
		return false;
	}
	return true;
}

bool world_vm_add(struct world *w, struct world_vm *v, uint16_t id,
		  uint32_t ram_pages, const struct teemed_quota *quota)
{
	int rc;

	memset(v, 0, sizeof(*v));
	v->hv.vm_id = id;
	v->hv.vcpu = TEEMED_TRACE_NO_VCPU;
	v->ram_pages = ram_pages;
	if (machine_guest_add(w->m, id, ram_pages)) {
		world_err(w, "machine_guest_add(%u) failed", id);
		return false;
	}
	if (w->xen)
		rc = xen_world_vm_create(w->xen, id, &v->hv, quota,
					 &v->port_vm, &v->vm);
	else {
		struct teemed_vm_config cfg = {
			.quota = quota,
			.features_off = w->features_off,
		};

		rc = teemed_vm_create_ex(w->t, id, &v->hv, &cfg, &v->vm);
	}
	if (rc != TEEMED_OK) {
		v->vm = NULL;
		/* What the attempt left is for world_vm_destroy() to find. */
		v->refused = fault_refusal(w, rc);
		if (!v->refused)
			world_err(w, "teemed_vm_create(%u): %d", id, rc);
		return false;
	}
	v->hv.vcpu = 0; /* the boot vCPU; a scheduler sets the one it runs */
	return true;
}

enum teemed_smc_result world_vm_smc(struct world *w, struct world_vm *v,
				    uint32_t vcpu, struct teemed_regs *regs)
{
	if (w->xen)
		return xen_world_smc(w->xen, v->port_vm, vcpu, regs);
	return teemed_vcpu_smc(v->vm, vcpu, regs);
}

int world_vm_destroy_step(struct world *w, struct world_vm *v)
{
	int rc;

	if (w->xen)
		rc = xen_world_vm_destroy_step(w->xen, v->port_vm);
	else
		rc = teemed_vm_destroy(v->vm);
	if (rc == TEEMED_OK) {
		v->vm = NULL;
		v->port_vm = NULL;
	}
	return rc;
}

uint64_t world_vm_destroy(struct world *w, struct world_vm *v, uint64_t *steps)
{
	uint16_t id = v->hv.vm_id;
	uint64_t n = 0, io = 0, pins;
	int rc = TEEMED_OK;

	v->hv.vcpu = TEEMED_TRACE_NO_VCPU; /* its vCPUs are stopped */
	if (v->vm) {
		do {
			rc = world_vm_destroy_step(w, v);
			n++;
			if (rc == TEEMED_ERR_IO &&
			    io++ < w->destroy_io_retries) {
				w->destroy_retries++;
				rc = TEEMED_ERR_AGAIN;
			}
		} while (rc == TEEMED_ERR_AGAIN && n < w->destroy_step_limit);
	}
	if (steps)
		*steps += n;
	if (rc != TEEMED_OK) {
		world_err(w, "teemed_vm_destroy(%u): %d after %llu steps", id,
			  rc, (unsigned long long)n);
		return 0;
	}
	v->vm = NULL;
	oracle_vm_gone(w->orc, id, &v->hv);
	pins = machine_pins_of(w->m, id);
	machine_guest_remove(w->m, id);
	return pins;
}

void world_fini(struct world *w, struct world_end *end)
{
	memset(end, 0, sizeof(*end));
	if (w->t) {
		int rc = teemed_fini(w->t);

		if (rc != TEEMED_OK)
			world_err(w, "teemed_fini: %d", rc);
	}
	if (w->xen) {
		xen_world_shutdown(w->xen, &end->instance_objs,
				   &end->instance_pages);
		/* xmalloc knows no domain: a VM's leaked object shows here. */
		if (end->instance_objs || end->instance_pages)
			world_err(w,
				  "Xen's mediator holds %lld objects and %lld "
				  "pages more than after boot",
				  (long long)end->instance_objs,
				  (long long)end->instance_pages);
	}
	if (w->m)
		end->leaked_mediator_pages = machine_mediator_pages(w->m);
	if (w->plat_up) {
		memcpy(end->op_calls, w->plat.op_calls, sizeof(end->op_calls));
		end->injected_faults = w->plat.injected_faults;
		if (!w->xen) {
			end->instance_objs = w->plat.global.objs;
			end->instance_pages = w->plat.global.pages;
		}
		if (w->plat.max_locks_held > 1)
			world_err(w, "teemed held %d platform locks at once",
				  w->plat.max_locks_held);
		if (w->plat.smc_under_lock)
			world_err(w, "teemed issued an SMC under a lock");
		sim_platform_fini(&w->plat);
	}
	if (w->orc) {
		end->oracle_violations = oracle_violations(w->orc);
		end->oracle_checks = oracle_checks(w->orc);
		snprintf(end->first_violation, sizeof(end->first_violation),
			 "%s", oracle_first_violation(w->orc));
	}
	optee_model_destroy(w->sw);
	oracle_destroy(w->orc);
	machine_destroy(w->m);
	w->t = NULL;
	w->xen = NULL;
	w->m = NULL;
	w->orc = NULL;
	w->sw = NULL;
	w->plat_up = false;
}

uint32_t world_poll_irq(struct world *w)
{
	if (!w->t || !optee_model_take_irq(w->sw))
		return 0;
	return teemed_notif_irq(w->t);
}
