/* dirent.h: directory reading over getdents64. */
#ifndef _DIRENT_H
#define _DIRENT_H

#include <sys/types.h>

/* The kernel's record (struct linux_dirent64). */
struct dirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12

typedef struct __dir DIR;

ssize_t getdents64(int fd, void *buf, size_t len);
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);

#endif
