/*
 * The self-test runner (see selftest.h).
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/reboot.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <kern/spinlock.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/zone.h>

#define NSEC_PER_MSEC	1000000UL
#define USEC_PER_SEC	1000000UL

MALLOC_DEFINE(M_SELFTEST_THREADS, "selftest_threads", "self-test threads");

extern const struct selftest __start_selftests[], __stop_selftests[];

static int checks_run, checks_failed;

bool
selftest_ok(bool cond, const char *fmt, ...)
{
	char desc[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	checks_run++;
	if (!cond)
		checks_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", checks_run, desc);
	return cond;
}

void
selftest_skip(const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("ok %d # SKIP %s\n", ++checks_run, why);
}

/* Is name in the comma-separated list (or is the list empty or "all")? */
static bool
selected(const char *selection, const char *name)
{
	size_t n = strlen(name);
	const char *p = selection;

	if (*selection == '\0' || strcmp(selection, "all") == 0)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (end != NULL);
	}
	return false;
}

int
selftest_run(const char *selection)
{
	int tests = 0;

	for (const struct selftest *t = __start_selftests; t < __stop_selftests; t++) {
		if (!selected(selection, t->name))
			continue;
		printf("# selftest %s\n", t->name);
		t->fn();
		tests++;
	}
	printf("1..%d\n", checks_run);
	printf("# %d self-tests, %d checks, %d failed\n", tests, checks_run, checks_failed);
	return checks_failed;
}

void
selftest_use_vmspace(struct vmspace *vm)
{
	curthread()->td_vmspace = vm;
	if (vm != NULL)
		pmap_activate(vm->vm_pmap);
	else
		pmap_activate_kernel();
}

struct vmspace *
selftest_scratch_vmspace(vaddr_t base, size_t npages)
{
	struct vmspace *vm = vmspace_alloc();
	vaddr_t va = base;

	if (vm == NULL)
		return NULL;
	if (vm_map_find(&vm->vm_map, NULL, 0, &va, ptoa(npages), 0, VMFS_FIXED,
	    VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_COW) != 0) {
		vmspace_free(vm);
		return NULL;
	}
	return vm;
}

static bool print_stats;

static void
selftest_main(void *selection)
{
	int failed = selftest_run(selection);

	if (print_stats) {
		zone_print_stats();
		malloc_print_stats();
	}
	machine_poweroff(failed ? POWEROFF_TESTS_FAILED : POWEROFF_SUCCESS);
}

void
selftest_start(const char *selection, bool stats)
{
	print_stats = stats;
	/* Bound to cpu 0: tests that call other cpus assume they are not one of them. */
	if (thread_start("selftest", selftest_main, (void *)selection, 0, 0) == NULL)
		panic("selftest_start: no thread");
}

/* One group of test threads, and each thread's part of it. */
struct selftest_group {
	struct spinlock	tg_lock;
	int		tg_n;		/* (C) members */
	int		tg_started;	/* (C) threads made */
	int		tg_done;	/* (tg_lock) threads that returned */
	void		(*tg_fn)(void *, int);	/* (C) */
	void		*tg_arg;	/* (C) */
	struct group_member *tg_members;	/* (C) */
};

struct group_member {
	struct selftest_group *gm_group;
	int		gm_index;
	struct thread	*gm_thread;	/* joined once it returns */
};

static void
group_member_main(void *arg)
{
	struct group_member *gm = arg;
	struct selftest_group *tg = gm->gm_group;

	tg->tg_fn(tg->tg_arg, gm->gm_index);
	spin_lock(&tg->tg_lock);
	tg->tg_done++;
	wakeup(&tg->tg_done);
	spin_unlock(&tg->tg_lock);
}

struct selftest_group *
selftest_threads_start(int n, void (*fn)(void *arg, int i), void *arg, int cpu)
{
	struct selftest_group *tg = malloc(sizeof(*tg), M_SELFTEST_THREADS, M_WAITOK | M_ZERO);
	struct group_member *gm = malloc(n * sizeof(*gm), M_SELFTEST_THREADS, M_WAITOK | M_ZERO);

	if (tg == NULL || gm == NULL)
		panic("selftest_threads_start: no memory");
	spin_init(&tg->tg_lock, "selftest group");
	tg->tg_fn = fn;
	tg->tg_arg = arg;
	tg->tg_members = gm;
	tg->tg_n = n;
	for (int i = 0; i < n; i++) {
		gm[i] = (struct group_member){ tg, i, NULL };
		gm[i].gm_thread = thread_start("selftest worker", group_member_main, &gm[i],
		    cpu != SCHED_ANY_CPU ? cpu : (int)(i % ncpu), THREAD_JOINABLE);
		if (gm[i].gm_thread != NULL)
			tg->tg_started++;
	}
	return tg;
}

int
selftest_threads_wait(struct selftest_group *tg, uint64_t timeout_ms)
{
	uint64_t deadline = sleepq_deadline_ns(timeout_ms * NSEC_PER_MSEC);
	int done;

	spin_lock(&tg->tg_lock);
	while (tg->tg_done < tg->tg_started &&
	    sleep_on_timed(&tg->tg_done, &tg->tg_lock, 0, deadline) != ETIMEDOUT)
		;
	done = tg->tg_done;
	spin_unlock(&tg->tg_lock);
	if (done == tg->tg_started) {
		/* Freed before the next test counts pages. */
		for (int i = 0; i < tg->tg_n; i++)
			if (tg->tg_members[i].gm_thread != NULL)
				thread_join(tg->tg_members[i].gm_thread);
		free(tg->tg_members, M_SELFTEST_THREADS);
		free(tg, M_SELFTEST_THREADS);
	}
	return done;
}

int
selftest_threads(int n, void (*fn)(void *arg, int i), void *arg, uint64_t timeout_ms)
{
	return selftest_threads_wait(selftest_threads_start(n, fn, arg, SCHED_ANY_CPU),
	    timeout_ms);
}

void
selftest_sleep_ms(uint64_t ms)
{
	uint64_t deadline = sleepq_deadline_ns(ms * NSEC_PER_MSEC);
	struct thread *td = curthread();

	while (sleep_on_timed(&td->td_deadline, NULL, 0, deadline) != ETIMEDOUT)
		;
}

uint64_t
selftest_now_us(void)
{
	uint64_t t = cpu_time(), hz = cpu_timebase_hz();

	return t / hz * USEC_PER_SEC + t % hz * USEC_PER_SEC / hz;
}

void
selftest_fake_proc(struct proc *p, int pid)
{
	memset(p, 0, sizeof(*p));
	p->p_pid = pid;
	p->p_state = PRS_ALIVE;
	spin_init(&p->p_threadlock, "proc threads");
	list_init(&p->p_threads);
}

void
selftest_join_proc(struct proc *p)
{
	struct thread *td = curthread();

	td->td_proc = p;
	spin_lock(&p->p_threadlock);
	list_append(&p->p_threads, &td->td_plist);
	spin_unlock(&p->p_threadlock);
}

void
selftest_leave_proc(void)
{
	struct thread *td = curthread();
	struct proc *p = td->td_proc;

	spin_lock(&p->p_threadlock);
	list_remove(&td->td_plist);
	spin_unlock(&p->p_threadlock);
	td->td_sigmask = 0;
	td->td_proc = NULL;	/* a kernel thread again, freed when it exits */
}
