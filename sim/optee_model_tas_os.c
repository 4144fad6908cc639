/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trusted applications of OP-TEE itself that a real Linux guest meets:
 *
 * - the device-enumeration pseudo TA (OP-TEE's core/pta/device.c), which
 *   Linux's driver asks for the TAs to put on its TEE bus when it probes
 *   (PTA_CMD_GET_DEVICES) and once tee-supplicant runs
 *   (PTA_CMD_GET_DEVICES_SUPP), answered as OP-TEE answers them;
 * - a storage TA that keeps objects in the normal world's file system
 *   through tee-supplicant, with the RPC sequence of OP-TEE's REE FS
 *   (core/tee/tee_fs_rpc.c): an APPL payload from SHM_ALLOC, the file
 *   name in it, OPTEE_RPC_CMD_FS CREATE/OPEN, WRITE/READ, CLOSE, REMOVE,
 *   and SHM_FREE. Unlike OP-TEE it stores the bytes as they are (no
 *   encryption, no hash tree), so a test can check the file itself.
 */
#include <string.h>

#include "optee_model_private.h"

#define TEE_PARAM_NONE	      0u
#define TEE_ERROR_EXCESS_DATA 0xFFFF0004u
/* OPTEE_RPC_CMD_FS operations (OP-TEE's optee_rpc_cmd.h) */
#define OPTEE_RPC_FS_OPEN   0u
#define OPTEE_RPC_FS_CREATE 1u
#define OPTEE_RPC_FS_CLOSE  2u
#define OPTEE_RPC_FS_READ   3u
#define OPTEE_RPC_FS_WRITE  4u
#define OPTEE_RPC_FS_REMOVE 6u
#define FS_NAME_MAX	    350u /* OP-TEE's TEE_FS_NAME_MAX: the name memref */
#define FS_CHUNK	    512u

static enum model_ta_status finish(struct model_ta_exec *x, uint32_t ret)
{
	x->ret = ret;
	x->origin = TEEC_ORIGIN_TRUSTED_APP;
	return MODEL_TA_DONE;
}

/*
 * get_devices(): (MEMREF_OUTPUT, NONE, NONE, NONE); the UUIDs in octets,
 * SHORT_BUFFER with the size needed when they do not fit. The model's
 * "device" TAs: the transform TA before tee-supplicant runs (as if
 * flagged TA_FLAG_DEVICE_ENUM), the storage TA once it does
 * (TA_FLAG_DEVICE_ENUM_TEE_STORAGE_PRIVATE: it needs the REE FS).
 */
enum model_ta_status optee_model_pta_device(struct model_ctx *c,
					    struct model_ta_exec *x)
{
	static const struct sim_uuid enum_ta = TA_XFORM_UUID;
	static const struct sim_uuid supp_ta = TA_STORAGE_UUID;
	struct model_param *out = &x->params[0];
	const struct sim_uuid *list = NULL;
	uint64_t need;

	switch (x->func) {
	case PTA_DEVICE_CMD_GET_DEVICES:
		list = &enum_ta;
		break;
	case PTA_DEVICE_CMD_GET_DEVICES_SUPP:
		list = &supp_ta;
		break;
	case PTA_DEVICE_CMD_GET_DEVICES_RPMB:
		break;
	default:
		return finish(x, TEEC_ERROR_NOT_IMPLEMENTED);
	}
	if (out->type != MODEL_PT_MEM_OUT ||
	    x->params[1].type != TEE_PARAM_NONE ||
	    x->params[2].type != TEE_PARAM_NONE ||
	    x->params[3].type != TEE_PARAM_NONE)
		return finish(x, TEEC_ERROR_BAD_PARAMETERS);
	need = list ? sizeof(list->b) : 0;
	if (out->size < need) {
		out->size = need;
		return finish(x, TEEC_ERROR_SHORT_BUFFER);
	}
	if (need && !optee_model_ta_write(c, out, 0, list->b, need)) {
		x->ret = MODEL_TEE_ERROR_TARGET_DEAD;
		x->origin = TEEC_ORIGIN_TEE;
		return MODEL_TA_DONE;
	}
	out->size = need;
	return finish(x, TEEC_SUCCESS);
}

/* ------------------------------------------------------------------ */
/* The storage TA                                                      */

enum fs_step {
	FS_START,
	FS_ALLOCATED, /* SHM_ALLOC answered: the payload */
	FS_OPENED,    /* CREATE or OPEN answered: value[2].a = fd */
	FS_MOVED,     /* WRITE or READ answered */
	FS_CLOSED,
	FS_REMOVED,
	FS_FREED,
};

static struct model_param payload(const struct model_ta_exec *x, uint32_t type,
				  uint64_t size)
{
	struct model_param p = {.type = type, .obj = x->payload, .size = size};

	return p;
}

static enum model_ta_status fs_free(struct model_ta_exec *x, uint32_t ret)
{
	struct model_obj *obj = x->payload;

	x->payload = NULL;
	x->saved_ret = ret;
	x->step = FS_FREED;
	return model_req_shm_free(x, OPTEE_RPC_SHM_TYPE_APPL, obj);
}

/* OPTEE_RPC_CMD_FS with value[0] = {op, b, c} and up to two more. */
static struct model_rpc_req *fs_req(struct model_ta_exec *x, uint32_t op,
				    uint64_t b, uint64_t c, uint32_t n)
{
	struct model_rpc_req *rq = x->req;

	model_req_cmd(x, OPTEE_RPC_CMD_FS, n);
	rq->params[0].type = MODEL_PT_VALUE_IN;
	rq->params[0].a = op;
	rq->params[0].b = b;
	rq->params[0].c = c;
	return rq;
}

/* "/teemed-<id>.obj", zero-padded to the name memref's size. */
static bool put_name(struct model_ctx *c, struct model_ta_exec *x)
{
	static const char hex[] = "0123456789abcdef";
	char name[FS_NAME_MAX];
	struct model_param p = payload(x, MODEL_PT_MEM_INOUT, FS_NAME_MAX);
	uint32_t id = x->count;
	size_t n = 0;

	memset(name, 0, sizeof(name));
	memcpy(name, "/teemed-", 8);
	n = 8;
	for (int i = 7; i >= 0; i--)
		name[n++] = hex[(id >> (4 * i)) & 0xf];
	memcpy(name + n, ".obj", 4);
	return optee_model_ta_write(c, &p, 0, name, sizeof(name));
}

static enum model_ta_status fs_open(struct model_ctx *c,
				    struct model_ta_exec *x)
{
	uint32_t op = x->func == TA_STORAGE_CMD_WRITE  ? OPTEE_RPC_FS_CREATE
		      : x->func == TA_STORAGE_CMD_READ ? OPTEE_RPC_FS_OPEN
						       : OPTEE_RPC_FS_REMOVE;
	struct model_rpc_req *rq;

	if (!put_name(c, x))
		return fs_free(x, MODEL_TEE_ERROR_TARGET_DEAD);
	rq = fs_req(x, op, 0, 0, op == OPTEE_RPC_FS_REMOVE ? 2 : 3);
	rq->params[1] = payload(x, MODEL_PT_MEM_IN, FS_NAME_MAX);
	rq->params[2].type = MODEL_PT_VALUE_OUT;
	x->step = op == OPTEE_RPC_FS_REMOVE ? FS_REMOVED : FS_OPENED;
	return MODEL_TA_RPC;
}

/* Copies between the TA's memref and the payload, both ways. */
static bool fs_copy(struct model_ctx *c, const struct model_param *from,
		    const struct model_param *to, uint64_t n)
{
	uint8_t buf[FS_CHUNK];

	for (uint64_t off = 0; off < n; off += FS_CHUNK) {
		uint64_t len = n - off < FS_CHUNK ? n - off : FS_CHUNK;

		if (!optee_model_ta_read(c, from, off, buf, len) ||
		    !optee_model_ta_write(c, to, off, buf, len))
			return false;
	}
	return true;
}

static enum model_ta_status fs_move(struct model_ctx *c,
				    struct model_ta_exec *x)
{
	struct model_rpc_req *rq = x->req;
	struct model_param data = x->params[0];
	bool write = x->func == TA_STORAGE_CMD_WRITE;
	struct model_param pl = payload(x, MODEL_PT_MEM_INOUT, x->len);

	if (rq->ret)
		return fs_free(x, rq->ret);
	x->saved_ret = (uint32_t)rq->params[2].a; /* the fd */
	if (write && !fs_copy(c, &data, &pl, x->len))
		return fs_free(x, MODEL_TEE_ERROR_TARGET_DEAD);
	rq = fs_req(x, write ? OPTEE_RPC_FS_WRITE : OPTEE_RPC_FS_READ,
		    x->saved_ret, 0, 2);
	rq->params[1] =
		payload(x, write ? MODEL_PT_MEM_IN : MODEL_PT_MEM_OUT, x->len);
	x->step = FS_MOVED;
	return MODEL_TA_RPC;
}

static enum model_ta_status fs_close(struct model_ctx *c,
				     struct model_ta_exec *x)
{
	struct model_rpc_req *rq = x->req;
	uint32_t fd = x->saved_ret, ret = rq->ret;

	if (!ret && x->func == TA_STORAGE_CMD_READ) {
		uint64_t got = rq->params[1].size;
		struct model_param pl = payload(x, MODEL_PT_MEM_INOUT, got);

		if (got > x->len)
			ret = TEEC_ERROR_BAD_FORMAT;
		else if (!fs_copy(c, &pl, &x->params[0], got))
			ret = MODEL_TEE_ERROR_TARGET_DEAD;
		else
			x->params[0].size = got;
	}
	x->len = ret; /* the result, kept while the file is closed */
	fs_req(x, OPTEE_RPC_FS_CLOSE, fd, 0, 1);
	x->step = FS_CLOSED;
	return MODEL_TA_RPC;
}

static enum model_ta_status fs_start(struct model_ta_exec *x)
{
	struct model_param *data = &x->params[0];
	uint64_t size;

	switch (x->func) {
	case TA_STORAGE_CMD_WRITE:
		if (data->type != MODEL_PT_MEM_IN)
			return finish(x, TEEC_ERROR_BAD_PARAMETERS);
		break;
	case TA_STORAGE_CMD_READ:
		if (data->type != MODEL_PT_MEM_OUT)
			return finish(x, TEEC_ERROR_BAD_PARAMETERS);
		break;
	case TA_STORAGE_CMD_REMOVE:
		if (data->type != TEE_PARAM_NONE)
			return finish(x, TEEC_ERROR_BAD_PARAMETERS);
		break;
	default:
		return finish(x, TEEC_ERROR_NOT_SUPPORTED);
	}
	if (x->params[1].type != MODEL_PT_VALUE_IN)
		return finish(x, TEEC_ERROR_BAD_PARAMETERS);
	x->count = (uint32_t)x->params[1].a; /* the object's id */
	x->len = data->type ? data->size : 0;
	if (x->len > TA_STORAGE_MAX_SIZE)
		return finish(x, TEE_ERROR_EXCESS_DATA);
	/* One payload for the name and the data, as OP-TEE's FS cache. */
	size = x->len > FS_NAME_MAX ? x->len : FS_NAME_MAX;
	x->step = FS_ALLOCATED;
	return model_req_shm_alloc(x, OPTEE_RPC_SHM_TYPE_APPL, size);
}

enum model_ta_status optee_model_ta_storage(struct model_ctx *c,
					    struct model_ta_exec *x)
{
	struct model_rpc_req *rq = x->req;

	switch (x->step) {
	case FS_START:
		return fs_start(x);
	case FS_ALLOCATED:
		x->payload = rq->shm;
		if (!x->payload)
			return finish(x, TEEC_ERROR_OUT_OF_MEMORY);
		return fs_open(c, x);
	case FS_OPENED:
		return fs_move(c, x);
	case FS_MOVED:
		return fs_close(c, x);
	case FS_CLOSED:
		/* A failed close after a good transfer still fails. */
		return fs_free(x, x->len ? (uint32_t)x->len : rq->ret);
	case FS_REMOVED:
		return fs_free(x, rq->ret);
	default:
		if (x->saved_ret == MODEL_TEE_ERROR_TARGET_DEAD) {
			x->ret = MODEL_TEE_ERROR_TARGET_DEAD;
			x->origin = TEEC_ORIGIN_TEE;
			return MODEL_TA_DONE;
		}
		return finish(x, x->saved_ret);
	}
}
