/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Guest memory built from fuzz input (see fuzz_msg.h, docs/fuzzing.md).
 * Selectors are total functions of their bytes: every input is a valid
 * recipe, however hostile the memory it produces.
 */
#include "fuzz_msg.h"

#include <string.h>

#include "tas.h"
#include "optee_abi.h"

#define PAGE MACHINE_PAGE_SIZE
#define LIST_ENTRIES OPTEE_MSG_PAGELIST_ENTRIES
#define LIST_NEXT OPTEE_MSG_PAGELIST_NEXT_SLOT
/* Parameters the input may describe; any beyond stay zero (NONE). */
#define FZ_DATA_BASE 16u
#define FZ_LIST_BASE 8u
#define FZ_MAX_LISTS 8u

static const struct sim_uuid ta_uuids[FZ_TAS] = {
	TA_XFORM_UUID, TA_CHECKSUM_UUID, TA_INPLACE_UUID, TA_SLOW_UUID,
	TA_RPC_UUID,
};

static uint32_t other_vm(unsigned int v)
{
	return (v + 1) % FZ_VMS;
}

uint64_t fz_addr(struct fz_world *w, unsigned int v, uint8_t sel,
		 uint32_t base, struct fz_in *in)
{
	const struct fz_vm *fv = &w->vms[v];
	const struct fz_vm *ov = &w->vms[other_vm(v)];

	switch (sel) {
	case FZ_ADDR_ZERO:
		return 0;
	case FZ_ADDR_UNMAPPED:
		return 0x7fff000000ull;
	case FZ_ADDR_MMIO:
		return MACHINE_GUEST_MMIO_BASE +
		       (uint64_t)(fz_u8(in) % MACHINE_GUEST_MMIO_PAGES) * PAGE;
	case FZ_ADDR_OTHER_VM:
		return fz_ram_ipa(fv->wv.ram_pages + fz_u8(in) % 16u);
	case FZ_ADDR_MISALIGNED:
		return fz_ram_ipa(fz_u8(in) % fv->wv.ram_pages) + 8;
	case FZ_ADDR_OTHER_PA:
		return machine_guest_pa(
			w->world.m, ov->wv.hv.vm_id,
			fz_ram_ipa(fz_u8(in) % ov->wv.ram_pages));
	case FZ_ADDR_OWN_PA:
		return machine_guest_pa(
			w->world.m, fv->wv.hv.vm_id,
			fz_ram_ipa(fz_u8(in) % fv->wv.ram_pages));
	case FZ_ADDR_RAW:
		return fz_u64(in);
	case FZ_ADDR_END:
		return fz_ram_ipa(fv->wv.ram_pages);
	default:
		return fz_ram_ipa((sel + base) % fv->wv.ram_pages);
	}
}

uint64_t fz_cookie(struct fz_world *w, unsigned int v, struct fz_in *in)
{
	struct fz_vm *fv = &w->vms[v];
	uint8_t sel = fz_u8(in);

	switch (sel & 7u) {
	case 0:
		return FZ_COOKIE_REG(v);
	case 1:
		return FZ_COOKIE_REG(other_vm(v));
	case 2:
		return 0;
	case 3:
		return fv->rpc[fz_u8(in) % FZ_RPC_ARGS].cookie;
	case 4:
		return 0x100u + fz_u8(in);
	case 5:
		return fz_nohost(fz_u64(in));
	case 6:
		return fv->next_cookie++;
	default:
		return fv->next_cookie - 1;
	}
}

static const uint32_t big_counts[16] = {
	510, 511, 512, 1021, 1022, 1023, 1024, 1600,
	40,  64,  100, 200,  300,  1,    2000, 17000,
};

static uint32_t list_count(struct fz_in *in)
{
	uint8_t sel = fz_u8(in);

	return sel < 0xF0 ? 1u + sel % 20u : big_counts[sel - 0xF0];
}

static uint64_t list_size(struct fz_in *in, uint32_t n, uint64_t offset)
{
	uint64_t covered = (uint64_t)n * PAGE - offset;
	uint8_t sel = fz_u8(in);

	switch (sel) {
	case 0:
		return covered;
	case 1:
		return 1;
	case 2:
		return covered + 1;
	case 3:
		return 0;
	case 4:
		return fz_u64(in);
	case 5:
		return covered - PAGE + 1;
	default:
		return 1 + (uint64_t)sel * 97u % covered;
	}
}

/* The data page of entry `i`, following the input's entry mode. */
struct entries {
	uint8_t mode;
	uint8_t start;
	uint32_t explicit_n;
	uint64_t explicit_ipa[32];
};

static void entries_read(struct fz_world *w, unsigned int v, struct fz_in *in,
			 uint32_t n, struct entries *e)
{
	e->mode = fz_u8(in);
	e->start = fz_u8(in);
	e->explicit_n = 0;
	if (!(e->mode & 0x80u))
		return;
	e->explicit_n = 1u + (e->mode & 0x1Fu);
	if (e->explicit_n > n)
		e->explicit_n = n;
	for (uint32_t i = 0; i < e->explicit_n; i++)
		e->explicit_ipa[i] = fz_addr(w, v, fz_u8(in), FZ_DATA_BASE, in);
}

static uint64_t entry_ipa(const struct fz_world *w, unsigned int v,
			  const struct entries *e, uint32_t i)
{
	uint32_t ram = w->vms[v].wv.ram_pages;

	if (i < e->explicit_n)
		return e->explicit_ipa[i];
	if (e->mode & 0x40u)
		return fz_ram_ipa((FZ_DATA_BASE + e->start) % ram);
	return fz_ram_ipa((FZ_DATA_BASE + e->start + i) % ram);
}

uint64_t fz_list(struct fz_world *w, unsigned int v, struct fz_in *in,
		 uint64_t *size)
{
	uint32_t n = list_count(in);
	uint8_t off_sel = fz_u8(in);
	uint64_t offset = off_sel & 0x80u ? (uint64_t)(off_sel & 0x7Fu) * 32u
					  : 0;
	uint32_t nl = (n + LIST_ENTRIES - 1) / LIST_ENTRIES;
	uint64_t lists[FZ_MAX_LISTS];
	uint64_t slots[PAGE / 8];
	struct entries e;

	*size = list_size(in, n, offset);
	if (nl > FZ_MAX_LISTS)
		nl = FZ_MAX_LISTS;
	for (uint32_t l = 0; l < nl; l++)
		lists[l] = fz_addr(w, v, fz_u8(in), FZ_LIST_BASE + l, in);
	entries_read(w, v, in, n, &e);
	for (uint32_t l = 0; l < nl; l++) {
		uint32_t first = l * LIST_ENTRIES;
		uint32_t cnt = n - first;
		uint8_t next_sel = fz_u8(in);

		memset(slots, 0, sizeof(slots));
		if (cnt > LIST_ENTRIES)
			cnt = LIST_ENTRIES;
		for (uint32_t i = 0; i < cnt; i++)
			slots[i] = entry_ipa(w, v, &e, first + i);
		/* Linux points past a full last list page; so do we. */
		if (cnt == LIST_ENTRIES)
			slots[LIST_NEXT] = l + 1 < nl ? lists[l + 1]
						      : lists[l] + PAGE;
		if (next_sel)
			slots[LIST_NEXT] =
				fz_addr(w, v, next_sel, FZ_LIST_BASE, in);
		fz_guest_write(w, v, lists[l] - lists[l] % PAGE, slots,
			       sizeof(slots));
	}
	return lists[0] | offset;
}

static void value_param(struct fz_in *in, struct optee_msg_param *p)
{
	uint8_t sel = fz_u8(in);

	if (sel < FZ_TAS) {
		memcpy(p->u.octets, ta_uuids[sel].b, 16);
		p->u.value.c = fz_u8(in) & 1u ? OPTEE_MSG_LOGIN_REE_KERNEL
					      : OPTEE_MSG_LOGIN_PUBLIC;
		return;
	}
	p->u.value.a = fz_u32(in);
	p->u.value.b = fz_u32(in);
	p->u.value.c = fz_u32(in);
}

static void tmem_param(struct fz_world *w, unsigned int v, struct fz_in *in,
		       struct optee_msg_param *p)
{
	uint8_t sel = fz_u8(in);

	switch (sel % 3u) {
	case 0:
		p->u.tmem.buf_ptr = fz_list(w, v, in, &p->u.tmem.size);
		break;
	case 1: /* NULL memref */
		p->u.tmem.size = fz_u16(in);
		break;
	default:
		p->u.tmem.buf_ptr = fz_addr(w, v, fz_u8(in), FZ_DATA_BASE, in);
		p->u.tmem.size = fz_u32(in);
		break;
	}
	p->u.tmem.shm_ref = fz_cookie(w, v, in);
}

static void rmem_param(struct fz_world *w, unsigned int v, struct fz_in *in,
		       struct optee_msg_param *p)
{
	p->u.rmem.shm_ref = fz_cookie(w, v, in);
	p->u.rmem.offs = fz_u16(in);
	p->u.rmem.size = fz_u16(in);
	if (p->u.rmem.offs == 0xFFFFu) {
		p->u.rmem.offs = fz_u64(in);
		p->u.rmem.size = fz_u64(in);
	}
}

static void param(struct fz_world *w, unsigned int v, struct fz_in *in,
		  struct optee_msg_param *p)
{
	uint8_t sel = fz_u8(in);
	uint64_t attr = sel & 0x0Fu;

	if (sel & 0x10u)
		attr |= OPTEE_MSG_ATTR_NONCONTIG;
	if (sel & 0x20u)
		attr |= OPTEE_MSG_ATTR_META;
	if (sel & 0x40u)
		attr |= 1ull << OPTEE_MSG_ATTR_CACHE_SHIFT;
	if (sel & 0x80u)
		attr = fz_u64(in);
	p->attr = attr;
	switch (attr & 0x0Fu) {
	case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
		value_param(in, p);
		break;
	case OPTEE_MSG_ATTR_TYPE_RMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
		rmem_param(w, v, in, p);
		break;
	case OPTEE_MSG_ATTR_TYPE_TMEM_INPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
	case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
		tmem_param(w, v, in, p);
		break;
	default:
		break;
	}
}

static const uint32_t cmds[8] = {
	OPTEE_MSG_CMD_INVOKE_COMMAND,  OPTEE_MSG_CMD_OPEN_SESSION,
	OPTEE_MSG_CMD_CLOSE_SESSION,   OPTEE_MSG_CMD_REGISTER_SHM,
	OPTEE_MSG_CMD_UNREGISTER_SHM,  OPTEE_MSG_CMD_CANCEL,
	OPTEE_MSG_CMD_DO_BOTTOM_HALF,  OPTEE_MSG_CMD_LEND_PROTMEM,
};

static const uint32_t odd_counts[16] = {
	7, 8, 126, 127, 128, 0xFFFFFFFFu, 0x80000000u, 4, 5, 6, 1, 2, 3, 0, 129, 255,
};

uint64_t fz_msg(struct fz_world *w, unsigned int v, struct fz_in *in)
{
	union {
		struct optee_msg_arg arg;
		uint8_t bytes[OPTEE_MSG_GET_ARG_SIZE(FZ_MSG_PARAMS)];
	} m;
	uint64_t ipa = fz_addr(w, v, fz_u8(in), 0, in);
	uint8_t sel;
	uint32_t n;

	memset(&m, 0, sizeof(m));
	sel = fz_u8(in);
	m.arg.cmd = sel < 0xF0 ? cmds[sel % 8u] : fz_u32(in);
	sel = fz_u8(in);
	m.arg.session = sel < 0xF0 ? w->vms[v].sessions[sel % FZ_TAS]
				   : fz_u32(in);
	sel = fz_u8(in);
	m.arg.func = sel < 0xF0 ? sel % 4u : fz_u32(in);
	sel = fz_u8(in);
	m.arg.num_params = sel < 0xF0 ? sel % 7u : odd_counts[sel - 0xF0];
	n = m.arg.num_params < FZ_MSG_PARAMS ? m.arg.num_params
					     : FZ_MSG_PARAMS;
	for (uint32_t i = 0; i < n; i++)
		param(w, v, in, &m.arg.params[i]);
	fz_guest_write(w, v, ipa, &m, OPTEE_MSG_GET_ARG_SIZE(n));
	fz_watch(w, v, ipa);
	return ipa;
}
