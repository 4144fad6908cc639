/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz target: a sequence of SMCs from two VMs, interleaved at will.
 * Calls in flight pause often (step budget 4), so the input can resume
 * them in any order, with any thread id and any RPC answer, rewrite
 * guest memory under them, balloon pages, make the platform fail, and
 * destroy a VM in the middle of it all. Input (docs/fuzzing.md):
 *
 *   u8  world: bit 0 drain calls at the end, bit 1 tight quotas,
 *       bits 2-7 machine seed
 *   then operations, one u8 each (bit 0: VM, bits 1-7: kind) with
 *   their own bytes, until the input ends or FZ_SEQ_OPS ran. Kinds
 *   include RPC_ARG/REGD_ARG calls of a fuzzed message and the
 *   notification interrupt (teemed_notif_irq) at any point.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_driver.h"
#include "fuzz_input.h"
#include "fuzz_msg.h"
#include "fuzz_target.h"
#include "fuzz_world.h"
#include "optee_abi.h"

#define FZ_SEQ_OPS 512u
#define FZ_PENDING 8u
/* Beyond this a call is left to teardown (see fuzz_driver.c). */
#define FZ_DRAIN_SMCS 20000u

/* A call of the guest's that waits for it (RPC or FOREIGN_INTR). */
struct pending {
	bool used;
	struct teemed_regs rpc; /* what the mediator last said */
};

struct seq {
	struct fz_world w;
	struct pending pend[FZ_VMS][FZ_PENDING];
};

enum op_kind {
	OP_CALL,
	OP_RESUME,
	OP_RESUME_RAW,
	OP_FAST,
	OP_POKE,
	OP_BALLOON,
	OP_DESTROY,
	OP_FAULT,
	OP_RAW_STD,
	OP_FINISH,
	OP_CALL_KIND, /* CALL_WITH_RPC_ARG or _REGD_ARG of a message */
	OP_NOTIF_IRQ, /* OP-TEE's notification interrupt is handled */
	OP_COUNT
};

static const uint32_t fast_fids[] = {
	OPTEE_SMC_CALLS_COUNT,		  OPTEE_SMC_CALLS_UID,
	OPTEE_SMC_CALLS_REVISION,	  OPTEE_SMC_CALL_GET_OS_UUID,
	OPTEE_SMC_CALL_GET_OS_REVISION,	  OPTEE_SMC_GET_SHM_CONFIG,
	OPTEE_SMC_L2CC_MUTEX,		  OPTEE_SMC_EXCHANGE_CAPABILITIES,
	OPTEE_SMC_DISABLE_SHM_CACHE,	  OPTEE_SMC_ENABLE_SHM_CACHE,
	OPTEE_SMC_BOOT_SECONDARY,	  OPTEE_SMC_VM_CREATED,
	OPTEE_SMC_VM_DESTROYED,		  OPTEE_SMC_GET_THREAD_COUNT,
	OPTEE_SMC_ENABLE_ASYNC_NOTIF,	  OPTEE_SMC_GET_ASYNC_NOTIF_VALUE,
	OPTEE_SMC_GET_PROTMEM_CONFIG,	  0xB200FFFFu,
	0xBF00FF02u,			  0x84000000u, /* PSCI: not ours */
};

static const uint32_t std_fids[] = {
	OPTEE_SMC_CALL_WITH_ARG,      OPTEE_SMC_CALL_WITH_RPC_ARG,
	OPTEE_SMC_CALL_WITH_REGD_ARG, OPTEE_SMC_CALL_RETURN_FROM_RPC,
	0x32000005u,		      0x3F00FFFFu,
	0x72000004u, /* SMC64 CALL_WITH_ARG */
	0x04000000u, /* not a Trusted-OS owner */
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct pending *pending_find(struct seq *s, unsigned int v,
				    uint32_t thread)
{
	for (uint32_t i = 0; i < FZ_PENDING; i++)
		if (s->pend[v][i].used &&
		    (uint32_t)s->pend[v][i].rpc.a[3] == thread)
			return &s->pend[v][i];
	return NULL;
}

static struct pending *pending_nth(struct seq *s, unsigned int v, uint8_t k)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < FZ_PENDING; i++)
		n += s->pend[v][i].used;
	if (!n)
		return NULL;
	k = (uint8_t)(k % n);
	for (uint32_t i = 0; i < FZ_PENDING; i++)
		if (s->pend[v][i].used && !k--)
			return &s->pend[v][i];
	return NULL;
}

/*
 * Issue `r` for VM `v` and keep the guest's view of its calls in step
 * with the mediator's: a call paused for the guest must stay resumable
 * until it ends, and two calls never share a thread id.
 */
static uint32_t issue(struct seq *s, unsigned int v, struct teemed_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];
	uint32_t thread = (uint32_t)r->a[3];
	struct pending *p = NULL;
	uint32_t a0;

	if (fid == OPTEE_SMC_CALL_RETURN_FROM_RPC)
		p = pending_find(s, v, thread);
	a0 = fz_smc(&s->w, v, r);
	if (p && a0 == OPTEE_SMC_RETURN_ERESUME)
		fz_fail("vm %u: paused call %u cannot be resumed", v, thread);
	if (p && !OPTEE_SMC_RETURN_IS_RPC(a0))
		p->used = false;
	if (!OPTEE_SMC_RETURN_IS_RPC(a0))
		return a0;
	if (!p) {
		if (pending_find(s, v, (uint32_t)r->a[3]))
			fz_fail("vm %u: thread %u given to two calls", v,
				(uint32_t)r->a[3]);
		for (uint32_t i = 0; !p && i < FZ_PENDING; i++)
			if (!s->pend[v][i].used)
				p = &s->pend[v][i];
		if (!p)
			fz_fail("vm %u: more calls paused than allowed", v);
	} else if ((uint32_t)r->a[3] != thread) {
		fz_fail("vm %u: call %u came back as %u", v, thread,
			(uint32_t)r->a[3]);
	}
	p->used = true;
	p->rpc = *r;
	return a0;
}

/*
 * Serve `p` until its call ends: the first `hostile` answers from the
 * input, the rest correct, so operations after this one stay operations.
 */
static void finish(struct seq *s, unsigned int v, struct pending *p,
		   uint8_t hostile, struct fz_in *in)
{
	struct fz_in none = {NULL, 0};

	for (uint32_t n = 0; p->used && n < FZ_DRAIN_SMCS; n++) {
		struct teemed_regs r = p->rpc;

		fz_driver_answer(&s->w, v, &r, n < hostile ? in : &none);
		issue(s, v, &r);
	}
}

static void op_call(struct seq *s, unsigned int v, struct fz_in *in)
{
	struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_ARG}};
	uint64_t arg = fz_msg(&s->w, v, in);

	r.a[1] = arg >> 32;
	r.a[2] = (uint32_t)arg;
	r.a[3] = OPTEE_SMC_SHM_CACHED;
	issue(s, v, &r);
}

static void op_call_kind(struct seq *s, unsigned int v, struct fz_in *in)
{
	struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_ARG}};
	uint8_t kind = fz_u8(in);
	uint64_t arg = fz_msg(&s->w, v, in);

	r.a[1] = arg >> 32;
	r.a[2] = (uint32_t)arg;
	r.a[3] = OPTEE_SMC_SHM_CACHED;
	fz_driver_arg_kind(&s->w, v, kind % 2u + 1u, arg, &r, in);
	issue(s, v, &r);
}

static void raw_regs(struct teemed_regs *r, struct fz_in *in)
{
	uint8_t mask = fz_u8(in);

	for (unsigned int i = 1; i < 8; i++)
		if (mask & (1u << i))
			r->a[i] = fz_nohost_reg(fz_u32(in));
}

static void op_resume(struct seq *s, unsigned int v, struct fz_in *in)
{
	struct pending *p = pending_nth(s, v, fz_u8(in));
	struct teemed_regs r;

	if (!p)
		return;
	r = p->rpc;
	fz_driver_answer(&s->w, v, &r, in);
	issue(s, v, &r);
}

static void op_resume_raw(struct seq *s, unsigned int v, struct fz_in *in)
{
	struct teemed_regs r = {{OPTEE_SMC_CALL_RETURN_FROM_RPC}};
	uint8_t sel = fz_u8(in);

	raw_regs(&r, in);
	r.a[3] = sel < 0xF0 ? sel % 8u : fz_nohost_reg(fz_u32(in));
	issue(s, v, &r);
}

static void op_fast(struct seq *s, unsigned int v, struct fz_in *in)
{
	struct teemed_regs r = {{fast_fids[fz_u8(in) % ARRAY_LEN(fast_fids)]}};
	uint32_t fid = (uint32_t)r.a[0];

	raw_regs(&r, in);
	if (fz_smc(&s->w, v, &r) == OPTEE_SMC_RETURN_OK &&
	    fid == OPTEE_SMC_DISABLE_SHM_CACHE) {
		/* The guest frees the RPC buffer handed back. */
		uint64_t cookie = (uint64_t)(uint32_t)r.a[1] << 32 |
				  (uint32_t)r.a[2];

		for (uint32_t i = 0; i < FZ_RPC_ARGS; i++)
			if (s->w.vms[v].rpc[i].cookie == cookie)
				s->w.vms[v].rpc[i].cookie = 0;
	}
}

static void op_poke(struct seq *s, unsigned int v, struct fz_in *in)
{
	uint8_t sel = fz_u8(in);
	uint64_t ipa = sel & 0x80u ? s->w.vms[v].watch[sel % FZ_WATCH]
				   : fz_addr(&s->w, v, sel, 0, in);
	uint64_t off = fz_u16(in) % MACHINE_PAGE_SIZE & ~7ull;
	uint64_t value = fz_nohost(fz_u64(in));

	ipa -= ipa % MACHINE_PAGE_SIZE;
	fz_guest_write(&s->w, v, ipa + off, &value, sizeof(value));
}

static void op_fault(struct seq *s, struct fz_in *in)
{
	static const enum sim_op ops[3] = {SIM_OP_PIN, SIM_OP_ALLOC_PAGE,
					   SIM_OP_ALLOC_OBJ};
	uint8_t sel = fz_u8(in);

	sim_platform_fail_nth(&s->w.world.plat, ops[sel % 3u],
			      1u + sel / 3u % 8u);
}

static void op_raw_std(struct seq *s, unsigned int v, struct fz_in *in)
{
	struct teemed_regs r = {{std_fids[fz_u8(in) % ARRAY_LEN(std_fids)]}};

	raw_regs(&r, in);
	issue(s, v, &r);
}

static void op_destroy(struct seq *s, unsigned int v)
{
	fz_vm_destroy(&s->w, v);
	memset(s->pend[v], 0, sizeof(s->pend[v]));
}

static void run_op(struct seq *s, uint8_t op, struct fz_in *in)
{
	unsigned int v = op & 1u;
	struct pending *p;

	if (!fz_alive(&s->w, v))
		v ^= 1u;
	switch ((op >> 1) % OP_COUNT) {
	case OP_CALL:
		op_call(s, v, in);
		break;
	case OP_RESUME:
		op_resume(s, v, in);
		break;
	case OP_RESUME_RAW:
		op_resume_raw(s, v, in);
		break;
	case OP_FAST:
		op_fast(s, v, in);
		break;
	case OP_POKE:
		op_poke(s, v, in);
		break;
	case OP_BALLOON:
		machine_guest_balloon(s->w.world.m, s->w.vms[v].wv.hv.vm_id,
				      fz_addr(&s->w, v, fz_u8(in), 0, in));
		break;
	case OP_DESTROY:
		op_destroy(s, v);
		break;
	case OP_FAULT:
		op_fault(s, in);
		break;
	case OP_RAW_STD:
		op_raw_std(s, v, in);
		break;
	case OP_CALL_KIND:
		op_call_kind(s, v, in);
		break;
	case OP_NOTIF_IRQ:
		/* Whether or not OP-TEE raised it: a spurious one is fine.
		   Through the Xen port (TEEMED_WORLD_PORT=xen) there is no
		   instance here and no such interrupt: the port offers
		   guests no notifications. */
		if (s->w.world.t)
			teemed_notif_irq(s->w.world.t);
		break;
	default:
		p = pending_nth(s, v, fz_u8(in));
		if (p)
			finish(s, v, p, fz_u8(in), in);
		else
			fz_u8(in);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct teemed_quota tight = {
		.pinned_pages = 48,
		.buffers = 3,
		.rpc_buffers = 2,
		.calls = 2,
		.mediator_pages = 24,
	};
	struct fz_in in = {data, size};
	struct fz_world_opts o = {0};
	struct seq s;
	uint8_t hdr = fz_u8(&in);

	memset(&s, 0, sizeof(s));
	o.step_pages = 4;
	o.seed = hdr >> 2;
	if (hdr & 2u)
		o.quota = tight;
	fz_world_init(&s.w, &o);
	fz_driver_setup(&s.w, 0);
	fz_driver_setup(&s.w, 1);
	for (uint32_t n = 0; n < FZ_SEQ_OPS && fz_more(&in); n++) {
		if (!fz_alive(&s.w, 0) && !fz_alive(&s.w, 1))
			break;
		run_op(&s, fz_u8(&in), &in);
	}
	/* Nothing armed may fire in the teardown checks. */
	sim_platform_clear_faults(&s.w.world.plat);
	for (unsigned int v = 0; (hdr & 1u) && v < FZ_VMS; v++)
		for (uint32_t i = 0; i < FZ_PENDING; i++)
			if (s.pend[v][i].used && fz_alive(&s.w, v))
				finish(&s, v, &s.pend[v][i], 0, &in);
	fz_world_fini(&s.w);
	return 0;
}
