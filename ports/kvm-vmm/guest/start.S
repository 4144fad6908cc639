/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry of the test guests: the VMM starts the vCPU here at EL1 with
 * x0 = mode and x1 = an argument. Set the stack, clear .bss, run
 * guest_main(), then power off through PSCI.
 */
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x9, =__stack_top
	mov	sp, x9
	mov	x19, x0
	mov	x20, x1
	ldr	x9, =__bss_start
	ldr	x10, =__bss_end
1:	cmp	x9, x10
	b.hs	2f
	str	xzr, [x9], #8
	b	1b
2:	mov	x0, x19
	mov	x1, x20
	bl	guest_main
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	hvc	#0
3:	wfi
	b	3b
