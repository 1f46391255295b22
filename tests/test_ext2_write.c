/*
 * Host test of the ext2 layer changing images, TAP output.
 *
 * Every change is made twice: through the layer (with the VFS's own
 * checks done by the harness, as the glue will do them) and, on a mirror
 * directory of the host, through Linux's system calls.  The error numbers
 * must agree, and at checkpoints the image must equal the mirror three
 * ways: read back through the layer, after unmounting as e2fsck -fn sees
 * it (nothing to fix), and as debugfs dumps it (rdump, cat, ls).  Then
 * the image is mounted again and the work goes on.
 *
 * On top of that: block placement (a sequential file in one run between
 * indirect blocks, files in their directory's group, directories spread
 * out), holes, truncation freeing exactly what it should, an unlinked
 * file living on until its last user goes, the rename cases of rename(2),
 * owners, modes, times and device numbers as debugfs reports them,
 * filling the disk (ENOSPC, the root reserve, no leaks, e2fsck clean),
 * a hashed directory changed, and revision 0 upgraded by a large file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kern/systm.h>
#include <kern/buf.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>

#include "host/ext2_harness.h"
#include "host/tap.h"

struct world {
	struct ext2h	h;
	char		*dir;
	char		img[512], mirror[512];
	uint32_t	bsize;
	const char	*name;
	unsigned	mismatches;	/* operations whose errors differed */
	unsigned	ops;
	unsigned	succeeded;	/* operations that returned 0 */
};

static void
mpath(const struct world *w, const char *path, char *out, size_t size)
{
	snprintf(out, size, "%s%s", w->mirror, path);
}

static int
sys_err(int r)
{
	return r >= 0 ? 0 : errno;
}

/* Record one operation's two results; true if they agree. */
static bool __attribute__((format(printf, 4, 5)))
agree(struct world *w, int ext2_err, int linux_err, const char *fmt, ...)
{
	va_list ap;

	w->ops++;
	w->succeeded += ext2_err == 0;
	if (ext2_err == linux_err)
		return true;
	if (w->mismatches++ < 12) {
		char what[256];

		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		tap_diag("%s: %s: ext2 says %d, Linux %d", w->name, what, ext2_err, linux_err);
	}
	return false;
}

/*
 * The layer's side of each operation, with the checks the VFS makes
 * before it calls a file system.
 */

static int
x_parent(struct world *w, const char *path, struct ext2_inode **dpp, const char **name,
    size_t *len)
{
	int error = h_parent(&w->h, path, dpp, name, len);

	if (error == 0 && !ext2_is_dir(*dpp)) {
		h_iput(&w->h, *dpp);
		error = ENOTDIR;
	}
	if (error != 0)
		*dpp = NULL;
	return error;
}

static int
x_lookup_in(struct world *w, struct ext2_inode *dp, const char *name, size_t len,
    struct ext2_inode **ipp)
{
	uint32_t ino;
	uint8_t type;
	int error = ext2_lookup(dp, name, len, &ino, &type);

	*ipp = NULL;
	return error != 0 ? error : h_iget(&w->h, ino, ipp);
}

/* What x_make makes. */
enum make_kind { MAKE_FILE, MAKE_DIR, MAKE_SYMLINK };

/* Make a file, directory or symlink (to target) at path, owned by us. */
static int
x_make(struct world *w, const char *path, enum make_kind kind, uint16_t mode,
    const char *target)
{
	struct ext2_inode *dp, *ip;
	const char *name;
	size_t len;
	int error;

	if ((error = x_parent(w, path, &dp, &name, &len)) != 0)
		return error;
	if (kind == MAKE_FILE)
		error = ext2_create(dp, name, len, mode, getuid(), getgid(), &ip);
	else if (kind == MAKE_DIR)
		error = ext2_mkdir(dp, name, len, mode, getuid(), getgid(), &ip);
	else
		error = ext2_symlink(dp, name, len, target, strlen(target), getuid(), getgid(),
		    &ip);
	if (error == 0) {
		h_adopt(&w->h, ip);
		h_iput(&w->h, ip);
	}
	h_iput(&w->h, dp);
	return error;
}

static int
x_mkdir(struct world *w, const char *path, uint16_t mode)
{
	return x_make(w, path, MAKE_DIR, mode, NULL);
}

static int
x_create(struct world *w, const char *path, uint16_t mode)
{
	return x_make(w, path, MAKE_FILE, mode, NULL);
}

static int
x_write(struct world *w, const char *path, uint64_t off, const void *buf, size_t len)
{
	struct ext2_inode *ip;
	ssize_t n;
	int error;

	if ((error = h_namei_follow(&w->h, path, &ip)) != 0)
		return error;
	if (ext2_is_dir(ip))
		error = EISDIR;
	else if ((n = h_write(&w->h, ip, off, buf, len)) < 0)
		error = (int)-n;
	else if ((size_t)n != len)
		error = ENOSPC;
	h_iput(&w->h, ip);
	return error;
}

static int
x_truncate(struct world *w, const char *path, uint64_t size)
{
	struct ext2_inode *ip;
	int error;

	if ((error = h_namei_follow(&w->h, path, &ip)) != 0)
		return error;
	error = ext2_is_dir(ip) ? EISDIR : h_truncate(&w->h, ip, size);
	h_iput(&w->h, ip);
	return error;
}

static int
x_remove(struct world *w, const char *path, bool dir)
{
	struct ext2_inode *dp, *ip;
	const char *name;
	size_t len;
	int error;

	if ((error = x_parent(w, path, &dp, &name, &len)) != 0)
		return error;
	if ((error = x_lookup_in(w, dp, name, len, &ip)) == 0) {
		error = dir ? ext2_rmdir(dp, name, len, ip) : ext2_unlink(dp, name, len, ip);
		h_iput(&w->h, ip);
	}
	h_iput(&w->h, dp);
	return error;
}

static int
x_link(struct world *w, const char *from, const char *to)
{
	struct ext2_inode *dp, *ip;
	const char *name;
	size_t len;
	int error;

	if ((error = h_namei(&w->h, from, &ip)) != 0)
		return error;
	if ((error = x_parent(w, to, &dp, &name, &len)) == 0) {
		error = ext2_link(dp, name, len, ip);
		h_iput(&w->h, dp);
	}
	h_iput(&w->h, ip);
	return error;
}

static int
x_symlink(struct world *w, const char *target, const char *path)
{
	return x_make(w, path, MAKE_SYMLINK, 0777, target);
}

static int
x_chmod(struct world *w, const char *path, uint16_t mode)
{
	struct ext2_attr a = { .a_mask = EXT2_ATTR_MODE, .a_mode = mode };
	struct ext2_inode *ip;
	int error;

	if ((error = h_namei_follow(&w->h, path, &ip)) != 0)
		return error;
	error = ext2_setattr(ip, &a);
	h_iput(&w->h, ip);
	return error;
}

/* Is directory ino dp, or below it?  (The VFS's rename loop check.) */
static bool
is_below(struct world *w, struct ext2_inode *dp, uint32_t ino)
{
	struct ext2_inode *cur = dp, *up;
	uint32_t dotdot;
	uint8_t type;
	bool below = false;

	h_adopt(&w->h, cur);		/* a reference of our own */
	for (int depth = 0; depth < 64; depth++) {
		if (cur->i_number == ino) {
			below = true;
			break;
		}
		if (cur->i_number == EXT2_ROOT_INO || ext2_lookup(cur, "..", 2, &dotdot, &type) != 0 ||
		    h_iget(&w->h, dotdot, &up) != 0)
			break;
		h_iput(&w->h, cur);
		cur = up;
	}
	h_iput(&w->h, cur);
	return below;
}

static int
x_rename(struct world *w, const char *from, const char *to)
{
	struct ext2_inode *fdp = NULL, *tdp = NULL, *ip = NULL, *tip = NULL;
	const char *fname, *tname;
	size_t flen, tlen;
	int error;

	if ((error = x_parent(w, from, &fdp, &fname, &flen)) != 0)
		return error;
	if ((error = x_parent(w, to, &tdp, &tname, &tlen)) != 0)
		goto out;
	if ((error = x_lookup_in(w, fdp, fname, flen, &ip)) != 0)
		goto out;
	if (ext2_is_dir(ip) && is_below(w, tdp, ip->i_number)) {
		error = EINVAL;		/* into itself */
		goto out;
	}
	error = x_lookup_in(w, tdp, tname, tlen, &tip);
	if (error == ENOENT)
		error = 0;
	else if (error != 0)
		goto out;
	else if (ext2_is_dir(tip) && is_below(w, fdp, tip->i_number)) {
		error = ENOTEMPTY;	/* onto an ancestor of the source */
		goto out;
	}
	error = ext2_rename(fdp, fname, flen, ip, tdp, tname, tlen, tip);
out:
	if (tip != NULL)
		h_iput(&w->h, tip);
	if (ip != NULL)
		h_iput(&w->h, ip);
	if (tdp != NULL)
		h_iput(&w->h, tdp);
	h_iput(&w->h, fdp);
	return error;
}

/*
 * Both sides at once.
 */

static int
d_mkdir(struct world *w, const char *path, uint16_t mode)
{
	char mp[1024];
	int e = x_mkdir(w, path, mode);

	mpath(w, path, mp, sizeof(mp));
	agree(w, e, sys_err(mkdir(mp, mode)), "mkdir %s", path);
	return e;
}

static int
d_create(struct world *w, const char *path, uint16_t mode)
{
	char mp[1024];
	int e = x_create(w, path, mode), fd;

	mpath(w, path, mp, sizeof(mp));
	fd = open(mp, O_WRONLY | O_CREAT | O_EXCL, mode);
	agree(w, e, sys_err(fd), "create %s", path);
	if (fd >= 0)
		close(fd);
	return e;
}

static int
d_write(struct world *w, const char *path, uint64_t off, size_t len, uint64_t seed)
{
	uint8_t *buf = malloc(len + 1);
	char mp[1024];
	int e, fd, m;

	fill_random(buf, len, seed);
	e = x_write(w, path, off, buf, len);
	mpath(w, path, mp, sizeof(mp));
	fd = open(mp, O_WRONLY);
	m = sys_err(fd);
	if (fd >= 0) {
		if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
			m = errno;
		close(fd);
	}
	agree(w, e, m, "write %s at %lu, %zu bytes", path, (unsigned long)off, len);
	free(buf);
	return e;
}

static int
d_truncate(struct world *w, const char *path, uint64_t size)
{
	char mp[1024];
	int e = x_truncate(w, path, size);

	mpath(w, path, mp, sizeof(mp));
	agree(w, e, sys_err(truncate(mp, (off_t)size)), "truncate %s to %lu", path,
	    (unsigned long)size);
	return e;
}

static int
d_unlink(struct world *w, const char *path)
{
	char mp[1024];
	int e = x_remove(w, path, false);

	mpath(w, path, mp, sizeof(mp));
	agree(w, e, sys_err(unlink(mp)), "unlink %s", path);
	return e;
}

static int
d_rmdir(struct world *w, const char *path)
{
	char mp[1024];
	int e = x_remove(w, path, true);

	mpath(w, path, mp, sizeof(mp));
	agree(w, e, sys_err(rmdir(mp)), "rmdir %s", path);
	return e;
}

static int
d_link(struct world *w, const char *from, const char *to)
{
	char mf[1024], mt[1024];
	int e = x_link(w, from, to);

	mpath(w, from, mf, sizeof(mf));
	mpath(w, to, mt, sizeof(mt));
	agree(w, e, sys_err(link(mf, mt)), "link %s %s", from, to);
	return e;
}

static int
d_symlink(struct world *w, const char *target, const char *path)
{
	char mp[1024];
	int e = x_symlink(w, target, path);

	mpath(w, path, mp, sizeof(mp));
	agree(w, e, sys_err(symlink(target, mp)), "symlink %s", path);
	return e;
}

static int
d_rename(struct world *w, const char *from, const char *to)
{
	char mf[1024], mt[1024];
	int e = x_rename(w, from, to);

	mpath(w, from, mf, sizeof(mf));
	mpath(w, to, mt, sizeof(mt));
	agree(w, e, sys_err(rename(mf, mt)), "rename %s %s", from, to);
	return e;
}

static int
d_chmod(struct world *w, const char *path, uint16_t mode)
{
	char mp[1024];
	int e = x_chmod(w, path, mode);

	mpath(w, path, mp, sizeof(mp));
	agree(w, e, sys_err(chmod(mp, mode)), "chmod %s", path);
	return e;
}

/*
 * Checkpoints.
 */

/* Are host trees a (the mirror) and b (a debugfs rdump) the same, but lost+found? */
static bool
same_host_tree(const char *a, const char *b, bool root, unsigned *diffs)
{
	DIR *d = opendir(a);
	struct dirent *e;
	size_t na = 0, nb = 0;

	if (d == NULL)
		return false;
	while ((e = readdir(d)) != NULL) {
		char pa[1024], pb[1024];
		struct stat sa, sb;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		na++;
		snprintf(pa, sizeof(pa), "%s/%s", a, e->d_name);
		snprintf(pb, sizeof(pb), "%s/%s", b, e->d_name);
		if (lstat(pa, &sa) != 0 || lstat(pb, &sb) != 0 ||
		    (sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT)) {
			if ((*diffs)++ < 5)
				tap_diag("rdump: %s missing or of another type", pb);
			continue;
		}
		if (S_ISDIR(sa.st_mode)) {
			same_host_tree(pa, pb, false, diffs);
		} else if (S_ISREG(sa.st_mode)) {
			size_t la, lb;
			void *ca = slurp(pa, &la), *cb = slurp(pb, &lb);

			if (ca == NULL || cb == NULL || la != lb || memcmp(ca, cb, la) != 0) {
				if ((*diffs)++ < 5)
					tap_diag("rdump: %s has other bytes", pb);
			}
			free(ca);
			free(cb);
		} else if (S_ISLNK(sa.st_mode)) {
			char ta[4096], tb[4096];
			ssize_t ka = readlink(pa, ta, sizeof(ta)), kb = readlink(pb, tb, sizeof(tb));

			if (ka != kb || ka < 0 || memcmp(ta, tb, (size_t)ka) != 0) {
				if ((*diffs)++ < 5)
					tap_diag("rdump: %s has another target", pb);
			}
		}
	}
	closedir(d);
	if ((d = opendir(b)) == NULL)
		return false;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    !(root && strcmp(e->d_name, "lost+found") == 0))
			nb++;
	closedir(d);
	if (na != nb && (*diffs)++ < 5)
		tap_diag("rdump: %s has %zu entries, the mirror %zu", b, nb, na);
	return *diffs == 0;
}

/*
 * Compare the image with the mirror through the layer, unmount, check it
 * with e2fsck and debugfs rdump, and mount it again.
 */
static void
checkpoint(struct world *w, const char *label)
{
	struct tree_cmp c = { .h = &w->h };
	char dump[600], *out = NULL;
	unsigned diffs = 0;
	int error, st;

	tree_compare(&c, w->mirror);
	tap_ok(c.bad == 0 && w->mismatches == 0,
	    "%s: %s: the layer shows the mirror (%u files, %u dirs, %u links; %u of %u "
	    "operations (%u succeeded) disagreed with Linux)", w->name, label, c.files, c.dirs,
	    c.links, w->mismatches, w->ops, w->succeeded);
	error = h_unmount(&w->h);
	tap_ok(error == 0, "%s: %s: unmounts (%d)", w->name, label, error);
	st = fsck_image(w->img, &out);
	if (!tap_ok(st == 0, "%s: %s: e2fsck -fn finds nothing to fix", w->name, label))
		tap_diag("%s", out);
	free(out);
	snprintf(dump, sizeof(dump), "%s/rdump", w->dir);
	tmpdir_remove(dump);
	mkdir(dump, 0755);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rdump / %s", dump);
		debugfs_run(w->img, cmd, NULL, NULL);
	}
	tap_ok(same_host_tree(w->mirror, dump, true, &diffs),
	    "%s: %s: debugfs rdump gives the mirror's files", w->name, label);
	error = h_mount_file(&w->h, w->img, false);
	tap_ok(error == 0, "%s: %s: mounts again (%d)", w->name, label, error);
	w->mismatches = 0;
}

/* A small starting tree, made twice: for mke2fs -d and as the mirror. */
static void
build_start(const char *root)
{
	char p[1024];
	uint8_t buf[3000];
	int fd;

	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/old", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/old/file", root);
	fill_random(buf, sizeof(buf), 99);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		abort();
	close(fd);
	snprintf(p, sizeof(p), "%s/old/link", root);
	if (symlink("file", p) != 0)
		abort();
}

/* The start with a directory of many entries, for e2fsck -D to index. */
static void
build_hashed(const char *root)
{
	char p[1024];

	build_start(root);
	snprintf(p, sizeof(p), "%s/h", root);
	mkdir(p, 0755);
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "%s/h/a-name-long-enough-to-fill-blocks-%04d", root, i);
		close(open(p, O_WRONLY | O_CREAT, 0644));
	}
}

static bool
world_init_with(struct world *w, const char *name, uint32_t bsize, uint64_t size_kib,
    const char *const extra[], void (*build)(const char *root))
{
	char src[600];

	memset(w, 0, sizeof(*w));
	w->name = name;
	w->bsize = bsize;
	w->dir = tmpdir_make();
	snprintf(src, sizeof(src), "%s/src", w->dir);
	snprintf(w->mirror, sizeof(w->mirror), "%s/mirror", w->dir);
	snprintf(w->img, sizeof(w->img), "%s/img", w->dir);
	build(src);
	build(w->mirror);
	if (make_image(w->img, src, bsize, size_kib, extra) != 0)
		return false;
	return h_mount_file(&w->h, w->img, false) == 0;
}

static bool
world_init(struct world *w, const char *name, uint32_t bsize, uint64_t size_kib,
    const char *const extra[])
{
	return world_init_with(w, name, bsize, size_kib, extra, build_start);
}

static void
world_done(struct world *w)
{
	if (w->h.mp != NULL)
		h_unmount(&w->h);
	tmpdir_remove(w->dir);
	free(w->dir);
}

static uint64_t
free_blocks(struct world *w)
{
	struct ext2_statfs sf;

	ext2_statfs(w->h.mp, &sf);
	return sf.f_bfree;
}

static uint32_t
ino_of(struct world *w, const char *path)
{
	struct ext2_inode *ip;
	uint32_t ino;

	if (h_namei(&w->h, path, &ip) != 0)
		return 0;
	ino = ip->i_number;
	h_iput(&w->h, ip);
	return ino;
}

static uint32_t
group_of(struct world *w, const char *path)
{
	return (ino_of(w, path) - 1) / w->h.mp->m_ipg;
}

/*
 * Placement: a file written sequentially on an empty group lies in one
 * run per block-map array, all of it and its indirect blocks back to
 * back; files stay in their directory's group; directories spread.
 */
static void
test_placement(struct world *w)
{
	uint32_t bs = w->bsize, apb = bs / 4, runs = 0, run;
	uint64_t nblocks = 12 + 2 * (uint64_t)apb + 5, lblk, pblk, first = 0, last = 0;
	struct ext2_inode *ip;
	bool contiguous = true, same_group = true;

	d_mkdir(w, "/a", 0755);
	d_mkdir(w, "/c", 0755);
	d_mkdir(w, "/d", 0755);
	d_create(w, "/a/seq", 0644);
	for (lblk = 0; lblk < nblocks; lblk++)
		d_write(w, "/a/seq", lblk * bs, bs, 1000 + lblk);
	if (h_namei(&w->h, "/a/seq", &ip) == 0) {
		for (lblk = 0; lblk < nblocks; lblk += run, runs++) {
			if (ext2_bmap(ip, lblk, UINT32_MAX, &pblk, &run) != 0 || pblk == 0) {
				contiguous = false;
				break;
			}
			if (lblk == 0)
				first = pblk;
			last = pblk + run - 1;
		}
		h_iput(&w->h, ip);
	}
	/* Four arrays: i_blkptr, the single indirect, two double-indirect leaves. */
	tap_ok(contiguous && runs == 4 && last - first + 1 == nblocks + 4,
	    "%s: a sequential %lu-block file is 4 runs, back to back with its 4 indirect "
	    "blocks (%u runs over %lu disk blocks)", w->name, (unsigned long)nblocks, runs,
	    (unsigned long)(last - first + 1));
	tap_ok((first - w->h.mp->m_first_data_block) / w->h.mp->m_bpg == group_of(w, "/a"),
	    "%s: its blocks are in its directory's group", w->name);

	for (int i = 0; i < 5; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/c/f%d", i);
		d_create(w, p, 0644);
		same_group &= group_of(w, p) == group_of(w, "/c");
	}
	tap_ok(same_group, "%s: files are made in their directory's group (%u)", w->name,
	    group_of(w, "/c"));
	tap_ok(group_of(w, "/a") != group_of(w, "/c") || group_of(w, "/c") != group_of(w, "/d"),
	    "%s: directories spread over groups (%u, %u, %u)", w->name, group_of(w, "/a"),
	    group_of(w, "/c"), group_of(w, "/d"));
}

/* Holes stay holes; writes into them allocate only what they touch. */
static void
test_holes(struct world *w)
{
	uint32_t bs = w->bsize, spb = bs / 512, run;
	uint64_t far = 5 << 20, before = free_blocks(w), size, pblk;
	struct ext2_inode *ip;
	bool ok = true;

	d_create(w, "/a/sparse", 0600);
	d_write(w, "/a/sparse", far + 3, 100, 1);
	d_write(w, "/a/sparse", 0, 10, 2);
	d_write(w, "/a/sparse", 40 * (uint64_t)bs, bs, 3);	/* inside the hole */
	if (h_namei(&w->h, "/a/sparse", &ip) != 0)
		return;
	size = ip->i_size;
	for (uint64_t l = 0; l * bs < size && ok; l++) {
		bool want = l == 0 || l == 40 || l == (far + 3) / bs || l == (far + 102) / bs;

		ok = ext2_bmap(ip, l, 1, &pblk, &run) == 0 && (pblk != 0) == want;
	}
	uint64_t used = before - free_blocks(w);
	tap_ok(ok && used == ip->i_blocks / spb,
	    "%s: only the written blocks and their indirect blocks are allocated (%lu blocks)",
	    w->name, (unsigned long)used);
	h_iput(&w->h, ip);

	/* One byte behind a triple-indirect block, then truncated away again. */
	uint64_t apb = bs / 4, tind = 12 + apb + apb * apb, base = free_blocks(w);
	d_create(w, "/a/far", 0600);
	d_write(w, "/a/far", (tind + apb * apb + apb + 3) * bs + 1, 1, 7);
	ok = h_namei(&w->h, "/a/far", &ip) == 0 && ip->i_blkptr[EXT2_TIND_BLOCK] != 0 &&
	    ip->i_blocks == 4 * spb && base - free_blocks(w) == 4 &&
	    ext2_bmap(ip, tind + apb * apb + apb + 3, 1, &pblk, &run) == 0 && pblk != 0;
	if (ip != NULL)
		h_iput(&w->h, ip);
	d_truncate(w, "/a/far", 0);
	tap_ok(ok && free_blocks(w) == base,
	    "%s: a byte at %lu MiB takes a data block and 3 indirect blocks; truncation frees "
	    "them", w->name, (unsigned long)((tind + apb * apb) * bs >> 20));
}

/* Truncation frees exactly the blocks past the end; the tail reads as zeros. */
static void
test_truncate(struct world *w)
{
	uint32_t bs = w->bsize, spb = bs / 512;
	uint64_t before, keep = 100 * (uint64_t)bs + 17;
	struct ext2_inode *ip;
	uint8_t *buf;
	bool zeros = true;

	if (h_namei(&w->h, "/a/seq", &ip) != 0)
		return;
	uint32_t blocks_before = ip->i_blocks;
	h_iput(&w->h, ip);
	before = free_blocks(w);
	d_truncate(w, "/a/seq", keep);
	h_namei(&w->h, "/a/seq", &ip);
	/* 101 data blocks and one single-indirect block remain. */
	tap_ok(ip->i_blocks == 102 * spb && free_blocks(w) - before ==
	    (blocks_before - ip->i_blocks) / spb,
	    "%s: truncation frees the data and indirect blocks past the end (%u left)", w->name,
	    ip->i_blocks / spb);
	h_iput(&w->h, ip);
	d_truncate(w, "/a/seq", 150 * (uint64_t)bs);
	d_write(w, "/a/seq", 160 * (uint64_t)bs, 5, 4);
	h_namei(&w->h, "/a/seq", &ip);
	buf = malloc(50 * (size_t)bs);
	h_read(&w->h, ip, keep, buf, 50 * (size_t)bs);
	for (size_t i = 0; i < 50 * (size_t)bs - 17; i++)
		zeros &= buf[i] == 0;
	tap_ok(zeros, "%s: after truncating down and up, the old tail reads as zeros", w->name);
	free(buf);
	h_iput(&w->h, ip);
}

/* An unlinked file keeps its blocks until its last user lets go. */
static void
test_open_unlinked(struct world *w)
{
	uint64_t start = free_blocks(w), held;
	struct ext2_inode *ip;

	d_create(w, "/a/tmpfile", 0600);
	d_write(w, "/a/tmpfile", 0, 50 * (size_t)w->bsize, 5);
	h_namei(&w->h, "/a/tmpfile", &ip);		/* an open file */
	held = free_blocks(w);
	d_unlink(w, "/a/tmpfile");
	bool kept = free_blocks(w) == held && ip->i_links == 0;
	uint8_t b[16];
	bool readable = h_read(&w->h, ip, 0, b, sizeof(b)) == sizeof(b);
	h_iput(&w->h, ip);
	tap_ok(kept && readable && free_blocks(w) == start,
	    "%s: an unlinked open file stays readable; its blocks return at the last put",
	    w->name);
}

/* A write the disk refuses leaves no block allocated past the end of the file. */
static void
test_failed_write(struct world *w)
{
	uint8_t data[3 * 4096] = { 1 };
	uint64_t before;
	struct ext2_inode *ip;
	int error;

	d_create(w, "/a/fails", 0644);
	before = free_blocks(w);
	w->h.disk->hd_fail_write_lo = 0;
	w->h.disk->hd_fail_write_hi = UINT64_MAX;
	error = x_write(w, "/a/fails", 5 * (uint64_t)w->bsize, data, 3 * (size_t)w->bsize);
	w->h.disk->hd_fail_write_hi = 0;
	h_namei(&w->h, "/a/fails", &ip);
	tap_ok(error == EIO && ip->i_size == 0 && ip->i_blocks == 0 && free_blocks(w) == before,
	    "%s: a write the disk refuses is EIO and leaves no blocks behind", w->name);
	h_iput(&w->h, ip);
}

static void
test_renames(struct world *w)
{
	struct ext2_inode *b2;
	uint32_t dotdot = 0, links_a, links_c;
	uint8_t type;
	bool ok = true;

	d_create(w, "/c/x", 0644);
	d_write(w, "/c/x", 0, 5000, 6);
	d_create(w, "/c/y", 0644);
	d_mkdir(w, "/c/empty", 0755);
	d_mkdir(w, "/c/full", 0755);
	d_create(w, "/c/full/inside", 0644);
	d_mkdir(w, "/c/dirx", 0755);
	d_mkdir(w, "/c/diry", 0755);
	d_link(w, "/c/x", "/c/xlink");
	d_mkdir(w, "/a/b", 0755);
	d_create(w, "/a/b/content", 0644);

	ok &= d_rename(w, "/c/x", "/c/y") == 0;			/* replaces a file */
	ok &= d_rename(w, "/c/dirx", "/c/empty") == 0;		/* replaces an empty dir */
	ok &= d_rename(w, "/c/diry", "/c/full") == ENOTEMPTY;
	ok &= d_rename(w, "/c/y", "/c/full") == EISDIR;
	ok &= d_rename(w, "/c/full", "/c/y") == ENOTDIR;
	ok &= d_rename(w, "/c/full", "/c/full/sub") == EINVAL;
	ok &= d_rename(w, "/c/y", "/c/xlink") == 0;		/* one inode: nothing happens */
	ok &= d_rename(w, "/c/nothing", "/c/z") == ENOENT;
	ok &= d_link(w, "/c/full", "/c/fulllink") == EPERM;
	ok &= d_rmdir(w, "/c/full") == ENOTEMPTY;
	ok &= d_unlink(w, "/c/full") == EISDIR;
	ok &= d_rmdir(w, "/c/y") == ENOTDIR;
	ok &= d_mkdir(w, "/c/y", 0755) == EEXIST;
	tap_ok(ok, "%s: rename, link, unlink and rmdir give rename(2)'s answers", w->name);

	links_a = 0;
	links_c = 0;
	struct ext2_inode *a, *c;
	if (h_namei(&w->h, "/a", &a) == 0) {
		links_a = a->i_links;
		h_iput(&w->h, a);
	}
	if (h_namei(&w->h, "/c", &c) == 0) {
		links_c = c->i_links;
		h_iput(&w->h, c);
	}
	d_rename(w, "/a/b", "/c/b2");				/* a directory moves */
	if (h_namei(&w->h, "/c/b2", &b2) == 0) {
		ext2_lookup(b2, "..", 2, &dotdot, &type);
		h_iput(&w->h, b2);
	}
	h_namei(&w->h, "/a", &a);
	h_namei(&w->h, "/c", &c);
	tap_ok(dotdot == c->i_number && a->i_links == links_a - 1 && c->i_links == links_c + 1,
	    "%s: a moved directory's \"..\" and both parents' link counts follow it", w->name);
	h_iput(&w->h, a);
	h_iput(&w->h, c);
	d_symlink(w, "x", "/c/fast");
	char *slow = malloc(w->bsize);
	memset(slow, 's', w->bsize - 1);
	slow[w->bsize - 1] = '\0';
	d_symlink(w, slow, "/c/slow");
	free(slow);
}

/* debugfs's view of one file and one directory, besides rdump. */
static void
test_debugfs_views(struct world *w)
{
	char *out = NULL, mp[1024];
	size_t len, want_len;
	void *want;
	bool names = true;

	h_unmount(&w->h);
	debugfs_run(w->img, "cat /c/xlink", &out, &len);
	mpath(w, "/c/xlink", mp, sizeof(mp));
	want = slurp(mp, &want_len);
	tap_ok(out != NULL && want != NULL && len == want_len && memcmp(out, want, len) == 0,
	    "%s: debugfs cat returns the bytes written", w->name);
	free(out);
	free(want);
	debugfs_run(w->img, "ls -p /c", &out, NULL);
	const char *expect[] = { "/empty/", "/full/", "/xlink/", "/b2/", "/fast/", "/slow/",
	    "/f0/", "/y/" };
	for (size_t i = 0; i < nitems(expect); i++)
		names &= out != NULL && strstr(out, expect[i]) != NULL;
	names &= out != NULL && strstr(out, "/x/") == NULL && strstr(out, "/diry/") != NULL;
	tap_ok(names, "%s: debugfs ls lists the directory as renamed", w->name);
	free(out);
	h_mount_file(&w->h, w->img, false);
}

/*
 * Random operations on both sides, compared error by error, with
 * checkpoints along the way.
 */
static void
random_path(char *p, size_t size, uint64_t *rng, bool symlink_ok)
{
	static const char *names[] = { "a", "b", "c", "d" };
	uint64_t r = tap_rand_r(rng) % 20;
	int depth = r < 9 ? 1 : r < 17 ? 2 : 3;
	size_t n = 0;

	for (int i = 0; i < depth; i++) {
		const char *name = names[tap_rand_r(rng) % nitems(names)];

		if (i == depth - 1 && symlink_ok && tap_rand_r(rng) % 6 == 0)
			name = tap_rand_r(rng) % 2 ? "s1" : "s2";
		n += (size_t)snprintf(p + n, size - n, "/%s", name);
	}
}

static void
test_random(struct world *w, int nops, uint64_t seed)
{
	uint64_t rng = seed;
	uint32_t bs = w->bsize;

	for (int i = 0; i < nops; i++) {
		char p[64], q[64];
		unsigned op = (unsigned)(tap_rand_r(&rng) % 100);
		uint64_t off;

		random_path(p, sizeof(p), &rng, op >= 60);
		random_path(q, sizeof(q), &rng, op >= 60);
		if (op < 15)
			d_create(w, p, 0644);
		else if (op < 25)
			d_mkdir(w, p, tap_rand_r(&rng) % 2 ? 0755 : 0700);
		else if (op < 50) {
			off = tap_rand_r(&rng) % 8 == 0 ? (tap_rand_r(&rng) % 16) << 20 :
			    tap_rand_r(&rng) % (300 * (uint64_t)bs);
			d_write(w, p, off, 1 + tap_rand_r(&rng) % (12 * (size_t)bs), rng);
		} else if (op < 58) {
			d_truncate(w, p, tap_rand_r(&rng) % (400 * (uint64_t)bs));
		} else if (op < 60) {
			d_chmod(w, p, tap_rand_r(&rng) % 2 ? 0600 : 0751);
		} else if (op < 68)
			d_unlink(w, p);
		else if (op < 74)
			d_rmdir(w, p);
		else if (op < 88)
			d_rename(w, p, q);
		else if (op < 94)
			d_link(w, p, q);
		else
			d_symlink(w, tap_rand_r(&rng) % 2 ? "short" :
			    "a-target-long-enough-to-need-a-block-of-its-own-on-every-block-size-"
			    "we-mount-which-is-more-than-sixty-bytes", q);
		if (i > 0 && i % 1000 == 0) {
			char label[64];

			snprintf(label, sizeof(label), "after %d random operations", i);
			checkpoint(w, label);
		}
	}
}

/* A directory grows over many blocks, empties in places and fills again. */
static void
test_big_directory(struct world *w)
{
	char p[128];
	struct ext2_inode *dp;
	uint64_t size = 0;

	d_mkdir(w, "/many", 0755);
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "/many/a-fairly-long-name-for-entry-number-%04d", i);
		d_create(w, p, 0644);
	}
	for (int i = 0; i < 300; i += 2) {
		snprintf(p, sizeof(p), "/many/a-fairly-long-name-for-entry-number-%04d", i);
		d_unlink(w, p);
	}
	if (h_namei(&w->h, "/many", &dp) == 0) {
		size = dp->i_size;
		h_iput(&w->h, dp);
	}
	for (int i = 0; i < 150; i++) {
		snprintf(p, sizeof(p), "/many/new-%d", i);
		d_create(w, p, 0644);
	}
	h_namei(&w->h, "/many", &dp);
	tap_ok(size >= 4 * (uint64_t)w->bsize && dp->i_size == size,
	    "%s: a directory of 300 entries takes %lu blocks, and the freed space is reused",
	    w->name, (unsigned long)(size / w->bsize));
	h_iput(&w->h, dp);
}

static void
test_block_size(uint32_t bsize)
{
	const char *extra[] = { "-g", "4096", NULL };
	char name[32];
	struct world w;

	snprintf(name, sizeof(name), "%uk", bsize / 1024);
	if (!tap_ok(world_init(&w, name, bsize, 64 * 1024, extra), "%s: image made and mounted",
	    name)) {
		world_done(&w);
		return;
	}
	test_placement(&w);
	test_holes(&w);
	test_truncate(&w);
	test_open_unlinked(&w);
	test_failed_write(&w);
	test_renames(&w);
	test_big_directory(&w);
	checkpoint(&w, "scripted operations");
	test_debugfs_views(&w);
	test_random(&w, 3000, bsize);
	checkpoint(&w, "random operations");
	world_done(&w);
}

/* A directory indexed by e2fsck -D, changed: the index is dropped, not corrupted. */
static void
test_hashed_directory(void)
{
	const char *argv_fmt = NULL;
	struct ext2_inode *dp;
	struct world w;
	char p[128];

	(void)argv_fmt;
	if (!tap_ok(world_init_with(&w, "hashed", 4096, 16 * 1024, NULL, build_hashed),
	    "hashed: image made")) {
		world_done(&w);
		return;
	}
	h_unmount(&w.h);
	{
		const char *argv[] = { tool_path("e2fsck"), "-fyD", w.img, NULL };

		run_tool(argv, true, NULL, NULL);
	}
	h_mount_file(&w.h, w.img, false);
	bool indexed = h_namei(&w.h, "/h", &dp) == 0 && (dp->i_flags & EXT2_INDEX_FL);
	if (dp != NULL)
		h_iput(&w.h, dp);
	for (int i = 0; i < 300; i += 3) {
		snprintf(p, sizeof(p), "/h/a-name-long-enough-to-fill-blocks-%04d", i);
		d_unlink(&w, p);
	}
	for (int i = 0; i < 120; i++) {
		snprintf(p, sizeof(p), "/h/added-%d", i);
		d_create(&w, p, 0600);
	}
	d_rename(&w, "/h/added-1", "/h/a-name-long-enough-to-fill-blocks-0001");
	bool cleared = h_namei(&w.h, "/h", &dp) == 0 && !(dp->i_flags & EXT2_INDEX_FL);
	h_iput(&w.h, dp);
	tap_ok(indexed && cleared, "hashed: changing an indexed directory clears its index flag");
	checkpoint(&w, "hashed directory changed");
	world_done(&w);
}

/* Fill a small file system: ENOSPC, the root reserve, nothing leaked, e2fsck clean. */
static void
test_enospc(void)
{
	const char *extra[] = { "-N", "64", "-m", "10", NULL };
	struct ext2_statfs start, sf;
	struct world w;
	uint8_t chunk[4096];
	int error = 0, files = 0;
	char p[64];
	char *out = NULL;

	memset(chunk, 0x5a, sizeof(chunk));
	if (!tap_ok(world_init(&w, "enospc", 1024, 2048, extra), "enospc: image made")) {
		world_done(&w);
		return;
	}
	ext2_statfs(w.h.mp, &start);

	harness_reserve_ok = false;
	x_create(&w, "/fill", 0644);
	for (uint64_t off = 0; error == 0; off += sizeof(chunk))
		error = x_write(&w, "/fill", off, chunk, sizeof(chunk));
	ext2_statfs(w.h.mp, &sf);
	tap_ok(error == ENOSPC && sf.f_bavail == 0 && sf.f_bfree > 0,
	    "enospc: a user's writes stop at the root reserve (%d, %lu blocks left)", error,
	    (unsigned long)sf.f_bfree);
	harness_reserve_ok = true;
	error = 0;
	x_create(&w, "/fill2", 0644);
	for (uint64_t off = 0; error == 0; off += sizeof(chunk))
		error = x_write(&w, "/fill2", off, chunk, sizeof(chunk));
	ext2_statfs(w.h.mp, &sf);
	tap_ok(error == ENOSPC && sf.f_bfree == 0, "enospc: root's writes fill the disk (%d)",
	    error);
	uint64_t ffree = sf.f_ffree;
	error = x_mkdir(&w, "/nodir", 0755);
	ext2_statfs(w.h.mp, &sf);
	tap_ok(error == ENOSPC && sf.f_ffree == ffree && sf.f_bfree == 0,
	    "enospc: mkdir with no block left fails and gives its inode back");
	error = x_symlink(&w, "a-target-long-enough-to-need-a-block-of-its-own-which-it-cannot-get",
	    "/nolink");
	ext2_statfs(w.h.mp, &sf);
	tap_ok(error == ENOSPC && sf.f_ffree == ffree, "enospc: so does a slow symlink");

	/* Room for directory entries again, then run out of inodes. */
	x_remove(&w, "/fill2", false);
	error = 0;
	for (files = 0; error == 0 && files < 200; files++) {
		snprintf(p, sizeof(p), "/f%d", files);
		error = x_create(&w, p, 0644);
	}
	ext2_statfs(w.h.mp, &sf);
	tap_ok(error == ENOSPC && sf.f_ffree == 0, "enospc: creating files runs out of inodes "
	    "after %d", files - 1);
	int st = h_unmount(&w.h);
	st |= fsck_image(w.img, &out);
	if (!tap_ok(st == 0, "enospc: e2fsck -fn finds a full file system consistent"))
		tap_diag("%s", out);
	free(out);
	out = NULL;

	h_mount_file(&w.h, w.img, false);
	for (int i = 0; i < files - 1; i++) {
		snprintf(p, sizeof(p), "/f%d", i);
		x_remove(&w, p, false);
	}
	x_remove(&w, "/fill", false);
	ext2_statfs(w.h.mp, &sf);
	tap_ok(sf.f_bfree == start.f_bfree && sf.f_ffree == start.f_ffree,
	    "enospc: removing everything gives back every block and inode (%lu/%lu, %lu/%lu)",
	    (unsigned long)sf.f_bfree, (unsigned long)start.f_bfree,
	    (unsigned long)sf.f_ffree, (unsigned long)start.f_ffree);
	st = h_unmount(&w.h);
	st |= fsck_image(w.img, &out);
	if (!tap_ok(st == 0, "enospc: and e2fsck agrees"))
		tap_diag("%s", out);
	free(out);
	world_done(&w);
}

/* A field of debugfs's stat output, as the text after label. */
static const char *
field(const char *out, const char *label)
{
	const char *p = out != NULL ? strstr(out, label) : NULL;

	return p != NULL ? p + strlen(label) : "";
}

/* Owners, modes, times and device numbers as debugfs sees them. */
static void
test_attributes(void)
{
	struct ext2_attr a = {
		.a_mask = EXT2_ATTR_MODE | EXT2_ATTR_ATIME | EXT2_ATTR_MTIME,
		.a_mode = 0604, .a_atime = 1111111111, .a_mtime = 1222222222,
	};
	struct ext2_inode *root, *ip;
	uint32_t major, minor;
	struct world w;
	char *out = NULL;
	bool ok = true;

	if (!tap_ok(world_init(&w, "attributes", 1024, 4096, NULL), "attributes: image made")) {
		world_done(&w);
		return;
	}
	h_iget(&w.h, EXT2_ROOT_INO, &root);
	harness_clock = 1300000000;
	ok &= ext2_create(root, "owned", 5, 0644, 100000, 200000, &ip) == 0;
	harness_clock = 1333333333;
	ok &= ext2_setattr(ip, &a) == 0;
	ext2_iput(ip);
	ok &= ext2_mknod(root, "chr", 3, EXT2_S_IFCHR | 0600, 0, 0, 4, 7, &ip) == 0;
	ext2_iput(ip);
	ok &= ext2_mknod(root, "blk", 3, EXT2_S_IFBLK | 0600, 0, 0, 300, 70000, &ip) == 0;
	ext2_iput(ip);
	ok &= ext2_mknod(root, "fifo", 4, EXT2_S_IFIFO | 0644, 0, 0, 0, 0, &ip) == 0;
	ext2_iput(ip);
	ok &= ext2_mknod(root, "sock", 4, EXT2_S_IFSOCK | 0644, 0, 0, 0, 0, &ip) == 0;
	ext2_iput(ip);
	ok &= ext2_mknod(root, "bad", 3, EXT2_S_IFREG | 0644, 0, 0, 0, 0, &ip) == EINVAL;
	h_iput(&w.h, root);
	tap_ok(ok, "attributes: create, setattr and mknod succeed");
	h_unmount(&w.h);
	int st = fsck_image(w.img, &out);
	if (!tap_ok(st == 0, "attributes: e2fsck -fn finds nothing to fix"))
		tap_diag("%s", out);
	free(out);

	debugfs_run(w.img, "stat /owned", &out, NULL);
	tap_ok(strncmp(field(out, "User: "), "100000", 6) == 0 &&
	    strstr(out, "Group: 200000") != NULL && strstr(out, "Mode:  0604") != NULL &&
	    strtoul(field(out, "atime: "), NULL, 16) == 1111111111 &&
	    strtoul(field(out, "mtime: "), NULL, 16) == 1222222222 &&
	    strtoul(field(out, "ctime: "), NULL, 16) == 1333333333,
	    "attributes: debugfs shows 32-bit owners, the mode and the three times");
	free(out);
	debugfs_run(w.img, "stat /chr", &out, NULL);
	ok = strstr(out, "Type: character special") != NULL &&
	    strstr(out, "Device major/minor number: 04:07") != NULL;
	free(out);
	debugfs_run(w.img, "stat /blk", &out, NULL);
	ok &= strstr(out, "Type: block special") != NULL &&
	    strstr(out, "Device major/minor number: 300:70000") != NULL;
	if (!ok)
		tap_diag("%s", out);
	free(out);
	h_mount_file(&w.h, w.img, true);
	if (h_namei(&w.h, "/blk", &ip) == 0) {
		ext2_inode_rdev(ip, &major, &minor);
		ok &= major == 300 && minor == 70000;
		h_iput(&w.h, ip);
	}
	tap_ok(ok, "attributes: device numbers, old and new encodings, as debugfs reads them");
	world_done(&w);
}

/* A file past 2 GiB on a revision-0 file system: large_file and revision 1. */
static void
test_large_file_rev0(void)
{
	const char *extra[] = { "-r", "0", NULL };
	struct world w;
	char *out = NULL;
	int error;

	if (!tap_ok(world_init(&w, "rev0", 1024, 8192, extra), "rev0: image made")) {
		world_done(&w);
		return;
	}
	x_create(&w, "/big", 0644);
	error = x_write(&w, "/big", 3ULL << 30, "0123456789", 10);
	tap_ok(error == 0 && (w.h.mp->m_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE),
	    "rev0: a write at 3 GiB sets large_file (%d)", error);
	h_unmount(&w.h);
	int st = fsck_image(w.img, &out);
	if (!tap_ok(st == 0, "rev0: e2fsck -fn accepts the upgraded file system"))
		tap_diag("%s", out);
	free(out);
	debugfs_run(w.img, "stats", &out, NULL);
	tap_ok(strstr(out, "large_file") != NULL && atoi(field(out, "revision #:")) == 1,
	    "rev0: debugfs sees revision 1 with large_file");
	free(out);
	debugfs_run(w.img, "stat /big", &out, NULL);
	tap_ok(strstr(out, "Size: 3221225482") != NULL, "rev0: debugfs sees the 3 GiB size");
	free(out);
	world_done(&w);
}

/* Run a debugfs command that writes (-w); its exit status. */
static int
debugfs_write(const char *img, const char *cmd)
{
	const char *argv[] = { tool_path("debugfs"), "-w", "-R", cmd, img, NULL };

	return run_tool(argv, true, NULL, NULL);
}

/*
 * Extended-attribute blocks (made by debugfs; we do not write attributes)
 * are released with their last inode: a block shared by two files keeps
 * its place until both are gone.
 */
static void
test_xattr_blocks(void)
{
	const char *extra[] = { "-I", "128", NULL };
	struct ext2_statfs before, mid, after;
	char cmd[512], value[101], *out = NULL;
	struct world w;
	uint32_t acl = 0;
	int st;

	if (!tap_ok(world_init(&w, "xattr", 1024, 4096, extra), "xattr: image made")) {
		world_done(&w);
		return;
	}
	h_unmount(&w.h);
	memset(value, 'v', 100);
	value[100] = '\0';
	snprintf(cmd, sizeof(cmd), "ea_set /old/file user.test %s", value);
	debugfs_write(w.img, cmd);
	debugfs_run(w.img, "stat /old/file", &out, NULL);
	acl = (uint32_t)strtoul(field(out, "File ACL: "), NULL, 10);
	free(out);
	out = NULL;
	/* Share the block with /old/link's neighbour: a second file, refcount 2. */
	h_mount_file(&w.h, w.img, false);
	x_create(&w, "/second", 0644);
	h_unmount(&w.h);
	snprintf(cmd, sizeof(cmd), "sif /second file_acl %u", acl);
	debugfs_write(w.img, cmd);
	debugfs_write(w.img, "sif /second blocks 2");
	snprintf(cmd, sizeof(cmd), "zap_block -o 4 -l 1 -p 2 %u", acl);
	debugfs_write(w.img, cmd);
	st = fsck_image(w.img, &out);
	tap_ok(acl != 0 && st == 0, "xattr: debugfs gave two files one attribute block (%u), "
	    "and e2fsck agrees", acl);
	if (st != 0)
		tap_diag("%s", out);
	free(out);
	out = NULL;

	h_mount_file(&w.h, w.img, false);
	ext2_statfs(w.h.mp, &before);
	x_remove(&w, "/old/file", false);
	ext2_statfs(w.h.mp, &mid);
	x_remove(&w, "/second", false);
	ext2_statfs(w.h.mp, &after);
	h_unmount(&w.h);
	/* /old/file had 3 data blocks; the attribute block goes with the second file. */
	tap_ok(mid.f_bfree == before.f_bfree + 3 && after.f_bfree == mid.f_bfree + 1,
	    "xattr: the shared block outlives the first file and goes with the second "
	    "(%lu, %lu, %lu free)", (unsigned long)before.f_bfree, (unsigned long)mid.f_bfree,
	    (unsigned long)after.f_bfree);
	st = fsck_image(w.img, &out);
	if (!tap_ok(st == 0, "xattr: e2fsck -fn finds nothing to fix"))
		tap_diag("%s", out);
	free(out);
	world_done(&w);
}

/*
 * Threads at work in directories of their own, sharing the allocator,
 * inode-table blocks and the buffer cache: the locking the layer
 * promises in ext2.h, with the harness's inode cache as the VFS.
 */
#define T_THREADS	4
#define T_FILES		12
#define T_ROUNDS	120

struct t_file {
	uint64_t	seed, size;	/* contents: fill_random(size, seed); size 0: none */
};

struct t_arg {
	struct world	*w;
	int		id;
	struct t_file	files[T_FILES];
	unsigned	failures;
};

static void *
t_worker(void *arg)
{
	struct t_arg *t = arg;
	uint64_t rng = 77 + (uint64_t)t->id;
	uint8_t *buf = malloc(40 * 1024);

	host_pcpu.pc_cpuid = (uint32_t)t->id + 1;
	for (int r = 0; r < T_ROUNDS; r++) {
		int f = (int)(tap_rand_r(&rng) % T_FILES);
		struct t_file *tf = &t->files[f];
		char p[64], q[64];

		snprintf(p, sizeof(p), "/t%d/f%d", t->id, f);
		switch (tap_rand_r(&rng) % 4) {
		case 0:
		case 1:		/* (re)write the whole file */
			if (tf->size == 0 && x_create(t->w, p, 0644) != 0)
				t->failures++;
			tf->seed = tap_rand_r(&rng);
			tf->size = 1 + tap_rand_r(&rng) % (40 * 1024);
			fill_random(buf, tf->size, tf->seed);
			if (x_truncate(t->w, p, 0) != 0 ||
			    x_write(t->w, p, 0, buf, tf->size) != 0)
				t->failures++;
			break;
		case 2:		/* remove it */
			if (tf->size != 0 && x_remove(t->w, p, false) != 0)
				t->failures++;
			tf->size = 0;
			break;
		default:	/* rename it over another of ours */
			if (tf->size == 0)
				break;
			int g = (int)(tap_rand_r(&rng) % T_FILES);
			if (g == f)
				break;
			snprintf(q, sizeof(q), "/t%d/f%d", t->id, g);
			if (x_rename(t->w, p, q) != 0)
				t->failures++;
			t->files[g] = *tf;
			tf->size = 0;
			break;
		}
	}
	free(buf);
	return NULL;
}

static void
test_threads(void)
{
	struct t_arg args[T_THREADS];
	pthread_t th[T_THREADS];
	unsigned failures = 0, checked = 0, wrong = 0;
	uint8_t *want = malloc(40 * 1024), *got = malloc(40 * 1024);
	struct world w;
	char *out = NULL;

	if (!tap_ok(world_init(&w, "threads", 1024, 16 * 1024, NULL), "threads: image made")) {
		world_done(&w);
		return;
	}
	for (int i = 0; i < T_THREADS; i++) {
		char p[16];

		snprintf(p, sizeof(p), "/t%d", i);
		x_mkdir(&w, p, 0755);
		args[i] = (struct t_arg){ .w = &w, .id = i };
		memset(args[i].files, 0, sizeof(args[i].files));
	}
	for (int i = 0; i < T_THREADS; i++)
		pthread_create(&th[i], NULL, t_worker, &args[i]);
	for (int i = 0; i < T_THREADS; i++) {
		pthread_join(th[i], NULL);
		failures += args[i].failures;
	}
	for (int i = 0; i < T_THREADS; i++) {
		for (int f = 0; f < T_FILES; f++) {
			struct t_file *tf = &args[i].files[f];
			struct ext2_inode *ip;
			char p[64];
			int error;

			snprintf(p, sizeof(p), "/t%d/f%d", i, f);
			error = h_namei(&w.h, p, &ip);
			if (tf->size == 0) {
				wrong += error != ENOENT;
				continue;
			}
			checked++;
			fill_random(want, tf->size, tf->seed);
			if (error != 0 || ip->i_size != tf->size ||
			    h_read(&w.h, ip, 0, got, tf->size) != (ssize_t)tf->size ||
			    memcmp(want, got, tf->size) != 0)
				wrong++;
			if (error == 0)
				h_iput(&w.h, ip);
		}
	}
	tap_ok(failures == 0 && wrong == 0, "threads: %d threads' files are all as written "
	    "(%u checked, %u failed operations, %u wrong)", T_THREADS, checked, failures, wrong);
	h_unmount(&w.h);
	int st = fsck_image(w.img, &out);
	if (!tap_ok(st == 0, "threads: e2fsck -fn finds nothing to fix"))
		tap_diag("%s", out);
	free(out);
	free(want);
	free(got);
	world_done(&w);
}

int
main(void)
{
	umask(0);
	bcache_init(64);	/* small: recycling is exercised all the time */
	test_block_size(1024);
	test_block_size(2048);
	test_block_size(4096);
	test_hashed_directory();
	test_enospc();
	test_attributes();
	test_large_file_rev0();
	test_xattr_blocks();
	test_threads();
	return tap_done();
}
