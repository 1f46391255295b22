/*
 * procfs: the writable corners that the file systems' write-back has
 * (see procfs_internal.h for how procfs fits together):
 *
 *   /proc/sys/vm/dirty_writeback_centisecs  the syncer's interval (r/w)
 *   /proc/sys/vm/drop_caches                write 1 (clean file pages),
 *                                           2 (unused vnodes) or 3 (both)
 *   /proc/sysrq-trigger                     write 's' (sync), 'u' (every
 *                                           file system read-only, clean),
 *                                           'o' or 'b' (power off now,
 *                                           without syncing: a power
 *                                           failure, for tests)
 *
 * Directories list their tables; files are told apart by their inode
 * number.  A read formats the value then; a write takes effect at once.
 * Only root may write (the modes say so: 0644, 0200).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/reboot.h>
#include <fs/mount.h>
#include <fs/procfs_internal.h>
#include <fs/vnode.h>

#define VALUE_MAX	24		/* an integer written to a tunable, with its newline */

static const struct procfs_entry sys_entries[] = {
	{ "vm", VDIR, PFS_SYS_VM, NULL, &procfs_sys_dir_ops, 0 },
};

static const struct procfs_entry vm_entries[] = {
	{ "dirty_writeback_centisecs", VREG, PFS_SYS_WRITEBACK, NULL, &procfs_sys_file_ops,
	    0644 },
	{ "drop_caches", VREG, PFS_SYS_DROP_CACHES, NULL, &procfs_sys_file_ops, 0200 },
};

static bool
is_node(const struct vnode *vp, enum procfs_kind kind)
{
	return vp->v_ino == procfs_ino(0, kind);
}

static int
sys_dir_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (is_node(dir, PFS_SYSDIR))
		return procfs_table_lookup(dir, sys_entries, nitems(sys_entries), name, len, out);
	return procfs_table_lookup(dir, vm_entries, nitems(vm_entries), name, len, out);
}

static ssize_t
sys_dir_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	if (is_node(dir, PFS_SYSDIR))
		return procfs_list_table(dir, sys_entries, nitems(sys_entries), offp, buf, len);
	return procfs_list_table(dir, vm_entries, nitems(vm_entries), offp, buf, len);
}

static ssize_t
sys_file_read(struct vnode *vp, struct uio *uio)
{
	char text[VALUE_MAX];
	size_t len = 0, n;

	if (is_node(vp, PFS_SYS_WRITEBACK))
		len = (size_t)snprintf(text, sizeof(text), "%u\n", syncer_get_interval());
	if (uio->uio_offset >= len)
		return 0;
	n = MIN(uio->uio_resid, len - uio->uio_offset);
	if (uiomove(text + uio->uio_offset, n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

/* What was written: a short text, NUL-terminated.  0, EFAULT or EINVAL (too long). */
static int
written_text(struct uio *uio, char *text)
{
	size_t len = uio->uio_resid;

	if (len >= VALUE_MAX)
		return EINVAL;
	if (uiomove(text, len, uio) != 0)
		return EFAULT;
	text[len] = '\0';
	return 0;
}

static void
sysrq(char c)
{
	switch (c) {
	case 's':
		vfs_sync_all(true);
		break;
	case 'u':
		vfs_shutdown();
		break;
	case 'o':
	case 'b':
		printf("sysrq: powering off now, nothing synced\n");
		machine_poweroff(POWEROFF_SUCCESS);
	default:
		break;		/* Linux ignores unknown keys */
	}
}

static ssize_t
sys_file_write(struct vnode *vp, struct uio *uio)
{
	size_t len = uio->uio_resid;
	char text[VALUE_MAX], *end;
	unsigned long value;
	int error;

	if ((error = written_text(uio, text)) != 0)
		return -error;
	if (is_node(vp, PFS_SYSRQ)) {
		if (len > 0)
			sysrq(text[0]);
		return (ssize_t)len;
	}
	value = strtoul(text, &end, 10);
	if (end == text || (*end != '\0' && *end != '\n') || value > UINT32_MAX)
		return -EINVAL;
	if (is_node(vp, PFS_SYS_WRITEBACK)) {
		syncer_set_interval((uint32_t)value);
	} else {
		if (value < 1 || value > 3)
			return -EINVAL;
		vfs_drop_caches((int)value);
	}
	return (ssize_t)len;
}

const struct vnode_ops procfs_sys_dir_ops = {
	.vop_lookup = sys_dir_lookup,
	.vop_getdents = sys_dir_getdents,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

const struct vnode_ops procfs_sys_file_ops = {
	.vop_read = sys_file_read,
	.vop_write = sys_file_write,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};
