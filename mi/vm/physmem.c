/*
 * Boot-time physical memory map (see physmem.h).
 */
#include <kern/systm.h>
#include <vm/physmem.h>

static struct phys_range avail[PHYSMEM_MAX_RANGES];
static int navail;
static uint64_t ram_bytes;
static paddr_t ram_end;

void
physmem_reset(void)
{
	navail = 0;
	ram_bytes = 0;
	ram_end = 0;
}

static void
insert_range(int at, paddr_t start, paddr_t end)
{
	if (navail == PHYSMEM_MAX_RANGES)
		panic("physmem: more than %d ranges", PHYSMEM_MAX_RANGES);
	memmove(&avail[at + 1], &avail[at], (navail - at) * sizeof(avail[0]));
	avail[at] = (struct phys_range){ start, end };
	navail++;
}

static void
delete_range(int at)
{
	memmove(&avail[at], &avail[at + 1], (navail - at - 1) * sizeof(avail[0]));
	navail--;
}

/* Add [start, end) of RAM, shrunk to whole pages; overlaps are merged. */
void
physmem_add_ram(paddr_t start, paddr_t end)
{
	int i;

	start = round_page(start);
	end = trunc_page(end);
	if (start >= end)
		return;
	ram_bytes += end - start;
	ram_end = MAX(ram_end, end);
	/* Exclude first so an overlapping declaration is not counted twice. */
	physmem_exclude(start, end);
	for (i = 0; i < navail && avail[i].start < start; i++)
		;
	insert_range(i, start, end);
	/* Merge with touching neighbours. */
	if (i + 1 < navail && avail[i].end == avail[i + 1].start) {
		avail[i].end = avail[i + 1].end;
		delete_range(i + 1);
	}
	if (i > 0 && avail[i - 1].end == avail[i].start) {
		avail[i - 1].end = avail[i].end;
		delete_range(i);
	}
}

/* Remove [start, end), widened to whole pages, from the available ranges. */
void
physmem_exclude(paddr_t start, paddr_t end)
{
	start = trunc_page(start);
	end = round_page(end);
	for (int i = 0; i < navail; i++) {
		struct phys_range *r = &avail[i];

		if (end <= r->start || start >= r->end)
			continue;
		if (start <= r->start && end >= r->end) {
			delete_range(i--);
		} else if (start <= r->start) {
			r->start = end;
		} else if (end >= r->end) {
			r->end = start;
		} else {
			paddr_t tail = r->end;

			r->end = start;
			insert_range(i + 1, end, tail);
			i++;
		}
	}
}

/*
 * Steal from the top of the highest range that fits, so low memory (which
 * some devices need for DMA) stays free the longest.
 */
paddr_t
physmem_steal(uint64_t size, uint64_t align)
{
	KASSERT(powerof2(align) && align >= PAGE_SIZE, ("physmem_steal: align %lx", align));
	size = round_page(size);
	for (int i = navail - 1; i >= 0; i--) {
		struct phys_range *r = &avail[i];
		paddr_t pa;

		if (r->end - r->start < size)
			continue;
		pa = rounddown2(r->end - size, align);
		if (pa < r->start)
			continue;
		physmem_exclude(pa, pa + size);
		return pa;
	}
	panic("physmem_steal: no room for %lu bytes", size);
}

int
physmem_avail(const struct phys_range **ranges)
{
	*ranges = avail;
	return navail;
}

uint64_t
physmem_ram_bytes(void)
{
	return ram_bytes;
}

paddr_t
physmem_ram_end(void)
{
	return ram_end;
}
