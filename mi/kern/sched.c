/*
 * The scheduler (see sched.h).
 *
 * Each cpu's idle thread runs sched_loop: it takes the first runnable
 * thread off the shared run queue and switches to it; the thread comes
 * back to the idle thread when it sleeps, yields or exits, still holding
 * sched_lock, which the idle thread then releases (the hand-off xv6 uses).
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <kern/pid.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_page_zero.h>
#include <vm/zone.h>

struct spinlock sched_lock = SPINLOCK_INITIALIZER("sched");
static struct list_node run_queue = LIST_HEAD_INIT(run_queue);		/* (S) */
static zone_t thread_zone;
static uint32_t nthreads;		/* (A) threads allocated and not freed */
static uint32_t nblocked;		/* (S) user threads in an uninterruptible sleep */

/*
 * Dead threads wait here for the reaper, a kernel thread, to free them:
 * the idle thread that sees a thread's last switch may not sleep, and
 * freeing a stack may (the kernel map's lock).
 */
static struct spinlock reap_lock = SPINLOCK_INITIALIZER("reap");
static struct list_node reapq = LIST_HEAD_INIT(reapq);	/* (R) by td_reapq */

static void
reaper_main(void *arg)
{
	(void)arg;
	spin_lock(&reap_lock);
	for (;;) {
		struct thread *td;

		while (list_empty(&reapq))
			sleep_on(&reapq, &reap_lock);
		td = list_entry(reapq.next, struct thread, td_reapq);
		list_remove(&td->td_reapq);
		spin_unlock(&reap_lock);
		thread_free(td);
		spin_lock(&reap_lock);
	}
}

/* Hand dead td to the reaper (from the idle thread: nothing here sleeps). */
static void
thread_reap(struct thread *td)
{
	spin_lock(&reap_lock);
	list_append(&reapq, &td->td_reapq);
	spin_unlock(&reap_lock);
	wakeup(&reapq);
}

void
sched_init(void)
{
	thread_zone = zone_create("thread", sizeof(struct thread), 16, 0);
	if (thread_zone == NULL)
		panic("sched_init: no zone");
	if (thread_create("reaper", reaper_main, NULL) == NULL)
		panic("sched_init: no reaper");
}

struct thread *
thread_new(const char *name, int *errorp)
{
	struct thread *td = zone_alloc(thread_zone, M_WAITOK | M_ZERO);
	vaddr_t top;

	*errorp = ENOMEM;
	if (td == NULL)
		return NULL;
	if ((top = kstack_alloc(M_WAITOK)) == 0) {
		zone_free(thread_zone, td);
		return NULL;
	}
	if ((*errorp = tid_alloc(td)) != 0) {
		kstack_free(top);
		zone_free(thread_zone, td);
		return NULL;
	}
	td->td_kstack_top = top;
	td->td_kstack_lo = top - ptoa(KSTACK_PAGES);
	td->td_name = name;
	td->td_state = TDS_NEW;
	td->td_cpumask = CPUMASK_ALL;
	__atomic_add_fetch(&nthreads, 1, __ATOMIC_RELAXED);
	return td;
}

struct thread *
thread_alloc(const char *name)
{
	int error;

	return thread_new(name, &error);
}

void
thread_free(struct thread *td)
{
	KASSERT(td->td_state == TDS_DEAD || td->td_state == TDS_NEW,
	    ("thread_free: thread %d is still alive", td->td_tid));
	tid_free(td);
	kstack_free(td->td_kstack_top);
	zone_free(thread_zone, td);
	__atomic_sub_fetch(&nthreads, 1, __ATOMIC_RELAXED);
}

struct thread *
thread_start(const char *name, void (*fn)(void *), void *arg, int cpu, int flags)
{
	struct thread *td = thread_alloc(name);

	KASSERT(cpu == SCHED_ANY_CPU || (cpu >= 0 && (uint32_t)cpu < ncpu),
	    ("thread_start: no cpu %d", cpu));
	KASSERT((flags & ~(THREAD_JOINABLE | THREAD_MEMRESERVE)) == 0,
	    ("thread_start: flags %#x", flags));
	if (td == NULL)
		return NULL;
	td->td_cpumask = cpu == SCHED_ANY_CPU ? CPUMASK_ALL : 1UL << cpu;
	if (flags & THREAD_JOINABLE)
		td->td_flags |= TDF_JOINABLE;
	if (flags & THREAD_MEMRESERVE)
		td->td_flags |= TDF_MEMRESERVE;
	cpu_thread_init(td, fn, arg);
	sched_add(td);
	return td;
}

struct thread *
thread_create(const char *name, void (*fn)(void *), void *arg)
{
	return thread_start(name, fn, arg, SCHED_ANY_CPU, 0);
}

void
thread_wait_dead(struct thread *td)
{
	for (;;) {
		bool dead;

		spin_lock(&sched_lock);
		dead = td->td_state == TDS_DEAD;
		spin_unlock(&sched_lock);
		if (dead)
			return;
		sched_yield();
	}
}

void
thread_join(struct thread *td)
{
	KASSERT(td->td_flags & TDF_JOINABLE, ("thread_join: thread %d is not joinable", td->td_tid));
	thread_wait_dead(td);
	thread_free(td);
}

/* Whether td may run on pc (its affinity).  Sched lock held. */
static inline bool
may_run_on(const struct thread *td, const struct pcpu *pc)
{
	return (td->td_cpumask & (1UL << pc->pc_cpuid)) != 0;
}

/* Wake an idle cpu that td may run on, if there is one.  Sched lock held. */
static void
kick_idle_cpu(const struct thread *td)
{
	struct pcpu *pc;

	PCPU_FOREACH(pc) {
		if (pc != curcpu() && pc->pc_online && may_run_on(td, pc) &&
		    pc->pc_curthread == pc->pc_idlethread) {
			cpu_send_ipi(pc->pc_cpuid, IPI_NOP);
			return;
		}
	}
}

static void
make_runnable(struct thread *td)
{
	td->td_state = TDS_RUNNABLE;
	list_append(&run_queue, &td->td_runq);
	kick_idle_cpu(td);
}

/* The first thread on the run queue that may run on pc, taken off it.  Sched lock held. */
static struct thread *
take_runnable(const struct pcpu *pc)
{
	struct list_node *n;

	list_foreach(n, &run_queue) {
		struct thread *td = list_entry(n, struct thread, td_runq);

		if (may_run_on(td, pc)) {
			list_remove(n);
			return td;
		}
	}
	return NULL;
}

void
sched_add(struct thread *td)
{
	spin_lock(&sched_lock);
	make_runnable(td);
	spin_unlock(&sched_lock);
}

/* First code a new thread runs: it arrives holding sched_lock. */
void
sched_new_thread_start(void)
{
	spin_unlock(&sched_lock);
}

/*
 * Give the cpu back to its idle thread.  sched_lock is held (and nothing
 * else) and the caller has set the thread's new state.
 */
static void
sched_switch(void)
{
	struct pcpu *pc = curcpu();
	struct thread *td = pc->pc_curthread;
	bool intr_was_on = pc->pc_intr_was_on;

	KASSERT(spin_owned(&sched_lock) && pc->pc_spin_depth == 1,
	    ("sched_switch: must hold sched_lock only (depth %d)", pc->pc_spin_depth));
	KASSERT(td->td_state != TDS_RUNNING, ("sched_switch: thread still running"));
	if (td->td_state == TDS_SLEEPING)
		td->td_nvcsw++;
	else if (td->td_state == TDS_RUNNABLE)
		td->td_nivcsw++;
	cpu_switch(td, pc->pc_idlethread);
	/* We may be on another cpu now. */
	curcpu()->pc_intr_was_on = intr_was_on;
}

/* Run td on this cpu until it comes back.  Sched lock held; idle thread. */
static void
run_thread(struct pcpu *pc, struct thread *td)
{
	struct thread *idle = pc->pc_idlethread;

	td->td_state = TDS_RUNNING;
	td->td_cpu = pc->pc_cpuid;
	td->td_ticks = 0;
	td->td_flags &= ~TDF_NEEDRESCHED;
	pc->pc_curthread = td;
	pc->pc_kstack_top = td->td_kstack_top;
	pc->pc_kstack_lo = td->td_kstack_lo;
	/* Kernel threads run on the kernel's table; see pmap_activate for the rest. */
	if (td->td_vmspace != NULL)
		pmap_activate(td->td_vmspace->vm_pmap);
	else
		pmap_activate_kernel();
	pc->pc_switches++;
	pc->pc_switchtime = cpu_time();
	cpu_switch(idle, td);
	/* The idle thread never moves: this is still pc, and td's slice is over. */
	KASSERT(curcpu() == pc, ("run_thread: the idle thread moved"));
	td->td_runtime += cpu_time() - pc->pc_switchtime;
	/*
	 * The idle thread keeps td's address space loaded, lazily, for the
	 * next thread: if it is td again, or of the same process, nothing
	 * needs switching (pmap_destroy takes a dying one off this cpu).
	 */
	pc->pc_curthread = idle;
	pc->pc_kstack_top = idle->td_kstack_top;
	pc->pc_kstack_lo = idle->td_kstack_lo;
}

/*
 * Wait for an interrupt in the idle loop, counting the instructions retired
 * meanwhile as idle: under QEMU's -icount the counter is virtual time and
 * runs on while the hart sleeps, and benchmarks of work that waits for a
 * disk subtract it (sched_idle_instret).  Interrupts stay off until after
 * the count, so the handler's own instructions count as work.
 */
static void
idle_wait(struct pcpu *pc)
{
	uint64_t t;

	intr_disable();
	t = cpu_instret();
	cpu_wait_for_interrupt();
	pc->pc_idle_instret += cpu_instret() - t;
	intr_enable();
}

/*
 * Background work for an idle cpu (zeroing free pages), counted as idle
 * like a wait, since no thread waits for it: steps of it while the run
 * queue looks empty (a glance without the lock; the idle loop looks
 * properly after), up to IDLE_WORK_BATCH.  True if there was a step to
 * take.
 */
#define IDLE_WORK_BATCH	32

static bool
idle_work(struct pcpu *pc)
{
	uint64_t t = cpu_instret();
	int steps = 0;

	while (steps < IDLE_WORK_BATCH && vm_page_zero_idle()) {
		steps++;
		if (__atomic_load_n(&run_queue.next, __ATOMIC_RELAXED) != &run_queue)
			break;
	}
	pc->pc_idle_instret += cpu_instret() - t;
	return steps > 0;
}

uint64_t
sched_idle_instret(void)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < ncpu; i++)
		sum += __atomic_load_n(&pcpu_array[i].pc_idle_instret, __ATOMIC_RELAXED);
	return sum;
}

void
sched_loop(void)
{
	struct pcpu *pc = curcpu();

	pc->pc_idlethread = pc->pc_curthread;
	pc->pc_idlethread->td_flags |= TDF_IDLE;
	for (;;) {
		struct thread *td, *dead = NULL;

		intr_enable();
		spin_lock(&sched_lock);
		if ((td = take_runnable(curcpu())) != NULL) {
			run_thread(curcpu(), td);
			/*
			 * Its last switch is done: a dead thread goes now (a user
			 * thread has left its process), unless someone joins it.
			 */
			if (td->td_state == TDS_DEAD && !(td->td_flags & TDF_JOINABLE))
				dead = td;
		}
		spin_unlock(&sched_lock);
		if (dead != NULL) {
			thread_freed(dead);	/* its process may go now */
			thread_reap(dead);
		}
		if (td == NULL && !idle_work(pc))
			idle_wait(pc);
	}
}

void
sched_yield(void)
{
	spin_lock(&sched_lock);
	make_runnable(curthread());
	sched_switch();
	spin_unlock(&sched_lock);
}

static uint32_t child_runs_first = 1;	/* (A) */

void
sched_fork_yield(void)
{
	if (__atomic_load_n(&child_runs_first, __ATOMIC_RELAXED))
		sched_yield();
}

uint64_t
sched_child_first_get(void)
{
	return __atomic_load_n(&child_runs_first, __ATOMIC_RELAXED);
}

int
sched_child_first_set(uint64_t value)
{
	if (value > INT32_MAX)
		return EINVAL;		/* Linux's was an int */
	__atomic_store_n(&child_runs_first, value != 0, __ATOMIC_RELAXED);
	return 0;
}

bool
sched_running_on(const struct thread *td, uint32_t cpu)
{
	return cpu < ncpu && __atomic_load_n(&pcpu_array[cpu].pc_curthread, __ATOMIC_RELAXED) == td;
}

void
sched_sleep(void)
{
	struct thread *td = curthread();
	/* Kernel threads waiting for work are not load (Linux's TASK_NOLOAD). */
	bool blocked = td->td_proc != NULL && !(td->td_flags & TDF_SLEEPINTR);

	KASSERT(td->td_state == TDS_SLEEPING, ("sched_sleep: not marked asleep"));
	if (blocked)
		nblocked++;
	sched_switch();
	if (blocked)
		nblocked--;
}

void
sched_wakeup(struct thread *td)
{
	spin_lock(&sched_lock);
	KASSERT(td->td_state == TDS_SLEEPING, ("sched_wakeup: thread %d is not asleep (state %d)",
	    td->td_tid, td->td_state));
	make_runnable(td);
	spin_unlock(&sched_lock);
}

void
thread_exit(void)
{
	KASSERT(curthread()->td_nsleeplocks == 0, ("thread_exit: thread %d holds %u sleep locks",
	    curthread()->td_tid, curthread()->td_nsleeplocks));
	spin_lock(&sched_lock);
	curthread()->td_state = TDS_DEAD;
	sched_switch();
	panic("thread_exit: a dead thread ran again");
}

void
sched_clock(void)
{
	struct thread *td = curthread();

	if (td != NULL && !(td->td_flags & TDF_IDLE) && ++td->td_ticks >= SCHED_SLICE_TICKS)
		__atomic_or_fetch(&td->td_flags, TDF_NEEDRESCHED, __ATOMIC_RELAXED);
}

bool
sched_should_yield(void)
{
	return (curthread()->td_flags & TDF_NEEDRESCHED) != 0;
}

uint64_t
sched_online_cpumask(void)
{
	uint64_t mask = 0;
	struct pcpu *pc;

	PCPU_FOREACH(pc)
		if (__atomic_load_n(&pc->pc_online, __ATOMIC_ACQUIRE))
			mask |= 1UL << pc->pc_cpuid;
	return mask;
}

uint64_t
sched_get_cpumask(struct thread *td)
{
	uint64_t mask;

	spin_lock(&sched_lock);
	mask = td->td_cpumask;
	spin_unlock(&sched_lock);
	return mask & sched_online_cpumask();
}

void
sched_kick(struct thread *td)
{
	spin_lock(&sched_lock);
	if (td->td_state == TDS_RUNNING && td != curthread())
		cpu_send_ipi(td->td_cpu, IPI_NOP);
	spin_unlock(&sched_lock);
}

void
sched_set_cpumask(struct thread *td, uint64_t mask)
{
	KASSERT((mask & sched_online_cpumask()) != 0, ("sched_set_cpumask: no cpu in %lx", mask));
	spin_lock(&sched_lock);
	td->td_cpumask = mask;
	/* Running where it may not: have it give up the cpu at its next return to user mode. */
	if (td->td_state == TDS_RUNNING && !may_run_on(td, &pcpu_array[td->td_cpu])) {
		__atomic_or_fetch(&td->td_flags, TDF_NEEDRESCHED, __ATOMIC_RELAXED);
		if (td != curthread())
			cpu_send_ipi(td->td_cpu, IPI_NOP);
	}
	spin_unlock(&sched_lock);
}

uint64_t
sched_thread_runtime(struct thread *td, uint64_t *nvcsw, uint64_t *nivcsw)
{
	uint64_t runtime;

	spin_lock(&sched_lock);
	runtime = td->td_runtime;
	if (td->td_state == TDS_RUNNING)
		runtime += cpu_time() - pcpu_array[td->td_cpu].pc_switchtime;
	*nvcsw = td->td_nvcsw;
	*nivcsw = td->td_nivcsw;
	spin_unlock(&sched_lock);
	return runtime;
}

void
sched_load_sample(uint32_t *nrunning, uint32_t *nuninterruptible, uint32_t *nthreadsp)
{
	uint32_t running = 0;
	struct list_node *n;
	struct pcpu *pc;

	spin_lock(&sched_lock);
	list_foreach(n, &run_queue)
		running++;
	PCPU_FOREACH(pc)
		if (pc->pc_online && pc->pc_curthread != pc->pc_idlethread)
			running++;
	*nuninterruptible = nblocked;
	spin_unlock(&sched_lock);
	*nrunning = running;
	*nthreadsp = __atomic_load_n(&nthreads, __ATOMIC_RELAXED);
}

static bool sched_running;		/* (A) secondaries may enter sched_loop */

void
sched_start_secondaries(void)
{
	__atomic_store_n(&sched_running, true, __ATOMIC_RELEASE);
	for (struct pcpu *pc = &pcpu_array[1]; pc < &pcpu_array[ncpu]; pc++)
		cpu_send_ipi(pc->pc_cpuid, IPI_NOP);
}

bool
sched_is_running(void)
{
	return __atomic_load_n(&sched_running, __ATOMIC_ACQUIRE);
}
