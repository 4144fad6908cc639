/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry of the test guests: the VMM starts every vCPU here at EL1 with
 * x0 = mode and x1 = an argument. Each vCPU takes the stack of its index
 * (MPIDR_EL1.Aff0, kept in TPIDR_EL1 for rt_cpu()), runs guest_main(),
 * then powers off through PSCI. Guest RAM starts zeroed (fresh VMM
 * memory holding only the image), so .bss needs no clearing, and no vCPU
 * could clear it without racing the others.
 */
	.section .text.start, "ax"
	.global _start
_start:
	mrs	x9, mpidr_el1
	and	x9, x9, #0xff
	msr	tpidr_el1, x9
	ldr	x10, =__stack_top
	sub	x10, x10, x9, lsl #14	/* 16 KiB of stack per vCPU */
	mov	sp, x10
	bl	guest_main
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	hvc	#0
1:	wfi
	b	1b
