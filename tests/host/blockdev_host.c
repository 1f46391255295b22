/*
 * Host block devices over files and memory; see blockdev_host.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev_host.h"

static bool
overlaps(uint64_t off, size_t len, uint64_t lo, uint64_t hi)
{
	return hi > lo && off < hi && off + len > lo;
}

static int
host_read(struct blockdev *bd, uint64_t off, void *buf, size_t len)
{
	struct host_disk *hd = (struct host_disk *)bd;

	__atomic_fetch_add(&hd->hd_reads, 1, __ATOMIC_RELAXED);
	if (overlaps(off, len, hd->hd_fail_read_lo, hd->hd_fail_read_hi))
		return EIO;
	if (hd->hd_mem != NULL) {
		memcpy(buf, hd->hd_mem + off, len);
		return 0;
	}
	return pread(hd->hd_fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : EIO;
}

static int
host_write(struct blockdev *bd, uint64_t off, const void *buf, size_t len)
{
	struct host_disk *hd = (struct host_disk *)bd;

	__atomic_fetch_add(&hd->hd_writes, 1, __ATOMIC_RELAXED);
	if (hd->hd_read_only || overlaps(off, len, hd->hd_fail_write_lo, hd->hd_fail_write_hi))
		return EIO;
	if (hd->hd_mem != NULL) {
		memcpy(hd->hd_mem + off, buf, len);
		return 0;
	}
	return pwrite(hd->hd_fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : EIO;
}

static int
host_flush(struct blockdev *bd)
{
	struct host_disk *hd = (struct host_disk *)bd;

	__atomic_fetch_add(&hd->hd_flushes, 1, __ATOMIC_RELAXED);
	if (hd->hd_mem != NULL)
		return 0;
	return fsync(hd->hd_fd) == 0 ? 0 : EIO;
}

static const struct blockdev_ops host_disk_ops = {
	.bdo_read = host_read,
	.bdo_write = host_write,
	.bdo_flush = host_flush,
};

static struct host_disk *
host_disk_new(const char *name, uint64_t size, uint32_t sector_size)
{
	struct host_disk *hd = calloc(1, sizeof(*hd));

	if (hd == NULL)
		abort();
	hd->hd_bd.bd_name = name;
	hd->hd_bd.bd_sector_size = sector_size;
	hd->hd_bd.bd_size = size - size % sector_size;
	hd->hd_bd.bd_ops = &host_disk_ops;
	hd->hd_bd.bd_private = hd;
	hd->hd_fd = -1;
	return hd;
}

struct host_disk *
host_disk_open(const char *path, uint32_t sector_size)
{
	struct host_disk *hd;
	struct stat st;
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return NULL;
	}
	hd = host_disk_new("file", (uint64_t)st.st_size, sector_size);
	hd->hd_fd = fd;
	return hd;
}

struct host_disk *
host_disk_mem(const void *image, size_t len, uint32_t sector_size)
{
	struct host_disk *hd = host_disk_new("mem", len, sector_size);

	if ((hd->hd_mem = malloc(len)) == NULL)
		abort();
	memcpy(hd->hd_mem, image, len);
	return hd;
}

void
host_disk_close(struct host_disk *hd)
{
	if (hd->hd_fd >= 0)
		close(hd->hd_fd);
	free(hd->hd_mem);
	free(hd);
}
