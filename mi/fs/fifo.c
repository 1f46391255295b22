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
 * Locking: v_fifo and the generations are (V); an end is counted on the
 * pipe under v_lock then the pipe's own lock, and the last close clears
 * v_fifo under the same locks, so an opener never finds a pipe that is
 * being freed.
 */
#include <kern/systm.h>
#include <kern/file.h>
#include <kern/sched.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

/* The last end of vp's pipe closed (v_lock held). */
static void
fifo_lastclose(void *arg)
{
	struct vnode *vp = arg;

	KASSERT(spin_owned(&vp->v_lock), ("fifo_lastclose: vnode not locked"));
	vp->v_fifo = NULL;
}

/*
 * Sleep (v_lock held) until the other side of p has an end open, or has
 * opened one since *gen was read.  0, or ERESTARTSYS for a signal.
 */
static int
wait_for_partner(struct vnode *vp, struct pipe *p, bool want_writers)
{
	uint32_t *gen = want_writers ? &vp->v_fifo_writers : &vp->v_fifo_readers;
	uint32_t seen = *gen;

	while (!pipe_has_ends(p, want_writers) && *gen == seen) {
		if (sleep_on_intr(gen, &vp->v_lock) != 0)
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
	spin_lock(&vp->v_lock);
	while (vp->v_fifo == NULL && fresh == NULL) {
		spin_unlock(&vp->v_lock);
		fresh = pipe_alloc(&vp->v_lock, fifo_lastclose, vp);
		spin_lock(&vp->v_lock);
		if (fresh == NULL) {
			error = ENOMEM;
			break;
		}
	}
	if (error == 0 && acc == O_WRONLY && nonblock &&
	    (vp->v_fifo == NULL || !pipe_has_ends(vp->v_fifo, false)))
		error = ENXIO;		/* nobody to read what would be written */
	if (error) {
		spin_unlock(&vp->v_lock);
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
	spin_unlock(&vp->v_lock);
	if (fresh != NULL)
		pipe_free_unused(fresh);
	pipe_end_wakeup(p);
	wakeup(&vp->v_fifo_readers);
	wakeup(&vp->v_fifo_writers);

	/* Our end keeps p alive while we wait. */
	spin_lock(&vp->v_lock);
	if (acc == O_RDONLY && !nonblock)
		error = wait_for_partner(vp, p, true);
	else if (acc == O_WRONLY)
		error = wait_for_partner(vp, p, false);
	spin_unlock(&vp->v_lock);
	if (error) {
		file_drop(fp);		/* closes our end and releases vp */
		return error;
	}
	*fpp = fp;
	return 0;
}
