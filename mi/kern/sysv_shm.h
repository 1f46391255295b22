/*
 * System V shared memory (sysv_shm.c): shmget, shmat, shmdt, shmctl.
 *
 * A segment is one anonymous vm_object, made as a shared anonymous mmap
 * makes its object, and named by an id (and, unless IPC_PRIVATE, a key).
 * Every attachment maps that object shared into an address space, so all
 * of them see the same pages; the segment holds a reference of its own,
 * so the pages outlive every attachment until the segment is destroyed.
 * This is the way Mach and 4.4BSD share memory by name, as FreeBSD's
 * sysv_shm.c builds it.
 *
 * Attachments belong to the address space (struct vmspace's vm_shm list),
 * not to a process: they are copied by fork (the child's entry shares the
 * object, and the segment counts the child's attachment), and dropped
 * when the address space goes (exit, exec).  A segment removed with
 * IPC_RMID while attached is marked SHM_DEST and loses its key at once;
 * it is destroyed (its pages freed) at its last detach, and until then its
 * id still attaches it (as Linux allows; a destroyed id is EINVAL).
 * SHM_LOCK makes every page resident and wires it, held by the segment
 * (the kernel's wirings, vm_page.h), until SHM_UNLOCK or destruction.
 *
 * An attachment is what shmat made: shmdt removes exactly the mappings of
 * the segment's object in its range.  munmap or mremap of an attached
 * range does not detach (as in FreeBSD; Linux counts mappings instead):
 * the attachment is counted until shmdt, exec or exit.
 *
 * Locking: shm_lock, a sleepable lock, guards the segment list, every
 * segment's fields and every address space's attachment list (S).  It is
 * taken before map locks (shmat and shmdt change the map while holding
 * it), never while one is held.  Callers of the hooks below hold nothing.
 */
#ifndef _KERN_SYSV_SHM_H_
#define _KERN_SYSV_SHM_H_

#include <kern/types.h>

struct vmspace;

/*
 * fork: child (just copied from parent by vmspace_fork) gets an
 * attachment for each of parent's whose mapping it inherited.  0 or
 * ENOMEM (the child's attachments made so far are dropped with child).
 */
int shm_fork(struct vmspace *parent, struct vmspace *child);

/* vm is going (its last reference): its attachments are detached. */
void shm_vmspace_exit(struct vmspace *vm);

/* The tunables (/proc/sys/kernel/shmmax, shmall, shmmni): 0 or EINVAL. */
uint64_t shm_max_get(void);
int shm_max_set(uint64_t bytes);
uint64_t shm_all_get(void);
int shm_all_set(uint64_t pages);
uint64_t shm_mni_get(void);
int shm_mni_set(uint64_t segments);

#endif
