/*
 * ramfs: the in-memory file system that holds the root (see ramfs.c).
 */
#ifndef _FS_RAMFS_H_
#define _FS_RAMFS_H_

#include <kern/types.h>

struct vnode;

/* The largest file ramfs keeps (EFBIG beyond). */
#define RAMFS_MAXFILESIZE	(1UL << 40)

/* A new, empty root directory: one reference and one (artificial) link. */
struct vnode *ramfs_mkroot(void);
/*
 * Drop a root made by ramfs_mkroot (its link and the caller's reference).
 * ENOTEMPTY if anything is still in it (nothing is dropped then).
 */
int ramfs_rmroot(struct vnode *root);

/* Enter vp, a vnode of any file system, in the ramfs directory dir as name. */
int ramfs_link(struct vnode *dir, const char *name, size_t len, struct vnode *vp);

bool ramfs_is_dir(const struct vnode *vp);

#endif
