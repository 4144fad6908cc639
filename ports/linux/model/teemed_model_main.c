// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * teemed_model.ko: TEST ONLY, never part of a production build. It runs
 * the project's model of OP-TEE (sim/optee_model*.c, compiled unchanged)
 * on real kernel memory and registers it with teemed.ko as the secure
 * world, in place of the SMC instruction. Everything above teemed.ko's
 * smc callback stays the production code.
 *
 * What the sim's machine and oracle give the model is provided here:
 * "physical" addresses are real PAs reached through the linear map, and
 * the oracle checks every page the model touches: it must be an
 * allocated page, and a page mapped into a process (guest RAM) must be
 * pinned. Counters are read-only module parameters under
 * /sys/module/teemed_model/parameters/.
 */
#define pr_fmt(fmt) "teemed_model: " fmt

#include <linux/mm.h>
#include <linux/module.h>

#include "include/teemed_backend.h"
#include "machine.h"
#include "optee_model.h"
#include "oracle.h"

static unsigned int threads = 4;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "OP-TEE threads per VM partition");

static unsigned int partitions = 4;
module_param(partitions, uint, 0444);
MODULE_PARM_DESC(partitions, "VM partitions (OP-TEE's CFG_VIRT_GUEST_COUNT)");

static unsigned int sec_caps_off;
module_param(sec_caps_off, uint, 0444);
MODULE_PARM_DESC(sec_caps_off, "OP-TEE capabilities (OPTEE_SMC_SEC_CAP_*) the model does not have");

static unsigned long violations;
module_param(violations, ulong, 0444);
MODULE_PARM_DESC(violations, "pages touched that were neither pinned nor kernel-owned");

static unsigned long checks;
module_param(checks, ulong, 0444);
MODULE_PARM_DESC(checks, "page accesses checked");

static unsigned int live_partitions;
module_param(live_partitions, uint, 0444);
static unsigned int sessions;
module_param(sessions, uint, 0444);
static unsigned int objects;
module_param(objects, uint, 0444);
static unsigned int threads_busy;
module_param(threads_busy, uint, 0444);
static unsigned long std_calls;
module_param(std_calls, ulong, 0444);
static unsigned long rpcs;
module_param(rpcs, ulong, 0444);
static unsigned long bad_requests;
module_param(bad_requests, ulong, 0444);
static unsigned long notif_sent;
module_param(notif_sent, ulong, 0444);
static unsigned long notif_irqs;
module_param(notif_irqs, ulong, 0444);

static struct optee_model *tm_model;
/* The model keeps these handles but only passes them back to us. */
static long tm_machine_tag, tm_oracle_tag;

/* ---- what the model uses of sim/machine.h and sim/oracle.h ---- */

/* Non-secure RAM as OP-TEE would map it: any page the kernel manages. */
bool machine_is_ram(const struct machine *m, uint64_t pa)
{
	return pfn_valid(PHYS_PFN(pa));
}

bool machine_is_host_pa(const struct machine *m, uint64_t pa)
{
	return machine_is_ram(m, pa);
}

void *machine_pa_ptr(struct machine *m, uint64_t pa)
{
	if (!pfn_valid(PHYS_PFN(pa)))
		return NULL;
	return page_address(pfn_to_page(PHYS_PFN(pa))) + offset_in_page(pa);
}

/*
 * Invariant 1, as far as the kernel can tell without the mediator's
 * bookkeeping: a free page, or user memory that is not pinned, must
 * never reach the secure world.
 */
static bool tm_page_ok(uint64_t pa)
{
	struct page *page;

	if (!pfn_valid(PHYS_PFN(pa)))
		return false;
	page = pfn_to_page(PHYS_PFN(pa));
	if (!page_count(page))
		return false;
	if (page_mapped(page) && !folio_maybe_dma_pinned(page_folio(page)))
		return false;
	return true;
}

bool oracle_sw_access(struct oracle *o, uint16_t vm_id, uint64_t pa,
		      uint64_t len, const char *what)
{
	uint64_t p, end = pa + (len ? len : 1);

	for (p = pa & PAGE_MASK; p < end; p += PAGE_SIZE) {
		WRITE_ONCE(checks, checks + 1);
		if (!tm_page_ok(p)) {
			WRITE_ONCE(violations, violations + 1);
			pr_err_ratelimited("client %u: %s at a page neither pinned nor kernel-owned (pfn %#llx)\n",
					   vm_id, what, p >> PAGE_SHIFT);
			return false;
		}
	}
	return true;
}

/* ---- the backend ---- */

static struct teemed_smc_backend tm_model_backend;

static void tm_model_smc(void *ctx, u64 a[8])
{
	struct optee_model_stats st;
	struct teemed_regs regs;

	memcpy(regs.a, a, sizeof(regs.a));
	optee_model_smc(ctx, &regs);
	memcpy(a, regs.a, 4 * sizeof(a[0]));
	/* A TA sent a VM a value: OP-TEE's interrupt, after this SMC. */
	if (optee_model_take_irq(ctx))
		teemed_backend_notif_raised(&tm_model_backend);

	optee_model_get_stats(ctx, &st);
	WRITE_ONCE(live_partitions, st.partitions);
	WRITE_ONCE(sessions, st.sessions);
	WRITE_ONCE(objects, st.registered);
	WRITE_ONCE(threads_busy, st.threads_busy);
	WRITE_ONCE(std_calls, st.std_calls_done);
	WRITE_ONCE(rpcs, st.rpcs);
	WRITE_ONCE(bad_requests, st.bad_requests);
	WRITE_ONCE(notif_sent, st.notif_sent);
	WRITE_ONCE(notif_irqs, st.notif_irqs);
}

static struct teemed_smc_backend tm_model_backend = {
	.owner = THIS_MODULE,
	.name = "teemed_model (OP-TEE model, test only)",
	.smc = tm_model_smc,
};

static int __init tm_model_init(void)
{
	struct optee_model_config cfg;
	int ret;

	optee_model_default_config(&cfg);
	cfg.threads = threads;
	cfg.max_partitions = partitions;
	cfg.sec_caps &= ~sec_caps_off;
	tm_model = optee_model_create((struct machine *)&tm_machine_tag,
				      (struct oracle *)&tm_oracle_tag, &cfg);
	if (!tm_model)
		return -ENOMEM;
	tm_model_backend.ctx = tm_model;
	ret = teemed_register_smc_backend(&tm_model_backend);
	if (ret) {
		optee_model_destroy(tm_model);
		return ret;
	}
	pr_warn("TEST ONLY: an OP-TEE model stands in for the secure world\n");
	return 0;
}

static void __exit tm_model_exit(void)
{
	teemed_unregister_smc_backend(&tm_model_backend);
	optee_model_destroy(tm_model);
}

module_init(tm_model_init);
module_exit(tm_model_exit);

MODULE_DESCRIPTION("teemed test only: OP-TEE model as the secure world");
MODULE_LICENSE("Dual BSD/GPL");
