/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The line between the two halves of the Xen shim:
 *
 *  - xen.c, built like Xen (-nostdinc, Xen's headers from include/,
 *    Xen's warnings), is "Xen": the frame table, domains, the TEE
 *    mediator framework, the SMC trap, command-line parameters, and
 *    the primitives the port calls;
 *  - xen_world.c, hosted, backs it with the simulator: the machine's
 *    pages and pins and the secure-world model, through the simulator
 *    platform's callbacks (so fault injection, accounting and the
 *    platform's contract checks apply to the port too).
 *
 * Only plain types cross it. The includer provides uint16_t, uint64_t,
 * size_t, bool and va_list.
 */
#ifndef XEN_SHIM_HOST_H
#define XEN_SHIM_HOST_H

/* xen_world.c's side, called by xen.c. `hv` is a struct sim_vm *. */
int xen_host_pin(void *hv, uint64_t ipa, uint64_t *pa, bool *read_only);
void xen_host_unpin(void *hv, uint64_t pa);
int xen_host_alloc_page(void *hv, uint64_t *pa);
void xen_host_free_page(void *hv, uint64_t pa);
void xen_host_reclaim_page(uint64_t pa);
void *xen_host_map(uint64_t pa);
void xen_host_unmap(const void *va);
/* Poisoned, as xmalloc promises nothing; NULL when a fault is injected. */
void *xen_host_xmalloc(size_t size);
void xen_host_xfree(void *p);
void *xen_host_calloc(size_t size); /* the shim's own memory */
void xen_host_free(void *p);
void xen_host_smc(uint64_t regs[8]);
void xen_host_locks_held(int n);
void xen_host_smc_under_lock(void);
bool xen_host_preempt(void);
void xen_host_vprintk(const char *fmt, va_list ap)
	__attribute__((__format__(__printf__, 1, 0)));
void xen_host_bug(const char *file, int line, const char *what);

/* xen.c's side, called by xen_world.c. Results are Xen's (-errno). */
/*
 * Boot: restore every parameter to its built-in value, parse `cmdline`
 * (space-separated name=value), build the frame table over `npages`
 * host pages from `first_pa`, then select and probe the mediator as
 * Xen's tee.c does. 1: a mediator runs; 0: none; -EINVAL: tee= names
 * none or its probe failed (Xen panics).
 */
int xen_shim_boot(const char *cmdline, bool optee_in_dt, uint64_t first_pa,
                  uint64_t npages);
/* Parse more parameters (the shim's stand-in for a boot option given
   before the domain it concerns exists). */
int xen_shim_param(const char *cmdline);
/* Frees what the shim holds; domheap pages still allocated are handed
   back with xen_host_reclaim_page() and counted in *pages. */
void xen_shim_shutdown(uint64_t *pages);
/*
 * Build a domain as arch_domain_create does, up to and including
 * tee_domain_init(); `fail_after_tee` makes a later step fail so Xen
 * destroys the half-built domain (free_domain_ctx without relinquish).
 */
int xen_shim_domain_create(uint16_t domid, void *hv, uint16_t tee_type,
                           bool fail_after_tee, void **dom);
/* The mediator's context of the domain (d->arch.tee). */
void *xen_shim_domain_tee(void *dom);
/*
 * vCPU `vcpu_id` of `dom` issued SMC #0 with x0..x7 = regs (SMC64
 * trap): Xen's vsmccc dispatch; x0..x7 come back. False: no one handled
 * it (x0 is then Xen's ARM_SMCCC_ERR_UNKNOWN_FUNCTION).
 */
bool xen_shim_guest_smc(void *dom, unsigned int vcpu_id, uint64_t regs[8]);
/* One domain_kill() pass: domain_teardown, then relinquish_resources. */
int xen_shim_domain_kill(void *dom);
/* The last reference went: arch_domain_destroy, then the struct. */
void xen_shim_domain_free(void *dom);

#endif
