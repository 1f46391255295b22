/*
 * Self-tests of the file layer, on a private ramfs tree (no fs_init
 * needed): a cpio newc archive built here is unpacked and read back;
 * files are written, extended, truncated and mapped; directories are
 * listed and emptied; malformed archives are refused without harm; the
 * devices, /proc, descriptor tables and pipes do what they should.  At
 * the end every page, vnode, object, file and malloc'd byte is back.
 *
 * Mapped files are exercised through real page faults in a test address
 * space (as the VM self-tests do), including a read(2)-style copy into a
 * shared mapping of the very file being read.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/selftest.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pager.h>
#include <vm/zone.h>
#include <fs/cpio.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/dirent.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include <uapi/uio.h>

MALLOC_DECLARE(M_RAMFS);
MALLOC_DECLARE(M_VNAME);
MALLOC_DECLARE(M_PROCFS);
MALLOC_DECLARE(M_PIPE);
MALLOC_DECLARE(M_FILEDESC);
MALLOC_DEFINE(M_FSTEST, "fs selftest", "buffers of the file system self-tests");

#define ARCHIVE_MAX	32768
#define MOTD_SIZE	5000		/* spans two pages */
#define UBASE		0x20000000UL
#define HELLO		"hello world\n"
#define LINKED		"shared data\n"
#define LINKED_INO	0x777777

/*
 * Helpers.
 */

struct counts {
	uint64_t	free_pages;
	uint64_t	vnodes, objects, files;
	uint64_t	ramfs, vname, procfs, pipe, filedesc, fstest;
};

static void
count(struct counts *c)
{
	zone_reclaim_all();
	c->free_pages = vm_page_count_free() + zone_nofree_pages();
	c->vnodes = zone_inuse_by_name("vnode");
	c->objects = zone_inuse_by_name("vm object");
	c->files = zone_inuse_by_name("file");
	c->ramfs = M_RAMFS->mt_inuse;
	c->vname = M_VNAME->mt_inuse;
	c->procfs = M_PROCFS->mt_inuse;
	c->pipe = M_PIPE->mt_inuse;
	c->filedesc = M_FILEDESC->mt_inuse;
	c->fstest = M_FSTEST->mt_inuse;
}

/* A cpio newc archive under construction. */
struct archive {
	uint8_t	*buf;
	size_t	len;
};

static void
ar_pad(struct archive *ar)
{
	while (ar->len & 3)
		ar->buf[ar->len++] = 0;
}

/* An entry for file number ino with nlink links (hard links share ino). */
static void
ar_add_file(struct archive *ar, const char *name, uint32_t mode, uint32_t ino, uint32_t nlink,
    const void *data, size_t size)
{
	char hdr[CPIO_HEADER_SIZE + 1];
	size_t namesize = strlen(name) + 1;

	KASSERT(ar->len + CPIO_HEADER_SIZE + namesize + size + 8 <= ARCHIVE_MAX,
	    ("ar_add: archive too big"));
	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
	    ino, mode, 1000u, 100u, nlink, 1700000000u, (uint32_t)size, 0u, 0u, 0u, 0u,
	    (uint32_t)namesize, 0u);
	memcpy(ar->buf + ar->len, hdr, CPIO_HEADER_SIZE);
	ar->len += CPIO_HEADER_SIZE;
	memcpy(ar->buf + ar->len, name, namesize);
	ar->len += namesize;
	ar_pad(ar);
	if (size > 0)
		memcpy(ar->buf + ar->len, data, size);
	ar->len += size;
	ar_pad(ar);
}

static void
ar_add(struct archive *ar, const char *name, uint32_t mode, const void *data, size_t size)
{
	ar_add_file(ar, name, mode, (uint32_t)ar->len, 1, data, size);
}

static uint8_t
motd_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* The archive the tests unpack; *trailer_end is where the trailer's name ends. */
static void
build_archive(struct archive *ar, uint8_t *motd, size_t *trailer_end)
{
	for (size_t i = 0; i < MOTD_SIZE; i++)
		motd[i] = motd_byte(i);
	ar->len = 0;
	ar_add(ar, ".", S_IFDIR | 0755, NULL, 0);
	ar_add(ar, "bin", S_IFDIR | 0711, NULL, 0);
	ar_add(ar, "bin/hello", S_IFREG | 0755, HELLO, strlen(HELLO));
	ar_add(ar, "./etc/motd", S_IFREG | 0644, motd, MOTD_SIZE);	/* etc/ made on the way */
	ar_add(ar, "empty", S_IFREG | 0600, NULL, 0);
	ar_add(ar, "link", S_IFLNK | 0777, "bin/hello", 9);
	/* Three names of one file, as GNU cpio writes them: the data with the last. */
	ar_add_file(ar, "links/a", S_IFREG | 0640, LINKED_INO, 3, NULL, 0);
	ar_add_file(ar, "links/b", S_IFREG | 0640, LINKED_INO, 3, NULL, 0);
	ar_add_file(ar, "links/c", S_IFREG | 0640, LINKED_INO, 3, LINKED, strlen(LINKED));
	ar_add(ar, "links/fifo", S_IFIFO | 0644, NULL, 0);
	*trailer_end = ar->len + CPIO_HEADER_SIZE + sizeof(CPIO_TRAILER);
	ar_add(ar, CPIO_TRAILER, 0, NULL, 0);
}

static int
lookup(struct vnode *root, const char *path, struct vnode **vpp)
{
	return vfs_lookup(root, path, 0, VNON, 0, vpp);
}

static bool
exists(struct vnode *root, const char *path)
{
	struct vnode *vp;

	if (lookup(root, path, &vp) != 0)
		return false;
	vrele(vp);
	return true;
}

static ssize_t
kread(struct vnode *vp, void *buf, size_t len, uint64_t off)
{
	struct uio uio = { buf, len, off, false, false, 0 };

	return vp->v_ops->vop_read(vp, &uio);
}

static ssize_t
kwrite(struct vnode *vp, const void *buf, size_t len, uint64_t off)
{
	struct uio uio = { (void *)buf, len, off, false, true, 0 };

	return vp->v_ops->vop_write(vp, &uio);
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static uint64_t
resident(struct vnode *vp)
{
	return vp->v_object->resident_count;
}

/* Remove name (len bytes) from dir, as unlink or rmdir. */
static int
unlink_name(struct vnode *dir, const char *name, size_t len, bool rmdir)
{
	struct vnode *vp;
	int error;

	if ((error = vfs_lookup_component(dir, name, len, &vp)) != 0)
		return error;
	error = dir->v_ops->vop_unlink(dir, name, len, vp, rmdir);
	vrele(vp);
	return error;
}

static int
remove_path(struct vnode *root, const char *path, bool rmdir)
{
	struct nameidata nd;
	int error;

	if ((error = namei_parent(&nd, root, path)) != 0)
		return error;
	error = unlink_name(nd.nd_dvp, nd.nd_name, nd.nd_namelen, rmdir);
	namei_done(&nd);
	return error;
}

/* Call fn on every entry of dir but "." and "..". */
static int
for_each_entry(struct vnode *dir, void (*fn)(struct vnode *dir, const char *name,
    uint8_t type, void *arg), void *arg)
{
	uint8_t *buf = malloc(512, M_FSTEST, M_WAITOK);
	uint64_t off = 0;
	ssize_t n;

	while ((n = dir->v_ops->vop_getdents(dir, &off, buf, 512)) > 0) {
		for (ssize_t pos = 0; pos < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + pos);

			if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
				fn(dir, d->d_name, d->d_type, arg);
			pos += d->d_reclen;
		}
	}
	free(buf, M_FSTEST);
	return n < 0 ? (int)-n : 0;
}

static void
remove_one(struct vnode *dir, const char *name, uint8_t type, void *arg)
{
	struct vnode *vp;

	if (type == DT_DIR && lookup(dir, name, &vp) == 0) {
		if (ramfs_is_dir(vp))
			for_each_entry(vp, remove_one, arg);
		vrele(vp);
	}
	if (unlink_name(dir, name, strlen(name), type == DT_DIR) != 0)
		(*(int *)arg)++;
}

/* Remove everything under dir; the number of entries that would not go. */
static int
remove_tree(struct vnode *dir)
{
	int failures = 0;

	for_each_entry(dir, remove_one, &failures);
	return failures;
}

/*
 * The tests.
 */

static void
test_unpack(struct vnode *root, struct archive *ar, size_t trailer_end)
{
	struct cpio_stats st;
	int error = cpio_unpack(root, ar->buf, ar->len, &st);

	selftest_ok(error == 0, "cpio: a well-formed archive unpacks (error %d)", error);
	selftest_ok(st.files == 4 && st.dirs == 1 && st.symlinks == 1 && st.hardlinks == 2 &&
	    st.specials == 1 && st.skipped == 0 &&
	    st.bytes == strlen(HELLO) + MOTD_SIZE + strlen(LINKED),
	    "cpio: 4 files, 1 directory, 1 symlink, 2 hard links, 1 FIFO (%lu, %lu, %lu, %lu, %lu)",
	    st.files, st.dirs, st.symlinks, st.hardlinks, st.specials);
	/* Unpacking again replaces the files with the same contents. */
	selftest_ok(cpio_unpack(root, ar->buf, ar->len, NULL) == 0,
	    "cpio: unpacking over existing files works");
	/* Zero padding after the trailer, and a second archive after that. */
	selftest_ok(cpio_unpack(root, ar->buf, trailer_end, NULL) == 0,
	    "cpio: an archive may end right after the trailer's name");
}

/* What the archive's links became: one file with three names, a symlink, a FIFO. */
static void
test_cpio_links(struct vnode *root)
{
	struct vnode *a = NULL, *b = NULL, *c = NULL, *vp;
	char buf[32];
	size_t len;

	selftest_ok(lookup(root, "links/a", &a) == 0 && lookup(root, "links/b", &b) == 0 &&
	    lookup(root, "links/c", &c) == 0 && a == b && b == c && a->v_nlink == 3,
	    "cpio: links/a, b and c are one file with three links");
	selftest_ok(a != NULL && kread(a, buf, sizeof(buf), 0) == (ssize_t)strlen(LINKED) &&
	    memcmp(buf, LINKED, strlen(LINKED)) == 0 && a->v_mode == 0640 && a->v_uid == 1000 &&
	    a->v_gid == 100 && a->v_mtime.tv_sec == 1700000000,
	    "cpio: every name has the data the last entry carried, and its attributes");
	for (struct vnode **p = (struct vnode *[]){ a, b, c }, **e = p + 3; p < e; p++)
		if (*p != NULL)
			vrele(*p);
	selftest_ok(vfs_lookup(root, "link", VFS_NOFOLLOW, VNON, 0, &vp) == 0 &&
	    vp->v_type == VLNK && vn_readlink_kernel(vp, buf, sizeof(buf), &len) == 0 &&
	    len == 9 && memcmp(buf, "bin/hello", 9) == 0, "cpio: link is a symlink to bin/hello");
	vrele(vp);
	selftest_ok(lookup(root, "link", &vp) == 0 && vp->v_type == VREG &&
	    vp->v_size == strlen(HELLO), "lookup: link is followed to bin/hello");
	vrele(vp);
	selftest_ok(lookup(root, "links/fifo", &vp) == 0 && vp->v_type == VFIFO &&
	    vp->v_mode == 0644, "cpio: links/fifo is a FIFO");
	vrele(vp);
}

static void
test_lookup(struct vnode *root)
{
	struct vnode *vp, *etc;
	char longname[NAME_MAX + 2];
	uint8_t *buf = malloc(MOTD_SIZE + 100, M_FSTEST, M_WAITOK);
	bool ok;

	if (!selftest_ok(lookup(root, "bin/hello", &vp) == 0, "lookup: bin/hello"))
		goto out;
	selftest_ok(vp->v_type == VREG && vp->v_size == strlen(HELLO) && vp->v_mode == 0755,
	    "lookup: bin/hello is a %lu-byte regular file, mode %o", vp->v_size, vp->v_mode);
	selftest_ok(kread(vp, buf, 100, 0) == (ssize_t)strlen(HELLO) &&
	    memcmp(buf, HELLO, strlen(HELLO)) == 0, "read: bin/hello has its contents");
	selftest_ok(kread(vp, buf, 100, 6) == 6 && memcmp(buf, "world\n", 6) == 0,
	    "read: from an offset");
	selftest_ok(kread(vp, buf, 100, 100) == 0, "read: past the end gives 0 bytes");
	vrele(vp);

	selftest_ok(lookup(root, "etc", &etc) == 0 && etc->v_type == VDIR && etc->v_mode == 0755,
	    "cpio: intermediate directory etc made, mode 755");
	if (lookup(root, "bin/../etc/./motd", &vp) == 0) {
		ok = kread(vp, buf, MOTD_SIZE + 100, 0) == MOTD_SIZE;
		for (size_t i = 0; ok && i < MOTD_SIZE; i++)
			ok = buf[i] == motd_byte(i);
		selftest_ok(ok && resident(vp) == 2, "read: etc/motd (two pages) reads back intact");
		vrele(vp);
	} else {
		selftest_ok(false, "lookup: bin/../etc/./motd");
	}
	vp = NULL;
	selftest_ok(lookup(etc, "../bin/hello", &vp) == 0, "lookup: relative to a directory, with ..");
	if (vp != NULL)
		vrele(vp);
	vrele(etc);
	selftest_ok(lookup(root, "nothing", &vp) == ENOENT, "lookup: a missing name is ENOENT");
	selftest_ok(lookup(root, "bin/hello/x", &vp) == ENOTDIR, "lookup: through a file is ENOTDIR");
	selftest_ok(lookup(root, "bin/hello/", &vp) == ENOTDIR, "lookup: file/ is ENOTDIR");
	vp = NULL;
	selftest_ok(lookup(root, "bin/", &vp) == 0 && vp->v_type == VDIR, "lookup: dir/ is fine");
	if (vp != NULL)
		vrele(vp);
	selftest_ok(lookup(root, "", &vp) == ENOENT, "lookup: the empty path is ENOENT");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	selftest_ok(lookup(root, longname, &vp) == ENAMETOOLONG, "lookup: 256-byte name is ENAMETOOLONG");
	longname[NAME_MAX] = '\0';
	if (selftest_ok(vfs_lookup(root, longname, VFS_CREATE, VREG, 0644, &vp) == 0,
	    "create: a 255-byte name is fine"))
		vrele(vp);
	selftest_ok(remove_path(root, longname, false) == 0, "unlink: the 255-byte name");
	selftest_ok(vfs_lookup(root, "newfile/", VFS_CREATE, VREG, 0644, &vp) == EISDIR,
	    "create: a file with a trailing slash is EISDIR");
	selftest_ok(vfs_lookup(root, "bin/hello", VFS_CREATE | VFS_EXCL, VREG, 0644, &vp) == EEXIST,
	    "create: exclusive create of an existing file is EEXIST");
	selftest_ok(vfs_lookup(root, "no/such", VFS_CREATE, VREG, 0644, &vp) == ENOENT,
	    "create: in a missing directory is ENOENT");
out:
	free(buf, M_FSTEST);
}

static void
test_file_io(struct vnode *root)
{
	uint8_t *buf = malloc(4 * PAGE_SIZE, M_FSTEST, M_WAITOK);
	struct vnode *tmp, *vp;
	struct uio uio;

	if (!selftest_ok(vfs_lookup(root, "tmp", VFS_CREATE, VDIR, 01777, &tmp) == 0,
	    "mkdir: tmp"))
		goto out;
	selftest_ok(tmp->v_mode == 01777, "mkdir: mode 1777 kept");
	if (!selftest_ok(vfs_lookup(tmp, "f", VFS_CREATE | VFS_EXCL, VREG, 0644, &vp) == 0,
	    "create: tmp/f"))
		goto out_tmp;
	selftest_ok(vp->v_size == 0 && resident(vp) == 0, "create: a new file is empty, no pages");
	selftest_ok(kwrite(vp, "abc", 3, 0) == 3 && vp->v_size == 3, "write: 3 bytes");
	selftest_ok(kwrite(vp, "xyz", 3, 3 * PAGE_SIZE + 10) == 3 &&
	    vp->v_size == 3 * PAGE_SIZE + 13, "write: past the end extends the file");
	selftest_ok(resident(vp) == 2, "write: only the two pages written are resident (%lu)",
	    resident(vp));
	memset(buf, 0xee, 4 * PAGE_SIZE);
	selftest_ok(kread(vp, buf, 4 * PAGE_SIZE, 0) == 3 * PAGE_SIZE + 13 &&
	    memcmp(buf, "abc", 3) == 0 && all_zero(buf + 3, 3 * PAGE_SIZE + 7) &&
	    memcmp(buf + 3 * PAGE_SIZE + 10, "xyz", 3) == 0,
	    "read: the hole between reads as zeros");
	selftest_ok(resident(vp) == 2, "read: reading holes allocates no pages");
	uio = (struct uio){ "123", 3, 0, false, true, IO_APPEND };
	selftest_ok(vp->v_ops->vop_write(vp, &uio) == 3 && vp->v_size == 3 * PAGE_SIZE + 16 &&
	    uio.uio_offset == vp->v_size, "write: IO_APPEND writes at the end");

	/* Truncation. */
	selftest_ok(vp->v_ops->vop_truncate(vp, 2) == 0 && vp->v_size == 2 && resident(vp) == 1,
	    "truncate: shrinking frees the pages past the end");
	selftest_ok(kread(vp, buf, 10, 0) == 2 && memcmp(buf, "ab", 2) == 0,
	    "truncate: the start survives");
	selftest_ok(vp->v_ops->vop_truncate(vp, 2 * PAGE_SIZE) == 0 &&
	    kread(vp, buf, 2 * PAGE_SIZE, 0) == 2 * PAGE_SIZE && buf[0] == 'a' &&
	    all_zero(buf + 2, 2 * PAGE_SIZE - 2), "truncate: growing reads zeros past the old end");
	selftest_ok(resident(vp) == 1, "truncate: growing allocates no pages");
	selftest_ok(kwrite(vp, "ABCDEFGH", 8, 0) == 8 && vp->v_ops->vop_truncate(vp, 4) == 0 &&
	    vp->v_ops->vop_truncate(vp, 8) == 0 && kread(vp, buf, 8, 0) == 8 &&
	    memcmp(buf, "ABCD\0\0\0\0", 8) == 0, "truncate: the tail of the last page is zeroed");
	selftest_ok(vp->v_ops->vop_truncate(vp, 0) == 0 && resident(vp) == 0 && vp->v_size == 0,
	    "truncate: to 0 frees every page");
	selftest_ok(vp->v_ops->vop_truncate(vp, RAMFS_MAXFILESIZE + 1) == EFBIG,
	    "truncate: beyond the largest file is EFBIG");
	selftest_ok(kwrite(vp, "x", 1, RAMFS_MAXFILESIZE) == -EFBIG,
	    "write: beyond the largest file is EFBIG");
	vrele(vp);
out_tmp:
	vrele(tmp);
out:
	free(buf, M_FSTEST);
}

static paddr_t
object_page(struct vm_object *obj, vm_pindex_t idx)
{
	struct vm_page *m;

	spin_lock(&obj->lock);
	m = vm_page_lookup(obj, idx);
	spin_unlock(&obj->lock);
	return m != NULL ? VM_PAGE_TO_PHYS(m) : 0;
}

/* Map vp shared at UBASE over npages pages.  0 or an errno. */
static int
map_file(struct vmspace *vm, struct vnode *vp, uint64_t npages)
{
	struct vm_object *obj;
	vaddr_t va = UBASE;
	bool anon;
	int error;

	if ((error = vp->v_ops->vop_mmap(vp, 0, ptoa(npages), &obj, &anon)) != 0)
		return error;
	error = vm_map_find(&vm->vm_map, obj, 0, &va, ptoa(npages), 0, VMFS_FIXED, VM_PROT_RW,
	    VM_PROT_RW, 0);
	if (error)
		vm_object_deallocate(obj);
	return error;
}

static void
test_mmap(struct vnode *root)
{
	struct vmspace *vm = vmspace_alloc();
	struct vm_map *map;
	struct vnode *vp;
	struct file *fp = NULL;
	struct iovec iov;
	uint8_t b = 0;
	uint64_t objects;

	if (!selftest_ok(vm != NULL, "mmap: a test address space"))
		return;
	map = &vm->vm_map;
	if (vfs_lookup(root, "tmp/mapped", VFS_CREATE, VREG, 0644, &vp) != 0) {
		selftest_ok(false, "mmap: create tmp/mapped");
		vmspace_free(vm);
		return;
	}
	kwrite(vp, "page0", 5, 0);
	vp->v_ops->vop_truncate(vp, PAGE_SIZE + PAGE_SIZE / 2);	/* page 1 is a hole */
	selftest_ok(map_file(vm, vp, 4) == 0, "mmap: map a 1.5-page file over 4 pages");
	selftest_ok(vm_fault(map, UBASE, VM_PROT_READ, 0) == 0 &&
	    pmap_extract(vm->vm_pmap, UBASE) == object_page(vp->v_object, 0),
	    "mmap: page 0 maps the file's own page");
	selftest_ok(vm_fault(map, UBASE + PAGE_SIZE, VM_PROT_READ, 0) == 0 && resident(vp) == 2 &&
	    all_zero((void *)PHYS_TO_DMAP(object_page(vp->v_object, 1)), PAGE_SIZE),
	    "mmap: a fault in a hole fills a zero page into the file");
	selftest_ok(vm_fault(map, UBASE + 2 * PAGE_SIZE, VM_PROT_READ, 0) == EIO,
	    "mmap: a fault past the end of the file fails with EIO (SIGBUS)");
	selftest_ok(resident(vp) == 2, "mmap: the failed fault left no page behind");

	/* Writes through the mapping and through write(2) meet in the same page. */
	selftest_use_vmspace(vm);
	selftest_ok(copyout("MAPPED", (void *)(UBASE + 100), 6) == 0 &&
	    kread(vp, &b, 1, 100) == 1 && b == 'M', "mmap: a store through the mapping is read by read()");
	selftest_ok(kwrite(vp, "W", 1, 200) == 1 && copyin((void *)(UBASE + 200), &b, 1) == 0 &&
	    b == 'W', "mmap: write() is seen through the mapping");
	selftest_ok(pmap_is_modified(PHYS_TO_VM_PAGE(object_page(vp->v_object, 0))),
	    "msync: the page written through the mapping is modified");
	vm_pager_put_pages(vp->v_object, 0, 4, VM_PAGER_PUT_SYNC);
	selftest_ok(vm_page_is_dirty(PHYS_TO_VM_PAGE(object_page(vp->v_object, 0))),
	    "msync: a ramfs page stays dirty, the file's only copy, which the page daemon must keep");

	/* read(2) of the file into a mapping of itself: faults while the file is locked. */
	vref(vp);
	fp = vn_file_alloc(vp, O_RDWR);
	iov = (struct iovec){ (void *)(UBASE + PAGE_SIZE + 8), 5 };
	selftest_ok(fp != NULL && file_readv(fp, &iov, 1, 0, true) == 5 &&
	    memcmp((void *)PHYS_TO_DMAP(object_page(vp->v_object, 1)) + 8, "page0", 5) == 0,
	    "mmap: read() into a shared mapping of the same file");
	iov = (struct iovec){ (void *)(UBASE + 2 * PAGE_SIZE), 5 };
	selftest_ok(file_readv(fp, &iov, 1, 0, true) == -EFAULT,
	    "mmap: read() into the mapping past the end of the file is EFAULT");
	file_drop(fp);
	selftest_use_vmspace(NULL);

	/* Truncation unmaps the pages it frees. */
	vp->v_ops->vop_truncate(vp, 10);
	selftest_ok(pmap_extract(vm->vm_pmap, UBASE + PAGE_SIZE) == 0 &&
	    pmap_extract(vm->vm_pmap, UBASE) != 0 && resident(vp) == 1,
	    "mmap: truncation unmaps the pages past the new end");
	selftest_ok(vm_fault(map, UBASE + PAGE_SIZE, VM_PROT_READ, 0) == EIO,
	    "mmap: and faults there fail again");

	/* Unlinked and closed, a mapped file lives on until it is unmapped. */
	objects = zone_inuse_by_name("vm object");
	selftest_ok(remove_path(root, "tmp/mapped", false) == 0, "mmap: unlink the mapped file");
	vrele(vp);
	selftest_ok(zone_inuse_by_name("vm object") == objects && vm_fault(map, UBASE, VM_PROT_READ, 0) == 0,
	    "mmap: the unlinked file's object stays while it is mapped");
	vmspace_free(vm);
	selftest_ok(zone_inuse_by_name("vm object") == objects - 1,
	    "mmap: the last unmap frees the object (and the vnode)");
}

struct name_set {
	int	found;		/* bit per expected name */
	int	others;
	bool	types_ok;
};

static const struct { const char *name; uint8_t type; } root_names[] = {
	{ "bin", DT_DIR }, { "etc", DT_DIR }, { "empty", DT_REG }, { "tmp", DT_DIR },
	{ "link", DT_LNK }, { "links", DT_DIR },
};

static void
note_name(struct vnode *dir, const char *name, uint8_t type, void *arg)
{
	struct name_set *ns = arg;

	for (size_t i = 0; i < nitems(root_names); i++) {
		if (strcmp(name, root_names[i].name) == 0) {
			ns->found |= 1 << i;
			ns->types_ok &= type == root_names[i].type;
			return;
		}
	}
	ns->others++;
}

static void
test_getdents(struct vnode *root)
{
	struct name_set ns = { 0, 0, true };
	uint8_t *buf = malloc(64, M_FSTEST, M_WAITOK);
	struct linux_dirent64 *d = (struct linux_dirent64 *)buf;
	uint64_t off = 0;
	int records = 0;
	ssize_t n;

	selftest_ok(for_each_entry(root, note_name, &ns) == 0 &&
	    ns.found == (1 << nitems(root_names)) - 1 && ns.others == 0 && ns.types_ok,
	    "getdents: the root lists bin, etc, empty, tmp, link, links with their types");
	n = root->v_ops->vop_getdents(root, &off, buf, 24);
	selftest_ok(n == 24 && strcmp(d->d_name, ".") == 0 && d->d_reclen == 24 && d->d_off == 1 &&
	    d->d_ino == root->v_ino, "getdents: \".\" first, in one 24-byte record");
	n = root->v_ops->vop_getdents(root, &off, buf, 24);
	selftest_ok(n == 24 && strcmp(d->d_name, "..") == 0, "getdents: then \"..\"");
	n = root->v_ops->vop_getdents(root, &off, buf, 20);
	selftest_ok(n == -EINVAL, "getdents: a buffer too small for the next record is EINVAL");
	off = 0;
	while ((n = root->v_ops->vop_getdents(root, &off, buf, 32)) > 0)
		records++;
	selftest_ok(n == 0 && records == 8, "getdents: one record at a time, then 0 at the end (%d)",
	    records);
	free(buf, M_FSTEST);
}

static void
test_unlink(struct vnode *root)
{
	struct vnode *vp, *other;
	uint8_t buf[16];
	uint64_t objects;

	selftest_ok(remove_path(root, "bin", true) == ENOTEMPTY, "rmdir: a non-empty directory is ENOTEMPTY");
	selftest_ok(remove_path(root, "bin", false) == EISDIR, "unlink: a directory is EISDIR");
	selftest_ok(remove_path(root, "empty", true) == ENOTDIR, "rmdir: a file is ENOTDIR");
	selftest_ok(remove_path(root, "nothing", false) == ENOENT, "unlink: a missing name is ENOENT");
	/* An open file outlives its name. */
	if (lookup(root, "bin/hello", &vp) != 0) {
		selftest_ok(false, "unlink: bin/hello");
		return;
	}
	objects = zone_inuse_by_name("vm object");
	selftest_ok(remove_path(root, "bin/hello", false) == 0 && !exists(root, "bin/hello"),
	    "unlink: bin/hello is gone from its directory");
	selftest_ok(vp->v_nlink == 0 && kread(vp, buf, sizeof(buf), 0) == (ssize_t)strlen(HELLO),
	    "unlink: the referenced file can still be read");
	vrele(vp);
	selftest_ok(zone_inuse_by_name("vm object") == objects - 1,
	    "unlink: the last reference frees the file's object");
	selftest_ok(remove_path(root, "bin", true) == 0 && !exists(root, "bin"),
	    "rmdir: the emptied directory goes");
	if (!selftest_ok(vfs_lookup(root, "bin", VFS_CREATE, VDIR, 0755, &vp) == 0,
	    "mkdir: bin again"))
		return;
	selftest_ok(remove_path(root, "bin", true) == 0, "rmdir: while referenced");
	selftest_ok(vfs_lookup(vp, "x", VFS_CREATE, VREG, 0644, &other) == ENOENT,
	    "create: in a removed directory is ENOENT");
	other = NULL;
	selftest_ok(vfs_lookup(vp, "..", 0, VNON, 0, &other) == 0 && other == root,
	    "lookup: .. of a removed directory is still its parent");
	if (other != NULL)
		vrele(other);
	vrele(vp);
}

static void
test_malformed(struct vnode *root, const struct archive *good, size_t trailer_end)
{
	uint8_t *bad = malloc(ARCHIVE_MAX, M_FSTEST, M_WAITOK);
	struct vnode *scratch;
	bool all_einval = true;
	size_t cut;

	if (vfs_lookup(root, "scratch", VFS_CREATE, VDIR, 0755, &scratch) != 0) {
		selftest_ok(false, "cpio: a scratch directory");
		free(bad, M_FSTEST);
		return;
	}
	for (cut = 1; cut < trailer_end; cut++) {
		if (cpio_unpack(scratch, good->buf, cut, NULL) != EINVAL) {
			all_einval = false;
			break;
		}
	}
	selftest_ok(all_einval, "cpio: every truncation of the archive is EINVAL (first bad cut %lu)",
	    all_einval ? 0 : cut);
	selftest_ok(cpio_unpack(scratch, good->buf, 0, NULL) == EINVAL,
	    "cpio: an empty archive has no trailer: EINVAL");

	memcpy(bad, good->buf, good->len);
	bad[5] = '7';			/* "070707": the old binary-ish format */
	selftest_ok(cpio_unpack(scratch, bad, good->len, NULL) == EINVAL, "cpio: bad magic is EINVAL");

	memcpy(bad, good->buf, good->len);
	memcpy(bad + 6 + 8 * 11, "7fffffff", 8);	/* namesize of the first entry */
	selftest_ok(cpio_unpack(scratch, bad, good->len, NULL) == EINVAL,
	    "cpio: a name running past the end is EINVAL");

	memcpy(bad, good->buf, good->len);
	memcpy(bad + 6 + 8 * 11, "00000000", 8);
	selftest_ok(cpio_unpack(scratch, bad, good->len, NULL) == EINVAL,
	    "cpio: a zero name size is EINVAL");

	memcpy(bad, good->buf, good->len);
	memcpy(bad + 6 + 8 * 6, "ffffff00", 8);		/* filesize of the first entry */
	selftest_ok(cpio_unpack(scratch, bad, good->len, NULL) == EINVAL,
	    "cpio: data running past the end is EINVAL");

	memcpy(bad, good->buf, good->len);
	bad[6 + 8 * 1 + 3] = 'g';			/* a non-hex digit in the mode */
	selftest_ok(cpio_unpack(scratch, bad, good->len, NULL) == EINVAL,
	    "cpio: a non-hex digit is EINVAL");

	memcpy(bad, good->buf, good->len);
	bad[CPIO_HEADER_SIZE + 1] = 'X';		/* overwrite the name's NUL ("." + NUL) */
	selftest_ok(cpio_unpack(scratch, bad, good->len, NULL) == EINVAL,
	    "cpio: a name without its NUL is EINVAL");

	{
		struct archive ar = { bad, 0 };

		ar_add(&ar, "a/../../escape", S_IFREG | 0644, "x", 1);
		ar_add(&ar, CPIO_TRAILER, 0, NULL, 0);
		selftest_ok(cpio_unpack(scratch, bad, ar.len, NULL) == EINVAL &&
		    !exists(root, "escape"), "cpio: a name with .. is EINVAL");
		ar.len = 0;
		ar_add(&ar, "f", S_IFREG | 0644, "x", 1);
		ar_add(&ar, "f/g", S_IFREG | 0644, "y", 1);
		ar_add(&ar, CPIO_TRAILER, 0, NULL, 0);
		selftest_ok(cpio_unpack(scratch, bad, ar.len, NULL) == ENOTDIR,
		    "cpio: a file used as a directory is ENOTDIR");
		ar.len = 0;
		ar_add(&ar, "d1", S_IFDIR | 0700, NULL, 0);
		ar_add(&ar, CPIO_TRAILER, 0, NULL, 0);
		memset(bad + ar.len, 0, 64);
		ar.len += 64;
		ar_add(&ar, "d2", S_IFDIR | 0700, NULL, 0);
		ar_add(&ar, CPIO_TRAILER, 0, NULL, 0);
		selftest_ok(cpio_unpack(scratch, bad, ar.len, NULL) == 0 && exists(scratch, "d1") &&
		    exists(scratch, "d2"), "cpio: concatenated archives with zero padding between");
	}
	selftest_ok(remove_tree(scratch) == 0, "cpio: the scratch tree can be removed");
	vrele(scratch);
	selftest_ok(remove_path(root, "scratch", true) == 0, "rmdir: scratch");
	free(bad, M_FSTEST);
}

static void
test_devfs(struct vnode *root)
{
	struct vnode *dev, *vp;
	struct vm_object *obj;
	uint8_t buf[64];
	bool anon = false;

	if (vfs_lookup(root, "dev", VFS_CREATE, VDIR, 0755, &dev) != 0 || devfs_populate(dev) != 0) {
		selftest_ok(false, "devfs: populate dev");
		return;
	}
	if (lookup(dev, "null", &vp) == 0) {
		selftest_ok(vp->v_type == VCHR && vp->v_rdev == 0x103 && kread(vp, buf, 64, 0) == 0 &&
		    kwrite(vp, buf, 64, 0) == 64, "devfs: null reads nothing and swallows writes");
		vrele(vp);
	}
	if (lookup(dev, "zero", &vp) == 0) {
		memset(buf, 0xff, sizeof(buf));
		selftest_ok(kread(vp, buf, 64, 0) == 64 && all_zero(buf, 64),
		    "devfs: zero reads zeros");
		selftest_ok(vp->v_ops->vop_mmap(vp, 0, PAGE_SIZE, &obj, &anon) == 0 && anon,
		    "devfs: mapping zero maps anonymous memory");
		vrele(vp);
	}
	if (lookup(dev, "console", &vp) == 0) {
		selftest_ok(vp->v_type == VCHR && (vp->v_flags & VV_NOSEEK) && vp->v_mode == 0620,
		    "devfs: console is a character device without seek");
		vrele(vp);
	}
	selftest_ok(remove_tree(dev) == 0, "devfs: device nodes can be unlinked");
	vrele(dev);
	selftest_ok(remove_path(root, "dev", true) == 0, "rmdir: dev");
}

static bool
contains(const char *text, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(text + i, what, n) == 0)
			return true;
	return false;
}

static void
test_procfs(struct vnode *root)
{
	struct vnode *proc = procfs_root_alloc(root, "proc"), *vp;
	char *buf = malloc(4096, M_FSTEST, M_WAITOK);
	struct vmspace *vm;
	vaddr_t va = UBASE;
	size_t len;
	ssize_t n;

	if (!selftest_ok(proc != NULL, "procfs: a root"))
		goto out;
	if (lookup(proc, "meminfo", &vp) == 0) {
		n = kread(vp, buf, 4095, 0);
		buf[MAX(n, 0)] = '\0';
		selftest_ok(n > 0 && strncmp(buf, "MemTotal:", 9) == 0 && buf[23] != ' ' &&
		    strncmp(buf + 24, " kB\n", 4) == 0 && contains(buf, (size_t)n, "\nMemFree:") &&
		    contains(buf, (size_t)n, "\nMemAvailable:"),
		    "procfs: meminfo in Linux's format");
		selftest_ok(vp->v_ops->vop_open(vp, O_WRONLY) == EACCES,
		    "procfs: files cannot be opened for writing");
		vrele(vp);
	} else {
		selftest_ok(false, "procfs: lookup meminfo");
	}
	if (lookup(proc, "vmstat", &vp) == 0) {
		char line[48];

		/* Nothing forks during the self-tests: the counter cannot move under us. */
		snprintf(line, sizeof(line), "\nfork_pages_copied %lu\n",
		    vm_map_stats.fork_pages_copied);
		n = kread(vp, buf, 4095, 0);
		selftest_ok(n > 0 && strncmp(buf, "pgfault ", 8) == 0 &&
		    contains(buf, (size_t)n, "\nfree_pages ") &&
		    contains(buf, (size_t)n, "\nshadow_objects ") &&
		    contains(buf, (size_t)n, line), "procfs: vmstat counters");
		vrele(vp);
	} else {
		selftest_ok(false, "procfs: lookup vmstat");
	}
	selftest_ok(lookup(proc, "999999", &vp) == ENOENT, "procfs: a missing process is ENOENT");
	if ((vm = vmspace_alloc()) != NULL) {
		vm_map_find(&vm->vm_map, NULL, 0, &va, ptoa(2), 0, VMFS_FIXED, VM_PROT_RW,
		    VM_PROT_ALL, MAP_ENTRY_COW);
		selftest_ok(procfs_format_maps(vm, buf, 4096, &len) == 0 &&
		    len > 0 && strncmp(buf, "20000000-20002000 rw-p 00000000 00:00 0 ", 40) == 0,
		    "procfs: maps line in Linux's format");
		selftest_ok(procfs_format_maps(vm, buf, 20, &len) == ERANGE,
		    "procfs: maps too big for the buffer is ERANGE");
		vmspace_free(vm);
	}
	vrele(proc);
out:
	free(buf, M_FSTEST);
}

static ssize_t
fread_k(struct file *fp, void *buf, size_t len)
{
	struct iovec iov = { buf, len };

	return file_readv(fp, &iov, 1, -1, false);
}

static ssize_t
fwrite_k(struct file *fp, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return file_writev(fp, &iov, 1, -1, false);
}

static void
test_descriptors(struct vnode *root)
{
	struct filedesc *fdp = filedesc_alloc(), *child;
	struct file *fp, *fp2;
	uint8_t buf[64];
	uint64_t off;
	bool cloexec;
	int fd = -1, fd2 = -1;

	if (!selftest_ok(fdp != NULL, "fd: a table"))
		return;
	if (vn_open(root, "etc/motd", O_RDONLY, 0, &fp) == 0)
		fd_alloc(fdp, fp, 0, false, &fd);
	selftest_ok(fd == 0, "fd: the first descriptor is 0");
	selftest_ok(vn_open(root, "tmp/log", O_CREAT | O_WRONLY | O_APPEND, 0644, &fp2) == 0 &&
	    fd_alloc(fdp, fp2, 0, false, &fd2) == 0 && fd2 == 1, "fd: then 1 (O_CREAT)");
	selftest_ok(fd_dup2(fdp, 0, 7, true) == 0 && fd_get_cloexec(fdp, 7, &cloexec) == 0 &&
	    cloexec, "fd: dup3 to 7 with close-on-exec");
	if (fd_get(fdp, 0, &fp) == 0) {
		selftest_ok(fread_k(fp, buf, 10) == 10 && buf[0] == motd_byte(0),
		    "fd: read through fd 0");
		file_drop(fp);
	}
	if (fd_get(fdp, 7, &fp) == 0) {
		selftest_ok(fread_k(fp, buf, 10) == 10 && buf[0] == motd_byte(10),
		    "fd: the duplicate shares the offset");
		selftest_ok(file_seek(fp, 0, SEEK_END, &off) == 0 && off == MOTD_SIZE,
		    "lseek: SEEK_END");
		selftest_ok(file_seek(fp, -1, SEEK_SET, &off) == EINVAL && off == MOTD_SIZE,
		    "lseek: a negative offset is EINVAL");
		selftest_ok(fwrite_k(fp, "x", 1) == -EBADF, "fd: writing a read-only file is EBADF");
		file_drop(fp);
	}
	if (fd_get(fdp, 1, &fp) == 0) {
		selftest_ok(fwrite_k(fp, "ab", 2) == 2 && fwrite_k(fp, "cd", 2) == 2 &&
		    fp->f_vnode->v_size == 4, "O_APPEND: two writes append");
		file_drop(fp);
	}
	selftest_ok(vn_open(root, "tmp/log", O_CREAT | O_EXCL | O_RDWR, 0644, &fp) == EEXIST,
	    "open: O_EXCL on an existing file is EEXIST");
	selftest_ok(vn_open(root, "tmp/log", O_RDONLY | O_DIRECTORY, 0, &fp) == ENOTDIR,
	    "open: O_DIRECTORY on a file is ENOTDIR");
	selftest_ok(vn_open(root, "tmp", O_RDWR, 0, &fp) == EISDIR,
	    "open: a directory for writing is EISDIR");
	if (vn_open(root, "tmp/log", O_RDWR | O_TRUNC, 0, &fp) == 0) {
		selftest_ok(fp->f_vnode->v_size == 0, "open: O_TRUNC empties the file");
		file_drop(fp);
	}
	child = filedesc_fork(fdp);
	fp = NULL;
	selftest_ok(child != NULL && fd_get(child, 7, &fp) == 0, "fd: a forked table has the files");
	file_drop(fp);
	if (child != NULL) {
		filedesc_exec(child);
		fp = NULL;
		selftest_ok(fd_get(child, 7, &fp) == EBADF && fd_get(child, 0, &fp) == 0,
		    "fd: exec closes only the close-on-exec descriptors");
		file_drop(fp);
		filedesc_free(child);
	}
	selftest_ok(fd_close(fdp, 7) == 0 && fd_close(fdp, 7) == EBADF,
	    "fd: closing twice is EBADF");
	selftest_ok(fd_alloc(fdp, NULL, NOFILE_MAX, false, &fd) == EINVAL,
	    "fd: a minimum past the table is EINVAL");
	filedesc_free(fdp);
}

/* Whether exactly the descriptors in open[] (n of them) are open in fdp. */
static bool
fds_exactly(struct filedesc *fdp, const int *open, int n)
{
	int i = 0;

	for (int fd = 0; fd < NOFILE_MAX; fd++) {
		struct file *fp = NULL;
		bool want = i < n && open[i] == fd, got = fd_get(fdp, fd, &fp) == 0;

		file_drop(fp);
		if (want != got)
			return false;
		i += want;
	}
	return true;
}

/*
 * The table's map of open slots, across its words: the lowest free slot
 * is found past full ones, and fork, exec and exit visit exactly the open
 * slots, wherever they are.  Every reference taken comes back.
 */
static void
test_descriptor_map(struct vnode *root)
{
	static const int far[] = { 0, 63, 64, 200, NOFILE_MAX - 1 };
	static const int kept[] = { 0, 64, NOFILE_MAX - 1 };	/* the even ones: no close-on-exec */
	struct filedesc *fdp = filedesc_alloc(), *child;
	struct file *fp;
	uint32_t refs;
	int fd, placed = 0, n;

	if (!selftest_ok(fdp != NULL && vn_open(root, "etc/motd", O_RDONLY, 0, &fp) == 0,
	    "fd map: a table and a file"))
		return;
	refs = fp->f_refcnt;
	for (int i = 0; i < (int)nitems(far); i++) {
		file_hold(fp);
		placed += fd_alloc(fdp, fp, far[i], i % 2 == 1, &fd) == 0 && fd == far[i];
	}
	selftest_ok(placed == (int)nitems(far) && fds_exactly(fdp, far, nitems(far)),
	    "fd map: descriptors 0, 63, 64, 200 and 255 open, no others");
	file_hold(fp);
	selftest_ok(fd_alloc(fdp, fp, 63, false, &fd) == 0 && fd == 65 && fd_close(fdp, 65) == 0,
	    "fd map: the lowest free slot from 63 is 65, past the word boundary");
	child = filedesc_fork(fdp);
	selftest_ok(child != NULL && fds_exactly(child, far, nitems(far)),
	    "fd map: a forked table has the same descriptors");
	if (child != NULL) {
		filedesc_exec(child);
		selftest_ok(fds_exactly(child, kept, nitems(kept)),
		    "fd map: exec closes 63 and 200 (close-on-exec), keeps 0, 64, 255");
		filedesc_free(child);
	}
	for (n = 0; fd_alloc(fdp, fp, 0, false, &fd) == 0; n++)
		file_hold(fp);
	selftest_ok(n == NOFILE_MAX - (int)nitems(far), "fd map: the other %d slots fill, then EMFILE",
	    n);
	filedesc_free(fdp);
	selftest_ok(fp->f_refcnt == refs, "fd map: every reference comes back (%u, was %u)",
	    fp->f_refcnt, refs);
	file_drop(fp);
}

static void
test_pipes(void)
{
	struct file *r, *w;
	uint8_t *big = malloc(20000, M_FSTEST, M_WAITOK);
	uint8_t buf[16];
	struct stat st;

	if (!selftest_ok(pipe_create(&r, &w, 0) == 0, "pipe: create"))
		goto out;
	selftest_ok(fwrite_k(w, "hello", 5) == 5 && pipe_bytes_available(r) == 5,
	    "pipe: a write is queued");
	selftest_ok(fread_k(r, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0,
	    "pipe: a read takes what is there");
	r->f_flags |= O_NONBLOCK;
	selftest_ok(fread_k(r, buf, sizeof(buf)) == -EAGAIN, "pipe: empty and O_NONBLOCK: EAGAIN");
	selftest_ok(fread_k(w, buf, 1) == -EBADF && fwrite_k(r, "x", 1) == -EBADF,
	    "pipe: each end works one way");
	selftest_ok(file_stat(r, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "pipe: fstat is a FIFO");
	w->f_flags |= O_NONBLOCK;
	memset(big, 'p', 20000);
	selftest_ok(fwrite_k(w, big, 20000) == 16384, "pipe: a big write fills the ring");
	selftest_ok(fwrite_k(w, "x", 1) == -EAGAIN, "pipe: full and O_NONBLOCK: EAGAIN");
	selftest_ok(fread_k(r, big, 20000) == 16384, "pipe: a read drains it");
	file_drop(w);
	selftest_ok(fread_k(r, buf, sizeof(buf)) == 0, "pipe: no writers and empty: end of file");
	file_drop(r);
	if (pipe_create(&r, &w, 0) == 0) {
		file_drop(r);
		selftest_ok(fwrite_k(w, "x", 1) == -EPIPE, "pipe: no readers: EPIPE");
		file_drop(w);
	}
out:
	free(big, M_FSTEST);
}

static void
test_fullpath(void)
{
	char buf[64];
	size_t len;
	struct vnode *vp;

	if (rootvnode == NULL)
		return;			/* fs_init has not run */
	selftest_ok(vn_fullpath(rootvnode, buf, sizeof(buf), &len) == 0 && len == 1 &&
	    strcmp(buf, "/") == 0, "getcwd: the root is /");
	selftest_ok(vn_fullpath(rootvnode, buf, 1, &len) == ERANGE, "getcwd: ERANGE when too small");
	if (lookup(rootvnode, "dev/shm", &vp) == 0) {
		selftest_ok(vn_fullpath(vp, buf, sizeof(buf), &len) == 0 && strcmp(buf, "/dev/shm") == 0,
		    "getcwd: /dev/shm");
		vrele(vp);
	}
}

/* Make the zones the tests use exist before counting, so counts compare. */
static void
warm_up(void)
{
	struct vnode *root = ramfs_mkroot(), *vp;
	struct vmspace *vm = vmspace_alloc();
	struct file *r, *w;
	vaddr_t va = UBASE;

	file_init();
	if (root != NULL && vfs_lookup(root, "f", VFS_CREATE, VREG, 0644, &vp) == 0) {
		kwrite(vp, "x", 1, 0);
		vrele(vp);
		remove_path(root, "f", false);
	}
	if (root != NULL)
		ramfs_rmroot(root);
	if (pipe_create(&r, &w, 0) == 0) {
		file_drop(r);
		file_drop(w);
	}
	if (vm != NULL) {
		vm_map_find(&vm->vm_map, NULL, 0, &va, PAGE_SIZE, 0, VMFS_FIXED, VM_PROT_RW,
		    VM_PROT_RW, MAP_ENTRY_COW);
		vm_fault(&vm->vm_map, va, VM_PROT_WRITE, 0);
		vmspace_free(vm);
	}
}

static void
fs_selftests(void)
{
	struct counts before, after;
	struct archive ar;
	struct vnode *root;
	size_t trailer_end;
	uint8_t *motd;

	warm_up();
	count(&before);
	motd = malloc(MOTD_SIZE, M_FSTEST, M_WAITOK);
	ar = (struct archive){ malloc(ARCHIVE_MAX, M_FSTEST, M_WAITOK), 0 };
	root = ramfs_mkroot();
	if (!selftest_ok(root != NULL && motd != NULL && ar.buf != NULL, "ramfs: a fresh root"))
		return;
	build_archive(&ar, motd, &trailer_end);
	test_unpack(root, &ar, trailer_end);
	test_cpio_links(root);
	test_lookup(root);
	test_file_io(root);
	test_mmap(root);
	test_getdents(root);
	test_unlink(root);
	test_malformed(root, &ar, trailer_end);
	test_devfs(root);
	test_procfs(root);
	test_descriptors(root);
	test_descriptor_map(root);
	test_pipes();
	test_fullpath();
	selftest_ok(remove_tree(root) == 0, "ramfs: everything can be removed");
	selftest_ok(ramfs_rmroot(root) == 0, "ramfs: the empty root goes");
	free(motd, M_FSTEST);
	free(ar.buf, M_FSTEST);
	count(&after);
	selftest_ok(after.vnodes == before.vnodes && after.objects == before.objects &&
	    after.files == before.files, "leaks: vnodes %lu->%lu, objects %lu->%lu, files %lu->%lu",
	    before.vnodes, after.vnodes, before.objects, after.objects, before.files, after.files);
	selftest_ok(after.ramfs == before.ramfs && after.vname == before.vname &&
	    after.procfs == before.procfs && after.pipe == before.pipe &&
	    after.filedesc == before.filedesc && after.fstest == before.fstest,
	    "leaks: malloc types ramfs %lu->%lu, names %lu->%lu, procfs %lu->%lu, pipe %lu->%lu",
	    before.ramfs, after.ramfs, before.vname, after.vname, before.procfs, after.procfs,
	    before.pipe, after.pipe);
	selftest_ok(after.free_pages == before.free_pages, "leaks: free pages (with the type-stable zones' own) back to %lu (now %lu)",
	    before.free_pages, after.free_pages);
}

SELFTEST(fs, fs_selftests);
