/*
 * Address maps (after Mach and 4.4BSD).
 *
 * A vm_map describes an address space as a set of non-overlapping entries,
 * each a range [start, end) of pages with one protection, inheritance
 * and backing: an offset into a vm_object (or nothing yet: anonymous
 * memory gets its object at the first fault).  A vmspace is a user map
 * plus its pmap.
 *
 * Copy-on-write: an entry with MAP_ENTRY_COW maps its object privately;
 * with MAP_ENTRY_NEEDS_COPY set as well, the object is shared with
 * another map (after fork) and the first write fault gives the entry a
 * shadow object of its own before anything is written.
 *
 * Locking:
 *   (M) the map's lock, a sleepable shared/exclusive lock (sx.h): held
 *       shared by page faults and by those who only look at the map,
 *       exclusive by whoever changes it (the operations below, which must
 *       not be called with it held).  It may be held across sleeps (an
 *       M_WAITOK allocation, a busy page); a fault that must wait for a
 *       page, for memory or for a pager's I/O lets go of it first.  It is
 *       taken after the sleep locks of whoever touches user memory (a
 *       copyin that faults) and before object and pmap locks.
 *   (C) constant while the entry is in a map.
 *
 * The timestamp: every change of the map bumps it (vm_map_unlock and
 * vm_map_lock_downgrade after an exclusive hold), so one who looked an
 * entry up, let the lock go and took it shared again knows, if the
 * timestamp is the same, that the entry is still there and unchanged
 * (after UVM's uvmfault_relock and FreeBSD's map_generation).
 */
#ifndef _VM_VM_MAP_H_
#define _VM_VM_MAP_H_

#include <kern/types.h>
#include <kern/errno.h>
#include <kern/list.h>
#include <kern/systm.h>
#include <kern/mutex.h>
#include <kern/sx.h>
#include <vm/vm_map_tree.h>
#include <uapi/mman.h>
#include <machine/param.h>

struct vm_object;
struct pmap;
struct thread;

/* inheritance at fork */
#define VM_INHERIT_SHARE	0
#define VM_INHERIT_COPY		1
#define VM_INHERIT_NONE		2
#define VM_INHERIT_ZERO		3	/* child gets fresh zero-fill (MADV_WIPEONFORK) */

/* eflags */
#define MAP_ENTRY_COW		0x0001	/* private: writes go to a shadow */
#define MAP_ENTRY_NEEDS_COPY	0x0002	/* shadow not made yet */
#define MAP_ENTRY_NOFAULT	0x0004	/* reserved space: no faults here */
#define MAP_ENTRY_STACK		0x0008	/* a stack (for /proc maps) */
#define MAP_ENTRY_GUARD		0x0010	/* a guard region */
#define MAP_ENTRY_IN_WIRING	0x0020	/* vm_map_wire is faulting it in and wiring it */
#define MAP_ENTRY_IS_SUB_MAP	0x0040	/* kernel map: the range is another map's */
#define MAP_ENTRY_LOCKED_UNREAD	0x0080	/* locked (mlock), nothing wired: its pages
					 * could not be read (past the end of a file) */
#define MAP_ENTRY_ACCOUNTED	0x0100	/* holds its length in Committed_AS (vm_commit.h) */
#define MAP_ENTRY_NORESERVE	0x0200	/* MAP_NORESERVE: never counted, even made writable */
#define MAP_ENTRY_HUGEPAGE	0x0400	/* MADV_HUGEPAGE: superpages in "madvise" mode */
#define MAP_ENTRY_NOHUGEPAGE	0x0800	/* MADV_NOHUGEPAGE: never superpages (vm_superpage.h) */
#define MAP_ENTRY_UNFINISHED	0x1000	/* made under mlockall(MCL_FUTURE), its wiring under
					 * way: it goes if the wiring fails (vm_map_find) */

/*
 * The access an entry's protection allows: a writable mapping can be
 * read as well, as on Linux (RISC-V has no write-only pages, W without R
 * being reserved, and Linux's fault handler says that write implies
 * read).  The entry keeps what was asked for, which /proc shows.
 */
static inline vm_prot_t
vm_prot_effective(vm_prot_t prot)
{
	return (prot & VM_PROT_WRITE) ? prot | VM_PROT_READ : prot;
}

struct vm_map_entry {
	struct vm_map_node node;	/* (M) tree and list linkage */
	vaddr_t		start;		/* (M) */
	vaddr_t		end;		/* (M) exclusive */
	union {
		struct vm_object *object;	/* (M) backing object, or NULL */
		struct vm_map	*submap;	/* (C) with MAP_ENTRY_IS_SUB_MAP */
	};
	uint64_t	offset;		/* (M) byte offset of start in object */
	vm_prot_t	protection;	/* (M) */
	vm_prot_t	max_protection;	/* (M) */
	uint8_t		inheritance;	/* (M) VM_INHERIT_* */
	uint8_t		advice;		/* (M) MADV_* */
	uint16_t	eflags;		/* (M) MAP_ENTRY_* */
	uint32_t	wired_count;	/* (M) wirings of the range (mlock: at most one) */
};

/* Is e locked, as mlock(2) sees it: wired, or locked where its pages could not be read? */
static inline bool
vm_map_entry_locked(const struct vm_map_entry *e)
{
	return e->wired_count > 0 || (e->eflags & MAP_ENTRY_LOCKED_UNREAD);
}

/*
 * Wiring belongs to the entry.  A wired entry (wired_count > 0, not
 * MAP_ENTRY_IN_WIRING) has, at every page of its range, a resident page
 * in its objects (the first found down its shadow chain: the page it
 * sees), and that page carries wired_count wirings for it; its leaves in
 * the pmap, where there are any (a PROT_NONE entry has none), are wired
 * leaves.  A copy-on-write of a wired entry's page moves its wirings to
 * the copy; unwiring walks the entry's objects, never its page tables.
 */

struct vm_map {
	struct sx	lock;
	struct vm_map_tree tree;	/* (M) */
	struct vm_map_entry *hint;	/* (M) last entry found: set (atomically) with
					 * the lock shared, cleared when its entry goes */
	vm_size_t	size;		/* (M) bytes mapped */
	struct pmap	*pmap;		/* (C) */
	uint32_t	flags;		/* (M) */
	uint32_t	timestamp;	/* (M) bumped on every change (above) */
	struct thread	*wiring;	/* (M; read atomically by its waiters) the thread
					 * faulting in entries it marked MAP_ENTRY_IN_WIRING,
					 * with the map unlocked, or NULL (see vm_map_lock) */
};

/* Entries a user map may have (Linux's default vm.max_map_count). */
#define VM_MAP_MAX_ENTRIES	65530

#define MAP_WIREFUTURE	0x0001		/* mlockall(MCL_FUTURE) */
#define MAP_KERNEL	0x0002		/* a kernel map: no pmap, entries never merge */

struct vmspace {
	struct vm_map	vm_map;
	struct pmap	*vm_pmap;
	uint32_t	vm_refcnt;	/* (A) */
	vaddr_t		vm_brk_start;	/* (C) heap start (set by exec, copied by fork) */
	struct mtx	vm_brk_lock;	/* one brk call at a time (threads may race) */
	struct mtx	vm_memlock_lock; /* one RLIMIT_MEMLOCK check and its wiring at a
					 * time (vm_mmap.c); taken after vm_brk_lock */
	vaddr_t		vm_brk;		/* (M) the break: written with the map and
					 * vm_brk_lock held, read under either */
	struct list_node vm_shm;	/* (S) System V shared memory attached here:
					 * shm_lock (kern/sysv_shm.h) */
};

/* vm_map_find placement */
#define VMFS_ANYWHERE		0	/* at or above the hint, anywhere free */
#define VMFS_FIXED		1	/* exactly here, replacing what is there */
#define VMFS_FIXED_NOREPLACE	2	/* exactly here, EEXIST if anything is */

/*
 * The kernel's address space: kernel_map covers the kernel virtual arena
 * [KVA_BASE, KVA_BASE + KVA_SIZE).  Its entries are submaps and arenas:
 * kstack_map, where each kernel stack (with the guard page below it) is
 * one entry, and the kmem arena, whose space the vmem allocator
 * kernel_arena hands out (kmem.h).  Kernel maps have no pmap: their users
 * enter and remove the wired kernel mappings themselves.
 */
extern struct vm_map *kernel_map;
extern struct vm_map *kstack_map;

/* Counters, exported through /proc/vmstat. */
struct vm_map_stats {
	uint64_t	fork_pages_copied;	/* wired private pages fork copied at once */
};
extern struct vm_map_stats vm_map_stats;

void vm_map_startup(void);
void vm_map_init(struct vm_map *map, struct pmap *pmap, vaddr_t min, vaddr_t max);
/* Make [start, end) of a kernel map the submap sub (which covers the same range). */
int vm_map_submap(struct vm_map *map, vaddr_t start, vaddr_t end, struct vm_map *sub);
/* The map kernel address va belongs to: the deepest submap holding it. */
struct vm_map *vm_map_kernel_lookup(vaddr_t va);

struct vmspace *vmspace_alloc(void);	/* empty user address space */
void vmspace_free(struct vmspace *vm);	/* drop a reference; last one tears down */
struct vmspace *vmspace_fork(struct vmspace *parent);	/* copy by inheritance */

/*
 * Map [*addr, *addr+length) of object at offset (object may be NULL for
 * anonymous memory; a non-NULL object's reference passes to the map).
 * cow: MAP_ENTRY_COW (and NEEDS_COPY) for private mappings.  0, EEXIST,
 * ENOMEM, EINVAL; on an error nothing is mapped and the object reference
 * stays with the caller.  In a map with MAP_WIREFUTURE the new range is
 * also wired (ENOMEM if that fails).  With MAP_ENTRY_ACCOUNTED in cow,
 * the length is committed first (vm_commit.h: ENOMEM if refused).
 */
int vm_map_find(struct vm_map *map, struct vm_object *object, uint64_t offset,
    vaddr_t *addr, vm_size_t length, vaddr_t align, int placement,
    vm_prot_t prot, vm_prot_t maxprot, int cow);
int vm_map_remove(struct vm_map *map, vaddr_t start, vaddr_t end);
int vm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t prot);
int vm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end, int inherit);
int vm_map_wire(struct vm_map *map, vaddr_t start, vaddr_t end);
/*
 * Wire [start, end) as far as it can be read from start (mlockall): a
 * page that cannot be (past the end of a file, EIO) ends the wiring there
 * without an error, as Linux ignores such pages; the rest of the range is
 * still locked (MAP_ENTRY_LOCKED_UNREAD), as Linux marks it.  Other
 * errors as vm_map_wire.
 */
int vm_map_wire_prefix(struct vm_map *map, vaddr_t start, vaddr_t end);
int vm_map_unwire(struct vm_map *map, vaddr_t start, vaddr_t end);

/*
 * The pages [*start, *end) that the user range [addr, addr + len) touches,
 * checked against map's bounds (the one check every memory system call
 * makes): 0; EINVAL if the range wraps around the top of the 64-bit
 * space; ENOMEM if it reaches past the map's upper bound.  A range that
 * reaches below the lower bound is returned as it is: nothing is ever
 * mapped there, so the operations see that part as a hole.
 */
static inline int
vm_map_user_range(const struct vm_map *map, uint64_t addr, uint64_t len, vaddr_t *start,
    vaddr_t *end)
{
	uint64_t last;

	if (add_overflows(addr, len, &last) || add_overflows(last, PAGE_MASK, &last))
		return EINVAL;
	*start = trunc_page(addr);
	*end = trunc_page(last);
	return *end <= map->tree.max ? 0 : ENOMEM;
}
/* Does the page range [start, end) lie inside map's bounds? */
bool vm_map_in_bounds(const struct vm_map *map, vaddr_t start, vaddr_t end);

/*
 * The map lock: exclusive (to change the map; unlocking bumps the
 * timestamp) or shared (to look at it).  An upgrade succeeds only for
 * the one reader; when it fails the lock is no longer held at all, and
 * the caller takes it exclusive and looks again (as FreeBSD's).  A
 * downgrade keeps the lock shared and bumps the timestamp.  Not taken
 * with a spin lock held, nor in an interrupt handler.  While a thread
 * wires entries (vm_map_wire: its faults run with the map unlocked, or
 * shared), anyone else's exclusive lock waits until it is done: no
 * change may meet an entry half wired (MAP_ENTRY_IN_WIRING).
 */
void vm_map_lock(struct vm_map *map);
void vm_map_unlock(struct vm_map *map);
void vm_map_lock_read(struct vm_map *map);
void vm_map_unlock_read(struct vm_map *map);
bool vm_map_trylock_read(struct vm_map *map);
bool vm_map_lock_upgrade(struct vm_map *map);
void vm_map_lock_downgrade(struct vm_map *map);
/* Held by someone (shared) or by us (exclusive): for assertions. */
bool vm_map_locked(const struct vm_map *map);
/* The entry containing va, or NULL.  Map locked, shared or exclusive. */
struct vm_map_entry *vm_map_lookup_entry(struct vm_map *map, vaddr_t va);

static inline uint64_t
vm_map_entry_count(const struct vm_map *map)
{
	return map->tree.nentries;
}

void vm_map_check(struct vm_map *map);		/* tree and object invariants */
/*
 * The whole address space's consistency (vm_map_check.c): entries, entry
 * tree, wirings, leaves against the pages their entries see, objects and
 * chains, pmap.  Each problem goes to report (one line, no newline), or
 * to the console when report is NULL; returns how many were found.
 * Called with no locks held.
 */
int vm_map_verify(struct vm_map *map, vm_map_tree_report_fn *report, void *arg);
void vm_map_print(struct vm_map *map);

/* Operations behind the memory system calls (vm_mmap.c). Map unlocked. */
/*
 * Map len bytes (a page multiple) of obj from offset into td's address
 * space as mmap does (and shmat, which maps a segment's object the same
 * way): RLIMIT_AS, the entry limit and mlockall(MCL_FUTURE)'s RLIMIT_MEMLOCK
 * (EAGAIN) checked, then vm_map_find at *addr by placement, which for
 * VMFS_ANYWHERE is only a hint (outside the map: mmap's default base).
 * 0 with *addr the start, or an errno with nothing mapped and the object
 * reference still the caller's (EINVAL of a fixed placement is ENOMEM).
 */
int vm_mmap_object(struct thread *td, struct vm_object *obj, uint64_t offset, vaddr_t *addr,
    vm_size_t len, vm_prot_t prot, vm_prot_t maxprot, int placement, int cow);
int vm_map_madvise(struct vm_map *map, vaddr_t start, vaddr_t end, int advice);
/* Is every page of the range mapped? */
bool vm_map_range_mapped(struct vm_map *map, vaddr_t start, vaddr_t end);
/* Bytes in wired entries (for RLIMIT_MEMLOCK). */
vm_size_t vm_map_wired_bytes(struct vm_map *map);
/*
 * The copies in swap of the pages map's entries see in their own objects
 * (the first of each chain, within each entry's range): the OOM killer's
 * count of a process's memory in swap.  => no lock held
 */
uint64_t vm_map_swap_pages(struct vm_map *map);
/* The same, unless the map's lock is held by someone (false then): for the OOM killer. */
bool vm_map_swap_pages_try(struct vm_map *map, uint64_t *pages);
/* The pages map's entries hold in Committed_AS (MAP_ENTRY_ACCOUNTED), for the checker. */
uint64_t vm_map_committed_pages(struct vm_map *map);
/* The page wirings map's entries hold (pages times wired_count), for the checker. */
uint64_t vm_map_wirings(struct vm_map *map);
/* Is the page at va resident (mapped, or in its object)? */
bool vm_map_page_resident(struct vm_map *map, vaddr_t va);
/*
 * For each shared mapping of a file object in [start, end), call fn on
 * the object and the page range it covers, and sync (msync).  fn runs
 * with the map unlocked (writing pages out may sleep on the file's locks,
 * which come before the map lock) and the object referenced; the walk
 * stops at its first error.  With invalidate, a wired entry in the range
 * is EBUSY (locked pages cannot be invalidated).  A hole is ENOMEM, as
 * on Linux: a plain sync stops at it, the others go past it and report
 * it at the end.
 */
int vm_map_sync(struct vm_map *map, vaddr_t start, vaddr_t end, bool invalidate, bool sync,
    int (*fn)(struct vm_object *obj, vm_pindex_t first, vm_pindex_t last, bool sync));
/*
 * Move or resize the mapping [old, old+oldsize) to newsize bytes, in place
 * if the space after it is free, else (if may_move) at a new address, or
 * at *newaddr exactly (fixed).  The pages go along, not copied.
 */
int vm_map_remap(struct vm_map *map, vaddr_t old, vm_size_t oldsize, vm_size_t newsize,
    bool may_move, bool fixed, vaddr_t *newaddr);

#endif
