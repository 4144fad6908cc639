/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A mocked platform for unit tests of the core.
 *
 * Host RAM is one static array of 4 KiB pages at a PA above 4 GiB (so a
 * PA that loses its upper half is caught). Each mock VM maps its IPA
 * range onto scattered host pages through a table the test may edit
 * (holes, MMIO, read-only pages); the top of RAM is the mediator's page
 * pool. Every callback checks the core's contracts as it goes (no SMC
 * under a lock, no nested locks, no map of a page the core does not
 * own, no double free, object sizes match) and counts what is held, so
 * mock_stop() can assert that a test leaked nothing.
 *
 * The secure world is a callback: hypervisor calls (a7 = 0) go to
 * mock.hyp, guest calls to mock.sw. Both default to a small fake
 * OP-TEE (mock_fake_hyp, mock_fake_optee); mock_sw_expect lets a test
 * script exact registers with cmocka's expect_value()/will_return().
 */
#ifndef TEEMED_MOCK_PLATFORM_H
#define TEEMED_MOCK_PLATFORM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "optee_abi.h"
#include "teemed/teemed.h"

#define MOCK_PAGE	 4096u
#define MOCK_MAX_VMS	 4
#define MOCK_GUEST_PAGES 1536u
#define MOCK_MED_PAGES	 2048u
#define MOCK_RAM_PAGES	 (MOCK_MAX_VMS * MOCK_GUEST_PAGES + MOCK_MED_PAGES)
#define MOCK_PA_BASE	 0x880000000ull
#define MOCK_IPA_BASE	 0x40000000ull
#define MOCK_MAX_OBJS	 8192
#define MOCK_MAX_LOCKS	 64
#define MOCK_SMC_LOG	 512
#define MOCK_MAX_THREADS 16
#define MOCK_SEEN_PARAMS 8
#define MOCK_SEEN_PAGES	 1100

/* IPA of guest page `i`. */
#define GPAGE(i) (MOCK_IPA_BASE + (uint64_t)(i)*MOCK_PAGE)
/* Page 0 of each VM holds the call argument in most tests. */
#define ARG_IPA GPAGE(0)

enum mock_ipa_kind {
	MOCK_IPA_RAM = 0,
	MOCK_IPA_UNMAPPED,
	MOCK_IPA_MMIO,
	MOCK_IPA_RO,
};

/* Who a host page belongs to. */
#define MOCK_OWNER_FREE	    (-1)
#define MOCK_OWNER_MEDIATOR (-2)

struct mock_page {
	int32_t owner; /* VM index, MOCK_OWNER_MEDIATOR or _FREE */
	uint32_t pins;
	uint32_t maps;
	bool was_mediator; /* given to the mediator since mock_reset() */
};

struct mock_vm {
	uint16_t client_id;
	uint8_t kind[MOCK_GUEST_PAGES];
	uint32_t page[MOCK_GUEST_PAGES]; /* host page index */
};

struct mock_obj {
	void *p;
	size_t size;
};

struct mock_lock {
	uint32_t magic;
	bool held;
};

/* One OP-TEE thread of the fake secure world. */
struct mock_thread {
	bool busy;
	uint16_t client_id;
	uint32_t pauses_left;
	uint64_t arg_pa;
};

typedef void (*mock_sw_fn)(struct teemed_regs *r);
typedef void (*mock_msg_fn)(struct optee_msg_arg *arg, uint16_t client_id);

/* An RPC message always has room for four parameters (spec §6.3). */
#define MOCK_RPC_MSG_SIZE OPTEE_MSG_GET_ARG_SIZE(OPTEE_RPC_MAX_NUM_PARAMS)

/*
 * OP-TEE's side of one RPC argument buffer, for tests that script the
 * secure world with mock_sw_scripted(): OP-TEE learns the buffer's PA
 * from the resume answering RPC_ALLOC, reads it on every later resume
 * and writes its next request into it before returning RPC_CMD.
 */
struct mock_rpc {
	bool capture;	    /* a1:a2 of the next guest SMC is the buffer */
	uint64_t shadow_pa; /* the buffer OP-TEE holds, 0 if none */
	bool post_pending;  /* write `post` into it during the next SMC */
	_Alignas(8) uint8_t post[MOCK_RPC_MSG_SIZE];
	bool seen_valid; /* it was a mediator page when OP-TEE last ran */
	_Alignas(8) uint8_t seen[MOCK_RPC_MSG_SIZE]; /* what OP-TEE read then */
};

struct mock_state {
	uint32_t seen_fid; /* of the last call the fake OP-TEE started */
	struct mock_page page[MOCK_RAM_PAGES];
	struct mock_vm vm[MOCK_MAX_VMS];
	/* ORed into the function id of every guest call the mock makes. */
	uint32_t guest_fid_bits;

	/* Held now. */
	uint32_t pins;
	uint32_t med_pages;  /* charged to a VM */
	uint32_t inst_pages; /* the instance's (`vm` NULL): call shadows */
	uint32_t objs;
	uint64_t obj_bytes; /* what the held objects were asked for */
	uint32_t locks;
	uint32_t maps;
	uint32_t locks_held;
	/* Done ever. */
	uint64_t pin_calls;
	uint64_t unpin_calls;
	uint64_t lock_acquires;
	uint64_t lock_releases;
	uint64_t page_allocs;
	uint64_t obj_allocs;

	/* Failure injection: -1 never; n: n more successes, then fail. */
	int32_t page_fail_after;
	int32_t obj_fail_after;
	int32_t lock_fail_after;

	struct mock_obj obj[MOCK_MAX_OBJS];
	struct mock_lock lock[MOCK_MAX_LOCKS];
	uint32_t med_free[MOCK_MED_PAGES]; /* stack of free pool pages */
	uint32_t med_free_count;

	/* Secure world. */
	mock_sw_fn hyp; /* a7 == 0 */
	mock_sw_fn sw;	/* a7 != 0 */
	uint64_t smc_count;
	uint64_t sw_count; /* SMCs with a7 != 0 */
	struct teemed_regs smc_in[MOCK_SMC_LOG];
	struct teemed_regs smc_out[MOCK_SMC_LOG];

	/* Fake OP-TEE: answers of the hypervisor's probe and VM calls. */
	uint32_t uid[4];
	uint32_t rev_major;
	uint32_t caps_a0;
	uint32_t caps;
	uint32_t threads_a0;
	uint32_t threads;
	/* The vCPU the guest's SMCs come from (teemed_vcpu_smc());
	   TEEMED_NO_VCPU after mock_reset(). */
	uint32_t guest_vcpu;
	uint32_t vm_created_a0;
	uint32_t vm_destroyed_a0;
	uint64_t vm_created_calls;
	uint64_t vm_destroyed_calls;
	uint32_t unpins_at_destroyed; /* unpin_calls when VM_DESTROYED came */
	uint32_t pins_at_destroyed;

	/* Fake OP-TEE: yielding calls. */
	struct mock_thread thread[MOCK_MAX_THREADS];
	uint32_t thread_base;  /* thread id = thread_base + slot */
	uint32_t pauses;       /* FOREIGN_INTR returns before completing */
	uint32_t rpc_a0;       /* RPC code used for the pauses */
	uint32_t call_a0;      /* a0 of the final answer */
	uint32_t msg_ret;      /* arg->ret written on completion */
	uint32_t msg_origin;   /* arg->ret_origin written on completion */
	mock_msg_fn on_msg;    /* replaces the default completion */
	mock_sw_fn on_enter;   /* runs first on every guest SMC */
	uint64_t calls_seen;   /* CALL_WITH_ARG received */
	uint64_t resumes_seen; /* RETURN_FROM_RPC received */
	uint8_t seen_arg[MOCK_PAGE]; /* shadow arg as first read */
	uint64_t seen_arg_pa;
	uint32_t seen_pages[MOCK_SEEN_PARAMS]; /* data pages per param */
	uint32_t seen_list_pages[MOCK_SEEN_PARAMS];
	uint64_t seen_pa[MOCK_SEEN_PARAMS][MOCK_SEEN_PAGES];

	/* Fake OP-TEE: asynchronous notifications, per VM (notif_default). */
	uint64_t notif_values[MOCK_MAX_VMS];
	bool notif_started[MOCK_MAX_VMS];
	bool notif_always_pending; /* GET claims PENDING forever */
	uint64_t notif_gets;	   /* GET_ASYNC_NOTIF_VALUE received */

	/* Scripted secure world (mock_sw_scripted). */
	mock_sw_fn sw_hook; /* runs inside the SMC, before the script */
	struct mock_rpc rpc;
};

extern struct mock_state mock;
extern const struct teemed_platform mock_platform;

/* What the default fixture holds. */
struct mock_fx {
	struct teemed *t;
	struct teemed_vm *vm[MOCK_MAX_VMS];
	uint32_t baseline_med_pages; /* after VM creation */
	uint32_t baseline_objs;
};

extern struct mock_fx fx;

/* ---- state ---- */
void mock_reset(void);
void mock_ipa_set(int vm, uint64_t ipa, enum mock_ipa_kind kind);
uint64_t mock_guest_pa(int vm, uint64_t ipa);
void *mock_guest_ptr(int vm, uint64_t ipa);
void *mock_pa_ptr(uint64_t pa);
bool mock_pa_is_mediator(uint64_t pa);
/* A page the mediator held at some point (a call's shadow, since freed). */
bool mock_pa_was_mediator(uint64_t pa);
uint32_t mock_pa_pins(uint64_t pa);
int32_t mock_pa_owner(uint64_t pa);
void mock_assert_clean(void);

/* ---- instance and VMs ---- */
struct teemed_config mock_config(uint32_t step_pages,
				 const struct teemed_quota *quota);
void mock_start_cfg(const struct teemed_config *cfg, int vms);
void mock_start(uint32_t step_pages, const struct teemed_quota *quota);
void mock_stop(void);
int mock_destroy_vm(int vm, uint32_t *steps);
int mock_setup(void **state);
int mock_teardown(void **state);

/* ---- secure world ---- */
void mock_fake_hyp(struct teemed_regs *r);
void mock_fake_optee(struct teemed_regs *r);
void mock_sw_expect(struct teemed_regs *r);
void mock_sw_never(struct teemed_regs *r);
const struct teemed_regs *mock_last_in(void);
void mock_sw_scripted(struct teemed_regs *r);
void mock_rpc_post(const struct optee_msg_arg *msg);
const struct optee_msg_arg *mock_rpc_seen(void);

#define expect_smc(v0, v1, v2, v3, v4, v5, v6, v7)                             \
	do {                                                                   \
		expect_value(mock_sw_expect, a0, (uint64_t)(v0));              \
		expect_value(mock_sw_expect, a1, (uint64_t)(v1));              \
		expect_value(mock_sw_expect, a2, (uint64_t)(v2));              \
		expect_value(mock_sw_expect, a3, (uint64_t)(v3));              \
		expect_value(mock_sw_expect, a4, (uint64_t)(v4));              \
		expect_value(mock_sw_expect, a5, (uint64_t)(v5));              \
		expect_value(mock_sw_expect, a6, (uint64_t)(v6));              \
		expect_value(mock_sw_expect, a7, (uint64_t)(v7));              \
	} while (0)

/*
 * A CALL_WITH_ARG as the core must issue it for client `id`: a shadow
 * PA in a1:a2 (32-bit halves; the mock checks what it points at), cache
 * settings in a3, a4..a6 clear.
 */
#define expect_call_with_arg(id)                                               \
	do {                                                                   \
		expect_value(mock_sw_expect, a0, OPTEE_SMC_CALL_WITH_ARG);     \
		expect_in_range(mock_sw_expect, a1, 0, 0xffffffffu);           \
		expect_in_range(mock_sw_expect, a2, 0, 0xffffffffu);           \
		expect_value(mock_sw_expect, a3, OPTEE_SMC_SHM_CACHED);        \
		expect_value(mock_sw_expect, a4, 0);                           \
		expect_value(mock_sw_expect, a5, 0);                           \
		expect_value(mock_sw_expect, a6, 0);                           \
		expect_value(mock_sw_expect, a7, (uint64_t)(id));              \
	} while (0)

#define will_answer(r0, r1, r2, r3)                                            \
	do {                                                                   \
		will_return(mock_sw_expect, (uint64_t)(r0));                   \
		will_return(mock_sw_expect, (uint64_t)(r1));                   \
		will_return(mock_sw_expect, (uint64_t)(r2));                   \
		will_return(mock_sw_expect, (uint64_t)(r3));                   \
	} while (0)

/* ---- guest side ---- */
struct optee_msg_arg *mock_guest_arg(int vm, uint64_t ipa);
struct optee_msg_arg *mock_arg_init(int vm, uint64_t ipa, uint32_t cmd,
				    uint32_t num_params);
void mock_fill_list(int vm, uint64_t list_ipa, const uint64_t *data_ipa,
		    uint32_t n);
void mock_fill_list_range(int vm, uint64_t list_ipa, uint32_t first_page,
			  uint32_t n);
/*
 * A buffer laid out in a guest's pages: its page `i` is guest page
 * page_ipa(layout, i). mock_page_ipa_range lays it out over guest pages
 * `layout`, `layout` + 1, ...
 */
typedef uint64_t mock_page_ipa_fn(uint32_t layout, uint32_t i);
uint64_t mock_page_ipa_range(uint32_t first_page, uint32_t i);
/* Copy `len` bytes into or out of such a buffer from byte `off` on. */
void mock_buf_put(int vm, mock_page_ipa_fn *page_ipa, uint32_t layout,
		  uint64_t off, const void *src, uint32_t len);
void mock_buf_get(int vm, mock_page_ipa_fn *page_ipa, uint32_t layout,
		  uint64_t off, void *dst, uint32_t len);
void mock_set_tmem(struct optee_msg_param *p, uint32_t type, uint64_t buf_ptr,
		   uint64_t size, uint64_t cookie);
void mock_set_rmem(struct optee_msg_param *p, uint32_t type, uint64_t offs,
		   uint64_t size, uint64_t cookie);
enum teemed_smc_result mock_smc_guest(int vm, struct teemed_regs *r);
void mock_call(int vm, uint64_t arg_ipa, struct teemed_regs *r);
void mock_resume(int vm, uint32_t thread, struct teemed_regs *r);
void mock_resume_regs(int vm, uint32_t thread, uint64_t a1, uint64_t a2,
		      uint64_t a4, uint64_t a5, struct teemed_regs *r);
uint32_t mock_call_to_end(int vm, uint64_t arg_ipa, uint32_t *pauses);
uint32_t mock_register(int vm, uint64_t arg_ipa, uint64_t list_ipa,
		       uint32_t offset, uint64_t size, uint64_t cookie);
uint32_t mock_unregister(int vm, uint64_t arg_ipa, uint64_t cookie);
const struct optee_msg_arg *mock_seen_arg(void);

/* Deterministic pseudo-random numbers (xorshift64*). */
uint32_t mock_rand(uint64_t *state);

#endif /* TEEMED_MOCK_PLATFORM_H */
