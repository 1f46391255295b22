/*
 * Block I/O requests (after FreeBSD's struct bio with unmapped pages, and
 * Linux's bio_vec lists): the one way anything reads or writes a disk.
 *
 * A request names physical pages, never a kernel address: bio_pages[] is
 * an array of vm_pages, and the data is bio_length bytes starting
 * bio_page_offset bytes into the first page and running on through the
 * following pages (each used from its start; only the first and the last
 * may be partly used).  The driver hands the pages' physical addresses
 * to the device (DMA), so nothing is copied and nothing needs to be
 * mapped: a pager can send an object's pages straight to disk.  The
 * pages need not be contiguous; the driver merges runs that are.
 *
 * A request completes exactly once, with bio_error 0 or EIO (the device
 * failed it, or did not answer in time: see disk.h), or EINVAL when it
 * was malformed (a range that is not whole sectors inside the disk, too
 * many pages).  How the submitter learns of it:
 *   - bio_done == NULL: synchronous.  The submitter calls bio_wait(),
 *     which sleeps until completion and returns bio_error.
 *   - bio_done != NULL: asynchronous.  bio_done(bp) is called once, in
 *     whatever context the completion happens: usually the disk's
 *     interrupt handler, with interrupts disabled.  It must not sleep;
 *     it may submit further requests.  (The pageout path: it must not
 *     wait for each page.)
 * Either way the bio, its page array and the pages belong to the disk
 * from bio_submit until completion: the submitter must not touch or free
 * them, and must keep the memory of the struct bio itself alive.
 *
 * Sleeping.  bio_wait sleeps on the bio's address (its sleep queue,
 * uninterruptibly: a signal cannot take the pages back from the device);
 * the completion sets BIO_DONE and wakes it under that queue's chain
 * lock.  It is the only place the block layer sleeps for I/O.  Before
 * the scheduler runs (boot, in-kernel self-tests) it spins with
 * interrupts enabled instead.
 *
 * Locking: a bio's fields are the submitter's until bio_submit (C for the
 * disk after it), except bio_error and bio_flags (A), written once by the
 * completion, and the (D) fields, the disk's d_lock.
 */
#ifndef _KERN_BIO_H_
#define _KERN_BIO_H_

#include <kern/types.h>
#include <kern/list.h>
#include <machine/param.h>

struct disk;
struct vm_page;

enum bio_cmd {
	BIO_READ,
	BIO_WRITE,
	BIO_FLUSH,		/* make every completed write durable; no data */
	BIO_NCMD
};

/* Pages one bio may name; a disk may allow fewer (d_max_pages). */
#define BIO_MAX_PAGES	64

struct bio {
	enum bio_cmd	bio_cmd;
	uint64_t	bio_offset;	/* bytes from the disk's start; whole sectors */
	size_t		bio_length;	/* bytes; whole sectors; 0 for BIO_FLUSH */
	struct vm_page	**bio_pages;	/* the data's pages, in order */
	uint32_t	bio_page_offset; /* where the data starts in bio_pages[0] */
	void		(*bio_done)(struct bio *bp);	/* NULL: bio_wait */
	void		*bio_caller;	/* for bio_done */

	int		bio_error;	/* (A) the result, once BIO_DONE is set */
	uint32_t	bio_flags;	/* (A) BIO_* */
	struct disk	*bio_disk;	/* (C) set by bio_submit */
	uint64_t	bio_start;	/* (D) cpu_time() at submission */
	struct list_node bio_inflight;	/* (D) on the disk's d_inflight */
	struct list_node bio_queue;	/* the driver's own queue, under its lock */
};

/* bio_flags */
#define BIO_DONE	0x0001		/* completed: bio_error is final */

/* Pages the bio's data spans. */
static inline uint32_t
bio_npages(const struct bio *bp)
{
	return (uint32_t)((bp->bio_page_offset + bp->bio_length + PAGE_MASK) >> PAGE_SHIFT);
}

/*
 * Start bp on dp.  Never sleeps: callable from interrupt context (an
 * asynchronous completion submitting the next request).  A malformed
 * request or a disk that has failed completes at once, with EINVAL or
 * EIO, through the usual path.
 * => bp's command, range, pages and bio_done are set; the rest is reset here
 */
void	bio_submit(struct disk *dp, struct bio *bp);

/*
 * Wait for a synchronous bio (bio_done == NULL) to complete; its error.
 * => no spin lock held; not in interrupt context
 */
int	bio_wait(struct bio *bp);

/*
 * The synchronous request in one call: cmd (BIO_READ or BIO_WRITE) of
 * len bytes at off on dp, the data in pages from page_off on.  0, EIO or
 * EINVAL.
 */
int	bio_rw(struct disk *dp, enum bio_cmd cmd, uint64_t off, size_t len,
	    struct vm_page **pages, uint32_t page_off);

/* Flush dp's volatile write cache, if it has one: 0 or EIO. */
int	bio_flush(struct disk *dp);

/*
 * For drivers: bp is finished with error (0, or EIO).  Accounts it on
 * its disk, then calls bio_done or wakes bio_wait.  Callable from
 * interrupt context; the driver must hold none of its own locks (the
 * callback may submit to the same disk).
 */
void	bio_complete(struct bio *bp, int error);

#endif
