/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hosted half of the Xen shim (shim_host.h) and the world's entry
 * to it (xen_world.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "xen_world.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_host.h"

#define OBJ_MAGIC 0x78656e6f626a6563ull
#define XEN_ERESTART 85
#define XEN_EIO 5
#define XEN_ENOMEM 12
#define XEN_ENODEV 19
#define XEN_EEXIST 17
#define XEN_EPERM 1
#define XEN_ENOSPC 28
#define XEN_TEE_OPTEE 1
#define MAX_RO_PAGES 8

/* Every xmalloc'd object, so leaks can be counted and freed. */
union obj_hdr {
	max_align_t align;
	struct {
		union obj_hdr *prev, *next;
		uint64_t magic;
		size_t size;
	} h;
};

struct xen_world {
	struct sim_platform *p;
	pthread_mutex_t mu;
	pthread_mutex_t create_mu;
	union obj_hdr objs; /* list head */
	int64_t obj_count;
	int64_t page_count;
	int64_t boot_objs, boot_pages;
	uint64_t restarts;
	uint32_t preempt_every;
	uint64_t preempt_checks;
	bool log;
	struct {
		uint16_t vm_id;
		uint64_t ipa;
	} ro[MAX_RO_PAGES];
	unsigned int ro_count;
};

static struct xen_world *xw;
static struct xen_world_opts next_boot;

static void die(const char *what)
{
	fprintf(stderr, "xen shim: %s\n", what);
	abort();
}

/* shim_host.h: what xen.c asks of the simulator. */

int xen_host_pin(void *hv, uint64_t ipa, uint64_t *pa, bool *read_only)
{
	struct sim_platform *p = xw->p;
	const struct sim_vm *h = hv;
	teemed_pa_t out;
	unsigned int i;

	/* The machine's guest RAM is read-write but where a test says. */
	*read_only = false;
	if (p->ops.pin_guest_page(p->ops.ctx, hv, teemed_ipa(ipa), 0, &out))
		return -1;
	for (i = 0; i < xw->ro_count; i++)
		if (xw->ro[i].vm_id == h->vm_id && xw->ro[i].ipa == ipa)
			*read_only = true;
	*pa = teemed_pa_addr(out);
	return 0;
}

void xen_host_unpin(void *hv, uint64_t pa)
{
	xw->p->ops.unpin_guest_page(xw->p->ops.ctx, hv, teemed_pa(pa));
}

int xen_host_alloc_page(void *hv, uint64_t *pa)
{
	teemed_pa_t out;

	if (xw->p->ops.alloc_page(xw->p->ops.ctx, hv, &out))
		return -1;
	*pa = teemed_pa_addr(out);
	__atomic_add_fetch(&xw->page_count, 1, __ATOMIC_RELAXED);
	return 0;
}

void xen_host_free_page(void *hv, uint64_t pa)
{
	xw->p->ops.free_page(xw->p->ops.ctx, hv, teemed_pa(pa));
	__atomic_sub_fetch(&xw->page_count, 1, __ATOMIC_RELAXED);
}

void xen_host_reclaim_page(uint64_t pa)
{
	machine_free_mediator_page(xw->p->machine, pa);
}

void *xen_host_map(uint64_t pa)
{
	return xw->p->ops.map(xw->p->ops.ctx, teemed_pa(pa));
}

void xen_host_unmap(const void *va)
{
	xw->p->ops.unmap(xw->p->ops.ctx, (void *)(uintptr_t)va);
}

void *xen_host_xmalloc(size_t size)
{
	union obj_hdr *h;

	if (sim_platform_inject(xw->p, SIM_OP_ALLOC_OBJ))
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->h.magic = OBJ_MAGIC;
	h->h.size = size;
	/* Dirty, as alloc_obj's: the port cannot rely on zeroes. */
	sim_platform_fresh_obj(xw->p, h + 1, size);
	pthread_mutex_lock(&xw->mu);
	h->h.next = xw->objs.h.next;
	h->h.prev = &xw->objs;
	xw->objs.h.next->h.prev = h;
	xw->objs.h.next = h;
	xw->obj_count++;
	pthread_mutex_unlock(&xw->mu);
	return h + 1;
}

void xen_host_xfree(void *p)
{
	union obj_hdr *h = (union obj_hdr *)p - 1;

	if (h->h.magic != OBJ_MAGIC)
		die("xfree of something xmalloc did not give");
	pthread_mutex_lock(&xw->mu);
	h->h.prev->h.next = h->h.next;
	h->h.next->h.prev = h->h.prev;
	xw->obj_count--;
	pthread_mutex_unlock(&xw->mu);
	h->h.magic = 0;
	free(h);
}

void *xen_host_calloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

void xen_host_free(void *p)
{
	free(p);
}

void xen_host_smc(uint64_t regs[8])
{
	struct teemed_regs r;

	memcpy(r.a, regs, sizeof(r.a));
	xw->p->ops.smc(xw->p->ops.ctx, &r);
	memcpy(regs, r.a, sizeof(r.a));
}

void xen_host_locks_held(int n)
{
	int cur = __atomic_load_n(&xw->p->max_locks_held, __ATOMIC_RELAXED);

	while (n > cur &&
	       !__atomic_compare_exchange_n(&xw->p->max_locks_held, &cur, n,
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		continue;
}

void xen_host_smc_under_lock(void)
{
	__atomic_add_fetch(&xw->p->smc_under_lock, 1, __ATOMIC_RELAXED);
}

bool xen_host_preempt(void)
{
	uint64_t n = __atomic_add_fetch(&xw->preempt_checks, 1,
					__ATOMIC_RELAXED);

	/* By default Xen always wants the CPU back: every step is a pass. */
	return xw->preempt_every <= 1 || n % xw->preempt_every == 0;
}

void xen_host_vprintk(const char *fmt, va_list ap)
{
	if (xw && xw->log)
		vfprintf(stderr, fmt, ap);
}

void xen_host_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "xen shim: %s:%d: %s\n", file, line, what);
	abort();
}

/* xen_world.h */

static int teemed_rc(int xen_rc)
{
	switch (-xen_rc) {
	case 0:
		return TEEMED_OK;
	case XEN_ERESTART:
		return TEEMED_ERR_AGAIN;
	case XEN_EIO:
	case XEN_ENODEV:
		return TEEMED_ERR_IO;
	case XEN_ENOMEM:
		return TEEMED_ERR_NOMEM;
	case XEN_EEXIST:
		return TEEMED_ERR_EXIST;
	case XEN_EPERM:
		return TEEMED_ERR_PERM;
	case XEN_ENOSPC:
		return TEEMED_ERR_RANGE;
	default:
		return TEEMED_ERR_INVAL;
	}
}

static void add_param(char *buf, size_t size, const char *name, uint64_t v)
{
	size_t n = strlen(buf);

	if (v)
		snprintf(buf + n, size - n, " %s=%" PRIu64, name, v);
}

void xen_world_next_boot(const struct xen_world_opts *o)
{
	static const struct xen_world_opts none;

	next_boot = o ? *o : none;
}

void xen_world_set_read_only(struct xen_world *x, uint16_t vm_id,
			     uint64_t ipa)
{
	if (x->ro_count == MAX_RO_PAGES)
		die("too many read-only pages");
	x->ro[x->ro_count].vm_id = vm_id;
	x->ro[x->ro_count].ipa = ipa;
	x->ro_count++;
}

struct xen_world *xen_world_boot(struct sim_platform *p, uint64_t host_pages,
				 const struct teemed_config *cfg, int *rc)
{
	struct xen_world_opts o = next_boot;
	struct xen_world *x;
	char cmdline[512] = "";
	int booted;

	if (xw)
		return NULL;
	xen_world_next_boot(NULL);
	x = calloc(1, sizeof(*x));
	if (!x || pthread_mutex_init(&x->mu, NULL) != 0 ||
	    pthread_mutex_init(&x->create_mu, NULL) != 0)
		die("out of memory");
	x->p = p;
	x->objs.h.next = x->objs.h.prev = &x->objs;
	x->log = getenv("TEEMED_SIM_LOG") != NULL;
	x->preempt_every = o.preempt_every;
	xw = x;
	add_param(cmdline, sizeof(cmdline), "teemed_max_vms", cfg->max_vms);
	add_param(cmdline, sizeof(cmdline), "teemed_step_pages",
		  cfg->step_pages);
	add_param(cmdline, sizeof(cmdline), "teemed_global_pinned_pages",
		  cfg->global_pinned_pages);
	add_param(cmdline, sizeof(cmdline), "teemed_pinned_pages",
		  cfg->vm_quota.pinned_pages);
	add_param(cmdline, sizeof(cmdline), "teemed_buffers",
		  cfg->vm_quota.buffers);
	add_param(cmdline, sizeof(cmdline), "teemed_rpc_buffers",
		  cfg->vm_quota.rpc_buffers);
	add_param(cmdline, sizeof(cmdline), "teemed_calls",
		  cfg->vm_quota.calls);
	add_param(cmdline, sizeof(cmdline), "teemed_mediator_pages",
		  cfg->vm_quota.mediator_pages);
	if (o.cmdline) {
		size_t n = strlen(cmdline);

		snprintf(cmdline + n, sizeof(cmdline) - n, " %s", o.cmdline);
	}
	booted = xen_shim_boot(cmdline, !o.no_optee_node, MACHINE_HOST_BASE,
			       host_pages);
	*rc = booted == 1 ? TEEMED_OK : TEEMED_ERR_IO;
	if (booted == 1) {
		x->boot_objs = x->obj_count;
		x->boot_pages = x->page_count;
	}
	return x;
}

static int vm_create(uint16_t client_id, void *hv,
		     const struct teemed_quota *quota, bool fail_after_tee,
		     void **dom, struct teemed_vm **vm)
{
	static const struct teemed_quota none;
	const struct teemed_quota *q = quota ? quota : &none;
	char param[160];
	int rc;

	*dom = NULL;
	*vm = NULL;
	/* Client id = domain id + 1: no domain has client id 0. */
	if (!client_id)
		return TEEMED_ERR_PERM;
	snprintf(param, sizeof(param),
		 "teemed_domain_quota=%u:%u:%u:%u:%u:%u", client_id - 1u,
		 q->pinned_pages, q->buffers, q->rpc_buffers, q->calls,
		 q->mediator_pages);
	rc = xen_shim_param(param);
	if (rc)
		return teemed_rc(rc);
	rc = xen_shim_domain_create((uint16_t)(client_id - 1u), hv,
				    XEN_TEE_OPTEE, fail_after_tee, dom);
	if (rc)
		return teemed_rc(rc);
	*vm = xen_shim_domain_tee(*dom);
	return TEEMED_OK;
}

/*
 * Domains are built one at a time, as the toolstack's domctls are
 * serialised by Xen's domctl lock: the quota parameter written just
 * before is then read by this domain's domain_init alone.
 */
int xen_world_vm_create(struct xen_world *x, uint16_t client_id, void *hv,
			const struct teemed_quota *quota, void **dom,
			struct teemed_vm **vm)
{
	int rc;

	pthread_mutex_lock(&x->create_mu);
	rc = vm_create(client_id, hv, quota, false, dom, vm);
	pthread_mutex_unlock(&x->create_mu);
	return rc;
}

int xen_world_vm_create_failing(struct xen_world *x, uint16_t client_id,
				void *hv)
{
	struct teemed_vm *vm;
	void *dom;
	int rc;

	pthread_mutex_lock(&x->create_mu);
	rc = vm_create(client_id, hv, NULL, true, &dom, &vm);
	pthread_mutex_unlock(&x->create_mu);
	return rc;
}

enum teemed_smc_result xen_world_smc(struct xen_world *x, void *dom,
				     uint32_t vcpu, struct teemed_regs *regs)
{
	uint64_t r[8];

	(void)x;
	memcpy(r, regs->a, sizeof(r));
	/* Xen numbers every vCPU; an unnamed one is the boot vCPU. */
	if (!xen_shim_guest_smc(dom, vcpu == TEEMED_NO_VCPU ? 0 : vcpu, r))
		return TEEMED_SMC_NOT_OPTEE;
	memcpy(regs->a, r, sizeof(r));
	return TEEMED_SMC_HANDLED;
}

int xen_world_vm_destroy_step(struct xen_world *x, void *dom)
{
	int rc = xen_shim_domain_kill(dom);

	if (rc == -XEN_ERESTART)
		__atomic_add_fetch(&x->restarts, 1, __ATOMIC_RELAXED);
	if (rc)
		return teemed_rc(rc);
	xen_shim_domain_free(dom);
	return TEEMED_OK;
}

void xen_world_abandon(void)
{
	xw = NULL;
}

uint64_t xen_world_restarts(const struct xen_world *x)
{
	return __atomic_load_n(&x->restarts, __ATOMIC_RELAXED);
}

void xen_world_shutdown(struct xen_world *x, int64_t *objs_left,
			int64_t *pages_left)
{
	uint64_t reclaimed;

	xen_shim_shutdown(&reclaimed);
	*objs_left = x->obj_count - x->boot_objs;
	*pages_left = x->page_count - x->boot_pages;
	while (x->objs.h.next != &x->objs) {
		union obj_hdr *h = x->objs.h.next;

		h->h.prev->h.next = h->h.next;
		h->h.next->h.prev = h->h.prev;
		free(h);
	}
	pthread_mutex_destroy(&x->mu);
	pthread_mutex_destroy(&x->create_mu);
	xw = NULL;
	free(x);
}
