/*
 * Reading the Linux swap header (see swap_header.h), with the checks
 * Linux's swapon makes, in its order.
 */
#include <kern/systm.h>
#include <vm/swap_header.h>

#define OFF_VERSION	(SWAP_HEADER_INFO + 0)
#define OFF_LAST_PAGE	(SWAP_HEADER_INFO + 4)
#define OFF_NR_BADPAGES	(SWAP_HEADER_INFO + 8)
#define OFF_UUID	(SWAP_HEADER_INFO + 12)
#define OFF_LABEL	(OFF_UUID + SWAP_HEADER_UUID_LEN)

/* The 32-bit word at byte off of the header, in the header's byte order. */
static uint32_t
word(const uint8_t *hdr, size_t off, bool swapped)
{
	uint32_t w;

	memcpy(&w, hdr + off, sizeof(w));
	return swapped ? __builtin_bswap32(w) : w;
}

/* Is page listed in bad[0, n)? */
static bool
listed(const uint32_t *bad, uint32_t n, uint32_t page)
{
	for (uint32_t i = 0; i < n; i++)
		if (bad[i] == page)
			return true;
	return false;
}

static int
refuse(const char **why, const char *reason)
{
	*why = reason;
	return EINVAL;
}

int
swap_header_parse(const void *page, uint64_t dev_pages, struct swap_header_info *info,
    const char **why)
{
	const uint8_t *hdr = page;
	uint32_t version, last_page, nbad, distinct = 0;
	bool swapped = false;

	if (memcmp(hdr + PAGE_SIZE - SWAP_HEADER_MAGIC_LEN, SWAP_HEADER_MAGIC,
	    SWAP_HEADER_MAGIC_LEN) != 0)
		return refuse(why, "Unable to find swap-space signature");
	version = word(hdr, OFF_VERSION, false);
	if (version != SWAP_HEADER_VERSION && __builtin_bswap32(version) == SWAP_HEADER_VERSION)
		swapped = true;		/* Linux's "swap partition endianess hack" */
	if (word(hdr, OFF_VERSION, swapped) != SWAP_HEADER_VERSION)
		return refuse(why, "Unable to handle swap header version");
	last_page = word(hdr, OFF_LAST_PAGE, swapped);
	if (last_page == 0)
		return refuse(why, "Empty swap-file");
	if (dev_pages != 0 && (uint64_t)last_page + 1 > dev_pages)
		return refuse(why, "Swap area shorter than signature indicates");
	nbad = word(hdr, OFF_NR_BADPAGES, swapped);
	if (nbad > SWAP_HEADER_MAX_BADPAGES)
		return refuse(why, "Too many bad pages");

	memset(info, 0, sizeof(*info));
	for (uint32_t i = 0; i < nbad; i++) {
		uint32_t bad = word(hdr, SWAP_HEADER_BADPAGES + i * sizeof(uint32_t), swapped);

		if (bad == 0 || bad > last_page)
			return refuse(why, "Bad page outside the swap area");
		/* Linux counts a page listed twice twice; it is one page. */
		if (!listed(info->bad, info->nbad, bad))
			info->bad[info->nbad++] = bad;
		distinct = info->nbad;
	}
	info->npages = (uint64_t)last_page + 1;
	info->ngood = info->npages - 1 - distinct;
	if (info->ngood == 0)
		return refuse(why, "Empty swap-file");
	memcpy(info->uuid, hdr + OFF_UUID, SWAP_HEADER_UUID_LEN);
	memcpy(info->label, hdr + OFF_LABEL, SWAP_HEADER_LABEL_LEN);
	info->label[SWAP_HEADER_LABEL_LEN] = '\0';
	info->swapped = swapped;
	*why = NULL;
	return 0;
}
