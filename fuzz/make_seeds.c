/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes the seed corpora of the fuzz targets:
 *
 *   fuzz_make_seeds DIR   -> DIR/std_call/<name>, DIR/sequence/<name>
 *
 * Each seed spells one well-formed guest action in the input formats of
 * docs/fuzzing.md (every command, every memory kind, RPC-heavy calls,
 * paused and resumed calls, teardown in flight), plus a few hostile
 * ones, so the fuzzer starts from deep paths instead of finding them.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SEED_MAX 2048

struct seed {
	uint8_t b[SEED_MAX];
	size_t n;
};

/* Selector values shared with fuzz_msg.c (see docs/fuzzing.md). */
enum {
	CMD_INVOKE,
	CMD_OPEN,
	CMD_CLOSE,
	CMD_REGISTER,
	CMD_UNREGISTER,
	CMD_CANCEL,
	CMD_BOTTOM_HALF,
	CMD_LEND
};
enum { TA_XFORM, TA_CHECKSUM, TA_INPLACE, TA_SLOW, TA_RPC };
enum {
	OP_CALL,
	OP_RESUME,
	OP_RESUME_RAW,
	OP_FAST,
	OP_POKE,
	OP_BALLOON,
	OP_DESTROY,
	OP_FAULT,
	OP_RAW_STD,
	OP_FINISH,
	OP_CALL_KIND,
	OP_NOTIF_IRQ
};

#define P_VALUE_IN	0x01u
#define P_VALUE_OUT	0x02u
#define P_VALUE_INOUT	0x03u
#define P_RMEM_IN	0x05u
#define P_RMEM_OUT	0x06u
#define P_RMEM_INOUT	0x07u
#define P_TMEM_IN	0x19u /* NONCONTIG */
#define P_TMEM_OUT	0x1Au
#define P_TMEM_INOUT	0x1Bu
#define P_META		0x20u
#define COOKIE_OWN	0u
#define COOKIE_OTHER	1u
#define COOKIE_FRESH	6u
#define COOKIE_LAST	7u
#define ADDR_UNMAPPED	0xF1u
#define ADDR_MMIO	0xF2u
#define ADDR_OTHER_VM	0xF3u
#define ADDR_MISALIGNED 0xF4u
#define ADDR_OTHER_PA	0xF5u
#define ADDR_OWN_PA	0xF6u

static const char *out_dir;
static unsigned int written;

static void put8(struct seed *s, uint32_t v)
{
	if (s->n < SEED_MAX)
		s->b[s->n++] = (uint8_t)v;
}

static void put16(struct seed *s, uint32_t v)
{
	put8(s, v & 0xFFu);
	put8(s, v >> 8);
}

static void put32(struct seed *s, uint32_t v)
{
	put16(s, v & 0xFFFFu);
	put16(s, v >> 16);
}

static void save(const char *target, const char *name, const struct seed *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n) {
		perror(path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	written++;
}

/* Message header: argument page, command, session, func, count. */
static void hdr(struct seed *s, uint32_t arg_page, uint32_t cmd, uint32_t ta,
		uint32_t func, uint32_t nparams)
{
	put8(s, arg_page);
	put8(s, cmd);
	put8(s, ta);
	put8(s, func);
	put8(s, nparams);
}

static void value(struct seed *s, uint32_t type, uint32_t a, uint32_t b)
{
	put8(s, type);
	put8(s, 5); /* numbers, not a UUID */
	put32(s, a);
	put32(s, b);
	put32(s, 0);
}

/*
 * A NONCONTIG list of `count_sel` (1 + sel pages below 0xF0), size
 * exactly covered, sequential entries from page `start`, list pages
 * from `list_sel` on.
 */
static void list(struct seed *s, uint32_t count_sel, uint32_t nlists,
		 uint32_t list_sel, uint32_t start)
{
	put8(s, count_sel);
	put8(s, 0); /* offset 0 */
	put8(s, 0); /* size: what the pages cover */
	for (uint32_t l = 0; l < nlists; l++)
		put8(s, list_sel + l);
	put8(s, 0); /* sequential entries */
	put8(s, start);
	for (uint32_t l = 0; l < nlists; l++)
		put8(s, 0); /* next pointers as Linux writes them */
}

static void tmem(struct seed *s, uint32_t type, uint32_t count_sel,
		 uint32_t list_sel, uint32_t start)
{
	put8(s, type);
	put8(s, 0); /* a page list */
	list(s, count_sel, 1, list_sel, start);
	put8(s, 4); /* cookie 0x100 + next byte */
	put8(s, list_sel);
}

static void rmem(struct seed *s, uint32_t type, uint32_t cookie_sel,
		 uint32_t offs, uint32_t size)
{
	put8(s, type);
	put8(s, cookie_sel);
	put16(s, offs);
	put16(s, size);
}

static void open_session(struct seed *s, uint32_t arg_page, uint32_t ta)
{
	hdr(s, arg_page, CMD_OPEN, 0, 0, 2);
	put8(s, P_VALUE_IN | P_META);
	put8(s, ta);
	put8(s, 1); /* REE kernel login */
	put8(s, P_VALUE_IN | P_META);
	put8(s, 5);
	put32(s, 0);
	put32(s, 0);
	put32(s, 0); /* public login */
}

/* The invocations every TA understands, one per `kind`. */
static void invoke(struct seed *s, uint32_t arg_page, uint32_t kind)
{
	switch (kind) {
	case 0: /* XFORM echo */
		hdr(s, arg_page, CMD_INVOKE, TA_XFORM, 1, 1);
		value(s, P_VALUE_INOUT, 41, 7);
		break;
	case 1: /* XFORM xor, temporary in and out */
		hdr(s, arg_page, CMD_INVOKE, TA_XFORM, 0, 3);
		tmem(s, P_TMEM_IN, 1, 1, 0);
		tmem(s, P_TMEM_OUT, 1, 2, 4);
		value(s, P_VALUE_IN, 0x5a, 0);
		break;
	case 2: /* CHECKSUM of a temporary buffer */
		hdr(s, arg_page, CMD_INVOKE, TA_CHECKSUM, 0, 2);
		tmem(s, P_TMEM_IN, 4, 1, 0);
		value(s, P_VALUE_OUT, 0, 0);
		break;
	case 3: /* INPLACE on a temporary buffer */
		hdr(s, arg_page, CMD_INVOKE, TA_INPLACE, 0, 2);
		tmem(s, P_TMEM_INOUT, 2, 1, 3);
		value(s, P_VALUE_IN, 3, 0);
		break;
	case 4: /* SLOW: three FOREIGN_INTRs */
		hdr(s, arg_page, CMD_INVOKE, TA_SLOW, 0, 1);
		value(s, P_VALUE_INOUT, 3, 0);
		break;
	case 5: /* RPC TA, APPL payload: RPC_ALLOC, SHM_ALLOC, supplicant */
		hdr(s, arg_page, CMD_INVOKE, TA_RPC, 0, 3);
		tmem(s, P_TMEM_IN, 1, 1, 0);
		value(s, P_VALUE_IN, 0, 0);
		tmem(s, P_TMEM_OUT, 1, 2, 5);
		break;
	case 6: /* RPC TA, KERNEL payload: a contiguous page */
		hdr(s, arg_page, CMD_INVOKE, TA_RPC, 0, 3);
		tmem(s, P_TMEM_IN, 0, 1, 0);
		value(s, P_VALUE_IN, 0, 1);
		tmem(s, P_TMEM_OUT, 0, 2, 5);
		break;
	case 7: /* CHECKSUM of registered memory */
		hdr(s, arg_page, CMD_INVOKE, TA_CHECKSUM, 0, 2);
		rmem(s, P_RMEM_IN, COOKIE_OWN, 16, 4000);
		value(s, P_VALUE_OUT, 0, 0);
		break;
	case 8: /* INPLACE on registered memory */
		hdr(s, arg_page, CMD_INVOKE, TA_INPLACE, 0, 2);
		rmem(s, P_RMEM_INOUT, COOKIE_OWN, 0, 8192);
		value(s, P_VALUE_IN, 1, 0);
		break;
	case 9: /* XFORM between two registered ranges */
		hdr(s, arg_page, CMD_INVOKE, TA_XFORM, 0, 3);
		rmem(s, P_RMEM_IN, COOKIE_OWN, 0, 100);
		rmem(s, P_RMEM_OUT, COOKIE_OWN, 4096, 100);
		value(s, P_VALUE_IN, 9, 0);
		break;
	case 10: /* CHECKSUM of a NULL memref */
		hdr(s, arg_page, CMD_INVOKE, TA_CHECKSUM, 0, 2);
		put8(s, P_TMEM_IN);
		put8(s, 1);
		put16(s, 0);
		put8(s, COOKIE_OWN);
		value(s, P_VALUE_OUT, 0, 0);
		break;
	default: /* RPC TA with registered memory */
		hdr(s, arg_page, CMD_INVOKE, TA_RPC, 0, 3);
		rmem(s, P_RMEM_IN, COOKIE_OWN, 0, 64);
		value(s, P_VALUE_IN, 0, 0);
		rmem(s, P_RMEM_OUT, COOKIE_OWN, 4096, 64);
		break;
	}
}

#define INVOKE_KINDS 12u

static void reg(struct seed *s, uint32_t arg_page, uint32_t count_sel,
		uint32_t nlists)
{
	hdr(s, arg_page, CMD_REGISTER, 0, 0, 1);
	put8(s, P_TMEM_OUT);
	put8(s, 0);
	list(s, count_sel, nlists, 2, 0);
	put8(s, COOKIE_FRESH);
}

static void unreg(struct seed *s, uint32_t arg_page, uint32_t cookie_sel)
{
	hdr(s, arg_page, CMD_UNREGISTER, 0, 0, 1);
	rmem(s, P_RMEM_IN, cookie_sel, 0, 0);
}

static void std_seed(const char *name, uint32_t budget,
		     void (*body)(struct seed *s, uint32_t arg), uint32_t arg)
{
	struct seed s = {{0}, 0};

	put8(&s, budget);
	put8(&s, 0); /* a3: cached */
	body(&s, arg);
	save("std_call", name, &s);
}

/* An invoke as CALL_WITH_RPC_ARG (0xFE) or, at `off` of the registered
   buffer, CALL_WITH_REGD_ARG (0xFF). */
static void rpc_arg_seed(const char *name, uint32_t kind, bool regd,
			 uint32_t off)
{
	struct seed s = {{0}, 0};

	put8(&s, 0);
	put8(&s, regd ? 0xFF : 0xFE);
	invoke(&s, 0, kind);
	if (regd) {
		put8(&s, 0); /* cookie selector: the VM's registered buffer */
		put16(&s, off);
	}
	save("std_call", name, &s);
}

static void b_open(struct seed *s, uint32_t ta)
{
	open_session(s, 0, ta);
}

static void b_invoke(struct seed *s, uint32_t kind)
{
	invoke(s, 0, kind);
}

/* List pages for a count selector (fuzz_msg.c's big_counts). */
static uint32_t lists_for(uint32_t count_sel)
{
	static const uint32_t big[8] = {510,  511,  512,  1021,
					1022, 1023, 1024, 1600};
	uint32_t n = count_sel < 0xF0 ? 1 + count_sel % 20 : big[count_sel & 7];

	return (n + 510) / 511;
}

static void b_reg(struct seed *s, uint32_t count_sel)
{
	reg(s, 0, count_sel, lists_for(count_sel));
}

static void b_misc(struct seed *s, uint32_t which)
{
	switch (which) {
	case 0:
		unreg(s, 0, COOKIE_OWN);
		break;
	case 1:
		hdr(s, 0, CMD_CLOSE, TA_SLOW, 0, 0);
		break;
	case 2:
		hdr(s, 0, CMD_CANCEL, TA_XFORM, 0, 0);
		break;
	case 3: /* another VM's registered buffer */
		hdr(s, 0, CMD_INVOKE, TA_CHECKSUM, 0, 2);
		rmem(s, P_RMEM_IN, COOKIE_OTHER, 0, 16);
		value(s, P_VALUE_OUT, 0, 0);
		break;
	case 4: /* unregister another VM's buffer */
		unreg(s, 0, COOKIE_OTHER);
		break;
	case 5: /* argument not page aligned */
		put8(s, ADDR_MISALIGNED);
		put8(s, 3);
		hdr(s, 0, CMD_INVOKE, TA_XFORM, 1, 1);
		break;
	case 6: /* argument in MMIO */
		put8(s, ADDR_MMIO);
		put8(s, 0);
		put8(s, CMD_CLOSE);
		put8(s, 0);
		put8(s, 0);
		put8(s, 0);
		break;
	case 7: /* not a guest command */
		hdr(s, 0, CMD_LEND, 0, 0, 0);
		break;
	case 8: /* 127 parameters */
		hdr(s, 0, CMD_INVOKE, 0, 0, 0xF3);
		break;
	default: /* a list that names pages not ours, one of each kind */
		hdr(s, 0, CMD_INVOKE, TA_CHECKSUM, 0, 2);
		put8(s, P_TMEM_IN);
		put8(s, 0);
		put8(s, 7); /* 8 pages */
		put8(s, 0);
		put8(s, 0);
		put8(s, 1);
		put8(s, 0x80u | 7u); /* 8 explicit entries */
		put8(s, 0);
		put8(s, 3);
		put8(s, ADDR_UNMAPPED);
		put8(s, ADDR_MMIO);
		put8(s, 0);
		put8(s, ADDR_OTHER_VM);
		put8(s, 1);
		put8(s, ADDR_MISALIGNED);
		put8(s, 2);
		put8(s, ADDR_OTHER_PA);
		put8(s, 3);
		put8(s, ADDR_OWN_PA);
		put8(s, 4);
		put8(s, 0xF0); /* 0 */
		put8(s, 0);
		put8(s, 4);
		put8(s, 9);
		value(s, P_VALUE_OUT, 0, 0);
		break;
	}
}

static void std_seeds(void)
{
	char name[64];

	for (uint32_t ta = 0; ta < 5; ta++) {
		snprintf(name, sizeof(name), "open-%u", ta);
		std_seed(name, 0, b_open, ta);
	}
	for (uint32_t k = 0; k < INVOKE_KINDS; k++) {
		snprintf(name, sizeof(name), "invoke-%u", k);
		std_seed(name, 0, b_invoke, k);
		snprintf(name, sizeof(name), "invoke-%u-step1", k);
		std_seed(name, 1, b_invoke, k);
	}
	for (uint32_t c = 0; c < 20; c += 6) {
		snprintf(name, sizeof(name), "register-%u", c + 1);
		std_seed(name, 2, b_reg, c);
	}
	for (uint32_t c = 0xF0; c < 0xF8; c++) {
		snprintf(name, sizeof(name), "register-big-%u", c - 0xF0);
		std_seed(name, 0, b_reg, c);
	}
	/* Paused exactly at a list-page boundary (511 pins, budget 1). */
	std_seed("register-512-step1", 1, b_reg, 0xF2);
	/* The RPC-argument calls; REGD_ARG also across a page boundary. */
	for (uint32_t k = 0; k < INVOKE_KINDS; k += 3) {
		snprintf(name, sizeof(name), "rpc-arg-%u", k);
		rpc_arg_seed(name, k, false, 0);
		snprintf(name, sizeof(name), "regd-arg-%u", k);
		rpc_arg_seed(name, k, true, 384);
		snprintf(name, sizeof(name), "regd-arg-%u-straddle", k);
		rpc_arg_seed(name, k, true, 4096 - 48);
	}
	for (uint32_t m = 0; m < 10; m++) {
		snprintf(name, sizeof(name), "misc-%u", m);
		std_seed(name, m & 3u, b_misc, m);
	}
}

/* ---- sequences ------------------------------------------------------- */

static void op(struct seed *s, uint32_t kind, uint32_t vm)
{
	put8(s, kind << 1 | vm);
}

/* A new sequence; its first byte holds the run's options. */
static void seq_start(struct seed *s, uint32_t options)
{
	memset(s, 0, sizeof(*s));
	put8(s, options);
}

/* Resume `vm`'s oldest pending call with the answer Linux would give. */
static void resume_as_linux(struct seed *s, uint32_t vm)
{
	op(s, OP_RESUME, vm);
	put8(s, 0); /* the first pending call */
	put8(s, 0); /* the driver's default answer */
}

static void seq_save(const char *name, const struct seed *s)
{
	save("sequence", name, s);
}

static void seq_seeds(void)
{
	struct seed s;

	/* Every kind of call from both VMs, each driven to its end. */
	for (uint32_t k = 0; k < INVOKE_KINDS; k++) {
		char name[64];

		seq_start(&s, 0);
		op(&s, OP_CALL, k & 1u);
		invoke(&s, 0, k);
		op(&s, OP_FINISH, k & 1u);
		put8(&s, 0);
		put8(&s, 0);
		snprintf(name, sizeof(name), "call-%u", k);
		seq_save(name, &s);
	}

	/* RPC_ARG and REGD_ARG calls, then the notification interrupt. */
	for (uint32_t k = 0; k < INVOKE_KINDS; k += 4) {
		char name[64];

		seq_start(&s, 0);
		op(&s, OP_CALL_KIND, 0);
		put8(&s, 0); /* CALL_WITH_RPC_ARG */
		invoke(&s, 0, k);
		op(&s, OP_FINISH, 0);
		put8(&s, 0);
		put8(&s, 0);
		op(&s, OP_CALL_KIND, 1);
		put8(&s, 1); /* CALL_WITH_REGD_ARG */
		invoke(&s, 0, k);
		put8(&s, 0);
		put16(&s, 768);
		op(&s, OP_FINISH, 1);
		put8(&s, 0);
		put8(&s, 0);
		op(&s, OP_NOTIF_IRQ, 0);
		snprintf(name, sizeof(name), "rpc-arg-%u", k);
		seq_save(name, &s);
	}

	/* Register a buffer in steps, use it, unregister it. */
	seq_start(&s, 0);
	op(&s, OP_CALL, 0);
	reg(&s, 3, 9, 1); /* 10 pages: pauses at budget 4 */
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	op(&s, OP_CALL, 0);
	hdr(&s, 4, CMD_INVOKE, TA_CHECKSUM, 0, 2);
	rmem(&s, P_RMEM_IN, COOKIE_LAST, 0, 40000);
	value(&s, P_VALUE_OUT, 0, 0);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	op(&s, OP_CALL, 0);
	unreg(&s, 5, COOKIE_LAST);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	seq_save("register-use-unregister", &s);

	/* Two VMs interleaved: slow call and RPC call, resumed in turns. */
	seq_start(&s, 1);
	op(&s, OP_CALL, 0);
	invoke(&s, 0, 4);
	op(&s, OP_CALL, 1);
	invoke(&s, 6, 5);
	for (int i = 0; i < 12; i++) {
		resume_as_linux(&s, (uint32_t)i & 1u);
	}
	seq_save("interleaved", &s);

	/* Destroy a VM with a call in an RPC and a registered buffer. */
	seq_start(&s, 0);
	op(&s, OP_CALL, 0);
	invoke(&s, 0, 5);
	resume_as_linux(&s, 0);
	op(&s, OP_CALL, 0);
	reg(&s, 3, 9, 1);
	op(&s, OP_DESTROY, 0);
	op(&s, OP_CALL, 1);
	invoke(&s, 0, 2);
	op(&s, OP_FINISH, 1);
	put8(&s, 0);
	put8(&s, 0);
	seq_save("destroy-in-flight", &s);

	/* Balloon the registered pages, then pages of a paused call. */
	seq_start(&s, 0);
	op(&s, OP_BALLOON, 0);
	put8(&s, 28);
	op(&s, OP_CALL, 0);
	invoke(&s, 0, 3);
	op(&s, OP_BALLOON, 0);
	put8(&s, 19);
	op(&s, OP_BALLOON, 0);
	put8(&s, 40);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	op(&s, OP_BALLOON, 0);
	put8(&s, 19);
	seq_save("balloon", &s);

	/* Rewrite the argument and a list while a call is paused. */
	seq_start(&s, 0);
	op(&s, OP_CALL, 0);
	hdr(&s, 0, CMD_INVOKE, TA_CHECKSUM, 0, 2);
	tmem(&s, P_TMEM_IN, 12, 1, 0);
	value(&s, P_VALUE_OUT, 0, 0);
	op(&s, OP_POKE, 0);
	put8(&s, 0x80);
	put16(&s, 0x28);
	put32(&s, 0x1000);
	put32(&s, 0);
	op(&s, OP_POKE, 0);
	put8(&s, 1);
	put16(&s, 8);
	put32(&s, 0x40020000);
	put32(&s, 0);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	seq_save("poke-paused", &s);

	/* Every fast call, and thread ids that name nothing. */
	seq_start(&s, 0);
	for (uint32_t f = 0; f < 20; f++) {
		op(&s, OP_FAST, f & 1u);
		put8(&s, f);
		put8(&s, 0);
	}
	for (uint32_t t = 0; t < 5; t++) {
		op(&s, OP_RESUME_RAW, 0);
		put8(&s, t);
		put8(&s, 0);
	}
	for (uint32_t f = 0; f < 8; f++) {
		op(&s, OP_RAW_STD, 1);
		put8(&s, f);
		put8(&s, 0x06);
		put32(&s, 0);
		put32(&s, 0x40000000u + f * 0x1000u);
	}
	seq_save("fast-and-raw", &s);

	/* Platform failures while calls translate, with tight quotas. */
	for (uint32_t f = 0; f < 3; f++) {
		char name[64];

		seq_start(&s, 3);
		op(&s, OP_FAULT, 0);
		put8(&s, f + 3u * 2u);
		op(&s, OP_CALL, 0);
		invoke(&s, 0, 5);
		op(&s, OP_FINISH, 0);
		put8(&s, 0);
		put8(&s, 0);
		op(&s, OP_CALL, 1);
		reg(&s, 3, 19, 1);
		op(&s, OP_FINISH, 1);
		put8(&s, 0);
		put8(&s, 0);
		snprintf(name, sizeof(name), "faults-%u", f);
		seq_save(name, &s);
	}

	/* A 12-page RPC payload: its translation pauses at budget 4. */
	seq_start(&s, 0);
	op(&s, OP_CALL, 0);
	hdr(&s, 0, CMD_INVOKE, TA_RPC, 0, 3);
	tmem(&s, P_TMEM_IN, 11, 1, 0);
	value(&s, P_VALUE_IN, 0, 0);
	tmem(&s, P_TMEM_OUT, 11, 2, 20);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	seq_save("rpc-big-payload", &s);

	/* The cached RPC argument handed back by DISABLE_SHM_CACHE. */
	seq_start(&s, 0);
	op(&s, OP_FAST, 1);
	put8(&s, 9); /* ENABLE_SHM_CACHE, as Linux does at probe */
	put8(&s, 0);
	op(&s, OP_CALL, 1);
	invoke(&s, 0, 6);
	op(&s, OP_FINISH, 1);
	put8(&s, 0);
	put8(&s, 0);
	for (int i = 0; i < 2; i++) {
		op(&s, OP_FAST, 1);
		put8(&s, 8); /* DISABLE_SHM_CACHE */
		put8(&s, 0);
	}
	op(&s, OP_FAST, 1);
	put8(&s, 9); /* ENABLE_SHM_CACHE */
	put8(&s, 0);
	seq_save("disable-cache", &s);

	/* The RPC argument page ballooned while OP-TEE waits on it. */
	seq_start(&s, 0);
	op(&s, OP_CALL, 0);
	invoke(&s, 0, 5);
	resume_as_linux(&s, 0);
	op(&s, OP_BALLOON, 0);
	put8(&s, 48);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	seq_save("balloon-rpc-page", &s);

	/* An SHM_ALLOC answer whose list names an unmapped page. */
	seq_start(&s, 0);
	op(&s, OP_CALL, 0);
	invoke(&s, 0, 5);
	resume_as_linux(&s, 0);
	op(&s, OP_RESUME, 0);
	put8(&s, 0);
	put8(&s, 1);
	put8(&s, 5);
	put8(&s, 1); /* 2 pages */
	put8(&s, 0);
	put8(&s, 0);
	put8(&s, 3);
	put8(&s, 0x81); /* 2 explicit entries */
	put8(&s, 0);
	put8(&s, 30);
	put8(&s, ADDR_UNMAPPED);
	put8(&s, 0);
	put8(&s, COOKIE_FRESH);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	seq_save("hostile-payload-list", &s);

	/* Hostile RPC answers: an RPC_ALLOC cookie that is taken, then a
	   misaligned RPC page, then a forged SHM_ALLOC. */
	seq_start(&s, 0);
	op(&s, OP_CALL, 0);
	invoke(&s, 0, 5);
	op(&s, OP_RESUME, 0);
	put8(&s, 0);
	put8(&s, 3); /* good page, cookie from input */
	put8(&s, COOKIE_OWN);
	op(&s, OP_FINISH, 0);
	put8(&s, 0);
	put8(&s, 0);
	op(&s, OP_CALL, 1);
	invoke(&s, 0, 6);
	op(&s, OP_FINISH, 1);
	put8(&s, 0);
	put8(&s, 2); /* two answers from input */
	put8(&s, 2); /* RPC_ALLOC: address and cookie from input */
	put8(&s, ADDR_MISALIGNED);
	put8(&s, 50);
	put8(&s, COOKIE_FRESH);
	put8(&s, 1); /* SHM_ALLOC answered from input */
	put8(&s, 5); /* NONCONTIG, built list */
	list(&s, 2, 1, 3, 0);
	put8(&s, COOKIE_FRESH);
	seq_save("hostile-rpc", &s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	mkdir(out_dir, 0755);
	std_seeds();
	seq_seeds();
	printf("%u seeds written to %s\n", written, out_dir);
	return 0;
}
