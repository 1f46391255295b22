/*
 * Host stand-in for the machine's saved thread state, so that MI headers
 * describing struct thread compile in the host unit tests.  No thread
 * switches on the host.
 */
#ifndef _MACHINE_PCB_H_
#define _MACHINE_PCB_H_

#include <kern/types.h>

struct switchframe {
	uint64_t	sf_ra;
	uint64_t	sf_sp;
};

struct fpstate {
	uint64_t	fp_fcsr;
};

#endif
