/*
 * pmap_check: cross-check a user pmap's tables, counts and pv entries,
 * and that the tables pmap.c keeps for reuse are empty (for self-tests;
 * see vm/pmap.h).  It takes the pmap's lock and, for each mapped page,
 * the page's pv lock, then the caches' locks.
 */
#include <kern/systm.h>
#include <kern/spinlock.h>
#include <machine/pte.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include "pmap_var.h"

struct check {
	pmap_t		pmap;
	int		problems;
	uint64_t	resident;
	uint64_t	wired;
	uint64_t	supers;		/* 2 MiB leaves met */
};

static void __printflike(2, 3)
check_fail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	printf("pmap_check %p: ", c->pmap);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	c->problems++;
}

/* A table's valid entries against its page's count. */
static void
check_count(struct check *c, pt_entry_t *table, int nentries, vaddr_t va)
{
	unsigned valid = 0;

	for (int i = 0; i < nentries; i++)
		valid += (pte_load(&table[i]) & PTE_V) != 0;
	if (valid != ptp_of(table)->wire_count - 1)
		check_fail(c, "table at va %lx: %u valid entries, counted %u", va, valid,
		    ptp_of(table)->wire_count - 1);
}

/* A pointer to a table: V only (no A, D, U, G, permissions or software bits). */
static bool
check_nonleaf(struct check *c, pt_entry_t e, vaddr_t va)
{
	if ((e & PTE_FLAGS_MASK) == PTE_V)
		return true;
	check_fail(c, "va %lx: non-leaf entry %lx has bits besides V", va, e);
	return false;
}

/* m's pv list has (pmap, va) once, and every entry in it names a PTE mapping m. */
static void
check_pv(struct check *c, struct vm_page *m, vaddr_t va)
{
	struct pv_bucket *pb = pv_bucket(m);
	uint64_t key = pv_key(c->pmap, va);
	int found = 0;

	spin_lock(&pb->pb_lock);
	for (struct pv_entry *pv = m->md.pv_list; pv != NULL; pv = pv->pv_next) {
		vm_size_t size;
		pt_entry_t *pte = upt_lookup(pv_pmap(pv), pv_va(pv), &size);
		pt_entry_t e = pte != NULL ? pte_load(pte) : 0;

		found += pv_is(pv, key);
		if (!(e & PTE_V) || leaf_pa(e, pv_va(pv), size) != VM_PAGE_TO_PHYS(m))
			check_fail(c, "page %lx: pv entry (%p, %lx) has no PTE mapping it",
			    VM_PAGE_TO_PHYS(m), pv_pmap(pv), pv_va(pv));
	}
	spin_unlock(&pb->pb_lock);
	if (found != 1)
		check_fail(c, "va %lx: page %lx has %d pv entries for it", va,
		    VM_PAGE_TO_PHYS(m), found);
}

static void
check_leaf(struct check *c, pt_entry_t e, vaddr_t va)
{
	struct vm_page *m = PHYS_TO_VM_PAGE(pte_to_pa(e));

	c->resident++;
	if (e & PTE_SW_WIRED)
		c->wired++;
	if (!pte_is_leaf(e) || ((e & PTE_W) && !(e & PTE_R)))
		check_fail(c, "va %lx: leaf %lx has no valid permissions", va, e);
	if ((e & (PTE_U | PTE_G)) != PTE_U)
		check_fail(c, "va %lx: leaf %lx is not user-only", va, e);
	if ((e & PTE_W) && !(e & PTE_D))
		check_fail(c, "va %lx: leaf %lx has W without D", va, e);
	if ((e & (PTE_W | PTE_D)) && !(e & PTE_SW_WRITE))
		check_fail(c, "va %lx: leaf %lx has W or D but is not writable", va, e);
	if (m != NULL)
		check_pv(c, m, va);
}

static void
check_l0(struct check *c, pt_entry_t *l0, vaddr_t base)
{
	check_count(c, l0, PT_ENTRIES, base);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		pt_entry_t e = pte_load(&l0[i]);

		if (e & PTE_V)
			check_leaf(c, e, base + ((vaddr_t)i << L0_SHIFT));
	}
}

/* Is a table kept for demoting the superpage at va? */
static bool
check_deposit(struct check *c, vaddr_t va)
{
	struct list_node *n;

	list_foreach(n, &c->pmap->pm_deposits) {
		if (list_entry(n, struct vm_page, plinks)->pindex == va)
			return true;
	}
	return false;
}

static uint64_t
count_deposits(pmap_t pmap)
{
	struct list_node *n;
	uint64_t deposits = 0;

	list_foreach(n, &pmap->pm_deposits)
		deposits++;
	return deposits;
}

/* A 2 MiB leaf: aligned, a table kept for it, and each of its pages as a 4 KiB leaf. */
static void
check_super(struct check *c, pt_entry_t e, vaddr_t va)
{
	c->supers++;
	if (pte_to_pa(e) & (L1_SIZE - 1))
		check_fail(c, "va %lx: superpage leaf %lx is not 2 MiB aligned", va, e);
	if (!check_deposit(c, va))
		check_fail(c, "va %lx: no table kept to demote its superpage", va);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		check_leaf(c, e + ((pt_entry_t)i << PTE_PPN_SHIFT), va + ((vaddr_t)i << L0_SHIFT));
}

static void
check_l1(struct check *c, pt_entry_t *l1, vaddr_t base)
{
	check_count(c, l1, PT_ENTRIES, base);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		pt_entry_t e = pte_load(&l1[i]);
		vaddr_t va = base + ((vaddr_t)i << L1_SHIFT);

		if ((e & PTE_V) && pte_is_leaf(e))
			check_super(c, e, va);
		else if ((e & PTE_V) && check_nonleaf(c, e, va))
			check_l0(c, pt_va(pte_to_pa(e)), va);
	}
}

int
pmap_check(pmap_t pmap)
{
	struct check c = { .pmap = pmap };
	pt_entry_t *root = pmap_root(pmap);

	spin_lock(&pmap->pm_lock);
	if (memcmp(&root[USER_ROOT_ENTRIES], &kernel_root[USER_ROOT_ENTRIES],
	    USER_ROOT_ENTRIES * sizeof(pt_entry_t)) != 0)
		check_fail(&c, "the kernel half of the root differs from the kernel's");
	check_count(&c, root, USER_ROOT_ENTRIES, 0);
	for (unsigned i = 0; i < USER_ROOT_ENTRIES; i++) {
		pt_entry_t e = pte_load(&root[i]);
		vaddr_t va = (vaddr_t)i << L2_SHIFT;

		if ((e & PTE_V) && check_nonleaf(&c, e, va))
			check_l1(&c, pt_va(pte_to_pa(e)), va);
	}
	if (c.resident != pmap->pm_resident)
		check_fail(&c, "%lu valid leaves, resident count %lu", c.resident,
		    pmap->pm_resident);
	if (count_deposits(pmap) != c.supers)
		check_fail(&c, "%lu superpages, %lu tables kept for them", c.supers,
		    count_deposits(pmap));
	if (c.wired != pmap->pm_wired)
		check_fail(&c, "%lu wired leaves, wired count %lu", c.wired, pmap->pm_wired);
	spin_unlock(&pmap->pm_lock);
	return c.problems + upt_caches_check();
}
