/*
 * The ext2 glue: ext2 as a file system of the VFS (ext2_vfsops.c: the
 * mount, the vnode cache, sync; ext2_vnops.c: the vnode operations),
 * over the on-disk layer of ext2.h, with file data in the vnodes'
 * objects (vm/vnode_pager.c).
 *
 * One vnode per inode.  The mount keeps a cache of its vnodes, hashed by
 * inode number: a vnode is made when a lookup (or a create) first needs
 * the inode, and stays cached while the inode has links, after its last
 * reference is gone, so its pages stay too.  When the cache grows past
 * EXT2_VNODES_MAX, unreferenced clean vnodes without pages are evicted.
 * A vnode whose inode lost its last link goes with its last reference
 * (and its object with its last mapping); its inode is freed on disk
 * then (ext2_iput).  That last step may come from an unmap, with spin
 * locks held, so it is deferred: vop_free queues the vnode, and the
 * syncer (or unmount) finishes it.
 *
 * Locks, in order:
 *   VFS rename lock (vfs_syscalls.c), for renames
 *   the I/O lock of a regular file (vn_iolock): read, write, truncate,
 *       fsync and write-back, so pages and the block map stay put
 *   en_lock, the inode lock (ext2.h's (I)), an sx lock; several are
 *       taken parent before child, two directories the one above the
 *       other first (else by address), two children by address
 *   the layer's allocation lock and buffer locks (ext2.h)
 *   ev_hash_lock, ev_free_lock (spin), and vnode and object spin locks
 */
#ifndef _FS_EXT2_EXT2_VNODE_H_
#define _FS_EXT2_EXT2_VNODE_H_

#include <kern/types.h>
#include <kern/sx.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <fs/ext2/ext2.h>
#include <fs/vnode.h>

struct mount;
struct vnode;

#define EXT2_HASH_SIZE		256	/* buckets of the vnode cache */
#define EXT2_VNODES_MAX		4096	/* cached vnodes before eviction starts */

/* A mounted ext2 file system (mnt_data). */
struct ext2_vfs {
	struct ext2_mount *ev_em;	/* (C) the layer's mount */
	uint32_t	ev_time_base;	/* (C) the file system's clock: this plus the uptime */
	struct spinlock	ev_hash_lock;
	struct list_node ev_hash[EXT2_HASH_SIZE]; /* (h) ext2_nodes by inode number */
	uint32_t	ev_nvnodes;	/* (h) vnodes in the hash */
	struct spinlock	ev_free_lock;
	struct list_node ev_tofree;	/* (f) ext2_nodes whose vnodes vop_free gave up */
};

/* An inode in the VFS (v_data). */
struct ext2_node {
	struct ext2_inode *en_ip;	/* (I) the layer's in-core inode */
	struct sx	en_lock;	/* the inode lock (I) */
	struct vnode	*en_vp;		/* (C) */
	struct list_node en_link;	/* (h) in the hash, or (f) on ev_tofree */
	bool		en_hashed;	/* (h) */
};

static inline struct ext2_node *VTON(struct vnode *vp) { return vp->v_data; }
static inline struct ext2_inode *VTOI(struct vnode *vp) { return VTON(vp)->en_ip; }

void ext2_ilock(struct vnode *vp);
void ext2_iunlock(struct vnode *vp);

/*
 * The vnode of inode ino of mp, referenced: from the cache, or read now.
 * A directory is made with dir as its parent and name as its name.
 * => dir's inode lock held (a rename cannot move the entry meanwhile)
 */
int ext2_vget(struct mount *mp, uint32_t ino, struct vnode *dir, const char *name, size_t len,
    struct vnode **vpp);
/* The vnode of a new inode ip (just made in dir as name), referenced and cached. */
int ext2_vnew(struct mount *mp, struct ext2_inode *ip, struct vnode *dir, const char *name,
    size_t len, struct vnode **vpp);
/* Copy ip's attributes into its vnode's (inode lock held). */
void ext2_vattr(struct vnode *vp);
/* vop_reclaim's and vop_free's halves that need the mount. */
void ext2_unhash(struct vnode *vp);
void ext2_defer_free(struct vnode *vp);
/* Free the node and vnode of an inode whose last user is gone (thread context). */
void ext2_node_release(struct vnode *vp);

extern const struct vnode_ops ext2_dir_ops, ext2_file_ops, ext2_symlink_ops, ext2_special_ops;

#endif
