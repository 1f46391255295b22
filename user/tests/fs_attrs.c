/*
 * fs_attrs: files' attributes and who may change or use them -- chmod,
 * chown, utimensat, umask, statx beside stat, statfs -- and the
 * permission checks a user other than root meets (read, write, search,
 * execute, creating and removing in a directory, the sticky bit), with
 * root passing them all but the execute bit.
 *
 * Runs in a fresh directory under TEST_DIR (default /tmp); the checks as
 * another user run in a child that has become uid 1000, gid 1000.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define USER_ID		1000
#define GROUP_ID	1000
#define PROC_MAGIC	0x9fa0
#define XATTR_LONG_NAME	256	/* bytes in a name, one over Linux's limit */
#define XATTR_BIG_VALUE	65537	/* bytes in a value, one over Linux's limit */

static int
make_file(const char *name, mode_t mode)
{
	int fd = open(tpath(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	write(fd, "data", 4);
	close(fd);
	return chmod(tpath(name), mode);
}

static mode_t
mode_of(const char *name)
{
	struct stat st;

	return lstat(tpath(name), &st) == 0 ? st.st_mode & 07777 : 0xffff;
}

static void
test_chmod(void)
{
	struct stat st;
	int fd;

	make_file("f", 0644);
	tap_ok(chmod(tpath("f"), 0600) == 0 && mode_of("f") == 0600, "chmod: 0600");
	tap_ok(chmod(tpath("f"), 07777) == 0 && mode_of("f") == 07777, "chmod: every bit, 07777");
	fd = open(tpath("f"), O_RDONLY);
	tap_ok(fd >= 0 && fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "fchmod: through a descriptor");
	close(fd);
	tap_ok(fchmodat(AT_FDCWD, tpath("f"), 0444, 0) == 0 && mode_of("f") == 0444, "fchmodat: 0444");
	symlink("f", tpath("l"));
	tap_ok(chmod(tpath("l"), 0604) == 0 && mode_of("f") == 0604 && mode_of("l") == 0777,
	    "chmod: follows a symbolic link, which keeps 0777");
	tap_ok(fails_with(chmod(tpath("none"), 0600), ENOENT), "chmod: a missing file is ENOENT");
	unlink(tpath("l"));
}

/* The umask applies to open, mkdir and mknod, and umask returns the old one. */
static void
test_umask(void)
{
	mode_t old = umask(027);
	int fd;

	tap_ok(umask(027) == 027, "umask: returns the mask it replaces");
	fd = open(tpath("um"), O_WRONLY | O_CREAT, 0666);
	close(fd);
	tap_ok(mode_of("um") == 0640, "umask 027: open 0666 makes 0640 (%o)", mode_of("um"));
	tap_ok(mkdir(tpath("umd"), 0777) == 0 && mode_of("umd") == 0750, "umask 027: mkdir 0777 makes 0750");
	tap_ok(mknod(tpath("ump"), S_IFIFO | 0666, 0) == 0 && mode_of("ump") == 0640,
	    "umask 027: mknod 0666 makes 0640");
	tap_ok(symlink("x", tpath("uml")) == 0 && mode_of("uml") == 0777,
	    "umask: a symbolic link is 0777 anyway");
	umask(old);
	unlink(tpath("um"));
	unlink(tpath("ump"));
	unlink(tpath("uml"));
	rmdir(tpath("umd"));
}

static void
test_times(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 5 } };
	struct stat st, before;
	int fd;

	make_file("t", 0644);
	stat(tpath("t"), &before);
	/* (A file system that keeps whole seconds, as ext2, drops the nanoseconds.) */
	tap_ok(utimensat(AT_FDCWD, tpath("t"), ts, 0) == 0 && stat(tpath("t"), &st) == 0 &&
	    st.st_atime_sec == 1000000000 && st.st_mtime_sec == 1200000000 &&
	    ((st.st_atime_nsec == 123456789 && st.st_mtime_nsec == 5) ||
	    (st.st_atime_nsec == 0 && st.st_mtime_nsec == 0)),
	    "utimensat: explicit times, to the nanosecond or the second");
	tap_ok(st.st_ctime_sec > 1200000000 || st.st_ctime_sec >= before.st_ctime_sec,
	    "utimensat: ctime becomes now, not the given time");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 1300000000, 0 };
	tap_ok(utimensat(AT_FDCWD, tpath("t"), ts, 0) == 0 && stat(tpath("t"), &st) == 0 &&
	    st.st_atime_sec == 1000000000 && st.st_mtime_sec == 1300000000,
	    "utimensat: UTIME_OMIT leaves the access time");
	ts[0] = (struct timespec){ 0, UTIME_NOW };
	ts[1].tv_nsec = UTIME_OMIT;
	tap_ok(utimensat(AT_FDCWD, tpath("t"), ts, 0) == 0 && stat(tpath("t"), &st) == 0 &&
	    st.st_atime_sec != 1000000000 && st.st_mtime_sec == 1300000000,
	    "utimensat: UTIME_NOW sets the access time to now");
	ts[0] = (struct timespec){ 0, 1000000000 };
	tap_ok(fails_with(utimensat(AT_FDCWD, tpath("t"), ts, 0), EINVAL),
	    "utimensat: tv_nsec of a billion is EINVAL");
	tap_ok(fails_with(utimensat(AT_FDCWD, tpath("t"), NULL, 0x8000), EINVAL),
	    "utimensat: unknown flags are EINVAL");
	fd = open(tpath("t"), O_RDONLY);
	tap_ok(fd >= 0 && futimens(fd, NULL) == 0 && fstat(fd, &st) == 0 &&
	    st.st_mtime_sec != 1300000000, "futimens(NULL): both times now");
	close(fd);
	symlink("t", tpath("tl"));
	ts[0] = ts[1] = (struct timespec){ 1400000000, 0 };
	tap_ok(utimensat(AT_FDCWD, tpath("tl"), ts, AT_SYMLINK_NOFOLLOW) == 0 &&
	    lstat(tpath("tl"), &st) == 0 && st.st_mtime_sec == 1400000000 &&
	    stat(tpath("t"), &before) == 0 && before.st_mtime_sec != 1400000000,
	    "utimensat AT_SYMLINK_NOFOLLOW: the link's own times");
	unlink(tpath("tl"));
}

static void
test_statx(void)
{
	struct statx stx;
	struct stat st;

	mkdir(tpath("sx"), 0751);
	tap_ok(statx(AT_FDCWD, tpath("sx"), 0, STATX_BASIC_STATS, &stx) == 0 &&
	    stat(tpath("sx"), &st) == 0 && (stx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS &&
	    stx.stx_ino == st.st_ino && stx.stx_mode == st.st_mode && stx.stx_nlink == st.st_nlink &&
	    stx.stx_uid == st.st_uid && stx.stx_size == (uint64_t)st.st_size &&
	    stx.stx_mtime.tv_sec == st.st_mtime_sec && stx.stx_mtime.tv_nsec == st.st_mtime_nsec &&
	    ((unsigned long)stx.stx_dev_major << 8 | stx.stx_dev_minor) == st.st_dev,
	    "statx: the same as stat");
	symlink("sx", tpath("sxl"));
	tap_ok(statx(AT_FDCWD, tpath("sxl"), AT_SYMLINK_NOFOLLOW, STATX_MODE, &stx) == 0 &&
	    S_ISLNK(stx.stx_mode), "statx AT_SYMLINK_NOFOLLOW: the link itself");
	tap_ok(fails_with(statx(AT_FDCWD, tpath("sx"), 0, STATX__RESERVED, &stx), EINVAL),
	    "statx: STATX__RESERVED in the mask is EINVAL");
	tap_ok(fails_with(statx(AT_FDCWD, tpath("sx"), AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
	    STATX_MODE, &stx), EINVAL), "statx: both sync kinds is EINVAL");
	tap_ok(fails_with(statx(AT_FDCWD, "", 0, STATX_MODE, &stx), ENOENT) &&
	    statx(AT_FDCWD, "", AT_EMPTY_PATH, STATX_MODE, &stx) == 0 && S_ISDIR(stx.stx_mode),
	    "statx: an empty path needs AT_EMPTY_PATH (then the working directory)");
	unlink(tpath("sxl"));
	rmdir(tpath("sx"));
}

static void
test_statfs(void)
{
	struct statfs a, b;
	int fd = open(tpath("f"), O_RDONLY);

	tap_ok(statfs("/proc", &a) == 0 && a.f_type == PROC_MAGIC, "statfs: /proc is procfs");
	tap_ok(statfs(tpath("f"), &a) == 0 && fd >= 0 && fstatfs(fd, &b) == 0 && a.f_type == b.f_type &&
	    a.f_type != PROC_MAGIC && a.f_bsize > 0 && a.f_blocks >= a.f_bfree,
	    "statfs and fstatfs agree on the test directory's file system");
	close(fd);
}

/*
 * Extended attributes.  Ours keeps none: a listing is empty and the rest
 * EOPNOTSUPP, as on Linux's ramfs.  The host's file system (qemu-user)
 * may keep them, so there an attribute never set is ENODATA or
 * EOPNOTSUPP and a set one is removed again.  The argument checks are
 * Linux's on both.
 */
static void
test_xattr(void)
{
	const char *f = tpath("f"), *dangling = tpath("xl");
	static char big_value[XATTR_BIG_VALUE];	/* readable: qemu-user checks that first */
	char name[300] = "user.", buf[64];
	int fd = open(f, O_RDONLY), sable = vmstat_is_sable(), unsupported = 0, errs[3];
	long got[3], r;

	symlink("missing", dangling);
	got[0] = syscall(SYS_getxattr, f, "user.sable.none", buf, sizeof(buf));
	errs[0] = errno;
	got[1] = syscall(SYS_lgetxattr, f, "user.sable.none", buf, sizeof(buf));
	errs[1] = errno;
	got[2] = syscall(SYS_fgetxattr, fd, "user.sable.none", buf, sizeof(buf));
	errs[2] = errno;
	for (int i = 0; i < 3; i++)
		unsupported += got[i] == -1 && errs[i] == EOPNOTSUPP;
	tap_ok(unsupported == 3 || (!sable && got[0] == -1 && errs[0] == ENODATA &&
	    got[1] == -1 && errs[1] == ENODATA && got[2] == -1 && errs[2] == ENODATA),
	    "getxattr, lgetxattr, fgetxattr of an attribute never set: %s",
	    sable ? "EOPNOTSUPP (none kept)" : "ENODATA or EOPNOTSUPP");
	got[0] = syscall(SYS_listxattr, f, NULL, 0);
	got[1] = syscall(SYS_llistxattr, dangling, NULL, 0);
	got[2] = syscall(SYS_flistxattr, fd, NULL, 0);
	tap_ok(got[0] >= 0 && got[1] >= 0 && got[2] >= 0 &&
	    (!sable || got[0] + got[1] + got[2] == 0),
	    "listxattr, llistxattr (of a dangling link), flistxattr: %s (%ld %ld %ld)",
	    sable ? "empty" : "a size", got[0], got[1], got[2]);
	tap_ok(syscall(SYS_listxattr, dangling, NULL, 0) == -1 && errno == ENOENT &&
	    syscall(SYS_getxattr, tpath("absent"), "user.x", buf, sizeof(buf)) == -1 &&
	    errno == ENOENT && syscall(SYS_fgetxattr, -1, "user.x", buf, sizeof(buf)) == -1 &&
	    errno == EBADF, "a dangling link followed, a missing file -> ENOENT; fd -1 -> EBADF");
	r = syscall(SYS_setxattr, f, "user.sable.x", "v", 1, 0);
	tap_ok(sable ? r == -1 && errno == EOPNOTSUPP :
	    (r == 0 && syscall(SYS_removexattr, f, "user.sable.x") == 0) ||
	    (r == -1 && errno == EOPNOTSUPP),
	    "setxattr: %s", sable ? "EOPNOTSUPP" : "set and removed, or EOPNOTSUPP");
	memset(name + 5, 'a', XATTR_LONG_NAME - 5);
	r = syscall(SYS_getxattr, f, "", buf, sizeof(buf));
	errs[0] = errno;
	got[0] = syscall(SYS_getxattr, f, name, buf, sizeof(buf));
	tap_ok(r == -1 && errs[0] == ERANGE && got[0] == -1 && errno == ERANGE,
	    "a name empty or over 255 bytes -> ERANGE (errno %d, %d)", errs[0], errno);
	r = syscall(SYS_setxattr, f, "user.x", "v", 1, 4);
	errs[0] = errno;
	got[0] = syscall(SYS_setxattr, f, "user.x", big_value, sizeof(big_value), 0);
	tap_ok(r == -1 && errs[0] == EINVAL && got[0] == -1 && errno == E2BIG,
	    "setxattr: unknown flags -> EINVAL, a value over 64 KiB -> E2BIG (errno %d, %d)",
	    errs[0], errno);
	r = syscall(SYS_fsetxattr, fd, "user.x", (void *)8, 8, 0);
	errs[0] = errno;
	got[0] = syscall(SYS_getxattr, f, (void *)8, buf, sizeof(buf));
	tap_ok(r == -1 && errs[0] == EFAULT && got[0] == -1 && errno == EFAULT,
	    "an unreadable value or name -> EFAULT (errno %d, %d)", errs[0], errno);
	unlink(dangling);
	close(fd);
}

/* Root may change owners; the setuid bit goes with a change. */
static void
test_chown(void)
{
	struct stat st;

	make_file("own", 0644);
	tap_ok(chown(tpath("own"), USER_ID, GROUP_ID) == 0 && stat(tpath("own"), &st) == 0 &&
	    st.st_uid == USER_ID && st.st_gid == GROUP_ID, "chown: root gives a file away");
	tap_ok(chown(tpath("own"), (uid_t)-1, 0) == 0 && stat(tpath("own"), &st) == 0 &&
	    st.st_uid == USER_ID && st.st_gid == 0, "chown: -1 keeps the owner");
	chmod(tpath("own"), 06755);
	tap_ok(chown(tpath("own"), USER_ID, (gid_t)-1) == 0 && mode_of("own") == 0755,
	    "chown: clears setuid, and setgid on a group-executable file (%o)", mode_of("own"));
	chmod(tpath("own"), 02745);
	tap_ok(chown(tpath("own"), USER_ID, (gid_t)-1) == 0 && mode_of("own") == 02745,
	    "chown: keeps setgid without group execute (%o)", mode_of("own"));
	symlink("own", tpath("ownl"));
	tap_ok(lchown(tpath("ownl"), 7, 8) == 0 && lstat(tpath("ownl"), &st) == 0 && st.st_uid == 7 &&
	    stat(tpath("own"), &st) == 0 && st.st_uid == USER_ID, "lchown: the link's own owners");
	unlink(tpath("ownl"));
}

#define UNREACHABLE	101	/* as_user's status: uid 1000 cannot reach the test directory */

/* The checks as uid 1000 (a child process).  Returns 0 if all held. */
static int
as_user(void *arg)
{
	struct stat st;
	int bad = 0, fd;

	(void)arg;
	if (setgid(GROUP_ID) != 0 || setuid(USER_ID) != 0 || getuid() != USER_ID)
		return 100;
	if (access(test_dir(), X_OK) != 0)
		return UNREACHABLE;
	/* priv: 0600 root; open: 0644 root; own: 02745 user's; closed: a 0700 root dir */
	bad |= !fails_with(open(tpath("priv"), O_RDONLY), EACCES) << 0;
	bad |= !fails_with(open(tpath("open"), O_WRONLY), EACCES) << 1;
	fd = open(tpath("open"), O_RDONLY);
	bad |= (fd < 0) << 2;
	close(fd);
	bad |= !fails_with(access(tpath("priv"), R_OK), EACCES) << 3;
	bad |= (access(tpath("open"), R_OK) != 0) << 4;
	bad |= !fails_with(stat(tpath("closed/inside"), &st), EACCES) << 5;
	bad |= !fails_with(open(tpath("new"), O_WRONLY | O_CREAT, 0644), EACCES) << 6;
	bad |= !fails_with(unlink(tpath("open")), EACCES) << 7;
	bad |= !fails_with(chmod(tpath("open"), 0777), EPERM) << 8;
	bad |= !fails_with(chown(tpath("own"), 0, (gid_t)-1), EPERM) << 9;
	bad |= (chown(tpath("own"), (uid_t)-1, GROUP_ID) != 0) << 10;	/* its own group */
	bad |= !fails_with(chown(tpath("own"), (uid_t)-1, 0), EPERM) << 11;
	bad |= (chmod(tpath("own"), 0600) != 0) << 12;
	bad |= !fails_with(utimensat(AT_FDCWD, tpath("open"), NULL, 0), EACCES) << 13;
	bad |= !fails_with(utimensat(AT_FDCWD, tpath("open"),
	    (struct timespec[2]){ { 1, 0 }, { 1, 0 } }, 0), EPERM) << 14;
	bad |= (utimensat(AT_FDCWD, tpath("shared"), NULL, 0) != 0) << 15;	/* writable: may touch */
	/* The sticky directory: mine can go, root's cannot. */
	fd = open(tpath("sticky/mine"), O_WRONLY | O_CREAT, 0644);
	bad |= (fd < 0) << 16;
	close(fd);
	bad |= (unlink(tpath("sticky/mine")) != 0) << 17;
	bad |= !fails_with(unlink(tpath("sticky/roots")), EPERM) << 18;
	bad |= !fails_with(rename(tpath("sticky/roots"), tpath("sticky/x")), EPERM) << 19;
	bad |= !fails_with(mknod(tpath("sticky/dev"), S_IFCHR | 0600, 0x0103), EPERM) << 20;
	bad |= !fails_with(setuid(0), EPERM) << 21;
	/* The root directory is root's, 0755: nothing of ours goes there. */
	bad |= !fails_with(open("/fs_attrs-probe", O_WRONLY | O_CREAT, 0644), EACCES) << 22;
	bad |= !fails_with(mkdir("/fs_attrs-probe", 0755), EACCES) << 23;
	bad |= !fails_with(symlink("x", "/fs_attrs-probe"), EACCES) << 24;
	if (bad)
		printf("# as uid %d: failed checks 0x%x\n", USER_ID, bad);
	return bad ? 1 : 0;
}

static void
test_permissions(void)
{
	struct stat st;
	int status;

	make_file("priv", 0600);
	make_file("open", 0644);
	make_file("shared", 0666);
	chmod(tpath("own"), 02745);
	mkdir(tpath("closed"), 0700);
	make_file("closed/inside", 0644);
	mkdir(tpath("sticky"), 0);
	chmod(tpath("sticky"), 01777);
	make_file("sticky/roots", 0644);
	
	status = run_child(as_user, NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == UNREACHABLE) {
		/* A host (a chroot in a mktemp directory) where a directory above is 0700. */
		tap_skip("uid 1000 cannot reach %s here: a directory above it is closed", test_dir());
		tap_skip("uid 1000 cannot reach %s here", test_dir());
	} else {
		tap_ok(status == 0, "as uid 1000: read, write, search, create, remove, chmod, chown "
		    "and utimens are refused where Linux refuses them (status %#x)", status);
		tap_ok(stat(tpath("own"), &st) == 0 && st.st_gid == GROUP_ID &&
		    (st.st_mode & 07777) == 0600, "as uid 1000: its own file's group and mode changed");
	}
	/* Root reads and writes anything, but executes only what some x bit allows. */
	chmod(tpath("priv"), 0);
	tap_ok(access(tpath("priv"), R_OK | W_OK) == 0 && fails_with(access(tpath("priv"), X_OK), EACCES),
	    "root: mode 000 is readable and writable, not executable");
	tap_ok(access(tpath("closed"), X_OK) == 0, "root: a directory may always be searched");
	unlink(tpath("priv"));
	unlink(tpath("open"));
	unlink(tpath("shared"));
	unlink(tpath("own"));
	unlink(tpath("closed/inside"));
	rmdir(tpath("closed"));
	unlink(tpath("sticky/roots"));
	rmdir(tpath("sticky"));
}

int
main(void)
{
	tap_plan(43);
	if (test_dir_make("fs_attrs") != 0)
		return 1;
	if (getuid() != 0) {
		tap_skip_all("the owner and permission checks need root");
		rmdir(test_dir());
		return tap_done();
	}
	test_chmod();
	test_umask();
	test_times();
	test_statx();
	test_statfs();
	test_xattr();
	test_chown();
	test_permissions();
	unlink(tpath("f"));
	unlink(tpath("t"));
	tap_ok(rmdir(test_dir()) == 0, "the test directory is empty at the end");
	return tap_done();
}
