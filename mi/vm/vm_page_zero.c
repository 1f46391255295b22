/*
 * Zeroing free pages ahead of need (see vm_page_zero.h).
 */
#include <kern/systm.h>
#include <machine/param.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include <vm/vm_page_zero.h>
#include <vm/vm_phys.h>

/*
 * Off by default.  A pool page pins the block it came from until the
 * pool drains, and on four harts with memory in demand that cost
 * superpages (1 to 6 of a 29-superpage region in paging-smp4) with every
 * guard below; zeroed pages kept inside the buddy lists would not pin.
 * 2,048 (8 MiB) is the size the benchmarks and tests ask for: more than a
 * burst of faults takes between two idle moments on a small machine.  At
 * most an eighth of the free pages in any case.
 */
#define PREZERO_DEFAULT	0
#define PREZERO_LIMIT	(1UL << 20)	/* the most /proc/sys/vm/prezero_pages takes */
#define PREZERO_SHARE	8
/*
 * A pool page pins the block it came from until the pool drains, which
 * costs merges and superpages when memory is in demand: the pool is
 * filled only while half of memory is free, and a 2 MiB run is split for
 * it only while a quarter of memory's runs are free.
 */
#define PREZERO_FREE_SHARE_MIN	2
#define PREZERO_RUNS_KEPT	4

struct vm_page_zero_stats vm_page_zero_stats;
static uint64_t prezero_max = PREZERO_DEFAULT;	/* (A) */

bool
vm_page_zero_idle(void)
{
	uint64_t free = vm_phys_free_count();
	uint64_t target = MIN(__atomic_load_n(&prezero_max, __ATOMIC_RELAXED),
	    free / PREZERO_SHARE);
	struct vm_page *m;

	if (target == 0 || free < vm_page_count_total() / PREZERO_FREE_SHARE_MIN)
		return false;	/* off (the default), or memory in demand: no lock taken */
	m = vm_phys_take_to_zero(target, SUPERPAGE_ORDER,
	    vm_page_count_total() / SUPERPAGE_PAGES / PREZERO_RUNS_KEPT);
	if (m == NULL)
		return false;
	pmap_zero_page(m);
	vm_phys_put_zeroed(m);
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
	if (vm_phys_zeroed_count() > pages)
		vm_phys_drain_zeroed();	/* idle harts zero it up to the new size again */
	return 0;
}
