/* sys_file.c: wrappers for files, directories and descriptors. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>
#include <errno.h>
#include "syscall_impl.h"

ssize_t
read(int fd, void *buf, size_t len)
{
	return RET(SC3(SYS_read, fd, buf, len));
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	return RET(SC3(SYS_write, fd, buf, len));
}

ssize_t
pread(int fd, void *buf, size_t len, off_t off)
{
	return RET(SC4(SYS_pread64, fd, buf, len, off));
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return RET(SC4(SYS_pwrite64, fd, buf, len, off));
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	return RET(SC3(SYS_writev, fd, iov, iovcnt));
}

/* The mode that open and openat take after flags when they create a file. */
static mode_t
mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return RET(SC4(SYS_openat, dirfd, path, flags, mode));
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return openat(AT_FDCWD, path, flags, mode);
}

int
close(int fd)
{
	return RET(SC1(SYS_close, fd));
}

off_t
lseek(int fd, off_t off, int whence)
{
	return RET(SC3(SYS_lseek, fd, off, whence));
}

int
fstat(int fd, struct stat *st)
{
	return RET(SC2(SYS_fstat, fd, st));
}

int
fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return RET(SC4(SYS_newfstatat, dirfd, path, st, flags));
}

int
stat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, 0);
}

int
lstat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

ssize_t
getdents64(int fd, void *buf, size_t len)
{
	return RET(SC3(SYS_getdents64, fd, buf, len));
}

char *
getcwd(char *buf, size_t size)
{
	return RET(SC2(SYS_getcwd, buf, size)) < 0 ? NULL : buf;
}

int
chdir(const char *path)
{
	return RET(SC1(SYS_chdir, path));
}

int
faccessat(int dirfd, const char *path, int mode, int flags)
{
	(void)flags;		/* the original faccessat has no flags */
	return RET(SC3(SYS_faccessat, dirfd, path, mode));
}

int
access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, 0);
}

int
ftruncate(int fd, off_t len)
{
	return RET(SC2(SYS_ftruncate, fd, len));
}

int
fsync(int fd)
{
	return RET(SC1(SYS_fsync, fd));
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	return RET(SC3(SYS_unlinkat, dirfd, path, flags));
}

int
unlink(const char *path)
{
	return unlinkat(AT_FDCWD, path, 0);
}

int
rmdir(const char *path)
{
	return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	return RET(SC3(SYS_mkdirat, dirfd, path, mode));
}

int
mkdir(const char *path, mode_t mode)
{
	return mkdirat(AT_FDCWD, path, mode);
}

int
pipe2(int fds[2], int flags)
{
	return RET(SC2(SYS_pipe2, fds, flags));
}

int
pipe(int fds[2])
{
	return pipe2(fds, 0);
}

int
dup(int fd)
{
	return RET(SC1(SYS_dup, fd));
}

int
dup3(int fd, int newfd, int flags)
{
	return RET(SC3(SYS_dup3, fd, newfd, flags));
}

/* There is no dup2 call on riscv64: dup3 refuses equal descriptors. */
int
dup2(int fd, int newfd)
{
	if (fd == newfd)
		return fcntl(fd, F_GETFD) < 0 ? -1 : newfd;
	return dup3(fd, newfd, 0);
}

int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return RET(SC3(SYS_fcntl, fd, cmd, arg));
}

int
ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	long arg;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	return RET(SC3(SYS_ioctl, fd, req, arg));
}

ssize_t
readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	return RET(SC4(SYS_readlinkat, dirfd, path, buf, size));
}

ssize_t
readlink(const char *path, char *buf, size_t size)
{
	return readlinkat(AT_FDCWD, path, buf, size);
}

int
linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	return RET(SC5(SYS_linkat, olddirfd, oldpath, newdirfd, newpath, flags));
}

int
link(const char *oldpath, const char *newpath)
{
	return linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

int
symlinkat(const char *target, int newdirfd, const char *linkpath)
{
	return RET(SC3(SYS_symlinkat, target, newdirfd, linkpath));
}

int
symlink(const char *target, const char *linkpath)
{
	return symlinkat(target, AT_FDCWD, linkpath);
}

int
renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
    unsigned int flags)
{
	return RET(SC5(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags));
}

int
renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	return renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

int
rename(const char *oldpath, const char *newpath)
{
	return renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

int
mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	return RET(SC4(SYS_mknodat, dirfd, path, mode, dev));
}

int
mknod(const char *path, mode_t mode, dev_t dev)
{
	return mknodat(AT_FDCWD, path, mode, dev);
}

int
mkfifo(const char *path, mode_t mode)
{
	return mknodat(AT_FDCWD, path, S_IFIFO | (mode & 07777), 0);
}

/* There is no flags argument to the fchmodat call (AT_SYMLINK_NOFOLLOW: ENOTSUP, as glibc). */
int
fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	if (flags != 0) {
		errno = flags == AT_SYMLINK_NOFOLLOW ? EOPNOTSUPP : EINVAL;
		return -1;
	}
	return RET(SC3(SYS_fchmodat, dirfd, path, mode));
}

int
chmod(const char *path, mode_t mode)
{
	return fchmodat(AT_FDCWD, path, mode, 0);
}

int
fchmod(int fd, mode_t mode)
{
	return RET(SC2(SYS_fchmod, fd, mode));
}

int
fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	return RET(SC5(SYS_fchownat, dirfd, path, uid, gid, flags));
}

int
chown(const char *path, uid_t uid, gid_t gid)
{
	return fchownat(AT_FDCWD, path, uid, gid, 0);
}

int
lchown(const char *path, uid_t uid, gid_t gid)
{
	return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

int
fchown(int fd, uid_t uid, gid_t gid)
{
	return RET(SC3(SYS_fchown, fd, uid, gid));
}

mode_t
umask(mode_t mask)
{
	return (mode_t)SC1(SYS_umask, mask);
}

int
utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	return RET(SC4(SYS_utimensat, dirfd, path, times, flags));
}

int
futimens(int fd, const struct timespec times[2])
{
	return RET(SC4(SYS_utimensat, fd, NULL, times, 0));
}

int
statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	return RET(SC5(SYS_statx, dirfd, path, flags, mask, stx));
}

int
truncate(const char *path, off_t len)
{
	return RET(SC2(SYS_truncate, path, len));
}

int
statfs(const char *path, struct statfs *buf)
{
	return RET(SC2(SYS_statfs, path, buf));
}

int
fstatfs(int fd, struct statfs *buf)
{
	return RET(SC2(SYS_fstatfs, fd, buf));
}

int
mount(const char *source, const char *target, const char *fstype, unsigned long flags,
    const void *data)
{
	return RET(SC5(SYS_mount, source, target, fstype, flags, data));
}

int
umount2(const char *target, int flags)
{
	return RET(SC2(SYS_umount2, target, flags));
}

int
umount(const char *target)
{
	return umount2(target, 0);
}

int
fdatasync(int fd)
{
	return RET(SC1(SYS_fdatasync, fd));
}

void
sync(void)
{
	SC0(SYS_sync);
}

int
syncfs(int fd)
{
	return RET(SC1(SYS_syncfs, fd));
}

/* posix_fadvise returns the error instead of setting errno. */
int
posix_fadvise(int fd, off_t off, off_t len, int advice)
{
	long r = SC4(SYS_fadvise64, fd, off, len, advice);

	return r < 0 ? (int)-r : 0;
}
