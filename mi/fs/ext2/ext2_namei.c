/*
 * ext2 name-space operations: making files, directories, device nodes
 * and symlinks, linking, unlinking, renaming, and reading symlinks.
 * Each one checks, then changes the disk in an order that leaves, if it
 * fails half-way, at worst an inode or block e2fsck reclaims -- never an
 * entry naming a free inode.  Link counts follow Linux: a directory has
 * one link from its parent's entry, one from its own ".", and one from
 * each subdirectory's "..".
 * => (I) exclusive on every inode passed in.
 */
#include <kern/buf.h>
#include <fs/ext2/ext2_internal.h>

/* May name be a new entry?  EINVAL or ENAMETOOLONG if not. */
static int
check_name(const char *name, size_t len)
{
	if (len > EXT2_NAME_LEN)
		return ENAMETOOLONG;
	if (len == 0 || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return EINVAL;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return EINVAL;
	return 0;
}

/* Can dp take a new entry called name?  0, or the reason not. */
static int
can_add(struct ext2_inode *dp, const char *name, size_t len)
{
	uint32_t ino;
	uint8_t type;
	int error;

	if (!ext2_is_dir(dp))
		return ENOTDIR;
	if ((error = check_name(name, len)) != 0 || (error = ext2_writable(dp->i_mp)) != 0)
		return error;
	if (dp->i_links == 0)
		return ENOENT;		/* removed while we looked at it, as Linux says */
	error = ext2_lookup(dp, name, len, &ino, &type);
	if (error == 0)
		return EEXIST;
	return error == ENOENT ? 0 : error;
}

/*
 * Make a new inode of mode in dp and name it; ready (if not NULL) fills
 * it in before the name is added.  On failure the inode is freed again.
 */
static int
make_node(struct ext2_inode *dp, const char *name, size_t len, uint16_t mode, uint32_t uid,
    uint32_t gid, int (*ready)(struct ext2_inode *ip, const void *arg), const void *arg,
    struct ext2_inode **ipp)
{
	struct ext2_inode *ip;
	int error;

	*ipp = NULL;
	if ((error = can_add(dp, name, len)) != 0)
		return error;
	if ((error = ext2_inode_alloc(dp, mode, uid, gid, &ip)) != 0)
		return error;
	if ((ready != NULL && (error = ready(ip, arg)) != 0) ||
	    (error = ext2_dir_add(dp, name, len, ip->i_number, ext2_mode_to_ftype(mode))) != 0) {
		ip->i_links = 0;	/* ext2_iput frees whatever it got */
		(void)ext2_iput(ip);
		return error;
	}
	*ipp = ip;
	return 0;
}

int
ext2_create(struct ext2_inode *dp, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, struct ext2_inode **ipp)
{
	return make_node(dp, name, len, (uint16_t)(EXT2_S_IFREG | (mode & EXT2_S_IALLUGO)), uid,
	    gid, NULL, NULL, ipp);
}

struct devnum {
	uint32_t	major, minor;
};

/* Store a device number as Linux does: old 8:8 form when it fits. */
static int
set_rdev(struct ext2_inode *ip, const void *arg)
{
	const struct devnum *dev = arg;

	if (dev->major < 256 && dev->minor < 256) {
		ip->i_blkptr[0] = dev->major << 8 | dev->minor;
	} else {
		ip->i_blkptr[0] = 0;
		ip->i_blkptr[1] = (dev->minor & 0xff) | (dev->major << 8) |
		    ((dev->minor & ~0xffu) << 12);
	}
	return ext2_iupdate(ip);
}

int
ext2_mknod(struct ext2_inode *dp, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, uint32_t major, uint32_t minor, struct ext2_inode **ipp)
{
	struct devnum dev = { major, minor };

	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFCHR: case EXT2_S_IFBLK:
		if (major > 0xfff || minor > 0xfffff)
			return EINVAL;
		return make_node(dp, name, len, mode, uid, gid, set_rdev, &dev, ipp);
	case EXT2_S_IFIFO: case EXT2_S_IFSOCK:
		return make_node(dp, name, len, mode, uid, gid, NULL, NULL, ipp);
	}
	return EINVAL;
}

static int
init_dir(struct ext2_inode *ip, const void *arg)
{
	ip->i_links = 2;		/* its entry and its "." */
	return ext2_dir_init(ip, *(const uint32_t *)arg);
}

int
ext2_mkdir(struct ext2_inode *dp, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, struct ext2_inode **ipp)
{
	int error;

	*ipp = NULL;
	if (ext2_is_dir(dp) && dp->i_links >= EXT2_LINK_MAX)
		return EMLINK;
	error = make_node(dp, name, len, (uint16_t)(EXT2_S_IFDIR | (mode & EXT2_S_IALLUGO)), uid,
	    gid, init_dir, &dp->i_number, ipp);
	if (error != 0)
		return error;
	dp->i_links++;			/* the new ".." */
	return ext2_iupdate(dp);
}

struct target {
	const char	*name;
	size_t		len;
};

/* A short target lives in i_blkptr; a longer one in a block of its own. */
static int
write_target(struct ext2_inode *ip, const void *arg)
{
	const struct target *t = arg;
	struct ext2_mount *mp = ip->i_mp;
	uint64_t pblk;
	struct buf *bp;
	bool fresh;
	int error;

	ip->i_size = t->len;
	if (t->len <= EXT2_FAST_SYMLINK_MAX) {
		memcpy(ip->i_blkptr, t->name, t->len);
		return ext2_iupdate(ip);
	}
	if ((error = ext2_balloc(ip, 0, &pblk, &fresh)) != 0)
		return error;
	if ((bp = getblk(mp->m_dev, pblk, mp->m_bsize)) == NULL)
		return ENOMEM;
	memset(bp->b_data, 0, mp->m_bsize);
	memcpy(bp->b_data, t->name, t->len);
	bdwrite(bp);
	return ext2_iupdate(ip);
}

int
ext2_symlink(struct ext2_inode *dp, const char *name, size_t len, const char *target,
    size_t tlen, uint32_t uid, uint32_t gid, struct ext2_inode **ipp)
{
	struct target t = { target, tlen };

	*ipp = NULL;
	if (tlen == 0)
		return ENOENT;		/* symlink(2) with an empty target */
	if (tlen >= dp->i_mp->m_bsize)
		return ENAMETOOLONG;
	for (size_t i = 0; i < tlen; i++)
		if (target[i] == '\0')
			return EINVAL;
	return make_node(dp, name, len, EXT2_S_IFLNK | 0777, uid, gid, write_target, &t, ipp);
}

int
ext2_link(struct ext2_inode *dp, const char *name, size_t len, struct ext2_inode *ip)
{
	int error;

	/* In Linux's order: the new name first, then what may be linked. */
	if ((error = can_add(dp, name, len)) != 0)
		return error;
	if (ext2_is_dir(ip))
		return EPERM;
	if (ip->i_links == 0)
		return ENOENT;		/* already unlinked */
	if (ip->i_links >= EXT2_LINK_MAX)
		return EMLINK;
	if ((error = ext2_dir_add(dp, name, len, ip->i_number,
	    ext2_mode_to_ftype(ip->i_mode))) != 0)
		return error;
	ip->i_links++;
	ip->i_ctime = ext2_now(ip->i_mp);
	return ext2_iupdate(ip);
}

/* Checks shared by unlink and rmdir: dp is a writable directory naming ip. */
static int
can_remove(struct ext2_inode *dp, const char *name, size_t len, struct ext2_inode *ip)
{
	uint32_t ino;
	uint8_t type;
	int error;

	if (!ext2_is_dir(dp))
		return ENOTDIR;
	if ((error = ext2_writable(dp->i_mp)) != 0)
		return error;
	if ((error = ext2_lookup(dp, name, len, &ino, &type)) != 0)
		return error;
	return ino == ip->i_number ? 0 : ENOENT;
}

/* One link fewer; a count already at zero is reported, not wrapped. */
static void
drop_link(struct ext2_inode *ip)
{
	if (ip->i_links == 0)
		ext2_corrupt(ip->i_mp, "inode %u lost a link it did not have", ip->i_number);
	else
		ip->i_links--;
	ip->i_ctime = ext2_now(ip->i_mp);
}

int
ext2_unlink(struct ext2_inode *dp, const char *name, size_t len, struct ext2_inode *ip)
{
	int error;

	if (ext2_is_dir(ip))
		return EISDIR;
	if ((error = can_remove(dp, name, len, ip)) != 0 ||
	    (error = ext2_dir_remove(dp, name, len, ip->i_number)) != 0)
		return error;
	drop_link(ip);
	return ext2_iupdate(ip);
}

int
ext2_rmdir(struct ext2_inode *dp, const char *name, size_t len, struct ext2_inode *ip)
{
	bool empty;
	int error;

	if (!ext2_is_dir(ip))
		return ENOTDIR;
	if ((error = can_remove(dp, name, len, ip)) != 0 ||
	    (error = ext2_dir_is_empty(ip, &empty)) != 0)
		return error;
	if (!empty)
		return ENOTEMPTY;
	if ((error = ext2_dir_remove(dp, name, len, ip->i_number)) != 0)
		return error;
	ip->i_links = 0;		/* its entry and its "." */
	ip->i_size = 0;
	ip->i_ctime = ext2_now(ip->i_mp);
	drop_link(dp);			/* its ".." */
	if ((error = ext2_iupdate(dp)) != 0)
		return error;
	return ext2_iupdate(ip);
}

/*
 * rename: first the target name points at ip (a new entry, or the
 * replaced one redirected), then the old name goes, then a moved
 * directory's ".." follows it.  Until the second step both names lead
 * to ip, so a failure leaves an extra link, never a lost file.
 */
int
ext2_rename(struct ext2_inode *fdp, const char *fname, size_t flen, struct ext2_inode *ip,
    struct ext2_inode *tdp, const char *tname, size_t tlen, struct ext2_inode *tip)
{
	bool isdir = ext2_is_dir(ip), moved_dir, empty;
	uint8_t ftype = ext2_mode_to_ftype(ip->i_mode), type;
	uint32_t ino;
	int error;

	if ((error = can_remove(fdp, fname, flen, ip)) != 0)
		return error;
	if (!ext2_is_dir(tdp))
		return ENOTDIR;
	if ((error = check_name(tname, tlen)) != 0)
		return error;
	error = ext2_lookup(tdp, tname, tlen, &ino, &type);
	if (error != 0 && error != ENOENT)
		return error;
	if (tip == NULL ? error == 0 : error != 0 || ino != tip->i_number)
		return error == 0 ? EEXIST : ENOENT;	/* the caller's view is stale */
	if (tip != NULL && tip->i_number == ip->i_number)
		return 0;		/* two names of one file: nothing to do */
	moved_dir = isdir && fdp != tdp;
	if (tip != NULL) {
		if (isdir && !ext2_is_dir(tip))
			return ENOTDIR;
		if (!isdir && ext2_is_dir(tip))
			return EISDIR;
		if (ext2_is_dir(tip)) {
			if ((error = ext2_dir_is_empty(tip, &empty)) != 0)
				return error;
			if (!empty)
				return ENOTEMPTY;
		}
	} else if (moved_dir && tdp->i_links >= EXT2_LINK_MAX) {
		return EMLINK;
	}

	/* 1: the target name leads to ip. */
	if (tip != NULL) {
		if ((error = ext2_dir_set_entry(tdp, tname, tlen, ip->i_number, ftype)) != 0)
			return error;
		if (ext2_is_dir(tip)) {
			tip->i_links = 0;
			tip->i_size = 0;
			tip->i_ctime = ext2_now(tip->i_mp);
			drop_link(tdp);		/* tip's ".." */
		} else {
			drop_link(tip);
		}
		if ((error = ext2_iupdate(tip)) != 0)
			return error;
	} else if ((error = ext2_dir_add(tdp, tname, tlen, ip->i_number, ftype)) != 0) {
		return error;
	}
	if (moved_dir)
		tdp->i_links++;			/* ip's ".." now counts here */
	if ((error = ext2_iupdate(tdp)) != 0)
		return error;

	/* 2: the old name goes. */
	if ((error = ext2_dir_remove(fdp, fname, flen, ip->i_number)) != 0)
		return error;
	ip->i_ctime = ext2_now(ip->i_mp);

	/* 3: a directory that changed parents points its ".." at the new one. */
	if (moved_dir) {
		if ((error = ext2_dir_set_dotdot(ip, tdp->i_number)) != 0)
			return error;
		drop_link(fdp);
		if ((error = ext2_iupdate(fdp)) != 0)
			return error;
	}
	return ext2_iupdate(ip);
}

int
ext2_readlink(struct ext2_inode *ip, char *buf, size_t size, size_t *len)
{
	struct ext2_mount *mp = ip->i_mp;
	size_t want = MIN((size_t)ip->i_size, size), done = 0;
	int error;

	*len = 0;
	if (!ext2_is_symlink(ip))
		return EINVAL;
	if (ext2_is_fast_symlink(ip)) {
		memcpy(buf, ip->i_blkptr, want);	/* iget checked i_size fits */
		*len = want;
		return 0;
	}
	for (uint64_t lblk = 0; done < want; lblk++) {
		size_t n = MIN(want - done, (size_t)mp->m_bsize);
		uint64_t pblk;
		uint32_t run;
		struct buf *bp;

		if ((error = ext2_bmap(ip, lblk, 1, &pblk, &run)) != 0)
			return error;
		if (pblk == 0)
			return ext2_corrupt(mp, "symlink %u has a hole", ip->i_number);
		if ((error = ext2_bread(mp, pblk, &bp)) != 0)
			return error;
		memcpy(buf + done, bp->b_data, n);
		brelse(bp);
		done += n;
	}
	*len = done;
	return 0;
}
