/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Xen half of the shim (see shim_host.h): Xen's primitives the port
 * calls, and the parts of Xen that call the port, written after Xen's
 * own behaviour (xen/arch/arm/tee/tee.c, vsmc.c, domain.c, common/
 * kernel.c's parameter parsing) at the commit named in xen/config.h.
 * Built with Xen's flags against include/ only.
 */
#include <xen/device_tree.h>
#include <xen/domain_page.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/param.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/stdarg.h>
#include <xen/string.h>
#include <xen/xmalloc.h>

#include <asm/p2m.h>
#include <asm/regs.h>
#include <asm/smccc.h>
#include <asm/tee/tee.h>

#include "shim_host.h"

#define MAX_MEDIATORS 4
#define MAX_PARAMS 32
#define MAX_PARAM_BYTES 64
#define ARM_SMCCC_ERR_UNKNOWN_FUNCTION (-1)
#define SMCCC_OWNER(fid) (((fid) >> 24) & 0x3fU)
#define SMCCC_OWNER_TRUSTED_APP 48U
#define SMCCC_RESERVED_RANGE_END 0x0100FFFFU
#define SMCCC_OWNER_TRUSTED_OS_END 63U

struct shim_domain {
    struct domain d;
};

__thread struct vcpu *xen_shim_curr_vcpu;
struct page_info *frame_table;
unsigned long xen_shim_first_mfn;
static unsigned long frame_count;

static const struct tee_mediator_desc *mediators[MAX_MEDIATORS];
static unsigned int mediator_count;
static const struct tee_mediator_desc *cur_mediator;

static const struct kernel_param *params[MAX_PARAMS];
static unsigned char param_init[MAX_PARAMS][MAX_PARAM_BYTES];
static unsigned int param_count;

static bool optee_node_present;
static struct dt_device_node optee_node = { "linaro,optee-tz" };

/* Xen's tee.c: "tee=" picks the mediator by its command-line name. */
static char opt_mediator[16] = "";
string_param("tee", opt_mediator);

static __thread int locks_held;

void xen_shim_bug(const char *file, int line)
{
    xen_host_bug(file, line, "BUG_ON");
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xen_host_vprintk(fmt, ap);
    va_end(ap);
}

static int digit(char c, unsigned int base)
{
    unsigned int v;

    if ( c >= '0' && c <= '9' )
        v = (unsigned int)(c - '0');
    else if ( c >= 'a' && c <= 'f' )
        v = (unsigned int)(c - 'a') + 10;
    else if ( c >= 'A' && c <= 'F' )
        v = (unsigned int)(c - 'A') + 10;
    else
        return -1;

    return v < base ? (int)v : -1;
}

unsigned long simple_strtoul(const char *cp, const char **endp,
                             unsigned int base)
{
    unsigned long v = 0;
    int d;

    if ( !base )
    {
        base = 10;
        if ( cp[0] == '0' )
        {
            base = 8;
            if ( (cp[1] == 'x' || cp[1] == 'X') && digit(cp[2], 16) >= 0 )
            {
                base = 16;
                cp += 2;
            }
        }
    }
    while ( (d = digit(*cp, base)) >= 0 )
    {
        v = v * base + (unsigned long)d;
        cp++;
    }
    if ( endp )
        *endp = cp;

    return v;
}

/* Registration (Xen: linker sections filled at build time). */

void xen_shim_register_mediator(const struct tee_mediator_desc *desc)
{
    BUG_ON(mediator_count == MAX_MEDIATORS);
    mediators[mediator_count++] = desc;
}

void xen_shim_register_param(const struct kernel_param *p)
{
    BUG_ON(param_count == MAX_PARAMS);
    BUG_ON(p->type != OPT_CUSTOM && p->len > MAX_PARAM_BYTES);
    if ( p->type != OPT_CUSTOM )
        memcpy(param_init[param_count], p->par.var, p->len);
    params[param_count++] = p;
}

/* Command line, as common/kernel.c: name=value, space separated. */

static int parse_one(const char *s, size_t n)
{
    char buf[128];
    const char *val;
    unsigned int i;
    size_t nlen;
    int rc = 0;

    if ( n >= sizeof(buf) )
        return -EINVAL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for ( nlen = 0; nlen < n && buf[nlen] != '='; nlen++ )
        continue;
    val = nlen < n ? &buf[nlen + 1] : "";

    for ( i = 0; i < param_count; i++ )
    {
        const struct kernel_param *p = params[i];
        unsigned long v;

        if ( strlen(p->name) != nlen || memcmp(p->name, buf, nlen) )
            continue;
        switch ( p->type )
        {
        case OPT_UINT:
            v = simple_strtoul(val, NULL, 0);
            switch ( p->len )
            {
            case 4:
                *(uint32_t *)p->par.var = (uint32_t)v;
                break;
            case 8:
                *(uint64_t *)p->par.var = v;
                break;
            default:
                BUG_ON(1);
            }
            break;
        case OPT_STR:
            memset(p->par.var, 0, p->len);
            memcpy(p->par.var, val,
                   strlen(val) < p->len ? strlen(val) : p->len - 1);
            break;
        case OPT_CUSTOM:
            rc = p->par.func(val);
            break;
        default:
            rc = -EINVAL;
            break;
        }
    }

    return rc;
}

int xen_shim_param(const char *cmdline)
{
    const char *s = cmdline;
    int rc = 0;

    while ( *s )
    {
        size_t n = 0;

        while ( *s == ' ' )
            s++;
        while ( s[n] && s[n] != ' ' )
            n++;
        if ( n )
        {
            int r = parse_one(s, n);

            if ( r && !rc )
                rc = r;
        }
        s += n;
    }

    return rc;
}

/* Xen's tee.c. */

static int tee_init(void)
{
    unsigned int i;
    bool select_mediator = strcmp(opt_mediator, "");

    cur_mediator = NULL;
    for ( i = 0; i < mediator_count; i++ )
    {
        const struct tee_mediator_desc *desc = mediators[i];

        if ( select_mediator && strcmp(opt_mediator, desc->cmdline_name) )
            continue;
        if ( desc->ops->probe() )
        {
            printk(XENLOG_INFO "Using TEE mediator for %s\n", desc->name);
            cur_mediator = desc;
            return 1;
        }
        if ( select_mediator )
            return -EINVAL; /* Xen panics */
    }

    return select_mediator ? -EINVAL : 0;
}

bool tee_handle_call(struct cpu_user_regs *regs)
{
    if ( unlikely(!cur_mediator) )
        return false;

    return cur_mediator->ops->handle_call(regs);
}

int tee_domain_init(struct domain *d, uint16_t tee_type)
{
    if ( tee_type == XEN_DOMCTL_CONFIG_TEE_NONE )
        return 0;
    if ( !cur_mediator )
        return -ENODEV;
    if ( cur_mediator->tee_type != tee_type )
        return -EINVAL;

    return cur_mediator->ops->domain_init(d);
}

int tee_domain_teardown(struct domain *d)
{
    if ( !cur_mediator )
        return 0;

    return cur_mediator->ops->domain_teardown(d);
}

int tee_relinquish_resources(struct domain *d)
{
    if ( !cur_mediator )
        return 0;

    return cur_mediator->ops->relinquish_resources(d);
}

uint16_t tee_get_type(void)
{
    return cur_mediator ? cur_mediator->tee_type : XEN_DOMCTL_CONFIG_TEE_NONE;
}

void tee_free_domain_ctx(struct domain *d)
{
    if ( cur_mediator && cur_mediator->ops->free_domain_ctx )
        cur_mediator->ops->free_domain_ctx(d);
}

/* Boot and shutdown. */

int xen_shim_boot(const char *cmdline, bool optee_in_dt, uint64_t first_pa,
                  uint64_t npages)
{
    unsigned int i;
    int rc;

    for ( i = 0; i < param_count; i++ )
        if ( params[i]->type != OPT_CUSTOM )
            memcpy(params[i]->par.var, param_init[i], params[i]->len);
    frame_table = xen_host_calloc(npages * sizeof(*frame_table));
    xen_shim_first_mfn = paddr_to_pfn(first_pa);
    frame_count = npages;
    optee_node_present = optee_in_dt;
    rc = xen_shim_param(cmdline);
    if ( rc )
        return rc;

    return tee_init();
}

void xen_shim_shutdown(uint64_t *pages)
{
    unsigned long i;

    *pages = 0;
    for ( i = 0; frame_table && i < frame_count; i++ )
    {
        if ( !frame_table[i].allocated )
            continue;
        xen_host_reclaim_page(page_to_maddr(&frame_table[i]));
        (*pages)++;
    }
    xen_host_free(frame_table);
    frame_table = NULL;
    frame_count = 0;
    cur_mediator = NULL;
}

/* Domains, as arch_domain_create/domain_kill/arch_domain_destroy. */

int xen_shim_domain_create(uint16_t domid, void *hv, uint16_t tee_type,
                           bool fail_after_tee, void **dom)
{
    struct shim_domain *sd = xen_host_calloc(sizeof(*sd));
    int rc;

    sd->d.domain_id = domid;
    sd->d.shim_vm = hv;
    rc = tee_domain_init(&sd->d, tee_type);
    if ( !rc && fail_after_tee )
        rc = -ENOMEM;
    if ( rc )
    {
        /* arch_domain_create's failure path: arch_domain_destroy(). */
        tee_free_domain_ctx(&sd->d);
        xen_host_free(sd);
        *dom = NULL;
        return rc;
    }
    *dom = sd;

    return 0;
}

void *xen_shim_domain_tee(void *dom)
{
    struct shim_domain *sd = dom;

    return sd->d.arch.tee;
}

bool xen_shim_guest_smc(void *dom, unsigned int vcpu_id, uint64_t regs[8])
{
    struct shim_domain *sd = dom;
    struct cpu_user_regs r;
    struct vcpu *prev = current;
    /* The trapping vCPU: its own, as vCPUs trap on several CPUs at once. */
    struct vcpu v = { .vcpu_id = (int)vcpu_id, .domain = &sd->d };
    uint32_t fid = (uint32_t)regs[0];
    unsigned int i;
    bool handled = false;

    memset(&r, 0, sizeof(r));
    for ( i = 0; i < 8; i++ )
        r.x[i] = regs[i];
    current = &v;
    /*
     * vsmccc_handle_call(): past the range of existing APIs, the
     * Trusted Application and Trusted OS owners go to the mediator.
     */
    if ( fid > SMCCC_RESERVED_RANGE_END &&
         SMCCC_OWNER(fid) >= SMCCC_OWNER_TRUSTED_APP &&
         SMCCC_OWNER(fid) <= SMCCC_OWNER_TRUSTED_OS_END )
        handled = tee_handle_call(&r);
    if ( !handled )
        set_user_reg(&r, 0, ARM_SMCCC_ERR_UNKNOWN_FUNCTION);
    current = prev;
    for ( i = 0; i < 8; i++ )
        regs[i] = r.x[i];

    return handled;
}

int xen_shim_domain_kill(void *dom)
{
    struct shim_domain *sd = dom;
    int rc;

    if ( sd->d.shim_teardown == 0 )
    {
        rc = tee_domain_teardown(&sd->d);
        if ( rc )
            return rc;
        sd->d.shim_teardown = 1;
    }
    rc = tee_relinquish_resources(&sd->d);
    if ( rc )
        return rc;
    sd->d.shim_teardown = 2;

    return 0;
}

void xen_shim_domain_free(void *dom)
{
    struct shim_domain *sd = dom;

    tee_free_domain_ctx(&sd->d);
    xen_host_free(sd);
}

/* The primitives the port uses. */

register_t get_user_reg(struct cpu_user_regs *regs, int reg)
{
    BUG_ON(reg < 0 || reg > 30);
    return regs->x[reg];
}

void set_user_reg(struct cpu_user_regs *regs, int reg, register_t value)
{
    BUG_ON(reg < 0 || reg > 30);
    regs->x[reg] = value;
}

struct dt_device_node *dt_find_compatible_node(struct dt_device_node *from,
                                               const char *type,
                                               const char *compatible)
{
    if ( from || type || !optee_node_present ||
         strcmp(compatible, optee_node.compatible) )
        return NULL;

    return &optee_node;
}

bool xen_shim_preempt_check(void)
{
    return xen_host_preempt();
}

static struct page_info *frame_of(paddr_t pa, const char *what)
{
    unsigned long mfn = paddr_to_pfn(pa);

    if ( !frame_table || mfn < xen_shim_first_mfn ||
         mfn - xen_shim_first_mfn >= frame_count )
        xen_host_bug(__FILE__, __LINE__, what);

    return mfn_to_page(_mfn(mfn));
}

struct page_info *get_page_from_gfn(struct domain *d, unsigned long gfn,
                                    p2m_type_t *t, p2m_query_t q)
{
    struct page_info *page;
    uint64_t pa;
    bool ro;

    *t = p2m_invalid;
    if ( xen_host_pin(d->shim_vm, pfn_to_paddr(gfn), &pa, &ro) )
        return NULL;
    page = frame_of(pa, "get_page_from_gfn: PA outside the frame table");
    __atomic_add_fetch(&page->count_info, 1, __ATOMIC_RELAXED);
    /* Several vCPUs may take the same page at once. */
    __atomic_store_n(&page->owner, d, __ATOMIC_RELAXED);
    *t = ro ? p2m_ram_ro : p2m_ram_rw;

    return page;
}

void put_page(struct page_info *page)
{
    struct domain *owner = __atomic_load_n(&page->owner, __ATOMIC_RELAXED);

    BUG_ON(!owner);
    if ( __atomic_sub_fetch(&page->count_info, 1, __ATOMIC_RELAXED) ==
         (unsigned long)-1 )
        xen_host_bug(__FILE__, __LINE__, "put_page without a reference");
    xen_host_unpin(owner->shim_vm, page_to_maddr(page));
}

struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags)
{
    struct page_info *pg;
    void *hv = d ? d->shim_vm : NULL;
    uint64_t pa;

    if ( order )
        xen_host_bug(__FILE__, __LINE__, "alloc_domheap_pages: order > 0");
    /* A page assigned to the guest would be the guest's to touch. */
    if ( d && !(memflags & MEMF_no_owner) )
        xen_host_bug(__FILE__, __LINE__, "mediator page given to a guest");
    if ( xen_host_alloc_page(hv, &pa) )
        return NULL;
    pg = frame_of(pa, "alloc_domheap_pages: PA outside the frame table");
    pg->allocated = true;
    pg->charged_hv = hv;

    return pg;
}

void free_domheap_pages(struct page_info *pg, unsigned int order)
{
    void *hv;

    if ( order || !pg->allocated )
        xen_host_bug(__FILE__, __LINE__, "free_domheap_pages: not allocated");
    hv = pg->charged_hv;
    pg->allocated = false;
    pg->charged_hv = NULL;
    /* Last: from here another CPU may be given the page. */
    xen_host_free_page(hv, page_to_maddr(pg));
}

void *map_domain_page(mfn_t mfn)
{
    return xen_host_map(mfn_to_maddr(mfn));
}

void unmap_domain_page(const void *ptr)
{
    xen_host_unmap(ptr);
}

void *_xmalloc(unsigned long size, unsigned long align)
{
    if ( align > 16 || (align & (align - 1)) )
        xen_host_bug(__FILE__, __LINE__, "_xmalloc: alignment");

    return xen_host_xmalloc(size);
}

void *_xzalloc(unsigned long size, unsigned long align)
{
    void *p = _xmalloc(size, align);

    if ( p )
        memset(p, 0, size);
    return p;
}

void xfree(void *p)
{
    if ( p )
        xen_host_xfree(p);
}

void _spin_lock(spinlock_t *lock)
{
    if ( __atomic_load_n(&lock->holder, __ATOMIC_RELAXED) == &locks_held )
        xen_host_bug(__FILE__, __LINE__, "spinlock taken twice by one CPU");
    while ( __atomic_exchange_n(&lock->locked, 1U, __ATOMIC_ACQUIRE) )
        while ( __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) )
            continue;
    __atomic_store_n(&lock->holder, &locks_held, __ATOMIC_RELAXED);
    xen_host_locks_held(++locks_held);
}

void _spin_unlock(spinlock_t *lock)
{
    if ( __atomic_load_n(&lock->holder, __ATOMIC_RELAXED) != &locks_held )
        xen_host_bug(__FILE__, __LINE__, "spinlock released by another CPU");
    __atomic_store_n(&lock->holder, NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&lock->locked, 0U, __ATOMIC_RELEASE);
    locks_held--;
}

bool _spin_is_locked(const spinlock_t *lock)
{
    return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}

void xen_shim_smc(register_t a0, register_t a1, register_t a2, register_t a3,
                  register_t a4, register_t a5, register_t a6, register_t a7,
                  struct arm_smccc_res *res)
{
    uint64_t regs[8] = { a0, a1, a2, a3, a4, a5, a6, a7 };

    if ( locks_held )
        xen_host_smc_under_lock();
    xen_host_smc(regs);
    res->a0 = regs[0];
    res->a1 = regs[1];
    res->a2 = regs[2];
    res->a3 = regs[3];
}
