/*
 * The system console.  Output goes to the registered console device (the
 * early one, e.g. SBI, until a real UART driver attaches).  Input typed on
 * the device is handed by its receive interrupt to cons_rx_input, which
 * gives it to the console's terminal (tty.h): /dev/console and
 * /dev/ttyS0 are that terminal.
 *
 * Locking: cons_lock serializes output so printf lines and the
 * terminal's output do not interleave within a line.  After a panic,
 * output takes no locks.
 */
#ifndef _KERN_CONS_H_
#define _KERN_CONS_H_

#include <kern/types.h>

struct consdev {
	const char	*cn_name;
	void		(*cn_putc)(void *arg, int c);
	int		(*cn_getc)(void *arg);	/* polled; -1 when none */
	void		*cn_arg;
};

void cons_register(const struct consdev *cd);
const char *cons_name(void);
void cons_write(const char *buf, size_t len);	/* whole buffer, under the lock; \n as \r\n */
void cons_putc_unlocked(int c);			/* panic path */
void cons_rx_input(int c);			/* interrupt handlers: a received byte */
void cons_enter_panic(void);
/* The console's terminal (its line discipline, settings and job control). */
struct tty;
struct tty *cons_tty(void);

#endif
