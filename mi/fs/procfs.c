/*
 * procfs: /proc, the kernel's counters and the processes, as text (see
 * procfs_internal.h for how the pieces fit).  This file has the root
 * directory, the system-wide files and the machinery; /proc/PID is
 * procfs_pid.c, /proc/sys procfs_sys.c.
 *
 *   /proc/meminfo        MemTotal, MemFree, MemAvailable, Unevictable and
 *                        Mlocked (wired pages) (Linux format)
 *   /proc/vmstat         "name value" lines: the fault, object, pmap and
 *                        page counters of this kernel
 *   /proc/zoneinfo       every zone and malloc type with its counts
 *   /proc/swaps          the swap devices in service, in Linux's format
 *   /proc/diskstats      each disk's I/O counters, in Linux's format
 *   /proc/mounts         the mount table, in Linux's format (vfs_mount.c)
 *   /proc/sys/, /proc/sysrq-trigger  write-back's tunables (procfs_sys.c)
 *   /proc/disks          each disk's geometry, deepest queue, errors,
 *                        timeouts, resets, requests submitted and the
 *                        sum of the queue depths they found (this
 *                        kernel's own: what diskstats has no column for)
 *   /proc/lockdep        the lock classes and the orders learnt between them
 *   /proc/lockdep_stats  the lock checker's counts (witness.h)
 *   /proc/locks          every record lock and the requests waiting for
 *                        it, in Linux's format
 *   /proc/cpuinfo        each cpu, as Linux describes this architecture's
 *   /proc/uptime         seconds since boot, and seconds all cpus idled
 *   /proc/loadavg        the 1, 5 and 15 minute load averages, threads
 *                        runnable/existing, the last pid handed out
 *   /proc/stat           clock ticks per cpu by what they found, context
 *                        switches, boot time, forks, runnable threads
 *   /proc/vmcheck        the VM's consistency check (vm_map_verify) of
 *                        every process's address space, wired pages
 *                        counted against those found, and page wirings
 *                        against the entries and kernel that hold them
 *                        (exact when nothing is being wired meanwhile), the
 *                        paging queues and swap metadata; and totals that
 *                        agree only when the system is quiet: swap slots
 *                        used and held by objects, committed pages counted
 *                        and held by map entries
 *   /proc/sys/           the kernel's tunables, the VM's among them (procfs_sys.c)
 *   /proc/self           the calling process's directory
 *   /proc/PID/           one directory per process (procfs_pid.c)
 *
 * procfs is a file system type ("proc"), mounted on /proc at boot: only
 * its root directory is permanent.  Everything below it is made by the
 * lookup that names it, in the mount of the directory looked in: a
 * directory, or a file whose text is generated right then into a kernel
 * buffer that later reads copy from, like a frozen regular file.  Such
 * vnodes have no links, so they are reclaimed with their last reference;
 * every open of a file sees a fresh snapshot.
 *
 * Locking: none of procfs's own.  A file's text is constant once made.
 * Generating maps holds the target map's lock (a spin lock) while it
 * formats into a buffer allocated beforehand, retrying with a bigger
 * buffer if the map did not fit.  Another process's vmspace is found
 * under proc_lock and referenced before proc_lock is dropped.
 */
#include <kern/systm.h>
#include <kern/disk.h>
#include <kern/loadavg.h>
#include <kern/lockf.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <kern/pid.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/time.h>
#include <kern/witness.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/vm_page_zero.h>
#include <vm/vm_phys.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_commit.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_laundry.h>
#include <vm/vm_oom.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_pageout.h>
#include <vm/vm_superpage.h>
#include <vm/vm_workingset.h>
#include <vm/vm_wait.h>
#include <vm/vnode_pager.h>
#include <vm/zone.h>
#include <fs/mount.h>
#include <fs/procfs_internal.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include <uapi/statfs.h>

MALLOC_DEFINE(M_PROCFS, "procfs", "generated /proc file contents");

#define PROCFS_TEXT_START	4096	/* the first buffer a file's text is tried in */
#define PROCFS_TEXT_MAX		(1UL << 20)
#define PROCFS_INO_BASE		0x70000000UL
#define PID_MAX_DIGITS		10
#define CPUINFO_LINE		256	/* the machine's lines for one cpu */
#define PROCFS_CHECK_TEXT	16384	/* room for problem lines; the rest are only counted */
#define PROCFS_CHECK_SUMMARY	128	/* kept free for the summary lines */
#define PROCFS_CHECK_MAPS	256	/* processes /proc/vmcheck looks at */

/* v_data of a generated file. */
struct procfs_text {
	size_t		len;
	char		text[];
};

static const struct vnode_ops procfs_root_ops;
static const struct vnode_ops procfs_file_ops;

/*
 * Text generation.
 */

void
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

void
tb_pad_to(struct textbuf *tb, size_t line_start, size_t column)
{
	while (!tb->overflow && tb->len - line_start < column)
		tb_printf(tb, " ");
}

/*
 * System-wide files.
 */

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
	/* Wired pages (mlock, SHM_LOCK): never paged out, so both counts are the same. */
	tb_printf(tb, "%-16s%8lu kB\n", "Unevictable:", vm_page_count_wired() * kb);
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
	/* Linux keeps shmem's pages in swap per file only (shmem_inode_info's swapped). */
	tb_printf(tb, "swap_file_pages %lu\n", swap_pager_file_pages());
	tb_printf(tb, "swap_read_requests %lu\n", ss->read_requests);
	tb_printf(tb, "swap_write_requests %lu\n", ss->write_requests);
	tb_printf(tb, "swap_read_cluster_max %lu\n", ss->read_cluster_max);
	tb_printf(tb, "swap_write_cluster_max %lu\n", ss->write_cluster_max);
	tb_printf(tb, "swap_read_errors %lu\n", ss->read_errors);
	tb_printf(tb, "swap_write_errors %lu\n", ss->write_errors);
	tb_printf(tb, "swap_alloc_failures %lu\n", ss->alloc_failures);
	tb_printf(tb, "swap_alloc_short %lu\n", ss->alloc_short);
	tb_printf(tb, "swap_lost_pages %lu\n", ss->lost_pages);
	tb_printf(tb, "swap_write_throttled %lu\n", ss->write_throttled);
	tb_printf(tb, "swap_ra %lu\n", ss->ra);
	tb_printf(tb, "swap_ra_hit %lu\n", ss->ra_hit);
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
	/* Linux's names: page tables (the ones kept to demote superpages too), superpages. */
	tb_printf(tb, "nr_page_table_pages %lu\n", ps.pt_pages);
	tb_printf(tb, "nr_anon_transparent_hugepages %lu\n", ps.sp_mappings);
	tb_printf(tb, "thp_fault_alloc %lu\n", vm_superpage_stats.fault_alloc);
	tb_printf(tb, "thp_fault_fallback %lu\n", vm_superpage_stats.fault_fallback);
	tb_printf(tb, "thp_split_pmd %lu\n", ps.sp_demotions);
	tb_printf(tb, "pt_cached %lu\n", ps.pt_cached);
	tb_printf(tb, "asid_rollovers %lu\n", ps.asid_rollovers);
	tb_printf(tb, "tlb_shootdowns %lu\n", ps.shootdowns);
	tb_printf(tb, "tlb_lazy_shootdowns %lu\n", ps.lazy_shootdowns);
	tb_printf(tb, "tlb_switch_flushes %lu\n", ps.switch_flushes);
	tb_printf(tb, "dirty_faults %lu\n", ps.dirty_faults);
	tb_printf(tb, "ref_faults %lu\n", ps.ref_faults);
	tb_printf(tb, "free_pages %lu\n", vm_page_count_free());
	tb_printf(tb, "nr_free_pages %lu\n", vm_page_count_free());
	tb_printf(tb, "nr_free_zeroed %lu\n", vm_phys_zeroed_count());
	tb_printf(tb, "pgzero_idle %lu\n", vm_page_zero_stats.idle);
	tb_printf(tb, "pgzero_pool_hit %lu\n", vm_page_zero_stats.pool_hits);
	tb_printf(tb, "pgzero_pool_miss %lu\n", vm_page_zero_stats.pool_misses);
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
	tb_printf(tb, "laundry_busy %lu\n", vm_laundry_stats.busy);
	tb_printf(tb, "laundry_failed %lu\n", vm_laundry_stats.failed);
	tb_printf(tb, "workingset_refault_anon %lu\n", ws->refault[PQ_KIND_ANON]);
	tb_printf(tb, "workingset_refault_file %lu\n", ws->refault[PQ_KIND_FILE]);
	tb_printf(tb, "workingset_activate_anon %lu\n", ws->activate[PQ_KIND_ANON]);
	tb_printf(tb, "workingset_activate_file %lu\n", ws->activate[PQ_KIND_FILE]);
	tb_printf(tb, "oom_kill %lu\n", vm_oom_stats.oom_kill);
	tb_printf(tb, "wired_pages %lu\n", vm_page_count_wired());
	tb_printf(tb, "fork_pages_copied %lu\n", vm_map_stats.fork_pages_copied);
	tb_printf(tb, "nr_dirty %lu\n", vm_page_dirty_file);
	tb_printf(tb, "nr_writeback %lu\n", vnode_pager_stats.writeback);
	tb_printf(tb, "file_pageins %lu\n", vnode_pager_stats.pageins);
	tb_printf(tb, "file_pageouts %lu\n", vnode_pager_stats.pageouts);
	tb_printf(tb, "file_read_requests %lu\n", vnode_pager_stats.read_requests);
	tb_printf(tb, "file_write_requests %lu\n", vnode_pager_stats.write_requests);
	tb_printf(tb, "file_readaheads %lu\n", vnode_pager_stats.readaheads);
	tb_printf(tb, "file_read_errors %lu\n", vnode_pager_stats.read_errors);
	tb_printf(tb, "file_write_errors %lu\n", vnode_pager_stats.write_errors);
	tb_printf(tb, "file_pages_dropped %lu\n", vnode_pager_stats.dropped);
	tb_printf(tb, "file_pages_freed_behind %lu\n", vnode_pager_stats.freed_behind);
	tb_printf(tb, "syncer_passes %lu\n", syncer_pass_count());
	tb_printf(tb, "idle_instret %lu\n", sched_idle_instret());
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

/* One line of /proc/locks (Linux's lock_get_status). */
static void
format_lock(void *arg, const struct lockf_info *li)
{
	struct textbuf *tb = arg;
	uint32_t dev = li->ident.li_dev;

	tb_printf(tb, "%u: %s%s ADVISORY  %s %d %02x:%02x:%lu %ld ", li->id,
	    li->waiting ? "-> " : "", li->flavor == LOCKF_OFD ? "OFDLCK" : "POSIX ",
	    li->type == F_WRLCK ? "WRITE" : "READ", li->pid, (dev >> 8) & 0xfff,
	    (dev & 0xff) | ((dev >> 12) & 0xfff00), li->ident.li_ino, li->start);
	if (li->end == LOCKF_EOF)
		tb_printf(tb, "EOF\n");
	else
		tb_printf(tb, "%ld\n", li->end);
}

static void
format_locks(struct textbuf *tb)
{
	lockf_foreach(format_lock, tb);
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

/*
 * /proc/PID/smaps: each mapping's maps line, then what its pages are, in
 * Linux's format.  A page counts as shared when more than one mapping
 * (in any process) maps it, and its Pss share is its size divided among
 * them; dirty when it has been written (through any mapping: Linux's
 * fork copies the dirty bit into both page tables);
 * anonymous when it is no file's page (a private copy, anonymous
 * memory).  Locked is the Pss of wired mappings.  There is no swap yet.
 * The page's object is read without its lock (zone memory: a stale
 * answer at worst).
 */
#define PSS_SHIFT	12		/* fixed point for the shares, as Linux's */
#define SMAPS_LEAVES	32

struct smaps_counts {
	uint64_t	size, rss, pss, pss_dirty, pss_anon, locked;	/* pss, locked: << PSS_SHIFT */
	uint64_t	shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t	referenced, anonymous, anon_huge;
};

bool
procfs_page_is_anonymous(const struct vm_page *m)
{
	const struct vm_object *obj = __atomic_load_n(&m->object, __ATOMIC_RELAXED);

	return obj == NULL || obj->type != OBJT_VNODE;
}

/* Add entry e's pages (map locked) to *c. */
static void
smaps_entry(struct vmspace *vm, const struct vm_map_entry *e, struct smaps_counts *c)
{
	struct pmap_leaf leaves[SMAPS_LEAVES];
	vaddr_t va = e->start;

	c->size += e->end - e->start;
	while (va < e->end) {
		size_t n = pmap_leaves(vm->vm_pmap, &va, e->end, leaves, SMAPS_LEAVES);

		for (size_t i = 0; i < n; i++) {
			struct vm_page *m = PHYS_TO_VM_PAGE(leaves[i].pa);
			int maps = m != NULL ? MAX(pmap_page_mapping_count(m), 1) : 1;
			uint64_t share = (PAGE_SIZE << PSS_SHIFT) / (uint64_t)maps;
			/* Written through this mapping, or through one fork write-protected. */
			bool dirty = leaves[i].modified || (m != NULL && pmap_is_modified(m));

			c->rss += PAGE_SIZE;
			c->pss += share;
			if (dirty)
				c->pss_dirty += share;
			if (maps > 1)
				*(dirty ? &c->shared_dirty : &c->shared_clean) += PAGE_SIZE;
			else
				*(dirty ? &c->private_dirty : &c->private_clean) += PAGE_SIZE;
			c->referenced += PAGE_SIZE;	/* entered with A set: accessed */
			if (m != NULL && procfs_page_is_anonymous(m)) {
				c->anonymous += PAGE_SIZE;
				c->pss_anon += share;
				if (leaves[i].super)
					c->anon_huge += PAGE_SIZE;
			}
			if (e->wired_count > 0)
				c->locked += share;
		}
	}
}

static void
tb_smaps_kb(struct textbuf *tb, const char *name, uint64_t bytes)
{
	tb_printf(tb, "%-16s%8lu kB\n", name, bytes >> 10);
}

static void
format_smaps_counts(struct textbuf *tb, const struct smaps_counts *c, bool rollup)
{
	const struct { const char *name; uint64_t bytes; } lines[] = {
		{ "Shared_Clean:", c->shared_clean }, { "Shared_Dirty:", c->shared_dirty },
		{ "Private_Clean:", c->private_clean }, { "Private_Dirty:", c->private_dirty },
		{ "Referenced:", c->referenced }, { "Anonymous:", c->anonymous },
		/* What this kernel does not have: lazy frees, shared huge pages, swap. */
		{ "LazyFree:", 0 }, { "AnonHugePages:", c->anon_huge }, { "ShmemPmdMapped:", 0 },
		{ "FilePmdMapped:", 0 }, { "Shared_Hugetlb:", 0 }, { "Private_Hugetlb:", 0 },
		{ "Swap:", 0 }, { "SwapPss:", 0 }, { "Locked:", c->locked >> PSS_SHIFT },
	};

	if (!rollup) {
		tb_smaps_kb(tb, "Size:", c->size);
		tb_smaps_kb(tb, "KernelPageSize:", PAGE_SIZE);
		tb_smaps_kb(tb, "MMUPageSize:", PAGE_SIZE);
	}
	tb_smaps_kb(tb, "Rss:", c->rss);
	tb_smaps_kb(tb, "Pss:", c->pss >> PSS_SHIFT);
	tb_smaps_kb(tb, "Pss_Dirty:", c->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		tb_smaps_kb(tb, "Pss_Anon:", c->pss_anon >> PSS_SHIFT);
		tb_smaps_kb(tb, "Pss_File:", (c->pss - c->pss_anon) >> PSS_SHIFT);
		tb_smaps_kb(tb, "Pss_Shmem:", 0);
	}
	for (size_t i = 0; i < nitems(lines); i++)
		tb_smaps_kb(tb, lines[i].name, lines[i].bytes);
}

/* Could a fault in e get a superpage (smaps' THPeligible)?  Anonymous memory, a whole 2 MiB. */
static int
superpage_eligible(const struct vm_map_entry *e)
{
	return (e->object == NULL || vm_object_is_anon(e->object)) &&
	    !(e->eflags & MAP_ENTRY_IS_SUB_MAP) &&
	    vm_superpage_entry_allows(e, roundup2(e->start, SUPERPAGE_SIZE));
}

/* Linux's VmFlags letters for what an entry is. */
static void
format_vmflags(struct textbuf *tb, const struct vm_map_entry *e)
{
	tb_printf(tb, "THPeligible:    %d\n", superpage_eligible(e));
	tb_printf(tb, "VmFlags:%s%s%s%s%s%s%s%s%s\n",
	    (e->protection & VM_PROT_READ) ? " rd" : "", (e->protection & VM_PROT_WRITE) ? " wr" : "",
	    (e->protection & VM_PROT_EXECUTE) ? " ex" : "",
	    (e->eflags & MAP_ENTRY_COW) ? "" : " sh",
	    (e->max_protection & VM_PROT_READ) ? " mr" : "",
	    (e->max_protection & VM_PROT_WRITE) ? " mw" : "",
	    (e->max_protection & VM_PROT_EXECUTE) ? " me" : "",
	    (e->eflags & MAP_ENTRY_STACK) ? " gd" : "", e->wired_count > 0 ? " lo" : "");
}

static int
format_smaps(struct textbuf *tb, int pid, bool rollup)
{
	struct vmspace *vm = procfs_vmspace_hold(pid);
	struct vm_map *map;
	struct smaps_counts total = { 0 };
	vaddr_t lo = 0, hi = 0;

	if (vm == NULL)
		return ENOENT;
	map = &vm->vm_map;
	vm_map_lock(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next) {
		struct smaps_counts c = { 0 };

		smaps_entry(vm, e, rollup ? &total : &c);
		if (lo == 0)
			lo = e->start;
		hi = e->end;
		if (rollup)
			continue;
		format_entry(tb, vm, e);
		format_smaps_counts(tb, &c, false);
		format_vmflags(tb, e);
	}
	vm_map_unlock(map);
	vmspace_free(vm);
	if (rollup) {
		size_t line = tb->len;

		tb_printf(tb, "%08lx-%08lx ---p 00000000 00:00 0 ", lo, hi);
		tb_pad_to(tb, line, 73);
		tb_printf(tb, "[rollup]\n");
		format_smaps_counts(tb, &total, true);
	}
	return 0;
}

int
procfs_format_smaps_of(struct textbuf *tb, int pid)
{
	return format_smaps(tb, pid, false);
}

int
procfs_format_smaps_rollup_of(struct textbuf *tb, int pid)
{
	return format_smaps(tb, pid, true);
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


/* Each cpu: Linux's processor line, then the machine's own. */
static int
format_cpuinfo(struct textbuf *tb, int pid __unused)
{
	char line[CPUINFO_LINE];
	struct pcpu *pc;

	PCPU_FOREACH(pc) {
		if (!__atomic_load_n(&pc->pc_online, __ATOMIC_ACQUIRE))
			continue;
		cpu_info_format(pc->pc_cpuid, line, sizeof(line));
		tb_printf(tb, "processor\t: %u\n%s\n", pc->pc_cpuid, line);
	}
	return 0;
}

/* Seconds with hundredths, from a count of HZ ticks. */
static void
tb_ticks(struct textbuf *tb, uint64_t ticks)
{
	tb_printf(tb, "%lu.%02lu", ticks / HZ, ticks % HZ * 100 / HZ);
}

static uint64_t
cpu_ticks(int state)
{
	uint64_t sum = 0;
	struct pcpu *pc;

	PCPU_FOREACH(pc)
		sum += __atomic_load_n(&pc->pc_cp_time[state], __ATOMIC_RELAXED);
	return sum;
}

/* Seconds up and seconds idle (summed over the cpus), as Linux prints them. */
static int
format_uptime(struct textbuf *tb, int pid __unused)
{
	tb_ticks(tb, uptime_ns() / (NSEC_PER_SEC / HZ));
	tb_printf(tb, " ");
	tb_ticks(tb, cpu_ticks(CP_IDLE));
	tb_printf(tb, "\n");
	return 0;
}

/* A fixed-point load as Linux prints it: rounded to hundredths. */
static void
tb_load(struct textbuf *tb, uint64_t load)
{
	load += FIXED_1 / 200;
	tb_printf(tb, "%lu.%02lu ", load >> FSHIFT, ((load & (FIXED_1 - 1)) * 100) >> FSHIFT);
}

static int
format_loadavg(struct textbuf *tb, int pid __unused)
{
	uint32_t running, blocked, nthreads;
	uint64_t avg[3];

	loadavg_get(avg);
	sched_load_sample(&running, &blocked, &nthreads);
	for (int i = 0; i < 3; i++)
		tb_load(tb, avg[i]);
	tb_printf(tb, "%u/%u %d\n", running, nthreads, tid_last());
	return 0;
}

static void
tb_cpu_line(struct textbuf *tb, const char *name, uint64_t user, uint64_t sys, uint64_t idle)
{
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	tb_printf(tb, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, user, sys, idle);
}

static int
format_stat(struct textbuf *tb, int pid __unused)
{
	uint64_t intrs = 0, switches = 0;
	uint32_t running, blocked, nthreads;
	struct pcpu *pc;
	char name[16];

	tb_cpu_line(tb, "cpu ", cpu_ticks(CP_USER), cpu_ticks(CP_SYS), cpu_ticks(CP_IDLE));
	PCPU_FOREACH(pc) {
		snprintf(name, sizeof(name), "cpu%u", pc->pc_cpuid);
		tb_cpu_line(tb, name, pc->pc_cp_time[CP_USER], pc->pc_cp_time[CP_SYS],
		    pc->pc_cp_time[CP_IDLE]);
		intrs += pc->pc_ticks + pc->pc_ipis + pc->pc_intrs;
		switches += pc->pc_switches;
	}
	sched_load_sample(&running, &blocked, &nthreads);
	tb_printf(tb, "intr %lu\nctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %u\n"
	    "procs_blocked %u\n", intrs, switches, boottime_ns() / NSEC_PER_SEC,
	    __atomic_load_n(&proc_forks, __ATOMIC_RELAXED), running, blocked);
	return 0;
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

/*
 * A check runs once (it is not cheap, and its result changes from one run
 * to the next), into a buffer with room for PROCFS_CHECK_TEXT: a smaller
 * one is sent back as overflowing before anything is checked.
 */
static bool
check_needs_bigger(struct textbuf *tb)
{
	if (tb->size >= PROCFS_CHECK_TEXT)
		return false;
	tb->overflow = true;
	return true;
}

/* /proc/vmcheck: every address space, and the page wirings. */
static int
format_vmcheck_all(struct textbuf *tb, int pid __unused)
{
	struct vmspace **vms;
	int n;

	if (check_needs_bigger(tb))
		return 0;
	if ((vms = malloc(PROCFS_CHECK_MAPS * sizeof(*vms), M_PROCFS, M_WAITOK)) == NULL)
		return ENOMEM;
	n = all_vmspaces_hold(vms, PROCFS_CHECK_MAPS);
	format_vmcheck(tb, vms, n, true);
	free(vms, M_PROCFS);
	return 0;
}

int
procfs_format_vmcheck_of(struct textbuf *tb, int pid)
{
	struct vmspace *vm;

	if (check_needs_bigger(tb))
		return 0;
	if ((vm = procfs_vmspace_hold(pid)) == NULL)
		return ENOENT;
	format_vmcheck(tb, &vm, 1, false);
	return 0;
}

/* A table vfs_mount.c formats with fn; its ERANGE asks for a bigger buffer. */
static int
format_vfs_table(struct textbuf *tb, int (*fn)(char *buf, size_t size, size_t *lenp))
{
	int error = fn(tb->buf, tb->size, &tb->len);

	if (error == ERANGE)
		tb->overflow = true;
	return error == ERANGE ? 0 : error;
}

/* /proc/mounts */
static int
format_mounts(struct textbuf *tb, int pid __unused)
{
	return format_vfs_table(tb, vfs_format_mounts);
}

/* /proc/filesystems */
static int
format_filesystems(struct textbuf *tb, int pid __unused)
{
	return format_vfs_table(tb, vfs_format_filesystems);
}

/* The older formatters, in the generic shape. */
static int
format_system(struct textbuf *tb, int pid __unused, void (*fn)(struct textbuf *))
{
	fn(tb);
	return 0;
}

#define SYSTEM_FORMAT(name) \
	static int name##_file(struct textbuf *tb, int pid) { return format_system(tb, pid, name); }
SYSTEM_FORMAT(format_meminfo)
SYSTEM_FORMAT(format_vmstat)
SYSTEM_FORMAT(format_zoneinfo)
SYSTEM_FORMAT(format_diskstats)
SYSTEM_FORMAT(format_swaps)
SYSTEM_FORMAT(format_disks)
SYSTEM_FORMAT(format_locks)
SYSTEM_FORMAT(format_lockdep)
SYSTEM_FORMAT(format_lockdep_stats)

struct vmspace *
procfs_vmspace_hold(int pid)
{
	struct vmspace *vm = NULL;
	struct proc *p;

	spin_lock(&proc_lock);
	if ((p = proc_find(pid)) != NULL && (vm = p->p_vmspace) != NULL)
		__atomic_add_fetch(&vm->vm_refcnt, 1, __ATOMIC_RELAXED);
	spin_unlock(&proc_lock);
	return vm;
}

int
procfs_format_maps_of(struct textbuf *tb, int pid)
{
	struct vmspace *vm = procfs_vmspace_hold(pid);
	size_t len = 0;

	if (vm == NULL)
		return ENOENT;
	if (procfs_format_maps(vm, tb->buf, tb->size, &len) == ERANGE)
		tb->overflow = true;
	tb->len = len;
	vmspace_free(vm);
	return 0;
}

int
procfs_format_vmmap_of(struct textbuf *tb, int pid)
{
	struct vmspace *vm = procfs_vmspace_hold(pid);

	if (vm == NULL)
		return ENOENT;
	(void)format_vmmap(vm, tb);
	vmspace_free(vm);
	return 0;
}

static struct procfs_text *
text_alloc(size_t size)
{
	return malloc(sizeof(struct procfs_text) + size, M_PROCFS, M_WAITOK);
}

/* Make the text fn formats for pid, in buffers of doubling size; ENOENT for a process gone. */
static int
generate(procfs_format_fn *fn, int pid, struct procfs_text **out)
{
	size_t size = PROCFS_TEXT_START;
	struct procfs_text *t;
	struct textbuf tb;
	int error;

	for (;;) {
		if ((t = text_alloc(size)) == NULL)
			return ENOMEM;
		tb = (struct textbuf){ t->text, size, 0, false };
		if ((error = fn(&tb, pid)) == 0 && !tb.overflow) {
			t->len = tb.len;
			*out = t;
			return 0;
		}
		free(t, M_PROCFS);
		if (error != 0)
			return error;
		if (size >= PROCFS_TEXT_MAX)
			return ENOMEM;
		size *= 2;
	}
}

/*
 * Vnodes.
 */

uint64_t
procfs_ino(int pid, enum procfs_kind kind)
{
	return PROCFS_INO_BASE + (uint64_t)pid * PFS_NKINDS + kind;
}

struct vnode *
procfs_vnode(enum vtype type, const struct vnode_ops *ops, struct mount *mp,
    struct vnode *parent, const char *name, size_t len, uint64_t ino)
{
	struct vnode *vp = vnode_alloc(type, type == VDIR ? 0555 : 0444, ops, parent, name, len);

	if (vp == NULL)
		return NULL;
	vnode_set_mount(vp, mp);
	vp->v_ino = ino;
	return vp;
}

static int
make_file(struct vnode *dir, const struct procfs_entry *pe, int pid, struct vnode **out)
{
	struct procfs_text *t;
	struct vnode *vp;
	int error;

	if ((error = generate(pe->pe_format, pid, &t)) != 0)
		return error;
	vp = procfs_vnode(VREG, &procfs_file_ops, dir->v_mount, NULL, NULL, 0,
	    procfs_ino(pid, pe->pe_kind));
	if (vp == NULL) {
		free(t, M_PROCFS);
		return ENOMEM;
	}
	vp->v_data = t;
	vp->v_size = t->len;
	*out = vp;
	return 0;
}

bool
procfs_name_is(const char *name, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(name, what, len) == 0;
}

int
procfs_parse_number(const char *name, size_t len)
{
	int64_t n = 0;

	if (len == 0 || len > PID_MAX_DIGITS || (name[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return n <= INT32_MAX ? (int)n : -1;
}

int
procfs_table_lookup(struct vnode *dir, const struct procfs_entry *ents, size_t n,
    const char *name, size_t len, struct vnode **out)
{
	int pid = procfs_dir_pid(dir);

	for (size_t i = 0; i < n; i++) {
		const struct procfs_entry *pe = &ents[i];
		struct vnode *vp;

		if (!procfs_name_is(name, len, pe->pe_name))
			continue;
		if (pe->pe_format != NULL)
			return make_file(dir, pe, pid, out);
		vp = procfs_vnode(pe->pe_type, pe->pe_ops, dir->v_mount,
		    pe->pe_type == VDIR ? dir : NULL, name, len, procfs_ino(pid, pe->pe_kind));
		if (vp == NULL)
			return ENOMEM;
		if (pe->pe_mode != 0)
			vp->v_mode = pe->pe_mode;
		vp->v_data = (void *)(intptr_t)pid;
		*out = vp;
		return 0;
	}
	return ENOENT;
}

ssize_t
procfs_list_table(struct vnode *dir, const struct procfs_entry *ents, size_t n,
    uint64_t *offp, void *buf, size_t len)
{
	struct vnode *up = dir->v_parent != NULL ? dir->v_parent : dir;
	int pid = procfs_dir_pid(dir);
	uint64_t cookie = *offp;
	size_t used = 0, next;

	for (; cookie < n + 2; cookie++) {
		if (cookie == 0)
			next = dirent_add(buf, len, used, dir->v_ino, 1, VDIR, ".", 1);
		else if (cookie == 1)
			next = dirent_add(buf, len, used, up->v_ino, 2, VDIR, "..", 2);
		else
			next = dirent_add(buf, len, used, procfs_ino(pid, ents[cookie - 2].pe_kind),
			    cookie + 1, ents[cookie - 2].pe_type, ents[cookie - 2].pe_name,
			    strlen(ents[cookie - 2].pe_name));
		if (next == 0)
			break;
		used = next;
	}
	if (used == 0 && cookie < n + 2)
		return -EINVAL;
	*offp = cookie;
	return (ssize_t)used;
}

/* The numbered entries after a table, appended to the used bytes of buf. */
static ssize_t
list_numbers(struct vnode *dir, int (*next)(struct vnode *, int),
    uint64_t (*ino)(struct vnode *, int), enum vtype type, uint64_t *offp,
    void *buf, size_t len, size_t used)
{
	int from = *offp >= PROCFS_DYN_COOKIE ? (int)(*offp - PROCFS_DYN_COOKIE) : 0, n;
	char name[PID_MAX_DIGITS + 1];

	while (from >= 0 && (n = next(dir, from)) >= 0) {
		int namelen = snprintf(name, sizeof(name), "%d", n);
		size_t end = dirent_add(buf, len, used, ino(dir, n),
		    PROCFS_DYN_COOKIE + (uint64_t)n + 1, type, name, (size_t)namelen);

		if (end == 0)
			break;
		used = end;
		from = n + 1;
		*offp = PROCFS_DYN_COOKIE + (uint64_t)from;
	}
	if (used == 0 && from >= 0 && next(dir, from) >= 0)
		return -EINVAL;
	return (ssize_t)used;
}

ssize_t
procfs_list_numbered(struct vnode *dir, const struct procfs_entry *ents, size_t n,
    int (*next)(struct vnode *, int), uint64_t (*ino)(struct vnode *, int), enum vtype type,
    uint64_t *offp, void *buf, size_t len)
{
	ssize_t used = 0;

	if (*offp < n + 2) {
		used = procfs_list_table(dir, ents, n, offp, buf, len);
		if (used < 0 || *offp < n + 2)
			return used;
		*offp = PROCFS_DYN_COOKIE;
	}
	return list_numbers(dir, next, ino, type, offp, buf, len, (size_t)used);
}

/*
 * The root directory: the system files, self, and a directory per process.
 */

static const struct procfs_entry root_entries[] = {
	{ "meminfo", VREG, PFS_MEMINFO, format_meminfo_file, NULL, 0 },
	{ "vmstat", VREG, PFS_VMSTAT, format_vmstat_file, NULL, 0 },
	{ "zoneinfo", VREG, PFS_ZONEINFO, format_zoneinfo_file, NULL, 0 },
	{ "diskstats", VREG, PFS_DISKSTATS, format_diskstats_file, NULL, 0 },
	{ "swaps", VREG, PFS_SWAPS, format_swaps_file, NULL, 0 },
	{ "disks", VREG, PFS_DISKS, format_disks_file, NULL, 0 },
	{ "mounts", VREG, PFS_MOUNTS, format_mounts, NULL, 0 },
	{ "filesystems", VREG, PFS_FILESYSTEMS, format_filesystems, NULL, 0 },
	{ "sys", VDIR, PFS_SYSDIR, NULL, &procfs_sys_ops, 0 },
	{ "sysrq-trigger", VREG, PFS_SYSRQ, NULL, &procfs_sysrq_ops, 0200 },
	{ "locks", VREG, PFS_LOCKS, format_locks_file, NULL, 0 },
	{ "lockdep", VREG, PFS_LOCKDEP, format_lockdep_file, NULL, 0 },
	{ "lockdep_stats", VREG, PFS_LOCKDEP_STATS, format_lockdep_stats_file, NULL, 0 },
	{ "cpuinfo", VREG, PFS_CPUINFO, format_cpuinfo, NULL, 0 },
	{ "uptime", VREG, PFS_UPTIME, format_uptime, NULL, 0 },
	{ "loadavg", VREG, PFS_LOADAVG, format_loadavg, NULL, 0 },
	{ "stat", VREG, PFS_STAT, format_stat, NULL, 0 },
	{ "vmcheck", VREG, PFS_VMCHECK_ALL, format_vmcheck_all, NULL, 0 },
	{ "self", VDIR, PFS_PIDDIR, NULL, &procfs_pid_ops, 0 },
};

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

	if (procfs_name_is(name, len, "self")) {
		if (self == NULL)
			return ENOENT;
		pid = self->p_pid;
	} else if ((pid = procfs_parse_number(name, len)) <= 0) {
		return procfs_table_lookup(dir, root_entries, nitems(root_entries), name, len, out);
	}
	if (!proc_exists(pid))
		return ENOENT;
	vp = procfs_vnode(VDIR, &procfs_pid_ops, dir->v_mount, dir, name, len,
	    procfs_ino(pid, PFS_PIDDIR));
	if (vp == NULL)
		return ENOMEM;
	vp->v_data = (void *)(intptr_t)pid;
	*out = vp;
	return 0;
}

/* The smallest pid >= from of a process that exists, or -1. */
static int
next_pid(struct vnode *dir __unused, int from)
{
	struct list_node *n;
	int best = -1;

	spin_lock(&proc_lock);
	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);

		if (p->p_state != PRS_NEW && p->p_pid >= from && (best < 0 || p->p_pid < best))
			best = p->p_pid;
	}
	spin_unlock(&proc_lock);
	return best;
}

static uint64_t
pid_dir_ino(struct vnode *dir __unused, int pid)
{
	return procfs_ino(pid, PFS_PIDDIR);
}

static ssize_t
root_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	return procfs_list_numbered(dir, root_entries, nitems(root_entries), next_pid,
	    pid_dir_ino, VDIR, offp, buf, len);
}

/*
 * Text files.
 */

ssize_t
procfs_text_read(const char *text, size_t len, struct uio *uio)
{
	size_t n;

	if (uio->uio_offset >= len)
		return 0;
	n = MIN(uio->uio_resid, len - uio->uio_offset);
	if (uiomove((void *)(text + uio->uio_offset), n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

static ssize_t
file_read(struct vnode *vp, struct uio *uio)
{
	const struct procfs_text *t = vp->v_data;

	return procfs_text_read(t->text, t->len, uio);
}

static int
file_open(struct vnode *vp, int oflags)
{
	return (oflags & O_ACCMODE) == O_RDONLY ? 0 : EACCES;
}

/* Generated vnodes have no links to keep them (they go with their last reference): stat says 1. */
void
procfs_getattr(struct vnode *vp, struct stat *st)
{
	st->st_nlink = vp->v_type == VDIR ? 2 : 1;
}

void
procfs_reclaim(struct vnode *vp)
{
	if (vp->v_type == VREG && vp->v_ops == &procfs_file_ops)
		free(vp->v_data, M_PROCFS);
	vnode_free(vp);
}

static const struct vnode_ops procfs_root_ops = {
	.vop_lookup = root_lookup,
	.vop_getdents = root_getdents,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_file_ops = {
	.vop_read = file_read,
	.vop_open = file_open,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

struct vnode *
procfs_root_alloc(struct vnode *parent, const char *name)
{
	return procfs_vnode(VDIR, &procfs_root_ops, NULL, parent, name, strlen(name),
	    procfs_ino(0, PFS_ROOT));
}

/*
 * The file system.
 */

static int
procfs_vfs_mount(struct mount *mp, const char *source, struct vnode *dev, const char *data)
{
	mp->mnt_root = procfs_vnode(VDIR, &procfs_root_ops, mp, NULL, NULL, 0,
	    procfs_ino(0, PFS_ROOT));
	return mp->mnt_root != NULL ? 0 : ENOMEM;
}

/* Nothing but the root is kept: with no vnode in use, it just goes. */
static int
procfs_vfs_unmount(struct mount *mp)
{
	vrele(mp->mnt_root);
	return 0;
}

static void
procfs_vfs_statfs(struct mount *mp, struct statfs *sf)
{
	sf->f_type = PROC_SUPER_MAGIC;
}

const struct vfsops procfs_vfsops = {
	.vfs_name = "proc",
	.vfs_mount = procfs_vfs_mount,
	.vfs_unmount = procfs_vfs_unmount,
	.vfs_statfs = procfs_vfs_statfs,
};
