/*
 * The auxiliary vector's entry types (Linux linux/auxvec.h): what execve
 * puts after the environment on a new program's stack.  Shared by the
 * kernel, the C library and the loaders.
 */
#ifndef _UAPI_AUXVEC_H
#define _UAPI_AUXVEC_H

#define AT_NULL		0	/* the end of the vector */
#define AT_PHDR		3	/* where the program's headers are */
#define AT_PHENT	4	/* the size of one */
#define AT_PHNUM	5	/* how many */
#define AT_PAGESZ	6
#define AT_BASE		7	/* the dynamic loader's base, 0 without one */
#define AT_FLAGS	8
#define AT_ENTRY	9	/* the program's entry (not the loader's) */
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25	/* 16 random bytes */
#define AT_EXECFN	31	/* the path execve was given */

#endif
