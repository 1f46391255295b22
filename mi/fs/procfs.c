/*
 * procfs: /proc, the kernel's counters and process address maps as text.
 *
 *   /proc/meminfo        MemTotal, MemFree, MemAvailable (Linux format)
 *   /proc/vmstat         "name value" lines: the fault, object, pmap and
 *                        page counters of this kernel
 *   /proc/zoneinfo       every zone and malloc type with its counts
 *   /proc/diskstats      each disk's I/O counters, in Linux's format
 *   /proc/disks          each disk's geometry, deepest queue, errors,
 *                        timeouts, resets, requests submitted and the
 *                        sum of the queue depths they found (this
 *                        kernel's own: what diskstats has no column for)
 *   /proc/self           the calling process's directory
 *   /proc/PID/maps       the address map, in Linux's format
 *   /proc/PID/vmmap      the address map with objects and shadow depth
 *   /proc/PID/vmcheck    the VM's consistency check of the process's address
 *                        space (vm_map_verify): each problem, "problems N"
 *   /proc/vmcheck        the same for every process, wired pages counted
 *                        against those found, and page wirings against the
 *                        entries and kernel that hold them (exact when nothing
 *                        is being wired meanwhile)
 *
 * Only the root directory is permanent (linked into the root file
 * system).  Everything below it is made by the lookup that names it: a
 * process directory, or a file whose text is generated right then into
 * a kernel buffer that later reads copy from, like a frozen regular
 * file.  Such vnodes have no links, so they are reclaimed with their
 * last reference; every open of a file sees a fresh snapshot.
 *
 * Locking: none of procfs's own.  A file's text is constant once made.
 * Generating maps holds the target map's lock (a spin lock) while it
 * formats into a buffer allocated beforehand, retrying with a bigger
 * buffer if the map did not fit.  Another process's vmspace is found
 * under proc_lock and referenced before proc_lock is dropped.
 */
#include <kern/systm.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <vm/pmap.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/zone.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

MALLOC_DEFINE(M_PROCFS, "procfs", "generated /proc file contents");

#define PROCFS_SMALL_TEXT	2048	/* meminfo, vmstat */
#define PROCFS_MAPS_START	4096
#define PROCFS_MAPS_MAX		(1UL << 20)
#define PROCFS_INO_BASE		0x70000000UL
#define PID_MAX_DIGITS		10

enum procfs_kind { PFS_ROOT, PFS_PIDDIR, PFS_MEMINFO, PFS_VMSTAT, PFS_MAPS, PFS_ZONEINFO,
	PFS_VMMAP, PFS_DISKSTATS, PFS_DISKS, PFS_VMCHECK, PFS_VMCHECK_ALL, PFS_NKINDS };

#define PROCFS_CHECK_TEXT	16384	/* room for problem lines; the rest are only counted */
#define PROCFS_CHECK_SUMMARY	128	/* kept free for the summary lines */
#define PROCFS_CHECK_MAPS	256	/* processes /proc/vmcheck looks at */

/* v_data of a generated file. */
struct procfs_text {
	size_t		len;
	char		text[];
};

static const struct vnode_ops procfs_root_ops;
static const struct vnode_ops procfs_pid_ops;
static const struct vnode_ops procfs_file_ops;

/*
 * Text generation.
 */

struct textbuf {
	char	*buf;
	size_t	size;
	size_t	len;
	bool	overflow;
};

static void __printflike(2, 3)
tb_printf(struct textbuf *tb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (tb->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tb->buf + tb->len, tb->size - tb->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= tb->size - tb->len) {
		tb->overflow = true;
		return;
	}
	tb->len += (size_t)n;
}

static void
tb_pad_to(struct textbuf *tb, size_t line_start, size_t column)
{
	while (!tb->overflow && tb->len - line_start < column)
		tb_printf(tb, " ");
}

static void
format_meminfo(struct textbuf *tb)
{
	uint64_t kb = PAGE_SIZE / 1024, total, free;

	/* Free items cached in the allocators count as free memory: give them back first. */
	zone_reclaim_all();
	total = vm_page_count_total() * kb;
	free = vm_page_count_free() * kb;

	tb_printf(tb, "%-16s%8lu kB\n", "MemTotal:", total);
	tb_printf(tb, "%-16s%8lu kB\n", "MemFree:", free);
	tb_printf(tb, "%-16s%8lu kB\n", "MemAvailable:", free);
	tb_printf(tb, "%-16s%8lu kB\n", "Buffers:", 0UL);
	tb_printf(tb, "%-16s%8lu kB\n", "Cached:", 0UL);
	tb_printf(tb, "%-16s%8lu kB\n", "SwapTotal:", 0UL);
	tb_printf(tb, "%-16s%8lu kB\n", "SwapFree:", 0UL);
}

/* Every zone (like vmstat -z) and malloc type (like vmstat -m). */
static void
format_zoneinfo(struct textbuf *tb)
{
	tb_printf(tb, "%-16s %6s %8s %8s %10s %6s %6s\n", "zone", "size", "inuse", "free",
	    "requests", "fail", "pages");
	for (zone_t z = zone_first(); z != NULL; z = zone_next(z)) {
		struct zone_stats st;

		zone_get_stats(z, &st);
		tb_printf(tb, "%-16s %6lu %8lu %8lu %10lu %6lu %6lu\n", st.name, (uint64_t)st.size,
		    st.inuse, st.free, st.requests, st.failures, st.pages);
	}
	tb_printf(tb, "%-16s %8s %10s %10s %10s\n", "malloc type", "inuse", "bytes",
	    "highwater", "requests");
	for (struct malloc_type *mt = malloc_type_first(); mt != NULL; mt = mt->mt_next)
		tb_printf(tb, "%-16s %8lu %10lu %10lu %10lu\n", mt->mt_shortdesc, mt->mt_inuse,
		    mt->mt_bytes, mt->mt_highwater, mt->mt_requests);
}

static void
format_vmstat(struct textbuf *tb)
{
	struct pmap_stats ps;
	const struct vm_fault_stats *fs = &vm_fault_stats;
	const struct vm_object_stats *os = &vm_object_stats;

	pmap_get_stats(&ps);
	tb_printf(tb, "pgfault %lu\n", fs->faults);
	tb_printf(tb, "pmap_fixups %lu\n", fs->pmap_fixups);
	tb_printf(tb, "zero_fill %lu\n", fs->zero_fills);
	tb_printf(tb, "cow_copy %lu\n", fs->cow_copies);
	tb_printf(tb, "cow_move %lu\n", fs->cow_moves);
	tb_printf(tb, "pageins %lu\n", fs->pageins);
	tb_printf(tb, "busy_waits %lu\n", fs->busy_waits);
	tb_printf(tb, "enomem_retries %lu\n", fs->enomem_retries);
	tb_printf(tb, "segv_maperr %lu\n", fs->segv_maperr);
	tb_printf(tb, "segv_accerr %lu\n", fs->segv_accerr);
	tb_printf(tb, "shadow_objects %lu\n", os->shadows);
	tb_printf(tb, "objects_anon %lu\n", os->objects[OBJT_ANON]);
	tb_printf(tb, "objects_vnode %lu\n", os->objects[OBJT_VNODE]);
	tb_printf(tb, "objects_device %lu\n", os->objects[OBJT_DEVICE]);
	tb_printf(tb, "collapses %lu\n", os->collapses);
	tb_printf(tb, "bypasses %lu\n", os->bypasses);
	tb_printf(tb, "collapse_pages_moved %lu\n", os->collapse_pages_moved);
	tb_printf(tb, "collapse_pages_freed %lu\n", os->collapse_pages_freed);
	tb_printf(tb, "unmap_pages_freed %lu\n", os->unmap_pages_freed);
	tb_printf(tb, "pv_entries %lu\n", ps.pv_entries);
	tb_printf(tb, "pv_reclaims %lu\n", ps.pv_reclaims);
	tb_printf(tb, "pt_pages %lu\n", ps.pt_pages);
	tb_printf(tb, "pt_cached %lu\n", ps.pt_cached);
	tb_printf(tb, "asid_rollovers %lu\n", ps.asid_rollovers);
	tb_printf(tb, "tlb_shootdowns %lu\n", ps.shootdowns);
	tb_printf(tb, "tlb_switch_flushes %lu\n", ps.switch_flushes);
	tb_printf(tb, "dirty_faults %lu\n", ps.dirty_faults);
	tb_printf(tb, "ref_faults %lu\n", ps.ref_faults);
	tb_printf(tb, "free_pages %lu\n", vm_page_count_free());
	tb_printf(tb, "wired_pages %lu\n", vm_page_count_wired());
	tb_printf(tb, "fork_pages_copied %lu\n", vm_map_stats.fork_pages_copied);
}

/*
 * Linux's 20 fields (5.5 and later): reads, merged, sectors, ms; writes,
 * merged, sectors, ms; in flight, ms busy, weighted ms; discards (4, none
 * here); flushes, ms.  Nothing is merged.
 */
static void
format_diskstats(struct textbuf *tb)
{
	struct disk_stats st;

	for (struct disk *dp = disk_next(NULL); dp != NULL; dp = disk_next(dp)) {
		disk_get_stats(dp, &st);
		tb_printf(tb, "%4u %7u %s %lu %u %lu %u %lu %u %lu %u %u %u %u %u %u %u %u %lu %u\n",
		    disk_major(dp), disk_minor(dp), dp->d_name,
		    st.ds_ios[BIO_READ], 0, st.ds_sectors[BIO_READ], disk_time_ms(st.ds_time[BIO_READ]),
		    st.ds_ios[BIO_WRITE], 0, st.ds_sectors[BIO_WRITE],
		    disk_time_ms(st.ds_time[BIO_WRITE]),
		    st.ds_inflight, disk_time_ms(st.ds_busy_time),
		    disk_time_ms(st.ds_time[BIO_READ] + st.ds_time[BIO_WRITE] + st.ds_time[BIO_FLUSH]),
		    0, 0, 0, 0, st.ds_ios[BIO_FLUSH], disk_time_ms(st.ds_time[BIO_FLUSH]));
	}
}

/* What diskstats has no column for. */
static void
format_disks(struct textbuf *tb)
{
	struct disk_stats st;

	tb_printf(tb, "name %12s %6s %5s %8s %8s %8s %8s %8s %6s %10s %10s  %s\n", "bytes",
	    "sector", "pages", "maxqueue", "rd_errs", "wr_errs", "fl_errs", "timeouts", "resets",
	    "requests", "depth_sum", "transport");
	for (struct disk *dp = disk_next(NULL); dp != NULL; dp = disk_next(dp)) {
		disk_get_stats(dp, &st);
		tb_printf(tb, "%-4s %12lu %6u %5u %8u %8lu %8lu %8lu %8lu %6lu %10lu %10lu  %s%s%s\n",
		    dp->d_name, dp->d_size, dp->d_sector_size, dp->d_max_pages,
		    st.ds_inflight_max, st.ds_errors[BIO_READ], st.ds_errors[BIO_WRITE],
		    st.ds_errors[BIO_FLUSH], st.ds_timeouts, st.ds_resets,
		    st.ds_ios[BIO_READ] + st.ds_ios[BIO_WRITE] + st.ds_ios[BIO_FLUSH] + st.ds_inflight,
		    st.ds_depth_sum, dp->d_info,
		    (dp->d_flags & DISK_POLLED) ? ", polled" : "",
		    (dp->d_flags & DISK_READONLY) ? ", read-only" : "");
	}
}

static const char *
entry_name(const struct vmspace *vm, const struct vm_map_entry *e)
{
	if (e->eflags & MAP_ENTRY_STACK)
		return "[stack]";
	if (vm->vm_brk > vm->vm_brk_start && e->start < vm->vm_brk &&
	    e->end > vm->vm_brk_start)
		return "[heap]";
	return NULL;
}

static void
format_entry(struct textbuf *tb, const struct vmspace *vm, const struct vm_map_entry *e)
{
	size_t line = tb->len;
	const char *name = entry_name(vm, e);

	tb_printf(tb, "%08lx-%08lx %c%c%c%c %08lx 00:00 0 ", e->start, e->end,
	    (e->protection & VM_PROT_READ) ? 'r' : '-',
	    (e->protection & VM_PROT_WRITE) ? 'w' : '-',
	    (e->protection & VM_PROT_EXECUTE) ? 'x' : '-',
	    (e->eflags & MAP_ENTRY_COW) ? 'p' : 's', e->offset);
	if (name != NULL) {
		tb_pad_to(tb, line, 73);
		tb_printf(tb, "%s", name);
	}
	tb_printf(tb, "\n");
}

int
procfs_format_maps(struct vmspace *vm, char *buf, size_t size, size_t *lenp)
{
	struct textbuf tb = { buf, size, 0, false };
	struct vm_map *map = &vm->vm_map;

	vm_map_lock(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next)
		format_entry(&tb, vm, e);
	vm_map_unlock(map);
	if (tb.overflow)
		return ERANGE;
	*lenp = tb.len;
	return 0;
}

static const char *
object_type_name(const struct vm_object *obj)
{
	static const char *const names[OBJT_NTYPES] = {
		[OBJT_ANON] = "anon", [OBJT_VNODE] = "vnode", [OBJT_DEVICE] = "device",
		[OBJT_SWAP] = "swap",
	};

	return obj == NULL ? "none" : names[obj->type];
}

/*
 * /proc/PID/vmmap: the map with what Linux's maps cannot show, the
 * objects behind each entry (after FreeBSD's procstat -v): resident pages
 * of the entry's own object, its type, reference count and how deep its
 * shadow chain goes.  Object fields are read without their locks: a
 * snapshot for people, not for programs that need exact answers.
 */
static int
format_vmmap(struct vmspace *vm, struct textbuf *tb)
{
	struct vm_map *map = &vm->vm_map;

	tb_printf(tb, "%-12s %-12s %4s %5s %-6s %-18s %4s %5s %5s\n", "start", "end", "prot",
	    "res", "type", "object", "refs", "depth", "flags");
	vm_map_lock(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next) {
		struct vm_object *obj = e->object;

		tb_printf(tb, "%012lx %012lx  %c%c%c %5lu %-6s %-18p %4u %5d %s%s%s%s\n",
		    e->start, e->end, (e->protection & VM_PROT_READ) ? 'r' : '-',
		    (e->protection & VM_PROT_WRITE) ? 'w' : '-',
		    (e->protection & VM_PROT_EXECUTE) ? 'x' : '-',
		    obj ? obj->resident_count : 0UL, object_type_name(obj), (void *)obj,
		    obj ? obj->ref_count : 0, vm_object_shadow_depth(obj),
		    (e->eflags & MAP_ENTRY_COW) ? "C" : "S",
		    (e->eflags & MAP_ENTRY_NEEDS_COPY) ? "N" : "",
		    e->wired_count ? "W" : "", (e->eflags & MAP_ENTRY_STACK) ? "s" : "");
	}
	vm_map_unlock(map);
	return tb->overflow ? ERANGE : 0;
}

/* A problem line of a check, while there is room: the summary must always fit. */
static void
check_report(void *arg, const char *msg)
{
	struct textbuf *tb = arg;

	if (tb->size - tb->len > PROCFS_CHECK_SUMMARY + strlen(msg) + 1)
		tb_printf(tb, "%s\n", msg);
}

/*
 * The consistency check of each vmspace in vms (referenced; released
 * here), and with all, the wired-page count.
 */
static void
format_vmcheck(struct textbuf *tb, struct vmspace **vms, int n, bool all)
{
	uint64_t held = vm_page_count_kernel_wirings();
	int problems = 0;

	for (int i = 0; i < n; i++) {
		problems += vm_map_verify(&vms[i]->vm_map, check_report, tb);
		held += vm_map_wirings(&vms[i]->vm_map);
		vmspace_free(vms[i]);
	}
	if (all) {
		uint64_t counted = vm_page_count_wired(), found = vm_page_scan_wired();
		uint64_t wirings = vm_page_scan_wirings();

		if (counted != found) {
			problems++;
			tb_printf(tb, "wired pages: %lu counted, %lu found\n", counted, found);
		}
		/* Every wiring of a page is held by a map entry, or by the kernel. */
		if (wirings != held) {
			problems++;
			tb_printf(tb, "page wirings: %lu on pages, %lu held by entries and the "
			    "kernel\n", wirings, held);
		}
	}
	tb_printf(tb, "maps %d\nproblems %d\n", n, problems);
}

/* Every process's vmspace, once, referenced, in vms[] (at most max); returns how many. */
static int
all_vmspaces_hold(struct vmspace **vms, int max)
{
	struct list_node *n;
	int count = 0;

	spin_lock(&proc_lock);
	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);

		bool seen = false;

		/* A vfork child runs in its parent's space: one check, one count. */
		for (int i = 0; i < count && !seen; i++)
			seen = vms[i] == p->p_vmspace;
		if (count < max && p->p_vmspace != NULL && !seen) {
			__atomic_add_fetch(&p->p_vmspace->vm_refcnt, 1, __ATOMIC_RELAXED);
			vms[count++] = p->p_vmspace;
		}
	}
	spin_unlock(&proc_lock);
	return count;
}

/* The vmspace of process pid, referenced; NULL if there is none. */
static struct vmspace *
proc_vmspace_hold(int pid)
{
	struct vmspace *vm = NULL;
	struct proc *p;

	spin_lock(&proc_lock);
	if ((p = proc_find(pid)) != NULL && (vm = p->p_vmspace) != NULL)
		__atomic_add_fetch(&vm->vm_refcnt, 1, __ATOMIC_RELAXED);
	spin_unlock(&proc_lock);
	return vm;
}

static struct procfs_text *
text_alloc(size_t size)
{
	return malloc(sizeof(struct procfs_text) + size, M_PROCFS, M_WAITOK);
}

/* The text of a vmcheck file: the check runs once, into one large buffer. */
static int
generate_vmcheck(enum procfs_kind kind, int pid, struct procfs_text **out)
{
	struct vmspace **vms = malloc(PROCFS_CHECK_MAPS * sizeof(*vms), M_PROCFS, M_WAITOK);
	struct procfs_text *t = text_alloc(PROCFS_CHECK_TEXT);
	struct textbuf tb;
	int n = 0;

	if (vms == NULL || t == NULL) {
		free(vms, M_PROCFS);
		free(t, M_PROCFS);
		return ENOMEM;
	}
	if (kind == PFS_VMCHECK_ALL)
		n = all_vmspaces_hold(vms, PROCFS_CHECK_MAPS);
	else if ((vms[0] = proc_vmspace_hold(pid)) != NULL)
		n = 1;
	if (kind == PFS_VMCHECK && n == 0) {
		free(vms, M_PROCFS);
		free(t, M_PROCFS);
		return ENOENT;
	}
	tb = (struct textbuf){ t->text, PROCFS_CHECK_TEXT, 0, false };
	format_vmcheck(&tb, vms, n, kind == PFS_VMCHECK_ALL);
	free(vms, M_PROCFS);
	t->len = tb.len;
	*out = t;
	return 0;
}

/* Make the text of a file of the given kind; ENOENT for a process gone. */
static int
generate(enum procfs_kind kind, int pid, struct procfs_text **out)
{
	size_t size = kind == PFS_MAPS || kind == PFS_VMMAP || kind == PFS_ZONEINFO ?
	    PROCFS_MAPS_START : PROCFS_SMALL_TEXT;
	struct vmspace *vm = NULL;
	struct procfs_text *t;
	int error = 0;

	if (kind == PFS_VMCHECK || kind == PFS_VMCHECK_ALL)
		return generate_vmcheck(kind, pid, out);
	if ((kind == PFS_MAPS || kind == PFS_VMMAP) && (vm = proc_vmspace_hold(pid)) == NULL)
		return ENOENT;
	for (;;) {
		struct textbuf tb;

		if ((t = text_alloc(size)) == NULL) {
			error = ENOMEM;
			break;
		}
		tb = (struct textbuf){ t->text, size, 0, false };
		if (kind == PFS_MAPS) {
			error = procfs_format_maps(vm, t->text, size, &tb.len);
		} else if (kind == PFS_VMMAP) {
			error = format_vmmap(vm, &tb);
		} else {
			if (kind == PFS_MEMINFO)
				format_meminfo(&tb);
			else if (kind == PFS_DISKSTATS)
				format_diskstats(&tb);
			else if (kind == PFS_DISKS)
				format_disks(&tb);
			else if (kind == PFS_ZONEINFO)
				format_zoneinfo(&tb);
			else
				format_vmstat(&tb);
			error = tb.overflow ? ERANGE : 0;
		}
		if (error == 0) {
			t->len = tb.len;
			break;
		}
		free(t, M_PROCFS);
		t = NULL;
		if (error != ERANGE || size >= PROCFS_MAPS_MAX) {
			error = error == ERANGE ? ENOMEM : error;
			break;
		}
		size *= 2;
	}
	if (vm != NULL)
		vmspace_free(vm);
	*out = t;
	return error;
}

/*
 * Vnodes.
 */

static uint64_t
procfs_ino(int pid, enum procfs_kind kind)
{
	return PROCFS_INO_BASE + (uint64_t)pid * PFS_NKINDS + kind;
}

static struct vnode *
procfs_vnode(enum vtype type, const struct vnode_ops *ops, struct vnode *parent,
    const char *name, size_t len, uint64_t ino)
{
	struct vnode *vp = vnode_alloc(type, type == VDIR ? 0555 : 0444, ops, parent, name, len);

	if (vp == NULL)
		return NULL;
	vp->v_fsid = FSID_PROCFS;
	vp->v_ino = ino;
	return vp;
}

static int
make_file(enum procfs_kind kind, int pid, struct vnode **out)
{
	struct procfs_text *t;
	struct vnode *vp;
	int error;

	if ((error = generate(kind, pid, &t)) != 0)
		return error;
	if ((vp = procfs_vnode(VREG, &procfs_file_ops, NULL, NULL, 0, procfs_ino(pid, kind))) == NULL) {
		free(t, M_PROCFS);
		return ENOMEM;
	}
	vp->v_data = t;
	vp->v_size = t->len;
	*out = vp;
	return 0;
}

static bool
name_is(const char *name, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(name, what, len) == 0;
}

/* A decimal pid, or -1. */
static int
parse_pid(const char *name, size_t len)
{
	int64_t pid = 0;

	if (len == 0 || len > PID_MAX_DIGITS)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pid = pid * 10 + (name[i] - '0');
	}
	return pid > 0 && pid <= INT32_MAX ? (int)pid : -1;
}

static bool
proc_exists(int pid)
{
	bool found;

	spin_lock(&proc_lock);
	found = proc_find(pid) != NULL;
	spin_unlock(&proc_lock);
	return found;
}

static int
root_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct proc *self = curproc();
	struct vnode *vp;
	int pid;

	if (name_is(name, len, "meminfo"))
		return make_file(PFS_MEMINFO, 0, out);
	if (name_is(name, len, "vmstat"))
		return make_file(PFS_VMSTAT, 0, out);
	if (name_is(name, len, "zoneinfo"))
		return make_file(PFS_ZONEINFO, 0, out);
	if (name_is(name, len, "diskstats"))
		return make_file(PFS_DISKSTATS, 0, out);
	if (name_is(name, len, "disks"))
		return make_file(PFS_DISKS, 0, out);
	if (name_is(name, len, "vmcheck"))
		return make_file(PFS_VMCHECK_ALL, 0, out);
	if (name_is(name, len, "self")) {
		if (self == NULL)
			return ENOENT;
		pid = self->p_pid;
	} else if ((pid = parse_pid(name, len)) < 0 || !proc_exists(pid)) {
		return ENOENT;
	}
	vp = procfs_vnode(VDIR, &procfs_pid_ops, dir, name, len, procfs_ino(pid, PFS_PIDDIR));
	if (vp == NULL)
		return ENOMEM;
	vp->v_data = (void *)(intptr_t)pid;
	*out = vp;
	return 0;
}

static int
pid_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (name_is(name, len, "maps"))
		return make_file(PFS_MAPS, (int)(intptr_t)dir->v_data, out);
	if (name_is(name, len, "vmmap"))
		return make_file(PFS_VMMAP, (int)(intptr_t)dir->v_data, out);
	if (name_is(name, len, "vmcheck"))
		return make_file(PFS_VMCHECK, (int)(intptr_t)dir->v_data, out);
	return ENOENT;
}

struct procfs_dirent {
	const char	*name;
	enum vtype	type;
	enum procfs_kind kind;
};

/* A fixed directory listing: ".", "..", then the entries. */
static ssize_t
list_dir(struct vnode *dir, int pid, const struct procfs_dirent *ents, size_t n,
    uint64_t *offp, void *buf, size_t len)
{
	struct vnode *up = dir->v_parent != NULL ? dir->v_parent : dir;
	uint64_t cookie = *offp;
	size_t used = 0, next;

	for (; cookie < n + 2; cookie++) {
		if (cookie == 0)
			next = dirent_add(buf, len, used, dir->v_ino, 1, VDIR, ".", 1);
		else if (cookie == 1)
			next = dirent_add(buf, len, used, up->v_ino, 2, VDIR, "..", 2);
		else
			next = dirent_add(buf, len, used, procfs_ino(pid, ents[cookie - 2].kind),
			    cookie + 1, ents[cookie - 2].type, ents[cookie - 2].name,
			    strlen(ents[cookie - 2].name));
		if (next == 0)
			break;
		used = next;
	}
	if (used == 0 && cookie < n + 2)
		return -EINVAL;
	*offp = cookie;
	return (ssize_t)used;
}

static ssize_t
root_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	static const struct procfs_dirent ents[] = {
		{ "meminfo", VREG, PFS_MEMINFO },
		{ "vmstat", VREG, PFS_VMSTAT },
		{ "zoneinfo", VREG, PFS_ZONEINFO },
		{ "diskstats", VREG, PFS_DISKSTATS },
		{ "disks", VREG, PFS_DISKS },
		{ "vmcheck", VREG, PFS_VMCHECK_ALL },
		{ "self", VDIR, PFS_PIDDIR },
	};
	struct proc *self = curproc();

	return list_dir(dir, self != NULL ? self->p_pid : 0, ents, nitems(ents), offp, buf, len);
}

static ssize_t
pid_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	static const struct procfs_dirent ents[] = {
		{ "maps", VREG, PFS_MAPS },
		{ "vmmap", VREG, PFS_VMMAP },
		{ "vmcheck", VREG, PFS_VMCHECK },
	};

	return list_dir(dir, (int)(intptr_t)dir->v_data, ents, nitems(ents), offp, buf, len);
}

static ssize_t
file_read(struct vnode *vp, struct uio *uio)
{
	struct procfs_text *t = vp->v_data;
	size_t n;

	if (uio->uio_offset >= t->len)
		return 0;
	n = MIN(uio->uio_resid, t->len - uio->uio_offset);
	if (uiomove(t->text + uio->uio_offset, n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

static int
file_open(struct vnode *vp, int oflags)
{
	return (oflags & O_ACCMODE) == O_RDONLY ? 0 : EACCES;
}

static void
procfs_reclaim(struct vnode *vp)
{
	if (vp->v_type == VREG)
		free(vp->v_data, M_PROCFS);
	vnode_free(vp);
}

static const struct vnode_ops procfs_root_ops = {
	.vop_lookup = root_lookup,
	.vop_getdents = root_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_pid_ops = {
	.vop_lookup = pid_lookup,
	.vop_getdents = pid_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_file_ops = {
	.vop_read = file_read,
	.vop_open = file_open,
	.vop_reclaim = procfs_reclaim,
};

struct vnode *
procfs_root_alloc(struct vnode *parent, const char *name)
{
	return procfs_vnode(VDIR, &procfs_root_ops, parent, name, strlen(name),
	    procfs_ino(0, PFS_ROOT));
}

int
procfs_mount(struct vnode *parent, const char *name)
{
	struct vnode *root = procfs_root_alloc(parent, name);
	int error;

	if (root == NULL)
		return ENOMEM;
	error = ramfs_link(parent, name, strlen(name), root);
	vrele(root);
	return error;
}
