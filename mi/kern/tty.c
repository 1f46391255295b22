/*
 * Terminals: the line discipline and the terminal's side of job control
 * (see tty.h).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <kern/tty.h>
#include <kern/uio.h>
#include <uapi/fcntl.h>
#include <uapi/ioctl.h>

#define TTY_CHUNK	128		/* bytes moved between the ring and memory per lock hold */
#define TTY_OUTBUF	64		/* output bytes gathered before going to the device */
#define INQ_MASK	(TTY_INQ_SIZE - 1)
#define CTRL(c)		((c) & 0x1f)
#define DEL		0x7f
#define VDISABLE	0		/* a special character set to this is off (_POSIX_VDISABLE) */
#define VERASE2_CHAR	CTRL('H')	/* erases too in canonical mode, as FreeBSD's VERASE2 */
#define NS_PER_VTIME	100000000UL	/* VTIME counts tenths of a second */

_Static_assert((TTY_INQ_SIZE & INQ_MASK) == 0, "TTY_INQ_SIZE must be a power of two");

/* What TCSETS keeps: the flags the line discipline implements. */
#define TTY_IFLAGS	(ISTRIP | INLCR | IGNCR | ICRNL | IUTF8)
#define TTY_OFLAGS	(OPOST | ONLCR | OCRNL | ONOCR | ONLRET)
#define TTY_LFLAGS	(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | NOFLSH | TOSTOP | \
	ECHOCTL | ECHOKE | IEXTEN)
/* The line: what the firmware set up (115200 8N1), no modem control. */
#define TTY_CFLAGS	(B115200 | CS8 | CREAD | CLOCAL)

/* Linux's defaults: ^C ^\ DEL ^U ^D, TIME 0, MIN 1, ^Q ^S ^Z, ^R ^O ^W ^V. */
static const uint8_t tty_default_cc[NCCS] = {
	[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'), [VERASE] = DEL, [VKILL] = CTRL('U'),
	[VEOF] = CTRL('D'), [VTIME] = 0, [VMIN] = 1, [VSTART] = CTRL('Q'),
	[VSTOP] = CTRL('S'), [VSUSP] = CTRL('Z'), [VREPRINT] = CTRL('R'),
	[VDISCARD] = CTRL('O'), [VWERASE] = CTRL('W'), [VLNEXT] = CTRL('V'),
};

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

/* Output gathered under t_lock, sent to the device in pieces. */
struct ttyout {
	size_t	n;
	char	buf[TTY_OUTBUF];
};

static int tty_sleep_wait(struct tty *tp, uint64_t deadline_ns);

static inline bool
is_cntrl(int c)
{
	return c < 0x20 || c == DEL;
}

static inline bool
is_word_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '_';
}

static inline bool
lflag(const struct tty *tp, uint32_t f)
{
	return (tp->t_termios.c_lflag & f) != 0;
}

/* Is c the special character idx (which may be off)? */
static inline bool
is_cc(const struct tty *tp, int c, int idx)
{
	uint8_t v = tp->t_termios.c_cc[idx];

	return v != VDISABLE && c == v;
}

/* A UTF-8 continuation byte, with IUTF8: part of the character before it. */
static inline bool
is_continuation(const struct tty *tp, int c)
{
	return (tp->t_termios.c_iflag & IUTF8) && (c & 0xc0) == 0x80;
}

void
tty_init(struct tty *tp, const char *name, void (*output)(struct tty *, const char *, size_t),
    void *softc)
{
	memset(tp, 0, sizeof(*tp));
	spin_init(&tp->t_lock, name);
	selinfo_init(&tp->t_sel, name);
	tp->t_name = name;
	tp->t_output = output;
	tp->t_sleep = tty_sleep_wait;
	tp->t_softc = softc;
	tp->t_termios.c_iflag = ICRNL;
	tp->t_termios.c_oflag = OPOST | ONLCR;
	tp->t_termios.c_cflag = TTY_CFLAGS;
	tp->t_termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(tp->t_termios.c_cc, tty_default_cc, sizeof(tty_default_cc));
	/* The window size is unknown until someone sets it (0 x 0, as Linux's serial ports). */
}

/*
 * Output (t_lock held).
 */

static void
out_flush(struct tty *tp, struct ttyout *o)
{
	if (o->n > 0)
		tp->t_output(tp, o->buf, o->n);
	o->n = 0;
}

static void
out_raw(struct tty *tp, struct ttyout *o, int c)
{
	if (o->n == sizeof(o->buf))
		out_flush(tp, o);
	o->buf[o->n++] = (char)c;
}

/* The column after c is shown at column col. */
static uint32_t
column_after(const struct tty *tp, uint32_t col, int c)
{
	if (c == '\t')
		return (col | 7) + 1;
	if (c == '\b')
		return col > 0 ? col - 1 : 0;
	if (c == '\r')
		return 0;
	if (is_cntrl(c) || is_continuation(tp, c))
		return col;
	return col + 1;
}

/* One byte of output through OPOST, keeping the column. */
static void
out_char(struct tty *tp, struct ttyout *o, int c)
{
	uint32_t of = tp->t_termios.c_oflag;

	if (of & OPOST) {
		if (c == '\n' && (of & ONLCR)) {
			out_raw(tp, o, '\r');
			tp->t_column = 0;
		} else if (c == '\n' && (of & ONLRET)) {
			tp->t_column = 0;
		} else if (c == '\r' && (of & ONOCR) && tp->t_column == 0) {
			return;
		} else if (c == '\r' && (of & OCRNL)) {
			c = '\n';
			if (of & ONLRET)
				tp->t_column = 0;
		}
	}
	if (c != '\n')
		tp->t_column = column_after(tp, tp->t_column, c);
	out_raw(tp, o, c);
}

/* How a typed byte is echoed: a control character as ^X with ECHOCTL. */
static void
echo_char(struct tty *tp, struct ttyout *o, int c)
{
	if (c != '\t' && c != '\n' && is_cntrl(c) && lflag(tp, ECHOCTL)) {
		out_char(tp, o, '^');
		out_char(tp, o, c ^ 0x40);
	} else {
		out_char(tp, o, c);
	}
}

/* Columns the echo of c took at col (0 for a control character echoed as itself). */
static uint32_t
echo_width(const struct tty *tp, uint32_t col, int c)
{
	if (c == '\t')
		return column_after(tp, col, c) - col;
	if (is_cntrl(c))
		return lflag(tp, ECHOCTL) ? 2 : 0;
	return is_continuation(tp, c) ? 0 : 1;
}

/*
 * Input (t_lock held).
 */

static inline uint64_t
inq_used(const struct tty *tp)
{
	return tp->t_head - tp->t_tail;
}

static inline int
inq_byte(const struct tty *tp, uint64_t pos)
{
	return tp->t_inq[pos & INQ_MASK];
}

static void
inq_put(struct tty *tp, int c, uint8_t flags)
{
	tp->t_inq[tp->t_head & INQ_MASK] = (uint8_t)c;
	tp->t_inflags[tp->t_head & INQ_MASK] = flags;
	tp->t_head++;
}

static void
flush_input(struct tty *tp)
{
	tp->t_head = tp->t_canon = tp->t_tail;
	tp->t_state &= ~TS_LNEXT;
}

/* The column the byte at pos of the line being edited was echoed at. */
static uint32_t
line_column_at(const struct tty *tp, uint64_t pos)
{
	uint32_t col = tp->t_line_column;

	for (uint64_t i = tp->t_canon; i < pos; i++)
		col += echo_width(tp, col, inq_byte(tp, i));
	return col;
}

/* Take the last character (with its continuation bytes) off the line being edited, showing it. */
static void
erase_last(struct tty *tp, struct ttyout *o, int c, uint64_t pos, enum erase_kind kind)
{
	uint32_t width;

	tp->t_head = pos;
	if (!lflag(tp, ECHO))
		return;
	if (kind == ERASE_CHAR && !lflag(tp, ECHOE)) {
		echo_char(tp, o, tp->t_termios.c_cc[VERASE]);
		return;
	}
	width = c == '\t' ? tp->t_column - MIN(tp->t_column, line_column_at(tp, pos)) :
	    echo_width(tp, tp->t_column, c);
	for (uint32_t i = 0; i < width; i++) {
		out_char(tp, o, '\b');
		if (c != '\t') {
			out_char(tp, o, ' ');
			out_char(tp, o, '\b');
		}
	}
}

/*
 * ERASE, WERASE and KILL: a character, a word (what follows the last
 * letter, digit or underscore after non-word characters, as Linux's),
 * or the whole line being edited.
 */
static void
erase(struct tty *tp, struct ttyout *o, enum erase_kind kind)
{
	uint32_t lf = tp->t_termios.c_lflag;
	int seen_word = 0;

	if (tp->t_head == tp->t_canon)
		return;
	if (kind == ERASE_LINE && (!(lf & ECHO) || !(lf & ECHOK) || !(lf & ECHOKE) ||
	    !(lf & ECHOE))) {
		/* Not erased on the screen: the kill character, and a newline with ECHOK. */
		tp->t_head = tp->t_canon;
		if (lf & ECHO) {
			echo_char(tp, o, tp->t_termios.c_cc[VKILL]);
			if (lf & ECHOK)
				out_char(tp, o, '\n');
		}
		return;
	}
	while (tp->t_head != tp->t_canon) {
		uint64_t pos = tp->t_head;
		int c;

		do {
			c = inq_byte(tp, --pos);
		} while (is_continuation(tp, c) && pos != tp->t_canon);
		if (kind == ERASE_WORD) {
			if (is_word_char(c))
				seen_word++;
			else if (seen_word)
				break;
		}
		erase_last(tp, o, c, pos, kind);
		if (kind == ERASE_CHAR)
			break;
	}
}

/* REPRINT: the line being edited again, on a line of its own. */
static void
reprint(struct tty *tp, struct ttyout *o, int c)
{
	if (!lflag(tp, ECHO))
		return;
	echo_char(tp, o, c);
	out_char(tp, o, '\n');
	tp->t_line_column = tp->t_column;
	for (uint64_t i = tp->t_canon; i < tp->t_head; i++)
		echo_char(tp, o, inq_byte(tp, i));
}

/*
 * Queue an ordinary byte (or, with line_end, one that ends the line).
 * Canonical mode keeps the last byte of room for the end of the line;
 * bytes that do not fit are dropped, as Linux drops them.
 */
static void
queue_byte(struct tty *tp, struct ttyout *o, int c, uint8_t flags)
{
	bool canon = lflag(tp, ICANON);

	if (inq_used(tp) >= (uint64_t)TTY_INQ_SIZE - (canon && flags == 0 ? 1 : 0))
		return;
	if (canon && tp->t_head == tp->t_canon)
		tp->t_line_column = tp->t_column;
	if (!(flags & TQ_EOF))
		inq_put(tp, c, flags);
	else
		inq_put(tp, 0, flags);
	if (!canon || flags != 0)
		tp->t_canon = tp->t_head;
	if (flags & TQ_EOF)
		return;		/* EOF is not echoed */
	if (lflag(tp, ECHO) || (c == '\n' && lflag(tp, ECHONL)))
		echo_char(tp, o, c);
}

/* The signal an ISIG character asks for, or 0. */
static int
isig_signal(const struct tty *tp, int c)
{
	if (!lflag(tp, ISIG))
		return 0;
	if (is_cc(tp, c, VINTR))
		return SIGINT;
	if (is_cc(tp, c, VQUIT))
		return SIGQUIT;
	if (is_cc(tp, c, VSUSP))
		return SIGTSTP;
	return 0;
}

/* The editing characters of canonical mode; true if c was one. */
static bool
canon_special(struct tty *tp, struct ttyout *o, int c)
{
	bool ext = lflag(tp, IEXTEN);

	if (is_cc(tp, c, VERASE) || (c == VERASE2_CHAR && tp->t_termios.c_cc[VERASE] == DEL))
		erase(tp, o, ERASE_CHAR);
	else if (is_cc(tp, c, VKILL))
		erase(tp, o, ERASE_LINE);
	else if (ext && is_cc(tp, c, VWERASE))
		erase(tp, o, ERASE_WORD);
	else if (ext && is_cc(tp, c, VREPRINT))
		reprint(tp, o, c);
	else if (ext && is_cc(tp, c, VLNEXT)) {
		tp->t_state |= TS_LNEXT;
		if (lflag(tp, ECHO) && lflag(tp, ECHOCTL)) {
			out_char(tp, o, '^');
			out_char(tp, o, '\b');
		}
	} else if (is_cc(tp, c, VEOF))
		queue_byte(tp, o, c, TQ_EOF | TQ_EOL);
	else if (c == '\n' || is_cc(tp, c, VEOL) || is_cc(tp, c, VEOL2))
		queue_byte(tp, o, c, TQ_EOL);
	else
		return false;
	return true;
}

/* Process one received byte; the signal for the foreground group, or 0. */
static int
input_locked(struct tty *tp, struct ttyout *o, int c)
{
	uint32_t inf = tp->t_termios.c_iflag;
	int sig;

	tp->t_rx_bytes++;
	if (inf & ISTRIP)
		c &= 0x7f;
	if (tp->t_state & TS_LNEXT) {
		tp->t_state &= ~TS_LNEXT;
		queue_byte(tp, o, c, 0);
		return 0;
	}
	if (c == '\r') {
		if (inf & IGNCR)
			return 0;
		if (inf & ICRNL)
			c = '\n';
	} else if (c == '\n' && (inf & INLCR)) {
		c = '\r';
	}
	if ((sig = isig_signal(tp, c)) != 0) {
		if (!lflag(tp, NOFLSH))
			flush_input(tp);
		if (lflag(tp, ECHO))
			echo_char(tp, o, c);
		return sig;
	}
	if (lflag(tp, ICANON) && canon_special(tp, o, c))
		return 0;
	queue_byte(tp, o, c, 0);
	return 0;
}

void
tty_input(struct tty *tp, int c)
{
	struct ttyout o = { 0 };
	int sig, pgrp;

	spin_lock(&tp->t_lock);
	sig = input_locked(tp, &o, c & 0xff);
	out_flush(tp, &o);
	pgrp = tp->t_pgrp;
	spin_unlock(&tp->t_lock);
	wakeup(tp->t_inq);
	selwakeup(&tp->t_sel);
	if (sig != 0 && pgrp > 0) {
		spin_lock(&proc_lock);
		(void)pgsignal(pgrp, sig);
		spin_unlock(&proc_lock);
	}
}

/*
 * Job control.
 */

/*
 * May the current process use tp now, or is it a background process of
 * tp's session?  sig is SIGTTIN for reading, SIGTTOU for the rest.  0 to
 * go ahead; EIO; or ERESTARTSYS once sig is sent to its group (the call
 * runs again after the group is continued).
 */
static int
tty_job_check(struct tty *tp, int sig)
{
	struct thread *td = curthread();
	struct proc *p = td->td_proc;
	int error = 0, pgrp;

	if (p == NULL)
		return 0;
	spin_lock(&proc_lock);
	pgrp = tp->t_pgrp;
	if (p->p_tty != tp || pgrp == 0 || p->p_pgid == pgrp)
		error = 0;
	else if (signal_ignored_or_blocked(td, sig))
		error = sig == SIGTTIN ? EIO : 0;
	else if (pgrp_orphaned(p->p_pgid))
		error = EIO;
	else {
		(void)pgsignal(p->p_pgid, sig);
		error = ERESTARTSYS;
	}
	spin_unlock(&proc_lock);
	return error;
}

/* Set (or with p NULL, clear) tp's session and foreground group.  proc_lock held. */
static void
tty_set_session(struct tty *tp, struct proc *p)
{
	KASSERT(spin_owned(&proc_lock), ("tty_set_session: proc_lock not held"));
	spin_lock(&tp->t_lock);
	tp->t_session = p != NULL ? p->p_sid : 0;
	tp->t_pgrp = p != NULL ? p->p_pgid : 0;
	spin_unlock(&tp->t_lock);
	if (p != NULL)
		p->p_tty = tp;
}

/* What the foreground group gets when its session gives the terminal up. */
enum tty_hangup { HANGUP_NONE, HANGUP_HUP, HANGUP_HUP_CONT };

/*
 * The session sid gives tp up: every member forgets it, and the
 * foreground group gets the hangup's signals (SIGHUP at the leader's
 * exit, SIGHUP and SIGCONT for TIOCNOTTY, none when TIOCSCTTY steals tp).
 * proc_lock held.
 */
static void
tty_disassociate(struct tty *tp, int sid, enum tty_hangup hangup)
{
	struct list_node *n;
	int pgrp = tp->t_pgrp;

	if (pgrp > 0 && hangup != HANGUP_NONE) {
		(void)pgsignal(pgrp, SIGHUP);
		if (hangup == HANGUP_HUP_CONT)
			(void)pgsignal(pgrp, SIGCONT);
	}
	tty_set_session(tp, NULL);
	list_foreach(n, &allproc) {
		struct proc *q = list_entry(n, struct proc, p_allproc);

		if (q->p_sid == sid && q->p_tty == tp)
			q->p_tty = NULL;
	}
}

int
tty_open(struct tty *tp, int oflags, bool may_acquire)
{
	struct proc *p = curproc();

	if (!may_acquire || (oflags & O_NOCTTY) || p == NULL)
		return 0;
	spin_lock(&proc_lock);
	if (p->p_sid == p->p_pid && p->p_tty == NULL && tp->t_session == 0)
		tty_set_session(tp, p);
	spin_unlock(&proc_lock);
	return 0;
}

struct tty *
tty_controlling(void)
{
	struct proc *p = curproc();
	struct tty *tp;

	if (p == NULL)
		return NULL;
	spin_lock(&proc_lock);
	tp = p->p_tty;
	spin_unlock(&proc_lock);
	return tp;
}

void
tty_session_exit(struct proc *p)
{
	struct tty *tp = p->p_tty;

	KASSERT(spin_owned(&proc_lock), ("tty_session_exit: proc_lock not held"));
	if (tp != NULL && p->p_sid == p->p_pid && tp->t_session == p->p_sid)
		tty_disassociate(tp, p->p_sid, HANGUP_HUP);
}

/* TIOCSCTTY(steal): a session leader without a terminal takes tp (from its session, if steal). */
static int
tty_set_ctty(struct tty *tp, unsigned long steal)
{
	struct proc *p = curproc();
	int error = 0;

	spin_lock(&proc_lock);
	if (p->p_sid == p->p_pid && tp->t_session == p->p_sid)
		error = 0;		/* already ours */
	else if (p->p_sid != p->p_pid || p->p_tty != NULL)
		error = EPERM;
	else if (tp->t_session != 0 && (steal != 1 || p->p_uid != 0))
		error = EPERM;
	else {
		if (tp->t_session != 0)
			tty_disassociate(tp, tp->t_session, HANGUP_NONE);
		tty_set_session(tp, p);
	}
	spin_unlock(&proc_lock);
	return error;
}

/* TIOCNOTTY: the caller gives up its controlling terminal (a leader, for its session). */
static int
tty_drop_ctty(struct tty *tp)
{
	struct proc *p = curproc();
	int error = 0;

	spin_lock(&proc_lock);
	if (p->p_tty != tp)
		error = ENOTTY;
	else if (p->p_sid == p->p_pid)
		tty_disassociate(tp, p->p_sid, HANGUP_HUP_CONT);
	else
		p->p_tty = NULL;
	spin_unlock(&proc_lock);
	return error;
}

/* TIOCGPGRP, TIOCGSID: only of the caller's own controlling terminal. */
static int
tty_get_id(struct tty *tp, bool session, void *uarg)
{
	struct proc *p = curproc();
	int id = 0, error = 0;

	spin_lock(&proc_lock);
	if (p == NULL || p->p_tty != tp)
		error = ENOTTY;
	else
		id = session ? tp->t_session : tp->t_pgrp;
	spin_unlock(&proc_lock);
	if (error == 0 && copyout(&id, uarg, sizeof(id)) != 0)
		error = EFAULT;
	return error;
}

/* TIOCSPGRP: the foreground group becomes one of the caller's session's. */
static int
tty_set_pgrp(struct tty *tp, void *uarg)
{
	struct proc *p = curproc(), *q;
	int pgrp, sid, error;

	if ((error = tty_job_check(tp, SIGTTOU)) != 0)
		return error == EIO ? ENOTTY : error;
	if (copyin(uarg, &pgrp, sizeof(pgrp)) != 0)
		return EFAULT;
	if (pgrp < 0)
		return EINVAL;
	spin_lock(&proc_lock);
	/* The group's session, or (as Linux) the session of a process with that id. */
	if ((sid = pgrp_session(pgrp)) < 0 && (q = proc_find(pgrp)) != NULL)
		sid = q->p_sid;
	if (p == NULL || p->p_tty != tp || tp->t_session != p->p_sid)
		error = ENOTTY;
	else if (sid < 0)
		error = ESRCH;
	else if (sid != p->p_sid)
		error = EPERM;
	else {
		spin_lock(&tp->t_lock);
		tp->t_pgrp = pgrp;
		spin_unlock(&tp->t_lock);
	}
	spin_unlock(&proc_lock);
	return error;
}

/*
 * Reading.
 */

/* Take the read lock (one reader at a time): 0, EAGAIN or ERESTARTSYS.  t_lock held. */
static int
read_lock(struct tty *tp, bool nonblock)
{
	while (tp->t_state & TS_READING) {
		if (nonblock)
			return EAGAIN;
		tp->t_state |= TS_READWANT;
		if (sleep_on_intr(&tp->t_state, &tp->t_lock) != 0)
			return ERESTARTSYS;
	}
	tp->t_state |= TS_READING;
	return 0;
}

static void
read_unlock(struct tty *tp)
{
	bool want;

	spin_lock(&tp->t_lock);
	want = (tp->t_state & TS_READWANT) != 0;
	tp->t_state &= ~(TS_READING | TS_READWANT);
	spin_unlock(&tp->t_lock);
	if (want)
		wakeup(&tp->t_state);
}

/*
 * Take up to max readable bytes into buf, stopping after a line's end
 * in canonical mode (*line_end then says so; an EOF marker is taken but
 * not copied).  The bytes copied.  t_lock held.
 */
static size_t
take(struct tty *tp, char *buf, size_t max, bool *line_end)
{
	bool canon = lflag(tp, ICANON);
	size_t n = 0;

	*line_end = false;
	while (n < max && tp->t_tail < tp->t_canon) {
		uint8_t flags = tp->t_inflags[tp->t_tail & INQ_MASK];
		int c = inq_byte(tp, tp->t_tail);

		tp->t_tail++;
		if (!(flags & TQ_EOF))
			buf[n++] = (char)c;
		if (canon && (flags & TQ_EOL)) {
			*line_end = true;
			break;
		}
	}
	return n;
}

/* A wait for input as the scheduler does it: see t_sleep in tty.h. */
static int
tty_sleep_wait(struct tty *tp, uint64_t deadline_ns)
{
	uint64_t until = 0;
	int error;

	if (deadline_ns != 0) {
		uint64_t now = uptime_ns();

		if (now >= deadline_ns)
			return ETIMEDOUT;
		until = sleepq_deadline_ns(deadline_ns - now);
	}
	error = sleep_on_timed(tp->t_inq, &tp->t_lock, SLEEPQ_INTR, until);
	return error == ERESTARTSYS ? EINTR : error;
}

/* What a read has done so far and how long it may still wait. */
struct tty_read_state {
	size_t		got;		/* bytes copied out */
	uint64_t	deadline;	/* uptime_ns, 0: none */
	bool		timed_out;
	bool		line_done;	/* canonical: a line's end was taken */
};

/*
 * Is the read done?  Canonical: after a line's end.  Otherwise MIN bytes
 * (at least 1, at most what was asked for), or the timer ran out.
 */
static bool
read_done(const struct tty *tp, const struct tty_read_state *rs, const struct uio *uio)
{
	uint8_t vmin = tp->t_termios.c_cc[VMIN];

	if (uio->uio_resid == 0 || rs->timed_out)
		return true;
	if (lflag(tp, ICANON))
		return rs->line_done;
	return rs->got >= (vmin > 0 ? vmin : 1);
}

/*
 * Nothing to take: may the read wait, and until when?  A non-canonical
 * read with MIN = TIME = 0, or MIN = 0 once TIME ran out, does not.
 * t_lock held.
 */
static bool
read_may_wait(struct tty *tp, struct tty_read_state *rs)
{
	uint8_t vmin = tp->t_termios.c_cc[VMIN], vtime = tp->t_termios.c_cc[VTIME];

	if (lflag(tp, ICANON))
		return true;
	if (vmin == 0 && vtime == 0)
		return false;
	if (vmin == 0 && rs->deadline == 0)
		rs->deadline = uptime_ns() + vtime * NS_PER_VTIME;	/* from the call */
	return true;
}

ssize_t
tty_read(struct tty *tp, struct uio *uio)
{
	struct tty_read_state rs = { 0 };
	bool nonblock = (uio->uio_ioflag & IO_NONBLOCK) != 0;
	char buf[TTY_CHUNK];
	int error;

	if ((error = tty_job_check(tp, SIGTTIN)) != 0)
		return -error;
	spin_lock(&tp->t_lock);
	if ((error = read_lock(tp, nonblock)) != 0) {
		spin_unlock(&tp->t_lock);
		return -error;
	}
	while (!read_done(tp, &rs, uio)) {
		bool line_end;
		size_t n = take(tp, buf, MIN(sizeof(buf), uio->uio_resid), &line_end);

		if (n > 0 || line_end) {
			spin_unlock(&tp->t_lock);
			if (n > 0 && uiomove(buf, n, uio) != 0)
				error = EFAULT;
			rs.got += n;
			rs.line_done = line_end;	/* with nothing got: an EOF, read as 0 */
			spin_lock(&tp->t_lock);
			if (error)
				break;
			/* TIME after MIN > 0 is a timer between bytes. */
			if (!lflag(tp, ICANON) && tp->t_termios.c_cc[VMIN] > 0 &&
			    tp->t_termios.c_cc[VTIME] > 0)
				rs.deadline = uptime_ns() + tp->t_termios.c_cc[VTIME] * NS_PER_VTIME;
			continue;
		}
		if (!read_may_wait(tp, &rs))
			break;
		if (nonblock) {
			error = rs.got == 0 ? EAGAIN : 0;
			break;
		}
		error = tp->t_sleep(tp, rs.deadline);
		if (error == ETIMEDOUT) {
			rs.timed_out = true;
			error = 0;
		} else if (error == EINTR) {
			error = rs.got == 0 ? ERESTARTSYS : 0;
			break;
		}
	}
	spin_unlock(&tp->t_lock);
	read_unlock(tp);
	if (rs.got > 0)
		return (ssize_t)rs.got;
	return -error;
}

/*
 * Writing.
 */

ssize_t
tty_write(struct tty *tp, struct uio *uio)
{
	char buf[TTY_CHUNK];
	size_t done = 0;
	int error;

	if (lflag(tp, TOSTOP) && (error = tty_job_check(tp, SIGTTOU)) != 0)
		return -error;
	while (uio->uio_resid > 0) {
		size_t n = MIN(uio->uio_resid, sizeof(buf));
		struct ttyout o = { 0 };

		if (uiomove(buf, n, uio) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		spin_lock(&tp->t_lock);
		for (size_t i = 0; i < n; i++)
			out_char(tp, &o, (uint8_t)buf[i]);
		out_flush(tp, &o);
		spin_unlock(&tp->t_lock);
		done += n;
	}
	return (ssize_t)done;
}

/*
 * Settings and the rest.
 */

/* New settings (TCSETS*), keeping what is implemented; flush drops the input. */
static void
tty_set_termios(struct tty *tp, const struct termios *t, bool flush)
{
	bool was_canon;

	spin_lock(&tp->t_lock);
	was_canon = lflag(tp, ICANON);
	tp->t_termios.c_iflag = t->c_iflag & TTY_IFLAGS;
	tp->t_termios.c_oflag = t->c_oflag & TTY_OFLAGS;
	tp->t_termios.c_lflag = t->c_lflag & TTY_LFLAGS;
	tp->t_termios.c_line = t->c_line;
	memcpy(tp->t_termios.c_cc, t->c_cc, sizeof(t->c_cc));
	if (flush)
		flush_input(tp);
	else if (was_canon != lflag(tp, ICANON) && tp->t_head != tp->t_tail) {
		/*
		 * All that is unread becomes readable (as Linux): out of
		 * canonical mode, the line being edited; into it, the bytes
		 * that came raw end a line of their own, or a canonical read
		 * would wait for a line's end that has already arrived.
		 */
		if (lflag(tp, ICANON))
			tp->t_inflags[(tp->t_head - 1) & INQ_MASK] |= TQ_EOL;
		tp->t_canon = tp->t_head;
	}
	if (!lflag(tp, ICANON))
		tp->t_state &= ~TS_LNEXT;
	spin_unlock(&tp->t_lock);
	wakeup(tp->t_inq);
	selwakeup(&tp->t_sel);
}

/* Bytes a read could take now (FIONREAD): complete lines only, in canonical mode. */
static int
tty_readable(struct tty *tp)
{
	uint64_t n = 0;

	spin_lock(&tp->t_lock);
	for (uint64_t i = tp->t_tail; i < tp->t_canon; i++)
		n += !(tp->t_inflags[i & INQ_MASK] & TQ_EOF);
	spin_unlock(&tp->t_lock);
	return (int)n;
}

static int
tty_flush(struct tty *tp, unsigned long queue)
{
	if (queue != TCIFLUSH && queue != TCOFLUSH && queue != TCIOFLUSH)
		return EINVAL;
	if (queue != TCOFLUSH) {
		spin_lock(&tp->t_lock);
		flush_input(tp);
		spin_unlock(&tp->t_lock);
	}
	return 0;		/* output is never queued */
}

static int
tty_set_winsize(struct tty *tp, void *uarg)
{
	struct winsize ws;
	bool changed;
	int pgrp;

	if (copyin(uarg, &ws, sizeof(ws)) != 0)
		return EFAULT;
	spin_lock(&tp->t_lock);
	changed = memcmp(&ws, &tp->t_winsize, sizeof(ws)) != 0;
	tp->t_winsize = ws;
	pgrp = tp->t_pgrp;
	spin_unlock(&tp->t_lock);
	if (changed && pgrp > 0) {
		spin_lock(&proc_lock);
		(void)pgsignal(pgrp, SIGWINCH);
		spin_unlock(&proc_lock);
	}
	return 0;
}

/* Copy the settings (or the window size) out under t_lock. */
static int
tty_get(struct tty *tp, const void *what, size_t size, void *uarg)
{
	char copy[sizeof(struct termios)];

	KASSERT(size <= sizeof(copy), ("tty_get: %zu bytes", size));
	spin_lock(&tp->t_lock);
	memcpy(copy, what, size);
	spin_unlock(&tp->t_lock);
	return copyout(copy, uarg, size) ? EFAULT : 0;
}

int
tty_ioctl(struct tty *tp, unsigned long cmd, void *uarg)
{
	struct termios t;
	int value, error;

	switch (cmd) {
	case TCGETS:
		return tty_get(tp, &tp->t_termios, sizeof(t), uarg);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if ((error = tty_job_check(tp, SIGTTOU)) != 0)
			return error;
		if (copyin(uarg, &t, sizeof(t)) != 0)
			return EFAULT;
		/* Output is never queued, so TCSETSW has nothing to drain. */
		tty_set_termios(tp, &t, cmd == TCSETSF);
		return 0;
	case TCFLSH:
		if ((error = tty_job_check(tp, SIGTTOU)) != 0)
			return error;
		return tty_flush(tp, (unsigned long)uarg);
	case TCSBRK:
	case TCSBRKP:
	case TCXONC:
		/* tcdrain, tcsendbreak, tcflow: no queue to drain, no flow to stop. */
		return tty_job_check(tp, SIGTTOU);
	case TIOCGWINSZ:
		return tty_get(tp, &tp->t_winsize, sizeof(tp->t_winsize), uarg);
	case TIOCSWINSZ:
		return tty_set_winsize(tp, uarg);
	case FIONREAD:
		value = tty_readable(tp);
		return copyout(&value, uarg, sizeof(value)) ? EFAULT : 0;
	case TIOCOUTQ:
		value = 0;
		return copyout(&value, uarg, sizeof(value)) ? EFAULT : 0;
	case TIOCGPGRP:
		return tty_get_id(tp, false, uarg);
	case TIOCGSID:
		return tty_get_id(tp, true, uarg);
	case TIOCSPGRP:
		return tty_set_pgrp(tp, uarg);
	case TIOCSCTTY:
		return tty_set_ctty(tp, (unsigned long)uarg);
	case TIOCNOTTY:
		return tty_drop_ctty(tp);
	default:
		return ENOTTY;
	}
}

int
tty_poll(struct tty *tp, int events, struct pollwait *pw)
{
	int revents = POLLOUT | POLLWRNORM;
	uint64_t need = 1;

	selrecord(pw, &tp->t_sel);
	spin_lock(&tp->t_lock);
	/* With MIN > 0 and no TIME, a read waits for MIN bytes; so does poll (as Linux). */
	if (!lflag(tp, ICANON) && tp->t_termios.c_cc[VTIME] == 0 && tp->t_termios.c_cc[VMIN] > 0)
		need = tp->t_termios.c_cc[VMIN];
	if (tp->t_canon - tp->t_tail >= need)
		revents |= POLLIN | POLLRDNORM;
	spin_unlock(&tp->t_lock);
	return revents;
}
