/*
 * procfs: /proc, the kernel's counters and process address maps as text.
 *
 *   /proc/meminfo        MemTotal, MemFree, MemAvailable (Linux format)
 *   /proc/vmstat         "name value" lines: the fault, object, pmap and
 *                        page counters of this kernel
 *   /proc/zoneinfo       every zone and malloc type with its counts
 *   /proc/swaps          the swap devices in service, in Linux's format
 *   /proc/diskstats      each disk's I/O counters, in Linux's format
 *   /proc/disks          each disk's geometry, deepest queue, errors,
 *                        timeouts, resets, requests submitted and the
 *                        sum of the queue depths they found (this
 *                        kernel's own: what diskstats has no column for)
 *   /proc/lockdep        the lock classes and the orders learnt between them
 *   /proc/lockdep_stats  the lock checker's counts (witness.h)
 *   /proc/self           the calling process's directory
 *   /proc/PID/maps       the address map, in Linux's format
 *   /proc/PID/vmmap      the address map with objects and shadow depth
 *   /proc/PID/vmcheck    the VM's consistency check of the process's address
 *                        space (vm_map_verify): each problem, "problems N"
 *   /proc/vmcheck        the same for every process, wired pages counted
 *                        against those found, and page wirings against the
 *                        entries and kernel that hold them (exact when nothing
 *                        is being wired meanwhile), the paging queues and
 *                        swap metadata; and totals that agree only when the
 *                        system is quiet: swap slots used and held by
 *                        objects, committed pages counted and held by map
 *                        entries
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
#include <kern/witness.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_commit.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_sysctl.h>
#include <vm/vm_laundry.h>
#include <vm/vm_oom.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_pageout.h>
#include <vm/vm_workingset.h>
#include <vm/vm_wait.h>
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
#define PROCFS_INO_PER_PID	16	/* room for every kind of file */

enum procfs_kind { PFS_ROOT, PFS_PIDDIR, PFS_MEMINFO, PFS_VMSTAT, PFS_MAPS, PFS_ZONEINFO,
	PFS_VMMAP, PFS_DISKSTATS, PFS_DISKS, PFS_LOCKDEP_STATS, PFS_LOCKDEP, PFS_VMCHECK,
	PFS_VMCHECK_ALL, PFS_SWAPS, PFS_SYSDIR, PFS_SYSVMDIR, PFS_NKINDS };

_Static_assert(PFS_NKINDS <= PROCFS_INO_PER_PID, "procfs inode numbers overlap");

#define PROCFS_CHECK_TEXT	16384	/* room for problem lines; the rest are only counted */
#define PROCFS_CHECK_SUMMARY	128	/* kept free for the summary lines */
#define PROCFS_CHECK_MAPS	256	/* processes /proc/vmcheck looks at */

/* v_data of a generated file. */
struct procfs_text {
	size_t		len;
	const struct vm_sysctl *sysctl;	/* a /proc/sys/vm file's setting, else NULL */
	char		text[];
};

static const struct vnode_ops procfs_root_ops;
static const struct vnode_ops procfs_pid_ops;
static const struct vnode_ops procfs_file_ops;
static const struct vnode_ops procfs_sys_ops;
static const struct vnode_ops procfs_sysvm_ops;
static const struct vnode_ops procfs_sysctl_ops;
static int make_dir(const struct vnode_ops *ops, struct vnode *parent, const char *name,
    size_t len, enum procfs_kind kind, struct vnode **out);

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
	tb_printf(tb, "%-16s%8lu kB\n", "Active:", vm_pagequeue_total(PQ_ACTIVE) * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "Inactive:", vm_pagequeue_total(PQ_INACTIVE) * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "Active(anon):",
	    vm_pagequeue_count(PQ_ACTIVE, PQ_KIND_ANON) * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "Inactive(anon):",
	    vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_ANON) * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "Active(file):",
	    vm_pagequeue_count(PQ_ACTIVE, PQ_KIND_FILE) * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "Inactive(file):",
	    vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_FILE) * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "Mlocked:", vm_page_count_wired() * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "SwapTotal:", swap_total_pages() * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "SwapFree:", swap_free_pages() * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "CommitLimit:", vm_commit_limit_pages() * kb);
	tb_printf(tb, "%-16s%8lu kB\n", "Committed_AS:", vm_committed_pages() * kb);
}

#define SWAPS_PATH_COLUMNS	40	/* Linux pads the name to here */
#define SWAPS_WIDE		10000000	/* a number this big needs no second tab */

/* The devices in service, as Linux's swap_show prints them (sizes in KiB). */
static void
format_swaps(struct textbuf *tb)
{
	struct swap_device_info info;
	uint64_t kb = PAGE_SIZE / 1024;

	tb_printf(tb, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	for (int i = 0; swap_device_info(i, &info); i++) {
		size_t len = strlen(info.path);
		uint64_t size = info.pages * kb, used = info.used * kb;

		tb_printf(tb, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", info.path,
		    (int)(len < SWAPS_PATH_COLUMNS ? SWAPS_PATH_COLUMNS - len : 1), " ", "partition",
		    size, size < SWAPS_WIDE ? "\t" : "", used, used < SWAPS_WIDE ? "\t" : "",
		    info.priority);
	}
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

/* 512-byte sectors of cmd every disk has completed (Linux's pgpgin/pgpgout count all block I/O). */
static uint64_t
disk_sectors_total(enum bio_cmd cmd)
{
	struct disk_stats st;
	uint64_t n = 0;

	for (struct disk *dp = disk_next(NULL); dp != NULL; dp = disk_next(dp)) {
		disk_get_stats(dp, &st);
		n += st.ds_sectors[cmd];
	}
	return n;
}

/* Linux's pswpin and pswpout (pages), then this kernel's own swap counters. */
static void
format_swap_stats(struct textbuf *tb)
{
	const struct swap_stats *ss = &swap_stats;

	tb_printf(tb, "pswpin %lu\n", ss->pswpin);
	tb_printf(tb, "pswpout %lu\n", ss->pswpout);
	tb_printf(tb, "swap_slots_used %lu\n", swap_total_pages() - swap_free_pages());
	tb_printf(tb, "swap_read_requests %lu\n", ss->read_requests);
	tb_printf(tb, "swap_write_requests %lu\n", ss->write_requests);
	tb_printf(tb, "swap_read_cluster_max %lu\n", ss->read_cluster_max);
	tb_printf(tb, "swap_write_cluster_max %lu\n", ss->write_cluster_max);
	tb_printf(tb, "swap_read_errors %lu\n", ss->read_errors);
	tb_printf(tb, "swap_write_errors %lu\n", ss->write_errors);
	tb_printf(tb, "swap_alloc_failures %lu\n", ss->alloc_failures);
	tb_printf(tb, "swap_alloc_short %lu\n", ss->alloc_short);
	tb_printf(tb, "swap_lost_pages %lu\n", ss->lost_pages);
}

static void
format_vmstat(struct textbuf *tb)
{
	struct pmap_stats ps;
	const struct vm_fault_stats *fs = &vm_fault_stats;
	const struct vm_object_stats *os = &vm_object_stats;
	const struct vm_pageout_stats *ps_out = &vm_pageout_stats;
	const struct vm_workingset_stats *ws = &vm_workingset_stats;

	pmap_get_stats(&ps);
	tb_printf(tb, "pgfault %lu\n", fs->faults);
	tb_printf(tb, "pmap_fixups %lu\n", fs->pmap_fixups);
	tb_printf(tb, "zero_fill %lu\n", fs->zero_fills);
	tb_printf(tb, "cow_copy %lu\n", fs->cow_copies);
	tb_printf(tb, "cow_move %lu\n", fs->cow_moves);
	tb_printf(tb, "pageins %lu\n", fs->pageins);
	tb_printf(tb, "fault_restarts %lu\n", fs->restarts);
	tb_printf(tb, "fault_memory_waits %lu\n", fs->memory_waits);
	tb_printf(tb, "fault_oom %lu\n", fs->oom);
	tb_printf(tb, "page_busy_sleeps %lu\n", vm_page_stats.busy_sleeps);
	tb_printf(tb, "vm_wait_sleeps %lu\n", vm_wait_stats.sleeps);
	tb_printf(tb, "vm_wait_fails %lu\n", vm_wait_stats.fails);
	tb_printf(tb, "segv_maperr %lu\n", fs->segv_maperr);
	tb_printf(tb, "segv_accerr %lu\n", fs->segv_accerr);
	tb_printf(tb, "shadow_objects %lu\n", os->shadows);
	/* Anonymous objects, paged out or not; those paged out once are swap objects too. */
	tb_printf(tb, "objects_anon %lu\n", os->objects[OBJT_ANON] + os->objects[OBJT_SWAP]);
	tb_printf(tb, "objects_swap %lu\n", os->objects[OBJT_SWAP]);
	tb_printf(tb, "objects_vnode %lu\n", os->objects[OBJT_VNODE]);
	tb_printf(tb, "objects_device %lu\n", os->objects[OBJT_DEVICE]);
	tb_printf(tb, "collapses %lu\n", os->collapses);
	tb_printf(tb, "bypasses %lu\n", os->bypasses);
	tb_printf(tb, "collapse_pages_moved %lu\n", os->collapse_pages_moved);
	tb_printf(tb, "collapse_pages_freed %lu\n", os->collapse_pages_freed);
	tb_printf(tb, "collapse_swap_moved %lu\n", os->collapse_swap_moved);
	tb_printf(tb, "collapse_swap_freed %lu\n", os->collapse_swap_freed);
	tb_printf(tb, "unmap_pages_freed %lu\n", os->unmap_pages_freed);
	tb_printf(tb, "pv_entries %lu\n", ps.pv_entries);
	tb_printf(tb, "pv_reclaims %lu\n", ps.pv_reclaims);
	tb_printf(tb, "pt_pages %lu\n", ps.pt_pages);
	tb_printf(tb, "asid_rollovers %lu\n", ps.asid_rollovers);
	tb_printf(tb, "tlb_shootdowns %lu\n", ps.shootdowns);
	tb_printf(tb, "tlb_lazy_shootdowns %lu\n", ps.lazy_shootdowns);
	tb_printf(tb, "dirty_faults %lu\n", ps.dirty_faults);
	tb_printf(tb, "ref_faults %lu\n", ps.ref_faults);
	tb_printf(tb, "free_pages %lu\n", vm_page_count_free());
	tb_printf(tb, "nr_free_pages %lu\n", vm_page_count_free());
	tb_printf(tb, "nr_inactive_anon %lu\n", vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_ANON));
	tb_printf(tb, "nr_active_anon %lu\n", vm_pagequeue_count(PQ_ACTIVE, PQ_KIND_ANON));
	tb_printf(tb, "nr_inactive_file %lu\n", vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_FILE));
	tb_printf(tb, "nr_active_file %lu\n", vm_pagequeue_count(PQ_ACTIVE, PQ_KIND_FILE));
	tb_printf(tb, "nr_laundry %lu\n", vm_pagequeue_total(PQ_LAUNDRY));
	tb_printf(tb, "nr_unswappable %lu\n", vm_pagequeue_total(PQ_UNSWAPPABLE));
	tb_printf(tb, "nr_dirty_kernel %lu\n", vm_page_dirty);
	tb_printf(tb, "pgmajfault %lu\n", fs->pageins);
	tb_printf(tb, "pgpgin %lu\n", disk_sectors_total(BIO_READ) / 2);
	tb_printf(tb, "pgpgout %lu\n", disk_sectors_total(BIO_WRITE) / 2);
	tb_printf(tb, "pgactivate %lu\n", vm_pagequeue_stats.pgactivate);
	tb_printf(tb, "pgdeactivate %lu\n", vm_pagequeue_stats.pgdeactivate);
	tb_printf(tb, "pgscan_kswapd %lu\n", ps_out->pgscan_kswapd);
	/* Reclaimed by the page daemon's threads: its inactive scan and the laundry. */
	tb_printf(tb, "pgsteal_kswapd %lu\n", ps_out->pgsteal_kswapd + vm_laundry_stats.freed);
	tb_printf(tb, "pgscan_active %lu\n", ps_out->pgscan_active);
	tb_printf(tb, "reactivations %lu\n", ps_out->reactivations);
	tb_printf(tb, "pageout_to_laundry %lu\n", ps_out->pages_to_laundry);
	tb_printf(tb, "pageout_unswappable %lu\n", ps_out->pages_unswappable);
	tb_printf(tb, "pageout_passes %lu\n", ps_out->passes);
	tb_printf(tb, "pageout_wakeups %lu\n", ps_out->wakeups);
	tb_printf(tb, "pageout_oom_passes %lu\n", ps_out->oom_passes);
	tb_printf(tb, "laundry_passes %lu\n", vm_laundry_stats.passes);
	tb_printf(tb, "laundry_clusters %lu\n", vm_laundry_stats.clusters);
	tb_printf(tb, "laundry_cluster_pages %lu\n", vm_laundry_stats.cluster_pages);
	tb_printf(tb, "laundry_freed %lu\n", vm_laundry_stats.freed);
	tb_printf(tb, "laundry_reactivated %lu\n", vm_laundry_stats.reactivated);
	tb_printf(tb, "laundry_parked %lu\n", vm_laundry_stats.parked);
	tb_printf(tb, "workingset_refault_anon %lu\n", ws->refault[PQ_KIND_ANON]);
	tb_printf(tb, "workingset_refault_file %lu\n", ws->refault[PQ_KIND_FILE]);
	tb_printf(tb, "workingset_activate_anon %lu\n", ws->activate[PQ_KIND_ANON]);
	tb_printf(tb, "workingset_activate_file %lu\n", ws->activate[PQ_KIND_FILE]);
	tb_printf(tb, "oom_kill %lu\n", vm_oom_stats.oom_kill);
	tb_printf(tb, "wired_pages %lu\n", vm_page_count_wired());
	tb_printf(tb, "fork_pages_copied %lu\n", vm_map_stats.fork_pages_copied);
	format_swap_stats(tb);
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

/*
 * The lock classes and the orders learnt, after Linux's /proc/lockdep:
 * each class with its number, forward and backward dependency counts,
 * kind and name, then " -> " and each class learnt to come after it.
 * The graph only grows, and is read here without its lock.
 */
static void
format_lockdep(struct textbuf *tb)
{
	const struct witness_graph *g = &witness_graph;
	int n = __atomic_load_n(&g->nclasses, __ATOMIC_ACQUIRE);

	tb_printf(tb, "all lock classes:\n");
	for (int a = 1; a <= n; a++) {
		const struct wg_class *c = &g->classes[a];

		tb_printf(tb, "%4d FD: %4u BD: %4u %-5s: %s%s\n", a, c->forward, c->backward,
		    (c->flags & WG_SLEEP) ? "sleep" : "spin", c->name,
		    (c->flags & WG_DUPOK) ? " (may nest)" : "");
		for (int b = 1; b <= n; b++)
			if (wg_edge(g, a, b))
				tb_printf(tb, " -> [%d] %s\n", b, g->classes[b].name);
	}
}

/* The lock checker's counts, one " name: value" line each, as Linux's lockdep_stats. */
static void
format_lockdep_stats(struct textbuf *tb)
{
	tb_printf(tb, " lock-classes: %d [max: %d]\n", witness_graph.nclasses, WG_UNCHECKED - 1);
	tb_printf(tb, " direct dependencies: %d\n", witness_graph.nedges);
	tb_printf(tb, " dependency checks (slow path): %lu\n", witness_graph.slow_checks);
	tb_printf(tb, " lock order reversals: %lu\n", witness_stats.reversals);
	for (int r = 0; r < WITNESS_NRULES; r++)
		tb_printf(tb, " sleep rule broken (%s): %lu\n", witness_rule_name(r),
		    witness_stats.broken[r]);
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

	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next)
		format_entry(&tb, vm, e);
	vm_map_unlock_read(map);
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
	vm_map_lock_read(map);
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
	vm_map_unlock_read(map);
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
	uint64_t held = vm_page_count_kernel_wirings(), committed = 0;
	int problems = 0;

	for (int i = 0; i < n; i++) {
		problems += vm_map_verify(&vms[i]->vm_map, check_report, tb);
		held += vm_map_wirings(&vms[i]->vm_map);
		committed += vm_map_committed_pages(&vms[i]->vm_map);
		vmspace_free(vms[i]);
	}
	if (all) {
		/* Paging queues: every page on the queue its state names (vm_pagequeue.h). */
		problems += vm_pagequeue_verify(check_report, tb);
		/*
		 * Every page the commit counter holds for mappings is held by a
		 * map entry.  The maps are summed one after another, so the
		 * totals agree only while no process maps, forks or exits: shown,
		 * for tests that know it is quiet.
		 */
		tb_printf(tb, "committed_pages_counted %lu\ncommitted_pages_held %lu\n",
		    vm_committed_entry_pages(), committed);
	}
	if (all) {
		uint64_t counted = vm_page_count_wired(), found = vm_page_scan_wired();
		uint64_t wirings = vm_page_scan_wirings(), copies, slots;

		/*
		 * Every copy an object holds is a slot in use.  The two totals
		 * agree when nothing is paging (a slot is taken just before its
		 * copy is recorded): shown, for tests that know it is quiet.
		 */
		problems += swap_pager_check(check_report, tb, &copies);
		slots = swap_total_pages() - swap_free_pages();
		tb_printf(tb, "swap_slots_used %lu\nswap_slots_held %lu\n", slots, copies);

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
	struct procfs_text *t = malloc(sizeof(struct procfs_text) + size, M_PROCFS, M_WAITOK);

	if (t != NULL)
		t->sysctl = NULL;
	return t;
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
	size_t size = kind == PFS_MAPS || kind == PFS_VMMAP || kind == PFS_ZONEINFO ||
	    kind == PFS_LOCKDEP ? PROCFS_MAPS_START : PROCFS_SMALL_TEXT;
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
			else if (kind == PFS_SWAPS)
				format_swaps(&tb);
			else if (kind == PFS_DISKS)
				format_disks(&tb);
			else if (kind == PFS_ZONEINFO)
				format_zoneinfo(&tb);
			else if (kind == PFS_LOCKDEP_STATS)
				format_lockdep_stats(&tb);
			else if (kind == PFS_LOCKDEP)
				format_lockdep(&tb);
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
	return PROCFS_INO_BASE + (uint64_t)pid * PROCFS_INO_PER_PID + kind;
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
	if (name_is(name, len, "swaps"))
		return make_file(PFS_SWAPS, 0, out);
	if (name_is(name, len, "disks"))
		return make_file(PFS_DISKS, 0, out);
	if (name_is(name, len, "lockdep_stats"))
		return make_file(PFS_LOCKDEP_STATS, 0, out);
	if (name_is(name, len, "lockdep"))
		return make_file(PFS_LOCKDEP, 0, out);
	if (name_is(name, len, "vmcheck"))
		return make_file(PFS_VMCHECK_ALL, 0, out);
	if (name_is(name, len, "sys"))
		return make_dir(&procfs_sys_ops, dir, name, len, PFS_SYSDIR, out);
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
		{ "swaps", VREG, PFS_SWAPS },
		{ "disks", VREG, PFS_DISKS },
		{ "lockdep_stats", VREG, PFS_LOCKDEP_STATS },
		{ "lockdep", VREG, PFS_LOCKDEP },
		{ "vmcheck", VREG, PFS_VMCHECK_ALL },
		{ "sys", VDIR, PFS_SYSDIR },
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

/*
 * /proc/sys/vm: one file per VM setting (vm_sysctl.h), its number and a
 * newline; root may write a new number to the writable ones.
 */

#define SYSCTL_INO_BASE		(PROCFS_INO_BASE - 0x1000)	/* below every other procfs inode */
#define SYSCTL_TEXT		32				/* a number and a newline */

/* A directory of kind in /proc (no process), referenced in *out. */
static int
make_dir(const struct vnode_ops *ops, struct vnode *parent, const char *name, size_t len,
    enum procfs_kind kind, struct vnode **out)
{
	struct vnode *vp = procfs_vnode(VDIR, ops, parent, name, len, procfs_ino(0, kind));

	if (vp == NULL)
		return ENOMEM;
	*out = vp;
	return 0;
}

static int
sys_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (name_is(name, len, "vm"))
		return make_dir(&procfs_sysvm_ops, dir, name, len, PFS_SYSVMDIR, out);
	return ENOENT;
}

static ssize_t
sys_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	static const struct procfs_dirent ents[] = { { "vm", VDIR, PFS_SYSVMDIR } };

	return list_dir(dir, 0, ents, nitems(ents), offp, buf, len);
}

static int
sysvm_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	const struct vm_sysctl *sc = vm_sysctl_find(name, len);
	struct procfs_text *t;
	struct vnode *vp;

	(void)dir;
	if (sc == NULL)
		return ENOENT;
	if ((t = text_alloc(SYSCTL_TEXT)) == NULL)
		return ENOMEM;
	t->sysctl = sc;
	t->len = (size_t)snprintf(t->text, SYSCTL_TEXT, "%lu\n", sc->get());
	vp = procfs_vnode(VREG, &procfs_sysctl_ops, NULL, NULL, 0,
	    SYSCTL_INO_BASE + (uint64_t)(sc - vm_sysctl_at(0)));
	if (vp == NULL) {
		free(t, M_PROCFS);
		return ENOMEM;
	}
	if (sc->set != NULL)
		vp->v_mode = 0644;
	vp->v_data = t;
	vp->v_size = t->len;
	*out = vp;
	return 0;
}

static ssize_t
sysvm_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	struct vnode *up = dir->v_parent != NULL ? dir->v_parent : dir;
	uint64_t cookie = *offp;
	size_t used = 0, next;

	for (;; cookie++) {
		const struct vm_sysctl *sc = cookie >= 2 ? vm_sysctl_at(cookie - 2) : NULL;

		if (cookie == 0)
			next = dirent_add(buf, len, used, dir->v_ino, 1, VDIR, ".", 1);
		else if (cookie == 1)
			next = dirent_add(buf, len, used, up->v_ino, 2, VDIR, "..", 2);
		else if (sc == NULL)
			break;
		else
			next = dirent_add(buf, len, used, SYSCTL_INO_BASE + cookie - 2, cookie + 1,
			    VREG, sc->name, strlen(sc->name));
		if (next == 0)
			break;
		used = next;
	}
	if (used == 0 && (cookie < 2 || vm_sysctl_at(cookie - 2) != NULL))
		return -EINVAL;
	*offp = cookie;
	return (ssize_t)used;
}

/* Writing is for root, and only where the setting may change. */
static int
sysctl_open(struct vnode *vp, int oflags)
{
	const struct procfs_text *t = vp->v_data;
	struct proc *p = curproc();

	if ((oflags & O_ACCMODE) == O_RDONLY)
		return 0;
	return t->sysctl->set != NULL && p != NULL && p->p_uid == 0 ? 0 : EACCES;
}

/* A decimal number with blanks around it, as Linux's proc_doulongvec takes it; -1 if not. */
static int64_t
parse_setting(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t v = 0;
	bool digits = false;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits = true) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	return digits && i == n ? (int64_t)v : -1;
}

static ssize_t
sysctl_write(struct vnode *vp, struct uio *uio)
{
	const struct procfs_text *t = vp->v_data;
	char buf[SYSCTL_TEXT];
	size_t n = uio->uio_resid;
	int64_t v;
	int error;

	if (n == 0)
		return 0;
	if (n >= sizeof(buf))
		return -EINVAL;
	if (uiomove(buf, n, uio) != 0)
		return -EFAULT;
	if ((v = parse_setting(buf, n)) < 0)
		return -EINVAL;
	if ((error = t->sysctl->set((uint64_t)v)) != 0)
		return -error;
	return (ssize_t)n;
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

static const struct vnode_ops procfs_sys_ops = {
	.vop_lookup = sys_lookup,
	.vop_getdents = sys_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_sysvm_ops = {
	.vop_lookup = sysvm_lookup,
	.vop_getdents = sysvm_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_sysctl_ops = {
	.vop_read = file_read,
	.vop_write = sysctl_write,
	.vop_open = sysctl_open,
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
