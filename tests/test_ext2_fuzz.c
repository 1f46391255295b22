/*
 * Host test of the ext2 layer on hostile images, TAP output, under
 * AddressSanitizer and UndefinedBehaviorSanitizer.
 *
 * First, targeted corruptions with exact expectations: a bad superblock,
 * unknown or journal features, a group descriptor out of its group, a
 * directory record of length zero, an inode with features we lack,
 * entries naming reserved, free or the directory's own inodes, block
 * pointers out of range or into the inode table, a block bitmap that
 * frees a block in use, an indirect block pointing at itself, and the
 * errors=remount-ro policy.  Each must fail with the right errno (EIO for
 * corruption), print why, count an error, and leave EXT2_ERROR_FS in the
 * superblock after unmount.
 *
 * Then fuzzing: a pristine image made by mke2fs is mutated (superblock and
 * group-descriptor fields, inodes, directory blocks, indirect blocks,
 * bitmaps, random metadata bytes) and every file is looked up, listed,
 * read and mapped, and files are created, written, renamed, truncated and
 * removed, with a deadline per image.  Nothing may crash, hang, leak
 * memory or leave a buffer held; whenever the layer saw corruption on a
 * writable mount, the unmounted superblock must say so.
 *
 * EXT2_FUZZ_SEED and EXT2_FUZZ_ITERATIONS change the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kern/systm.h>
#include <kern/buf.h>

#include "host/ext2_harness.h"
#include "host/host_kmalloc.h"
#include "host/host_support.h"
#include "host/tap.h"

/* A pristine image in memory and where its structures are. */
struct pristine {
	const char	*name;
	uint8_t		*img;
	size_t		len;
	uint32_t	bsize, inode_size, ipg, bpg, first_data_block, ngroups;
	uint32_t	itable0;		/* group 0's inode table */
	uint32_t	itables[8];		/* each group's */
	uint32_t	root_dir_block;		/* root's first directory block */
	uint32_t	big_ino, big_ind, big_dind; /* a file with double-indirect blocks */
	uint32_t	inos[64];		/* inodes in use */
	size_t		ninos;
	uint32_t	dir_blocks[64], nind_blocks;
	size_t		ndir_blocks;
	uint32_t	ind_blocks[64];
	uint32_t	bitmaps[16];		/* block, inode, block, inode... */
	size_t		nbitmaps;
};

static void
build_source(const char *src)
{
	char p[512];
	uint8_t *buf = malloc(400 * 1024);
	int fd;

	mkdir(src, 0755);
	snprintf(p, sizeof(p), "%s/d1", src);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d1/d2", src);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/empty-dir", src);
	mkdir(p, 0755);
	for (int i = 0; i < 60; i++) {
		snprintf(p, sizeof(p), "%s/d1/entry-with-a-longish-name-%02d", src, i);
		fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (write(fd, p, strlen(p)) < 0)
			abort();
		close(fd);
	}
	fill_random(buf, 400 * 1024, 1);
	/* 400 KiB of data, and one block far enough out to need double-indirect blocks. */
	snprintf(p, sizeof(p), "%s/big", src);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (write(fd, buf, 400 * 1024) != 400 * 1024 || pwrite(fd, buf, 4096, 8 << 20) != 4096)
		abort();
	close(fd);
	snprintf(p, sizeof(p), "%s/d1/d2/holes", src);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (pwrite(fd, buf, 3000, 200 * 1024) != 3000 || ftruncate(fd, 300 * 1024) != 0)
		abort();
	close(fd);
	snprintf(p, sizeof(p), "%s/small", src);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (write(fd, "small\n", 6) != 6)
		abort();
	close(fd);
	{
		char from[512], to[512];

		snprintf(from, sizeof(from), "%s/small", src);
		snprintf(to, sizeof(to), "%s/d1/hardlink", src);
		if (link(from, to) != 0)
			abort();
		snprintf(to, sizeof(to), "%s/fast", src);
		if (symlink("small", to) != 0)
			abort();
		memset(buf, 'q', 300);
		buf[300] = '\0';
		snprintf(to, sizeof(to), "%s/slow", src);
		if (symlink((char *)buf, to) != 0)
			abort();
	}
	free(buf);
}

/* Note the blocks of inode ino (a directory's, or indirect ones) in pr. */
static void
note_inode(struct pristine *pr, struct ext2h *h, uint32_t ino)
{
	struct ext2_inode *ip;
	uint64_t pblk;
	uint32_t run;

	if (pr->ninos < nitems(pr->inos))
		pr->inos[pr->ninos++] = ino;
	if (h_iget(h, ino, &ip) != 0)
		return;
	if (ext2_is_dir(ip)) {
		for (uint64_t l = 0; l < ip->i_size / pr->bsize; l++)
			if (ext2_bmap(ip, l, 1, &pblk, &run) == 0 && pblk != 0 &&
			    pr->ndir_blocks < nitems(pr->dir_blocks))
				pr->dir_blocks[pr->ndir_blocks++] = (uint32_t)pblk;
	}
	if (ext2_is_reg(ip))
		for (int k = EXT2_IND_BLOCK; k <= EXT2_TIND_BLOCK; k++)
			if (ip->i_blkptr[k] != 0 && pr->nind_blocks < nitems(pr->ind_blocks))
				pr->ind_blocks[pr->nind_blocks++] = ip->i_blkptr[k];
	h_iput(h, ip);
}

static int
note_entry(void *arg, const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next)
{
	uint32_t *list = arg;

	(void)next;
	(void)type;
	if (!(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.') &&
	    list[0] < 63)
		list[++list[0]] = ino;
	return 0;
}

/* Make the pristine image and find its structures through the layer. */
static bool
pristine_make(struct pristine *pr, const char *name, uint32_t bsize)
{
	char *dir = tmpdir_make(), src[512], img[512];
	const char *extra[] = { "-g", "2048", "-N", "256", NULL };
	struct ext2_inode *ip;
	struct ext2h h;
	uint32_t queue[64] = { 0 };
	uint64_t cookie;

	memset(pr, 0, sizeof(*pr));
	pr->name = name;
	pr->bsize = bsize;
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(img, sizeof(img), "%s/img", dir);
	build_source(src);
	if (make_image(img, src, bsize, 4096, extra) != 0 ||
	    (pr->img = slurp(img, &pr->len)) == NULL || h_mount_file(&h, img, true) != 0) {
		tmpdir_remove(dir);
		free(dir);
		return false;
	}
	pr->inode_size = h.mp->m_inode_size;
	pr->ipg = h.mp->m_ipg;
	pr->first_data_block = h.mp->m_first_data_block;
	pr->itable0 = h.mp->m_groups[0].g_inode_table;
	pr->bpg = h.mp->m_bpg;
	pr->ngroups = MIN(h.mp->m_ngroups, (uint32_t)nitems(pr->itables));
	for (uint32_t g = 0; g < pr->ngroups; g++) {
		pr->itables[g] = h.mp->m_groups[g].g_inode_table;
		pr->bitmaps[pr->nbitmaps++] = h.mp->m_groups[g].g_block_bitmap;
		pr->bitmaps[pr->nbitmaps++] = h.mp->m_groups[g].g_inode_bitmap;
	}
	/* Breadth-first over the tree. */
	queue[++queue[0]] = EXT2_ROOT_INO;
	for (uint32_t i = 1; i <= queue[0]; i++) {
		uint32_t ino = queue[i];

		note_inode(pr, &h, ino);
		if (h_iget(&h, ino, &ip) != 0)
			continue;
		if (ext2_is_dir(ip)) {
			cookie = 0;
			ext2_readdir(ip, &cookie, note_entry, queue);
		}
		h_iput(&h, ip);
	}
	if (h_namei(&h, "/big", &ip) == 0) {
		pr->big_ino = ip->i_number;
		pr->big_ind = ip->i_blkptr[EXT2_IND_BLOCK];
		pr->big_dind = ip->i_blkptr[EXT2_DIND_BLOCK];
		h_iput(&h, ip);
	}
	if (h_iget(&h, EXT2_ROOT_INO, &ip) == 0) {
		pr->root_dir_block = ip->i_blkptr[0];
		h_iput(&h, ip);
	}
	h_unmount(&h);
	tmpdir_remove(dir);
	free(dir);
	return pr->big_ind != 0 && pr->big_dind != 0 && pr->ndir_blocks >= 4;
}

static struct ext2_super *
sb_of(uint8_t *img)
{
	return (struct ext2_super *)(img + EXT2_SUPER_OFFSET);
}

static struct ext2_dinode *
dinode_of(const struct pristine *pr, uint8_t *img, uint32_t ino)
{
	uint32_t g = (ino - 1) / pr->ipg;

	return (struct ext2_dinode *)(img + (uint64_t)pr->itables[g] * pr->bsize +
	    (uint64_t)((ino - 1) % pr->ipg) * pr->inode_size);
}

static struct host_disk *
disk_from(const struct pristine *pr)
{
	return host_disk_mem(pr->img, pr->len, 512);
}

/*
 * Targeted corruptions.
 */

/* Mount a corrupted copy: the error, and the log line it printed. */
static int
try_mount(struct pristine *pr, void (*corrupt)(struct pristine *, uint8_t *), bool rdonly,
    struct ext2h *h)
{
	struct host_disk *disk = disk_from(pr);

	corrupt(pr, disk->hd_mem);
	host_klog_last[0] = '\0';
	return h_mount_disk(h, disk, rdonly);
}

static void bad_magic(struct pristine *pr, uint8_t *img) { sb_of(img)->s_magic = 0x1234; }
static void bad_blocksize(struct pristine *pr, uint8_t *img) { sb_of(img)->s_log_block_size = 5; }
static void extents(struct pristine *pr, uint8_t *img) { sb_of(img)->s_feature_incompat |= 0x40; }
static void needs_recovery(struct pristine *pr, uint8_t *img)
{
	sb_of(img)->s_feature_compat |= EXT2_FEATURE_COMPAT_HAS_JOURNAL;
	sb_of(img)->s_feature_incompat |= EXT3_FEATURE_INCOMPAT_RECOVER;
}
static void metadata_csum(struct pristine *pr, uint8_t *img)
{
	sb_of(img)->s_feature_ro_compat |= 0x400;
}
static void inode_count(struct pristine *pr, uint8_t *img) { sb_of(img)->s_inodes_count += 8; }
static void gd_out_of_group(struct pristine *pr, uint8_t *img)
{
	struct ext2_group_desc *gd = (struct ext2_group_desc *)(img +
	    (uint64_t)(pr->first_data_block + 1) * pr->bsize);

	gd[0].bg_inode_table = 3 * 2048;	/* in another group */
}
static void huge_blocks_count(struct pristine *pr, uint8_t *img)
{
	sb_of(img)->s_blocks_count = 0xffffff00;
}

static void
test_bad_superblocks(struct pristine *pr)
{
	static const struct {
		void		(*corrupt)(struct pristine *, uint8_t *);
		const char	*what, *message;
	} cases[] = {
		{ bad_magic, "a bad magic number", "no ext2 file system" },
		{ bad_blocksize, "a 32 MiB block size", "block size log" },
		{ extents, "the extents feature", "unsupported incompatible features 0x40" },
		{ needs_recovery, "a journal needing recovery", "journal needs recovery" },
		{ inode_count, "an inode count that does not fit the groups", "inode count" },
		{ gd_out_of_group, "an inode table outside its group", "group descriptor 0" },
		{ huge_blocks_count, "more blocks than the device has", "past the end of the device" },
	};
	struct ext2h h;

	for (size_t i = 0; i < nitems(cases); i++) {
		int error = try_mount(pr, cases[i].corrupt, false, &h);

		tap_ok(error == EINVAL && strstr(host_klog_last, cases[i].message) != NULL,
		    "%s: refuses %s (%d: \"%s\")", pr->name, cases[i].what, error, host_klog_last);
		if (error == 0)
			h_unmount(&h);
	}

	/* Unknown read-only-compatible features: read-only, and nothing written. */
	int error = try_mount(pr, metadata_csum, false, &h);
	if (tap_ok(error == 0 && h.mp->m_rdonly && strstr(host_klog_last, "read-only") != NULL,
	    "%s: mounts unknown ro_compat features read-only", pr->name)) {
		struct ext2_inode *root, *ip;

		h_iget(&h, EXT2_ROOT_INO, &root);
		error = ext2_create(root, "x", 1, 0644, 0, 0, &ip);
		h_iput(&h, root);
		uint64_t writes = h.disk->hd_writes;
		h_unmount(&h);
		tap_ok(error == EROFS && writes == 0, "%s: ... where creating is EROFS and "
		    "nothing is written", pr->name);
	}
}

/* Mount a copy corrupted by fn, run op, and check what happened. */
struct hostile {
	const char	*what;
	void		(*corrupt)(struct pristine *, uint8_t *);
	int		(*op)(struct ext2h *h);
	int		want;		/* op's errno */
};

static void
root_rec_len_zero(struct pristine *pr, uint8_t *img)
{
	/* The third entry of the root directory ("lost+found" or a file). */
	struct ext2_dirent *de = (struct ext2_dirent *)(img + (uint64_t)pr->root_dir_block *
	    pr->bsize + 24);

	de->d_rec_len = 0;
}

static int
lookup_missing(struct ext2h *h)
{
	struct ext2_inode *ip;
	int error = h_namei(h, "/no-such-name", &ip);

	if (error == 0)
		h_iput(h, ip);
	return error;
}

static int
lookup_big(struct ext2h *h)
{
	struct ext2_inode *ip;
	int error = h_namei(h, "/big", &ip);

	if (error == 0)
		h_iput(h, ip);
	return error;
}

/* Read all of /big through the block map. */
static int
read_big(struct ext2h *h)
{
	struct ext2_inode *ip;
	uint8_t *buf = malloc(400 * 1024);
	ssize_t n;
	int error = h_namei(h, "/big", &ip);

	if (error == 0) {
		n = h_read(h, ip, 0, buf, 400 * 1024);
		error = n < 0 ? (int)-n : n == 400 * 1024 ? 0 : EIO;
		h_iput(h, ip);
	}
	free(buf);
	return error;
}

static void
big_extents_flag(struct pristine *pr, uint8_t *img)
{
	dinode_of(pr, img, pr->big_ino)->i_flags |= EXT4_EXTENTS_FL;
}

static void
big_block_past_end(struct pristine *pr, uint8_t *img)
{
	dinode_of(pr, img, pr->big_ino)->i_block[3] = sb_of(img)->s_blocks_count + 5;
}

static void
big_ind_into_itable(struct pristine *pr, uint8_t *img)
{
	uint32_t *ind = (uint32_t *)(img + (uint64_t)pr->big_ind * pr->bsize);

	ind[7] = pr->itable0 + 1;
}

static void
set_root_entry_ino(struct pristine *pr, uint8_t *img, uint32_t ino)
{
	/* Whatever entry follows "." and "..": make it name ino. */
	struct ext2_dirent *de = (struct ext2_dirent *)(img + (uint64_t)pr->root_dir_block *
	    pr->bsize + 24);

	de->d_inode = ino;
}

static void root_names_reserved(struct pristine *pr, uint8_t *img) { set_root_entry_ino(pr, img, 7); }
static void root_names_free(struct pristine *pr, uint8_t *img) { set_root_entry_ino(pr, img, 200); }
static void root_names_itself(struct pristine *pr, uint8_t *img) { set_root_entry_ino(pr, img, 2); }

/* Look up the root's third entry, whatever its name, by listing. */
static int
first_name(void *arg, const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next)
{
	char *out = arg;

	(void)ino;
	(void)type;
	(void)next;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	memcpy(out, name, MIN(len, (size_t)255));
	out[MIN(len, (size_t)255)] = '\0';
	return 1;
}

static int
lookup_third(struct ext2h *h)
{
	struct ext2_inode *root;
	char name[256] = "";
	uint64_t cookie = 0;
	uint32_t ino;
	uint8_t type;
	int error;

	h_iget(h, EXT2_ROOT_INO, &root);
	ext2_readdir(root, &cookie, first_name, name);
	error = ext2_lookup(root, name, strlen(name), &ino, &type);
	if (error == 0) {
		struct ext2_inode *ip;

		error = h_iget(h, ino, &ip);
		if (error == 0)
			h_iput(h, ip);
	}
	h_iput(h, root);
	return error;
}

/* The block bitmap shows /big's first block free, though /big uses it. */
static void
bitmap_frees_used(struct pristine *pr, uint8_t *img)
{
	uint32_t blk = dinode_of(pr, img, pr->big_ino)->i_block[0] - pr->first_data_block;
	uint8_t *map = img + (uint64_t)pr->bitmaps[2 * (blk / pr->bpg)] * pr->bsize;

	blk %= pr->bpg;
	map[blk / 8] &= (uint8_t)~(1u << (blk % 8));
}

/*
 * Write a new file, which may be given that block, then empty /big and
 * the new file: one of them frees a block that is free already.
 */
static int
free_twice(struct ext2h *h)
{
	struct ext2_inode *root, *ip = NULL, *big;
	int error = 0;

	h_iget(h, EXT2_ROOT_INO, &root);
	if (ext2_create(root, "new", 3, 0644, 0, 0, &ip) == 0) {
		h_adopt(h, ip);
		h_write(h, ip, 0, "x", 1);
	}
	if (h_namei(h, "/big", &big) == 0) {
		error = ext2_truncate(big, 0);
		h_iput(h, big);
	}
	if (ip != NULL) {
		if (error == 0)
			error = ext2_truncate(ip, 0);
		h_iput(h, ip);
	}
	h_iput(h, root);
	return error;
}

static void
ind_points_at_itself(struct pristine *pr, uint8_t *img)
{
	uint32_t *dind = (uint32_t *)(img + (uint64_t)pr->big_dind * pr->bsize);

	dind[0] = pr->big_dind;
}

static int
truncate_big(struct ext2h *h)
{
	struct ext2_inode *ip;
	int error = h_namei(h, "/big", &ip);

	if (error == 0) {
		error = h_truncate(h, ip, 5000);
		h_iput(h, ip);
	}
	return error;
}

static void
remount_ro_policy(struct pristine *pr, uint8_t *img)
{
	sb_of(img)->s_errors = EXT2_ERRORS_RO;
	root_rec_len_zero(pr, img);
}

static int
create_after_error(struct ext2h *h)
{
	struct ext2_inode *root, *ip;
	int error;

	(void)lookup_missing(h);	/* EIO: the root's block is corrupt */
	h_iget(h, EXT2_ROOT_INO, &root);
	error = ext2_mkdir(root, "z", 1, 0755, 0, 0, &ip);
	h_iput(h, root);
	return error;
}

static void
test_hostile(struct pristine *pr)
{
	static const struct hostile cases[] = {
		{ "a root directory record of length 0: lookup", root_rec_len_zero,
		    lookup_missing, EIO },
		{ "an inode with the extents flag", big_extents_flag, lookup_big, EIO },
		{ "a block pointer past the end", big_block_past_end, read_big, EIO },
		{ "an indirect entry pointing into the inode table", big_ind_into_itable,
		    read_big, EIO },
		{ "an entry naming a reserved inode", root_names_reserved, lookup_third, EIO },
		{ "an entry naming a free inode", root_names_free, lookup_third, EIO },
		{ "an entry naming its own directory", root_names_itself, lookup_third, EIO },
		{ "a bitmap showing a block in use as free: freeing it", bitmap_frees_used,
		    free_twice, EIO },
		{ "a double-indirect block pointing at itself: truncate", ind_points_at_itself,
		    truncate_big, EIO },
		{ "errors=remount-ro after a corrupt directory: mkdir", remount_ro_policy,
		    create_after_error, EROFS },
	};

	for (size_t i = 0; i < nitems(cases); i++) {
		struct ext2h h;
		int error, got;

		error = try_mount(pr, cases[i].corrupt, false, &h);
		if (!tap_ok(error == 0, "%s: %s: mounts", pr->name, cases[i].what))
			continue;
		uint64_t baseline = host_kmalloc_outstanding;
		got = cases[i].op(&h);
		uint32_t errors = h.mp->m_errors;
		struct host_disk *disk = h.disk;
		/* Unmount by hand: the memory disk stays, to read the superblock. */
		free(h.cache);
		int uerr = ext2_unmount(h.mp);
		uint16_t state = sb_of(disk->hd_mem)->s_state;
		tap_ok(got == cases[i].want && errors > 0 && (state & EXT2_ERROR_FS) &&
		    uerr == 0 && host_kmalloc_outstanding <= baseline,
		    "%s: %s gives %d (want %d), counts %u errors, and the superblock says so "
		    "(state 0x%x)", pr->name, cases[i].what, got, cases[i].want, errors, state);
		host_disk_close(disk);
	}
}

/*
 * Fuzzing.
 */

static uint64_t rng;
static unsigned iteration;

static void
deadline(int sig)
{
	(void)sig;
	fprintf(stderr, "fuzz: iteration %u (seed %lu) did not finish in time\n", iteration,
	    (unsigned long)rng);
	abort();
}

static uint32_t
interesting(uint32_t old, const struct pristine *pr)
{
	switch (tap_rand_r(&rng) % 12) {
	case 0: return 0;
	case 1: return 1;
	case 2: return UINT32_MAX;
	case 3: return INT32_MAX;
	case 4: return old + 1;
	case 5: return old - 1;
	case 6: return old * 2;
	case 7: return old ^ (1u << (tap_rand_r(&rng) % 32));
	case 8: return pr->itable0 + (uint32_t)(tap_rand_r(&rng) % 8);
	case 9: return (uint32_t)(pr->len / pr->bsize) - (uint32_t)(tap_rand_r(&rng) % 4);
	case 10: return pr->dir_blocks[tap_rand_r(&rng) % pr->ndir_blocks];
	}
	return (uint32_t)tap_rand_r(&rng);
}

/* Replace a 1-, 2- or 4-byte field at p with an interesting value. */
static void
mutate_field(const struct pristine *pr, uint8_t *p, int size)
{
	uint32_t v = 0;

	memcpy(&v, p, (size_t)size);
	v = interesting(v, pr);
	memcpy(p, &v, (size_t)size);
}

static void
mutate(const struct pristine *pr, uint8_t *img)
{
	uint32_t bs = pr->bsize;
	uint8_t *p;

	switch (tap_rand_r(&rng) % 8) {
	case 0:		/* a superblock field */
		p = img + EXT2_SUPER_OFFSET + (tap_rand_r(&rng) % 0x68) / 4 * 4;
		mutate_field(pr, p, tap_rand_r(&rng) % 2 ? 4 : 2);
		break;
	case 1:		/* a group descriptor field */
		p = img + (uint64_t)(pr->first_data_block + 1) * bs +
		    (tap_rand_r(&rng) % 64) / 2 * 2;
		mutate_field(pr, p, tap_rand_r(&rng) % 2 ? 4 : 2);
		break;
	case 2: case 3:	/* an inode in use */
		p = (uint8_t *)dinode_of(pr, img, pr->inos[tap_rand_r(&rng) % pr->ninos]) +
		    (tap_rand_r(&rng) % 128) / 2 * 2;
		mutate_field(pr, p, tap_rand_r(&rng) % 2 ? 4 : 2);
		break;
	case 4:		/* a directory block */
		p = img + (uint64_t)pr->dir_blocks[tap_rand_r(&rng) % pr->ndir_blocks] * bs +
		    tap_rand_r(&rng) % (bs - 4);
		if (tap_rand_r(&rng) % 2)
			mutate_field(pr, p, (int)(1 + tap_rand_r(&rng) % 2));
		else
			*p ^= (uint8_t)(1u << (tap_rand_r(&rng) % 8));
		break;
	case 5:		/* an indirect block */
		p = img + (uint64_t)pr->ind_blocks[tap_rand_r(&rng) % pr->nind_blocks] * bs +
		    (tap_rand_r(&rng) % bs) / 4 * 4;
		mutate_field(pr, p, 4);
		break;
	case 6:		/* a bitmap bit */
		p = img + (uint64_t)pr->bitmaps[tap_rand_r(&rng) % pr->nbitmaps] * bs +
		    tap_rand_r(&rng) % bs;
		*p ^= (uint8_t)(1u << (tap_rand_r(&rng) % 8));
		break;
	default:	/* any byte of the first blocks' metadata */
		p = img + (uint64_t)tap_rand_r(&rng) % (MIN(pr->len, (size_t)(pr->itable0 + 64) * bs));
		*p = (uint8_t)tap_rand_r(&rng);
		break;
	}
}

struct walk {
	struct ext2h	*h;
	unsigned	visited, budget;
	uint32_t	files[16], dirs[16];
	unsigned	nfiles, ndirs;
	char		names[16][256];
};

struct entries {
	uint32_t	ino[32];
	char		name[32][256];
	unsigned	n;
};

static int
collect(void *arg, const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next)
{
	struct entries *e = arg;

	(void)type;
	(void)next;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (e->n == nitems(e->ino))
		return 1;
	memcpy(e->name[e->n], name, MIN(len, (size_t)255));
	e->name[e->n][MIN(len, (size_t)255)] = '\0';
	e->ino[e->n++] = ino;
	return 0;
}

/* Read pieces of a file, map it, read a symlink: whatever the inode says. */
static void
poke_inode(struct walk *w, struct ext2_inode *ip)
{
	uint8_t buf[8192];
	uint64_t pblk;
	uint32_t run;

	if (ext2_is_reg(ip)) {
		uint64_t offs[3] = { 0, ip->i_size / 2, ip->i_size > 8192 ? ip->i_size - 8192 : 0 };

		for (int i = 0; i < 3; i++)
			(void)h_read(w->h, ip, offs[i], buf, sizeof(buf));
		uint64_t lblk = 0;
		for (int i = 0; i < 40 && lblk * w->h->mp->m_bsize < ip->i_size; i++) {
			if (ext2_bmap(ip, lblk, 64, &pblk, &run) != 0)
				break;
			lblk += run;
		}
	} else if (ext2_is_symlink(ip)) {
		size_t len;

		(void)ext2_readlink(ip, (char *)buf, sizeof(buf), &len);
	}
}

static void
walk_dir(struct walk *w, struct ext2_inode *dp, int depth)
{
	struct entries *e = calloc(1, sizeof(*e));
	uint64_t cookie = 0;

	for (int round = 0; round < 8 && cookie < dp->i_size; round++)
		if (ext2_readdir(dp, &cookie, collect, e) != 0)
			break;
	for (unsigned i = 0; i < e->n && w->visited < w->budget; i++) {
		struct ext2_inode *ip;
		uint32_t ino;
		uint8_t type;

		w->visited++;
		if (ext2_lookup(dp, e->name[i], strlen(e->name[i]), &ino, &type) != 0 ||
		    h_iget(w->h, ino, &ip) != 0)
			continue;
		if (ext2_is_dir(ip)) {
			if (w->ndirs < nitems(w->dirs))
				w->dirs[w->ndirs++] = ip->i_number;
			if (depth < 6 && ip->i_number != dp->i_number)
				walk_dir(w, ip, depth + 1);
		} else {
			if (ext2_is_reg(ip) && w->nfiles < nitems(w->files)) {
				snprintf(w->names[w->nfiles], sizeof(w->names[0]), "%s", e->name[i]);
				w->files[w->nfiles++] = ip->i_number;
			}
			poke_inode(w, ip);
		}
		h_iput(w->h, ip);
	}
	free(e);
}

/* Changes through the layer: the mount may be corrupt in any way. */
static void
change_things(struct walk *w)
{
	struct ext2h *h = w->h;
	struct ext2_inode *root, *ip, *dir = NULL, *victim;
	uint8_t data[20000];
	uint32_t ino;
	uint8_t type;

	if (h_iget(h, EXT2_ROOT_INO, &root) != 0)
		return;
	memset(data, 0x77, sizeof(data));
	if (ext2_create(root, "fz-new", 6, 0644, 0, 0, &ip) == 0) {
		h_adopt(h, ip);
		(void)h_write(h, ip, 0, data, sizeof(data));
		(void)h_write(h, ip, 300 * 1024, data, 100);
		(void)h_truncate(h, ip, 7000);
		h_iput(h, ip);
	}
	if (ext2_mkdir(root, "fz-dir", 6, 0755, 0, 0, &dir) == 0) {
		h_adopt(h, dir);
		if (ext2_create(dir, "inner", 5, 0644, 0, 0, &ip) == 0) {
			h_adopt(h, ip);
			h_iput(h, ip);
		}
	}
	/* Move, cut and remove some of what the walk found in the root. */
	for (unsigned i = 0; i < w->nfiles && i < 4; i++) {
		const char *name = w->names[i];

		if (ext2_lookup(root, name, strlen(name), &ino, &type) != 0 ||
		    h_iget(h, ino, &victim) != 0)
			continue;
		if (i == 0 && dir != NULL)
			(void)ext2_rename(root, name, strlen(name), victim, dir, "moved", 5, NULL);
		else if (i == 1)
			(void)h_truncate(h, victim, victim->i_size / 2);
		else if (i == 2)
			(void)ext2_link(root, "fz-link", 7, victim);
		else
			(void)ext2_unlink(root, name, strlen(name), victim);
		h_iput(h, victim);
	}
	if (ext2_lookup(root, "empty-dir", 9, &ino, &type) == 0 && h_iget(h, ino, &victim) == 0) {
		(void)ext2_rmdir(root, "empty-dir", 9, victim);
		h_iput(h, victim);
	}
	if (ext2_lookup(root, "d1", 2, &ino, &type) == 0 && h_iget(h, ino, &victim) == 0) {
		if (dir != NULL)
			(void)ext2_rename(root, "d1", 2, victim, dir, "d1-moved", 8, NULL);
		h_iput(h, victim);
	}
	if (dir != NULL)
		h_iput(h, dir);
	if (ext2_symlink(root, "fz-sym", 6, "target", 6, 0, 0, &ip) == 0) {
		h_adopt(h, ip);
		h_iput(h, ip);
	}
	h_iput(h, root);
}

struct fuzz_stats {
	unsigned	refused, mounted, detected, marked, leaks, held_buffers;
};

static void
fuzz_one(const struct pristine *pr, struct fuzz_stats *st)
{
	struct host_disk *disk = disk_from(pr);
	uint64_t baseline = host_kmalloc_outstanding;
	int nmut = 1 + (int)(tap_rand_r(&rng) % 3);
	struct walk w = { .budget = 200 };
	struct ext2_statfs sf;
	struct ext2h h;
	bool rw = tap_rand_r(&rng) % 4 != 0;

	for (int i = 0; i < nmut; i++)
		mutate(pr, disk->hd_mem);
	if (h_mount_disk(&h, disk, !rw) != 0) {
		st->refused++;
		if (host_kmalloc_outstanding != baseline)
			st->leaks++;
		return;
	}
	st->mounted++;
	w.h = &h;
	struct ext2_inode *root;
	if (h_iget(&h, EXT2_ROOT_INO, &root) == 0) {
		walk_dir(&w, root, 0);
		h_iput(&h, root);
	}
	if (rw)
		change_things(&w);
	ext2_statfs(h.mp, &sf);
	if (sf.f_bfree > h.mp->m_blocks_count || sf.f_ffree > h.mp->m_inodes_count)
		st->leaks++;	/* counts out of range: count it as a failure */
	(void)ext2_sync(h.mp);
	bool detected = h.mp->m_errors != 0, was_rw = h.mp->m_mounted_rw;
	struct host_disk *d = h.disk;
	free(h.cache);
	if (h.ncache != 0)
		st->held_buffers++;
	(void)ext2_unmount(h.mp);
	uint32_t held = 0;
	if (bcache_count(&d->hd_bd, &held) != 0)
		st->held_buffers++;
	st->detected += detected;
	if (detected && was_rw && (sb_of(d->hd_mem)->s_state & EXT2_ERROR_FS))
		st->marked++;
	else if (detected && was_rw)
		tap_diag("iteration %u: errors seen but not marked (state 0x%x)", iteration,
		    sb_of(d->hd_mem)->s_state);
	host_disk_close(d);
	if (host_kmalloc_outstanding != baseline)
		st->leaks++;
}

static void
fuzz(const struct pristine *pr, unsigned iterations)
{
	struct fuzz_stats st = { 0 };

	signal(SIGALRM, deadline);
	host_klog_quiet = true;
	for (iteration = 0; iteration < iterations; iteration++) {
		alarm(20);
		fuzz_one(pr, &st);
	}
	alarm(0);
	host_klog_quiet = false;
	tap_ok(st.leaks == 0 && st.held_buffers == 0,
	    "%s: %u hostile images: no crash, no leak (%u), no buffer or inode left held (%u)",
	    pr->name, iterations, st.leaks, st.held_buffers);
	/* Many mutations hit bytes nothing reads; enough must hit something. */
	tap_ok(st.detected > iterations / 30 && st.refused > iterations / 50,
	    "%s: corruption was noticed: %u refused at mount, %u mounted, %u with errors "
	    "counted, %u marked in the superblock", pr->name, st.refused, st.mounted,
	    st.detected, st.marked);
}

int
main(void)
{
	struct pristine pr1, pr4;
	const char *env = getenv("EXT2_FUZZ_ITERATIONS");
	unsigned iterations = env != NULL ? (unsigned)atoi(env) : 1500;

	tap_seed_from_env("EXT2_FUZZ_SEED");
	rng = tap_rand() | 1;
	tap_diag("seed %lu (set EXT2_FUZZ_SEED to repeat)", (unsigned long)rng);
	bcache_init(32);
	if (!tap_ok(pristine_make(&pr1, "1k", 1024), "1k: pristine image made and surveyed") ||
	    !tap_ok(pristine_make(&pr4, "4k", 4096), "4k: pristine image made and surveyed"))
		return tap_done();
	test_bad_superblocks(&pr1);
	test_hostile(&pr1);
	test_hostile(&pr4);
	fuzz(&pr1, iterations);
	fuzz(&pr4, iterations / 3);
	free(pr1.img);
	free(pr4.img);
	return tap_done();
}
