/*
 * swapon(2)'s flags (Linux include/linux/swap.h; glibc's <sys/swap.h>
 * names the first four).  Shared by the kernel and the user C library.
 */
#ifndef _UAPI_SWAP_H
#define _UAPI_SWAP_H

#define SWAP_FLAG_PREFER	0x8000		/* the priority below was given */
#define SWAP_FLAG_PRIO_MASK	0x7fff
#define SWAP_FLAG_PRIO_SHIFT	0
#define SWAP_FLAG_DISCARD	0x10000		/* discard freed space (accepted, not done) */
#define SWAP_FLAG_DISCARD_ONCE	0x20000		/* discard the whole area at swapon only */
#define SWAP_FLAG_DISCARD_PAGES	0x40000		/* discard freed clusters only */

#endif
