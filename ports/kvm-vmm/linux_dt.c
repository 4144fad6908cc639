// SPDX-License-Identifier: BSD-2-Clause
/*
 * The device tree of a teemed-vmm Linux guest (docs/kvm.md shows it as
 * dtc prints it). The optee node is the one a VMM adds for teemed. It
 * has "interrupts" only when the guest is offered OP-TEE's asynchronous
 * notifications: Linux's driver needs the interrupt only with them, and
 * fails its probe if they are offered without one.
 */
#include <stdio.h>

#include "linux_fdt.h"
#include "linux_uart.h"
#include "linux_vmm.h"

#define GIC_PHANDLE 1u
/* Interrupt specifiers of arm,gic-v3: type, number, flags. */
#define GIC_SPI		0u
#define GIC_PPI		1u
#define IRQ_EDGE_RISING 1u
#define IRQ_LEVEL_HIGH	4u

static void reg(struct fdt *f, uint64_t base, uint64_t size)
{
	uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base,
			 (uint32_t)(size >> 32), (uint32_t)size};

	fdt_prop_cells(f, "reg", c, 4);
}

static void chosen(struct fdt *f, const struct linux_dt *dt,
		   const char *stdout_path)
{
	fdt_begin_node(f, "chosen");
	fdt_prop_str(f, "bootargs", dt->bootargs);
	fdt_prop_str(f, "stdout-path", stdout_path);
	if (dt->initrd_start) {
		fdt_prop_u64(f, "linux,initrd-start", dt->initrd_start);
		fdt_prop_u64(f, "linux,initrd-end", dt->initrd_end);
	}
	fdt_end_node(f);
}

static void cpus(struct fdt *f, unsigned int n)
{
	char name[16];

	fdt_begin_node(f, "cpus");
	fdt_prop_u32(f, "#address-cells", 1);
	fdt_prop_u32(f, "#size-cells", 0);
	for (unsigned int i = 0; i < n; i++) {
		/* reg: the MPIDR affinity KVM gives vCPU i (Aff0 = i). */
		snprintf(name, sizeof(name), "cpu@%u", i);
		fdt_begin_node(f, name);
		fdt_prop_str(f, "device_type", "cpu");
		fdt_prop_str(f, "compatible", "arm,arm-v8");
		fdt_prop_u32(f, "reg", i);
		fdt_prop_str(f, "enable-method", "psci");
		fdt_end_node(f);
	}
	fdt_end_node(f);
}

static void gic_and_timer(struct fdt *f, unsigned int ncpus)
{
	/* The timer's PPIs: secure, non-secure, virtual, hypervisor. */
	static const uint32_t timer_irqs[] = {
		GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
		GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
	};
	uint32_t gic_reg[8] = {
		0, (uint32_t)LINUX_GICD_BASE,
		0, 0x10000,
		0, (uint32_t)LINUX_GICR_BASE,
		0, (uint32_t)LINUX_GICR_SIZE * ncpus,
	};
	char name[32];

	snprintf(name, sizeof(name), "intc@%llx",
		 (unsigned long long)LINUX_GICD_BASE);
	fdt_begin_node(f, name);
	fdt_prop_str(f, "compatible", "arm,gic-v3");
	fdt_prop_u32(f, "#interrupt-cells", 3);
	fdt_prop_u32(f, "#address-cells", 0);
	fdt_prop_empty(f, "interrupt-controller");
	fdt_prop_cells(f, "reg", gic_reg, 8);
	fdt_prop_u32(f, "phandle", GIC_PHANDLE);
	fdt_end_node(f);

	fdt_begin_node(f, "timer");
	fdt_prop_str(f, "compatible", "arm,armv8-timer");
	fdt_prop_cells(f, "interrupts", timer_irqs,
		       sizeof(timer_irqs) / sizeof(timer_irqs[0]));
	fdt_prop_empty(f, "always-on");
	fdt_end_node(f);
}

size_t linux_dt_build(void *out, size_t cap, const struct linux_dt *dt)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	static const uint32_t uart_irq[] = {GIC_SPI, LINUX_UART_SPI,
					    IRQ_LEVEL_HIGH};
	/* teemed.ko signals it once per round of values: an edge. */
	static const uint32_t optee_notif_irq[] = {
		GIC_SPI, LINUX_OPTEE_NOTIF_SPI, IRQ_EDGE_RISING};
	struct fdt f;
	char name[32], uart[32];

	fdt_init(&f);
	snprintf(uart, sizeof(uart), "/uart@%llx",
		 (unsigned long long)LINUX_UART_BASE);

	fdt_begin_node(&f, "");
	fdt_prop_str(&f, "compatible", "linux,dummy-virt");
	fdt_prop_u32(&f, "#address-cells", 2);
	fdt_prop_u32(&f, "#size-cells", 2);
	fdt_prop_u32(&f, "interrupt-parent", GIC_PHANDLE);

	chosen(&f, dt, uart);

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)dt->ram_base);
	fdt_begin_node(&f, name);
	fdt_prop_str(&f, "device_type", "memory");
	reg(&f, dt->ram_base, dt->ram_size);
	fdt_end_node(&f);

	cpus(&f, dt->cpus);

	fdt_begin_node(&f, "psci");
	fdt_prop_strs(&f, "compatible", psci_compat, sizeof(psci_compat));
	fdt_prop_str(&f, "method", "hvc");
	fdt_end_node(&f);

	gic_and_timer(&f, dt->cpus);

	fdt_begin_node(&f, uart + 1);
	fdt_prop_str(&f, "compatible", "ns16550a");
	reg(&f, LINUX_UART_BASE, UART_MMIO_SIZE);
	fdt_prop_u32(&f, "clock-frequency", UART_CLOCK_HZ);
	fdt_prop_cells(&f, "interrupts", uart_irq, 3);
	fdt_end_node(&f);

	fdt_begin_node(&f, "firmware");
	fdt_begin_node(&f, "optee");
	fdt_prop_str(&f, "compatible", "linaro,optee-tz");
	fdt_prop_str(&f, "method", "smc");
	if (dt->optee_notif)
		fdt_prop_cells(&f, "interrupts", optee_notif_irq, 3);
	fdt_end_node(&f);
	fdt_end_node(&f);

	fdt_end_node(&f);
	return fdt_finish(&f, out, cap);
}
