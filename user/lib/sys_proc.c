/* sys_proc.c: wrappers for processes, identity and limits. */
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/fsuid.h>
#include <sys/futex.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <string.h>
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

uid_t
geteuid(void)
{
	return SC0(SYS_geteuid);
}

gid_t
getgid(void)
{
	return SC0(SYS_getgid);
}

gid_t
getegid(void)
{
	return SC0(SYS_getegid);
}

int
setuid(uid_t uid)
{
	return RET(SC1(SYS_setuid, uid));
}

int
setgid(gid_t gid)
{
	return RET(SC1(SYS_setgid, gid));
}

/* seteuid and setegid are setresuid and setresgid changing one id, as in glibc. */
int
seteuid(uid_t uid)
{
	return RET(SC3(SYS_setresuid, -1, uid, -1));
}

int
setegid(gid_t gid)
{
	return RET(SC3(SYS_setresgid, -1, gid, -1));
}

int
setreuid(uid_t ruid, uid_t euid)
{
	return RET(SC2(SYS_setreuid, ruid, euid));
}

int
setregid(gid_t rgid, gid_t egid)
{
	return RET(SC2(SYS_setregid, rgid, egid));
}

int
setresuid(uid_t ruid, uid_t euid, uid_t suid)
{
	return RET(SC3(SYS_setresuid, ruid, euid, suid));
}

int
setresgid(gid_t rgid, gid_t egid, gid_t sgid)
{
	return RET(SC3(SYS_setresgid, rgid, egid, sgid));
}

int
getresuid(uid_t *ruid, uid_t *euid, uid_t *suid)
{
	return RET(SC3(SYS_getresuid, ruid, euid, suid));
}

int
getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid)
{
	return RET(SC3(SYS_getresgid, rgid, egid, sgid));
}

int
setfsuid(uid_t fsuid)
{
	return SC1(SYS_setfsuid, fsuid);
}

int
setfsgid(gid_t fsgid)
{
	return SC1(SYS_setfsgid, fsgid);
}

int
getgroups(int size, gid_t list[])
{
	return RET(SC2(SYS_getgroups, size, list));
}

int
setgroups(size_t size, const gid_t *list)
{
	return RET(SC2(SYS_setgroups, size, list));
}

int
setpgid(pid_t pid, pid_t pgid)
{
	return RET(SC2(SYS_setpgid, pid, pgid));
}

pid_t
getpgid(pid_t pid)
{
	return RET(SC1(SYS_getpgid, pid));
}

pid_t
getpgrp(void)
{
	return getpgid(0);
}

pid_t
setsid(void)
{
	return RET(SC0(SYS_setsid));
}

pid_t
getsid(pid_t pid)
{
	return RET(SC1(SYS_getsid, pid));
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
getrusage(int who, struct rusage *ru)
{
	return RET(SC2(SYS_getrusage, who, ru));
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

int
sched_get_priority_max(int policy)
{
	return RET(SC1(SYS_sched_get_priority_max, policy));
}

int
sched_get_priority_min(int policy)
{
	return RET(SC1(SYS_sched_get_priority_min, policy));
}

int
sched_getscheduler(pid_t pid)
{
	return RET(SC1(SYS_sched_getscheduler, pid));
}

int
sched_getparam(pid_t pid, struct sched_param *param)
{
	return RET(SC2(SYS_sched_getparam, pid, param));
}

int
__cpu_count(const cpu_set_t *set)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(set->__bits) / sizeof(set->__bits[0]); i++)
		n += __builtin_popcountl(set->__bits[i]);
	return n;
}

int
sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	return RET(SC3(SYS_sched_setaffinity, pid, size, set));
}

int
sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	long n = RET(SC3(SYS_sched_getaffinity, pid, size, set));

	if (n < 0)
		return -1;
	if ((size_t)n < size)
		memset((char *)set + n, 0, size - (size_t)n);
	return 0;
}

int
getcpu(unsigned int *cpu, unsigned int *node)
{
	return RET(SC3(SYS_getcpu, cpu, node, 0));
}

int
sched_getcpu(void)
{
	unsigned int cpu;

	return getcpu(&cpu, NULL) == 0 ? (int)cpu : -1;
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

int
sysinfo(struct sysinfo *info)
{
	return RET(SC1(SYS_sysinfo, info));
}
