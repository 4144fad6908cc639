/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The raw hostile guest driver (see hostile.h). Where it behaves, it
 * behaves like the Linux driver of spec §9 so that a mediator bug shows
 * as a wrong answer rather than as a confused driver.
 */
#include "hostile.h"

#include <stdlib.h>
#include <string.h>

#define LIST_ENTRIES OPTEE_MSG_PAGELIST_ENTRIES

void hostile_init(struct hostile *h, struct world *w, struct world_vm *v)
{
	memset(h, 0, sizeof(*h));
	h->w = w;
	h->v = v;
	h->vcpu = TEEMED_NO_VCPU;
	/* Distinct per VM, so a cookie leaking across VMs would show. */
	h->next_cookie = ((uint64_t)v->hv.vm_id << 40) | 0xc00c1e000ull;
}

uint16_t hostile_id(const struct hostile *h)
{
	return h->v->hv.vm_id;
}

void *hostile_ptr(struct hostile *h, uint64_t ipa)
{
	return machine_guest_ptr(h->w->m, hostile_id(h), ipa);
}

uint64_t hostile_pages(struct hostile *h, uint32_t n)
{
	uint64_t first;

	if (n > h->v->ram_pages - h->next_page)
		return 0;
	first = MACHINE_GUEST_RAM_BASE +
		(uint64_t)h->next_page * MACHINE_PAGE_SIZE;
	for (uint32_t i = 0; i < n; i++) {
		void *p =
			hostile_ptr(h, first + (uint64_t)i * MACHINE_PAGE_SIZE);

		if (p)
			memset(p, 0, MACHINE_PAGE_SIZE);
	}
	h->next_page += n;
	return first;
}

uint64_t hostile_page(struct hostile *h)
{
	return hostile_pages(h, 1);
}

uint64_t hostile_cookie(struct hostile *h)
{
	return h->next_cookie += 0x40;
}

void hostile_smc(struct hostile *h, struct teemed_regs *r)
{
	h->smcs++;
	if (world_vm_smc(h->w, h->v, h->vcpu, r) == TEEMED_SMC_NOT_OPTEE)
		r->a[0] = OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
	oracle_guest_regs(h->w->orc, hostile_id(h), r);
}

struct optee_msg_arg *hostile_msg(struct hostile *h, uint64_t arg_ipa)
{
	return hostile_ptr(h, arg_ipa);
}

uint64_t hostile_arg(struct hostile *h, uint32_t cmd, uint32_t n)
{
	uint64_t ipa = hostile_page(h);
	struct optee_msg_arg *m = ipa ? hostile_msg(h, ipa) : NULL;

	if (!m)
		return 0;
	m->cmd = cmd;
	m->num_params = n;
	m->ret = HOSTILE_SENTINEL;
	m->ret_origin = HOSTILE_SENTINEL;
	return ipa;
}

void hostile_call_start(struct hostile *h, uint64_t arg_ipa,
			struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_CALL_WITH_ARG;
	r->a[1] = arg_ipa >> 32;
	r->a[2] = (uint32_t)arg_ipa;
	hostile_smc(h, r);
}

void hostile_call_start_fid(struct hostile *h, uint32_t fid, uint64_t a1a2,
			    uint32_t a3, uint64_t area_ipa,
			    struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = fid;
	r->a[1] = a1a2 >> 32;
	r->a[2] = (uint32_t)a1a2;
	r->a[3] = a3;
	h->area_ipa = area_ipa;
	hostile_smc(h, r);
}

/* Copy between the guest's memory (by IPA) and `buf`, page by page. */
static bool guest_io(struct hostile *h, uint64_t ipa, uint8_t *buf,
		     uint64_t len, bool to_guest)
{
	while (len) {
		uint64_t off = ipa % MACHINE_PAGE_SIZE;
		uint64_t chunk = MACHINE_PAGE_SIZE - off;
		uint8_t *p = hostile_ptr(h, ipa);

		if (!p)
			return false;
		if (chunk > len)
			chunk = len;
		if (to_guest)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		ipa += chunk;
		buf += chunk;
		len -= chunk;
	}
	return true;
}

bool hostile_read(struct hostile *h, uint64_t ipa, void *buf, uint64_t len)
{
	return guest_io(h, ipa, buf, len, false);
}

bool hostile_write(struct hostile *h, uint64_t ipa, const void *buf,
		   uint64_t len)
{
	return guest_io(h, ipa, (uint8_t *)(uintptr_t)buf, len, true);
}

static struct hostile_buf *buf_find(struct hostile_buf *t, uint64_t cookie)
{
	for (uint32_t i = 0; i < HOSTILE_MAX_BUFS; i++)
		if (t[i].cookie == cookie && cookie)
			return &t[i];
	return NULL;
}

static void buf_add(struct hostile_buf *t, uint64_t cookie, uint64_t ipa,
		    uint64_t size)
{
	struct hostile_buf *b = NULL;

	for (uint32_t i = 0; i < HOSTILE_MAX_BUFS && !b; i++)
		if (!t[i].cookie)
			b = &t[i];
	if (b) {
		b->cookie = cookie;
		b->ipa = ipa;
		b->size = size;
	}
}

struct optee_msg_arg *hostile_rpc_msg(struct hostile *h,
				      const struct teemed_regs *r)
{
	uint64_t cookie = (uint64_t)(uint32_t)r->a[1] << 32 | (uint32_t)r->a[2];
	struct hostile_buf *b;

	if (!cookie && h->area_ipa)
		return hostile_ptr(h, h->area_ipa);
	b = buf_find(h->rpc_args, cookie);
	return b ? hostile_ptr(h, b->ipa) : NULL;
}

uint64_t hostile_list(struct hostile *h, const uint64_t *entries, uint32_t n)
{
	uint32_t lists = (n + LIST_ENTRIES - 1) / LIST_ENTRIES;
	uint64_t first = hostile_pages(h, lists ? lists : 1);

	if (!first)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t list = first + (uint64_t)(i / LIST_ENTRIES) *
						MACHINE_PAGE_SIZE;
		uint64_t *slots = hostile_ptr(h, list);

		slots[i % LIST_ENTRIES] = entries[i];
		if (i % LIST_ENTRIES == 0 && i + LIST_ENTRIES < n)
			slots[OPTEE_MSG_PAGELIST_NEXT_SLOT] =
				list + MACHINE_PAGE_SIZE;
	}
	return first;
}

uint64_t hostile_buffer(struct hostile *h, uint32_t pages, uint64_t *data)
{
	uint64_t *entries = calloc(pages ? pages : 1, sizeof(*entries));
	uint64_t first = hostile_pages(h, pages);
	uint64_t list = 0;

	if (entries && first) {
		for (uint32_t i = 0; i < pages; i++) {
			uint64_t ipa = first + (uint64_t)i * MACHINE_PAGE_SIZE;
			uint8_t *p = hostile_ptr(h, ipa);

			entries[i] = ipa;
			/* Content that tells pages apart in a checksum. */
			for (uint32_t b = 0; b < MACHINE_PAGE_SIZE; b++)
				p[b] = (uint8_t)(b * 7u + (ipa >> 12) * 13u);
		}
		list = hostile_list(h, entries, pages);
	}
	free(entries);
	if (data)
		*data = first;
	return list;
}

void hostile_tmem(struct optee_msg_param *p, uint64_t attr_type,
		  uint64_t list_ipa, uint64_t size, uint64_t cookie)
{
	p->attr = attr_type | OPTEE_MSG_ATTR_NONCONTIG;
	p->u.tmem.buf_ptr = list_ipa;
	p->u.tmem.size = size;
	p->u.tmem.shm_ref = cookie;
}

/* SHM_ALLOC (§6.7): fresh pages, a page list unless one page will do. */
static uint32_t serve_shm_alloc(struct hostile *h, struct optee_msg_arg *m)
{
	uint64_t size = m->params[0].u.value.b;
	uint64_t pages = (size + MACHINE_PAGE_SIZE - 1) / MACHINE_PAGE_SIZE;
	uint64_t cookie = hostile_cookie(h);
	struct optee_msg_param *p = &m->params[0];
	uint64_t data;

	if (!pages || pages > 64)
		return TEEC_ERROR_OUT_OF_MEMORY;
	if (h->contiguous_payloads && pages == 1) {
		data = hostile_page(h);
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
		p->u.tmem.buf_ptr = data;
	} else {
		uint64_t list = hostile_buffer(h, (uint32_t)pages, &data);

		if (!list)
			return TEEC_ERROR_OUT_OF_MEMORY;
		hostile_tmem(p, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, list, size,
			     cookie);
	}
	if (!data)
		return TEEC_ERROR_OUT_OF_MEMORY;
	p->u.tmem.size = size;
	p->u.tmem.shm_ref = cookie;
	m->num_params = 1;
	buf_add(h->payloads, cookie, data, size);
	return TEEC_SUCCESS;
}

/* The supplicant's half of TA_RPC: reverse the payload in place. */
static uint32_t serve_reverse(struct hostile *h, struct optee_msg_arg *m)
{
	const struct optee_msg_param_rmem *rm = &m->params[1].u.rmem;
	struct hostile_buf *b = buf_find(h->payloads, rm->shm_ref);
	uint8_t *tmp;
	uint32_t ret = TEEC_ERROR_BAD_PARAMETERS;

	if (m->num_params != 2 || !b || rm->offs > b->size ||
	    rm->size > b->size - rm->offs)
		return ret;
	tmp = malloc(rm->size ? rm->size : 1);
	if (tmp && guest_io(h, b->ipa + rm->offs, tmp, rm->size, false)) {
		for (uint64_t i = 0; i < rm->size / 2; i++) {
			uint8_t t = tmp[i];

			tmp[i] = tmp[rm->size - 1 - i];
			tmp[rm->size - 1 - i] = t;
		}
		if (guest_io(h, b->ipa + rm->offs, tmp, rm->size, true))
			ret = TEEC_SUCCESS;
	}
	free(tmp);
	return ret;
}

static void serve_cmd(struct hostile *h, struct optee_msg_arg *m)
{
	struct hostile_buf *b;

	oracle_guest_bytes(h->w->orc, hostile_id(h), m,
			   OPTEE_MSG_GET_ARG_SIZE(OPTEE_RPC_MAX_NUM_PARAMS),
			   "rpc message");
	switch (m->cmd) {
	case OPTEE_RPC_CMD_SHM_ALLOC:
		m->ret = serve_shm_alloc(h, m);
		break;
	case OPTEE_RPC_CMD_SHM_FREE:
		h->last_shm_free = m->params[0].u.value.b;
		b = buf_find(h->payloads, m->params[0].u.value.b);
		if (b)
			b->cookie = 0;
		m->ret = TEEC_SUCCESS;
		break;
	case TA_RPC_SUPP_CMD:
		m->ret = serve_reverse(h, m);
		break;
	default:
		m->ret = TEEC_ERROR_NOT_SUPPORTED;
		break;
	}
}

void hostile_rpc_serve(struct hostile *h, struct teemed_regs *r)
{
	uint32_t rpc = (uint32_t)r->a[0];
	uint64_t thread = (uint32_t)r->a[3];
	uint64_t cookie = 0, ipa = 0;
	struct hostile_buf *b;
	struct optee_msg_arg *m;

	switch (rpc) {
	case OPTEE_SMC_RETURN_RPC_ALLOC:
		ipa = hostile_page(h);
		cookie = ipa ? hostile_cookie(h) : 0;
		if (ipa)
			buf_add(h->rpc_args, cookie, ipa, MACHINE_PAGE_SIZE);
		break;
	case OPTEE_SMC_RETURN_RPC_FREE:
		b = buf_find(h->rpc_args, (uint64_t)(uint32_t)r->a[1] << 32 |
						  (uint32_t)r->a[2]);
		if (b)
			b->cookie = 0;
		break;
	case OPTEE_SMC_RETURN_RPC_CMD:
		m = hostile_rpc_msg(h, r);
		if (m)
			serve_cmd(h, m);
		break;
	default:
		break;
	}
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r->a[1] = ipa >> 32;
	r->a[2] = (uint32_t)ipa;
	r->a[3] = thread;
	r->a[4] = cookie >> 32;
	r->a[5] = (uint32_t)cookie;
}

void hostile_rpc_answer(struct hostile *h, struct teemed_regs *r)
{
	hostile_rpc_serve(h, r);
	hostile_smc(h, r);
}

uint32_t hostile_finish(struct hostile *h, struct teemed_regs *r)
{
	/* Bounded: a mediator that never lets go must not hang the test. */
	for (uint32_t i = 0; i < 100000 && OPTEE_SMC_RETURN_IS_RPC(r->a[0]);
	     i++)
		hostile_rpc_answer(h, r);
	return (uint32_t)r->a[0];
}

uint32_t hostile_call(struct hostile *h, uint64_t arg_ipa)
{
	struct teemed_regs r;

	hostile_call_start(h, arg_ipa, &r);
	return hostile_finish(h, &r);
}

bool hostile_until(struct hostile *h, struct teemed_regs *r, uint32_t rpc,
		   uint32_t cmd)
{
	for (uint32_t i = 0; i < 100000; i++) {
		uint32_t a0 = (uint32_t)r->a[0];

		if (a0 == rpc) {
			struct optee_msg_arg *m = hostile_rpc_msg(h, r);

			if (rpc != OPTEE_SMC_RETURN_RPC_CMD || cmd == ~0u ||
			    (m && m->cmd == cmd))
				return true;
		}
		if (!OPTEE_SMC_RETURN_IS_RPC(a0))
			return false;
		hostile_rpc_answer(h, r);
	}
	return false;
}

uint32_t hostile_open(struct hostile *h, const struct sim_uuid *uuid)
{
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_OPEN_SESSION, 2);
	struct optee_msg_arg *m = ipa ? hostile_msg(h, ipa) : NULL;

	if (!m)
		return 0;
	m->params[0].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	memcpy(m->params[0].u.octets, uuid->b, sizeof(uuid->b));
	m->params[1].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m->params[1].u.value.c = OPTEE_MSG_LOGIN_PUBLIC;
	if (hostile_call(h, ipa) != OPTEE_SMC_RETURN_OK ||
	    m->ret != TEEC_SUCCESS)
		return 0;
	return m->session;
}

/* The message's ret once the call is over, COMMUNICATION if none. */
static uint32_t call_ret(struct hostile *h, uint64_t ipa)
{
	struct optee_msg_arg *m = hostile_msg(h, ipa);

	if (hostile_call(h, ipa) != OPTEE_SMC_RETURN_OK)
		return TEEC_ERROR_COMMUNICATION;
	return m->ret;
}

uint32_t hostile_register(struct hostile *h, uint64_t cookie, uint32_t pages,
			  uint64_t *data)
{
	uint64_t list = hostile_buffer(h, pages, data);
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_REGISTER_SHM, 1);

	if (!list || !ipa)
		return TEEC_ERROR_OUT_OF_MEMORY;
	hostile_tmem(&hostile_msg(h, ipa)->params[0],
		     OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, list,
		     (uint64_t)pages * MACHINE_PAGE_SIZE, cookie);
	return call_ret(h, ipa);
}

uint32_t hostile_unregister(struct hostile *h, uint64_t cookie)
{
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	struct optee_msg_arg *m = ipa ? hostile_msg(h, ipa) : NULL;

	if (!m)
		return TEEC_ERROR_OUT_OF_MEMORY;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.shm_ref = cookie;
	return call_ret(h, ipa);
}

bool hostile_echo_ok(struct hostile *h, uint32_t session)
{
	uint64_t ipa = hostile_arg(h, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	struct optee_msg_arg *m = ipa ? hostile_msg(h, ipa) : NULL;

	if (!m || !session)
		return false;
	m->func = TA_XFORM_CMD_ECHO;
	m->session = session;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
	m->params[0].u.value.a = 41;
	m->params[0].u.value.b = 7;
	return call_ret(h, ipa) == TEEC_SUCCESS &&
	       m->params[0].u.value.a == 42 &&
	       m->params[0].u.value.b == (7u ^ 0x5a5a5a5au);
}
