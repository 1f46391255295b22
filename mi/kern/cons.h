/*
 * The system console.  Output goes to the registered console device (the
 * early one, e.g. SBI, until a real UART driver attaches).  Input typed on
 * the device is queued by its interrupt handler with cons_rx_input() and
 * read with cons_getc().
 *
 * Locking: cons_lock serializes output so printf lines do not interleave;
 * the input ring has its own lock.  After a panic, output takes no locks.
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
void cons_write(const char *buf, size_t len);	/* whole buffer, under the lock */
void cons_putc_unlocked(int c);			/* panic path */
int cons_getc(void);				/* -1 when no input is queued */
void cons_rx_input(int c);			/* interrupt handlers */
void cons_enter_panic(void);
uint64_t cons_rx_count(void);			/* characters received */
/* What the console can do now (POLL* bits), after recording the poller pw. */
struct pollwait;
int cons_poll(struct pollwait *pw);
/* What readers of the console sleep on; woken whenever input arrives. */
const void *cons_rx_wait_channel(void);

#endif
