/*
 * The pager-independent half of paging (see vm_pager.h): calls that work
 * on any object by way of its pager's operations.
 */
#include <kern/systm.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_object.h>
#include <vm/vm_pager.h>
#include <vm/vnode_pager.h>

/* The pager that writes obj's pages: its own, or for anonymous memory the swap pager. */
static const struct vm_pager_ops *
writer(struct vm_object *obj)
{
	if (obj->pager != NULL)
		return obj->pager;
	return obj->type == OBJT_ANON ? &swap_pager_ops : NULL;
}

int
vm_pager_put_pages(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end, int flags)
{
	const struct vm_pager_ops *ops = writer(obj);

	if (ops == NULL || ops->putpages == NULL)
		return 0;
	return ops->putpages(obj, start, end, flags);
}

bool
vm_pager_has_page(struct vm_object *obj, vm_pindex_t pindex, int *before, int *after)
{
	if (obj->pager == NULL || obj->pager->haspage == NULL)
		return false;
	return obj->pager->haspage(obj, pindex, before, after);
}

bool
vm_pager_can_launder(struct vm_object *obj)
{
	if (obj->type == OBJT_VNODE)
		return vnode_pager_can_launder(obj);
	return vm_object_is_anon(obj) && swap_free_pages() > 0;
}
