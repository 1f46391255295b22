/*
 * procfs: /proc/sys (see procfs_internal.h).
 *
 *   /proc/sys/vm/NAME    one file per VM setting (vm_sysctl.h): its
 *                        number and a newline; root may write a new
 *                        number to the writable ones, as on Linux
 *
 * A setting's file holds the text of its value when it was looked up (a
 * snapshot, like every procfs file) and the setting itself, which a write
 * goes to.
 *
 * Locking: none of its own; a setting's get and set take what they need.
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <vm/vm_sysctl.h>
#include <fs/procfs_internal.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

#define SYSCTL_INO_BASE		0x6ffff000UL	/* apart from procfs_ino's (0x70000000 up) */
#define SYSCTL_TEXT		32		/* a number and a newline */
#define SYSCTL_DOTS		2		/* "." and "..": directory cookies before the settings */

/* v_data of a setting's file. */
struct sysctl_file {
	const struct vm_sysctl *sc;
	size_t		len;
	char		text[SYSCTL_TEXT];
};

static const struct vnode_ops procfs_sysvm_ops;
static const struct vnode_ops procfs_sysctl_ops;

/*
 * /proc/sys: a table.
 */

static const struct procfs_entry sys_entries[] = {
	{ "vm", VDIR, PFS_SYS_VM, NULL, &procfs_sysvm_ops },
};

static int
sys_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	return procfs_table_lookup(dir, sys_entries, nitems(sys_entries), name, len, out);
}

static ssize_t
sys_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	return procfs_list_table(dir, sys_entries, nitems(sys_entries), offp, buf, len);
}

/*
 * /proc/sys/vm: the settings vm_sysctl.c lists.
 */

static uint64_t
setting_ino(const struct vm_sysctl *sc)
{
	return SYSCTL_INO_BASE + (uint64_t)(sc - vm_sysctl_at(0));
}

static int
sysvm_lookup(struct vnode *dir __unused, const char *name, size_t len, struct vnode **out)
{
	const struct vm_sysctl *sc = vm_sysctl_find(name, len);
	struct sysctl_file *f;
	struct vnode *vp;

	if (sc == NULL)
		return ENOENT;
	if ((f = malloc(sizeof(*f), M_PROCFS, M_WAITOK)) == NULL)
		return ENOMEM;
	f->sc = sc;
	f->len = (size_t)snprintf(f->text, sizeof(f->text), "%lu\n", sc->get());
	if ((vp = procfs_vnode(VREG, &procfs_sysctl_ops, NULL, NULL, 0, setting_ino(sc))) == NULL) {
		free(f, M_PROCFS);
		return ENOMEM;
	}
	if (sc->set != NULL)
		vp->v_mode = 0644;
	vp->v_data = f;
	vp->v_size = f->len;
	*out = vp;
	return 0;
}

static ssize_t
sysvm_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	struct vnode *up = dir->v_parent != NULL ? dir->v_parent : dir;
	uint64_t cookie = *offp;
	size_t used = 0, next;

	for (;; cookie++) {
		const struct vm_sysctl *sc =
		    cookie >= SYSCTL_DOTS ? vm_sysctl_at(cookie - SYSCTL_DOTS) : NULL;

		if (cookie == 0)
			next = dirent_add(buf, len, used, dir->v_ino, 1, VDIR, ".", 1);
		else if (cookie == 1)
			next = dirent_add(buf, len, used, up->v_ino, 2, VDIR, "..", 2);
		else if (sc == NULL)
			break;
		else
			next = dirent_add(buf, len, used, setting_ino(sc), cookie + 1, VREG,
			    sc->name, strlen(sc->name));
		if (next == 0)
			break;
		used = next;
	}
	if (used == 0 && (cookie < SYSCTL_DOTS || vm_sysctl_at(cookie - SYSCTL_DOTS) != NULL))
		return -EINVAL;
	*offp = cookie;
	return (ssize_t)used;
}

/*
 * A setting's file.
 */

/* Writing is for root, and only where the setting may change. */
static int
sysctl_open(struct vnode *vp, int oflags)
{
	const struct sysctl_file *f = vp->v_data;
	struct proc *p = curproc();

	if ((oflags & O_ACCMODE) == O_RDONLY)
		return 0;
	return f->sc->set != NULL && p != NULL && proc_privileged(p) ? 0 : EACCES;
}

static ssize_t
sysctl_read(struct vnode *vp, struct uio *uio)
{
	const struct sysctl_file *f = vp->v_data;

	return procfs_text_read(f->text, f->len, uio);
}

/* A decimal number with blanks around it, as Linux's proc_doulongvec takes it; -1 if not. */
static int64_t
parse_setting(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t v = 0;
	bool digits = false;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits = true) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	return digits && i == n ? (int64_t)v : -1;
}

static ssize_t
sysctl_write(struct vnode *vp, struct uio *uio)
{
	const struct sysctl_file *f = vp->v_data;
	char buf[SYSCTL_TEXT];
	size_t n = uio->uio_resid;
	int64_t v;
	int error;

	if (n == 0)
		return 0;
	if (n >= sizeof(buf))
		return -EINVAL;
	if (uiomove(buf, n, uio) != 0)
		return -EFAULT;
	if ((v = parse_setting(buf, n)) < 0)
		return -EINVAL;
	if ((error = f->sc->set((uint64_t)v)) != 0)
		return -error;
	return (ssize_t)n;
}

static void
sysctl_reclaim(struct vnode *vp)
{
	free(vp->v_data, M_PROCFS);
	vnode_free(vp);
}

const struct vnode_ops procfs_sys_ops = {
	.vop_lookup = sys_lookup,
	.vop_getdents = sys_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_sysvm_ops = {
	.vop_lookup = sysvm_lookup,
	.vop_getdents = sysvm_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_sysctl_ops = {
	.vop_read = sysctl_read,
	.vop_write = sysctl_write,
	.vop_open = sysctl_open,
	.vop_reclaim = sysctl_reclaim,
};
