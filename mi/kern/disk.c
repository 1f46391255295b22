/*
 * Disks (see disk.h): the list of disks, their counters, and the
 * watchdog that resets a device whose requests stop completing.
 *
 * The watchdog is one kernel thread for all disks.  While any request is
 * in flight it wakes every clock tick (a timed sleep); when none is, it
 * sleeps until bio_submit wakes it.  The hand-off is Dekker's: the watchdog
 * says it is idle and then looks at the in-flight count, a submitter
 * raises the count and then looks at the idle flag, both with
 * sequentially consistent accesses, so one of them always sees the
 * other.  A submitter only pays for a wakeup when the watchdog is idle,
 * at most about once a tick.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/disk.h>
#include <kern/sched.h>
#include <machine/cpu.h>

#define DISK_SECTOR	512		/* Linux counts sectors of 512 bytes */
#define MS_PER_SEC	1000

static struct list_node disk_list = LIST_HEAD_INIT(disk_list);	/* (C) */
static int ndisks;			/* (C) */
static uint64_t timeout_ticks;		/* (C) after disk_init */
static uint32_t inflight_total;		/* (A) requests in flight on every disk */
static bool watchdog_idle;		/* (A) the watchdog sleeps until work comes */
static uint32_t checking;		/* (A) a disk_check is running */

/* Linux's dev_t encoding (new_encode_dev): 12-bit major, 20-bit minor. */
static uint32_t
linux_makedev(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

int
disk_register(struct disk *dp)
{
	KASSERT(powerof2(dp->d_sector_size) && dp->d_sector_size >= DISK_SECTOR &&
	    dp->d_sector_size <= PAGE_SIZE, ("disk: sector size %u", dp->d_sector_size));
	KASSERT(dp->d_size % dp->d_sector_size == 0, ("disk: size %lu", dp->d_size));
	KASSERT(dp->d_max_pages >= 2 && dp->d_max_pages <= BIO_MAX_PAGES,
	    ("disk: %u pages per request", dp->d_max_pages));
	if (ndisks >= DISK_MAX_UNITS)
		return ENOSPC;
	dp->d_unit = ndisks++;
	snprintf(dp->d_name, sizeof(dp->d_name), "vd%c", 'a' + dp->d_unit);
	dp->d_rdev = linux_makedev(DISK_MAJOR, (uint32_t)dp->d_unit * DISK_MINORS);
	spin_init(&dp->d_lock, "disk");
	list_init(&dp->d_inflight);
	memset(&dp->d_stats, 0, sizeof(dp->d_stats));
	dp->d_failed = false;
	disk_blockdev_init(dp);
	list_append(&disk_list, &dp->d_link);
	return 0;
}

struct disk *
disk_next(const struct disk *prev)
{
	const struct list_node *n = prev != NULL ? prev->d_link.next : disk_list.next;

	return n == &disk_list ? NULL : list_entry(n, struct disk, d_link);
}

struct disk *
disk_find(const char *name)
{
	struct disk *dp;

	for (dp = disk_next(NULL); dp != NULL; dp = disk_next(dp))
		if (strcmp(dp->d_name, name) == 0)
			return dp;
	return NULL;
}

void
disk_get_stats(struct disk *dp, struct disk_stats *st)
{
	spin_lock(&dp->d_lock);
	*st = dp->d_stats;
	if (st->ds_inflight > 0)	/* the busy period so far (the clock read under d_lock) */
		st->ds_busy_time += cpu_time() - dp->d_busy_since;
	spin_unlock(&dp->d_lock);
}

uint32_t
disk_time_ms(uint64_t t)
{
	return (uint32_t)(t * MS_PER_SEC / cpu_timebase_hz());
}

uint64_t
disk_timeout(void)
{
	return timeout_ticks;
}

/*
 * Accounting, for bio.c.
 */

bool
disk_account_start(struct disk *dp, struct bio *bp, uint64_t now)
{
	struct disk_stats *st = &dp->d_stats;

	KASSERT(spin_owned(&dp->d_lock), ("disk_account_start: %s not locked", dp->d_name));
	if (dp->d_failed)
		return false;
	bp->bio_start = now;
	list_append(&dp->d_inflight, &bp->bio_inflight);
	if (st->ds_inflight++ == 0)
		dp->d_busy_since = now;
	st->ds_inflight_max = MAX(st->ds_inflight_max, st->ds_inflight);
	st->ds_depth_sum += st->ds_inflight;
	__atomic_add_fetch(&inflight_total, 1, __ATOMIC_SEQ_CST);
	return true;
}

void
disk_account_done(struct disk *dp, struct bio *bp, int error, uint64_t now)
{
	struct disk_stats *st = &dp->d_stats;

	KASSERT(spin_owned(&dp->d_lock), ("disk_account_done: %s not locked", dp->d_name));
	KASSERT(st->ds_inflight > 0, ("disk_account_done: %s has nothing in flight", dp->d_name));
	list_remove(&bp->bio_inflight);
	st->ds_ios[bp->bio_cmd]++;
	st->ds_sectors[bp->bio_cmd] += bp->bio_length / DISK_SECTOR;
	st->ds_time[bp->bio_cmd] += now - bp->bio_start;
	if (error != 0)
		st->ds_errors[bp->bio_cmd]++;
	if (--st->ds_inflight == 0)
		st->ds_busy_time += now - dp->d_busy_since;
	__atomic_sub_fetch(&inflight_total, 1, __ATOMIC_SEQ_CST);
}

void
disk_watch_busy(void)
{
	if (__atomic_load_n(&watchdog_idle, __ATOMIC_SEQ_CST))
		wakeup(&watchdog_idle);
}

/*
 * The watchdog.
 */

/*
 * How long dp's oldest request has been in flight (0: none).  The clock
 * is read under d_lock: a request submitted on another cpu after an
 * earlier reading would otherwise seem to have started in the future.
 */
static uint64_t
oldest_age(struct disk *dp)
{
	struct list_node *n;
	uint64_t age = 0, start, now;

	spin_lock(&dp->d_lock);
	now = cpu_time();
	if ((n = list_first(&dp->d_inflight)) != NULL) {
		start = list_entry(n, struct bio, bio_inflight)->bio_start;
		age = now > start ? now - start : 0;
	}
	spin_unlock(&dp->d_lock);
	return age;
}

/* dp's oldest request is overdue: report it and have the driver reset the device. */
static void
disk_timed_out(struct disk *dp, uint64_t age)
{
	bool back;

	printf("%s: a request has not completed in %u ms: resetting the device\n",
	    dp->d_name, disk_time_ms(age));
	spin_lock(&dp->d_lock);
	dp->d_stats.ds_timeouts++;
	spin_unlock(&dp->d_lock);
	back = dp->d_ops->d_reset(dp);
	spin_lock(&dp->d_lock);
	dp->d_stats.ds_resets++;
	if (!back)
		dp->d_failed = true;
	spin_unlock(&dp->d_lock);
	if (!back)
		printf("%s: the device did not come back: every request now fails\n", dp->d_name);
}

void
disk_check(void)
{
	struct disk *dp;
	uint64_t age;

	if (timeout_ticks == 0)
		return;			/* before disk_init */
	if (__atomic_exchange_n(&checking, 1, __ATOMIC_ACQUIRE))
		return;			/* someone else is looking */
	for (dp = disk_next(NULL); dp != NULL; dp = disk_next(dp)) {
		if (dp->d_flags & DISK_POLLED)
			dp->d_ops->d_poll(dp);
		if ((age = oldest_age(dp)) > timeout_ticks)
			disk_timed_out(dp, age);
	}
	__atomic_store_n(&checking, 0, __ATOMIC_RELEASE);
}

/*
 * Sleep until the next clock tick, or while nothing is in flight until
 * something is.  The idle flag is set under the channel's chain lock,
 * which disk_watch_busy's wakeup takes.
 */
static void
watchdog_sleep(void)
{
	if (__atomic_load_n(&inflight_total, __ATOMIC_SEQ_CST) != 0) {
		/* Deadlines are looked at every tick: one just past now ends at the next. */
		(void)sleep_on_timed(&watchdog_idle, NULL, 0, cpu_time() + 1);
		return;
	}
	sleepq_lock(&watchdog_idle);
	__atomic_store_n(&watchdog_idle, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&inflight_total, __ATOMIC_SEQ_CST) == 0)
		(void)sleepq_wait(&watchdog_idle, SLEEPQ_EXCLUSIVE, 0, 0);
	else
		sleepq_release(&watchdog_idle);
	__atomic_store_n(&watchdog_idle, false, __ATOMIC_SEQ_CST);
}

static void
watchdog_main(void *arg __unused)
{
	for (;;) {
		watchdog_sleep();
		disk_check();
	}
}

void
disk_init(void)
{
	char value[24];
	uint64_t ms = DISK_TIMEOUT_MS_DEFAULT;

	if (cmdline_get("disk_timeout_ms", value, sizeof(value)) && strtoul(value, NULL, 10) > 0)
		ms = strtoul(value, NULL, 10);
	timeout_ticks = ms * cpu_timebase_hz() / MS_PER_SEC;
	if (ndisks > 0 && thread_create("diskwatch", watchdog_main, NULL) == NULL)
		printf("disk: no memory for the watchdog: timeouts go unnoticed\n");
}
