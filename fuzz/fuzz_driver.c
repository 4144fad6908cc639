/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harness's guest driver (see fuzz_driver.h). Its RPC service
 * mirrors the Linux driver's (spec §9.6) closely enough for the TAs of
 * the model to run; hostile variants come from the input.
 */
#include "fuzz_driver.h"

#include <stdio.h>
#include <string.h>

#include "fuzz_msg.h"
#include "tas.h"
#include "optee_abi.h"

#define PAGE MACHINE_PAGE_SIZE
/*
 * A guest may ask a TA for billions of FOREIGN_INTRs; past this many
 * SMCs the harness walks away from the call, as a guest may, and lets
 * teardown deal with it.
 */
#define FZ_CALL_SMCS 20000u
#define SETUP_ARG_PAGE 31u
#define SETUP_LIST_PAGE 30u
#define SETUP_DATA_PAGE 28u

union rpc_msg {
	struct optee_msg_arg arg;
	uint8_t bytes[OPTEE_MSG_GET_ARG_SIZE(OPTEE_RPC_MAX_NUM_PARAMS)];
};

static const struct sim_uuid ta_uuids[FZ_TAS] = {
	TA_XFORM_UUID, TA_CHECKSUM_UUID, TA_INPLACE_UUID, TA_SLOW_UUID,
	TA_RPC_UUID,
};

static uint64_t reg_pair(uint64_t hi, uint64_t lo)
{
	return (uint64_t)(uint32_t)hi << 32 | (uint32_t)lo;
}

static void set_pair(uint64_t *hi, uint64_t *lo, uint64_t v)
{
	*hi = v >> 32;
	*lo = (uint32_t)v;
}

static struct fz_rpc_arg *rpc_find(struct fz_vm *fv, uint64_t cookie)
{
	for (uint32_t i = 0; i < FZ_RPC_ARGS; i++)
		if (fv->rpc[i].cookie == cookie && cookie)
			return &fv->rpc[i];
	return NULL;
}

static void rpc_remember(struct fz_world *w, unsigned int v, uint64_t cookie,
			 uint64_t ipa)
{
	struct fz_vm *fv = &w->vms[v];
	struct fz_rpc_arg *slot = rpc_find(fv, cookie);

	if (!cookie)
		return;
	for (uint32_t i = 0; !slot && i < FZ_RPC_ARGS; i++)
		if (!fv->rpc[i].cookie)
			slot = &fv->rpc[i];
	if (!slot)
		slot = &fv->rpc[cookie % FZ_RPC_ARGS];
	slot->cookie = cookie;
	slot->ipa = ipa;
	fz_watch(w, v, ipa);
}

static void answer_alloc(struct fz_world *w, unsigned int v, uint8_t mode,
			 struct teemed_regs *out, struct fz_in *in)
{
	struct fz_vm *fv = &w->vms[v];
	uint64_t ipa = fz_ram_ipa(FZ_RPC_FIRST + fv->rpc_next++ % FZ_RPC_PAGES);
	uint64_t cookie = fv->next_cookie++;

	switch (mode & 3u) {
	case 1: /* the guest is out of memory */
		ipa = 0;
		cookie = 0;
		break;
	case 2:
		ipa = fz_addr(w, v, fz_u8(in), FZ_RPC_FIRST, in);
		cookie = fz_cookie(w, v, in);
		break;
	case 3:
		cookie = fz_cookie(w, v, in);
		break;
	default:
		break;
	}
	if (ipa)
		rpc_remember(w, v, cookie, ipa);
	set_pair(&out->a[1], &out->a[2], ipa);
	set_pair(&out->a[4], &out->a[5], cookie);
}

/* SHM_ALLOC as Linux serves it: pages from the payload pool. */
static void shm_alloc_good(struct fz_world *w, unsigned int v,
			   struct optee_msg_arg *m)
{
	struct fz_vm *fv = &w->vms[v];
	struct optee_msg_param *p = &m->params[0];
	uint64_t type = p->u.value.a, size = p->u.value.b;
	uint64_t pages = (size + PAGE - 1) / PAGE;
	uint64_t list[PAGE / 8];

	m->ret = TEEC_ERROR_OUT_OF_MEMORY;
	if (m->num_params != 1 || !size || pages > FZ_PAYLOAD_PAGES)
		return;
	memset(&p->u, 0, sizeof(p->u));
	if (type == OPTEE_RPC_SHM_TYPE_KERNEL && pages == 1) {
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
		p->u.tmem.buf_ptr = fz_ram_ipa(
			FZ_PAYLOAD_FIRST + fv->payload_next++ % FZ_PAYLOAD_PAGES);
	} else {
		memset(list, 0, sizeof(list));
		for (uint64_t i = 0; i < pages; i++)
			list[i] = fz_ram_ipa(FZ_PAYLOAD_FIRST +
					     fv->payload_next++ %
						     FZ_PAYLOAD_PAGES);
		fz_guest_write(w, v, fz_ram_ipa(FZ_PAYLOAD_LIST), list,
			       sizeof(list));
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
			  OPTEE_MSG_ATTR_NONCONTIG;
		p->u.tmem.buf_ptr = fz_ram_ipa(FZ_PAYLOAD_LIST);
	}
	p->u.tmem.size = size;
	p->u.tmem.shm_ref = fv->next_cookie++;
	m->ret = TEEC_SUCCESS;
}

static void serve_good(struct fz_world *w, unsigned int v,
		       struct optee_msg_arg *m)
{
	switch (m->cmd) {
	case OPTEE_RPC_CMD_SHM_ALLOC:
		shm_alloc_good(w, v, m);
		break;
	case OPTEE_RPC_CMD_SHM_FREE:
		m->ret = TEEC_SUCCESS;
		break;
	case OPTEE_RPC_CMD_GET_TIME:
		m->params[0].u.value.a = 1;
		m->params[0].u.value.b = 2;
		m->ret = TEEC_SUCCESS;
		break;
	case TA_RPC_SUPP_CMD:
		/* The reversal itself is the TA's business, not ours. */
		m->ret = TEEC_SUCCESS;
		break;
	default:
		m->ret = TEEC_ERROR_NOT_SUPPORTED;
		break;
	}
}

static void serve_hostile(struct fz_world *w, unsigned int v, uint8_t mode,
			  struct optee_msg_arg *m, struct fz_in *in)
{
	struct optee_msg_param *p = &m->params[0];
	uint8_t sel;

	switch (mode & 3u) {
	case 0:
	case 1: /* an SHM_ALLOC answer of the input's making */
		sel = fz_u8(in);
		p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
		if (sel & 1u)
			p->attr |= OPTEE_MSG_ATTR_NONCONTIG;
		if (sel & 2u)
			p->attr = fz_u8(in);
		if (sel & 4u) {
			p->u.tmem.buf_ptr = fz_list(w, v, in, &p->u.tmem.size);
		} else {
			p->u.tmem.buf_ptr =
				fz_addr(w, v, fz_u8(in), FZ_PAYLOAD_FIRST, in);
			p->u.tmem.size = fz_u32(in);
		}
		p->u.tmem.shm_ref = fz_cookie(w, v, in);
		m->num_params = sel & 8u ? fz_u8(in) : 1u;
		m->ret = sel & 0x10u ? fz_u32(in) : TEEC_SUCCESS;
		break;
	case 2: /* answers with numbers of the input's choosing */
		m->ret = fz_u32(in);
		for (uint32_t i = 0; i < OPTEE_RPC_MAX_NUM_PARAMS; i++) {
			m->params[i].u.value.a = fz_u32(in);
			m->params[i].u.value.b = fz_u32(in);
		}
		if (fz_u8(in) & 1u)
			m->num_params = fz_u8(in);
		break;
	default: /* leave OP-TEE's request as it is: unanswered */
		break;
	}
}

static void answer_cmd(struct fz_world *w, unsigned int v, uint8_t mode,
		       uint64_t cookie, struct fz_in *in)
{
	struct fz_rpc_arg *a = rpc_find(&w->vms[v], cookie);
	uint64_t ipa = a ? a->ipa : 0;
	union rpc_msg m;
	uint8_t *page;

	/* Cookie 0: the RPC area after the argument (RPC-argument calls). */
	if (!cookie)
		ipa = w->vms[v].area_ipa;
	if (!ipa)
		return;
	page = fz_guest_ptr(w, v, ipa - ipa % PAGE);
	if (!page || ipa % PAGE > PAGE - sizeof(m))
		return;
	memcpy(&m, page + ipa % PAGE, sizeof(m));
	if (mode)
		serve_hostile(w, v, mode, &m.arg, in);
	else if (m.arg.num_params <= OPTEE_RPC_MAX_NUM_PARAMS)
		serve_good(w, v, &m.arg);
	fz_guest_write(w, v, ipa, &m, sizeof(m));
}

void fz_driver_arg_kind(struct fz_world *w, unsigned int v, uint8_t kind,
			uint64_t arg_ipa, struct teemed_regs *regs,
			struct fz_in *in)
{
	struct optee_msg_arg hdr;
	uint8_t bytes[OPTEE_MSG_GET_ARG_SIZE(FZ_MSG_PARAMS)];
	const uint8_t *page = fz_guest_ptr(w, v, arg_ipa - arg_ipa % PAGE);
	uint64_t cookie, off;

	switch (kind % 3u) {
	case 1:
		regs->a[0] = OPTEE_SMC_CALL_WITH_RPC_ARG;
		memcpy(&hdr, page ? page : bytes, sizeof(hdr));
		w->vms[v].area_ipa =
			page && hdr.num_params <= FZ_MSG_PARAMS
				? arg_ipa + OPTEE_MSG_GET_ARG_SIZE(
						    hdr.num_params)
				: 0;
		return;
	case 2:
		cookie = fz_cookie(w, v, in);
		off = fz_u16(in) % (2 * PAGE + 64);
		/* The message goes into the registered buffer at `off`. */
		if (page && arg_ipa % PAGE <= PAGE - sizeof(bytes) &&
		    off <= 2 * PAGE - sizeof(bytes)) {
			memcpy(bytes, page + arg_ipa % PAGE, sizeof(bytes));
			fz_guest_write(w, v, fz_ram_ipa(SETUP_DATA_PAGE) + off,
				       bytes, sizeof(bytes));
			memcpy(&hdr, bytes, sizeof(hdr));
			w->vms[v].area_ipa =
				hdr.num_params <= FZ_MSG_PARAMS
					? fz_ram_ipa(SETUP_DATA_PAGE) + off +
						  OPTEE_MSG_GET_ARG_SIZE(
							  hdr.num_params)
					: 0;
		}
		regs->a[0] = OPTEE_SMC_CALL_WITH_REGD_ARG;
		regs->a[1] = cookie >> 32;
		regs->a[2] = (uint32_t)cookie;
		regs->a[3] = off;
		return;
	default:
		return;
	}
}

void fz_driver_answer(struct fz_world *w, unsigned int v,
		      struct teemed_regs *regs, struct fz_in *in)
{
	uint32_t a0 = (uint32_t)regs->a[0];
	uint64_t cookie = reg_pair(regs->a[1], regs->a[2]);
	struct teemed_regs out = {{0}};
	struct fz_rpc_arg *a;
	uint8_t mode = fz_u8(in);

	out.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	out.a[3] = (uint32_t)regs->a[3];
	switch (a0) {
	case OPTEE_SMC_RETURN_RPC_ALLOC:
		answer_alloc(w, v, mode, &out, in);
		break;
	case OPTEE_SMC_RETURN_RPC_FREE:
		a = rpc_find(&w->vms[v], cookie);
		if (a)
			a->cookie = 0;
		break;
	case OPTEE_SMC_RETURN_RPC_CMD:
		answer_cmd(w, v, mode, cookie, in);
		break;
	default: /* FOREIGN_INTR: just resume */
		break;
	}
	*regs = out;
}

/* With TEEMED_FUZZ_TRACE: what the finished call's message says. */
static void trace_result(struct fz_world *w, unsigned int v, uint64_t arg,
			 uint32_t a0)
{
	const uint8_t *page = fz_guest_ptr(w, v, arg - arg % PAGE);
	struct optee_msg_arg m;

	if (!w->trace || !page || arg % PAGE > PAGE - sizeof(m))
		return;
	memcpy(&m, page + arg % PAGE, sizeof(m));
	fprintf(stderr, "vm %u: call ends 0x%x: cmd %u ret 0x%x origin %u\n",
		v, a0, m.cmd, m.ret, m.ret_origin);
}

uint32_t fz_driver_call(struct fz_world *w, unsigned int v,
			struct teemed_regs *regs, struct fz_in *in)
{
	uint64_t arg = reg_pair(regs->a[1], regs->a[2]);
	uint32_t a0 = fz_smc(w, v, regs);

	for (uint32_t n = 0; OPTEE_SMC_RETURN_IS_RPC(a0) && n < FZ_CALL_SMCS;
	     n++) {
		fz_driver_answer(w, v, regs, in);
		a0 = fz_smc(w, v, regs);
	}
	trace_result(w, v, arg, a0);
	return a0;
}

static void call_arg(struct fz_world *w, unsigned int v,
		     const union rpc_msg *m, union rpc_msg *answer)
{
	uint64_t ipa = fz_ram_ipa(SETUP_ARG_PAGE);
	struct fz_in none = {NULL, 0};
	struct teemed_regs r = {{OPTEE_SMC_CALL_WITH_ARG}};

	fz_guest_write(w, v, ipa, m, sizeof(*m));
	set_pair(&r.a[1], &r.a[2], ipa);
	if (fz_driver_call(w, v, &r, &none) != OPTEE_SMC_RETURN_OK)
		fz_fail("vm %u: setup call refused", v);
	memcpy(answer, fz_guest_ptr(w, v, ipa), sizeof(*answer));
	if (answer->arg.ret != TEEC_SUCCESS)
		fz_fail("vm %u: setup command %u fails: 0x%x", v, m->arg.cmd,
			answer->arg.ret);
}

void fz_driver_setup(struct fz_world *w, unsigned int v)
{
	union rpc_msg m, answer;
	uint64_t list[PAGE / 8];

	for (uint32_t ta = 0; ta < FZ_TAS; ta++) {
		memset(&m, 0, sizeof(m));
		m.arg.cmd = OPTEE_MSG_CMD_OPEN_SESSION;
		m.arg.num_params = 2;
		m.arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT |
				       OPTEE_MSG_ATTR_META;
		memcpy(m.arg.params[0].u.octets, ta_uuids[ta].b, 16);
		m.arg.params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT |
				       OPTEE_MSG_ATTR_META;
		m.arg.params[1].u.value.c = OPTEE_MSG_LOGIN_REE_KERNEL;
		call_arg(w, v, &m, &answer);
		w->vms[v].sessions[ta] = answer.arg.session;
	}
	memset(list, 0, sizeof(list));
	list[0] = fz_ram_ipa(SETUP_DATA_PAGE);
	list[1] = fz_ram_ipa(SETUP_DATA_PAGE + 1);
	fz_guest_write(w, v, fz_ram_ipa(SETUP_LIST_PAGE), list, sizeof(list));
	memset(&m, 0, sizeof(m));
	m.arg.cmd = OPTEE_MSG_CMD_REGISTER_SHM;
	m.arg.num_params = 1;
	m.arg.params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
	m.arg.params[0].u.tmem.buf_ptr = fz_ram_ipa(SETUP_LIST_PAGE);
	m.arg.params[0].u.tmem.size = 2 * PAGE;
	m.arg.params[0].u.tmem.shm_ref = FZ_COOKIE_REG(v);
	call_arg(w, v, &m, &answer);
}
