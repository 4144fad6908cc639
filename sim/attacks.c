/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The attack catalogue (see attacks.h). Every attack runs the same
 * frame: build a world, let the attack set up what it abuses, snapshot
 * everything the refused request must leave alone, play the hostile
 * step, compare, finish the calls the setup left suspended, check that
 * both VMs still work, tear down and look for leaks and violations.
 *
 * The expected answers come from spec/optee-abi.md (section in the
 * goal text) and docs/bounded-work.md; they were written before the
 * attacks were run.
 */
#include "attacks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"
#include "tas.h"
#include "optee_abi.h"
#include "world.h"

#define ATTACKER       1u
#define VICTIM	       2u
#define ATTACKER_PAGES 2048u
/* IPAs past the attacker's RAM but inside this are the victim's only. */
#define VICTIM_PAGES 2304u
#define HOST_PAGES   8192u
#define MAX_PENDING  8u
#define PAGE	     MACHINE_PAGE_SIZE
#define GARBAGE	     0xdeadbeef00000000ull
#define FNV_BASIS    0xcbf29ce484222325ull
#define RPC_MSG_SIZE OPTEE_MSG_GET_ARG_SIZE(OPTEE_RPC_MAX_NUM_PARAMS)

/* Attack flags. */
#define AF_SW_UNTOUCHED 0x1u /* the hostile step must not reach OP-TEE */
#define AF_STATE	0x2u /* changes state on purpose: own checks */
#define AF_VM1_GONE	0x4u /* the attacker's VM is destroyed */
/*
 * Attacks on asynchronous notifications, for worlds whose embedder cannot
 * inject interrupts (no platform notify), so no guest is offered them:
 * the answer is then UNKNOWN_FUNCTION (a function) or EBADCMD (a
 * command), and nothing reaches OP-TEE.
 */
#define AF_NOTIF_FN  0x8u
#define AF_NOTIF_CMD 0x10u

struct atk;
typedef void (*atk_fn)(struct atk *x);
typedef void (*build_fn)(struct atk *x, struct optee_msg_arg *m);

struct attack {
	const char *name;
	const char *klass;
	const char *goal;
	struct attack_answer expect;
	uint32_t flags;
	atk_fn run; /* NULL: one message made by `build` */
	build_fn build;
	uint64_t variant;
	struct teemed_quota quota;
	uint32_t step_pages;
};

/* What a refused request must leave as it was. */
struct snap {
	struct teemed_vm_stats st[2];
	uint64_t pins[2];
	uint32_t objs[2];
	struct optee_model_stats sw;
};

struct pending {
	struct hostile *who;
	struct teemed_regs r;
};

struct atk {
	const struct attack *a;
	struct attack_result *r;
	struct world w;
	struct world_vm vm[2];
	struct hostile h; /* the attacker */
	struct hostile v; /* the victim */
	uint32_t xform, checksum, slow, rpc, vsession;
	struct snap before;
	bool marked, settled;
	struct pending pending[MAX_PENDING];
	uint32_t npending;
	atk_fn after; /* once the pending calls are finished */
	uint64_t cookie;
	bool want_fnv;
	uint64_t fnv;
	uint64_t scratch[4];
	/* What the hook saw of the SMCs teemed issued. */
	bool watch;
	uint64_t bad_a7, upper_garbage;
	uint32_t last_sw_a0;
	uint64_t rpc_shadow_pa;
	bool alloc_seen;
	uint64_t alloc_pa;
	bool ram_at_zero; /* host RAM at PA 0 (world_opts) */
	/* Messages, read as struct optee_msg_arg. */
	_Alignas(8) uint8_t orig_msg[RPC_MSG_SIZE];
	_Alignas(8) uint8_t seen_msg[RPC_MSG_SIZE];
	bool grab_reply, reply_seen;
	void (*toctou)(struct atk *x, const struct teemed_regs *r);
	uint64_t toctou_seen;
	bool unoffered; /* notifications not offered in this world */
};

__attribute__((format(printf, 3, 4))) static bool check(struct atk *x, bool ok,
							const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	x->r->checks_ok = false;
	if (!x->r->note[0]) {
		va_start(ap, fmt);
		vsnprintf(x->r->note, sizeof(x->r->note), fmt, ap);
		va_end(ap);
	}
	return false;
}

static uint64_t pair(uint64_t hi, uint64_t lo)
{
	return (uint64_t)(uint32_t)hi << 32 | (uint32_t)lo;
}

static struct attack_answer smc_answer(uint32_t a0)
{
	struct attack_answer a = {ATTACK_ANS_SMC, a0, 0, 0};

	return a;
}

static struct attack_answer msg_answer(uint32_t ret, uint32_t origin)
{
	struct attack_answer a = {ATTACK_ANS_MSG, 0, ret, origin};

	return a;
}

static struct attack_answer rc_answer(int rc)
{
	struct attack_answer a = {ATTACK_ANS_RC, (uint32_t)rc, 0, 0};

	return a;
}

/* ------------------------------------------------------------------ */
/* The hook: what OP-TEE is handed                                     */

/*
 * Whether OP-TEE was told that an RPC_ALLOC failed: the PA it got fails
 * OP-TEE's own alignment check (thread_rpc_alloc_arg()). PA 0 would not:
 * where DRAM starts at 0, OP-TEE maps it.
 */
static bool alloc_refused(const struct atk *x)
{
	return (x->alloc_pa & 7) != 0;
}

static void atk_hook(void *ctx, struct teemed_regs *r, bool after)
{
	struct atk *x = ctx;
	uint32_t fid = (uint32_t)r->a[0];
	uint8_t *shadow;

	if (after) {
		x->last_sw_a0 = fid;
		shadow = x->rpc_shadow_pa
				 ? machine_pa_ptr(x->w.m, x->rpc_shadow_pa)
				 : NULL;
		/* Kept from the moment the guest's reply was taken. */
		if (fid == OPTEE_SMC_RETURN_RPC_CMD && shadow && !x->reply_seen)
			memcpy(x->orig_msg, shadow, sizeof(x->orig_msg));
		return;
	}
	if (x->watch) {
		if ((uint16_t)r->a[7] != ATTACKER)
			x->bad_a7++;
		for (int i = 0; i < 8; i++)
			if (r->a[i] >> 32)
				x->upper_garbage++;
	}
	if (fid == OPTEE_SMC_CALL_RETURN_FROM_RPC &&
	    x->last_sw_a0 == OPTEE_SMC_RETURN_RPC_ALLOC) {
		x->alloc_seen = true;
		x->alloc_pa = pair(r->a[1], r->a[2]);
		if (!alloc_refused(x))
			x->rpc_shadow_pa = x->alloc_pa;
	} else if (fid == OPTEE_SMC_CALL_RETURN_FROM_RPC && x->grab_reply &&
		   x->rpc_shadow_pa) {
		memcpy(x->seen_msg, machine_pa_ptr(x->w.m, x->rpc_shadow_pa),
		       sizeof(x->seen_msg));
		x->grab_reply = false;
		x->reply_seen = true;
	}
	if (fid == OPTEE_SMC_CALL_WITH_ARG && x->toctou) {
		void (*fn)(struct atk *, const struct teemed_regs *) =
			x->toctou;

		x->toctou = NULL;
		fn(x, r);
	}
}

/* ------------------------------------------------------------------ */
/* The frame                                                           */

static void take_snap(struct atk *x, struct snap *s)
{
	for (uint32_t i = 0; i < 2; i++) {
		uint16_t id = x->vm[i].hv.vm_id;

		memset(&s->st[i], 0, sizeof(s->st[i]));
		if (x->vm[i].vm)
			teemed_vm_get_stats(x->vm[i].vm, &s->st[i]);
		s->pins[i] = machine_pins_of(x->w.m, id);
		s->objs[i] = optee_model_vm_objects(x->w.sw, id);
	}
	optee_model_get_stats(x->w.sw, &s->sw);
}

/* Start of the hostile step. */
static void mark(struct atk *x)
{
	take_snap(x, &x->before);
	x->marked = true;
	x->watch = true;
}

#define SAME(field, what)                                                      \
	do {                                                                   \
		if (b->field != n.field) {                                     \
			x->r->unchanged = false;                               \
			if (!x->r->note[0])                                    \
				snprintf(x->r->note, sizeof(x->r->note),       \
					 "%s changed: %llu -> %llu", what,     \
					 (unsigned long long)b->field,         \
					 (unsigned long long)n.field);         \
		}                                                              \
	} while (0)

/* End of the hostile step: everything but its answer is as it was. */
static void settle(struct atk *x, struct attack_answer got)
{
	const struct snap *b = &x->before;
	struct snap n;

	x->watch = false;
	x->settled = true;
	x->r->observed = got;
	take_snap(x, &n);
	if (x->a->flags & AF_SW_UNTOUCHED)
		SAME(sw.smcs, "SMCs reaching OP-TEE");
	if (x->a->flags & AF_STATE)
		return;
	for (int i = 0; i < 2; i++) {
		SAME(st[i].calls, i ? "victim calls" : "attacker calls");
		SAME(st[i].pinned_pages, "teemed pinned pages");
		SAME(st[i].buffers, "teemed buffers");
		SAME(st[i].rpc_buffers, "teemed RPC buffers");
		SAME(st[i].mediator_pages, "teemed mediator pages");
		SAME(pins[i], i ? "victim pins" : "attacker pins");
		SAME(objs[i],
		     i ? "victim OP-TEE objects" : "attacker OP-TEE objects");
	}
	SAME(sw.sessions, "OP-TEE sessions");
	SAME(sw.threads_busy, "OP-TEE busy threads");
	SAME(sw.partitions, "OP-TEE partitions");
}

/* a0 and, when the call was answered, the message's verdict. */
static struct attack_answer call_answer(struct atk *x, uint32_t a0,
					const struct optee_msg_arg *m)
{
	if (a0 != OPTEE_SMC_RETURN_OK) {
		/* A refused SMC writes nothing back (EBADCMD: §2.6). */
		check(x,
		      !m || (m->ret == HOSTILE_SENTINEL &&
			     m->ret_origin == HOSTILE_SENTINEL),
		      "a0 0x%x but ret/origin written", a0);
		return smc_answer(a0);
	}
	return msg_answer(m->ret, m->ret_origin);
}

static void add_pending(struct atk *x, struct hostile *who,
			const struct teemed_regs *r)
{
	if (check(x, x->npending < MAX_PENDING, "too many pending calls")) {
		x->pending[x->npending].who = who;
		x->pending[x->npending].r = *r;
		x->npending++;
	}
}

static void finish_pending(struct atk *x)
{
	for (uint32_t i = 0; i < x->npending; i++) {
		struct pending *p = &x->pending[i];
		uint32_t a0 = hostile_finish(p->who, &p->r);

		check(x, a0 == OPTEE_SMC_RETURN_OK,
		      "suspended call %u ended with a0 0x%x", i, a0);
	}
	x->npending = 0;
}

static bool setup(struct atk *x)
{
	static const struct sim_uuid xform = TA_XFORM_UUID;
	static const struct sim_uuid sum = TA_CHECKSUM_UUID;
	struct world_opts o = {
		.host_pages = HOST_PAGES,
		.seed = 1,
		.max_vms = 2,
		.step_pages = x->a->step_pages,
		.ram_at_zero = x->ram_at_zero,
	};

	if (!world_init(&x->w, &o))
		return false;
	x->w.hook = atk_hook;
	x->w.hook_ctx = x;
	if (!world_vm_add(&x->w, &x->vm[0], ATTACKER, ATTACKER_PAGES,
			  &x->a->quota) ||
	    !world_vm_add(&x->w, &x->vm[1], VICTIM, VICTIM_PAGES, NULL))
		return false;
	hostile_init(&x->h, &x->w, &x->vm[0]);
	hostile_init(&x->v, &x->w, &x->vm[1]);
	x->xform = hostile_open(&x->h, &xform);
	x->checksum = hostile_open(&x->h, &sum);
	x->vsession = hostile_open(&x->v, &xform);
	return check(x, x->xform && x->checksum && x->vsession,
		     "setup: sessions did not open");
}

static void teardown(struct atk *x)
{
	struct world_end end;

	for (uint32_t i = 0; i < 2; i++) {
		uint16_t id = x->vm[i].hv.vm_id;
		uint64_t pins;

		if (!id)
			continue;
		pins = world_vm_destroy(&x->w, &x->vm[i], NULL);
		if (pins || optee_model_vm_objects(x->w.sw, id)) {
			x->r->clean = false;
			check(x, false, "vm %u: %llu pins left after destroy",
			      id, (unsigned long long)pins);
		}
	}
	world_fini(&x->w, &end);
	x->r->oracle_violations = end.oracle_violations;
	if (end.leaked_mediator_pages || x->w.errors) {
		x->r->clean = false;
		check(x, false, "teardown: %llu mediator pages left; %s",
		      (unsigned long long)end.leaked_mediator_pages,
		      x->w.first_error);
	}
	if (end.oracle_violations)
		check(x, false, "oracle: %s", end.first_violation);
}

/* Both VMs still get OP-TEE's service. */
static void health(struct atk *x)
{
	x->r->victim_ok = hostile_echo_ok(&x->v, x->vsession);
	if (!(x->a->flags & AF_VM1_GONE) && !hostile_echo_ok(&x->h, x->xform))
		x->r->victim_ok = false;
	if (!x->r->victim_ok && !x->r->note[0])
		snprintf(x->r->note, sizeof(x->r->note),
			 "a VM no longer gets service");
}

/* ------------------------------------------------------------------ */
/* Helpers the attacks share                                           */

enum bad_addr {
	BAD_OUTSIDE,  /* beyond anything the guest has */
	BAD_UNMAPPED, /* a hole in its RAM (ballooned out) */
	BAD_MMIO,
	BAD_OTHER_VM, /* RAM of the victim only */
	BAD_ZERO,
};

static uint64_t bad_ipa(struct atk *x, uint64_t kind)
{
	uint64_t p;

	switch (kind) {
	case BAD_OUTSIDE:
		return MACHINE_GUEST_RAM_BASE + (1ull << 40);
	case BAD_UNMAPPED:
		p = hostile_page(&x->h);
		check(x, machine_guest_balloon(x->w.m, ATTACKER, p) == 0,
		      "setup: could not balloon a free page");
		return p;
	case BAD_MMIO:
		return MACHINE_GUEST_MMIO_BASE;
	case BAD_OTHER_VM:
		return MACHINE_GUEST_RAM_BASE +
		       (uint64_t)(ATTACKER_PAGES + 16) * PAGE;
	default:
		return 0;
	}
}

static uint64_t fnv_page(struct atk *x, uint64_t h, uint64_t ipa)
{
	const uint8_t *p = hostile_ptr(&x->h, ipa);

	for (uint32_t i = 0; p && i < PAGE; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * The checksum OP-TEE must compute over `n` pages named by the guest's
 * list at `list`, walking it as spec §4.2 says (next pointer read only
 * when more entries follow), read now, before anyone can change it.
 */
static uint64_t fnv_of_list(struct atk *x, uint64_t list, uint32_t n)
{
	uint64_t h = FNV_BASIS;

	for (uint32_t i = 0; i < n; i++) {
		const uint64_t *slots = hostile_ptr(&x->h, list);
		uint32_t slot = i % OPTEE_MSG_PAGELIST_ENTRIES;

		if (i && !slot) {
			list = slots[OPTEE_MSG_PAGELIST_NEXT_SLOT];
			slots = hostile_ptr(&x->h, list);
		}
		if (!slots)
			return 0;
		h = fnv_page(x, h, slots[slot]);
	}
	return h;
}

/* INVOKE of the checksum TA: [0] left to the attack, [1] value out. */
static void prepare_checksum(struct atk *x, struct optee_msg_arg *m)
{
	m->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	m->func = TA_CHECKSUM_CMD_FNV;
	m->session = x->checksum;
	m->num_params = 2;
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
}

static uint64_t one_page_list(struct atk *x)
{
	return hostile_buffer(&x->h, 1, NULL);
}

static uint32_t open_ta(struct atk *x, uint32_t *cache,
			const struct sim_uuid *uuid)
{
	if (!*cache)
		*cache = hostile_open(&x->h, uuid);
	return *cache;
}

/* A slow call taking `spins` interrupts, left at its first one. */
static bool start_slow(struct atk *x, struct hostile *h, uint32_t session,
		       uint32_t spins, struct teemed_regs *r,
		       uint64_t rmem_cookie)
{
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_INVOKE_COMMAND,
				   rmem_cookie ? 2 : 1);
	struct optee_msg_arg *m = hostile_msg(h, ipa);

	m->func = TA_SLOW_CMD_SPIN;
	m->session = session;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	m->params[0].u.value.a = spins;
	if (rmem_cookie) {
		m->params[1].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
		m->params[1].u.rmem.size = 16;
		m->params[1].u.rmem.shm_ref = rmem_cookie;
	}
	hostile_call_start(h, ipa, r);
	return check(x, r->a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR,
		     "setup: slow call not suspended (a0 0x%llx)",
		     (unsigned long long)r->a[0]);
}

static uint32_t attacker_slow(struct atk *x)
{
	static const struct sim_uuid slow = TA_SLOW_UUID;

	return open_ta(x, &x->slow, &slow);
}

static uint32_t attacker_rpc(struct atk *x)
{
	static const struct sim_uuid rpc = TA_RPC_UUID;

	return open_ta(x, &x->rpc, &rpc);
}

/* TA_RPC reversing 256 bytes: RPC_ALLOC, SHM_ALLOC, supplicant, frees. */
static uint64_t start_rpc_call(struct atk *x, struct teemed_regs *r)
{
	uint64_t in_data, out_data;
	uint64_t in = hostile_buffer(&x->h, 1, &in_data);
	uint64_t out = hostile_buffer(&x->h, 1, &out_data);
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	struct optee_msg_arg *m = hostile_msg(&x->h, ipa);

	m->func = TA_RPC_CMD_REVERSE;
	m->session = attacker_rpc(x);
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, in, 256,
		     hostile_cookie(&x->h));
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m->params[1].u.value.b = OPTEE_RPC_SHM_TYPE_APPL;
	hostile_tmem(&m->params[2], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, out, 256,
		     hostile_cookie(&x->h));
	x->scratch[0] = in_data;
	x->scratch[1] = out_data;
	hostile_call_start(&x->h, ipa, r);
	return ipa;
}

/* The TA_RPC output is the input reversed. */
static void check_reversed(struct atk *x)
{
	const uint8_t *in = hostile_ptr(&x->h, x->scratch[0]);
	const uint8_t *out = hostile_ptr(&x->h, x->scratch[1]);

	for (uint32_t i = 0; in && out && i < 256; i++)
		if (!check(x, out[i] == in[255 - i],
			   "TA_RPC output wrong at byte %u", i))
			return;
}

static uint64_t registered(struct atk *x, uint32_t pages)
{
	uint64_t cookie = hostile_cookie(&x->h);

	check(x, hostile_register(&x->h, cookie, pages, NULL) == TEEC_SUCCESS,
	      "setup: REGISTER_SHM failed");
	return cookie;
}

static void unregister_after(struct atk *x)
{
	check(x, hostile_unregister(&x->h, x->cookie) == TEEC_SUCCESS,
	      "buffer could not be unregistered once idle");
}

/* ------------------------------------------------------------------ */
/* Message builders: one hostile CALL_WITH_ARG each                    */

static void b_bad_entry(struct atk *x, struct optee_msg_arg *m)
{
	uint64_t data = hostile_pages(&x->h, 4);
	uint64_t e[4] = {data, data + PAGE, bad_ipa(x, x->a->variant),
			 data + 3 * PAGE};

	prepare_checksum(x, m);
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
		     hostile_list(&x->h, e, 4), 4 * PAGE,
		     hostile_cookie(&x->h));
}

static void b_bad_list_page(struct atk *x, struct optee_msg_arg *m)
{
	prepare_checksum(x, m);
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
		     bad_ipa(x, x->a->variant), PAGE, hostile_cookie(&x->h));
}

enum loop_kind { LOOP_SELF, LOOP_EARLIER, LOOP_PAST_SIZE };

/* Page lists whose chain loops or goes on past the stated size. */
static void b_loop(struct atk *x, struct optee_msg_arg *m)
{
	static const uint32_t entries[] = {600, 1600, 511};
	uint32_t n = entries[x->a->variant];
	uint64_t data;
	uint64_t list = hostile_pages(&x->h, 3);

	hostile_buffer(&x->h, 8, &data);
	for (uint32_t k = 0; k < 3; k++) {
		uint64_t *slots = hostile_ptr(&x->h, list + k * PAGE);

		for (uint32_t j = 0; j < OPTEE_MSG_PAGELIST_ENTRIES; j++)
			slots[j] = data + ((k * 5 + j) % 8) * PAGE;
		slots[OPTEE_MSG_PAGELIST_NEXT_SLOT] = list + (k + 1) * PAGE;
	}
	switch (x->a->variant) {
	case LOOP_SELF:
		((uint64_t *)hostile_ptr(&x->h, list))[511] = list;
		break;
	case LOOP_EARLIER:
		((uint64_t *)hostile_ptr(&x->h, list + 2 * PAGE))[511] =
			list + PAGE;
		break;
	default:
		((uint64_t *)hostile_ptr(&x->h, list))[511] =
			MACHINE_GUEST_MMIO_BASE | 0x7;
		break;
	}
	prepare_checksum(x, m);
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, list,
		     (uint64_t)n * PAGE, hostile_cookie(&x->h));
	x->want_fnv = true;
	x->fnv = fnv_of_list(x, list, n);
}

enum size_kind { SIZE_OVERFLOW, SIZE_QUOTA, SIZE_ZERO };

static void b_size(struct atk *x, struct optee_msg_arg *m)
{
	static const uint64_t sizes[] = {UINT64_MAX - 0x800, 65 * PAGE, 0};
	uint64_t list = one_page_list(x);

	prepare_checksum(x, m);
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
		     list | (x->a->variant == SIZE_OVERFLOW ? 0xfff : 0),
		     sizes[x->a->variant], hostile_cookie(&x->h));
}

/* Four temporary memrefs whose pages together pass a quota. */
static void b_multi_tmem(struct atk *x, struct optee_msg_arg *m)
{
	uint64_t list = one_page_list(x);

	m->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	m->func = TA_XFORM_CMD_XOR;
	m->session = x->xform;
	m->num_params = 4;
	for (uint32_t i = 0; i < 4; i++)
		hostile_tmem(&m->params[i], OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
			     list, x->a->variant * PAGE, hostile_cookie(&x->h));
}

static void b_num_params(struct atk *x, struct optee_msg_arg *m)
{
	prepare_checksum(x, m);
	m->num_params = OPTEE_MSG_MAX_NUM_PARAMS + 1;
}

static void b_cmd(struct atk *x, struct optee_msg_arg *m)
{
	m->cmd = (uint32_t)x->a->variant;
	m->num_params = 0;
}

/* A notification command with a parameter OP-TEE would ignore. */
static void b_notif_params(struct atk *x, struct optee_msg_arg *m)
{
	m->cmd = (uint32_t)x->a->variant;
	m->num_params = 1;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
}

/* params[0] with a hostile attribute and a harmless value. */
static void b_attr(struct atk *x, struct optee_msg_arg *m)
{
	prepare_checksum(x, m);
	m->params[0].attr = x->a->variant;
	m->params[0].u.value.a = 1;
}

static void b_tmem_contiguous(struct atk *x, struct optee_msg_arg *m)
{
	prepare_checksum(x, m);
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT;
	m->params[0].u.tmem.buf_ptr = hostile_page(&x->h);
	m->params[0].u.tmem.size = PAGE;
}

enum reg_kind { REG_COOKIE_ZERO, REG_COOKIE_DUP };

static void b_register(struct atk *x, struct optee_msg_arg *m)
{
	uint64_t cookie = 0;

	if (x->a->variant == REG_COOKIE_DUP)
		cookie = registered(x, 1);
	m->cmd = OPTEE_MSG_CMD_REGISTER_SHM;
	m->num_params = 1;
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
		     one_page_list(x), PAGE, cookie);
}

enum rmem_kind {
	RMEM_OTHER_VM,
	RMEM_UNKNOWN,
	RMEM_OFFS_RANGE,
	RMEM_OVERFLOW,
	RMEM_RPC_ARG,
	RMEM_PAYLOAD,
};

/* Leave an RPC argument buffer with OP-TEE: the cache keeps it (§5.6). */
static uint64_t cached_rpc_arg(struct atk *x)
{
	struct teemed_regs r = {{OPTEE_SMC_ENABLE_SHM_CACHE}};

	hostile_smc(&x->h, &r);
	check(x, r.a[0] == OPTEE_SMC_RETURN_OK, "setup: cache not enabled");
	start_rpc_call(x, &r);
	check(x, hostile_finish(&x->h, &r) == OPTEE_SMC_RETURN_OK,
	      "setup: TA_RPC call failed");
	for (uint32_t i = 0; i < HOSTILE_MAX_BUFS; i++)
		if (x->h.rpc_args[i].cookie)
			return x->h.rpc_args[i].cookie;
	check(x, false, "setup: no RPC argument buffer left");
	return 0;
}

/* A TA_RPC call suspended while its payload is live; its cookie. */
static uint64_t live_payload(struct atk *x)
{
	struct teemed_regs r;

	start_rpc_call(x, &r);
	if (!check(x,
		   hostile_until(&x->h, &r, OPTEE_SMC_RETURN_RPC_CMD,
				 TA_RPC_SUPP_CMD),
		   "setup: TA_RPC never asked the supplicant"))
		return 0;
	add_pending(x, &x->h, &r);
	return hostile_rpc_msg(&x->h, &r)->params[1].u.rmem.shm_ref;
}

static void b_rmem(struct atk *x, struct optee_msg_arg *m)
{
	struct optee_msg_param_rmem *rm = &m->params[0].u.rmem;

	prepare_checksum(x, m);
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	rm->size = 16;
	switch (x->a->variant) {
	case RMEM_OTHER_VM:
		rm->shm_ref = hostile_cookie(&x->v);
		check(x, hostile_register(&x->v, rm->shm_ref, 1, NULL) == 0,
		      "setup: victim could not register");
		break;
	case RMEM_UNKNOWN:
		rm->shm_ref = 0x123456789ull;
		break;
	case RMEM_OFFS_RANGE:
		rm->shm_ref = registered(x, 1);
		rm->offs = 2 * PAGE;
		break;
	case RMEM_OVERFLOW:
		rm->shm_ref = registered(x, 1);
		rm->offs = 16;
		rm->size = UINT64_MAX - 8;
		break;
	case RMEM_RPC_ARG:
		rm->shm_ref = cached_rpc_arg(x);
		break;
	default:
		rm->shm_ref = live_payload(x);
		break;
	}
}

enum unreg_kind { UNREG_IN_USE, UNREG_TWICE };

static void b_unregister(struct atk *x, struct optee_msg_arg *m)
{
	struct teemed_regs r;

	x->cookie = registered(x, 1);
	if (x->a->variant == UNREG_IN_USE) {
		/* A slow call holds it by rmem, suspended in an interrupt. */
		if (start_slow(x, &x->h, attacker_slow(x), 2, &r, x->cookie))
			add_pending(x, &x->h, &r);
		x->after = unregister_after;
	} else {
		check(x, hostile_unregister(&x->h, x->cookie) == TEEC_SUCCESS,
		      "setup: first UNREGISTER_SHM failed");
	}
	m->cmd = OPTEE_MSG_CMD_UNREGISTER_SHM;
	m->num_params = 1;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.shm_ref = x->cookie;
}

/* One hostile message, served to its end like any call. */
static void run_msg(struct atk *x)
{
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	struct optee_msg_arg *m = hostile_msg(&x->h, ipa);
	struct attack_answer got;
	uint32_t a0;

	x->a->build(x, m);
	m->ret = HOSTILE_SENTINEL;
	m->ret_origin = HOSTILE_SENTINEL;
	mark(x);
	a0 = hostile_call(&x->h, ipa);
	got = call_answer(x, a0, m);
	settle(x, got);
	if (x->want_fnv && a0 == OPTEE_SMC_RETURN_OK)
		check(x, (uint32_t)m->params[1].u.value.a == (uint32_t)x->fnv,
		      "OP-TEE checksummed other pages than the list names");
}

/* ------------------------------------------------------------------ */
/* Register-level attacks                                              */

/* CALL_WITH_ARG naming an argument the guest may not share. */
static void run_arg(struct atk *x)
{
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_ARG}};

	ipa = x->a->variant == ~0ull ? ipa + 8 : bad_ipa(x, x->a->variant);
	r.a[1] = ipa >> 32;
	r.a[2] = (uint32_t)ipa;
	mark(x);
	hostile_smc(&x->h, &r);
	settle(x, smc_answer((uint32_t)r.a[0]));
}

enum resume_kind { RES_OTHER_VM, RES_NOT_SUSPENDED, RES_HUGE, RES_TWICE };

static void run_resume(struct atk *x)
{
	static const struct sim_uuid slow = TA_SLOW_UUID;
	struct teemed_regs r = {{0}}, s;
	uint64_t thread = 0;

	switch (x->a->variant) {
	case RES_OTHER_VM:
		/* The victim's call waits in OP-TEE's thread a3. */
		if (start_slow(x, &x->v, hostile_open(&x->v, &slow), 1, &s, 0))
			add_pending(x, &x->v, &s);
		thread = s.a[3];
		break;
	case RES_HUGE:
		thread = 0xffffffffu;
		break;
	case RES_TWICE:
		if (start_slow(x, &x->h, attacker_slow(x), 1, &s, 0)) {
			thread = s.a[3];
			check(x,
			      hostile_finish(&x->h, &s) == OPTEE_SMC_RETURN_OK,
			      "setup: slow call failed");
		}
		break;
	default:
		break;
	}
	r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r.a[3] = thread;
	mark(x);
	hostile_smc(&x->h, &r);
	settle(x, smc_answer((uint32_t)r.a[0]));
}

enum alloc_kind {
	ALLOC_MISALIGNED = 16, /* after the bad_addr kinds */
	ALLOC_COOKIE_IN_USE,
	ALLOC_COOKIE_ZERO,
};

/* The guest's answer to RPC_ALLOC names what OP-TEE must not get. */
static void run_rpc_alloc(struct atk *x)
{
	uint64_t kind = x->a->variant, ipa, cookie;
	uint64_t arg;
	struct teemed_regs r;

	cookie = kind == ALLOC_COOKIE_IN_USE ? registered(x, 1)
					     : hostile_cookie(&x->h);
	if (kind == ALLOC_COOKIE_ZERO)
		cookie = 0;
	if (kind >= ALLOC_MISALIGNED)
		ipa = hostile_page(&x->h) + (kind == ALLOC_MISALIGNED ? 8 : 0);
	else
		ipa = bad_ipa(x, kind);
	attacker_rpc(x);
	mark(x);
	arg = start_rpc_call(x, &r);
	if (!check(x, hostile_until(&x->h, &r, OPTEE_SMC_RETURN_RPC_ALLOC, 0),
		   "no RPC_ALLOC came"))
		return;
	r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r.a[1] = ipa >> 32;
	r.a[2] = (uint32_t)ipa;
	r.a[4] = cookie >> 32;
	r.a[5] = (uint32_t)cookie;
	x->alloc_seen = false;
	hostile_smc(&x->h, &r);
	check(x, x->alloc_seen && alloc_refused(x),
	      "OP-TEE was given 0x%llx for a refused RPC_ALLOC",
	      (unsigned long long)x->alloc_pa);
	settle(x, call_answer(x, hostile_finish(&x->h, &r),
			      hostile_msg(&x->h, arg)));
}

/*
 * The guest rewrites the RPC message between RPC_CMD and its answer:
 * OP-TEE must read back only ret, value outputs and memref sizes (§6.4).
 */
static void run_rpc_rewrite(struct atk *x)
{
	const struct optee_msg_arg *orig = (const void *)x->orig_msg;
	const struct optee_msg_arg *seen = (const void *)x->seen_msg;
	struct optee_msg_arg *m;
	struct teemed_regs r;
	uint64_t arg;

	attacker_rpc(x);
	mark(x);
	arg = start_rpc_call(x, &r);
	if (!check(x,
		   hostile_until(&x->h, &r, OPTEE_SMC_RETURN_RPC_CMD,
				 TA_RPC_SUPP_CMD),
		   "TA_RPC never asked the supplicant"))
		return;
	m = hostile_rpc_msg(&x->h, &r);
	hostile_rpc_serve(&x->h, &r);
	m->cmd = OPTEE_RPC_CMD_SHM_ALLOC;
	m->session = 0x5e55;
	m->num_params = 4;
	m->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_INOUT | OPTEE_MSG_ATTR_NONCONTIG;
	m->params[0].u.tmem.buf_ptr = MACHINE_GUEST_RAM_BASE;
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
	m->params[1].u.rmem.offs = 8 * PAGE;
	m->params[1].u.rmem.size = 7; /* an output size: allowed through */
	m->params[1].u.rmem.shm_ref = 0x4141414141414141ull;
	m->params[2].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	m->params[3].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
	x->grab_reply = true;
	hostile_smc(&x->h, &r);
	if (check(x, x->reply_seen, "no RETURN_FROM_RPC reached OP-TEE")) {
		check(x,
		      seen->cmd == orig->cmd &&
			      seen->session == orig->session &&
			      seen->num_params == orig->num_params,
		      "OP-TEE sees a rewritten header: cmd %u/%u params %u/%u "
		      "session %u/%u",
		      seen->cmd, orig->cmd, seen->num_params, orig->num_params,
		      seen->session, orig->session);
		check(x,
		      !memcmp(&seen->params[0], &orig->params[0],
			      sizeof(seen->params[0])),
		      "OP-TEE sees a rewritten value input");
		check(x,
		      seen->params[1].attr == orig->params[1].attr &&
			      seen->params[1].u.rmem.offs ==
				      orig->params[1].u.rmem.offs &&
			      seen->params[1].u.rmem.shm_ref ==
				      orig->params[1].u.rmem.shm_ref &&
			      seen->params[1].u.rmem.size == 7,
		      "OP-TEE sees a rewritten memref (attr 0x%llx)",
		      (unsigned long long)seen->params[1].attr);
		check(x, seen->ret == TEEC_SUCCESS, "OP-TEE lost the ret");
	}
	settle(x, call_answer(x, hostile_finish(&x->h, &r),
			      hostile_msg(&x->h, arg)));
	check_reversed(x);
}

enum shm_kind { SHM_BAD_LIST, SHM_TOO_SMALL, SHM_COOKIE_REUSE };

/* The guest's SHM_ALLOC reply is unusable: OP-TEE hears "no memory"
   and the guest is asked to free what it offered (§6.7). */
static void run_shm_alloc(struct atk *x)
{
	uint64_t cookie = x->a->variant == SHM_COOKIE_REUSE
				  ? registered(x, 1)
				  : hostile_cookie(&x->h);
	uint64_t mmio[1] = {MACHINE_GUEST_MMIO_BASE};
	uint64_t list, arg, asked;
	struct optee_msg_arg *m;
	struct teemed_regs r;

	list = x->a->variant == SHM_BAD_LIST ? hostile_list(&x->h, mmio, 1)
					     : one_page_list(x);
	attacker_rpc(x);
	mark(x);
	arg = start_rpc_call(x, &r);
	if (!check(x,
		   hostile_until(&x->h, &r, OPTEE_SMC_RETURN_RPC_CMD,
				 OPTEE_RPC_CMD_SHM_ALLOC),
		   "no SHM_ALLOC came"))
		return;
	m = hostile_rpc_msg(&x->h, &r);
	asked = m->params[0].u.value.b;
	m->ret = TEEC_SUCCESS;
	m->num_params = 1;
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, list,
		     x->a->variant == SHM_TOO_SMALL ? asked - 1 : asked,
		     cookie);
	r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r.a[1] = r.a[2] = 0;
	x->h.last_shm_free = 0;
	hostile_smc(&x->h, &r);
	settle(x, call_answer(x, hostile_finish(&x->h, &r),
			      hostile_msg(&x->h, arg)));
	check(x, x->h.last_shm_free == cookie,
	      "the guest was not asked to free its refused payload");
}

/* ------------------------------------------------------------------ */
/* Time of check, time of use                                          */

static void mutate_arg(struct atk *x, const struct teemed_regs *r)
{
	struct optee_msg_arg *g = hostile_msg(&x->h, x->scratch[0]);
	const struct optee_msg_arg *shadow =
		machine_pa_ptr(x->w.m, pair(r->a[1], r->a[2]));

	g->cmd = OPTEE_MSG_CMD_REGISTER_SHM;
	g->num_params = OPTEE_MSG_MAX_NUM_PARAMS;
	g->params[0].u.value.a = 1000;
	g->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
	x->toctou_seen = shadow ? shadow->params[0].u.value.a : ~0ull;
}

static void run_toctou_arg(struct atk *x)
{
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	struct optee_msg_arg *m = hostile_msg(&x->h, ipa);

	m->func = TA_XFORM_CMD_ECHO;
	m->session = x->xform;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	m->params[0].u.value.a = 5;
	x->scratch[0] = ipa;
	x->toctou = mutate_arg;
	mark(x);
	settle(x, call_answer(x, hostile_call(&x->h, ipa), m));
	check(x, x->toctou_seen == 5 && m->params[0].u.value.a == 6,
	      "OP-TEE used the rewritten value (%llu seen, %llu back)",
	      (unsigned long long)x->toctou_seen,
	      (unsigned long long)m->params[0].u.value.a);
}

static void mutate_list(struct atk *x, const struct teemed_regs *r)
{
	uint64_t *slots = hostile_ptr(&x->h, x->scratch[1]);
	struct optee_msg_arg *g = hostile_msg(&x->h, x->scratch[0]);

	(void)r;
	for (uint32_t i = 0; i < 4; i++)
		slots[i] = x->scratch[2] + (uint64_t)i * PAGE;
	slots[1] = MACHINE_GUEST_MMIO_BASE;
	g->params[0].u.tmem.size = 64 * PAGE;
}

static void run_toctou_list(struct atk *x)
{
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	struct optee_msg_arg *m = hostile_msg(&x->h, ipa);
	uint64_t list = hostile_buffer(&x->h, 4, NULL);

	hostile_buffer(&x->h, 4, &x->scratch[2]); /* decoy pages */
	prepare_checksum(x, m);
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, list,
		     4 * PAGE, hostile_cookie(&x->h));
	x->fnv = fnv_of_list(x, list, 4);
	x->scratch[0] = ipa;
	x->scratch[1] = list;
	x->toctou = mutate_list;
	mark(x);
	settle(x, call_answer(x, hostile_call(&x->h, ipa), m));
	check(x, (uint32_t)m->params[1].u.value.a == (uint32_t)x->fnv,
	      "OP-TEE read the rewritten page list");
}

/* ------------------------------------------------------------------ */
/* Floods                                                              */

static void run_flood_register(struct atk *x)
{
	uint64_t ipa, list;

	for (uint32_t i = 0; i < x->a->quota.buffers; i++)
		registered(x, 1);
	list = one_page_list(x);
	ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_REGISTER_SHM, 1);
	hostile_tmem(&hostile_msg(&x->h, ipa)->params[0],
		     OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, list, PAGE,
		     hostile_cookie(&x->h));
	mark(x);
	settle(x, call_answer(x, hostile_call(&x->h, ipa),
			      hostile_msg(&x->h, ipa)));
}

static void run_flood_calls(struct atk *x)
{
	struct teemed_regs r;
	uint64_t ipa;

	for (uint32_t i = 0; i < x->w.threads; i++)
		if (start_slow(x, &x->h, attacker_slow(x), 1, &r, 0))
			add_pending(x, &x->h, &r);
	ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	hostile_msg(&x->h, ipa)->session = x->xform;
	mark(x);
	hostile_call_start(&x->h, ipa, &r);
	settle(x, call_answer(x, (uint32_t)r.a[0], hostile_msg(&x->h, ipa)));
	/* The victim's threads are its own (§7.6). */
	check(x, hostile_echo_ok(&x->v, x->vsession),
	      "the victim was starved of calls");
}

static void run_flood_rpc(struct atk *x)
{
	struct teemed_regs r;
	uint64_t arg;

	attacker_rpc(x);
	for (uint32_t i = 0; i <= x->a->quota.rpc_buffers; i++) {
		if (i == x->a->quota.rpc_buffers)
			mark(x);
		arg = start_rpc_call(x, &r);
		if (!check(x,
			   hostile_until(&x->h, &r, OPTEE_SMC_RETURN_RPC_ALLOC,
					 0),
			   "no RPC_ALLOC came"))
			return;
		x->alloc_seen = false;
		hostile_rpc_answer(&x->h, &r);
		if (i < x->a->quota.rpc_buffers) {
			/* Answered well; the call waits in its next RPC. */
			add_pending(x, &x->h, &r);
			continue;
		}
		check(x, x->alloc_seen && alloc_refused(x),
		      "OP-TEE got an RPC buffer past the quota");
		settle(x, call_answer(x, hostile_finish(&x->h, &r),
				      hostile_msg(&x->h, arg)));
	}
}

/* ------------------------------------------------------------------ */
/* Memory and lifecycle                                                */

static void run_balloon(struct atk *x)
{
	uint64_t data;

	x->cookie = hostile_cookie(&x->h);
	check(x, hostile_register(&x->h, x->cookie, 2, &data) == 0,
	      "setup: REGISTER_SHM failed");
	mark(x);
	settle(x,
	       rc_answer(machine_guest_balloon(x->w.m, ATTACKER, data + PAGE)));
	x->after = unregister_after;
}

/* SMCs between the first teardown step and the last. */
static void run_destroying(struct atk *x)
{
	static const uint32_t fids[] = {OPTEE_SMC_CALLS_UID,
					OPTEE_SMC_CALL_RETURN_FROM_RPC};
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 0);
	struct teemed_regs r;

	for (uint32_t i = 0; i < 4; i++)
		registered(x, 1);
	check(x, world_vm_destroy_step(&x->w, &x->vm[0]) == TEEMED_ERR_AGAIN,
	      "setup: destroy finished in one step");
	mark(x);
	for (uint32_t i = 0; i < 2; i++) {
		memset(&r, 0, sizeof(r));
		r.a[0] = fids[i];
		hostile_smc(&x->h, &r);
		check(x, r.a[0] == OPTEE_SMC_RETURN_ENOTAVAIL,
		      "0x%x answered 0x%llx while the VM is dying", fids[i],
		      (unsigned long long)r.a[0]);
	}
	hostile_call_start(&x->h, ipa, &r);
	settle(x, smc_answer((uint32_t)r.a[0]));
}

static void run_destroy_suspended(struct atk *x)
{
	struct teemed_regs r;
	int rc = TEEMED_ERR_AGAIN;

	registered(x, 3);
	if (start_slow(x, &x->h, attacker_slow(x), 5, &r, 0))
		add_pending(x, &x->h, &r);
	live_payload(x);
	x->npending = 0; /* they die with the VM */
	mark(x);
	for (uint32_t i = 0; i < 1000 && rc == TEEMED_ERR_AGAIN; i++)
		rc = world_vm_destroy_step(&x->w, &x->vm[0]);
	check(x, machine_pins_of(x->w.m, ATTACKER) == 0,
	      "pins left after destroy");
	check(x, optee_model_vm_objects(x->w.sw, ATTACKER) == 0,
	      "OP-TEE still holds objects of the VM");
	check(x, oracle_vm_gone(x->w.orc, ATTACKER, &x->vm[0].hv),
	      "mediator memory left for the VM");
	settle(x, rc_answer(rc));
}

/* A fast (or unoffered yielding) function id straight from the guest. */
static void run_fid(struct atk *x)
{
	struct teemed_regs r = {{x->a->variant, VICTIM, 0, 0}};

	mark(x);
	hostile_smc(&x->h, &r);
	settle(x, smc_answer((uint32_t)r.a[0]));
}

static void run_caps(struct atk *x)
{
	struct teemed_regs r = {{OPTEE_SMC_EXCHANGE_CAPABILITIES, 0xffffffffu}};

	mark(x);
	hostile_smc(&x->h, &r);
	settle(x, smc_answer((uint32_t)r.a[0]));
	/* Only what teemed mediates, with its companion outputs (§8). */
	check(x,
	      !(r.a[1] & ~(uint64_t)(OPTEE_SMC_SEC_CAP_DYNAMIC_SHM |
				     OPTEE_SMC_SEC_CAP_MEMREF_NULL |
				     OPTEE_SMC_SEC_CAP_RPC_ARG |
				     OPTEE_SMC_SEC_CAP_ASYNC_NOTIF)) &&
		      (r.a[1] & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM) &&
		      ((r.a[1] & OPTEE_SMC_SEC_CAP_RPC_ARG) ? r.a[3] == 4
							    : !r.a[3]) &&
		      ((r.a[1] & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF) ? r.a[2] != 0
								: !r.a[2]),
	      "guest shown caps 0x%llx a2 %llu a3 %llu",
	      (unsigned long long)r.a[1], (unsigned long long)r.a[2],
	      (unsigned long long)r.a[3]);
}

/* a7 claims to be the hypervisor (std call) or the victim (fast). */
static void run_a7(struct atk *x)
{
	static const uint64_t spoof[] = {VICTIM, OPTEE_HYP_CLNT_ID};
	struct teemed_regs r = {{OPTEE_SMC_CALLS_UID}};
	struct attack_answer got = {0};

	mark(x);
	r.a[7] = OPTEE_HYP_CLNT_ID;
	hostile_smc(&x->h, &r);
	for (uint32_t i = 0; i < 2; i++) {
		uint64_t ipa =
			hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
		struct optee_msg_arg *m = hostile_msg(&x->h, ipa);

		m->func = TA_XFORM_CMD_ECHO;
		m->session = x->xform;
		m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
		memset(&r, 0, sizeof(r));
		r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
		r.a[1] = ipa >> 32;
		r.a[2] = (uint32_t)ipa;
		r.a[7] = spoof[i];
		hostile_smc(&x->h, &r);
		got = call_answer(x, hostile_finish(&x->h, &r), m);
		if (got.kind != ATTACK_ANS_MSG || got.ret)
			break;
	}
	settle(x, got);
	check(x, !x->bad_a7, "OP-TEE saw %llu SMCs with another client id",
	      (unsigned long long)x->bad_a7);
}

static void fill_garbage(struct teemed_regs *r)
{
	for (int i = 0; i < 8; i++)
		r->a[i] |= GARBAGE;
}

static void run_upper_fast(struct atk *x)
{
	struct teemed_regs r = {{OPTEE_SMC_CALLS_UID}};

	fill_garbage(&r);
	mark(x);
	hostile_smc(&x->h, &r);
	settle(x, smc_answer((uint32_t)r.a[0]));
	check(x, r.a[0] == OPTEE_MSG_UID_0 && r.a[3] == OPTEE_MSG_UID_3,
	      "UID answer has upper halves: 0x%llx",
	      (unsigned long long)r.a[0]);
	check(x, !x->upper_garbage && !x->bad_a7,
	      "OP-TEE saw %llu upper halves, %llu foreign a7",
	      (unsigned long long)x->upper_garbage,
	      (unsigned long long)x->bad_a7);
}

static void run_upper_std(struct atk *x)
{
	struct teemed_regs r;
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	struct optee_msg_arg *m = hostile_msg(&x->h, ipa);

	m->func = TA_SLOW_CMD_SPIN;
	m->session = attacker_slow(x);
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	m->params[0].u.value.a = 1;
	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
	r.a[1] = ipa >> 32;
	r.a[2] = (uint32_t)ipa;
	fill_garbage(&r);
	mark(x);
	hostile_smc(&x->h, &r);
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) {
		r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		fill_garbage(&r);
		hostile_smc(&x->h, &r);
	}
	settle(x, call_answer(x, (uint32_t)r.a[0], m));
	check(x, m->params[0].u.value.b == 3, "slow call result wrong");
	check(x, !x->upper_garbage && !x->bad_a7,
	      "OP-TEE saw %llu upper halves, %llu foreign a7",
	      (unsigned long long)x->upper_garbage,
	      (unsigned long long)x->bad_a7);
}


/* ------------------------------------------------------------------ */
/* RPC-argument calls (§2.7, §2.8) and notifications (§2.19, §7.9)     */

#define ARG_SIZE(n) ((uint32_t)OPTEE_MSG_GET_ARG_SIZE(n))

enum regd_bad {
	RB_FOREIGN,  /* the victim's cookie */
	RB_UNKNOWN,  /* no buffer at all */
	RB_END,	     /* offset at the buffer's end */
	RB_HUGE,     /* offset far beyond */
	RB_OVERLAP,  /* header fits, RPC area runs past the end */
	RB_UNALIGNED /* not 8-byte aligned */
};

/* An echo INVOKE of `value` at `ipa`, results preset to the sentinel. */
static struct optee_msg_arg *echo_at(struct hostile *h, uint64_t ipa,
				     uint32_t session, uint32_t value)
{
	struct optee_msg_arg *m = hostile_ptr(h, ipa);

	memset(m, 0, ARG_SIZE(1));
	m->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	m->func = TA_XFORM_CMD_ECHO;
	m->session = session;
	m->num_params = 1;
	m->ret = HOSTILE_SENTINEL;
	m->ret_origin = HOSTILE_SENTINEL;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	m->params[0].u.value.a = value;
	return m;
}

/* CALL_WITH_REGD_ARG naming what it may not; never reaches OP-TEE. */
static void run_regd_bad(struct atk *x)
{
	uint64_t data = 0, cookie, off = 0;
	struct optee_msg_arg *m = NULL;
	struct teemed_regs r;

	if (x->a->variant == RB_FOREIGN) {
		cookie = hostile_cookie(&x->v);
		check(x, hostile_register(&x->v, cookie, 1, &data) ==
				 TEEC_SUCCESS,
		      "setup: victim REGISTER_SHM failed");
		m = echo_at(&x->v, data, x->vsession, 1);
	} else {
		cookie = registered(x, 1);
		x->cookie = cookie;
		x->after = unregister_after;
		if (x->a->variant == RB_UNKNOWN)
			cookie = hostile_cookie(&x->h);
		off = x->a->variant == RB_END	    ? PAGE
		      : x->a->variant == RB_HUGE    ? 0xfffffff8u
		      : x->a->variant == RB_OVERLAP ? PAGE - ARG_SIZE(1)
		      : x->a->variant == RB_UNALIGNED ? 4
						      : 0;
	}
	mark(x);
	hostile_call_start_fid(&x->h, OPTEE_SMC_CALL_WITH_REGD_ARG, cookie,
			       (uint32_t)off, 0, &r);
	settle(x, call_answer(x, (uint32_t)r.a[0], m));
	check(x, !r.a[1] && !r.a[2] && !r.a[3], "registers not cleared");
	if (x->a->variant == RB_FOREIGN)
		check(x, hostile_unregister(&x->v, cookie) == TEEC_SUCCESS,
		      "victim's buffer could not be unregistered");
}

/* UNREGISTER_SHM of the buffer holding a suspended call's argument. */
static void run_regd_unregister_busy(struct atk *x)
{
	uint64_t data = 0, cookie = hostile_cookie(&x->h), ipa;
	struct optee_msg_arg *m, *u;
	struct teemed_regs r;

	check(x, hostile_register(&x->h, cookie, 1, &data) == TEEC_SUCCESS,
	      "setup: REGISTER_SHM failed");
	m = echo_at(&x->h, data, attacker_slow(x), 3);
	m->func = TA_SLOW_CMD_SPIN;
	hostile_call_start_fid(&x->h, OPTEE_SMC_CALL_WITH_REGD_ARG, cookie, 0,
			       data + ARG_SIZE(1), &r);
	if (!check(x, r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR,
		   "setup: slow REGD_ARG call not suspended (a0 0x%llx)",
		   (unsigned long long)r.a[0]))
		return;
	add_pending(x, &x->h, &r);
	ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	u = hostile_msg(&x->h, ipa);
	u->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	u->params[0].u.rmem.shm_ref = cookie;
	mark(x);
	settle(x, call_answer(x, hostile_call(&x->h, ipa), u));
	finish_pending(x);
	check(x, m->ret == TEEC_SUCCESS && m->params[0].u.value.b == 7,
	      "the call whose buffer was attacked failed (ret 0x%x)", m->ret);
	x->cookie = cookie;
	unregister_after(x);
}

/*
 * The guest rewrites its argument (in a registered buffer) and the RPC
 * area after it while OP-TEE runs the call: OP-TEE keeps working on
 * what it was given, and only the outputs come back.
 */
static void run_regd_rewrite(struct atk *x)
{
	uint64_t data = 0, cookie = hostile_cookie(&x->h);
	const uint32_t off = 2 * ARG_SIZE(6);
	struct optee_msg_arg *m;
	struct teemed_regs r;
	uint8_t *area;

	check(x, hostile_register(&x->h, cookie, 1, &data) == TEEC_SUCCESS,
	      "setup: REGISTER_SHM failed");
	x->cookie = cookie;
	x->after = unregister_after;
	m = echo_at(&x->h, data + off, attacker_slow(x), 3);
	m->func = TA_SLOW_CMD_SPIN;
	area = (uint8_t *)m + ARG_SIZE(1);
	mark(x);
	hostile_call_start_fid(&x->h, OPTEE_SMC_CALL_WITH_REGD_ARG, cookie, off,
			       data + off + ARG_SIZE(1), &r);
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) {
		m->cmd = OPTEE_MSG_CMD_REGISTER_SHM;
		m->num_params = OPTEE_MSG_MAX_NUM_PARAMS;
		m->session = x->vsession;
		m->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
		m->params[0].u.value.a = 1000;
		memset(area, 0xa5, ARG_SIZE(4));
		hostile_rpc_answer(&x->h, &r);
	}
	settle(x, call_answer(x, (uint32_t)r.a[0], m));
	check(x, m->params[0].u.value.b == 7 && m->num_params == 127,
	      "OP-TEE used the rewritten argument (b %llu), or more than "
	      "the outputs came back",
	      (unsigned long long)m->params[0].u.value.b);
}

/*
 * CALL_WITH_RPC_ARG to the RPC TA: while the guest answers SHM_ALLOC in
 * its RPC area it rewrites the fields OP-TEE does not read back; the
 * call still reverses the right bytes.
 */
static void run_rpc_area_rewrite(struct atk *x)
{
	uint64_t in_data, out_data;
	uint64_t in = hostile_buffer(&x->h, 1, &in_data);
	uint64_t out = hostile_buffer(&x->h, 1, &out_data);
	uint64_t ipa = hostile_arg(&x->h, OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	struct optee_msg_arg *m = hostile_msg(&x->h, ipa);
	struct optee_msg_arg *area;
	struct teemed_regs r;
	uint8_t *in_bytes = hostile_ptr(&x->h, in_data);
	bool rewrote = false;

	for (uint32_t i = 0; i < 256; i++)
		in_bytes[i] = (uint8_t)(i * 7 + 1);
	m->func = TA_RPC_CMD_REVERSE;
	m->session = attacker_rpc(x);
	hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, in, 256,
		     hostile_cookie(&x->h));
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m->params[1].u.value.b = OPTEE_RPC_SHM_TYPE_APPL;
	hostile_tmem(&m->params[2], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, out, 256,
		     hostile_cookie(&x->h));
	x->scratch[0] = in_data;
	x->scratch[1] = out_data;
	area = (struct optee_msg_arg *)(void *)((uint8_t *)m + ARG_SIZE(3));
	mark(x);
	hostile_call_start_fid(&x->h, OPTEE_SMC_CALL_WITH_RPC_ARG, ipa, 0,
			       ipa + ARG_SIZE(3), &r);
	while (OPTEE_SMC_RETURN_IS_RPC(r.a[0])) {
		bool cmd = (uint32_t)r.a[0] == OPTEE_SMC_RETURN_RPC_CMD;

		check(x, !cmd || (!r.a[1] && !r.a[2]),
		      "RPC_CMD of an RPC_ARG call names cookie 0x%llx",
		      (unsigned long long)pair(r.a[1], r.a[2]));
		hostile_rpc_serve(&x->h, &r);
		if (cmd) {
			/* Not read back by OP-TEE: must not matter. */
			area->cmd ^= 0x40;
			area->func = 0xffffffffu;
			area->session = 0x12345678u;
			memset(&area->params[1], 0xee,
			       sizeof(area->params[0]) * 3);
			rewrote = true;
		}
		hostile_smc(&x->h, &r);
	}
	settle(x, call_answer(x, (uint32_t)r.a[0], m));
	check(x, rewrote, "no RPC request reached the RPC area");
	check_reversed(x);
}

/* What the victim is shown, whichever port embeds teemed. */
static bool notif_offered(struct atk *x)
{
	struct teemed_regs r = {{OPTEE_SMC_EXCHANGE_CAPABILITIES}};

	hostile_smc(&x->v, &r);
	return (uint32_t)r.a[0] == OPTEE_SMC_RETURN_OK &&
	       (r.a[1] & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF);
}

/*
 * The TA of `session`, opened by `g`, sends `value` to `g`'s VM
 * (notif_send_async).
 */
static void ta_notify(struct atk *x, struct hostile *g, uint32_t session,
		      uint32_t value, const char *who)
{
	uint64_t ipa = hostile_arg(g, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	struct optee_msg_arg *m = hostile_msg(g, ipa);

	m->func = TA_XFORM_CMD_NOTIFY;
	m->session = session;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m->params[0].u.value.a = value;
	check(x, hostile_call(g, ipa) == OPTEE_SMC_RETURN_OK &&
			 m->ret == TEEC_SUCCESS,
	      "setup: %s's notify failed", who);
}

static void notif_fast(struct hostile *h, uint32_t fid, struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = fid;
	r->a[1] = 0xdeadbeef; /* junk the mediator must not forward */
	r->a[7] = VICTIM;     /* and a spoofed client id */
	hostile_smc(h, r);
}

enum notif_variant { NV_OTHER, NV_NEVER_ENABLED, NV_STOPPED };

/*
 * Reading, or being woken by, another VM's notifications. Both VMs'
 * TAs send values; each VM is interrupted for, and reads, its own only.
 */
static void run_notif(struct atk *x)
{
	struct teemed_regs r;
	uint64_t irq_v, irq_h;

	if (x->unoffered) {
		/* Not offered: every notification function is unknown. */
		mark(x);
		notif_fast(&x->h, OPTEE_SMC_ENABLE_ASYNC_NOTIF, &r);
		check(x, r.a[0] == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
		      "ENABLE_ASYNC_NOTIF answered 0x%llx",
		      (unsigned long long)r.a[0]);
		notif_fast(&x->h, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, &r);
		settle(x, smc_answer((uint32_t)r.a[0]));
		check(x, !r.a[1] && !r.a[2], "a value came back");
		check(x, world_poll_irq(&x->w) == 0, "a VM was notified");
		return;
	}
	notif_fast(&x->v, OPTEE_SMC_ENABLE_ASYNC_NOTIF, &r);
	check(x, r.a[0] == OPTEE_SMC_RETURN_OK, "setup: victim's ENABLE");
	if (x->a->variant != NV_NEVER_ENABLED) {
		notif_fast(&x->h, OPTEE_SMC_ENABLE_ASYNC_NOTIF, &r);
		check(x, r.a[0] == OPTEE_SMC_RETURN_OK,
		      "setup: attacker's ENABLE");
	}
	if (x->a->variant == NV_STOPPED) {
		uint64_t ipa =
			hostile_arg(&x->h, OPTEE_MSG_CMD_STOP_ASYNC_NOTIF, 0);

		check(x, hostile_call(&x->h, ipa) == OPTEE_SMC_RETURN_OK,
		      "setup: STOP_ASYNC_NOTIF");
	}
	ta_notify(x, &x->v, x->vsession, 5, "victim");
	ta_notify(x, &x->h, x->xform, 9, "attacker");
	world_poll_irq(&x->w);
	irq_v = x->vm[1].hv.irqs;
	irq_h = x->vm[0].hv.irqs;
	check(x, irq_v == 1, "victim interrupted %llu times for its value",
	      (unsigned long long)irq_v);
	check(x, irq_h == (x->a->variant == NV_OTHER ? 1u : 0u),
	      "attacker interrupted %llu times", (unsigned long long)irq_h);
	mark(x);
	/* The attacker reads: its own 9, never the victim's 5. */
	notif_fast(&x->h, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, &r);
	settle(x, smc_answer((uint32_t)r.a[0]));
	check(x, r.a[1] == 9 && r.a[2] == OPTEE_SMC_ASYNC_NOTIF_VALID,
	      "attacker read value %llu flags %llu", (unsigned long long)r.a[1],
	      (unsigned long long)r.a[2]);
	notif_fast(&x->h, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, &r);
	check(x, r.a[0] == OPTEE_SMC_RETURN_OK && !r.a[1] && !r.a[2],
	      "attacker read a second value %llu", (unsigned long long)r.a[1]);
	notif_fast(&x->v, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, &r);
	check(x, r.a[1] == 5 && r.a[2] == OPTEE_SMC_ASYNC_NOTIF_VALID,
	      "victim lost its value (read %llu flags %llu)",
	      (unsigned long long)r.a[1], (unsigned long long)r.a[2]);
	check(x, x->vm[1].hv.irqs == irq_v && x->vm[0].hv.irqs == irq_h,
	      "reading woke a VM");
}

/* ------------------------------------------------------------------ */
/* The catalogue                                                       */

#define BADP                                                                   \
	{                                                                      \
		ATTACK_ANS_MSG, 0, TEEC_ERROR_BAD_PARAMETERS,                  \
			TEEC_ORIGIN_COMMS                                      \
	}
#define OOMC                                                                   \
	{                                                                      \
		ATTACK_ANS_MSG, 0, TEEC_ERROR_OUT_OF_MEMORY, TEEC_ORIGIN_COMMS \
	}
#define OOMTA                                                                  \
	{                                                                      \
		ATTACK_ANS_MSG, 0, TEEC_ERROR_OUT_OF_MEMORY,                   \
			TEEC_ORIGIN_TRUSTED_APP                                \
	}
#define OKTA                                                                   \
	{                                                                      \
		ATTACK_ANS_MSG, 0, TEEC_SUCCESS, TEEC_ORIGIN_TRUSTED_APP       \
	}
#define SMC(code)                                                              \
	{                                                                      \
		ATTACK_ANS_SMC, OPTEE_SMC_RETURN_##code, 0, 0                  \
	}
#define RC(code)                                                               \
	{                                                                      \
		ATTACK_ANS_RC, (uint32_t)(code), 0, 0                          \
	}
#define UNTOUCHED AF_SW_UNTOUCHED

static const struct attack attacks[] = {
	/* Page lists (§4.2, §4.5, §5.8) */
	{"pl_entry_outside_ram",
	 "page-list",
	 "share an IPA beyond its RAM",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_bad_entry,
	 BAD_OUTSIDE,
	 {0},
	 0},
	{"pl_entry_unmapped",
	 "page-list",
	 "share a ballooned-out IPA",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_bad_entry,
	 BAD_UNMAPPED,
	 {0},
	 0},
	{"pl_entry_mmio",
	 "page-list",
	 "share a device page (MMIO)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_bad_entry,
	 BAD_MMIO,
	 {0},
	 0},
	{"pl_entry_other_vm",
	 "page-list",
	 "share an IPA that is RAM in the victim only",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_bad_entry,
	 BAD_OTHER_VM,
	 {0},
	 0},
	{"pl_entry_zero",
	 "page-list",
	 "share IPA 0",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_bad_entry,
	 BAD_ZERO,
	 {0},
	 0},
	{"pl_list_page_mmio",
	 "page-list",
	 "a page list that is MMIO",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_bad_list_page,
	 BAD_MMIO,
	 {0},
	 0},
	{"pl_list_page_other_vm",
	 "page-list",
	 "a page list in the victim's RAM",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_bad_list_page,
	 BAD_OTHER_VM,
	 {0},
	 0},
	{"pl_next_loops_to_self",
	 "page-list",
	 "endless walk: next pointer names its own page (bounded by size)",
	 OKTA,
	 0,
	 NULL,
	 b_loop,
	 LOOP_SELF,
	 {0},
	 0},
	{"pl_next_loops_back",
	 "page-list",
	 "endless walk: next pointer names an earlier list page",
	 OKTA,
	 0,
	 NULL,
	 b_loop,
	 LOOP_EARLIER,
	 {0},
	 0},
	{"pl_next_past_size",
	 "page-list",
	 "a next pointer (MMIO, unaligned) past the stated size must not "
	 "be read",
	 OKTA,
	 0,
	 NULL,
	 b_loop,
	 LOOP_PAST_SIZE,
	 {0},
	 0},
	{"pl_size_offset_overflow",
	 "page-list",
	 "size + offset wraps (§4.2)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_size,
	 SIZE_OVERFLOW,
	 {0},
	 0},
	{"pl_size_over_pin_quota",
	 "page-list",
	 "one buffer larger than the pinned-pages quota",
	 OOMC,
	 UNTOUCHED,
	 NULL,
	 b_size,
	 SIZE_QUOTA,
	 {.pinned_pages = 64},
	 0},
	{"pl_zero_size",
	 "page-list",
	 "size 0 with a non-NULL list (§4.2)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_size,
	 SIZE_ZERO,
	 {0},
	 0},
	/* The argument (§2.6) */
	{"arg_num_params_128",
	 "argument",
	 "num_params > 127 (§3.1)",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 NULL,
	 b_num_params,
	 0,
	 {0},
	 0},
	{"arg_unaligned",
	 "argument",
	 "argument not 4 KiB aligned",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_arg,
	 NULL,
	 ~0ull,
	 {0},
	 0},
	{"arg_unmapped",
	 "argument",
	 "argument at an unmapped IPA",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_arg,
	 NULL,
	 BAD_UNMAPPED,
	 {0},
	 0},
	{"arg_other_vm",
	 "argument",
	 "argument in the victim's RAM",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_arg,
	 NULL,
	 BAD_OTHER_VM,
	 {0},
	 0},
	{"arg_mmio",
	 "argument",
	 "argument in MMIO",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_arg,
	 NULL,
	 BAD_MMIO,
	 {0},
	 0},
	/* Commands (§3.4) */
	{"cmd_unknown",
	 "command",
	 "a command OP-TEE does not know",
	 SMC(EBADCMD),
	 UNTOUCHED,
	 NULL,
	 b_cmd,
	 0x1234,
	 {0},
	 0},
	{"cmd_lend_protmem",
	 "command",
	 "LEND_PROTMEM: make a guest page secure by PA",
	 SMC(EBADCMD),
	 UNTOUCHED,
	 NULL,
	 b_cmd,
	 OPTEE_MSG_CMD_LEND_PROTMEM,
	 {0},
	 0},
	{"cmd_reclaim_protmem",
	 "command",
	 "RECLAIM_PROTMEM",
	 SMC(EBADCMD),
	 UNTOUCHED,
	 NULL,
	 b_cmd,
	 OPTEE_MSG_CMD_RECLAIM_PROTMEM,
	 {0},
	 0},
	{"cmd_do_bottom_half",
	 "command",
	 "DO_BOTTOM_HALF from a VM that never enabled notifications",
	 {ATTACK_ANS_MSG, 0, HOSTILE_SENTINEL, HOSTILE_SENTINEL},
	 AF_NOTIF_CMD,
	 NULL,
	 b_cmd,
	 OPTEE_MSG_CMD_DO_BOTTOM_HALF,
	 {0},
	 0},
	{"cmd_notif_params",
	 "command",
	 "STOP_ASYNC_NOTIF carrying a parameter",
	 BADP,
	 UNTOUCHED | AF_NOTIF_CMD,
	 NULL,
	 b_notif_params,
	 OPTEE_MSG_CMD_STOP_ASYNC_NOTIF,
	 {0},
	 0},
	/* RPC-argument calls (§2.7, §2.8) */
	{"regd_foreign_cookie",
	 "rpc-arg",
	 "CALL_WITH_REGD_ARG naming the victim's registered buffer",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_regd_bad,
	 NULL,
	 RB_FOREIGN,
	 {0},
	 0},
	{"regd_unknown_cookie",
	 "rpc-arg",
	 "CALL_WITH_REGD_ARG naming no buffer",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_regd_bad,
	 NULL,
	 RB_UNKNOWN,
	 {0},
	 0},
	{"regd_offset_end",
	 "rpc-arg",
	 "CALL_WITH_REGD_ARG at the buffer's end",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_regd_bad,
	 NULL,
	 RB_END,
	 {0},
	 0},
	{"regd_offset_huge",
	 "rpc-arg",
	 "CALL_WITH_REGD_ARG with offset 0xfffffff8",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_regd_bad,
	 NULL,
	 RB_HUGE,
	 {0},
	 0},
	{"regd_overlap_end",
	 "rpc-arg",
	 "argument fits, its RPC area overlaps the buffer's end",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_regd_bad,
	 NULL,
	 RB_OVERLAP,
	 {0},
	 0},
	{"regd_unaligned",
	 "rpc-arg",
	 "CALL_WITH_REGD_ARG at an offset not 8-byte aligned",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_regd_bad,
	 NULL,
	 RB_UNALIGNED,
	 {0},
	 0},
	{"regd_unregister_in_use",
	 "rpc-arg",
	 "UNREGISTER_SHM of the buffer holding a suspended call's argument",
	 BADP,
	 0,
	 run_regd_unregister_busy,
	 NULL,
	 0,
	 {0},
	 0},
	{"regd_rewrite_mid_call",
	 "rpc-arg",
	 "rewrite the argument and RPC area in the buffer during the call",
	 OKTA,
	 0,
	 run_regd_rewrite,
	 NULL,
	 0,
	 {0},
	 0},
	{"rpc_area_rewrite",
	 "rpc-arg",
	 "CALL_WITH_RPC_ARG: rewrite the RPC request while answering it",
	 OKTA,
	 0,
	 run_rpc_area_rewrite,
	 NULL,
	 0,
	 {0},
	 0},
	/* Asynchronous notifications (§2.19, §7.9) */
	{"notif_other_vm",
	 "notification",
	 "read or be woken by the victim's notification values",
	 SMC(OK),
	 AF_NOTIF_FN,
	 run_notif,
	 NULL,
	 NV_OTHER,
	 {0},
	 0},
	{"notif_never_enabled",
	 "notification",
	 "a VM that never enabled notifications reads values",
	 SMC(OK),
	 AF_NOTIF_FN,
	 run_notif,
	 NULL,
	 NV_NEVER_ENABLED,
	 {0},
	 0},
	{"notif_after_stop",
	 "notification",
	 "a VM that stopped notifications reads values",
	 SMC(OK),
	 AF_NOTIF_FN,
	 run_notif,
	 NULL,
	 NV_STOPPED,
	 {0},
	 0},
	/* Parameter attributes (§3.3) */
	{"attr_unknown_bits",
	 "parameter",
	 "reserved attribute bits set",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_attr,
	 OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | 0x1000,
	 {0},
	 0},
	{"attr_invalid_type",
	 "parameter",
	 "parameter type 0x4",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_attr,
	 0x4,
	 {0},
	 0},
	{"attr_meta_in_invoke",
	 "parameter",
	 "META outside OPEN_SESSION",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_attr,
	 OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
	 {0},
	 0},
	{"attr_noncontig_value",
	 "parameter",
	 "NONCONTIG on a value",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_attr,
	 OPTEE_MSG_ATTR_NONCONTIG | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
	 {0},
	 0},
	{"tmem_contiguous",
	 "parameter",
	 "contiguous tmem: an IPA handed to OP-TEE as a PA (§5.7)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_tmem_contiguous,
	 0,
	 {0},
	 0},
	/* Registered memory (§5.2, §5.5) */
	{"register_cookie_zero",
	 "shm",
	 "REGISTER_SHM with cookie 0",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_register,
	 REG_COOKIE_ZERO,
	 {0},
	 0},
	{"register_cookie_dup",
	 "shm",
	 "REGISTER_SHM with a live cookie (shadowing the older buffer)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_register,
	 REG_COOKIE_DUP,
	 {0},
	 0},
	{"rmem_other_vm_cookie",
	 "shm",
	 "rmem naming the victim's buffer",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_rmem,
	 RMEM_OTHER_VM,
	 {0},
	 0},
	{"rmem_unknown_cookie",
	 "shm",
	 "rmem naming no buffer",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_rmem,
	 RMEM_UNKNOWN,
	 {0},
	 0},
	{"rmem_offset_out_of_range",
	 "shm",
	 "rmem offset past the buffer",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_rmem,
	 RMEM_OFFS_RANGE,
	 {0},
	 0},
	{"rmem_offs_size_overflow",
	 "shm",
	 "rmem offs + size wraps",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_rmem,
	 RMEM_OVERFLOW,
	 {0},
	 0},
	{"rmem_rpc_arg_cookie",
	 "shm",
	 "rmem naming an RPC argument buffer (a mediator page, §5.2)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_rmem,
	 RMEM_RPC_ARG,
	 {0},
	 0},
	{"rmem_payload_cookie",
	 "shm",
	 "rmem naming an RPC payload of a suspended call (§5.2)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_rmem,
	 RMEM_PAYLOAD,
	 {0},
	 0},
	{"unregister_in_use",
	 "shm",
	 "UNREGISTER_SHM of a buffer a suspended call uses (§5.5)",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_unregister,
	 UNREG_IN_USE,
	 {0},
	 0},
	{"unregister_twice",
	 "shm",
	 "UNREGISTER_SHM of a dead cookie",
	 BADP,
	 UNTOUCHED,
	 NULL,
	 b_unregister,
	 UNREG_TWICE,
	 {0},
	 0},
	/* Resuming (§2.9, §6.1, bounded-work.md) */
	{"resume_other_vm_thread",
	 "resume",
	 "RETURN_FROM_RPC of the victim's suspended call",
	 SMC(ERESUME),
	 UNTOUCHED,
	 run_resume,
	 NULL,
	 RES_OTHER_VM,
	 {0},
	 0},
	{"resume_not_suspended",
	 "resume",
	 "RETURN_FROM_RPC of an idle thread",
	 SMC(ERESUME),
	 UNTOUCHED,
	 run_resume,
	 NULL,
	 RES_NOT_SUSPENDED,
	 {0},
	 0},
	{"resume_huge_thread",
	 "resume",
	 "RETURN_FROM_RPC a3 = 0xffffffff",
	 SMC(ERESUME),
	 UNTOUCHED,
	 run_resume,
	 NULL,
	 RES_HUGE,
	 {0},
	 0},
	{"resume_twice",
	 "resume",
	 "RETURN_FROM_RPC of a finished call",
	 SMC(ERESUME),
	 UNTOUCHED,
	 run_resume,
	 NULL,
	 RES_TWICE,
	 {0},
	 0},
	/* RPC answers (§6.2, §6.4, §6.7) */
	{"rpc_alloc_misaligned",
	 "rpc",
	 "RPC_ALLOC answered with page + 8",
	 OOMTA,
	 0,
	 run_rpc_alloc,
	 NULL,
	 ALLOC_MISALIGNED,
	 {0},
	 0},
	{"rpc_alloc_unmapped",
	 "rpc",
	 "RPC_ALLOC answered with a hole",
	 OOMTA,
	 0,
	 run_rpc_alloc,
	 NULL,
	 BAD_UNMAPPED,
	 {0},
	 0},
	{"rpc_alloc_other_vm",
	 "rpc",
	 "RPC_ALLOC answered with the victim's RAM",
	 OOMTA,
	 0,
	 run_rpc_alloc,
	 NULL,
	 BAD_OTHER_VM,
	 {0},
	 0},
	{"rpc_alloc_mmio",
	 "rpc",
	 "RPC_ALLOC answered with MMIO",
	 OOMTA,
	 0,
	 run_rpc_alloc,
	 NULL,
	 BAD_MMIO,
	 {0},
	 0},
	{"rpc_alloc_cookie_in_use",
	 "rpc",
	 "RPC_ALLOC answered with a registered buffer's cookie",
	 OOMTA,
	 0,
	 run_rpc_alloc,
	 NULL,
	 ALLOC_COOKIE_IN_USE,
	 {0},
	 0},
	{"rpc_alloc_cookie_zero",
	 "rpc",
	 "RPC_ALLOC answered with cookie 0",
	 OOMTA,
	 0,
	 run_rpc_alloc,
	 NULL,
	 ALLOC_COOKIE_ZERO,
	 {0},
	 0},
	{"rpc_cmd_rewritten",
	 "rpc",
	 "rewrite cmd, num_params, attrs, offsets, cookies, buf_ptr of an "
	 "RPC message before answering",
	 OKTA,
	 0,
	 run_rpc_rewrite,
	 NULL,
	 0,
	 {0},
	 0},
	{"shm_alloc_bad_list",
	 "rpc",
	 "SHM_ALLOC answered with an MMIO page",
	 OOMTA,
	 0,
	 run_shm_alloc,
	 NULL,
	 SHM_BAD_LIST,
	 {0},
	 0},
	{"shm_alloc_too_small",
	 "rpc",
	 "SHM_ALLOC answered with less than asked",
	 OOMTA,
	 0,
	 run_shm_alloc,
	 NULL,
	 SHM_TOO_SMALL,
	 {0},
	 0},
	{"shm_alloc_cookie_reuse",
	 "rpc",
	 "SHM_ALLOC answered with a registered buffer's cookie",
	 OOMTA,
	 0,
	 run_shm_alloc,
	 NULL,
	 SHM_COOKIE_REUSE,
	 {0},
	 0},
	/* Time of check, time of use (invariant 6) */
	{"toctou_arg",
	 "toctou",
	 "rewrite the argument page while OP-TEE runs",
	 OKTA,
	 0,
	 run_toctou_arg,
	 NULL,
	 0,
	 {0},
	 0},
	{"toctou_page_list",
	 "toctou",
	 "rewrite the page list while OP-TEE runs",
	 OKTA,
	 0,
	 run_toctou_list,
	 NULL,
	 0,
	 {0},
	 0},
	/* Floods (invariant 4) */
	{"flood_registrations",
	 "flood",
	 "more registrations than the quota",
	 OOMC,
	 UNTOUCHED,
	 run_flood_register,
	 NULL,
	 0,
	 {.buffers = 8},
	 0},
	{"flood_pins_across_params",
	 "flood",
	 "four memrefs of one list, together past the pinned-pages quota",
	 OOMC,
	 UNTOUCHED,
	 NULL,
	 b_multi_tmem,
	 1,
	 {.pinned_pages = 3},
	 0},
	{"flood_mediator_pages",
	 "flood",
	 "a memref whose shadow list needs more mediator pages than the quota",
	 OOMC,
	 UNTOUCHED,
	 NULL,
	 b_multi_tmem,
	 1100,
	 {.mediator_pages = 6},
	 0},
	{"flood_calls",
	 "flood",
	 "more concurrent calls than threads",
	 SMC(ETHREAD_LIMIT),
	 UNTOUCHED,
	 run_flood_calls,
	 NULL,
	 0,
	 {0},
	 0},
	{"flood_rpc_buffers",
	 "flood",
	 "more RPC argument buffers than the quota",
	 OOMTA,
	 0,
	 run_flood_rpc,
	 NULL,
	 0,
	 {.rpc_buffers = 2},
	 0},
	/* Memory and lifecycle (§5.8, §7.5) */
	{"balloon_pinned_page",
	 "memory",
	 "balloon out a page OP-TEE holds",
	 RC(-1),
	 0,
	 run_balloon,
	 NULL,
	 0,
	 {0},
	 0},
	{"smc_while_destroying",
	 "lifecycle",
	 "calls between teardown steps",
	 SMC(ENOTAVAIL),
	 UNTOUCHED | AF_STATE | AF_VM1_GONE,
	 run_destroying,
	 NULL,
	 0,
	 {0},
	 1},
	{"destroy_with_suspended_calls",
	 "lifecycle",
	 "VM destroyed with calls in RPCs, payloads and buffers: no leak",
	 RC(TEEMED_OK),
	 AF_STATE | AF_VM1_GONE,
	 run_destroy_suspended,
	 NULL,
	 0,
	 {0},
	 0},
	/* Functions a guest must not use (§2.0, §1.6) */
	{"fast_vm_created",
	 "function",
	 "VM_CREATED from a guest",
	 SMC(UNKNOWN_FUNCTION),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_VM_CREATED,
	 {0},
	 0},
	{"fast_vm_destroyed",
	 "function",
	 "VM_DESTROYED of the victim from a guest",
	 SMC(UNKNOWN_FUNCTION),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_VM_DESTROYED,
	 {0},
	 0},
	{"fast_boot_secondary",
	 "function",
	 "BOOT_SECONDARY from a guest",
	 SMC(UNKNOWN_FUNCTION),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_BOOT_SECONDARY,
	 {0},
	 0},
	{"fast_get_shm_config",
	 "function",
	 "GET_SHM_CONFIG: the global reserved SHM (§5.7)",
	 SMC(ENOTAVAIL),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_GET_SHM_CONFIG,
	 {0},
	 0},
	{"fast_l2cc_mutex",
	 "function",
	 "L2CC_MUTEX from a guest",
	 SMC(UNKNOWN_FUNCTION),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_L2CC_MUTEX,
	 {0},
	 0},
	{"fast_protmem_config",
	 "function",
	 "GET_PROTMEM_CONFIG (PAs)",
	 SMC(UNKNOWN_FUNCTION),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_GET_PROTMEM_CONFIG,
	 {0},
	 0},
	{"fast_async_notif",
	 "function",
	 "ENABLE_ASYNC_NOTIF with junk in a1 and a spoofed a7",
	 SMC(OK),
	 AF_NOTIF_FN,
	 run_fid,
	 NULL,
	 OPTEE_SMC_ENABLE_ASYNC_NOTIF,
	 {0},
	 0},
	{"fast_opteed_return",
	 "function",
	 "a secure-monitor return id (owner 62) from a guest",
	 SMC(UNKNOWN_FUNCTION),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 0xBE000005u,
	 {0},
	 0},
	{"std_call_with_regd_arg",
	 "function",
	 "CALL_WITH_REGD_ARG naming no registered buffer (cookie 0, §2.8)",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_CALL_WITH_REGD_ARG,
	 {0},
	 0},
	{"std_call_with_rpc_arg",
	 "function",
	 "CALL_WITH_RPC_ARG at IPA 0 (§2.7)",
	 SMC(EBADADDR),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_CALL_WITH_RPC_ARG,
	 {0},
	 0},
	{"std_smc64_call_with_arg",
	 "function",
	 "SMC64 twin of CALL_WITH_ARG (§1.6)",
	 SMC(UNKNOWN_FUNCTION),
	 UNTOUCHED,
	 run_fid,
	 NULL,
	 OPTEE_SMC_CALL_WITH_ARG | OPTEE_SMC_64,
	 {0},
	 0},
	{"caps_unknown_bits",
	 "function",
	 "EXCHANGE_CAPABILITIES with every bit set; see hidden caps (§8)",
	 SMC(OK),
	 0,
	 run_caps,
	 NULL,
	 0,
	 {0},
	 0},
	/* Registers (§1.3, §7.7) */
	{"a7_client_id_spoof",
	 "registers",
	 "a7 = the hypervisor's or the victim's client id",
	 OKTA,
	 0,
	 run_a7,
	 NULL,
	 0,
	 {0},
	 0},
	{"upper_halves_fast",
	 "registers",
	 "garbage in the upper register halves of a fast call",
	 {ATTACK_ANS_SMC, OPTEE_MSG_UID_0, 0, 0},
	 0,
	 run_upper_fast,
	 NULL,
	 0,
	 {0},
	 0},
	{"upper_halves_std",
	 "registers",
	 "garbage in the upper halves of a call and its resumes",
	 OKTA,
	 0,
	 run_upper_std,
	 NULL,
	 0,
	 {0},
	 0},
};

#define ATTACK_COUNT (sizeof(attacks) / sizeof(attacks[0]))

size_t attack_count(void)
{
	return ATTACK_COUNT;
}

const char *attack_name(size_t i)
{
	return i < ATTACK_COUNT ? attacks[i].name : NULL;
}

long attack_find(const char *name)
{
	for (size_t i = 0; i < ATTACK_COUNT; i++)
		if (!strcmp(attacks[i].name, name))
			return (long)i;
	return -1;
}

static const char *smc_name(uint32_t a0)
{
	static const char *const names[] = {
		"OK",	    "ETHREAD_LIMIT", "EBUSY",  "ERESUME",
		"EBADADDR", "EBADCMD",	     "ENOMEM", "ENOTAVAIL",
	};

	if (a0 < sizeof(names) / sizeof(names[0]))
		return names[a0];
	return a0 == OPTEE_SMC_RETURN_UNKNOWN_FUNCTION ? "UNKNOWN_FUNCTION"
						       : NULL;
}

static const char *ret_name(uint32_t ret)
{
	switch (ret) {
	case TEEC_SUCCESS:
		return "SUCCESS";
	case TEEC_ERROR_BAD_PARAMETERS:
		return "BAD_PARAMETERS";
	case TEEC_ERROR_OUT_OF_MEMORY:
		return "OUT_OF_MEMORY";
	case TEEC_ERROR_SECURITY:
		return "SECURITY";
	case TEEC_ERROR_GENERIC:
		return "GENERIC";
	case TEEC_ERROR_BUSY:
		return "BUSY";
	default:
		return NULL;
	}
}

static const char *origin_name(uint32_t origin)
{
	static const char *const names[] = {"?", "API", "COMMS", "TEE", "TA"};

	return origin < 5 && origin ? names[origin] : NULL;
}

static int put_name(char *buf, size_t len, const char *key, const char *name,
		    uint32_t v)
{
	return name ? snprintf(buf, len, "%s=%s", key, name)
		    : snprintf(buf, len, "%s=0x%x", key, v);
}

void attack_format(const struct attack_answer *a, char *buf, size_t len)
{
	int n;

	switch (a->kind) {
	case ATTACK_ANS_RC:
		snprintf(buf, len, "rc=%d", (int)(int32_t)a->a0);
		return;
	case ATTACK_ANS_SMC:
		put_name(buf, len, "a0", smc_name(a->a0), a->a0);
		return;
	default:
		n = snprintf(buf, len, "a0=OK ");
		if (n < 0 || (size_t)n >= len)
			return;
		n += put_name(buf + n, len - (size_t)n, "ret", ret_name(a->ret),
			      a->ret);
		if (n < 0 || (size_t)n + 1 >= len)
			return;
		buf[n++] = ' ';
		put_name(buf + n, len - (size_t)n, "origin",
			 origin_name(a->origin), a->origin);
		return;
	}
}

void attack_run(size_t i, struct attack_result *r)
{
	attack_run_at(i, false, r);
}

void attack_run_at(size_t i, bool ram_at_zero, struct attack_result *r)
{
	struct atk *x = calloc(1, sizeof(*x));

	memset(r, 0, sizeof(*r));
	if (i >= ATTACK_COUNT)
		return;
	r->name = attacks[i].name;
	r->klass = attacks[i].klass;
	r->goal = attacks[i].goal;
	r->expected = attacks[i].expect;
	r->checks_ok = r->unchanged = r->clean = true;
	if (!x) {
		snprintf(r->note, sizeof(r->note), "out of host memory");
		return;
	}
	x->a = &attacks[i];
	x->r = r;
	x->ram_at_zero = ram_at_zero;
	if (setup(x)) {
		if ((x->a->flags & (AF_NOTIF_FN | AF_NOTIF_CMD)) &&
		    !notif_offered(x)) {
			r->expected = smc_answer(x->a->flags & AF_NOTIF_FN
							 ? OPTEE_SMC_RETURN_UNKNOWN_FUNCTION
							 : OPTEE_SMC_RETURN_EBADCMD);
			x->unoffered = true;
		}
		if (x->a->run)
			x->a->run(x);
		else
			run_msg(x);
		check(x, x->settled, "the attack did not get to its step");
		finish_pending(x);
		if (x->after)
			x->after(x);
		health(x);
	} else {
		check(x, false, "setup: %s", x->w.first_error);
	}
	teardown(x);
	r->answer_ok = r->expected.kind == r->observed.kind &&
		       r->expected.a0 == r->observed.a0 &&
		       r->expected.ret == r->observed.ret &&
		       r->expected.origin == r->observed.origin;
	r->blocked = r->answer_ok && r->checks_ok && r->unchanged &&
		     r->victim_ok && r->clean && !r->oracle_violations;
	free(x);
}
