/*
 * The vnode pager: the pager behind every regular file's vm_object.
 *
 * It reaches the file only through the vnode interface (vnode.h): the
 * file's size (vn_size) and, when the object dies, vnode_free.  ramfs
 * keeps a file's data nowhere but in the object's pages, so the pager
 * has little to do: a page a fault finds missing inside the file is a
 * hole and is zero-filled; a page at or past the end of the file (the
 * size rounded up to a page) does not exist, and getpage fails with EIO,
 * which the fault handler reports as SIGBUS.  putpages has nothing to
 * write: msync only clears the pages' modified bits.
 *
 * The object holds no reference on its vnode (the vnode holds one on the
 * object).  When the vnode is reclaimed it drops that reference; if
 * mappings still use the object, the vnode lives on, unreferenced and
 * unlinked, until the object dies, when dealloc frees it.  pager_data is
 * therefore always a valid vnode for as long as the object exists.
 *
 * Locking: vn_size takes the vnode's v_lock (which may be taken with the
 * object lock held); the object lock guards its pages.
 */
#include <kern/systm.h>
#include <vm/pmap.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pager.h>
#include <vm/vnode_pager.h>
#include <fs/vnode.h>

static bool
page_in_file(struct vm_object *obj, vm_pindex_t pindex)
{
	return pindex < atop(round_page(vn_size(obj->pager_data)));
}

/* ramfs keeps nothing elsewhere: there is nothing to read around. */
static int
vnode_pager_getpages(struct vm_object *obj, struct vm_page *m, int behind __unused,
    int ahead __unused)
{
	if (!page_in_file(obj, m->pindex))
		return EIO;
	pmap_zero_page(m);		/* a hole */
	return 0;
}

static bool
vnode_pager_haspage(struct vm_object *obj, vm_pindex_t pindex, int *before, int *after)
{
	if (before != NULL)
		*before = 0;
	if (after != NULL)
		*after = 0;
	return page_in_file(obj, pindex);
}

/*
 * The pages are the file (ramfs): there is nothing to write them to.  A
 * page stays dirty, modified bit and all, for the page daemon must never
 * take it for a clean copy of something and free it: its data would be
 * gone.
 */
static int
vnode_pager_putpages(struct vm_object *obj __unused, vm_pindex_t start __unused,
    vm_pindex_t end __unused, int flags __unused)
{
	return 0;
}

static void
vnode_pager_dealloc(struct vm_object *obj)
{
	vnode_free(obj->pager_data);
}

static const struct vm_pager_ops vnode_pager_ops = {
	.name = "vnode",
	.getpages = vnode_pager_getpages,
	.haspage = vnode_pager_haspage,
	.putpages = vnode_pager_putpages,
	.dealloc = vnode_pager_dealloc,
};

struct vm_object *
vnode_pager_alloc(struct vnode *vp)
{
	struct vm_object *obj = vm_object_allocate(OBJT_VNODE, atop(round_page(vn_size(vp))));

	if (obj == NULL)
		return NULL;
	obj->pager = &vnode_pager_ops;
	obj->pager_data = vp;
	return obj;
}
