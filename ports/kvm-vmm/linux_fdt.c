// SPDX-License-Identifier: BSD-2-Clause
/* The device-tree writer of linux_fdt.h. All numbers are big-endian. */
#include <string.h>

#include "linux_fdt.h"

#define FDT_MAGIC	0xd00dfeedu
#define FDT_BEGIN_NODE	1u
#define FDT_END_NODE	2u
#define FDT_PROP	3u
#define FDT_END		9u
#define FDT_HEADER_SIZE 40u
#define FDT_RSVMAP_SIZE 16u /* the terminating empty entry only */

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put(struct fdt *f, const void *p, size_t len)
{
	size_t pad = (4 - len % 4) % 4;

	if (f->error || len + pad > sizeof(f->st) - f->st_len) {
		f->error = 1;
		return;
	}
	memcpy(f->st + f->st_len, p, len);
	memset(f->st + f->st_len + len, 0, pad);
	f->st_len += len + pad;
}

static void put32(struct fdt *f, uint32_t v)
{
	uint8_t b[4];

	be32(b, v);
	put(f, b, sizeof(b));
}

/* Offset of `name` in the strings block, added once. */
static uint32_t string_off(struct fdt *f, const char *name)
{
	size_t n = strlen(name) + 1;

	for (size_t off = 0; off < f->str_len; off += strlen(f->str + off) + 1)
		if (!strcmp(f->str + off, name))
			return (uint32_t)off;
	if (n > sizeof(f->str) - f->str_len) {
		f->error = 1;
		return 0;
	}
	memcpy(f->str + f->str_len, name, n);
	f->str_len += n;
	return (uint32_t)(f->str_len - n);
}

void fdt_init(struct fdt *f)
{
	memset(f, 0, sizeof(*f));
}

void fdt_begin_node(struct fdt *f, const char *name)
{
	put32(f, FDT_BEGIN_NODE);
	put(f, name, strlen(name) + 1);
	f->depth++;
}

void fdt_end_node(struct fdt *f)
{
	if (--f->depth < 0)
		f->error = 1;
	put32(f, FDT_END_NODE);
}

void fdt_prop(struct fdt *f, const char *name, const void *val, size_t len)
{
	put32(f, FDT_PROP);
	put32(f, (uint32_t)len);
	put32(f, string_off(f, name));
	if (len)
		put(f, val, len);
}

void fdt_prop_cells(struct fdt *f, const char *name, const uint32_t *cells,
		    size_t n)
{
	uint8_t b[64 * 4];

	if (n > 64) {
		f->error = 1;
		return;
	}
	for (size_t i = 0; i < n; i++)
		be32(b + 4 * i, cells[i]);
	fdt_prop(f, name, b, 4 * n);
}

void fdt_prop_u32(struct fdt *f, const char *name, uint32_t v)
{
	fdt_prop_cells(f, name, &v, 1);
}

void fdt_prop_u64(struct fdt *f, const char *name, uint64_t v)
{
	uint32_t c[2] = {(uint32_t)(v >> 32), (uint32_t)v};

	fdt_prop_cells(f, name, c, 2);
}

void fdt_prop_str(struct fdt *f, const char *name, const char *s)
{
	fdt_prop(f, name, s, strlen(s) + 1);
}

void fdt_prop_strs(struct fdt *f, const char *name, const char *s, size_t len)
{
	fdt_prop(f, name, s, len);
}

void fdt_prop_empty(struct fdt *f, const char *name)
{
	fdt_prop(f, name, NULL, 0);
}

size_t fdt_finish(struct fdt *f, void *out, size_t cap)
{
	uint8_t *o = out;
	uint32_t off_rsv = FDT_HEADER_SIZE;
	uint32_t off_st = off_rsv + FDT_RSVMAP_SIZE;
	uint32_t off_str, total;

	put32(f, FDT_END);
	if (f->error || f->depth)
		return 0;
	off_str = off_st + (uint32_t)f->st_len;
	total = off_str + (uint32_t)f->str_len;
	if (total > cap)
		return 0;
	memset(o, 0, off_st);
	be32(o + 0, FDT_MAGIC);
	be32(o + 4, total);
	be32(o + 8, off_st);
	be32(o + 12, off_str);
	be32(o + 16, off_rsv);
	be32(o + 20, 17); /* version */
	be32(o + 24, 16); /* last compatible version */
	be32(o + 28, 0);  /* boot CPU */
	be32(o + 32, (uint32_t)f->str_len);
	be32(o + 36, (uint32_t)f->st_len);
	memcpy(o + off_st, f->st, f->st_len);
	memcpy(o + off_str, f->str, f->str_len);
	return total;
}
