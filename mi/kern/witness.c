/*
 * witness (see witness.h): the sleeping rules and the lock order.
 *
 * The checks themselves are inline in witness.h: two loads and a
 * compare on every path that may sleep, one bit test per held lock on
 * every acquisition.  This file is the slow side: looking up a lock's
 * class the first time, learning a new order or catching a reversal in
 * the graph (witness_graph.c), and reporting what is wrong: which locks,
 * where, a panic or (witness=report) one report per place.
 *
 * The graph changes under graph_lock, a bare spin lock of its own: it is
 * taken from inside spin_lock, so it must not be a struct spinlock.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/ksyms.h>
#include <kern/pcpu.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/thread.h>
#include <kern/witness.h>
#include <machine/cpu.h>

#define REPORTED_SITES_MAX	64
#define MODE_WORD_MAX		16
#define PATH_MAX_SHOWN		8

/*
 * Classes whose locks may be held two at a time, each for a stated order
 * among them.  VM objects: an object, then its backing object, down the
 * shadow chain.  Zone caches: a zone's per-cpu caches in cpu order
 * (draining them all).  Vnodes: a directory, then an entry of it.
 */
static const char *const nesting_classes[] = {
	"vm object",
	"zone cache",
	"vnode",
	"ext2 inode",		/* a directory's and its entries' (ext2_vnops.c orders them) */
};

static const char *const rule_names[WITNESS_NRULES] = {
	[WITNESS_SLEEP] = "sleeping",
	[WITNESS_SLEEP_LOCK] = "taking a sleep lock",
	[WITNESS_WAITOK] = "an M_WAITOK allocation",
	[WITNESS_USER_ACCESS] = "touching user memory",
};

struct witness_stats witness_stats;
struct witness_graph witness_graph;	/* changes under graph_lock */

static enum witness_mode mode;		/* (A) */
static uint32_t graph_lock;		/* (A) 0 or 1 */
static bool graph_ready;		/* (graph_lock) witness_graph initialized */
static uint64_t reported_pairs[WG_MAX_CLASSES][WG_WORDS];	/* (graph_lock) */

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

static void
graph_lock_acquire(void)
{
	critical_enter();
	while (__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(&graph_lock, __ATOMIC_RELAXED) != 0)
			cpu_spinwait();
}

static void
graph_lock_release(void)
{
	__atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE);
	critical_exit();
}

/* The mode, read from the command line the first time (a report may come before witness_init). */
static enum witness_mode
current_mode(void)
{
	static bool cmdline_read;	/* (A) */
	char word[MODE_WORD_MAX];

	if (!__atomic_load_n(&cmdline_read, __ATOMIC_ACQUIRE)) {
		if (cmdline_get("witness", word, sizeof(word)) && strcmp(word, "report") == 0)
			witness_set_mode(WITNESS_REPORT);
		__atomic_store_n(&cmdline_read, true, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&mode, __ATOMIC_RELAXED);
}

void
witness_init(void)
{
	bool report_only = current_mode() == WITNESS_REPORT;

	printf("witness: sleeping rules and lock order %s\n", report_only ?
	    "reported only (witness=report)" : "enforced");
}

/*
 * The classes of the spin locks this cpu holds, as a mask, but for one
 * lock of except's class (except: NULL or a lock this cpu holds).
 */
static void
held_classes(const struct pcpu *pc, const struct spinlock *except, uint64_t *mask)
{
	bool skipped = except == NULL;

	memset(mask, 0, WG_WORDS * sizeof(*mask));
	for (uint64_t i = 0; i < pc->pc_spin_nheld; i++) {
		int c = pc->pc_spin_class[i] & ~WITNESS_UNCHAINED;

		if (!skipped && c == except->wclass) {
			skipped = true;
			continue;
		}
		mask[c / 64] |= 1UL << (c % 64);
	}
}

/* The first class set in mask, or 0. */
static int
first_class(const uint64_t *mask)
{
	for (int w = 0; w < WG_WORDS; w++)
		if (mask[w] != 0)
			return w * 64 + __builtin_ctzl(mask[w]);
	return 0;
}

/* True the first time rule is broken at where with a lock of class culprit held. */
static bool
first_report(enum witness_rule rule, uintptr_t where, int culprit)
{
	const char *lock = culprit != 0 ? witness_graph.classes[culprit].name : NULL;
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

/* What makes the rule broken: the spin locks held (mask), a critical section, an interrupt. */
static void
print_culprits(const struct pcpu *pc, const uint64_t *mask)
{
	int locks = 0;

	for (int c = 1; c < WG_MAX_CLASSES; c++)
		if ((mask[c / 64] >> (c % 64)) & 1)
			printf("%s\"%s\"", locks++ == 0 ? " with spin lock " : ", ",
			    witness_graph.classes[c].name);
	if ((uint64_t)pc->pc_spin_depth > pc->pc_spin_nheld)
		printf(" in a critical section");
	if (pc->pc_intr_depth != 0)
		printf(" in an interrupt handler");
}

void
witness_sleep_rule_broken(enum witness_rule rule, const struct spinlock *except, uintptr_t where)
{
	const struct pcpu *pc = curcpu();
	uint64_t mask[WG_WORDS];
	enum witness_mode now = current_mode();
	bool report_only = now != WITNESS_PANIC;
	vaddr_t offset;
	const char *fn;

	held_classes(pc, except, mask);
	__atomic_add_fetch(&witness_stats.broken[rule], 1, __ATOMIC_RELAXED);
	if (now == WITNESS_COUNT)
		return;
	/* A survey (witness=report) prints each place once. */
	if (report_only && !first_report(rule, where, first_class(mask)))
		return;
	fn = ksym_lookup(where - 1, &offset);
	printf("witness: %s", rule_names[rule]);
	print_culprits(pc, mask);
	printf(", called from %s+%#lx\n", fn != NULL ? fn : "?", offset + 1);
	if (!report_only)
		panic("witness: %s with spin locks held or in an interrupt", rule_names[rule]);
	if (report_only)
		cpu_backtrace();
}

/*
 * Lock order.
 */

static bool
listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

int
witness_class_resolve(uint16_t *cache, const char *name, uint32_t flags)
{
	int cls = wg_class_cached(&witness_graph, name);

	if (cls == 0) {
		if (listed(name, nesting_classes, nitems(nesting_classes)))
			flags |= WG_DUPOK;
		graph_lock_acquire();
		/* The first lock ever taken comes before anything could call an init function. */
		if (!graph_ready) {
			wg_init(&witness_graph);
			graph_ready = true;
		}
		cls = wg_class(&witness_graph, name, flags);
		graph_lock_release();
	}
	__atomic_store_n(cache, (uint16_t)cls, __ATOMIC_RELAXED);
	return cls;
}

/* Print the order learnt first: from -> ... -> to, and where its first step was learnt. */
static void
print_learnt_path(const int *path, int n, uintptr_t first_where)
{
	vaddr_t offset;
	const char *fn;

	printf("witness: the order learnt first:");
	for (int i = 0; i < n; i++)
		printf("%s\"%s\"", i == 0 ? " " : " -> ", witness_graph.classes[path[i]].name);
	fn = first_where != 0 ? ksym_lookup(first_where - 1, &offset) : NULL;
	if (fn != NULL)
		printf(", its first step learnt at %s+%#lx", fn, offset + 1);
	printf("\n");
}

void
witness_order_broken(int held, int taking, uintptr_t where)
{
	int path[PATH_MAX_SHOWN], n = 0;
	uintptr_t first_where = 0;
	enum witness_mode now;
	enum wg_result r;
	bool first_time;
	vaddr_t offset;
	const char *fn;

	graph_lock_acquire();
	r = wg_check(&witness_graph, held, taking, where);
	if (r == WG_REVERSAL && held != taking &&
	    (n = wg_path(&witness_graph, taking, held, path, PATH_MAX_SHOWN)) >= 2)
		first_where = wg_edge_where(&witness_graph, path[0], path[1]);
	first_time = r == WG_REVERSAL && !((reported_pairs[held][taking / 64] >> (taking % 64)) & 1);
	if (first_time)
		reported_pairs[held][taking / 64] |= 1UL << (taking % 64);
	graph_lock_release();
	if (r == WG_OK)
		return;
	__atomic_add_fetch(&witness_stats.reversals, 1, __ATOMIC_RELAXED);
	now = current_mode();
	if (now == WITNESS_COUNT || (now == WITNESS_REPORT && !first_time))
		return;
	fn = ksym_lookup(where - 1, &offset);
	if (held == taking)
		printf("witness: two locks of class \"%s\" held at once (it may not nest), "
		    "taken at %s+%#lx\n", witness_graph.classes[taking].name, fn != NULL ? fn : "?",
		    offset + 1);
	else
		printf("witness: lock order reversal: \"%s\" taken while holding \"%s\" at "
		    "%s+%#lx\n", witness_graph.classes[taking].name,
		    witness_graph.classes[held].name, fn != NULL ? fn : "?", offset + 1);
	if (n >= 2)
		print_learnt_path(path, n, first_where);
	if (now == WITNESS_PANIC)
		panic("witness: lock order reversal");
	cpu_backtrace();
}

/*
 * Every pair of a held class and cls that known does not vouch for goes
 * to the graph.  Whether cls now follows them all.
 */
static bool
check_pairs(const uint16_t *held, uint64_t n, int cls, uintptr_t where)
{
	bool all = true;

	for (uint64_t i = 0; i < n; i++) {
		int c = held[i] & ~WITNESS_UNCHAINED;

		if (!wg_known(&witness_graph, c, cls))
			witness_order_broken(c, cls, where);
		all &= wg_known(&witness_graph, c, cls);
	}
	return all;
}

bool
witness_check_lock_slow(uint16_t *cache, const char *name, uint32_t flags, uintptr_t where)
{
	const struct pcpu *pc = curcpu();
	const struct thread *td = pc->pc_curthread;
	int cls = witness_class(cache, name, flags);
	bool all = check_pairs(pc->pc_spin_class, pc->pc_spin_nheld, cls, where);

	if (pc->pc_intr_depth == 0)
		all &= check_pairs(td->td_sleeplock_class, td->td_nsleeplocks, cls, where);
	return all;
}

bool
witness_spin_lock_slow(struct spinlock *lk, uintptr_t where)
{
	return witness_check_lock_slow(&lk->wclass, lk->name, 0, where);
}

void
witness_sleep_acquired(const void *lock, int cls, bool checked)
{
	struct thread *td = curthread();
	uint32_t n = td->td_nsleeplocks;

	if (n == TD_SLEEPLOCKS_MAX)
		panic("witness: thread %d holds more than %d sleep locks", td->td_tid,
		    TD_SLEEPLOCKS_MAX);
	/* A try-lock whose order the chain does not vouch for breaks the chain. */
	if (!checked && !witness_order_known(curcpu(), cls)) {
		cls |= WITNESS_UNCHAINED;
		td->td_sleeplock_unchained++;
	}
	td->td_sleeplocks[n] = lock;
	td->td_sleeplock_class[n] = (uint16_t)cls;
	td->td_nsleeplocks = n + 1;
}

void
witness_sleep_released(const void *lock)
{
	struct thread *td = curthread();
	uint32_t i = td->td_nsleeplocks;

	while (i > 0 && td->td_sleeplocks[i - 1] != lock)
		i--;
	if (i == 0)
		panic("witness: releasing a sleep lock thread %d does not hold", td->td_tid);
	if (td->td_sleeplock_class[i - 1] & WITNESS_UNCHAINED)
		td->td_sleeplock_unchained--;
	for (; i < td->td_nsleeplocks; i++) {
		td->td_sleeplocks[i - 1] = td->td_sleeplocks[i];
		td->td_sleeplock_class[i - 1] = td->td_sleeplock_class[i];
	}
	td->td_nsleeplocks--;
}
