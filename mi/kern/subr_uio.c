/*
 * Moving data through a uio (see uio.h).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/uio.h>
#include <uapi/uio.h>

static void
uio_advance(struct uio *uio, size_t n)
{
	uio->uio_base = (char *)uio->uio_base + n;
	uio->uio_resid -= n;
	uio->uio_offset += n;
}

int
uiomove(void *kaddr, size_t n, struct uio *uio)
{
	int error = 0;

	n = MIN(n, uio->uio_resid);
	if (n == 0)
		return 0;
	if (uio->uio_user) {
		if (uio->uio_write)
			error = copyin(uio->uio_base, kaddr, n);
		else
			error = copyout(kaddr, uio->uio_base, n);
	} else if (uio->uio_write) {
		memcpy(kaddr, uio->uio_base, n);
	} else {
		memcpy(uio->uio_base, kaddr, n);
	}
	if (error)
		return EFAULT;
	uio_advance(uio, n);
	return 0;
}

static const uint8_t zero_chunk[512];

int
uiomove_zeros(size_t n, struct uio *uio)
{
	KASSERT(!uio->uio_write, ("uiomove_zeros: not a read"));
	n = MIN(n, uio->uio_resid);
	while (n > 0) {
		size_t chunk = MIN(n, sizeof(zero_chunk));
		int error;

		if (uio->uio_user) {
			if ((error = copyout(zero_chunk, uio->uio_base, chunk)) != 0)
				return EFAULT;
		} else {
			memset(uio->uio_base, 0, chunk);
		}
		uio_advance(uio, chunk);
		n -= chunk;
	}
	return 0;
}

ssize_t
uio_vector(struct uio *uio, const struct iovec *iov, int iovcnt,
    ssize_t (*xfer)(void *arg, struct uio *uio), void *arg)
{
	ssize_t total = 0;

	for (int i = 0; i < iovcnt; i++) {
		ssize_t n;

		if (iov[i].iov_len == 0)
			continue;
		uio->uio_base = iov[i].iov_base;
		uio->uio_resid = iov[i].iov_len;
		if ((n = xfer(arg, uio)) < 0)
			return total > 0 ? total : n;
		total += n;
		if ((size_t)n < iov[i].iov_len)
			break;
	}
	return total;
}
