/* sys/fsuid.h: the file-system user and group ids (Linux). */
#ifndef _SYS_FSUID_H
#define _SYS_FSUID_H

#include <sys/types.h>

int setfsuid(uid_t fsuid);
int setfsgid(gid_t fsgid);

#endif
