/*
 * The pager-independent half of paging (see vm_pager.h): calls that work
 * on any object by way of its pager's operations.
 */
#include <kern/systm.h>
#include <vm/vm_object.h>
#include <vm/vm_pager.h>

int
vm_pager_put_pages(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	if (obj->pager == NULL || obj->pager->putpages == NULL)
		return 0;
	return obj->pager->putpages(obj, start, end);
}

bool
vm_pager_can_launder(struct vm_object *obj)
{
	(void)obj;
	return false;
}
