// SPDX-License-Identifier: BSD-2-Clause
/* The test guests' OP-TEE driver (optee.h). */
#include "optee.h"
#include "tas.h"

#define PG 4096u
#define MAX_SHM 256

struct optee_cpu optee_cpus[GUEST_MAX_CPUS];

/* Buffers the secure world asked for, by cookie; all vCPUs share them. */
static struct {
	uint64_t cookie;
	uint64_t ipa;
	uint64_t size;
} shm[MAX_SHM];
static uint32_t shm_lock;

static void lock(void)
{
	while (__atomic_exchange_n(&shm_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&shm_lock, 0, __ATOMIC_RELEASE);
}

/* vCPU 0's cookies are 0x1040, 0x1080, ...; vCPU n's start at n << 40. */
uint64_t optee_new_cookie(void)
{
	uint64_t *seq = &optee_me->cookie_seq;

	if (!*seq)
		*seq = ((uint64_t)rt_cpu() << 40) + 0x1000;
	*seq += 0x40;
	return *seq;
}

static uint64_t pair(uint64_t hi, uint64_t lo)
{
	return (hi << 32) | (lo & 0xffffffffu);
}

static void set_pair(uint64_t v, uint64_t *hi, uint64_t *lo)
{
	*hi = v >> 32;
	*lo = v & 0xffffffffu;
}

static void fast(struct smc_regs *r, uint32_t fid, uint64_t a1)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = fid;
	r->a[1] = a1;
	rt_smc(r);
}

bool optee_probe(uint32_t *caps, uint32_t *threads)
{
	struct smc_regs r;
	bool ok = true;

	fast(&r, OPTEE_SMC_CALLS_UID, 0);
	ok &= rt_check(r.a[0] == OPTEE_MSG_UID_0 && r.a[1] == OPTEE_MSG_UID_1 &&
			       r.a[2] == OPTEE_MSG_UID_2 &&
			       r.a[3] == OPTEE_MSG_UID_3,
		       "probe: CALLS_UID is OP-TEE's", r.a[0]);
	fast(&r, OPTEE_SMC_CALLS_REVISION, 0);
	ok &= rt_check(r.a[0] == OPTEE_MSG_REVISION_MAJOR,
		       "probe: message revision 2", r.a[0]);
	fast(&r, OPTEE_SMC_CALL_GET_OS_REVISION, 0);
	rt_puts("OP-TEE revision ");
	rt_put_dec(r.a[0]);
	rt_putc('.');
	rt_put_dec(r.a[1]);
	rt_putc('\n');
	fast(&r, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0);
	*caps = (uint32_t)r.a[1];
	ok &= rt_check(r.a[0] == OPTEE_SMC_RETURN_OK &&
			       (r.a[1] & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM),
		       "probe: EXCHANGE_CAPABILITIES offers dynamic SHM",
		       r.a[1]);
	fast(&r, OPTEE_SMC_GET_THREAD_COUNT, 0);
	*threads = (uint32_t)r.a[1];
	ok &= rt_check(r.a[0] == OPTEE_SMC_RETURN_OK && r.a[1] >= 1,
		       "probe: GET_THREAD_COUNT", r.a[0]);
	fast(&r, OPTEE_SMC_ENABLE_SHM_CACHE, 0);
	ok &= rt_check(r.a[0] == OPTEE_SMC_RETURN_OK, "probe: ENABLE_SHM_CACHE",
		       r.a[0]);
	return ok;
}

struct optee_msg_arg *optee_msg(uint32_t cmd, uint32_t num_params)
{
	uint64_t page = rt_page();
	struct optee_msg_arg *m;

	if (!page)
		return 0;
	m = ipa_ptr(page);
	m->cmd = cmd;
	m->num_params = num_params;
	return m;
}

uint64_t optee_list_build(const uint64_t *pages, uint32_t n)
{
	uint32_t nl = (n + OPTEE_MSG_PAGELIST_ENTRIES - 1) /
		      OPTEE_MSG_PAGELIST_ENTRIES;
	uint64_t first = rt_pages(nl ? nl : 1);

	if (!first)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t *l = ipa_ptr(first + (i / OPTEE_MSG_PAGELIST_ENTRIES) * PG);

		l[i % OPTEE_MSG_PAGELIST_ENTRIES] = pages[i];
		/* Linux always writes the next pointer of a full page. */
		if (i % OPTEE_MSG_PAGELIST_ENTRIES ==
		    OPTEE_MSG_PAGELIST_ENTRIES - 1)
			l[OPTEE_MSG_PAGELIST_NEXT_SLOT] =
				first + (i / OPTEE_MSG_PAGELIST_ENTRIES + 1) * PG;
	}
	return first;
}

bool optee_buf_new(struct optee_buf *b, uint32_t npages)
{
	uint64_t pages[64];

	if (npages > 64)
		return false;
	b->ipa = rt_pages(npages);
	if (!b->ipa)
		return false;
	b->npages = npages;
	for (uint32_t i = 0; i < npages; i++)
		pages[i] = b->ipa + (uint64_t)i * PG;
	b->list = optee_list_build(pages, npages);
	b->cookie = optee_new_cookie();
	return b->list != 0;
}

void optee_param_tmem(struct optee_msg_param *p, uint32_t type,
		      const struct optee_buf *b, uint32_t off, uint64_t size)
{
	p->attr = type | OPTEE_MSG_ATTR_NONCONTIG;
	p->u.tmem.buf_ptr = b->list | off;
	p->u.tmem.size = size;
	p->u.tmem.shm_ref = optee_new_cookie();
}

void optee_param_value(struct optee_msg_param *p, uint32_t type, uint64_t a,
		       uint64_t b, uint64_t c)
{
	p->attr = type;
	p->u.value.a = a;
	p->u.value.b = b;
	p->u.value.c = c;
}

/* ---- RPCs ---- */

static int slot_locked(uint64_t cookie)
{
	for (int i = 0; i < MAX_SHM; i++)
		if (shm[i].cookie == cookie)
			return i;
	return -1;
}

static int shm_slot(uint64_t cookie)
{
	int i;

	lock();
	i = slot_locked(cookie);
	unlock();
	return i;
}

/* Forget a buffer; false if the cookie is not (or no longer) known. */
static bool shm_drop(uint64_t cookie)
{
	int i;

	lock();
	i = slot_locked(cookie);
	if (i >= 0)
		shm[i].cookie = 0;
	unlock();
	return i >= 0;
}

static void shm_add(uint64_t cookie, uint64_t ipa, uint64_t size)
{
	int i;

	lock();
	i = slot_locked(0);
	if (i >= 0) {
		shm[i].ipa = ipa;
		shm[i].size = size;
		shm[i].cookie = cookie;
	}
	unlock();
}

static void rpc_shm_alloc(struct optee_msg_arg *m)
{
	struct optee_msg_param *p = &m->params[0];
	uint64_t size = p->u.value.b;
	uint32_t n = (uint32_t)((size + PG - 1) / PG);
	uint64_t pages[64], ipa, list, cookie;

	if (m->num_params != 1 || !size || n > 64 ||
	    (p->u.value.a != OPTEE_RPC_SHM_TYPE_APPL &&
	     p->u.value.a != OPTEE_RPC_SHM_TYPE_KERNEL)) {
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	ipa = rt_pages(n);
	for (uint32_t i = 0; i < n; i++)
		pages[i] = ipa + (uint64_t)i * PG;
	/* Like Linux: one kernel page is passed as is, else a page list. */
	if (optee_bad_shm_list)
		list = optee_bad_shm_list;
	else if (p->u.value.a == OPTEE_RPC_SHM_TYPE_KERNEL && n == 1)
		list = ipa;
	else
		list = ipa ? optee_list_build(pages, n) : 0;
	if (!list) {
		m->ret = TEEC_ERROR_OUT_OF_MEMORY;
		return;
	}
	cookie = optee_new_cookie();
	shm_add(cookie, ipa, size);
	p->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
	if (list != ipa)
		p->attr |= OPTEE_MSG_ATTR_NONCONTIG;
	p->u.tmem.buf_ptr = list;
	p->u.tmem.size = size;
	p->u.tmem.shm_ref = cookie;
	optee_rpc.shm_allocs++;
	m->ret = TEEC_SUCCESS;
}

static void rpc_shm_free(struct optee_msg_arg *m)
{
	if (m->num_params != 1 || !shm_drop(m->params[0].u.value.b)) {
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	optee_rpc.shm_frees++;
	m->ret = TEEC_SUCCESS;
}

/* The test TA's "supplicant": reverse the payload in place. */
static void rpc_supp(struct optee_msg_arg *m)
{
	struct optee_msg_param *p = m->params;
	uint64_t offs, size;
	uint8_t *buf;
	int i;

	if (m->num_params < 2 || p[0].u.value.a != TA_RPC_SUPP_REVERSE ||
	    (p[1].attr & OPTEE_MSG_ATTR_TYPE_MASK) !=
		    OPTEE_MSG_ATTR_TYPE_RMEM_INOUT) {
		m->ret = TEEC_ERROR_NOT_SUPPORTED;
		return;
	}
	i = shm_slot(p[1].u.rmem.shm_ref);
	offs = p[1].u.rmem.offs;
	size = p[1].u.rmem.size;
	if (i < 0 || offs > shm[i].size || size > shm[i].size - offs) {
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	buf = ipa_ptr(shm[i].ipa + offs);
	for (uint64_t k = 0; k < size / 2; k++) {
		uint8_t t = buf[k];

		buf[k] = buf[size - 1 - k];
		buf[size - 1 - k] = t;
	}
	optee_rpc.supp++;
	m->ret = TEEC_SUCCESS;
}

static void rpc_cmd(struct smc_regs *r)
{
	uint64_t ck = pair(r->a[1], r->a[2]);
	int i = shm_slot(ck);
	struct optee_msg_arg *m;

	optee_rpc.cmds++;
	if (i < 0) {
		optee_rpc.unknown++;
		return;
	}
	m = ipa_ptr(shm[i].ipa);
	if (m->num_params > OPTEE_RPC_MAX_NUM_PARAMS) {
		m->ret = TEEC_ERROR_BAD_PARAMETERS;
		return;
	}
	switch (m->cmd) {
	case OPTEE_RPC_CMD_SHM_ALLOC:
		rpc_shm_alloc(m);
		break;
	case OPTEE_RPC_CMD_SHM_FREE:
		rpc_shm_free(m);
		break;
	case TA_RPC_SUPP_CMD:
		rpc_supp(m);
		break;
	case OPTEE_RPC_CMD_GET_TIME:
		m->params[0].u.value.a = 0;
		m->params[0].u.value.b = 0;
		m->ret = TEEC_SUCCESS;
		break;
	default:
		m->ret = TEEC_ERROR_NOT_SUPPORTED;
		break;
	}
}

int optee_disable_cache(void)
{
	struct smc_regs r;
	int n = 0;

	for (;;) {
		fast(&r, OPTEE_SMC_DISABLE_SHM_CACHE, 0);
		if (r.a[0] == OPTEE_SMC_RETURN_ENOTAVAIL)
			return n;
		if (r.a[0] != OPTEE_SMC_RETURN_OK || n > MAX_SHM)
			return -1;
		if (!shm_drop(pair(r.a[1], r.a[2])))
			return -1;
		n++;
	}
}

/* Serve the RPC in r and turn r into the RETURN_FROM_RPC. */
static void rpc_serve(struct smc_regs *r)
{
	uint64_t page, cookie;

	switch (r->a[0] & OPTEE_SMC_RETURN_RPC_FUNC_MASK) {
	case OPTEE_SMC_RPC_FUNC_ALLOC:
		optee_rpc.allocs++;
		page = (r->a[1] & 0xffffffffu) <= PG ? rt_page() : 0;
		if (page && optee_bad_rpc_alloc)
			page = optee_bad_rpc_alloc;
		cookie = page ? optee_new_cookie() : 0;
		if (page)
			shm_add(cookie, page, PG);
		set_pair(page, &r->a[1], &r->a[2]);
		set_pair(cookie, &r->a[4], &r->a[5]);
		break;
	case OPTEE_SMC_RPC_FUNC_FREE:
		optee_rpc.frees++;
		if (!shm_drop(pair(r->a[1], r->a[2])) && !optee_bad_rpc_alloc)
			optee_rpc.unknown++;
		break;
	case OPTEE_SMC_RPC_FUNC_FOREIGN_INTR:
		optee_rpc.intrs++;
		break;
	case OPTEE_SMC_RPC_FUNC_CMD:
		rpc_cmd(r);
		break;
	default:
		break;
	}
	r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
}

/* Whether r is the RPC_CMD of the test TA's supplicant command. */
static bool is_supp_cmd(const struct smc_regs *r)
{
	int i;

	if ((r->a[0] & OPTEE_SMC_RETURN_RPC_FUNC_MASK) != OPTEE_SMC_RPC_FUNC_CMD)
		return false;
	i = shm_slot(pair(r->a[1], r->a[2]));
	return i >= 0 &&
	       ((struct optee_msg_arg *)ipa_ptr(shm[i].ipa))->cmd ==
		       TA_RPC_SUPP_CMD;
}

static uint32_t call(struct optee_msg_arg *m, uint32_t intrs, bool stop_supp)
{
	uint64_t ipa = (uint64_t)(uintptr_t)m;
	struct smc_regs r;
	uint32_t seen = 0;

	memset(&r, 0, sizeof(r));
	r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
	set_pair(ipa, &r.a[1], &r.a[2]);
	for (;;) {
		rt_smc(&r);
		if (!OPTEE_SMC_RETURN_IS_RPC(r.a[0]))
			return (uint32_t)r.a[0];
		if ((r.a[0] & OPTEE_SMC_RETURN_RPC_FUNC_MASK) ==
			    OPTEE_SMC_RPC_FUNC_FOREIGN_INTR &&
		    ++seen > intrs)
			return (uint32_t)r.a[0];
		if (stop_supp && is_supp_cmd(&r))
			return (uint32_t)r.a[0];
		rpc_serve(&r);
	}
}

uint32_t optee_call_partly(struct optee_msg_arg *m, uint32_t intrs)
{
	return call(m, intrs, false);
}

uint32_t optee_call_until_supp(struct optee_msg_arg *m)
{
	return call(m, 0xffffffffu, true);
}

uint32_t optee_call(struct optee_msg_arg *m)
{
	return optee_call_partly(m, 0xffffffffu);
}

uint32_t optee_open(const uint8_t uuid[16], uint32_t *session,
		    uint32_t *origin)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_OPEN_SESSION, 2);
	uint32_t a0;
	uint64_t lo, hi;

	if (!m)
		return TEEC_ERROR_OUT_OF_MEMORY;
	memcpy(&lo, uuid, 8);
	memcpy(&hi, uuid + 8, 8);
	optee_param_value(&m->params[0],
			  OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META,
			  lo, hi, 0);
	optee_param_value(&m->params[1],
			  OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META,
			  0, 0, OPTEE_MSG_LOGIN_PUBLIC);
	a0 = optee_call(m);
	*origin = m->ret_origin;
	if (a0 != OPTEE_SMC_RETURN_OK)
		return 0x80000000u | a0;
	*session = m->session;
	return m->ret;
}

uint32_t optee_close(uint32_t session)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_CLOSE_SESSION, 0);
	uint32_t a0;

	m->session = session;
	a0 = optee_call(m);
	return a0 != OPTEE_SMC_RETURN_OK ? 0x80000000u | a0 : m->ret;
}

uint32_t optee_register(const struct optee_buf *b)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_REGISTER_SHM, 1);
	uint32_t a0;

	m->params[0].attr =
		OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
	m->params[0].u.tmem.buf_ptr = b->list;
	m->params[0].u.tmem.size = (uint64_t)b->npages * PG;
	m->params[0].u.tmem.shm_ref = b->cookie;
	a0 = optee_call(m);
	return a0 != OPTEE_SMC_RETURN_OK ? 0x80000000u | a0 : m->ret;
}

uint32_t optee_unregister(uint64_t cookie)
{
	struct optee_msg_arg *m = optee_msg(OPTEE_MSG_CMD_UNREGISTER_SHM, 1);
	uint32_t a0;

	m->params[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
	m->params[0].u.rmem.shm_ref = cookie;
	a0 = optee_call(m);
	return a0 != OPTEE_SMC_RETURN_OK ? 0x80000000u | a0 : m->ret;
}
