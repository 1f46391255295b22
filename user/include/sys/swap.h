/* sys/swap.h: swapon and swapoff, and swapon's flags (uapi/swap.h). */
#ifndef _SYS_SWAP_H
#define _SYS_SWAP_H

#include <uapi/swap.h>

int swapon(const char *path, int flags);
int swapoff(const char *path);

#endif
