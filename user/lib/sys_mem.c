/* sys_mem.c: wrappers for the memory-management calls. */
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/swap.h>
#include <unistd.h>
#include "syscall_impl.h"

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)RET(SC6(SYS_mmap, addr, len, prot, flags, fd, off));
}

int
munmap(void *addr, size_t len)
{
	return RET(SC2(SYS_munmap, addr, len));
}

int
mprotect(void *addr, size_t len, int prot)
{
	return RET(SC3(SYS_mprotect, addr, len, prot));
}

int
msync(void *addr, size_t len, int flags)
{
	return RET(SC3(SYS_msync, addr, len, flags));
}

int
mlock(const void *addr, size_t len)
{
	return RET(SC2(SYS_mlock, addr, len));
}

int
munlock(const void *addr, size_t len)
{
	return RET(SC2(SYS_munlock, addr, len));
}

int
mlockall(int flags)
{
	return RET(SC1(SYS_mlockall, flags));
}

int
munlockall(void)
{
	return RET(SC0(SYS_munlockall));
}

int
madvise(void *addr, size_t len, int advice)
{
	return RET(SC3(SYS_madvise, addr, len, advice));
}

int
mincore(void *addr, size_t len, unsigned char *vec)
{
	return RET(SC3(SYS_mincore, addr, len, vec));
}

/* The fifth argument (the new address) is read only with MREMAP_FIXED. */
void *
mremap(void *old, size_t oldlen, size_t newlen, int flags, ...)
{
	va_list ap;
	void *newaddr = NULL;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		newaddr = va_arg(ap, void *);
		va_end(ap);
	}
	return (void *)RET(SC5(SYS_mremap, old, oldlen, newlen, flags,
	    newaddr));
}

/* Linux brk never fails as such: it returns the break it ended up with. */
void *
sys_brk(void *addr)
{
	return (void *)SC1(SYS_brk, addr);
}

int
brk(void *addr)
{
	if (sys_brk(addr) != addr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void *
sbrk(long incr)
{
	static char *cur;
	char *old;

	if (cur == NULL)
		cur = sys_brk(NULL);
	old = cur;
	if (incr != 0) {
		if (brk(cur + incr) < 0)
			return (void *)-1;
		cur += incr;
	}
	return old;
}

int
getpagesize(void)
{
	return 4096;
}

int
swapon(const char *path, int flags)
{
	return RET(SC2(SYS_swapon, path, flags));
}

int
swapoff(const char *path)
{
	return RET(SC1(SYS_swapoff, path));
}

int
shmget(key_t key, size_t size, int flags)
{
	return RET(SC3(SYS_shmget, key, size, flags));
}

void *
shmat(int id, const void *addr, int flags)
{
	return (void *)RET(SC3(SYS_shmat, id, addr, flags));
}

int
shmdt(const void *addr)
{
	return RET(SC1(SYS_shmdt, addr));
}

int
shmctl(int id, int cmd, struct shmid_ds *buf)
{
	return RET(SC3(SYS_shmctl, id, cmd, buf));
}
