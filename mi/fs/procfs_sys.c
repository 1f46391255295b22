/*
 * The writable corners of /proc that the file systems' write-back has
 * (kept apart from procfs.c, whose files are read-only snapshots):
 *
 *   /proc/sys/vm/dirty_writeback_centisecs  the syncer's interval (r/w)
 *   /proc/sys/vm/drop_caches                write 1 (clean file pages),
 *                                           2 (unused vnodes) or 3 (both)
 *   /proc/sysrq-trigger                     write 's' (sync), 'u' (every
 *                                           file system read-only, clean),
 *                                           'o' (power off now, without
 *                                           syncing: a power failure)
 *
 * As in procfs.c, these vnodes are made by the lookup that names them and
 * go with their last reference; reads generate the text then.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/reboot.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

#define PROCFS_SYS_INO	0x6f000000UL
#define VALUE_MAX	24		/* an integer written to a tunable, with its newline */

enum sys_node { SYS_DIR, SYS_VM_DIR, SYS_WRITEBACK, SYS_DROP_CACHES, SYS_SYSRQ, SYS_NNODES };

static const struct vnode_ops sys_dir_ops;
static const struct vnode_ops sys_file_ops;

struct sys_entry {
	const char	*name;
	enum sys_node	node;
	enum vtype	type;
	uint32_t	mode;
};

static const struct sys_entry sys_entries[] = {
	{ "vm", SYS_VM_DIR, VDIR, 0555 },
};

static const struct sys_entry vm_entries[] = {
	{ "dirty_writeback_centisecs", SYS_WRITEBACK, VREG, 0644 },
	{ "drop_caches", SYS_DROP_CACHES, VREG, 0200 },
};

static enum sys_node
node_of(struct vnode *vp)
{
	return (enum sys_node)(intptr_t)vp->v_data;
}

static struct vnode *
sys_vnode(struct vnode *parent, enum sys_node node, enum vtype type, uint32_t mode,
    const char *name)
{
	struct vnode *vp = vnode_alloc(type, mode, type == VDIR ? &sys_dir_ops : &sys_file_ops,
	    type == VDIR ? parent : NULL, name, strlen(name));

	if (vp == NULL)
		return NULL;
	vnode_set_mount(vp, parent->v_mount);
	vp->v_ino = PROCFS_SYS_INO + node;
	vp->v_data = (void *)(intptr_t)node;
	return vp;
}

static bool
name_is(const char *name, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(name, what, len) == 0;
}

static int
lookup_in(struct vnode *dir, const struct sys_entry *ents, size_t n, const char *name,
    size_t len, struct vnode **out)
{
	for (size_t i = 0; i < n; i++) {
		if (name_is(name, len, ents[i].name)) {
			*out = sys_vnode(dir, ents[i].node, ents[i].type, ents[i].mode, ents[i].name);
			return *out != NULL ? 0 : ENOMEM;
		}
	}
	return ENOENT;
}

int
procfs_sys_lookup(struct vnode *procroot, const char *name, size_t len, uint64_t ino,
    struct vnode **out)
{
	if (name_is(name, len, "sys"))
		*out = sys_vnode(procroot, SYS_DIR, VDIR, 0555, "sys");
	else if (name_is(name, len, "sysrq-trigger"))
		*out = sys_vnode(procroot, SYS_SYSRQ, VREG, 0200, "sysrq-trigger");
	else
		return ENOENT;
	if (*out == NULL)
		return ENOMEM;
	(*out)->v_ino = ino;	/* as procfs lists it */
	return 0;
}

static int
sys_dir_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (node_of(dir) == SYS_DIR)
		return lookup_in(dir, sys_entries, nitems(sys_entries), name, len, out);
	return lookup_in(dir, vm_entries, nitems(vm_entries), name, len, out);
}

static ssize_t
sys_dir_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	const struct sys_entry *ents = node_of(dir) == SYS_DIR ? sys_entries : vm_entries;
	size_t n = node_of(dir) == SYS_DIR ? nitems(sys_entries) : nitems(vm_entries);
	struct fixed_dirent list[nitems(vm_entries)];

	_Static_assert(nitems(sys_entries) <= nitems(vm_entries), "list too short");
	for (size_t i = 0; i < n; i++)
		list[i] = (struct fixed_dirent){ ents[i].name, ents[i].type,
		    PROCFS_SYS_INO + ents[i].node };
	return dirent_list_fixed(dir, list, n, offp, buf, len);
}

static ssize_t
sys_file_read(struct vnode *vp, struct uio *uio)
{
	char text[VALUE_MAX];
	size_t len = 0, n;

	if (node_of(vp) == SYS_WRITEBACK)
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

static int
sysrq(char c)
{
	switch (c) {
	case 's':
		vfs_sync_all(true);
		return 0;
	case 'u':
		vfs_shutdown();
		return 0;
	case 'o':
	case 'b':
		printf("sysrq: powering off now, nothing synced\n");
		machine_poweroff(POWEROFF_SUCCESS);
	default:
		return 0;	/* Linux ignores unknown keys */
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
	if (node_of(vp) == SYS_SYSRQ) {
		if (len > 0)
			sysrq(text[0]);
		return (ssize_t)len;
	}
	value = strtoul(text, &end, 10);
	if (end == text || (*end != '\0' && *end != '\n') || value > UINT32_MAX)
		return -EINVAL;
	if (node_of(vp) == SYS_WRITEBACK) {
		syncer_set_interval((uint32_t)value);
	} else {
		if (value < 1 || value > 3)
			return -EINVAL;
		vfs_drop_caches((int)value);
	}
	return (ssize_t)len;
}

static void
sys_reclaim(struct vnode *vp)
{
	vnode_free(vp);
}

static void
sys_getattr(struct vnode *vp, struct stat *st)
{
	st->st_nlink = vp->v_type == VDIR ? 2 : 1;
}

static const struct vnode_ops sys_dir_ops = {
	.vop_lookup = sys_dir_lookup,
	.vop_getdents = sys_dir_getdents,
	.vop_getattr = sys_getattr,
	.vop_reclaim = sys_reclaim,
};

static const struct vnode_ops sys_file_ops = {
	.vop_read = sys_file_read,
	.vop_write = sys_file_write,
	.vop_getattr = sys_getattr,
	.vop_reclaim = sys_reclaim,
};
