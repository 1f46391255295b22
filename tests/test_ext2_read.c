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
#include <dirent.h>
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
fill_random(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(tap_rand_r(&s) >> 32);
}

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

/*
 * Comparing.
 */

struct cmp {
	struct ext2h	*h;
	bool		filetype;	/* entries carry types */
	unsigned	files, dirs, links, bad;
};

static void
mismatch(struct cmp *c, const char *path, const char *what)
{
	if (c->bad++ < 10)
		tap_diag("%s: %s differs", path, what);
}

/* Does the source (fd) hold only zeros in [start, end)? */
static bool
source_zero(int fd, uint64_t start, uint64_t end)
{
	uint8_t buf[4096];

	while (start < end) {
		off_t d = lseek(fd, (off_t)start, SEEK_DATA), hole;

		if (d < 0 || (uint64_t)d >= end)
			return true;
		hole = lseek(fd, d, SEEK_HOLE);
		for (uint64_t p = (uint64_t)d; p < MIN((uint64_t)hole, end);) {
			size_t n = (size_t)MIN((uint64_t)sizeof(buf), MIN((uint64_t)hole, end) - p);

			if (pread(fd, buf, n, (off_t)p) != (ssize_t)n)
				return false;
			for (size_t i = 0; i < n; i++)
				if (buf[i] != 0)
					return false;
			p += n;
		}
		start = (uint64_t)hole;
	}
	return true;
}

/*
 * Compare a regular file's bytes by walking its block map in runs: a
 * mapped run is read from the device in one request and compared with
 * the source; a hole must be zeros in the source.  Also checks that each
 * run is consistent with single-block lookups and ends where the map
 * stops being contiguous (or at an indirect-block boundary).
 */
static bool
compare_by_runs(struct cmp *c, struct ext2_inode *ip, int fd)
{
	struct ext2_mount *mp = c->h->mp;
	uint32_t bs = mp->m_bsize, run, r1;
	uint64_t nblocks = howmany(ip->i_size, (uint64_t)bs), lblk = 0, pblk, p1;
	uint8_t *dev = malloc(256 * (size_t)bs), *src = malloc(256 * (size_t)bs);
	bool ok = true;

	while (ok && lblk < nblocks) {
		if (ext2_bmap(ip, lblk, 256, &pblk, &run) != 0 || run == 0 ||
		    lblk + run > nblocks) {
			ok = false;
			break;
		}
		/* Spot-check the run against one-block lookups at its ends. */
		if (ext2_bmap(ip, lblk + run - 1, 1, &p1, &r1) != 0 ||
		    p1 != (pblk == 0 ? 0 : pblk + run - 1))
			ok = false;
		if (ok && run < 256 && lblk + run < nblocks) {
			uint64_t next = lblk + run, rel = next - 12;
			bool boundary = next == 12 || (next > 12 && rel % (bs / 4) == 0);

			if (ext2_bmap(ip, next, 1, &p1, &r1) != 0)
				ok = false;
			else if (!boundary && (pblk == 0 ? p1 == 0 : p1 == pblk + run))
				ok = false;	/* the run should have gone on */
		}
		uint64_t start = lblk * bs, end = MIN((lblk + run) * bs, ip->i_size);
		if (ok && pblk == 0) {
			ok = source_zero(fd, start, end);
		} else if (ok) {
			size_t n = (size_t)(end - start);

			if (blockdev_read(&c->h->disk->hd_bd, pblk * bs, dev, (size_t)run * bs) != 0 ||
			    pread(fd, src, n, (off_t)start) != (ssize_t)n || memcmp(dev, src, n) != 0)
				ok = false;
		}
		lblk += run;
	}
	free(dev);
	free(src);
	return ok;
}

/* Read the whole file through h_read (the pager's way) and compare it. */
static bool
compare_by_read(struct cmp *c, struct ext2_inode *ip, const char *srcpath)
{
	size_t len;
	uint8_t *want = slurp(srcpath, &len), *got = malloc(len + 1);
	ssize_t n = h_read(c->h, ip, 0, got, len + 1);
	bool ok = want != NULL && n == (ssize_t)len && memcmp(want, got, len) == 0;

	free(want);
	free(got);
	return ok;
}

struct listing {
	char		**names;
	uint8_t		*types;
	uint32_t	*inos;
	size_t		n, cap, stop_every, calls;
};

static int
collect(void *arg, const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next)
{
	struct listing *l = arg;

	(void)next;
	if (l->stop_every != 0 && ++l->calls % (l->stop_every + 1) == 0)
		return 1;	/* "buffer full": resume at this entry */
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->names = realloc(l->names, l->cap * sizeof(*l->names));
		l->types = realloc(l->types, l->cap);
		l->inos = realloc(l->inos, l->cap * sizeof(*l->inos));
	}
	l->names[l->n] = strndup(name, len);
	l->types[l->n] = type;
	l->inos[l->n] = ino;
	l->n++;
	return 0;
}

static void
listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->types);
	free(l->inos);
}

static int
read_listing(struct ext2_inode *dp, struct listing *l, size_t stop_every)
{
	uint64_t cookie = 0;
	int error, rounds = 0;

	memset(l, 0, sizeof(*l));
	l->stop_every = stop_every;
	do {
		if ((error = ext2_readdir(dp, &cookie, collect, l)) != 0)
			return error;
		if (++rounds > 100000)
			return ELOOP;
	} while (cookie < dp->i_size);
	return 0;
}

static uint8_t
ftype_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFSOCK: return EXT2_FT_SOCK;
	}
	return EXT2_FT_UNKNOWN;
}

static void compare_tree(struct cmp *c, const char *src, const char *img, struct ext2_inode *dp);

/* Compare the listing of directory dp with the source directory src. */
static void
compare_listing(struct cmp *c, const char *src, const char *img, struct ext2_inode *dp,
    bool root)
{
	struct listing whole, pieces;
	size_t found = 0, expected = 0;
	DIR *d = opendir(src);
	struct dirent *e;

	if (d == NULL || read_listing(dp, &whole, 0) != 0 || read_listing(dp, &pieces, 3) != 0) {
		mismatch(c, img, "listing (unreadable)");
		if (d != NULL)
			closedir(d);
		return;
	}
	if (pieces.n != whole.n)
		mismatch(c, img, "listing read 3 entries at a time");
	for (size_t i = 0; i < whole.n && i < pieces.n; i++)
		if (strcmp(whole.names[i], pieces.names[i]) != 0 || whole.inos[i] != pieces.inos[i])
			mismatch(c, img, "listing read 3 entries at a time");
	if (whole.n < 2 || strcmp(whole.names[0], ".") != 0 || strcmp(whole.names[1], "..") != 0 ||
	    whole.inos[0] != dp->i_number)
		mismatch(c, img, "\".\" and \"..\" first");
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char path[1024];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		expected++;
		snprintf(path, sizeof(path), "%s/%s", src, e->d_name);
		lstat(path, &st);
		for (size_t i = 2; i < whole.n; i++) {
			if (strcmp(whole.names[i], e->d_name) != 0)
				continue;
			found++;
			if (c->filetype && whole.types[i] != ftype_of(st.st_mode))
				mismatch(c, path, "entry type");
			if (!c->filetype && whole.types[i] != EXT2_FT_UNKNOWN)
				mismatch(c, path, "entry type (no filetype feature)");
			break;
		}
	}
	closedir(d);
	if (root)
		expected++;		/* lost+found */
	if (found != expected - root || whole.n != expected + 2)
		mismatch(c, img, "set of names");
	listing_free(&whole);
	listing_free(&pieces);
}

/* Compare one source entry (lstat st) with the inode ip. */
static void
compare_entry(struct cmp *c, const char *src, const char *img, const struct stat *st,
    struct ext2_inode *ip)
{
	if ((st->st_mode & S_IFMT) != (ip->i_mode & EXT2_S_IFMT)) {
		mismatch(c, img, "type");
		return;
	}
	if ((st->st_mode & 07777) != (ip->i_mode & 07777))
		mismatch(c, img, "mode");
	if (st->st_uid != ip->i_uid || st->st_gid != ip->i_gid)
		mismatch(c, img, "owner");
	if (!S_ISDIR(st->st_mode) && st->st_nlink != ip->i_links)
		mismatch(c, img, "link count");
	if (S_ISREG(st->st_mode) && st->st_mtim.tv_sec != (time_t)ip->i_mtime)
		mismatch(c, img, "mtime");
	if (S_ISREG(st->st_mode)) {
		int fd = open(src, O_RDONLY);

		c->files++;
		if ((uint64_t)st->st_size != ip->i_size)
			mismatch(c, img, "size");
		else if (fd < 0 || !compare_by_runs(c, ip, fd))
			mismatch(c, img, "contents (by bmap runs)");
		else if (st->st_size <= 8 << 20 && !compare_by_read(c, ip, src))
			mismatch(c, img, "contents (by h_read)");
		if (fd >= 0)
			close(fd);
	} else if (S_ISLNK(st->st_mode)) {
		char want[4096], got[4096];
		ssize_t n = readlink(src, want, sizeof(want));
		size_t len;

		c->links++;
		if (n < 0 || ext2_readlink(ip, got, sizeof(got), &len) != 0 ||
		    len != (size_t)n || memcmp(want, got, len) != 0 || ip->i_size != (uint64_t)n)
			mismatch(c, img, "symlink target");
	} else if (S_ISDIR(st->st_mode)) {
		compare_tree(c, src, img, ip);
	}
}

static void
compare_tree(struct cmp *c, const char *src, const char *img, struct ext2_inode *dp)
{
	DIR *d = opendir(src);
	struct dirent *e;
	uint32_t subdirs = 0;

	c->dirs++;
	compare_listing(c, src, img, dp, dp->i_number == EXT2_ROOT_INO);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char sp[1024], ip_path[1024];
		struct ext2_inode *ip;
		struct stat st;
		uint32_t ino;
		uint8_t type;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sp, sizeof(sp), "%s/%s", src, e->d_name);
		snprintf(ip_path, sizeof(ip_path), "%s/%s", img, e->d_name);
		if (lstat(sp, &st) != 0)
			abort();
		subdirs += S_ISDIR(st.st_mode);
		if (ext2_lookup(dp, e->d_name, strlen(e->d_name), &ino, &type) != 0 ||
		    h_iget(c->h, ino, &ip) != 0) {
			mismatch(c, ip_path, "lookup");
			continue;
		}
		compare_entry(c, sp, ip_path, &st, ip);
		h_iput(c->h, ip);
	}
	if (d != NULL)
		closedir(d);
	if (dp->i_number == EXT2_ROOT_INO)
		subdirs++;		/* lost+found */
	if (dp->i_links != 2 + subdirs)
		mismatch(c, img, "directory link count");
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
	struct ext2_inode *root;
	struct ext2_statfs sf;
	struct ext2h h;
	struct cmp c;
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
	c.filetype = h.mp->m_filetype;
	if (h_iget(&h, EXT2_ROOT_INO, &root) == 0) {
		compare_tree(&c, src, "", root);
		h_iput(&h, root);
	} else {
		c.bad++;
	}
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
