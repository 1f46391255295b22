/*
 * The system console (see cons.h).
 */
#include <kern/systm.h>
#include <kern/cons.h>
#include <kern/poll.h>
#include <kern/sched.h>
#include <kern/spinlock.h>

#define RX_RING_SIZE	256

static const struct consdev *console;
static struct spinlock cons_lock = SPINLOCK_INITIALIZER("console");
static bool panicking;

static struct spinlock rx_lock = SPINLOCK_INITIALIZER("console rx");
static uint8_t rx_ring[RX_RING_SIZE];	/* (rx_lock) */
static unsigned rx_head, rx_tail;	/* (rx_lock) */
static uint64_t rx_count;		/* (rx_lock) */
static struct selinfo rx_sel = {	/* pollers of the console */
	.si_lock = SPINLOCK_INITIALIZER("console poll"),
	.si_records = LIST_HEAD_INIT(rx_sel.si_records),
};

void
cons_register(const struct consdev *cd)
{
	spin_lock(&cons_lock);
	console = cd;
	spin_unlock(&cons_lock);
}

const char *
cons_name(void)
{
	return console ? console->cn_name : "none";
}

void
cons_putc_unlocked(int c)
{
	if (console == NULL)
		return;
	if (c == '\n')
		console->cn_putc(console->cn_arg, '\r');
	console->cn_putc(console->cn_arg, c);
}

void
cons_write(const char *buf, size_t len)
{
	if (panicking) {
		for (size_t i = 0; i < len; i++)
			cons_putc_unlocked(buf[i]);
		return;
	}
	spin_lock(&cons_lock);
	for (size_t i = 0; i < len; i++)
		cons_putc_unlocked(buf[i]);
	spin_unlock(&cons_lock);
}

void
cons_enter_panic(void)
{
	panicking = true;
}

void
cons_rx_input(int c)
{
	spin_lock(&rx_lock);
	rx_count++;
	if (rx_head - rx_tail < RX_RING_SIZE)
		rx_ring[rx_head++ % RX_RING_SIZE] = (uint8_t)c;
	spin_unlock(&rx_lock);
	wakeup(rx_ring);
	selwakeup(&rx_sel);
}

int
cons_poll(struct pollwait *pw)
{
	int revents = POLLOUT | POLLWRNORM;

	selrecord(pw, &rx_sel);
	spin_lock(&rx_lock);
	if (rx_tail != rx_head)
		revents |= POLLIN | POLLRDNORM;
	spin_unlock(&rx_lock);
	return revents;
}

const void *
cons_rx_wait_channel(void)
{
	return rx_ring;
}

int
cons_getc(void)
{
	int c = -1;

	spin_lock(&rx_lock);
	if (rx_tail != rx_head)
		c = rx_ring[rx_tail++ % RX_RING_SIZE];
	spin_unlock(&rx_lock);
	return c;
}

uint64_t
cons_rx_count(void)
{
	uint64_t n;

	spin_lock(&rx_lock);
	n = rx_count;
	spin_unlock(&rx_lock);
	return n;
}
