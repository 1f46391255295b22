/*
 * Comparing a directory tree of the host with the same tree in a mounted
 * image, through the ext2 layer (see ext2_harness.h): types, modes,
 * owners, link counts, sizes, bytes (by bmap runs, checking the runs
 * themselves, and by h_read), holes, symlink targets and listings (whole
 * and resumed a few entries at a time).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kern/systm.h>
#include "ext2_harness.h"
#include "tap.h"


static void
mismatch(struct tree_cmp *c, const char *path, const char *what)
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
compare_by_runs(struct tree_cmp *c, struct ext2_inode *ip, int fd)
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
compare_by_read(struct tree_cmp *c, struct ext2_inode *ip, const char *srcpath)
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

static void compare_tree(struct tree_cmp *c, const char *src, const char *img, struct ext2_inode *dp);

/* Compare the listing of directory dp with the source directory src. */
static void
compare_listing(struct tree_cmp *c, const char *src, const char *img, struct ext2_inode *dp,
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
			if (c->h->mp->m_filetype && whole.types[i] != ftype_of(st.st_mode))
				mismatch(c, path, "entry type");
			if (!c->h->mp->m_filetype && whole.types[i] != EXT2_FT_UNKNOWN)
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
compare_entry(struct tree_cmp *c, const char *src, const char *img, const struct stat *st,
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
	if (c->check_mtime && S_ISREG(st->st_mode) && st->st_mtim.tv_sec != (time_t)ip->i_mtime)
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
compare_tree(struct tree_cmp *c, const char *src, const char *img, struct ext2_inode *dp)
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

void
tree_compare(struct tree_cmp *c, const char *src)
{
	struct ext2_inode *root;

	c->files = c->dirs = c->links = c->bad = 0;
	if (h_iget(c->h, EXT2_ROOT_INO, &root) != 0) {
		mismatch(c, "/", "root inode");
		return;
	}
	compare_tree(c, src, "", root);
	h_iput(c->h, root);
}
