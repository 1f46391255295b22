/*
 * Host unit test for the swap header reader (mi/vm/swap_header.c), TAP
 * output, against areas made by Debian's mkswap (util-linux) at test time.
 *
 * mkswap makes the area (default, labelled, another page size, a length
 * shorter or longer than the file); the bad-page list, other versions
 * and the other byte order are written into a mkswap-made header at the
 * offsets Linux and mkswap use (mkswap -c fills the list only from a disk
 * that really fails to read, which a test cannot arrange).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kern/systm.h>
#include <vm/swap_header.h>

#include "host/tap.h"

#define KIB		1024
#define MIB		(1024 * KIB)
#define IMAGE_BYTES	(8 * MIB)
#define IMAGE_PAGES	(IMAGE_BYTES / PAGE_SIZE)
#define LABEL		"sable-swap"
#define UUID_TEXT	"01234567-89ab-cdef-0123-456789abcdef"

static char image[64];
static uint8_t page[PAGE_SIZE];
static struct swap_header_info info;

/*
 * Run mkswap with options (a shell word list) on a fresh IMAGE_BYTES
 * image, with its optional size argument (KiB) unless size_kib is 0;
 * false if it failed.
 */
static bool
mkswap_sized(const char *options, unsigned size_kib)
{
	const char *tool = getenv("MKSWAP");
	char cmd[512], size[16] = "";
	FILE *f;

	if (tool == NULL || *tool == '\0')
		tool = "/sbin/mkswap";
	if ((f = fopen(image, "w")) == NULL)
		return false;
	if (ftruncate(fileno(f), IMAGE_BYTES) != 0) {
		fclose(f);
		return false;
	}
	fclose(f);
	if (size_kib != 0)
		snprintf(size, sizeof(size), "%u", size_kib);
	snprintf(cmd, sizeof(cmd), "%s -q %s %s %s >/dev/null 2>&1", tool, options, image, size);
	return system(cmd) == 0;
}

static bool
mkswap(const char *options)
{
	return mkswap_sized(options, 0);
}

/* The image's first page into page[]. */
static bool
read_first_page(void)
{
	FILE *f = fopen(image, "r");
	bool ok = f != NULL && fread(page, 1, PAGE_SIZE, f) == PAGE_SIZE;

	if (f != NULL)
		fclose(f);
	return ok;
}

static void
put_word(size_t off, uint32_t w)
{
	memcpy(page + off, &w, sizeof(w));
}

static uint32_t
get_word(size_t off)
{
	uint32_t w;

	memcpy(&w, page + off, sizeof(w));
	return w;
}

static int
parse(uint64_t dev_pages, const char **why)
{
	return swap_header_parse(page, dev_pages, &info, why);
}

/* mkswap's own headers, as it makes them. */
static void
test_mkswap_areas(void)
{
	const char *why;
	char uuid[40];

	tap_ok(mkswap("") && read_first_page() && parse(IMAGE_PAGES, &why) == 0 &&
	    info.npages == IMAGE_PAGES && info.ngood == IMAGE_PAGES - 1 && info.nbad == 0 &&
	    !info.swapped, "a plain mkswap area of 8 MiB: 2048 pages, 2047 usable");
	tap_ok(mkswap("-L " LABEL " -U " UUID_TEXT) && read_first_page() &&
	    parse(IMAGE_PAGES, &why) == 0 && strcmp(info.label, LABEL) == 0,
	    "mkswap -L: the label reads back (%s)", info.label);
	snprintf(uuid, sizeof(uuid), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", info.uuid[0], info.uuid[1], info.uuid[2], info.uuid[3],
	    info.uuid[4], info.uuid[5], info.uuid[6], info.uuid[7], info.uuid[8], info.uuid[9],
	    info.uuid[10], info.uuid[11], info.uuid[12], info.uuid[13], info.uuid[14],
	    info.uuid[15]);
	tap_ok(strcmp(uuid, UUID_TEXT) == 0, "mkswap -U: the uuid reads back (%s)", uuid);
	tap_ok(mkswap("") && read_first_page() && parse(0, &why) == 0 &&
	    info.npages == IMAGE_PAGES, "a device of unknown length takes the header's");

	/* mkswap's optional size argument is in KiB. */
	tap_ok(mkswap_sized("", IMAGE_BYTES / 2 / KIB) && read_first_page() &&
	    parse(IMAGE_PAGES, &why) == 0 && info.npages == IMAGE_PAGES / 2 &&
	    info.ngood == IMAGE_PAGES / 2 - 1,
	    "an area shorter than its device is used as long as it says");
}

/* An area mkswap made longer than the device, and one for 64 KiB pages. */
static void
test_wrong_geometry(void)
{
	const char *why = NULL;

	tap_ok(mkswap_sized("-f", 2 * IMAGE_BYTES / KIB) && read_first_page() &&
	    get_word(SWAP_HEADER_INFO + 4) == 2 * IMAGE_PAGES - 1,
	    "mkswap -f with a size beyond the file claims 4096 pages");
	tap_ok(parse(IMAGE_PAGES, &why) == EINVAL &&
	    strcmp(why, "Swap area shorter than signature indicates") == 0,
	    "EINVAL: the area is longer than the 2048-page device");

	tap_ok(mkswap("-p 65536") && read_first_page() && parse(IMAGE_PAGES, &why) == EINVAL &&
	    strcmp(why, "Unable to find swap-space signature") == 0,
	    "EINVAL: mkswap -p 65536 put the signature where 4 KiB pages do not have it");
	memset(page, 0, sizeof(page));
	tap_ok(parse(IMAGE_PAGES, &why) == EINVAL, "EINVAL: a page of zeros");
	tap_ok(mkswap("") && read_first_page() && (memcpy(page + PAGE_SIZE - 10, "SWAP-SPACE", 10),
	    1) && parse(IMAGE_PAGES, &why) == EINVAL, "EINVAL: the old version-0 signature");
}

/* Header fields mkswap does not let us choose. */
static void
test_fields(void)
{
	const char *why;

	tap_ok(mkswap("") && read_first_page() && (put_word(SWAP_HEADER_INFO, 2), 1) &&
	    parse(IMAGE_PAGES, &why) == EINVAL &&
	    strcmp(why, "Unable to handle swap header version") == 0, "EINVAL: version 2");
	tap_ok(read_first_page() && (put_word(SWAP_HEADER_INFO + 4, 0), 1) &&
	    parse(IMAGE_PAGES, &why) == EINVAL && strcmp(why, "Empty swap-file") == 0,
	    "EINVAL: last_page 0");
}

/* The bad-page list. */
static void
test_bad_pages(void)
{
	const char *why;
	bool good;

	tap_ok(mkswap("") && read_first_page(), "an area for the bad-page list");
	put_word(SWAP_HEADER_INFO + 8, 3);
	put_word(SWAP_HEADER_BADPAGES + 0, 5);
	put_word(SWAP_HEADER_BADPAGES + 4, 100);
	put_word(SWAP_HEADER_BADPAGES + 8, IMAGE_PAGES - 1);
	tap_ok(parse(IMAGE_PAGES, &why) == 0 && info.nbad == 3 && info.bad[0] == 5 &&
	    info.bad[1] == 100 && info.bad[2] == IMAGE_PAGES - 1 &&
	    info.ngood == IMAGE_PAGES - 1 - 3, "three bad pages, the last page among them: "
	    "2044 usable");
	put_word(SWAP_HEADER_BADPAGES + 4, 5);
	tap_ok(parse(IMAGE_PAGES, &why) == 0 && info.nbad == 2 && info.ngood == IMAGE_PAGES - 3,
	    "a page listed twice is one bad page");
	put_word(SWAP_HEADER_BADPAGES + 4, 0);
	tap_ok(parse(IMAGE_PAGES, &why) == EINVAL, "EINVAL: page 0 (the header) listed as bad");
	put_word(SWAP_HEADER_BADPAGES + 4, IMAGE_PAGES);
	tap_ok(parse(IMAGE_PAGES, &why) == EINVAL, "EINVAL: a bad page past last_page");

	good = true;
	put_word(SWAP_HEADER_INFO + 8, SWAP_HEADER_MAX_BADPAGES);
	for (uint32_t i = 0; i < SWAP_HEADER_MAX_BADPAGES; i++)
		put_word(SWAP_HEADER_BADPAGES + i * 4, i + 1);
	CHECK(good, "the longest list", parse(IMAGE_PAGES, &why) == 0 &&
	    info.nbad == SWAP_HEADER_MAX_BADPAGES &&
	    info.ngood == IMAGE_PAGES - 1 - SWAP_HEADER_MAX_BADPAGES);
	CHECK(good, "the signature is intact", memcmp(page + PAGE_SIZE - 10, "SWAPSPACE2", 10) == 0);
	tap_ok(good, "%zu bad pages, the most that fit before the signature, are taken",
	    (size_t)SWAP_HEADER_MAX_BADPAGES);
	put_word(SWAP_HEADER_INFO + 8, SWAP_HEADER_MAX_BADPAGES + 1);
	tap_ok(parse(IMAGE_PAGES, &why) == EINVAL, "EINVAL: one bad page more than fits");

	tap_ok(mkswap("") && read_first_page(), "a two-page area");
	put_word(SWAP_HEADER_INFO + 4, 1);
	put_word(SWAP_HEADER_INFO + 8, 1);
	put_word(SWAP_HEADER_BADPAGES, 1);
	tap_ok(parse(IMAGE_PAGES, &why) == EINVAL && strcmp(why, "Empty swap-file") == 0,
	    "EINVAL: its one page after the header is bad: nothing usable");
}

/* A header written on a machine of the other byte order. */
static void
test_other_byte_order(void)
{
	const char *why;

	tap_ok(mkswap("") && read_first_page(), "an area to swap");
	put_word(SWAP_HEADER_INFO + 8, 2);
	put_word(SWAP_HEADER_BADPAGES + 0, 7);
	put_word(SWAP_HEADER_BADPAGES + 4, 9);
	for (size_t off = SWAP_HEADER_INFO; off < SWAP_HEADER_INFO + 12; off += 4)
		put_word(off, __builtin_bswap32(get_word(off)));
	for (size_t off = SWAP_HEADER_BADPAGES; off < SWAP_HEADER_BADPAGES + 8; off += 4)
		put_word(off, __builtin_bswap32(get_word(off)));
	tap_ok(parse(IMAGE_PAGES, &why) == 0 && info.swapped && info.npages == IMAGE_PAGES &&
	    info.nbad == 2 && info.bad[0] == 7 && info.bad[1] == 9 &&
	    info.ngood == IMAGE_PAGES - 3, "a byte-swapped header reads as the same area");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(image, sizeof(image), "%s/swaphdr.XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkstemp(image) < 0) {
		printf("Bail out! no scratch file\n");
		return 1;
	}
	test_mkswap_areas();
	test_wrong_geometry();
	test_fields();
	test_bad_pages();
	test_other_byte_order();
	unlink(image);
	return tap_done();
}
