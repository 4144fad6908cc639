/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runs a fuzz target without libFuzzer: every file named on the command
 * line, and every regular file directly inside a named directory, is
 * fed once to LLVMFuzzerTestOneInput(). A failing input aborts, as it
 * does under the fuzzer, so a corpus doubles as a regression test with
 * any compiler.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

/* Inputs larger than this are not ours: libFuzzer is run with less. */
#define REPLAY_MAX_INPUT (1u << 20)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	buf = malloc(REPLAY_MAX_INPUT);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int run_dir(const char *dir, unsigned long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		return -1;
	}
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path)) {
			err = -1;
			continue;
		}
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path))
			err = -1;
		else
			(*count)++;
	}
	closedir(d);
	return err;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int err = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "replay: no such file %s\n", argv[i]);
			err = -1;
		} else if (S_ISDIR(st.st_mode)) {
			err |= run_dir(argv[i], &count);
		} else if (run_file(argv[i])) {
			err = -1;
		} else {
			count++;
		}
	}
	printf("replay: %lu inputs passed\n", count);
	if (!count)
		fprintf(stderr, "replay: no inputs found\n");
	return err || !count ? 1 : 0;
}
