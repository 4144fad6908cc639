/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scripting OP-TEE's side of RPCs for the unit tests of the RPC paths:
 * VM 0 runs calls on OP-TEE thread OTID whose RPC argument buffer is
 * the guest's page RPC_IPA, every SMC checked register by register.
 * Header-only so each test program takes what it uses.
 */
#ifndef TEEMED_RPC_SCRIPT_H
#define TEEMED_RPC_SCRIPT_H

#include <string.h>

#include "mock_platform.h"

#define CLIENT0	 7u
#define OTID	 3u /* OP-TEE's thread index: never the guest's */
#define RPC_IPA	 GPAGE(9)
#define REG_LIST GPAGE(2)
#define RC	 0xffff800012345678ull /* a Linux-like cookie */
#define RC2	 0xffff8000abcd0000ull
#define HI(x)	 ((uint64_t)(x) >> 32)
#define LO(x)	 ((uint64_t)(uint32_t)(x))
/* What a guest may leave in the upper half of a register. */
#define NOISE	   0xdead000000000000ull
#define RFR	   OPTEE_SMC_CALL_RETURN_FROM_RPC
#define TMEM_NC(t) (OPTEE_MSG_ATTR_TYPE_##t | OPTEE_MSG_ATTR_NONCONTIG)

/* Guest pages a hostile answer may name, bad each in its own way. */
#define BAD_UNMAPPED  GPAGE(20)
#define BAD_MMIO      GPAGE(21)
#define BAD_READ_ONLY GPAGE(22)

static inline void make_bad_pages(void)
{
	mock_ipa_set(0, BAD_UNMAPPED, MOCK_IPA_UNMAPPED);
	mock_ipa_set(0, BAD_MMIO, MOCK_IPA_MMIO);
	mock_ipa_set(0, BAD_READ_ONLY, MOCK_IPA_RO);
}

static inline struct teemed_vm_stats stats(void)
{
	struct teemed_vm_stats s;

	teemed_vm_get_stats(fx.vm[0], &s);
	return s;
}

static inline void script_call(uint64_t r0, uint64_t r1, uint64_t r2,
			       uint64_t r3)
{
	expect_value(mock_sw_expect, a0, OPTEE_SMC_CALL_WITH_ARG);
	expect_any(mock_sw_expect, a1);
	expect_any(mock_sw_expect, a2);
	expect_value(mock_sw_expect, a3, OPTEE_SMC_SHM_CACHED);
	expect_value(mock_sw_expect, a4, 0);
	expect_value(mock_sw_expect, a5, 0);
	expect_value(mock_sw_expect, a6, 0);
	expect_value(mock_sw_expect, a7, CLIENT0);
	will_answer(r0, r1, r2, r3);
}

/* A new call of VM 0 to which OP-TEE answers (r0..r3). */
static inline void start_call(uint64_t r0, uint64_t r1, uint64_t r2,
			      uint64_t r3, struct teemed_regs *r)
{
	const struct teemed_regs *in;

	mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	mock.sw = mock_sw_scripted;
	script_call(r0, r1, r2, r3);
	mock_call(0, ARG_IPA, r);
	in = mock_last_in();
	assert_true(mock_pa_is_mediator((in->a[1] << 32) | in->a[2]));
}

/* OP-TEE's first RPC of a new call is RPC_ALLOC of `size` bytes. */
static inline uint32_t start_alloc(uint64_t size, struct teemed_regs *r)
{
	start_call(OPTEE_SMC_RETURN_RPC_ALLOC, size, 0x77, OTID, r);
	assert_int_equal(r->a[0], OPTEE_SMC_RETURN_RPC_ALLOC);
	assert_int_equal(r->a[1], (uint32_t)size);
	assert_int_equal(r->a[2], 0);
	assert_true(r->a[3] < mock.threads);
	return (uint32_t)r->a[3];
}

/*
 * The guest answers RPC_ALLOC with its page `ipa` and `cookie`; OP-TEE
 * must get a mediator page and the cookie, and answers (r0..r3).
 */
static inline uint64_t give_page(uint32_t tid, uint64_t ipa, uint64_t cookie,
				 uint64_t r0, uint64_t r1, uint64_t r2,
				 uint64_t r3, struct teemed_regs *r)
{
	uint64_t pa;

	mock.rpc.capture = true;
	expect_value(mock_sw_expect, a0, RFR);
	expect_in_range(mock_sw_expect, a1, 0, 0xffffffffu);
	expect_in_range(mock_sw_expect, a2, 0, 0xffffffffu);
	expect_value(mock_sw_expect, a3, OTID);
	expect_value(mock_sw_expect, a4, HI(cookie));
	expect_value(mock_sw_expect, a5, LO(cookie));
	expect_value(mock_sw_expect, a6, 0);
	expect_value(mock_sw_expect, a7, CLIENT0);
	will_answer(r0, r1, r2, r3);
	/* Only the low halves of a1, a2, a4, a5 carry meaning (§1.3). */
	mock_resume_regs(0, tid, NOISE | HI(ipa), NOISE | LO(ipa),
			 NOISE | HI(cookie), NOISE | LO(cookie), r);
	pa = mock.rpc.shadow_pa;
	assert_true(mock_pa_is_mediator(pa));
	assert_int_equal(pa & (MOCK_PAGE - 1), 0);
	assert_int_not_equal(pa, ipa);
	assert_int_not_equal(pa, mock_guest_pa(0, ipa & ~(uint64_t)0xfff));
	return pa;
}

/* The guest resumes; OP-TEE must get nothing but its thread id. */
static inline void resume_bare(uint32_t tid, uint64_t r0, uint64_t r1,
			       uint64_t r2, uint64_t r3, struct teemed_regs *r)
{
	expect_smc(RFR, 0, 0, OTID, 0, 0, 0, CLIENT0);
	will_answer(r0, r1, r2, r3);
	mock_resume_regs(0, tid, 0x1111, mock_guest_pa(0, RPC_IPA), 0x4444,
			 0x5555, r);
}

static inline void assert_answer(const struct teemed_regs *r, uint64_t a0,
				 uint64_t a1, uint64_t a2, uint64_t a3)
{
	assert_int_equal(r->a[0], a0);
	assert_int_equal(r->a[1], a1);
	assert_int_equal(r->a[2], a2);
	assert_int_equal(r->a[3], a3);
}

/* A call that leaves OP-TEE holding RPC buffer `cookie` at `ipa`. */
static inline uint64_t cache_rpc_buffer(uint64_t ipa, uint64_t cookie)
{
	struct teemed_regs r;
	uint32_t tid = start_alloc(160, &r);
	uint64_t pa =
		give_page(tid, ipa, cookie, OPTEE_SMC_RETURN_OK, 0, 0, 0, &r);

	assert_answer(&r, OPTEE_SMC_RETURN_OK, 0, 0, 0);
	return pa;
}

/* A request of OP-TEE: zero-filled, ret preset to GENERIC (§6.4). */
static inline void request(struct optee_msg_arg *m, uint32_t cmd, uint32_t n)
{
	memset(m, 0, MOCK_RPC_MSG_SIZE);
	m->cmd = cmd;
	m->ret = TEEC_ERROR_GENERIC;
	m->num_params = n;
}

static inline void register_buffer(uint32_t first, uint32_t pages,
				   uint64_t cookie)
{
	mock_sw_fn sw = mock.sw;

	mock.sw = mock_fake_optee;
	mock_fill_list_range(0, REG_LIST, first, pages);
	assert_int_equal(mock_register(0, GPAGE(1), REG_LIST, 0,
				       pages * MOCK_PAGE, cookie),
			 TEEC_SUCCESS);
	mock.sw = sw;
}

static inline void disable_cache(uint64_t r0, uint64_t r1, uint64_t r2,
				 struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_DISABLE_SHM_CACHE;
	r->a[1] = 0x1111;
	r->a[2] = 0x2222;
	r->a[3] = 0x3333;
	r->a[7] = 0xdead;
	expect_smc(OPTEE_SMC_DISABLE_SHM_CACHE, 0, 0, 0, 0, 0, 0, CLIENT0);
	will_answer(r0, r1, r2, 0);
	assert_int_equal(mock_smc_guest(0, r), TEEMED_SMC_HANDLED);
}

/* OP-TEE hands back RPC buffer `cookie` to the guest's DISABLE. */
static inline void disable_cache_returns(uint64_t cookie)
{
	struct teemed_regs r;

	disable_cache(OPTEE_SMC_RETURN_OK, HI(cookie), LO(cookie), &r);
	assert_answer(&r, OPTEE_SMC_RETURN_OK, HI(cookie), LO(cookie), 0);
}

#endif /* TEEMED_RPC_SCRIPT_H */
