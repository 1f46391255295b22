/*
 * Host test of the ext2 layer reading images made by Debian's mke2fs,
 * TAP output.
 *
 * For each variant (1, 2 and 4 KiB blocks; 128-byte inodes; revision 0,
 * which has no features at all; directories hashed by e2fsck -D), a
 * source tree is built in a temporary directory -- nested directories, a
 * directory of hundreds of entries, files with holes, a dense file that
 * needs double-indirect blocks, a sparse one reaching into triple-
 * indirect blocks, hard links, fast and slow symlinks, a fifo, odd
 * modes, owners and times -- and copied into an image by mke2fs -d.  The
 * test then reads everything back through the layer and compares it with
 * the source: attributes, bytes (by bmap runs, as the pager will read),
 * holes, symlink targets, directory listings (whole and resumed), and
 * statfs with debugfs's counts.  Mounting read-only must write nothing;
 * mounting read-write and unmounting must leave e2fsck nothing to fix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <kern/systm.h>
#include <kern/buf.h>

#include "host/ext2_harness.h"
#include "host/tap.h"

struct variant {
	const char	*name;
	uint32_t	bsize;
	const char	*extra[4];	/* more mke2fs options */
	bool		hash_dirs;	/* e2fsck -fyD afterwards */
};

static const struct variant variants[] = {
	{ "1k", 1024, { NULL }, false },
	{ "2k", 2048, { NULL }, false },
	{ "4k", 4096, { NULL }, false },
	{ "1k, 128-byte inodes", 1024, { "-I", "128", NULL }, false },
	{ "1k, revision 0", 1024, { "-r", "0", NULL }, false },
	{ "4k, hashed directories", 4096, { NULL }, true },
};

#define MANY_ENTRIES	400

static void
put_file(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	fchmod(fd, mode);
	close(fd);
}

/* Write one random block at block index lblk of a sparse file. */
static void
put_block(int fd, uint32_t bsize, uint64_t lblk, uint64_t seed)
{
	uint8_t *b = malloc(bsize);

	fill_random(b, bsize, seed);
	if (pwrite(fd, b, bsize, (off_t)(lblk * bsize)) != (ssize_t)bsize)
		abort();
	free(b);
}

static void
mkdir_at(const char *dir, const char *name, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(path, mode) != 0)
		abort();
	chmod(path, mode);
}

/* The source tree for block size bsize. */
static void
build_tree(const char *src, uint32_t bsize)
{
	uint64_t apb = bsize / 4;
	char path[512], name[64], *target;
	size_t dense_len = (12 + apb + 40) * bsize + 123;
	uint8_t *buf = malloc(dense_len);
	struct timespec times[2] = { { 1234567890, 0 }, { 1234567890, 0 } };
	int fd;

	if (mkdir(src, 0755) != 0)
		abort();
	put_file(src, "small.txt", "hello, ext2\n", 12, 0640);
	put_file(src, "empty", "", 0, 0644);
	put_file(src, "setuid", "#!/bin/sh\n", 10, 04755);
	mkdir_at(src, "dir1", 0755);
	mkdir_at(src, "dir1/dir2", 0700);
	mkdir_at(src, "dir1/dir2/deep", 0755);
	mkdir_at(src, "tmp", 01777);
	fill_random(buf, 5000, 1);
	put_file(src, "dir1/dir2/deep/file", buf, 5000, 0600);
	mkdir_at(src, "dir1/many", 0755);
	for (int i = 0; i < MANY_ENTRIES; i++) {
		snprintf(name, sizeof(name), "dir1/many/entry-with-a-longer-name-%04d", i);
		put_file(src, name, name, strlen(name), 0644);
	}
	fill_random(buf, dense_len, 2);
	put_file(src, "dense", buf, dense_len, 0644);

	snprintf(path, sizeof(path), "%s/holes", src);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0)
		abort();
	put_block(fd, bsize, 0, 3);
	put_block(fd, bsize, 100, 4);
	if (ftruncate(fd, (off_t)(300 * bsize + 5)) != 0)
		abort();
	close(fd);

	/* One block in each part of the map: direct, single, double, triple. */
	snprintf(path, sizeof(path), "%s/triple", src);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0)
		abort();
	uint64_t tind = 12 + apb + apb * apb;
	put_block(fd, bsize, 3, 5);
	put_block(fd, bsize, 12 + 5, 6);
	put_block(fd, bsize, 12 + apb + apb + 7, 7);
	put_block(fd, bsize, tind + apb + 9, 8);
	if (ftruncate(fd, (off_t)((tind + apb + 11) * bsize + 11)) != 0)
		abort();
	close(fd);

	snprintf(path, sizeof(path), "%s/small.txt", src);
	utimensat(AT_FDCWD, path, times, 0);
	snprintf(name, sizeof(name), "%s/dir1/hardlink", src);
	if (link(path, name) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/fastlink", src);
	if (symlink("small.txt", path) != 0)
		abort();
	target = malloc(bsize);
	memset(target, 'x', bsize - 1);
	target[bsize - 1] = '\0';
	memcpy(target, "dir1/../", 8);
	snprintf(path, sizeof(path), "%s/maxlink", src);
	if (symlink(target, path) != 0)
		abort();
	target[200] = '\0';
	snprintf(path, sizeof(path), "%s/slowlink", src);
	if (symlink(target, path) != 0)
		abort();
	free(target);
	snprintf(path, sizeof(path), "%s/fifo", src);
	if (mkfifo(path, 0620) != 0)
		abort();
	if (geteuid() == 0) {
		snprintf(path, sizeof(path), "%s/dir1/dir2/deep/file", src);
		if (chown(path, 1234, 5678) != 0)
			abort();
		snprintf(path, sizeof(path), "%s/empty", src);
		if (chown(path, 100000, 200000) != 0)	/* needs the high 16 bits */
			abort();
	}
	free(buf);
}

/* A number from debugfs's "stats" output, after label. */
static long
stats_value(const char *stats, const char *label)
{
	const char *p = strstr(stats, label);

	return p != NULL ? strtol(p + strlen(label), NULL, 10) : -1;
}

static bool
file_has_indirect(struct ext2h *h, const char *path, int slot)
{
	struct ext2_inode *ip;
	bool yes;

	if (h_namei(h, path, &ip) != 0)
		return false;
	yes = ip->i_blkptr[slot] != 0;
	h_iput(h, ip);
	return yes;
}

static void
test_variant(const struct variant *v)
{
	char *dir = tmpdir_make(), src[512], img[512], *out = NULL;
	struct ext2_statfs sf;
	struct ext2h h;
	struct tree_cmp c;
	int error;

	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(img, sizeof(img), "%s/img", dir);
	build_tree(src, v->bsize);
	if (!tap_ok(make_image(img, src, v->bsize, 32 * 1024, v->extra) == 0,
	    "%s: mke2fs -d builds the image", v->name))
		goto out;
	if (v->hash_dirs) {
		const char *argv[] = { tool_path("e2fsck"), "-fyD", img, NULL };
		int st = run_tool(argv, true, NULL, NULL);

		tap_ok(st == 0 || st == 1, "%s: e2fsck -fyD indexes the directories (%d)",
		    v->name, st);
	}

	/* Read-only: everything compares, and nothing is written. */
	error = h_mount_file(&h, img, true);
	if (!tap_ok(error == 0, "%s: mounts read-only (%d)", v->name, error))
		goto out;
	memset(&c, 0, sizeof(c));
	c.h = &h;
	c.check_mtime = true;
	tree_compare(&c, src);
	tap_ok(c.bad == 0 && c.files >= MANY_ENTRIES + 6 && c.dirs == 6 && c.links == 3,
	    "%s: every file, directory and symlink matches the source (%u files, %u dirs, "
	    "%u links, %u differences)", v->name, c.files, c.dirs, c.links, c.bad);
	tap_ok(file_has_indirect(&h, "/dense", EXT2_IND_BLOCK) &&
	    file_has_indirect(&h, "/dense", EXT2_DIND_BLOCK) &&
	    file_has_indirect(&h, "/triple", EXT2_TIND_BLOCK),
	    "%s: the test files use single, double and triple indirect blocks", v->name);
	if (v->hash_dirs) {
		struct ext2_inode *many = NULL;

		tap_ok(h_namei(&h, "/dir1/many", &many) == 0 && (many->i_flags & EXT2_INDEX_FL),
		    "%s: the big directory is hashed, and was read linearly", v->name);
		if (many != NULL)
			h_iput(&h, many);
	}

	/* "." and "..", the root's ".." being itself. */
	{
		struct ext2_inode *root = NULL, *d1 = NULL, *d2 = NULL;
		uint32_t a = 0, b = 0, c = 0, d = 0;
		uint8_t t;

		if (h_namei(&h, "/", &root) == 0 && h_namei(&h, "/dir1", &d1) == 0 &&
		    h_namei(&h, "/dir1/dir2", &d2) == 0) {
			ext2_lookup(root, "..", 2, &a, &t);
			ext2_lookup(d1, "..", 2, &b, &t);
			ext2_lookup(d2, "..", 2, &c, &t);
			ext2_lookup(d2, ".", 1, &d, &t);
		}
		tap_ok(a == EXT2_ROOT_INO && b == EXT2_ROOT_INO && d1 != NULL && c == d1->i_number &&
		    d2 != NULL && d == d2->i_number && h.mp->m_errors == 0,
		    "%s: \".\" and \"..\" look up as they should, in the root too", v->name);
		if (d2 != NULL)
			h_iput(&h, d2);
		if (d1 != NULL)
			h_iput(&h, d1);
		if (root != NULL)
			h_iput(&h, root);
	}

	/* Clustering: a dense file laid out contiguously reads in few requests. */
	struct ext2_inode *dense;
	if (h_namei(&h, "/dense", &dense) == 0) {
		uint64_t before = harness_data_reads, blocks = howmany(dense->i_size, v->bsize);
		uint8_t *buf = malloc(dense->i_size);

		h_read(&h, dense, 0, buf, dense->i_size);
		tap_ok(harness_data_reads - before <= blocks / 16 + 4,
		    "%s: %lu blocks of a dense file read in %lu requests", v->name,
		    (unsigned long)blocks, (unsigned long)(harness_data_reads - before));
		free(buf);
		h_iput(&h, dense);
	}

	ext2_statfs(h.mp, &sf);
	debugfs_run(img, "stats", &out, NULL);
	tap_ok(out != NULL && (long)sf.f_bfree == stats_value(out, "Free blocks:") &&
	    (long)sf.f_ffree == stats_value(out, "Free inodes:") &&
	    (long)sf.f_files == stats_value(out, "Inode count:") &&
	    sf.f_blocks < (uint64_t)stats_value(out, "Block count:") && sf.f_bsize == v->bsize,
	    "%s: statfs agrees with debugfs (free blocks %lu, free inodes %lu)", v->name,
	    (unsigned long)sf.f_bfree, (unsigned long)sf.f_ffree);
	free(out);
	out = NULL;
	uint64_t writes = h.disk->hd_writes;
	h_unmount(&h);
	tap_ok(writes == 0, "%s: a read-only mount writes nothing", v->name);

	/* Read-write mount and unmount: clean, mount counted. */
	debugfs_run(img, "stats", &out, NULL);
	long mounts = stats_value(out, "Mount count:");
	free(out);
	out = NULL;
	error = h_mount_file(&h, img, false);
	if (tap_ok(error == 0, "%s: mounts read-write", v->name)) {
		debugfs_run(img, "stats", &out, NULL);
		tap_ok(out != NULL && strstr(out, "Filesystem state:         not clean") != NULL,
		    "%s: not clean while mounted", v->name);
		free(out);
		out = NULL;
		tap_ok(h_unmount(&h) == 0, "%s: unmounts", v->name);
		int st = fsck_image(img, &out);
		tap_ok(st == 0, "%s: e2fsck -fn finds nothing to fix after unmount", v->name);
		if (st != 0)
			tap_diag("%s", out);
		free(out);
		out = NULL;
		debugfs_run(img, "stats", &out, NULL);
		tap_ok(out != NULL && stats_value(out, "Mount count:") == mounts + 1 &&
		    strstr(out, "Filesystem state:         clean") != NULL,
		    "%s: clean again, mount count %ld -> %ld", v->name, mounts,
		    stats_value(out, "Mount count:"));
		free(out);
	}
out:
	tmpdir_remove(dir);
	free(dir);
}

int
main(void)
{
	bcache_init(256);
	for (size_t i = 0; i < nitems(variants); i++)
		test_variant(&variants[i]);
	return tap_done();
}
