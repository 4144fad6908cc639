/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fuzz target: the trace decoder (trace/) over arbitrary events. The
 * message is copied into a heap block of exactly msg_len bytes and the
 * output goes to a heap block of exactly the length given, so ASan
 * proves the decoder reads nothing outside what it is given and writes
 * nothing outside the buffer. It also checks what the header promises:
 * the return value is the string's length; output cut by a small buffer
 * is the start of the whole output with "..." at its end; with
 * TEEMED_TRACE_LINE_MAX bytes nothing is cut; JSON brackets balance.
 * Input (docs/fuzzing.md):
 *
 *   u8  kind       u8  reason     u16 client_id  u32 fid
 *   u32 status     u32 vcpu       u32 index      u8  flags
 *   u8  bit 0: a message, bits 1-7: cause       u16 out_len
 *   u64 a0..a7
 *   ... the message: the rest of the input (msg_len = its length)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "teemed/trace.h"

static char full[TEEMED_TRACE_LINE_MAX];

static void check_balanced(const char *s)
{
	int depth = 0;
	bool in_str = false;

	for (; *s; s++) {
		if (in_str) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				in_str = false;
			continue;
		}
		if (*s == '"')
			in_str = true;
		else if (*s == '{' || *s == '[')
			depth++;
		else if (*s == '}' || *s == ']')
			depth--;
		if (depth < 0)
			abort();
	}
	if (depth || in_str)
		abort();
}

typedef size_t (*format_fn)(const struct teemed_trace_event *ev, char *buf,
			    size_t len, unsigned int flags);

static void check(format_fn fmt, const struct teemed_trace_event *ev,
		  unsigned int flags, size_t out_len, bool json)
{
	char *small = malloc(out_len ? out_len : 1);
	size_t n_full, n;

	if (!small)
		abort();
	n_full = fmt(ev, full, sizeof(full), flags);
	if (n_full != strlen(full) || n_full >= sizeof(full) - 1)
		abort();
	if (json)
		check_balanced(full);
	n = fmt(ev, out_len ? small : NULL, out_len, flags);
	if (!out_len) {
		if (n)
			abort();
	} else if (n != strlen(small) || n >= out_len) {
		abort();
	} else if (n == n_full) {
		if (memcmp(small, full, n))
			abort();
	} else if (n != out_len - 1) {
		abort(); /* cut, but not at the end of the buffer */
	} else if (out_len >= 4) {
		/* Cut: the start of the whole, then "...". */
		if (memcmp(small, full, n - 3) ||
		    memcmp(small + n - 3, "...", 3))
			abort();
	} else if (memcmp(small, full, n)) {
		abort(); /* no room for "...": the start of the whole */
	}
	free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	struct teemed_trace_event ev;
	unsigned int flags;
	size_t out_len;
	uint8_t *msg = NULL;
	bool has_msg;
	uint8_t bits;

	memset(&ev, 0, sizeof(ev));
	ev.kind = fz_u8(&in);
	ev.reason = fz_u8(&in);
	ev.client_id = (uint16_t)fz_u16(&in);
	ev.fid = fz_u32(&in);
	ev.status = (int32_t)fz_u32(&in);
	ev.vcpu = fz_u32(&in);
	ev.index = fz_u32(&in);
	flags = fz_u8(&in);
	bits = fz_u8(&in);
	has_msg = bits & 1;
	ev.cause = bits >> 1;
	out_len = fz_u16(&in);
	for (int i = 0; i < 8; i++)
		ev.regs.a[i] = fz_u64(&in);
	if (has_msg) {
		size_t left = in.n;

		/* Exactly msg_len bytes, so a read past them is caught. */
		msg = malloc(left ? left : 1);
		if (!msg)
			abort();
		if (left)
			memcpy(msg, in.p, left);
		ev.msg = msg;
		ev.msg_len = (uint32_t)left;
	}
	check(teemed_trace_format, &ev, flags, out_len, false);
	check(teemed_trace_format_json, &ev, flags, out_len, true);
	free(msg);
	return 0;
}
