/*
 * The shared page: one page, read-only and executable, mapped at
 * SIGCODE_VA into every process.  It holds the signal return trampoline
 * (sig_md_fill_sigcode writes it), which a handler's frame returns to.
 * It is made once, by the first exec, wired, and never freed.
 */
#include <kern/systm.h>
#include <kern/signal.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>

/* The shared page holding the sigreturn trampoline (made by the first exec). */
static struct vm_object *sigcode_object;

/* The trampoline's object: one page, made once, shared by every process. */
static struct vm_object *
sigcode_object_get(void)
{
	struct vm_object *obj, *winner = NULL;
	struct vm_page *m;

	if ((obj = __atomic_load_n(&sigcode_object, __ATOMIC_ACQUIRE)) != NULL)
		return obj;
	if ((obj = vm_object_allocate(OBJT_ANON, 1)) == NULL)
		return NULL;
	spin_lock(&obj->lock);
	if ((m = vm_page_alloc(obj, 0, VM_ALLOC_ZERO)) != NULL) {
		sig_md_fill_sigcode((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)));
		/* Wired for good: never paged out, and MADV_DONTNEED leaves it alone. */
		vm_page_wire_kernel(m);
		vm_page_xunbusy(m);
	}
	spin_unlock(&obj->lock);
	if (m == NULL) {
		vm_object_deallocate(obj);
		return NULL;
	}
	if (__atomic_compare_exchange_n(&sigcode_object, &winner, obj, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return obj;
	/* Another exec made one first: use that, free ours. */
	spin_lock(&obj->lock);
	vm_page_unwire_kernel(m);
	spin_unlock(&obj->lock);
	vm_object_deallocate(obj);
	return winner;
}

int
signal_map_trampoline(struct vmspace *vm)
{
	struct vm_object *obj = sigcode_object_get();
	vaddr_t va = SIGCODE_VA;
	int error;

	if (obj == NULL)
		return ENOMEM;
	vm_object_reference(obj);	/* the map's; ours stays forever */
	error = vm_map_find(&vm->vm_map, obj, 0, &va, PAGE_SIZE, 0, VMFS_FIXED,
	    VM_PROT_READ | VM_PROT_EXECUTE, VM_PROT_READ | VM_PROT_EXECUTE, 0);
	if (error)
		vm_object_deallocate(obj);
	return error;
}
