/*
 * Trap dispatch: interrupts go to their handlers, faults that a probe
 * expected resume at the thread's recovery address, and anything else in
 * the kernel is a panic with the full register state and a backtrace.
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/intr.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/user_return.h>
#include <machine/asm.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/frame.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include "riscv.h"

_Static_assert(offsetof(struct pcpu, pc_scratch) == PC_SCRATCH, "pcpu layout");
_Static_assert(offsetof(struct pcpu, pc_kstack_top) == PC_KSTACK_TOP, "pcpu layout");
_Static_assert(offsetof(struct pcpu, pc_kstack_lo) == PC_KSTACK_LO, "pcpu layout");
_Static_assert(offsetof(struct pcpu, pc_panic_stack) == PC_PANIC_STACK, "pcpu layout");
_Static_assert(offsetof(struct pcpu, pc_curthread) == PC_CURTHREAD, "pcpu layout");
_Static_assert(offsetof(struct thread, td_onfault) == TD_ONFAULT, "thread layout");
_Static_assert(offsetof(struct thread, td_frame) == TD_FRAME, "thread layout");
_Static_assert(offsetof(struct thread, td_switch) == TD_SWITCH, "thread layout");
_Static_assert(offsetof(struct trapframe, tf_sepc) == TF_SEPC, "frame layout");
_Static_assert(offsetof(struct trapframe, tf_scause) == TF_SCAUSE, "frame layout");
_Static_assert(offsetof(struct trapframe, tf_flags) == TF_FLAGS, "frame layout");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "frame layout");

static const char *const exception_names[] = {
	[EXC_INST_MISALIGNED] = "instruction address misaligned",
	[EXC_INST_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "load address misaligned",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "store address misaligned",
	[EXC_STORE_ACCESS] = "store access fault",
	[EXC_ECALL_U] = "environment call from U-mode",
	[EXC_ECALL_S] = "environment call from S-mode",
	[EXC_INST_PAGE_FAULT] = "instruction page fault",
	[EXC_LOAD_PAGE_FAULT] = "load page fault",
	[EXC_STORE_PAGE_FAULT] = "store page fault",
};

static const char *
exception_name(uint64_t cause)
{
	if (cause < nitems(exception_names) && exception_names[cause] != NULL)
		return exception_names[cause];
	return "unknown exception";
}

static void
dump_registers(const struct trapframe *tf)
{
	static const char *const names[31] = {
		"ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
		"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4",
		"s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5",
		"t6",
	};

	printf("sepc %016lx sstatus %016lx stval %016lx scause %016lx\n",
	    tf->tf_sepc, tf->tf_sstatus, tf->tf_stval, tf->tf_scause);
	for (int i = 0; i < 31; i++)
		printf("%3s %016lx%s", names[i], tf->tf_x[i],
		    (i % 4 == 3 || i == 30) ? "\n" : "  ");
}

static bool
is_fault(uint64_t cause)
{
	switch (cause) {
	case EXC_LOAD_ACCESS:
	case EXC_STORE_ACCESS:
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
	case EXC_INST_PAGE_FAULT:
		return true;
	default:
		return false;
	}
}

static vm_prot_t
fault_access(uint64_t cause)
{
	switch (cause) {
	case EXC_STORE_PAGE_FAULT:
		return VM_PROT_WRITE;
	case EXC_INST_PAGE_FAULT:
		return VM_PROT_EXECUTE;
	default:
		return VM_PROT_READ;
	}
}

static bool
is_page_fault(uint64_t cause)
{
	return cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT ||
	    cause == EXC_INST_PAGE_FAULT;
}

/*
 * Resolve a copy helper's fault on user memory.  The helpers run with
 * interrupts on and no spin lock held (witness checks them), so the
 * fault runs with interrupts on as well: it may sleep, for a busy page,
 * for memory, for a pager's I/O.
 */
static int
copy_fault(struct thread *td, struct trapframe *tf)
{
	int error;

	KASSERT(tf->tf_sstatus & SSTATUS_SPIE, ("copy_fault: user memory touched with "
	    "interrupts off, at %lx", tf->tf_sepc));
	intr_enable();
	error = vm_fault(&td->td_vmspace->vm_map, tf->tf_stval, fault_access(tf->tf_scause), 0);
	intr_disable();
	return error;
}

static void
kernel_exception(struct trapframe *tf)
{
	struct thread *td = curcpu()->pc_curthread;
	uint64_t cause = tf->tf_scause;

	/*
	 * A copy helper touching user memory: resolve the fault in the
	 * thread's address space, and only if that fails take the helper's
	 * recovery path (EFAULT).
	 */
	if (is_page_fault(cause) && tf->tf_stval < USER_MAX && td != NULL &&
	    td->td_onfault != 0 && td->td_vmspace != NULL &&
	    (tf->tf_sstatus & SSTATUS_SUM) && copy_fault(td, tf) == 0)
		return;
	if (is_fault(cause) && td != NULL && td->td_onfault != 0) {
		tf->tf_sepc = td->td_onfault;
		return;
	}
	printf("\nkernel trap: %s at pc %lx, address %lx, cpu %u\n",
	    exception_name(cause), tf->tf_sepc, tf->tf_stval, cpu_id());
	dump_registers(tf);
	backtrace_from(tf->tf_s0, tf->tf_sepc);
	panic("fatal kernel trap: %s", exception_name(cause));
}

static void
interrupt(struct trapframe *tf)
{
	uint64_t irq = tf->tf_scause & ~SCAUSE_INTR;

	/* The lock checker needs to know: nothing here may sleep. */
	curcpu()->pc_intr_depth++;
	switch (irq) {
	case IRQ_S_TIMER:
		timer_intr();
		hardclock(!(tf->tf_sstatus & SSTATUS_SPP));
		break;
	case IRQ_S_SOFT:
		csr_clear(sip, SIE_SSIE);
		ipi_intr();
		break;
	case IRQ_S_EXT:
		curcpu()->pc_intrs++;
		intr_dispatch();
		break;
	default:
		panic("unexpected interrupt %lu", irq);
	}
	curcpu()->pc_intr_depth--;
}

/* A page fault in user mode: resolve it, or turn it into a signal. */
static void
user_page_fault(struct thread *td, struct trapframe *tf)
{
	struct vmspace *vm = td->td_vmspace;
	int error;

	error = vm_fault(&vm->vm_map, tf->tf_stval, fault_access(tf->tf_scause), 0);
	switch (error) {
	case 0:
		break;
	case EACCES:
		trapsignal(td, SIGSEGV, SEGV_ACCERR, tf->tf_stval);
		break;
	case EIO:
		trapsignal(td, SIGBUS, BUS_ADRERR, tf->tf_stval);
		break;
	case ENOMEM:
		/* No memory for a mapped page: killed, as Linux's OOM killer does. */
		sigexit(td, SIGKILL);
		break;
	default:
		trapsignal(td, SIGSEGV, SEGV_MAPERR, tf->tf_stval);
		break;
	}
}

static void
user_exception(struct thread *td, struct trapframe *tf)
{
	uint64_t cause = tf->tf_scause;

	intr_enable();
	switch (cause) {
	case EXC_INST_PAGE_FAULT:
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
		user_page_fault(td, tf);
		break;
	case EXC_INST_ACCESS:
	case EXC_LOAD_ACCESS:
	case EXC_STORE_ACCESS:
		trapsignal(td, SIGSEGV, SEGV_ACCERR, tf->tf_stval);
		break;
	case EXC_ILLEGAL:
		trapsignal(td, SIGILL, ILL_ILLOPC, tf->tf_sepc);
		break;
	case EXC_BREAKPOINT:
		trapsignal(td, SIGTRAP, 1, tf->tf_sepc);
		break;
	case EXC_INST_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		trapsignal(td, SIGBUS, 1, tf->tf_stval);
		break;
	default:
		trapsignal(td, SIGILL, ILL_ILLOPC, tf->tf_sepc);
		break;
	}
}

void
trap_handler(struct trapframe *tf)
{
	struct thread *td;

	if (tf->tf_sstatus & SSTATUS_SPP) {
		if (tf->tf_scause & SCAUSE_INTR)
			interrupt(tf);
		else
			kernel_exception(tf);
		return;
	}
	td = curthread();
	KASSERT(tf == td->td_frame, ("user trap frame %p is not the thread's", tf));
	if (tf->tf_scause & SCAUSE_INTR)
		interrupt(tf);
	else
		user_exception(td, tf);
	user_return(td);
}

void
kernel_stack_overflow_panic(uint64_t sepc, uint64_t stval, uint64_t scause)
{
	panic("kernel stack overflow on cpu %u: pc %lx, address %lx, scause %lx",
	    cpu_id(), sepc, stval, scause);
}
