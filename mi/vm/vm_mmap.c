/*
 * The memory system calls: mmap, munmap, mprotect, msync, mlock and
 * friends, madvise, mincore, mremap and brk, with Linux's argument
 * checking and errno values.  They translate into vm_map operations.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/proc.h>
#include <kern/resourcevar.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <vm/vm_commit.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_pager.h>
#include <uapi/mman.h>

#define PROT_MASK	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAP_KNOWN_FLAGS		(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | \
	MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
	MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE)

#define MAX_MAP_COUNT	65530
#define MMAP_BASE	0x0000001000000000UL	/* where mmap looks first without a hint */

static struct vm_map *
curmap(struct thread *td)
{
	return &td->td_proc->p_vmspace->vm_map;
}

/* The pages of [addr, addr + len) in the caller's map: see vm_map_user_range. */
static int
user_range(struct thread *td, uint64_t addr, uint64_t len, vaddr_t *start, vaddr_t *end)
{
	return vm_map_user_range(curmap(td), addr, len, start, end);
}

static vm_prot_t
vm_prot(uint64_t prot)
{
	return ((prot & PROT_READ) ? VM_PROT_READ : 0) |
	    ((prot & PROT_WRITE) ? VM_PROT_WRITE : 0) |
	    ((prot & PROT_EXEC) ? VM_PROT_EXECUTE : 0);
}

/*
 * A check of RLIMIT_MEMLOCK and the wiring it allows are one step: the
 * address space's memlock lock is held across both.  Otherwise threads
 * would each pass the check on the same wired count and together wire
 * past the limit (a wiring counts only once it is done).
 */
static struct mtx *
memlock_lock(struct thread *td)
{
	struct mtx *m = &td->td_proc->p_vmspace->vm_memlock_lock;

	mtx_lock(m);
	return m;
}

/* RLIMIT_MEMLOCK: ENOMEM if more would take the wired bytes over it; root is not bound. */
static int
memlock_check(struct thread *td, vm_size_t more)
{
	struct proc *p = td->td_proc;

	if (p->p_uid == 0)
		return 0;		/* Linux: root holds CAP_IPC_LOCK */
	if (vm_map_wired_bytes(curmap(td)) + more > p->p_rlimit[RLIMIT_MEMLOCK].rlim_cur)
		return ENOMEM;
	return 0;
}

/* Fault in every page of [start, end) now (MAP_POPULATE, mlock-on-map). */
static void
populate(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	vm_prot_t access = (prot & VM_PROT_WRITE) ? VM_PROT_WRITE : VM_PROT_READ;

	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		if (vm_fault(map, va, access, 0) != 0)
			break;
}

/* The object a file mapping maps, its protection limit, and the entry flags. */
static int
mmap_file(struct thread *td, int fd, uint64_t off, uint64_t len, uint64_t flags,
    vm_prot_t prot, struct vm_object **objp, vm_prot_t *maxprot, int *cow)
{
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE, anonymous = false;
	struct file *fp;
	int error;

	if ((error = fd_get(td->td_proc->p_fd, fd, &fp)) != 0)
		return error;
	error = file_mmap_object(fp, off, len, shared && (prot & VM_PROT_WRITE), objp,
	    &anonymous, maxprot);
	file_drop(fp);
	if (error)
		return error;
	if (anonymous) {
		*objp = NULL;
		*cow = shared ? 0 : MAP_ENTRY_COW;
		/* A shared mapping keeps the fd's limit: no write through a read-only fd. */
		if (!shared)
			*maxprot = VM_PROT_ALL;
		return 0;
	}
	*cow = shared ? 0 : MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
	if (!shared)
		*maxprot |= VM_PROT_WRITE;	/* private copies may always be written */
	return 0;
}

/*
 * How a new mapping stands in commit accounting (vm_commit.h): a private
 * writable one is committed, unless MAP_NORESERVE is honoured, which
 * keeps it out even if mprotect makes it writable later.  Shared
 * mappings are not (shared anonymous memory is, through its object).
 */
static int
commit_flags(int cow, vm_prot_t prot, bool noreserve)
{
	if (!(cow & MAP_ENTRY_COW))
		return 0;
	if (noreserve)
		return MAP_ENTRY_NORESERVE;
	return (prot & VM_PROT_WRITE) ? MAP_ENTRY_ACCOUNTED : 0;
}

/* Place and make the mapping for map_object, once its limits are checked. */
static inline __attribute__((always_inline)) int
map_object_find(struct thread *td, struct vm_object *obj, uint64_t offset, vaddr_t *addr,
    vm_size_t len, vm_prot_t prot, vm_prot_t maxprot, int placement, int cow)
{
	struct vm_map *map = curmap(td);
	vaddr_t va = *addr, end;
	int error;

	/* A hint outside the map is no hint. */
	if (placement == VMFS_ANYWHERE &&
	    (user_range(td, va, len, &va, &end) != 0 || va < map->tree.min))
		va = MMAP_BASE;
	error = vm_map_find(map, obj, offset, &va, len, 0, placement, prot, maxprot, cow);
	if (error == ENOMEM && placement == VMFS_ANYWHERE && va != map->tree.min) {
		va = map->tree.min;
		error = vm_map_find(map, obj, offset, &va, len, 0, placement, prot, maxprot, cow);
	}
	if (error)
		return error == EINVAL && placement != VMFS_ANYWHERE ? ENOMEM : error;
	*addr = va;
	return 0;
}

/* vm_mmap_object, inline in mmap (the benchmarks count every instruction of it). */
static inline __attribute__((always_inline)) int
map_object(struct thread *td, struct vm_object *obj, uint64_t offset, vaddr_t *addr,
    vm_size_t len, vm_prot_t prot, vm_prot_t maxprot, int placement, int cow)
{
	struct vm_map *map = curmap(td);
	struct mtx *memlock;
	int error;

	if (map->size + len > td->td_proc->p_rlimit[RLIMIT_AS].rlim_cur ||
	    vm_map_entry_count(map) >= VM_MAP_MAX_ENTRIES)
		return ENOMEM;
	if (!(map->flags & MAP_WIREFUTURE))
		return map_object_find(td, obj, offset, addr, len, prot, maxprot, placement, cow);
	/* mlockall(MCL_FUTURE): the mapping is wired as it is made. */
	memlock = memlock_lock(td);
	if (memlock_check(td, len) != 0)
		error = EAGAIN;
	else
		error = map_object_find(td, obj, offset, addr, len, prot, maxprot, placement, cow);
	mtx_unlock(memlock);
	return error;
}

int
vm_mmap_object(struct thread *td, struct vm_object *obj, uint64_t offset, vaddr_t *addr,
    vm_size_t len, vm_prot_t prot, vm_prot_t maxprot, int placement, int cow)
{
	return map_object(td, obj, offset, addr, len, prot, maxprot, placement, cow);
}

/* mmap(addr, len, prot, flags, fd, offset) */
SYSCALL(mmap)
{
	uint64_t addr = a[0], len = a[1], flags = a[3], off = a[5];
	int fd = (int)a[4], cow, placement, error;
	struct vm_map *map = curmap(td);
	struct vm_object *obj = NULL;
	vm_prot_t prot = vm_prot(a[2]), maxprot = VM_PROT_ALL;
	uint64_t type = flags & MAP_TYPE, rlen;
	vaddr_t va, end;
	bool noreserve;

	if ((a[2] & ~(uint64_t)PROT_MASK) || len == 0 || (off & PAGE_MASK) ||
	    (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE))
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~(uint64_t)MAP_KNOWN_FLAGS))
		return -EOPNOTSUPP;
	if (add_overflows(len, PAGE_MASK, &rlen) ||
	    trunc_page(rlen) > map->tree.max - map->tree.min)
		return -ENOMEM;
	len = trunc_page(rlen);
	if (add_overflows(off, len, &rlen))
		return -EOVERFLOW;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & PAGE_MASK)
			return -EINVAL;
		if (user_range(td, addr, len, &va, &end) != 0)
			return -ENOMEM;
		if (va < map->tree.min)
			return -EPERM;		/* below mmap_min_addr, as Linux says it */
	}
	noreserve = (flags & MAP_NORESERVE) && vm_commit_noreserve_honoured();
	if (flags & MAP_ANONYMOUS) {
		cow = type == MAP_PRIVATE ? MAP_ENTRY_COW : 0;
		if (cow == 0 && (obj = vm_object_allocate_shared_anon(atop(len), noreserve)) == NULL)
			return -ENOMEM;
	} else if ((error = mmap_file(td, fd, off, len, flags, prot, &obj, &maxprot,
	    &cow)) != 0) {
		return -error;
	}
	cow |= commit_flags(cow, prot, noreserve);
	if (prot & ~maxprot) {
		vm_object_deallocate(obj);
		return -EACCES;
	}
	placement = (flags & MAP_FIXED_NOREPLACE) ? VMFS_FIXED_NOREPLACE :
	    (flags & MAP_FIXED) ? VMFS_FIXED : VMFS_ANYWHERE;
	va = addr;
	error = map_object(td, obj, (flags & MAP_ANONYMOUS) ? 0 : off, &va, len, prot, maxprot,
	    placement, cow);
	if (error) {
		vm_object_deallocate(obj);
		return -error;
	}
	if (flags & MAP_POPULATE)
		populate(map, va, va + len, prot);
	return (long)va;
}

/* munmap(addr, len) */
SYSCALL(munmap)
{
	vaddr_t start, end;

	if ((a[0] & PAGE_MASK) || a[1] == 0 || user_range(td, a[0], a[1], &start, &end) != 0)
		return -EINVAL;
	proc_note_rss(td->td_proc, td->td_vmspace);	/* the peak, before it shrinks */
	return -vm_map_remove(curmap(td), start, end);
}

/* mprotect(addr, len, prot) */
SYSCALL(mprotect)
{
	struct vm_map *map = curmap(td);
	vaddr_t start, end;
	int error;

	if ((a[0] & PAGE_MASK) || (a[2] & ~(uint64_t)PROT_MASK))
		return -EINVAL;
	if (user_range(td, a[0], a[1], &start, &end) != 0)
		return -ENOMEM;
	if (start == end)
		return 0;
	if ((error = vm_map_protect(map, start, end, vm_prot(a[2]))) != 0)
		return -error;
	/*
	 * Under mlockall(MCL_FUTURE) memory opened from PROT_NONE (a thread's
	 * stack, say) is wired now; like Linux's populate, what cannot be
	 * wired is left to fault in later, not an error.
	 */
	if ((map->flags & MAP_WIREFUTURE) && vm_prot(a[2]) != VM_PROT_NONE)
		(void)vm_map_wire_prefix(map, start, end);
	return 0;
}

/* Write back a file's pages of a shared mapping; with sync, wait for the writes. */
static int
msync_pages(struct vm_object *obj, vm_pindex_t first, vm_pindex_t last, bool sync)
{
	return vm_pager_put_pages(obj, first, last, sync ? VM_PAGER_PUT_SYNC : 0);
}

/* msync(addr, len, flags) */
SYSCALL(msync)
{
	uint64_t flags = a[2];
	vaddr_t start, end;

	if ((a[0] & PAGE_MASK) || (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (user_range(td, a[0], a[1], &start, &end) != 0)
		return -ENOMEM;
	if (start == end)
		return 0;
	/* MS_SYNC waits for the writes; MS_ASYNC (or neither, as Linux takes it) starts them. */
	return -vm_map_sync(curmap(td), start, end, (flags & MS_INVALIDATE) != 0,
	    (flags & MS_SYNC) != 0, msync_pages);
}


/* mlock(addr, len) */
SYSCALL(mlock)
{
	vaddr_t start, end;
	struct mtx *memlock;
	int error;

	if ((error = user_range(td, a[0], a[1], &start, &end)) != 0)
		return -error;
	if (start == end)
		return 0;
	memlock = memlock_lock(td);
	if ((error = memlock_check(td, end - start)) == 0)
		error = vm_map_wire(curmap(td), start, end);
	mtx_unlock(memlock);
	/* A page that cannot be read (past the end of a file) is ENOMEM to mlock, as on Linux. */
	return -(error == EIO ? ENOMEM : error);
}

/* munlock(addr, len) */
SYSCALL(munlock)
{
	vaddr_t start, end;
	int error;

	if ((error = user_range(td, a[0], a[1], &start, &end)) != 0)
		return -error;
	if (start == end)
		return 0;
	return -vm_map_unwire(curmap(td), start, end);
}

/*
 * Entries mlockall wires: real memory, not guard regions, and not the
 * stack reservation, whose RLIMIT_STACK-sized range is mostly never used
 * (Linux grows its stack on demand instead; wiring ours would take the
 * whole reservation).
 */
static bool
lockable(const struct vm_map_entry *e)
{
	return !(e->eflags & (MAP_ENTRY_NOFAULT | MAP_ENTRY_GUARD | MAP_ENTRY_STACK)) &&
	    e->protection != VM_PROT_NONE;
}

static vm_size_t
lockable_unwired_bytes(struct vm_map *map)
{
	vm_size_t bytes = 0;

	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next)
		if (lockable(e) && !vm_map_entry_locked(e))
			bytes += e->end - e->start;
	vm_map_unlock_read(map);
	return bytes;
}

/*
 * Wire (or unwire) every mapping, one entry at a time, from the lowest
 * address up: wiring locks what can be read of each entry (a file
 * mapping past the end of its file stays unwired there, as on Linux).
 */
static int
wire_all(struct vm_map *map, bool wire)
{
	vaddr_t cursor = map->tree.min;

	for (;;) {
		struct vm_map_entry *e;
		vaddr_t s = 0, t = 0;
		bool found = false;
		int error;

		vm_map_lock_read(map);
		for (e = map->tree.first; e != NULL; e = e->node.next) {
			if (e->end > cursor && vm_map_entry_locked(e) != wire &&
			    (lockable(e) || !wire)) {
				s = MAX(e->start, cursor);
				t = e->end;
				found = true;
				break;
			}
		}
		vm_map_unlock_read(map);
		if (!found)
			return 0;
		error = wire ? vm_map_wire_prefix(map, s, t) : vm_map_unwire(map, s, t);
		if (error)
			return error;
		cursor = t;
	}
}

/* mlockall(flags) */
SYSCALL(mlockall)
{
	struct vm_map *map = curmap(td);
	uint64_t flags = a[0];
	int error;

	if (flags == 0 || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)))
		return -EINVAL;
	if (flags & MCL_CURRENT) {
		struct mtx *memlock = memlock_lock(td);

		if ((error = memlock_check(td, lockable_unwired_bytes(map))) == 0)
			error = wire_all(map, true);
		mtx_unlock(memlock);
		if (error)
			return -error;
	}
	vm_map_lock(map);
	if (flags & MCL_FUTURE)
		map->flags |= MAP_WIREFUTURE;
	vm_map_unlock(map);
	return 0;
}

SYSCALL(munlockall)
{
	struct vm_map *map = curmap(td);

	vm_map_lock(map);
	map->flags &= ~MAP_WIREFUTURE;
	vm_map_unlock(map);
	return -wire_all(map, false);
}

/* madvise(addr, len, advice) */
SYSCALL(madvise)
{
	vaddr_t start, end;
	int error;

	if (a[0] & PAGE_MASK)
		return -EINVAL;
	if ((error = user_range(td, a[0], a[1], &start, &end)) != 0)
		return -error;
	if (start == end)
		return 0;
	proc_note_rss(td->td_proc, td->td_vmspace);	/* MADV_DONTNEED may shrink it */
	return -vm_map_madvise(curmap(td), start, end, (int)a[2]);
}

/* mincore(addr, len, vec) */
SYSCALL(mincore)
{
	struct vm_map *map = curmap(td);
	vaddr_t start, end;
	uint8_t chunk[64];

	if (a[0] & PAGE_MASK)
		return -EINVAL;
	if (user_range(td, a[0], a[1], &start, &end) != 0)
		return -ENOMEM;
	if (!vm_map_range_mapped(map, start, end))
		return -ENOMEM;
	for (vaddr_t va = start; va < end;) {
		size_t n = 0;

		for (; n < sizeof(chunk) && va < end; n++, va += PAGE_SIZE)
			chunk[n] = vm_map_page_resident(map, va) ? 1 : 0;
		if (copyout(chunk, (void *)(a[2] + atop(va - start) - n), n) != 0)
			return -EFAULT;
	}
	return 0;
}

/* mremap(old, oldsize, newsize, flags, newaddr) */
SYSCALL(mremap)
{
	struct vm_map *map = curmap(td);
	uint64_t old = a[0], flags = a[3];
	vaddr_t newaddr = a[4], s, oldend, newend;
	uint64_t oldsize = round_page(a[1]), newsize = round_page(a[2]);
	int error;

	if ((old & PAGE_MASK) || (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) || newsize == 0 ||
	    a[2] > map->tree.max || a[1] > map->tree.max)
		return -EINVAL;
	if (user_range(td, old, oldsize, &s, &oldend) != 0)
		return -EFAULT;
	if (flags & MREMAP_FIXED) {
		if ((newaddr & PAGE_MASK) || user_range(td, newaddr, newsize, &s, &newend) != 0 ||
		    (newaddr < oldend && old < newend))
			return -EINVAL;
		if (newaddr < map->tree.min)
			return -EPERM;		/* below mmap_min_addr */
	}
	if (oldsize == 0)
		return -EINVAL;		/* duplicating shared mappings is not supported */
	proc_note_rss(td->td_proc, td->td_vmspace);
	error = vm_map_remap(map, old, oldsize, newsize, flags & MREMAP_MAYMOVE,
	    flags & MREMAP_FIXED, &newaddr);
	return error ? -error : (long)newaddr;
}

/*
 * Map [old, new) after the heap; under mlockall(MCL_FUTURE) it is wired
 * as it is made, RLIMIT_MEMLOCK checked in the same step.
 */
static int
heap_grow(struct thread *td, struct vm_map *map, vaddr_t old, vaddr_t new)
{
	struct mtx *memlock = NULL;
	vaddr_t va = old;
	int error = 0;

	if (map->size + (new - old) > td->td_proc->p_rlimit[RLIMIT_AS].rlim_cur)
		return ENOMEM;
	if (map->flags & MAP_WIREFUTURE) {
		memlock = memlock_lock(td);
		error = memlock_check(td, new - old);
	}
	if (error == 0)
		error = vm_map_find(map, NULL, 0, &va, new - old, 0, VMFS_FIXED_NOREPLACE,
		    VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_COW | MAP_ENTRY_ACCOUNTED);
	if (memlock != NULL)
		mtx_unlock(memlock);
	return error;
}

/* brk(addr): move the program break; returns the break (unchanged on failure). */
SYSCALL(brk)
{
	struct vmspace *vm = td->td_proc->p_vmspace;
	struct vm_map *map = &vm->vm_map;
	vaddr_t want = a[0], old, new, result;

	/* One brk at a time per address space: threads may call it together. */
	mtx_lock(&vm->vm_brk_lock);
	result = old = vm->vm_brk;
	if (want < vm->vm_brk_start || want >= map->tree.max)
		goto out;
	old = round_page(old);
	new = round_page(want);
	if (new > old) {
		if (heap_grow(td, map, old, new) != 0)
			goto out;
	} else if (new < old) {
		vm_map_remove(map, new, old);
	}
	result = want;
out:
	vm_map_lock(map);		/* procfs names [heap] from it under the map lock */
	vm->vm_brk = result;
	vm_map_unlock(map);
	mtx_unlock(&vm->vm_brk_lock);
	return (long)result;
}
