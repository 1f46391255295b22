/*
 * mounts: mount(2) and umount2(2) with Linux's numbers and flags, the
 * mount table in /proc/mounts, crossing mount points both ways ("..",
 * getcwd), EXDEV between file systems, statfs per file system, a
 * read-only remount refusing writes (EROFS), EBUSY while a file is open
 * or a directory is a working directory, MNT_DETACH, MNT_EXPIRE,
 * stacked mounts, the errors for misuse, and the file system types in
 * /proc/filesystems (where busybox's mount without -t finds the types to
 * try).
 *
 * Needs root (skipped otherwise); mounts tmpfs and proc under a fresh
 * directory in TEST_DIR (default /tmp), and unmounts them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static char mnt[512];		/* the mount point */

static int
make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	if (fd < 0)
		return -1;
	write(fd, "x", 1);
	return close(fd);
}

/* A /proc table (path) whole into a static buffer, NUL-terminated; "" if it cannot be read. */
static const char *
read_table(const char *path)
{
	static char table[16384];
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		while ((n = read(fd, table + total, sizeof(table) - 1 - (size_t)total)) > 0)
			total += n;
		close(fd);
	}
	table[total] = '\0';
	return table;
}

/* Does table have a line starting with line (a whole line if it ends in '\n')? */
static int
has_line(const char *table, const char *line)
{
	char want[600];

	snprintf(want, sizeof(want), "\n%s", line);
	return strstr(table, want) != NULL || strncmp(table, want + 1, strlen(want + 1)) == 0;
}

/* Is there a line in /proc/mounts starting "source dir type options"? */
static int
in_mount_table(const char *source, const char *dir, const char *type, const char *opts)
{
	char want[600];

	snprintf(want, sizeof(want), "%s %s %s %s", source, dir, type, opts);
	return has_line(read_table("/proc/mounts"), want);
}

static dev_t
dev_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_dev : (dev_t)-1;
}

static void
test_basics(void)
{
	struct statfs sf;
	struct stat st, up;
	char cwd[512];

	mkdir(mnt, 0755);
	make_file(tpath("mnt/hidden"));
	tap_ok(mount("none", mnt, "tmpfs", 0, "mode=0700") == 0, "mount: tmpfs on a directory");
	tap_ok(stat(mnt, &st) == 0 && (st.st_mode & 07777) == 0700 && st.st_dev != dev_of(test_dir()),
	    "the mount point is now the new file system's root (mode 0700, another st_dev)");
	tap_ok(access(tpath("mnt/hidden"), F_OK) == -1 && errno == ENOENT,
	    "what the directory held is hidden under the mount");
	tap_ok(in_mount_table("none", mnt, "tmpfs", "rw"), "/proc/mounts lists it");
	tap_ok(statfs(mnt, &sf) == 0 && sf.f_type == 0x01021994, "statfs: TMPFS_MAGIC");
	tap_ok(make_file(tpath("mnt/file")) == 0 && dev_of(tpath("mnt/file")) == st.st_dev,
	    "a file made there belongs to the new file system");
	tap_ok(fails_with(link(tpath("mnt/file"), tpath("outside")), EXDEV) &&
	    fails_with(rename(tpath("mnt/file"), tpath("outside")), EXDEV),
	    "link and rename across file systems: EXDEV");
	tap_ok(stat(tpath("mnt/.."), &up) == 0 && stat(test_dir(), &st) == 0 &&
	    up.st_ino == st.st_ino && up.st_dev == st.st_dev,
	    "\"..\" of the mount's root is the directory above the mount point");
	tap_ok(chdir(mnt) == 0 && getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, mnt) == 0,
	    "getcwd at the mount's root names the mount point");
	tap_ok(fails_with(umount(mnt), EBUSY), "umount: a working directory inside: EBUSY");
	chdir("/");
}

static void
test_busy_and_readonly(void)
{
	char buf[4];
	int fd = open(tpath("mnt/file"), O_RDONLY);

	tap_ok(fd >= 0 && fails_with(umount(mnt), EBUSY), "umount: an open file: EBUSY");
	tap_ok(mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0 &&
	    in_mount_table("none", mnt, "tmpfs", "ro"), "remount read-only");
	tap_ok(fails_with(open(tpath("mnt/new"), O_WRONLY | O_CREAT, 0644), EROFS) &&
	    fails_with(open(tpath("mnt/file"), O_WRONLY), EROFS) &&
	    fails_with(mkdir(tpath("mnt/d"), 0755), EROFS) &&
	    fails_with(unlink(tpath("mnt/file")), EROFS) &&
	    fails_with(chmod(tpath("mnt/file"), 0600), EROFS) &&
	    fails_with(truncate(tpath("mnt/file"), 0), EROFS),
	    "read-only: create, open for writing, mkdir, unlink, chmod, truncate are EROFS");
	tap_ok(read(fd, buf, 1) == 1 && buf[0] == 'x', "read-only: reading still works");
	tap_ok(fails_with(access(tpath("mnt/file"), W_OK), EROFS), "read-only: access(W_OK) is EROFS");
	tap_ok(mount(NULL, mnt, NULL, MS_REMOUNT, NULL) == 0 && unlink(tpath("mnt/file")) == 0,
	    "remount read-write: changes work again");
	close(fd);
	tap_ok(umount(mnt) == 0 && access(tpath("mnt/hidden"), F_OK) == 0 &&
	    !in_mount_table("none", mnt, "tmpfs", "rw"),
	    "umount: the directory's own contents are back, the table forgets it");
	unlink(tpath("mnt/hidden"));
}

static void
test_detach_and_stack(void)
{
	struct statfs sf;
	char buf[4];
	int fd;

	mount("one", mnt, "tmpfs", 0, NULL);
	make_file(tpath("mnt/kept"));
	fd = open(tpath("mnt/kept"), O_RDONLY);
	tap_ok(fd >= 0 && umount2(mnt, MNT_DETACH) == 0 && dev_of(mnt) == dev_of(test_dir()),
	    "MNT_DETACH: gone from the name space at once, though a file is open");
	tap_ok(read(fd, buf, 1) == 1 && buf[0] == 'x', "MNT_DETACH: the open file still reads");
	close(fd);
	mount("lower", mnt, "tmpfs", 0, NULL);
	make_file(tpath("mnt/lower"));
	mount("upper", mnt, "tmpfs", 0, NULL);
	tap_ok(access(tpath("mnt/lower"), F_OK) == -1 && make_file(tpath("mnt/upper")) == 0,
	    "a second mount on the same directory hides the first");
	tap_ok(umount(mnt) == 0 && access(tpath("mnt/lower"), F_OK) == 0 &&
	    access(tpath("mnt/upper"), F_OK) == -1, "unmounting it uncovers the first");
	tap_ok(fails_with(umount2(mnt, MNT_EXPIRE), EAGAIN) && umount2(mnt, MNT_EXPIRE) == 0,
	    "MNT_EXPIRE: EAGAIN the first time, unmounted the second");
	tap_ok(mount("proc", mnt, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0 &&
	    statfs(mnt, &sf) == 0 && sf.f_type == 0x9fa0 && access(tpath("mnt/meminfo"), R_OK) == 0 &&
	    (sf.f_flags & (ST_NOSUID | ST_NODEV | ST_NOEXEC)) == (ST_NOSUID | ST_NODEV | ST_NOEXEC),
	    "proc can be mounted again elsewhere, with its flags in statfs");
	umount(mnt);
}

/*
 * /proc/filesystems: a line per type, "nodev\tNAME" for those that need
 * no device and "\tNAME" for those on a block device, as Linux's.
 */
static void
test_filesystems(void)
{
	const char *table = read_table("/proc/filesystems"), *p = table, *end;
	int well_formed = table[0] != '\0';

	while (well_formed && *p != '\0') {
		if (strncmp(p, "nodev", 5) == 0)
			p += 5;
		end = strchr(p, '\n');
		well_formed = end != NULL && p[0] == '\t' && end > p + 1;
		if (well_formed)
			p = end + 1;
	}
	tap_ok(well_formed, "/proc/filesystems: every line is \"nodev\\tNAME\" or \"\\tNAME\"");
	tap_ok(has_line(table, "nodev\tproc\n") && has_line(table, "nodev\ttmpfs\n") &&
	    has_line(table, "\text2\n"),
	    "/proc/filesystems: proc and tmpfs need no device, ext2 is on one");
}

#define UNREACHABLE	3	/* mount_as_user's status: uid 1000 cannot reach the paths */

static int
mount_as_user(void *arg)
{
	(void)arg;
	if (setuid(1000) != 0)
		return 2;
	/* Linux looks the target up first: where uid 1000 cannot reach it, that is EACCES. */
	if (access(mnt, X_OK) != 0 || access("/proc", X_OK) != 0)
		return UNREACHABLE;
	return fails_with(mount("none", mnt, "tmpfs", 0, NULL), EPERM) &&
	    fails_with(umount("/proc"), EPERM) ? 0 : 1;
}

static void
test_errors(void)
{
	int status;

	tap_ok(fails_with(mount("none", mnt, "nosuchfs", 0, NULL), ENODEV), "mount: unknown type: ENODEV");
	make_file(tpath("plain"));
	tap_ok(fails_with(mount("none", tpath("plain"), "tmpfs", 0, NULL), ENOTDIR),
	    "mount on a file: ENOTDIR");
	tap_ok(fails_with(mount("none", tpath("none"), "tmpfs", 0, NULL), ENOENT),
	    "mount on nothing: ENOENT");
	tap_ok(fails_with(mount(tpath("plain"), mnt, "ext2", 0, NULL), ENOTBLK),
	    "mount a disk file system from a regular file: ENOTBLK");
	tap_ok(fails_with(umount(mnt), EINVAL), "umount of a directory that is no mount point: EINVAL");
	tap_ok(fails_with(umount2(mnt, 0x100), EINVAL) &&
	    fails_with(umount2(mnt, MNT_EXPIRE | MNT_DETACH), EINVAL), "umount2: bad flags: EINVAL");
	tap_ok(fails_with(umount("/"), EBUSY) || fails_with(umount("/"), EINVAL),
	    "umount of the root: refused");
	status = run_child(mount_as_user, NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == UNREACHABLE)
		tap_skip("uid 1000 cannot reach the mount points here: a directory above is closed");
	else
		tap_ok(status == 0, "mount and umount as uid 1000: EPERM");
	unlink(tpath("plain"));
}

int
main(void)
{
	if (getuid() != 0) {
		tap_skip_all("mount needs root");
		return tap_done();
	}
	tap_plan(34);
	if (test_dir_make("mounts") != 0)
		return 1;
	snprintf(mnt, sizeof(mnt), "%s", tpath("mnt"));
	test_basics();
	test_busy_and_readonly();
	test_detach_and_stack();
	test_errors();
	test_filesystems();
	tap_ok(rmdir(tpath("mnt")) == 0 && rmdir(test_dir()) == 0, "nothing is left mounted");
	return tap_done();
}
