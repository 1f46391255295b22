/*
 * Terminals: the line discipline between a character device (the
 * console UART) and the processes that read and write it, with Linux's
 * termios semantics (after Linux's n_tty.c and tty_jobctrl.c, and
 * FreeBSD's tty_ttydisc.c).
 *
 * Input.  The device's receive interrupt hands each byte to tty_input,
 * which does the input processing at once: ICRNL/INLCR/IGNCR/ISTRIP;
 * with ISIG, the INTR, QUIT and SUSP characters flush the queue (unless
 * NOFLSH) and signal the foreground process group; with ICANON, line
 * editing (ERASE -- DEL, and ^H as BSD's VERASE2 --, KILL, WERASE,
 * REPRINT, LNEXT, EOF, the EOL characters); with ECHO, echoing (control
 * characters as ^X with ECHOCTL, visual erase with ECHOE and ECHOKE).
 * Bytes wait in one ring (t_inq): [t_tail, t_canon) is readable,
 * [t_canon, t_head) the line being edited.  In canonical mode t_canon
 * ends the last complete line; otherwise it follows t_head.  A per-byte
 * flag marks line ends and the EOF marker (which ends a line and is not
 * data).
 *
 * Reading (tty_read): canonical mode returns at most one line (a line
 * longer than the buffer comes in pieces; an EOF at the start of a line
 * reads as end of file); otherwise VMIN and VTIME decide, as Linux's:
 * MIN > 0, TIME = 0 waits for MIN bytes (or as many as asked for); MIN =
 * 0, TIME > 0 waits up to TIME tenths of a second for the first byte;
 * both > 0 waits for the first byte, then for MIN with TIME as an
 * inter-byte timer; both 0 never waits.  One reader at a time (t_state
 * TS_READING), so a line is never split between readers.
 *
 * Output (tty_write and echoes): OPOST with ONLCR, OCRNL, ONOCR and
 * ONLRET, tracking the column so that erasing a tab erases its width.
 * Output is written to the device synchronously (it has no queue).
 *
 * Job control (the terminal's side of kern_jobctl.c): a terminal is the
 * controlling terminal of at most one session (t_session) and has a
 * foreground process group in it (t_pgrp); each process knows its
 * controlling terminal (p_tty).  A session leader without one acquires
 * the terminal by opening it (tty_open, unless O_NOCTTY or the console
 * device, as Linux's /dev/console) or with TIOCSCTTY; TIOCNOTTY and the
 * leader's exit give it up (the foreground group gets SIGHUP).  A
 * background process that reads its controlling terminal gets SIGTTIN
 * for its group (EIO if it ignores or blocks SIGTTIN or its group is
 * orphaned); one that writes with TOSTOP set, or changes the settings or
 * the foreground group, gets SIGTTOU (unless it ignores or blocks it).
 *
 * The settings: TCGETS reports what the terminal does.  Flags it does
 * not implement are dropped from what TCSETS asks for (IXON among them:
 * no output flow control); the line settings (c_cflag) are the device's
 * and do not change.
 *
 * Locking:
 *   (t) t_lock, a spin lock taken by the receive interrupt: input, the
 *       queue, the settings and the output column.  Echoes and writes go
 *       to the device under it, so they do not interleave.
 *   (P+t) written holding proc_lock and t_lock, read holding either.
 *   (C) constant after tty_init.
 * Order: proc_lock, then t_lock, then the device's output lock.  Input
 * processing signals the foreground group after dropping t_lock.
 */
#ifndef _KERN_TTY_H_
#define _KERN_TTY_H_

#include <kern/types.h>
#include <kern/poll.h>
#include <kern/spinlock.h>
#include <uapi/termios.h>

#define TTY_INQ_SIZE	4096		/* input ring bytes (Linux's N_TTY_BUF_SIZE); a power of two */

struct uio;

struct tty {
	struct spinlock	t_lock;
	const char	*t_name;		/* (C) */
	/* Send len bytes to the device, as they are.  (t) held. */
	void		(*t_output)(struct tty *tp, const char *buf, size_t len);	/* (C) */
	/*
	 * Wait for input (a wakeup on t_inq), until cpu uptime deadline_ns
	 * (0: none) or a signal: 0, ETIMEDOUT or EINTR.  Called and returns
	 * with t_lock held, dropping it meanwhile.  tty_init's waits for
	 * real; a self-test may script it.
	 */
	int		(*t_sleep)(struct tty *tp, uint64_t deadline_ns);	/* (C) */
	void		*t_softc;		/* (C) the device's or the test's own */
	struct termios	t_termios;		/* (t) */
	struct winsize	t_winsize;		/* (t) */
	uint8_t		t_inq[TTY_INQ_SIZE];	/* (t) the input ring */
	uint8_t		t_inflags[TTY_INQ_SIZE];	/* (t) TQ_* for each byte of it */
	uint64_t	t_head;			/* (t) bytes ever queued */
	uint64_t	t_canon;		/* (t) end of what a reader may take */
	uint64_t	t_tail;			/* (t) bytes ever read */
	uint32_t	t_column;		/* (t) output column */
	uint32_t	t_line_column;		/* (t) column the line being edited began at */
	uint32_t	t_state;		/* (t) TS_* */
	int		t_pgrp;			/* (P+t) foreground process group, 0: none */
	int		t_session;		/* (P+t) session it controls, 0: none */
	uint64_t	t_rx_bytes;		/* (t) bytes received */
	struct selinfo	t_sel;			/* pollers */
};

/* t_inflags */
#define TQ_EOL		0x1		/* ends a line */
#define TQ_EOF		0x2		/* the EOF marker: ends a line, is not data */

/* t_state */
#define TS_LNEXT	0x1		/* the next byte is taken literally (^V) */
#define TS_READING	0x2		/* a reader holds the read lock */
#define TS_READWANT	0x4		/* another reader waits for it */

/*
 * Make tp a terminal with Linux's default settings (a serial console's:
 * 115200 baud, 8 bits), writing to the device through output.
 */
void tty_init(struct tty *tp, const char *name,
    void (*output)(struct tty *, const char *, size_t), void *softc);

/* A byte from the device (its receive interrupt, or a test). */
void tty_input(struct tty *tp, int c);

/* The file side (devfs).  Bytes or -errno, as vop_read and vop_write. */
ssize_t tty_read(struct tty *tp, struct uio *uio);
ssize_t tty_write(struct tty *tp, struct uio *uio);
int tty_ioctl(struct tty *tp, unsigned long cmd, void *uarg);
int tty_poll(struct tty *tp, int events, struct pollwait *pw);
/*
 * An open of tp with open(2) flags: a session leader without a
 * controlling terminal acquires tp if may_acquire (not the console
 * device) and not O_NOCTTY, and tp controls no session.  0.
 */
int tty_open(struct tty *tp, int oflags, bool may_acquire);
/* The calling process's controlling terminal, or NULL (/dev/tty). */
struct tty *tty_controlling(void);

/*
 * The session leader p exits (proc_lock held): its controlling terminal
 * is given up, the foreground group getting SIGHUP.
 */
struct proc;
void tty_session_exit(struct proc *p);

#endif
