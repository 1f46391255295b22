/*
 * The ext2 host tests' harness; see ext2_harness.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kern/systm.h>
#include "ext2_harness.h"
#include "tap.h"

extern char **environ;

uint32_t harness_clock = 1700000000;
bool harness_reserve_ok = true;
uint64_t harness_data_reads;

const char *
tool_path(const char *name)
{
	static char buf[3][256];
	static const char *names[3] = { "mke2fs", "e2fsck", "debugfs" };
	static const char *vars[3] = { "MKE2FS", "E2FSCK", "DEBUGFS" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(name, names[i]) != 0)
			continue;
		const char *env = getenv(vars[i]);
		if (env != NULL && *env != '\0')
			return env;
		snprintf(buf[i], sizeof(buf[i]), "/sbin/%s", name);
		return buf[i];
	}
	return name;
}

int
run_tool(const char *const argv[], bool merge_stderr, char **out, size_t *outlen)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	pid_t pid;

	if (pipe(pipefd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	if (merge_stderr)
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		ssize_t n = read(pipefd[0], buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	buf[len] = '\0';
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	if (outlen != NULL)
		*outlen = len;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
make_image(const char *img, const char *src, uint32_t bsize, uint64_t size_kib,
    const char *const extra[])
{
	char bs[16], sz[32], owner[64];
	const char *argv[32];
	char *out;
	int n = 0, st;

	snprintf(bs, sizeof(bs), "%u", bsize);
	snprintf(sz, sizeof(sz), "%luk", (unsigned long)size_kib);
	snprintf(owner, sizeof(owner), "root_owner=%u:%u", (unsigned)getuid(), (unsigned)getgid());
	unlink(img);
	argv[n++] = tool_path("mke2fs");
	argv[n++] = "-q";
	argv[n++] = "-F";
	argv[n++] = "-t";
	argv[n++] = "ext2";
	argv[n++] = "-b";
	argv[n++] = bs;
	argv[n++] = "-E";
	argv[n++] = owner;
	if (src != NULL) {
		argv[n++] = "-d";
		argv[n++] = src;
	}
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 28; i++)
		argv[n++] = extra[i];
	argv[n++] = img;
	argv[n++] = sz;
	argv[n] = NULL;
	st = run_tool(argv, true, &out, NULL);
	if (st != 0)
		printf("# mke2fs failed (%d): %s\n", st, out);
	free(out);
	return st;
}

int
fsck_image(const char *img, char **out)
{
	const char *argv[] = { tool_path("e2fsck"), "-fn", img, NULL };

	return run_tool(argv, true, out, NULL);
}

int
debugfs_run(const char *img, const char *cmd, char **out, size_t *outlen)
{
	const char *argv[] = { tool_path("debugfs"), "-R", cmd, img, NULL };

	return run_tool(argv, false, out, outlen);
}

char *
tmpdir_make(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/sable-ext2-XXXXXX", base != NULL ? base : "/tmp") < 0 ||
	    mkdtemp(dir) == NULL)
		abort();
	return dir;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
tmpdir_remove(const char *dir)
{
	if (getenv("EXT2_TEST_KEEP") != NULL) {
		printf("# kept %s\n", dir);
		return;
	}
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Mounts.
 */

static uint32_t
clock_now(void *ctx)
{
	(void)ctx;
	return harness_clock;
}

static bool
reserve_ok(void *ctx)
{
	(void)ctx;
	return harness_reserve_ok;
}

int
h_mount_disk(struct ext2h *h, struct host_disk *disk, bool rdonly)
{
	struct ext2_mount_args args = {
		.ma_rdonly = rdonly, .ma_now = clock_now, .ma_may_use_reserve = reserve_ok,
	};
	int error;

	memset(h, 0, sizeof(*h));
	h->disk = disk;
	if ((error = ext2_mount(&disk->hd_bd, &args, &h->mp)) != 0) {
		host_disk_close(disk);
		h->disk = NULL;
	}
	return error;
}

int
h_mount_file(struct ext2h *h, const char *path, bool rdonly)
{
	struct host_disk *disk = host_disk_open(path, 512);

	if (disk == NULL) {
		memset(h, 0, sizeof(*h));
		return errno;
	}
	return h_mount_disk(h, disk, rdonly);
}

int
h_unmount(struct ext2h *h)
{
	int error;

	if (h->ncache != 0) {
		printf("# h_unmount: %zu inodes still held\n", h->ncache);
		abort();
	}
	free(h->cache);
	error = ext2_unmount(h->mp);
	host_disk_close(h->disk);
	memset(h, 0, sizeof(*h));
	return error;
}

/* The inode cache may be used by several threads at once (test_threads). */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct hinode *
cache_find(struct ext2h *h, uint32_t ino)
{
	for (size_t i = 0; i < h->ncache; i++)
		if (h->cache[i].ip->i_number == ino)
			return &h->cache[i];
	return NULL;
}

/* Add ip (or a reference to it) to the cache.  => cache_lock */
static void
cache_add(struct ext2h *h, struct ext2_inode *ip)
{
	struct hinode *hi = cache_find(h, ip->i_number);

	if (hi != NULL) {
		if (hi->ip != ip)
			abort();	/* two in-core copies of one inode */
		hi->refs++;
		return;
	}
	if (h->ncache == h->capcache) {
		h->capcache = h->capcache ? 2 * h->capcache : 16;
		if ((h->cache = realloc(h->cache, h->capcache * sizeof(*h->cache))) == NULL)
			abort();
	}
	h->cache[h->ncache++] = (struct hinode){ ip, 1 };
}

void
h_adopt(struct ext2h *h, struct ext2_inode *ip)
{
	pthread_mutex_lock(&cache_lock);
	cache_add(h, ip);
	pthread_mutex_unlock(&cache_lock);
}

/* The inode is read under the cache lock, so two threads never make two copies. */
int
h_iget(struct ext2h *h, uint32_t ino, struct ext2_inode **ipp)
{
	struct hinode *hi;
	int error = 0;

	pthread_mutex_lock(&cache_lock);
	if ((hi = cache_find(h, ino)) != NULL) {
		hi->refs++;
		*ipp = hi->ip;
	} else if ((error = ext2_iget(h->mp, ino, ipp)) == 0) {
		cache_add(h, *ipp);
	}
	pthread_mutex_unlock(&cache_lock);
	return error;
}

void
h_iput(struct ext2h *h, struct ext2_inode *ip)
{
	struct hinode *hi;

	pthread_mutex_lock(&cache_lock);
	hi = cache_find(h, ip->i_number);
	if (hi == NULL || hi->ip != ip)
		abort();
	if (--hi->refs == 0) {
		*hi = h->cache[--h->ncache];
		(void)ext2_iput(ip);
	}
	pthread_mutex_unlock(&cache_lock);
}

size_t
h_inodes_held(const struct ext2h *h)
{
	return h->ncache;
}

/* The next component of *p (skipping slashes): its start and length; 0 at the end. */
static size_t
next_component(const char **p, const char **name)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == '/')
		s++;
	*name = s;
	while (s[n] != '\0' && s[n] != '/')
		n++;
	*p = s + n;
	return n;
}

static bool
only_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

#define MAX_SYMLINKS	40		/* Linux's limit on links followed in one lookup */

/*
 * Path lookup from the root as Linux does it: symlinks met on the way
 * are followed (relative ones from their directory), and so is the last
 * component if follow_last.  ELOOP after MAX_SYMLINKS.
 */
static int
lookup_path(struct ext2h *h, const char *path, bool follow_last, struct ext2_inode **ipp)
{
	struct ext2_inode *dp, *ip;
	char *work = strdup(path), *target = NULL;
	const char *p = work, *name;
	int error, links = 0;
	size_t len, tlen;
	uint32_t ino;
	uint8_t type;

	if ((error = h_iget(h, EXT2_ROOT_INO, &dp)) != 0) {
		free(work);
		return error;
	}
	while ((len = next_component(&p, &name)) != 0) {
		if ((error = ext2_lookup(dp, name, len, &ino, &type)) != 0)
			break;
		if (ino == dp->i_number)
			continue;		/* "." */
		if ((error = h_iget(h, ino, &ip)) != 0)
			break;
		if (!ext2_is_symlink(ip) || (only_slashes(p) && !follow_last)) {
			h_iput(h, dp);
			dp = ip;
			continue;
		}
		/* Follow: the target, then whatever was left of the path. */
		if (++links > MAX_SYMLINKS) {
			h_iput(h, ip);
			error = ELOOP;
			break;
		}
		target = malloc(4096 + strlen(p) + 1);
		error = ext2_readlink(ip, target, 4096, &tlen);
		h_iput(h, ip);
		if (error != 0)
			break;
		strcpy(target + tlen, p);
		free(work);
		work = target;
		target = NULL;
		p = work;
		if (*p == '/') {
			h_iput(h, dp);
			if ((error = h_iget(h, EXT2_ROOT_INO, &dp)) != 0) {
				free(work);
				return error;
			}
		}
	}
	free(work);
	free(target);
	if (error != 0) {
		h_iput(h, dp);
		return error;
	}
	*ipp = dp;
	return 0;
}

int
h_namei(struct ext2h *h, const char *path, struct ext2_inode **ipp)
{
	return lookup_path(h, path, false, ipp);
}

int
h_namei_follow(struct ext2h *h, const char *path, struct ext2_inode **ipp)
{
	return lookup_path(h, path, true, ipp);
}

int
h_parent(struct ext2h *h, const char *path, struct ext2_inode **dpp, const char **name,
    size_t *len)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int error;

	if (slash == NULL)
		return EINVAL;
	*name = slash + 1;
	*len = strlen(slash + 1);
	if ((dir = strndup(path, (size_t)(slash - path))) == NULL)
		abort();
	error = lookup_path(h, dir, true, dpp);
	free(dir);
	return error;
}

/*
 * Data.
 */

ssize_t
h_read(struct ext2h *h, struct ext2_inode *ip, uint64_t off, void *buf, size_t len)
{
	uint32_t bs = h->mp->m_bsize;
	uint8_t *dst = buf, *tmp;
	size_t done = 0;
	int error = 0;

	if (off >= ip->i_size)
		return 0;
	len = (size_t)MIN((uint64_t)len, ip->i_size - off);
	if ((tmp = malloc(64 * (size_t)bs)) == NULL)
		abort();
	while (done < len) {
		uint64_t pos = off + done, lblk = pos / bs, pblk;
		uint32_t in = (uint32_t)(pos % bs), run;
		size_t chunk;

		if ((error = ext2_bmap(ip, lblk, 64, &pblk, &run)) != 0)
			break;
		chunk = MIN((size_t)run * bs - in, len - done);
		if (pblk == 0) {
			memset(dst + done, 0, chunk);
		} else {
			size_t bytes = (size_t)howmany(in + chunk, bs) * bs;

			__atomic_fetch_add(&harness_data_reads, 1, __ATOMIC_RELAXED);
			if ((error = blockdev_read(&h->disk->hd_bd, pblk * bs, tmp, bytes)) != 0)
				break;
			memcpy(dst + done, tmp + in, chunk);
		}
		done += chunk;
	}
	free(tmp);
	return done > 0 || error == 0 ? (ssize_t)done : -error;
}

ssize_t
h_write(struct ext2h *h, struct ext2_inode *ip, uint64_t off, const void *buf, size_t len)
{
	uint32_t bs = h->mp->m_bsize;
	const uint8_t *src = buf;
	uint8_t *blk;
	size_t done = 0;
	int error = 0;

	if ((blk = malloc(bs)) == NULL)
		abort();
	while (done < len) {
		uint64_t pos = off + done, lblk = pos / bs, pblk;
		uint32_t in = (uint32_t)(pos % bs);
		size_t chunk = MIN((size_t)(bs - in), len - done);
		bool fresh;

		if ((error = ext2_balloc(ip, lblk, &pblk, &fresh)) != 0)
			break;
		if (chunk < bs) {
			if (fresh)
				memset(blk, 0, bs);
			else if ((error = blockdev_read(&h->disk->hd_bd, pblk * bs, blk, bs)) != 0)
				break;
		}
		memcpy(blk + in, src + done, chunk);
		if ((error = blockdev_write(&h->disk->hd_bd, pblk * bs, blk, bs)) != 0)
			break;
		done += chunk;
	}
	free(blk);
	if (done > 0) {
		int e = ext2_write_done(ip, off + done);

		if (e != 0)
			error = e;
	}
	if (error != 0)
		(void)ext2_truncate(ip, ip->i_size);	/* what it allocated past the end */
	return done > 0 ? (ssize_t)done : -error;
}

int
h_truncate(struct ext2h *h, struct ext2_inode *ip, uint64_t size)
{
	uint32_t bs = h->mp->m_bsize, run;
	uint64_t pblk;
	int error;

	if (ext2_is_reg(ip) && size < ip->i_size && size % bs != 0) {
		uint8_t *blk = malloc(bs);

		if (blk == NULL)
			abort();
		error = ext2_bmap(ip, size / bs, 1, &pblk, &run);
		if (error == 0 && pblk != 0) {
			error = blockdev_read(&h->disk->hd_bd, pblk * bs, blk, bs);
			if (error == 0) {
				memset(blk + size % bs, 0, bs - size % bs);
				error = blockdev_write(&h->disk->hd_bd, pblk * bs, blk, bs);
			}
		}
		free(blk);
		if (error != 0)
			return error;
	}
	return ext2_truncate(ip, size);
}

void
fill_random(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(tap_rand_r(&s) >> 32);
}

void *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}
