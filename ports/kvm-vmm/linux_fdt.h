/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small flattened-device-tree writer (the DTB format of the Devicetree
 * Specification, version 17): nodes and properties are appended in
 * order, then fdt_finish() lays out header, reserve map, structure and
 * strings. Enough for the tree teemed-vmm gives a Linux guest; no
 * editing, no lookup.
 */
#ifndef TEEMED_LINUX_FDT_H
#define TEEMED_LINUX_FDT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_STRUCT_MAX	8192
#define FDT_STRINGS_MAX 1024

struct fdt {
	uint8_t st[FDT_STRUCT_MAX]; /* the structure block */
	char str[FDT_STRINGS_MAX];  /* the strings block */
	size_t st_len, str_len;
	int depth;
	int error; /* a block overflowed or nodes do not nest */
};

void fdt_init(struct fdt *f);
void fdt_begin_node(struct fdt *f, const char *name);
void fdt_end_node(struct fdt *f);
void fdt_prop(struct fdt *f, const char *name, const void *val, size_t len);
void fdt_prop_u32(struct fdt *f, const char *name, uint32_t v);
void fdt_prop_u64(struct fdt *f, const char *name, uint64_t v);
/* A list of 32-bit cells, written big-endian. */
void fdt_prop_cells(struct fdt *f, const char *name, const uint32_t *cells,
		    size_t n);
void fdt_prop_str(struct fdt *f, const char *name, const char *s);
/* Several strings: "a\0b\0" as dtc writes "a", "b". */
void fdt_prop_strs(struct fdt *f, const char *name, const char *s, size_t len);
void fdt_prop_empty(struct fdt *f, const char *name);

/*
 * The blob into `out` (at most `cap` bytes): its size, or 0 if the tree
 * is malformed or does not fit.
 */
size_t fdt_finish(struct fdt *f, void *out, size_t cap);

#endif /* TEEMED_LINUX_FDT_H */
