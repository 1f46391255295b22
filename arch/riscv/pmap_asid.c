/*
 * ASIDs for user pmaps, and running a cpu on a pmap (pmap_activate).
 *
 * ASIDs.  Their number is probed at boot.  With enough of them, each
 * pmap holds one from a generation-based allocator: pm_asid is valid
 * while pm_asid_gen equals asid_gen.  When none is left, the generation
 * advances, the pmaps running on some cpu keep their ASIDs in the new
 * generation, every other pmap gets a new ASID at its next activation,
 * and each cpu flushes its whole TLB before it first runs an ASID of the
 * new generation.  So TLB entries tagged with a pmap's old ASID are never
 * used again, and pm_cpus is cleared when the ASID is reassigned (and a
 * cpu that finds itself out of pm_cpus when it activates a pmap flushes
 * that ASID: see pmap.c's lazy shootdowns).  A
 * destroyed pmap's ASID is reused only after the next rollover.  With no
 * ASIDs (the U74) every switch flushes the whole TLB, and a cpu leaving
 * a pmap drops out of its pm_cpus.
 *
 * Lazy switching (as Linux does).  A cpu whose user thread stops keeps
 * that thread's pmap loaded (the idle thread never touches user
 * addresses), and stays in its pm_cpus, so shootdowns keep its TLB
 * right.  If the next user thread to run there is of the same address
 * space, as when a thread sleeps and wakes with nothing in between,
 * pmap_activate has nothing to do: no satp write, no flush, no lock.  A
 * pmap still loaded somewhere when it is destroyed is first taken off
 * those cpus (pmap_evict), so no satp ever points at a freed table.
 *
 * Locking annotations: (C) constant after boot, (S) asid_lock, (P) the
 * pmap's lock.  Lock order: pmap lock, then asid_lock.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/pcpu.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include "pmap_var.h"
#include "riscv.h"

/* The ASID allocator. */
#define ASID_SPACE	(1U << 16)	/* the widest satp.ASID */
static struct spinlock asid_lock = SPINLOCK_INITIALIZER("asid");
static uint32_t asid_bits;		/* (C) probed at boot */
bool asids_enabled;			/* (C) */
static uint32_t asid_max;		/* (C) ASIDs the hardware has */
static uint32_t asid_limit;		/* (S) ASIDs handed out are below this */
static uint32_t asid_next;		/* (S) where the search for a free one starts */
static uint64_t asid_gen = 1;		/* (S) the current generation */
static uint64_t asid_map[ASID_SPACE / 64]; /* (S) ASIDs taken in this generation */
static uint64_t cpu_asid_gen[MAXCPU];	/* (S) generation each cpu's TLB is clean for */
static pmap_t cpu_pmap[MAXCPU];		/* (S) pmap each cpu runs on; NULL: kernel */

static uint64_t
pmap_satp(pmap_t pmap)
{
	return SATP_MODE_SV39 | (uint64_t)pmap->pm_asid << SATP_ASID_SHIFT |
	    VM_PAGE_TO_PHYS(pmap->pm_root_page) >> PAGE_SHIFT;
}

/* The first ASID >= from that is free in this generation, or 0. */
static uint32_t
asid_find_free(uint32_t from)
{
	for (uint32_t a = from; a < asid_limit; a = (a | 63) + 1) {
		uint64_t free = ~asid_map[a / 64] & (~0UL << (a % 64));

		if (free != 0) {
			uint32_t found = (a & ~63U) + (uint32_t)__builtin_ctzl(free);

			return found < asid_limit ? found : 0;
		}
	}
	return 0;
}

static void
asid_take(uint32_t asid)
{
	asid_map[asid / 64] |= 1UL << (asid % 64);
}

/* Start a generation: all ASIDs free but the running pmaps', which carry over. */
static void
asid_new_generation(void)
{
	asid_gen++;
	memset(asid_map, 0, sizeof(asid_map));
	asid_take(0);			/* the kernel's satp */
	for (int c = 0; c < MAXCPU; c++) {
		pmap_t running = cpu_pmap[c];

		if (running != NULL) {
			asid_take(running->pm_asid);
			running->pm_asid_gen = asid_gen;
		}
	}
	asid_next = 1;
	STAT_ADD(asid_rollovers, 1);
}

/* Give pmap (locked, stale generation) an ASID of this generation. */
static void
asid_assign(pmap_t pmap)
{
	uint32_t asid = asid_find_free(asid_next);

	if (asid == 0) {
		asid_new_generation();
		asid = asid_find_free(1);
		KASSERT(asid != 0, ("pmap: no free ASID in a new generation"));
	}
	asid_take(asid);
	asid_next = asid + 1;
	pmap->pm_asid = asid;
	pmap->pm_asid_gen = asid_gen;
	/* No cpu will use entries tagged with the old ASID (see the top). */
	__atomic_store_n(&pmap->pm_cpus, 0, __ATOMIC_RELAXED);
}

/*
 * Run this cpu on pmap.  Its lock keeps pm_asid and pm_cpus steady for
 * a concurrent flush; the ASID lock guards the allocator.  That is one
 * global lock per context switch: simple, and cheap at MAXCPU 8 (a
 * lock-free fast path for the common case can come later).
 */
void
pmap_activate(pmap_t pmap)
{
	uint32_t me;
	pmap_t prev;
	bool flush, was_on;

	/*
	 * Already loaded here, with an ASID of this generation and a TLB
	 * clean for it: satp is right and this cpu is in pm_cpus (it left
	 * neither: a lazy shootdown drops only cpus that do not have the
	 * pmap loaded).  Only this cpu changes its cpu_pmap entry; a
	 * rollover keeps the loaded pmaps' ASIDs.
	 */
	was_on = intr_disable();
	me = cpu_id();
	if (__atomic_load_n(&cpu_pmap[me], __ATOMIC_RELAXED) == pmap && (!asids_enabled ||
	    (__atomic_load_n(&pmap->pm_asid_gen, __ATOMIC_RELAXED) == __atomic_load_n(&asid_gen,
	    __ATOMIC_RELAXED) && cpu_asid_gen[me] == __atomic_load_n(&asid_gen, __ATOMIC_RELAXED)))) {
		intr_restore(was_on);
		return;
	}
	intr_restore(was_on);
	spin_lock(&pmap->pm_lock);
	spin_lock(&asid_lock);
	me = cpu_id();
	prev = cpu_pmap[me];
	if (asids_enabled) {
		if (pmap->pm_asid_gen != asid_gen)
			asid_assign(pmap);
		flush = cpu_asid_gen[me] != asid_gen;
		cpu_asid_gen[me] = asid_gen;
		/* Dropped from pm_cpus by a lazy shootdown (pmap.c): its entries are stale. */
		if (!flush && !(__atomic_load_n(&pmap->pm_cpus, __ATOMIC_RELAXED) & (1UL << me)))
			__asm__ volatile("sfence.vma zero, %0" :: "r"((uint64_t)pmap->pm_asid) : "memory");
	} else {
		flush = prev != pmap;
	}
	/* Be seen in pm_cpus before the first walk of pmap's tables. */
	__atomic_or_fetch(&pmap->pm_cpus, 1UL << me, __ATOMIC_SEQ_CST);
	__atomic_store_n(&cpu_pmap[me], pmap, __ATOMIC_RELEASE);
	csr_write(satp, pmap_satp(pmap));
	if (flush) {
		sfence_vma_all();
		STAT_ADD(switch_flushes, 1);
	}
	/* Without ASIDs, prev left no trace in this TLB. */
	if (!asids_enabled && prev != NULL && prev != pmap)
		__atomic_and_fetch(&prev->pm_cpus, ~(1UL << me), __ATOMIC_SEQ_CST);
	spin_unlock(&asid_lock);
	spin_unlock(&pmap->pm_lock);
}

uint64_t
pmap_running_cpus(pmap_t pmap, uint64_t cpus)
{
	uint64_t running = 0;

	KASSERT(spin_owned(&pmap->pm_lock), ("pmap_running_cpus: pmap %p not locked", pmap));
	for (uint32_t c = 0; c < MAXCPU; c++)
		if ((cpus & (1UL << c)) && __atomic_load_n(&cpu_pmap[c], __ATOMIC_ACQUIRE) == pmap)
			running |= 1UL << c;
	return running;
}

void
pmap_activate_kernel(void)
{
	uint32_t me;
	pmap_t prev;

	spin_lock(&asid_lock);
	me = cpu_id();
	prev = cpu_pmap[me];
	__atomic_store_n(&cpu_pmap[me], NULL, __ATOMIC_RELEASE);
	csr_write(satp, kernel_satp);
	if (!asids_enabled && prev != NULL) {
		sfence_vma_all();
		STAT_ADD(switch_flushes, 1);
		__atomic_and_fetch(&prev->pm_cpus, ~(1UL << me), __ATOMIC_SEQ_CST);
	}
	spin_unlock(&asid_lock);
}

/*
 * Self-tests: hand out ASIDs below limit only (at least enough for every
 * cpu's running pmap and one more), to make rollovers happen.  Returns
 * the old limit, 0 when ASIDs are not in use.
 */
uint32_t
pmap_set_asid_limit(uint32_t limit)
{
	uint32_t old;

	spin_lock(&asid_lock);
	old = asid_limit;
	if (asids_enabled) {
		asid_limit = MIN(MAX(limit, ncpu + 2), asid_max);
		asid_next = asid_limit;		/* the next assignment rolls over */
	}
	spin_unlock(&asid_lock);
	return old;
}

/* Write all ones to satp.ASID and count the bits that stick. */
static uint32_t
asid_probe_bits(void)
{
	bool was_on = intr_disable();
	uint64_t satp = csr_read(satp), probe;

	/* Kernel mappings are global: running under another ASID for a moment is harmless. */
	csr_write(satp, satp | SATP_ASID_MASK << SATP_ASID_SHIFT);
	probe = csr_read(satp);
	csr_write(satp, satp);
	intr_restore(was_on);
	return (uint32_t)__builtin_popcountl(probe >> SATP_ASID_SHIFT & SATP_ASID_MASK);
}

void
asid_init(void)
{
	asid_bits = asid_probe_bits();
	pmap_counters.asid_bits = asid_bits;
	asid_max = asid_bits > 0 ? 1U << asid_bits : 0;
	/* Each cpu's running pmap keeps its ASID across a rollover: need more than that. */
	asids_enabled = asid_max >= MAXCPU + 2 && !cmdline_has("noasid");
	asid_limit = asids_enabled ? asid_max : 0;
	asid_next = 1;
	asid_take(0);
	printf("pmap: %u ASID bits%s\n", asid_bits,
	    asids_enabled ? "" : ", not used: every switch flushes the TLB");
}

/* On this cpu, interrupts off: leave pmap if it is loaded here. */
static void
leave_pmap(void *pmap)
{
	if (__atomic_load_n(&cpu_pmap[cpu_id()], __ATOMIC_RELAXED) == pmap)
		pmap_activate_kernel();
}

/*
 * pmap is going: no thread will activate it again, but cpus that ran one
 * may keep it loaded (see the top).  Each of them switches to the
 * kernel's table, this one at once, the others in an interrupt; returns
 * when none has it.
 * => interrupts on, no spin lock held (the others may be waiting for ours).
 */
void
pmap_evict(pmap_t pmap)
{
	int cpu;

	while ((cpu = pmap_running_cpu(pmap)) >= 0)
		cpu_run_on((uint32_t)cpu, leave_pmap, pmap);
}

int
pmap_running_cpu(pmap_t pmap)
{
	int cpu = -1;

	spin_lock(&asid_lock);
	for (int c = 0; c < MAXCPU; c++)
		if (cpu_pmap[c] == pmap)
			cpu = c;
	spin_unlock(&asid_lock);
	return cpu;
}
