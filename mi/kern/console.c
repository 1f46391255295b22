/*
 * The system console (see cons.h).
 */
#include <kern/systm.h>
#include <kern/cons.h>
#include <kern/spinlock.h>
#include <kern/tty.h>

static const struct consdev *console;
static struct spinlock cons_lock = SPINLOCK_INITIALIZER("console");
static bool panicking;
static bool cons_tty_ready;		/* (cons_lock) console_tty is initialised */
static struct tty console_tty;

/* The terminal's output: its bytes as they are (it did the output processing). */
static void
cons_tty_output(struct tty *tp __unused, const char *buf, size_t len)
{
	spin_lock(&cons_lock);
	for (size_t i = 0; i < len && console != NULL; i++)
		console->cn_putc(console->cn_arg, (uint8_t)buf[i]);
	spin_unlock(&cons_lock);
}

void
cons_register(const struct consdev *cd)
{
	bool first;

	spin_lock(&cons_lock);
	console = cd;
	first = !cons_tty_ready;
	cons_tty_ready = true;
	spin_unlock(&cons_lock);
	/* Before any driver's receive interrupt can hand it a byte. */
	if (first)
		tty_init(&console_tty, "console tty", cons_tty_output, NULL);
}

const char *
cons_name(void)
{
	return console ? console->cn_name : "none";
}

struct tty *
cons_tty(void)
{
	return &console_tty;
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
	tty_input(&console_tty, c);
}
