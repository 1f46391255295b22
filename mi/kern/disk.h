/*
 * Disks: the block devices drivers register (vda, vdb, ...), their
 * counters, and the watchdog that notices a device that stopped
 * answering.
 *
 * A driver fills a struct disk (geometry, operations) at attach time and
 * registers it; the disk layer names it, counts every request that
 * passes through bio_submit/bio_complete (kern/bio.h), and offers it to
 * the rest of the kernel three ways: requests on pages (bio.h), the
 * byte-range struct blockdev the buffer cache and file systems use
 * (kern/blockdev.h, over bios: blockdev.c), and a device file /dev/vdX
 * (fs/disk_vnops.c).
 *
 * Timeouts.  A request that has not completed disk_timeout_ms after it
 * was submitted (30 s, as Linux's SCSI default; the command-line word
 * disk_timeout_ms=N changes it) is reported on the console, counted, and
 * the driver's d_reset is called: it stops the device (no DMA after it
 * returns), completes everything it had with EIO and starts the device
 * afresh.  If it cannot, the disk is failed: every later request
 * completes at once with EIO.  A kernel thread (the watchdog) looks once
 * per clock tick while any request is in flight and sleeps otherwise; it
 * also completes the requests of disks that have no interrupt
 * (DISK_POLLED) by calling their d_poll.  Before the scheduler runs,
 * bio_wait does that looking itself.
 *
 * Counters (struct disk_stats) are what Linux's /proc/diskstats shows,
 * plus errors, timeouts and the deepest queue seen; procfs prints them.
 *
 * Locking:
 *   (C) set before disk_register, constant after: the disk list is built
 *       at attach time, on the boot cpu, and only read afterwards
 *   (D) d_lock, a spin lock taken in any context (interrupt handlers
 *       complete requests); never held while calling the driver
 *   (A) atomic
 * A driver's own lock is never held across bio_complete (which takes
 * d_lock and may call back into the driver to submit), and d_lock is
 * never held across a call into the driver.
 */
#ifndef _KERN_DISK_H_
#define _KERN_DISK_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <kern/bio.h>
#include <kern/blockdev.h>

#define DISK_NAME_MAX	8
#define DISK_MAX_UNITS	26		/* vda .. vdz */
#define DISK_MAJOR	254		/* Linux gives virtio-blk a dynamic major; 254 is usual */
#define DISK_MINORS	16		/* minors per disk (partitions), as Linux's virtio-blk */
#define DISK_TIMEOUT_MS_DEFAULT	30000

struct disk;

struct disk_ops {
	/*
	 * Start bp; complete it later with bio_complete().  The range is
	 * checked and inside the disk, bio_npages(bp) <= d_max_pages.
	 * => called without the disk's locks, perhaps in interrupt context:
	 *    must not sleep
	 */
	void	(*d_start)(struct disk *dp, struct bio *bp);
	/*
	 * A request timed out: stop the device, complete every request it
	 * holds with EIO (after dropping the driver's locks), and start it
	 * again.  false if the device cannot be brought back.
	 * => must not sleep
	 */
	bool	(*d_reset)(struct disk *dp);
	/* Complete whatever the device has finished (DISK_POLLED disks). */
	void	(*d_poll)(struct disk *dp);
};

/* Counters of one disk.  Times are in cpu_time() units (timebase ticks). */
struct disk_stats {
	uint64_t	ds_ios[BIO_NCMD];	/* requests completed (failed ones too) */
	uint64_t	ds_sectors[BIO_NCMD];	/* 512-byte sectors, as Linux counts them */
	uint64_t	ds_time[BIO_NCMD];	/* summed submission-to-completion times */
	uint64_t	ds_errors[BIO_NCMD];	/* requests completed with an error */
	uint64_t	ds_busy_time;		/* time with at least one request in flight */
	uint64_t	ds_timeouts;		/* requests that ran out of time */
	uint64_t	ds_resets;		/* d_reset calls */
	uint64_t	ds_depth_sum;		/* over submissions: how many were then in flight,
						   itself included (/ ios: the mean depth seen) */
	uint32_t	ds_inflight;		/* requests submitted, not completed */
	uint32_t	ds_inflight_max;	/* the most ever in flight at once */
};

struct disk {
	char		d_name[DISK_NAME_MAX];	/* (C) "vda", set by disk_register */
	int		d_unit;			/* (C) 0 for vda */
	uint32_t	d_rdev;			/* (C) Linux dev_t (major << 8 | minor) */
	uint32_t	d_sector_size;		/* (C) logical block size: 512 .. PAGE_SIZE */
	uint64_t	d_size;			/* (C) bytes, a multiple of d_sector_size */
	uint32_t	d_max_pages;		/* (C) pages one bio may span, <= BIO_MAX_PAGES */
	uint32_t	d_flags;		/* (C) DISK_* */
	const struct disk_ops *d_ops;		/* (C) */
	void		*d_softc;		/* (C) the driver's */
	const char	*d_info;		/* (C) for /proc/disks: "virtio-mmio v2" */
	struct blockdev	d_blockdev;		/* (C) the byte-range view (blockdev.c) */
	struct list_node d_link;		/* (C) on the list of disks */

	struct spinlock	d_lock;
	struct list_node d_inflight;		/* (D) requests in flight, oldest first */
	uint64_t	d_busy_since;		/* (D) when ds_inflight last became nonzero */
	bool		d_failed;		/* (D) reset failed: all requests get EIO */
	struct disk_stats d_stats;		/* (D) */
};

/* d_flags */
#define DISK_WRITE_CACHE 0x0001		/* volatile cache: BIO_FLUSH does something */
#define DISK_READONLY	0x0002		/* writes fail with EPERM at the file layer */
#define DISK_POLLED	0x0004		/* no interrupt: the watchdog calls d_poll */

/*
 * Name dp (vda, vdb, ... in registration order), initialise the layer's
 * part of it and add it to the list of disks.  0, or ENOSPC past
 * DISK_MAX_UNITS.
 * => boot cpu, attach time; the driver's fields (C) are set
 */
int	disk_register(struct disk *dp);

/* The disk after prev (NULL: the first), in registration order; NULL at the end. */
struct disk *disk_next(const struct disk *prev);
/* The disk named name, or NULL. */
struct disk *disk_find(const char *name);

/* A consistent copy of dp's counters. */
void	disk_get_stats(struct disk *dp, struct disk_stats *st);

/* dp's device number, as Linux splits it. */
static inline uint32_t disk_major(const struct disk *dp) { return DISK_MAJOR; }
static inline uint32_t disk_minor(const struct disk *dp) { return (uint32_t)dp->d_unit * DISK_MINORS; }

/* A disk time (cpu_time() units) in milliseconds, as Linux prints them (wrapping). */
uint32_t disk_time_ms(uint64_t t);

/* The timeout in cpu_time() units. */
uint64_t disk_timeout(void);

/*
 * Start the watchdog thread, if any disk is registered; read the
 * command line's disk_timeout_ms.  Once, after sched_init.
 */
void	disk_init(void);

/*
 * One look at every disk: poll the DISK_POLLED ones, and reset any whose
 * oldest request is older than the timeout.  The watchdog's body, also
 * called by waiters while the scheduler is not running.
 * => no spin lock held
 */
void	disk_check(void);

/* The byte-range interface of dp, for the buffer cache and file systems. */
static inline struct blockdev *
disk_blockdev(struct disk *dp)
{
	return &dp->d_blockdev;
}

/* blockdev.c: fill dp->d_blockdev (disk_register does). */
void	disk_blockdev_init(struct disk *dp);

/*
 * For bio.c: account bp as submitted (false: the disk has failed, and bp
 * was not taken) or as completed with error.  d_lock held.
 */
bool	disk_account_start(struct disk *dp, struct bio *bp, uint64_t now);
void	disk_account_done(struct disk *dp, struct bio *bp, int error, uint64_t now);
/* For bio.c: a request went in flight; wake the watchdog if it is idle. */
void	disk_watch_busy(void);

#endif
