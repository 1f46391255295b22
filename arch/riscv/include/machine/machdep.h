/*
 * The machine interface: every hook the machine-independent kernel calls
 * where it needs to know how this machine keeps a thread's user state,
 * after FreeBSD's cpu_fetch_syscall_args() (cpu_syscall_args here),
 * cpu_set_syscall_retval(), exec_setregs(), cpu_fork(), cpu_set_user_tls()
 * and cpu_switch().
 * arch/riscv implements them: the one-line ones inline here (they sit on
 * the system call path), the rest in thread_md.c and sig_machdep.c.
 *
 * The other machine headers mi/ may include: machine/param.h (page size
 * and address-space layout), machine/cpu.h (this cpu, interrupt state,
 * counters, IPIs), machine/pcb.h (what a switched-out thread keeps) and
 * machine/vm_page_md.h (the pmap's per-page data).  The rest of machine/
 * (csr.h, pte.h, frame.h, asm.h, ucontext.h, harts.h) is the
 * architecture's own; scripts/check-layering enforces both lists.
 *
 * A thread's user state is its trap frame (td->td_frame: saved on every
 * entry from user mode, reloaded on the way back) and its floating-point
 * registers (td->td_fp, live in the cpu while it runs).  Unless a hook
 * says otherwise, td is the current thread or one that is not running,
 * and the hook only touches td's own state, so it needs no lock.
 */
#ifndef _MACHINE_MACHDEP_H_
#define _MACHINE_MACHDEP_H_

#include <kern/types.h>
#include <kern/thread.h>
#include <machine/frame.h>

/* ---- The machine's names for itself. ---- */

#define MACHINE_ARCH		"riscv64"	/* uname's machine field */
#define MACHINE_DESCRIPTION	"rv64 (Sv39)"	/* the boot banner */
#define ELF_MACHINE		243		/* EM_RISCV: programs we run */

/*
 * AT_HWCAP for the auxiliary vector: Linux's one bit per single-letter
 * ISA extension ('a' is bit 0), for what user programs may use: rv64imafdc.
 */
#define HWCAP_ISA(letter)	(1UL << ((letter) - 'a'))
#define ELF_HWCAP		(HWCAP_ISA('i') | HWCAP_ISA('m') | HWCAP_ISA('a') | \
				 HWCAP_ISA('f') | HWCAP_ISA('d') | HWCAP_ISA('c'))

/* ---- System calls (the Linux convention). ---- */

#define SYSCALL_NARGS	6

/*
 * The system call td just made: its number (a7) in *num, and its six
 * arguments (a0..a5) where they lie, one after another, in td's trap
 * frame.  Not copied: they stay put until the call itself changes td's
 * user registers (execve, rt_sigreturn, a signal handler's frame).
 */
static inline const uint64_t *
cpu_syscall_args(struct thread *td, uint64_t *num)
{
	const struct trapframe *tf = td->td_frame;

	_Static_assert(&((struct trapframe *)0)->tf_a5 - &((struct trapframe *)0)->tf_a0 ==
	    SYSCALL_NARGS - 1, "a0..a5 lie together in the frame");
	*num = tf->tf_a7;
	return &tf->tf_a0;
}

/*
 * Make td's system call instruction, when it runs again (cpu_syscall_restart),
 * call number num instead of the one it made (restart_syscall).
 */
static inline void
cpu_set_syscall_number(struct thread *td, uint64_t num)
{
	td->td_frame->tf_a7 = num;
}

/*
 * Has td's system call replaced its user registers (rt_sigreturn,
 * execve), so that its arguments and its value are no longer the call's?
 */
static inline bool
cpu_syscall_frame_replaced(struct thread *td)
{
	return (td->td_frame->tf_flags & TF_RELOAD_ALL) != 0;
}

/* What td's system call returns to user mode (a0: a value, or -errno). */
static inline void
cpu_set_syscall_retval(struct thread *td, long rv)
{
	td->td_frame->tf_a0 = (uint64_t)rv;
}

/* The value td's system call will return, as last set (or as restored by sigreturn). */
static inline long
cpu_get_syscall_retval(struct thread *td)
{
	return (long)td->td_frame->tf_a0;
}

/*
 * Make td run its system call instruction again when it returns to user
 * mode.  The caller puts the call's first argument back as the return
 * value (this machine returns in the register of the first argument).
 */
void cpu_syscall_restart(struct thread *td);

/* ---- Programs, processes and threads. ---- */

/*
 * execve: td (the current thread) starts a new program at entry with its
 * stack pointer at sp: every other register zero, user mode, interrupts
 * on, the FP registers in their initial state.
 */
void exec_setregs(struct thread *td, uint64_t entry, uint64_t sp);

/*
 * fork: child (new, never run) continues from the current thread td's
 * user registers, floating point included, except that its system call
 * returns 0.
 */
void cpu_fork(struct thread *td, struct thread *child);

/* clone: child (never run) starts on another stack, with its own TLS pointer. */
static inline void
cpu_set_user_sp(struct thread *td, uint64_t sp)
{
	td->td_frame->tf_sp = sp;
}

/* td's user stack pointer as it entered the kernel (sigaltstack asks whether it is on one). */
static inline uint64_t
cpu_get_user_sp(struct thread *td)
{
	return td->td_frame->tf_sp;
}

/* The user pc td trapped at (the kernel's log of a fatal fault names it). */
static inline uint64_t
cpu_get_user_pc(struct thread *td)
{
	return td->td_frame->tf_sepc;
}

static inline void
cpu_set_user_tls(struct thread *td, uint64_t tls)
{
	td->td_frame->tf_tp = tls;
}

/*
 * Make td, which has never run, start in fn(arg) on its own stack when
 * first switched to (with the scheduler lock held, as after cpu_switch).
 */
void cpu_thread_init(struct thread *td, void (*fn)(void *), void *arg);

/* Leave the kernel into the user context in frame (a new thread's first entry). */
void cpu_return_to_user(struct trapframe *frame) __attribute__((noreturn));

/*
 * Stop running from (the current thread) and run to; returns when some
 * cpu switches back to from.  Saves from's FP registers if it changed
 * them and loads to's (or zeros) if it has a user context: FP state is
 * switched eagerly, never on first use.  The caller holds sched_lock.
 */
void cpu_switch(struct thread *from, struct thread *to);

/* ---- Signals (sig_machdep.c). ---- */

struct ksiginfo;

/*
 * Build td's signal frame for ksi on its user stack (or on its alternate
 * signal stack if onstack asks for it: sigstack_frame_sp() in kern_sig.c
 * says where) and point its user registers at handler; mask is what
 * sigreturn will restore.  0, or EFAULT when the frame cannot be written
 * (the registers are unchanged).  rt_sigreturn gives the frame's saved
 * uc_stack back to sigstack_restore().
 */
int sendsig(struct thread *td, uint64_t handler, const struct ksiginfo *ksi,
    uint64_t mask, bool onstack);
/* Copy ksi out as the user's siginfo_t; 0 or EFAULT. */
int sig_copyout_siginfo(const struct ksiginfo *ksi, void *uaddr);
/*
 * Write the sigreturn trampoline into page (its kernel address; the page
 * is user-executable at SIGCODE_VA) and make this cpu's instruction fetch
 * see it.
 */
void sig_md_fill_sigcode(void *page);

#endif
