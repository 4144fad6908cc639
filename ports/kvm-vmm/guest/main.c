// SPDX-License-Identifier: BSD-2-Clause
/*
 * The test guests. x0 at entry picks the mode (vmm_layout.h):
 *  - honest: what the Linux driver does, every answer checked against
 *    what the model's TAs compute (sim/tas.h);
 *  - hold: take resources (a registered buffer, a session, a call
 *    suspended in OP-TEE), say READY and wait to be killed;
 *  - hostile: the attacks that apply through a KVM VMM, each checked for
 *    the protocol's refusal, then an SMC storm, then proof that the VM
 *    itself still works.
 * Each check prints "ok <name>" or "FAIL <name> (detail)"; the status
 * written to the test device is the number of failures.
 */
#include "optee.h"
#include "tas.h"

#define PG 4096u

static const struct sim_uuid uuid_xform = TA_XFORM_UUID;
static const struct sim_uuid uuid_checksum = TA_CHECKSUM_UUID;
static const struct sim_uuid uuid_inplace = TA_INPLACE_UUID;
static const struct sim_uuid uuid_slow = TA_SLOW_UUID;
static const struct sim_uuid uuid_rpc = TA_RPC_UUID;

static void fill(uint8_t *p, uint64_t n, uint64_t seed)
{
	for (uint64_t i = 0; i < n; i++)
		p[i] = (uint8_t)((seed >> (8 * (i % 8))) + i * 7);
}

static uint32_t session_of(const uint8_t uuid[16], const char *name)
{
	uint32_t s = 0, origin = 0, ret;

	ret = optee_open(uuid, &s, &origin);
	rt_check(ret == TEEC_SUCCESS, name, ret);
	return s;
}

static bool is_tmem(uint64_t attr)
{
	uint64_t t = attr & OPTEE_MSG_ATTR_TYPE_MASK;

	return t >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT &&
	       t <= OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
}

/*
 * A call that must succeed. What comes back must be the guest's own: the
 * attributes, page-list addresses and cookies it sent (no host address
 * may reach it).
 */
static bool invoke_ok(struct optee_msg_arg *m, const char *name)
{
	struct optee_msg_param sent[4];
	uint32_t n = m->num_params < 4 ? m->num_params : 4, a0;
	bool same = true;

	memcpy(sent, m->params, n * sizeof(sent[0]));
	a0 = optee_call(m);
	for (uint32_t i = 0; i < n; i++)
		if (m->params[i].attr != sent[i].attr ||
		    (is_tmem(sent[i].attr) &&
		     (m->params[i].u.tmem.buf_ptr != sent[i].u.tmem.buf_ptr ||
		      m->params[i].u.tmem.shm_ref != sent[i].u.tmem.shm_ref)))
			same = false;
	if (!same)
		rt_check(false, "answer: guest addresses and cookies came back",
			 0);
	return rt_check(a0 == OPTEE_SMC_RETURN_OK && m->ret == TEEC_SUCCESS,
			name, a0 == OPTEE_SMC_RETURN_OK ? m->ret : a0);
}

static void echo(uint32_t sess, const char *name)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	m->session = sess;
	m->func = TA_XFORM_CMD_ECHO;
	optee_param_value(&m->params[0], OPTEE_MSG_ATTR_TYPE_VALUE_INOUT,
			  0x1234, 0x0f0f0f0f, 0);
	if (invoke_ok(m, name))
		rt_check(m->params[0].u.value.a == 0x1235 &&
				 m->params[0].u.value.b ==
					 (0x0f0f0f0fu ^ 0x5a5a5a5au),
			 "echo: value parameters came back transformed",
			 m->params[0].u.value.a);
}

/* XOR through two NONCONTIG temporary memrefs, unaligned and multi-page. */
static void xor_tmem(uint32_t sess)
{
	const uint64_t len = 3 * PG - 300, key = 0xa1b2c3d4;
	struct optee_buf in, out;
	struct optee_msg_arg *m;
	const uint8_t *src, *dst;
	bool same = true;

	if (!rt_check(optee_buf_new(&in, 3) && optee_buf_new(&out, 3),
		      "xor: guest buffers", 0))
		return;
	fill(ipa_ptr(in.ipa + 100), len, 0x1122334455667788ull);
	m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	m->session = sess;
	m->func = TA_XFORM_CMD_XOR;
	optee_param_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, &in,
			 100, len);
	optee_param_tmem(&m->params[1], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, &out,
			 0, len);
	optee_param_value(&m->params[2], OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, key,
			  0, 0);
	if (!invoke_ok(m, "xor: INVOKE with NONCONTIG tmem in and out"))
		return;
	src = ipa_ptr(in.ipa + 100);
	dst = ipa_ptr(out.ipa);
	for (uint64_t i = 0; i < len; i++)
		if (dst[i] != (uint8_t)(src[i] ^
					(uint8_t)((key & 0xffffffffu) >> (8 * (i % 8)))))
			same = false;
	rt_check(same && m->params[1].u.tmem.size == len,
		 "xor: output is the TA's transform of the input",
		 m->params[1].u.tmem.size);
}

static uint64_t fnv1a64(const uint8_t *p, uint64_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* REGISTER_SHM, rmem invokes on it, UNREGISTER_SHM, then a dead cookie. */
static void registered(void)
{
	uint32_t sc = session_of(uuid_checksum.b, "open: checksum TA");
	uint32_t si = session_of(uuid_inplace.b, "open: in-place TA");
	const uint64_t off = 512, len = 2 * PG;
	struct optee_msg_arg *m;
	struct optee_buf b;
	uint8_t *data;
	uint64_t h;
	bool same = true;

	if (!rt_check(optee_buf_new(&b, 3), "register: guest buffer", 0))
		return;
	data = ipa_ptr(b.ipa);
	fill(data, 3 * PG, 0xdeadbeefcafef00dull);
	rt_check(optee_register(&b) == TEEC_SUCCESS, "REGISTER_SHM", 0);

	m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	m->session = sc;
	m->func = TA_CHECKSUM_CMD_FNV;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.offs = off;
	m->params[0].u.rmem.size = len;
	m->params[0].u.rmem.shm_ref = b.cookie;
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	h = fnv1a64(data + off, len);
	if (invoke_ok(m, "checksum: INVOKE with rmem of the registered buffer"))
		rt_check(m->params[1].u.value.a == (h & 0xffffffffu) &&
				 m->params[1].u.value.b == len,
			 "checksum: the TA read the guest's bytes",
			 m->params[1].u.value.a);

	m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	m->session = si;
	m->func = TA_INPLACE_CMD_ADD;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
	m->params[0].u.rmem.offs = off;
	m->params[0].u.rmem.size = len;
	m->params[0].u.rmem.shm_ref = b.cookie;
	optee_param_value(&m->params[1], OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, 3, 0,
			  0);
	fill(data, 3 * PG, 0xdeadbeefcafef00dull);
	if (invoke_ok(m, "in-place: INVOKE with rmem inout")) {
		for (uint64_t i = 0; i < 3 * PG; i++) {
			uint8_t orig = (uint8_t)((0xdeadbeefcafef00dull >>
						  (8 * (i % 8))) + i * 7);
			uint8_t want = (i >= off && i < off + len) ?
					       (uint8_t)(orig + 3) : orig;

			if (data[i] != want)
				same = false;
		}
		rt_check(same, "in-place: the TA wrote the guest's pages", 0);
	}

	rt_check(optee_unregister(b.cookie) == TEEC_SUCCESS, "UNREGISTER_SHM",
		 0);
	m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	m->session = sc;
	m->func = TA_CHECKSUM_CMD_FNV;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.size = 16;
	m->params[0].u.rmem.shm_ref = b.cookie;
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	rt_check(optee_call(m) == OPTEE_SMC_RETURN_OK &&
			 m->ret == TEEC_ERROR_BAD_PARAMETERS &&
			 m->ret_origin == TEEC_ORIGIN_COMMS,
		 "unregistered cookie refused (BAD_PARAMETERS, COMMS)", m->ret);
	rt_check(optee_close(sc) == TEEC_SUCCESS, "close: checksum TA", 0);
	rt_check(optee_close(si) == TEEC_SUCCESS, "close: in-place TA", 0);
}

/* RPC_CMD round trip: SHM_ALLOC, the supplicant, SHM_FREE. */
static void rpc_reverse(uint32_t type, const char *name)
{
	uint32_t s = session_of(uuid_rpc.b, "open: RPC TA");
	/* OP-TEE's kernel payloads are single pages. */
	const uint64_t len = type == OPTEE_RPC_SHM_TYPE_KERNEL ? 1000 : PG + 777;
	struct optee_rpc_counts before = optee_rpc;
	struct optee_buf in, out;
	struct optee_msg_arg *m;
	const uint8_t *a, *b;
	bool same = true;

	if (!rt_check(optee_buf_new(&in, 2) && optee_buf_new(&out, 2),
		      "rpc: guest buffers", 0))
		return;
	fill(ipa_ptr(in.ipa), len, 0x0102030405060708ull ^ type);
	m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	m->session = s;
	m->func = TA_RPC_CMD_REVERSE;
	optee_param_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, &in, 0,
			 len);
	optee_param_value(&m->params[1], OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, 0,
			  type, 0);
	optee_param_tmem(&m->params[2], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, &out,
			 0, len);
	if (invoke_ok(m, name)) {
		a = ipa_ptr(in.ipa);
		b = ipa_ptr(out.ipa);
		for (uint64_t i = 0; i < len; i++)
			if (b[i] != a[len - 1 - i])
				same = false;
		rt_check(same, "rpc: output is the reversed input", 0);
		rt_check(optee_rpc.shm_allocs > before.shm_allocs &&
				 optee_rpc.shm_frees > before.shm_frees &&
				 optee_rpc.supp > before.supp,
			 "rpc: SHM_ALLOC, supplicant and SHM_FREE served",
			 optee_rpc.shm_allocs);
	}
	rt_check(optee_close(s) == TEEC_SUCCESS, "close: RPC TA", 0);
}

static void slow(void)
{
	uint32_t s = session_of(uuid_slow.b, "open: slow TA");
	uint32_t before = optee_rpc.intrs;
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	m->session = s;
	m->func = TA_SLOW_CMD_SPIN;
	optee_param_value(&m->params[0], OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, 5, 0,
			  0);
	if (invoke_ok(m, "slow: INVOKE interrupted by FOREIGN_INTR"))
		rt_check(m->params[0].u.value.b == 11 &&
				 optee_rpc.intrs - before >= 5,
			 "slow: resumed after every FOREIGN_INTR",
			 optee_rpc.intrs - before);
	rt_check(optee_close(s) == TEEC_SUCCESS, "close: slow TA", 0);
}

/*
 * `alone`: the only vCPU calling OP-TEE, so DISABLE_SHM_CACHE can expect
 * every cached buffer to come back (with other vCPUs' calls in flight
 * OP-TEE may answer EBUSY).
 */
static void honest(uint64_t rounds, bool alone)
{
	uint32_t caps = 0, threads = 0, s, before;
	int n;

	optee_probe(&caps, &threads);
	for (uint64_t i = 0; i < (rounds ? rounds : 1); i++) {
		s = session_of(uuid_xform.b, "open: transform TA");
		echo(s, "echo: INVOKE with values");
		xor_tmem(s);
		rt_check(optee_close(s) == TEEC_SUCCESS, "close: transform TA",
			 0);
		registered();
		rpc_reverse(OPTEE_RPC_SHM_TYPE_APPL, "rpc: reverse via APPL SHM");
		rpc_reverse(OPTEE_RPC_SHM_TYPE_KERNEL,
			    "rpc: reverse via KERNEL SHM");
		slow();
	}
	if (!alone)
		goto out;
	/* OP-TEE gives back its cached RPC buffers; then RPC_FREE per call. */
	before = optee_rpc.frees;
	n = optee_disable_cache();
	rt_check(n >= 1, "DISABLE_SHM_CACHE returns our cached RPC buffers",
		 (uint64_t)n);
	rpc_reverse(OPTEE_RPC_SHM_TYPE_APPL, "rpc: reverse with the cache off");
	rt_check(optee_rpc.frees > before,
		 "rpc: RPC_FREE of the argument buffer with the cache off",
		 optee_rpc.frees);
out:
	rt_check(optee_rpc.unknown == 0,
		 "RPCs named only this guest's buffers", optee_rpc.unknown);
	rt_puts("rpc served: alloc ");
	rt_put_dec(optee_rpc.allocs);
	rt_puts(" free ");
	rt_put_dec(optee_rpc.frees);
	rt_puts(" foreign_intr ");
	rt_put_dec(optee_rpc.intrs);
	rt_puts(" cmd ");
	rt_put_dec(optee_rpc.cmds);
	rt_putc('\n');
}

/* Resources held when the VMM is killed. */
static void hold(void)
{
	uint32_t caps, threads, s, a0 = 0;
	struct optee_buf b, in, out;
	struct optee_msg_arg *m;

	optee_probe(&caps, &threads);
	rt_check(optee_buf_new(&b, 8) && optee_register(&b) == TEEC_SUCCESS,
		 "hold: REGISTER_SHM of 8 pages", 0);
	s = session_of(uuid_xform.b, "hold: open transform TA");
	echo(s, "hold: echo");
	s = session_of(uuid_slow.b, "hold: open slow TA");
	m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 1);
	m->session = s;
	m->func = TA_SLOW_CMD_SPIN;
	optee_param_value(&m->params[0], OPTEE_MSG_ATTR_TYPE_VALUE_INOUT,
			  1000000, 0, 0);
	a0 = optee_call_partly(m, 1);
	rt_check(a0 == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR,
		 "hold: a call left suspended in OP-TEE", a0);

	/* A second call suspended in an RPC, its payload buffer held. */
	s = session_of(uuid_rpc.b, "hold: open RPC TA");
	if (optee_buf_new(&in, 2) && optee_buf_new(&out, 2)) {
		m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
		m->session = s;
		m->func = TA_RPC_CMD_REVERSE;
		optee_param_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
				 &in, 0, 2 * PG);
		optee_param_value(&m->params[1], OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
				  0, OPTEE_RPC_SHM_TYPE_APPL, 0);
		optee_param_tmem(&m->params[2], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
				 &out, 0, 2 * PG);
		a0 = optee_call_until_supp(m);
	}
	rt_check(a0 == OPTEE_SMC_RETURN_RPC_CMD && optee_rpc.shm_allocs == 1,
		 "hold: a call left in an RPC with its payload buffer", a0);
	rt_mark("READY");
	for (;;)
		__asm__ volatile("wfi");
}

/*
 * Calls without end, each with fresh pages given back afterwards (no
 * buffer outlives a call here): the guest killed in the middle of one.
 */
static void busy(void)
{
	uint32_t caps, threads, s;
	uint64_t mark;

	optee_probe(&caps, &threads);
	s = session_of(uuid_xform.b, "busy: open transform TA");
	for (uint64_t i = 0;; i++) {
		mark = rt_heap_mark();
		echo(s, "busy: echo");
		xor_tmem(s);
		rt_heap_release(mark);
		if (i == 2)
			rt_mark("BUSY");
	}
}

/* ---- hostile ---- */

static uint32_t call_at(uint64_t ipa)
{
	struct smc_regs r;

	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
	r.a[1] = ipa >> 32;
	r.a[2] = ipa & 0xffffffffu;
	rt_smc(&r);
	return (uint32_t)r.a[0];
}

/* An invoke whose NONCONTIG tmem lists `bad` as a data page. */
static void bad_list_entry(uint32_t sess, uint64_t bad, const char *name)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 2);
	uint64_t pages[2] = {rt_page(), bad};
	struct optee_buf b = {.ipa = pages[0], .npages = 2};

	b.list = optee_list_build(pages, 2);
	m->session = sess;
	m->func = TA_CHECKSUM_CMD_FNV;
	optee_param_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, &b, 0,
			 2 * PG);
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	rt_check(optee_call(m) == OPTEE_SMC_RETURN_OK &&
			 m->ret == TEEC_ERROR_BAD_PARAMETERS &&
			 m->ret_origin == TEEC_ORIGIN_COMMS,
		 name, m->ret);
}

static void bad_list_page(uint32_t sess, uint64_t list, const char *name)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 2);

	m->session = sess;
	m->func = TA_CHECKSUM_CMD_FNV;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT |
			    OPTEE_MSG_ATTR_NONCONTIG;
	m->params[0].u.tmem.buf_ptr = list;
	m->params[0].u.tmem.size = PG;
	m->params[0].u.tmem.shm_ref = optee_new_cookie();
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	rt_check(optee_call(m) == OPTEE_SMC_RETURN_OK &&
			 m->ret == TEEC_ERROR_BAD_PARAMETERS &&
			 m->ret_origin == TEEC_ORIGIN_COMMS,
		 name, m->ret);
}

static void foreign_cookie(uint32_t sess, uint64_t cookie, const char *name)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 2);

	m->session = sess;
	m->func = TA_CHECKSUM_CMD_FNV;
	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.size = 64;
	m->params[0].u.rmem.shm_ref = cookie;
	m->params[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT;
	rt_check(optee_call(m) == OPTEE_SMC_RETURN_OK &&
			 m->ret == TEEC_ERROR_BAD_PARAMETERS &&
			 m->ret_origin == TEEC_ORIGIN_COMMS,
		 name, m->ret);
}

static void fast_refused(uint32_t fid, uint32_t want, const char *name)
{
	struct smc_regs r;

	memset(&r, 0, sizeof(r));
	r.a[0] = fid;
	r.a[1] = 1;
	rt_smc(&r);
	rt_check((uint32_t)r.a[0] == want, name, r.a[0]);
}

/* An RPC-heavy invoke whose RPC answers name memory not the guest's. */
static void bad_rpc_answer(uint64_t *knob, uint64_t bad, const char *name)
{
	uint32_t s = session_of(uuid_rpc.b, "hostile: open RPC TA");
	struct optee_buf in, out;
	struct optee_msg_arg *m;
	uint32_t a0;

	if (!optee_buf_new(&in, 1) || !optee_buf_new(&out, 1))
		return;
	m = optee_msg(OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	m->session = s;
	m->func = TA_RPC_CMD_REVERSE;
	optee_param_tmem(&m->params[0], OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, &in, 0,
			 100);
	optee_param_value(&m->params[1], OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, 0,
			  OPTEE_RPC_SHM_TYPE_APPL, 0);
	optee_param_tmem(&m->params[2], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, &out,
			 0, 100);
	*knob = bad;
	a0 = optee_call(m);
	*knob = 0;
	rt_check(a0 == OPTEE_SMC_RETURN_OK &&
			 m->ret == TEEC_ERROR_OUT_OF_MEMORY,
		 name, a0 == OPTEE_SMC_RETURN_OK ? m->ret : a0);
	rt_check(optee_close(s) == TEEC_SUCCESS, "hostile: close RPC TA", 0);
}

static void storm(uint64_t n)
{
	static const uint32_t bases[] = {0xb2000000u, 0xf2000000u, 0x32000000u,
					 0x72000000u};
	uint64_t answered = 0;
	struct smc_regs r;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t x = rt_rand();

		for (int k = 0; k < 8; k++)
			r.a[k] = rt_rand();
		/* Mostly OP-TEE's own functions, with garbage everywhere. */
		r.a[0] = bases[x & 3] | (uint32_t)((x >> 8) & 0x0f00001fu);
		if ((x >> 40) % 4 == 0) {
			/* an argument somewhere in or near guest RAM */
			r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
			r.a[1] = 0;
			r.a[2] = GUEST_RAM_BASE - 0x100000 +
				 ((x >> 12) % 0x1200000);
		} else if ((x >> 40) % 4 == 1) {
			r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		}
		rt_smc(&r);
		answered++;
	}
	rt_check(answered == n, "storm: every SMC was answered", answered);
}

static void hostile(uint64_t storm_n)
{
	uint32_t caps, threads, s, origin = 0;
	struct smc_regs r;

	optee_probe(&caps, &threads);
	s = session_of(uuid_checksum.b, "hostile: open checksum TA");

	/* Argument pages outside the VM's RAM. */
	rt_check(call_at(GUEST_RAM_BASE + GUEST_RAM_SIZE) ==
			 OPTEE_SMC_RETURN_EBADADDR,
		 "attack: argument beyond RAM refused (EBADADDR)", 0);
	rt_check(call_at(GUEST_TESTDEV) == OPTEE_SMC_RETURN_EBADADDR,
		 "attack: argument in MMIO refused (EBADADDR)", 0);
	rt_check(call_at(0) == OPTEE_SMC_RETURN_EBADADDR,
		 "attack: argument at IPA 0 refused (EBADADDR)", 0);
	rt_check(call_at(rt_page() + 8) == OPTEE_SMC_RETURN_EBADADDR,
		 "attack: unaligned argument refused (EBADADDR)", 0);
	rt_check(call_at(0x8000000000ull) == OPTEE_SMC_RETURN_EBADADDR,
		 "attack: argument at a huge IPA refused (EBADADDR)", 0);

	/* Page lists naming memory that is not the VM's RAM. */
	bad_list_entry(s, GUEST_RAM_BASE + GUEST_RAM_SIZE,
		       "attack: page-list entry beyond RAM refused");
	bad_list_entry(s, GUEST_TESTDEV, "attack: page-list entry in MMIO refused");
	bad_list_entry(s, 0, "attack: page-list entry at IPA 0 refused");
	bad_list_page(s, GUEST_TESTDEV, "attack: page list in MMIO refused");
	bad_list_page(s, GUEST_RAM_BASE + GUEST_RAM_SIZE + PG,
		      "attack: page list beyond RAM refused");

	/* Cookies of another VM (the honest guests use the same numbers). */
	foreign_cookie(s, 0x1040, "attack: rmem naming another VM's cookie refused");
	foreign_cookie(s, 0x1080, "attack: rmem naming a second foreign cookie refused");
	rt_check(optee_unregister(0x1040) == TEEC_ERROR_BAD_PARAMETERS,
		 "attack: UNREGISTER_SHM of a foreign cookie refused", 0);

	/* Other VMs' (and nobody's) OP-TEE threads. */
	for (uint32_t t = 0; t < 8; t++) {
		memset(&r, 0, sizeof(r));
		r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
		r.a[3] = t;
		rt_smc(&r);
		rt_check(r.a[0] == OPTEE_SMC_RETURN_ERESUME,
			 "attack: RETURN_FROM_RPC of a thread not ours refused (ERESUME)",
			 r.a[0]);
	}
	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
	r.a[3] = 0xffffffffu;
	rt_smc(&r);
	rt_check(r.a[0] == OPTEE_SMC_RETURN_ERESUME,
		 "attack: RETURN_FROM_RPC of thread 0xffffffff refused", r.a[0]);

	/* Functions only the hypervisor may call. */
	fast_refused(OPTEE_SMC_VM_CREATED, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
		     "attack: VM_CREATED from a guest refused");
	fast_refused(OPTEE_SMC_VM_DESTROYED, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
		     "attack: VM_DESTROYED of another VM refused");
	fast_refused(OPTEE_SMC_GET_SHM_CONFIG, OPTEE_SMC_RETURN_ENOTAVAIL,
		     "attack: GET_SHM_CONFIG (host PAs) refused");
	fast_refused(OPTEE_SMC_ENABLE_ASYNC_NOTIF,
		     OPTEE_SMC_RETURN_UNKNOWN_FUNCTION,
		     "attack: ENABLE_ASYNC_NOTIF refused");

	/* RPC answers naming memory that is not the VM's RAM. */
	bad_rpc_answer(&optee_bad_rpc_alloc, GUEST_TESTDEV,
		       "attack: RPC_ALLOC answered with MMIO refused");
	bad_rpc_answer(&optee_bad_rpc_alloc, GUEST_RAM_BASE + GUEST_RAM_SIZE,
		       "attack: RPC_ALLOC answered beyond RAM refused");
	bad_rpc_answer(&optee_bad_shm_list, GUEST_TESTDEV,
		       "attack: SHM_ALLOC answered with an MMIO page list refused");
	rpc_reverse(OPTEE_RPC_SHM_TYPE_APPL,
		    "after RPC attacks: RPC round trip works");

	storm(storm_n);

	/* The VM itself still works. */
	rt_check(optee_close(s) == TEEC_SUCCESS, "after attacks: close", 0);
	s = 0;
	rt_check(optee_open(uuid_xform.b, &s, &origin) == TEEC_SUCCESS,
		 "after attacks: open", origin);
	echo(s, "after attacks: echo");
	rt_check(optee_close(s) == TEEC_SUCCESS, "after attacks: close again",
		 0);
}

void guest_main(uint64_t mode, uint64_t arg);

void guest_main(uint64_t mode, uint64_t arg)
{
	rt_mmu_on();
	switch (mode) {
	case GUEST_MODE_HONEST:
		honest(arg, true);
		break;
	case GUEST_MODE_SMP:
		honest(arg, false);
		break;
	case GUEST_MODE_HOLD:
		hold();
		break;
	case GUEST_MODE_HOSTILE:
		hostile(arg ? arg : 2000);
		break;
	case GUEST_MODE_BUSY:
		busy();
		break;
	default:
		rt_check(false, "known mode", mode);
		break;
	}
	rt_exit(rt_failures());
}
