/* dirent.h: directory reading over getdents64. */
#ifndef _DIRENT_H
#define _DIRENT_H

#include <sys/types.h>
#include <uapi/dirent.h>

/* The kernel's record, struct linux_dirent64 (uapi/dirent.h), as readdir hands it out. */
struct dirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};
_Static_assert(sizeof(struct dirent) == sizeof(struct linux_dirent64) &&
    __builtin_offsetof(struct dirent, d_name) == DIRENT_NAME_OFFSET, "struct dirent");

typedef struct __dir DIR;

ssize_t getdents64(int fd, void *buf, size_t len);
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);

#endif
