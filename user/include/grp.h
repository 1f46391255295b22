/* grp.h: the supplementary group list. */
#ifndef _GRP_H
#define _GRP_H

#include <sys/types.h>

int setgroups(size_t size, const gid_t *list);

#endif
