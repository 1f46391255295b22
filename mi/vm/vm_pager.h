/*
 * Pagers: where an object's pages come from and go back to (after Mach
 * and FreeBSD's vm_pager.h).
 *
 * Every object that is not plain anonymous memory has a pager, chosen by
 * its type when it is made, and the VM system reaches the pager only
 * through its operations table.  The pagers live side by side here,
 * each named after what it pages:
 *
 *   vnode_pager.c   OBJT_VNODE: a file's pages, through the vnode interface
 *   device_pager.c  OBJT_DEVICE: device memory, which has no vm_page
 *
 * Anonymous objects have no pager: their missing pages are zero-filled.
 */
#ifndef _VM_VM_PAGER_H_
#define _VM_VM_PAGER_H_

#include <kern/types.h>

struct vm_object;
struct vm_page;

/*
 * A pager's operations.  NULL entries are operations the pager does not
 * have; the callers below say what that means.
 */
struct vm_pager_ops {
	const char	*name;
	/*
	 * Fill m (already inserted, exclusively busy) with the contents of
	 * the page at m->pindex; called with no lock held at all, the map's
	 * included, so it may sleep for I/O; the object is kept alive by the
	 * caller's paging-in-progress count.  0, or an errno that the fault
	 * handler turns into SIGBUS.  NULL: zero-fill.
	 */
	int		(*getpage)(struct vm_object *obj, struct vm_page *m);
	/* Does the backing store hold the page at pindex? */
	bool		(*haspage)(struct vm_object *obj, vm_pindex_t pindex);
	/*
	 * Write the modified resident pages of [start, end) (page indices)
	 * back to the backing store and clear their modified bits (msync);
	 * called without the object lock.  0 or an errno.  NULL: nothing is
	 * ever written back.
	 */
	int		(*putpages)(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end);
	/* The object is being freed: let go of pager_data. */
	void		(*dealloc)(struct vm_object *obj);
	/* Device objects: the physical address behind a page index. */
	paddr_t		(*phys_addr)(struct vm_object *obj, vm_pindex_t pindex);
};

/* Write back obj's modified pages in [start, end) through its pager (msync). */
int vm_pager_put_pages(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end);

#endif
