/*
 * The Linux swap header: the first page of a swap area, as Debian's
 * mkswap (util-linux) writes it and Linux's swapon reads it.
 *
 *   bytes 0..1023        left alone (boot blocks, a disk label)
 *   1024  version        1 (the only version since Linux 2.2)
 *   1028  last_page      the last page of the area: it has last_page + 1
 *                        pages, this header page included
 *   1032  nr_badpages    entries in the bad-page list
 *   1036  uuid[16], volume label[16], padding
 *   1536  badpages[]     page numbers never to be used (mkswap -c)
 *   PAGE_SIZE - 10       the signature "SWAPSPACE2"
 *
 * The fields are 32-bit words in the byte order of the machine that ran
 * mkswap; like Linux, a header whose version reads 1 only when its bytes
 * are swapped is taken and its words swapped.
 *
 * The page size is not written anywhere: it is where the signature is.
 * An area made for another page size (mkswap -p 65536) has no signature
 * at PAGE_SIZE - 10 and is refused, as Linux refuses it.
 *
 * Pure data handling: no locks, no allocation (host-tested against
 * mkswap's output, tests/test_swap_header.c).
 */
#ifndef _VM_SWAP_HEADER_H_
#define _VM_SWAP_HEADER_H_

#include <kern/types.h>
#include <machine/param.h>

#define SWAP_HEADER_MAGIC	"SWAPSPACE2"
#define SWAP_HEADER_MAGIC_LEN	10
#define SWAP_HEADER_VERSION	1
#define SWAP_HEADER_INFO	1024		/* offset of version, last_page, ... */
#define SWAP_HEADER_BADPAGES	1536		/* offset of the bad-page list */
#define SWAP_HEADER_UUID_LEN	16
#define SWAP_HEADER_LABEL_LEN	16
/* Linux's MAX_SWAP_BADPAGES: the list may run up to the signature. */
#define SWAP_HEADER_MAX_BADPAGES \
	((PAGE_SIZE - SWAP_HEADER_MAGIC_LEN - SWAP_HEADER_BADPAGES) / sizeof(uint32_t))

/* What a valid header says, in this machine's byte order. */
struct swap_header_info {
	uint64_t	npages;		/* pages in the area, the header's page included */
	uint64_t	ngood;		/* of those, usable: not the header, not bad */
	uint32_t	nbad;		/* entries in bad[] (each in [1, npages)) */
	uint32_t	bad[SWAP_HEADER_MAX_BADPAGES];
	uint8_t		uuid[SWAP_HEADER_UUID_LEN];
	char		label[SWAP_HEADER_LABEL_LEN + 1];	/* NUL-terminated */
	bool		swapped;	/* written in the other byte order */
};

/*
 * Read the swap header in page (PAGE_SIZE bytes, the area's first page)
 * of an area on a device of dev_pages pages.  0 and *info filled, or
 * EINVAL with *why set to the reason (Linux's words where it prints one):
 * no signature (not a swap area, or another page size), a version other
 * than 1, an empty area, an area longer than the device, a bad-page list
 * too long or naming page 0 or a page past the area.
 */
int swap_header_parse(const void *page, uint64_t dev_pages, struct swap_header_info *info,
    const char **why);

#endif
