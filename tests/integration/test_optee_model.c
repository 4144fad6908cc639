/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The secure-world model driven directly, with no mediator: the test
 * plays the hypervisor (VM_CREATED, a7) and the mediator's memory side
 * (argument structs and page lists in mediator pages, data in pinned
 * guest pages, RPC buffers), so that every rule of the model can be
 * checked against spec/optee-abi.md in isolation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "machine.h"
#include "optee_model.h"
#include "oracle.h"
#include "tas.h"
#include "optee_abi.h"

#define HOST_PAGES  8192u
#define GUEST_PAGES 1024u
#define VM1	    1u
#define VM2	    2u
#define MAX_BUFS    32u
#define BUF_PAGES   8u
#define PG	    4096u

#define REVERSE_ATTR                                                           \
	(OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG)
#define META_ATTR (OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT)

static const struct sim_uuid uuid_xform = TA_XFORM_UUID;
static const struct sim_uuid uuid_checksum = TA_CHECKSUM_UUID;
static const struct sim_uuid uuid_inplace = TA_INPLACE_UUID;
static const struct sim_uuid uuid_slow = TA_SLOW_UUID;
static const struct sim_uuid uuid_rpc = TA_RPC_UUID;
static const struct sim_uuid uuid_storage = TA_STORAGE_UUID;
static const struct sim_uuid uuid_device_pta = PTA_DEVICE_UUID;

/* OPTEE_RPC_CMD_FS operations (OP-TEE's optee_rpc_cmd.h). */
#define RPC_FS_OPEN   0u
#define RPC_FS_CREATE 1u
#define RPC_FS_CLOSE  2u
#define RPC_FS_READ   3u
#define RPC_FS_WRITE  4u
#define RPC_FS_REMOVE 6u
#define FS_NAME_MAX   350u /* OP-TEE's TEE_FS_NAME_MAX */
#define FS_FILE_MAX   (BUF_PAGES * PG)

/* A buffer the test's "normal world" handed to the model in an RPC. */
struct nw_buf {
	bool used;
	uint64_t cookie;
	uint32_t npages;
	uint64_t pa[BUF_PAGES];
	uint64_t list;
};

struct fx {
	struct machine *m;
	struct oracle *o;
	struct optee_model *sw;
	struct optee_model_config cfg;
	/* The NW side of the RPC loop. */
	struct nw_buf bufs[MAX_BUFS];
	uint64_t next_cookie;
	uint64_t rpc_arg_pa; /* RPC arg of a CALL_WITH_RPC_ARG call */
	unsigned int allocs, frees, intrs, shm_allocs, shm_frees, supps;
	uint64_t last_cmd_cookie;
	bool bad_alloc;		  /* answer RPC_ALLOC with an unaligned PA */
	bool alloc_pa_forced;	  /* answer RPC_ALLOC with alloc_pa */
	unsigned int notif_waits; /* NOTIFICATION WAITs answered */
	bool stop_on_wait;	  /* run() returns after answering one */
	uint64_t alloc_pa;
	bool contig_payload_fail; /* answer SHM_ALLOC with a bad PA */
	/* tee-supplicant's REE FS, one file, fd 3 while open. */
	struct {
		char name[FS_NAME_MAX];
		uint8_t data[FS_FILE_MAX];
		uint64_t size;
		bool exists, open;
		unsigned int ops;
	} fs;
};

static struct teemed_regs smc(struct fx *f, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3, uint64_t a7)
{
	struct teemed_regs r = {{a0, a1, a2, a3, 0x44, 0x55, 0x66, a7}};

	optee_model_smc(f->sw, &r);
	return r;
}

static void *pa_ptr(struct fx *f, uint64_t pa)
{
	void *p = machine_pa_ptr(f->m, pa);

	assert_non_null(p);
	return p;
}

static uint64_t med_page(struct fx *f)
{
	uint64_t pa;

	assert_int_equal(machine_alloc_mediator_page(f->m, &pa), 0);
	memset(pa_ptr(f, pa), 0, PG);
	return pa;
}

static uint64_t pin(struct fx *f, uint16_t vm, uint64_t ipa)
{
	uint64_t pa;

	assert_int_equal(machine_pin(f->m, vm, ipa, true, &pa), 0);
	return pa;
}

static uint8_t *gptr(struct fx *f, uint16_t vm, uint64_t ipa)
{
	uint8_t *p = machine_guest_ptr(f->m, vm, ipa);

	assert_non_null(p);
	return p;
}

/* A page list (in one or more mediator pages) of `n` PAs. */
static uint64_t make_list(struct fx *f, const uint64_t *pas, uint32_t n,
			  uint32_t offset)
{
	uint64_t first = med_page(f), cur = first;
	uint64_t *slots = pa_ptr(f, cur);
	uint32_t slot = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (slot == OPTEE_MSG_PAGELIST_ENTRIES) {
			uint64_t next = med_page(f);

			slots[OPTEE_MSG_PAGELIST_NEXT_SLOT] = next;
			cur = next;
			slots = pa_ptr(f, cur);
			slot = 0;
		}
		slots[slot++] = pas[i];
	}
	return first | offset;
}

static struct optee_msg_arg *new_arg(struct fx *f, uint64_t *pa, uint32_t cmd,
				     uint32_t num_params)
{
	struct optee_msg_arg *arg;

	*pa = med_page(f);
	arg = pa_ptr(f, *pa);
	arg->cmd = cmd;
	arg->num_params = num_params;
	return arg;
}

static struct nw_buf *buf_new(struct fx *f, uint32_t npages)
{
	for (uint32_t i = 0; i < MAX_BUFS; i++) {
		struct nw_buf *b = &f->bufs[i];

		if (b->used)
			continue;
		memset(b, 0, sizeof(*b));
		b->used = true;
		b->cookie = 0xC0DE0000ull + ++f->next_cookie;
		b->npages = npages;
		for (uint32_t p = 0; p < npages; p++)
			b->pa[p] = med_page(f);
		return b;
	}
	fail_msg("out of test buffers");
	return NULL;
}

static struct nw_buf *buf_find(struct fx *f, uint64_t cookie)
{
	for (uint32_t i = 0; i < MAX_BUFS; i++)
		if (f->bufs[i].used && f->bufs[i].cookie == cookie)
			return &f->bufs[i];
	return NULL;
}

static void buf_free(struct fx *f, struct nw_buf *b)
{
	for (uint32_t p = 0; p < b->npages; p++)
		machine_free_mediator_page(f->m, b->pa[p]);
	if (b->list)
		machine_free_mediator_page(f->m, b->list);
	b->used = false;
}

static uint8_t *buf_byte(struct fx *f, struct nw_buf *b, uint64_t off)
{
	return (uint8_t *)pa_ptr(f, b->pa[off / PG]) + off % PG;
}

static void serve_shm_alloc(struct fx *f, struct optee_msg_arg *msg)
{
	uint64_t size = msg->params[0].u.value.b;
	struct nw_buf *b = buf_new(f, (uint32_t)((size + PG - 1) / PG));

	f->shm_allocs++;
	msg->ret = TEEC_SUCCESS;
	msg->params[0].u.tmem.size = size;
	msg->params[0].u.tmem.shm_ref = b->cookie;
	if (f->contig_payload_fail) {
		msg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
		msg->params[0].u.tmem.buf_ptr = b->pa[0] + 8;
	} else if (b->npages == 1) {
		msg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
		msg->params[0].u.tmem.buf_ptr = b->pa[0];
	} else {
		b->list = make_list(f, b->pa, b->npages, 0);
		msg->params[0].attr = REVERSE_ATTR;
		msg->params[0].u.tmem.buf_ptr = b->list;
	}
}

/* The name an FS request carries: an RMEM_INPUT of TEE_FS_NAME_MAX. */
static void fs_name(struct fx *f, const struct optee_msg_param *p, char *name)
{
	struct nw_buf *b = buf_find(f, p->u.rmem.shm_ref);

	assert_int_equal(p->attr, OPTEE_MSG_ATTR_TYPE_RMEM_INPUT);
	assert_int_equal(p->u.rmem.size, FS_NAME_MAX);
	assert_non_null(b);
	for (uint32_t i = 0; i < FS_NAME_MAX; i++)
		name[i] = (char)*buf_byte(f, b, p->u.rmem.offs + i);
	assert_int_equal(name[FS_NAME_MAX - 1], 0);
}

/* tee-supplicant's REE FS (tee_supp_fs.c), over one in-memory file. */
static void serve_fs(struct fx *f, struct optee_msg_arg *msg)
{
	const struct optee_msg_param *v = &msg->params[0];
	struct optee_msg_param *m = &msg->params[1];
	char name[FS_NAME_MAX];
	struct nw_buf *b;

	f->fs.ops++;
	assert_int_equal(v->attr, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT);
	msg->ret = TEEC_SUCCESS;
	switch (v->u.value.a) {
	case RPC_FS_OPEN:
	case RPC_FS_CREATE:
		assert_int_equal(msg->num_params, 3);
		assert_int_equal(msg->params[2].attr,
				 OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT);
		fs_name(f, m, name);
		if (v->u.value.a == RPC_FS_CREATE) {
			memcpy(f->fs.name, name, sizeof(name));
			f->fs.exists = true;
			f->fs.size = 0;
		} else if (!f->fs.exists || strcmp(name, f->fs.name)) {
			msg->ret = TEEC_ERROR_ITEM_NOT_FOUND;
			return;
		}
		assert_false(f->fs.open);
		f->fs.open = true;
		msg->params[2].u.value.a = 3;
		return;
	case RPC_FS_CLOSE:
		assert_int_equal(msg->num_params, 1);
		assert_int_equal(v->u.value.b, 3);
		assert_true(f->fs.open);
		f->fs.open = false;
		return;
	case RPC_FS_READ:
	case RPC_FS_WRITE: {
		bool w = v->u.value.a == RPC_FS_WRITE;
		uint64_t n = m->u.rmem.size, off = v->u.value.c;

		assert_int_equal(msg->num_params, 2);
		assert_int_equal(v->u.value.b, 3);
		assert_true(f->fs.open);
		assert_int_equal(m->attr, w ? OPTEE_MSG_ATTR_TYPE_RMEM_INPUT
					    : OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT);
		b = buf_find(f, m->u.rmem.shm_ref);
		assert_non_null(b);
		if (w) {
			assert_true(off + n <= FS_FILE_MAX);
			for (uint64_t i = 0; i < n; i++)
				f->fs.data[off + i] =
					*buf_byte(f, b, m->u.rmem.offs + i);
			if (off + n > f->fs.size)
				f->fs.size = off + n;
			return;
		}
		n = off >= f->fs.size	   ? 0
		    : f->fs.size - off < n ? f->fs.size - off
					   : n;
		for (uint64_t i = 0; i < n; i++)
			*buf_byte(f, b, m->u.rmem.offs + i) =
				f->fs.data[off + i];
		m->u.rmem.size = n;
		return;
	}
	case RPC_FS_REMOVE:
		assert_int_equal(msg->num_params, 2);
		fs_name(f, m, name);
		if (!f->fs.exists || strcmp(name, f->fs.name))
			msg->ret = TEEC_ERROR_ITEM_NOT_FOUND;
		f->fs.exists = false;
		return;
	default:
		fail_msg("unexpected FS operation %u",
			 (unsigned int)v->u.value.a);
	}
}

static void serve_cmd(struct fx *f, uint64_t cookie)
{
	struct nw_buf *mb = cookie ? buf_find(f, cookie) : NULL;
	struct optee_msg_arg *msg;

	f->last_cmd_cookie = cookie;
	if (cookie) {
		assert_non_null(mb);
		msg = pa_ptr(f, mb->pa[0]);
	} else {
		msg = pa_ptr(f, f->rpc_arg_pa);
	}
	/* §6.4: the model pre-sets ret = GENERIC. */
	assert_int_equal(msg->ret, TEEC_ERROR_GENERIC);
	switch (msg->cmd) {
	case OPTEE_RPC_CMD_SHM_ALLOC:
		assert_int_equal(msg->params[0].attr,
				 OPTEE_MSG_ATTR_TYPE_VALUE_INPUT);
		assert_int_equal(msg->params[0].u.value.c, 8);
		serve_shm_alloc(f, msg);
		break;
	case OPTEE_RPC_CMD_SHM_FREE: {
		struct nw_buf *b = buf_find(f, msg->params[0].u.value.b);

		f->shm_frees++;
		if (b)
			buf_free(f, b);
		msg->ret = TEEC_SUCCESS;
		break;
	}
	case TA_RPC_SUPP_CMD: {
		struct optee_msg_param *p = &msg->params[1];
		struct nw_buf *b = buf_find(f, p->u.rmem.shm_ref);
		uint64_t n = p->u.rmem.size;

		f->supps++;
		assert_int_equal(msg->num_params, 2);
		assert_int_equal(msg->params[0].u.value.a, TA_RPC_SUPP_REVERSE);
		assert_int_equal(p->attr, OPTEE_MSG_ATTR_TYPE_RMEM_INOUT);
		assert_non_null(b);
		for (uint64_t i = 0; i < n / 2; i++) {
			uint8_t *x = buf_byte(f, b, p->u.rmem.offs + i);
			uint8_t *y = buf_byte(f, b, p->u.rmem.offs + n - 1 - i);
			uint8_t t = *x;

			*x = *y;
			*y = t;
		}
		msg->ret = TEEC_SUCCESS;
		break;
	}
	case OPTEE_RPC_CMD_FS:
		serve_fs(f, msg);
		break;
	case OPTEE_RPC_CMD_NOTIFICATION:
		assert_int_equal(msg->num_params, 1);
		assert_int_equal(msg->params[0].attr,
				 OPTEE_MSG_ATTR_TYPE_VALUE_INPUT);
		assert_int_equal(msg->params[0].u.value.a,
				 OPTEE_RPC_NOTIFICATION_WAIT);
		f->notif_waits++;
		msg->ret = TEEC_SUCCESS;
		break;
	default:
		fail_msg("unexpected RPC command %u", msg->cmd);
	}
}

/* The RPC loop of a normal-world driver; returns the final registers. */
static struct teemed_regs run(struct fx *f, struct teemed_regs r, uint16_t vm)
{
	while (OPTEE_SMC_RETURN_IS_RPC(r.a[0])) {
		uint64_t a1 = r.a[1], a2 = r.a[2], a4 = 0, a5 = 0;
		uint64_t cookie =
			(r.a[1] & 0xffffffffu) << 32 | (r.a[2] & 0xffffffffu);

		/* a4..a7 are never touched by the secure world. */
		assert_int_equal(r.a[4], 0x44);
		assert_int_equal(r.a[7], vm);
		switch (r.a[0]) {
		case OPTEE_SMC_RETURN_RPC_ALLOC: {
			struct nw_buf *b = buf_new(f, 1);

			f->allocs++;
			assert_int_equal(r.a[1], 160);
			a1 = b->pa[0] >> 32;
			a2 = (uint32_t)b->pa[0] + (f->bad_alloc ? 8 : 0);
			if (f->alloc_pa_forced) {
				a1 = f->alloc_pa >> 32;
				a2 = (uint32_t)f->alloc_pa;
			}
			a4 = b->cookie >> 32;
			a5 = (uint32_t)b->cookie;
			break;
		}
		case OPTEE_SMC_RETURN_RPC_FREE: {
			struct nw_buf *b = buf_find(f, cookie);

			f->frees++;
			assert_non_null(b);
			buf_free(f, b);
			break;
		}
		case OPTEE_SMC_RETURN_RPC_FOREIGN_INTR:
			f->intrs++;
			assert_int_equal(r.a[1], 0);
			assert_int_equal(r.a[2], 0);
			break;
		case OPTEE_SMC_RETURN_RPC_CMD: {
			unsigned int waits = f->notif_waits;

			serve_cmd(f, cookie);
			/* The waiter stays asleep: its caller wakes it. */
			if (f->stop_on_wait && f->notif_waits != waits)
				return r;
			break;
		}
		default:
			fail_msg("unknown RPC 0x%x", (unsigned int)r.a[0]);
		}
		r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		r.a[1] = a1;
		r.a[2] = a2;
		r.a[4] = a4;
		r.a[5] = a5;
		r.a[7] = vm;
		optee_model_smc(f->sw, &r);
		/* Restore what a real NW keeps in its registers. */
		r.a[4] = 0x44;
	}
	return r;
}

static uint32_t call(struct fx *f, uint16_t vm, uint64_t arg_pa)
{
	struct teemed_regs r = smc(f, OPTEE_SMC_CALL_WITH_ARG, arg_pa >> 32,
				   (uint32_t)arg_pa, 0, vm);

	r = run(f, r, vm);
	return (uint32_t)r.a[0];
}

static uint32_t open_session(struct fx *f, uint16_t vm,
			     const struct sim_uuid *uuid, uint32_t *session)
{
	uint64_t pa;
	struct optee_msg_arg *arg =
		new_arg(f, &pa, OPTEE_MSG_CMD_OPEN_SESSION, 2);

	arg->params[0].attr = META_ATTR;
	memcpy(arg->params[0].u.octets, uuid->b, 16);
	arg->params[1].attr = META_ATTR;
	arg->params[1].u.value.c = OPTEE_MSG_LOGIN_REE_KERNEL;
	assert_int_equal(call(f, vm, pa), OPTEE_SMC_RETURN_OK);
	*session = arg->session;
	return arg->ret;
}

static void map_guest(struct fx *f, uint16_t vm, uint64_t ipa, uint32_t npages,
		      uint64_t *pas)
{
	for (uint32_t i = 0; i < npages; i++)
		pas[i] = pin(f, vm, ipa + (uint64_t)i * PG);
}

static uint32_t register_shm(struct fx *f, uint16_t vm, uint64_t buf_ptr,
			     uint64_t size, uint64_t cookie)
{
	uint64_t pa;
	struct optee_msg_arg *arg =
		new_arg(f, &pa, OPTEE_MSG_CMD_REGISTER_SHM, 1);

	arg->params[0].attr = REVERSE_ATTR;
	arg->params[0].u.tmem.buf_ptr = buf_ptr;
	arg->params[0].u.tmem.size = size;
	arg->params[0].u.tmem.shm_ref = cookie;
	arg->ret_origin = 0x1234;
	assert_int_equal(call(f, vm, pa), OPTEE_SMC_RETURN_OK);
	/* REGISTER_SHM writes ret only. */
	assert_int_equal(arg->ret_origin, 0x1234);
	return arg->ret;
}

static uint32_t unregister_shm(struct fx *f, uint16_t vm, uint64_t cookie)
{
	uint64_t pa;
	struct optee_msg_arg *arg =
		new_arg(f, &pa, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);

	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	arg->params[0].u.rmem.shm_ref = cookie;
	assert_int_equal(call(f, vm, pa), OPTEE_SMC_RETURN_OK);
	return arg->ret;
}

static int setup_cfg(void **state, const struct optee_model_config *cfg)
{
	static struct fx fx;
	struct fx *f = &fx;

	memset(f, 0, sizeof(*f));
	f->m = machine_create(HOST_PAGES, 7);
	assert_non_null(f->m);
	f->o = oracle_create(f->m);
	assert_non_null(f->o);
	f->cfg = *cfg;
	f->sw = optee_model_create(f->m, f->o, &f->cfg);
	assert_non_null(f->sw);
	assert_int_equal(machine_guest_add(f->m, VM1, GUEST_PAGES), 0);
	assert_int_equal(machine_guest_add(f->m, VM2, GUEST_PAGES), 0);
	if (cfg->virtualization) {
		assert_int_equal(
			smc(f, OPTEE_SMC_VM_CREATED, VM1, 0, 0, 0).a[0],
			OPTEE_SMC_RETURN_OK);
		assert_int_equal(
			smc(f, OPTEE_SMC_VM_CREATED, VM2, 0, 0, 0).a[0],
			OPTEE_SMC_RETURN_OK);
	}
	*state = f;
	return 0;
}

static int setup(void **state)
{
	struct optee_model_config cfg;

	optee_model_default_config(&cfg);
	cfg.threads = 2;
	return setup_cfg(state, &cfg);
}

static int setup_novirt(void **state)
{
	struct optee_model_config cfg;

	optee_model_default_config(&cfg);
	cfg.virtualization = false;
	cfg.sec_caps &= ~OPTEE_SMC_SEC_CAP_VIRTUALIZATION;
	return setup_cfg(state, &cfg);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	optee_model_destroy(f->sw);
	oracle_destroy(f->o);
	machine_destroy(f->m);
	return 0;
}

static void expect_no_violation(struct fx *f)
{
	if (oracle_violations(f->o))
		fail_msg("oracle: %s", oracle_first_violation(f->o));
}

/* ------------------------------------------------------------------ */

static void test_fast_calls(void **state)
{
	struct fx *f = *state;
	struct teemed_regs r;

	r = smc(f, OPTEE_SMC_CALLS_UID, 0, 0, 0, 0);
	assert_int_equal(r.a[0], OPTEE_MSG_UID_0);
	assert_int_equal(r.a[1], OPTEE_MSG_UID_1);
	assert_int_equal(r.a[2], OPTEE_MSG_UID_2);
	assert_int_equal(r.a[3], OPTEE_MSG_UID_3);
	r = smc(f, OPTEE_SMC_CALLS_REVISION, 0, 0, 0, VM1);
	assert_int_equal(r.a[0], 2);
	assert_int_equal(r.a[1], 0);
	r = smc(f, OPTEE_SMC_CALL_GET_OS_UUID, 0, 0, 0, 0);
	assert_int_equal(r.a[0], OPTEE_MSG_OS_OPTEE_UUID_0);
	assert_int_equal(r.a[3], OPTEE_MSG_OS_OPTEE_UUID_3);
	r = smc(f, OPTEE_SMC_CALL_GET_OS_REVISION, 0, 0, 0, 0);
	assert_int_equal(r.a[0], 4);
	assert_int_equal(r.a[1], 10);
	assert_int_equal(smc(f, OPTEE_SMC_CALLS_COUNT, 0, 0, 0, 0).a[0], 14);
	r = smc(f, OPTEE_SMC_GET_THREAD_COUNT, 0, 0, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], 2);

	r = smc(f, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0x77, 0x99, 0);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], 0x7d);
	/* ASYNC_NOTIF: a2 = NOTIF_SYNC_VALUE_BASE (64) + threads. */
	assert_int_equal(r.a[2], 64 + 2);
	assert_int_equal(r.a[3], 4);
	r = smc(f, OPTEE_SMC_EXCHANGE_CAPABILITIES,
		OPTEE_SMC_NSEC_CAP_UNIPROCESSOR, 0, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	r = smc(f, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0x2, 0x77, 0x99, 0);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(r.a[1], 0x2);
	assert_int_equal(r.a[3], 0x99);

	r = smc(f, OPTEE_SMC_GET_SHM_CONFIG, 5, 5, 5, 0);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[1], 0);
	assert_int_equal(r.a[2], 0);
	assert_int_equal(smc(f, OPTEE_SMC_L2CC_MUTEX, 0, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	assert_int_equal(smc(f, OPTEE_SMC_GET_PROTMEM_CONFIG, 0, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	assert_int_equal(smc(f, 0xB2001234u, 0, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	/* Upper register halves carry nothing. */
	assert_int_equal(smc(f, 0xFFFFFFFF00000000ull | OPTEE_SMC_CALLS_COUNT,
			     0, 0, 0, 0)
				 .a[0],
			 14);
	/* Results only in a0..a3. */
	r = smc(f, OPTEE_SMC_CALLS_UID, 0, 0, 0, VM1);
	assert_int_equal(r.a[4], 0x44);
	assert_int_equal(r.a[5], 0x55);
	assert_int_equal(r.a[6], 0x66);
	assert_int_equal(r.a[7], VM1);
	expect_no_violation(f);
}

static void test_admission(void **state)
{
	struct fx *f = *state;
	struct optee_model_stats st;
	uint64_t pa;

	new_arg(f, &pa, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	/* Unknown client: fast and yielding. */
	assert_int_equal(smc(f, OPTEE_SMC_CALLS_UID, 0, 0, 0, 9).a[0],
			 OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(
		smc(f, OPTEE_SMC_CALL_WITH_ARG, pa >> 32, (uint32_t)pa, 0, 9)
			.a[0],
		OPTEE_SMC_RETURN_ENOTAVAIL);
	/* The hypervisor may not make yielding calls. */
	assert_int_equal(
		smc(f, OPTEE_SMC_CALL_WITH_ARG, pa >> 32, (uint32_t)pa, 0, 0)
			.a[0],
		OPTEE_SMC_RETURN_ENOTAVAIL);
	/* a7 is truncated to 16 bits. */
	assert_int_equal(
		smc(f, OPTEE_SMC_CALLS_UID, 0, 0, 0, 0x10000 | VM1).a[0],
		OPTEE_MSG_UID_0);
	/* VM_CREATED: a7 must be 0, id 0 refused, partitions bounded. */
	assert_int_equal(smc(f, OPTEE_SMC_VM_CREATED, 5, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(smc(f, OPTEE_SMC_VM_CREATED, 0, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_ENOTAVAIL);
	for (uint32_t id = 10; id < 16; id++)
		assert_int_equal(smc(f, OPTEE_SMC_VM_CREATED, id, 0, 0, 0).a[0],
				 OPTEE_SMC_RETURN_OK);
	assert_int_equal(smc(f, OPTEE_SMC_VM_CREATED, 16, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_ENOTAVAIL);
	optee_model_get_stats(f->sw, &st);
	assert_int_equal(st.partitions, 8);
	/* VM_DESTROYED: a7 must be 0; unknown ids are fine. */
	assert_int_equal(smc(f, OPTEE_SMC_VM_DESTROYED, 10, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(smc(f, OPTEE_SMC_VM_DESTROYED, 10, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(smc(f, OPTEE_SMC_VM_DESTROYED, 99, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(smc(f, OPTEE_SMC_CALLS_UID, 0, 0, 0, 10).a[0],
			 OPTEE_SMC_RETURN_ENOTAVAIL);
	/* Owners outside the Trusted OS range never reach OP-TEE. */
	assert_int_equal(smc(f, 0x84000000u, 0, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	/* Unknown yielding function: a thread runs it, EBADCMD. */
	assert_int_equal(smc(f, 0x32000009u, 0, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_EBADCMD);
}

static void test_no_virtualization(void **state)
{
	struct fx *f = *state;
	uint32_t session = 0;

	assert_int_equal(smc(f, OPTEE_SMC_VM_CREATED, 3, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	assert_int_equal(smc(f, OPTEE_SMC_VM_DESTROYED, 0, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
	assert_int_equal(smc(f, OPTEE_SMC_CALLS_COUNT, 0, 0, 0, 0).a[0], 12);
	/* Bare metal: a7 = 0 and yielding calls work. */
	assert_int_equal(open_session(f, 0, &uuid_xform, &session),
			 TEEC_SUCCESS);
	assert_int_not_equal(session, 0);
}

static void test_arg_validation(void **state)
{
	struct fx *f = *state;
	struct optee_msg_arg *arg;
	uint64_t pa;
	struct teemed_regs r;

	arg = new_arg(f, &pa, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	/* Not 4 KiB aligned. */
	r = smc(f, OPTEE_SMC_CALL_WITH_ARG, pa >> 32, (uint32_t)pa + 8, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	assert_int_equal(r.a[3], 0);
	/* An untranslated IPA is refused, never touched. */
	r = smc(f, OPTEE_SMC_CALL_WITH_ARG, 0, MACHINE_GUEST_RAM_BASE, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	expect_no_violation(f);
	/* Too many params. */
	arg->num_params = 128;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_EBADADDR);
	arg->num_params = 127;
	arg->ret = 0xabcd;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	/* With an RPC arg behind it, 123 params no longer fit. */
	arg->num_params = 123;
	r = smc(f, OPTEE_SMC_CALL_WITH_RPC_ARG, pa >> 32, (uint32_t)pa, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	arg->num_params = 122;
	r = smc(f, OPTEE_SMC_CALL_WITH_RPC_ARG, pa >> 32, (uint32_t)pa, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	/* Unknown command: EBADCMD, ret untouched. */
	arg->cmd = 0x77;
	arg->num_params = 0;
	arg->ret = 0xabcd;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_EBADCMD);
	assert_int_equal(arg->ret, 0xabcd);
	/* DO_BOTTOM_HALF: done, nothing written back (entry_std.c). */
	arg->cmd = OPTEE_MSG_CMD_DO_BOTTOM_HALF;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, 0xabcd);
	/* REGD_ARG with a cookie nobody registered. */
	r = smc(f, OPTEE_SMC_CALL_WITH_REGD_ARG, 0, 0x999, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	expect_no_violation(f);
}

/* Send `value` to `vm` from its xform TA (notif_send_async). */
static void notify(struct fx *f, uint16_t vm, uint32_t session, uint32_t value)
{
	uint64_t pa;
	struct optee_msg_arg *arg =
		new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	arg->func = TA_XFORM_CMD_NOTIFY;
	arg->session = session;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[0].u.value.a = value;
	assert_int_equal(call(f, vm, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
}

/*
 * OP-TEE 4.x under virtualization (notif_default.c): values pending
 * per partition, read by the partition a7 names, lowest first; one
 * interrupt for all; bottom halves only while started.
 */
static void test_notifications(void **state)
{
	struct fx *f = *state;
	struct teemed_regs r;
	uint32_t s1, s2;
	uint64_t pa;
	struct optee_msg_arg *arg;

	assert_int_equal(open_session(f, VM1, &uuid_xform, &s1), TEEC_SUCCESS);
	assert_int_equal(open_session(f, VM2, &uuid_xform, &s2), TEEC_SUCCESS);
	assert_false(optee_model_take_irq(f->sw));
	notify(f, VM1, s1, 7);
	notify(f, VM1, s1, 3);
	notify(f, VM2, s2, 0);
	assert_true(optee_model_take_irq(f->sw));
	assert_false(optee_model_take_irq(f->sw));
	/* The hypervisor's id reads nothing. */
	r = smc(f, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, 0, 0, 0, 0);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r.a[2], 0);
	r = smc(f, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, 0, 0, 0, VM1);
	assert_int_equal(r.a[1], 3);
	assert_int_equal(r.a[2], OPTEE_SMC_ASYNC_NOTIF_VALID |
					 OPTEE_SMC_ASYNC_NOTIF_PENDING);
	r = smc(f, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, 0, 0, 0, VM1);
	assert_int_equal(r.a[1], 7);
	assert_int_equal(r.a[2], OPTEE_SMC_ASYNC_NOTIF_VALID);
	r = smc(f, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, 0, 0, 0, VM1);
	assert_int_equal(r.a[2], 0);
	r = smc(f, OPTEE_SMC_GET_ASYNC_NOTIF_VALUE, 0, 0, 0, VM2);
	assert_int_equal(r.a[1], OPTEE_SMC_ASYNC_NOTIF_VALUE_DO_BOTTOM_HALF);
	assert_int_equal(r.a[2], OPTEE_SMC_ASYNC_NOTIF_VALID);
	/* Beyond 63 is no asynchronous value. */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	arg->func = TA_XFORM_CMD_NOTIFY;
	arg->session = s1;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[0].u.value.a = 64;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	/* Bottom halves count only in a started partition. */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_DO_BOTTOM_HALF, 0);
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(optee_model_vm_bottom_halves(f->sw, VM2), 0);
	r = smc(f, OPTEE_SMC_ENABLE_ASYNC_NOTIF, 0, 0, 0, VM2);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(optee_model_vm_bottom_halves(f->sw, VM2), 1);
	assert_int_equal(optee_model_vm_bottom_halves(f->sw, VM1), 0);
	arg->cmd = OPTEE_MSG_CMD_STOP_ASYNC_NOTIF;
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	arg->cmd = OPTEE_MSG_CMD_DO_BOTTOM_HALF;
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(optee_model_vm_bottom_halves(f->sw, VM2), 1);
	expect_no_violation(f);
}

static void test_sessions(void **state)
{
	struct fx *f = *state;
	struct optee_msg_arg *arg;
	struct optee_model_stats st;
	uint32_t s1 = 0, s2 = 0;
	uint64_t pa;
	struct sim_uuid bogus = {{1, 2, 3}};

	assert_int_equal(open_session(f, VM1, &uuid_xform, &s1), TEEC_SUCCESS);
	assert_int_not_equal(s1, 0);
	assert_int_equal(open_session(f, VM2, &uuid_xform, &s2), TEEC_SUCCESS);
	assert_int_equal(open_session(f, VM1, &bogus, &s2),
			 TEEC_ERROR_ITEM_NOT_FOUND);
	assert_int_equal(s2, 0);

	/* Meta attrs must be exactly 0x101; login must be known. */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_OPEN_SESSION, 2);
	arg->params[0].attr = META_ATTR | OPTEE_MSG_ATTR_NONCONTIG;
	memcpy(arg->params[0].u.octets, uuid_xform.b, 16);
	arg->params[1].attr = META_ATTR;
	arg->session = 77;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_TEE);
	assert_int_equal(arg->session, 0);
	arg->params[0].attr = META_ATTR;
	arg->params[1].u.value.c = 3;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);

	/* ECHO: value inout, only a and b come back. */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	arg->func = TA_XFORM_CMD_ECHO;
	arg->session = s1;
	arg->cancel_id = 0x5555;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	arg->params[0].u.value.a = 41;
	arg->params[0].u.value.b = 0x0f0f0f0f;
	arg->params[0].u.value.c = 0xcccc;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_TRUSTED_APP);
	assert_int_equal(arg->params[0].u.value.a, 42);
	assert_int_equal(arg->params[0].u.value.b, 0x0f0f0f0f ^ 0x5a5a5a5a);
	assert_int_equal(arg->params[0].u.value.c, 0xcccc);
	assert_int_equal(arg->cancel_id, 0x5555);
	assert_int_equal(arg->func, TA_XFORM_CMD_ECHO);

	/* Sessions are per partition: VM2 has one session, VM1 two. */
	assert_int_equal(open_session(f, VM1, &uuid_xform, &s2), TEEC_SUCCESS);
	arg->session = s2;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	arg->session = s1;

	/* META outside OPEN_SESSION. */
	arg->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_VALUE_INOUT | OPTEE_MSG_ATTR_META;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_TEE);

	/* Close, then the session is gone. */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	arg->session = s1;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_not_equal(arg->ret, TEEC_SUCCESS);
	optee_model_get_stats(f->sw, &st);
	assert_int_equal(st.sessions, 2);
	expect_no_violation(f);
}

/* XOR over a 3-page NONCONTIG tmem with an offset; CHECKSUM over it. */
static void test_xform_and_checksum(void **state)
{
	struct fx *f = *state;
	const uint64_t in_ipa = MACHINE_GUEST_RAM_BASE + 0x10000;
	const uint64_t out_ipa = MACHINE_GUEST_RAM_BASE + 0x20000;
	const uint32_t off = 0x234, n = 9000;
	uint64_t in_pas[3], out_pas[3], pa, h = 0xcbf29ce484222325ull;
	uint32_t s = 0, key = 0xa1b2c3d4;
	struct optee_msg_arg *arg;
	struct optee_model_stats st;
	uint8_t *in, *out;

	map_guest(f, VM1, in_ipa, 3, in_pas);
	map_guest(f, VM1, out_ipa, 3, out_pas);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ipa = in_ipa + off + i;

		*gptr(f, VM1, ipa) = (uint8_t)(i * 7 + 3);
	}
	assert_int_equal(open_session(f, VM1, &uuid_xform, &s), TEEC_SUCCESS);
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	arg->func = TA_XFORM_CMD_XOR;
	arg->session = s;
	arg->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG;
	arg->params[0].u.tmem.buf_ptr = make_list(f, in_pas, 3, off);
	arg->params[0].u.tmem.size = n;
	arg->params[0].u.tmem.shm_ref = 0x1111;
	arg->params[1].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
	arg->params[1].u.tmem.buf_ptr = make_list(f, out_pas, 3, 0);
	arg->params[1].u.tmem.size = 3 * PG;
	arg->params[1].u.tmem.shm_ref = 0x2222;
	arg->params[2].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[2].u.value.a = key;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(arg->params[1].u.tmem.size, n);
	/* Input size and buf_ptr are never written back. */
	assert_int_equal(arg->params[0].u.tmem.size, n);
	assert_int_equal(arg->params[1].u.tmem.buf_ptr & 0xfff, 0);
	for (uint32_t i = 0; i < n; i++) {
		in = gptr(f, VM1, in_ipa + off + i);
		out = gptr(f, VM1, out_ipa + i);
		assert_int_equal(*out,
				 (uint8_t)(*in ^ (uint8_t)((uint64_t)key >>
							   (8 * (i % 8)))));
	}
	/* Call-lived objects are gone with the call. */
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);

	/* Short output: SHORT_BUFFER and the needed size. */
	arg->params[1].u.tmem.size = 100;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_SHORT_BUFFER);
	assert_int_equal(arg->params[1].u.tmem.size, n);

	/* Contiguous tmem is only for reserved SHM: refused. */
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	arg->params[1].u.tmem.buf_ptr = out_pas[0];
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_TEE);
	/* Invalid type. */
	arg->params[1].attr = 0x4;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);

	/* CHECKSUM of the input through a fresh list. */
	assert_int_equal(open_session(f, VM1, &uuid_checksum, &s),
			 TEEC_SUCCESS);
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->session = s;
	arg->func = TA_CHECKSUM_CMD_FNV;
	arg->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG;
	arg->params[0].u.tmem.buf_ptr = make_list(f, in_pas, 3, off);
	arg->params[0].u.tmem.size = n;
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	for (uint32_t i = 0; i < n; i++) {
		h ^= *gptr(f, VM1, in_ipa + off + i);
		h *= 0x100000001b3ull;
	}
	assert_int_equal(arg->params[1].u.value.a, (uint32_t)h);
	assert_int_equal(arg->params[1].u.value.b, n);
	/* NULL memref: checksum of nothing. */
	arg->params[0].u.tmem.buf_ptr = 0;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(arg->params[1].u.value.b, 0);
	optee_model_get_stats(f->sw, &st);
	assert_true(st.ta_bytes >= 3u * n);
	expect_no_violation(f);
}

/* Registration, RMEM with INPLACE, bounds, UNREGISTER rules. */
static void test_register_rmem(void **state)
{
	struct fx *f = *state;
	const uint64_t ipa = MACHINE_GUEST_RAM_BASE + 0x40000;
	uint64_t pas[2], pa, list;
	struct optee_msg_arg *arg;
	uint32_t s = 0;
	const uint64_t cookie = 0xfeed;

	map_guest(f, VM1, ipa, 2, pas);
	for (uint32_t i = 0; i < 2 * PG; i++)
		*gptr(f, VM1, ipa + i) = (uint8_t)i;
	list = make_list(f, pas, 2, 0x100);
	assert_int_equal(register_shm(f, VM1, list, 5000, cookie),
			 TEEC_SUCCESS);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 1);
	assert_int_equal(optee_model_vm_objects(f->sw, VM2), 0);
	/*
	 * Size 0 counts as OP-TEE counts it: one page at a non-zero page
	 * offset, a wrapped count (refused) at offset 0.
	 */
	assert_int_equal(register_shm(f, VM1, list, 0, 0xbad), TEEC_SUCCESS);
	assert_int_equal(unregister_shm(f, VM1, 0xbad), TEEC_SUCCESS);
	assert_int_equal(register_shm(f, VM1, make_list(f, pas, 2, 0), 0,
				      0xbad),
			 TEEC_ERROR_BAD_PARAMETERS);

	assert_int_equal(open_session(f, VM1, &uuid_inplace, &s), TEEC_SUCCESS);
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->session = s;
	arg->func = TA_INPLACE_CMD_ADD;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
	arg->params[0].u.rmem.offs = 10;
	arg->params[0].u.rmem.size = 6000;
	arg->params[0].u.rmem.shm_ref = cookie;
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[1].u.value.a = 5;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(arg->params[0].u.rmem.size, 6000);
	for (uint32_t i = 0; i < 2 * PG; i++) {
		bool hit = i >= 0x100 + 10 && i < 0x100 + 10 + 6000;

		assert_int_equal(*gptr(f, VM1, ipa + i),
				 (uint8_t)(i + (hit ? 5 : 0)));
	}
	/* Usable size = 2 pages - 0x100, not the registered 5000. */
	arg->params[0].u.rmem.offs = 0;
	arg->params[0].u.rmem.size = 2 * PG - 0x100;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	arg->params[0].u.rmem.size = 2 * PG - 0x100 + 1;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_SECURITY);
	arg->params[0].u.rmem.offs = UINT64_MAX;
	arg->params[0].u.rmem.size = 2;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_SECURITY);
	/* Unknown cookie, or another VM's cookie. */
	arg->params[0].u.rmem.offs = 0;
	arg->params[0].u.rmem.shm_ref = 0xdead;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	arg->params[0].u.rmem.shm_ref = cookie;
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	assert_int_not_equal(arg->ret, TEEC_SUCCESS);

	/* REGD_ARG: the arg lives in the registered buffer itself. */
	{
		struct optee_msg_arg ra;
		uint8_t *g = gptr(f, VM1, ipa + 0x100 + 0x200);
		struct teemed_regs r;

		memset(&ra, 0, sizeof(ra));
		ra.cmd = OPTEE_MSG_CMD_CLOSE_SESSION;
		ra.session = 0x4242;
		memcpy(g, &ra, sizeof(ra));
		r = smc(f, OPTEE_SMC_CALL_WITH_REGD_ARG, cookie >> 32,
			(uint32_t)cookie, 0x200, VM1);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
		memcpy(&ra, g, sizeof(ra));
		assert_int_equal(ra.ret, TEEC_ERROR_ITEM_NOT_FOUND);
		/* Misaligned offset, and an arg running off the end. */
		r = smc(f, OPTEE_SMC_CALL_WITH_REGD_ARG, 0, (uint32_t)cookie,
			0x204, VM1);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
		r = smc(f, OPTEE_SMC_CALL_WITH_REGD_ARG, 0, (uint32_t)cookie,
			2 * PG - 0x100 - 160, VM1);
		assert_int_equal(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
	}

	/* UNREGISTER: wrong VM, then right, then again. */
	assert_int_equal(unregister_shm(f, VM2, cookie),
			 TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(unregister_shm(f, VM1, cookie), TEEC_SUCCESS);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);
	assert_int_equal(unregister_shm(f, VM1, cookie),
			 TEEC_ERROR_BAD_PARAMETERS);
	/* num_params != 1 also writes ret_origin. */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_UNREGISTER_SHM, 0);
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_TEE);
	expect_no_violation(f);
}

/* 600 pages need two list pages; slot 511 of the last is never read. */
static void test_long_page_list(void **state)
{
	struct fx *f = *state;
	static uint64_t pas[OPTEE_MSG_PAGELIST_ENTRIES * 2];
	uint64_t list, *slots;

	map_guest(f, VM1, MACHINE_GUEST_RAM_BASE, 600, pas);
	list = make_list(f, pas, 600, 0);
	assert_int_equal(register_shm(f, VM1, list, 600 * PG, 1), TEEC_SUCCESS);
	/* Exactly 511 pages: a poisoned next pointer is not followed. */
	list = make_list(f, pas, OPTEE_MSG_PAGELIST_ENTRIES, 0);
	slots = pa_ptr(f, list);
	slots[OPTEE_MSG_PAGELIST_NEXT_SLOT] = 0x123;
	assert_int_equal(
		register_shm(f, VM1, list, OPTEE_MSG_PAGELIST_ENTRIES * PG, 2),
		TEEC_SUCCESS);
	/* An unaligned entry fails the whole registration. */
	slots[3] |= 8;
	assert_int_equal(register_shm(f, VM1, list, 10 * PG, 3),
			 TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 2);
	expect_no_violation(f);
}

static struct teemed_regs start_slow(struct fx *f, uint16_t vm, uint32_t s,
				     uint32_t n, uint64_t *pa)
{
	struct optee_msg_arg *arg =
		new_arg(f, pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	arg->session = s;
	arg->func = TA_SLOW_CMD_SPIN;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	arg->params[0].u.value.a = n;
	return smc(f, OPTEE_SMC_CALL_WITH_ARG, *pa >> 32, (uint32_t)*pa, 0, vm);
}

/* SLOW: FOREIGN_INTR rounds, thread limit per VM, ERESUME, EBUSY. */
static void test_threads(void **state)
{
	struct fx *f = *state;
	struct teemed_regs r1, r2, r3;
	struct optee_msg_arg *arg;
	uint64_t pa1, pa2, pa3;
	uint32_t s = 0, s2 = 0;
	struct optee_model_stats st;

	assert_int_equal(open_session(f, VM1, &uuid_slow, &s), TEEC_SUCCESS);
	assert_int_equal(open_session(f, VM2, &uuid_slow, &s2), TEEC_SUCCESS);
	r1 = start_slow(f, VM1, s, 3, &pa1);
	assert_int_equal(r1.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	r2 = start_slow(f, VM1, s, 1, &pa2);
	assert_int_equal(r2.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_not_equal(r1.a[3], r2.a[3]);
	/* Both threads of VM1 are suspended: a third call is refused... */
	r3 = start_slow(f, VM1, s, 1, &pa3);
	assert_int_equal(r3.a[0], OPTEE_SMC_RETURN_ETHREAD_LIMIT);
	/* ...but VM2 has its own threads. */
	r3 = start_slow(f, VM2, s2, 2, &pa3);
	assert_int_equal(r3.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	optee_model_get_stats(f->sw, &st);
	assert_int_equal(st.threads_busy, 3);
	/* Cache toggles need an idle partition. */
	assert_int_equal(smc(f, OPTEE_SMC_ENABLE_SHM_CACHE, 0, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_EBUSY);
	assert_int_equal(smc(f, OPTEE_SMC_DISABLE_SHM_CACHE, 0, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_EBUSY);
	/* ERESUME: index out of range, and a thread of another VM's index
	   that is free in this VM. */
	assert_int_equal(
		smc(f, OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, 7, VM1).a[0],
		OPTEE_SMC_RETURN_ERESUME);
	assert_int_equal(smc(f, OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0,
			     r3.a[3] == 0 ? 1 : 0, VM2)
				 .a[0],
			 OPTEE_SMC_RETURN_ERESUME);
	/* Finish them all; the TA counted its interrupts. */
	f->intrs = 0;
	r2 = run(f, r2, VM1);
	assert_int_equal(r2.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(r2.a[1], 0);
	r1 = run(f, r1, VM1);
	assert_int_equal(r1.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(f->intrs, 1 + 3);
	arg = pa_ptr(f, pa1);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(arg->params[0].u.value.b, 7);
	/* A finished thread cannot be resumed. */
	assert_int_equal(
		smc(f, OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, r1.a[3], VM1).a[0],
		OPTEE_SMC_RETURN_ERESUME);
	r3 = run(f, r3, VM2);
	assert_int_equal(r3.a[0], OPTEE_SMC_RETURN_OK);
	optee_model_get_stats(f->sw, &st);
	assert_int_equal(st.threads_busy, 0);
	expect_no_violation(f);
}

static struct optee_msg_arg *rpc_invoke_arg(struct fx *f, uint64_t *pa,
					    uint32_t s, uint64_t in_pa,
					    uint64_t out_pa, uint32_t n,
					    uint32_t type)
{
	struct optee_msg_arg *arg =
		new_arg(f, pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 3);

	arg->session = s;
	arg->func = TA_RPC_CMD_REVERSE;
	arg->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG;
	arg->params[0].u.tmem.buf_ptr = make_list(f, &in_pa, 1, 0);
	arg->params[0].u.tmem.size = n;
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[1].u.value.b = type;
	arg->params[2].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
	arg->params[2].u.tmem.buf_ptr = make_list(f, &out_pa, 1, 0);
	arg->params[2].u.tmem.size = PG;
	return arg;
}

/* RPC TA with CALL_WITH_ARG: RPC_ALLOC, SHM_ALLOC, supplicant,
   SHM_FREE, RPC_FREE at the end; then the cache and failures. */
static void test_rpc_flow(void **state)
{
	struct fx *f = *state;
	const uint64_t in_ipa = MACHINE_GUEST_RAM_BASE + 0x80000;
	const uint64_t out_ipa = MACHINE_GUEST_RAM_BASE + 0x90000;
	uint64_t in_pa = pin(f, VM1, in_ipa), out_pa = pin(f, VM1, out_ipa);
	struct optee_msg_arg *arg;
	uint32_t s = 0, n = 3000;
	uint64_t pa;
	struct teemed_regs r;

	for (uint32_t i = 0; i < n; i++)
		*gptr(f, VM1, in_ipa + i) = (uint8_t)(i * 13);
	assert_int_equal(open_session(f, VM1, &uuid_rpc, &s), TEEC_SUCCESS);
	arg = rpc_invoke_arg(f, &pa, s, in_pa, out_pa, n,
			     OPTEE_RPC_SHM_TYPE_APPL);
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(arg->params[2].u.tmem.size, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(*gptr(f, VM1, out_ipa + i),
				 (uint8_t)((n - 1 - i) * 13));
	assert_int_equal(f->allocs, 1);
	assert_int_equal(f->frees, 1); /* cache off: freed at call end */
	assert_int_equal(f->shm_allocs, 1);
	assert_int_equal(f->shm_frees, 1);
	assert_int_equal(f->supps, 1);
	assert_int_not_equal(f->last_cmd_cookie, 0);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);

	/* With the cache on the RPC arg stays with the thread. */
	assert_int_equal(smc(f, OPTEE_SMC_ENABLE_SHM_CACHE, 0, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(f->allocs, 2);
	assert_int_equal(f->frees, 1);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 1);
	r = smc(f, OPTEE_SMC_DISABLE_SHM_CACHE, 0, 0, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_non_null(buf_find(f, (r.a[1] << 32) | (uint32_t)r.a[2]));
	buf_free(f, buf_find(f, (r.a[1] << 32) | (uint32_t)r.a[2]));
	assert_int_equal(smc(f, OPTEE_SMC_DISABLE_SHM_CACHE, 0, 0, 0, VM1).a[0],
			 OPTEE_SMC_RETURN_ENOTAVAIL);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);

	/* CALL_WITH_RPC_ARG: the message follows the arg, cookie 0:0. */
	f->rpc_arg_pa = pa + OPTEE_MSG_GET_ARG_SIZE(3);
	r = smc(f, OPTEE_SMC_CALL_WITH_RPC_ARG, pa >> 32, (uint32_t)pa, 0, VM1);
	r = run(f, r, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(f->last_cmd_cookie, 0);
	assert_int_equal(f->allocs, 2);

	/* A refused RPC_ALLOC: RPC_FREE of its cookie, OUT_OF_MEMORY. */
	f->bad_alloc = true;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(f->allocs, 3);
	assert_int_equal(f->frees, 2);
	f->bad_alloc = false;

	/* A well-formed but unusable SHM_ALLOC reply: SHM_FREE, failure. */
	f->contig_payload_fail = true;
	f->shm_frees = 0;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(f->shm_frees, 1);
	f->contig_payload_fail = false;
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);
	expect_no_violation(f);
}

/*
 * RPC_ALLOC answered with PA 0, as a mediator that refuses the guest's
 * page might: OP-TEE checks only alignment and that the page is
 * non-secure RAM, so where RAM starts at 0 it maps page 0 (the oracle
 * reports the host's page touched). An odd PA fails the alignment check
 * on any machine: RPC_FREE of the cookie, OUT_OF_MEMORY, nothing mapped.
 */
static void test_rpc_alloc_pa_zero(void **state)
{
	struct fx *f = *state;
	const uint64_t in_ipa = MACHINE_GUEST_RAM_BASE + 0x80000;
	const uint64_t out_ipa = MACHINE_GUEST_RAM_BASE + 0x90000;
	uint64_t in_pa = pin(f, VM1, in_ipa), out_pa = pin(f, VM1, out_ipa);
	struct optee_msg_arg *arg;
	uint32_t s = 0;
	uint64_t pa;

	assert_int_equal(open_session(f, VM1, &uuid_rpc, &s), TEEC_SUCCESS);
	arg = rpc_invoke_arg(f, &pa, s, in_pa, out_pa, 64,
			     OPTEE_RPC_SHM_TYPE_APPL);
	f->alloc_pa_forced = true;

	/* No RAM at 0: PA 0 is refused like any address outside RAM. */
	f->alloc_pa = 0;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(f->frees, 1);
	expect_no_violation(f);

	/* RAM at 0: the model maps page 0 as OP-TEE would. */
	assert_int_equal(machine_add_page_zero(f->m), 0);
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(oracle_violations(f->o), 1);
	assert_non_null(strstr(oracle_first_violation(f->o), "host"));

	/* An odd PA is refused before anything is mapped. */
	f->alloc_pa = UINT64_MAX;
	f->frees = 0;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	assert_int_equal(f->frees, 1);
	assert_int_equal(oracle_violations(f->o), 1);
	f->alloc_pa_forced = false;
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);
}

/* RPC TA with a multi-page payload (NONCONTIG SHM_ALLOC reply). */
static void test_rpc_noncontig_payload(void **state)
{
	struct fx *f = *state;
	const uint64_t ipa = MACHINE_GUEST_RAM_BASE + 0x100000;
	uint64_t in_pas[3], out_pas[3], pa;
	struct optee_msg_arg *arg;
	uint32_t s = 0, n = 10000;

	map_guest(f, VM2, ipa, 3, in_pas);
	map_guest(f, VM2, ipa + 0x10000, 3, out_pas);
	for (uint32_t i = 0; i < n; i++)
		*gptr(f, VM2, ipa + i) = (uint8_t)(i ^ (i >> 8));
	assert_int_equal(open_session(f, VM2, &uuid_rpc, &s), TEEC_SUCCESS);
	arg = rpc_invoke_arg(f, &pa, s, in_pas[0], out_pas[0], n,
			     OPTEE_RPC_SHM_TYPE_APPL);
	arg->params[0].u.tmem.buf_ptr = make_list(f, in_pas, 3, 0);
	arg->params[2].u.tmem.buf_ptr = make_list(f, out_pas, 3, 0);
	arg->params[2].u.tmem.size = 3 * PG;
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = n - 1 - i;

		assert_int_equal(*gptr(f, VM2, ipa + 0x10000 + i),
				 (uint8_t)(j ^ (j >> 8)));
	}
	/* KERNEL payloads larger than a page are refused by the core. */
	arg->params[1].u.value.b = OPTEE_RPC_SHM_TYPE_KERNEL;
	assert_int_equal(call(f, VM2, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_OUT_OF_MEMORY);
	expect_no_violation(f);
}

/* The answer to an RPC_CMD the caller served itself. */
static struct teemed_regs wake(struct fx *f, struct teemed_regs r, uint16_t vm)
{
	r = smc(f, OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, r.a[3], vm);
	return run(f, r, vm);
}

/*
 * UNREGISTER while a suspended call uses the buffer: as OP-TEE, the
 * unregister waits (NOTIFICATION WAIT RPCs; a wake-up while the buffer
 * is still used only waits again), and once the user is done it
 * succeeds and the cookie is gone.
 */
static void test_unregister_busy(void **state)
{
	struct fx *f = *state;
	const uint64_t ipa = MACHINE_GUEST_RAM_BASE + 0x200000;
	uint64_t pg = pin(f, VM1, ipa), pa, upa;
	struct optee_msg_arg *arg, *unreg;
	struct teemed_regs r, u;
	uint32_t s = 0;

	assert_int_equal(register_shm(f, VM1, make_list(f, &pg, 1, 0), 64, 9),
			 TEEC_SUCCESS);
	assert_int_equal(open_session(f, VM1, &uuid_rpc, &s), TEEC_SUCCESS);
	/* An RPC TA call that uses the registered buffer, left suspended
	   in its first RPC (RPC_ALLOC). */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	arg->session = s;
	arg->func = TA_RPC_CMD_REVERSE;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	arg->params[0].u.rmem.size = 16;
	arg->params[0].u.rmem.shm_ref = 9;
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[2].attr = OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT;
	arg->params[2].u.rmem.offs = 16;
	arg->params[2].u.rmem.size = 16;
	arg->params[2].u.rmem.shm_ref = 9;
	r = smc(f, OPTEE_SMC_CALL_WITH_ARG, pa >> 32, (uint32_t)pa, 0, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_ALLOC);

	unreg = new_arg(f, &upa, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	unreg->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	unreg->params[0].u.rmem.shm_ref = 9;
	unreg->ret = 0x77;
	f->stop_on_wait = true;
	u = smc(f, OPTEE_SMC_CALL_WITH_ARG, upa >> 32, (uint32_t)upa, 0, VM1);
	u = run(f, u, VM1);
	assert_int_equal(u.a[0], OPTEE_SMC_RETURN_RPC_CMD);
	assert_int_equal(f->notif_waits, 1);
	u = wake(f, u, VM1); /* still in use: waits again */
	assert_int_equal(u.a[0], OPTEE_SMC_RETURN_RPC_CMD);
	assert_int_equal(f->notif_waits, 2);
	assert_int_equal(unreg->ret, 0x77);
	f->stop_on_wait = false;

	/* The user runs to its end and drops the last reference. */
	r = run(f, r, VM1);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	u = wake(f, u, VM1);
	assert_int_equal(u.a[0], OPTEE_SMC_RETURN_OK);
	assert_int_equal(unreg->ret, TEEC_SUCCESS);
	assert_int_equal(f->notif_waits, 2);
	assert_int_equal(unregister_shm(f, VM1, 9), TEEC_ERROR_BAD_PARAMETERS);
	expect_no_violation(f);
}

/* A page unpinned while the secure world still uses it is caught. */
static void test_oracle_catches_unpinned(void **state)
{
	struct fx *f = *state;
	const uint64_t ipa = MACHINE_GUEST_RAM_BASE + 0x300000;
	uint64_t pg = pin(f, VM1, ipa), pa;
	struct optee_msg_arg *arg;
	uint32_t s = 0;

	assert_int_equal(register_shm(f, VM1, make_list(f, &pg, 1, 0), 64, 5),
			 TEEC_SUCCESS);
	assert_int_equal(open_session(f, VM1, &uuid_checksum, &s),
			 TEEC_SUCCESS);
	expect_no_violation(f);
	machine_unpin(f->m, VM1, pg); /* too early: still registered */
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	arg->session = s;
	arg->func = TA_CHECKSUM_CMD_FNV;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	arg->params[0].u.rmem.size = 64;
	arg->params[0].u.rmem.shm_ref = 5;
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, 0xFFFF3024u); /* TARGET_DEAD */
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_TEE);
	assert_int_equal(oracle_violations(f->o), 1);
}

/* VM_DESTROYED drops sessions, objects and suspended threads. */
static void test_vm_destroyed(void **state)
{
	struct fx *f = *state;
	const uint64_t ipa = MACHINE_GUEST_RAM_BASE;
	uint64_t pg = pin(f, VM2, ipa), pa;
	struct optee_model_stats st;
	struct teemed_regs r;
	uint32_t s = 0;

	assert_int_equal(register_shm(f, VM2, make_list(f, &pg, 1, 0), 64, 5),
			 TEEC_SUCCESS);
	assert_int_equal(open_session(f, VM2, &uuid_slow, &s), TEEC_SUCCESS);
	r = start_slow(f, VM2, s, 5, &pa);
	assert_int_equal(r.a[0], OPTEE_SMC_RETURN_RPC_FOREIGN_INTR);
	assert_int_equal(smc(f, OPTEE_SMC_VM_DESTROYED, VM2, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_OK);
	optee_model_get_stats(f->sw, &st);
	assert_int_equal(st.partitions, 1);
	assert_int_equal(st.threads_busy, 0);
	assert_int_equal(st.sessions, 0);
	assert_int_equal(st.registered, 0);
	assert_int_equal(optee_model_vm_objects(f->sw, VM2), 0);
	assert_int_equal(
		smc(f, OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, r.a[3], VM2).a[0],
		OPTEE_SMC_RETURN_ENOTAVAIL);
	/* The id can be created again, with a fresh partition. */
	assert_int_equal(smc(f, OPTEE_SMC_VM_CREATED, VM2, 0, 0, 0).a[0],
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(optee_model_vm_objects(f->sw, VM2), 0);
	machine_unpin(f->m, VM2, pg);
	expect_no_violation(f);
}

/*
 * OP-TEE's device-enumeration pseudo TA as Linux's driver calls it: a
 * NULL memref first (SHORT_BUFFER and the size needed), then a buffer
 * of that size; GET_DEVICES lists the transform TA, _SUPP the storage
 * TA, _RPMB nothing; other commands and layouts are refused.
 */
static void test_device_pta(void **state)
{
	struct fx *f = *state;
	const uint64_t ipa = MACHINE_GUEST_RAM_BASE + 0xa0000;
	static const struct {
		uint32_t cmd;
		const struct sim_uuid *listed;
	} cmds[] = {
		{PTA_DEVICE_CMD_GET_DEVICES, &uuid_xform},
		{PTA_DEVICE_CMD_GET_DEVICES_SUPP, &uuid_storage},
		{PTA_DEVICE_CMD_GET_DEVICES_RPMB, NULL},
	};
	struct optee_msg_arg *arg;
	uint64_t pa, page = pin(f, VM1, ipa);
	uint32_t s = 0;

	assert_int_equal(open_session(f, VM1, &uuid_device_pta, &s),
			 TEEC_SUCCESS);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		uint32_t need = cmds[i].listed ? 16 : 0;

		arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 4);
		arg->session = s;
		arg->func = cmds[i].cmd;
		arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
		assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
		assert_int_equal(arg->ret,
				 need ? TEEC_ERROR_SHORT_BUFFER : TEEC_SUCCESS);
		assert_int_equal(arg->params[0].u.tmem.size, need);
		if (!need)
			continue;
		memset(gptr(f, VM1, ipa), 0xee, PG);
		arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
				      OPTEE_MSG_ATTR_NONCONTIG;
		arg->params[0].u.tmem.buf_ptr = make_list(f, &page, 1, 0);
		arg->params[0].u.tmem.size = need;
		assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
		assert_int_equal(arg->ret, TEEC_SUCCESS);
		assert_int_equal(arg->params[0].u.tmem.size, need);
		assert_memory_equal(gptr(f, VM1, ipa), cmds[i].listed->b, 16);
		assert_int_equal(*gptr(f, VM1, ipa + 16), 0xee);
	}
	arg = new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 4);
	arg->session = s;
	arg->func = 7;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_NOT_IMPLEMENTED);
	arg->func = PTA_DEVICE_CMD_GET_DEVICES;
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	arg->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);
	expect_no_violation(f);
}

/* One storage TA command on `n` bytes at `ipa` (NONCONTIG tmem). */
static struct optee_msg_arg *storage_call(struct fx *f, uint32_t s,
					  uint32_t cmd, uint32_t id,
					  const uint64_t *pas, uint32_t npages,
					  uint64_t n)
{
	uint64_t pa;
	struct optee_msg_arg *arg =
		new_arg(f, &pa, OPTEE_MSG_CMD_INVOKE_COMMAND, 2);

	arg->session = s;
	arg->func = cmd;
	if (pas) {
		arg->params[0].attr =
			(cmd == TA_STORAGE_CMD_WRITE
				 ? OPTEE_MSG_ATTR_TYPE_TMEM_INPUT
				 : OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT) |
			OPTEE_MSG_ATTR_NONCONTIG;
		arg->params[0].u.tmem.buf_ptr = make_list(f, pas, npages, 0);
		arg->params[0].u.tmem.size = n;
	}
	arg->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	arg->params[1].u.value.a = id;
	assert_int_equal(call(f, VM1, pa), OPTEE_SMC_RETURN_OK);
	return arg;
}

/*
 * The storage TA through tee-supplicant's REE FS: every byte reaches
 * the file and comes back; the RPCs are OP-TEE's (an APPL payload, the
 * name in it, CREATE/OPEN, WRITE/READ, CLOSE, REMOVE, SHM_FREE).
 */
static void test_storage_ree_fs(void **state)
{
	struct fx *f = *state;
	const uint64_t in_ipa = MACHINE_GUEST_RAM_BASE + 0xb0000;
	const uint64_t out_ipa = MACHINE_GUEST_RAM_BASE + 0xc0000;
	const uint32_t n = 9000, id = 0x1234abcd;
	uint64_t in_pas[3], out_pas[3];
	struct optee_msg_arg *arg;
	uint32_t s = 0;

	map_guest(f, VM1, in_ipa, 3, in_pas);
	map_guest(f, VM1, out_ipa, 3, out_pas);
	for (uint32_t i = 0; i < n; i++)
		*gptr(f, VM1, in_ipa + i) = (uint8_t)(i * 29 + 1);
	assert_int_equal(open_session(f, VM1, &uuid_storage, &s), TEEC_SUCCESS);

	arg = storage_call(f, s, TA_STORAGE_CMD_WRITE, id, in_pas, 3, n);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_string_equal(f->fs.name, "/teemed-1234abcd.obj");
	assert_int_equal(f->fs.size, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(f->fs.data[i], (uint8_t)(i * 29 + 1));
	assert_false(f->fs.open);
	assert_int_equal(f->fs.ops, 3); /* CREATE, WRITE, CLOSE */

	memset(gptr(f, VM1, out_ipa), 0, PG);
	arg = storage_call(f, s, TA_STORAGE_CMD_READ, id, out_pas, 3, 3 * PG);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_int_equal(arg->params[0].u.tmem.size, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(*gptr(f, VM1, out_ipa + i),
				 (uint8_t)(i * 29 + 1));
	assert_false(f->fs.open);

	/* Another object: not there, and the file was never opened. */
	arg = storage_call(f, s, TA_STORAGE_CMD_READ, id + 1, out_pas, 3, n);
	assert_int_equal(arg->ret, TEEC_ERROR_ITEM_NOT_FOUND);
	assert_int_equal(arg->ret_origin, TEEC_ORIGIN_TRUSTED_APP);

	arg = storage_call(f, s, TA_STORAGE_CMD_REMOVE, id, NULL, 0, 0);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
	assert_false(f->fs.exists);
	arg = storage_call(f, s, TA_STORAGE_CMD_READ, id, out_pas, 3, n);
	assert_int_equal(arg->ret, TEEC_ERROR_ITEM_NOT_FOUND);

	/* Wrong layouts and sizes never reach the normal world. */
	f->fs.ops = 0;
	arg = storage_call(f, s, TA_STORAGE_CMD_READ, id, NULL, 0, 0);
	assert_int_equal(arg->ret, TEEC_ERROR_BAD_PARAMETERS);
	arg = storage_call(f, s, 9, id, NULL, 0, 0);
	assert_int_equal(arg->ret, TEEC_ERROR_NOT_SUPPORTED);
	assert_int_equal(f->fs.ops, 0);

	/* Every payload was freed; nothing of the calls remains. */
	assert_int_equal(f->shm_allocs, f->shm_frees);
	assert_true(f->shm_allocs >= 5);
	assert_int_equal(optee_model_vm_objects(f->sw, VM1), 0);
	expect_no_violation(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fast_calls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_admission, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_arg_validation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xform_and_checksum, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_register_rmem, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_page_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rpc_alloc_pa_zero, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rpc_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rpc_noncontig_payload,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregister_busy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_oracle_catches_unpinned,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_destroyed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notifications, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_pta, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_storage_ree_fs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_virtualization,
						setup_novirt, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
