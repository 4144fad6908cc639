/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The built-in TAs of sim/tas.h. Each invoke entry is a step function:
 * it runs until it is done or needs the normal world, in which case it
 * posts one RPC request and is called again, at x->step, once the
 * request is answered. Every byte of a memref is read or written
 * through optee_model_ta_read/write, so the oracle sees the page at the
 * moment the TA touches it.
 *
 * As in OP-TEE, value parameters reach a TA as 32-bit numbers.
 */
#include <string.h>

#include "optee_model_private.h"

#define TA_CHUNK 512u

static enum model_ta_status done(struct model_ta_exec *x, uint32_t ret)
{
	x->ret = ret;
	x->origin = TEEC_ORIGIN_TRUSTED_APP;
	return MODEL_TA_DONE;
}

/* A TA touching memory it may not: a data abort kills it. */
static enum model_ta_status fault(struct model_ta_exec *x)
{
	x->ret = MODEL_TEE_ERROR_TARGET_DEAD;
	x->origin = TEEC_ORIGIN_TEE;
	return MODEL_TA_DONE;
}

static bool mem_readable(const struct model_param *p)
{
	return p->type == MODEL_PT_MEM_IN || p->type == MODEL_PT_MEM_INOUT;
}

static bool mem_writable(const struct model_param *p)
{
	return p->type == MODEL_PT_MEM_OUT || p->type == MODEL_PT_MEM_INOUT;
}

static bool value_readable(const struct model_param *p)
{
	return p->type == MODEL_PT_VALUE_IN || p->type == MODEL_PT_VALUE_INOUT;
}

static bool value_writable(const struct model_param *p)
{
	return p->type == MODEL_PT_VALUE_OUT || p->type == MODEL_PT_VALUE_INOUT;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Copies `n` bytes from one memref to another, chunk by chunk. */
static bool copy_mem(struct model_ctx *c, const struct model_param *from,
		     const struct model_param *to, uint64_t n)
{
	uint8_t buf[TA_CHUNK];

	for (uint64_t off = 0; off < n; off += TA_CHUNK) {
		uint64_t len = min_u64(TA_CHUNK, n - off);

		if (!optee_model_ta_read(c, from, off, buf, len) ||
		    !optee_model_ta_write(c, to, off, buf, len))
			return false;
	}
	return true;
}

static enum model_ta_status xform_xor(struct model_ctx *c,
				      struct model_ta_exec *x)
{
	struct model_param *in = &x->params[0], *out = &x->params[1];
	uint64_t key = (uint32_t)x->params[2].a;
	uint64_t n = in->size;
	uint8_t buf[TA_CHUNK];

	if (!mem_readable(in) || !mem_writable(out) ||
	    !value_readable(&x->params[2]))
		return done(x, TEEC_ERROR_BAD_PARAMETERS);
	if (out->size < n) {
		out->size = n;
		return done(x, TEEC_ERROR_SHORT_BUFFER);
	}
	for (uint64_t off = 0; off < n; off += TA_CHUNK) {
		uint64_t len = min_u64(TA_CHUNK, n - off);

		if (!optee_model_ta_read(c, in, off, buf, len))
			return fault(x);
		for (uint64_t i = 0; i < len; i++)
			buf[i] ^= (uint8_t)(key >> (8 * ((off + i) % 8)));
		if (!optee_model_ta_write(c, out, off, buf, len))
			return fault(x);
	}
	out->size = n;
	return done(x, TEEC_SUCCESS);
}

static enum model_ta_status ta_xform(struct model_ctx *c,
				     struct model_ta_exec *x)
{
	struct model_param *v = &x->params[0];

	switch (x->func) {
	case TA_XFORM_CMD_XOR:
		return xform_xor(c, x);
	case TA_XFORM_CMD_NOTIFY:
		if (v->type != MODEL_PT_VALUE_IN ||
		    !optee_model_notif_send(c->sw, c->part, (uint32_t)v->a))
			return done(x, TEEC_ERROR_BAD_PARAMETERS);
		return done(x, TEEC_SUCCESS);
	case TA_XFORM_CMD_ECHO:
		if (v->type != MODEL_PT_VALUE_INOUT)
			return done(x, TEEC_ERROR_BAD_PARAMETERS);
		v->a = (uint32_t)(v->a + 1);
		v->b = (uint32_t)(v->b ^ 0x5a5a5a5au);
		return done(x, TEEC_SUCCESS);
	default:
		return done(x, TEEC_ERROR_NOT_SUPPORTED);
	}
}

static enum model_ta_status ta_checksum(struct model_ctx *c,
					struct model_ta_exec *x)
{
	struct model_param *in = &x->params[0], *res = &x->params[1];
	uint64_t h = 0xcbf29ce484222325ull;
	uint8_t buf[TA_CHUNK];

	if (x->func != TA_CHECKSUM_CMD_FNV)
		return done(x, TEEC_ERROR_NOT_SUPPORTED);
	if (!mem_readable(in) || !value_writable(res))
		return done(x, TEEC_ERROR_BAD_PARAMETERS);
	for (uint64_t off = 0; off < in->size; off += TA_CHUNK) {
		uint64_t len = min_u64(TA_CHUNK, in->size - off);

		if (!optee_model_ta_read(c, in, off, buf, len))
			return fault(x);
		for (uint64_t i = 0; i < len; i++) {
			h ^= buf[i];
			h *= 0x100000001b3ull;
		}
	}
	res->a = (uint32_t)h;
	res->b = (uint32_t)in->size;
	return done(x, TEEC_SUCCESS);
}

static enum model_ta_status ta_inplace(struct model_ctx *c,
				       struct model_ta_exec *x)
{
	struct model_param *m = &x->params[0];
	uint8_t delta = (uint8_t)x->params[1].a;
	uint8_t buf[TA_CHUNK];

	if (x->func != TA_INPLACE_CMD_ADD)
		return done(x, TEEC_ERROR_NOT_SUPPORTED);
	if (m->type != MODEL_PT_MEM_INOUT || !value_readable(&x->params[1]))
		return done(x, TEEC_ERROR_BAD_PARAMETERS);
	for (uint64_t off = 0; off < m->size; off += TA_CHUNK) {
		uint64_t len = min_u64(TA_CHUNK, m->size - off);

		if (!optee_model_ta_read(c, m, off, buf, len))
			return fault(x);
		for (uint64_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(buf[i] + delta);
		if (!optee_model_ta_write(c, m, off, buf, len))
			return fault(x);
	}
	return done(x, TEEC_SUCCESS);
}

static enum model_ta_status ta_slow(struct model_ctx *c,
				    struct model_ta_exec *x)
{
	struct model_param *v = &x->params[0];

	(void)c;
	if (x->step == 0) {
		if (x->func != TA_SLOW_CMD_SPIN)
			return done(x, TEEC_ERROR_NOT_SUPPORTED);
		if (v->type != MODEL_PT_VALUE_INOUT)
			return done(x, TEEC_ERROR_BAD_PARAMETERS);
		x->len = (uint32_t)v->a;
		x->count = 0;
		x->step = 1;
	}
	/* Each round is "interrupted" by the normal world's timer. */
	if (x->count < x->len) {
		x->count++;
		return model_req_intr(x);
	}
	v->b = (uint32_t)(v->a * 2 + 1);
	return done(x, TEEC_SUCCESS);
}

enum rpc_step {
	RPC_STEP_START,
	RPC_STEP_ALLOCATED,
	RPC_STEP_REVERSED,
	RPC_STEP_FREED,
};

static enum model_ta_status rpc_start(struct model_ta_exec *x)
{
	struct model_param *in = &x->params[0], *out = &x->params[2];
	uint32_t type = (uint32_t)x->params[1].b;

	if (x->func != TA_RPC_CMD_REVERSE)
		return done(x, TEEC_ERROR_NOT_SUPPORTED);
	if (!mem_readable(in) || !value_readable(&x->params[1]) ||
	    !mem_writable(out) ||
	    (type != OPTEE_RPC_SHM_TYPE_APPL &&
	     type != OPTEE_RPC_SHM_TYPE_KERNEL))
		return done(x, TEEC_ERROR_BAD_PARAMETERS);
	if (out->size < in->size) {
		out->size = in->size;
		return done(x, TEEC_ERROR_SHORT_BUFFER);
	}
	if (!in->size) {
		out->size = 0;
		return done(x, TEEC_SUCCESS);
	}
	/* Kernel payloads are single pages (no NONCONTIG), as in OP-TEE. */
	if (type == OPTEE_RPC_SHM_TYPE_KERNEL && in->size > MODEL_PAGE_SIZE)
		return done(x, TEEC_ERROR_OUT_OF_MEMORY);
	x->len = in->size;
	x->step = RPC_STEP_ALLOCATED;
	return model_req_shm_alloc(x, type, x->len);
}

static enum model_ta_status rpc_free_payload(struct model_ta_exec *x,
					     uint32_t ret)
{
	struct model_obj *obj = x->payload;

	x->payload = NULL;
	x->saved_ret = ret;
	x->step = RPC_STEP_FREED;
	return model_req_shm_free(x, (uint32_t)x->params[1].b, obj);
}

static enum model_ta_status ta_rpc(struct model_ctx *c, struct model_ta_exec *x)
{
	struct model_rpc_req *rq = x->req;
	struct model_param payload = {
		.type = MODEL_PT_MEM_INOUT,
		.obj = x->payload,
		.size = x->len,
	};

	switch (x->step) {
	case RPC_STEP_START:
		return rpc_start(x);
	case RPC_STEP_ALLOCATED:
		x->payload = rq->shm;
		if (!x->payload)
			return done(x, TEEC_ERROR_OUT_OF_MEMORY);
		payload.obj = x->payload;
		if (!copy_mem(c, &x->params[0], &payload, x->len))
			return rpc_free_payload(x, MODEL_TEE_ERROR_TARGET_DEAD);
		x->step = RPC_STEP_REVERSED;
		model_req_cmd(x, TA_RPC_SUPP_CMD, 2);
		rq->params[0].type = MODEL_PT_VALUE_IN;
		rq->params[0].a = TA_RPC_SUPP_REVERSE;
		rq->params[1] = payload;
		return MODEL_TA_RPC;
	case RPC_STEP_REVERSED:
		if (rq->ret)
			return rpc_free_payload(x, rq->ret);
		if (!copy_mem(c, &payload, &x->params[2], x->len))
			return rpc_free_payload(x, MODEL_TEE_ERROR_TARGET_DEAD);
		x->params[2].size = x->len;
		return rpc_free_payload(x, TEEC_SUCCESS);
	default:
		if (x->saved_ret == MODEL_TEE_ERROR_TARGET_DEAD)
			return fault(x);
		return done(x, x->saved_ret);
	}
}

static const struct model_ta tas[] = {
	{.uuid = TA_XFORM_UUID, .invoke = ta_xform},
	{.uuid = TA_CHECKSUM_UUID, .invoke = ta_checksum},
	{.uuid = TA_INPLACE_UUID, .invoke = ta_inplace},
	{.uuid = TA_SLOW_UUID, .invoke = ta_slow},
	{.uuid = TA_RPC_UUID, .invoke = ta_rpc},
	{.uuid = TA_STORAGE_UUID, .invoke = optee_model_ta_storage},
	{.uuid = PTA_DEVICE_UUID, .invoke = optee_model_pta_device},
};

const struct model_ta *optee_model_ta_find(const uint8_t uuid[16])
{
	for (size_t i = 0; i < sizeof(tas) / sizeof(tas[0]); i++)
		if (!memcmp(tas[i].uuid.b, uuid, sizeof(tas[i].uuid.b)))
			return &tas[i];
	return NULL;
}
