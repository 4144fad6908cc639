/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * teemed-sim: run a simulator scenario (sim/scenario.h) and report.
 * Exit status 0 only when the run had no error, leak or violation.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attacks.h"
#include "scenario.h"
#include "teemed/trace.h"
#include "world.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* --trace, --trace-json, --trace-pa: how events are printed. */
struct trace_opts {
	bool on;
	bool json;
	unsigned int flags; /* TEEMED_TRACE_FMT_* */
};

static void print_event(void *ctx, const struct teemed_trace_event *ev)
{
	static char line[TEEMED_TRACE_LINE_MAX];
	const struct trace_opts *t = ctx;

	if (t->json)
		teemed_trace_format_json(ev, line, sizeof(line), t->flags);
	else
		teemed_trace_format(ev, line, sizeof(line), t->flags);
	puts(line);
}

/* A trace option (with its NAME for attacks); false if `a` is none. */
static bool trace_option(const char *a, struct trace_opts *t)
{
	if (!strcmp(a, "--trace")) {
		t->on = true;
	} else if (!strcmp(a, "--trace-json")) {
		t->on = true;
		t->json = true;
	} else if (!strcmp(a, "--trace-pa")) {
		t->on = true;
		t->flags |= TEEMED_TRACE_FMT_SHOW_PA;
	} else if (!strcmp(a, "--trace-raw")) {
		t->on = true;
		t->flags |= TEEMED_TRACE_FMT_RAW;
	} else {
		return false;
	}
	return true;
}

struct progress {
	double start;
	double last;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Quiet for short runs; a line every half second after two seconds. */
static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	double t = now();

	if (t - p->start < 2.0 || t - p->last < 0.5)
		return;
	p->last = t;
	fprintf(stderr, "\rteemed-sim: %" PRIu64 " SMCs (~%" PRIu64 "%%)", done,
		total ? done * 100 / total : 0);
	fflush(stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: teemed-sim run [options]\n"
		"       teemed-sim attack [--json] [--only NAME] "
		"[--ram-at-zero]\n"
		"       teemed-sim attack --trace NAME | --trace-json NAME\n"
		"       teemed-sim --help\n"
		"\n"
		"Runs guests that speak the Linux OP-TEE driver protocol "
		"through teemed\n"
		"to a simulated OP-TEE, checks every result and the isolation "
		"invariants,\n"
		"destroys every VM and reports. Exit status 1 on any error, "
		"leak or\n"
		"invariant violation, 2 on bad usage.\n"
		"\n"
		"options:\n"
		"  --scenario NAME   what to run (default basic)\n"
		"  --vms N           guests (scenario default)\n"
		"  --vcpus N         vCPUs per guest (scenario default)\n"
		"  --ops N           operations per guest (scenario default)\n"
		"  --buf-size BYTES  largest memref; K, M suffixes allowed\n"
		"  --seed S          random seed (default 1)\n"
		"  --fail OP:N       make the N-th platform call of OP fail\n"
		"                    (counted from before teemed_init); OP:\n"
		"                    pin, alloc_page, alloc_obj, lock_create,\n"
		"                    smc; the defined errors it causes are\n"
		"                    tolerated\n"
"  --ram-at-zero     the host also has a RAM page at PA 0,\n"
		"                    as boards whose DRAM starts at 0\n"
		"  --no-rpc-arg      VMs not offered CALL_WITH_RPC_ARG /\n"
		"                    _REGD_ARG: guests use CALL_WITH_ARG\n"
		"  --no-notif        VMs not offered asynchronous\n"
		"                    notifications\n"
		"  --json            print one JSON object instead of text\n"
		"  --trace           print the conversation, one line per "
		"event\n"
		"                    (docs/trace.md)\n"
		"  --trace-json      the same, one JSON object per line; the\n"
		"                    report is one more line (as --json)\n"
		"  --trace-pa        with --trace: show host PAs, hidden "
		"otherwise\n"
		"  --trace-raw       with --trace: also print a0..a7\n"
		"\n"
		"scenarios:\n");
	for (size_t i = 0; scenario_name(i); i++)
		fprintf(f, "  %-13s %s\n", scenario_name(i), scenario_help(i));
}

static int parse_u64(const char *s, uint64_t *out, uint64_t max)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k') {
		v *= 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v *= 1024 * 1024;
		end++;
	}
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "OP:N" of --fail. */
static int parse_fail(const char *s, struct scenario_opts *o)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon)
		return -1;
	for (int op = 0; op < SIM_OP_COUNT; op++) {
		const char *name = sim_op_name((enum sim_op)op);

		if (strlen(name) == (size_t)(colon - s) &&
		    !strncmp(s, name, (size_t)(colon - s))) {
			o->fail_op = (enum sim_op)op;
			return parse_u64(colon + 1, &o->fail_at, UINT64_MAX) ||
					       !o->fail_at
				       ? -1
				       : 0;
		}
	}
	return -1;
}

static void print_text(const struct scenario_opts *o,
		       const struct scenario_result *r, double secs)
{
	printf("scenario %s: %u VMs x %u vCPUs, seed %" PRIu64 ", %.2f s\n",
	       o->name, r->vms, r->vcpus, o->seed, secs);
	printf("  work      %" PRIu64 " ops, %" PRIu64 " calls, %" PRIu64
	       " SMCs, %" PRIu64 " RPCs (%" PRIu64 " foreign intr), %" PRIu64
	       " bytes verified\n",
	       r->ops, r->calls, r->smcs, r->rpcs, r->foreign_intrs,
	       r->bytes_verified);
	printf("  peaks     %u pinned pages, %u buffers, %u calls, %u pages "
	       "in one SMC\n",
	       r->pinned_pages_peak, r->buffers_peak, r->calls_peak,
	       r->max_pages_per_smc);
	printf("  refusals  %" PRIu64 " quota, %" PRIu64 " other, %" PRIu64
	       " seen by guests, %" PRIu64 " ETHREAD_LIMIT waits\n",
	       r->quota_refusals, r->refused_other, r->guest_refusals,
	       r->ethread_waits);
	if (r->calls_cut || r->buffers_cut)
		printf("  teardown  %" PRIu64 " calls and %" PRIu64
		       " buffers cut holding %" PRIu64 " pinned pages, %" PRIu64
		       " destroy steps\n",
		       r->calls_cut, r->buffers_cut, r->pinned_pages_at_destroy,
		       r->destroy_steps);
	printf("  checks    %" PRIu64 " errors, %" PRIu64
	       " leaked pins, %" PRIu64 " leaked mediator pages, %" PRIu64
	       " oracle violations (of %" PRIu64 " checks), %" PRIu64
	       " pinned at end\n",
	       r->errors, r->leaked_pins, r->leaked_mediator_pages,
	       r->oracle_violations, r->oracle_checks, r->pinned_pages_now);
	if (o->fail_at)
		printf("  faults    %s call %" PRIu64 " of %" PRIu64
		       ": %" PRIu64 " injected, %" PRIu64
		       " defined errors tolerated, %" PRIu64
		       " VMs not started, %" PRIu64 " destroy retries\n",
		       sim_op_name(o->fail_op), o->fail_at,
		       r->op_calls[o->fail_op], r->injected_faults,
		       r->tolerated, r->vms_not_started, r->destroy_retries);
	if (r->first_error[0])
		printf("  first error: %s\n", r->first_error);
	printf("%s\n", scenario_ok(r) ? "PASS" : "FAIL");
}

/* JSON string body: the error text may hold quotes or controls. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct scenario_opts *o,
		       const struct scenario_result *r, double secs)
{
	const struct {
		const char *k;
		uint64_t v;
	} f[] = {
		{"vms", r->vms},
		{"vcpus", r->vcpus},
		{"seed", o->seed},
		{"ops", r->ops},
		{"calls", r->calls},
		{"smcs", r->smcs},
		{"rpcs", r->rpcs},
		{"foreign_intrs", r->foreign_intrs},
		{"regd_calls", r->regd_calls},
		{"rpc_arg_calls", r->rpc_arg_calls},
		{"notif_irqs", r->notif_irqs},
		{"notif_values", r->notif_values},
		{"bottom_halves", r->bottom_halves},
		{"errors", r->errors},
		{"bytes_verified", r->bytes_verified},
		{"pinned_pages_now", r->pinned_pages_now},
		{"pinned_pages_at_destroy", r->pinned_pages_at_destroy},
		{"balloon_tries", r->balloon_tries},
		{"leaked_pins", r->leaked_pins},
		{"leaked_mediator_pages", r->leaked_mediator_pages},
		{"oracle_violations", r->oracle_violations},
		{"oracle_checks", r->oracle_checks},
		{"pinned_pages_peak", r->pinned_pages_peak},
		{"buffers_peak", r->buffers_peak},
		{"calls_peak", r->calls_peak},
		{"max_pages_per_smc", r->max_pages_per_smc},
		{"quota_refusals", r->quota_refusals},
		{"refused_other", r->refused_other},
		{"guest_refusals", r->guest_refusals},
		{"ethread_waits", r->ethread_waits},
		{"calls_cut", r->calls_cut},
		{"buffers_cut", r->buffers_cut},
		{"destroy_steps", r->destroy_steps},
		{"injected_faults", r->injected_faults},
		{"tolerated", r->tolerated},
		{"vms_not_started", r->vms_not_started},
		{"destroy_retries", r->destroy_retries},
	};

	printf("{\"scenario\": ");
	json_str(o->name);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		printf(", \"%s\": %" PRIu64, f[i].k, f[i].v);
	printf(", \"seconds\": %.3f, \"ok\": %s, \"first_error\": ", secs,
	       scenario_ok(r) ? "true" : "false");
	json_str(r->first_error);
	printf("}\n");
}

/* One result as a JSON object, after `lead`. */
static void print_attack_json(const struct attack_result *r, const char *lead)
{
	char exp[96], obs[96];

	attack_format(&r->expected, exp, sizeof(exp));
	attack_format(&r->observed, obs, sizeof(obs));
	printf("%s{\"name\": ", lead);
	json_str(r->name);
	printf(", \"class\": ");
	json_str(r->klass);
	printf(", \"goal\": ");
	json_str(r->goal);
	printf(", \"expected\": ");
	json_str(exp);
	printf(", \"observed\": ");
	json_str(obs);
	printf(", \"answer_ok\": %s, \"checks_ok\": %s, \"unchanged\": %s, "
	       "\"victim_ok\": %s, \"clean\": %s, \"oracle_violations\": "
	       "%" PRIu64 ", \"blocked\": %s, \"note\": ",
	       r->answer_ok ? "true" : "false", r->checks_ok ? "true" : "false",
	       r->unchanged ? "true" : "false", r->victim_ok ? "true" : "false",
	       r->clean ? "true" : "false", r->oracle_violations,
	       r->blocked ? "true" : "false");
	json_str(r->note);
	printf("}");
}

static void print_attack_text(const struct attack_result *r)
{
	char exp[96], obs[96];

	attack_format(&r->expected, exp, sizeof(exp));
	attack_format(&r->observed, obs, sizeof(obs));
	printf("%-30s %-40s %-40s %s\n", r->name, exp, obs,
	       r->blocked ? "blocked" : "NOT BLOCKED");
	if (!r->blocked)
		printf("%30s   %s\n", "", r->note);
}

/* teemed-sim attack: the catalogue of sim/attacks.h. */
static int attack_main(int argc, char **argv)
{
	static struct trace_opts trace;
	const char *only = NULL;
	size_t first = 0, end = attack_count(), blocked = 0;
	bool json = false, ram_at_zero = false;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--ram-at-zero")) {
			ram_at_zero = true;
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (trace_option(argv[i], &trace)) {
			/* --trace NAME: that attack's conversation. */
			if (i + 1 < argc && argv[i + 1][0] != '-')
				only = argv[++i];
		} else {
			fprintf(stderr, "teemed-sim: bad attack option %s\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	if (only) {
		long k = attack_find(only);

		if (k < 0) {
			fprintf(stderr, "teemed-sim: no attack '%s'\n", only);
			return EXIT_USAGE;
		}
		first = (size_t)k;
		end = first + 1;
	}
	if (trace.on)
		world_set_default_trace(print_event, &trace);
	if (trace.json) /* JSON lines: events, then each result */
		json = false;
	else if (json)
		printf("{\"attacks\": %zu, \"results\": [", end - first);
	else
		printf("%-30s %-40s %-40s %s\n", "attack", "expected answer",
		       "observed answer", "verdict");
	for (size_t i = first; i < end; i++) {
		struct attack_result r;

		attack_run_at(i, ram_at_zero, &r);
		blocked += r.blocked;
		if (trace.json) {
			print_attack_json(&r, "");
			putchar('\n');
		} else if (json) {
			print_attack_json(&r,
					  i == first ? "\n    " : ",\n    ");
		} else {
			print_attack_text(&r);
		}
	}
	if (json)
		printf("\n  ], \"blocked\": %zu}\n", blocked);
	else if (!trace.json)
		printf("%zu of %zu attacks blocked\n", blocked, end - first);
	return blocked == end - first ? 0 : EXIT_FAILED;
}

int main(int argc, char **argv)
{
	static struct trace_opts trace;
	struct scenario_opts o;
	struct scenario_result r;
	struct progress p;
	bool json = false;
	double t0;

	memset(&o, 0, sizeof(o));
	o.name = "basic";
	o.seed = 1;
	if (argc >= 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "attack"))
		return attack_main(argc - 2, argv + 2);
	if (argc < 2 || strcmp(argv[1], "run")) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n = 0;
		int bad = 0;

		if (!strcmp(a, "--json")) {
			json = true;
			continue;
		}
		if (!strcmp(a, "--ram-at-zero")) {
			o.ram_at_zero = true;
			continue;
		}
		if (!strcmp(a, "--no-rpc-arg")) {
			o.features_off |= TEEMED_FEATURE_RPC_ARG;
			continue;
		}
		if (!strcmp(a, "--no-notif")) {
			o.features_off |= TEEMED_FEATURE_ASYNC_NOTIF;
			continue;
		}
		if (trace_option(a, &trace))
			continue;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--scenario")) {
			bad = !val;
			o.name = val;
		} else if (!strcmp(a, "--vms")) {
			bad = parse_u64(val, &n, 0xfffe) || !n;
			o.vms = (uint32_t)n;
		} else if (!strcmp(a, "--vcpus")) {
			bad = parse_u64(val, &n, 1024) || !n;
			o.vcpus = (uint32_t)n;
		} else if (!strcmp(a, "--ops")) {
			bad = parse_u64(val, &n, UINT64_MAX / 65536) || !n;
			o.ops = n;
		} else if (!strcmp(a, "--buf-size")) {
			bad = parse_u64(val, &n, 1ull << 30) || !n;
			o.buf_size = n;
		} else if (!strcmp(a, "--fail")) {
			bad = parse_fail(val, &o);
		} else if (!strcmp(a, "--seed")) {
			bad = parse_u64(val, &n, UINT64_MAX);
			o.seed = n;
		} else {
			fprintf(stderr, "teemed-sim: unknown option %s\n", a);
			return EXIT_USAGE;
		}
		if (bad) {
			fprintf(stderr, "teemed-sim: bad value for %s\n", a);
			return EXIT_USAGE;
		}
		i++;
	}
	if (trace.on)
		world_set_default_trace(print_event, &trace);
	/* JSON lines: the events, then the report as one more object. */
	if (trace.json)
		json = true;
	p.start = p.last = t0 = now();
	o.progress = on_progress;
	o.progress_ctx = &p;
	if (scenario_run(&o, &r)) {
		fprintf(stderr, "teemed-sim: unknown scenario '%s'\n", o.name);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (p.last != p.start)
		fprintf(stderr, "\n");
	if (json)
		print_json(&o, &r, now() - t0);
	else
		print_text(&o, &r, now() - t0);
	return scenario_ok(&r) ? 0 : EXIT_FAILED;
}
