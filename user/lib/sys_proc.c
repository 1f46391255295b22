/* sys_proc.c: wrappers for processes, identity and limits. */
#include <sched.h>
#include <signal.h>
#include <sys/futex.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "syscall_impl.h"

long
sys_clone(unsigned long flags, void *stack, pid_t *ptid, void *tls,
    pid_t *ctid)
{
	return RET(SC5(SYS_clone, flags, stack, ptid, tls, ctid));
}

/* fork is clone with only the exit signal: a copy-on-write child. */
pid_t
fork(void)
{
	return RET(SC5(SYS_clone, SIGCHLD, 0, 0, 0, 0));
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	return RET(SC3(SYS_execve, path, argv, envp));
}

void
_exit(int status)
{
	for (;;)
		SC1(SYS_exit_group, status);
}

pid_t
wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return RET(SC4(SYS_wait4, pid, status, options, ru));
}

pid_t
waitpid(pid_t pid, int *status, int options)
{
	return wait4(pid, status, options, NULL);
}

pid_t
wait(int *status)
{
	return wait4(-1, status, 0, NULL);
}

pid_t
getpid(void)
{
	return SC0(SYS_getpid);
}

pid_t
getppid(void)
{
	return SC0(SYS_getppid);
}

pid_t
gettid(void)
{
	return SC0(SYS_gettid);
}

uid_t
getuid(void)
{
	return SC0(SYS_getuid);
}

int
setuid(uid_t uid)
{
	return RET(SC1(SYS_setuid, uid));
}

uid_t
geteuid(void)
{
	return SC0(SYS_geteuid);
}

int
setpgid(pid_t pid, pid_t pgid)
{
	return RET(SC2(SYS_setpgid, pid, pgid));
}

pid_t
set_tid_address(int *tidptr)
{
	return SC1(SYS_set_tid_address, tidptr);
}

long
set_robust_list(void *head, size_t len)
{
	return RET(SC2(SYS_set_robust_list, head, len));
}

int
getrlimit(int res, struct rlimit *rl)
{
	return RET(SC2(SYS_getrlimit, res, rl));
}

int
setrlimit(int res, const struct rlimit *rl)
{
	return RET(SC2(SYS_setrlimit, res, rl));
}

int
prlimit(pid_t pid, int res, const struct rlimit *nrl, struct rlimit *orl)
{
	return RET(SC4(SYS_prlimit64, pid, res, nrl, orl));
}

long
futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *timeout,
    uint32_t *uaddr2, uint32_t val3)
{
	return RET(SC6(SYS_futex, uaddr, op, val, timeout, uaddr2, val3));
}

int
sched_yield(void)
{
	return RET(SC0(SYS_sched_yield));
}

long
sched_getaffinity(pid_t pid, unsigned long len, unsigned long *mask)
{
	return RET(SC3(SYS_sched_getaffinity, pid, len, mask));
}

int
uname(struct utsname *u)
{
	return RET(SC1(SYS_uname, u));
}

int
reboot(int cmd)
{
	return RET(SC4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
	    cmd, 0));
}
