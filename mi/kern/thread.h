/*
 * Kernel threads.  For now each cpu runs one boot/idle thread; the
 * scheduler and user processes build on this structure later.
 *
 * Fields marked (T) are used by assembly at fixed offsets.
 */
#ifndef _KERN_THREAD_H_
#define _KERN_THREAD_H_

#include <kern/types.h>

struct thread {
	vaddr_t		td_onfault;	/* (T) pc to resume at if a probed access faults */
	vaddr_t		td_kstack_top;	/* (C) top of its kernel stack */
	vaddr_t		td_kstack_lo;	/* (C) lowest byte of its kernel stack */
	const char	*td_name;	/* (C) */
	int		td_tid;		/* (C) */
};


#endif
