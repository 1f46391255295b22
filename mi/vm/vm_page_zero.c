/*
 * Zeroing free pages ahead of need (see vm_page_zero.h).
 */
#include <kern/systm.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include <vm/vm_page_zero.h>
#include <vm/vm_pageout.h>
#include <vm/vm_phys.h>
#include <vm/vm_wait.h>

/*
 * 2,048 pages (8 MiB): more than a burst of faults takes between two
 * idle moments on a small machine.  At most an eighth of the free pages
 * in any case: zeroing pages that are about to be taken by the page
 * daemon's customers is idle time spent for little.
 */
#define PREZERO_DEFAULT	2048
#define PREZERO_LIMIT	(1UL << 20)	/* the most /proc/sys/vm/prezero_pages takes */
#define PREZERO_SHARE	8

struct vm_page_zero_stats vm_page_zero_stats;
static uint64_t prezero_max = PREZERO_DEFAULT;	/* (A) */
static bool prezero_started;			/* (A) set once, when init runs */

void
vm_page_zero_start(void)
{
	__atomic_store_n(&prezero_started, true, __ATOMIC_RELAXED);
}

bool
vm_page_zero_idle(void)
{
	uint64_t free = vm_phys_free_count();
	uint64_t target = MIN(__atomic_load_n(&prezero_max, __ATOMIC_RELAXED),
	    free / PREZERO_SHARE);
	struct vm_page *m;

	/* Off, enough, still booting, or memory short (its pages go soon): no lock taken. */
	if (target == 0 || vm_phys_zeroed_count() >= target ||
	    !__atomic_load_n(&prezero_started, __ATOMIC_RELAXED) || vm_paging_needed(free))
		return false;
	if ((m = vm_phys_take_to_zero(target)) == NULL)
		return false;
	pmap_zero_page(m);
	vm_phys_put_zeroed(m);
	/* Someone may have found no page while this one was out of the lists. */
	vm_page_free_wakeup();
	__atomic_add_fetch(&vm_page_zero_stats.idle, 1, __ATOMIC_RELAXED);
	return true;
}

uint64_t
vm_page_zero_get_max(void)
{
	return __atomic_load_n(&prezero_max, __ATOMIC_RELAXED);
}

int
vm_page_zero_set_max(uint64_t pages)
{
	if (pages > PREZERO_LIMIT)
		return EINVAL;
	__atomic_store_n(&prezero_max, pages, __ATOMIC_RELAXED);
	return 0;
}
