/*
 * The device pager: objects over device memory (OBJT_DEVICE), for mapping
 * device registers or frame buffers into address spaces.  Device memory
 * has no vm_page (it is not RAM), so the fault handler asks the pager for
 * the physical address and enters it directly; such mappings are never
 * paged, copied or in the reverse map.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <vm/device_pager.h>
#include <vm/vm_object.h>
#include <vm/vm_pager.h>

MALLOC_DEFINE(M_DEVPAGER, "device pager", "device object ranges");

struct dev_range {
	paddr_t		base;
	vm_size_t	size;
};

static paddr_t
dev_phys_addr(struct vm_object *obj, vm_pindex_t pindex)
{
	const struct dev_range *r = obj->pager_data;

	return pindex < atop(r->size) ? r->base + ptoa(pindex) : 0;
}

static void
dev_dealloc(struct vm_object *obj)
{
	free(obj->pager_data, M_DEVPAGER);
}

static const struct vm_pager_ops device_pager_ops = {
	.name = "device",
	.phys_addr = dev_phys_addr,
	.dealloc = dev_dealloc,
};

struct vm_object *
device_pager_alloc(paddr_t base, vm_size_t size)
{
	struct dev_range *r;
	struct vm_object *obj;

	if ((base & PAGE_MASK) || size == 0 || (size & PAGE_MASK))
		return NULL;
	if ((r = malloc(sizeof(*r), M_DEVPAGER, M_WAITOK)) == NULL)
		return NULL;
	if ((obj = vm_object_allocate(OBJT_DEVICE, atop(size))) == NULL) {
		free(r, M_DEVPAGER);
		return NULL;
	}
	r->base = base;
	r->size = size;
	obj->pager = &device_pager_ops;
	obj->pager_data = r;
	return obj;
}
