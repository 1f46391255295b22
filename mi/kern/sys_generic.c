/*
 * The system calls that work on any open file, whatever its kind (after
 * FreeBSD's sys_generic.c): read, write and their vector and positioned
 * forms, and ioctl; with Linux's semantics and errno values.
 *
 * Arrays are copied in after their counts are checked; transfers are
 * capped at MAX_RW_COUNT bytes, as Linux caps them.  The file does the
 * rest through its operations (file.h).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <uapi/fcntl.h>
#include <uapi/ioctl.h>
#include <uapi/uio.h>

#define MAX_RW_COUNT	0x7ffff000UL	/* INT_MAX rounded down to a page */
#define SSIZE_MAX_K	((size_t)INT64_MAX)

/* A failed write to a pipe or socket with no reader also raises SIGPIPE, in the writer. */
ssize_t
write_result(struct thread *td, ssize_t n)
{
	if (n == -EPIPE && td->td_proc != NULL)
		psignal_curthread(SIGPIPE);
	return n;
}

/* iov_in (uio.h): checked and capped, as Linux's import_iovec. */
int
iov_in(uint64_t uiov, uint64_t cnt, struct iovec **iovp)
{
	struct iovec *iov;
	size_t total = 0;

	*iovp = NULL;
	if (cnt > UIO_MAXIOV)
		return EINVAL;
	if (cnt == 0)
		return 0;
	if ((iov = malloc(cnt * sizeof(*iov), M_TEMP, M_WAITOK)) == NULL)
		return ENOMEM;
	if (copyin((const void *)uiov, iov, cnt * sizeof(*iov)) != 0) {
		free(iov, M_TEMP);
		return EFAULT;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX_K || total + iov[i].iov_len > SSIZE_MAX_K) {
			free(iov, M_TEMP);
			return EINVAL;
		}
		total += iov[i].iov_len;
	}
	total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		iov[i].iov_len = MIN(iov[i].iov_len, MAX_RW_COUNT - total);
		total += iov[i].iov_len;
	}
	*iovp = iov;
	return 0;
}

static ssize_t
rw_common(struct thread *td, uint64_t fd, struct iovec *iov, int cnt, int64_t pos,
    bool write)
{
	struct file *fp;
	ssize_t n;
	int error;

	if ((error = getfile(td, fd, &fp)) != 0)
		return -error;
	if (pos >= 0 && !file_seekable(fp))
		n = -ESPIPE;
	else if (write)
		n = write_result(td, file_writev(fp, iov, cnt, pos, true));
	else
		n = file_readv(fp, iov, cnt, pos, true);
	file_drop(fp);
	return n;
}

static ssize_t
rw_vector(struct thread *td, const uint64_t a[6], bool write)
{
	struct iovec *iov;
	struct file *fp;
	ssize_t n;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	file_drop(fp);
	if ((error = iov_in(a[1], a[2], &iov)) != 0)
		return -error;
	n = iov == NULL ? 0 : rw_common(td, a[0], iov, (int)a[2], -1, write);
	free(iov, M_TEMP);
	return n;
}

/*
 * read, write and friends.
 */

SYSCALL(read)
{
	struct iovec iov = { (void *)a[1], MIN(a[2], MAX_RW_COUNT) };

	return rw_common(td, a[0], &iov, 1, -1, false);
}

SYSCALL(write)
{
	struct iovec iov = { (void *)a[1], MIN(a[2], MAX_RW_COUNT) };

	return rw_common(td, a[0], &iov, 1, -1, true);
}

SYSCALL(readv)
{
	return rw_vector(td, a, false);
}

SYSCALL(writev)
{
	return rw_vector(td, a, true);
}

SYSCALL(pread64)
{
	struct iovec iov = { (void *)a[1], MIN(a[2], MAX_RW_COUNT) };

	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return rw_common(td, a[0], &iov, 1, (int64_t)a[3], false);
}

SYSCALL(pwrite64)
{
	struct iovec iov = { (void *)a[1], MIN(a[2], MAX_RW_COUNT) };

	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return rw_common(td, a[0], &iov, 1, (int64_t)a[3], true);
}

/*
 * sendfile: through a kernel buffer, a chunk at a time.
 */

#define SENDFILE_CHUNK	PAGE_SIZE

/*
 * Copy up to count bytes of in, from *pos, to out's offset: the bytes
 * written (*pos advanced by them), or -errno when none were.  A short
 * write ends it, so no byte read goes unwritten.
 */
static ssize_t
sendfile_copy(struct thread *td, struct file *out, struct file *in, int64_t *pos, size_t count)
{
	char *buf = malloc(SENDFILE_CHUNK, M_TEMP, M_WAITOK);
	size_t done = 0;
	ssize_t n = 0, w;

	if (buf == NULL)
		return -ENOMEM;
	while (done < count) {
		struct iovec iov = { buf, MIN(count - done, SENDFILE_CHUNK) };

		if ((n = file_readv(in, &iov, 1, *pos, false)) <= 0)
			break;
		iov.iov_len = (size_t)n;
		if ((w = write_result(td, file_writev(out, &iov, 1, -1, false))) < 0) {
			n = w;
			break;
		}
		done += (size_t)w;
		*pos += w;
		if (w < n)
			break;
	}
	free(buf, M_TEMP);
	return done > 0 ? (ssize_t)done : MIN(n, 0);
}

/*
 * sendfile(out_fd, in_fd, offset, count): count bytes of in_fd (a file
 * with an offset) from *offset, which moves on, or (offset NULL) from
 * its own offset, which does, written to out_fd.
 */
SYSCALL(sendfile)
{
	struct file *out, *in;
	uint64_t cur;
	int64_t pos = 0;
	ssize_t n;
	int error;

	if ((error = getfile(td, a[0], &out)) != 0)
		return -error;
	if ((error = getfile(td, a[1], &in)) != 0) {
		file_drop(out);
		return -error;
	}
	if (!file_writable(out) || !file_readable(in))
		error = EBADF;
	else if (!file_seekable(in) || (out->f_flags & O_APPEND))
		error = EINVAL;
	else if (a[2] != 0 && copyin((const void *)a[2], &pos, sizeof(pos)) != 0)
		error = EFAULT;
	else if (a[2] != 0 && pos < 0)
		error = EINVAL;
	else if (a[2] == 0)
		error = file_seek(in, 0, SEEK_CUR, &cur);
	if (error == 0) {
		if (a[2] == 0)
			pos = (int64_t)cur;
		n = sendfile_copy(td, out, in, &pos, MIN(a[3], MAX_RW_COUNT));
		if (a[2] == 0)
			file_seek(in, pos, SEEK_SET, &cur);
		else if (copyout(&pos, (void *)a[2], sizeof(pos)) != 0 && n >= 0)
			n = -EFAULT;
	} else {
		n = -error;
	}
	file_drop(in);
	file_drop(out);
	return n;
}

/* The requests every descriptor understands, then those of the file's kind. */
static int
ioctl_file(struct thread *td, uint32_t fd, struct file *fp, unsigned long cmd, void *uarg)
{
	int value;

	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		return fd_set_cloexec(fdtable(td), (int)fd, cmd == FIOCLEX);
	case FIONBIO:
		if (copyin(uarg, &value, sizeof(value)) != 0)
			return EFAULT;
		spin_lock(&fp->f_lock);
		if (value)
			fp->f_flags |= O_NONBLOCK;
		else
			fp->f_flags &= ~O_NONBLOCK;
		spin_unlock(&fp->f_lock);
		return 0;
	default:
		return file_ioctl(fp, cmd, uarg);
	}
}

/* ioctl(fd, cmd, arg) */
SYSCALL(ioctl)
{
	struct file *fp;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	error = ioctl_file(td, (uint32_t)a[0], fp, (unsigned long)(uint32_t)a[1], (void *)a[2]);
	file_drop(fp);
	return -error;
}
