/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmark's world: a simulated machine, the secure-world model
 * behind the hosted platform, one teemed instance, and a minimal guest
 * driver that speaks IPAs and answers RPCs the way Linux does.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "tas.h"

#define ENTRIES OPTEE_MSG_PAGELIST_ENTRIES
#define NEXT_SLOT OPTEE_MSG_PAGELIST_NEXT_SLOT

/*
 * The do-nothing secure world: it answers a yielding call as OP-TEE
 * would answer a cheap one (ECHO's arithmetic for value inouts) and
 * keeps no state, so what remains of a timing is the mediator's work.
 */
static void null_std_call(struct bench_env *e, struct teemed_regs *regs)
{
	uint64_t pa = ((uint64_t)(uint32_t)regs->a[1] << 32) |
		      (uint32_t)regs->a[2];
	struct optee_msg_arg *arg = machine_pa_ptr(e->m, pa);

	regs->a[1] = regs->a[2] = regs->a[3] = 0;
	if (!arg || (pa & TEEMED_PAGE_MASK)) {
		regs->a[0] = OPTEE_SMC_RETURN_EBADADDR;
		return;
	}
	for (uint32_t i = 0; arg->cmd == OPTEE_MSG_CMD_INVOKE_COMMAND &&
			     i < arg->num_params && i < 4;
	     i++) {
		struct optee_msg_param *p = &arg->params[i];

		if ((p->attr & OPTEE_MSG_ATTR_TYPE_MASK) ==
		    OPTEE_MSG_ATTR_TYPE_VALUE_INOUT) {
			p->u.value.a = (uint32_t)(p->u.value.a + 1);
			p->u.value.b = (uint32_t)p->u.value.b ^ 0x5a5a5a5au;
		}
	}
	arg->ret = TEEC_SUCCESS;
	arg->ret_origin = TEEC_ORIGIN_TEE;
	regs->a[0] = OPTEE_SMC_RETURN_OK;
}

static void bench_sw_smc(void *target, struct teemed_regs *regs)
{
	struct bench_env *e = target;

	if (atomic_load_explicit(&e->null_sw, memory_order_relaxed) &&
	    (uint32_t)regs->a[0] == OPTEE_SMC_CALL_WITH_ARG)
		null_std_call(e, regs);
	else
		optee_model_smc(e->model, regs);
}

int bench_env_init(struct bench_env *e, uint32_t host_pages,
		   uint32_t step_pages, uint32_t max_vms)
{
	struct optee_model_config mc;
	struct teemed_config tc;

	memset(e, 0, sizeof(*e));
	atomic_init(&e->null_sw, false);
	e->m = machine_create(host_pages, 0x7eeedull);
	e->orc = e->m ? oracle_create(e->m) : NULL;
	if (!e->orc)
		return -1;
	/*
	 * Host RAM is calloc'd, so the first touch of each page is a page
	 * fault in the host kernel. Mediator pages come from random free
	 * pages; without this, early operations would pay faults that
	 * later ones do not, and a figure would drift with run order.
	 */
	for (uint32_t i = 0; i < host_pages; i++) {
		volatile uint8_t *page = machine_pa_ptr(
			e->m, MACHINE_HOST_BASE + (uint64_t)i * MACHINE_PAGE_SIZE);

		*page = 0;
	}
	optee_model_default_config(&mc);
	if (mc.max_partitions < max_vms)
		mc.max_partitions = max_vms;
	e->model = optee_model_create(e->m, e->orc, &mc);
	if (!e->model)
		return -1;
	sim_platform_init(&e->plat, e->m, bench_sw_smc, e);
	e->plat.no_obj_poison = true;
	memset(&tc, 0, sizeof(tc));
	tc.platform = &e->plat.ops;
	tc.max_vms = max_vms;
	tc.step_pages = step_pages;
	if (teemed_init(&tc, &e->t) != TEEMED_OK) {
		e->t = NULL;
		return -1;
	}
	return 0;
}

void bench_env_fini(struct bench_env *e)
{
	if (e->t)
		teemed_fini(e->t);
	if (e->plat.mutex)
		sim_platform_fini(&e->plat);
	if (e->model)
		optee_model_destroy(e->model);
	if (e->orc) {
		if (oracle_violations(e->orc))
			fprintf(stderr, "teemed-bench: oracle: %s\n",
				oracle_first_violation(e->orc));
		oracle_destroy(e->orc);
	}
	if (e->m)
		machine_destroy(e->m);
	memset(e, 0, sizeof(*e));
}

int bench_vm_init(struct bench_env *e, struct bench_vm *v, uint16_t id,
		  uint32_t ram_pages, const struct teemed_quota *quota)
{
	memset(v, 0, sizeof(*v));
	v->env = e;
	v->hv.vm_id = id;
	v->ram_pages = ram_pages;
	if (machine_guest_add(e->m, id, ram_pages))
		return -1;
	if (teemed_vm_create(e->t, id, &v->hv, quota, &v->vm) != TEEMED_OK) {
		machine_guest_remove(e->m, id);
		v->vm = NULL;
		return -1;
	}
	v->arg_ipa = bench_vm_alloc(v, 1);
	return v->arg_ipa ? 0 : -1;
}

void bench_vm_fini(struct bench_vm *v)
{
	int err = TEEMED_ERR_AGAIN;

	if (!v->vm)
		return;
	/* Teardown is bounded per step; a VM holding 10000 buffers takes
	   many steps. */
	for (uint32_t i = 0; i < 10000000 && err == TEEMED_ERR_AGAIN; i++)
		err = teemed_vm_destroy(v->vm);
	if (err)
		bench_fail("teemed_vm_destroy", err);
	if (machine_guest_remove(v->env->m, v->hv.vm_id))
		bench_fail("pages still pinned after destroy", v->hv.vm_id);
	v->vm = NULL;
}

/* Consecutive guest pages (scattered in host RAM by the machine). */
uint64_t bench_vm_alloc(struct bench_vm *v, uint32_t pages)
{
	uint64_t ipa;

	if (pages > v->ram_pages - v->next_page)
		bench_fail("guest RAM exhausted", v->hv.vm_id);
	ipa = MACHINE_GUEST_RAM_BASE + (uint64_t)v->next_page * TEEMED_PAGE_SIZE;
	v->next_page += pages;
	return ipa;
}

void *bench_vm_ptr(struct bench_vm *v, uint64_t ipa)
{
	void *p = machine_guest_ptr(v->env->m, v->hv.vm_id, ipa);

	if (!p)
		bench_fail("not guest RAM", (long long)ipa);
	return p;
}

/* A fresh message header, its parameters zeroed, at `where`. */
struct optee_msg_arg *bench_msg_init(void *where, uint32_t cmd,
				     uint32_t num_params)
{
	struct optee_msg_arg *arg = where;

	memset(arg, 0, OPTEE_MSG_GET_ARG_SIZE(num_params));
	arg->cmd = cmd;
	arg->num_params = num_params;
	return arg;
}

/* REGISTER_SHM of `pages` pages named by the guest's list at `list`. */
struct optee_msg_arg *bench_msg_register(void *where, uint64_t list,
					 uint32_t pages, uint64_t cookie)
{
	struct optee_msg_arg *a =
		bench_msg_init(where, OPTEE_MSG_CMD_REGISTER_SHM, 1);

	a->params[0].attr =
		OPTEE_MSG_ATTR_NONCONTIG | OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	a->params[0].u.tmem.buf_ptr = list;
	a->params[0].u.tmem.size = (uint64_t)pages * TEEMED_PAGE_SIZE;
	a->params[0].u.tmem.shm_ref = cookie;
	return a;
}

struct optee_msg_arg *bench_msg_unregister(void *where, uint64_t cookie)
{
	struct optee_msg_arg *a =
		bench_msg_init(where, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);

	a->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	a->params[0].u.rmem.shm_ref = cookie;
	return a;
}

/* The guest writes a fresh message header at `ipa`. */
struct optee_msg_arg *bench_vm_arg(struct bench_vm *v, uint64_t ipa,
				   uint32_t cmd, uint32_t num_params)
{
	return bench_msg_init(bench_vm_ptr(v, ipa), cmd, num_params);
}

/*
 * A Linux-style page list of `pages` fresh data pages; returns the IPA
 * of its first list page.
 */
uint64_t bench_vm_build_list(struct bench_vm *v, uint32_t pages)
{
	uint32_t list_pages = (pages + ENTRIES - 1) / ENTRIES;
	uint64_t data = bench_vm_alloc(v, pages);
	uint64_t list = bench_vm_alloc(v, list_pages);

	for (uint32_t l = 0; l < list_pages; l++) {
		uint64_t *entry = bench_vm_ptr(v, list + (uint64_t)l *
							      TEEMED_PAGE_SIZE);

		memset(entry, 0, TEEMED_PAGE_SIZE);
		for (uint32_t i = 0; i < ENTRIES && l * ENTRIES + i < pages;
		     i++)
			entry[i] = data + (uint64_t)(l * ENTRIES + i) *
						  TEEMED_PAGE_SIZE;
		if (l + 1 < list_pages)
			entry[NEXT_SLOT] =
				list + (uint64_t)(l + 1) * TEEMED_PAGE_SIZE;
	}
	return list;
}

static void resume(struct teemed_regs *r, uint64_t thread)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r->a[3] = thread;
}

/*
 * One yielding call to its end, RPCs answered the way the Linux driver
 * does for the RPCs these workloads can meet. Returns the final a0.
 */
uint32_t bench_vm_call(struct bench_vm *v, uint64_t arg_ipa)
{
	struct teemed_regs r = {{0}};

	r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
	r.a[1] = arg_ipa >> 32;
	r.a[2] = (uint32_t)arg_ipa;
	for (;;) {
		uint32_t a0;
		uint64_t thread, page;

		teemed_vm_smc(v->vm, &r);
		a0 = (uint32_t)r.a[0];
		if (!OPTEE_SMC_RETURN_IS_RPC(a0))
			return a0;
		thread = r.a[3];
		if (a0 == OPTEE_SMC_RETURN_RPC_ALLOC) {
			page = bench_vm_alloc(v, 1);
			resume(&r, thread);
			r.a[1] = page >> 32;
			r.a[2] = (uint32_t)page;
			r.a[4] = page >> 32;
			r.a[5] = (uint32_t)page;
		} else {
			/* FOREIGN_INTR (a paused translation), FREE: just
			   go on. */
			resume(&r, thread);
		}
	}
}

/* The message at `arg_ipa` to its end; fails the run unless OP-TEE's
   answer is success. */
void bench_vm_call_ok(struct bench_vm *v, uint64_t arg_ipa, const char *what)
{
	const struct optee_msg_arg *a = bench_vm_ptr(v, arg_ipa);

	if (bench_vm_call(v, arg_ipa) != OPTEE_SMC_RETURN_OK ||
	    a->ret != TEEC_SUCCESS)
		bench_fail(what, (long long)a->ret);
}

void bench_vm_register(struct bench_vm *v, uint64_t arg_ipa, uint64_t list,
		       uint32_t pages, uint64_t cookie)
{
	bench_msg_register(bench_vm_ptr(v, arg_ipa), list, pages, cookie);
	bench_vm_call_ok(v, arg_ipa, "REGISTER_SHM");
}

void bench_vm_unregister(struct bench_vm *v, uint64_t arg_ipa, uint64_t cookie)
{
	bench_msg_unregister(bench_vm_ptr(v, arg_ipa), cookie);
	bench_vm_call_ok(v, arg_ipa, "UNREGISTER_SHM");
}

int bench_vm_open_session(struct bench_vm *v)
{
	static const struct sim_uuid uuid = TA_XFORM_UUID;
	struct optee_msg_arg *arg =
		bench_vm_arg(v, v->arg_ipa, OPTEE_MSG_CMD_OPEN_SESSION, 2);

	arg->params[0].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	memcpy(arg->params[0].u.octets, uuid.b, sizeof(uuid.b));
	arg->params[1].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[1].u.value.c = OPTEE_MSG_LOGIN_PUBLIC;
	if (bench_vm_call(v, v->arg_ipa) != OPTEE_SMC_RETURN_OK ||
	    arg->ret != TEEC_SUCCESS)
		return -1;
	v->session = arg->session;
	return 0;
}
