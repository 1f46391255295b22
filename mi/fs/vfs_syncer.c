/*
 * The syncer: a kernel thread that does the file systems' background
 * work (after 4.4BSD's update daemon and Linux's writeback threads).
 *
 *   - Write-back: dirty file pages and metadata reach the disk within
 *     dirty_writeback_centisecs (30 s by default; /proc/sys/vm/
 *     dirty_writeback_centisecs changes it) of the first change after
 *     the last pass: every file system's vfs_sync, the pages written
 *     asynchronously, the metadata then.
 *   - Whatever the file systems deferred to a thread (vfs_reap: the last
 *     steps of unlinked files whose last mapping went).
 *   - The unmounts that umount2(MNT_DETACH) left for when their file
 *     systems went idle.
 *
 * It sleeps until there is work.  While something is dirty it wakes at
 * every clock tick to watch the deadline (there is no timer wheel yet);
 * when all is clean it sleeps until syncer_note_dirty or syncer_wakeup
 * asks for it.  A request made while it runs is not lost: the flags are
 * cleared before the work, under sched_lock, which sleep and wakeup take.
 */
#include <kern/systm.h>
#include <kern/sched.h>
#include <kern/time.h>
#include <fs/mount.h>

#define CENTISEC_NS	10000000UL
#define WRITEBACK_CENTISECS_DEFAULT	3000	/* 30 s, as the issue and Linux's dirty_expire */

static bool syncer_wanted;		/* (sched_lock) reaping was asked for */
static bool syncer_dirty;		/* (sched_lock) something was dirtied since the last pass */
static uint64_t syncer_deadline;	/* (sched_lock) when the dirty things must be written */
static bool syncer_started;		/* (A) after syncer_init */
static uint32_t writeback_centisecs = WRITEBACK_CENTISECS_DEFAULT;	/* (A) */
static uint64_t syncer_passes;		/* (A) write-back passes made */

uint32_t
syncer_get_interval(void)
{
	return __atomic_load_n(&writeback_centisecs, __ATOMIC_RELAXED);
}

void
syncer_set_interval(uint32_t centisecs)
{
	uint64_t sooner = uptime_ns() + (uint64_t)centisecs * CENTISEC_NS;

	__atomic_store_n(&writeback_centisecs, centisecs, __ATOMIC_RELAXED);
	spin_lock(&sched_lock);
	if (syncer_dirty && sooner < syncer_deadline)
		syncer_deadline = sooner;	/* a shorter interval counts from now */
	spin_unlock(&sched_lock);
}

uint64_t
syncer_pass_count(void)
{
	return __atomic_load_n(&syncer_passes, __ATOMIC_RELAXED);
}

void
syncer_wakeup(void)
{
	if (!__atomic_load_n(&syncer_started, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&sched_lock);
	syncer_wanted = true;
	spin_unlock(&sched_lock);
	wakeup(&syncer_wanted);
}

void
syncer_note_dirty(void)
{
	bool wake = false;

	if (__atomic_load_n(&syncer_dirty, __ATOMIC_RELAXED) ||
	    !__atomic_load_n(&syncer_started, __ATOMIC_ACQUIRE))
		return;		/* the common case: already counting down */
	spin_lock(&sched_lock);
	if (!syncer_dirty) {
		syncer_dirty = true;
		syncer_deadline = uptime_ns() + (uint64_t)syncer_get_interval() * CENTISEC_NS;
		wake = true;
	}
	spin_unlock(&sched_lock);
	if (wake)
		wakeup(&syncer_wanted);
}

/*
 * Sleep until asked for or, with something dirty, until its deadline.
 * True if the write-back is due.
 */
static bool
syncer_sleep(void)
{
	bool due = false;

	spin_lock(&sched_lock);
	for (;;) {
		if (syncer_dirty && uptime_ns() >= syncer_deadline) {
			syncer_dirty = false;
			due = true;
			break;
		}
		if (syncer_wanted)
			break;
		sleep_on(syncer_dirty ? (const void *)&clock_tick_chan : &syncer_wanted, &sched_lock);
	}
	syncer_wanted = false;
	spin_unlock(&sched_lock);
	return due;
}

static void
syncer_main(void *arg __unused)
{
	for (;;) {
		bool due = syncer_sleep();

		vfs_reap_all();
		vfs_reap_detached();
		if (due) {
			vfs_sync_all(false);
			__atomic_add_fetch(&syncer_passes, 1, __ATOMIC_RELAXED);
		}
	}
}

void
syncer_init(void)
{
	if (thread_create("syncer", syncer_main, NULL) == NULL)
		panic("syncer_init: no memory for the syncer thread");
	__atomic_store_n(&syncer_started, true, __ATOMIC_RELEASE);
}
