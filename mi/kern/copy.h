/*
 * Copying between kernel memory and the current user address space.
 *
 * Every function first checks that the user range lies inside user
 * space (it ends at or below USER_MAX, without wrapping around) and
 * fails with EFAULT before touching memory when it does not.  An access
 * that faults also gives EFAULT: the trap handler first lets the VM
 * system resolve a fault on a user address (a page not yet faulted in,
 * a first write to a copy-on-write page), and only if that fails
 * resumes the helper at its recovery path.  User words for the fetch
 * and store functions must be naturally aligned (else EFAULT).
 *
 * The helpers make user pages accessible to the kernel (the machine's
 * supervisor-user-memory permission) only for their own duration.
 */
#ifndef _KERN_COPY_H_
#define _KERN_COPY_H_

#include <kern/types.h>

/* 0 when [uaddr, uaddr+len) lies in user space, else EFAULT. */
int copy_check_range(const void *uaddr, size_t len);

int copyin(const void *uaddr, void *kaddr, size_t len);
int copyout(const void *kaddr, void *uaddr, size_t len);

/*
 * Copy a NUL-terminated string of at most maxlen bytes, NUL included:
 * 0, EFAULT, or ENAMETOOLONG when there is no NUL in the first maxlen
 * bytes.  *done (if not NULL) is set to the bytes copied, NUL included:
 * maxlen on ENAMETOOLONG, 0 on EFAULT.
 */
int copyinstr(const void *uaddr, char *kaddr, size_t maxlen, size_t *done);

/* One user word: 0 or EFAULT. */
int fetch_u8(const void *uaddr, uint8_t *out);
int fetch_u16(const void *uaddr, uint16_t *out);
int fetch_u32(const void *uaddr, uint32_t *out);
int fetch_u64(const void *uaddr, uint64_t *out);
int store_u8(void *uaddr, uint8_t v);
int store_u16(void *uaddr, uint16_t v);
int store_u32(void *uaddr, uint32_t v);
int store_u64(void *uaddr, uint64_t v);

#endif
