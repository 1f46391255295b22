/*
 * Block devices for host tests (blockdev_host.c): a disk image in a file
 * (pread/pwrite) or in memory, with counters and injectable errors.
 */
#ifndef _BLOCKDEV_HOST_H_
#define _BLOCKDEV_HOST_H_

#include <stdint.h>
#include <stddef.h>
#include <kern/blockdev.h>

struct host_disk {
	struct blockdev	hd_bd;		/* first: a struct blockdev * is a host_disk * */
	int		hd_fd;		/* the image file, or -1 */
	uint8_t		*hd_mem;	/* the image in memory, or NULL */
	uint64_t	hd_reads, hd_writes, hd_flushes;	/* requests */
	/* Requests touching [lo, hi) bytes fail with EIO (hi == 0: none). */
	uint64_t	hd_fail_read_lo, hd_fail_read_hi;
	uint64_t	hd_fail_write_lo, hd_fail_write_hi;
	bool		hd_read_only;	/* writes fail with EIO */
};

/* Open an image file for reading and writing; NULL on error (errno). */
struct host_disk *host_disk_open(const char *path, uint32_t sector_size);
/* A disk over a copy of len bytes of image. */
struct host_disk *host_disk_mem(const void *image, size_t len, uint32_t sector_size);
void host_disk_close(struct host_disk *hd);

#endif
