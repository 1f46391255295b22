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
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/zone.h>

struct spinlock sched_lock = SPINLOCK_INITIALIZER("sched");
static struct list_node run_queue = LIST_HEAD_INIT(run_queue);		/* (S) */
static struct list_node sleep_queue = LIST_HEAD_INIT(sleep_queue);	/* (S) */
static zone_t thread_zone;
static int next_tid = 1;		/* (A) */

void
sched_init(void)
{
	thread_zone = zone_create("thread", sizeof(struct thread), 16, 0);
	if (thread_zone == NULL)
		panic("sched_init: no zone");
}

struct thread *
thread_alloc(const char *name)
{
	struct thread *td = zone_alloc(thread_zone, M_WAITOK | M_ZERO);
	vaddr_t top;

	if (td == NULL)
		return NULL;
	if ((top = kstack_alloc(M_WAITOK)) == 0) {
		zone_free(thread_zone, td);
		return NULL;
	}
	td->td_kstack_top = top;
	td->td_kstack_lo = top - ptoa(KSTACK_PAGES);
	td->td_name = name;
	td->td_tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	td->td_state = TDS_NEW;
	return td;
}

void
thread_free(struct thread *td)
{
	KASSERT(td->td_state == TDS_DEAD || td->td_state == TDS_NEW,
	    ("thread_free: thread %d is still alive", td->td_tid));
	kstack_free(td->td_kstack_top);
	zone_free(thread_zone, td);
}

struct thread *
thread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *td = thread_alloc(name);

	if (td == NULL)
		return NULL;
	cpu_thread_init(td, fn, arg);
	sched_add(td);
	return td;
}

/* Wake an idle cpu, if there is one, to look at the run queue. Sched lock held. */
static void
kick_idle_cpu(void)
{
	struct pcpu *pc;

	PCPU_FOREACH(pc) {
		if (pc != curcpu() && pc->pc_online &&
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
	kick_idle_cpu();
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
	cpu_switch(idle, td);
	/*
	 * The idle thread keeps td's address space loaded, lazily, for the
	 * next thread: if it is td again, or of the same process, nothing
	 * needs switching (pmap_destroy takes a dying one off this cpu).
	 */
	pc = curcpu();
	pc->pc_curthread = idle;
	pc->pc_kstack_top = idle->td_kstack_top;
	pc->pc_kstack_lo = idle->td_kstack_lo;
}

void
sched_loop(void)
{
	struct pcpu *pc = curcpu();

	pc->pc_idlethread = pc->pc_curthread;
	pc->pc_idlethread->td_flags |= TDF_IDLE;
	for (;;) {
		struct thread *td = NULL, *dead = NULL;
		struct list_node *n;

		intr_enable();
		spin_lock(&sched_lock);
		if ((n = list_first(&run_queue)) != NULL) {
			list_remove(n);
			td = list_entry(n, struct thread, td_runq);
			run_thread(curcpu(), td);
			if (td->td_state == TDS_DEAD && td->td_proc == NULL)
				dead = td;
		}
		spin_unlock(&sched_lock);
		if (dead != NULL)
			thread_free(dead);
		if (td == NULL)
			cpu_wait_for_interrupt();
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

void
thread_exit(void)
{
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

void
sleep_on(const void *chan, struct spinlock *lk)
{
	struct thread *td = curthread();

	if (lk != &sched_lock) {
		spin_lock(&sched_lock);
		spin_unlock(lk);
	}
	td->td_wchan = chan;
	td->td_state = TDS_SLEEPING;
	list_append(&sleep_queue, &td->td_runq);
	sched_switch();
	td->td_wchan = NULL;
	if (lk != &sched_lock) {
		spin_unlock(&sched_lock);
		spin_lock(lk);
	}
}

int
sleep_on_intr(const void *chan, struct spinlock *lk)
{
	struct thread *td = curthread();

	if (lk != &sched_lock) {
		spin_lock(&sched_lock);
		spin_unlock(lk);
	}
	/* Checked under sched_lock, which psignal takes to wake us: no lost wakeup. */
	if (signal_pending(td)) {
		if (lk != &sched_lock) {
			spin_unlock(&sched_lock);
			spin_lock(lk);
		}
		return EINTR;
	}
	td->td_wchan = chan;
	td->td_state = TDS_SLEEPING;
	td->td_flags |= TDF_SLEEPINTR;
	list_append(&sleep_queue, &td->td_runq);
	sched_switch();
	td->td_flags &= ~TDF_SLEEPINTR;
	td->td_wchan = NULL;
	if (lk != &sched_lock) {
		spin_unlock(&sched_lock);
		spin_lock(lk);
	}
	return signal_pending(td) ? EINTR : 0;
}

void
sched_signal_thread(struct thread *td)
{
	spin_lock(&sched_lock);
	if (td->td_state == TDS_SLEEPING && (td->td_flags & TDF_SLEEPINTR)) {
		list_remove(&td->td_runq);
		make_runnable(td);
	}
	spin_unlock(&sched_lock);
}

static void
wake(const void *chan, bool all)
{
	struct list_node *n, *tmp;

	spin_lock(&sched_lock);
	list_foreach_safe(n, tmp, &sleep_queue) {
		struct thread *td = list_entry(n, struct thread, td_runq);

		if (td->td_wchan != chan)
			continue;
		list_remove(n);
		make_runnable(td);
		if (!all)
			break;
	}
	spin_unlock(&sched_lock);
}

void
wakeup(const void *chan)
{
	wake(chan, true);
}

void
wakeup_one(const void *chan)
{
	wake(chan, false);
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
