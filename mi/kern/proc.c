/*
 * Processes: creation of init, fork (clone), exit and wait4.
 *
 * A process's pid is the tid of its first thread.  Exit leaves a zombie
 * holding only the wait status; the parent's wait4 frees it, after making
 * sure the dead thread has left its stack for good.  Children of an
 * exiting process are handed to init.  When init itself exits, the
 * machine powers off with its exit status.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/futex.h>
#include <kern/main.h>
#include <kern/malloc.h>
#include <kern/pid.h>
#include <kern/proc.h>
#include <kern/reboot.h>
#include <kern/resourcevar.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/user_return.h>
#include <kern/time.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_page_zero.h>
#include <vm/zone.h>
#include <kern/file.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/resource.h>
#include <uapi/sched.h>
#include <uapi/wait.h>

/*
 * What clone supports: a new thread in the caller's process (CLONE_THREAD
 * with the sharing it implies: kern_thread.c), a new process sharing
 * nothing (fork), or one sharing the address space with a parent that
 * waits for its exec or exit (vfork: CLONE_VM with CLONE_VFORK).  Other
 * sharing between processes (an address space without vfork, file
 * tables, working directories, handlers) is refused with EINVAL: a
 * process's threads share these, processes do not.  CLONE_SYSVSEM is
 * accepted (a process's threads share its undo lists, and there are
 * none); CLONE_DETACHED, CLONE_UNTRACED and CLONE_PTRACE are ignored, as
 * by Linux (nothing traces).
 */
#define CLONE_SUPPORTED		(CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PARENT | \
	CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | \
	CLONE_DETACHED | CLONE_UNTRACED | CLONE_PTRACE | CLONE_THREAD | CLONE_SIGHAND | \
	CLONE_FILES | CLONE_FS | CLONE_SYSVSEM)
/* Sharing only a process's threads have. */
#define CLONE_THREAD_SHARING	(CLONE_SIGHAND | CLONE_FILES | CLONE_FS)
/* clone3's argument block may be up to a page; its tail is read in words. */
#define CLONE3_MAX_SIZE		PAGE_SIZE
#define CLONE3_TAIL_WORDS	8
_Static_assert(sizeof(struct clone_args) == CLONE_ARGS_SIZE_VER2, "clone_args is Linux's");
#define WAIT4_OPTIONS	(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)


struct spinlock proc_lock = SPINLOCK_INITIALIZER("proc");
struct list_node allproc = LIST_HEAD_INIT(allproc);
struct proc *initproc;
uint64_t proc_forks;
static zone_t proc_zone;

void
proc_init(void)
{
	proc_zone = zone_create("proc", sizeof(struct proc), 16, 0);
	if (proc_zone == NULL)
		panic("proc_init: no zone");
}

struct proc *
curproc(void)
{
	return curthread()->td_proc;
}

struct proc *
proc_find(int pid)
{
	struct list_node *n;

	KASSERT(spin_owned(&proc_lock), ("proc_find: proc_lock not held"));
	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);

		if (p->p_pid == pid && p->p_state != PRS_NEW)
			return p;
	}
	return NULL;
}

static void
default_limits(struct proc *p)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->p_rlimit[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	p->p_rlimit[RLIMIT_STACK].rlim_cur = 8UL << 20;
	p->p_rlimit[RLIMIT_NOFILE] = (struct rlimit){ NOFILE_MAX, NOFILE_MAX };
	p->p_rlimit[RLIMIT_MEMLOCK] = (struct rlimit){ 8UL << 20, 8UL << 20 };
}

/* The thread of a process not yet started (which has just the one). */
static struct thread *
first_thread(struct proc *p)
{
	KASSERT(p->p_state == PRS_NEW && p->p_numthreads == 1,
	    ("first_thread: pid %d has started", p->p_pid));
	return list_entry(p->p_threads.next, struct thread, td_plist);
}

/*
 * A process with its thread, not yet runnable or visible: NULL with
 * *errorp ENOMEM, or EAGAIN when no id is free.
 */
static struct proc *
proc_alloc(const char *name, int *errorp)
{
	struct proc *p = zone_alloc(proc_zone, M_WAITOK | M_ZERO);
	struct thread *td;

	*errorp = ENOMEM;
	if (p == NULL)
		return NULL;
	if ((td = thread_new(name, errorp)) == NULL) {
		zone_free(proc_zone, p);
		return NULL;
	}
	td->td_proc = p;
	td->td_frame = (struct trapframe *)(td->td_kstack_top - sizeof(struct trapframe));
	memset(td->td_frame, 0, sizeof(*td->td_frame));
	proc_thread_init(p, td);
	p->p_pid = td->td_tid;
	p->p_state = PRS_NEW;
	p->p_start_ns = uptime_ns();
	spin_init(&p->p_timer_lock, "proc timers");
	list_init(&p->p_children);
	strlcpy(p->p_comm, name, sizeof(p->p_comm));
	return p;
}

/*
 * Free p.  Its threads have all exited (the cpus they ran on free them)
 * -- unless it never started, when its first thread is still here.
 */
static void
proc_free(struct proc *p)
{
	if (p->p_state == PRS_NEW)
		thread_free(first_thread(p));
	proc_cred_free(p);
	zone_free(proc_zone, p);
}

/* Make p visible and its thread runnable, as a child of parent. */
static void
proc_start(struct proc *p, struct proc *parent)
{
	struct thread *td = first_thread(p);

	spin_lock(&proc_lock);
	p->p_parent = parent;
	if (parent != NULL)
		list_append(&parent->p_children, &p->p_sibling);
	list_append(&allproc, &p->p_allproc);
	p->p_state = PRS_ALIVE;
	spin_unlock(&proc_lock);
	sched_add(td);
}

struct init_args {
	const char	*path;
	char *const	*argv;
	char *const	*envp;
};

static int
count_strings(char *const v[])
{
	int n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static void
init_start(void *arg)
{
	struct init_args *ia = arg;
	struct thread *td = curthread();
	int error;

	error = kern_execve(td, ia->path, ia->argv, count_strings(ia->argv), ia->envp,
	    count_strings(ia->envp));
	if (error)
		panic("cannot run init %s: error %d", ia->path, error);
	/*
	 * The counter runs from power-on.  The firmware's share varies from
	 * boot to boot (OpenSBI waits on the UART as it prints its banner).
	 */
	printf("boot: %lu instructions from kernel entry to init's first instruction "
	    "(%lu from power-on)\n", cpu_instret() - boot_instret_start, cpu_instret());
	vm_page_zero_start();
	fork_return(NULL);
}

void
proc_create_init(const char *path, char *const argv[], char *const envp[])
{
	static struct init_args ia;
	int error;
	struct proc *p = proc_alloc("init", &error);

	if (p == NULL)
		panic("proc_create_init: no memory");
	/* Kernel threads (a disk's, the syncer) may start first; pid 1 is kept for init. */
	tid_set(first_thread(p), INIT_PID);
	p->p_pid = INIT_PID;
	if ((p->p_vmspace = vmspace_alloc()) == NULL)
		panic("proc_create_init: no vmspace");
	first_thread(p)->td_vmspace = p->p_vmspace;
	default_limits(p);
	p->p_umask = 022;	/* Linux's default */
	p->p_cwd = rootvnode;
	vref(rootvnode);
	p->p_fd = filedesc_alloc();
	if (p->p_fd == NULL || (error = filedesc_open_console(p->p_fd)) != 0)
		panic("proc_create_init: cannot open the console");
	ia = (struct init_args){ path, argv, envp };
	cpu_thread_init(first_thread(p), init_start, &ia);
	initproc = p;
	proc_start(p, NULL);
}

void
fork_return(void *arg __unused)
{
	struct thread *td = curthread();

	user_return(td);
	cpu_return_to_user(td->td_frame);
}

/* Write the child's tid where CLONE_*_SETTID asked, in the given address space. */
static int
store_tid(struct thread *td, struct vmspace *vm, uint64_t uaddr, int tid)
{
	struct vmspace *saved = td->td_vmspace;
	uint32_t v = (uint32_t)tid;
	int error;

	if (vm == saved)
		return copyout(&v, (void *)uaddr, sizeof(v));
	td->td_vmspace = vm;
	pmap_activate(vm->vm_pmap);
	error = copyout(&v, (void *)uaddr, sizeof(v));
	td->td_vmspace = saved;
	pmap_activate(saved->vm_pmap);
	return error;
}

/* A copy of td's process, not yet running: NULL with *errorp ENOMEM or EAGAIN (no id). */
static struct proc *
fork_proc(struct thread *td, uint64_t flags, int *errorp)
{
	struct proc *parent = td->td_proc, *p = proc_alloc(parent->p_comm, errorp);
	struct thread *ctd;

	if (p == NULL)
		return NULL;
	*errorp = ENOMEM;
	ctd = first_thread(p);
	if (flags & CLONE_VM) {
		p->p_vmspace = parent->p_vmspace;
		__atomic_add_fetch(&p->p_vmspace->vm_refcnt, 1, __ATOMIC_RELAXED);
	} else {
		p->p_vmspace = vmspace_fork(parent->p_vmspace);
	}
	p->p_fd = filedesc_fork(parent->p_fd);
	if (p->p_vmspace == NULL || p->p_fd == NULL) {
		if (p->p_vmspace != NULL)
			vmspace_free(p->p_vmspace);
		if (p->p_fd != NULL)
			filedesc_free(p->p_fd);
		proc_free(p);
		return NULL;
	}
	ctd->td_vmspace = p->p_vmspace;
	p->p_cwd = parent->p_cwd;
	vref(p->p_cwd);
	memcpy(p->p_sigacts, parent->p_sigacts, sizeof(p->p_sigacts));
	memcpy(p->p_rlimit, parent->p_rlimit, sizeof(p->p_rlimit));
	/* The parent's parent may move it to another group meanwhile: copy under the lock. */
	spin_lock(&proc_lock);
	p->p_pgid = parent->p_pgid;
	p->p_sid = parent->p_sid;
	p->p_tty = parent->p_tty;
	p->p_exe = exe_hold(parent->p_exe);
	spin_unlock(&proc_lock);
	p->p_umask = parent->p_umask;
	proc_cred_fork(p, parent);
	ctd->td_sigmask = td->td_sigmask;
	ctd->td_cpumask = sched_get_cpumask(td);	/* affinity is inherited */
	sigstack_fork(ctd, td, (flags & CLONE_VM) && !(flags & CLONE_VFORK));
	/* The child continues from the parent's registers, including FP. */
	cpu_fork(td, ctd);
	__atomic_add_fetch(&proc_forks, 1, __ATOMIC_RELAXED);
	return p;
}

/*
 * A new thread or process as clone and clone3 ask for: its id or -errno.
 * => flags are CLONE_SUPPORTED, with the exit signal checked; stack is the
 *    child's stack pointer (0: the caller's).
 */
static long
kern_clone(struct thread *td, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls,
    uint64_t ctid)
{
	struct proc *parent = td->td_proc, *p;
	struct thread *ctd;
	int pid, error;

	if (flags & CLONE_THREAD)
		return thread_clone(td, flags, stack, ptid, tls, ctid);
	if ((flags & CLONE_THREAD_SHARING) || (flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM)
		return -EINVAL;
	if ((p = fork_proc(td, flags, &error)) == NULL)
		return -error;
	ctd = first_thread(p);
	pid = p->p_pid;
	if (stack != 0)
		cpu_set_user_sp(ctd, stack);
	if (flags & CLONE_SETTLS)
		cpu_set_user_tls(ctd, tls);
	if (flags & CLONE_CHILD_CLEARTID)
		ctd->td_clear_child_tid = ctid;
	if ((flags & CLONE_CHILD_SETTID) && store_tid(td, p->p_vmspace, ctid, pid) != 0)
		ctd->td_clear_child_tid = 0;
	if ((flags & CLONE_PARENT_SETTID) && copyout(&pid, (void *)ptid, sizeof(int)) != 0) {
		/* Linux reports the fault only through the missing tid; so do we. */
	}
	if (flags & CLONE_VFORK)
		p->p_flags |= P_PPWAIT_FLAG;
	cpu_thread_init(ctd, fork_return, NULL);
	proc_start(p, (flags & CLONE_PARENT) && parent->p_parent ? parent->p_parent : parent);
	if (flags & CLONE_VFORK) {
		spin_lock(&proc_lock);
		while (p->p_flags & P_PPWAIT_FLAG)
			sleep_on(&p->p_flags, &proc_lock);
		spin_unlock(&proc_lock);
	} else {
		sched_fork_yield();
	}
	return pid;
}

/* clone(flags, stack, ptid, tls, ctid): fork and vfork as the C library uses them. */
SYSCALL(clone)
{
	uint64_t flags = a[0];

	if ((flags & ~(uint64_t)CLONE_SUPPORTED) || (flags & CSIGNAL) > NSIG_LINUX)
		return -EINVAL;
	return kern_clone(td, flags, a[1], a[2], a[3], a[4]);
}

/*
 * clone3(args, size): clone with its arguments in a struct clone_args of
 * size bytes, as glibc's pthread_create and posix_spawn try first.  Like
 * Linux: a size below the first version is EINVAL, one beyond the page
 * or with non-zero bytes past the fields known here E2BIG; the exit
 * signal is its own field (signal bits in flags, CLONE_DETACHED, or a
 * signal with CLONE_THREAD or CLONE_PARENT are EINVAL); the stack is a
 * base and a size, both or neither, within user space.  What clone
 * cannot do (pidfds, chosen tids, cgroups) is EINVAL; the pidfd and
 * cgroup fields count only with their flags, as in Linux.
 */
SYSCALL(clone3)
{
	uint64_t uargs = a[0], size = a[1], tail[CLONE3_TAIL_WORDS];
	struct clone_args ca;
	uint64_t stack = 0;
	size_t i, known;

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > CLONE3_MAX_SIZE)
		return -E2BIG;
	memset(&ca, 0, sizeof(ca));
	known = size < sizeof(ca) ? size : sizeof(ca);
	if (copyin((void *)uargs, &ca, known) != 0)
		return -EFAULT;
	/* A newer program's fields must be unused: read what lies past ours. */
	for (i = known; i < size; i += sizeof(tail)) {
		size_t n = size - i < sizeof(tail) ? size - i : sizeof(tail);

		memset(tail, 0, sizeof(tail));
		if (copyin((void *)(uargs + i), tail, n) != 0)
			return -EFAULT;
		for (size_t w = 0; w < CLONE3_TAIL_WORDS; w++)
			if (tail[w] != 0)
				return -E2BIG;
	}
	if ((ca.flags & ~(uint64_t)CLONE_SUPPORTED) || (ca.flags & (CSIGNAL | CLONE_DETACHED)) ||
	    ca.exit_signal > NSIG_LINUX ||
	    ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal != 0))
		return -EINVAL;
	/* pidfd and cgroup count only with their flags (refused above); glibc fills pidfd. */
	if (ca.set_tid != 0 || ca.set_tid_size != 0)
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	if (ca.stack != 0) {
		if (ca.stack + ca.stack_size < ca.stack || ca.stack + ca.stack_size > USER_MAX)
			return -EINVAL;
		stack = ca.stack + ca.stack_size;	/* stacks grow down */
	}
	return kern_clone(td, ca.flags | ca.exit_signal, stack, ca.parent_tid, ca.tls,
	    ca.child_tid);
}

/* The vfork parent may go on: the child has exec'd or exited. */
void
proc_release_vfork_parent(struct proc *p)
{
	spin_lock(&proc_lock);
	if (p->p_flags & P_PPWAIT_FLAG) {
		p->p_flags &= ~P_PPWAIT_FLAG;
		wakeup(&p->p_flags);
	}
	spin_unlock(&proc_lock);
}

/* Give p's children to init.  proc_lock held. */
static void
reparent_children(struct proc *p)
{
	struct list_node *n, *tmp;
	bool zombies = false;

	list_foreach_safe(n, tmp, &p->p_children) {
		struct proc *c = list_entry(n, struct proc, p_sibling);

		list_remove(n);
		c->p_parent = initproc;
		list_append(&initproc->p_children, &c->p_sibling);
		zombies |= c->p_state == PRS_ZOMBIE;
	}
	if (zombies)
		wakeup(initproc);
}

static int
init_exit_code(int wstatus)
{
	/* As a shell would report it: the exit status, or 128 + the signal. */
	return WTERMSIG(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

void
proc_exit(int wstatus)
{
	struct thread *td = curthread();
	struct proc *p = td->td_proc;
	struct vmspace *vm = p->p_vmspace;
	struct proc_exe *exe;
	struct filedesc *fdp;

	if (p == initproc) {
		printf("init exited with status %d: powering off\n", init_exit_code(wstatus));
		vfs_shutdown();
		machine_poweroff(init_exit_code(wstatus));
	}
	KASSERT(p->p_numthreads == 1, ("proc_exit: pid %d has %u threads", p->p_pid,
	    p->p_numthreads));
	thread_clear_child_tid(td);
	proc_release_vfork_parent(p);
	proc_note_rss(p, vm);
	/* /proc/PID/fd reads another process's table under proc_lock. */
	spin_lock(&proc_lock);
	fdp = p->p_fd;
	p->p_fd = NULL;
	exe = p->p_exe;
	p->p_exe = NULL;
	spin_unlock(&proc_lock);
	filedesc_free(fdp);
	exe_release(exe);
	vrele(p->p_cwd);
	p->p_cwd = NULL;
	td->td_vmspace = NULL;
	spin_lock(&proc_lock);
	p->p_vmspace = NULL;
	spin_unlock(&proc_lock);
	/* The last reference takes the pmap off this cpu too (pmap_destroy). */
	vmspace_free(vm);		/* the child's shadows go; chains collapse */

	spin_lock(&proc_lock);
	/* Its counts go to the process, for its parent's wait4. */
	spin_lock(&p->p_threadlock);
	thread_leave(td);
	spin_unlock(&p->p_threadlock);
	jobctl_exit(p);
	reparent_children(p);
	p->p_xstat = wstatus;
	p->p_state = PRS_ZOMBIE;
	if (p->p_parent != NULL) {
		struct ksiginfo ksi = {
			.ksi_signo = SIGCHLD,
			.ksi_code = WTERMSIG(wstatus) ? CLD_KILLED : CLD_EXITED,
			.ksi_pid = p->p_pid,
			.ksi_status = WTERMSIG(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus),
		};

		wakeup(p->p_parent);
		psignal_info(p->p_parent, &ksi);
	}
	spin_unlock(&proc_lock);
	thread_exit();
}

/* exit(status): this thread ends (the process too, if it was the last). */
SYSCALL(exit)
{
	thread_exit_user(W_EXITCODE((int)(a[0] & 0xff), 0));
}

/* exit_group(status): every thread ends. */
SYSCALL(exit_group)
{
	proc_exit_group(W_EXITCODE((int)(a[0] & 0xff), 0));
}

static bool
wait_matches(struct proc *c, long pid, struct proc *parent)
{
	if (pid > 0)
		return c->p_pid == pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return c->p_pgid == parent->p_pgid;
	return c->p_pgid == -pid;
}

/*
 * A living child's stop or continuation that options ask about and
 * wait4 has not reported yet, as a wait status (taking it, so it is
 * reported once); 0 if none.  proc_lock held.
 */
static int
wait_stop_status(struct proc *c, int options)
{
	if ((options & WUNTRACED) && (c->p_flags & P_WAITSTOP)) {
		c->p_flags &= ~P_WAITSTOP;
		return W_STOPCODE(c->p_stopsig);
	}
	if ((options & WCONTINUED) && (c->p_flags & P_WAITCONT)) {
		c->p_flags &= ~P_WAITCONT;
		return W_CONTINUED;
	}
	return 0;
}

/* wait4's result: pid, with status and usage ku (NULL: none, as for a stop) written where asked. */
static long
wait_report(int pid, int status, const struct kusage *ku, uint64_t ustatus, uint64_t urusage)
{
	struct rusage rusage;

	if (ustatus != 0 && copyout(&status, (void *)ustatus, sizeof(status)) != 0)
		return -EFAULT;
	if (ku != NULL)
		kusage_to_rusage(ku, &rusage);
	else
		memset(&rusage, 0, sizeof(rusage));
	if (urusage != 0 && copyout(&rusage, (void *)urusage, sizeof(rusage)) != 0)
		return -EFAULT;
	return pid;
}

/*
 * What reaping dead child c adds to its parent's children's usage, and
 * what wait4 reports: c's own usage and its children's.  c is off every
 * list and its threads have left it; nothing locked.
 */
static void
reap_usage(struct proc *parent, struct proc *c, struct kusage *ku)
{
	struct kusage grandchildren;

	proc_usage(c, ku);
	proc_children_usage(c, &grandchildren);
	kusage_add(ku, &grandchildren);
	spin_lock(&proc_lock);
	kusage_add(&parent->p_cusage, ku);
	spin_unlock(&proc_lock);
}

/* wait4(pid, wstatus, options, rusage) */
SYSCALL(wait4)
{
	long pid = (long)a[0];
	struct proc *parent = td->td_proc;
	struct kusage ku;
	int error = 0;

	if (a[2] & ~(uint64_t)WAIT4_OPTIONS)
		return -EINVAL;
	spin_lock(&proc_lock);
	for (;;) {
		struct list_node *n;
		bool any = false;

		list_foreach(n, &parent->p_children) {
			struct proc *c = list_entry(n, struct proc, p_sibling);
			int status, cpid;

			if (!wait_matches(c, pid, parent))
				continue;
			any = true;
			if (c->p_state != PRS_ZOMBIE) {
				if ((status = wait_stop_status(c, (int)a[2])) == 0)
					continue;
				cpid = c->p_pid;
				spin_unlock(&proc_lock);
				return wait_report(cpid, status, NULL, a[1], a[3]);
			}
			list_remove(&c->p_sibling);
			list_remove(&c->p_allproc);
			status = c->p_xstat;
			cpid = c->p_pid;
			spin_unlock(&proc_lock);
			proc_wait_threads_freed(c);
			reap_usage(parent, c, &ku);
			proc_free(c);
			return wait_report(cpid, status, &ku, a[1], a[3]);
		}
		if (!any) {
			error = ECHILD;
			break;
		}
		if (a[2] & WNOHANG) {
			spin_unlock(&proc_lock);
			return 0;
		}
		/*
		 * A signal fails the call only after a last look: the child
		 * whose exit or stop sent the SIGCHLD is reported, as in Linux.
		 */
		if (error != 0)
			break;
		error = sleep_on_intr(parent, &proc_lock);
	}
	spin_unlock(&proc_lock);
	return -error;
}

SYSCALL(getpid)
{
	return td->td_proc->p_pid;
}

SYSCALL(gettid)
{
	return td->td_tid;
}

SYSCALL(getppid)
{
	struct proc *parent;
	int pid;

	spin_lock(&proc_lock);
	parent = td->td_proc->p_parent;
	pid = parent != NULL ? parent->p_pid : 0;
	spin_unlock(&proc_lock);
	return pid;
}

SYSCALL(set_tid_address)
{
	td->td_clear_child_tid = a[0];
	return td->td_tid;
}
