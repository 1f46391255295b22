/*
 * witness (see witness.h): the sleeping rules.
 *
 * The check itself is inline in witness.h (two loads and a compare on
 * every path that may sleep); this file is the slow side, reached only
 * when a rule is broken: it works out which locks make it so, decides
 * between a panic and a report, and remembers where it reported so each
 * place is printed once.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/ksyms.h>
#include <kern/pcpu.h>
#include <kern/spinlock.h>
#include <kern/witness.h>
#include <machine/cpu.h>

#define REPORTED_SITES_MAX	64
#define MODE_WORD_MAX		16

/*
 * Spin locks that become sleep locks, under which a broken rule is only
 * reported until then.  The VM map lock: the fault path and mmap allocate
 * objects and entries with M_WAITOK while they hold it (issue 9's map
 * lock conversion to an sx lock removes this entry).
 */
static const char *const to_become_sleep_locks[] = {
	"vm map",
};

static const char *const rule_names[WITNESS_NRULES] = {
	[WITNESS_SLEEP] = "sleeping",
	[WITNESS_SLEEP_LOCK] = "taking a sleep lock",
	[WITNESS_WAITOK] = "an M_WAITOK allocation",
	[WITNESS_USER_ACCESS] = "touching user memory",
};

struct witness_stats witness_stats;

static enum witness_mode mode;		/* (A) */

/* Where a broken rule has been reported, so each place prints once. */
static struct spinlock sites_lock = SPINLOCK_INITIALIZER("witness sites");
static struct reported_site {
	enum witness_rule rule;
	uintptr_t	where;
	const char	*lock;		/* the first culprit's name, or NULL */
} reported[REPORTED_SITES_MAX];		/* (sites_lock) */
static int nreported;			/* (sites_lock) */

const char *
witness_rule_name(enum witness_rule rule)
{
	return rule < WITNESS_NRULES ? rule_names[rule] : "?";
}

enum witness_mode
witness_set_mode(enum witness_mode new)
{
	return __atomic_exchange_n(&mode, new, __ATOMIC_RELAXED);
}

void
witness_init(void)
{
	char word[MODE_WORD_MAX];
	bool report_only = cmdline_get("witness", word, sizeof(word)) &&
	    strcmp(word, "report") == 0;

	if (report_only)
		witness_set_mode(WITNESS_REPORT);
	printf("witness: sleeping rules %s", report_only ? "reported only (witness=report)" :
	    "enforced");
	if (!report_only) {
		printf("; report-only under");
		for (size_t i = 0; i < nitems(to_become_sleep_locks); i++)
			printf(" \"%s\"", to_become_sleep_locks[i]);
		printf(" until it becomes a sleep lock");
	}
	printf("\n");
}

static bool
becomes_sleep_lock(const struct spinlock *lk)
{
	for (size_t i = 0; i < nitems(to_become_sleep_locks); i++)
		if (strcmp(lk->name, to_become_sleep_locks[i]) == 0)
			return true;
	return false;
}

/*
 * Whether every spin lock this cpu holds but except is one to become a
 * sleep lock (and there is at least one): the report-only case.
 */
static bool
only_locks_to_convert(const struct pcpu *pc, const struct spinlock *except)
{
	int others = 0;

	for (uint32_t i = 0; i < pc->pc_spin_nheld; i++) {
		if (pc->pc_spin_held[i] == except)
			continue;
		if (!becomes_sleep_lock(pc->pc_spin_held[i]))
			return false;
		others++;
	}
	return others > 0;
}

/* The first spin lock this cpu holds but except, or NULL. */
static const struct spinlock *
first_culprit(const struct pcpu *pc, const struct spinlock *except)
{
	for (uint32_t i = 0; i < pc->pc_spin_nheld; i++)
		if (pc->pc_spin_held[i] != except)
			return pc->pc_spin_held[i];
	return NULL;
}

/* True the first time rule is broken at where with this lock held. */
static bool
first_report(enum witness_rule rule, uintptr_t where, const struct spinlock *culprit)
{
	const char *lock = culprit != NULL ? culprit->name : NULL;
	bool first = true;

	spin_lock(&sites_lock);
	for (int i = 0; i < nreported && first; i++)
		if (reported[i].rule == rule && reported[i].where == where &&
		    reported[i].lock == lock)
			first = false;
	if (first && nreported < REPORTED_SITES_MAX)
		reported[nreported++] = (struct reported_site){ rule, where, lock };
	spin_unlock(&sites_lock);
	return first;
}

/* What makes the rule broken: the spin locks held (but except), a critical section, an interrupt. */
static void
print_culprits(const struct pcpu *pc, const struct spinlock *except)
{
	uint32_t locks = 0;

	for (uint32_t i = 0; i < pc->pc_spin_nheld; i++) {
		if (pc->pc_spin_held[i] == except)
			continue;
		printf("%s\"%s\"", locks++ == 0 ? " with spin lock " : ", ",
		    pc->pc_spin_held[i]->name);
	}
	if ((uint32_t)pc->pc_spin_depth > pc->pc_spin_nheld)
		printf(" in a critical section");
	if (pc->pc_intr_depth != 0)
		printf(" in an interrupt handler");
}

void
witness_sleep_rule_broken(enum witness_rule rule, const struct spinlock *except, uintptr_t where)
{
	const struct pcpu *pc = curcpu();
	bool deferred = pc->pc_intr_depth == 0 && (uint32_t)pc->pc_spin_depth == pc->pc_spin_nheld &&
	    only_locks_to_convert(pc, except);
	enum witness_mode now = __atomic_load_n(&mode, __ATOMIC_RELAXED);
	bool report_only = now != WITNESS_PANIC;
	vaddr_t offset;
	const char *fn;

	if (deferred)
		__atomic_add_fetch(&witness_stats.deferred[rule], 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&witness_stats.broken[rule], 1, __ATOMIC_RELAXED);
	if (now == WITNESS_COUNT)
		return;
	if ((deferred || report_only) && !first_report(rule, where, first_culprit(pc, except)))
		return;
	fn = ksym_lookup(where - 1, &offset);
	printf("witness: %s%s", deferred ? "(report-only) " : "", rule_names[rule]);
	print_culprits(pc, except);
	printf(", called from %s+%#lx\n", fn != NULL ? fn : "?", offset + 1);
	if (!deferred && !report_only)
		panic("witness: %s with spin locks held or in an interrupt", rule_names[rule]);
	if (report_only)
		cpu_backtrace();
}
