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
 * It sleeps until there is work: with something dirty, until the
 * deadline (a timed sleep) or a request; with all clean, until
 * syncer_note_dirty or syncer_wakeup asks for it.  A request made while
 * it runs is not lost: the flags are cleared before the work, under
 * syncer_lock, the sleep's interlock, which the requests take too.
 */
#include <kern/systm.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <kern/time.h>
#include <fs/mount.h>

#define CENTISEC_NS	10000000UL
#define WRITEBACK_CENTISECS_DEFAULT	3000	/* 30 s, as the issue and Linux's dirty_expire */

/* (S): syncer_lock, the interlock of the syncer's sleeps. */
static struct spinlock syncer_lock = SPINLOCK_INITIALIZER("syncer");

static bool syncer_wanted;		/* (S) reaping was asked for */
static bool syncer_dirty;		/* (S) something was dirtied since the last pass */
static uint64_t syncer_deadline;	/* (S) when the dirty things must be written */
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
	bool moved = false;

	__atomic_store_n(&writeback_centisecs, centisecs, __ATOMIC_RELAXED);
	spin_lock(&syncer_lock);
	if (syncer_dirty && sooner < syncer_deadline) {
		syncer_deadline = sooner;	/* a shorter interval counts from now */
		moved = true;
	}
	spin_unlock(&syncer_lock);
	if (moved)
		wakeup(&syncer_wanted);		/* its timed sleep is for the old deadline */
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
	spin_lock(&syncer_lock);
	syncer_wanted = true;
	spin_unlock(&syncer_lock);
	wakeup(&syncer_wanted);
}

void
syncer_note_dirty(void)
{
	bool wake = false;

	if (__atomic_load_n(&syncer_dirty, __ATOMIC_RELAXED) ||
	    !__atomic_load_n(&syncer_started, __ATOMIC_ACQUIRE))
		return;		/* the common case: already counting down */
	spin_lock(&syncer_lock);
	if (!syncer_dirty) {
		syncer_dirty = true;
		syncer_deadline = uptime_ns() + (uint64_t)syncer_get_interval() * CENTISEC_NS;
		wake = true;
	}
	spin_unlock(&syncer_lock);
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

	spin_lock(&syncer_lock);
	for (;;) {
		if (syncer_dirty && uptime_ns() >= syncer_deadline) {
			syncer_dirty = false;
			due = true;
			break;
		}
		if (syncer_wanted)
			break;
		if (syncer_dirty)
			(void)sleep_on_timed(&syncer_wanted, &syncer_lock, 0,
			    sleepq_deadline_ns(syncer_deadline - uptime_ns()));
		else
			sleep_on(&syncer_wanted, &syncer_lock);
	}
	syncer_wanted = false;
	spin_unlock(&syncer_lock);
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
