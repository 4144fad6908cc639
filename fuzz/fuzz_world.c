/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fuzz world (see fuzz_world.h): its options for the simulator's
 * world, the checked SMC path and the leak checks that turn every fuzz
 * run into a security check.
 */
#include "fuzz_world.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optee_abi.h"

/* Host RAM: both guests, their MMIO windows, and room for the mediator. */
#define FZ_HOST_PAGES 320u
/* A destroy that needs more steps than this is a hang. */
#define FZ_DESTROY_STEPS 100000u

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("teemed fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void check_oracle(struct fz_world *w, const char *when)
{
	if (oracle_violations(w->world.orc))
		fz_fail("oracle violation %s: %s", when,
			oracle_first_violation(w->world.orc));
	if (w->world.plat.max_locks_held > 1)
		fz_fail("%s: teemed held %d locks at once", when,
			w->world.plat.max_locks_held);
	if (w->world.plat.smc_under_lock)
		fz_fail("%s: teemed issued an SMC under a lock", when);
}

uint8_t *fz_guest_ptr(struct fz_world *w, unsigned int v, uint64_t ipa)
{
	return machine_guest_ptr(w->world.m, w->vms[v].wv.hv.vm_id, ipa);
}

void fz_guest_write(struct fz_world *w, unsigned int v, uint64_t ipa,
		    const void *src, uint64_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint64_t off = ipa % MACHINE_PAGE_SIZE;
		uint64_t chunk = MACHINE_PAGE_SIZE - off;
		uint8_t *page = fz_guest_ptr(w, v, ipa - off);

		if (chunk > len)
			chunk = len;
		if (page)
			memcpy(page + off, s, (size_t)chunk);
		ipa += chunk;
		s += chunk;
		len -= chunk;
	}
}

void fz_watch(struct fz_world *w, unsigned int v, uint64_t ipa)
{
	struct fz_vm *fv = &w->vms[v];

	ipa -= ipa % MACHINE_PAGE_SIZE;
	for (uint32_t i = 0; i < FZ_WATCH; i++)
		if (fv->watch[i] == ipa)
			return;
	fv->watch[fv->watch_next++ % FZ_WATCH] = ipa;
}

/* Registers the SMC wrote must hold a defined answer (spec §1.5). */
static void check_std_answer(struct fz_world *w, const struct teemed_regs *r)
{
	uint32_t a0 = (uint32_t)r->a[0];

	if (OPTEE_SMC_RETURN_IS_RPC(a0)) {
		switch (a0) {
		case OPTEE_SMC_RETURN_RPC_ALLOC:
		case OPTEE_SMC_RETURN_RPC_FREE:
		case OPTEE_SMC_RETURN_RPC_FOREIGN_INTR:
		case OPTEE_SMC_RETURN_RPC_CMD:
			break;
		default:
			fz_fail("undefined RPC 0x%" PRIx32 " to a guest", a0);
		}
		if ((uint32_t)r->a[3] >= TEEMED_MAX_CALLS)
			fz_fail("RPC names thread %" PRIu64, r->a[3]);
		return;
	}
	if (a0 > OPTEE_SMC_RETURN_ENOTAVAIL &&
	    a0 != OPTEE_SMC_RETURN_UNKNOWN_FUNCTION)
		fz_fail("undefined answer 0x%" PRIx32 " to a yielding call",
			a0);
}

/* What teemed counts must be what the machine sees, between SMCs. */
static void check_accounting(struct fz_world *w, unsigned int v)
{
	struct fz_vm *fv = &w->vms[v];
	struct teemed_vm_stats st;
	uint64_t pins = machine_pins_of(w->world.m, fv->wv.hv.vm_id);

	teemed_vm_get_stats(fv->wv.vm, &st);
	if ((uint64_t)st.pinned_pages + st.pinned_args != pins)
		fz_fail("vm %u: teemed counts %" PRIu32 " + %" PRIu32
			" pins, machine %" PRIu64,
			v, st.pinned_pages, st.pinned_args, pins);
	if (st.pinned_args > st.calls)
		fz_fail("vm %u: %" PRIu32 " argument pins, %" PRIu32 " calls",
			v, st.pinned_args, st.calls);
	if ((int64_t)st.mediator_pages != fv->wv.hv.pages)
		fz_fail("vm %u: teemed counts %" PRIu32
			" mediator pages, platform %" PRId64,
			v, st.mediator_pages, fv->wv.hv.pages);
	if (st.max_pages_per_smc > w->step_pages)
		fz_fail("vm %u: %" PRIu32 " pages in one SMC, budget %" PRIu32,
			v, st.max_pages_per_smc, w->step_pages);
	if (st.calls > w->world.threads)
		fz_fail("vm %u: %" PRIu32 " calls in flight", v, st.calls);
}

struct snapshot {
	uint8_t *page[FZ_WATCH];
	uint8_t before[FZ_WATCH][FZ_WATCH_BYTES];
};

static void snap(struct fz_world *w, unsigned int v, struct snapshot *s)
{
	const struct fz_vm *fv = &w->vms[v];

	for (uint32_t i = 0; i < FZ_WATCH; i++) {
		s->page[i] = fv->watch[i] ? fz_guest_ptr(w, v, fv->watch[i])
					  : NULL;
		if (s->page[i])
			memcpy(s->before[i], s->page[i], FZ_WATCH_BYTES);
	}
}

/* Only words that changed: the guest may store anything itself. */
static void check_written(struct fz_world *w, unsigned int v,
			  const struct snapshot *s)
{
	for (uint32_t i = 0; i < FZ_WATCH; i++) {
		if (!s->page[i])
			continue;
		for (uint32_t off = 0; off < FZ_WATCH_BYTES; off += 8)
			if (memcmp(s->page[i] + off, s->before[i] + off, 8))
				oracle_guest_bytes(w->world.orc,
						   w->vms[v].wv.hv.vm_id,
						   s->page[i] + off, 8,
						   "guest page after SMC");
	}
}

uint32_t fz_smc(struct fz_world *w, unsigned int v, struct teemed_regs *regs)
{
	struct fz_vm *fv = &w->vms[v];
	struct teemed_regs in = *regs;
	uint32_t fid = (uint32_t)regs->a[0];
	uint32_t owner = (fid >> OPTEE_SMC_OWNER_SHIFT) & OPTEE_SMC_OWNER_MASK;
	bool ours = owner >= OPTEE_SMC_OWNER_TRUSTED_OS &&
		    owner <= OPTEE_SMC_OWNER_TRUSTED_OS_API;
	struct snapshot s;
	enum teemed_smc_result res;

	if (!fv->wv.vm)
		fz_fail("SMC for destroyed vm %u", v);
	snap(w, v, &s);
	/* Which vCPU traps is the guest's choice too: two, or unnamed. */
	res = world_vm_smc(&w->world, &fv->wv,
			   w->smcs % 3 == 2 ? TEEMED_NO_VCPU
					    : (uint32_t)(w->smcs % 3),
			   regs);
	w->smcs++;
	if (!ours) {
		if (res != TEEMED_SMC_NOT_OPTEE || memcmp(&in, regs, sizeof(in)))
			fz_fail("fid 0x%" PRIx32 " is not OP-TEE's but was "
				"handled", fid);
		return (uint32_t)regs->a[0];
	}
	if (res != TEEMED_SMC_HANDLED)
		fz_fail("fid 0x%" PRIx32 " not handled", fid);
	if (w->trace)
		fprintf(stderr,
			"vm %u: 0x%08" PRIx32 " a1 0x%" PRIx64 " a3 %" PRIu64
			" -> 0x%08" PRIx64 " a1 0x%" PRIx64 " a2 0x%" PRIx64
			" a3 %" PRIu64 "\n",
			v, fid, in.a[1], in.a[3], regs->a[0], regs->a[1],
			regs->a[2], regs->a[3]);
	oracle_guest_regs(w->world.orc, fv->wv.hv.vm_id, regs);
	check_written(w, v, &s);
	if (!(fid & OPTEE_SMC_FAST_CALL))
		check_std_answer(w, regs);
	check_accounting(w, v);
	check_oracle(w, "after an SMC");
	return (uint32_t)regs->a[0];
}

void fz_vm_destroy(struct fz_world *w, unsigned int v)
{
	struct fz_vm *fv = &w->vms[v];
	const struct sim_vm *hv = &fv->wv.hv;
	uint64_t pins;

	if (!fv->wv.vm)
		return;
	pins = world_vm_destroy(&w->world, &fv->wv, NULL);
	if (fv->wv.vm)
		fz_fail("vm %u: %s", v, w->world.first_error);
	/* What makes oracle_vm_gone() report a violation. */
	if (pins || hv->objs || hv->obj_bytes || hv->pages)
		fz_fail("vm %u after destroy: %s", v,
			oracle_first_violation(w->world.orc));
	if (optee_model_vm_objects(w->world.sw, hv->vm_id))
		fz_fail("vm %u: partition still holds objects", v);
	check_oracle(w, "after a destroy");
}

void fz_world_init(struct fz_world *w, const struct fz_world_opts *o)
{
	struct world_opts wo;

	memset(&wo, 0, sizeof(wo));
	wo.host_pages = FZ_HOST_PAGES;
	wo.seed = o->seed;
	wo.max_vms = FZ_VMS;
	wo.step_pages = o->step_pages;
	wo.vm_quota = o->quota;
	wo.destroy_step_limit = FZ_DESTROY_STEPS;
	wo.destroy_io_fatal = true;
	memset(w, 0, sizeof(*w));
	w->trace = getenv("TEEMED_FUZZ_TRACE") != NULL;
	/* Only teemed_init() fails once the secure-world model is up. */
	if (!world_init(&w->world, &wo))
		fz_fail("%s", w->world.sw ? "teemed_init failed"
					  : "out of host memory for the world");
	w->step_pages = o->step_pages ? o->step_pages
				      : TEEMED_DEFAULT_STEP_PAGES;
	for (unsigned int v = 0; v < FZ_VMS; v++) {
		struct fz_vm *fv = &w->vms[v];

		fv->next_cookie = 0x50000u + v * 0x10000u;
		if (!world_vm_add(&w->world, &fv->wv, (uint16_t)(v + 1),
				  v ? FZ_OTHER_RAM_PAGES : FZ_RAM_PAGES, NULL))
			fz_fail("vm %u creation failed", v);
	}
}

void fz_world_fini(struct fz_world *w)
{
	struct world_end end;

	for (unsigned int v = 0; v < FZ_VMS; v++)
		fz_vm_destroy(w, v);
	world_fini(&w->world, &end);
	/* teemed_fini() refused, or broke a lock rule while finishing. */
	if (w->world.errors)
		fz_fail("at the end: %s", w->world.first_error);
	if (end.leaked_mediator_pages)
		fz_fail("%" PRIu64 " mediator pages leaked",
			end.leaked_mediator_pages);
	if (end.instance_objs || end.instance_pages)
		fz_fail("instance objects leaked");
	if (end.oracle_violations)
		fz_fail("oracle violation at the end: %s", end.first_violation);
}
