/*
 * The system calls that work on any open file, whatever its kind (after
 * FreeBSD's sys_generic.c): read, write and their vector and positioned
 * forms, sendfile and copy_file_range, and ioctl; with Linux's semantics
 * and errno values.
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
#include <fs/vnode.h>
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
 * sendfile and copy_file_range: through a kernel buffer, a chunk at a time.
 */

#define COPY_CHUNK	PAGE_SIZE

/*
 * Copy up to count bytes of in, from *pos, to out at *out_pos (or, if
 * out_pos is NULL, at out's offset): the bytes written (*pos and *out_pos
 * advanced by them), or -errno when none were.  A short write ends it,
 * so no byte read goes unwritten.
 */
static ssize_t
copy_between(struct thread *td, struct file *out, int64_t *out_pos, struct file *in,
    int64_t *pos, size_t count)
{
	char *buf = malloc(COPY_CHUNK, M_TEMP, M_WAITOK);
	size_t done = 0;
	ssize_t n = 0, w;

	if (buf == NULL)
		return -ENOMEM;
	while (done < count) {
		struct iovec iov = { buf, MIN(count - done, COPY_CHUNK) };

		if ((n = file_readv(in, &iov, 1, *pos, false)) <= 0)
			break;
		iov.iov_len = (size_t)n;
		w = write_result(td, file_writev(out, &iov, 1, out_pos ? *out_pos : -1, false));
		if (w < 0) {
			n = w;
			break;
		}
		done += (size_t)w;
		*pos += w;
		if (out_pos != NULL)
			*out_pos += w;
		if (w < n)
			break;
	}
	free(buf, M_TEMP);
	return done > 0 ? (ssize_t)done : MIN(n, 0);
}

/* The files of descriptors fd1 and fd2, held (file_drop them), or neither: EBADF. */
static int
getfiles(struct thread *td, uint64_t fd1, struct file **fp1, uint64_t fd2, struct file **fp2)
{
	int error;

	if ((error = getfile(td, fd1, fp1)) != 0)
		return error;
	if ((error = getfile(td, fd2, fp2)) != 0)
		file_drop(*fp1);
	return error;
}

/* A user's offset argument (uaddr 0: the file's own offset, into *pos): 0 or EFAULT. */
static int
offset_in(struct file *fp, uint64_t uaddr, int64_t *pos)
{
	uint64_t cur;
	int error;

	if (uaddr == 0) {
		cur = 0;		/* a pipe's: its kind is judged later */
		error = file_seekable(fp) ? file_seek(fp, 0, SEEK_CUR, &cur) : 0;
		*pos = (int64_t)cur;
		return error;
	}
	return copyin((const void *)uaddr, pos, sizeof(*pos)) != 0 ? EFAULT : 0;
}

/* Where a copy ended: into the user's offset (EFAULT), or the file's own. */
static int
offset_out(struct file *fp, uint64_t uaddr, int64_t pos)
{
	uint64_t cur;

	if (uaddr == 0)
		return file_seek(fp, pos, SEEK_SET, &cur);
	return copyout(&pos, (void *)uaddr, sizeof(pos)) != 0 ? EFAULT : 0;
}

/*
 * sendfile(out_fd, in_fd, offset, count): count bytes of in_fd (a file
 * with an offset) from *offset, which moves on, or (offset NULL) from
 * its own offset, which does, written to out_fd.
 */
SYSCALL(sendfile)
{
	struct file *out, *in;
	int64_t pos = 0;
	ssize_t n;
	int error;

	if ((error = getfiles(td, a[0], &out, a[1], &in)) != 0)
		return -error;
	if (!file_writable(out) || !file_readable(in))
		error = EBADF;
	else if (!file_seekable(in) || (out->f_flags & O_APPEND))
		error = EINVAL;
	else if ((error = offset_in(in, a[2], &pos)) == 0 && pos < 0)
		error = EINVAL;
	if (error == 0) {
		n = copy_between(td, out, NULL, in, &pos, MIN(a[3], MAX_RW_COUNT));
		if ((error = offset_out(in, a[2], pos)) != 0 && n >= 0)
			n = -error;
	} else {
		n = -error;
	}
	file_drop(in);
	file_drop(out);
	return n;
}

/*
 * Can copy_file_range copy len bytes between in at pos_in and out at
 * pos_out?  Checked in Linux's order: two regular files (EISDIR for a
 * directory, EINVAL for another kind), in open for reading and out for
 * writing, not appending (EBADF), of one file system (EXDEV, as Linux's
 * for file systems with no copy method of their own), ranges that do
 * not wrap around as unsigned numbers (EOVERFLOW: so an offset of -1
 * is), lie in the files' offsets (EINVAL) and, in one file, do not
 * overlap (EINVAL).
 */
static int
copy_range_check(struct file *in, int64_t pos_in, struct file *out, int64_t pos_out,
    size_t len)
{
	struct vnode *vin = in->f_vnode, *vout = out->f_vnode;

	if ((vin != NULL && vin->v_type == VDIR) || (vout != NULL && vout->v_type == VDIR))
		return EISDIR;
	if (vin == NULL || vout == NULL || vin->v_type != VREG || vout->v_type != VREG)
		return EINVAL;
	if (!file_readable(in) || !file_writable(out) || (out->f_flags & O_APPEND))
		return EBADF;
	if (vin->v_mount != vout->v_mount)
		return EXDEV;
	if ((uint64_t)pos_in + len < (uint64_t)pos_in ||
	    (uint64_t)pos_out + len < (uint64_t)pos_out)
		return EOVERFLOW;
	if (pos_in < 0 || pos_out < 0 || len > (uint64_t)(INT64_MAX - pos_in) ||
	    len > (uint64_t)(INT64_MAX - pos_out))
		return EINVAL;
	if (vin == vout && pos_in < pos_out + (int64_t)len && pos_out < pos_in + (int64_t)len)
		return EINVAL;
	return 0;
}

/*
 * copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): len
 * bytes of fd_in from *off_in (or, off_in NULL, its own offset), which
 * moves on, to fd_out at *off_out (or its own offset), which does too;
 * fewer at fd_in's end.  No flags are defined (EINVAL).
 */
SYSCALL(copy_file_range)
{
	size_t len = MIN(a[4], MAX_RW_COUNT);
	int64_t pos_in = 0, pos_out = 0;
	struct file *out, *in;
	ssize_t n;
	int error;

	if (a[5] != 0)
		return -EINVAL;
	if ((error = getfiles(td, a[0], &in, a[2], &out)) != 0)
		return -error;
	if ((error = offset_in(in, a[1], &pos_in)) == 0 &&
	    (error = offset_in(out, a[3], &pos_out)) == 0)
		error = copy_range_check(in, pos_in, out, pos_out, len);
	if (error == 0) {
		n = copy_between(td, out, &pos_out, in, &pos_in, len);
		if (n > 0 && ((error = offset_out(in, a[1], pos_in)) != 0 ||
		    (error = offset_out(out, a[3], pos_out)) != 0))
			n = -error;
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
