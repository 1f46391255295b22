/*
 * syscall_regs: a system call changes a0 and no other register, as on
 * Linux: gp, tp, the s-, t- and other a-registers and ra are as they were,
 * however the call ends: at once, with an error, after sleeping while
 * another process ran with other values in every register, interrupted
 * by a signal handler, or restarted after one.  (The kernel's way back
 * from a system call reloads only the registers it may have changed.)
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <tap.h>
#include <time.h>
#include <unistd.h>

#define NREGS	32

struct regs_call {
	long		nr;
	long		arg[3];
	unsigned long	seed;
	unsigned long	out[NREGS];	/* x0..x31 after the call (sp not kept) */
};

/*
 * regs_syscall(c): make system call c->nr with c->arg[0..2] in a0..a2 and
 * every other register but sp (ra, gp, tp, t0..t6, s0..s11, a3..a6) set
 * to c->seed + its number; store every register after the call in
 * c->out.  gp and tp hold no pointers meanwhile: nothing here uses them.
 */
void regs_syscall(struct regs_call *c);
__asm__(
"	.text\n"
"	.globl regs_syscall\n"
"regs_syscall:\n"
"	addi	sp, sp, -384\n"
"	sd	ra, 0(sp)\n"
"	sd	gp, 8(sp)\n"
"	sd	tp, 16(sp)\n"
"	sd	s0, 24(sp)\n"
"	sd	s1, 32(sp)\n"
"	sd	s2, 40(sp)\n"
"	sd	s3, 48(sp)\n"
"	sd	s4, 56(sp)\n"
"	sd	s5, 64(sp)\n"
"	sd	s6, 72(sp)\n"
"	sd	s7, 80(sp)\n"
"	sd	s8, 88(sp)\n"
"	sd	s9, 96(sp)\n"
"	sd	s10, 104(sp)\n"
"	sd	s11, 112(sp)\n"
"	sd	a0, 120(sp)\n"
"	ld	a7, 0(a0)\n"
"	ld	a1, 16(a0)\n"
"	ld	a2, 24(a0)\n"
"	ld	t0, 32(a0)\n"
"	ld	a0, 8(a0)\n"
"	addi	ra, t0, 1\n"
"	addi	gp, t0, 3\n"
"	addi	tp, t0, 4\n"
"	addi	t1, t0, 6\n"
"	addi	t2, t0, 7\n"
"	addi	s0, t0, 8\n"
"	addi	s1, t0, 9\n"
"	addi	a3, t0, 13\n"
"	addi	a4, t0, 14\n"
"	addi	a5, t0, 15\n"
"	addi	a6, t0, 16\n"
"	addi	s2, t0, 18\n"
"	addi	s3, t0, 19\n"
"	addi	s4, t0, 20\n"
"	addi	s5, t0, 21\n"
"	addi	s6, t0, 22\n"
"	addi	s7, t0, 23\n"
"	addi	s8, t0, 24\n"
"	addi	s9, t0, 25\n"
"	addi	s10, t0, 26\n"
"	addi	s11, t0, 27\n"
"	addi	t3, t0, 28\n"
"	addi	t4, t0, 29\n"
"	addi	t5, t0, 30\n"
"	addi	t6, t0, 31\n"
"	addi	t0, t0, 5\n"
"	ecall\n"
"	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
"	sd	x\\n, (128 + \\n * 8)(sp)\n"
"	.endr\n"
"	ld	t0, 120(sp)\n"
"	addi	t1, sp, 128\n"
"	addi	t2, t0, 40\n"
"	li	t3, 32\n"
"1:	ld	t4, 0(t1)\n"
"	sd	t4, 0(t2)\n"
"	addi	t1, t1, 8\n"
"	addi	t2, t2, 8\n"
"	addi	t3, t3, -1\n"
"	bnez	t3, 1b\n"
"	ld	ra, 0(sp)\n"
"	ld	gp, 8(sp)\n"
"	ld	tp, 16(sp)\n"
"	ld	s0, 24(sp)\n"
"	ld	s1, 32(sp)\n"
"	ld	s2, 40(sp)\n"
"	ld	s3, 48(sp)\n"
"	ld	s4, 56(sp)\n"
"	ld	s5, 64(sp)\n"
"	ld	s6, 72(sp)\n"
"	ld	s7, 80(sp)\n"
"	ld	s8, 88(sp)\n"
"	ld	s9, 96(sp)\n"
"	ld	s10, 104(sp)\n"
"	ld	s11, 112(sp)\n"
"	addi	sp, sp, 384\n"
"	ret\n");

/* Make the call; the registers that differ from what they must be, as a bit mask (a0 apart). */
static unsigned long
call(long nr, long a0, long a1, long a2, unsigned long seed, long *ret)
{
	struct regs_call c = { nr, { a0, a1, a2 }, seed, { 0 } };
	unsigned long bad = 0;

	regs_syscall(&c);
	for (int n = 1; n < NREGS; n++) {
		unsigned long want = seed + n;

		if (n == 2 || n == 10)		/* sp, a0 */
			continue;
		if (n == 11 || n == 12)		/* a1, a2: the arguments */
			want = (unsigned long)c.arg[n - 10];
		else if (n == 17)		/* a7: the number */
			want = (unsigned long)nr;
		if (c.out[n] != want)
			bad |= 1UL << n;
	}
	*ret = (long)c.out[10];
	return bad;
}

/* Empty: it runs with the caller's odd gp and tp, so it touches no global. */
static void
on_alarm(int sig)
{
	(void)sig;
}

static void
alarm_after_ms(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void
handle_alarm(int flags)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
}

/* A child that sleeps ms, then writes one byte to fd from a call with every register seeded. */
static pid_t
writer_child(int fd, long ms, unsigned long seed)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = { 0, ms * 1000000 };
		char byte = 'x';
		long ret;

		nanosleep(&ts, NULL);
		_exit(call(SYS_write, fd, (long)&byte, 1, seed, &ret) == 0 && ret == 1 ? 0 : 1);
	}
	return pid;
}

static int
child_ok(pid_t pid)
{
	int st;

	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int
main(void)
{
	const unsigned long seed = 0x5eed000000000000UL, other = 0x0dd0000000000000UL;
	unsigned long bad;
	int fds[2];
	pid_t pid;
	long ret;

	tap_plan(6);

	bad = call(SYS_getpid, 0, 0, 0, seed, &ret);
	tap_ok(bad == 0 && ret == getpid(), "getpid: only a0 changes (%#lx differ)", bad);

	bad = call(SYS_close, -1, 0, 0, seed, &ret);
	tap_ok(bad == 0 && ret == -EBADF, "close(-1) -> -EBADF: only a0 changes (%#lx differ)", bad);

	/* Asleep in read while a child runs, its gp, tp and the rest set otherwise. */
	pipe(fds);
	pid = writer_child(fds[1], 20, other);
	bad = call(SYS_read, fds[0], (long)&(char){ 0 }, 1, seed, &ret);
	tap_ok(bad == 0 && ret == 1, "read that sleeps while another process runs: "
	    "only a0 changes (%#lx differ, %ld)", bad, ret);
	tap_ok(child_ok(pid), "and the writer's own registers came back too");

	/* Interrupted by a handler, no SA_RESTART: EINTR. */
	handle_alarm(0);
	alarm_after_ms(20);
	bad = call(SYS_read, fds[0], (long)&(char){ 0 }, 1, seed, &ret);
	tap_ok(bad == 0 && ret == -EINTR, "read interrupted by a handler -> -EINTR: "
	    "only a0 changes (%#lx differ, %ld)", bad, ret);

	/* With SA_RESTART: the call runs again after the handler and reads the byte. */
	handle_alarm(SA_RESTART);
	pid = writer_child(fds[1], 100, other);
	alarm_after_ms(20);
	bad = call(SYS_read, fds[0], (long)&(char){ 0 }, 1, seed, &ret);
	tap_ok(bad == 0 && ret == 1 && child_ok(pid), "read restarted after a handler: "
	    "only a0 changes (%#lx differ, %ld)", bad, ret);
	return tap_done();
}
