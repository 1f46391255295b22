/* fcntl.h: open flags and file-descriptor control (uapi/fcntl.h). */
#ifndef _FCNTL_H
#define _FCNTL_H

#include <sys/types.h>
#include <uapi/fcntl.h>

int open(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
int fcntl(int fd, int cmd, ...);
int posix_fadvise(int fd, off_t off, off_t len, int advice);

#endif
