/*
 * The syncer: a kernel thread that does the file systems' background
 * work (after 4.4BSD's update daemon and Linux's writeback threads).
 * Today it finishes the unmounts that umount2(MNT_DETACH) left for when
 * their file systems went idle.
 *
 * It sleeps until syncer_wakeup asks for it.  A request made while it is
 * running is not lost: syncer_wakeup sets a flag that it clears before
 * looking for work, under sched_lock, which sleep and wakeup take.
 */
#include <kern/systm.h>
#include <kern/sched.h>
#include <fs/mount.h>

static bool syncer_wanted;		/* (sched_lock) work was asked for */
static bool syncer_started;		/* (C) after syncer_init */

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

static void
syncer_main(void *arg __unused)
{
	for (;;) {
		spin_lock(&sched_lock);
		while (!syncer_wanted)
			sleep_on(&syncer_wanted, &sched_lock);
		syncer_wanted = false;
		spin_unlock(&sched_lock);
		vfs_reap_all();
		vfs_reap_detached();
	}
}

void
syncer_init(void)
{
	if (thread_create("syncer", syncer_main, NULL) == NULL)
		panic("syncer_init: no memory for the syncer thread");
	__atomic_store_n(&syncer_started, true, __ATOMIC_RELEASE);
}
