/*
 * fadvise: posix_fadvise(2) as Linux answers it.  The advice itself (how
 * far read(2) reads ahead on a disk) is measured by ext2_mmap; here, what
 * any program sees: each advice is accepted on a regular file, bad advice
 * is EINVAL, a bad descriptor EBADF, a pipe ESPIPE, a negative length
 * EINVAL; and advice changes nothing a read returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define FILE_BYTES	(64 * 1024)

static char buf[FILE_BYTES], back[FILE_BYTES];

int
main(void)
{
	static const int advice[] = { POSIX_FADV_NORMAL, POSIX_FADV_RANDOM,
		POSIX_FADV_SEQUENTIAL, POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,
		POSIX_FADV_NOREUSE };
	int fd, p[2], ok = 1;

	tap_plan(7);
	if (test_dir_make("fadvise") != 0)
		return tap_done();
	fd = open(tpath("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	pattern_fill(buf, 0, FILE_BYTES, 3);
	tap_ok(fd >= 0 && write(fd, buf, FILE_BYTES) == FILE_BYTES, "a 64 KiB file");
	for (size_t i = 0; i < sizeof(advice) / sizeof(advice[0]); i++)
		ok &= posix_fadvise(fd, 0, 0, advice[i]) == 0;
	tap_ok(ok, "every advice is accepted on a regular file (whole file, len 0)");
	tap_ok(posix_fadvise(fd, 0, 0, 6) == EINVAL && posix_fadvise(fd, 0, 0, -1) == EINVAL,
	    "unknown advice: EINVAL");
	tap_ok(posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL) == EINVAL, "a negative length: EINVAL");
	tap_ok(posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL) == EBADF, "a bad descriptor: EBADF");
	tap_ok(pipe(p) == 0 && posix_fadvise(p[0], 0, 0, POSIX_FADV_SEQUENTIAL) == ESPIPE,
	    "a pipe: ESPIPE");
	close(p[0]);
	close(p[1]);
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	ok = pread(fd, back, FILE_BYTES, 0) == FILE_BYTES && memcmp(back, buf, FILE_BYTES) == 0;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	ok &= pread(fd, back, FILE_BYTES, 0) == FILE_BYTES && memcmp(back, buf, FILE_BYTES) == 0;
	tap_ok(ok, "reads under RANDOM and SEQUENTIAL advice return the file");
	close(fd);
	unlink(tpath("f"));
	rmdir(test_dir());
	return tap_done();
}
