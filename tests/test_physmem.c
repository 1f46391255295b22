/*
 * Host unit test of the boot-time physical memory map.
 */
#include <stdio.h>
#include <kern/systm.h>
#include <vm/physmem.h>

#include "host/tap.h"

static uint64_t
avail_bytes(void)
{
	const struct phys_range *r;
	int n = physmem_avail(&r);
	uint64_t total = 0;

	for (int i = 0; i < n; i++)
		total += r[i].end - r[i].start;
	return total;
}

static bool
sorted_disjoint_aligned(void)
{
	const struct phys_range *r;
	int n = physmem_avail(&r);

	for (int i = 0; i < n; i++) {
		if (r[i].start >= r[i].end || (r[i].start | r[i].end) & PAGE_MASK)
			return false;
		if (i > 0 && r[i - 1].end >= r[i].start)
			return false;
	}
	return true;
}

int
main(void)
{
	const struct phys_range *r;
	paddr_t pa;

	physmem_reset();
	physmem_add_ram(0x80000000, 0xa0000000);
	tap_ok(avail_bytes() == 0x20000000, "512 MiB of RAM is available");
	physmem_exclude(0x80000000, 0x80040000);	/* firmware */
	physmem_exclude(0x80200000, 0x80212345);	/* kernel, unaligned end */
	physmem_exclude(0x9fe00000, 0x9fe01234);	/* device tree */
	tap_ok(physmem_avail(&r) == 3, "three exclusions leave three ranges");
	tap_ok(r[1].start == 0x80213000,
	    "an exclusion's end rounds up to a page");
	tap_ok(avail_bytes() == 0x20000000 - 0x40000 - 0x13000 - 0x2000,
	    "excluded bytes are gone");
	tap_ok(sorted_disjoint_aligned(),
	    "ranges are sorted, disjoint, page aligned");

	pa = physmem_steal(0x3000, 0x1000);
	tap_ok(pa == 0xa0000000 - 0x3000,
	    "steal takes from the top of the highest range");
	pa = physmem_steal(0x1000, 0x200000);
	tap_ok((pa & 0x1fffff) == 0 && pa < 0xa0000000,
	    "steal honours alignment");
	tap_ok(sorted_disjoint_aligned(), "still sorted after steals");

	physmem_add_ram(0x100000000, 0x100100000);
	tap_ok(physmem_avail(&r) >= 4 &&
	    r[physmem_avail(&r) - 1].start == 0x100000000,
	    "a second bank is added in order");
	tap_ok(physmem_ram_bytes() == 0x20000000 + 0x100000,
	    "RAM total counts both banks");
	tap_ok(physmem_ram_end() == 0x100100000,
	    "RAM end is the second bank's end");
	physmem_exclude(0, ~0UL & ~PAGE_MASK);
	tap_ok(physmem_avail(&r) == 0, "excluding everything leaves nothing");
	physmem_add_ram(0x80000000, 0x80001000);
	physmem_add_ram(0x80001000, 0x80002000);
	tap_ok(physmem_avail(&r) == 1 && r[0].end == 0x80002000,
	    "touching ranges merge");

	/*
	 * An 8 GiB VisionFive 2 as booted: OpenSBI reserves two overlapping
	 * regions at the base of RAM, U-Boot the initrd; RAM ends beyond
	 * 4 GiB of address space.
	 */
	physmem_reset();
	physmem_add_ram(0x40000000, 0x240000000);
	physmem_exclude(0x46100000, 0x46100000 + 0x381c00);	/* initrd */
	physmem_exclude(0x40000000, 0x40000000 + 0x20000);	/* firmware text */
	physmem_exclude(0x40000000, 0x40000000 + 0x80000);	/* all firmware */
	physmem_exclude(0x40200000, 0x4025a000);		/* kernel */
	tap_ok(physmem_avail(&r) == 3 && r[0].start == 0x40080000 &&
	    r[0].end == 0x40200000 && r[1].start == 0x4025a000 &&
	    r[1].end == 0x46100000 && r[2].start == 0x46482000 &&
	    r[2].end == 0x240000000,
	    "VisionFive 2: overlapping firmware regions, kernel, initrd");
	tap_ok(avail_bytes() == 0x200000000 - 0x80000 - 0x5a000 - 0x382000,
	    "VisionFive 2: 8 GiB less what is excluded, counted once");
	tap_ok(sorted_disjoint_aligned(), "VisionFive 2: sorted, disjoint, aligned");

	return tap_done();
}
