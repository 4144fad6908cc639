/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Concurrency stress: real host threads call teemed_vm_smc() on one
 * teemed instance at once, and VMs are created and destroyed while
 * other VMs' calls run. Meant to run under ThreadSanitizer and ASan.
 *
 * Honest VMs run the guest-driver model with one host thread per vCPU.
 * The model is not thread-safe, so each guest has a big lock that its
 * vCPU threads hold while they run guest code and drop for the SMC
 * itself (in the conduit): calls of one VM really are in teemed at
 * once, guest code never is. Each honest VM also has a hostile thread
 * whose SMCs cannot disturb the guest's results: fast calls, unaligned
 * arguments, RETURN_FROM_RPC naming thread ids past the VM's calls.
 *
 * Hostile VMs have no guest model: several threads each make their own
 * value-only calls, resume each other's calls with RETURN_FROM_RPC and
 * random thread ids, and mix in fast calls and malformed arguments. No
 * thread writes guest memory once they run, and every argument page is
 * used for one call only, so a hijacked call can never make teemed and
 * a thread touch the same guest bytes at once (which on hardware is a
 * guest hurting itself, but in C is a data race TSan would report).
 *
 * Meanwhile the main thread cuts a VM down in the middle of its work
 * and destroys it, destroys a hostile VM, starts a new honest VM, and
 * creates and destroys VMs in a loop, all while the others run.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "guest.h"
#include "sim_rng.h"
#include "tas.h"
#include "optee_abi.h"
#include "world.h"

#define MAX_VMS		 8u
#define MAX_THREADS	 4u
#define HONEST_VCPUS	 3u
#define HONEST_OPS	 1500u /* TEEMED_STRESS_OPS overrides */
#define CUT_AFTER_OPS	 200u
#define DOOMED_OPS	 100000u /* never finishes: cut down mid-work */
#define BUF_SIZE	 16384u
#define HOSTILE_THREADS	 4u
#define HOSTILE_PAGES	 1024u
#define HOSTILE_ARG_BASE 16u /* pages below: the shared bad messages */
#define CHURN_ROUNDS	 40u
#define DEADLINE_S	 300.0
#define PAGE		 MACHINE_PAGE_SIZE

enum vm_kind { VM_HONEST, VM_DOOMED, VM_HOSTILE, VM_EMPTY };

struct svm;

struct sthread {
	struct svm *v;
	pthread_t tid;
	uint32_t index;
	uint64_t rng;
	bool started;
	/* hostile threads: their argument pages, each used once */
	uint32_t next_arg, end_arg;
	/* hostile threads: own call in an RPC, by thread id; -1 if none */
	int64_t own_call;
	uint64_t smcs;
};

struct svm {
	struct world_vm wv;
	enum vm_kind kind;
	uint16_t id;
	struct guest *g;
	pthread_mutex_t gmu; /* the guest model's big lock */
	struct sthread vcpu[MAX_THREADS];
	struct sthread hostile[MAX_THREADS];
	uint32_t nvcpu, nhostile;
	atomic_bool stop;
	bool live;
};

static struct world w;
static struct svm vms[MAX_VMS];
static double t_start;
static atomic_bool timed_out;
static uint64_t seed = 1;
static uint64_t honest_ops = HONEST_OPS;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool past_deadline(void)
{
	if (now() - t_start < DEADLINE_S)
		return false;
	atomic_store(&timed_out, true);
	return true;
}

static void lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m))
		abort();
}

static void unlock(pthread_mutex_t *m)
{
	if (pthread_mutex_unlock(m))
		abort();
}

/* Each thread is its VM's vCPU of the same number. */
static void smc(struct svm *v, uint32_t vcpu, struct teemed_regs *r)
{
	if (world_vm_smc(&w, &v->wv, vcpu, r) == TEEMED_SMC_NOT_OPTEE)
		r->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
}

/* The guest's conduit: its big lock is held by the calling vCPU. */
static void conduit(void *ctx, uint32_t vcpu, struct teemed_regs *regs)
{
	struct svm *v = ctx;

	unlock(&v->gmu);
	smc(v, vcpu, regs);
	lock(&v->gmu);
}

/*
 * The guest's notification interrupt: teemed_notif_irq() runs it on the
 * interrupt thread, holding teemed's instance lock; the guest model is
 * guarded by its big lock.
 */
static void irq_line(void *ctx)
{
	struct svm *v = ctx;

	lock(&v->gmu);
	guest_notif_irq(v->g);
	unlock(&v->gmu);
}

/* OP-TEE's one notification interrupt, handled on its own CPU. */
static atomic_bool irq_stop;

static void *irq_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&irq_stop)) {
		if (!world_poll_irq(&w))
			sched_yield();
	}
	return NULL;
}

/* ---- honest vCPUs --------------------------------------------------- */

static void *vcpu_main(void *arg)
{
	struct sthread *t = arg;
	struct svm *v = t->v;
	uint32_t idle = 0;

	lock(&v->gmu);
	while (!atomic_load(&v->stop) && !guest_done(v->g)) {
		if (guest_vcpu_runnable(v->g, t->index)) {
			guest_vcpu_step(v->g, t->index);
			t->smcs++;
			idle = 0;
		} else {
			idle++;
		}
		/* Let the other vCPUs of this guest in between steps. */
		unlock(&v->gmu);
		if (idle || !(t->smcs & 7))
			sched_yield();
		if ((idle & 1023) == 1023 && past_deadline())
			return NULL;
		lock(&v->gmu);
	}
	unlock(&v->gmu);
	return NULL;
}

/* SMCs that must leave an honest guest's results alone. */
static void *pest_main(void *arg)
{
	static const uint32_t fids[] = {
		OPTEE_SMC_CALLS_COUNT,
		OPTEE_SMC_CALLS_UID,
		OPTEE_SMC_CALLS_REVISION,
		OPTEE_SMC_GET_THREAD_COUNT,
		OPTEE_SMC_GET_SHM_CONFIG,
		OPTEE_SMC_EXCHANGE_CAPABILITIES,
		OPTEE_SMC_ENABLE_SHM_CACHE,
		/* Not GET_ASYNC_NOTIF_VALUE: the VM's own values, which the
		   honest guest awaits, would be taken by its pest. */
		OPTEE_SMC_ENABLE_ASYNC_NOTIF,
		0xB20000FFu,
	};
	struct sthread *t = arg;
	struct svm *v = t->v;

	while (!atomic_load(&v->stop)) {
		struct teemed_regs r;
		uint64_t x = sim_splitmix64(&t->rng);

		memset(&r, 0, sizeof(r));
		switch (x % 3) {
		case 0:
			r.a[0] = fids[(x >> 8) %
				      (sizeof(fids) / sizeof(fids[0]))];
			break;
		case 1:
			/* No call has such a thread id: always ERESUME. */
			r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
			r.a[3] = TEEMED_MAX_CALLS + ((x >> 8) & 0xffffff);
			break;
		default:
			/* Refused before any call slot is taken. */
			r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
			r.a[2] =
				MACHINE_GUEST_RAM_BASE + 1 + ((x >> 8) & 0xffe);
			break;
		}
		smc(v, t->index, &r);
		t->smcs++;
		if (!(t->smcs & 63)) {
			sched_yield();
			if (past_deadline())
				break;
		}
	}
	return NULL;
}

/* ---- hostile VMs ---------------------------------------------------- */

static uint64_t page_ipa(uint32_t page)
{
	return MACHINE_GUEST_RAM_BASE + (uint64_t)page * PAGE;
}

static struct optee_msg_arg *page_arg(struct svm *v, uint32_t page)
{
	return machine_guest_ptr(w.m, v->id, page_ipa(page));
}

static void uuid_param(struct optee_msg_param *p, const struct sim_uuid *u)
{
	p->attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META;
	memcpy(p->u.octets, u->b, sizeof(u->b));
}

/* One message per argument page, written before any thread runs. */
static void hostile_write_messages(struct svm *v, uint64_t *rng)
{
	static const struct sim_uuid slow = TA_SLOW_UUID, echo = TA_XFORM_UUID;
	struct optee_msg_arg *bad;

	/* Refused while being read, never written back: may be shared. */
	bad = page_arg(v, 1);
	bad->cmd = 0x77;
	bad = page_arg(v, 2);
	bad->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
	bad->num_params = 200;
	for (uint32_t p = HOSTILE_ARG_BASE; p < HOSTILE_PAGES; p++) {
		struct optee_msg_arg *a = page_arg(v, p);
		uint64_t x = sim_splitmix64(rng);

		switch (x % 4) {
		case 0:
			a->cmd = OPTEE_MSG_CMD_OPEN_SESSION;
			a->num_params = 2;
			uuid_param(&a->params[0], (x >> 8) & 1 ? &slow : &echo);
			a->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT |
					    OPTEE_MSG_ATTR_META;
			a->params[1].u.value.c = OPTEE_MSG_LOGIN_PUBLIC;
			break;
		case 1:
			a->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
			a->func = TA_SLOW_CMD_SPIN;
			a->session = 1 + (x >> 8) % 8;
			a->num_params = 1;
			a->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
			a->params[0].u.value.a = 1 + (x >> 16) % 6;
			break;
		case 2:
			a->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
			a->func = TA_XFORM_CMD_ECHO;
			a->session = 1 + (x >> 8) % 8;
			a->num_params = 1;
			a->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
			a->params[0].u.value.a = x >> 32;
			break;
		default:
			a->cmd = OPTEE_MSG_CMD_CLOSE_SESSION;
			a->session = 1 + (x >> 8) % 8;
			break;
		}
	}
}

/* Answer whatever OP-TEE asked of our own call, with no memory. */
static void hostile_own_call(struct sthread *t, struct teemed_regs *r)
{
	if (t->own_call >= 0) {
		r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		r->a[3] = (uint64_t)t->own_call;
		return;
	}
	if (t->next_arg >= t->end_arg) {
		r->a[0] = OPTEE_SMC_GET_THREAD_COUNT;
		return;
	}
	r->a[0] = OPTEE_SMC_CALL_WITH_ARG;
	r->a[2] = page_ipa(t->next_arg++);
}

static void *hostile_main(void *arg)
{
	static const uint32_t fids[] = {
		OPTEE_SMC_DISABLE_SHM_CACHE, OPTEE_SMC_ENABLE_SHM_CACHE,
		OPTEE_SMC_GET_THREAD_COUNT,  OPTEE_SMC_EXCHANGE_CAPABILITIES,
		OPTEE_SMC_CALLS_UID,	     0xB2000055u,
	};
	struct sthread *t = arg;
	struct svm *v = t->v;

	while (!atomic_load(&v->stop)) {
		struct teemed_regs r;
		uint64_t x = sim_splitmix64(&t->rng);
		bool own = false;
		uint32_t a0;

		memset(&r, 0, sizeof(r));
		switch (x % 10) {
		case 0:
		case 1:
		case 2:
		case 3:
			hostile_own_call(t, &r);
			own = r.a[0] != OPTEE_SMC_GET_THREAD_COUNT;
			break;
		case 4:
		case 5:
		case 6:
			/* Anyone's call or none; no memory in the answer. */
			r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
			r.a[3] = (x >> 8) % 6;
			break;
		case 7:
		case 8:
			r.a[0] = fids[(x >> 8) %
				      (sizeof(fids) / sizeof(fids[0]))];
			break;
		default: {
			static const uint64_t bad[] = {
				MACHINE_GUEST_MMIO_BASE,
				0x1000,
				MACHINE_GUEST_RAM_BASE + 8,
				MACHINE_GUEST_RAM_BASE + 1 * PAGE,
				MACHINE_GUEST_RAM_BASE + 2 * PAGE,
				MACHINE_GUEST_RAM_BASE +
					(uint64_t)HOSTILE_PAGES * PAGE,
			};

			r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
			r.a[2] = bad[(x >> 8) % (sizeof(bad) / sizeof(bad[0]))];
			break;
		}
		}
		smc(v, t->index, &r);
		t->smcs++;
		a0 = (uint32_t)r.a[0];
		if (own || t->own_call == (int64_t)(uint32_t)r.a[3])
			t->own_call = OPTEE_SMC_RETURN_IS_RPC(a0)
					      ? (int64_t)(uint32_t)r.a[3]
					      : -1;
		if (!(t->smcs & 63)) {
			sched_yield();
			if (past_deadline())
				break;
		}
	}
	return NULL;
}

/* ---- VMs ------------------------------------------------------------ */

static uint32_t honest_ram(void)
{
	uint32_t bp = BUF_SIZE / PAGE + 3;

	return 1024 + HONEST_VCPUS * (6 * bp + 16) + 3 * bp;
}

static void start(struct sthread *t, struct svm *v, uint32_t index,
		  void *(*fn)(void *))
{
	t->v = v;
	t->index = index;
	t->rng = seed ^ (0x9e3779b97f4a7c15ull * (v->id * 16u + index + 1u)) ^
		 (uintptr_t)fn;
	t->own_call = -1;
	assert_int_equal(pthread_create(&t->tid, NULL, fn, t), 0);
	t->started = true;
}

static void vm_start(uint16_t id, enum vm_kind kind)
{
	struct svm *v = &vms[id - 1];
	uint32_t ram = kind == VM_HOSTILE ? HOSTILE_PAGES : honest_ram();

	memset(v, 0, sizeof(*v));
	v->id = id;
	v->kind = kind;
	assert_int_equal(pthread_mutex_init(&v->gmu, NULL), 0);
	if (kind == VM_EMPTY)
		ram = 16;
	assert_true(world_vm_add(&w, &v->wv, id, ram, NULL));
	v->live = true;
	if (kind == VM_HOSTILE) {
		uint64_t r = seed + id;
		uint32_t per =
			(HOSTILE_PAGES - HOSTILE_ARG_BASE) / HOSTILE_THREADS;

		hostile_write_messages(v, &r);
		v->nhostile = HOSTILE_THREADS;
		for (uint32_t i = 0; i < v->nhostile; i++) {
			v->hostile[i].next_arg = HOSTILE_ARG_BASE + i * per;
			v->hostile[i].end_arg =
				HOSTILE_ARG_BASE + (i + 1) * per;
			start(&v->hostile[i], v, i, hostile_main);
		}
		return;
	}
	if (kind == VM_EMPTY)
		return;
	{
		struct guest_config gc;

		memset(&gc, 0, sizeof(gc));
		gc.machine = w.m;
		gc.oracle = w.orc;
		gc.vm_id = id;
		gc.ram_pages = ram;
		gc.vcpus = HONEST_VCPUS;
		gc.ops = kind == VM_DOOMED ? DOOMED_OPS : honest_ops;
		gc.buf_size = BUF_SIZE;
		gc.mem = GUEST_MEM_ALL;
		gc.long_lived = 2;
		gc.max_spins = 4;
		gc.cleanup = kind == VM_HONEST;
		gc.seed = seed + id;
		gc.smc = conduit;
		gc.smc_ctx = v;
		v->g = guest_create(&gc);
		assert_non_null(v->g);
		v->wv.hv.irq = irq_line;
		v->wv.hv.irq_ctx = v;
	}
	v->nvcpu = HONEST_VCPUS;
	for (uint32_t i = 0; i < v->nvcpu; i++)
		start(&v->vcpu[i], v, i, vcpu_main);
	v->nhostile = 1;
	start(&v->hostile[0], v, 0, pest_main);
}

/* Stop the VM's vCPUs as a hypervisor does before destroying it. */
static void vm_halt(struct svm *v)
{
	atomic_store(&v->stop, true);
	for (uint32_t i = 0; i < v->nvcpu; i++)
		if (v->vcpu[i].started)
			pthread_join(v->vcpu[i].tid, NULL);
	for (uint32_t i = 0; i < v->nhostile; i++)
		if (v->hostile[i].started)
			pthread_join(v->hostile[i].tid, NULL);
	v->nvcpu = v->nhostile = 0;
}

/* Honest guests stop their pests once their own work is done. */
static void vm_wait_done(struct svm *v)
{
	for (uint32_t i = 0; i < v->nvcpu; i++)
		pthread_join(v->vcpu[i].tid, NULL);
	v->nvcpu = 0;
	vm_halt(v);
}

static void vm_report(struct svm *v)
{
	static const char *const kinds[] = {"honest", "cut", "hostile",
					    "empty"};
	struct teemed_vm_stats ts;
	uint64_t refused = 0;

	teemed_vm_get_stats(v->wv.vm, &ts);
	for (int k = 0; k < TEEMED_REFUSED_COUNT; k++)
		refused += ts.refused[k];
	if (v->kind != VM_EMPTY)
		print_message(
			"vm %u %-7s %7llu SMCs, %6llu calls, %2u at once, "
			"%7llu refused, %3u pinned at destroy\n",
			v->id, kinds[v->kind], (unsigned long long)ts.smcs,
			(unsigned long long)ts.std_calls, ts.calls_peak,
			(unsigned long long)refused, ts.pinned_pages);
}

static void vm_destroy(struct svm *v)
{
	struct guest_stats gs;
	uint64_t pins;

	vm_report(v);
	if (v->g) {
		bool done;

		/* The interrupt thread may still be delivering to it. */
		lock(&v->gmu);
		guest_get_stats(v->g, &gs);
		done = guest_done(v->g);
		unlock(&v->gmu);
		if (v->kind == VM_HONEST) {
			if (gs.errors)
				print_message("vm %u: %s\n", v->id,
					      gs.first_error);
			assert_int_equal(gs.errors, 0);
			assert_int_equal(gs.ops, honest_ops);
			assert_true(done);
		}
	}
	pins = world_vm_destroy(&w, &v->wv, NULL);
	assert_int_equal(pins, 0);
	assert_int_equal(w.errors, 0);
	guest_destroy(v->g);
	v->g = NULL;
	pthread_mutex_destroy(&v->gmu);
	v->live = false;
}

static uint64_t guest_ops(struct svm *v)
{
	struct guest_stats gs;

	lock(&v->gmu);
	guest_get_stats(v->g, &gs);
	unlock(&v->gmu);
	return gs.ops;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void test_stress(void **state)
{
	pthread_t irq_tid;
	struct world_opts wo;
	struct world_end end;
	const char *s = getenv("TEEMED_STRESS_SEED");
	const char *ops = getenv("TEEMED_STRESS_OPS");

	(void)state;
	if (s)
		seed = strtoull(s, NULL, 0);
	if (ops && strtoull(ops, NULL, 0) > 0)
		honest_ops = strtoull(ops, NULL, 0);
	print_message("stress seed %llu (TEEMED_STRESS_SEED replays it; "
		      "thread timing does not)\n",
		      (unsigned long long)seed);
	t_start = now();
	memset(&wo, 0, sizeof(wo));
	wo.host_pages = 6 * honest_ram() + 2 * HOSTILE_PAGES + 16384;
	wo.seed = seed;
	wo.max_vms = MAX_VMS;
	assert_true(world_init(&w, &wo));
	atomic_store(&irq_stop, false);
	assert_int_equal(pthread_create(&irq_tid, NULL, irq_main, NULL), 0);

	vm_start(1, VM_HONEST);
	vm_start(2, VM_HONEST);
	vm_start(3, VM_HOSTILE);
	vm_start(4, VM_DOOMED);
	vm_start(5, VM_HOSTILE);

	/* Cut VM 4 down mid-work while 1, 2, 3 and 5 run. */
	while (guest_ops(&vms[3]) < CUT_AFTER_OPS && !past_deadline())
		sleep_ms(1);
	vm_halt(&vms[3]);
	vm_destroy(&vms[3]);

	/* A new guest joins while the others run. */
	vm_start(6, VM_HONEST);

	/* Creation and destruction racing with everyone's calls. */
	for (uint32_t i = 0; i < CHURN_ROUNDS && !past_deadline(); i++) {
		uint16_t id = i & 1 ? 7 : 8;

		vm_start(id, i % 3 ? VM_EMPTY : VM_HOSTILE);
		sleep_ms(2);
		vm_halt(&vms[id - 1]);
		vm_destroy(&vms[id - 1]);
	}

	/* A hostile VM goes while honest ones still run. */
	vm_halt(&vms[2]);
	vm_destroy(&vms[2]);

	vm_wait_done(&vms[0]);
	vm_wait_done(&vms[1]);
	vm_wait_done(&vms[5]);
	vm_halt(&vms[4]);
	assert_false(atomic_load(&timed_out));
	for (uint32_t i = 0; i < MAX_VMS; i++)
		if (vms[i].live)
			vm_destroy(&vms[i]);
	atomic_store(&irq_stop, true);
	pthread_join(irq_tid, NULL);

	world_fini(&w, &end);
	if (end.oracle_violations)
		print_message("oracle: %s\n", end.first_violation);
	assert_int_equal(w.errors, 0);
	assert_int_equal(end.oracle_violations, 0);
	assert_int_equal(end.leaked_mediator_pages, 0);
	assert_true(end.oracle_checks > 0);
	print_message("stress: %.1f s\n", now() - t_start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
