/*
 * The vnode pager (vnode_pager.c): the pager of OBJT_VNODE objects, one
 * per regular file.  A page not resident inside the file reads as the
 * file's data (zeros for ramfs, whose pages are the only copy); a page
 * at or beyond the end of the file (rounded up to a page) does not
 * exist: the pager fails with EIO, which a page fault turns into SIGBUS.
 */
#ifndef _VM_VNODE_PAGER_H_
#define _VM_VNODE_PAGER_H_

struct vnode;
struct vm_object;

/*
 * A new object for the regular file vp, with one reference (the
 * vnode's).  The object holds no reference on vp; when the object dies
 * the pager frees vp, which the file system has reclaimed by then.
 */
struct vm_object *vnode_pager_alloc(struct vnode *vp);

#endif
