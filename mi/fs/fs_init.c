/*
 * Building the name space at boot, as Linux does: an in-memory root
 * file system (rootfs, a ramfs) with the initial ram disk (a cpio newc
 * archive) unpacked into it; then devtmpfs on /dev (console, null, zero,
 * the disks, and an empty /dev/shm) and proc on /proc.
 *
 * With root=DEVICE on the command line (rootfstype=TYPE, default ext2;
 * "ro", the default, or "rw"), the device is mounted over the rootfs
 * root and becomes the root; devtmpfs and proc are mounted on its /dev
 * and /proc if it has them, and init is run from it (init=PATH, default
 * /sbin/init).  The rootfs and what the archive held stay underneath,
 * out of reach, as on Linux.  A root that cannot be mounted is fatal.
 *
 * A damaged archive is reported, not fatal: what was unpacked before the
 * damage stays, and init may still be there to run.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/file.h>
#include <fs/cpio.h>
#include <fs/mount.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/mount.h>

#define ROOT_NAME_MAX	64

bool fs_root_on_disk;

/* The directory path under the root, made if missing (kernel paths: fatal if it cannot be). */
static struct vnode *
make_dir(const char *path, uint32_t mode)
{
	struct vnode *vp;
	int error = vfs_lookup(NULL, path, VFS_CREATE, VDIR, mode, &vp);

	if (error)
		panic("fs_init: cannot make directory %s: error %d", path, error);
	return vp;
}

/*
 * Mount fstype on the directory path of the root, if it is one (making it
 * if make).  Was it mounted?
 */
static bool
mount_on(const char *path, bool make, const char *fstype, uint64_t flags)
{
	struct vnode *dir;
	int error;

	if (make)
		dir = make_dir(path, 0755);
	else if (vfs_lookup(NULL, path, 0, VNON, 0, &dir) != 0)
		return false;
	error = vfs_mount(fstype, fstype, dir, flags, NULL, NULL);
	vrele(dir);
	if (error)
		panic("fs_init: cannot mount %s on %s: error %d", fstype, path, error);
	return true;
}

/* devtmpfs on /dev, with an empty /dev/shm for POSIX shared memory (shm_open). */
static void
mount_dev(bool make)
{
	if (mount_on("/dev", make, "devtmpfs", MS_NOSUID))
		vrele(make_dir("/dev/shm", 01777));
}

static void
unpack_initrd(const void *initrd, size_t len)
{
	struct cpio_stats st;
	int error;

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

/* root=DEVICE: mount it over the rootfs root and make it the root. */
static void
mount_disk_root(const char *device)
{
	char fstype[ROOT_NAME_MAX] = "ext2";
	uint64_t flags = cmdline_has("rw") ? 0 : MS_RDONLY;
	struct mount *mp;
	int error;

	cmdline_get("rootfstype", fstype, sizeof(fstype));
	if ((error = vfs_mount(fstype, device, rootvnode, flags, NULL, &mp)) != 0)
		panic("VFS: cannot mount root file system %s (%s): error %d", device, fstype, error);
	rootvnode = mp->mnt_root;
	fs_root_on_disk = true;
	printf("root: %s (%s) mounted %s on /\n", device, fstype, flags ? "read-only" : "read-write");
	mount_dev(false);
	mount_on("/proc", false, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

void
fs_init(const void *initrd, size_t len)
{
	char device[ROOT_NAME_MAX];
	struct mount *mp;
	int error;

	KASSERT(rootvnode == NULL, ("fs_init: called twice"));
	file_init();
	if ((error = vfs_mount("rootfs", "rootfs", NULL, 0, NULL, &mp)) != 0)
		panic("fs_init: cannot make the root file system: error %d", error);
	rootvnode = mp->mnt_root;
	unpack_initrd(initrd, len);
	vrele(make_dir("/tmp", 01777));
	mount_dev(true);
	mount_on("/proc", true, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	if (cmdline_get("root", device, sizeof(device)))
		mount_disk_root(device);
}
