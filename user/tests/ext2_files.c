/*
 * ext2_files: files on a disk.  scripts/fs-test makes an ext2 image with
 * Debian's mke2fs -d from a tree of files (marked by /SABLE-FS-TEST in
 * its root), boots with it as /dev/vda and this program as init, and
 * afterwards checks the image on the host with e2fsck -fn and debugfs.
 *
 * Here: mount it; read what the host made (contents, holes, symbolic
 * and hard links, a FIFO, modes and owners); write, extend, punch holes
 * by seeking, truncate, append, rename, link, remove, change attributes;
 * run the name-space, attribute and FIFO tests (fs_names, fs_attrs,
 * fifo) on the disk; unmount; mount it read-only and read it all again.
 * The host then finds exactly what was left (see scripts/fs-test).
 *
 * Without such a disk (no /dev/vda, or not one of fs-test's, or under
 * qemu-user) there is nothing to test: skipped.
 *
 * The pattern is disk_rw's: byte o of generation g is byte (o % 8) of
 * the little-endian 64-bit word (o & ~7) + (g << 48) + (0x5a << 56).
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
#include <time.h>
#include <unistd.h>

#define EXT2_MAGIC	0xef53		/* statfs f_type */
#define MNT		"/mnt/disk"
#define MARKER		MNT "/SABLE-FS-TEST"
#define MARKER_TEXT	"fs-test v1\n"
#define KIB		1024UL
#define MIB		(1024 * KIB)
#define MIN(a, b)	((a) < (b) ? (a) : (b))

/* Sizes and generations the host side (scripts/fs-test) knows too. */
#define HOST_PATTERN_SIZE	(3 * MIB + 123)
#define HOST_SPARSE_SIZE	(8 * MIB)
#define HOST_SPARSE_DATA	(5 * MIB)
#define BIG_SIZE		(5 * MIB + 77)
#define SPARSE2_OFF		(20 * MIB)
#define TRUNC_WRITTEN		100000
#define TRUNC_CUT		50001
#define TRUNC_GROWN		70000
#define GEN_HOST	1
#define GEN_SPARSE	2
#define GEN_BIG		3
#define GEN_SPARSE2	4
#define GEN_TRUNC	5

static char buf[256 * 1024];

/* Does path hold [0, size) of generation gen (zeros in [zfrom, zto))?  Reads in odd chunks. */
static int
file_matches(const char *path, uint64_t size, uint64_t gen, uint64_t zfrom, uint64_t zto)
{
	int fd = open(path, O_RDONLY);
	uint64_t off = 0;
	size_t chunk = 4096 - 17;
	ssize_t extra;

	if (fd < 0)
		return 0;
	while (off < size) {
		ssize_t n = read(fd, buf, MIN(chunk, sizeof(buf)));

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			uint8_t want = off + i >= zfrom && off + i < zto ? 0 :
			    pattern_byte(off + i, gen);

			if ((uint8_t)buf[i] != want) {
				tap_diag("%s: byte %lu is %#x, not %#x", path, off + i,
				    (uint8_t)buf[i], want);
				close(fd);
				return 0;
			}
		}
		off += n;
		chunk = chunk * 3 % 200000 + 1;	/* 1 byte to ~200 KiB, unaligned */
	}
	extra = read(fd, buf, 1);
	close(fd);
	return off == size && extra == 0;
}

/* Write [0, size) of generation gen to a new file, in chunks of odd sizes. */
static int
write_pattern(const char *path, uint64_t size, uint64_t gen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	uint64_t off = 0;
	size_t chunk = 1000;

	if (fd < 0)
		return -1;
	while (off < size) {
		size_t n = MIN(MIN(chunk, sizeof(buf)), size - off);

		pattern_fill(buf, off, n, gen);
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		off += n;
		chunk = chunk * 7 % 150000 + 513;
	}
	return close(fd);
}

static int
has_text(const char *path, const char *text)
{
	char b[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) && memcmp(b, text, (size_t)n) == 0;
}

static int
mount_disk(unsigned long flags)
{
	return mount("/dev/vda", MNT, "ext2", flags, NULL);
}

static void
test_host_files(void)
{
	struct stat st, st2;
	char target[64];

	tap_ok(has_text(MNT "/host/hello.txt", "hello from the host\n"),
	    "host file: a small file's text");
	tap_ok(file_matches(MNT "/host/pattern.bin", HOST_PATTERN_SIZE, GEN_HOST, 0, 0),
	    "host file: 3 MiB of pattern, read in unaligned chunks");
	tap_ok(file_matches(MNT "/host/sparse.bin", HOST_SPARSE_SIZE, GEN_SPARSE, 0,
	    HOST_SPARSE_DATA) && stat(MNT "/host/sparse.bin", &st) == 0 &&
	    st.st_blocks * 512 < (long)(HOST_SPARSE_SIZE - HOST_SPARSE_DATA + 64 * KIB),
	    "host file: a sparse file: holes read as zeros, no blocks for them (%ld sectors)",
	    (long)st.st_blocks);
	tap_ok(readlink(MNT "/host/link", target, sizeof(target)) == 9 &&
	    memcmp(target, "hello.txt", 9) == 0 && has_text(MNT "/host/link", "hello from the host\n"),
	    "host file: a symbolic link, followed");
	tap_ok(stat(MNT "/host/hard1", &st) == 0 && stat(MNT "/host/hard2", &st2) == 0 &&
	    st.st_ino == st2.st_ino && st.st_nlink == 2, "host file: two hard links of one inode");
	tap_ok(stat(MNT "/host/fifo", &st) == 0 && S_ISFIFO(st.st_mode), "host file: a FIFO");
	tap_ok(stat(MNT "/host/owned", &st) == 0 && (st.st_mode & 07777) == 0640 &&
	    st.st_uid == 1234 && st.st_gid == 5678, "host file: mode 0640, owners 1234:5678");
	tap_ok(has_text(MNT "/host/sub/deep/file.txt", "deep\n"), "host file: three levels down");
	tap_ok(stat(MNT "/host/sub", &st) == 0 && st.st_nlink == 3,
	    "host directory: link count 3 (one subdirectory)");
}

static void
test_writes(void)
{
	struct statfs sf;
	struct stat st;
	int fd;

	mkdir(MNT "/new", 0755);
	tap_ok(write_pattern(MNT "/new/big.bin", BIG_SIZE, GEN_BIG) == 0 &&
	    file_matches(MNT "/new/big.bin", BIG_SIZE, GEN_BIG, 0, 0),
	    "write: 5 MiB in odd chunks, read back");
	fd = open(MNT "/new/sparse2", O_WRONLY | O_CREAT, 0644);
	pattern_fill(buf, SPARSE2_OFF, 4096, GEN_SPARSE2);
	tap_ok(fd >= 0 && pwrite(fd, buf, 4096, SPARSE2_OFF) == 4096 && fstat(fd, &st) == 0 &&
	    st.st_size == SPARSE2_OFF + 4096 && st.st_blocks * 512 <= 64 * (long)KIB,
	    "write past the end: a hole before it, few blocks (%ld sectors)", (long)st.st_blocks);
	close(fd);
	tap_ok(file_matches(MNT "/new/sparse2", SPARSE2_OFF + 4096, GEN_SPARSE2, 0, SPARSE2_OFF),
	    "the hole reads as zeros, the data as written");
	tap_ok(write_pattern(MNT "/new/trunc", TRUNC_WRITTEN, GEN_TRUNC) == 0 &&
	    truncate(MNT "/new/trunc", TRUNC_CUT) == 0 && truncate(MNT "/new/trunc", TRUNC_GROWN) == 0 &&
	    file_matches(MNT "/new/trunc", TRUNC_GROWN, GEN_TRUNC, TRUNC_CUT, TRUNC_GROWN),
	    "truncate down, then up: the bytes past the cut read as zeros");
	fd = open(MNT "/new/append", O_WRONLY | O_CREAT | O_APPEND, 0644);
	for (int i = 0; fd >= 0 && i < 1000; i++)
		write(fd, "line of text\n", 13);
	tap_ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 13000, "O_APPEND: 1000 lines");
	close(fd);
	tap_ok(rename(MNT "/new/big.bin", MNT "/new/renamed.bin") == 0 &&
	    link(MNT "/new/renamed.bin", MNT "/new/hardlink") == 0 &&
	    symlink("renamed.bin", MNT "/new/sym") == 0 && mkdir(MNT "/new/dir", 0700) == 0 &&
	    mkdir(MNT "/new/dir/sub", 0755) == 0 && rmdir(MNT "/new/dir/sub") == 0 &&
	    unlink(MNT "/host/hello.txt") == 0,
	    "rename, link, symlink, mkdir, rmdir, unlink");
	tap_ok(chmod(MNT "/new/renamed.bin", 0751) == 0 && chown(MNT "/new/trunc", 42, 43) == 0 &&
	    utimensat(AT_FDCWD, MNT "/new/trunc",
	    (struct timespec[2]){ { 1111111111, 0 }, { 1111111111, 0 } }, 0) == 0 &&
	    stat(MNT "/new/trunc", &st) == 0 && st.st_uid == 42 && st.st_mtime_sec == 1111111111,
	    "chmod, chown, utimensat");
	tap_ok(statfs(MNT, &sf) == 0 && sf.f_type == EXT2_MAGIC && sf.f_bsize >= 1024 &&
	    sf.f_bfree < sf.f_blocks && sf.f_files > sf.f_ffree, "statfs: ext2, its geometry");
	fd = open(MNT "/new/append", O_RDONLY);
	tap_ok(fd >= 0 && fsync(fd) == 0, "fsync");
	close(fd);
}

/* Run another test program with TEST_DIR on the disk. */
static void
run_test_on_disk(const char *name)
{
	char path[64], *argv[] = { path, NULL };
	char *envp[] = { "TEST_DIR=" MNT "/t", "TAP_INDENT=1", NULL };
	int status = -1;
	pid_t pid;

	snprintf(path, sizeof(path), "/tests/%s", name);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s on ext2 (status %#x)", name,
	    status);
}

static void
test_remount(void)
{
	struct stat st;

	tap_ok(fails_with(umount(MNT "/new"), EINVAL), "umount of a directory of it: EINVAL");
	tap_ok(umount(MNT) == 0, "umount: clean, nothing in use");
	tap_ok(mount_disk(MS_RDONLY) == 0, "mounted again, read-only");
	tap_ok(file_matches(MNT "/new/renamed.bin", BIG_SIZE, GEN_BIG, 0, 0) &&
	    file_matches(MNT "/new/trunc", TRUNC_GROWN, GEN_TRUNC, TRUNC_CUT, TRUNC_GROWN),
	    "what was written reads back after the remount (from the disk)");
	tap_ok(stat(MNT "/new/renamed.bin", &st) == 0 && (st.st_mode & 07777) == 0751 &&
	    st.st_nlink == 2 && fails_with(open(MNT "/new/x", O_WRONLY | O_CREAT, 0644), EROFS),
	    "attributes kept; read-only: EROFS");
	tap_ok(umount(MNT) == 0, "umount again");
}

int
main(void)
{
	if (under_qemu_user() || !spare_ext2_disk("/dev/vda")) {
		tap_skip_all("no spare ext2 disk made by scripts/fs-test at /dev/vda");
		return tap_done();
	}
	tap_plan(31);
	mkdir("/mnt", 0755);
	mkdir(MNT, 0755);
	if (!tap_ok(mount_disk(0) == 0, "mount /dev/vda on " MNT " as ext2") ||
	    !tap_ok(has_text(MARKER, MARKER_TEXT), "it is fs-test's disk")) {
		umount(MNT);
		return tap_done();
	}
	test_host_files();
	test_writes();
	mkdir(MNT "/t", 01777);
	chmod(MNT "/t", 01777);
	run_test_on_disk("fs_names");
	run_test_on_disk("fs_attrs");
	run_test_on_disk("fifo");
	run_test_on_disk("file_map");
	run_test_on_disk("fadvise");
	rmdir(MNT "/t");
	test_remount();
	return tap_done();
}
