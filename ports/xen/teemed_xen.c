/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * teemed as Xen's OP-TEE mediator (xen/arch/arm/tee/teemed_xen.c).
 *
 * It registers for XEN_DOMCTL_CONFIG_TEE_OPTEE under the command-line
 * name "optee", like the mediator it replaces, so xl's tee="optee",
 * dom0 (given the running mediator's type) and "tee=optee" select it
 * unchanged. Everything about the
 * OP-TEE protocol is decided by the teemed core; this file only
 * translates:
 *
 *   Xen                               teemed
 *   probe()                           teemed_init()
 *   domain_init(d)                    teemed_vm_create(), client id
 *                                     = domain id + 1
 *   handle_call(regs) on current      teemed_vcpu_smc(), its vcpu_id
 *   relinquish_resources(d)           teemed_vm_destroy() steps, -ERESTART
 *                                     whenever Xen wants the CPU back
 *   free_domain_ctx(d)                the same, for a domain whose creation
 *                                     failed after domain_init
 *
 * and implements struct teemed_platform over Xen's primitives:
 * get_page_from_gfn() + p2m type check / put_page() for pins, anonymous
 * domheap pages for mediator pages, map_domain_page(), xmalloc'd
 * objects, spinlocks and arm_smccc_smc().
 *
 * d->arch.tee is the domain's struct teemed_vm (NULL once destroyed).
 *
 * Command line (all optional; 0 or absent: teemed's build-time default):
 *   teemed_max_vms=<n>            VM contexts alive at once
 *   teemed_step_pages=<n>         guest pages pinned/released per trapped
 *                                 SMC and per teardown step
 *   teemed_global_pinned_pages=<n>  pages pinned over all domains
 *   teemed_pinned_pages=<n>, teemed_buffers=<n>, teemed_rpc_buffers=<n>,
 *   teemed_calls=<n>, teemed_mediator_pages=<n>
 *                                 per-domain quotas, every domain
 *   teemed_domain_quota=<domid>:<pinned>[:<buffers>[:<rpc_buffers>
 *                       [:<calls>[:<mediator_pages>]]]][,<domid>:...]
 *                                 the same for one domain (e.g. dom0, or
 *                                 domains whose ids are known); 0 or an
 *                                 empty field keeps the default, a domain
 *                                 given with only zeros is forgotten
 */

#include <xen/device_tree.h>
#include <xen/domain_page.h>
#include <xen/errno.h>
#include <xen/init.h>
#include <xen/inttypes.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/param.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/xmalloc.h>

#include <asm/event.h>
#include <asm/p2m.h>
#include <asm/smccc.h>
#include <asm/tee/tee.h>

#include <teemed/teemed.h>

/* Domains that teemed_domain_quota= can name. */
#define TEEMED_XEN_DOMAIN_QUOTAS 16

struct teemed_xen_domain_quota {
    bool used;
    domid_t domid;
    struct teemed_quota quota;
};

static struct teemed *__read_mostly teemed_xen;

static unsigned int __initdata opt_max_vms;
integer_param("teemed_max_vms", opt_max_vms);
static unsigned int __initdata opt_step_pages;
integer_param("teemed_step_pages", opt_step_pages);
static unsigned long __initdata opt_global_pinned_pages;
integer_param("teemed_global_pinned_pages", opt_global_pinned_pages);
static unsigned int __initdata opt_pinned_pages;
integer_param("teemed_pinned_pages", opt_pinned_pages);
static unsigned int __initdata opt_buffers;
integer_param("teemed_buffers", opt_buffers);
static unsigned int __initdata opt_rpc_buffers;
integer_param("teemed_rpc_buffers", opt_rpc_buffers);
static unsigned int __initdata opt_calls;
integer_param("teemed_calls", opt_calls);
static unsigned int __initdata opt_mediator_pages;
integer_param("teemed_mediator_pages", opt_mediator_pages);

/* Read when a domain is built, so not init data. */
static struct teemed_xen_domain_quota
    __read_mostly domain_quotas[TEEMED_XEN_DOMAIN_QUOTAS];

/* One ':'-separated field of teemed_domain_quota=; empty is 0. */
static const char *__init parse_quota_field(const char *s, uint32_t *out)
{
    const char *e;
    unsigned long v;

    *out = 0;
    if ( *s != ':' )
        return s;
    s++;
    v = simple_strtoul(s, &e, 0);
    if ( v > 0xffffffffUL )
        return NULL;
    *out = (uint32_t)v;
    return e;
}

static int __init parse_domain_quota(const char *s)
{
    do {
        struct teemed_quota q;
        const char *e;
        unsigned long domid = simple_strtoul(s, &e, 0);
        unsigned int i, slot = TEEMED_XEN_DOMAIN_QUOTAS;
        bool zero;

        if ( e == s || *e != ':' || domid >= DOMID_FIRST_RESERVED )
            return -EINVAL;
        s = parse_quota_field(e, &q.pinned_pages);
        if ( s )
            s = parse_quota_field(s, &q.buffers);
        if ( s )
            s = parse_quota_field(s, &q.rpc_buffers);
        if ( s )
            s = parse_quota_field(s, &q.calls);
        if ( s )
            s = parse_quota_field(s, &q.mediator_pages);
        if ( !s || (*s != ',' && *s != '\0') )
            return -EINVAL;
        zero = !q.pinned_pages && !q.buffers && !q.rpc_buffers &&
               !q.calls && !q.mediator_pages;

        for ( i = 0; i < TEEMED_XEN_DOMAIN_QUOTAS; i++ )
        {
            if ( domain_quotas[i].used && domain_quotas[i].domid == domid )
            {
                slot = i;
                break;
            }
            if ( !domain_quotas[i].used && slot == TEEMED_XEN_DOMAIN_QUOTAS )
                slot = i;
        }
        if ( slot == TEEMED_XEN_DOMAIN_QUOTAS )
            return -ENOSPC;
        domain_quotas[slot].used = !zero;
        domain_quotas[slot].domid = (domid_t)domid;
        domain_quotas[slot].quota = q;
    } while ( *s++ == ',' );

    return 0;
}
custom_param("teemed_domain_quota", parse_domain_quota);

static const struct teemed_quota *domain_quota(const struct domain *d)
{
    unsigned int i;

    for ( i = 0; i < TEEMED_XEN_DOMAIN_QUOTAS; i++ )
        if ( domain_quotas[i].used && domain_quotas[i].domid == d->domain_id )
            return &domain_quotas[i].quota;

    return NULL;
}

/* The platform: teemed's callbacks over Xen's primitives. */

static int txen_pin(void *ctx, void *vm, teemed_ipa_t ipa, unsigned int flags,
                    teemed_pa_t *pa)
{
    struct domain *d = vm;
    struct page_info *page;
    unsigned long gfn = paddr_to_pfn(teemed_ipa_addr(ipa));
    p2m_type_t t;

    /* A guest address whose frame number a gfn cannot hold (arm32). */
    if ( pfn_to_paddr(gfn) != (teemed_ipa_addr(ipa) & ~TEEMED_PAGE_MASK) )
        return TEEMED_ERR_FAULT;

    page = get_page_from_gfn(d, gfn, &t, P2M_ALLOC);
    if ( !page )
        return TEEMED_ERR_FAULT;

    /* Only the domain's own RAM; read-only RAM only to be read. */
    if ( t != p2m_ram_rw &&
         (t != p2m_ram_ro || (flags & TEEMED_PIN_WRITE)) )
    {
        put_page(page);
        return TEEMED_ERR_FAULT;
    }

    *pa = teemed_pa(page_to_maddr(page));

    return TEEMED_OK;
}

static void txen_unpin(void *ctx, void *vm, teemed_pa_t pa)
{
    put_page(maddr_to_page(teemed_pa_addr(pa)));
}

static int txen_alloc_page(void *ctx, void *vm, teemed_pa_t *pa)
{
    /* Xen's own page, near the domain's memory but never the domain's. */
    struct page_info *pg = alloc_domheap_page(vm, vm ? MEMF_no_owner : 0);

    if ( !pg )
        return TEEMED_ERR_NOMEM;

    *pa = teemed_pa(page_to_maddr(pg));

    return TEEMED_OK;
}

static void txen_free_page(void *ctx, void *vm, teemed_pa_t pa)
{
    free_domheap_page(maddr_to_page(teemed_pa_addr(pa)));
}

static void *txen_alloc_obj(void *ctx, void *vm, size_t size)
{
    /* 16: the largest alignment of a C type on Arm. */
    return _xmalloc(size, 16);
}

static void txen_free_obj(void *ctx, void *vm, void *obj, size_t size)
{
    xfree(obj);
}

static void *txen_map(void *ctx, teemed_pa_t pa)
{
    return map_domain_page(maddr_to_mfn(teemed_pa_addr(pa)));
}

static void txen_unmap(void *ctx, void *va)
{
    unmap_domain_page(va);
}

static void txen_smc(void *ctx, struct teemed_regs *regs)
{
    struct arm_smccc_res res;

    /* Register-sized: arm32's SMCCC 1.1 helper puts each in one register. */
    arm_smccc_smc((register_t)regs->a[0], (register_t)regs->a[1],
                  (register_t)regs->a[2], (register_t)regs->a[3],
                  (register_t)regs->a[4], (register_t)regs->a[5],
                  (register_t)regs->a[6], (register_t)regs->a[7], &res);
    regs->a[0] = res.a0;
    regs->a[1] = res.a1;
    regs->a[2] = res.a2;
    regs->a[3] = res.a3;
}

static void *txen_lock_create(void *ctx)
{
    spinlock_t *lock = xzalloc(spinlock_t);

    if ( lock )
        spin_lock_init(lock);

    return lock;
}

static void txen_lock_destroy(void *ctx, void *lock)
{
    xfree(lock);
}

static void txen_lock(void *ctx, void *lock)
{
    spin_lock(lock);
}

static void txen_unlock(void *ctx, void *lock)
{
    spin_unlock(lock);
}

static void txen_log(void *ctx, void *vm, enum teemed_log_level level,
                     const char *msg, uint64_t v1, uint64_t v2)
{
    const struct domain *d = vm;

    /* What a guest can cause is rate-limited (XENLOG_G_*). */
    switch ( level )
    {
    case TEEMED_LOG_ERROR:
        if ( d )
            printk(XENLOG_G_ERR "%pd: teemed: %s (%#"PRIx64", %#"PRIx64")\n",
                   d, msg, v1, v2);
        else
            printk(XENLOG_ERR "teemed: %s (%#"PRIx64", %#"PRIx64")\n",
                   msg, v1, v2);
        break;
    case TEEMED_LOG_WARN:
        if ( d )
            printk(XENLOG_G_WARNING "%pd: teemed: %s (%#"PRIx64", %#"PRIx64")\n",
                   d, msg, v1, v2);
        else
            printk(XENLOG_WARNING "teemed: %s (%#"PRIx64", %#"PRIx64")\n",
                   msg, v1, v2);
        break;
    default:
        if ( d )
            printk(XENLOG_G_DEBUG "%pd: teemed: %s (%#"PRIx64", %#"PRIx64")\n",
                   d, msg, v1, v2);
        else
            printk(XENLOG_DEBUG "teemed: %s (%#"PRIx64", %#"PRIx64")\n",
                   msg, v1, v2);
        break;
    }
}

static const struct teemed_platform teemed_xen_platform = {
    .ctx = NULL,
    .pin_guest_page = txen_pin,
    .unpin_guest_page = txen_unpin,
    .alloc_page = txen_alloc_page,
    .free_page = txen_free_page,
    .alloc_obj = txen_alloc_obj,
    .free_obj = txen_free_obj,
    .map = txen_map,
    .unmap = txen_unmap,
    .smc = txen_smc,
    .lock_create = txen_lock_create,
    .lock_destroy = txen_lock_destroy,
    .lock = txen_lock,
    .unlock = txen_unlock,
    .log = txen_log,
};

/* teemed's error codes as Xen's. */
static int txen_errno(int rc)
{
    switch ( rc )
    {
    case TEEMED_OK:
        return 0;
    case TEEMED_ERR_PERM:
        return -EPERM;
    case TEEMED_ERR_NOENT:
        return -ENOENT;
    case TEEMED_ERR_IO:
    case TEEMED_ERR_PROTO:
    case TEEMED_ERR_NOTSUP:
        return -ENODEV;
    case TEEMED_ERR_AGAIN:
        return -ERESTART;
    case TEEMED_ERR_NOMEM:
        return -ENOMEM;
    case TEEMED_ERR_BUSY:
        return -EBUSY;
    case TEEMED_ERR_EXIST:
        return -EEXIST;
    case TEEMED_ERR_RANGE:
        return -ENOSPC;
    default:
        return -EINVAL;
    }
}

/* The mediator's hooks. */

static bool teemed_xen_probe(void)
{
    struct teemed_config cfg = {
        .platform = &teemed_xen_platform,
        .max_vms = opt_max_vms,
        .step_pages = opt_step_pages,
        .vm_quota = {
            .pinned_pages = opt_pinned_pages,
            .buffers = opt_buffers,
            .rpc_buffers = opt_rpc_buffers,
            .calls = opt_calls,
            .mediator_pages = opt_mediator_pages,
        },
        .global_pinned_pages = opt_global_pinned_pages,
    };
    const struct teemed_info *info;
    int rc;

    /* As Xen's own mediator: only where the firmware describes OP-TEE. */
    if ( !dt_find_compatible_node(NULL, NULL, "linaro,optee-tz") )
        return false;

    rc = teemed_init(&cfg, &teemed_xen);
    if ( rc != TEEMED_OK )
    {
        printk(XENLOG_ERR "teemed: OP-TEE not usable by guests (%d)\n", rc);
        teemed_xen = NULL;
        return false;
    }

    info = teemed_get_info(teemed_xen);
    printk(XENLOG_INFO
           "teemed %d.%d.%d: OP-TEE %u.%u, %u threads per guest\n",
           TEEMED_VERSION_MAJOR, TEEMED_VERSION_MINOR, TEEMED_VERSION_PATCH,
           info->os_major, info->os_minor, info->thread_count);

    return true;
}

static int teemed_xen_domain_init(struct domain *d)
{
    struct teemed_vm *vm;
    int rc;

    if ( !teemed_xen )
        return -ENODEV;

    rc = teemed_vm_create(teemed_xen, d->domain_id + 1, d, domain_quota(d),
                          &vm);
    if ( rc != TEEMED_OK )
    {
        printk(XENLOG_WARNING "%pd: teemed: no OP-TEE client (%d)\n", d, rc);
        return txen_errno(rc);
    }

    d->arch.tee = vm;

    return 0;
}

static int teemed_xen_domain_teardown(struct domain *d)
{
    /* Everything happens in relinquish_resources, vCPUs being stopped. */
    return 0;
}

/*
 * One teardown step at a time while Xen has nothing else to do; OP-TEE
 * hears VM_DESTROYED in the first, before any page is released.
 */
static int teemed_xen_relinquish_resources(struct domain *d)
{
    struct teemed_vm *vm = d->arch.tee;
    int rc;

    if ( !vm )
        return 0;

    for ( ;; )
    {
        rc = teemed_vm_destroy(vm);
        if ( rc != TEEMED_ERR_AGAIN )
            break;
        if ( hypercall_preempt_check() )
            return -ERESTART;
    }

    if ( rc != TEEMED_OK )
    {
        /* Pages OP-TEE may still use stay pinned; destroy can be retried. */
        printk(XENLOG_ERR "%pd: teemed: OP-TEE refused to forget it (%d)\n",
               d, rc);
        return rc == TEEMED_ERR_IO ? -EIO : txen_errno(rc);
    }

    d->arch.tee = NULL;

    return 0;
}

/*
 * A domain whose construction failed after domain_init never reaches
 * relinquish_resources; it never ran, so nothing is pinned and the
 * teardown is short, but this hook cannot be restarted.
 */
static void teemed_xen_free_domain_ctx(struct domain *d)
{
    struct teemed_vm *vm = d->arch.tee;
    int rc;

    if ( !vm )
        return;

    do {
        rc = teemed_vm_destroy(vm);
    } while ( rc == TEEMED_ERR_AGAIN );

    if ( rc != TEEMED_OK )
        printk(XENLOG_ERR "%pd: teemed: context left behind (%d)\n", d, rc);

    d->arch.tee = NULL;
}

static bool teemed_xen_handle_call(struct cpu_user_regs *regs)
{
    struct teemed_vm *vm = current->domain->arch.tee;
    struct teemed_regs r;
    unsigned int i;

    if ( !vm )
        return false;

    for ( i = 0; i < ARRAY_SIZE(r.a); i++ )
        r.a[i] = get_user_reg(regs, i);

    if ( teemed_vcpu_smc(vm, current->vcpu_id, &r) != TEEMED_SMC_HANDLED )
        return false;

    for ( i = 0; i < 4; i++ )
        set_user_reg(regs, i, r.a[i]);

    return true;
}

static const struct tee_mediator_ops teemed_xen_ops = {
    .probe = teemed_xen_probe,
    .domain_init = teemed_xen_domain_init,
    .domain_teardown = teemed_xen_domain_teardown,
    .relinquish_resources = teemed_xen_relinquish_resources,
    .free_domain_ctx = teemed_xen_free_domain_ctx,
    .handle_call = teemed_xen_handle_call,
};

REGISTER_TEE_MEDIATOR(optee, "OP-TEE (teemed)", XEN_DOMCTL_CONFIG_TEE_OPTEE,
                      &teemed_xen_ops);
