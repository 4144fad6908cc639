// SPDX-License-Identifier: BSD-2-Clause
/*
 * teec_test: what applications do with OP-TEE, through libteec and the
 * Linux driver of a guest, against the model's TAs (sim/tas.h). One
 * "PASS <check>" or "FAIL <check>: why" line per check; every byte a TA
 * reads or writes is checked.
 *
 *   teec_test run ID FSROOT   all checks; ID names this guest's storage
 *                             objects, FSROOT is tee-supplicant's root
 *   teec_test hold            open sessions and register memory, say
 *                             HOLDING, and wait to be killed
 *   teec_test notify N        N calls that make OP-TEE send this guest
 *                             an asynchronous notification
 *
 * Exit status: the number of failed checks (at most 100).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tee_client_api.h>

#include "tas.h"

#define PAGE 4096u

static int failures;
static TEEC_Context ctx;

static void check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
	} else {
		failures++;
		printf("FAIL %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

/* sim/tas.h's octets (RFC 4122 order) as libteec's TEEC_UUID. */
static TEEC_UUID uuid_of(struct sim_uuid u)
{
	TEEC_UUID t;
	const uint8_t *b = u.b;

	t.timeLow = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	t.timeMid = (uint16_t)(b[4] << 8 | b[5]);
	t.timeHiAndVersion = (uint16_t)(b[6] << 8 | b[7]);
	memcpy(t.clockSeqAndNode, b + 8, 8);
	return t;
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131u + seed + (i >> 12));
}

/* The first index where p differs from the pattern, or n. */
static size_t first_bad(const uint8_t *p, size_t n, unsigned int seed,
			uint8_t delta)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] !=
		    (uint8_t)((uint8_t)(i * 131u + seed + (i >> 12)) + delta))
			return i;
	return n;
}

static uint8_t xor_key_byte(uint32_t key, size_t i)
{
	return (uint8_t)((uint64_t)key >> (8 * (i % 8)));
}

static bool open_ta(TEEC_Session *s, struct sim_uuid u, uint32_t *err,
		    uint32_t *origin)
{
	TEEC_UUID id = uuid_of(u);
	TEEC_Result r;

	r = TEEC_OpenSession(&ctx, s, &id, TEEC_LOGIN_PUBLIC, NULL, NULL,
			     origin);
	*err = r;
	return r == TEEC_SUCCESS;
}

static TEEC_Result invoke(TEEC_Session *s, uint32_t cmd, TEEC_Operation *op,
			  uint32_t *origin)
{
	uint32_t o = 0;
	TEEC_Result r = TEEC_InvokeCommand(s, cmd, op, &o);

	if (origin)
		*origin = o;
	return r;
}

static void test_values(TEEC_Session *x)
{
	TEEC_Operation op;
	bool ok = true;
	TEEC_Result r = 0;

	for (uint32_t i = 0; i < 50 && ok; i++) {
		uint32_t a = 0x10000u * i + 7, b = 0xdead0000u + i;

		memset(&op, 0, sizeof(op));
		op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE,
						 TEEC_NONE, TEEC_NONE);
		op.params[0].value.a = a;
		op.params[0].value.b = b;
		r = invoke(x, TA_XFORM_CMD_ECHO, &op, NULL);
		ok = r == TEEC_SUCCESS && op.params[0].value.a == a + 1 &&
		     op.params[0].value.b == (b ^ 0x5a5a5a5au);
	}
	check(ok, "values_inout", "res %#x a %#x b %#x", r,
	      op.params[0].value.a, op.params[0].value.b);
}

/* xor of `n` bytes, input and output as the caller set them up. */
static bool xor_ok(const uint8_t *in, const uint8_t *out, size_t n,
		   uint32_t key, size_t *bad)
{
	for (size_t i = 0; i < n; i++) {
		if (out[i] != (in[i] ^ xor_key_byte(key, i))) {
			*bad = i;
			return false;
		}
	}
	return true;
}

static void test_tmpref(TEEC_Session *x, size_t n, const char *name)
{
	uint8_t *in = malloc(n), *out = malloc(n + 1);
	TEEC_Operation op;
	TEEC_Result r;
	uint32_t key = 0xa5c3e1u + (uint32_t)n;
	size_t bad = 0;

	fill(in, n, 3);
	memset(out, 0xee, n + 1);
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT,
					 TEEC_MEMREF_TEMP_OUTPUT,
					 TEEC_VALUE_INPUT, TEEC_NONE);
	op.params[0].tmpref.buffer = in;
	op.params[0].tmpref.size = n;
	op.params[1].tmpref.buffer = out;
	op.params[1].tmpref.size = n;
	op.params[2].value.a = key;
	r = invoke(x, TA_XFORM_CMD_XOR, &op, NULL);
	check(r == TEEC_SUCCESS && op.params[1].tmpref.size == n &&
		      xor_ok(in, out, n, key, &bad) && out[n] == 0xee &&
		      first_bad(in, n, 3, 0) == n,
	      name, "res %#x size %zu first bad byte %zu", r,
	      op.params[1].tmpref.size, bad);
	free(in);
	free(out);
}

static void test_allocated(TEEC_Session *x, size_t n, const char *name)
{
	TEEC_SharedMemory a = {.size = n, .flags = TEEC_MEM_INPUT};
	TEEC_SharedMemory b = {.size = n, .flags = TEEC_MEM_OUTPUT};
	TEEC_Operation op;
	TEEC_Result r;
	uint32_t key = 0x1234567u;
	size_t bad = 0;

	if (TEEC_AllocateSharedMemory(&ctx, &a) ||
	    TEEC_AllocateSharedMemory(&ctx, &b)) {
		check(false, name, "TEEC_AllocateSharedMemory of %zu", n);
		return;
	}
	fill(a.buffer, n, 9);
	memset(b.buffer, 0, n);
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_MEMREF_WHOLE,
					 TEEC_VALUE_INPUT, TEEC_NONE);
	op.params[0].memref.parent = &a;
	op.params[1].memref.parent = &b;
	op.params[2].value.a = key;
	r = invoke(x, TA_XFORM_CMD_XOR, &op, NULL);
	check(r == TEEC_SUCCESS && op.params[1].memref.size == n &&
		      xor_ok(a.buffer, b.buffer, n, key, &bad),
	      name, "res %#x size %zu first bad byte %zu", r,
	      op.params[1].memref.size, bad);
	TEEC_ReleaseSharedMemory(&a);
	TEEC_ReleaseSharedMemory(&b);
}

/*
 * Ordinary user memory (malloc, not page aligned, many pages) registered
 * with the driver; checksum and in-place update of a partial memref.
 */
static void test_registered(TEEC_Session *ck, TEEC_Session *ip, size_t n,
			    size_t off, size_t len, const char *name_sum,
			    const char *name_inplace)
{
	uint8_t *raw = malloc(n + 64);
	TEEC_SharedMemory s = {.size = n,
			       .flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT};
	TEEC_Operation op;
	TEEC_Result r;
	uint64_t want;
	size_t bad;

	s.buffer = raw + 24; /* not page aligned */
	fill(s.buffer, n, 5);
	if (TEEC_RegisterSharedMemory(&ctx, &s)) {
		check(false, name_sum, "TEEC_RegisterSharedMemory of %zu", n);
		free(raw);
		return;
	}
	want = sim_fnv1a64((uint8_t *)s.buffer + off, len);
	memset(&op, 0, sizeof(op));
	op.paramTypes =
		TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_VALUE_OUTPUT,
				 TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = &s;
	op.params[0].memref.offset = off;
	op.params[0].memref.size = len;
	r = invoke(ck, TA_CHECKSUM_CMD_FNV, &op, NULL);
	check(r == TEEC_SUCCESS && op.params[1].value.a == (uint32_t)want &&
		      op.params[1].value.b == len,
	      name_sum, "res %#x sum %#x want %#x len %u", r,
	      op.params[1].value.a, (uint32_t)want, op.params[1].value.b);

	memset(&op, 0, sizeof(op));
	op.paramTypes =
		TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_VALUE_INPUT,
				 TEEC_NONE, TEEC_NONE);
	op.params[0].memref.parent = &s;
	op.params[0].memref.offset = off;
	op.params[0].memref.size = len;
	op.params[1].value.a = 7;
	r = invoke(ip, TA_INPLACE_CMD_ADD, &op, NULL);
	/* The range moved by 7, every byte around it untouched. */
	bad = first_bad(s.buffer, off, 5, 0);
	if (bad == off) {
		for (size_t i = off; i < off + len && bad == off; i++)
			if (((uint8_t *)s.buffer)[i] !=
			    (uint8_t)((uint8_t)(i * 131u + 5 + (i >> 12)) + 7))
				bad = i;
	}
	if (bad == off) {
		size_t tail = off + len;

		for (size_t i = tail; i < n && bad == off; i++)
			if (((uint8_t *)s.buffer)[i] !=
			    (uint8_t)(i * 131u + 5 + (i >> 12)))
				bad = i;
	}
	check(r == TEEC_SUCCESS && bad == off, name_inplace,
	      "res %#x first bad byte %zu (range %zu+%zu)", r, bad, off, len);
	TEEC_ReleaseSharedMemory(&s);
	free(raw);
}

static void test_null_memref(TEEC_Session *ck)
{
	TEEC_Operation op;
	TEEC_Result r;
	uint64_t want = sim_fnv1a64(NULL, 0);

	memset(&op, 0, sizeof(op));
	op.paramTypes =
		TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_OUTPUT,
				 TEEC_NONE, TEEC_NONE);
	op.params[0].tmpref.buffer = NULL;
	op.params[0].tmpref.size = 0;
	op.params[1].value.a = 1;
	op.params[1].value.b = 1;
	r = invoke(ck, TA_CHECKSUM_CMD_FNV, &op, NULL);
	check(r == TEEC_SUCCESS && op.params[1].value.a == (uint32_t)want &&
		      op.params[1].value.b == 0,
	      "null_memref", "res %#x a %#x b %u", r, op.params[1].value.a,
	      op.params[1].value.b);
}

static void test_ta_errors(TEEC_Session *x)
{
	TEEC_Operation op;
	TEEC_Result r;
	uint32_t origin = 0, err = 0;
	uint8_t in[100], out[40];
	TEEC_Session s;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE,
					 TEEC_NONE);
	r = invoke(x, 99, &op, &origin);
	check(r == TEEC_ERROR_NOT_SUPPORTED &&
		      origin == TEEC_ORIGIN_TRUSTED_APP,
	      "ta_error_unknown_command", "res %#x origin %u", r, origin);

	fill(in, sizeof(in), 1);
	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT,
					 TEEC_MEMREF_TEMP_OUTPUT,
					 TEEC_VALUE_INPUT, TEEC_NONE);
	op.params[0].tmpref.buffer = in;
	op.params[0].tmpref.size = sizeof(in);
	op.params[1].tmpref.buffer = out;
	op.params[1].tmpref.size = sizeof(out);
	r = invoke(x, TA_XFORM_CMD_XOR, &op, &origin);
	check(r == TEEC_ERROR_SHORT_BUFFER &&
		      origin == TEEC_ORIGIN_TRUSTED_APP &&
		      op.params[1].tmpref.size == sizeof(in),
	      "ta_error_short_buffer_gives_size", "res %#x origin %u size %zu",
	      r, origin, op.params[1].tmpref.size);

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE,
					 TEEC_NONE);
	r = invoke(x, TA_XFORM_CMD_XOR, &op, &origin);
	check(r == TEEC_ERROR_BAD_PARAMETERS &&
		      origin == TEEC_ORIGIN_TRUSTED_APP,
	      "ta_error_bad_parameters", "res %#x origin %u", r, origin);

	{
		struct sim_uuid none = {{0x7e, 0x3d, 0x10, 0x7f}};

		open_ta(&s, none, &err, &origin);
		check(err == TEEC_ERROR_ITEM_NOT_FOUND &&
			      origin != TEEC_ORIGIN_TRUSTED_APP,
		      "open_unknown_ta_refused", "res %#x origin %u", err,
		      origin);
	}
}

static void test_slow(TEEC_Session *sl)
{
	TEEC_Operation op;
	TEEC_Result r;

	memset(&op, 0, sizeof(op));
	op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE,
					 TEEC_NONE);
	op.params[0].value.a = 40;
	r = invoke(sl, TA_SLOW_CMD_SPIN, &op, NULL);
	check(r == TEEC_SUCCESS && op.params[0].value.b == 81,
	      "foreign_interrupts_resumed", "res %#x b %u", r,
	      op.params[0].value.b);
}

static TEEC_Result storage(TEEC_Session *st, uint32_t cmd, uint32_t id,
			   void *buf, size_t *n)
{
	TEEC_Operation op;
	TEEC_Result r;
	uint32_t t0 = cmd == TA_STORAGE_CMD_WRITE  ? TEEC_MEMREF_TEMP_INPUT
		      : cmd == TA_STORAGE_CMD_READ ? TEEC_MEMREF_TEMP_OUTPUT
						   : TEEC_NONE;

	memset(&op, 0, sizeof(op));
	op.paramTypes =
		TEEC_PARAM_TYPES(t0, TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE);
	if (t0 != TEEC_NONE) {
		op.params[0].tmpref.buffer = buf;
		op.params[0].tmpref.size = *n;
	}
	op.params[1].value.a = id;
	r = invoke(st, cmd, &op, NULL);
	if (t0 != TEEC_NONE)
		*n = op.params[0].tmpref.size;
	return r;
}

/* The object's file as tee-supplicant wrote it. */
static bool file_holds(const char *root, uint32_t id, const uint8_t *want,
		       size_t n)
{
	char path[256];
	uint8_t *got = malloc(n + 1);
	FILE *f;
	size_t m;
	bool ok;

	snprintf(path, sizeof(path), "%s/teemed-%08x.obj", root, id);
	f = fopen(path, "rb");
	if (!f) {
		free(got);
		return false;
	}
	m = fread(got, 1, n + 1, f);
	fclose(f);
	ok = m == n && !memcmp(got, want, n);
	free(got);
	return ok;
}

static bool file_gone(const char *root, uint32_t id)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/teemed-%08x.obj", root, id);
	return access(path, F_OK) != 0;
}

static void test_storage(TEEC_Session *st, uint32_t id, const char *root,
			 size_t n, const char *tag)
{
	uint8_t *data = malloc(n), *back = malloc(n + 16);
	char name[64];
	size_t len = n, bad;
	TEEC_Result r;

	fill(data, n, id);
	snprintf(name, sizeof(name), "storage_%s_write", tag);
	r = storage(st, TA_STORAGE_CMD_WRITE, id, data, &len);
	check(r == TEEC_SUCCESS, name, "res %#x", r);
	snprintf(name, sizeof(name), "storage_%s_file_in_ree_fs", tag);
	check(file_holds(root, id, data, n), name, "%s/teemed-%08x.obj", root,
	      id);

	memset(back, 0, n + 16);
	len = n + 16;
	r = storage(st, TA_STORAGE_CMD_READ, id, back, &len);
	bad = first_bad(back, n, id, 0);
	snprintf(name, sizeof(name), "storage_%s_read_back", tag);
	check(r == TEEC_SUCCESS && len == n && bad == n, name,
	      "res %#x size %zu first bad byte %zu", r, len, bad);

	r = storage(st, TA_STORAGE_CMD_REMOVE, id, NULL, NULL);
	snprintf(name, sizeof(name), "storage_%s_remove", tag);
	check(r == TEEC_SUCCESS && file_gone(root, id), name, "res %#x", r);

	len = n;
	r = storage(st, TA_STORAGE_CMD_READ, id, back, &len);
	snprintf(name, sizeof(name), "storage_%s_removed_not_found", tag);
	check(r == TEEC_ERROR_ITEM_NOT_FOUND, name, "res %#x", r);
	free(data);
	free(back);
}

static void test_many_sessions(void)
{
	TEEC_Session s[12];
	uint32_t err = 0, origin = 0;
	int opened = 0;
	bool echo_ok = true;

	for (int i = 0; i < 12; i++) {
		struct sim_uuid u = (struct sim_uuid)TA_XFORM_UUID;

		if (!open_ta(&s[i], u, &err, &origin))
			break;
		opened++;
	}
	for (int i = 0; i < opened; i++) {
		TEEC_Operation op;

		memset(&op, 0, sizeof(op));
		op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE,
						 TEEC_NONE, TEEC_NONE);
		op.params[0].value.a = (uint32_t)i;
		if (invoke(&s[i], TA_XFORM_CMD_ECHO, &op, NULL) ||
		    op.params[0].value.a != (uint32_t)i + 1)
			echo_ok = false;
	}
	for (int i = 0; i < opened; i++)
		TEEC_CloseSession(&s[i]);
	check(opened == 12 && echo_ok, "twelve_sessions_open_invoke_close",
	      "opened %d (res %#x) echo %d", opened, err, echo_ok);
}

static int run(uint32_t id, const char *root)
{
	TEEC_Session x, ck, ip, sl, st;
	uint32_t err = 0, origin = 0;
	TEEC_Result r;

	r = TEEC_InitializeContext(NULL, &ctx);
	check(r == TEEC_SUCCESS, "context", "res %#x", r);
	if (r)
		return 1;
	check(open_ta(&x, (struct sim_uuid)TA_XFORM_UUID, &err, &origin) &&
		      open_ta(&ck, (struct sim_uuid)TA_CHECKSUM_UUID, &err,
			      &origin) &&
		      open_ta(&ip, (struct sim_uuid)TA_INPLACE_UUID, &err,
			      &origin) &&
		      open_ta(&sl, (struct sim_uuid)TA_SLOW_UUID, &err,
			      &origin) &&
		      open_ta(&st, (struct sim_uuid)TA_STORAGE_UUID, &err,
			      &origin),
	      "open_sessions", "res %#x origin %u", err, origin);
	if (failures)
		return failures;

	test_values(&x);
	test_tmpref(&x, 100, "tmpref_small");
	test_tmpref(&x, 3 * PAGE + 123, "tmpref_across_pages");
	test_allocated(&x, 2 * PAGE, "allocated_shm");
	test_registered(&ck, &ip, 5 * PAGE + 77, 1000, 3 * PAGE + 5,
			"registered_partial_checksum",
			"registered_partial_inplace");
	test_registered(&ck, &ip, 16 * PAGE, PAGE - 8, 16,
			"registered_page_boundary_checksum",
			"registered_page_boundary_inplace");
	test_null_memref(&ck);
	/* 1024 and 1536 pages: more than one SMC's step of 256 pages. */
	test_registered(&ck, &ip, 4u << 20, 0, 4u << 20,
			"large_registered_4MiB_checksum",
			"large_registered_4MiB_inplace");
	test_tmpref(&x, 6u << 20, "large_tmpref_6MiB_xor");
	test_ta_errors(&x);
	test_slow(&sl);
	test_storage(&st, id, root, 1000, "small");
	test_storage(&st, id + 1, root, 200 * 1024 + 3, "200KiB");
	test_many_sessions();

	TEEC_CloseSession(&x);
	TEEC_CloseSession(&ck);
	TEEC_CloseSession(&ip);
	TEEC_CloseSession(&sl);
	TEEC_CloseSession(&st);
	TEEC_FinalizeContext(&ctx);
	check(true, "sessions_closed_context_finalized", "");
	return failures > 100 ? 100 : failures;
}

/*
 * The xform TA has OP-TEE send the calling guest asynchronous values:
 * 0 asks the driver for a bottom half (DO_BOTTOM_HALF), 1..3 wake
 * whoever waits on them (nobody here). Each reaches the guest as its
 * optee node's interrupt.
 */
static int notify(uint32_t n)
{
	TEEC_Session x;
	TEEC_Operation op;
	TEEC_Result r = TEEC_SUCCESS;
	uint32_t err = 0, origin = 0, i;

	if (TEEC_InitializeContext(NULL, &ctx) ||
	    !open_ta(&x, (struct sim_uuid)TA_XFORM_UUID, &err, &origin)) {
		check(false, "ta_sent_notifications", "res %#x", err);
		return 1;
	}
	for (i = 0; i < n && r == TEEC_SUCCESS; i++) {
		memset(&op, 0, sizeof(op));
		op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE,
						 TEEC_NONE, TEEC_NONE);
		op.params[0].value.a = i % 4;
		r = invoke(&x, TA_XFORM_CMD_NOTIFY, &op, &origin);
		/* One interrupt each, not one for all the values. */
		usleep(20000);
	}
	check(r == TEEC_SUCCESS, "ta_sent_notifications",
	      "call %u: res %#x origin %u", i, r, origin);
	TEEC_CloseSession(&x);
	TEEC_FinalizeContext(&ctx);
	return failures;
}

/* Sessions, registered memory and allocated memory held until killed. */
static int hold(void)
{
	static TEEC_Session s[4];
	static TEEC_SharedMemory reg, alloc;
	uint32_t err = 0, origin = 0;
	bool ok = !TEEC_InitializeContext(NULL, &ctx);

	for (int i = 0; ok && i < 4; i++)
		ok = open_ta(&s[i], (struct sim_uuid)TA_XFORM_UUID, &err,
			     &origin);
	reg.size = 64 * PAGE;
	reg.buffer = malloc(reg.size);
	reg.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
	alloc.size = 8 * PAGE;
	alloc.flags = TEEC_MEM_INPUT;
	ok = ok && reg.buffer && !TEEC_RegisterSharedMemory(&ctx, &reg) &&
	     !TEEC_AllocateSharedMemory(&ctx, &alloc);
	check(ok, "hold_resources", "res %#x", err);
	printf("HOLDING\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "run"))
		return run((uint32_t)strtoul(argv[2], NULL, 0), argv[3]);
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return hold();
	if (argc == 3 && !strcmp(argv[1], "notify"))
		return notify((uint32_t)strtoul(argv[2], NULL, 0));
	fprintf(stderr, "usage: teec_test run ID FSROOT | teec_test hold | "
			"teec_test notify N\n");
	return 100;
}
