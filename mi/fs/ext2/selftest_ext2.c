/*
 * Boot-time self-test of the ext2 layer and the buffer cache as the
 * kernel builds them ("selftest=ext2"; see selftest.h): the same code the
 * host tests run, here with the kernel's malloc, locks and stack.
 *
 * The device is memory holding a copy of a small image that mke2fs made
 * when the kernel was built (meson.build links it in as
 * ext2_selftest_image).  File data moves as
 * the vnode pager will move it: by ext2_balloc and ext2_bmap runs,
 * straight between the device and the caller, never through the cache.
 * The test makes, writes, renames, truncates and links; unmounts (the
 * superblock must say clean); mounts again and finds everything; removes
 * it all (every block and inode comes back); and checks that the malloc
 * types of the layer and the cache return to where they started.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/blockdev.h>
#include <kern/buf.h>
#include <kern/selftest.h>
#include <vm/kmem.h>
#include <machine/param.h>
#include <fs/ext2/ext2.h>

MALLOC_DECLARE(M_EXT2);
MALLOC_DECLARE(M_BUF);

/* The image, as scripts/gen-incbin stores it: only its blocks that are not zero. */
struct sparse_image {
	uint64_t	size;		/* bytes */
	uint64_t	bsize;
	uint64_t	nblocks;	/* blocks stored, each an index and bsize bytes */
	uint8_t		blocks[];
};
extern const struct sparse_image ext2_selftest_image;

#define ST_BLOCKS	300		/* 1 KiB blocks: direct, single and double indirect */
#define ST_LINK		"a/target/long/enough/to/need/a/block/of/its/own/rather/than/i_block/..."

struct memdisk {
	struct blockdev	bd;
	uint8_t		*mem;
};

static int
md_read(struct blockdev *bd, uint64_t off, void *buf, size_t len)
{
	memcpy(buf, ((struct memdisk *)bd)->mem + off, len);
	return 0;
}

static int
md_write(struct blockdev *bd, uint64_t off, const void *buf, size_t len)
{
	memcpy(((struct memdisk *)bd)->mem + off, buf, len);
	return 0;
}

static const struct blockdev_ops md_ops = { .bdo_read = md_read, .bdo_write = md_write };

static uint32_t
st_now(void *ctx)
{
	return 1700000000;
}

static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 10));
}

/* Write blocks [0, n) of ip with the pattern, as the pager would. */
static bool
st_write(struct memdisk *md, struct ext2_inode *ip, uint64_t n)
{
	uint32_t bs = ip->i_mp->m_bsize;
	uint64_t pblk;
	bool fresh;

	for (uint64_t l = 0; l < n; l++) {
		if (ext2_balloc(ip, l, &pblk, &fresh) != 0 || !fresh)
			return false;
		for (uint32_t i = 0; i < bs; i++)
			md->mem[pblk * bs + i] = pattern(l * bs + i);
	}
	return ext2_write_done(ip, n * bs) == 0;
}

/* Do the first len bytes of ip hold the pattern?  *runs: bmap calls needed. */
static bool
st_check(struct memdisk *md, struct ext2_inode *ip, uint64_t len, uint32_t *runs)
{
	uint32_t bs = ip->i_mp->m_bsize, run;
	uint64_t pblk;

	*runs = 0;
	if (ip->i_size != len)
		return false;
	for (uint64_t l = 0; l * bs < len; l += run, (*runs)++) {
		if (ext2_bmap(ip, l, UINT32_MAX, &pblk, &run) != 0 || pblk == 0)
			return false;
		for (uint64_t i = 0; i < (uint64_t)run * bs && l * bs + i < len; i++)
			if (md->mem[pblk * bs + i] != pattern(l * bs + i))
				return false;
	}
	return true;
}

/* Expand the stored image into zeroed memory of its size. */
static void
unpack(uint8_t *mem, const struct sparse_image *img)
{
	const uint8_t *p = img->blocks;

	for (uint64_t i = 0; i < img->nblocks; i++) {
		uint64_t index;

		memcpy(&index, p, sizeof(index));
		memcpy(mem + index * img->bsize, p + sizeof(index), img->bsize);
		p += sizeof(index) + img->bsize;
	}
}

/* Drop the in-core inodes of list that are there. */
static void
put_all(struct ext2_inode **list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i] != NULL)
			ext2_iput(list[i]);
}

static struct ext2_inode *
st_namei(struct ext2_mount *mp, struct ext2_inode *dp, const char *name)
{
	struct ext2_inode *ip;
	uint32_t ino;
	uint8_t type;

	if (ext2_lookup(dp, name, strlen(name), &ino, &type) != 0 || ext2_iget(mp, ino, &ip) != 0)
		return NULL;
	return ip;
}

static void
ext2_selftest(void)
{
	size_t len = (size_t)ext2_selftest_image.size;
	struct ext2_mount_args args = { .ma_now = st_now };
	struct ext2_inode *root = NULL, *dir = NULL, *file = NULL, *link = NULL;
	uint64_t ext2_before = M_EXT2->mt_inuse, buf_before = M_BUF->mt_inuse;
	struct ext2_statfs start, sf;
	struct memdisk md;
	struct ext2_mount *mp;
	char target[128];
	size_t tlen;
	uint32_t runs = 0;
	bool ok;

	md.mem = kmem_alloc(round_page(len), M_WAITOK);	/* zeroed */
	if (!selftest_ok(md.mem != NULL && len > 0, "ext2: %zu-byte image unpacked (%lu "
	    "blocks were not zero)", len, (unsigned long)ext2_selftest_image.nblocks))
		return;
	unpack(md.mem, &ext2_selftest_image);
	md.bd = (struct blockdev){ "selftest", 512, len, &md_ops, NULL };
	bcache_init(64);

	if (!selftest_ok(ext2_mount(&md.bd, &args, &mp) == 0, "ext2: mounts the image")) {
		kmem_free(md.mem, round_page(len));
		return;
	}
	ext2_statfs(mp, &start);
	ok = ext2_iget(mp, EXT2_ROOT_INO, &root) == 0 &&
	    ext2_mkdir(root, "dir", 3, 0755, 0, 0, &dir) == 0 &&
	    ext2_create(dir, "file", 4, 0644, 0, 0, &file) == 0 &&
	    ext2_symlink(dir, "link", 4, ST_LINK, strlen(ST_LINK), 0, 0, &link) == 0;
	selftest_ok(ok, "ext2: mkdir, create and a slow symlink");
	ok = ok && st_write(&md, file, ST_BLOCKS) && st_check(&md, file, ST_BLOCKS * 1024, &runs);
	selftest_ok(ok && runs == 3, "ext2: %u blocks written and read back in %u runs",
	    ST_BLOCKS, runs);
	ok = ok && ext2_rename(dir, "file", 4, file, root, "moved", 5, NULL) == 0 &&
	    ext2_truncate(file, 5000) == 0 && st_check(&md, file, 5000, &runs);
	selftest_ok(ok, "ext2: renamed across directories and truncated");
	put_all((struct ext2_inode *[]){ link, file, dir, root }, 4);
	selftest_ok(ext2_unmount(mp) == 0 &&
	    (((struct ext2_super *)(md.mem + EXT2_SUPER_OFFSET))->s_state & EXT2_VALID_FS),
	    "ext2: unmounts clean");

	root = dir = file = link = NULL;
	ok = ext2_mount(&md.bd, &args, &mp) == 0;
	if (!selftest_ok(ok, "ext2: mounts again")) {
		kmem_free(md.mem, round_page(len));
		return;
	}
	ok = ext2_iget(mp, EXT2_ROOT_INO, &root) == 0 &&
	    (dir = st_namei(mp, root, "dir")) != NULL &&
	    (file = st_namei(mp, root, "moved")) != NULL &&
	    (link = st_namei(mp, dir, "link")) != NULL &&
	    st_check(&md, file, 5000, &runs) &&
	    ext2_readlink(link, target, sizeof(target), &tlen) == 0 &&
	    tlen == strlen(ST_LINK) && memcmp(target, ST_LINK, tlen) == 0;
	selftest_ok(ok, "ext2: the file, its data and the symlink are there after remounting");
	ok = ok && ext2_unlink(root, "moved", 5, file) == 0 &&
	    ext2_unlink(dir, "link", 4, link) == 0 && ext2_rmdir(root, "dir", 3, dir) == 0;
	put_all((struct ext2_inode *[]){ link, file, dir, root }, 4);
	ext2_statfs(mp, &sf);
	selftest_ok(ok && sf.f_bfree == start.f_bfree && sf.f_ffree == start.f_ffree,
	    "ext2: removing everything gives back every block and inode (%lu, %lu free)",
	    (unsigned long)sf.f_bfree, (unsigned long)sf.f_ffree);
	selftest_ok(ext2_unmount(mp) == 0 && M_EXT2->mt_inuse == ext2_before &&
	    M_BUF->mt_inuse == buf_before,
	    "ext2: unmounted, with no ext2 or buffer-cache memory left behind");
	kmem_free(md.mem, round_page(len));
}

SELFTEST(ext2, ext2_selftest);
