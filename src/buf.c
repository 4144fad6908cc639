/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Buffers shared with OP-TEE through non-contiguous page lists (spec
 * §4): translating a guest's list of IPAs into a shadow list of pinned
 * PAs, and releasing it, both resumable and bounded by the step budget.
 *
 * The guest's list is read entry by entry, each entry exactly once, so
 * a guest rewriting it concurrently only changes which of its own pages
 * get pinned. The shadow list is built from single 4 KiB pages linked
 * through slot 511, the format OP-TEE reads.
 */
#include "internal.h"
#include "string_ops.h"

#define TEEMED_LIST_ENTRIES OPTEE_MSG_PAGELIST_ENTRIES
#define TEEMED_LIST_NEXT    OPTEE_MSG_PAGELIST_NEXT_SLOT

static uint32_t list_pages_for(uint32_t pages)
{
	return (pages + TEEMED_LIST_ENTRIES - 1) / TEEMED_LIST_ENTRIES;
}

/*
 * The PAs a compact record keeps in its own object (platforms give no
 * object larger than a page); a longer buffer keeps one word there: the
 * address of an array of its PAs, or of its first chunk.
 */
#define TEEMED_COMPACT_INLINE                                                  \
	((TEEMED_PAGE_SIZE - sizeof(struct buf)) / sizeof(uint64_t))

/*
 * A chunk: a list page OP-TEE no longer reads, refilled with 512 PAs and
 * no next slot. A chunk's link (the next chunk's PA, or for the last one
 * the address of the array of the PAs past the chunks, or 0) lives in
 * the low 12 bits of its first six entries, which page alignment leaves
 * zero: 64 bits in 72, and one more of them marks the last chunk.
 */
#define TEEMED_CHUNK_ENTRIES (TEEMED_PAGE_SIZE / sizeof(uint64_t))
#define TEEMED_LINK_ENTRIES  6u
#define TEEMED_LINK_BITS     12u
#define TEEMED_LINK_LAST                                                       \
	((uint64_t)1 << (64 - (TEEMED_LINK_ENTRIES - 1) * TEEMED_LINK_BITS))

/*
 * Chunks are list pages refilled in place, without moving what stays:
 * chunk j is list page j, whose slots j..510 keep the entries they hold,
 * rotated: entry k of the chunk is in slot (j + k) % 512, and the j + 1
 * entries that list page j + 1 held first fill slot 511 (its next
 * pointer) and slots 0..j - 1 (given to chunk j - 1). Refilling is done
 * once per registration, in the SMC that ends it: two page maps per
 * chunk and j + 1 entries copied into chunk j, about 16 000 instructions
 * with the simulator's platform for the 32 chunks of the longest buffer
 * a default quota allows (16384 pages), where pinning it takes 64 steps
 * of 90 000. The copies grow as the square of the chunks: past 128
 * (about a step's work; from 66048 pages, four default quotas) a buffer
 * stays full. (Past 510 a list page would keep no slot of its chunk.)
 */
#define TEEMED_CHUNKED_MAX_CHUNKS 128u

static bool compact_inline(uint32_t pages)
{
	return pages <= TEEMED_COMPACT_INLINE;
}

/* A buffer of `pages` pages keeps its PAs in chunks once compacted. */
static bool compacts_to_chunks(uint32_t pages)
{
	return pages >= TEEMED_CHUNK_ENTRIES;
}

static size_t compact_size(uint32_t pages)
{
	return sizeof(struct buf) +
	       sizeof(uint64_t) * (compact_inline(pages) ? pages : 1);
}

/* The record's tree links come first: teemed_buf_compact() copies the rest. */
_Static_assert(__builtin_offsetof(struct buf, node) == 0,
	       "struct buf starts with its tree node");
_Static_assert(64 < TEEMED_LINK_ENTRIES * TEEMED_LINK_BITS,
	       "a chunk's link entries hold 64 bits and the last chunk's mark");

/* What follows the record in a compact buffer's object. */
static void *compact_tail(const struct buf *b)
{
	return (void *)(uintptr_t)(b + 1);
}

/* The one word after a record too long to hold its PAs. */
static uint64_t *compact_word(const struct buf *b)
{
	return compact_tail(b);
}

static uint64_t *compact_pas(const struct buf *b)
{
	return compact_inline(b->page_count)
		       ? compact_tail(b)
		       : (uint64_t *)(uintptr_t)*compact_word(b);
}

/* Where entry `k` of chunk `j` is (see TEEMED_CHUNKED_MAX_CHUNKS). */
static uint32_t chunk_slot(uint32_t j, uint32_t k)
{
	return (j + k) % TEEMED_CHUNK_ENTRIES;
}

static uint64_t chunk_link(const uint64_t *chunk)
{
	uint64_t link = 0;

	for (uint32_t i = 0; i < TEEMED_LINK_ENTRIES; i++)
		link |= (chunk[i] & TEEMED_PAGE_MASK) << (i * TEEMED_LINK_BITS);
	return link;
}

static bool chunk_is_last(const uint64_t *chunk)
{
	return chunk[TEEMED_LINK_ENTRIES - 1] & TEEMED_LINK_LAST;
}

static void chunk_set_link(uint64_t *chunk, uint64_t link, bool last)
{
	for (uint32_t i = 0; i < TEEMED_LINK_ENTRIES; i++)
		chunk[i] =
			(chunk[i] & ~TEEMED_PAGE_MASK) |
			((link >> (i * TEEMED_LINK_BITS)) & TEEMED_PAGE_MASK);
	if (last)
		chunk[TEEMED_LINK_ENTRIES - 1] |= TEEMED_LINK_LAST;
}

/* Entries past a chunked record's chunks, in an array of their own. */
static uint32_t chunked_rest(uint32_t pages)
{
	return pages % TEEMED_CHUNK_ENTRIES;
}

/*
 * A page of a chunked record: a walk along its chunks, one per 512 data
 * pages, the last one's link leading to the rest.
 */
static teemed_pa_t chunked_page_pa(struct teemed_vm *vm, const struct buf *b,
				   uint32_t index)
{
	uint64_t at = *compact_word(b);
	uint32_t chunk = index / TEEMED_CHUNK_ENTRIES;
	uint32_t k = index % TEEMED_CHUNK_ENTRIES;
	uint64_t *va;
	uint64_t entry;

	for (uint32_t hops = chunk; hops; hops--) {
		va = teemed_plat_map(vm->t, teemed_pa(at));
		at = chunk_link(va);
		teemed_plat_unmap(vm->t, va);
	}
	if (chunk == b->page_count / TEEMED_CHUNK_ENTRIES)
		return teemed_pa(((const uint64_t *)(uintptr_t)at)[k]);
	va = teemed_plat_map(vm->t, teemed_pa(at));
	entry = va[chunk_slot(chunk, k)];
	teemed_plat_unmap(vm->t, va);
	return teemed_pa(entry & ~TEEMED_PAGE_MASK);
}

static uint32_t pages_pinned(const struct buf *b)
{
	return b->form != BUF_FULL ? b->page_count - b->released
				   : full_buf_of(b)->pinned;
}

uint64_t teemed_buf_cookie(const struct buf *b)
{
	return b->node.key;
}

uint64_t teemed_buf_shadow_ptr(const struct buf *b)
{
	return teemed_pa_addr(full_buf_of(b)->head) | b->offset;
}

/* OP-TEE lets a registered buffer be used up to the end of its pages. */
uint64_t teemed_buf_usable_size(const struct buf *b)
{
	return (uint64_t)b->page_count * TEEMED_PAGE_SIZE - b->offset;
}

/*
 * The PA of data page `index` of a translated buffer: a walk along its
 * shadow list or chunks, one page per 511 or 512 data pages (bounded by
 * the quota).
 */
teemed_pa_t teemed_buf_page_pa(struct teemed_vm *vm, const struct buf *b,
			       uint32_t index)
{
	const struct full_buf *f;
	teemed_pa_t list;
	uint64_t *va;
	teemed_pa_t pa;

	if (b->form == BUF_CHUNKED)
		return chunked_page_pa(vm, b, index);
	if (b->form == BUF_COMPACT)
		return teemed_pa(compact_pas(b)[index]);
	f = full_buf_of(b);
	list = f->head;
	for (uint32_t hops = index / TEEMED_LIST_ENTRIES; hops; hops--) {
		va = teemed_plat_map(vm->t, list);
		list = teemed_pa(va[TEEMED_LIST_NEXT]);
		teemed_plat_unmap(vm->t, va);
	}
	va = teemed_plat_map(vm->t, list);
	pa = teemed_pa(va[index % TEEMED_LIST_ENTRIES]);
	teemed_plat_unmap(vm->t, va);
	return pa;
}

/*
 * Read or write `len` bytes at `off` of a live buffer, through the
 * pages pinned for it (never by IPA: the guest may have remapped it).
 * FAULT when the range leaves the buffer's pages.
 */
int teemed_buf_io(struct teemed_vm *vm, const struct buf *b, uint64_t off,
		  void *buf, size_t len, bool write)
{
	uint8_t *bytes = buf;
	uint64_t pos;

	if (pages_pinned(b) != b->page_count ||
	    off > teemed_buf_usable_size(b) ||
	    len > teemed_buf_usable_size(b) - off)
		return TEEMED_ERR_FAULT;
	pos = b->offset + off;
	while (len) {
		uint32_t in = (uint32_t)(pos & TEEMED_PAGE_MASK);
		size_t chunk = TEEMED_PAGE_SIZE - in;
		uint8_t *page;

		if (chunk > len)
			chunk = len;
		page = teemed_plat_map(
			vm->t,
			teemed_buf_page_pa(vm, b,
					   (uint32_t)(pos / TEEMED_PAGE_SIZE)));
		if (write)
			memcpy(page + in, bytes, chunk);
		else
			memcpy(bytes, page + in, chunk);
		teemed_plat_unmap(vm->t, page);
		pos += chunk;
		bytes += chunk;
		len -= chunk;
	}
	return TEEMED_OK;
}

/* Reserve what a buffer will hold, then make its object. */
static struct full_buf *buf_alloc(struct teemed_vm *vm, uint8_t kind,
				  uint64_t cookie, uint32_t pages,
				  uint32_t mpages, uint32_t *refusal)
{
	struct full_buf *f;

	if (teemed_vm_reserve_pages(vm, pages, mpages)) {
		*refusal = TEEMED_REFUSED_QUOTA;
		return NULL;
	}
	f = teemed_vm_alloc_obj(vm, sizeof(*f));
	if (!f) {
		teemed_vm_unreserve_pages(vm, pages, mpages);
		*refusal = TEEMED_REFUSED_NOMEM;
		return NULL;
	}
	/*
	 * alloc_obj's contents are unspecified: the other fields are zeroed
	 * here, where the size is known and the compiler clears it inline.
	 */
	*f = (struct full_buf){.b = {.node.key = cookie,
				     .page_count = pages,
				     .kind = kind,
				     .state = BUF_BUILDING,
				     .form = BUF_FULL},
			       .mpages = mpages};
	return f;
}

/*
 * The pages a NONCONTIG (buf_ptr, size) spans, counted as OP-TEE's
 * msg_param_mobj_from_noncontig() counts them: size 0 at a non-zero page
 * offset is one page. False where OP-TEE's count fails: size + offset
 * overflows, or is 0 (the count wraps, §4.2); and where no 32-bit page
 * count holds the span, which no quota could ever grant.
 */
bool teemed_buf_span_pages(uint64_t buf_ptr, uint64_t size, uint32_t *pages)
{
	uint64_t offset = buf_ptr & TEEMED_PAGE_MASK;
	uint64_t n;

	if (size > TEEMED_U64_MAX - offset || size + offset == 0)
		return false;
	n = (size + offset - 1) / TEEMED_PAGE_SIZE + 1;
	if (n > (uint32_t)-1)
		return false;
	*pages = (uint32_t)n;
	return true;
}

/*
 * Check a guest's NONCONTIG (buf_ptr, size) and reserve what translating
 * it will take. On failure returns NULL and sets `*refusal`.
 */
struct buf *teemed_buf_create(struct teemed_vm *vm, uint8_t kind,
			      uint64_t cookie, uint64_t buf_ptr, uint64_t size,
			      uint32_t *refusal)
{
	uint64_t offset = buf_ptr & TEEMED_PAGE_MASK;
	uint32_t pages;
	struct full_buf *f;

	if (!teemed_buf_span_pages(buf_ptr, size, &pages)) {
		*refusal = TEEMED_REFUSED_PARAM;
		return NULL;
	}
	if (pages > vm->quota.pinned_pages) {
		*refusal = TEEMED_REFUSED_QUOTA;
		return NULL;
	}
	f = buf_alloc(vm, kind, cookie, pages, list_pages_for(pages), refusal);
	if (!f)
		return NULL;
	f->size = size;
	f->b.offset = (uint16_t)offset;
	f->guest_list = teemed_ipa(buf_ptr - offset);
	return &f->b;
}

/*
 * A payload the guest names by the address of its single page (a
 * contiguous SHM_ALLOC answer, §6.7). It is shown to OP-TEE as a
 * one-entry page list like any other.
 */
struct buf *teemed_buf_create_contiguous(struct teemed_vm *vm, uint64_t cookie,
					 uint64_t ipa, uint64_t size,
					 uint32_t *refusal)
{
	struct full_buf *f;

	if ((ipa & TEEMED_PAGE_MASK) || size == 0 || size > TEEMED_PAGE_SIZE) {
		*refusal = TEEMED_REFUSED_RPC;
		return NULL;
	}
	f = buf_alloc(vm, BUF_RPC_PAYLOAD, cookie, 1, 1, refusal);
	if (!f)
		return NULL;
	f->size = size;
	f->contiguous = true;
	f->guest_list = teemed_ipa(ipa);
	return &f->b;
}

/*
 * An RPC argument buffer (answer to RPC_ALLOC): OP-TEE gets a mediator
 * page and the guest's page is only ever copied to and from, so it
 * needs no pin.
 */
struct buf *teemed_buf_create_rpc_arg(struct teemed_vm *vm, uint64_t cookie,
				      uint64_t ipa, uint32_t *refusal)
{
	struct full_buf *f;

	if (ipa & TEEMED_PAGE_MASK) {
		*refusal = TEEMED_REFUSED_RPC;
		return NULL;
	}
	f = buf_alloc(vm, BUF_RPC_ARG, cookie, 0, 1, refusal);
	if (!f)
		return NULL;
	if (teemed_vm_alloc_page(vm, &f->head)) {
		teemed_vm_unreserve_pages(vm, 0, 1);
		teemed_vm_free_obj(vm, f, sizeof(*f));
		*refusal = TEEMED_REFUSED_NOMEM;
		return NULL;
	}
	f->list_pages = 1;
	f->size = TEEMED_PAGE_SIZE;
	f->guest_list = teemed_ipa(ipa);
	return &f->b;
}

/* Start a new shadow list page, linked from the previous one. */
static int grow_list(struct teemed_vm *vm, struct full_buf *b,
		     uint64_t **shadow)
{
	teemed_pa_t page;
	uint64_t *va;

	if (teemed_vm_alloc_page(vm, &page))
		return TEEMED_ERR_NOMEM;
	va = teemed_plat_map(vm->t, page);
	va[TEEMED_LIST_NEXT] = 0;
	if (*shadow) {
		(*shadow)[TEEMED_LIST_NEXT] = teemed_pa_addr(page);
		teemed_plat_unmap(vm->t, *shadow);
	} else if (b->list_pages) {
		uint64_t *tail = teemed_plat_map(vm->t, b->tail);

		tail[TEEMED_LIST_NEXT] = teemed_pa_addr(page);
		teemed_plat_unmap(vm->t, tail);
	}
	if (!b->list_pages)
		b->head = page;
	b->tail = page;
	b->list_pages++;
	*shadow = va;
	return TEEMED_OK;
}

struct guest_list_view {
	const volatile uint64_t *va;
	teemed_pa_t pa;
};

static void drop_guest_list(struct teemed_vm *vm, struct guest_list_view *g)
{
	if (g->va) {
		teemed_guest_unmap(vm, (void *)(uintptr_t)g->va, g->pa);
		g->va = NULL;
	}
}

/* Pages that may still be moved in this step, at most `want`. */
static uint32_t step_room(const struct step *st, uint32_t want)
{
	uint32_t room = st->budget - st->pages;

	return want < room ? want : room;
}

/* Account `n` pins made in this step (statistics folded in later). */
static void step_pinned(struct step *st, uint32_t n)
{
	st->pages += n;
	st->pin_delta += (int32_t)n;
	if (st->pin_delta > st->pin_high)
		st->pin_high = st->pin_delta;
}

/*
 * Pin the entries `src[0..n)` of a guest list into `dst[0..n)`: the hot
 * loop of a translation. Each entry is read once; stops at the first
 * entry that is unaligned or not the guest's to share. Returns how many
 * were pinned. The pin quota was reserved for the whole buffer when it
 * was made, so nothing here is counted or locked per page.
 */
static uint32_t pin_run(struct teemed_vm *vm, const volatile uint64_t *src,
			uint64_t *dst, uint32_t n)
{
	const struct teemed_platform *p = vm->t->plat;
	int (*const pin)(void *, void *, teemed_ipa_t, unsigned int,
			 teemed_pa_t *) = p->pin_guest_page;
	void *const ctx = p->ctx;
	void *const hv = vm->hv_vm;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t entry = src[i];
		teemed_pa_t pa;

		if ((entry & TEEMED_PAGE_MASK) ||
		    pin(ctx, hv, teemed_ipa(entry), TEEMED_PIN_WRITE, &pa))
			break;
		dst[i] = teemed_pa_addr(pa);
	}
	return i;
}

/*
 * Pin and record the buffer's pages until done (TEEMED_OK) or out of
 * budget (TEEMED_ERR_AGAIN). FAULT: a list entry or list page the guest
 * may not share; NOMEM: no mediator page. The buffer keeps what it
 * pinned; teemed_buf_release() undoes it. Work is done a run at a time:
 * the entries of one guest list page that go to one shadow list page
 * within the step's budget.
 */
int teemed_buf_translate(struct teemed_vm *vm, struct buf *buf, struct step *st)
{
	struct full_buf *b = full_buf_of(buf);
	const uint32_t page_count = buf->page_count;
	const bool contiguous = b->contiguous;
	struct guest_list_view guest = {0};
	uint64_t *shadow = NULL;
	int err = TEEMED_OK;

	while (b->pinned < page_count) {
		uint32_t page_no = b->pinned / TEEMED_LIST_ENTRIES;
		uint32_t slot = b->pinned % TEEMED_LIST_ENTRIES;
		uint64_t one;
		const volatile uint64_t *src;
		uint32_t n;
		uint32_t done;

		if (step_exhausted(st)) {
			err = TEEMED_ERR_AGAIN;
			break;
		}
		if (!guest.va && !contiguous) {
			guest.va = teemed_guest_map(vm, b->guest_list, 0,
						    &guest.pa);
			if (!guest.va) {
				err = TEEMED_ERR_FAULT;
				break;
			}
		}
		if (!contiguous && b->guest_list_no < page_no) {
			/* Follow the guest's chain only when more is needed. */
			uint64_t next = guest.va[TEEMED_LIST_NEXT];

			drop_guest_list(vm, &guest);
			if (next & TEEMED_PAGE_MASK) {
				err = TEEMED_ERR_FAULT;
				break;
			}
			b->guest_list = teemed_ipa(next);
			b->guest_list_no++;
			continue;
		}
		if (b->list_pages <= page_no) {
			err = grow_list(vm, b, &shadow);
			if (err)
				break;
		} else if (!shadow) {
			shadow = teemed_plat_map(vm->t, b->tail);
		}
		if (contiguous) {
			one = teemed_ipa_addr(b->guest_list);
			src = &one;
			n = 1;
		} else {
			src = guest.va + slot;
			n = step_room(st, TEEMED_LIST_ENTRIES - slot);
			if (n > page_count - b->pinned)
				n = page_count - b->pinned;
		}
		done = pin_run(vm, src, shadow + slot, n);
		b->pinned += done;
		step_pinned(st, done);
		if (done < n) {
			err = TEEMED_ERR_FAULT;
			break;
		}
	}
	drop_guest_list(vm, &guest);
	if (shadow)
		teemed_plat_unmap(vm->t, shadow);
	return err;
}

/*
 * Copy the entries of a registered buffer's shadow list past its first
 * `chunks` * 512 (those the chunks do not take) into `rest`: from list
 * page `chunks`, at `page`, slot `chunks` on, and the page after it.
 */
static void copy_rest(struct teemed_vm *vm, teemed_pa_t page, uint32_t chunks,
		      uint64_t *rest, uint32_t count)
{
	uint32_t first = TEEMED_LIST_ENTRIES - chunks;
	uint64_t *list = teemed_plat_map(vm->t, page);
	teemed_pa_t next = teemed_pa(list[TEEMED_LIST_NEXT]);

	if (first > count)
		first = count;
	memcpy(rest, list + chunks, sizeof(*rest) * first);
	teemed_plat_unmap(vm->t, list);
	if (first < count) {
		list = teemed_plat_map(vm->t, next);
		memcpy(rest + first, list, sizeof(*rest) * (count - first));
		teemed_plat_unmap(vm->t, list);
	}
}

/*
 * Refill the first `chunks` list pages, in place, as chunks of 512 PAs
 * each (TEEMED_CHUNKED_MAX_CHUNKS). The last chunk links to `rest`.
 * Returns the list page after the chunks, whose entries past the first
 * `chunks` are not yet copied.
 */
static teemed_pa_t refill_as_chunks(struct teemed_vm *vm, teemed_pa_t head,
				    uint32_t chunks, const uint64_t *rest)
{
	teemed_pa_t page = head;
	uint64_t *chunk = teemed_plat_map(vm->t, page);

	for (uint32_t j = 0; j < chunks; j++) {
		teemed_pa_t next = teemed_pa(chunk[TEEMED_LIST_NEXT]);
		uint64_t *list = teemed_plat_map(vm->t, next);

		chunk[chunk_slot(j, TEEMED_LIST_ENTRIES - j)] = list[0];
		memcpy(chunk, list + 1, sizeof(*chunk) * j);
		if (j + 1 < chunks)
			chunk_set_link(chunk, teemed_pa_addr(next), false);
		else
			chunk_set_link(chunk, (uintptr_t)rest, true);
		teemed_plat_unmap(vm->t, chunk);
		chunk = list;
		page = next;
	}
	teemed_plat_unmap(vm->t, chunk);
	return page;
}

/* Give back `count` list pages from `page` on, with their quota. */
static void free_list_pages(struct teemed_vm *vm, teemed_pa_t page,
			    uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t *list = teemed_plat_map(vm->t, page);
		teemed_pa_t next = teemed_pa(list[TEEMED_LIST_NEXT]);

		teemed_plat_unmap(vm->t, list);
		teemed_vm_free_page(vm, page);
		page = next;
	}
	teemed_vm_unreserve_pages(vm, 0, count);
}

/*
 * Copy all of `b` into `rec` but its tree links (its key aside), which
 * teemed_shm_replace() moves over under the VM lock.
 */
static void copy_record(struct buf *rec, const struct buf *b, uint8_t form)
{
	memcpy((uint8_t *)rec + sizeof(rec->node),
	       (const uint8_t *)b + sizeof(b->node),
	       sizeof(*b) - sizeof(b->node));
	rec->node.key = b->node.key;
	rec->released = 0;
	rec->form = form;
}

/*
 * A registered buffer of 512 pages or more as a chunked record: its
 * first list page as the first of its chunks, the PAs past the chunks
 * in an array of exactly their size, and list pages beyond the chunks
 * given back. NULL, and nothing changed, without the objects. Out of
 * line, so that registering a short buffer saves no registers for it.
 */
static __attribute__((__noinline__)) struct buf *
make_chunked(struct teemed_vm *vm, struct full_buf *f)
{
	const uint32_t n = f->b.page_count;
	const uint32_t chunks = n / TEEMED_CHUNK_ENTRIES;
	const uint32_t rest_count = chunked_rest(n);
	struct buf *rec;
	uint64_t *rest = NULL;
	teemed_pa_t after;

	if (chunks > TEEMED_CHUNKED_MAX_CHUNKS)
		return NULL;
	rec = teemed_vm_alloc_obj(vm, compact_size(n));
	if (!rec)
		return NULL;
	if (rest_count) {
		rest = teemed_vm_alloc_obj(vm, sizeof(*rest) * rest_count);
		if (!rest) {
			teemed_vm_free_obj(vm, rec, compact_size(n));
			return NULL;
		}
	}
	copy_record(rec, &f->b, BUF_CHUNKED);
	*compact_word(rec) = teemed_pa_addr(f->head);
	after = refill_as_chunks(vm, f->head, chunks, rest);
	copy_rest(vm, after, chunks, rest, rest_count);
	/* The chunks keep their pages' quota; release gives it back. */
	free_list_pages(vm, after, f->mpages - chunks);
	return rec;
}

/*
 * A buffer of one list page as a compact record: its PAs in the record's
 * object, or in an array the record points to. NULL without them.
 */
static struct buf *make_compact(struct teemed_vm *vm, struct full_buf *f)
{
	const uint32_t n = f->b.page_count;
	struct buf *rec = teemed_vm_alloc_obj(vm, compact_size(n));
	uint64_t *list;

	if (!rec)
		return NULL;
	if (!compact_inline(n)) {
		uint64_t *pas = teemed_vm_alloc_obj(vm, sizeof(*pas) * n);

		if (!pas) {
			teemed_vm_free_obj(vm, rec, compact_size(n));
			return NULL;
		}
		*compact_word(rec) = (uintptr_t)pas;
	}
	copy_record(rec, &f->b, BUF_COMPACT);
	list = teemed_plat_map(vm->t, f->head);
	memcpy(compact_pas(rec), list, sizeof(uint64_t) * n);
	teemed_plat_unmap(vm->t, list);
	teemed_vm_free_page(vm, f->head);
	teemed_vm_unreserve_pages(vm, 0, f->mpages);
	return rec;
}

/*
 * A registration OP-TEE accepted: it no longer reads the shadow list, so
 * the buffer becomes a compact record, 64 + 8 bytes a page at most, and
 * gives back its full object and the list pages it no longer needs,
 * with their quota. Returns the buffer as it now is; called before it is
 * live, by the one vCPU that registered it. When no object can be had it
 * simply stays as it was.
 */
struct buf *teemed_buf_compact(struct teemed_vm *vm, struct buf *b)
{
	struct full_buf *f = full_buf_of(b);
	const uint32_t n = b->page_count;
	struct buf *rec;

	if (n == 0 || f->pinned != n || f->list_pages != list_pages_for(n))
		return b;
	rec = compacts_to_chunks(n) ? make_chunked(vm, f) : make_compact(vm, f);
	if (!rec)
		return b;
	/*
	 * Other vCPUs' inserts and removals may be rotating the tree links:
	 * the replacement copies those under the VM lock.
	 */
	if (b->in_tree)
		teemed_shm_replace(vm, b, rec);
	teemed_vm_free_obj(vm, f, sizeof(*f));
	return rec;
}

/*
 * Free a buffer that holds no pin (refused before translation, or an RPC
 * argument buffer): no page work, so no budget.
 */
void teemed_buf_discard(struct teemed_vm *vm, struct buf *b)
{
	struct step none = {.budget = 0};
	bool gone;

	TEEMED_ASSERT(full_buf_of(b)->pinned == 0);
	gone = teemed_buf_release(vm, b, &none);
	TEEMED_ASSERT(gone);
	(void)gone;
}

/* Account `n` unpins made in this step. */
static void step_unpinned(struct step *st, uint32_t n)
{
	st->pages += n;
	st->pin_delta -= (int32_t)n;
}

/*
 * Unpin pas[done..total), each PA under `mask`, as far as the step
 * budget allows; returns how many of the `total` are unpinned now.
 */
static TEEMED_ALWAYS_INLINE uint32_t unpin_masked(struct teemed_vm *vm,
						  const uint64_t *pas,
						  uint32_t done, uint32_t total,
						  struct step *st,
						  uint64_t mask)
{
	const struct teemed_platform *p = vm->t->plat;
	void (*const unpin)(void *, void *, teemed_pa_t) = p->unpin_guest_page;
	void *const ctx = p->ctx;
	void *const hv = vm->hv_vm;
	const uint64_t *end;
	uint32_t n;

	if (done == total || step_exhausted(st))
		return done;
	n = step_room(st, total - done);
	step_unpinned(st, n);
	end = pas + done + n;
	for (const uint64_t *pa = pas + done; pa != end; pa++)
		unpin(ctx, hv, teemed_pa(*pa & mask));
	return done + n;
}

/* Unpin pas[done..total) within the budget (see unpin_masked()). */
static uint32_t unpin_pas(struct teemed_vm *vm, const uint64_t *pas,
			  uint32_t done, uint32_t total, struct step *st)
{
	return unpin_masked(vm, pas, done, total, st, TEEMED_U64_MAX);
}

/* The same of a chunk's first entries, their low bits its link. */
static uint32_t unpin_link_entries(struct teemed_vm *vm, const uint64_t *chunk,
				   uint32_t done, struct step *st)
{
	return unpin_masked(vm, chunk, done, TEEMED_LINK_ENTRIES, st,
			    ~TEEMED_PAGE_MASK);
}

/*
 * teemed_buf_release() of a chunked record: chunk after chunk, each page
 * given back once unpinned (the record's word then the next chunk's, and
 * `released` counting within it), then the rest's array (`released`
 * counting from TEEMED_CHUNK_ENTRIES on), then the quota, in one go as
 * for a full buffer. Out of line, as make_chunked().
 */
static __attribute__((__noinline__)) bool
release_chunked(struct teemed_vm *vm, struct buf *b, struct step *st)
{
	const uint32_t rest_count = chunked_rest(b->page_count);
	uint64_t *at = compact_word(b);
	const uint64_t *rest;
	uint32_t done;

	while (b->released < TEEMED_CHUNK_ENTRIES) {
		teemed_pa_t page = teemed_pa(*at);
		uint64_t *chunk;
		bool last;

		if (step_exhausted(st))
			return false;
		chunk = teemed_plat_map(vm->t, page);
		if (b->released < TEEMED_LINK_ENTRIES)
			b->released = (uint16_t)unpin_link_entries(
				vm, chunk, b->released, st);
		b->released = (uint16_t)unpin_pas(vm, chunk, b->released,
						  TEEMED_CHUNK_ENTRIES, st);
		if (b->released < TEEMED_CHUNK_ENTRIES) {
			teemed_plat_unmap(vm->t, chunk);
			return false;
		}
		*at = chunk_link(chunk);
		last = chunk_is_last(chunk);
		teemed_plat_unmap(vm->t, chunk);
		teemed_vm_free_page(vm, page);
		if (!last)
			b->released = 0;
	}
	rest = (const uint64_t *)(uintptr_t)*at;
	done = unpin_pas(vm, rest, b->released - TEEMED_CHUNK_ENTRIES,
			 rest_count, st);
	b->released = (uint16_t)(TEEMED_CHUNK_ENTRIES + done);
	if (done < rest_count)
		return false;
	teemed_vm_unreserve_pages(vm, b->page_count,
				  b->page_count / TEEMED_CHUNK_ENTRIES);
	if (rest_count)
		teemed_vm_free_obj(vm, (void *)(uintptr_t)rest,
				   sizeof(*rest) * rest_count);
	teemed_vm_free_obj(vm, b, compact_size(b->page_count));
	return true;
}

/* teemed_buf_release() of a compact record: its PAs in order. */
static bool release_compact(struct teemed_vm *vm, struct buf *b,
			    struct step *st)
{
	const uint64_t *pas = compact_pas(b);

	b->released =
		(uint16_t)unpin_pas(vm, pas, b->released, b->page_count, st);
	if (b->released < b->page_count)
		return false;
	teemed_vm_unreserve_pages(vm, b->page_count, 0);
	if (!compact_inline(b->page_count))
		teemed_vm_free_obj(vm, (void *)pas,
				   sizeof(*pas) * b->page_count);
	teemed_vm_free_obj(vm, b, compact_size(b->page_count));
	return true;
}

/*
 * Unpin the buffer's pages and free its list, within the budget. Returns
 * true once everything, the object included, is gone. Each round unpins
 * the entries of the first shadow list page that the budget allows and
 * frees that page once it is done with.
 */
bool teemed_buf_release(struct teemed_vm *vm, struct buf *buf, struct step *st)
{
	const struct teemed_platform *p = vm->t->plat;
	void (*const unpin)(void *, void *, teemed_pa_t) = p->unpin_guest_page;
	void *const ctx = p->ctx;
	void *const hv = vm->hv_vm;
	struct full_buf *b;
	uint32_t listed;

	if (buf->form == BUF_CHUNKED)
		return release_chunked(vm, buf, st);
	if (buf->form == BUF_COMPACT)
		return release_compact(vm, buf, st);
	b = full_buf_of(buf);
	listed = b->pinned;
	while (b->cursor < listed && !step_exhausted(st)) {
		uint32_t slot = b->cursor % TEEMED_LIST_ENTRIES;
		uint32_t n = step_room(st, TEEMED_LIST_ENTRIES - slot);
		uint64_t *shadow = teemed_plat_map(vm->t, b->head);

		if (n > listed - b->cursor)
			n = listed - b->cursor;
		for (uint32_t i = 0; i < n; i++)
			unpin(ctx, hv, teemed_pa(shadow[slot + i]));
		b->cursor += n;
		step_unpinned(st, n);
		if (slot + n == TEEMED_LIST_ENTRIES || b->cursor == listed) {
			teemed_pa_t next = teemed_pa(shadow[TEEMED_LIST_NEXT]);

			teemed_plat_unmap(vm->t, shadow);
			teemed_vm_free_page(vm, b->head);
			b->list_pages--;
			b->head = next;
		} else {
			teemed_plat_unmap(vm->t, shadow);
		}
	}
	if (b->cursor < listed)
		return false;
	/* The RPC_ARG shadow, or a list page started for an entry that then
	   failed to pin. */
	if (b->list_pages) {
		TEEMED_ASSERT(b->list_pages == 1);
		teemed_vm_free_page(vm, b->head);
		b->list_pages = 0;
	}
	teemed_vm_unreserve_pages(vm, buf->page_count, b->mpages);
	teemed_vm_free_obj(vm, b, sizeof(*b));
	return true;
}
