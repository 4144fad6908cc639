/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Golden traces: the trace-demo scenario (sim/demo.c) traced as text
 * and as JSON lines must equal tests/golden/trace-demo.txt and
 * trace-demo.jsonl, and must be the same on a second run. A change of
 * the core's behaviour, of the events it emits or of the decoder shows
 * here as a diff of the conversation.
 *
 *   golden_trace DIR           compare with DIR/trace-demo.{txt,jsonl}
 *   golden_trace --update DIR  rewrite them (review the diff)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "teemed/trace.h"
#include "world.h"

struct capture {
	bool json;
	char *text;
	size_t len, cap;
	unsigned long events;
};

static void on_event(void *ctx, const struct teemed_trace_event *ev)
{
	static char line[TEEMED_TRACE_LINE_MAX];
	struct capture *c = ctx;
	size_t n;

	if (c->json)
		n = teemed_trace_format_json(ev, line, sizeof(line), 0);
	else
		n = teemed_trace_format(ev, line, sizeof(line), 0);
	if (c->len + n + 2 > c->cap) {
		size_t cap = (c->cap + n + 2) * 2;
		char *t = realloc(c->text, cap);

		if (!t) {
			fprintf(stderr, "golden_trace: out of memory\n");
			exit(1);
		}
		c->text = t;
		c->cap = cap;
	}
	memcpy(c->text + c->len, line, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
	c->events++;
}

/* Run trace-demo once, traced; false if the scenario itself failed. */
static bool capture(struct capture *c, bool json)
{
	struct scenario_opts o;
	struct scenario_result r;

	memset(c, 0, sizeof(*c));
	c->json = json;
	memset(&o, 0, sizeof(o));
	o.name = "trace-demo";
	o.seed = 1;
	world_set_default_trace(on_event, c);
	if (scenario_run(&o, &r) || !scenario_ok(&r)) {
		fprintf(stderr, "golden_trace: trace-demo failed: %s\n",
			r.first_error);
		world_set_default_trace(NULL, NULL);
		return false;
	}
	world_set_default_trace(NULL, NULL);
	return c->events > 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Print the first line that differs, numbered from 1. */
static void first_diff(const char *want, const char *got)
{
	unsigned long line = 1;
	const char *w = want, *g = got;

	while (*w && *w == *g) {
		if (*w == '\n') {
			line++;
			want = w + 1;
			got = g + 1;
		}
		w++;
		g++;
	}
	fprintf(stderr,
		"  first difference at line %lu:\n  want: %.*s\n  got:  %.*s\n",
		line, (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"),
		got);
}

static int check(const char *dir, const char *file, bool json, bool update)
{
	struct capture a, b;
	char path[4096];
	char *want;
	size_t len = 0;
	int bad = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!capture(&a, json) || !capture(&b, json)) {
		free(a.text);
		return 1;
	}
	if (a.len != b.len || memcmp(a.text, b.text, a.len)) {
		fprintf(stderr, "golden_trace: %s differs between two runs\n",
			file);
		first_diff(a.text, b.text);
		bad = 1;
	} else if (update) {
		FILE *f = fopen(path, "wb");

		if (!f || fwrite(a.text, 1, a.len, f) != a.len || fclose(f)) {
			fprintf(stderr, "golden_trace: cannot write %s\n",
				path);
			bad = 1;
		} else {
			printf("golden_trace: wrote %s (%lu events)\n", path,
			       a.events);
		}
	} else if (!(want = slurp(path, &len))) {
		fprintf(stderr, "golden_trace: cannot read %s\n", path);
		bad = 1;
	} else {
		if (len != a.len || memcmp(want, a.text, len)) {
			fprintf(stderr,
				"golden_trace: the trace differs from %s "
				"(if intended: golden_trace --update %s)\n",
				path, dir);
			first_diff(want, a.text);
			bad = 1;
		} else {
			printf("golden_trace: %s matches (%lu events)\n", file,
			       a.events);
		}
		free(want);
	}
	free(a.text);
	free(b.text);
	return bad;
}

int main(int argc, char **argv)
{
	bool update = argc == 3 && !strcmp(argv[1], "--update");
	const char *dir = argv[argc - 1];

	if (argc != 2 && !update) {
		fprintf(stderr, "usage: %s [--update] DIR\n", argv[0]);
		return 2;
	}
	return check(dir, "trace-demo.txt", false, update) |
	       check(dir, "trace-demo.jsonl", true, update);
}
