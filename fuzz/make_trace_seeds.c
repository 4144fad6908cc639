/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes the seed corpus of the trace target (fuzz/fuzz_trace.c): every
 * distinct kind of event of the trace-demo scenario and of a few
 * attacks, in the target's input format, plus a few malformed ones.
 *
 *   fuzz_make_trace_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attacks.h"
#include "optee_abi.h"
#include "scenario.h"
#include "teemed/trace.h"
#include "world.h"

#define MAX_SEEDS 256

struct seeds {
	const char *dir;
	unsigned int count;
	/* What makes an event new: kind, function, a0's top and low bits,
	   the message's command, flags chosen for it. */
	uint64_t keys[MAX_SEEDS];
};

static void put_le(uint8_t **p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

static void write_seed(struct seeds *s, const char *name,
		       const struct teemed_trace_event *ev, unsigned int flags,
		       uint16_t out_len)
{
	uint8_t hdr[88], *p = hdr;
	char path[4096];
	FILE *f;

	put_le(&p, ev->kind, 1);
	put_le(&p, ev->reason, 1);
	put_le(&p, ev->client_id, 2);
	put_le(&p, ev->fid, 4);
	put_le(&p, (uint32_t)ev->status, 4);
	put_le(&p, ev->vcpu, 4);
	put_le(&p, ev->index, 4);
	put_le(&p, flags, 1);
	put_le(&p, (uint64_t)(ev->msg != NULL) | (uint64_t)ev->cause << 1, 1);
	put_le(&p, out_len, 2);
	for (int i = 0; i < 8; i++)
		put_le(&p, ev->regs.a[i], 8);
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    (ev->msg && ev->msg_len &&
	     fwrite(ev->msg, 1, ev->msg_len, f) != ev->msg_len) ||
	    fclose(f)) {
		fprintf(stderr, "make_trace_seeds: cannot write %s\n", path);
		exit(1);
	}
	s->count++;
}

static void on_event(void *ctx, const struct teemed_trace_event *ev)
{
	struct seeds *s = ctx;
	uint32_t cmd = 0;
	uint64_t key;
	char name[64];

	if (ev->msg && ev->msg_len >= 4)
		memcpy(&cmd, ev->msg, 4);
	key = (uint64_t)ev->kind << 56 ^ (uint64_t)ev->fid << 24 ^
	      (ev->regs.a[0] & 0xffff00ffu) ^ (uint64_t)cmd << 8 ^ ev->reason ^
	      (uint64_t)ev->cause << 48;
	for (unsigned int i = 0; i < s->count && i < MAX_SEEDS; i++)
		if (s->keys[i] == key)
			return;
	if (s->count >= MAX_SEEDS)
		return;
	s->keys[s->count] = key;
	snprintf(name, sizeof(name), "%s-%u", teemed_trace_kind_name(ev->kind),
		 s->count);
	/* Every third seed shows PAs and raw registers; every fifth is cut
	   by a small buffer. */
	write_seed(s, name, ev, s->count % 3 ? 0 : 3u,
		   s->count % 5 ? 0 : (uint16_t)(20 + s->count));
}

/* Events no run produces: short and lying messages, unknown kinds. */
static void malformed(struct seeds *s)
{
	static const uint64_t words[6] = {OPTEE_MSG_CMD_INVOKE_COMMAND,
					  0,
					  127ull << 32,
					  0x20b,
					  0x40001008,
					  0x10000};
	struct teemed_trace_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.index = TEEMED_TRACE_NO_INDEX;
	ev.kind = TEEMED_TRACE_GUEST_MSG;
	ev.client_id = 1;
	ev.msg = words;
	ev.msg_len = 20; /* shorter than a header */
	write_seed(s, "short-header", &ev, 0, 0);
	ev.msg_len = sizeof(words); /* 127 params said, under one present */
	write_seed(s, "lying-num-params", &ev, 0, 0);
	ev.kind = TEEMED_TRACE_KIND_COUNT + 3;
	write_seed(s, "unknown-kind", &ev, 1, 7);
}

int main(int argc, char **argv)
{
	static const char *const attacks[] = {"resume_other_vm_thread",
					      "rmem_unknown_cookie",
					      "cmd_unknown",
					      "arg_num_params_128",
					      "rpc_alloc_misaligned",
					      "shm_alloc_bad_list",
					      "flood_calls",
					      "smc_while_destroying",
					      "fast_get_shm_config",
					      "pl_entry_mmio",
					      "arg_unaligned"};
	struct scenario_opts o;
	struct scenario_result r;
	struct seeds s;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	memset(&s, 0, sizeof(s));
	s.dir = argv[1];
	world_set_default_trace(on_event, &s);
	memset(&o, 0, sizeof(o));
	o.name = "trace-demo";
	o.seed = 1;
	if (scenario_run(&o, &r) || !scenario_ok(&r)) {
		fprintf(stderr, "make_trace_seeds: trace-demo failed\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		long k = attack_find(attacks[i]);
		struct attack_result ar;

		if (k < 0) {
			fprintf(stderr, "make_trace_seeds: no attack %s\n",
				attacks[i]);
			return 1;
		}
		attack_run((size_t)k, &ar);
	}
	world_set_default_trace(NULL, NULL);
	malformed(&s);
	printf("make_trace_seeds: %u seeds in %s\n", s.count, s.dir);
	return 0;
}
