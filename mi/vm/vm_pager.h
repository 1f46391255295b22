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
 *   swap_pager.c    OBJT_SWAP: anonymous memory that has been paged out
 *
 * Anonymous objects have no pager until they are first paged out: their
 * missing pages are zero-filled.  vm_pager_put_pages sends an anonymous
 * object's pages to the swap pager, which makes it a swap object.
 *
 * The page daemon's laundry writes pages through vm_pager_put_pages, the
 * same call for every kind of object: it names a range of the object,
 * and the pager writes the pages there that need it, in as few requests
 * as it can (clusters), asynchronously unless asked to wait.
 */
#ifndef _VM_VM_PAGER_H_
#define _VM_VM_PAGER_H_

#include <kern/types.h>

struct vm_object;
struct vm_page;

/* putpages flags */
#define VM_PAGER_PUT_SYNC	0x0001	/* wait until every write has completed */
#define VM_PAGER_PUT_FREE	0x0002	/* with SYNC: then free the pages written that
					 * are clean and mapped nowhere (MADV_PAGEOUT) */
#define VM_PAGER_PUT_LAUNDRY	0x0004	/* the laundry writes: sleep for no lock a thread
					 * waiting for memory may hold (a file's I/O
					 * lock): only try it, EAGAIN if taken */

/*
 * A pager's operations.  NULL entries are operations the pager does not
 * have; the callers below say what that means.
 */
struct vm_pager_ops {
	const char	*name;
	/*
	 * Fill m (already inserted, exclusively busy) with the contents of
	 * the page at m->pindex.  The pager may also read up to behind pages
	 * before it and ahead after it (read-around) into new pages it
	 * inserts where none is resident; those it leaves unbusied and
	 * clean.  A pager with read-ahead of its own (the vnode pager) goes
	 * by advice, the mapping's MADV_*, instead.  Called with no lock held
	 * at all, the map's included, so it may sleep for I/O; the object is
	 * kept alive by the caller's paging-in-progress count.  0, or an
	 * errno that the fault handler turns into SIGBUS.  NULL: zero-fill.
	 */
	int		(*getpages)(struct vm_object *obj, struct vm_page *m, int behind,
			    int ahead, int advice);
	/*
	 * Does the backing store hold the page at pindex?  If so, *before and
	 * *after (either may be NULL) say how many pages just before and
	 * after it one read could bring in with it.  obj locked.
	 */
	bool		(*haspage)(struct vm_object *obj, vm_pindex_t pindex, int *before,
			    int *after);
	/*
	 * Write the resident pages of [start, end) (page indices) that need
	 * it -- modified, or (swap) with no copy yet -- back to the backing
	 * store; those that are busy or wired are left alone.  A page
	 * written is clean when its write completes; one whose anonymous
	 * write fails stays dirty (a file page's stays clean, its error
	 * reported by fsync, as Linux does: vnode_pager.c).  flags:
	 * VM_PAGER_PUT_*.  Called without the object lock (nor any spin
	 * lock, with VM_PAGER_PUT_SYNC).  0, or an errno when not everything
	 * could be started (ENOMEM: swap is full, or memory short) or (a
	 * file, with VM_PAGER_PUT_SYNC) a write failed: EIO.  NULL: nothing
	 * is ever written back.
	 */
	int		(*putpages)(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end,
			    int flags);
	/*
	 * A fault mapped a page of obj writable for the first time since the
	 * last write-back of the whole object (OBJ_WRITEMAPPED was clear):
	 * stores may now dirty its pages unseen, through the pmap.  Called
	 * with no lock held.  NULL: nothing to note.
	 */
	void		(*writemapped)(struct vm_object *obj);
	/* The object is being freed: let go of pager_data. */
	void		(*dealloc)(struct vm_object *obj);
	/* Device objects: the physical address behind a page index. */
	paddr_t		(*phys_addr)(struct vm_object *obj, vm_pindex_t pindex);
};

/*
 * Write back obj's pages in [start, end) through its pager (msync, the
 * laundry, MADV_PAGEOUT); anonymous memory goes to swap.  See putpages.
 */
int vm_pager_put_pages(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end, int flags);

/*
 * Can obj's dirty pages be written somewhere now, to be freed after (the
 * laundry), or must they stay in memory (the unswappable queue)?
 * Anonymous memory can while a swap device has a free slot; a file on a
 * disk mounted read-write can (vnode_pager_can_launder); ramfs files,
 * whose pages are their only copy, cannot.  Object locked.
 */
bool vm_pager_can_launder(struct vm_object *obj);

/* Does obj's pager hold the page at pindex (haspage)?  No pager: no.  obj locked. */
bool vm_pager_has_page(struct vm_object *obj, vm_pindex_t pindex, int *before, int *after);

#endif
