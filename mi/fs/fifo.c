/*
 * FIFOs: named pipes (after Linux's fs/fifo.c).  A FIFO is a vnode of
 * type VFIFO in any file system; opening it by name joins the pipe
 * (kern/sys_pipe.c) that its vnode holds in v_fifo while any end is open,
 * making one for the first opener.
 *
 * Opening waits for the other side, as POSIX asks: a reader (O_RDONLY)
 * sleeps until some writer has opened the FIFO, a writer until some
 * reader has, unless O_NONBLOCK: then a reader goes ahead at once and a
 * writer with no reader fails with ENXIO.  O_RDWR opens both ends and
 * never waits.  "Has opened" is a generation count per side
 * (v_fifo_readers, v_fifo_writers), so a sleeper whose partner opened
 * and closed again before it woke still goes ahead.  A signal ends the
 * wait (the open is restarted if the handler asks for it).
 *
 * Locking: v_fifo and the generations are guarded by fifo_mtx, one sleep
 * mutex for every FIFO (opens and last closes are rare); an end is
 * counted on the pipe under fifo_mtx then the pipe's own mutex, and the
 * last close clears v_fifo under the same locks, so an opener never finds
 * a pipe that is being freed.  Openers waiting for a partner sleep on
 * fifo_cv, broadcast at every open.
 */
#include <kern/systm.h>
#include <kern/condvar.h>
#include <kern/file.h>
#include <kern/mutex.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

static struct mtx fifo_mtx = MTX_INITIALIZER("fifo");
static struct cv fifo_cv = CV_INITIALIZER("fifo partner");

/* The last end of vp's pipe closed (fifo_mtx held). */
static void
fifo_lastclose(void *arg)
{
	struct vnode *vp = arg;

	KASSERT(mtx_owned(&fifo_mtx), ("fifo_lastclose: fifo_mtx not held"));
	vp->v_fifo = NULL;
}

/*
 * Sleep (fifo_mtx held) until the other side of p has an end open, or
 * has opened one since *gen was read.  0, or ERESTARTSYS for a signal.
 */
static int
wait_for_partner(struct vnode *vp, struct pipe *p, bool want_writers)
{
	uint32_t *gen = want_writers ? &vp->v_fifo_writers : &vp->v_fifo_readers;
	uint32_t seen = *gen;

	while (!pipe_has_ends(p, want_writers) && *gen == seen) {
		if (cv_wait_sig(&fifo_cv, &fifo_mtx) != 0)
			return ERESTARTSYS;
	}
	return 0;
}

int
fifo_open(struct vnode *vp, int flags, struct file **fpp)
{
	int acc = flags & O_ACCMODE, error = 0;
	bool nonblock = (flags & O_NONBLOCK) != 0;
	struct pipe *p, *fresh = NULL;
	struct file *fp;

	KASSERT(vp->v_type == VFIFO, ("fifo_open: not a FIFO"));
	if ((fp = pipe_end_alloc(flags, vp)) == NULL) {
		vrele(vp);
		return ENOMEM;
	}
	mtx_lock(&fifo_mtx);
	while (vp->v_fifo == NULL && fresh == NULL) {
		mtx_unlock(&fifo_mtx);
		fresh = pipe_alloc(&fifo_mtx, fifo_lastclose, vp);
		mtx_lock(&fifo_mtx);
		if (fresh == NULL) {
			error = ENOMEM;
			break;
		}
	}
	if (error == 0 && acc == O_WRONLY && nonblock &&
	    (vp->v_fifo == NULL || !pipe_has_ends(vp->v_fifo, false)))
		error = ENXIO;		/* nobody to read what would be written */
	if (error) {
		mtx_unlock(&fifo_mtx);
		if (fresh != NULL)
			pipe_free_unused(fresh);
		file_drop(fp);		/* releases vp */
		return error;
	}
	if (vp->v_fifo == NULL) {
		vp->v_fifo = fresh;
		fresh = NULL;
	}
	p = vp->v_fifo;
	pipe_end_attach(p, fp);
	if (acc == O_RDONLY || acc == O_RDWR)
		vp->v_fifo_readers++;
	if (acc == O_WRONLY || acc == O_RDWR)
		vp->v_fifo_writers++;
	cv_broadcast(&fifo_cv);
	pipe_end_wakeup(p);
	/* Our end keeps p alive while we wait. */
	if (acc == O_RDONLY && !nonblock)
		error = wait_for_partner(vp, p, true);
	else if (acc == O_WRONLY)
		error = wait_for_partner(vp, p, false);
	mtx_unlock(&fifo_mtx);
	if (fresh != NULL)
		pipe_free_unused(fresh);
	if (error) {
		file_drop(fp);		/* closes our end and releases vp */
		return error;
	}
	*fpp = fp;
	return 0;
}
