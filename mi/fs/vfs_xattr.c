/*
 * Extended attributes: setxattr(2), getxattr(2), listxattr(2),
 * removexattr(2), each by path, by path without following a last
 * symbolic link (l*) and by descriptor (f*).
 *
 * No file system here keeps extended attributes, so the calls answer as
 * Linux's do on one that keeps none (ramfs): after the same argument
 * checks and lookup, a listing is empty and getting, setting or
 * removing an attribute is EOPNOTSUPP.  Tools ask (coreutils' ls and
 * cp for ACLs and SELinux labels, Python's shutil) and carry on without.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <fs/vfs_internal.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

#define XATTR_NAME_MAX	255		/* bytes in a name, NUL not counted */
#define XATTR_SIZE_MAX	65536		/* bytes in a value */
#define XATTR_CREATE	0x1		/* set: fail if it exists */
#define XATTR_REPLACE	0x2		/* set: fail if it does not */
#define XATTR_CHUNK	256		/* value bytes checked at a time */

/* The file a call names: by path (following the last link or not), or by descriptor. */
enum xattr_target { XATTR_PATH, XATTR_LPATH, XATTR_FD };

/* Check an attribute's name in user memory: EFAULT, or ERANGE when empty or too long. */
static int
check_name(uint64_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	size_t done;
	int error = copyinstr((const void *)uname, name, sizeof(name), &done);

	if (error == ENAMETOOLONG)
		return ERANGE;
	return error != 0 ? error : done <= 1 ? ERANGE : 0;
}

/* A value to set must be readable, as Linux copies it in before asking the file system. */
static int
check_value(uint64_t uvalue, uint64_t size)
{
	char chunk[XATTR_CHUNK];
	int error = 0;

	if (size > XATTR_SIZE_MAX)
		return E2BIG;
	for (uint64_t off = 0; off < size && error == 0; off += XATTR_CHUNK)
		error = copyin((const void *)(uvalue + off), chunk, MIN(size - off, XATTR_CHUNK));
	return error;
}

/* Is there such a file to ask?  0, or the errno of its lookup (or of the descriptor). */
static int
check_target(struct thread *td, enum xattr_target how, uint64_t arg)
{
	struct vnode *vp;
	int error;

	if (how == XATTR_FD)
		error = fd_vnode(td, (int)arg, &vp);
	else
		error = lookup_user(td, AT_FDCWD, arg, how == XATTR_LPATH ? AT_SYMLINK_NOFOLLOW : 0,
		    &vp);
	if (error == 0 && vp != NULL)
		vrele(vp);
	return error;
}

/* (target, name, value, size, flags) */
static long
do_setxattr(struct thread *td, enum xattr_target how, const uint64_t a[6])
{
	int error;

	if (a[4] & ~(uint64_t)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if ((error = check_name(a[1])) != 0 || (error = check_value(a[2], a[3])) != 0 ||
	    (error = check_target(td, how, a[0])) != 0)
		return -error;
	return -EOPNOTSUPP;
}

/* (target, name, value, size): no attribute is kept, so none can be got or removed. */
static long
do_getxattr(struct thread *td, enum xattr_target how, const uint64_t a[6])
{
	int error;

	if ((error = check_target(td, how, a[0])) != 0 || (error = check_name(a[1])) != 0)
		return -error;
	return -EOPNOTSUPP;
}

/* (target, list, size): the names, none. */
static long
do_listxattr(struct thread *td, enum xattr_target how, const uint64_t a[6])
{
	return -check_target(td, how, a[0]);
}

SYSCALL(setxattr) { return do_setxattr(td, XATTR_PATH, a); }
SYSCALL(lsetxattr) { return do_setxattr(td, XATTR_LPATH, a); }
SYSCALL(fsetxattr) { return do_setxattr(td, XATTR_FD, a); }
SYSCALL(getxattr) { return do_getxattr(td, XATTR_PATH, a); }
SYSCALL(lgetxattr) { return do_getxattr(td, XATTR_LPATH, a); }
SYSCALL(fgetxattr) { return do_getxattr(td, XATTR_FD, a); }
SYSCALL(listxattr) { return do_listxattr(td, XATTR_PATH, a); }
SYSCALL(llistxattr) { return do_listxattr(td, XATTR_LPATH, a); }
SYSCALL(flistxattr) { return do_listxattr(td, XATTR_FD, a); }
/* (target, name): removing is getting's twin here. */
SYSCALL(removexattr) { return do_getxattr(td, XATTR_PATH, a); }
SYSCALL(lremovexattr) { return do_getxattr(td, XATTR_LPATH, a); }
SYSCALL(fremovexattr) { return do_getxattr(td, XATTR_FD, a); }
