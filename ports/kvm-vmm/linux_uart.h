/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An output-only 16550A UART for a Linux guest's console, emulated on
 * MMIO exits: characters written to THR become lines on stdout prefixed
 * with the guest's name; the transmitter always reads empty and nothing
 * is ever received. Its one interrupt, "transmitter empty", is a level
 * that is high exactly while the driver enables it (IER): the VMM
 * drives the guest's interrupt line from `set_irq`.
 */
#ifndef TEEMED_LINUX_UART_H
#define TEEMED_LINUX_UART_H

#include <stdint.h>

#define UART_MMIO_SIZE 0x1000u
#define UART_CLOCK_HZ  1843200u

struct uart {
	const char *name;
	void (*set_irq)(void *ctx, int level); /* may be NULL: polled */
	void *ctx;
	int irq_level;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	char line[512];
	unsigned int line_len;
};

/* Access of `len` bytes at offset `off`: reads fill *val. */
void uart_mmio(struct uart *u, uint64_t off, int is_write, uint8_t *data,
	       uint32_t len);
/*
 * Prints what is left of the current line: when the guest stops. The
 * VMM's own notes while it runs leave a partial line alone, so another
 * vCPU's half-written line is never split.
 */
void uart_flush(struct uart *u);

#endif /* TEEMED_LINUX_UART_H */
