/*
 * What the system-call files of the VFS (vfs_syscalls.c, vfs_attrs.c)
 * share: copying paths in and finding where a *at() call starts.
 */
#ifndef _FS_VFS_INTERNAL_H_
#define _FS_VFS_INTERNAL_H_

#include <kern/types.h>

struct thread;
struct vnode;

/* Copy in a user path: a PATH_MAX buffer for path_free.  EFAULT, ENAMETOOLONG, ENOMEM. */
int path_in(uint64_t upath, char **kpathp);
void path_free(char *kpath);

/* The vnode of descriptor fd, referenced, or NULL for a file on no vnode (a pipe); EBADF. */
int fd_vnode(struct thread *td, int fd, struct vnode **vpp);

/* The calling process's working directory (not referenced), or the root. */
struct vnode *cwd_of(struct thread *td);

/*
 * The directory a *at() path starts from, referenced: the root for an
 * absolute path, else the working directory (AT_FDCWD) or dirfd's
 * (ENOTDIR if it is no directory, EBADF).
 */
int at_start(struct thread *td, int dirfd, const char *path, struct vnode **dirp);

/*
 * The vnode (dirfd, upath) names, referenced, with the *at() flags
 * AT_SYMLINK_NOFOLLOW (do not follow a link in the last component) and
 * AT_EMPTY_PATH (an empty path names dirfd itself: ENOENT without it, or
 * when dirfd is no vnode's).
 */
int lookup_user(struct thread *td, int dirfd, uint64_t upath, int atflags,
    struct vnode **vpp);
/* The same for a kernel copy of the path. */
int lookup_at(struct thread *td, int dirfd, const char *path, int atflags,
    struct vnode **vpp);

#endif
