/*
 * 16550-compatible UARTs: the plain ns16550a (QEMU virt) and the Synopsys
 * DesignWare APB UART (JH7110), which spaces its registers reg-shift bits
 * apart and wants reg-io-width-sized accesses.  The firmware has already
 * set the line up (115200 8N1 on the VisionFive 2), so we never touch the
 * divisor or line control: we only send, receive and enable the receive
 * interrupt.
 *
 * Only the console is driven: the UART /chosen/stdout-path names (the
 * device layer offers it first), else the first one that attaches.
 */
#include <kern/systm.h>
#include <kern/cons.h>
#include <kern/device.h>
#include <vm/kmem.h>

#define UART_RBR	0	/* receive buffer (read) */
#define UART_THR	0	/* transmit holding (write) */
#define UART_IER	1	/* interrupt enable */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_LSR	5	/* line status */
#define UART_NREGS	8
#define UART_MAX_REG_SHIFT 3

#define IER_RX_AVAILABLE 0x01
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20

struct uart {
	volatile uint8_t *base;		/* NULL until attached */
	uint32_t	shift;		/* reg-shift */
	uint32_t	width;		/* reg-io-width: 1, 2 or 4 bytes */
};

static struct uart console_uart;	/* (C) after attach */

static uint32_t
uart_read(struct uart *u, int reg)
{
	volatile uint8_t *a = u->base + ((uintptr_t)reg << u->shift);

	if (u->width == 4)
		return *(volatile uint32_t *)a;
	if (u->width == 2)
		return *(volatile uint16_t *)a;
	return *a;
}

static void
uart_write(struct uart *u, int reg, uint32_t v)
{
	volatile uint8_t *a = u->base + ((uintptr_t)reg << u->shift);

	if (u->width == 4)
		*(volatile uint32_t *)a = v;
	else if (u->width == 2)
		*(volatile uint16_t *)a = (uint16_t)v;
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

/* Make dev the console, unless a UART already is (ENXIO). */
static int
uart_attach(struct device *dev)
{
	struct uart *u = &console_uart;
	uint32_t shift, width;

	if (u->base != NULL)
		return ENXIO;
	shift = fdt_getprop_u32(dev->dv_fdt, dev->dv_node, "reg-shift", 0);
	width = fdt_getprop_u32(dev->dv_fdt, dev->dv_node, "reg-io-width", 1);
	if (dev->dv_nreg == 0 || shift > UART_MAX_REG_SHIFT ||
	    (width != 1 && width != 2 && width != 4))
		return EINVAL;
	u->base = kmem_mapdev(dev->dv_reg[0].base,
	    MAX(dev->dv_reg[0].size, (uint64_t)UART_NREGS << shift));
	if (u->base == NULL)
		return ENOMEM;
	u->shift = shift;
	u->width = width;
	cons_register(&uart_consdev);
	if (device_setup_intr(dev, 0, uart_intr, u) == 0)
		uart_write(u, UART_IER, IER_RX_AVAILABLE);
	return 0;
}

/* The JH7110's DesignWare APB UART, QEMU's ns16550a, other 16550s. */
static const char *const uart_compat[] = { "snps,dw-apb-uart", "ns16550a", "ns16550", NULL };
DRIVER(uart, uart_compat, DRIVER_PASS_SYSTEM, uart_attach);
