/*
 * Commit accounting (see vm_commit.h).
 */
#include <kern/systm.h>
#include <kern/spinlock.h>
#include <vm/swap_device.h>
#include <vm/vm_commit.h>
#include <vm/vm_page.h>

#define OVERCOMMIT_RATIO_DEFAULT	50	/* Linux's default overcommit_ratio */
#define KB_PER_PAGE			(PAGE_SIZE / 1024)

static struct spinlock commit_lock = SPINLOCK_INITIALIZER("commit");
static uint64_t overcommit_mode = OVERCOMMIT_GUESS;	/* (A) */
static uint64_t overcommit_ratio = OVERCOMMIT_RATIO_DEFAULT;	/* (A) */
static uint64_t overcommit_kbytes;			/* (A) 0: the ratio applies */
static uint64_t committed_entries;			/* (A) pages held by map entries */
static uint64_t committed_objects;			/* (A) pages held by objects */

/* Swap, in pages: what the heuristic and the limit count on beside RAM. */
static uint64_t
swap_pages(void)
{
	return swap_total_pages();
}

uint64_t
vm_commit_limit_pages(void)
{
	uint64_t kb = __atomic_load_n(&overcommit_kbytes, __ATOMIC_RELAXED);

	if (kb != 0)
		return kb / KB_PER_PAGE + swap_pages();
	return vm_page_count_total() * __atomic_load_n(&overcommit_ratio, __ATOMIC_RELAXED) / 100 +
	    swap_pages();
}

uint64_t
vm_committed_pages(void)
{
	return __atomic_load_n(&committed_entries, __ATOMIC_RELAXED) +
	    __atomic_load_n(&committed_objects, __ATOMIC_RELAXED);
}

uint64_t
vm_committed_entry_pages(void)
{
	return __atomic_load_n(&committed_entries, __ATOMIC_RELAXED);
}

static uint64_t *
counter(bool entry)
{
	return entry ? &committed_entries : &committed_objects;
}

int
vm_commit_reserve(uint64_t pages, bool entry)
{
	uint64_t *c = counter(entry);

	/* Count first, as Linux does, so that racing requests see each other. */
	__atomic_add_fetch(c, pages, __ATOMIC_RELAXED);
	switch (__atomic_load_n(&overcommit_mode, __ATOMIC_RELAXED)) {
	case OVERCOMMIT_ALWAYS:
		return 0;
	case OVERCOMMIT_GUESS:
		if (pages <= vm_page_count_total() + swap_pages())
			return 0;
		break;
	default:
		if (vm_committed_pages() <= vm_commit_limit_pages())
			return 0;
		break;
	}
	__atomic_sub_fetch(c, pages, __ATOMIC_RELAXED);
	return ENOMEM;
}

void
vm_commit_release(uint64_t pages, bool entry)
{
	uint64_t *c = counter(entry);

	KASSERT(__atomic_load_n(c, __ATOMIC_RELAXED) >= pages,
	    ("vm_commit_release: %lu pages, %lu committed", pages, *c));
	__atomic_sub_fetch(c, pages, __ATOMIC_RELAXED);
}

bool
vm_commit_noreserve_honoured(void)
{
	return __atomic_load_n(&overcommit_mode, __ATOMIC_RELAXED) != OVERCOMMIT_NEVER;
}

uint64_t
vm_commit_get_mode(void)
{
	return __atomic_load_n(&overcommit_mode, __ATOMIC_RELAXED);
}

int
vm_commit_set_mode(uint64_t mode)
{
	if (mode > OVERCOMMIT_NEVER)
		return EINVAL;
	__atomic_store_n(&overcommit_mode, mode, __ATOMIC_RELAXED);
	return 0;
}

uint64_t
vm_commit_get_ratio(void)
{
	return __atomic_load_n(&overcommit_ratio, __ATOMIC_RELAXED);
}

/* Linux: setting the ratio clears overcommit_kbytes, and the other way round. */
static void
set_pair(uint64_t ratio, uint64_t kbytes)
{
	spin_lock(&commit_lock);
	__atomic_store_n(&overcommit_ratio, ratio, __ATOMIC_RELAXED);
	__atomic_store_n(&overcommit_kbytes, kbytes, __ATOMIC_RELAXED);
	spin_unlock(&commit_lock);
}

int
vm_commit_set_ratio(uint64_t ratio)
{
	if (ratio > INT32_MAX)
		return EINVAL;		/* Linux keeps it in an int */
	set_pair(ratio, 0);
	return 0;
}

uint64_t
vm_commit_get_kbytes(void)
{
	return __atomic_load_n(&overcommit_kbytes, __ATOMIC_RELAXED);
}

int
vm_commit_set_kbytes(uint64_t kbytes)
{
	set_pair(0, kbytes);
	return 0;
}
