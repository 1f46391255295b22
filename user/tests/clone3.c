/*
 * clone3: the clone call glibc tries first (pthread_create, posix_spawn),
 * its arguments in a struct clone_args: a forked child, a thread on its
 * own stack as glibc starts one, a vfork child, the tids it writes, and Linux's answers to a
 * bad block (size, unknown trailing fields, signal bits in flags, half a
 * stack, a signal for a thread, a chosen tid, a bad address).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <uapi/sched.h>
#include <unistd.h>
#include <uthread.h>

#define STACK_SIZE	(64 * 1024)
#define BAD_ADDRESS	8	/* in the unmapped first page */

static int shared_word;
static pid_t parent_pid;

static long
clone3_raw(struct clone_args *ca, unsigned long size)
{
	return syscall(SYS_clone3, ca, size, 0, 0, 0, 0);
}

static void
args_init(struct clone_args *ca, unsigned long long flags, unsigned long long exit_signal)
{
	memset(ca, 0, sizeof(*ca));
	ca->flags = flags;
	ca->exit_signal = exit_signal;
}

/* The exit status of pid, or -1 when it did not exit normally. */
static int
exit_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A forked child: its parent is the caller, its memory a copy. */
static int
forked_child(void *arg)
{
	(void)arg;
	if (getppid() != parent_pid)
		return 1;
	shared_word = 99;
	return 7;
}

static void
test_fork(void)
{
	struct clone_args ca;
	pid_t ptid = 0;
	long pid;

	args_init(&ca, CLONE_PARENT_SETTID, SIGCHLD);
	ca.parent_tid = (unsigned long)&ptid;
	shared_word = 1;
	pid = clone3_run(&ca, sizeof(ca), forked_child, NULL);
	tap_ok(pid > 0 && exit_status(pid) == 7, "a forked child runs and exits with its status");
	tap_ok(ptid == pid, "CLONE_PARENT_SETTID wrote the child's pid (%d, %ld)", ptid, pid);
	tap_ok(shared_word == 1, "the child's write stays in its own copy");
}

/* A thread: same process, same memory, its own tid. */
static int
thread_body(void *arg)
{
	pid_t *tid = arg;

	*tid = gettid();
	__atomic_store_n(&shared_word, getpid() == parent_pid ? 42 : 13, __ATOMIC_RELEASE);
	return 0;
}

static void
test_thread(void)
{
	struct clone_args ca;
	struct uthread t = { 0 };
	pid_t seen = 0;
	long tid;

	t.stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	t.stack_size = STACK_SIZE;
	if (!tap_ok(t.stack != MAP_FAILED, "a thread stack is mapped")) {
		tap_skip("no stack");
		tap_skip("no stack");
		return;
	}
	args_init(&ca, UTHREAD_CLONE_FLAGS, 0);
	ca.stack = (unsigned long)t.stack;
	ca.stack_size = STACK_SIZE;
	ca.tls = (unsigned long)uthread_tp();
	ca.parent_tid = (unsigned long)&t.tid;
	ca.child_tid = (unsigned long)&t.tid;
	/* As glibc's pthread_create fills it: without CLONE_PIDFD it is ignored. */
	ca.pidfd = (unsigned long)&t.tid;
	shared_word = 0;
	tid = clone3_run(&ca, sizeof(ca), thread_body, &seen);
	if (tid > 0)
		uthread_join(&t);	/* waits for the kernel to clear t.tid, unmaps the stack */
	else
		munmap(t.stack, STACK_SIZE);
	tap_ok(tid > 0 && seen == tid && tid != getpid(),
	    "a CLONE_THREAD child runs on its stack with its own tid (%ld, %d)", tid, seen);
	tap_ok(__atomic_load_n(&shared_word, __ATOMIC_ACQUIRE) == 42,
	    "it shares the process and its memory");
}

/* A vfork child, as posix_spawn makes it: the parent's memory, its own stack. */
static int
vfork_child(void *arg)
{
	(void)arg;
	shared_word = 77;
	return 3;
}

static void
test_vfork(void)
{
	struct clone_args ca;
	void *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long pid;
	int seen;

	args_init(&ca, CLONE_VM | CLONE_VFORK, SIGCHLD);
	ca.stack = (unsigned long)stack;
	ca.stack_size = STACK_SIZE;
	shared_word = 0;
	pid = clone3_run(&ca, sizeof(ca), vfork_child, NULL);
	seen = shared_word;	/* the child has exited: vfork waited */
	tap_ok(pid > 0 && seen == 77 && exit_status(pid) == 3,
	    "a CLONE_VM|CLONE_VFORK child writes the parent's memory before the parent goes on");
	munmap(stack, STACK_SIZE);
}

/* A bigger block than ours is fine while the fields we do not know are zero. */
static void
test_sizes(void)
{
	unsigned long long big[16];
	struct clone_args *ca = (struct clone_args *)big;
	long pid;

	memset(big, 0, sizeof(big));
	ca->exit_signal = SIGCHLD;
	pid = clone3_run(ca, sizeof(big), forked_child, NULL);
	tap_ok(pid > 0 && exit_status(pid) == 7, "a larger block with zeros past the fields works");
	errno = 0;
	tap_ok(clone3_raw(ca, CLONE_ARGS_SIZE_VER0 - 8) == -1 && errno == EINVAL,
	    "a block smaller than the first version: EINVAL");
	big[14] = 1;
	errno = 0;
	tap_ok(clone3_raw(ca, sizeof(big)) == -1 && errno == E2BIG,
	    "a non-zero field past the known ones: E2BIG");
	errno = 0;
	tap_ok(clone3_raw(ca, 4096 + 8) == -1 && errno == E2BIG, "a block beyond a page: E2BIG");
	errno = 0;
	tap_ok(clone3_raw((struct clone_args *)BAD_ADDRESS, sizeof(*ca)) == -1 && errno == EFAULT,
	    "an unmapped block: EFAULT");
}

static void
expect_einval(unsigned long long flags, unsigned long long exit_signal,
    unsigned long long stack, unsigned long long stack_size, const char *what)
{
	struct clone_args ca;

	args_init(&ca, flags, exit_signal);
	ca.stack = stack;
	ca.stack_size = stack_size;
	errno = 0;
	tap_ok(clone3_raw(&ca, sizeof(ca)) == -1 && errno == EINVAL, "%s: EINVAL", what);
}

static void
test_invalid(void)
{
	struct clone_args ca;

	expect_einval(SIGCHLD, 0, 0, 0, "the signal in flags");
	expect_einval(CLONE_DETACHED, SIGCHLD, 0, 0, "CLONE_DETACHED");
	expect_einval(0, 65, 0, 0, "exit signal 65");
	expect_einval(UTHREAD_CLONE_FLAGS, SIGCHLD, 0, 0, "an exit signal for a thread");
	expect_einval(0, SIGCHLD, 0x10000, 0, "a stack without a size");
	expect_einval(0, SIGCHLD, 0, 0x10000, "a stack size without a stack");
	args_init(&ca, 0, SIGCHLD);
	ca.set_tid_size = 1;
	errno = 0;
	tap_ok(clone3_raw(&ca, sizeof(ca)) == -1 && errno == EINVAL,
	    "set_tid_size without set_tid: EINVAL");
}

int
main(void)
{
	struct clone_args probe;

	parent_pid = getpid();
	memset(&probe, 0, sizeof(probe));
	if (clone3_raw(&probe, 0) == -1 && errno == ENOSYS && under_qemu_user()) {
		tap_skip_all("qemu-user 7.2 does not emulate clone3 (ENOSYS)");
		return tap_done();
	}
	tap_plan(19);
	test_fork();
	test_thread();
	test_vfork();
	test_sizes();
	test_invalid();
	return tap_done();
}
