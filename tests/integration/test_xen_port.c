/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What only the Xen port does, tested through it over the shim of Xen's
 * API (the scenarios, attacks and fault sweep also run through it, as
 * integration.xen.*): how Xen selects it (tee=, the host device tree),
 * its command-line parameters, the p2m type check of its pins, teardown
 * in -ERESTART passes, and a domain whose construction fails after the
 * mediator's domain_init.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hostile.h"
#include "optee_abi.h"
#include "shim_host.h"
#include "tas.h"
#include "world.h"
#include "xen_world.h"

#define HOST_PAGES 16384u
#define VM_PAGES   2048u
#define XEN_EINVAL (-22)

static bool up(struct world *w, uint32_t step_pages,
	       const struct xen_world_opts *xo)
{
	struct world_opts o;

	memset(&o, 0, sizeof(o));
	o.host_pages = HOST_PAGES;
	o.seed = 1;
	o.max_vms = 4;
	o.step_pages = step_pages;
	xen_world_next_boot(xo);
	return world_init(w, &o);
}

/* Tear down and check that nothing is left, the mediator's own included. */
static void down(struct world *w, uint64_t errors)
{
	struct world_end end;

	world_fini(w, &end);
	if (w->errors != errors)
		fail_msg("%llu errors, first: %s",
			 (unsigned long long)w->errors, w->first_error);
	assert_int_equal(end.oracle_violations, 0);
	assert_int_equal(end.leaked_mediator_pages, 0);
	assert_int_equal(end.instance_objs, 0);
	assert_int_equal(end.instance_pages, 0);
}

static uint32_t partitions(struct world *w)
{
	struct optee_model_stats st;

	optee_model_get_stats(w->sw, &st);
	return st.partitions;
}

/* tee=optee picks it; the VM behind d->arch.tee has client id domid + 1. */
static void test_selected_as_optee(void **state)
{
	static const struct sim_uuid xform = TA_XFORM_UUID;
	const struct xen_world_opts xo = {.cmdline = "tee=optee"};
	struct teemed_vm_stats st;
	struct world w;
	struct world_vm v;
	struct hostile h;
	uint32_t session;

	(void)state;
	assert_true(world_port_is_xen());
	assert_true(up(&w, 0, &xo));
	assert_true(world_vm_add(&w, &v, 3, VM_PAGES, NULL));
	assert_non_null(v.port_vm);
	assert_int_equal(teemed_vm_client_id(v.vm), 3);
	assert_int_equal(partitions(&w), 1);
	hostile_init(&h, &w, &v);
	session = hostile_open(&h, &xform);
	assert_int_not_equal(session, 0);
	assert_true(hostile_echo_ok(&h, session));
	teemed_vm_get_stats(v.vm, &st);
	assert_int_equal(st.smcs, h.smcs);
	assert_int_equal(world_vm_destroy(&w, &v, NULL), 0);
	assert_int_equal(partitions(&w), 0);
	down(&w, 0);
}

/* Another tee=, or no OP-TEE in the host device tree: not probed. */
static void test_not_selected(void **state)
{
	const struct xen_world_opts other = {.cmdline = "tee=ffa"};
	const struct xen_world_opts no_node = {.no_optee_node = true};
	struct optee_model_stats st;
	struct world w;

	(void)state;
	assert_false(up(&w, 0, &other));
	optee_model_get_stats(w.sw, &st);
	assert_int_equal(st.smcs, 0);
	down(&w, 1);

	assert_false(up(&w, 0, &no_node));
	optee_model_get_stats(w.sw, &st);
	assert_int_equal(st.smcs, 0);
	down(&w, 1);
}

/* teemed_step_pages= bounds the pages pinned per trapped SMC. */
static void test_step_pages_param(void **state)
{
	static const uint32_t steps[] = {4, 0};
	uint32_t peak[2];

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		struct teemed_vm_stats st;
		struct world w;
		struct world_vm v;
		struct hostile h;
		uint64_t data;

		assert_true(up(&w, steps[i], NULL));
		assert_true(world_vm_add(&w, &v, 1, VM_PAGES, NULL));
		hostile_init(&h, &w, &v);
		assert_int_equal(
			hostile_register(&h, hostile_cookie(&h), 32, &data),
			TEEC_SUCCESS);
		teemed_vm_get_stats(v.vm, &st);
		peak[i] = st.max_pages_per_smc;
		assert_int_equal(world_vm_destroy(&w, &v, NULL), 0);
		down(&w, 0);
	}
	assert_in_range(peak[0], 1, 4);
	assert_true(peak[1] > 4);
}

/*
 * teemed_domain_quota= limits one domain; naming it again with zeros
 * gives it the defaults back. The parser refuses what it cannot read.
 */
static void test_domain_quota_param(void **state)
{
	const struct teemed_quota small = {.pinned_pages = 8};
	struct teemed_vm_stats st;
	struct world w;
	struct world_vm v, other;
	struct hostile h, ho;
	uint64_t data;

	(void)state;
	assert_true(up(&w, 0, NULL));
	assert_true(world_vm_add(&w, &v, 1, VM_PAGES, &small));
	assert_true(world_vm_add(&w, &other, 2, VM_PAGES, NULL));
	hostile_init(&h, &w, &v);
	hostile_init(&ho, &w, &other);
	assert_int_not_equal(
		hostile_register(&h, hostile_cookie(&h), 16, &data),
		TEEC_SUCCESS);
	teemed_vm_get_stats(v.vm, &st);
	assert_true(st.refused[TEEMED_REFUSED_QUOTA] > 0);
	assert_int_equal(
		hostile_register(&ho, hostile_cookie(&ho), 16, &data),
		TEEC_SUCCESS);
	assert_int_equal(world_vm_destroy(&w, &v, NULL), 0);

	assert_true(world_vm_add(&w, &v, 1, VM_PAGES, NULL));
	hostile_init(&h, &w, &v);
	assert_int_equal(hostile_register(&h, hostile_cookie(&h), 16, &data),
			 TEEC_SUCCESS);
	assert_int_equal(world_vm_destroy(&w, &v, NULL), 0);
	assert_int_equal(world_vm_destroy(&w, &other, NULL), 0);

	assert_int_equal(xen_shim_param("teemed_domain_quota=9:1:2::4,10:7"),
			 0);
	assert_int_equal(xen_shim_param("teemed_domain_quota=9:0,10:0"), 0);
	assert_int_equal(xen_shim_param("teemed_domain_quota=x:1"), XEN_EINVAL);
	assert_int_equal(xen_shim_param("teemed_domain_quota=9"), XEN_EINVAL);
	assert_int_equal(xen_shim_param("teemed_domain_quota=70000:1"),
			 XEN_EINVAL);
	assert_int_equal(xen_shim_param("teemed_domain_quota=9:1:2:3:4:5:6"),
			 XEN_EINVAL);
	down(&w, 0);
}

/*
 * A domain destroyed with buffers registered and a call waiting in an
 * RPC: relinquish_resources answers -ERESTART whenever Xen wants the CPU
 * back (after every step, or every third), OP-TEE forgets the VM, and
 * every pin goes. When Xen never asks, one pass does it all.
 */
static void test_teardown_restarts(void **state)
{
	static const struct sim_uuid xform = TA_XFORM_UUID;
	static const uint32_t every[] = {0, 3, 1000000};
	uint64_t passes[3];

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		const struct xen_world_opts xo = {.preempt_every = every[i]};
		struct world w;
		struct world_vm v;
		struct hostile h;
		struct teemed_regs r;
		struct optee_msg_arg *m;
		uint64_t data, list, steps = 0, ipa;

		assert_true(up(&w, 4, &xo));
		assert_true(world_vm_add(&w, &v, 1, VM_PAGES, NULL));
		hostile_init(&h, &w, &v);
		for (unsigned int b = 0; b < 3; b++)
			assert_int_equal(hostile_register(&h,
							  hostile_cookie(&h),
							  16, &data),
					 TEEC_SUCCESS);
		/* A call left in an RPC (its 64-page list is translated in
		   steps of 4, each paused with FOREIGN_INTR). */
		ipa = hostile_arg(&h, OPTEE_MSG_CMD_OPEN_SESSION, 3);
		list = hostile_buffer(&h, 64, &data);
		assert_int_not_equal(ipa, 0);
		assert_int_not_equal(list, 0);
		m = hostile_msg(&h, ipa);
		m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT |
				    OPTEE_MSG_ATTR_META;
		memcpy(&m->params[0].u.value, &xform, sizeof(xform));
		m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT |
				    OPTEE_MSG_ATTR_META;
		hostile_tmem(&m->params[2], OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
			     list, 64 * MACHINE_PAGE_SIZE, hostile_cookie(&h));
		hostile_call_start(&h, ipa, &r);
		assert_int_equal((uint32_t)r.a[0],
				 OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
		assert_true(machine_pins_of(w.m, 1) > 48);
		assert_int_equal(world_vm_destroy(&w, &v, &steps), 0);
		assert_int_equal(xen_world_restarts(w.xen), steps - 1);
		assert_int_equal(optee_model_vm_objects(w.sw, 1), 0);
		assert_int_equal(partitions(&w), 0);
		down(&w, 0);
		passes[i] = steps;
	}
	assert_true(passes[0] > 3);
	assert_true(passes[1] > 1 && passes[1] < passes[0]);
	assert_int_equal(passes[2], 1);
}

/*
 * The port names the trapping vCPU (current->vcpu_id): a call from
 * vCPU 2 starts in call slot 2, the thread id its RPCs carry, and one
 * from vCPU 0 in slot 0.
 */
static void test_vcpu_id_passed(void **state)
{
	struct world w;
	struct world_vm v;
	struct hostile h;
	struct teemed_regs r;
	uint64_t data, list, ipa[2];

	(void)state;
	assert_true(up(&w, 4, NULL));
	assert_true(world_vm_add(&w, &v, 1, VM_PAGES, NULL));
	hostile_init(&h, &w, &v);
	list = hostile_buffer(&h, 16, &data);
	assert_int_not_equal(list, 0);
	for (unsigned int i = 0; i < 2; i++) {
		struct optee_msg_arg *m;

		ipa[i] = hostile_arg(&h, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
		assert_int_not_equal(ipa[i], 0);
		m = hostile_msg(&h, ipa[i]);
		/* 16 pages in steps of 4: the call pauses with FOREIGN_INTR. */
		hostile_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
			     list, 16 * MACHINE_PAGE_SIZE, hostile_cookie(&h));
	}
	h.vcpu = 2;
	hostile_call_start(&h, ipa[0], &r);
	assert_int_equal((uint32_t)r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(r.a[3], 2);
	h.vcpu = 0;
	hostile_call_start(&h, ipa[1], &r);
	assert_int_equal((uint32_t)r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(r.a[3], 0);
	assert_int_equal(world_vm_destroy(&w, &v, NULL), 0);
	down(&w, 0);
}

/*
 * Domain construction fails after the mediator's domain_init: Xen calls
 * free_domain_ctx alone; OP-TEE must forget the VM and nothing stay.
 */
static void test_failed_construction(void **state)
{
	struct world w;
	struct sim_vm hv;

	(void)state;
	assert_true(up(&w, 0, NULL));
	memset(&hv, 0, sizeof(hv));
	hv.vm_id = 2;
	assert_int_equal(machine_guest_add(w.m, 2, 64), 0);
	assert_int_equal(xen_world_vm_create_failing(w.xen, 2, &hv),
			 TEEMED_ERR_NOMEM);
	assert_int_equal(partitions(&w), 0);
	assert_true(oracle_vm_gone(w.orc, 2, &hv));
	assert_int_equal(machine_guest_remove(w.m, 2), 0);
	down(&w, 0);
}

/*
 * The p2m type check: an argument page the p2m maps read-only
 * (p2m_ram_rw is needed to write the answer back) is refused; the same
 * call from a read-write page works.
 */
static void test_read_only_ram(void **state)
{
	struct world w;
	struct world_vm v;
	struct hostile h;
	struct teemed_regs r;
	uint64_t ro, rw;

	(void)state;
	assert_true(up(&w, 0, NULL));
	assert_true(world_vm_add(&w, &v, 1, VM_PAGES, NULL));
	hostile_init(&h, &w, &v);
	ro = hostile_arg(&h, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	rw = hostile_arg(&h, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	xen_world_set_read_only(w.xen, 1, ro);
	hostile_call_start(&h, ro, &r);
	assert_int_equal((uint32_t)r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	assert_int_equal(hostile_msg(&h, ro)->ret, HOSTILE_SENTINEL);
	assert_int_equal(machine_pins_of(w.m, 1), 0);
	hostile_call_start(&h, rw, &r);
	assert_int_equal((uint32_t)r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_not_equal(hostile_msg(&h, rw)->ret, HOSTILE_SENTINEL);
	assert_int_equal(world_vm_destroy(&w, &v, NULL), 0);
	down(&w, 0);
}

/* Function ids outside the Trusted OS range never reach the port. */
static void test_other_owners(void **state)
{
	static const uint32_t fids[] = {0x84000000u, 0xc4000003u, 0x82000001u,
					0x86000000u};
	struct world w;
	struct world_vm v;
	struct teemed_vm_stats st;

	(void)state;
	assert_true(up(&w, 0, NULL));
	assert_true(world_vm_add(&w, &v, 1, VM_PAGES, NULL));
	for (unsigned int i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		struct teemed_regs r = {{fids[i]}};

		assert_int_equal(world_vm_smc(&w, &v, TEEMED_NO_VCPU, &r),
				 TEEMED_SMC_NOT_OPTEE);
		assert_int_equal(r.a[0], fids[i]);
	}
	teemed_vm_get_stats(v.vm, &st);
	assert_int_equal(st.smcs, 0);
	assert_int_equal(world_vm_destroy(&w, &v, NULL), 0);
	down(&w, 0);
}

/* A test that failed midway left its Xen running: forget it. */
static int xen_stop(void **state)
{
	(void)state;
	xen_world_abandon();
	return 0;
}

#define XEN_TEST(f) cmocka_unit_test_teardown(f, xen_stop)

int main(void)
{
	static const struct CMUnitTest tests[] = {
		XEN_TEST(test_selected_as_optee),
		XEN_TEST(test_not_selected),
		XEN_TEST(test_step_pages_param),
		XEN_TEST(test_domain_quota_param),
		XEN_TEST(test_teardown_restarts),
		XEN_TEST(test_vcpu_id_passed),
		XEN_TEST(test_failed_construction),
		XEN_TEST(test_read_only_ram),
		XEN_TEST(test_other_owners),
	};

	setenv("TEEMED_WORLD_PORT", "xen", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
