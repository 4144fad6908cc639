/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Normal-world memory as the secure-world model sees it: the
 * per-partition object list (OP-TEE's mobj_reg_shm list), page-list
 * parsing (spec §4.2) and every byte the model reads or writes in
 * "physical" memory, each access checked by the oracle at the moment
 * it happens.
 */
#include <stdlib.h>
#include <string.h>

#include "optee_model_private.h"

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/*
 * OP-TEE maps only non-secure memory it knows about; in the model that
 * is host RAM, and the page at PA 0 where the machine has one. Anything else is refused without being touched, so the
 * oracle is not asked about it.
 */
static bool page_mappable(struct optee_model *sw, uint64_t pa)
{
	return !(pa & MODEL_PAGE_MASK) && machine_is_ram(sw->m, pa);
}

/* Mapping a page hands it to the secure world: the oracle must agree. */
static bool page_map_ok(struct optee_model *sw, uint64_t pa, const char *what)
{
	return page_mappable(sw, pa) &&
	       oracle_sw_access(sw->o, sw->client, pa, MODEL_PAGE_SIZE, what);
}

/* Bytes within one page. */
static bool pa_access(struct optee_model *sw, uint64_t pa, void *buf,
		      uint64_t len, bool write, const char *what)
{
	uint8_t *p;

	if (!oracle_sw_access(sw->o, sw->client, pa, len, what))
		return false;
	p = machine_pa_ptr(sw->m, pa);
	if (!p)
		return false;
	if (write)
		memcpy(p, buf, len);
	else
		memcpy(buf, p, len);
	return true;
}

bool optee_model_obj_access(struct optee_model *sw, struct model_obj *obj,
			    uint64_t off, void *buf, uint64_t len, bool write,
			    const char *what)
{
	uint8_t *b = buf;
	uint64_t pos;

	if (off > obj->size || len > obj->size - off)
		return false;
	pos = obj->page_offset + off;
	while (len) {
		uint64_t in = pos & MODEL_PAGE_MASK;
		uint64_t n = MODEL_PAGE_SIZE - in;

		if (n > len)
			n = len;
		if (!pa_access(sw, obj->pages[pos / MODEL_PAGE_SIZE] + in, b, n,
			       write, what))
			return false;
		b += n;
		pos += n;
		len -= n;
	}
	return true;
}

static struct model_obj *obj_alloc(enum model_obj_kind kind, uint64_t npages,
				   uint64_t page_offset, uint64_t cookie)
{
	struct model_obj *obj;

	obj = calloc(1, sizeof(*obj) + npages * sizeof(obj->pages[0]));
	if (!obj)
		return NULL;
	obj->kind = kind;
	obj->refs = 1;
	obj->cookie = cookie;
	obj->npages = npages;
	obj->page_offset = page_offset;
	obj->size = npages * MODEL_PAGE_SIZE - page_offset;
	return obj;
}

static void obj_insert(struct model_part *part, struct model_obj *obj)
{
	obj->next = part->objs;
	part->objs = obj;
}

struct model_obj *optee_model_obj_find(struct model_part *part, uint64_t cookie)
{
	struct model_obj *obj;

	for (obj = part->objs; obj; obj = obj->next)
		if (obj->cookie == cookie && !obj->release_frees)
			return obj;
	return NULL;
}

void optee_model_obj_put(struct model_part *part, struct model_obj *obj)
{
	if (--obj->refs)
		return;
	if (obj->releasing)
		obj->release_frees = true; /* its unregister frees it */
	else
		optee_model_obj_free(part, obj);
}

void optee_model_obj_free(struct model_part *part, struct model_obj *obj)
{
	struct model_obj **pp;

	for (pp = &part->objs; *pp; pp = &(*pp)->next) {
		if (*pp == obj) {
			*pp = obj->next;
			free(obj);
			return;
		}
	}
}

void optee_model_obj_drop_all(struct model_part *part)
{
	while (part->objs) {
		struct model_obj *obj = part->objs;

		part->objs = obj->next;
		free(obj);
	}
}

struct model_obj *optee_model_obj_page(struct optee_model *sw,
				       struct model_part *part,
				       enum model_obj_kind kind, uint64_t pa,
				       uint64_t cookie)
{
	struct model_obj *obj;

	if (!page_map_ok(sw, pa, "mapped page"))
		return NULL;
	obj = obj_alloc(kind, 1, 0, cookie);
	if (!obj)
		return NULL;
	obj->pages[0] = pa;
	obj_insert(part, obj);
	return obj;
}

/*
 * Reads `count` entries from the list page at `list`, from slot `slot`:
 * one oracle check for the whole run.
 */
static bool read_entries(struct optee_model *sw, uint64_t list, uint32_t slot,
			 uint32_t count, uint64_t *out)
{
	uint8_t raw[OPTEE_MSG_PAGELIST_ENTRIES * 8];

	if (!pa_access(sw, list + (uint64_t)slot * 8, raw, (uint64_t)count * 8,
		       false, "page list"))
		return false;
	for (uint32_t i = 0; i < count; i++)
		out[i] = get_le64(raw + 8 * i);
	return true;
}

struct model_obj *optee_model_obj_from_list(struct optee_model *sw,
					    struct model_part *part,
					    enum model_obj_kind kind,
					    uint64_t buf_ptr, uint64_t size,
					    uint64_t cookie)
{
	uint64_t offset = buf_ptr & MODEL_PAGE_MASK;
	uint64_t list = buf_ptr & ~MODEL_PAGE_MASK;
	uint64_t npages, done = 0;
	struct model_obj *obj;

	/*
	 * OP-TEE's count (msg_param_mobj_from_noncontig()): size 0 at a
	 * non-zero offset is one page; at offset 0 the count wraps and the
	 * allocation fails; an overflowing sum fails too.
	 */
	if (size > UINT64_MAX - offset || size + offset == 0)
		return NULL;
	npages = (size + offset - 1) / MODEL_PAGE_SIZE + 1;
	if (npages > MODEL_MAX_OBJ_PAGES)
		return NULL;
	if (!page_mappable(sw, list))
		return NULL;
	obj = obj_alloc(kind, npages, offset, cookie);
	if (!obj)
		return NULL;
	for (;;) {
		uint64_t left = npages - done;
		uint32_t n = left < OPTEE_MSG_PAGELIST_ENTRIES
				     ? (uint32_t)left
				     : OPTEE_MSG_PAGELIST_ENTRIES;
		uint64_t next;

		if (!read_entries(sw, list, 0, n, obj->pages + done))
			goto fail;
		done += n;
		if (done == npages)
			break;
		/* The next-pointer is read only when more entries follow. */
		if (!read_entries(sw, list, OPTEE_MSG_PAGELIST_NEXT_SLOT, 1,
				  &next) ||
		    !page_mappable(sw, next))
			goto fail;
		list = next;
	}
	for (uint64_t i = 0; i < npages; i++)
		if (!page_map_ok(sw, obj->pages[i], "shared page"))
			goto fail;
	obj_insert(part, obj);
	return obj;
fail:
	free(obj);
	return NULL;
}

static bool ta_access(struct model_ctx *c, const struct model_param *p,
		      uint64_t off, void *buf, uint64_t len, bool write)
{
	if (!len)
		return true;
	if (!p->obj || off > p->size || len > p->size - off)
		return false;
	if (!optee_model_obj_access(c->sw, p->obj, p->offs + off, buf, len,
				    write, "TA memref"))
		return false;
	c->sw->st.ta_bytes += len;
	return true;
}

bool optee_model_ta_read(struct model_ctx *c, const struct model_param *p,
			 uint64_t off, void *buf, uint64_t len)
{
	return ta_access(c, p, off, buf, len, false);
}

bool optee_model_ta_write(struct model_ctx *c, const struct model_param *p,
			  uint64_t off, const void *buf, uint64_t len)
{
	/* The access helper copies out of `buf` when writing. */
	return ta_access(c, p, off, (void *)(uintptr_t)buf, len, true);
}
