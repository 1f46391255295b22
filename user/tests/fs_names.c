/*
 * fs_names: the name space of a file system -- rename (renameat2 with
 * RENAME_NOREPLACE and RENAME_EXCHANGE), hard links, symbolic links
 * (readlink, lstat, following them in paths, ELOOP, O_NOFOLLOW,
 * AT_SYMLINK_NOFOLLOW, creating through a dangling one), and the link
 * counts stat reports, with Linux's errno for every misuse.
 *
 * Runs in a fresh directory under TEST_DIR (default /tmp), so the same
 * program checks ramfs here and ext2 when pointed at a disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tap.h>
#include <testutil.h>
#include <uapi/fs.h>
#include <unistd.h>

static int
make_file(const char *name, const char *contents)
{
	int fd = open(tpath(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, contents, strlen(contents)) != (ssize_t)strlen(contents)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Does name hold exactly contents? */
static int
has_contents(const char *name, const char *contents)
{
	char buf[256];
	int fd = open(tpath(name), O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)strlen(contents) && memcmp(buf, contents, (size_t)n) == 0;
}

/*
 * renameat2 RENAME_EXCHANGE of a and b: 1 if done, 0 if it failed, -1 if
 * the file system has no exchange (EINVAL, as Linux's ext2); then a and b
 * are swapped by three renames, so the tests go on from the same state.
 */
static int
exchange(const char *a, const char *b)
{
	char pa[512], pb[512], pt[512];

	snprintf(pa, sizeof(pa), "%s", tpath(a));
	snprintf(pb, sizeof(pb), "%s", tpath(b));
	snprintf(pt, sizeof(pt), "%s", tpath("exchange.tmp"));
	if (renameat2(AT_FDCWD, pa, AT_FDCWD, pb, RENAME_EXCHANGE) == 0)
		return 1;
	if (errno != EINVAL)
		return 0;
	rename(pa, pt);
	rename(pb, pa);
	rename(pt, pb);
	return -1;
}

static void
check_exchange(int r, int ok, const char *what)
{
	if (r < 0)
		tap_skip("%s: the file system has no RENAME_EXCHANGE (EINVAL, as Linux's ext2)", what);
	else
		tap_ok(r == 1 && ok, "%s", what);
}

static nlink_t
links(const char *name)
{
	struct stat st;

	return lstat(tpath(name), &st) == 0 ? st.st_nlink : 0;
}

static int
exists(const char *name)
{
	struct stat st;

	return lstat(tpath(name), &st) == 0;
}

static void
test_rename_files(void)
{
	struct stat a, b;
	int r;

	make_file("f1", "one");
	make_file("f2", "two");
	tap_ok(rename(tpath("f1"), tpath("g1")) == 0 && !exists("f1") && has_contents("g1", "one"),
	    "rename: a file gets a new name");
	stat(tpath("g1"), &a);
	tap_ok(rename(tpath("g1"), tpath("f2")) == 0 && !exists("g1") && has_contents("f2", "one") &&
	    stat(tpath("f2"), &b) == 0 && a.st_ino == b.st_ino, "rename: replaces an existing file");
	make_file("f3", "three");
	tap_ok(fails_with(renameat2(AT_FDCWD, tpath("f3"), AT_FDCWD, tpath("f2"), RENAME_NOREPLACE), EEXIST) &&
	    has_contents("f2", "one"), "renameat2 NOREPLACE: an existing target is EEXIST");
	tap_ok(renameat2(AT_FDCWD, tpath("f3"), AT_FDCWD, tpath("f4"), RENAME_NOREPLACE) == 0 &&
	    has_contents("f4", "three"), "renameat2 NOREPLACE: a free target is fine");
	r = exchange("f2", "f4");
	check_exchange(r, has_contents("f2", "three") && has_contents("f4", "one"),
	    "renameat2 EXCHANGE: two files swap names");
	tap_ok(fails_with(renameat2(AT_FDCWD, tpath("f2"), AT_FDCWD, tpath("none"), RENAME_EXCHANGE), ENOENT),
	    "renameat2 EXCHANGE: a missing target is ENOENT");
	tap_ok(fails_with(renameat2(AT_FDCWD, tpath("f2"), AT_FDCWD, tpath("f4"),
	    RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL), "renameat2: EXCHANGE|NOREPLACE is EINVAL");
	tap_ok(fails_with(renameat2(AT_FDCWD, tpath("f2"), AT_FDCWD, tpath("f4"), 0x100), EINVAL),
	    "renameat2: unknown flags are EINVAL");
	tap_ok(fails_with(rename(tpath("none"), tpath("x")), ENOENT), "rename: a missing source is ENOENT");
	tap_ok(fails_with(rename(tpath("f2/"), tpath("x")), ENOTDIR) && has_contents("f2", "three"),
	    "rename: file/ is ENOTDIR");
	tap_ok(link(tpath("f2"), tpath("f2b")) == 0 && rename(tpath("f2"), tpath("f2b")) == 0 &&
	    exists("f2") && exists("f2b") && links("f2") == 2,
	    "rename: between two links of one file does nothing");
	tap_ok(fails_with(rename(tpath("."), tpath("x")), EBUSY) && fails_with(rename(tpath("f2"), tpath(".")), EBUSY),
	    "rename: \".\" as either name is EBUSY");
	unlink(tpath("f2"));
	unlink(tpath("f2b"));
	unlink(tpath("f4"));
}

static void
test_rename_dirs(void)
{
	char cwd[512], want[512];
	struct stat st;
	int ok, r;

	mkdir(tpath("d1"), 0755);
	mkdir(tpath("d1/sub"), 0755);
	mkdir(tpath("d2"), 0755);
	make_file("d1/sub/file", "deep");
	tap_ok(links("d1") == 3 && links("d2") == 2 && links("d1/sub") == 2,
	    "nlink: a directory has 2 links plus one per subdirectory");
	tap_ok(fails_with(rename(tpath("d1"), tpath("d1/sub/inside")), EINVAL),
	    "rename: a directory into itself is EINVAL");
	tap_ok(rename(tpath("d1"), tpath("d1")) == 0 && links("d1") == 3,
	    "rename: a directory onto itself does nothing");
	make_file("plain", "p");
	tap_ok(fails_with(rename(tpath("d2"), tpath("plain")), ENOTDIR), "rename: directory onto a file: ENOTDIR");
	tap_ok(fails_with(rename(tpath("plain"), tpath("d2")), EISDIR), "rename: file onto a directory: EISDIR");
	tap_ok(fails_with(rename(tpath("d2"), tpath("d1")), ENOTEMPTY),
	    "rename: onto a directory that is not empty: ENOTEMPTY");
	tap_ok(fails_with(rename(tpath("d1/sub"), tpath("d1")), ENOTEMPTY),
	    "rename: onto its own parent: ENOTEMPTY");
	/* A working directory inside a moved tree follows it. */
	ok = chdir(tpath("d1/sub")) == 0;
	tap_ok(ok && rename(tpath("d1/sub"), tpath("d2/moved")) == 0 && links("d1") == 2 &&
	    links("d2") == 3 && has_contents("d2/moved/file", "deep"),
	    "rename: a directory moves to another parent; link counts follow");
	snprintf(want, sizeof(want), "%s/d2/moved", test_dir());
	tap_ok(ok && getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, want) == 0,
	    "rename: getcwd inside the moved directory gives its new path");
	tap_ok(ok && stat("..", &st) == 0 && stat(tpath("d2"), &st) == 0 && chdir("..") == 0 &&
	    getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, tpath("d2")) == 0,
	    "rename: \"..\" of the moved directory is its new parent");
	chdir("/");
	tap_ok(rename(tpath("d1"), tpath("d2/moved")) == -1 && errno == ENOTEMPTY &&
	    rmdir(tpath("d1")) == 0 && rename(tpath("d2/moved"), tpath("d1")) == 0 && links("d2") == 2,
	    "rename: a directory replaces an empty one and back");
	mkdir(tpath("d3"), 0700);
	r = exchange("d1", "plain");
	check_exchange(r, has_contents("d1", "p") && has_contents("plain/file", "deep"),
	    "renameat2 EXCHANGE: a directory and a file swap");
	exchange("d1", "plain");
	unlink(tpath("plain"));
	unlink(tpath("d1/file"));
	rmdir(tpath("d1"));
	rmdir(tpath("d2"));
	rmdir(tpath("d3"));
}

static void
test_links(void)
{
	struct stat a, b;
	int fd;

	make_file("orig", "shared");
	tap_ok(link(tpath("orig"), tpath("second")) == 0 && links("orig") == 2 && links("second") == 2,
	    "link: two names, link count 2");
	tap_ok(stat(tpath("orig"), &a) == 0 && stat(tpath("second"), &b) == 0 && a.st_ino == b.st_ino,
	    "link: both names are one inode");
	fd = open(tpath("second"), O_WRONLY | O_APPEND);
	tap_ok(fd >= 0 && write(fd, "+", 1) == 1 && close(fd) == 0 && has_contents("orig", "shared+"),
	    "link: a write through one name is seen through the other");
	tap_ok(fails_with(link(tpath("orig"), tpath("second")), EEXIST), "link: an existing name is EEXIST");
	tap_ok(fails_with(link(tpath("none"), tpath("x")), ENOENT), "link: a missing source is ENOENT");
	mkdir(tpath("dir"), 0755);
	tap_ok(fails_with(link(tpath("dir"), tpath("dirlink")), EPERM), "link: a directory is EPERM");
	tap_ok(fails_with(link(tpath("orig"), tpath("nodir/x")), ENOENT), "link: into a missing directory: ENOENT");
	tap_ok(fails_with(link(tpath("orig"), tpath("newname/")), ENOENT), "link: newname/ is ENOENT");
	tap_ok(unlink(tpath("orig")) == 0 && links("second") == 1 && has_contents("second", "shared+"),
	    "link: removing one name keeps the data under the other");
	tap_ok(fails_with(linkat(AT_FDCWD, tpath("second"), AT_FDCWD, tpath("x"), 0x10000), EINVAL),
	    "linkat: unknown flags are EINVAL");
	unlink(tpath("second"));
	rmdir(tpath("dir"));
}

static void
test_symlinks(void)
{
	char buf[600], chain[64], next[64];
	struct stat st, lst;
	int fd, i, ok;

	make_file("target", "pointed at");
	tap_ok(symlink("target", tpath("rel")) == 0, "symlink: a relative link");
	tap_ok(readlink(tpath("rel"), buf, sizeof(buf)) == 6 && memcmp(buf, "target", 6) == 0,
	    "readlink: its contents, without a NUL");
	tap_ok(readlink(tpath("rel"), buf, 3) == 3 && memcmp(buf, "tar", 3) == 0,
	    "readlink: cut to the buffer");
	tap_ok(fails_with(readlink(tpath("target"), buf, sizeof(buf)), EINVAL),
	    "readlink: not a symlink is EINVAL");
	tap_ok(fails_with(readlink(tpath("rel"), buf, 0), EINVAL), "readlink: a 0-byte buffer is EINVAL");
	tap_ok(has_contents("rel", "pointed at"), "symlink: open follows it");
	tap_ok(lstat(tpath("rel"), &lst) == 0 && S_ISLNK(lst.st_mode) && lst.st_size == 6 &&
	    stat(tpath("rel"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 10,
	    "lstat sees the link (size = its length), stat the target");
	tap_ok(fstatat(AT_FDCWD, tpath("rel"), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode),
	    "fstatat AT_SYMLINK_NOFOLLOW is lstat");
	tap_ok(fails_with(open(tpath("rel"), O_RDONLY | O_NOFOLLOW), ELOOP),
	    "open O_NOFOLLOW of a link is ELOOP");
	tap_ok(symlink(tpath("target"), tpath("abs")) == 0 && has_contents("abs", "pointed at"),
	    "symlink: an absolute link is followed");
	mkdir(tpath("dir"), 0755);
	make_file("dir/inner", "inner");
	tap_ok(symlink("dir", tpath("dirlink")) == 0 && has_contents("dirlink/inner", "inner"),
	    "symlink: a link to a directory in the middle of a path");
	tap_ok(symlink("../target", tpath("dir/up")) == 0 && has_contents("dirlink/up", "pointed at"),
	    "symlink: relative to the link's own directory");
	tap_ok(fails_with(rmdir(tpath("dirlink")), ENOTDIR), "rmdir of a link to a directory: ENOTDIR");
	tap_ok(lstat(tpath("dirlink/"), &st) == 0 && S_ISDIR(st.st_mode),
	    "lstat of link/ follows it (the trailing slash)");
	tap_ok(symlink("missing", tpath("dangling")) == 0 && fails_with(stat(tpath("dangling"), &st), ENOENT) &&
	    lstat(tpath("dangling"), &st) == 0, "a dangling link: stat ENOENT, lstat fine");
	fd = open(tpath("dangling"), O_WRONLY | O_CREAT, 0600);
	tap_ok(fd >= 0 && close(fd) == 0 && lstat(tpath("missing"), &st) == 0 && S_ISREG(st.st_mode),
	    "open O_CREAT through a dangling link creates its target");
	tap_ok(fails_with(open(tpath("dangling"), O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST),
	    "open O_CREAT|O_EXCL of a link is EEXIST");
	tap_ok(fails_with(symlink("x", tpath("target")), EEXIST), "symlink: an existing name is EEXIST");
	tap_ok(fails_with(symlink("", tpath("empty")), ENOENT), "symlink: an empty target is ENOENT");
	tap_ok(symlink("loop2", tpath("loop1")) == 0 && symlink("loop1", tpath("loop2")) == 0 &&
	    fails_with(stat(tpath("loop1"), &st), ELOOP), "a loop of links is ELOOP");
	/* A chain of 40 links resolves; one more is ELOOP. */
	ok = 1;
	for (i = 1; i <= 41; i++) {
		snprintf(chain, sizeof(chain), "c%d", i);
		snprintf(next, sizeof(next), i == 1 ? "target" : "c%d", i - 1);
		ok &= symlink(next, tpath(chain)) == 0;
	}
	tap_ok(ok && stat(tpath("c40"), &st) == 0 && S_ISREG(st.st_mode),
	    "a chain of 40 links is followed");
	tap_ok(fails_with(stat(tpath("c41"), &st), ELOOP), "a chain of 41 links is ELOOP");
	for (i = 1; i <= 41; i++) {
		snprintf(chain, sizeof(chain), "c%d", i);
		unlink(tpath(chain));
	}
	tap_ok(unlink(tpath("rel")) == 0 && exists("target"), "unlink of a link leaves its target");
	tap_ok(rename(tpath("abs"), tpath("abs2")) == 0 && lstat(tpath("abs2"), &st) == 0 && S_ISLNK(st.st_mode),
	    "rename moves the link, not its target");
	unlink(tpath("abs2"));
	unlink(tpath("dirlink"));
	unlink(tpath("dangling"));
	unlink(tpath("missing"));
	unlink(tpath("loop1"));
	unlink(tpath("loop2"));
	unlink(tpath("dir/up"));
	unlink(tpath("dir/inner"));
	rmdir(tpath("dir"));
	unlink(tpath("target"));
}

static void
test_dirs(void)
{
	struct stat st;

	tap_ok(mkdir(tpath("m"), 0755) == 0 && fails_with(mkdir(tpath("m"), 0755), EEXIST),
	    "mkdir: twice is EEXIST");
	tap_ok(mkdir(tpath("m2/"), 0755) == 0 && stat(tpath("m2"), &st) == 0 && S_ISDIR(st.st_mode),
	    "mkdir: with a trailing slash");
	tap_ok(fails_with(rmdir(tpath("m/.")), EINVAL), "rmdir: dir/. is EINVAL");
	tap_ok(fails_with(rmdir(tpath("m/..")), ENOTEMPTY), "rmdir: dir/.. is ENOTEMPTY");
	tap_ok(fails_with(unlink(tpath("m")), EISDIR), "unlink: a directory is EISDIR");
	tap_ok(rmdir(tpath("m")) == 0 && rmdir(tpath("m2")) == 0, "rmdir: both go");
}

int
main(void)
{
	tap_plan(65);
	if (test_dir_make("fs_names") != 0)
		return 1;
	test_rename_files();
	test_rename_dirs();
	test_links();
	test_symlinks();
	test_dirs();
	tap_ok(rmdir(test_dir()) == 0, "the test directory is empty at the end");
	return tap_done();
}
