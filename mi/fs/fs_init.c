/*
 * Building the root file system at boot: an empty ramfs root with the
 * directories every program expects,
 *
 *     /dev        console, null, zero (devfs), and shm (a ramfs directory)
 *     /proc       procfs
 *     /tmp        world-writable and sticky
 *
 * and then the initial ram disk (a cpio newc archive) unpacked on top.
 * A damaged archive is reported, not fatal: what was unpacked before the
 * damage stays, and init may still be there to run.
 */
#include <kern/systm.h>
#include <kern/file.h>
#include <fs/cpio.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>

static struct vnode *
make_dir(struct vnode *parent, const char *name, uint32_t mode)
{
	struct vnode *vp;
	int error = vfs_lookup(parent, name, VFS_CREATE, VDIR, mode, &vp);

	if (error)
		panic("fs_init: cannot make directory %s: error %d", name, error);
	return vp;
}

void
fs_init(const void *initrd, size_t len)
{
	struct cpio_stats st;
	struct vnode *dev;
	int error;

	KASSERT(rootvnode == NULL, ("fs_init: called twice"));
	file_init();
	if ((rootvnode = ramfs_mkroot()) == NULL)
		panic("fs_init: no memory for the root directory");
	dev = make_dir(rootvnode, "dev", 0755);
	if ((error = devfs_populate(dev)) != 0)
		panic("fs_init: cannot make the devices: error %d", error);
	vrele(make_dir(dev, "shm", 01777));
	vrele(dev);
	if ((error = procfs_mount(rootvnode, "proc")) != 0)
		panic("fs_init: cannot make /proc: error %d", error);
	vrele(make_dir(rootvnode, "tmp", 01777));
	if (len == 0) {
		printf("initramfs: none\n");
		return;
	}
	error = cpio_unpack(rootvnode, initrd, len, &st);
	printf("initramfs: %lu bytes: %lu files (%lu KiB), %lu directories, %lu symbolic links, "
	    "%lu hard links, %lu special files, %lu entries skipped\n", (uint64_t)len, st.files,
	    st.bytes / 1024, st.dirs, st.symlinks, st.hardlinks, st.specials, st.skipped);
	if (error)
		printf("initramfs: stopped at error %d (archive damaged or incomplete)\n", error);
}
