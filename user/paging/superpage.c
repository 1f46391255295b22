/*
 * superpage: memory mapped by superpages is paged out under pressure and
 * comes back intact.  Half of memory, fresh, aligned and written in order,
 * becomes superpages; then a hog the size of memory pushes it out: the
 * page daemon and the laundry must split (demote) the superpages they
 * take pages from, write those pages to swap and free them, and every
 * page must read back as written.  Then the address space passes the
 * consistency check and the swap slots in use are all held.
 *
 * On Linux (qemu-user) it runs with 16 MiB and a 16 MiB hog, checking
 * the contents only: pressing the host is no test, and the counters are
 * ours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define SP		(2UL << 20)
#define HOST_BYTES	(16UL << 20)
#define WORDS_STRIDE	64		/* one checked word every 512 bytes */
#define OURS		"the counters are our kernel's"

static unsigned long
word(unsigned long page, unsigned long k)
{
	return 0x5350000000000000UL ^ page << 12 ^ k;
}

/* The first page of p[0..npages) not holding its words, or npages. */
static unsigned long
first_bad(const char *p, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++) {
		const unsigned long *q = (const unsigned long *)(p + i * PGSZ);

		for (unsigned long k = 0; k < PGSZ / 8; k += WORDS_STRIDE)
			if (q[k] != word(i, k))
				return i;
	}
	return npages;
}

int
main(void)
{
	long ram_kb = meminfo_get("MemTotal");
	int sable = vmstat_is_sable();
	size_t len, hog_len;
	long made, split0, out0, in0;
	unsigned long npages, bad;
	char *p, *hog;

	if (ram_kb <= 0) {
		tap_skip_all("no /proc/meminfo");
		return tap_done();
	}
	tap_plan(5);
	len = sable ? ((unsigned long)ram_kb * 1024 / 2) & ~(SP - 1) : HOST_BYTES;
	hog_len = sable ? (unsigned long)ram_kb * 1024 : HOST_BYTES;
	npages = len / PGSZ;
	tap_diag("%lu MiB in superpages, then a %lu MiB hog", len >> 20, hog_len >> 20);
	made = vmstat_get("thp_fault_alloc");
	split0 = vmstat_get("thp_split_pmd");
	out0 = vmstat_get("pswpout");
	in0 = vmstat_get("pswpin");
	if ((p = map_aligned(len, SP)) == NULL || (hog = mmap(NULL, hog_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		tap_skip_all("no address space");
		return tap_done();
	}
	for (unsigned long i = 0; i < npages; i++)
		for (unsigned long k = 0; k < PGSZ / 8; k += WORDS_STRIDE)
			((unsigned long *)(p + i * PGSZ))[k] = word(i, k);
	made = vmstat_get("thp_fault_alloc") - made;
	if (sable)
		tap_ok(made == (long)(len / SP), "the region is %ld superpages (of %lu)", made,
		    len / SP);
	else
		tap_skip("superpages: %s", OURS);
	for (size_t off = 0; off < hog_len; off += PGSZ)
		hog[off] = 1;
	if (sable)
		tap_ok(vmstat_get("thp_split_pmd") > split0 && vmstat_get("pswpout") > out0,
		    "the hog split superpages (%ld) and pushed pages to swap (%ld)",
		    vmstat_get("thp_split_pmd") - split0, vmstat_get("pswpout") - out0);
	else
		tap_skip("pageout: %s", OURS);
	bad = first_bad(p, npages);
	tap_ok(bad == npages, "every page of the region reads back as written (%lu of %lu)",
	    bad, npages);
	if (sable)
		tap_ok(vmstat_get("pswpin") > in0, "pages came back from swap (%ld)",
		    vmstat_get("pswpin") - in0);
	else
		tap_skip("pagein: %s", OURS);
	munmap(hog, hog_len);
	munmap(p, len);
	if (sable)
		tap_ok(vmcheck_problems("/proc/vmcheck") == 0 &&
		    vmcheck_value("swap_slots_used") == vmcheck_value("swap_slots_held"),
		    "/proc/vmcheck consistent, every swap slot in use held (%ld used)",
		    vmcheck_value("swap_slots_used"));
	else
		tap_skip("vmcheck: %s", OURS);
	return tap_done();
}
