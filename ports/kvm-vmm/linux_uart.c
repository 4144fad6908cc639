// SPDX-License-Identifier: BSD-2-Clause
/* The 16550A console of linux_uart.h (register offsets with reg-shift 0). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "linux_uart.h"

enum {
	UART_RBR_THR_DLL = 0,
	UART_IER_DLM = 1,
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

#define LCR_DLAB	0x80u
#define FCR_FIFO_ON	0x01u
#define IER_THRI	0x02u
#define IIR_NO_INT	0x01u
#define IIR_THRI	0x02u
#define IIR_FIFOS	0xc0u
#define LSR_THRE_TEMT	0x60u /* transmitter empty, always */
#define MSR_DCD_DSR_CTS 0xb0u /* a modem that is always ready */
#define MCR_LOOP	0x10u

void uart_flush(struct uart *u)
{
	if (!u->line_len)
		return;
	u->line[u->line_len] = 0;
	printf("[%s] %s\n", u->name, u->line);
	fflush(stdout);
	u->line_len = 0;
}

static void putc_line(struct uart *u, char c)
{
	if (c == '\r')
		return;
	if (c == '\n' || u->line_len == sizeof(u->line) - 1) {
		uart_flush(u);
		if (c == '\n')
			return;
	}
	u->line[u->line_len++] = c;
}

/* THR is always empty: the interrupt is pending while it is enabled. */
static void update_irq(struct uart *u)
{
	int level = (u->ier & IER_THRI) != 0;

	if (u->set_irq && level != u->irq_level) {
		u->irq_level = level;
		u->set_irq(u->ctx, level);
	}
}

static uint8_t uart_read(struct uart *u, uint64_t reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR_DLL:
		return dlab ? u->dll : 0; /* nothing is ever received */
	case UART_IER_DLM:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		/*
		 * The transmitter is always empty: while the driver wants
		 * to hear of it (IER), "THR empty" is pending.
		 */
		return ((u->ier & IER_THRI) ? IIR_THRI : IIR_NO_INT) |
		       ((u->fcr & FCR_FIFO_ON) ? IIR_FIFOS : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE_TEMT;
	case UART_MSR:
		/* In loopback, the modem lines follow MCR, as on hardware. */
		if (u->mcr & MCR_LOOP)
			return (uint8_t)((u->mcr & 0x0c) << 4 |
					 (u->mcr & 0x01) << 5 |
					 (u->mcr & 0x02) << 3);
		return MSR_DCD_DSR_CTS;
	case UART_SCR:
		return u->scr;
	default:
		return 0;
	}
}

static void uart_write(struct uart *u, uint64_t reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR_DLL:
		if (dlab)
			u->dll = v;
		else if (!(u->mcr & MCR_LOOP))
			putc_line(u, (char)v);
		break;
	case UART_IER_DLM:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		update_irq(u);
		break;
	case UART_IIR_FCR:
		u->fcr = v;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

void uart_mmio(struct uart *u, uint64_t off, int is_write, uint8_t *data,
	       uint32_t len)
{
	if (!len || off >= 8) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (is_write) {
		uart_write(u, off, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = uart_read(u, off);
	}
}
