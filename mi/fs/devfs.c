/*
 * devfs: the character devices, as vnodes linked into an ordinary ramfs
 * directory (/dev).
 *
 *   console  read: what the console has received, at least one byte,
 *            sleeping until input arrives (no line editing, no echo; a
 *            carriage return reads as a newline, as ICRNL would); write:
 *            to the console; ioctl: enough of a terminal for isatty()
 *            and window-size queries.
 *   null     reads end of file, swallows writes.
 *   zero     reads zeros, swallows writes; mmap maps anonymous memory.
 *   vda ...  the disks, block devices (disk_vnops.c).
 *
 * Console input wakeups: the receive interrupt queues bytes and calls
 * wakeup(cons_rx_wait_channel()) after releasing the input ring's lock.
 * A reader checks for input and goes to sleep holding sched_lock (which
 * wakeup takes), so no byte can arrive unnoticed in between.
 */
#include <kern/systm.h>
#include <kern/cons.h>
#include <kern/copy.h>
#include <kern/disk.h>
#include <kern/sched.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/ioctl.h>
#include <uapi/termios.h>

#define CONS_READ_CHUNK	128

/* Linux device numbers, in the old 8:8 encoding Linux still accepts. */
#define MKDEV(ma, mi)	(((ma) << 8) | (mi))

/*
 * The console.
 */

static int
console_translate(int c)
{
	return c == '\r' ? '\n' : c;
}

/* The next input byte, sleeping for it unless nonblock.  A byte, or -errno. */
static int
console_getc_wait(bool nonblock)
{
	for (;;) {
		int c = cons_getc(), error = 0;

		if (c >= 0)
			return c;
		if (nonblock)
			return -EAGAIN;
		spin_lock(&sched_lock);
		if ((c = cons_getc()) < 0)
			error = sleep_on_intr(cons_rx_wait_channel(), &sched_lock);
		spin_unlock(&sched_lock);
		if (c >= 0)
			return c;
		if (error)
			return -ERESTARTSYS;	/* a signal: as Linux's tty read */
	}
}

static ssize_t
console_read(struct vnode *vp, struct uio *uio)
{
	char buf[CONS_READ_CHUNK];
	size_t n = 0, want = MIN(uio->uio_resid, sizeof(buf));
	int c;

	if (want == 0)
		return 0;
	if ((c = console_getc_wait(uio->uio_ioflag & IO_NONBLOCK)) < 0)
		return c;
	buf[n++] = (char)console_translate(c);
	while (n < want && (c = cons_getc()) >= 0)
		buf[n++] = (char)console_translate(c);
	if (uiomove(buf, n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

static ssize_t
console_write(struct vnode *vp, struct uio *uio)
{
	char buf[CONS_READ_CHUNK];
	size_t done = 0;

	while (uio->uio_resid > 0) {
		size_t n = MIN(uio->uio_resid, sizeof(buf));

		if (uiomove(buf, n, uio) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		cons_write(buf, n);
		done += n;
	}
	return (ssize_t)done;
}

static void
console_termios(struct termios *t)
{
	static const uint8_t cc[NCCS] = {
		[VINTR] = 3, [VQUIT] = 28, [VERASE] = 127, [VKILL] = 21, [VEOF] = 4,
		[VTIME] = 0, [VMIN] = 1, [VSTART] = 17, [VSTOP] = 19, [VSUSP] = 26,
		[VREPRINT] = 18, [VDISCARD] = 15, [VWERASE] = 23, [VLNEXT] = 22,
	};	/* ^C ^\ DEL ^U ^D, min 1, ^Q ^S ^Z ^R ^O ^W ^V */

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B115200 | CS8 | CREAD;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->c_cc, cc, sizeof(cc));
}

static int
console_ioctl(struct vnode *vp, unsigned long cmd, void *uarg)
{
	struct termios t;
	struct winsize ws = { 24, 80, 0, 0 };

	switch (cmd) {
	case TCGETS:
		console_termios(&t);
		return copyout(&t, uarg, sizeof(t)) ? EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		/* Accepted and ignored: the console has no line discipline. */
		return copyin(uarg, &t, sizeof(t)) ? EFAULT : 0;
	case TIOCGWINSZ:
		return copyout(&ws, uarg, sizeof(ws)) ? EFAULT : 0;
	case TIOCSWINSZ:
		return copyin(uarg, &ws, sizeof(ws)) ? EFAULT : 0;
	default:
		return ENOTTY;
	}
}

/*
 * null and zero.
 */

static ssize_t
null_read(struct vnode *vp, struct uio *uio)
{
	return 0;
}

static ssize_t
sink_write(struct vnode *vp, struct uio *uio)
{
	size_t n = uio->uio_resid;

	uio->uio_base = (char *)uio->uio_base + n;
	uio->uio_offset += n;
	uio->uio_resid = 0;
	return (ssize_t)n;
}

static ssize_t
zero_read(struct vnode *vp, struct uio *uio)
{
	size_t n = uio->uio_resid;

	if (uiomove_zeros(n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

static int
zero_mmap(struct vnode *vp, uint64_t off, uint64_t len, struct vm_object **objp,
    bool *anonymous)
{
	*objp = NULL;
	*anonymous = true;
	return 0;
}

static int
no_ioctl(struct vnode *vp, unsigned long cmd, void *uarg)
{
	return ENOTTY;
}

static void
devfs_reclaim(struct vnode *vp)
{
	vnode_free(vp);
}

static const struct vnode_ops console_ops = {
	.vop_read = console_read,
	.vop_write = console_write,
	.vop_ioctl = console_ioctl,
	.vop_reclaim = devfs_reclaim,
};

static const struct vnode_ops null_ops = {
	.vop_read = null_read,
	.vop_write = sink_write,
	.vop_ioctl = no_ioctl,
	.vop_reclaim = devfs_reclaim,
};

static const struct vnode_ops zero_ops = {
	.vop_read = zero_read,
	.vop_write = sink_write,
	.vop_ioctl = no_ioctl,
	.vop_mmap = zero_mmap,
	.vop_reclaim = devfs_reclaim,
};

struct devfs_node {
	const char		*name;
	const struct vnode_ops	*ops;
	uint32_t		rdev;
	uint32_t		mode;
	bool			noseek;
};

static const struct devfs_node devfs_nodes[] = {
	{ "console",	&console_ops,	MKDEV(5, 1),	0620,	true },
	{ "null",	&null_ops,	MKDEV(1, 3),	0666,	false },
	{ "zero",	&zero_ops,	MKDEV(1, 5),	0666,	false },
};

/* Link the new vnode vp into dir as name; the link keeps it, or it goes now. */
static int
devfs_link(struct vnode *dir, const char *name, struct vnode *vp)
{
	int error = ramfs_link(dir, name, strlen(name), vp);

	vrele(vp);
	return error;
}

static int
devfs_make(struct vnode *dir, const struct devfs_node *dn)
{
	struct vnode *vp = vnode_alloc(VCHR, dn->mode, dn->ops, NULL, NULL, 0);

	if (vp == NULL)
		return ENOMEM;
	vp->v_fsid = FSID_DEVFS;
	vp->v_rdev = dn->rdev;
	if (dn->noseek)
		vp->v_flags |= VV_NOSEEK;
	return devfs_link(dir, dn->name, vp);
}

int
devfs_populate(struct vnode *dir)
{
	struct vnode *vp;
	struct disk *dp;
	int error;

	for (size_t i = 0; i < nitems(devfs_nodes); i++)
		if ((error = devfs_make(dir, &devfs_nodes[i])) != 0)
			return error;
	for (dp = disk_next(NULL); dp != NULL; dp = disk_next(dp))
		if ((error = disk_vnode_alloc(dp, &vp)) != 0 ||
		    (error = devfs_link(dir, dp->d_name, vp)) != 0)
			return error;
	return 0;
}
