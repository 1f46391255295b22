/*
 * devfs: the character devices, as vnodes linked into an ordinary ramfs
 * directory (/dev).
 *
 *   console  the console's terminal (kern/tty.h: line discipline,
 *            settings, job control); opening it never makes it a
 *            controlling terminal, as Linux's /dev/console.
 *   ttyS0    the same terminal under the UART's Linux name; a session
 *            leader's open makes it its controlling terminal.
 *   tty      the caller's controlling terminal (ENXIO if none).
 *   null     reads end of file, swallows writes.
 *   zero     reads zeros, swallows writes; mmap maps anonymous memory.
 *   vda ...  the disks, block devices (disk_vnops.c).
 */
#include <kern/systm.h>
#include <kern/cons.h>
#include <kern/copy.h>
#include <kern/disk.h>
#include <kern/tty.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/ioctl.h>

/* Linux device numbers, in the old 8:8 encoding Linux still accepts. */
#define MKDEV(ma, mi)	(((ma) << 8) | (mi))

/*
 * Terminals: console and ttyS0 are the console's terminal (v_data); tty
 * is the caller's controlling terminal, whichever it is.
 */

/* The terminal vp stands for, or NULL (tty, with no controlling terminal). */
static struct tty *
vnode_tty(struct vnode *vp)
{
	return vp->v_data != NULL ? vp->v_data : tty_controlling();
}

static ssize_t
tty_vop_read(struct vnode *vp, struct uio *uio)
{
	struct tty *tp = vnode_tty(vp);

	return tp != NULL ? tty_read(tp, uio) : -EIO;
}

static ssize_t
tty_vop_write(struct vnode *vp, struct uio *uio)
{
	struct tty *tp = vnode_tty(vp);

	return tp != NULL ? tty_write(tp, uio) : -EIO;
}

static int
tty_vop_ioctl(struct vnode *vp, unsigned long cmd, void *uarg)
{
	struct tty *tp = vnode_tty(vp);

	return tp != NULL ? tty_ioctl(tp, cmd, uarg) : EIO;
}

static int
tty_vop_poll(struct vnode *vp, int events, struct pollwait *pw)
{
	struct tty *tp = vnode_tty(vp);

	return tp != NULL ? tty_poll(tp, events, pw) : POLLERR | POLLHUP;
}

/* Opening /dev/console never makes it a controlling terminal (as Linux); ttyS0 may. */
static int
console_open(struct vnode *vp, int oflags)
{
	return tty_open(vp->v_data, oflags, false);
}

static int
serial_open(struct vnode *vp, int oflags)
{
	return tty_open(vp->v_data, oflags, true);
}

static int
ctty_open(struct vnode *vp, int oflags)
{
	return tty_controlling() != NULL ? 0 : ENXIO;
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
	.vop_read = tty_vop_read,
	.vop_write = tty_vop_write,
	.vop_ioctl = tty_vop_ioctl,
	.vop_poll = tty_vop_poll,
	.vop_open = console_open,
	.vop_reclaim = devfs_reclaim,
};

static const struct vnode_ops serial_ops = {
	.vop_read = tty_vop_read,
	.vop_write = tty_vop_write,
	.vop_ioctl = tty_vop_ioctl,
	.vop_poll = tty_vop_poll,
	.vop_open = serial_open,
	.vop_reclaim = devfs_reclaim,
};

static const struct vnode_ops ctty_ops = {
	.vop_read = tty_vop_read,
	.vop_write = tty_vop_write,
	.vop_ioctl = tty_vop_ioctl,
	.vop_poll = tty_vop_poll,
	.vop_open = ctty_open,
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
	struct tty		*(*tty)(void);	/* its terminal (v_data), or NULL */
};

static const struct devfs_node devfs_nodes[] = {
	{ "console",	&console_ops,	MKDEV(5, 1),	0620,	true,	cons_tty },
	{ "ttyS0",	&serial_ops,	MKDEV(4, 64),	0620,	true,	cons_tty },
	{ "tty",	&ctty_ops,	MKDEV(5, 0),	0666,	true,	NULL },
	{ "null",	&null_ops,	MKDEV(1, 3),	0666,	false,	NULL },
	{ "zero",	&zero_ops,	MKDEV(1, 5),	0666,	false,	NULL },
};

/*
 * The devices by number, for opening device nodes of other file systems
 * (devfs_find): the vnodes of the first devfs_populate (the system's
 * /dev), each referenced for good.  Written once at boot, read after.
 */
#define DEVFS_MAX_DEVICES	(nitems(devfs_nodes) + DISK_MAX_UNITS)
static struct vnode *devfs_devices[DEVFS_MAX_DEVICES];	/* (C) after boot */
static size_t devfs_ndevices;			/* (C) */
static bool devfs_registering = true;		/* (C) the first populate is under way */

/*
 * Link the new vnode vp into dir as name; the link keeps it, or it goes
 * now.  The first populate also keeps it in the table of devices.
 */
static int
devfs_link(struct vnode *dir, const char *name, struct vnode *vp)
{
	int error = ramfs_link(dir, name, strlen(name), vp);

	if (error == 0 && devfs_registering && devfs_ndevices < DEVFS_MAX_DEVICES)
		devfs_devices[devfs_ndevices++] = vp;	/* keeps the reference */
	else
		vrele(vp);
	return error;
}

struct vnode *
devfs_find(enum vtype type, uint32_t rdev)
{
	for (size_t i = 0; i < devfs_ndevices; i++) {
		struct vnode *vp = devfs_devices[i];

		if (vp->v_type == type && vp->v_rdev == rdev) {
			vref(vp);
			return vp;
		}
	}
	return NULL;
}

static int
devfs_make(struct vnode *dir, const struct devfs_node *dn)
{
	struct vnode *vp = vnode_alloc(VCHR, dn->mode, dn->ops, NULL, NULL, 0);

	if (vp == NULL)
		return ENOMEM;
	vnode_set_mount(vp, dir->v_mount);
	vp->v_rdev = dn->rdev;
	vp->v_data = dn->tty != NULL ? dn->tty() : NULL;
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
		if ((error = disk_vnode_alloc(dp, dir->v_mount, &vp)) != 0 ||
		    (error = devfs_link(dir, dp->d_name, vp)) != 0)
			return error;
	devfs_registering = false;
	return 0;
}
