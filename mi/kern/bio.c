/*
 * Block I/O requests (see bio.h): checking and submitting them, their
 * completion, and waiting for one.
 */
#include <kern/systm.h>
#include <kern/bio.h>
#include <kern/disk.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <machine/cpu.h>

#define BIO_SPIN_CHECKS_PER_SEC	100	/* disk_check while spinning: once a clock tick */

/* Is bp a request dp can take?  0 or EINVAL. */
static int
bio_check(const struct disk *dp, const struct bio *bp)
{
	uint64_t end;

	switch (bp->bio_cmd) {
	case BIO_FLUSH:
		return bp->bio_length == 0 ? 0 : EINVAL;
	case BIO_READ:
	case BIO_WRITE:
		break;
	default:
		return EINVAL;
	}
	if (bp->bio_length == 0 || bp->bio_pages == NULL || bp->bio_page_offset >= PAGE_SIZE)
		return EINVAL;
	if (((bp->bio_offset | bp->bio_length) & (dp->d_sector_size - 1)) != 0)
		return EINVAL;
	if (add_overflows(bp->bio_offset, (uint64_t)bp->bio_length, &end) || end > dp->d_size)
		return EINVAL;
	return bio_npages(bp) <= dp->d_max_pages ? 0 : EINVAL;
}

/* The end of bp: publish the result, then tell whoever waits. */
static void
bio_finish(struct bio *bp, int error)
{
	bp->bio_error = error;
	if (bp->bio_done != NULL) {
		__atomic_store_n(&bp->bio_flags, BIO_DONE, __ATOMIC_RELEASE);
		bp->bio_done(bp);
		return;
	}
	/*
	 * Set under bp's sleep queue chain lock, under which bio_wait looks:
	 * either it sees the flag or it is asleep before we wake.  It cannot
	 * return (and its stack reuse bp's memory) before we let go.
	 */
	sleepq_lock(bp);
	__atomic_store_n(&bp->bio_flags, BIO_DONE, __ATOMIC_RELEASE);
	(void)sleepq_broadcast(bp, SLEEPQ_EXCLUSIVE);
	sleepq_release(bp);
}

void
bio_submit(struct disk *dp, struct bio *bp)
{
	bool started;
	int error;

	bp->bio_disk = dp;
	bp->bio_error = 0;
	bp->bio_flags = 0;
	if ((error = bio_check(dp, bp)) != 0) {
		bio_finish(bp, error);
		return;
	}
	spin_lock(&dp->d_lock);
	started = disk_account_start(dp, bp, cpu_time());
	spin_unlock(&dp->d_lock);
	if (!started) {
		bio_finish(bp, EIO);	/* the disk has failed */
		return;
	}
	disk_watch_busy();
	dp->d_ops->d_start(dp, bp);
}

void
bio_complete(struct bio *bp, int error)
{
	struct disk *dp = bp->bio_disk;

	KASSERT(error == 0 || error == EIO, ("bio_complete: error %d", error));
	spin_lock(&dp->d_lock);
	disk_account_done(dp, bp, error, cpu_time());
	spin_unlock(&dp->d_lock);
	bio_finish(bp, error);
}

static bool
bio_is_done(const struct bio *bp)
{
	return (__atomic_load_n(&bp->bio_flags, __ATOMIC_ACQUIRE) & BIO_DONE) != 0;
}

/*
 * Before the scheduler runs nobody can sleep: spin, with interrupts on so
 * the completion can arrive, and do the watchdog's job once a tick.
 */
static void
bio_spin_wait(struct bio *bp)
{
	uint64_t tick = cpu_timebase_hz() / BIO_SPIN_CHECKS_PER_SEC, next = cpu_time() + tick;

	KASSERT(intr_enabled(), ("bio_wait: interrupts are off before the scheduler runs"));
	while (!bio_is_done(bp)) {
		cpu_spinwait();
		if (cpu_time() >= next) {
			disk_check();
			next = cpu_time() + tick;
		}
	}
}

int
bio_wait(struct bio *bp)
{
	KASSERT(bp->bio_done == NULL, ("bio_wait: an asynchronous bio"));
	if (!sched_is_running()) {
		bio_spin_wait(bp);
		return bp->bio_error;
	}
	/* Uninterruptible: the pages are the disk's until the request completes. */
	sleepq_lock(bp);
	while (!bio_is_done(bp)) {
		(void)sleepq_wait(bp, SLEEPQ_EXCLUSIVE, 0, 0);
		sleepq_lock(bp);
	}
	sleepq_release(bp);
	return bp->bio_error;
}

int
bio_rw(struct disk *dp, enum bio_cmd cmd, uint64_t off, size_t len,
    struct vm_page **pages, uint32_t page_off)
{
	struct bio bio = {
		.bio_cmd = cmd,
		.bio_offset = off,
		.bio_length = len,
		.bio_pages = pages,
		.bio_page_offset = page_off,
	};

	KASSERT(cmd == BIO_READ || cmd == BIO_WRITE, ("bio_rw: command %d", cmd));
	bio_submit(dp, &bio);
	return bio_wait(&bio);
}

int
bio_flush(struct disk *dp)
{
	struct bio bio = { .bio_cmd = BIO_FLUSH };

	if (!(dp->d_flags & DISK_WRITE_CACHE))
		return 0;
	bio_submit(dp, &bio);
	return bio_wait(&bio);
}
