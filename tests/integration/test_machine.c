/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulator's own foundations: the machine, the hosted platform and
 * the oracle. Every other integration test trusts them, so each promise
 * of their headers is checked here, including that violations and core
 * bugs are actually caught.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machine.h"
#include "oracle.h"
#include "sim_platform.h"
#include "optee_abi.h"
#include "teemed/teemed.h"

#ifdef __has_include
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TM_MAKE_DEFINED(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#endif
#endif
#ifndef TM_MAKE_DEFINED
#define TM_MAKE_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#define PG	MACHINE_PAGE_SIZE
#define RAM(i)	(MACHINE_GUEST_RAM_BASE + (uint64_t)(i)*PG)
#define MMIO(i) (MACHINE_GUEST_MMIO_BASE + (uint64_t)(i)*PG)

static uint64_t host_end(uint32_t pages)
{
	return MACHINE_HOST_BASE + (uint64_t)pages * PG;
}

/* Runs `fn` in a child and reports whether it died of abort(). */
static bool aborts(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		/* The expected message would only clutter the test log. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

/* ---- machine ---- */

static void test_create_refuses_empty_ram(void **state)
{
	(void)state;
	assert_null(machine_create(0, 1));
}

static void test_guest_pages_are_scattered(void **state)
{
	struct machine *m = machine_create(1024, 42);
	struct machine *same = machine_create(1024, 42);
	struct machine *other = machine_create(1024, 43);
	uint64_t pa[64];
	unsigned int i, j, adjacent = 0, differ = 0;

	(void)state;
	assert_non_null(m);
	assert_non_null(same);
	assert_non_null(other);
	assert_int_equal(machine_guest_add(m, 1, 64), 0);
	assert_int_equal(machine_guest_add(same, 1, 64), 0);
	assert_int_equal(machine_guest_add(other, 1, 64), 0);
	for (i = 0; i < 64; i++) {
		struct machine_page_info info;
		uint8_t *g = machine_guest_ptr(m, 1, RAM(i) + 5);

		pa[i] = machine_guest_pa(m, 1, RAM(i));
		assert_true(machine_is_host_pa(m, pa[i]));
		assert_int_equal(pa[i] % PG, 0);
		assert_int_equal(machine_guest_pa(m, 1, RAM(i) + 5), pa[i] + 5);
		assert_int_equal(machine_page_info(m, pa[i], &info), 0);
		assert_int_equal(info.owner, 1);
		assert_int_equal(info.pins, 0);
		assert_true(info.guest_mapped);
		/* The guest's view and the host's view are one memory. */
		assert_non_null(g);
		assert_int_equal(*g, 0);
		*g = (uint8_t)(i + 1);
		assert_int_equal(*((uint8_t *)machine_pa_ptr(m, pa[i]) + 5),
				 i + 1);
		for (j = 0; j < i; j++)
			assert_true(pa[j] != pa[i]);
		if (i && pa[i] == pa[i - 1] + PG)
			adjacent++;
		assert_int_equal(machine_guest_pa(same, 1, RAM(i)), pa[i]);
		if (machine_guest_pa(other, 1, RAM(i)) != pa[i])
			differ++;
	}
	assert_true(adjacent < 8);
	assert_true(differ > 32);
	assert_null(machine_guest_ptr(m, 1, RAM(64)));
	assert_int_equal(machine_guest_pa(m, 1, RAM(64)), 0);
	assert_null(machine_guest_ptr(m, 1, MACHINE_GUEST_RAM_BASE - 1));
	assert_null(machine_guest_ptr(m, 2, RAM(0)));
	machine_destroy(m);
	machine_destroy(same);
	machine_destroy(other);
}

static void test_guest_add_errors(void **state)
{
	struct machine *m = machine_create(100, 7);
	uint64_t pa;
	unsigned int n = 0;

	(void)state;
	assert_int_equal(machine_guest_add(m, 0, 1), -1);
	assert_int_equal(machine_guest_add(m, 1, 10), 0);
	assert_int_equal(machine_guest_add(m, 1, 10), -1);
	/* 100 - 10 - 16 = 74 free: 59 + 16 MMIO pages do not fit. */
	assert_int_equal(machine_guest_add(m, 2, 59), -1);
	assert_int_equal(machine_guest_add(m, 2, 58), 0);
	assert_int_equal(machine_guest_add(m, 65535, 0), -1);
	while (machine_alloc_mediator_page(m, &pa) == 0)
		n++;
	assert_int_equal(n, 0);
	assert_int_equal(machine_guest_remove(m, 2), 0);
	assert_int_equal(machine_guest_remove(m, 2), -1);
	assert_int_equal(machine_guest_add(m, 65535, 0), 0);
	assert_null(machine_guest_ptr(m, 65535, RAM(0)));
	assert_int_equal(machine_guest_remove(m, 65535), 0);
	while (machine_alloc_mediator_page(m, &pa) == 0)
		n++;
	assert_int_equal(n, 74);
	assert_int_equal(machine_mediator_pages(m), 74);
	machine_destroy(m);
}

static void test_guest_table_limit(void **state)
{
	struct machine *m = machine_create(257 * MACHINE_GUEST_MMIO_PAGES, 1);
	unsigned int i;

	(void)state;
	for (i = 0; i < 256; i++)
		assert_int_equal(
			machine_guest_add(m, (uint16_t)(i * 250 + 7), 0), 0);
	assert_int_equal(machine_guest_add(m, 3, 0), -1);
	assert_int_equal(machine_guest_remove(m, 7), 0);
	assert_int_equal(machine_guest_add(m, 3, 0), 0);
	machine_destroy(m);
}

static void test_mmio_is_mapped_but_not_ram(void **state)
{
	struct machine *m = machine_create(256, 3);
	struct machine_page_info info;
	uint64_t pa = 0, dev;
	unsigned int i;

	(void)state;
	assert_int_equal(machine_guest_add(m, 5, 8), 0);
	for (i = 0; i < MACHINE_GUEST_MMIO_PAGES; i++) {
		assert_null(machine_guest_ptr(m, 5, MMIO(i)));
		assert_int_equal(machine_pin(m, 5, MMIO(i), false, &pa), -1);
		dev = machine_guest_pa(m, 5, MMIO(i));
		assert_true(machine_is_host_pa(m, dev));
		assert_int_equal(machine_page_info(m, dev, &info), 0);
		assert_int_equal(info.owner, MACHINE_OWNER_DEVICE);
		assert_int_equal(machine_guest_balloon(m, 5, MMIO(i)), -1);
	}
	assert_int_equal(machine_guest_pa(m, 5, MMIO(MACHINE_GUEST_MMIO_PAGES)),
			 0);
	assert_int_equal(machine_pin(m, 5, RAM(0) + 8, true, &pa), -1);
	assert_int_equal(machine_pin(m, 5, RAM(8), true, &pa), -1);
	assert_int_equal(machine_pin(m, 6, RAM(0), true, &pa), -1);
	assert_int_equal(machine_pins_of(m, 5), 0);
	assert_int_equal(machine_page_info(m, MACHINE_HOST_BASE - 1, &info),
			 -1);
	assert_int_equal(machine_page_info(m, host_end(256), &info), -1);
	assert_int_equal(machine_page_info(m, host_end(256) - 1, &info), 0);
	assert_null(machine_pa_ptr(m, host_end(256)));
	assert_false(machine_is_host_pa(m, MACHINE_HOST_BASE - 1));
	machine_destroy(m);
}

/*
 * RAM at PA 0: the host's own page, RAM to the secure-world model, never
 * given to a guest or the mediator, and off limits to the secure world.
 */
static void test_page_zero(void **state)
{
	struct machine *m = machine_create(64, 9);
	struct oracle *o;
	struct machine_page_info info;
	uint64_t pa;

	assert_non_null(m);
	assert_false(machine_is_ram(m, 0));
	assert_null(machine_pa_ptr(m, 0));
	assert_int_equal(machine_page_info(m, 0, &info), -1);
	assert_int_equal(machine_add_page_zero(m), 0);
	assert_true(machine_is_ram(m, 0));
	assert_true(machine_is_ram(m, PG - 1));
	assert_false(machine_is_ram(m, PG));
	assert_false(machine_is_host_pa(m, 0));
	assert_non_null(machine_pa_ptr(m, 8));
	assert_int_equal(machine_page_info(m, 0x10, &info), 0);
	assert_int_equal(info.owner, MACHINE_OWNER_HOST);
	assert_int_equal(info.pins, 0);
	assert_int_equal(machine_guest_add(m, 1, 32), 0);
	for (uint32_t i = 0; i < 32; i++)
		assert_true(machine_guest_pa(m, 1, RAM(i)) >= MACHINE_HOST_BASE);
	while (machine_alloc_mediator_page(m, &pa) == 0)
		assert_true(machine_is_host_pa(m, pa));
	o = oracle_create(m);
	assert_non_null(o);
	assert_false(oracle_sw_access(o, 1, 0, 16, "page 0"));
	assert_int_equal(oracle_violations(o), 1);
	oracle_destroy(o);
	machine_destroy(m);
}

static void test_pins_block_balloon_and_remove(void **state)
{
	struct machine *m = machine_create(256, 9);
	struct machine_page_info info;
	uint64_t pa, pa2;

	(void)state;
	assert_int_equal(machine_guest_add(m, 2, 4), 0);
	assert_int_equal(machine_pin(m, 2, RAM(1), true, &pa), 0);
	assert_int_equal(machine_pin(m, 2, RAM(1), false, &pa2), 0);
	assert_int_equal(pa, pa2);
	assert_int_equal(pa, machine_guest_pa(m, 2, RAM(1)));
	assert_int_equal(machine_page_info(m, pa, &info), 0);
	assert_int_equal(info.pins, 2);
	assert_int_equal(machine_pins_of(m, 2), 2);
	assert_int_equal(machine_guest_balloon(m, 2, RAM(1)), -1);
	assert_int_equal(machine_guest_remove(m, 2), -1);
	assert_non_null(machine_guest_ptr(m, 2, RAM(1)));
	machine_unpin(m, 2, pa);
	assert_int_equal(machine_guest_balloon(m, 2, RAM(1)), -1);
	machine_unpin(m, 2, pa);
	assert_int_equal(machine_pins_of(m, 2), 0);
	assert_int_equal(machine_guest_balloon(m, 2, RAM(1)), 0);
	assert_null(machine_guest_ptr(m, 2, RAM(1)));
	assert_int_equal(machine_guest_pa(m, 2, RAM(1)), 0);
	assert_int_equal(machine_page_info(m, pa, &info), 0);
	assert_int_equal(info.owner, MACHINE_OWNER_FREE);
	assert_false(info.guest_mapped);
	assert_int_equal(machine_pin(m, 2, RAM(1), true, &pa2), -1);
	assert_int_equal(machine_guest_balloon(m, 2, RAM(1)), -1);
	assert_int_equal(machine_guest_balloon(m, 2, RAM(4)), -1);
	/* Other pages still work after a hole appeared. */
	assert_non_null(machine_guest_ptr(m, 2, RAM(2)));
	assert_int_equal(machine_guest_remove(m, 2), 0);
	assert_int_equal(machine_pins_of(m, 2), 0);
	machine_destroy(m);
}

static void test_mediator_pages(void **state)
{
	struct machine *m = machine_create(32, 11);
	struct machine_page_info info;
	uint64_t pa[33];
	unsigned int i;

	(void)state;
	for (i = 0; i < 32; i++) {
		assert_int_equal(machine_alloc_mediator_page(m, &pa[i]), 0);
		assert_int_equal(pa[i] % PG, 0);
		assert_int_equal(machine_page_info(m, pa[i], &info), 0);
		assert_int_equal(info.owner, MACHINE_OWNER_MEDIATOR);
		assert_false(info.guest_mapped);
	}
	assert_int_equal(machine_alloc_mediator_page(m, &pa[32]), -1);
	assert_int_equal(machine_guest_add(m, 1, 0), -1);
	assert_int_equal(machine_mediator_pages(m), 32);
	for (i = 0; i < 32; i++)
		machine_free_mediator_page(m, pa[i]);
	assert_int_equal(machine_mediator_pages(m), 0);
	assert_int_equal(machine_page_info(m, pa[0], &info), 0);
	assert_int_equal(info.owner, MACHINE_OWNER_FREE);
	machine_destroy(m);
}

static void abort_unpin_unpinned(void)
{
	struct machine *m = machine_create(64, 1);
	uint64_t pa;

	if (machine_guest_add(m, 1, 2))
		return;
	pa = machine_guest_pa(m, 1, RAM(0));
	machine_unpin(m, 1, pa);
}

static void abort_unpin_other_vm(void)
{
	struct machine *m = machine_create(64, 1);
	uint64_t pa;

	if (machine_guest_add(m, 1, 2) || machine_guest_add(m, 2, 2) ||
	    machine_pin(m, 1, RAM(0), true, &pa))
		return;
	machine_unpin(m, 2, pa);
}

static void abort_unpin_outside(void)
{
	struct machine *m = machine_create(64, 1);

	machine_unpin(m, 1, 0x1000);
}

static void abort_free_guest_page(void)
{
	struct machine *m = machine_create(64, 1);

	if (machine_guest_add(m, 1, 2))
		return;
	machine_free_mediator_page(m, machine_guest_pa(m, 1, RAM(0)));
}

static void abort_double_free(void)
{
	struct machine *m = machine_create(64, 1);
	uint64_t pa;

	if (machine_alloc_mediator_page(m, &pa))
		return;
	machine_free_mediator_page(m, pa);
	machine_free_mediator_page(m, pa);
}

static void test_machine_core_bugs_abort(void **state)
{
	(void)state;
	assert_true(aborts(abort_unpin_unpinned));
	assert_true(aborts(abort_unpin_other_vm));
	assert_true(aborts(abort_unpin_outside));
	assert_true(aborts(abort_free_guest_page));
	assert_true(aborts(abort_double_free));
}

/* ---- platform ---- */

struct smc_target {
	unsigned int calls;
	uint64_t last_a0;
};

static void fake_smc(void *target, struct teemed_regs *regs)
{
	struct smc_target *t = target;

	t->calls++;
	t->last_a0 = regs->a[0];
	regs->a[0] = OPTEE_SMC_RETURN_OK;
	regs->a[1] = regs->a[1] + 1;
}

struct fixture {
	struct machine *m;
	struct sim_platform p;
	struct smc_target t;
	struct sim_vm vm1, vm2;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->m = machine_create(512, 5);
	if (!f->m || machine_guest_add(f->m, 1, 32) ||
	    machine_guest_add(f->m, 2, 32))
		return -1;
	sim_platform_init(&f->p, f->m, fake_smc, &f->t);
	f->vm1.vm_id = 1;
	f->vm2.vm_id = 2;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_platform_fini(&f->p);
	machine_destroy(f->m);
	free(f);
	return 0;
}

static void test_platform_pin_map(void **state)
{
	struct fixture *f = *state;
	const struct teemed_platform *ops = &f->p.ops;
	teemed_pa_t pa;
	uint8_t *va;

	assert_ptr_equal(ops->ctx, &f->p);
	assert_int_equal(ops->pin_guest_page(ops->ctx, &f->vm1,
					     teemed_ipa(RAM(3)),
					     TEEMED_PIN_WRITE, &pa),
			 0);
	assert_int_equal(teemed_pa_addr(pa), machine_guest_pa(f->m, 1, RAM(3)));
	va = ops->map(ops->ctx, pa);
	assert_ptr_equal(va, machine_guest_ptr(f->m, 1, RAM(3)));
	va[7] = 0x5a;
	assert_int_equal(*(uint8_t *)machine_guest_ptr(f->m, 1, RAM(3) + 7),
			 0x5a);
	ops->unmap(ops->ctx, va);
	ops->unpin_guest_page(ops->ctx, &f->vm1, pa);
	assert_int_equal(machine_pins_of(f->m, 1), 0);

	/* A VM's handle selects its own stage-2 map. */
	assert_int_equal(ops->pin_guest_page(ops->ctx, &f->vm2,
					     teemed_ipa(RAM(3)), 0, &pa),
			 0);
	assert_int_equal(teemed_pa_addr(pa), machine_guest_pa(f->m, 2, RAM(3)));
	assert_int_equal(machine_pins_of(f->m, 2), 1);
	assert_int_equal(machine_pins_of(f->m, 1), 0);
	ops->unpin_guest_page(ops->ctx, &f->vm2, pa);

	assert_int_equal(ops->pin_guest_page(ops->ctx, &f->vm1,
					     teemed_ipa(MMIO(0)), 0, &pa),
			 TEEMED_ERR_FAULT);
	assert_int_equal(ops->pin_guest_page(ops->ctx, &f->vm1,
					     teemed_ipa(RAM(32)), 0, &pa),
			 TEEMED_ERR_FAULT);
	assert_int_equal(ops->pin_guest_page(ops->ctx, &f->vm1,
					     teemed_ipa(RAM(1) + 1), 0, &pa),
			 TEEMED_ERR_FAULT);
	assert_int_equal(f->p.op_calls[SIM_OP_PIN], 5);
	assert_int_equal(f->p.injected_faults, 0);
	assert_int_equal(machine_pins_of(f->m, 1), 0);
}

static void test_platform_fault_injection(void **state)
{
	struct fixture *f = *state;
	const struct teemed_platform *ops = &f->p.ops;
	struct teemed_regs regs;
	teemed_pa_t pa;
	void *obj, *lock;
	unsigned int i;

	/* The third pin from now fails, and only that one. */
	sim_platform_fail_nth(&f->p, SIM_OP_PIN, 3);
	for (i = 1; i <= 4; i++) {
		int ret = ops->pin_guest_page(ops->ctx, &f->vm1,
					      teemed_ipa(RAM(i)), 0, &pa);

		assert_int_equal(ret, i == 3 ? TEEMED_ERR_FAULT : 0);
		if (!ret)
			ops->unpin_guest_page(ops->ctx, &f->vm1, pa);
	}
	assert_int_equal(f->p.op_calls[SIM_OP_PIN], 4);
	assert_int_equal(f->p.injected_faults, 1);
	assert_int_equal(machine_pins_of(f->m, 1), 0);

	/* Counted from the call of fail_nth, not from the start. */
	sim_platform_fail_nth(&f->p, SIM_OP_PIN, 1);
	assert_int_equal(ops->pin_guest_page(ops->ctx, &f->vm1,
					     teemed_ipa(RAM(0)), 0, &pa),
			 TEEMED_ERR_FAULT);

	sim_platform_fail_nth(&f->p, SIM_OP_ALLOC_PAGE, 1);
	assert_int_equal(ops->alloc_page(ops->ctx, NULL, &pa),
			 TEEMED_ERR_NOMEM);
	assert_int_equal(ops->alloc_page(ops->ctx, NULL, &pa), 0);
	ops->free_page(ops->ctx, NULL, pa);

	sim_platform_fail_nth(&f->p, SIM_OP_ALLOC_OBJ, 2);
	obj = ops->alloc_obj(ops->ctx, &f->vm1, 16);
	assert_non_null(obj);
	assert_null(ops->alloc_obj(ops->ctx, &f->vm1, 16));
	ops->free_obj(ops->ctx, &f->vm1, obj, 16);

	sim_platform_fail_nth(&f->p, SIM_OP_LOCK_CREATE, 1);
	assert_null(ops->lock_create(ops->ctx));
	lock = ops->lock_create(ops->ctx);
	assert_non_null(lock);
	ops->lock_destroy(ops->ctx, lock);

	sim_platform_fail_nth(&f->p, SIM_OP_SMC, 1);
	memset(&regs, 0, sizeof(regs));
	regs.a[0] = OPTEE_SMC_CALLS_UID;
	ops->smc(ops->ctx, &regs);
	assert_int_equal(regs.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(f->t.calls, 0);
	regs.a[0] = OPTEE_SMC_CALLS_UID;
	ops->smc(ops->ctx, &regs);
	assert_int_equal(regs.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(regs.a[1], 1);
	assert_int_equal(f->t.calls, 1);
	assert_int_equal(f->t.last_a0, OPTEE_SMC_CALLS_UID);

	assert_int_equal(f->p.injected_faults, 6);
	assert_int_equal(f->p.op_calls[SIM_OP_ALLOC_PAGE], 2);
	assert_int_equal(f->p.op_calls[SIM_OP_ALLOC_OBJ], 2);
	assert_int_equal(f->p.op_calls[SIM_OP_LOCK_CREATE], 2);
	assert_int_equal(f->p.op_calls[SIM_OP_SMC], 2);

	/* Cleared faults never fire, and 0 means never. */
	sim_platform_fail_nth(&f->p, SIM_OP_SMC, 1);
	sim_platform_fail_nth(&f->p, SIM_OP_ALLOC_OBJ, 0);
	sim_platform_clear_faults(&f->p);
	ops->smc(ops->ctx, &regs);
	assert_int_equal(f->t.calls, 2);
	obj = ops->alloc_obj(ops->ctx, NULL, 8);
	assert_non_null(obj);
	ops->free_obj(ops->ctx, NULL, obj, 8);
	assert_int_equal(f->p.injected_faults, 6);
	assert_int_equal(f->vm1.objs, 0);
	assert_int_equal(f->p.global.pages, 0);
}

static void test_platform_accounting(void **state)
{
	struct fixture *f = *state;
	const struct teemed_platform *ops = &f->p.ops;
	teemed_pa_t pa1, pa2;
	struct machine_page_info info;
	uint8_t *a, *b, *c;
	size_t i;

	a = ops->alloc_obj(ops->ctx, &f->vm1, 24);
	b = ops->alloc_obj(ops->ctx, &f->vm1, TEEMED_PAGE_SIZE);
	c = ops->alloc_obj(ops->ctx, NULL, 100);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal((uintptr_t)a % _Alignof(max_align_t), 0);
	/* Contents are unspecified: the platform makes sure they are not
	   conveniently zero (and, under memcheck, undefined: looked at
	   here only once declared defined). */
	TM_MAKE_DEFINED(b, TEEMED_PAGE_SIZE);
	for (i = 0; i < TEEMED_PAGE_SIZE; i++)
		assert_true(b[i] != 0);
	assert_int_equal(f->vm1.objs, 2);
	assert_int_equal(f->vm1.obj_bytes, 24 + TEEMED_PAGE_SIZE);
	assert_int_equal(f->p.global.objs, 1);
	assert_int_equal(f->p.global.obj_bytes, 100);
	assert_int_equal(f->vm2.objs, 0);

	assert_int_equal(ops->alloc_page(ops->ctx, &f->vm2, &pa1), 0);
	assert_int_equal(ops->alloc_page(ops->ctx, NULL, &pa2), 0);
	assert_int_equal(teemed_pa_addr(pa1) & TEEMED_PAGE_MASK, 0);
	assert_int_equal(machine_page_info(f->m, teemed_pa_addr(pa1), &info),
			 0);
	assert_int_equal(info.owner, MACHINE_OWNER_MEDIATOR);
	assert_int_equal(f->vm2.pages, 1);
	assert_int_equal(f->p.global.pages, 1);
	assert_int_equal(machine_mediator_pages(f->m), 2);
	/* Contents are unspecified: the platform makes sure they are not
	   conveniently zero. */
	a[0] = *(uint8_t *)machine_pa_ptr(f->m, teemed_pa_addr(pa1));
	assert_true(a[0] != 0);
	a[0] = 0;

	ops->free_page(ops->ctx, &f->vm2, pa1);
	ops->free_page(ops->ctx, NULL, pa2);
	ops->free_obj(ops->ctx, &f->vm1, a, 24);
	ops->free_obj(ops->ctx, &f->vm1, b, TEEMED_PAGE_SIZE);
	ops->free_obj(ops->ctx, NULL, c, 100);
	ops->free_obj(ops->ctx, NULL, NULL, 100);
	assert_int_equal(f->vm1.objs, 0);
	assert_int_equal(f->vm1.obj_bytes, 0);
	assert_int_equal(f->vm2.pages, 0);
	assert_int_equal(f->p.global.objs, 0);
	assert_int_equal(f->p.global.obj_bytes, 0);
	assert_int_equal(f->p.global.pages, 0);
	assert_int_equal(machine_mediator_pages(f->m), 0);
}

static void test_platform_locks(void **state)
{
	struct fixture *f = *state;
	const struct teemed_platform *ops = &f->p.ops;
	struct teemed_regs regs;
	void *l1 = ops->lock_create(ops->ctx);
	void *l2 = ops->lock_create(ops->ctx);

	assert_non_null(l1);
	assert_non_null(l2);
	memset(&regs, 0, sizeof(regs));
	ops->smc(ops->ctx, &regs);
	assert_int_equal(f->p.smc_under_lock, 0);
	assert_int_equal(f->p.max_locks_held, 0);

	ops->lock(ops->ctx, l1);
	ops->unlock(ops->ctx, l1);
	ops->lock(ops->ctx, l2);
	ops->unlock(ops->ctx, l2);
	assert_int_equal(f->p.max_locks_held, 1);

	ops->lock(ops->ctx, l1);
	ops->lock(ops->ctx, l2);
	ops->unlock(ops->ctx, l2);
	ops->unlock(ops->ctx, l1);
	assert_int_equal(f->p.max_locks_held, 2);

	ops->smc(ops->ctx, &regs);
	assert_int_equal(f->p.smc_under_lock, 0);
	ops->lock(ops->ctx, l1);
	ops->smc(ops->ctx, &regs);
	ops->unlock(ops->ctx, l1);
	assert_true(f->p.smc_under_lock > 0);
	ops->lock_destroy(ops->ctx, l1);
	ops->lock_destroy(ops->ctx, l2);
}

/* A fresh platform must not inherit what this thread did with another. */
static void test_platform_lock_peak_is_per_platform(void **state)
{
	struct fixture *f = *state;
	struct sim_platform q;
	void *l;

	sim_platform_init(&q, f->m, NULL, NULL);
	l = q.ops.lock_create(q.ops.ctx);
	q.ops.lock(q.ops.ctx, l);
	q.ops.unlock(q.ops.ctx, l);
	q.ops.lock_destroy(q.ops.ctx, l);
	assert_int_equal(q.max_locks_held, 1);
	sim_platform_fini(&q);

	sim_platform_init(&q, f->m, NULL, NULL);
	l = q.ops.lock_create(q.ops.ctx);
	q.ops.lock(q.ops.ctx, l);
	q.ops.unlock(q.ops.ctx, l);
	q.ops.lock_destroy(q.ops.ctx, l);
	assert_int_equal(q.max_locks_held, 1);
	sim_platform_fini(&q);
}

#define THREADS 4
#define ROUNDS	2000

struct worker {
	struct fixture *f;
	void *lock;
	struct sim_vm *vm;
	uint64_t *shared;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct teemed_platform *ops = &w->f->p.ops;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		teemed_pa_t pa;
		void *obj = ops->alloc_obj(ops->ctx, w->vm, 32);

		if (obj)
			ops->free_obj(ops->ctx, w->vm, obj, 32);
		if (!ops->pin_guest_page(ops->ctx, w->vm,
					 teemed_ipa(RAM(i % 32)), 0, &pa))
			ops->unpin_guest_page(ops->ctx, w->vm, pa);
		if (!ops->alloc_page(ops->ctx, w->vm, &pa))
			ops->free_page(ops->ctx, w->vm, pa);
		ops->lock(ops->ctx, w->lock);
		(*w->shared)++;
		ops->unlock(ops->ctx, w->lock);
	}
	return NULL;
}

static void test_platform_threads(void **state)
{
	struct fixture *f = *state;
	const struct teemed_platform *ops = &f->p.ops;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	uint64_t shared = 0;
	unsigned int i;

	sim_platform_fail_nth(&f->p, SIM_OP_ALLOC_OBJ, 1000);
	for (i = 0; i < THREADS; i++) {
		w[i].f = f;
		w[i].lock = i == 0 ? ops->lock_create(ops->ctx) : w[0].lock;
		w[i].vm = i % 2 ? &f->vm2 : &f->vm1;
		w[i].shared = &shared;
		assert_non_null(w[i].lock);
		assert_int_equal(
			pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(shared, THREADS * ROUNDS);
	assert_int_equal(f->p.op_calls[SIM_OP_ALLOC_OBJ], THREADS * ROUNDS);
	assert_int_equal(f->p.op_calls[SIM_OP_PIN], THREADS * ROUNDS);
	assert_int_equal(f->p.op_calls[SIM_OP_ALLOC_PAGE], THREADS * ROUNDS);
	assert_int_equal(f->p.injected_faults, 1);
	assert_int_equal(f->p.max_locks_held, 1);
	assert_int_equal(f->vm1.objs, 0);
	assert_int_equal(f->vm2.objs, 0);
	assert_int_equal(f->vm1.pages, 0);
	assert_int_equal(f->vm2.pages, 0);
	assert_int_equal(machine_pins_of(f->m, 1), 0);
	assert_int_equal(machine_pins_of(f->m, 2), 0);
	ops->lock_destroy(ops->ctx, w[0].lock);
}

static struct fixture *child_fixture(void)
{
	void *state = NULL;

	if (setup(&state))
		_exit(2);
	return state;
}

static void abort_map_free_page(void)
{
	struct fixture *f = child_fixture();
	uint64_t pa;

	if (machine_alloc_mediator_page(f->m, &pa))
		return;
	machine_free_mediator_page(f->m, pa);
	f->p.ops.map(f->p.ops.ctx, teemed_pa(pa));
}

static void abort_map_unpinned(void)
{
	struct fixture *f = child_fixture();

	f->p.ops.map(f->p.ops.ctx,
		     teemed_pa(machine_guest_pa(f->m, 1, RAM(0))));
}

static void abort_map_outside(void)
{
	struct fixture *f = child_fixture();

	f->p.ops.map(f->p.ops.ctx, teemed_pa(0x40000000));
}

static void abort_unmap_after_unpin(void)
{
	struct fixture *f = child_fixture();
	const struct teemed_platform *ops = &f->p.ops;
	teemed_pa_t pa;
	void *va;

	if (ops->pin_guest_page(ops->ctx, &f->vm1, teemed_ipa(RAM(0)), 0, &pa))
		return;
	va = ops->map(ops->ctx, pa);
	ops->unpin_guest_page(ops->ctx, &f->vm1, pa);
	ops->unmap(ops->ctx, va);
}

static void abort_free_obj_wrong_size(void)
{
	struct fixture *f = child_fixture();
	void *obj = f->p.ops.alloc_obj(f->p.ops.ctx, &f->vm1, 16);

	f->p.ops.free_obj(f->p.ops.ctx, &f->vm1, obj, 32);
}

static void abort_unpin_via_other_vm(void)
{
	struct fixture *f = child_fixture();
	const struct teemed_platform *ops = &f->p.ops;
	teemed_pa_t pa;

	if (ops->pin_guest_page(ops->ctx, &f->vm1, teemed_ipa(RAM(0)), 0, &pa))
		return;
	ops->unpin_guest_page(ops->ctx, &f->vm2, pa);
}

static void abort_unlock_unheld(void)
{
	struct fixture *f = child_fixture();
	void *l = f->p.ops.lock_create(f->p.ops.ctx);

	f->p.ops.unlock(f->p.ops.ctx, l);
}

static void abort_free_page_under_other_vm(void)
{
	struct fixture *f = child_fixture();
	teemed_pa_t pa;

	if (f->p.ops.alloc_page(f->p.ops.ctx, &f->vm1, &pa))
		return;
	f->p.ops.free_page(f->p.ops.ctx, &f->vm2, pa);
}

static void test_platform_core_bugs_abort(void **state)
{
	(void)state;
	assert_true(aborts(abort_map_free_page));
	assert_true(aborts(abort_map_unpinned));
	assert_true(aborts(abort_map_outside));
	assert_true(aborts(abort_unmap_after_unpin));
	assert_true(aborts(abort_free_obj_wrong_size));
	assert_true(aborts(abort_unpin_via_other_vm));
	assert_true(aborts(abort_unlock_unheld));
	assert_true(aborts(abort_free_page_under_other_vm));
}

/* ---- oracle ---- */

static void test_oracle_inv1(void **state)
{
	struct fixture *f = *state;
	struct oracle *o = oracle_create(f->m);
	uint64_t med, pin1, pin2, own_unpinned, dev, fr;
	struct machine_page_info info;

	assert_non_null(o);
	assert_int_equal(machine_alloc_mediator_page(f->m, &med), 0);
	assert_int_equal(machine_pin(f->m, 1, RAM(0), true, &pin1), 0);
	assert_int_equal(machine_pin(f->m, 2, RAM(0), true, &pin2), 0);
	own_unpinned = machine_guest_pa(f->m, 1, RAM(1));
	dev = machine_guest_pa(f->m, 1, MMIO(0));
	/* Any page still free after both guests took theirs. */
	for (fr = MACHINE_HOST_BASE;; fr += PG) {
		assert_int_equal(machine_page_info(f->m, fr, &info), 0);
		if (info.owner == MACHINE_OWNER_FREE)
			break;
	}

	assert_true(oracle_sw_access(o, 1, med, PG, "arg"));
	assert_true(oracle_sw_access(o, 2, med + 8, 16, "arg"));
	assert_true(oracle_sw_access(o, 1, pin1 + 100, PG - 100, "buf"));
	assert_true(oracle_sw_access(o, 1, pin1, 0, "buf"));
	assert_true(oracle_sw_access(o, 2, pin2, PG, "buf"));
	assert_int_equal(oracle_violations(o), 0);
	assert_string_equal(oracle_first_violation(o), "");

	assert_false(oracle_sw_access(o, 1, pin2, 8, "other vm"));
	assert_string_not_equal(oracle_first_violation(o), "");
	assert_non_null(strstr(oracle_first_violation(o), "other vm"));
	assert_false(oracle_sw_access(o, 1, own_unpinned, 8, "unpinned"));
	assert_false(oracle_sw_access(o, 1, fr, 8, "free"));
	assert_false(oracle_sw_access(o, 1, dev, 8, "device"));
	assert_false(oracle_sw_access(o, 1, 0x40000000, 8, "ipa"));
	assert_false(oracle_sw_access(o, 1, host_end(512), 8, "end"));
	assert_false(oracle_sw_access(o, 1, MACHINE_HOST_BASE - 8, 16,
				      "straddles the start"));
	assert_false(oracle_sw_access(o, 1, pin1 + PG - 8, 16, "overflows"));
	assert_false(oracle_sw_access(o, 1, UINT64_MAX - 8, 16, "wraps"));
	assert_false(oracle_sw_access(o, 0, pin1, 8, "vm 0"));
	assert_int_equal(oracle_violations(o), 10);
	assert_int_equal(oracle_checks(o), 15);
	/* The first violation is kept, not the latest. */
	assert_non_null(strstr(oracle_first_violation(o), "other vm"));

	machine_unpin(f->m, 1, pin1);
	machine_unpin(f->m, 2, pin2);
	assert_false(oracle_sw_access(o, 1, pin1, 8, "after unpin"));
	machine_free_mediator_page(f->m, med);
	assert_false(oracle_sw_access(o, 1, med, 8, "after free"));
	oracle_destroy(o);
}

/* A range over several pages is checked page by page. */
static void test_oracle_inv1_multi_page(void **state)
{
	struct machine *m = machine_create(8, 1);
	struct oracle *o = oracle_create(m);
	uint64_t pa[8];
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(machine_alloc_mediator_page(m, &pa[i]), 0);
	assert_true(oracle_sw_access(o, 1, MACHINE_HOST_BASE, 8 * PG, "all"));
	assert_false(oracle_sw_access(o, 1, MACHINE_HOST_BASE, 8 * PG + 1,
				      "one past"));
	machine_free_mediator_page(m, MACHINE_HOST_BASE + 5 * PG);
	assert_true(oracle_sw_access(o, 1, MACHINE_HOST_BASE + 100,
				     5 * PG - 100, "below the hole"));
	assert_false(oracle_sw_access(o, 1, MACHINE_HOST_BASE + 100,
				      5 * PG - 99, "into the hole"));
	assert_non_null(strstr(oracle_first_violation(o), "one past"));
	oracle_destroy(o);
	machine_destroy(m);
}

static void test_oracle_inv2_regs(void **state)
{
	struct fixture *f = *state;
	struct oracle *o = oracle_create(f->m);
	struct teemed_regs r;
	uint64_t pa = MACHINE_HOST_BASE + 0x3000;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	r.a[1] = 0xffffffffffffffffull;
	r.a[2] = MACHINE_GUEST_RAM_BASE;
	r.a[3] = host_end(512);
	r.a[4] = MACHINE_HOST_BASE - 1;
	assert_true(oracle_guest_regs(o, 1, &r));
	for (i = 0; i < 8; i++) {
		memset(&r, 0, sizeof(r));
		r.a[i] = pa;
		assert_false(oracle_guest_regs(o, 1, &r));
	}
	assert_non_null(strstr(oracle_first_violation(o), "a0"));
	/* Halves passed in pairs, with junk in the upper halves. */
	memset(&r, 0, sizeof(r));
	r.a[1] = 0xdead000000000000ull | (pa >> 32);
	r.a[2] = 0xbeef000000000000ull | (pa & 0xffffffffu);
	assert_false(oracle_guest_regs(o, 1, &r));
	memset(&r, 0, sizeof(r));
	r.a[3] = pa >> 32;
	r.a[4] = pa & 0xffffffffu;
	assert_false(oracle_guest_regs(o, 1, &r));
	memset(&r, 0, sizeof(r));
	r.a[4] = pa >> 32;
	r.a[5] = pa & 0xffffffffu;
	assert_false(oracle_guest_regs(o, 1, &r));
	/* Not a pair the ABI uses. */
	memset(&r, 0, sizeof(r));
	r.a[2] = pa >> 32;
	r.a[3] = pa & 0xffffffffu;
	assert_true(oracle_guest_regs(o, 1, &r));
	assert_int_equal(oracle_violations(o), 11);
	assert_int_equal(oracle_checks(o), 13);
	oracle_destroy(o);
}

static void test_oracle_inv2_bytes(void **state)
{
	struct fixture *f = *state;
	struct oracle *o = oracle_create(f->m);
	uint8_t buf[40];
	uint64_t pa = MACHINE_HOST_BASE + 0x12345;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 8; i++)
		buf[i] = 0xee;
	assert_true(oracle_guest_bytes(o, 1, buf, sizeof(buf), "arg"));
	for (i = 0; i < 8; i++)
		buf[16 + i] = (uint8_t)(pa >> (8 * i));
	assert_false(oracle_guest_bytes(o, 1, buf, sizeof(buf), "arg"));
	assert_non_null(strstr(oracle_first_violation(o), "0x10"));
	/* Only whole words are checked, at offsets that are multiples of 8. */
	assert_true(oracle_guest_bytes(o, 1, buf, 23, "short"));
	assert_true(oracle_guest_bytes(o, 1, buf + 4, 32, "shifted"));
	assert_int_equal(oracle_violations(o), 1);
	oracle_destroy(o);
}

static void test_oracle_inv3(void **state)
{
	struct fixture *f = *state;
	struct oracle *o = oracle_create(f->m);
	const struct teemed_platform *ops = &f->p.ops;
	teemed_pa_t pa;
	void *obj;

	assert_true(oracle_vm_gone(o, 1, &f->vm1));
	assert_true(oracle_vm_gone(o, 9, NULL));

	assert_int_equal(ops->pin_guest_page(ops->ctx, &f->vm1,
					     teemed_ipa(RAM(2)), 0, &pa),
			 0);
	assert_false(oracle_vm_gone(o, 1, &f->vm1));
	assert_non_null(strstr(oracle_first_violation(o), "pins"));
	assert_true(oracle_vm_gone(o, 2, &f->vm2));
	ops->unpin_guest_page(ops->ctx, &f->vm1, pa);
	assert_true(oracle_vm_gone(o, 1, &f->vm1));

	obj = ops->alloc_obj(ops->ctx, &f->vm1, 10);
	assert_false(oracle_vm_gone(o, 1, &f->vm1));
	ops->free_obj(ops->ctx, &f->vm1, obj, 10);
	assert_int_equal(ops->alloc_page(ops->ctx, &f->vm1, &pa), 0);
	assert_false(oracle_vm_gone(o, 1, &f->vm1));
	/* A page held for the instance is not the VM's. */
	ops->free_page(ops->ctx, &f->vm1, pa);
	assert_int_equal(ops->alloc_page(ops->ctx, NULL, &pa), 0);
	assert_true(oracle_vm_gone(o, 1, &f->vm1));
	ops->free_page(ops->ctx, NULL, pa);
	assert_int_equal(oracle_violations(o), 3);
	assert_int_equal(oracle_checks(o), 8);
	oracle_destroy(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_refuses_empty_ram),
		cmocka_unit_test(test_guest_pages_are_scattered),
		cmocka_unit_test(test_guest_add_errors),
		cmocka_unit_test(test_page_zero),
		cmocka_unit_test(test_guest_table_limit),
		cmocka_unit_test(test_mmio_is_mapped_but_not_ram),
		cmocka_unit_test(test_pins_block_balloon_and_remove),
		cmocka_unit_test(test_mediator_pages),
		cmocka_unit_test(test_machine_core_bugs_abort),
		cmocka_unit_test_setup_teardown(test_platform_pin_map, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_platform_fault_injection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_platform_accounting, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_platform_locks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_platform_lock_peak_is_per_platform, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_platform_threads, setup,
						teardown),
		cmocka_unit_test(test_platform_core_bugs_abort),
		cmocka_unit_test_setup_teardown(test_oracle_inv1, setup,
						teardown),
		cmocka_unit_test(test_oracle_inv1_multi_page),
		cmocka_unit_test_setup_teardown(test_oracle_inv2_regs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_oracle_inv2_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_oracle_inv3, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
