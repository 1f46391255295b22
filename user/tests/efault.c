/* efault: bad user pointers passed to system calls give EFAULT, not a crash. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define KERNEL_ADDR ((void *)0xffffffc000000000UL)

struct bad {
	const char *name;
	void *addr;
};

int
main(void)
{
	struct bad bad[3];
	char *ro = map_pages(1);
	int fds[2], i;
	char buf[8];
	long r;

	bad[0].name = "NULL";
	bad[0].addr = NULL;
	bad[1].name = "kernel half";
	bad[1].addr = KERNEL_ADDR;
	bad[2].name = "unmapped";
	bad[2].addr = unmapped_pages(1);
	mprotect(ro, PGSZ, PROT_READ);
	tap_plan(19);
	pipe(fds);
	for (i = 0; i < 3; i++) {
		/* write() from a bad buffer. */
		tap_ok(write(fds[1], bad[i].addr, 16) == -1 && errno == EFAULT,
		    "write from %s buffer -> EFAULT", bad[i].name);
		/* read() into a bad buffer (data is waiting in the pipe). */
		write(fds[1], "0123456789abcdef", 16);
		tap_ok(read(fds[0], bad[i].addr, 16) == -1 && errno == EFAULT,
		    "read into %s buffer -> EFAULT", bad[i].name);
		/* A path argument. */
		tap_ok(open(bad[i].addr, O_RDONLY) == -1 && errno == EFAULT,
		    "open of %s path -> EFAULT", bad[i].name);
		/* An output structure. */
		tap_ok(clock_gettime(CLOCK_MONOTONIC, bad[i].addr) == -1 &&
		    errno == EFAULT, "clock_gettime into %s -> EFAULT",
		    bad[i].name);
	}
	/* read() into a read-only page. */
	close(fds[0]);
	close(fds[1]);
	pipe(fds);
	write(fds[1], "x", 1);
	tap_ok(read(fds[0], ro, 1) == -1 && errno == EFAULT && ro[0] == 0,
	    "read into a read-only page -> EFAULT, page unchanged");
	/* Other shapes of user pointer. */
	tap_ok(uname(KERNEL_ADDR) == -1 && errno == EFAULT,
	    "uname into the kernel half -> EFAULT");
	tap_ok(pipe((int *)ro) == -1 && errno == EFAULT,
	    "pipe2 into a read-only page -> EFAULT");
	r = syscall(SYS_rt_sigaction, SIGUSR1, KERNEL_ADDR, NULL, 8);
	tap_ok(r == -1 && errno == EFAULT,
	    "rt_sigaction from the kernel half -> EFAULT");
	r = syscall(SYS_execve, KERNEL_ADDR, NULL, NULL);
	tap_ok(r == -1 && errno == EFAULT, "execve of a kernel-half path -> EFAULT");
	/* The process is still healthy: a normal call works. */
	read(fds[0], buf, sizeof(buf));		/* drain the "x" */
	tap_ok(write(fds[1], "ok", 2) == 2 && read(fds[0], buf, 2) == 2 &&
	    buf[0] == 'o' && buf[1] == 'k', "the process carries on normally");
	tap_ok(getpid() > 0, "still alive");
	return tap_done();
}
