/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals shared by the secure-world model's files:
 *
 *   optee_model.c      SMC entry, fast calls, partitions, the thread
 *                      engine and the RPC layer
 *   optee_model_msg.c  yielding-call commands, parameters, sessions
 *   optee_model_shm.c  memory objects, page lists, checked NW access
 *   optee_model_tas.c  the built-in TAs
 *
 * Everything here runs with the model's mutex held.
 */
#ifndef TEEMED_SIM_OPTEE_MODEL_PRIVATE_H
#define TEEMED_SIM_OPTEE_MODEL_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "optee_model.h"
#include "tas.h"
#include "optee_abi.h"

#define MODEL_PAGE_SIZE 4096u
#define MODEL_PAGE_MASK ((uint64_t)MODEL_PAGE_SIZE - 1)

/* GP result codes OP-TEE produces that optee_abi.h does not list. */
#define MODEL_TEE_ERROR_TARGET_DEAD 0xFFFF3024u

/* GlobalPlatform TEE_NUM_PARAMS: what a TA can be given. */
#define MODEL_TA_PARAMS 4u
/* Size OP-TEE asks for in RPC_ALLOC and reserves after an RPC_ARG arg. */
#define MODEL_RPC_ARG_SIZE                                                     \
	((uint64_t)OPTEE_MSG_GET_ARG_SIZE(OPTEE_RPC_MAX_NUM_PARAMS))
/*
 * OP-TEE copies a page list into a heap array; a list longer than this
 * fails that allocation (1 GiB of 4 KiB pages).
 */
#define MODEL_MAX_OBJ_PAGES (1u << 18)
/* Notification keys of threads waiting in UNREGISTER_SHM. */
#define MODEL_UNREGISTER_WAIT_KEY 0x1000u

/* Sessions one partition may hold (OP-TEE's heap is finite too). */
#define MODEL_MAX_SESSIONS 1024u

/* Parameter types as a TA sees them (GlobalPlatform numbering). */
enum model_pt {
	MODEL_PT_NONE = 0,
	MODEL_PT_VALUE_IN = 1,
	MODEL_PT_VALUE_OUT = 2,
	MODEL_PT_VALUE_INOUT = 3,
	MODEL_PT_MEM_IN = 5,
	MODEL_PT_MEM_OUT = 6,
	MODEL_PT_MEM_INOUT = 7,
};

static inline bool model_pt_is_mem(uint32_t t)
{
	return t >= MODEL_PT_MEM_IN && t <= MODEL_PT_MEM_INOUT;
}

static inline bool model_pt_is_value(uint32_t t)
{
	return t >= MODEL_PT_VALUE_IN && t <= MODEL_PT_VALUE_INOUT;
}

/* Whether the TA (or the normal world, for RPC) writes the parameter. */
static inline bool model_pt_is_out(uint32_t t)
{
	return t == MODEL_PT_VALUE_OUT || t == MODEL_PT_VALUE_INOUT ||
	       t == MODEL_PT_MEM_OUT || t == MODEL_PT_MEM_INOUT;
}

static inline bool model_pt_is_in(uint32_t t)
{
	return t == MODEL_PT_VALUE_IN || t == MODEL_PT_VALUE_INOUT ||
	       t == MODEL_PT_MEM_IN || t == MODEL_PT_MEM_INOUT;
}

/*
 * The kinds of OP-TEE's per-partition list of normal-world memory
 * objects (mobj_reg_shm). Only REGISTERED can be released by cookie; the
 * others are "guarded" and die with their owner.
 */
enum model_obj_kind {
	MODEL_OBJ_ARG,	      /* a CALL_WITH_ARG page, cookie 0, call-lived */
	MODEL_OBJ_TMEM,	      /* a NONCONTIG tmem, call-lived */
	MODEL_OBJ_REGISTERED, /* REGISTER_SHM */
	MODEL_OBJ_RPC_ARG,    /* RPC_ALLOC answer, kept per thread */
	MODEL_OBJ_PAYLOAD,    /* RPC SHM_ALLOC answer */
};

struct model_obj {
	struct model_obj *next; /* towards older objects */
	enum model_obj_kind kind;
	uint64_t cookie;
	uint64_t page_offset;
	uint64_t size; /* usable: npages * 4 KiB - page_offset */
	/*
	 * References: the owner (registration, call, thread or TA) holds
	 * one, and every call using the object by cookie holds another.
	 */
	uint32_t refs;
	/*
	 * UNREGISTER_SHM of a buffer still in use (mobj_reg_shm_release_by_
	 * cookie()): the registration's reference is dropped and the
	 * unregistering thread waits; the last user's put leaves the object
	 * for it to free (`release_frees`) instead of freeing it.
	 */
	bool releasing;
	bool release_frees;
	uint64_t npages;
	uint64_t pages[]; /* PAs, copied: the NW list is read only once */
};

/* One parameter as the core hands it to a TA or puts it in an RPC. */
struct model_param {
	uint32_t type;	       /* enum model_pt */
	uint64_t a, b, c;      /* a TA sees 32-bit a and b (GlobalPlatform) */
	struct model_obj *obj; /* memref; NULL: a NULL memref */
	uint64_t offs, size;
};

struct model_ta;

struct model_session {
	struct model_session *next;
	uint32_t id;
	const struct model_ta *ta;
	uint32_t users; /* invocations running */
	bool closed;	/* closed while in use: freed when users drops */
	bool cancelled;
};

/* What the command or TA code asks of the RPC layer. */
enum model_rq {
	MODEL_RQ_INTR,	    /* RPC_FOREIGN_INTR */
	MODEL_RQ_CMD,	    /* RPC_CMD with params */
	MODEL_RQ_SHM_ALLOC, /* RPC_CMD SHM_ALLOC, reply checked */
	MODEL_RQ_SHM_FREE,  /* RPC_CMD SHM_FREE, object dropped first */
};

struct model_rpc_req {
	enum model_rq kind;
	uint32_t cmd;
	uint32_t num_params;
	struct model_param params[OPTEE_RPC_MAX_NUM_PARAMS];
	uint32_t shm_type;
	uint64_t shm_size;
	struct model_obj *shm; /* SHM_FREE: to free; SHM_ALLOC: result */
	uint32_t ret;	       /* result of the request */
};

/* One TA invocation: the continuation a suspended thread keeps. */
struct model_ta_exec {
	uint32_t func;
	struct model_param params[MODEL_TA_PARAMS];
	struct model_session *sess;
	uint32_t step;
	uint64_t count;
	uint64_t len;
	struct model_obj *payload;
	uint32_t saved_ret;
	uint32_t ret; /* TA result when done */
	uint32_t origin;
	struct model_rpc_req *req; /* where to post an RPC request */
};

enum model_ta_status {
	MODEL_TA_DONE,
	MODEL_TA_RPC, /* *req filled; call again once it is answered */
};

struct model_ctx;

struct model_ta {
	struct sim_uuid uuid;
	enum model_ta_status (*invoke)(struct model_ctx *c,
				       struct model_ta_exec *x);
};

enum model_thr_phase {
	MODEL_PH_ENTER,	   /* map and check the argument */
	MODEL_PH_PRECLEAR, /* drop a cached RPC arg: the call brings one */
	MODEL_PH_COMMAND,  /* the command, and the TA it runs */
	MODEL_PH_ENDCLEAR, /* RPC_FREE the RPC arg after an OK call */
	MODEL_PH_EXIT,
};

/* The RPC exit a suspended thread waits on. */
enum model_wait {
	MODEL_W_NONE,
	MODEL_W_INTR,
	MODEL_W_ALLOC,	      /* RPC_ALLOC for the RPC arg */
	MODEL_W_ALLOC_FREE,   /* RPC_FREE of a refused RPC_ALLOC buffer */
	MODEL_W_CMD,	      /* RPC_CMD */
	MODEL_W_REFUSED_FREE, /* SHM_FREE of a refused SHM_ALLOC reply */
	MODEL_W_ARG_FREE,     /* RPC_FREE of the thread's RPC arg */
};

struct model_thread {
	uint32_t index;
	bool busy; /* a call owns it (it is suspended between SMCs) */
	enum model_wait wait;
	uint64_t res[4]; /* a1, a2, a4, a5 of RETURN_FROM_RPC */
	/* RPC arg from RPC_ALLOC; outlives calls when the cache is on. */
	struct model_obj *rpc_obj;

	/* The call. */
	uint32_t fn;
	uint64_t a1, a2, a3;
	enum model_thr_phase phase;
	uint32_t result;	   /* a0 of the final return */
	struct model_obj *arg_obj; /* holds a reference */
	uint64_t arg_off;
	bool call_rpc_arg; /* RPC arg follows the arg (RPC_ARG/REGD_ARG) */
	uint64_t rpc_off;
	uint32_t cmd, func, num_params, session;
	uint32_t cmd_step;
	uint32_t ta_nparams; /* parameters after the meta ones */
	uint32_t meta;
	struct model_ta_exec ta;
	struct model_rpc_req req;
	bool req_pending;
	struct model_obj *releasing; /* UNREGISTER_SHM waiting on it */
};

struct model_part {
	bool used;
	uint16_t id;
	uint64_t seq; /* creation order: duplicates resolve to the newest */
	bool cache_on;
	struct model_thread *threads;
	struct model_obj *objs; /* newest first */
	struct model_session *sessions;
	uint32_t session_seq;
	uint32_t nsessions;
	/* notif.c / notif_default.c: per-partition since 4.3. */
	bool notif_started;	/* ENABLE_ASYNC_NOTIF, until STOP */
	uint64_t notif_values;	/* pending asynchronous values 0..63 */
	uint64_t bottom_halves; /* DO_BOTTOM_HALF served while started */
};

struct optee_model {
	pthread_mutex_t mu;
	struct machine *m;
	struct oracle *o;
	struct optee_model_config cfg;
	uint32_t nparts;
	struct model_part *parts;
	uint64_t part_seq;
	uint16_t client; /* a7 of the SMC being served, for the oracle */
	struct optee_model_stats st;
	/* CFG_CORE_ASYNC_NOTIF_GIC_INTID raised, not yet taken. */
	bool irq_raised;
};

/* What code running inside a thread needs. */
struct model_ctx {
	struct optee_model *sw;
	struct model_part *part;
	struct model_thread *t;
};

/* optee_model_shm.c */
struct model_obj *optee_model_obj_find(struct model_part *part,
				       uint64_t cookie);
void optee_model_obj_put(struct model_part *part, struct model_obj *obj);
void optee_model_obj_free(struct model_part *part, struct model_obj *obj);
void optee_model_obj_drop_all(struct model_part *part);
struct model_obj *optee_model_obj_page(struct optee_model *sw,
				       struct model_part *part,
				       enum model_obj_kind kind, uint64_t pa,
				       uint64_t cookie);
struct model_obj *optee_model_obj_from_list(struct optee_model *sw,
					    struct model_part *part,
					    enum model_obj_kind kind,
					    uint64_t buf_ptr, uint64_t size,
					    uint64_t cookie);
bool optee_model_obj_access(struct optee_model *sw, struct model_obj *obj,
			    uint64_t off, void *buf, uint64_t len, bool write,
			    const char *what);
bool optee_model_ta_read(struct model_ctx *c, const struct model_param *p,
			 uint64_t off, void *buf, uint64_t len);
bool optee_model_ta_write(struct model_ctx *c, const struct model_param *p,
			  uint64_t off, const void *buf, uint64_t len);

/* optee_model.c: notif_send_async(); false for a value beyond 63. */
bool optee_model_notif_send(struct optee_model *sw, struct model_part *part,
			    uint32_t value);

/* optee_model_msg.c */
enum model_cmd_status {
	MODEL_CMD_DONE, /* t->result holds the SMC result */
	MODEL_CMD_RPC,	/* t->req posted */
};
enum model_cmd_status optee_model_cmd_step(struct model_ctx *c);
void optee_model_sessions_free(struct model_part *part);

/* optee_model_tas.c */
const struct model_ta *optee_model_ta_find(const uint8_t uuid[16]);

/* optee_model_tas_os.c */
enum model_ta_status optee_model_pta_device(struct model_ctx *c,
					    struct model_ta_exec *x);
enum model_ta_status optee_model_ta_storage(struct model_ctx *c,
					    struct model_ta_exec *x);

/* Requests a TA posts before returning MODEL_TA_RPC. */
static inline enum model_ta_status model_req_intr(struct model_ta_exec *x)
{
	x->req->kind = MODEL_RQ_INTR;
	return MODEL_TA_RPC;
}

/* A message of `n` parameters; the caller fills req->params. */
static inline enum model_ta_status model_req_cmd(struct model_ta_exec *x,
						 uint32_t cmd, uint32_t n)
{
	struct model_rpc_req *rq = x->req;

	rq->kind = MODEL_RQ_CMD;
	rq->cmd = cmd;
	rq->num_params = n;
	for (uint32_t i = 0; i < OPTEE_RPC_MAX_NUM_PARAMS; i++) {
		struct model_param z = {0};

		rq->params[i] = z;
	}
	return MODEL_TA_RPC;
}

/* §6.7: value[0] = type, size, alignment 8. */
static inline enum model_ta_status
model_req_shm_alloc(struct model_ta_exec *x, uint32_t type, uint64_t size)
{
	struct model_rpc_req *rq = x->req;

	model_req_cmd(x, OPTEE_RPC_CMD_SHM_ALLOC, 1);
	rq->kind = MODEL_RQ_SHM_ALLOC;
	rq->params[0].type = MODEL_PT_VALUE_IN;
	rq->params[0].a = type;
	rq->params[0].b = size;
	rq->params[0].c = 8;
	rq->shm_type = type;
	rq->shm_size = size;
	rq->shm = NULL;
	return MODEL_TA_RPC;
}

/* §6.7: value[0].a = type, .b = cookie; the object goes before the RPC. */
static inline enum model_ta_status model_req_shm_free(struct model_ta_exec *x,
						      uint32_t type,
						      struct model_obj *obj)
{
	struct model_rpc_req *rq = x->req;

	model_req_cmd(x, OPTEE_RPC_CMD_SHM_FREE, 1);
	rq->kind = MODEL_RQ_SHM_FREE;
	rq->params[0].type = MODEL_PT_VALUE_IN;
	rq->params[0].a = type;
	rq->params[0].b = obj->cookie;
	rq->shm_type = type;
	rq->shm = obj;
	return MODEL_TA_RPC;
}

#endif /* TEEMED_SIM_OPTEE_MODEL_PRIVATE_H */
