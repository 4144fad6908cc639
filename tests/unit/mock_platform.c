/* SPDX-License-Identifier: BSD-2-Clause */
#include "mock_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_MAGIC 0x10c4u

struct mock_state mock;
struct mock_fx fx;

/* Host RAM; 4 KiB aligned so a PA's low bits match the pointer's. */
static _Alignas(4096) uint8_t ram[MOCK_RAM_PAGES][MOCK_PAGE];

/* ------------------------------------------------------------------ */
/* Address helpers                                                      */
/* ------------------------------------------------------------------ */

static uint64_t page_pa(uint32_t idx)
{
	return MOCK_PA_BASE + (uint64_t)idx * MOCK_PAGE;
}

/* Host page index of `pa`, or -1 when it is not RAM. */
static int64_t pa_index(uint64_t pa)
{
	if (pa < MOCK_PA_BASE)
		return -1;
	pa -= MOCK_PA_BASE;
	if (pa / MOCK_PAGE >= MOCK_RAM_PAGES)
		return -1;
	return (int64_t)(pa / MOCK_PAGE);
}

static int64_t ipa_index(uint64_t ipa)
{
	if (ipa < MOCK_IPA_BASE)
		return -1;
	ipa -= MOCK_IPA_BASE;
	if (ipa / MOCK_PAGE >= MOCK_GUEST_PAGES)
		return -1;
	return (int64_t)(ipa / MOCK_PAGE);
}

void mock_ipa_set(int vm, uint64_t ipa, enum mock_ipa_kind kind)
{
	int64_t i = ipa_index(ipa);

	assert_true(i >= 0);
	mock.vm[vm].kind[i] = (uint8_t)kind;
}

uint64_t mock_guest_pa(int vm, uint64_t ipa)
{
	int64_t i = ipa_index(ipa);

	assert_true(i >= 0);
	return page_pa(mock.vm[vm].page[i]) | (ipa & (MOCK_PAGE - 1));
}

void *mock_guest_ptr(int vm, uint64_t ipa)
{
	return mock_pa_ptr(mock_guest_pa(vm, ipa));
}

void *mock_pa_ptr(uint64_t pa)
{
	int64_t i = pa_index(pa);

	assert_true(i >= 0);
	return &ram[i][pa & (MOCK_PAGE - 1)];
}

bool mock_pa_is_mediator(uint64_t pa)
{
	int64_t i = pa_index(pa);

	return i >= 0 && mock.page[i].owner == MOCK_OWNER_MEDIATOR;
}

bool mock_pa_was_mediator(uint64_t pa)
{
	int64_t i = pa_index(pa);

	return i >= 0 && mock.page[i].was_mediator;
}

uint32_t mock_pa_pins(uint64_t pa)
{
	int64_t i = pa_index(pa);

	assert_true(i >= 0);
	return mock.page[i].pins;
}

int32_t mock_pa_owner(uint64_t pa)
{
	int64_t i = pa_index(pa);

	return i >= 0 ? mock.page[i].owner : MOCK_OWNER_FREE;
}

static int vm_of_hv(void *hv)
{
	struct mock_vm *v = hv;

	assert_non_null(v);
	assert_true(v >= mock.vm && v < mock.vm + MOCK_MAX_VMS);
	return (int)(v - mock.vm);
}

static int vm_of_client(uint64_t client)
{
	for (int i = 0; i < MOCK_MAX_VMS; i++)
		if (mock.vm[i].client_id && mock.vm[i].client_id == client)
			return i;
	fail_msg("SMC with client id %llu that belongs to no VM",
		 (unsigned long long)client);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Platform callbacks                                                   */
/* ------------------------------------------------------------------ */

static bool take_failure(int32_t *countdown)
{
	if (*countdown < 0)
		return false;
	if (*countdown == 0)
		return true;
	(*countdown)--;
	return false;
}

static int m_pin(void *ctx, void *vm, teemed_ipa_t ipa, unsigned int flags,
		 teemed_pa_t *pa)
{
	int v = vm_of_hv(vm);
	uint64_t addr = teemed_ipa_addr(ipa);
	int64_t i;
	uint32_t idx;

	assert_ptr_equal(ctx, &mock);
	assert_int_equal(addr & (MOCK_PAGE - 1), 0);
	assert_int_equal(flags & ~TEEMED_PIN_WRITE, 0);
	i = ipa_index(addr);
	if (i < 0)
		return TEEMED_ERR_FAULT;
	switch (mock.vm[v].kind[i]) {
	case MOCK_IPA_RAM:
		break;
	case MOCK_IPA_RO:
		if (flags & TEEMED_PIN_WRITE)
			return TEEMED_ERR_FAULT;
		break;
	default:
		return TEEMED_ERR_FAULT;
	}
	idx = mock.vm[v].page[i];
	assert_int_equal(mock.page[idx].owner, v);
	mock.page[idx].pins++;
	mock.pins++;
	mock.pin_calls++;
	*pa = teemed_pa(page_pa(idx));
	return TEEMED_OK;
}

static void m_unpin(void *ctx, void *vm, teemed_pa_t pa)
{
	int v = vm_of_hv(vm);
	int64_t i = pa_index(teemed_pa_addr(pa));

	assert_true(i >= 0);
	assert_int_equal(teemed_pa_addr(pa) & (MOCK_PAGE - 1), 0);
	assert_int_equal(mock.page[i].owner, v);
	assert_true(mock.page[i].pins > 0);
	mock.page[i].pins--;
	/* Nothing may stay mapped once the last pin is gone. */
	if (!mock.page[i].pins)
		assert_int_equal(mock.page[i].maps, 0);
	mock.pins--;
	mock.unpin_calls++;
}

static int m_alloc_page(void *ctx, void *vm, teemed_pa_t *pa)
{
	uint32_t idx;

	if (take_failure(&mock.page_fail_after) || !mock.med_free_count)
		return TEEMED_ERR_NOMEM;
	idx = mock.med_free[--mock.med_free_count];
	assert_int_equal(mock.page[idx].owner, MOCK_OWNER_FREE);
	mock.page[idx].owner = MOCK_OWNER_MEDIATOR;
	mock.page[idx].was_mediator = true;
	/* Contents are unspecified: make reliance on zeroes visible. */
	memset(ram[idx], 0xA5, MOCK_PAGE);
	if (vm)
		mock.med_pages++;
	else
		mock.inst_pages++;
	mock.page_allocs++;
	*pa = teemed_pa(page_pa(idx));
	return TEEMED_OK;
}

static void m_free_page(void *ctx, void *vm, teemed_pa_t pa)
{
	int64_t i = pa_index(teemed_pa_addr(pa));

	assert_true(i >= 0);
	assert_int_equal(mock.page[i].owner, MOCK_OWNER_MEDIATOR);
	assert_int_equal(mock.page[i].maps, 0);
	mock.page[i].owner = MOCK_OWNER_FREE;
	mock.med_free[mock.med_free_count++] = (uint32_t)i;
	if (vm)
		mock.med_pages--;
	else
		mock.inst_pages--;
}

static void *m_alloc_obj(void *ctx, void *vm, size_t size)
{
	void *p;

	assert_true(size > 0 && size <= TEEMED_PAGE_SIZE);
	if (take_failure(&mock.obj_fail_after))
		return NULL;
	/* Dirty, as alloc_obj promises no contents. */
	p = malloc(size);
	assert_non_null(p);
	memset(p, 0x5c, size);
	for (int i = 0; i < MOCK_MAX_OBJS; i++) {
		if (!mock.obj[i].p) {
			mock.obj[i].p = p;
			mock.obj[i].size = size;
			mock.objs++;
			mock.obj_bytes += size;
			mock.obj_allocs++;
			return p;
		}
	}
	fail_msg("too many objects");
	return NULL;
}

static void m_free_obj(void *ctx, void *vm, void *obj, size_t size)
{
	for (int i = 0; i < MOCK_MAX_OBJS; i++) {
		if (mock.obj[i].p == obj) {
			assert_int_equal(mock.obj[i].size, size);
			mock.obj[i].p = NULL;
			mock.objs--;
			mock.obj_bytes -= size;
			free(obj);
			return;
		}
	}
	fail_msg("free_obj of an unknown object %p", obj);
}

static void *m_map(void *ctx, teemed_pa_t pa)
{
	int64_t i = pa_index(teemed_pa_addr(pa));

	assert_true(i >= 0);
	assert_int_equal(teemed_pa_addr(pa) & (MOCK_PAGE - 1), 0);
	/* Only the core's own pages and pages it pinned. */
	assert_true(mock.page[i].owner == MOCK_OWNER_MEDIATOR ||
		    (mock.page[i].owner >= 0 && mock.page[i].pins > 0));
	mock.page[i].maps++;
	mock.maps++;
	return ram[i];
}

static void m_unmap(void *ctx, void *va)
{
	/* Addresses, not pointers: ram[0] + sizeof(ram) is outside ram[0]. */
	uintptr_t p = (uintptr_t)va, base = (uintptr_t)ram;
	size_t i;

	assert_true(p >= base && p < base + sizeof(ram));
	assert_int_equal((p - base) % MOCK_PAGE, 0);
	i = (p - base) / MOCK_PAGE;
	assert_true(mock.page[i].maps > 0);
	mock.page[i].maps--;
	mock.maps--;
}

static const struct teemed_regs *log_slot(struct teemed_regs *log)
{
	return &log[(mock.smc_count - 1) % MOCK_SMC_LOG];
}

static void m_smc(void *ctx, struct teemed_regs *r)
{
	/* An SMC may run for long: never under a teemed lock. */
	assert_int_equal(mock.locks_held, 0);
	if (r->a[0] & OPTEE_SMC_SVE_HINT)
		fail_msg("function id %#llx reaches the secure world with the "
			 "SVE hint set",
			 (unsigned long long)r->a[0]);
	for (int i = 0; i < 8; i++)
		if (r->a[i] >> 32)
			fail_msg(
				"a%d = %#llx reaches the secure world with its "
				"upper half set",
				i, (unsigned long long)r->a[i]);
	mock.smc_count++;
	mock.smc_in[(mock.smc_count - 1) % MOCK_SMC_LOG] = *r;
	if (r->a[7] == OPTEE_HYP_CLNT_ID) {
		assert_non_null(mock.hyp);
		mock.hyp(r);
	} else {
		mock.sw_count++;
		assert_non_null(mock.sw);
		mock.sw(r);
	}
	mock.smc_out[(mock.smc_count - 1) % MOCK_SMC_LOG] = *r;
}

const struct teemed_regs *mock_last_in(void)
{
	assert_true(mock.smc_count > 0);
	return log_slot(mock.smc_in);
}

static void *m_lock_create(void *ctx)
{
	if (take_failure(&mock.lock_fail_after))
		return NULL;
	for (int i = 0; i < MOCK_MAX_LOCKS; i++) {
		if (!mock.lock[i].magic) {
			mock.lock[i].magic = LOCK_MAGIC;
			mock.lock[i].held = false;
			mock.locks++;
			return &mock.lock[i];
		}
	}
	fail_msg("too many locks");
	return NULL;
}

static struct mock_lock *lock_of(void *l)
{
	struct mock_lock *m = l;

	assert_true(m >= mock.lock && m < mock.lock + MOCK_MAX_LOCKS);
	assert_int_equal(m->magic, LOCK_MAGIC);
	return m;
}

static void m_lock_destroy(void *ctx, void *l)
{
	struct mock_lock *m = lock_of(l);

	assert_false(m->held);
	m->magic = 0;
	mock.locks--;
}

static void m_lock(void *ctx, void *l)
{
	struct mock_lock *m = lock_of(l);

	/* One thread: a held lock here would deadlock; two never nest. */
	assert_false(m->held);
	assert_int_equal(mock.locks_held, 0);
	m->held = true;
	mock.locks_held++;
	mock.lock_acquires++;
}

static void m_unlock(void *ctx, void *l)
{
	struct mock_lock *m = lock_of(l);

	assert_true(m->held);
	m->held = false;
	mock.locks_held--;
	mock.lock_releases++;
}

static void m_log(void *ctx, void *vm, enum teemed_log_level level,
		  const char *msg, uint64_t v1, uint64_t v2)
{
	assert_non_null(msg);
}

const struct teemed_platform mock_platform = {
	.ctx = &mock,
	.pin_guest_page = m_pin,
	.unpin_guest_page = m_unpin,
	.alloc_page = m_alloc_page,
	.free_page = m_free_page,
	.alloc_obj = m_alloc_obj,
	.free_obj = m_free_obj,
	.map = m_map,
	.unmap = m_unmap,
	.smc = m_smc,
	.lock_create = m_lock_create,
	.lock_destroy = m_lock_destroy,
	.lock = m_lock,
	.unlock = m_unlock,
	.log = m_log,
};

/* ------------------------------------------------------------------ */
/* Fake secure world                                                    */
/* ------------------------------------------------------------------ */

void mock_fake_hyp(struct teemed_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];

	switch (fid) {
	case OPTEE_SMC_CALLS_UID:
		r->a[0] = mock.uid[0];
		r->a[1] = mock.uid[1];
		r->a[2] = mock.uid[2];
		r->a[3] = mock.uid[3];
		break;
	case OPTEE_SMC_CALLS_REVISION:
		r->a[0] = mock.rev_major;
		r->a[1] = 7;
		break;
	case OPTEE_SMC_CALL_GET_OS_REVISION:
		r->a[0] = 4;
		r->a[1] = 10;
		r->a[2] = 0x1234abcd;
		break;
	case OPTEE_SMC_EXCHANGE_CAPABILITIES:
		assert_int_equal(r->a[1], 0);
		r->a[0] = mock.caps_a0;
		r->a[1] = mock.caps;
		/* OP-TEE writes a2 only with ASYNC_NOTIF (§2.12). */
		r->a[2] =
			(mock.caps & OPTEE_SMC_SEC_CAP_ASYNC_NOTIF) ? 0x55 : 0;
		r->a[3] = 4;
		break;
	case OPTEE_SMC_GET_THREAD_COUNT:
		r->a[0] = mock.threads_a0;
		r->a[1] = mock.threads;
		break;
	case OPTEE_SMC_VM_CREATED:
		mock.vm_created_calls++;
		r->a[0] = mock.vm_created_a0;
		break;
	case OPTEE_SMC_VM_DESTROYED:
		mock.vm_destroyed_calls++;
		mock.unpins_at_destroyed = (uint32_t)mock.unpin_calls;
		mock.pins_at_destroyed = mock.pins;
		r->a[0] = mock.vm_destroyed_a0;
		if (mock.vm_destroyed_a0 == OPTEE_SMC_RETURN_OK)
			for (int i = 0; i < MOCK_MAX_THREADS; i++)
				if (mock.thread[i].client_id == r->a[1])
					mock.thread[i].busy = false;
		break;
	default:
		fail_msg("hypervisor SMC %#x unexpected", fid);
	}
}

/* Check and record the page lists OP-TEE would read (spec §4.2). */
static void record_lists(const struct optee_msg_arg *arg, int v)
{
	for (uint32_t i = 0; i < arg->num_params && i < MOCK_SEEN_PARAMS; i++) {
		const struct optee_msg_param *p = &arg->params[i];
		uint32_t type = (uint32_t)(p->attr & OPTEE_MSG_ATTR_TYPE_MASK);
		uint64_t bp = p->u.tmem.buf_ptr;
		uint64_t off, n, list;
		const uint64_t *entries = NULL;

		mock.seen_pages[i] = 0;
		mock.seen_list_pages[i] = 0;
		if (type < OPTEE_MSG_ATTR_TYPE_TMEM_INPUT ||
		    type > OPTEE_MSG_ATTR_TYPE_TMEM_INOUT || bp == 0)
			continue;
		if (!(p->attr & OPTEE_MSG_ATTR_NONCONTIG))
			fail_msg("contiguous tmem %#llx reached OP-TEE",
				 (unsigned long long)bp);
		off = bp & (MOCK_PAGE - 1);
		list = bp - off;
		/* OP-TEE's count: size 0 is one page at a non-zero offset. */
		assert_true(p->u.tmem.size + off > 0);
		n = (p->u.tmem.size + off - 1) / MOCK_PAGE + 1;
		for (uint64_t j = 0; j < n; j++) {
			uint64_t pa;

			if (j % OPTEE_MSG_PAGELIST_ENTRIES == 0) {
				if (j)
					list = entries
						[OPTEE_MSG_PAGELIST_NEXT_SLOT];
				if (!mock_pa_is_mediator(list))
					fail_msg("list page %#llx of param %u "
						 "is "
						 "not the mediator's",
						 (unsigned long long)list, i);
				assert_int_equal(list & (MOCK_PAGE - 1), 0);
				entries = mock_pa_ptr(list);
				mock.seen_list_pages[i]++;
			}
			pa = entries[j % OPTEE_MSG_PAGELIST_ENTRIES];
			assert_int_equal(pa & (MOCK_PAGE - 1), 0);
			if (mock_pa_owner(pa) != v || !mock_pa_pins(pa))
				fail_msg("page %#llx of param %u is not pinned "
					 "for the calling VM",
					 (unsigned long long)pa, i);
			if (j < MOCK_SEEN_PAGES)
				mock.seen_pa[i][j] = pa;
		}
		mock.seen_pages[i] = (uint32_t)n;
	}
}

static void complete(struct mock_thread *th, struct teemed_regs *r)
{
	struct optee_msg_arg *arg = mock_pa_ptr(th->arg_pa);

	if (mock.on_msg) {
		mock.on_msg(arg, th->client_id);
	} else {
		arg->ret = mock.msg_ret;
		arg->ret_origin = mock.msg_origin;
	}
	th->busy = false;
	r->a[0] = mock.call_a0;
	r->a[1] = 0;
	r->a[2] = 0;
	r->a[3] = 0;
}

static void pause_thread(struct mock_thread *th, struct teemed_regs *r)
{
	th->pauses_left--;
	r->a[0] = mock.rpc_a0;
	r->a[1] = 0;
	r->a[2] = 0;
	r->a[3] = mock.thread_base + (uint32_t)(th - mock.thread);
}

static void fake_fast(struct teemed_regs *r)
{
	switch ((uint32_t)r->a[0]) {
	case OPTEE_SMC_CALLS_UID:
	case OPTEE_SMC_CALLS_REVISION:
	case OPTEE_SMC_CALL_GET_OS_REVISION:
		mock_fake_hyp(r);
		break;
	case OPTEE_SMC_EXCHANGE_CAPABILITIES:
		if (r->a[1] & ~(uint64_t)OPTEE_SMC_NSEC_CAP_UNIPROCESSOR) {
			r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
			break;
		}
		r->a[0] = mock.caps_a0;
		r->a[1] = mock.caps;
		r->a[2] = 0x55;
		r->a[3] = 4;
		break;
	case OPTEE_SMC_ENABLE_SHM_CACHE:
		r->a[0] = OPTEE_SMC_RETURN_OK;
		break;
	case OPTEE_SMC_DISABLE_SHM_CACHE:
		r->a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
		break;
	case OPTEE_SMC_ENABLE_ASYNC_NOTIF:
		assert_int_equal(r->a[1], 0);
		mock.notif_started[vm_of_client(r->a[7])] = true;
		r->a[0] = OPTEE_SMC_RETURN_OK;
		break;
	case OPTEE_SMC_GET_ASYNC_NOTIF_VALUE: {
		uint64_t *bits = &mock.notif_values[vm_of_client(r->a[7])];
		uint32_t v = 0;

		mock.notif_gets++;
		r->a[0] = OPTEE_SMC_RETURN_OK;
		r->a[1] = 0;
		r->a[2] = 0;
		if (mock.notif_always_pending) {
			r->a[1] = 1;
			r->a[2] = OPTEE_SMC_ASYNC_NOTIF_VALID |
				  OPTEE_SMC_ASYNC_NOTIF_PENDING;
			break;
		}
		if (!*bits)
			break;
		while (!(*bits & (1ull << v)))
			v++;
		*bits &= ~(1ull << v);
		r->a[1] = v;
		r->a[2] = OPTEE_SMC_ASYNC_NOTIF_VALID |
			  (*bits ? OPTEE_SMC_ASYNC_NOTIF_PENDING : 0);
		break;
	}
	default:
		fail_msg("fast call %#llx should not reach OP-TEE",
			 (unsigned long long)r->a[0]);
	}
}

void mock_fake_optee(struct teemed_regs *r)
{
	uint32_t fid = (uint32_t)r->a[0];
	int v = vm_of_client(r->a[7]);
	struct mock_thread *th = NULL;

	if (mock.on_enter)
		mock.on_enter(r);
	if (fid & OPTEE_SMC_FAST_CALL) {
		fake_fast(r);
		return;
	}
	if (fid == OPTEE_SMC_CALL_WITH_ARG ||
	    fid == OPTEE_SMC_CALL_WITH_RPC_ARG) {
		uint64_t pa = (r->a[1] << 32) | r->a[2];
		uint32_t busy = 0;

		mock.calls_seen++;
		mock.seen_fid = fid;
		if (!mock_pa_is_mediator(pa))
			fail_msg("argument %#llx is not a mediator page",
				 (unsigned long long)pa);
		assert_int_equal(pa & (MOCK_PAGE - 1), 0);
		/* Each VM has its own OP-TEE threads (spec §7.6). */
		for (int i = 0; i < MOCK_MAX_THREADS; i++) {
			if (mock.thread[i].busy &&
			    mock.thread[i].client_id == r->a[7])
				busy++;
			else if (!mock.thread[i].busy && !th)
				th = &mock.thread[i];
		}
		if (!th || busy >= mock.threads) {
			r->a[0] = OPTEE_SMC_RETURN_ETHREAD_LIMIT;
			return;
		}
		memcpy(mock.seen_arg, mock_pa_ptr(pa), MOCK_PAGE);
		mock.seen_arg_pa = pa;
		record_lists(mock_pa_ptr(pa), v);
		th->busy = true;
		th->client_id = (uint16_t)r->a[7];
		th->arg_pa = pa;
		th->pauses_left = mock.pauses;
	} else if (fid == OPTEE_SMC_CALL_RETURN_FROM_RPC) {
		uint64_t id = r->a[3] - mock.thread_base;

		mock.resumes_seen++;
		if (r->a[3] < mock.thread_base || id >= MOCK_MAX_THREADS ||
		    !mock.thread[id].busy ||
		    mock.thread[id].client_id != r->a[7]) {
			r->a[0] = OPTEE_SMC_RETURN_ERESUME;
			return;
		}
		th = &mock.thread[id];
	} else {
		fail_msg("yielding call %#x should not reach OP-TEE", fid);
	}
	if (th->pauses_left)
		pause_thread(th, r);
	else
		complete(th, r);
}

void mock_sw_expect(struct teemed_regs *r)
{
	uint64_t a0 = r->a[0], a1 = r->a[1], a2 = r->a[2], a3 = r->a[3];
	uint64_t a4 = r->a[4], a5 = r->a[5], a6 = r->a[6], a7 = r->a[7];

	check_expected(a0);
	check_expected(a1);
	check_expected(a2);
	check_expected(a3);
	check_expected(a4);
	check_expected(a5);
	check_expected(a6);
	check_expected(a7);
	r->a[0] = mock_type(uint64_t);
	r->a[1] = mock_type(uint64_t);
	r->a[2] = mock_type(uint64_t);
	r->a[3] = mock_type(uint64_t);
}

/*
 * mock_sw_expect with OP-TEE's use of its RPC argument buffer played
 * around it: what OP-TEE reads there on entry is kept for the test, and
 * a posted request is written before the scripted answer returns.
 */
void mock_sw_scripted(struct teemed_regs *r)
{
	struct mock_rpc *rpc = &mock.rpc;

	if (rpc->capture) {
		rpc->shadow_pa = (r->a[1] << 32) | (uint32_t)r->a[2];
		rpc->capture = false;
	}
	rpc->seen_valid = rpc->shadow_pa && mock_pa_is_mediator(rpc->shadow_pa);
	if (rpc->seen_valid)
		memcpy(rpc->seen, mock_pa_ptr(rpc->shadow_pa),
		       sizeof(rpc->seen));
	if (rpc->post_pending) {
		if (!rpc->seen_valid)
			fail_msg("OP-TEE writes to %#llx, not a mediator page",
				 (unsigned long long)rpc->shadow_pa);
		memcpy(mock_pa_ptr(rpc->shadow_pa), rpc->post,
		       sizeof(rpc->post));
		rpc->post_pending = false;
	}
	if (mock.sw_hook)
		mock.sw_hook(r);
	mock_sw_expect(r);
}

void mock_rpc_post(const struct optee_msg_arg *msg)
{
	memcpy(mock.rpc.post, msg, sizeof(mock.rpc.post));
	mock.rpc.post_pending = true;
}

const struct optee_msg_arg *mock_rpc_seen(void)
{
	assert_true(mock.rpc.seen_valid);
	return (const struct optee_msg_arg *)(const void *)mock.rpc.seen;
}

void mock_sw_never(struct teemed_regs *r)
{
	fail_msg("SMC %#llx reached the secure world",
		 (unsigned long long)r->a[0]);
}

/* ------------------------------------------------------------------ */
/* State, fixture                                                       */
/* ------------------------------------------------------------------ */

void mock_reset(void)
{
	for (int i = 0; i < MOCK_MAX_OBJS; i++)
		free(mock.obj[i].p);
	memset(&mock, 0, sizeof(mock));
	mock.guest_vcpu = TEEMED_NO_VCPU;
	memset(&fx, 0, sizeof(fx));
	memset(ram, 0, sizeof(ram));
	for (uint32_t i = 0; i < MOCK_RAM_PAGES; i++)
		mock.page[i].owner = MOCK_OWNER_FREE;
	for (int v = 0; v < MOCK_MAX_VMS; v++) {
		uint32_t base = (uint32_t)v * MOCK_GUEST_PAGES;

		/* Scattered: IPA-adjacent pages are never PA-adjacent. */
		for (uint32_t i = 0; i < MOCK_GUEST_PAGES; i++) {
			uint32_t idx = base + (i * 7u + 3u) % MOCK_GUEST_PAGES;

			mock.vm[v].page[i] = idx;
			mock.page[idx].owner = v;
		}
	}
	for (uint32_t i = 0; i < MOCK_MED_PAGES; i++)
		mock.med_free[i] = MOCK_MAX_VMS * MOCK_GUEST_PAGES + i;
	mock.med_free_count = MOCK_MED_PAGES;
	mock.page_fail_after = -1;
	mock.obj_fail_after = -1;
	mock.lock_fail_after = -1;

	mock.hyp = mock_fake_hyp;
	mock.sw = mock_fake_optee;
	mock.uid[0] = OPTEE_MSG_UID_0;
	mock.uid[1] = OPTEE_MSG_UID_1;
	mock.uid[2] = OPTEE_MSG_UID_2;
	mock.uid[3] = OPTEE_MSG_UID_3;
	mock.rev_major = OPTEE_MSG_REVISION_MAJOR;
	mock.caps_a0 = OPTEE_SMC_RETURN_OK;
	/* What a virtualization build of OP-TEE 4.x reports. */
	mock.caps = OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM |
		    OPTEE_SMC_SEC_CAP_DYNAMIC_SHM |
		    OPTEE_SMC_SEC_CAP_VIRTUALIZATION |
		    OPTEE_SMC_SEC_CAP_MEMREF_NULL | OPTEE_SMC_SEC_CAP_RPC_ARG |
		    OPTEE_SMC_SEC_CAP_RPMB_PROBE;
	mock.threads_a0 = OPTEE_SMC_RETURN_OK;
	mock.threads = 4;
	mock.vm_created_a0 = OPTEE_SMC_RETURN_OK;
	mock.vm_destroyed_a0 = OPTEE_SMC_RETURN_OK;
	mock.thread_base = 5;
	mock.rpc_a0 = OPTEE_SMC_RETURN_RPC_FOREIGN_INTR;
	mock.call_a0 = OPTEE_SMC_RETURN_OK;
	mock.msg_ret = TEEC_SUCCESS;
	mock.msg_origin = TEEC_ORIGIN_TEE;
}

void mock_assert_clean(void)
{
	for (uint32_t i = 0; i < MOCK_RAM_PAGES; i++) {
		if (mock.page[i].pins || mock.page[i].maps)
			fail_msg("host page %u: %u pins, %u maps left", i,
				 mock.page[i].pins, mock.page[i].maps);
	}
	assert_int_equal(mock.pins, 0);
	assert_int_equal(mock.med_pages, 0);
	assert_int_equal(mock.inst_pages, 0);
	assert_int_equal(mock.objs, 0);
	assert_int_equal(mock.locks, 0);
	assert_int_equal(mock.maps, 0);
	assert_int_equal(mock.locks_held, 0);
	assert_int_equal(mock.lock_acquires, mock.lock_releases);
}

struct teemed_config mock_config(uint32_t step_pages,
				 const struct teemed_quota *quota)
{
	struct teemed_config cfg = {
		.platform = &mock_platform,
		.step_pages = step_pages,
	};

	if (quota)
		cfg.vm_quota = *quota;
	return cfg;
}

void mock_start_cfg(const struct teemed_config *cfg, int vms)
{
	assert_int_equal(teemed_init(cfg, &fx.t), TEEMED_OK);
	for (int i = 0; i < vms; i++) {
		mock.vm[i].client_id = (uint16_t)(7 + 2 * i);
		assert_int_equal(teemed_vm_create(fx.t, mock.vm[i].client_id,
						  &mock.vm[i], NULL, &fx.vm[i]),
				 TEEMED_OK);
	}
	fx.baseline_med_pages = mock.med_pages;
	fx.baseline_objs = mock.objs;
}

void mock_start(uint32_t step_pages, const struct teemed_quota *quota)
{
	struct teemed_config cfg = mock_config(step_pages, quota);

	mock_start_cfg(&cfg, 2);
}

int mock_destroy_vm(int vm, uint32_t *steps)
{
	uint32_t n = 0;
	int err;

	do {
		err = teemed_vm_destroy(fx.vm[vm]);
		n++;
		assert_int_equal(mock.locks_held, 0);
	} while (err == TEEMED_ERR_AGAIN && n < 1000000);
	if (err == TEEMED_OK)
		fx.vm[vm] = NULL;
	if (steps)
		*steps = n;
	return err;
}

void mock_stop(void)
{
	/* The fake OP-TEE must not see guest calls from here on. */
	mock.on_enter = NULL;
	for (int i = 0; i < MOCK_MAX_VMS; i++)
		if (fx.vm[i])
			assert_int_equal(mock_destroy_vm(i, NULL), TEEMED_OK);
	if (fx.t)
		assert_int_equal(teemed_fini(fx.t), TEEMED_OK);
	fx.t = NULL;
	mock_assert_clean();
}

int mock_setup(void **state)
{
	mock_reset();
	mock_start(4096, NULL);
	return 0;
}

int mock_teardown(void **state)
{
	mock_stop();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Guest side                                                           */
/* ------------------------------------------------------------------ */

struct optee_msg_arg *mock_guest_arg(int vm, uint64_t ipa)
{
	return mock_guest_ptr(vm, ipa);
}

struct optee_msg_arg *mock_arg_init(int vm, uint64_t ipa, uint32_t cmd,
				    uint32_t num_params)
{
	struct optee_msg_arg *arg = mock_guest_arg(vm, ipa);

	assert_int_equal(ipa & (MOCK_PAGE - 1), 0);
	memset(arg, 0, MOCK_PAGE);
	arg->cmd = cmd;
	arg->num_params = num_params;
	return arg;
}

void mock_fill_list(int vm, uint64_t list_ipa, const uint64_t *data_ipa,
		    uint32_t n)
{
	for (uint32_t j = 0; j < n; j++) {
		uint32_t page = j / OPTEE_MSG_PAGELIST_ENTRIES;
		uint64_t *list =
			mock_guest_ptr(vm, list_ipa + page * MOCK_PAGE);

		list[j % OPTEE_MSG_PAGELIST_ENTRIES] = data_ipa[j];
		if (j % OPTEE_MSG_PAGELIST_ENTRIES == 0)
			list[OPTEE_MSG_PAGELIST_NEXT_SLOT] =
				j + OPTEE_MSG_PAGELIST_ENTRIES < n
					? list_ipa + (page + 1) * MOCK_PAGE
					: 0;
	}
}

void mock_fill_list_range(int vm, uint64_t list_ipa, uint32_t first_page,
			  uint32_t n)
{
	uint64_t *ipas = calloc(n ? n : 1, sizeof(*ipas));

	assert_non_null(ipas);
	for (uint32_t j = 0; j < n; j++)
		ipas[j] = GPAGE(first_page + j);
	mock_fill_list(vm, list_ipa, ipas, n);
	free(ipas);
}

uint64_t mock_page_ipa_range(uint32_t first_page, uint32_t i)
{
	return GPAGE(first_page + i);
}

/* Byte `off` of the buffer, in the guest's own page. */
static uint8_t *buf_byte(int vm, mock_page_ipa_fn *page_ipa, uint32_t layout,
			 uint64_t off)
{
	return (uint8_t *)mock_guest_ptr(
		       vm, page_ipa(layout, (uint32_t)(off / MOCK_PAGE))) +
	       off % MOCK_PAGE;
}

void mock_buf_put(int vm, mock_page_ipa_fn *page_ipa, uint32_t layout,
		  uint64_t off, const void *src, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		*buf_byte(vm, page_ipa, layout, off + i) =
			((const uint8_t *)src)[i];
}

void mock_buf_get(int vm, mock_page_ipa_fn *page_ipa, uint32_t layout,
		  uint64_t off, void *dst, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		((uint8_t *)dst)[i] = *buf_byte(vm, page_ipa, layout, off + i);
}

void mock_set_tmem(struct optee_msg_param *p, uint32_t type, uint64_t buf_ptr,
		   uint64_t size, uint64_t cookie)
{
	p->attr = type;
	p->u.tmem.buf_ptr = buf_ptr;
	p->u.tmem.size = size;
	p->u.tmem.shm_ref = cookie;
}

void mock_set_rmem(struct optee_msg_param *p, uint32_t type, uint64_t offs,
		   uint64_t size, uint64_t cookie)
{
	p->attr = type;
	p->u.rmem.offs = offs;
	p->u.rmem.size = size;
	p->u.rmem.shm_ref = cookie;
}

enum teemed_smc_result mock_smc_guest(int vm, struct teemed_regs *r)
{
	enum teemed_smc_result res =
		mock.guest_vcpu == TEEMED_NO_VCPU
			? teemed_vm_smc(fx.vm[vm], r)
			: teemed_vcpu_smc(fx.vm[vm], mock.guest_vcpu, r);

	assert_int_equal(mock.locks_held, 0);
	assert_int_equal(mock.lock_acquires, mock.lock_releases);
	/* No guest page stays mapped beyond the SMC that mapped it. */
	for (uint32_t i = 0; i < MOCK_MAX_VMS * MOCK_GUEST_PAGES; i++)
		if (mock.page[i].maps)
			fail_msg("guest page %u still mapped after an SMC", i);
	return res;
}

void mock_call(int vm, uint64_t arg_ipa, struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_CALL_WITH_ARG | mock.guest_fid_bits;
	r->a[1] = arg_ipa >> 32;
	r->a[2] = (uint32_t)arg_ipa;
	r->a[7] = 0xdead; /* a guest's a7 must never be trusted */
	assert_int_equal(mock_smc_guest(vm, r), TEEMED_SMC_HANDLED);
}

void mock_resume(int vm, uint32_t thread, struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC | mock.guest_fid_bits;
	r->a[3] = thread;
	r->a[7] = 0xdead;
	assert_int_equal(mock_smc_guest(vm, r), TEEMED_SMC_HANDLED);
}

/* RETURN_FROM_RPC with results in a1, a2, a4, a5 and noise elsewhere. */
void mock_resume_regs(int vm, uint32_t thread, uint64_t a1, uint64_t a2,
		      uint64_t a4, uint64_t a5, struct teemed_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC | mock.guest_fid_bits;
	r->a[1] = a1;
	r->a[2] = a2;
	r->a[3] = thread;
	r->a[4] = a4;
	r->a[5] = a5;
	r->a[6] = 0x6666;
	r->a[7] = 0xdead;
	assert_int_equal(mock_smc_guest(vm, r), TEEMED_SMC_HANDLED);
}

uint32_t mock_call_to_end(int vm, uint64_t arg_ipa, uint32_t *pauses)
{
	struct teemed_regs r;
	uint32_t n = 0;

	mock_call(vm, arg_ipa, &r);
	while (r.a[0] == OPTEE_SMC_RETURN_RPC_FOREIGN_INTR) {
		assert_true(++n < 1000000);
		mock_resume(vm, (uint32_t)r.a[3], &r);
	}
	if (pauses)
		*pauses = n;
	return (uint32_t)r.a[0];
}

uint32_t mock_register(int vm, uint64_t arg_ipa, uint64_t list_ipa,
		       uint32_t offset, uint64_t size, uint64_t cookie)
{
	struct optee_msg_arg *arg =
		mock_arg_init(vm, arg_ipa, OPTEE_MSG_CMD_REGISTER_SHM, 1);

	mock_set_tmem(&arg->params[0],
		      OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT |
			      OPTEE_MSG_ATTR_NONCONTIG,
		      list_ipa | offset, size, cookie);
	arg->ret = 0x77777777;
	assert_int_equal(mock_call_to_end(vm, arg_ipa, NULL),
			 OPTEE_SMC_RETURN_OK);
	return arg->ret;
}

uint32_t mock_unregister(int vm, uint64_t arg_ipa, uint64_t cookie)
{
	struct optee_msg_arg *arg =
		mock_arg_init(vm, arg_ipa, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);

	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 0,
		      cookie);
	arg->ret = 0x77777777;
	assert_int_equal(mock_call_to_end(vm, arg_ipa, NULL),
			 OPTEE_SMC_RETURN_OK);
	return arg->ret;
}

const struct optee_msg_arg *mock_seen_arg(void)
{
	return (const struct optee_msg_arg *)(const void *)mock.seen_arg;
}

uint32_t mock_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}
