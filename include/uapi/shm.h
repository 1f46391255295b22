/*
 * System V shared memory and the IPC words it shares with the other
 * System V facilities (Linux linux/ipc.h, linux/shm.h, and the
 * asm-generic ipcbuf.h and shmbuf.h riscv64 uses: the 64-bit layouts).
 * Shared by the kernel and the user C library.
 */
#ifndef _UAPI_SHM_H
#define _UAPI_SHM_H

/* The key that always makes a new object. */
#define IPC_PRIVATE	0

/* get flags (above the nine permission bits) */
#define IPC_CREAT	01000		/* make it if the key has none */
#define IPC_EXCL	02000		/* with IPC_CREAT: fail if the key has one */
#define IPC_NOWAIT	04000

/* ctl commands common to every facility */
#define IPC_RMID	0		/* remove */
#define IPC_SET		1		/* set owner and mode */
#define IPC_STAT	2		/* read the status */
#define IPC_INFO	3		/* read the limits */
#define IPC_64		0x0100		/* the version bit (not taken by riscv64's kernel) */

/* Limits (Linux's defaults; shmmax, shmall and shmmni are tunables). */
#define SHMMIN		1			/* smallest segment, bytes */
#define SHMMNI		4096			/* segments in the system */
#define SHMMAX		(~0UL - (1UL << 24))	/* largest segment, bytes */
#define SHMALL		(~0UL - (1UL << 24))	/* all segments together, pages */
#define SHMSEG		SHMMNI			/* segments one process attaches */

/* shmget flags */
#define SHM_HUGETLB	04000
#define SHM_NORESERVE	010000

/* shmat flags */
#define SHM_RDONLY	010000		/* read-only attachment */
#define SHM_RND		020000		/* round the address down to SHMLBA */
#define SHM_REMAP	040000		/* replace what is mapped there */
#define SHM_EXEC	0100000		/* executable attachment */

/* shmctl commands of shared memory's own */
#define SHM_LOCK	11		/* keep the pages resident */
#define SHM_UNLOCK	12
#define SHM_STAT	13		/* IPC_STAT by index, returning the id */
#define SHM_INFO	14		/* the system's usage (struct shm_info) */
#define SHM_STAT_ANY	15		/* SHM_STAT without the read permission check */

/* Mode bits the kernel adds (shm_perm.mode above the permissions). */
#define SHM_DEST	01000		/* removed: destroyed at its last detach */
#define SHM_LOCKED	02000		/* SHM_LOCK holds it */

#ifndef __ASSEMBLER__
#include <stddef.h>

struct ipc64_perm {
	int		key;
	unsigned int	uid;		/* owner */
	unsigned int	gid;
	unsigned int	cuid;		/* creator */
	unsigned int	cgid;
	unsigned int	mode;		/* permissions, SHM_DEST, SHM_LOCKED */
	unsigned short	seq;		/* the id's sequence number */
	unsigned short	__pad2;
	unsigned long	__unused1;
	unsigned long	__unused2;
};
_Static_assert(sizeof(struct ipc64_perm) == 48, "struct ipc64_perm");

struct shmid64_ds {
	struct ipc64_perm shm_perm;
	unsigned long	shm_segsz;	/* bytes */
	long		shm_atime;	/* last attach, seconds since the epoch */
	long		shm_dtime;	/* last detach */
	long		shm_ctime;	/* creation or last IPC_SET */
	int		shm_cpid;	/* creator */
	int		shm_lpid;	/* last to attach or detach */
	unsigned long	shm_nattch;	/* attachments now */
	unsigned long	__unused4;
	unsigned long	__unused5;
};
_Static_assert(sizeof(struct shmid64_ds) == 112, "struct shmid64_ds");
_Static_assert(offsetof(struct shmid64_ds, shm_cpid) == 80, "shm_cpid");
_Static_assert(offsetof(struct shmid64_ds, shm_nattch) == 88, "shm_nattch");

/* IPC_INFO */
struct shminfo64 {
	unsigned long	shmmax;
	unsigned long	shmmin;
	unsigned long	shmmni;
	unsigned long	shmseg;
	unsigned long	shmall;
	unsigned long	__unused1;
	unsigned long	__unused2;
	unsigned long	__unused3;
	unsigned long	__unused4;
};

/* SHM_INFO */
struct shm_info {
	int		used_ids;	/* segments */
	unsigned long	shm_tot;	/* pages of all segments */
	unsigned long	shm_rss;	/* of which resident */
	unsigned long	shm_swp;	/* of which swapped out */
	unsigned long	swap_attempts;
	unsigned long	swap_successes;
};
#endif

#endif
