/* sys/shm.h: System V shared memory (uapi/shm.h). */
#ifndef _SYS_SHM_H
#define _SYS_SHM_H

#include <sys/ipc.h>

#define SHMLBA		4096		/* attach addresses' alignment: the page size */

/* The 64-bit layouts are the only ones riscv64 has. */
#define shmid_ds	shmid64_ds
#define ipc_perm	ipc64_perm
#define shminfo		shminfo64

int shmget(key_t key, size_t size, int flags);
void *shmat(int id, const void *addr, int flags);
int shmdt(const void *addr);
int shmctl(int id, int cmd, struct shmid_ds *buf);

#endif
