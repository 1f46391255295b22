/*
 * System V shared memory: segments over anonymous vm_objects, attached
 * with the same mapping path as a shared anonymous mmap (see sysv_shm.h
 * for the model and the locking).  Linux's errno values and limits; ids
 * are made as Linux makes them, a sequence number above an index, so an
 * id that was removed stays invalid when its index is used again.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/resourcevar.h>
#include <kern/sx.h>
#include <kern/syscall.h>
#include <kern/sysv_shm.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <uapi/shm.h>

MALLOC_DEFINE(M_SHM, "sysv shm", "System V shared memory segments and attachments");

#define SHMLBA		PAGE_SIZE	/* attach address alignment (asm-generic) */
#define SHM_INDEX_BITS	15		/* Linux's IPCMNI_SHIFT: id = seq << 15 | index */
#define SHM_INDEX_MAX	(1 << SHM_INDEX_BITS)	/* the largest shmmni (Linux's IPCMNI) */
#define SHM_SEQ_MAX	(__INT_MAX__ >> SHM_INDEX_BITS)	/* ids stay positive ints */
#define SHM_PERMS	0777		/* the mode bits a user sets */
#define ACC_READ	0444		/* S_IRUGO: what attaching or reading the status needs */
#define ACC_WRITE	0222		/* S_IWUGO */
#define ACC_EXEC	0111		/* S_IXUGO */

struct shm_segment {
	struct list_node link;		/* (S) on shm_segments */
	struct vm_object *object;	/* (C) the pages: the segment's own reference */
	vm_pindex_t	npages;		/* (C) the object's size */
	uint64_t	size;		/* (C) bytes asked for */
	int		id;		/* (C) */
	int		index;		/* (C) the low bits of id */
	int		key;		/* (S) IPC_PRIVATE once removed */
	uint16_t	seq;		/* (C) the high bits of id */
	uint32_t	uid, gid;	/* (S) owner (IPC_SET) */
	uint32_t	cuid, cgid;	/* (C) creator */
	uint32_t	mode;		/* (S) SHM_PERMS, SHM_DEST, SHM_LOCKED */
	int		cpid;		/* (C) creator's pid */
	int		lpid;		/* (S) last to attach or detach */
	int64_t		atime, dtime, ctime;	/* (S) seconds since the epoch */
	uint64_t	nattch;		/* (S) attachments, in every address space */
	uint32_t	lock_uid;	/* (S) with SHM_LOCKED: whose RLIMIT_MEMLOCK it counts in */
};

/* One shmat: the segment mapped at va of the address space whose vm_shm lists it. */
struct shm_attachment {
	struct list_node link;		/* (S) on its vmspace's vm_shm */
	vaddr_t		va;		/* (C) */
	struct shm_segment *seg;	/* (C) counted in seg->nattch */
};

static struct sx shm_lock = SX_INITIALIZER("sysv shm");
static struct list_node shm_segments = LIST_HEAD_INIT(shm_segments);	/* (S) */
static uint64_t shm_index_used[SHM_INDEX_MAX / 64];	/* (S) bitmap of indices in use */
static int shm_used_ids;		/* (S) segments */
static uint64_t shm_tot;		/* (S) pages of all segments */
static uint16_t shm_seq;		/* (S) the next id's sequence number */

/* The tunables (A): /proc/sys/kernel/shmmax, shmall, shmmni. */
static uint64_t shm_max = SHMMAX;
static uint64_t shm_all = SHMALL;
static uint64_t shm_mni = SHMMNI;

static struct vm_map *
curmap(struct thread *td)
{
	return &td->td_proc->p_vmspace->vm_map;
}

static int64_t
now_seconds(void)
{
	return (int64_t)(realtime_ns() / NSEC_PER_SEC);
}

/* The pid that a change of the segment's state is charged to (none from a kernel thread). */
static int
caller_pid(void)
{
	struct proc *p = curproc();

	return p != NULL ? p->p_pid : 0;
}

/*
 * Lookup (all with shm_lock held).
 */

/* What a segment is looked up by. */
enum shm_name { BY_ID, BY_INDEX, BY_KEY };

static struct shm_segment *
find(enum shm_name by, int value)
{
	struct list_node *n;

	list_foreach(n, &shm_segments) {
		struct shm_segment *seg = list_entry(n, struct shm_segment, link);

		if ((by == BY_ID ? seg->id : by == BY_INDEX ? seg->index : seg->key) == value)
			return seg;
	}
	return NULL;
}

/* The highest index in use, or -1 (IPC_INFO and SHM_INFO return it). */
static int
max_index(void)
{
	struct list_node *n;
	int max = -1;

	list_foreach(n, &shm_segments)
		max = MAX(max, list_entry(n, struct shm_segment, link)->index);
	return max;
}

/*
 * Permissions, as Linux's ipcperms: the owner's (or creator's) three bits,
 * else the group's, else the others' must grant every access in flag's
 * low nine bits; root may do anything.
 */
static bool
permitted(struct proc *p, const struct shm_segment *seg, int flag)
{
	uint32_t requested = ((uint32_t)flag >> 6 | (uint32_t)flag >> 3 | (uint32_t)flag) & 07;
	uint32_t granted = seg->mode;

	if (p->p_uid == seg->uid || p->p_uid == seg->cuid)
		granted >>= 6;
	else if (proc_in_group(p, seg->gid) || proc_in_group(p, seg->cgid))
		granted >>= 3;
	return (requested & ~granted & 07) == 0 || proc_privileged(p);
}

/* IPC_SET and IPC_RMID: the owner, the creator or root. */
static bool
is_owner(struct proc *p, const struct shm_segment *seg)
{
	return p->p_uid == seg->uid || p->p_uid == seg->cuid || proc_privileged(p);
}

/*
 * Segments.
 */

/* The lowest free index; there is one (fewer than shm_mni <= SHM_INDEX_MAX are used). */
static int
index_alloc(void)
{
	for (int w = 0; w < (int)nitems(shm_index_used); w++)
		if (shm_index_used[w] != ~0UL) {
			int bit = __builtin_ctzl(~shm_index_used[w]);

			shm_index_used[w] |= 1UL << bit;
			return w * 64 + bit;
		}
	panic("sysv_shm: no free index with %d segments", shm_used_ids);
}

/*
 * A new segment of size bytes for key, owned by p, with the permissions
 * in flags: 0 with *idp, EINVAL (size outside [SHMMIN, shmmax]), ENOSPC
 * (shmall or shmmni reached), ENOMEM.  shm_lock held.
 */
static int
segment_create(struct proc *p, int key, uint64_t size, int flags, int *idp)
{
	struct shm_segment *seg;
	uint64_t rounded, npages;

	if (size < SHMMIN || size > __atomic_load_n(&shm_max, __ATOMIC_RELAXED))
		return EINVAL;
	if (add_overflows(size, PAGE_MASK, &rounded))
		return ENOSPC;
	npages = atop(rounded);
	if (shm_tot + npages < shm_tot ||
	    shm_tot + npages > __atomic_load_n(&shm_all, __ATOMIC_RELAXED))
		return ENOSPC;
	/* Linux's overcommit heuristic: never more than there is memory. */
	if (!(flags & SHM_NORESERVE) && npages > vm_page_count_total())
		return ENOMEM;
	if ((uint64_t)shm_used_ids >= __atomic_load_n(&shm_mni, __ATOMIC_RELAXED))
		return ENOSPC;
	if ((seg = malloc(sizeof(*seg), M_SHM, M_WAITOK | M_ZERO)) == NULL)
		return ENOMEM;
	/*
	 * The object a shared anonymous mmap makes (committed, as Linux
	 * charges a segment), but not OBJ_ONEMAPPING: every attachment sees
	 * the same pages.
	 */
	if ((seg->object = vm_object_allocate_shared_anon(npages, false)) == NULL) {
		free(seg, M_SHM);
		return ENOMEM;
	}
	vm_object_clear_onemapping(seg->object);
	seg->npages = npages;
	seg->size = size;
	seg->index = index_alloc();
	seg->seq = shm_seq;
	shm_seq = shm_seq >= SHM_SEQ_MAX ? 0 : shm_seq + 1;
	seg->id = (int)seg->seq << SHM_INDEX_BITS | seg->index;
	seg->key = key;
	seg->uid = seg->cuid = p->p_uid;
	seg->gid = seg->cgid = p->p_gid;
	seg->mode = (uint32_t)flags & SHM_PERMS;
	seg->cpid = p->p_pid;
	seg->ctime = now_seconds();
	list_append(&shm_segments, &seg->link);
	shm_used_ids++;
	shm_tot += npages;
	*idp = seg->id;
	return 0;
}

/* Free seg (unattached): its key and id go, its pages with its object's last reference. */
static void
segment_destroy(struct shm_segment *seg)
{
	KASSERT(seg->nattch == 0, ("segment_destroy: segment %d has %lu attachments", seg->id,
	    seg->nattch));
	list_remove(&seg->link);
	shm_index_used[seg->index / 64] &= ~(1UL << (seg->index % 64));
	shm_used_ids--;
	shm_tot -= seg->npages;
	if (seg->mode & SHM_LOCKED)
		vm_object_unwire_range(seg->object, seg->npages);
	vm_object_deallocate(seg->object);
	free(seg, M_SHM);
}

/* Count one more attachment of seg, by the calling process. */
static void
segment_attached(struct shm_segment *seg)
{
	seg->nattch++;
	seg->atime = now_seconds();
	seg->lpid = caller_pid();
}

/* Drop the attachment att (its mappings gone or going); a removed segment goes with its last. */
static void
detach(struct shm_attachment *att)
{
	struct shm_segment *seg = att->seg;

	KASSERT(seg->nattch > 0, ("detach: segment %d has no attachments", seg->id));
	list_remove(&att->link);
	free(att, M_SHM);
	seg->nattch--;
	seg->dtime = now_seconds();
	seg->lpid = caller_pid();
	if (seg->nattch == 0 && (seg->mode & SHM_DEST))
		segment_destroy(seg);
}

/* Record that vm has seg attached at va: the attachment, or NULL (no memory). */
static struct shm_attachment *
attachment_add(struct vmspace *vm, struct shm_segment *seg, vaddr_t va)
{
	struct shm_attachment *att = malloc(sizeof(*att), M_SHM, M_WAITOK);

	if (att == NULL)
		return NULL;
	att->va = va;
	att->seg = seg;
	list_append(&vm->vm_shm, &att->link);
	segment_attached(seg);
	return att;
}

/*
 * SHM_REMAP mapped new over vm's range: an attachment that began there
 * lost its mapping, and is detached (as in Linux, whose count drops when
 * an attachment's mapping is replaced).  new is counted already, so its
 * segment cannot go with one of them.
 */
static void
detach_replaced(struct vmspace *vm, struct shm_attachment *new)
{
	vaddr_t end = new->va + ptoa(new->seg->npages);
	struct list_node *n, *tmp;

	list_foreach_safe(n, tmp, &vm->vm_shm) {
		struct shm_attachment *att = list_entry(n, struct shm_attachment, link);

		if (att != new && att->va >= new->va && att->va < end)
			detach(att);
	}
}

/* Does map still map obj at va (where an attachment was made)? */
static bool
maps_object_at(struct vm_map *map, vaddr_t va, const struct vm_object *obj)
{
	struct vm_map_entry *e;
	bool yes;

	vm_map_lock_read(map);
	e = vm_map_lookup_entry(map, va);
	yes = e != NULL && e->object == obj;
	vm_map_unlock_read(map);
	return yes;
}

/*
 * Remove the mappings of obj in [start, end) of map, and only those: what
 * was mapped over an attachment since is not the segment's to remove.
 */
static void
unmap_object(struct vm_map *map, vaddr_t start, vaddr_t end, const struct vm_object *obj)
{
	vaddr_t cursor = start;

	while (cursor < end) {
		struct vm_map_entry *e;
		vaddr_t s = end, t = end;

		vm_map_lock_read(map);
		for (e = map->tree.first; e != NULL && e->start < end; e = e->node.next)
			if (e->end > cursor && e->object == obj) {
				s = MAX(e->start, cursor);
				t = MIN(e->end, end);
				break;
			}
		vm_map_unlock_read(map);
		if (s < t)
			(void)vm_map_remove(map, s, t);
		cursor = t;
	}
}

/*
 * The hooks (sysv_shm.h).
 */

int
shm_fork(struct vmspace *parent, struct vmspace *child)
{
	struct list_node *n;
	int error = 0;

	/*
	 * Most address spaces have nothing attached.  A look without the lock
	 * may miss an shmat that another thread of the parent is finishing;
	 * then the child has the mapping (it shares the object, which lives
	 * as long as the mapping) but not the attachment, as if it had
	 * unmapped it.
	 */
	if (list_empty(&parent->vm_shm))
		return 0;
	sx_xlock(&shm_lock);
	list_foreach(n, &parent->vm_shm) {
		struct shm_attachment *att = list_entry(n, struct shm_attachment, link);

		/* Inherited (not MADV_DONTFORK, not unmapped since)? */
		if (!maps_object_at(&child->vm_map, att->va, att->seg->object))
			continue;
		if (attachment_add(child, att->seg, att->va) == NULL) {
			error = ENOMEM;
			break;
		}
	}
	sx_xunlock(&shm_lock);
	return error;
}

void
shm_vmspace_exit(struct vmspace *vm)
{
	/* The last reference: no one else can attach here any more. */
	if (list_empty(&vm->vm_shm))
		return;
	sx_xlock(&shm_lock);
	while (!list_empty(&vm->vm_shm))
		detach(list_entry(vm->vm_shm.next, struct shm_attachment, link));
	sx_xunlock(&shm_lock);
}

uint64_t
shm_max_get(void)
{
	return __atomic_load_n(&shm_max, __ATOMIC_RELAXED);
}

int
shm_max_set(uint64_t bytes)
{
	__atomic_store_n(&shm_max, bytes, __ATOMIC_RELAXED);
	return 0;
}

uint64_t
shm_all_get(void)
{
	return __atomic_load_n(&shm_all, __ATOMIC_RELAXED);
}

int
shm_all_set(uint64_t pages)
{
	__atomic_store_n(&shm_all, pages, __ATOMIC_RELAXED);
	return 0;
}

uint64_t
shm_mni_get(void)
{
	return __atomic_load_n(&shm_mni, __ATOMIC_RELAXED);
}

/* Up to Linux's IPCMNI; fewer than the segments in use only stops new ones. */
int
shm_mni_set(uint64_t segments)
{
	if (segments > SHM_INDEX_MAX)
		return EINVAL;
	__atomic_store_n(&shm_mni, segments, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The system calls.
 */

/* shmget(key, size, flags) */
SYSCALL(shmget)
{
	struct proc *p = td->td_proc;
	int key = (int)a[0], flags = (int)a[2], id = 0, error = 0;
	uint64_t size = a[1];
	struct shm_segment *seg;

	sx_xlock(&shm_lock);
	if (key == IPC_PRIVATE)
		error = segment_create(p, key, size, flags, &id);
	else if ((seg = find(BY_KEY, key)) == NULL)
		error = (flags & IPC_CREAT) ? segment_create(p, key, size, flags, &id) : ENOENT;
	else if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		error = EEXIST;
	else if (!permitted(p, seg, flags))
		error = EACCES;
	else if (seg->size < size)
		error = EINVAL;
	else
		id = seg->id;
	sx_xunlock(&shm_lock);
	return error ? -error : id;
}

/*
 * The page address an attachment at addr asks for (0: anywhere), as
 * Linux takes it: SHM_RND rounds down to SHMLBA, an unaligned address is
 * otherwise EINVAL, and SHM_REMAP needs an address.
 */
static int
attach_address(uint64_t addr, int flags, vaddr_t *va)
{
	if (addr & (SHMLBA - 1)) {
		if (!(flags & SHM_RND))
			return EINVAL;
		addr &= ~(uint64_t)(SHMLBA - 1);
		if (addr == 0 && (flags & SHM_REMAP))
			return EINVAL;
	} else if (addr == 0 && (flags & SHM_REMAP)) {
		return EINVAL;
	}
	*va = addr;
	return 0;
}

/* shmat(id, addr, flags) */
SYSCALL(shmat)
{
	struct proc *p = td->td_proc;
	int id = (int)a[0], flags = (int)a[2], access = ACC_READ, placement, error;
	vm_prot_t prot = VM_PROT_READ, maxprot = VM_PROT_ALL;
	struct shm_attachment *att = NULL;
	struct shm_segment *seg;
	vaddr_t va;

	if (id < 0 || (error = attach_address(a[1], flags, &va)) != 0)
		return -EINVAL;
	if (flags & SHM_RDONLY) {
		maxprot = VM_PROT_READ | VM_PROT_EXECUTE;	/* no mprotect to writable */
	} else {
		prot |= VM_PROT_WRITE;
		access |= ACC_WRITE;
	}
	if (flags & SHM_EXEC) {
		prot |= VM_PROT_EXECUTE;
		access |= ACC_EXEC;
	}
	placement = va == 0 ? VMFS_ANYWHERE : (flags & SHM_REMAP) ? VMFS_FIXED :
	    VMFS_FIXED_NOREPLACE;
	sx_xlock(&shm_lock);
	if ((seg = find(BY_ID, id)) == NULL) {
		error = EINVAL;
	} else if (!permitted(p, seg, access)) {
		error = EACCES;
	} else if (va != 0 && va + ptoa(seg->npages) < va) {
		error = EINVAL;		/* wraps around */
	} else if (va != 0 && va < curmap(td)->tree.min) {
		error = EPERM;		/* below mmap_min_addr, as Linux says it */
	} else {
		vm_object_reference(seg->object);
		error = vm_mmap_object(td, seg->object, 0, &va, ptoa(seg->npages), prot, maxprot,
		    placement, 0);
		if (error != 0)
			vm_object_deallocate(seg->object);
		else if ((att = attachment_add(td->td_proc->p_vmspace, seg, va)) == NULL)
			unmap_object(curmap(td), va, va + ptoa(seg->npages), seg->object);
		else if (placement == VMFS_FIXED)
			detach_replaced(td->td_proc->p_vmspace, att);
		error = error == 0 && att == NULL ? ENOMEM : error;
		/* Something is mapped there and SHM_REMAP was not given: Linux says EINVAL. */
		if (error == EEXIST)
			error = EINVAL;
	}
	sx_xunlock(&shm_lock);
	return error ? -error : (long)va;
}

/* shmdt(addr) */
SYSCALL(shmdt)
{
	struct vmspace *vm = td->td_proc->p_vmspace;
	struct shm_attachment *att = NULL;
	vaddr_t va = a[0];
	struct list_node *n;

	if (va & PAGE_MASK)
		return -EINVAL;
	sx_xlock(&shm_lock);
	list_foreach(n, &vm->vm_shm)
		if (list_entry(n, struct shm_attachment, link)->va == va) {
			att = list_entry(n, struct shm_attachment, link);
			break;
		}
	if (att != NULL) {
		unmap_object(&vm->vm_map, va, va + ptoa(att->seg->npages), att->seg->object);
		detach(att);
	}
	sx_xunlock(&shm_lock);
	return att != NULL ? 0 : -EINVAL;
}

/* seg's status as IPC_STAT reports it.  shm_lock held. */
static void
segment_stat(const struct shm_segment *seg, struct shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->shm_perm.key = seg->key;
	ds->shm_perm.uid = seg->uid;
	ds->shm_perm.gid = seg->gid;
	ds->shm_perm.cuid = seg->cuid;
	ds->shm_perm.cgid = seg->cgid;
	ds->shm_perm.mode = seg->mode;
	ds->shm_perm.seq = seg->seq;
	ds->shm_segsz = seg->size;
	ds->shm_atime = seg->atime;
	ds->shm_dtime = seg->dtime;
	ds->shm_ctime = seg->ctime;
	ds->shm_cpid = seg->cpid;
	ds->shm_lpid = seg->lpid;
	ds->shm_nattch = seg->nattch;
}

/*
 * IPC_STAT (by id), SHM_STAT and SHM_STAT_ANY (by index; the latter
 * without the read permission): 0 for IPC_STAT, else the segment's id.
 */
static long
shmctl_stat(struct proc *p, int id, int cmd, void *ubuf)
{
	struct shmid64_ds ds;
	struct shm_segment *seg;
	int error = 0, result = 0;

	sx_slock(&shm_lock);
	seg = cmd == IPC_STAT ? find(BY_ID, id) : find(BY_INDEX, id);
	if (seg == NULL)
		error = EINVAL;
	else if (cmd != SHM_STAT_ANY && !permitted(p, seg, ACC_READ))
		error = EACCES;
	else {
		segment_stat(seg, &ds);
		result = cmd == IPC_STAT ? 0 : seg->id;
	}
	sx_sunlock(&shm_lock);
	if (error == 0 && copyout(&ds, ubuf, sizeof(ds)) != 0)
		error = EFAULT;
	return error ? -error : result;
}

/* IPC_INFO and SHM_INFO: the limits, or the usage; both return the highest index in use. */
static long
shmctl_info(int cmd, void *ubuf)
{
	struct shminfo64 limits = {
		.shmmax = shm_max_get(), .shmmin = SHMMIN, .shmmni = shm_mni_get(),
		.shmseg = SHMSEG, .shmall = shm_all_get(),
	};
	struct shm_info usage = { 0 };
	struct list_node *n;
	int max;

	sx_slock(&shm_lock);
	usage.used_ids = shm_used_ids;
	usage.shm_tot = shm_tot;
	list_foreach(n, &shm_segments) {
		struct vm_object *obj = list_entry(n, struct shm_segment, link)->object;

		spin_lock(&obj->lock);
		usage.shm_rss += obj->resident_count;
		spin_unlock(&obj->lock);
	}
	max = max_index();
	sx_sunlock(&shm_lock);
	if (cmd == IPC_INFO ? copyout(&limits, ubuf, sizeof(limits)) != 0 :
	    copyout(&usage, ubuf, sizeof(usage)) != 0)
		return -EFAULT;
	return MAX(max, 0);
}

/* IPC_SET: the owner, group and permissions from ubuf's shm_perm. */
static long
shmctl_set(struct proc *p, int id, const void *ubuf)
{
	struct shm_segment *seg;
	struct shmid64_ds ds;
	int error = 0;

	if (copyin(ubuf, &ds, sizeof(ds)) != 0)
		return -EFAULT;
	sx_xlock(&shm_lock);
	if ((seg = find(BY_ID, id)) == NULL) {
		error = EINVAL;
	} else if (!is_owner(p, seg)) {
		error = EPERM;
	} else {
		seg->uid = ds.shm_perm.uid;
		seg->gid = ds.shm_perm.gid;
		seg->mode = (seg->mode & ~SHM_PERMS) | (ds.shm_perm.mode & SHM_PERMS);
		seg->ctime = now_seconds();
	}
	sx_xunlock(&shm_lock);
	return -error;
}

/* IPC_RMID: destroy now, or (attached) at the last detach, the key freed at once. */
static long
shmctl_rmid(struct proc *p, int id)
{
	struct shm_segment *seg;
	int error = 0;

	sx_xlock(&shm_lock);
	if ((seg = find(BY_ID, id)) == NULL) {
		error = EINVAL;
	} else if (!is_owner(p, seg)) {
		error = EPERM;
	} else if (seg->nattch > 0) {
		seg->mode |= SHM_DEST;
		seg->key = IPC_PRIVATE;
	} else {
		segment_destroy(seg);
	}
	sx_xunlock(&shm_lock);
	return -error;
}

/* The bytes of the segments that uid's SHM_LOCKs hold (RLIMIT_MEMLOCK counts them all). */
static uint64_t
locked_bytes(uint32_t uid)
{
	struct list_node *n;
	uint64_t bytes = 0;

	list_foreach(n, &shm_segments) {
		struct shm_segment *seg = list_entry(n, struct shm_segment, link);

		if ((seg->mode & SHM_LOCKED) && seg->lock_uid == uid)
			bytes += ptoa(seg->npages);
	}
	return bytes;
}

/*
 * SHM_LOCK and SHM_UNLOCK.  Root may lock any segment; others only their
 * own, with a RLIMIT_MEMLOCK that is not 0 and covers every segment they
 * have locked, this one too (as Linux charges the user who locks).
 */
static long
shmctl_lock(struct proc *p, int id, bool lock)
{
	struct shm_segment *seg;
	int error = 0;

	sx_xlock(&shm_lock);
	if ((seg = find(BY_ID, id)) == NULL) {
		error = EINVAL;
	} else if (!proc_privileged(p) && (p->p_uid != seg->uid && p->p_uid != seg->cuid)) {
		error = EPERM;
	} else if (lock && !proc_privileged(p) && p->p_rlimit[RLIMIT_MEMLOCK].rlim_cur == 0) {
		error = EPERM;
	} else if (lock == ((seg->mode & SHM_LOCKED) != 0)) {
		/* already so */
	} else if (lock && !proc_privileged(p) &&
	    locked_bytes(p->p_uid) + ptoa(seg->npages) > p->p_rlimit[RLIMIT_MEMLOCK].rlim_cur) {
		error = ENOMEM;
	} else if (lock) {
		if ((error = vm_object_wire_all(seg->object)) == 0) {
			seg->mode |= SHM_LOCKED;
			seg->lock_uid = p->p_uid;
		}
	} else {
		vm_object_unwire_range(seg->object, seg->npages);
		seg->mode &= ~SHM_LOCKED;
	}
	sx_xunlock(&shm_lock);
	return -error;
}

/* shmctl(id, cmd, buf) */
SYSCALL(shmctl)
{
	struct proc *p = td->td_proc;
	int id = (int)a[0], cmd = (int)a[1];
	void *ubuf = (void *)a[2];

	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shmctl_info(cmd, ubuf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return shmctl_stat(p, id, cmd, ubuf);
	case IPC_SET:
		return shmctl_set(p, id, ubuf);
	case IPC_RMID:
		return shmctl_rmid(p, id);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shmctl_lock(p, id, cmd == SHM_LOCK);
	default:
		return -EINVAL;		/* IPC_64 too: riscv64's kernel takes no version bit */
	}
}
