/*
 * Kernel symbol look-up (see ksyms.h): a binary search of the sorted
 * address table.
 */
#include <kern/systm.h>
#include <kern/ksyms.h>

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];
extern char _etext[];

const char *
ksym_lookup(vaddr_t pc, vaddr_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (hi == 0 || pc < ksyms_addrs[0] || pc >= (vaddr_t)_etext)
		return NULL;
	/* The last symbol at or below pc. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ksyms_addrs[mid] <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*offset = pc - ksyms_addrs[lo];
	return &ksyms_names[ksyms_name_offsets[lo]];
}
