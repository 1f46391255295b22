/*
 * 16550-compatible UARTs: the plain ns16550a (QEMU virt) and the Synopsys
 * DesignWare APB UART (JH7110), which spaces its registers reg-shift bits
 * apart and wants reg-io-width-sized accesses.  The firmware has already
 * set the line up (115200 8N1 on the VisionFive 2), so we never touch the
 * divisor or line control: we only send, receive and enable the receive
 * interrupt.
 */
#include <kern/systm.h>
#include <kern/cons.h>
#include <kern/intr.h>
#include <kern/platform.h>
#include <vm/kmem.h>
#include "uart.h"

#define UART_RBR	0	/* receive buffer (read) */
#define UART_THR	0	/* transmit holding (write) */
#define UART_IER	1	/* interrupt enable */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_LSR	5	/* line status */

#define IER_RX_AVAILABLE 0x01
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20

struct uart {
	volatile uint8_t *base;
	uint32_t	shift;
	uint32_t	width;
};

static struct uart console_uart;

static uint32_t
uart_read(struct uart *u, int reg)
{
	volatile uint8_t *a = u->base + ((uintptr_t)reg << u->shift);

	if (u->width == 4)
		return *(volatile uint32_t *)a;
	return *a;
}

static void
uart_write(struct uart *u, int reg, uint32_t v)
{
	volatile uint8_t *a = u->base + ((uintptr_t)reg << u->shift);

	if (u->width == 4)
		*(volatile uint32_t *)a = v;
	else
		*a = (uint8_t)v;
}

static void
uart_putc(void *arg, int c)
{
	struct uart *u = arg;

	while ((uart_read(u, UART_LSR) & LSR_THR_EMPTY) == 0)
		;
	uart_write(u, UART_THR, (uint32_t)c);
}

static int
uart_getc(void *arg)
{
	struct uart *u = arg;

	if ((uart_read(u, UART_LSR) & LSR_DATA_READY) == 0)
		return -1;
	return (int)(uart_read(u, UART_RBR) & 0xff);
}

static void
uart_intr(void *arg)
{
	int c;

	while ((c = uart_getc(arg)) >= 0)
		cons_rx_input(c);
}

static const struct consdev uart_consdev = {
	.cn_name = "uart",
	.cn_putc = uart_putc,
	.cn_getc = uart_getc,
	.cn_arg = &console_uart,
};

int
uart_console_attach(const struct plat_uart *pu)
{
	struct uart *u = &console_uart;

	if (pu->kind == PLAT_UART_NONE)
		return ENODEV;
	if (pu->reg_io_width != 1 && pu->reg_io_width != 4)
		return EINVAL;
	u->base = kmem_mapdev(pu->base, MAX(pu->size, (uint64_t)8 << pu->reg_shift));
	if (u->base == NULL)
		return ENOMEM;
	u->shift = pu->reg_shift;
	u->width = pu->reg_io_width;
	cons_register(&uart_consdev);
	if (pu->irq != 0 && intr_establish(pu->irq, uart_intr, u) == 0)
		uart_write(u, UART_IER, IER_RX_AVAILABLE);
	return 0;
}
