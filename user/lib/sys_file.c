/* sys_file.c: wrappers for files, directories and descriptors. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
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
