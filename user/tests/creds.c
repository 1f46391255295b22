/*
 * creds: user and group ids with Linux's rules for root and for everyone
 * else (setuid, setreuid, setresuid, seteuid and the group calls,
 * setfsuid), the supplementary groups, and who may signal whom.
 *
 * The test starts as root; every change is made in a child, which
 * reports through its exit status, so the next check starts as root again.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define NGROUPS_MAX_	65536

static int
uids_are(uid_t r, uid_t e, uid_t s)
{
	uid_t rr = 1, ee = 1, ss = 1;

	return getresuid(&rr, &ee, &ss) == 0 && rr == r && ee == e && ss == s &&
	    getuid() == r && geteuid() == e;
}

static int
gids_are(gid_t r, gid_t e, gid_t s)
{
	gid_t rr = 1, ee = 1, ss = 1;

	return getresgid(&rr, &ee, &ss) == 0 && rr == r && ee == e && ss == s &&
	    getgid() == r && getegid() == e;
}

/* Run fn in a child; true if it exited 0. */
static int
in_child(int (*fn)(void *), void *arg)
{
	int st = run_child(fn, arg);

	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int
resuid_root(void *arg)
{
	(void)arg;
	return !(setresuid(1000, 1001, 1002) == 0 && uids_are(1000, 1001, 1002));
}

/* Without privilege, setresuid may only pick among the current ids. */
static int
resuid_unprivileged(void *arg)
{
	(void)arg;
	if (setresuid(1000, 1001, 1002) != 0)
		return 1;
	if (!(setresuid(1002, -1, 1000) == 0 && uids_are(1002, 1001, 1000)))
		return 2;
	if (!(setresuid(5, -1, -1) == -1 && errno == EPERM && uids_are(1002, 1001, 1000)))
		return 3;
	if (!(setresuid(-1, -1, -1) == 0 && uids_are(1002, 1001, 1000)))
		return 4;
	return 0;
}

/* A saved uid of 0 lets a process take root back; dropping all three does not. */
static int
seteuid_dance(void *arg)
{
	(void)arg;
	if (!(setresuid(1000, 1000, 0) == 0 && uids_are(1000, 1000, 0)))
		return 1;
	if (!(setgroups(0, NULL) == -1 && errno == EPERM))
		return 2;	/* no privilege with euid 1000 */
	if (!(seteuid(0) == 0 && uids_are(1000, 0, 0)))
		return 3;
	if (!(setgroups(0, NULL) == 0))
		return 4;	/* privileged again */
	if (!(setuid(1000) == 0 && uids_are(1000, 1000, 1000)))
		return 5;	/* as root, setuid sets all three */
	if (!(seteuid(0) == -1 && errno == EPERM && setuid(0) == -1 && errno == EPERM))
		return 6;
	if (!(setuid(1000) == 0))
		return 7;
	return 0;
}

static int
setuid_unprivileged(void *arg)
{
	(void)arg;
	if (setresuid(1000, 2000, 1001) != 0)
		return 1;
	if (!(setuid(1001) == 0 && uids_are(1000, 1001, 1001)))
		return 2;	/* only the effective id changes, to the saved one */
	if (!(setuid(1000) == 0 && uids_are(1000, 1000, 1001)))
		return 3;
	if (!(setuid(3000) == -1 && errno == EPERM))
		return 4;
	if (!(setuid(-1) == -1 && errno == EINVAL))
		return 5;
	return 0;
}

/* setreuid: the saved id follows the effective one when Linux says it does. */
static int
setreuid_rules(void *arg)
{
	(void)arg;
	if (!(setreuid(-1, 1000) == 0 && uids_are(0, 1000, 1000)))
		return 1;	/* euid != ruid: saved = euid */
	if (!(setreuid(-1, 0) == 0 && uids_are(0, 0, 1000)))
		return 2;	/* back to the real id, saved untouched */
	if (!(setreuid(1000, 1001) == 0 && uids_are(1000, 1001, 1001)))
		return 3;	/* ruid set: saved = euid */
	if (!(setreuid(1001, -1) == 0 && uids_are(1001, 1001, 1001)))
		return 4;	/* unprivileged: ruid may become the euid */
	if (!(setreuid(5, -1) == -1 && errno == EPERM))
		return 5;
	return 0;
}

static int
group_ids(void *arg)
{
	(void)arg;
	if (!(setresgid(100, 101, 102) == 0 && gids_are(100, 101, 102)))
		return 1;
	if (!(setgid(7) == 0 && gids_are(7, 7, 7)))
		return 2;
	if (!(setregid(8, 9) == 0 && gids_are(8, 9, 9)))
		return 3;
	if (!(setegid(10) == 0 && gids_are(8, 10, 9)))
		return 4;
	if (setresuid(1000, 1000, 1000) != 0)
		return 5;
	if (!(setresgid(9, -1, -1) == 0 && gids_are(9, 10, 9)))
		return 6;	/* unprivileged: among the current gids */
	if (!(setresgid(50, -1, -1) == -1 && errno == EPERM && setgid(50) == -1 &&
	    errno == EPERM))
		return 7;
	return 0;
}

static int
fs_ids(void *arg)
{
	(void)arg;
	if (setfsuid(-1) != 0)
		return 1;	/* -1 only asks */
	if (setfsuid(1234) != 0 || setfsuid(-1) != 1234)
		return 2;	/* root may pick any */
	if (setresuid(1000, 1000, 1000) != 0 || setfsuid(-1) != 1000)
		return 3;	/* it follows the effective uid */
	if (setfsuid(5) != 1000 || setfsuid(-1) != 1000)
		return 4;	/* refused: still 1000 */
	return 0;
}

static int
groups(void *arg)
{
	gid_t set[3] = { 7, 5, 6 }, got[8];
	static gid_t many[NGROUPS_MAX_ + 1];
	pid_t pid;
	int st;

	(void)arg;
	if (setgroups(3, set) != 0 || getgroups(0, NULL) != 3)
		return 1;
	memset(got, 0, sizeof(got));
	if (getgroups(8, got) != 3 || got[0] != 5 || got[1] != 6 || got[2] != 7)
		return 2;	/* kept sorted, as Linux keeps them */
	if (!(getgroups(2, got) == -1 && errno == EINVAL))
		return 3;
	if (!(setgroups(NGROUPS_MAX_ + 1, many) == -1 && errno == EINVAL))
		return 4;
	pid = fork();
	if (pid == 0)
		_exit(getgroups(8, got) == 3 && got[0] == 5 ? 0 : 1);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 5;	/* inherited */
	if (setgroups(0, NULL) != 0 || getgroups(0, NULL) != 0)
		return 6;
	if (setresuid(1000, 1000, 1000) != 0 ||
	    !(setgroups(1, set) == -1 && errno == EPERM))
		return 7;
	return 0;
}

static volatile int got_uid = -1;

static void
on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_uid = (int)si->si_uid;
}

/*
 * A child as (uid, uid, uid), waiting to be signalled; returns its pid
 * once the child has taken the ids (a signal sent before would be judged
 * against root's).
 */
static pid_t
target_as(uid_t uid)
{
	int ready[2];
	char c = 0;
	pid_t pid;

	if (pipe(ready) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		setresuid(uid, uid, uid);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid > 0)
		read(ready[0], &c, 1);
	close(ready[0]);
	return pid;
}

static int
try_kill(void *arg)
{
	pid_t target = *(pid_t *)arg;

	if (setresuid(2000, 2000, 2000) != 0)
		return 1;
	return kill(target, 0) == -1 && errno == EPERM ? 0 : 2;
}

static int
kill_same_user(void *arg)
{
	pid_t target = *(pid_t *)arg;

	if (setresuid(3000, 1000, 3000) != 0)
		return 1;	/* euid matches the target's ruid */
	return kill(target, 0) == 0 ? 0 : 2;
}

static int
send_as_user(void *arg)
{
	pid_t target = *(pid_t *)arg;

	if (setresuid(4321, 0, 0) != 0)
		return 1;
	return kill(target, SIGUSR1) == 0 ? 0 : 2;
}

static void
test_kill(void)
{
	struct sigaction sa;
	pid_t target = target_as(1000), self = getpid();
	int st;

	tap_ok(in_child(try_kill, &target), "another user may not signal (EPERM)");
	tap_ok(in_child(kill_same_user, &target), "one whose effective uid is the target's real one may");
	tap_ok(kill(target, SIGKILL) == 0, "root may");
	waitpid(target, &st, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	target = fork();
	if (target == 0)
		_exit(send_as_user(&self));
	/* The signal may interrupt the wait (wait4's restart is not what is tested here). */
	while (waitpid(target, &st, 0) == -1 && errno == EINTR)
		;
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && got_uid == 4321,
	    "si_uid is the sender's real uid (%d)", got_uid);
	signal(SIGUSR1, SIG_DFL);
}

int
main(void)
{
	if (geteuid() != 0) {
		tap_skip_all("needs to start as root");
		return tap_done();
	}
	tap_plan(13);
	tap_ok(uids_are(0, 0, 0) && gids_are(0, 0, 0), "root: all ids 0");
	tap_ok(in_child(resuid_root, NULL), "root may setresuid to anything");
	tap_ok(in_child(resuid_unprivileged, NULL),
	    "without privilege setresuid picks among the current ids (else EPERM)");
	tap_ok(in_child(seteuid_dance, NULL),
	    "a saved uid 0 lets seteuid(0) take privilege back; setuid as root drops it for good");
	tap_ok(in_child(setuid_unprivileged, NULL),
	    "without privilege setuid changes only the effective uid, to the real or saved one");
	tap_ok(in_child(setreuid_rules, NULL), "setreuid: the saved uid follows Linux's rule");
	tap_ok(in_child(group_ids, NULL), "the group ids follow the same rules");
	tap_ok(in_child(fs_ids, NULL), "setfsuid returns the old id and follows seteuid");
	tap_ok(in_child(groups, NULL),
	    "setgroups/getgroups: sorted, inherited, size checks, root only");
	test_kill();
	return tap_done();
}
