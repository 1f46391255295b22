/*
 * Self-tests of the terminal line discipline (tty.c) on a terminal of
 * their own: bytes are fed in with tty_input, as the UART's receive
 * interrupt does, what would go to the device is captured, and reads go
 * through tty_read into kernel buffers.  A read that would wait calls the
 * terminal's t_sleep, which here is scripted: it feeds the next piece of
 * input (as if it arrived while the reader slept) or, with none left,
 * lets the deadline pass; it records the deadlines it was given, so the
 * VMIN/VTIME timers can be checked without waiting for them.
 *
 * Job control runs against made-up processes on allproc: a session
 * leader and a member in another group (so that group is not orphaned);
 * the running (kernel) thread plays one or the other, and the settings
 * ioctls take their arguments from a scratch user address space.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <kern/tty.h>
#include <kern/uio.h>
#include <vm/vm_map.h>
#include <uapi/ioctl.h>

#define UBASE		0x10000000UL	/* scratch user memory for the ioctls */
#define UPAGES		1
#define OUT_MAX		8192
#define FEEDS_MAX	4
#define LEADER_PID	999990
#define MEMBER_PID	999991
#define NS_PER_MS	1000000UL
#define CTRL(c)		((c) & 0x1f)

static struct tty tt;

/* The capture and the script (the test runs alone: no locking). */
static struct {
	char		out[OUT_MAX];
	size_t		outlen;
	const char	*feeds[FEEDS_MAX];	/* input that "arrives" at each sleep */
	int		nfeeds, next_feed;
	int		sleeps;
	uint64_t	deadlines[FEEDS_MAX + 1];
} tts;

static struct proc leader, member;
static struct thread leader_td, member_td;

static void
capture(struct tty *tp, const char *buf, size_t len)
{
	for (size_t i = 0; i < len && tts.outlen < OUT_MAX - 1; i++)
		tts.out[tts.outlen++] = buf[i];
	tts.out[tts.outlen] = '\0';
}

static void
feed(const char *s)
{
	while (*s != '\0')
		tty_input(&tt, (uint8_t)*s++);
}

/* A read would wait: the next input arrives, or (none left) its deadline passes. */
static int
scripted_sleep(struct tty *tp, uint64_t deadline)
{
	if (tts.sleeps <= FEEDS_MAX)
		tts.deadlines[tts.sleeps] = deadline;
	tts.sleeps++;
	if (tts.next_feed < tts.nfeeds) {
		spin_unlock(&tp->t_lock);
		feed(tts.feeds[tts.next_feed++]);
		spin_lock(&tp->t_lock);
		return 0;
	}
	/* Nothing more will come: a wait without a deadline is ended as a signal would. */
	return deadline != 0 ? ETIMEDOUT : EINTR;
}

static void
script(const char *a, const char *b)
{
	tts.feeds[0] = a;
	tts.feeds[1] = b;
	tts.nfeeds = (a != NULL) + (b != NULL);
	tts.next_feed = tts.sleeps = 0;
}

static void
clear_output(void)
{
	tts.outlen = 0;
	tts.out[0] = '\0';
}

static bool
output_is(const char *s)
{
	return strcmp(tts.out, s) == 0;
}

/* Does the output end with s? */
static bool
output_ends(const char *s)
{
	size_t n = strlen(s);

	return tts.outlen >= n && memcmp(tts.out + tts.outlen - n, s, n) == 0;
}

/* A read of up to n bytes into buf (NUL-terminated); the result of tty_read. */
static ssize_t
rd(char *buf, size_t n, bool nonblock)
{
	struct uio uio = { buf, n, 0, false, false, nonblock ? IO_NONBLOCK : 0 };
	ssize_t r = tty_read(&tt, &uio);

	buf[r > 0 ? r : 0] = '\0';
	return r;
}

static bool
reads(const char *want)
{
	char buf[64];

	return rd(buf, sizeof(buf) - 1, true) == (ssize_t)strlen(want) && strcmp(buf, want) == 0;
}

static bool
nothing_to_read(void)
{
	char buf[8];

	return rd(buf, sizeof(buf) - 1, true) == -EAGAIN;
}

static void
fresh_tty(void)
{
	tty_init(&tt, "selftest tty", capture, NULL);
	tt.t_sleep = scripted_sleep;
	clear_output();
	script(NULL, NULL);
}

/* An ioctl on tt with its argument in the scratch user memory. */
static int
ioctl_user(unsigned long cmd, void *arg, size_t size)
{
	int error;

	if (size > 0 && copyout(arg, (void *)UBASE, size) != 0)
		return EFAULT;
	error = tty_ioctl(&tt, cmd, (void *)UBASE);
	if (error == 0 && size > 0 && copyin((const void *)UBASE, arg, size) != 0)
		return EFAULT;
	return error;
}

static int
set_modes(uint32_t lflags, uint8_t vmin, uint8_t vtime)
{
	struct termios t = { 0 };
	int error;

	if ((error = ioctl_user(TCGETS, &t, sizeof(t))) != 0)
		return error;
	t.c_lflag = lflags;
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	return ioctl_user(TCSETS, &t, sizeof(t));
}

static void
test_echo_and_lines(void)
{
	char buf[8];

	fresh_tty();
	feed("ab");
	selftest_ok(output_is("ab"), "tty: typed bytes are echoed");
	selftest_ok(nothing_to_read(), "tty: canonical: no line yet, nothing to read (EAGAIN)");
	feed("\r");
	selftest_ok(output_is("ab\r\n"), "tty: Enter echoes as CR LF (ICRNL, ONLCR)");
	selftest_ok(reads("ab\n"), "tty: the line reads as \"ab\\n\"");
	feed("abcdef\r");
	selftest_ok(rd(buf, 3, true) == 3 && strcmp(buf, "abc") == 0 && reads("def\n"),
	    "tty: a line longer than the buffer comes in pieces");
	feed("one\rtwo\r");
	selftest_ok(reads("one\n") && reads("two\n"), "tty: a read returns at most one line");
}

static void
test_editing(void)
{
	fresh_tty();
	feed("abx\x7f" "c\r");
	selftest_ok(reads("abc\n") && output_is("abx\b \bc\r\n"),
	    "tty: DEL erases a character, echoed as backspace-space-backspace");
	clear_output();
	feed("ab\bc\r");
	selftest_ok(reads("ac\n"), "tty: ^H erases as well");
	clear_output();
	feed("abc\x15" "de\r");
	selftest_ok(reads("de\n") && output_is("abc\b \b\b \b\b \bde\r\n"),
	    "tty: ^U kills the line, erased on the screen (ECHOKE)");
	feed("foo bar\x17" "baz\r");
	selftest_ok(reads("foo baz\n"), "tty: ^W erases a word");
	feed("foo bar  \x17\x17" "x\r");
	selftest_ok(reads("x\n"), "tty: ^W takes the spaces after a word with it, twice: all");
	clear_output();
	feed("\x01\x7f");
	selftest_ok(output_is("^A\b \b\b \b"), "tty: a control character echoes as ^A, erases as two");
	clear_output();
	feed("a\t\x7f");
	selftest_ok(output_is("a\t\b\b\b\b\b\b\b"), "tty: erasing a tab backs up to where it began");
	feed("\r");
	selftest_ok(reads("a\n"), "tty: what was left of that line");
	clear_output();
	feed("ab\x12");
	selftest_ok(output_ends("^R\r\nab"), "tty: ^R reprints the line on a line of its own");
	feed("\r");
	selftest_ok(reads("ab\n"), "tty: reprinting changes nothing");
	feed("a\x16\x7f\x16\x03\r");
	selftest_ok(reads("a\x7f\x03\n"), "tty: ^V takes the next byte (DEL, ^C) literally");
}

static void
test_eof(void)
{
	char buf[8];

	fresh_tty();
	feed("ab\x04");
	selftest_ok(reads("ab") && output_is("ab"), "tty: ^D ends a line without a newline, unechoed");
	feed("\x04");
	selftest_ok(rd(buf, sizeof(buf) - 1, true) == 0, "tty: ^D on an empty line reads as end of file");
	selftest_ok(nothing_to_read(), "tty: the end of file is read once");
}

static void
test_output(void)
{
	struct uio uio = { "a\nb", 3, 0, false, true, 0 };
	struct termios t = { 0 };

	fresh_tty();
	selftest_ok(tty_write(&tt, &uio) == 3 && output_is("a\r\nb"), "tty: writes: LF as CR LF");
	if (ioctl_user(TCGETS, &t, sizeof(t)) != 0)
		return;
	t.c_oflag &= ~OPOST;
	ioctl_user(TCSETS, &t, sizeof(t));
	clear_output();
	uio = (struct uio){ "a\nb", 3, 0, false, true, 0 };
	selftest_ok(tty_write(&tt, &uio) == 3 && output_is("a\nb"), "tty: without OPOST, as they are");
}

static void
test_settings(void)
{
	struct termios t = { 0 };
	struct winsize ws = { 0, 0, 0, 0 };
	int n = 0;

	fresh_tty();
	selftest_ok(ioctl_user(TCGETS, &t, sizeof(t)) == 0 && t.c_iflag == ICRNL &&
	    t.c_oflag == (OPOST | ONLCR) && t.c_cflag == (B115200 | CS8 | CREAD | CLOCAL) &&
	    t.c_lflag == (ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN) &&
	    t.c_cc[VINTR] == CTRL('C') && t.c_cc[VERASE] == 0x7f && t.c_cc[VMIN] == 1,
	    "tty: TCGETS reports what the line discipline does (no IXON)");
	t.c_iflag |= IXON | IXOFF | BRKINT;
	t.c_cflag = B9600 | CS8 | PARENB;
	selftest_ok(ioctl_user(TCSETS, &t, sizeof(t)) == 0 && ioctl_user(TCGETS, &t, sizeof(t)) == 0 &&
	    t.c_iflag == ICRNL && t.c_cflag == (B115200 | CS8 | CREAD | CLOCAL),
	    "tty: TCSETS keeps only what is implemented; the line stays as it is");
	selftest_ok(ioctl_user(TIOCGWINSZ, &ws, sizeof(ws)) == 0 && ws.ws_row == 0 && ws.ws_col == 0,
	    "tty: the window size is unknown (0 x 0) until set");
	ws = (struct winsize){ 40, 132, 0, 0 };
	ioctl_user(TIOCSWINSZ, &ws, sizeof(ws));
	ws = (struct winsize){ 0, 0, 0, 0 };
	selftest_ok(ioctl_user(TIOCGWINSZ, &ws, sizeof(ws)) == 0 && ws.ws_row == 40 &&
	    ws.ws_col == 132, "tty: TIOCSWINSZ sets it");
	feed("ab");
	selftest_ok(ioctl_user(FIONREAD, &n, sizeof(n)) == 0 && n == 0 &&
	    (tty_poll(&tt, POLLIN, NULL) & POLLIN) == 0,
	    "tty: a line being edited is neither counted (FIONREAD) nor readable (poll)");
	feed("\r");
	selftest_ok(ioctl_user(FIONREAD, &n, sizeof(n)) == 0 && n == 3 &&
	    tty_poll(&tt, POLLIN | POLLOUT, NULL) == (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM),
	    "tty: a complete one is (3 bytes)");
	ioctl_user(TCGETS, &t, sizeof(t));
	selftest_ok(ioctl_user(TCSETSF, &t, sizeof(t)) == 0 && nothing_to_read(),
	    "tty: TCSETSF drops the input");
	feed("par");
	set_modes(ISIG | ECHO, 1, 0);
	selftest_ok(reads("par"), "tty: leaving canonical mode makes the line being edited readable");
	feed("x");
	selftest_ok(tty_ioctl(&tt, TCFLSH, (void *)TCIFLUSH) == 0 && nothing_to_read() &&
	    tty_ioctl(&tt, TCFLSH, (void *)7UL) == EINVAL, "tty: TCFLSH drops the input; bad queue EINVAL");
}

static void
test_raw(void)
{
	char buf[16];
	uint64_t t0;

	fresh_tty();
	set_modes(0, 1, 0);
	clear_output();
	feed("x");
	selftest_ok(reads("x") && output_is(""), "tty: raw, MIN 1: a byte reads at once, unechoed");
	feed("\x03\x7f\r");
	selftest_ok(reads("\x03\x7f\n"), "tty: raw without ISIG: ^C and DEL are data (CR still LF)");

	set_modes(0, 3, 0);
	feed("ab");
	script("c", NULL);
	selftest_ok(rd(buf, sizeof(buf) - 1, false) == 3 && strcmp(buf, "abc") == 0 &&
	    tts.sleeps == 1 && tts.deadlines[0] == 0,
	    "tty: MIN 3, TIME 0: waits, with no timer, until the third byte");
	feed("abcd");
	selftest_ok(rd(buf, 2, false) == 2 && strcmp(buf, "ab") == 0 && reads("cd"),
	    "tty: MIN 3 asked for 2: returns 2 without waiting");

	set_modes(0, 0, 5);
	script(NULL, NULL);
	t0 = uptime_ns();
	selftest_ok(rd(buf, sizeof(buf) - 1, false) == 0 && tts.sleeps == 1 &&
	    tts.deadlines[0] >= t0 + 500 * NS_PER_MS && tts.deadlines[0] < t0 + 600 * NS_PER_MS,
	    "tty: MIN 0, TIME 5: waits 0.5 s for a byte, then reads 0");
	script("q", NULL);
	selftest_ok(rd(buf, sizeof(buf) - 1, false) == 1 && strcmp(buf, "q") == 0,
	    "tty: MIN 0, TIME 5: a byte in time is returned at once");

	set_modes(0, 2, 1);
	script("a", NULL);
	t0 = uptime_ns();
	selftest_ok(rd(buf, sizeof(buf) - 1, false) == 1 && strcmp(buf, "a") == 0 &&
	    tts.sleeps == 2 && tts.deadlines[0] == 0 && tts.deadlines[1] >= t0 + 100 * NS_PER_MS,
	    "tty: MIN 2, TIME 1: no timer before the first byte, 0.1 s between bytes");

	set_modes(0, 0, 0);
	script(NULL, NULL);
	selftest_ok(rd(buf, sizeof(buf) - 1, false) == 0 && tts.sleeps == 0,
	    "tty: MIN 0, TIME 0: returns 0 at once");
	set_modes(0, 3, 0);
	selftest_ok(tty_poll(&tt, POLLIN, NULL) == (POLLOUT | POLLWRNORM), "tty: poll, MIN 3, none");
	feed("ab");
	selftest_ok(!(tty_poll(&tt, POLLIN, NULL) & POLLIN), "tty: poll waits for MIN bytes");
	feed("c");
	selftest_ok(tty_poll(&tt, POLLIN, NULL) & POLLIN, "tty: and then is readable");

	/*
	 * Typed ahead while a shell's line editor had the terminal raw, read
	 * by the command it starts in canonical mode: one line, at once.
	 */
	set_modes(0, 1, 0);
	tty_ioctl(&tt, TCFLSH, (void *)TCIFLUSH);
	feed("ahead\n");
	set_modes(ICANON, 1, 0);
	script(NULL, NULL);
	selftest_ok(rd(buf, sizeof(buf) - 1, false) == 6 && strcmp(buf, "ahead\n") == 0 &&
	    tts.sleeps == 0, "tty: bytes typed in raw mode read as a line once canonical mode is back");
}

static void
test_limits(void)
{
	static char buf[TTY_INQ_SIZE + 16];
	struct uio uio = { buf, sizeof(buf), 0, false, false, IO_NONBLOCK };
	struct termios t = { 0 };
	ssize_t n;

	fresh_tty();
	for (int i = 0; i < TTY_INQ_SIZE + 100; i++)
		tty_input(&tt, 'x');
	tty_input(&tt, '\r');
	n = tty_read(&tt, &uio);
	selftest_ok(n == TTY_INQ_SIZE && buf[n - 1] == '\n' && buf[n - 2] == 'x',
	    "tty: an overlong line is cut at %d bytes and still ends (%ld)", TTY_INQ_SIZE, (long)n);

	ioctl_user(TCGETS, &t, sizeof(t));
	t.c_iflag |= IUTF8;
	ioctl_user(TCSETS, &t, sizeof(t));
	clear_output();
	feed("a\xc3\xa9\x7f\r");
	selftest_ok(reads("a\n") && output_is("a\xc3\xa9\b \b\r\n"),
	    "tty: IUTF8: DEL erases a whole two-byte character, one column");
	set_modes(ICANON | ECHONL, 1, 0);
	clear_output();
	feed("ab\r");
	selftest_ok(reads("ab\n") && output_is("\r\n"), "tty: ECHONL without ECHO: only the newline");
}

/* Made-up processes on allproc: a session leader and a member in a group of its own. */
static void
fake_session(void)
{
	struct proc *pp[] = { &leader, &member };
	struct thread *tds[] = { &leader_td, &member_td };

	for (int i = 0; i < 2; i++) {
		memset(pp[i], 0, sizeof(*pp[i]));
		memset(tds[i], 0, sizeof(*tds[i]));
		pp[i]->p_pid = pp[i]->p_pgid = i == 0 ? LEADER_PID : MEMBER_PID;
		pp[i]->p_sid = LEADER_PID;
		pp[i]->p_state = PRS_ALIVE;
		proc_thread_init(pp[i], tds[i]);
		tds[i]->td_proc = pp[i];
		tds[i]->td_state = TDS_RUNNING;		/* nothing to wake */
	}
	member.p_parent = &leader;
	spin_lock(&proc_lock);
	list_append(&allproc, &leader.p_allproc);
	list_append(&allproc, &member.p_allproc);
	spin_unlock(&proc_lock);
}

static void
fake_session_end(void)
{
	spin_lock(&proc_lock);
	list_remove(&leader.p_allproc);
	list_remove(&member.p_allproc);
	spin_unlock(&proc_lock);
}

/* Run the next calls as p (NULL: as the kernel thread again). */
static void
act_as(struct proc *p)
{
	struct thread *td = curthread();

	td->td_proc = p;
	td->td_sigmask = p != NULL ? list_entry(p->p_threads.next, struct thread, td_plist)->td_sigmask :
	    0;
}

static bool
pending(struct proc *p, int sig)
{
	return (__atomic_load_n(&p->p_sigpending, __ATOMIC_SEQ_CST) & sigmask(sig)) != 0;
}

static void
test_signals(void)
{
	fresh_tty();
	fake_session();
	tt.t_pgrp = MEMBER_PID;
	feed("xy\x03");
	selftest_ok(pending(&member, SIGINT) && !pending(&leader, SIGINT),
	    "tty: ^C sends SIGINT to the foreground group only");
	selftest_ok(output_is("xy^C") && nothing_to_read(), "tty: ^C echoes, and flushes the input");
	feed("\x1c");
	selftest_ok(pending(&member, SIGQUIT), "tty: ^\\ sends SIGQUIT");
	feed("\x1a");
	selftest_ok(pending(&member, SIGTSTP), "tty: ^Z sends SIGTSTP");
	member.p_sigpending = 0;
	set_modes(ISIG | ICANON | NOFLSH, 1, 0);
	feed("ab\x03\r");
	selftest_ok(pending(&member, SIGINT) && reads("ab\n"), "tty: NOFLSH keeps the input");
	member.p_sigpending = 0;
	set_modes(ICANON, 1, 0);
	feed("\x03\r");
	selftest_ok(!pending(&member, SIGINT) && reads("\x03\n"), "tty: without ISIG ^C is data");
	tt.t_pgrp = 0;
	fake_session_end();
}

static void
test_job_control(void)
{
	struct uio uio;
	char buf[8];
	int id = 0;

	fresh_tty();
	fake_session();
	act_as(&member);
	selftest_ok(tty_ioctl(&tt, TIOCSCTTY, 0) == EPERM, "tty: TIOCSCTTY by a non-leader: EPERM");
	selftest_ok(ioctl_user(TIOCGPGRP, &id, sizeof(id)) == ENOTTY,
	    "tty: TIOCGPGRP of a terminal that is not ours: ENOTTY");
	act_as(&leader);
	selftest_ok(tty_ioctl(&tt, TIOCSCTTY, 0) == 0 && leader.p_tty == &tt &&
	    tt.t_session == LEADER_PID && tt.t_pgrp == LEADER_PID,
	    "tty: TIOCSCTTY: the leader's session controls it, its group in the foreground");
	member.p_tty = &tt;		/* inherited at fork */
	id = 4242;
	selftest_ok(ioctl_user(TIOCSPGRP, &id, sizeof(id)) == ESRCH, "tty: TIOCSPGRP of no group: ESRCH");
	id = MEMBER_PID;
	selftest_ok(ioctl_user(TIOCSPGRP, &id, sizeof(id)) == 0 && tt.t_pgrp == MEMBER_PID,
	    "tty: TIOCSPGRP: another group of the session to the foreground");
	id = LEADER_PID;
	selftest_ok(ioctl_user(TIOCSPGRP, &id, sizeof(id)) == ENOTTY && tt.t_pgrp == MEMBER_PID,
	    "tty: TIOCSPGRP from an orphaned background group: ENOTTY");
	id = 0;
	selftest_ok(ioctl_user(TIOCGSID, &id, sizeof(id)) == 0 && id == LEADER_PID,
	    "tty: TIOCGSID names the session");

	/* The leader is in the background now; its group is orphaned (no parent). */
	selftest_ok(rd(buf, sizeof(buf) - 1, true) == -EIO && !pending(&leader, SIGTTIN),
	    "tty: a background read from an orphaned group: EIO, no SIGTTIN");
	leader.p_sigacts[SIGTTOU].sa_handler = SIG_IGN;
	id = LEADER_PID;
	selftest_ok(ioctl_user(TIOCSPGRP, &id, sizeof(id)) == 0 && tt.t_pgrp == LEADER_PID,
	    "tty: a background TIOCSPGRP ignoring SIGTTOU goes ahead (what shells do)");

	act_as(&member);
	selftest_ok(rd(buf, sizeof(buf) - 1, true) == -ERESTARTSYS && pending(&member, SIGTTIN),
	    "tty: a background read: SIGTTIN to its group, the call restarts after it");
	member.p_sigpending = 0;
	uio = (struct uio){ "z", 1, 0, false, true, 0 };
	selftest_ok(tty_write(&tt, &uio) == 1 && !pending(&member, SIGTTOU),
	    "tty: a background write without TOSTOP goes ahead");
	set_modes(ISIG | ICANON | ECHO | TOSTOP, 1, 0);		/* (as the member: SIGTTOU) */
	selftest_ok(pending(&member, SIGTTOU), "tty: a background TCSETS: SIGTTOU");
	member.p_sigpending = 0;
	act_as(&leader);
	set_modes(ISIG | ICANON | ECHO | TOSTOP, 1, 0);
	act_as(&member);
	uio = (struct uio){ "z", 1, 0, false, true, 0 };
	selftest_ok(tty_write(&tt, &uio) == -ERESTARTSYS && pending(&member, SIGTTOU),
	    "tty: with TOSTOP a background write: SIGTTOU");
	member.p_sigpending = 0;
	member_td.td_sigmask = sigmask(SIGTTIN);
	act_as(&member);
	selftest_ok(rd(buf, sizeof(buf) - 1, true) == -EIO && !pending(&member, SIGTTIN),
	    "tty: a background read blocking SIGTTIN: EIO");

	act_as(&leader);
	tt.t_pgrp = MEMBER_PID;
	selftest_ok(tty_ioctl(&tt, TIOCNOTTY, 0) == 0 && pending(&member, SIGHUP) &&
	    pending(&member, SIGCONT) == false && leader.p_tty == NULL && member.p_tty == NULL &&
	    tt.t_session == 0 && tt.t_pgrp == 0,
	    "tty: TIOCNOTTY by the leader: SIGHUP (and SIGCONT) to the foreground, session detached");
	act_as(NULL);
	fake_session_end();
}

static void
test_tty(void)
{
	struct vmspace *vm = selftest_scratch_vmspace(UBASE, UPAGES);
	struct proc *saved = curthread()->td_proc;

	if (!selftest_ok(vm != NULL, "tty: scratch address space"))
		return;
	selftest_use_vmspace(vm);
	test_echo_and_lines();
	test_editing();
	test_eof();
	test_output();
	test_settings();
	test_raw();
	test_limits();
	test_signals();
	test_job_control();
	curthread()->td_proc = saved;
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

SELFTEST(tty, test_tty);
