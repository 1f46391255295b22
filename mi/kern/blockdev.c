/*
 * The kernel's struct blockdev (kern/blockdev.h) over a disk: the
 * synchronous byte-range interface of the buffer cache and the file
 * systems, carried out as bios on the buffer's own pages (no copy).
 *
 * The buffer is kernel memory with vm_pages behind it: the direct map
 * (malloc, zones, kmem_page_alloc) or kmem_alloc's arena, whose pages are
 * found with pmap_kextract.  Memory without vm_pages (the kernel image's
 * own data) cannot be sent to a disk: EINVAL.  A buffer longer than one
 * bio is sent as several, one after another.
 *
 * Locking: none of its own; the blockdev is (C), the disk does the rest.
 */
#include <kern/systm.h>
#include <kern/blockdev.h>
#include <kern/disk.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>

/* The vm_page behind the kernel address va, or NULL. */
static struct vm_page *
kva_to_page(vaddr_t va)
{
	paddr_t pa = pmap_kextract(va);

	return pa != 0 ? PHYS_TO_VM_PAGE(pa) : NULL;
}

/*
 * Move len bytes between the kernel buffer buf and the disk at off, in
 * bios of at most d_max_pages pages.  0, EIO, or EINVAL for a buffer
 * with no pages behind it.
 * => off and len are whole sectors inside the disk (blockdev_read/write checked)
 */
static int
disk_bd_transfer(struct blockdev *bd, enum bio_cmd cmd, uint64_t off, vaddr_t va, size_t len)
{
	struct disk *dp = bd->bd_private;
	struct vm_page *pages[BIO_MAX_PAGES];
	uint32_t page_off, npages;
	size_t chunk;
	int error;

	while (len > 0) {
		page_off = (uint32_t)(va & PAGE_MASK);
		chunk = MIN(len, (size_t)dp->d_max_pages * PAGE_SIZE - page_off);
		chunk = rounddown2(chunk, (size_t)dp->d_sector_size);
		KASSERT(chunk > 0, ("disk_bd_transfer: %u pages cannot hold a sector",
		    dp->d_max_pages));	/* disk_register insists on two */
		npages = (uint32_t)howmany(page_off + chunk, PAGE_SIZE);
		for (uint32_t i = 0; i < npages; i++)
			if ((pages[i] = kva_to_page(trunc_page(va) + ptoa(i))) == NULL)
				return EINVAL;
		if ((error = bio_rw(dp, cmd, off, chunk, pages, page_off)) != 0)
			return error;
		va += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

static int
disk_bd_read(struct blockdev *bd, uint64_t off, void *buf, size_t len)
{
	return disk_bd_transfer(bd, BIO_READ, off, (vaddr_t)buf, len);
}

static int
disk_bd_write(struct blockdev *bd, uint64_t off, const void *buf, size_t len)
{
	return disk_bd_transfer(bd, BIO_WRITE, off, (vaddr_t)buf, len);
}

static int
disk_bd_flush(struct blockdev *bd)
{
	return bio_flush(bd->bd_private);
}

static const struct blockdev_ops disk_blockdev_ops = {
	.bdo_read = disk_bd_read,
	.bdo_write = disk_bd_write,
	.bdo_flush = disk_bd_flush,
};

void
disk_blockdev_init(struct disk *dp)
{
	struct blockdev *bd = &dp->d_blockdev;

	bd->bd_name = dp->d_name;
	bd->bd_sector_size = dp->d_sector_size;
	bd->bd_size = dp->d_size;
	bd->bd_ops = &disk_blockdev_ops;
	bd->bd_private = dp;
}
