// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * teemed.ko's trace events: the core's trace callback, decoded by
 * libteemed_trace (trace/, compiled into the module) into the line
 * `teemed-sim run --trace` prints, recorded by the teemed_event
 * tracepoint (teemed_events.h).
 *
 * The callback is in the platform table only while the tracepoint is
 * enabled (its reg/unreg functions), so with tracing off the core tests
 * one NULL pointer per event and builds none.
 *
 * The core does not know vCPUs; the VMM names the trapping vCPU in each
 * TEEMED_VM_SMC (TEEMED_SMC_VCPU). While tracing, each SMC in flight is
 * listed on its VM with the task serving it, and an event the core
 * raises from that task gets that vCPU.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "teemed_linux.h"

#define CREATE_TRACE_POINTS
#include "teemed_events.h"

static bool trace_pa;
module_param(trace_pa, bool, 0644);
MODULE_PARM_DESC(trace_pa, "trace events show host physical addresses (default: hidden)");

/*
 * One line per CPU, written and recorded with preemption off. Longer
 * lines are cut, ending in "..." (a whole message of 6 parameters takes
 * well under 1 KiB).
 */
#define TM_TRACE_LINE 2048
static char __percpu *tm_lines;

static u32 tm_trace_vcpu(struct tm_vm *vm)
{
	struct tm_smc_caller *c;
	u32 vcpu = TEEMED_TRACE_NO_VCPU;

	spin_lock(&vm->callers_lock);
	list_for_each_entry(c, &vm->callers, node) {
		if (c->task == current) {
			vcpu = c->vcpu;
			break;
		}
	}
	spin_unlock(&vm->callers_lock);
	return vcpu;
}

static void tm_trace(void *ctx, void *hv_vm,
		     const struct teemed_trace_event *ev)
{
	struct teemed_trace_event named = *ev;
	unsigned int flags = READ_ONCE(trace_pa) ? TEEMED_TRACE_FMT_SHOW_PA : 0;
	char *line;

	if (!trace_teemed_event_enabled() || !tm_lines)
		return;
	if (hv_vm)
		named.vcpu = tm_trace_vcpu(hv_vm);
	line = get_cpu_ptr(tm_lines);
	teemed_trace_format(&named, line, TM_TRACE_LINE, flags);
	trace_teemed_event(&named, line);
	put_cpu_ptr(tm_lines);
}

int tm_trace_reg(void)
{
	WRITE_ONCE(tm_platform.trace, tm_trace);
	return 0;
}

void tm_trace_unreg(void)
{
	WRITE_ONCE(tm_platform.trace, NULL);
}

void tm_trace_smc_enter(struct tm_vm *vm, struct tm_smc_caller *c, u32 vcpu)
{
	c->task = current;
	c->vcpu = vcpu;
	c->listed = true;
	spin_lock(&vm->callers_lock);
	list_add(&c->node, &vm->callers);
	spin_unlock(&vm->callers_lock);
}

void tm_trace_smc_leave(struct tm_vm *vm, struct tm_smc_caller *c)
{
	if (!c->listed)
		return;
	spin_lock(&vm->callers_lock);
	list_del(&c->node);
	spin_unlock(&vm->callers_lock);
}

int tm_trace_init(void)
{
	tm_lines = __alloc_percpu(TM_TRACE_LINE, SMP_CACHE_BYTES);
	return tm_lines ? 0 : -ENOMEM;
}

void tm_trace_exit(void)
{
	free_percpu(tm_lines);
	tm_lines = NULL;
}
