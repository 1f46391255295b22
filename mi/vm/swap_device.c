/*
 * Swap devices (see swap_device.h): the table, slot allocation by
 * priority, I/O on a slot, and swapon/swapoff.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/disk.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/proc.h>
#include <kern/sleepqueue.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <vm/blist.h>
#include <vm/kmem.h>
#include <vm/swap_device.h>
#include <vm/swap_header.h>
#include <vm/swap_pager.h>
#include <vm/vm_page.h>
#include <vm/vm_pageout.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/swap.h>

#define SWAP_FLAGS_VALID	(SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD | \
				 SWAP_FLAG_DISCARD_ONCE | SWAP_FLAG_DISCARD_PAGES)
#define SWAP_BOOT_WORD_MAX	256
#define SWAPOFF_PASSES_MAX	64	/* unuse passes before swapoff gives up (EBUSY) */
#define SWAPOFF_PAUSE_NS	10000000	/* between passes: 10 ms for I/O and exits to end */

struct swap_device {
	bool		sd_used;	/* (S) the entry is taken (swapon under way, or in service) */
	bool		sd_active;	/* (S) in service: listed, counted, its slots valid */
	bool		sd_writable;	/* (S) new slots may be handed out on it */
	bool		sd_auto_prio;	/* (S) its priority was given by swapon, not the caller */
	int		sd_prio;	/* (S) */
	uint64_t	sd_inuse;	/* (S) slots allocated */
	struct blist	sd_blist;	/* (S) which slots are free */
	struct disk	*sd_disk;	/* (C) */
	struct vnode	*sd_vnode;	/* (C) referenced: the device file swapoff names */
	void		*sd_blist_mem;	/* (C) */
	size_t		sd_blist_bytes;	/* (C) */
	uint64_t	sd_npages;	/* (C) the area's pages, header included */
	uint64_t	sd_ngood;	/* (C) usable slots */
	char		sd_path[SWAP_PATH_MAX];	/* (C) */
};

struct swap_stats swap_stats;

static struct spinlock swap_lock = SPINLOCK_INITIALIZER("swap");
static struct mtx swapon_lock = MTX_INITIALIZER("swapon");
static struct swap_device swap_devices[SWAP_DEVICES_MAX];	/* (S) */
static int least_priority = -1;		/* (S) the last automatic priority given (Linux's) */
static int rr_last = -1;		/* (S) the device the last allocation used */
/*
 * The totals of every device in service (see account()), kept as
 * the devices change so that reading them takes no lock: commit
 * accounting reads them at every private mmap, the laundry at every pass.
 */
static uint64_t swap_total_count;	/* (S, A) written under swap_lock */
static uint64_t swap_free_count;	/* (S, A) written under swap_lock */

/*
 * A device being emptied by swapoff counts as its used slots, in both
 * totals, as Linux's si_swapinfo counts it.  Each change to a device's
 * state is made between account(sd, -1) and account(sd, 1), under
 * swap_lock, so the two counts follow it.  They are read without the
 * lock, each on its own: a reader racing a change may see one before and
 * the other after it.
 */
static void
account(const struct swap_device *sd, int sign)
{
	uint64_t total = 0, free = 0;

	if (sd->sd_active && sd->sd_writable) {
		total = sd->sd_ngood;
		free = sd->sd_ngood - sd->sd_inuse;
	} else if (sd->sd_active) {
		total = free = sd->sd_inuse;
	}
	__atomic_store_n(&swap_total_count, swap_total_count + sign * total, __ATOMIC_RELAXED);
	__atomic_store_n(&swap_free_count, swap_free_count + sign * free, __ATOMIC_RELAXED);
}

/*
 * Allocation.
 */

/* The highest priority below ceiling among writable devices (INT_MIN: none). */
static int
next_priority(int ceiling)
{
	int best = INT32_MIN;

	for (int i = 0; i < SWAP_DEVICES_MAX; i++) {
		struct swap_device *sd = &swap_devices[i];

		if (sd->sd_active && sd->sd_writable && sd->sd_prio < ceiling && sd->sd_prio > best)
			best = sd->sd_prio;
	}
	return best;
}

/*
 * A run of *count slots on a device of priority prio, taking turns from
 * rr_last; no longer than one request to the device may be (*count is
 * lowered to that).
 */
static uint64_t
alloc_at_priority(int prio, uint64_t *count)
{
	for (int k = 1; k <= SWAP_DEVICES_MAX; k++) {
		int i = (rr_last + k + SWAP_DEVICES_MAX) % SWAP_DEVICES_MAX;
		struct swap_device *sd = &swap_devices[i];
		uint64_t page, n;

		if (!sd->sd_active || !sd->sd_writable || sd->sd_prio != prio)
			continue;
		n = MIN(*count, (uint64_t)sd->sd_disk->d_max_pages);
		if ((page = blist_alloc(&sd->sd_blist, n)) == BLIST_NONE)
			continue;
		account(sd, -1);
		sd->sd_inuse += n;
		account(sd, 1);
		rr_last = i;
		*count = n;
		return swap_slot(i, page);
	}
	return SWAP_SLOT_NONE;
}

uint64_t
swap_alloc(uint64_t *count)
{
	uint64_t want = *count, slot = SWAP_SLOT_NONE;
	int prio = INT32_MAX;

	KASSERT(want >= 1, ("swap_alloc: %lu slots", want));
	spin_lock(&swap_lock);
	while (slot == SWAP_SLOT_NONE && (prio = next_priority(prio)) != INT32_MIN) {
		for (uint64_t n = want; n >= 1 && slot == SWAP_SLOT_NONE; n /= 2) {
			uint64_t got = n;

			if ((slot = alloc_at_priority(prio, &got)) != SWAP_SLOT_NONE)
				*count = got;
		}
	}
	spin_unlock(&swap_lock);
	if (slot == SWAP_SLOT_NONE)
		SWAP_STAT_ADD(alloc_failures, 1);
	else if (*count < want)
		SWAP_STAT_ADD(alloc_short, 1);
	return slot;
}

/* The device slot is on, which must be in service. */
static struct swap_device *
slot_device(uint64_t slot)
{
	int i = swap_slot_device(slot);

	KASSERT(i >= 0 && i < SWAP_DEVICES_MAX && swap_devices[i].sd_active,
	    ("swap: slot %lx is on no device", slot));
	return &swap_devices[i];
}

void
swap_free(uint64_t slot, uint64_t count)
{
	struct swap_device *sd;

	if (slot == SWAP_SLOT_LOST)
		return;			/* it was on no device */
	spin_lock(&swap_lock);
	sd = slot_device(slot);
	KASSERT(swap_slot_page(slot) + count <= sd->sd_npages && sd->sd_inuse >= count,
	    ("swap_free: %lu slots at %lx on %s", count, slot, sd->sd_path));
	blist_free(&sd->sd_blist, swap_slot_page(slot), count);
	account(sd, -1);
	sd->sd_inuse -= count;
	account(sd, 1);
	spin_unlock(&swap_lock);
}

void
swap_free_run(void *arg __unused, uint64_t slot, uint64_t count)
{
	swap_free(slot, count);
}

bool
swap_slot_in_use(uint64_t slot)
{
	int i = swap_slot_device(slot);
	bool used;

	if (slot == SWAP_SLOT_LOST)
		return true;
	if (i < 0 || i >= SWAP_DEVICES_MAX)
		return false;
	spin_lock(&swap_lock);
	used = swap_devices[i].sd_active && swap_slot_page(slot) > 0 &&
	    swap_slot_page(slot) < swap_devices[i].sd_npages &&
	    !blist_is_free(&swap_devices[i].sd_blist, swap_slot_page(slot));
	spin_unlock(&swap_lock);
	return used;
}

/*
 * I/O.  The device cannot go away under a request: the request's slots
 * are in use, and swapoff removes a device only once none is.
 */

void
swap_io_start(struct bio *bp, enum bio_cmd cmd, uint64_t slot, uint32_t count)
{
	struct swap_device *sd = &swap_devices[swap_slot_device(slot)];

	KASSERT(sd->sd_active && swap_slot_page(slot) + count <= sd->sd_npages &&
	    count <= sd->sd_disk->d_max_pages, ("swap_io_start: %u pages at %lx", count, slot));
	bp->bio_cmd = cmd;
	bp->bio_offset = swap_slot_page(slot) * PAGE_SIZE;
	bp->bio_length = (size_t)count * PAGE_SIZE;
	bp->bio_page_offset = 0;
	bio_submit(sd->sd_disk, bp);
}

uint32_t
swap_io_max_pages(uint64_t slot)
{
	return swap_devices[swap_slot_device(slot)].sd_disk->d_max_pages;
}

/* Totals (account() above) and /proc/swaps. */
uint64_t
swap_total_pages(void)
{
	return __atomic_load_n(&swap_total_count, __ATOMIC_RELAXED);
}

uint64_t
swap_free_pages(void)
{
	return __atomic_load_n(&swap_free_count, __ATOMIC_RELAXED);
}

bool
swap_device_info(int n, struct swap_device_info *info)
{
	bool found = false;

	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_DEVICES_MAX && !found; i++) {
		struct swap_device *sd = &swap_devices[i];

		if (!sd->sd_active || n-- > 0)
			continue;
		strlcpy(info->path, sd->sd_path, sizeof(info->path));
		info->pages = sd->sd_ngood;
		info->used = sd->sd_inuse;
		info->priority = sd->sd_prio;
		info->writable = sd->sd_writable;
		found = true;
	}
	spin_unlock(&swap_lock);
	return found;
}

/*
 * swapon.
 */

/* Read the swap header of dp into *info: 0, EIO, or EINVAL (reported with Linux's reason). */
static int
read_header(struct disk *dp, const char *path, struct swap_header_info *info)
{
	struct vm_page *m;
	const char *why;
	int error;

	if (dp->d_size < PAGE_SIZE) {
		printf("swapon: %s: too small for a swap header\n", path);
		return EINVAL;
	}
	if ((m = vm_page_alloc_pages(0, VM_ALLOC_NORMAL)) == NULL)
		return ENOMEM;
	error = bio_rw(dp, BIO_READ, 0, PAGE_SIZE, &m, 0);
	if (error == 0 && (error = swap_header_parse((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)),
	    dp->d_size / PAGE_SIZE, info, &why)) != 0)
		printf("swapon: %s: %s\n", path, why);
	vm_page_free_pages(m, 0);
	return error;
}

/* Set sd's slots up from the header: all free but the header page and the bad pages. */
static int
init_slots(struct swap_device *sd, const struct swap_header_info *info)
{
	sd->sd_blist_bytes = blist_bytes(info->npages);
	if ((sd->sd_blist_mem = kmem_alloc(sd->sd_blist_bytes, M_WAITOK)) == NULL)
		return ENOMEM;
	blist_init(&sd->sd_blist, sd->sd_blist_mem, info->npages);
	blist_reserve(&sd->sd_blist, 0, 1);
	for (uint32_t i = 0; i < info->nbad; i++)
		blist_reserve(&sd->sd_blist, info->bad[i], 1);
	KASSERT(blist_avail(&sd->sd_blist) == info->ngood, ("swapon: %lu slots free, header "
	    "says %lu", blist_avail(&sd->sd_blist), info->ngood));
	sd->sd_npages = info->npages;
	sd->sd_ngood = info->ngood;
	return 0;
}

/* Is dp already swap (another entry, in service or being set up)?  swap_lock held. */
static bool
disk_is_swap(const struct disk *dp, const struct swap_device *self)
{
	for (int i = 0; i < SWAP_DEVICES_MAX; i++)
		if (&swap_devices[i] != self && swap_devices[i].sd_used &&
		    swap_devices[i].sd_disk == dp)
			return true;
	return false;
}

/* A free table entry, taken (EPERM when all are, as Linux's MAX_SWAPFILES). */
static int
take_entry(struct swap_device **sdp)
{
	int error = EPERM;

	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_DEVICES_MAX; i++) {
		if (!swap_devices[i].sd_used) {
			memset(&swap_devices[i], 0, sizeof(swap_devices[i]));
			swap_devices[i].sd_used = true;
			*sdp = &swap_devices[i];
			error = 0;
			break;
		}
	}
	spin_unlock(&swap_lock);
	return error;
}

/* The disk behind an open file, or EINVAL (swap lives on block devices only here). */
static int
file_disk(struct file *fp, struct disk **dpp)
{
	struct vnode *vp = fp->f_vnode;

	if (vp == NULL || vp->v_type != VBLK || (*dpp = disk_vnode_disk(vp)) == NULL)
		return EINVAL;
	return 0;
}

/* Put sd, set up, in service with the priority flags ask for. */
static void
enable(struct swap_device *sd, int flags)
{
	spin_lock(&swap_lock);
	if (flags & SWAP_FLAG_PREFER) {
		sd->sd_prio = (flags & SWAP_FLAG_PRIO_MASK) >> SWAP_FLAG_PRIO_SHIFT;
	} else {
		sd->sd_prio = --least_priority;
		sd->sd_auto_prio = true;
	}
	sd->sd_writable = true;
	sd->sd_active = true;
	account(sd, 1);
	spin_unlock(&swap_lock);
	printf("swap: adding %luk swap on %s, priority %d, %lu bad pages\n",
	    sd->sd_ngood * (PAGE_SIZE / 1024), sd->sd_path, sd->sd_prio,
	    sd->sd_npages - 1 - sd->sd_ngood);
}

/* Give sd's entry back after a failed swapon or a finished swapoff. */
static void
release(struct swap_device *sd)
{
	if (sd->sd_blist_mem != NULL)
		kmem_free(sd->sd_blist_mem, sd->sd_blist_bytes);
	if (sd->sd_vnode != NULL)
		vrele(sd->sd_vnode);
	spin_lock(&swap_lock);
	sd->sd_active = sd->sd_writable = false;
	sd->sd_used = false;
	spin_unlock(&swap_lock);
}

int
swap_on(struct vnode *dir, const char *path, int flags)
{
	struct swap_header_info *info;
	struct swap_device *sd;
	struct file *fp;
	struct disk *dp;
	int error;

	if (flags & ~SWAP_FLAGS_VALID)
		return EINVAL;
	if ((error = take_entry(&sd)) != 0)
		return error;
	if ((error = vn_open(dir, path, O_RDWR, 0, &fp)) != 0) {
		release(sd);
		return error;
	}
	if ((error = file_disk(fp, &dp)) != 0) {
		file_drop(fp);
		release(sd);
		return error;
	}
	sd->sd_vnode = fp->f_vnode;
	vref(sd->sd_vnode);
	file_drop(fp);
	if ((info = malloc(sizeof(*info), M_TEMP, M_WAITOK)) == NULL) {
		release(sd);
		return ENOMEM;
	}
	mtx_lock(&swapon_lock);
	spin_lock(&swap_lock);
	error = disk_is_swap(dp, sd) ? EBUSY : 0;
	sd->sd_disk = dp;
	spin_unlock(&swap_lock);
	snprintf(sd->sd_path, sizeof(sd->sd_path), "/dev/%s", dp->d_name);
	if (error == 0)
		error = read_header(dp, sd->sd_path, info);
	if (error == 0)
		error = init_slots(sd, info);
	if (error == 0)
		enable(sd, flags);
	mtx_unlock(&swapon_lock);
	free(info, M_TEMP);
	if (error)
		release(sd);
	else
		vm_pageout_swap_added();	/* parked dirty pages can be written now */
	return error;
}

/*
 * swapoff.
 */

/* sd (in service, automatically prioritized) leaves: those after it move up, as Linux's do. */
static void
renumber_after(const struct swap_device *sd)
{
	KASSERT(spin_owned(&swap_lock), ("renumber_after: swap_lock not held"));
	if (!sd->sd_auto_prio)
		return;
	for (int i = 0; i < SWAP_DEVICES_MAX; i++) {
		struct swap_device *other = &swap_devices[i];

		if (other != sd && other->sd_active && other->sd_auto_prio &&
		    other->sd_prio < sd->sd_prio)
			other->sd_prio++;
	}
	least_priority++;
}

/* The device in service on dp, or NULL. */
static struct swap_device *
find_device(const struct disk *dp)
{
	struct swap_device *found = NULL;

	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_DEVICES_MAX; i++)
		if (swap_devices[i].sd_active && swap_devices[i].sd_disk == dp)
			found = &swap_devices[i];
	spin_unlock(&swap_lock);
	return found;
}

/*
 * Can what sd holds come back?  Its used slots must fit in free memory
 * and the other writable devices (pages that come in may go out again
 * there).  A first look only: memory may run out on the way anyway.
 */
static bool
fits_elsewhere(const struct swap_device *sd)
{
	uint64_t room = vm_page_count_free();

	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_DEVICES_MAX; i++) {
		const struct swap_device *other = &swap_devices[i];

		if (other != sd && other->sd_active && other->sd_writable)
			room += other->sd_ngood - other->sd_inuse;
	}
	spin_unlock(&swap_lock);
	return sd->sd_inuse <= room;
}

/*
 * Bring everything on sd back into memory: 0, or ENOMEM (or EBUSY, when
 * slots stay in use pass after pass) with sd still in service.  A pass
 * can leave slots behind that are on their way out: a write that started
 * before sd stopped taking new ones and has not recorded its slots yet,
 * an object that is dying (its copies are freed once its paging ends).
 * The next pass, after a short pause, finds them gone or recorded.
 */
static int
empty_device(struct swap_device *sd)
{
	static int pause_chan;
	int error, dev = (int)(sd - swap_devices);

	for (int pass = 0; pass < SWAPOFF_PASSES_MAX; pass++) {
		if (__atomic_load_n(&sd->sd_inuse, __ATOMIC_ACQUIRE) == 0)
			return 0;
		if (pass > 0)
			(void)sleep_on_timed(&pause_chan, NULL, 0,
			    sleepq_deadline_ns(SWAPOFF_PAUSE_NS));
		if ((error = swap_pager_unuse(dev)) != 0)
			return error;
	}
	return __atomic_load_n(&sd->sd_inuse, __ATOMIC_ACQUIRE) == 0 ? 0 : EBUSY;
}

int
swap_off(struct vnode *dir, const char *path)
{
	struct swap_device *sd;
	struct file *fp;
	struct disk *dp;
	int error;

	if ((error = vn_open(dir, path, O_RDWR, 0, &fp)) != 0)
		return error;
	error = file_disk(fp, &dp);
	file_drop(fp);
	mtx_lock(&swapon_lock);
	if (error == 0 && (sd = find_device(dp)) == NULL)
		error = EINVAL;
	if (error == 0 && !fits_elsewhere(sd))
		error = ENOMEM;
	if (error) {
		mtx_unlock(&swapon_lock);
		return error;
	}
	spin_lock(&swap_lock);
	account(sd, -1);
	sd->sd_writable = false;
	account(sd, 1);
	spin_unlock(&swap_lock);
	if ((error = empty_device(sd)) != 0) {
		spin_lock(&swap_lock);
		account(sd, -1);
		sd->sd_writable = true;
		account(sd, 1);
		spin_unlock(&swap_lock);
		mtx_unlock(&swapon_lock);
		printf("swapoff: %s: %s; it stays in use\n", sd->sd_path,
		    error == ENOMEM ? "out of memory" : "pages could not be brought back");
		return error;
	}
	spin_lock(&swap_lock);
	KASSERT(sd->sd_inuse == 0, ("swapoff: %lu slots still in use", sd->sd_inuse));
	renumber_after(sd);
	account(sd, -1);
	sd->sd_active = false;
	spin_unlock(&swap_lock);
	release(sd);
	mtx_unlock(&swapon_lock);
	return 0;
}

/*
 * The system calls and the command line.
 */

static bool
is_root(struct thread *td)
{
	return td->td_proc->p_uid == 0;
}

/* swapon(path, flags): Linux checks the flags before the caller's privilege. */
SYSCALL(swapon)
{
	int flags = (int)a[1], error;
	struct vnode *dir;
	char *path;

	if (flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	if (!is_root(td))
		return -EPERM;
	if ((error = user_path_start(td, a[0], &path, &dir)) != 0)
		return -error;
	error = swap_on(dir, path, flags);
	user_path_release(path, dir);
	return -error;
}

/* swapoff(path) */
SYSCALL(swapoff)
{
	struct vnode *dir;
	char *path;
	int error;

	if (!is_root(td))
		return -EPERM;
	if ((error = user_path_start(td, a[0], &path, &dir)) != 0)
		return -error;
	error = swap_off(dir, path);
	user_path_release(path, dir);
	return -error;
}

void
swap_device_boot(void)
{
	char word[SWAP_BOOT_WORD_MAX], *p, *comma;
	int error;

	if (!cmdline_get("swap", word, sizeof(word)))
		return;
	for (p = word; *p != '\0'; p = comma + 1) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		if (*p != '\0' && (error = swap_on(NULL, p, 0)) != 0)
			printf("swap: cannot use %s: error %d\n", p, error);
		if (comma == NULL)
			break;
	}
}
