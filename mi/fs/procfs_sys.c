/*
 * /proc/sys: the kernel's tunables, as Linux's sysctl files.
 *
 *   /proc/sys/kernel/pid_max   the limit process and thread ids stay
 *                              below (pid.h)
 *   /proc/sys/kernel/shmmax    the largest System V shared memory
 *                              segment, in bytes (sysv_shm.h)
 *   /proc/sys/kernel/shmall    all segments together, in pages
 *   /proc/sys/kernel/shmmni    how many segments there may be
 *
 * A tunable reads as its value now, and takes a new one from a single
 * write at offset 0 of a decimal number (a newline may follow), by root
 * only; a value it refuses (a negative one, with all of these) is EINVAL
 * and changes nothing.
 *
 * Locking: none here; each tunable's owner keeps its value atomic.
 */
#include <kern/systm.h>
#include <kern/pid.h>
#include <kern/proc.h>
#include <kern/sysv_shm.h>
#include <fs/procfs_internal.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

#define TUNABLE_TEXT_MAX	24	/* a 64-bit decimal number, a sign and a newline */
#define TUNABLE_MODE		0644

struct tunable {
	enum procfs_kind kind;
	uint64_t	(*get)(void);
	int		(*set)(uint64_t value);	/* 0 or an errno */
};

static uint64_t
pid_max_value(void)
{
	return (uint64_t)pid_max_get();
}

static int
pid_max_change(uint64_t value)
{
	return value > (uint64_t)__INT64_MAX__ ? EINVAL : pid_max_set((int64_t)value);
}

static const struct tunable tunables[] = {
	{ PFS_SYS_PID_MAX, pid_max_value, pid_max_change },
	{ PFS_SYS_SHMMAX, shm_max_get, shm_max_set },
	{ PFS_SYS_SHMALL, shm_all_get, shm_all_set },
	{ PFS_SYS_SHMMNI, shm_mni_get, shm_mni_set },
};

static const struct vnode_ops tunable_ops;
static const struct vnode_ops sys_kernel_ops;

static const struct procfs_entry sys_entries[] = {
	{ "kernel", VDIR, PFS_SYS_KERNEL, NULL, &sys_kernel_ops },
};

static const struct procfs_entry kernel_entries[] = {
	{ "pid_max", VREG, PFS_SYS_PID_MAX, NULL, &tunable_ops },
	{ "shmall", VREG, PFS_SYS_SHMALL, NULL, &tunable_ops },
	{ "shmmax", VREG, PFS_SYS_SHMMAX, NULL, &tunable_ops },
	{ "shmmni", VREG, PFS_SYS_SHMMNI, NULL, &tunable_ops },
};

/* The tunable a vnode is, found by its inode number. */
static const struct tunable *
tunable_of(struct vnode *vp)
{
	for (size_t i = 0; i < nitems(tunables); i++)
		if (vp->v_ino == procfs_ino(0, tunables[i].kind))
			return &tunables[i];
	panic("procfs_sys: vnode %lu is no tunable", (unsigned long)vp->v_ino);
}

static ssize_t
tunable_read(struct vnode *vp, struct uio *uio)
{
	char text[TUNABLE_TEXT_MAX];
	size_t len = (size_t)snprintf(text, sizeof(text), "%lu\n", tunable_of(vp)->get());
	size_t n;

	if (uio->uio_offset >= len)
		return 0;
	n = MIN(uio->uio_resid, len - uio->uio_offset);
	if (uiomove(text + uio->uio_offset, n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

/*
 * Parse a decimal number with one newline after it at most.  None of the
 * tunables takes a negative one.
 */
static int
parse_value(const char *text, uint64_t *value)
{
	char *end;
	unsigned long v;

	while (*text == ' ' || *text == '\t')
		text++;			/* as Linux's sysctl parser */
	if (*text < '0' || *text > '9')
		return EINVAL;
	v = strtoul(text, &end, 10);
	if ((*end == '\n' && end[1] != '\0') || (*end != '\n' && *end != '\0'))
		return EINVAL;
	*value = v;
	return 0;
}

static ssize_t
tunable_write(struct vnode *vp, struct uio *uio)
{
	size_t len = uio->uio_resid;
	char text[TUNABLE_TEXT_MAX];
	uint64_t value;
	int error;

	if (uio->uio_offset != 0 || len == 0 || len >= sizeof(text))
		return -EINVAL;
	if (uiomove(text, len, uio) != 0)
		return -EFAULT;
	text[len] = '\0';
	if ((error = parse_value(text, &value)) != 0 ||
	    (error = tunable_of(vp)->set(value)) != 0)
		return -error;
	return (ssize_t)len;
}

/* Anyone may read a tunable; only root may write one (the file is root's, TUNABLE_MODE). */
static int
tunable_open(struct vnode *vp, int oflags)
{
	struct proc *p = curproc();

	if ((oflags & O_ACCMODE) != O_RDONLY && (p == NULL || !proc_privileged(p)))
		return EACCES;
	return 0;
}

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

/* Every file in /proc/sys/kernel is a tunable: root's, readable by all (0644). */
static int
sys_kernel_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	int error = procfs_table_lookup(dir, kernel_entries, nitems(kernel_entries), name, len,
	    out);

	if (error == 0)
		(*out)->v_mode = TUNABLE_MODE;
	return error;
}

static ssize_t
sys_kernel_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	return procfs_list_table(dir, kernel_entries, nitems(kernel_entries), offp, buf, len);
}

const struct vnode_ops procfs_sys_ops = {
	.vop_lookup = sys_lookup,
	.vop_getdents = sys_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops sys_kernel_ops = {
	.vop_lookup = sys_kernel_lookup,
	.vop_getdents = sys_kernel_getdents,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops tunable_ops = {
	.vop_read = tunable_read,
	.vop_write = tunable_write,
	.vop_open = tunable_open,
	.vop_reclaim = procfs_reclaim,
};
