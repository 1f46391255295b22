/*
 * Functions shared inside arch/riscv (not part of the MI interface).
 */
#ifndef _RISCV_RISCV_H_
#define _RISCV_RISCV_H_

#include <kern/types.h>
#include <kern/platform.h>

extern struct platform platform;	/* the machine, from the device tree */
extern paddr_t kernel_pa_base;		/* where the image was loaded */

extern uint64_t boot_instret_start;	/* instret at kernel entry */


void riscv_boot(uint64_t hartid, paddr_t dtb_pa, paddr_t kernel_pa, uint64_t instret);
void pcpu_setup(uint32_t id, uint64_t hartid, vaddr_t kstack_top, vaddr_t kstack_lo);
void mp_secondary_main(void);
void mp_start_secondaries(void);
void mp_entry(void);			/* locore.S, physical entry of secondaries */

void timer_init(void);			/* per cpu */
void timer_intr(void);
bool timer_uses_sstc(void);
void ipi_intr(void);

/* Threads' FP state (thread_md.c, fpu.S). */
struct fpstate;
struct thread;
/* FP registers across switches (sstatus.FS): save if Dirty, then Off. */
void fpu_switch_out(struct thread *td);
/* Load td's FP registers (or zeros), Clean; nothing for kernel threads. */
void fpu_switch_in(struct thread *td);
void fpu_save(struct fpstate *fp);	/* FS must not be Off */
void fpu_restore(const struct fpstate *fp);
void fpu_zero(void);

void pmap_bootstrap_done(void);
void tlb_shootdown_kernel(vaddr_t va, vm_size_t size);
void icache_sync_all(void);		/* fence.i here and on every other online hart */
/* Self-tests: remote fence.i requests sent through SBI, and refused. */
void icache_sync_counts(uint64_t *sent, uint64_t *failed);
/* Remote part of a user TLB flush (size ~0: all; asid -1: no ASIDs); true if sent. */
bool tlb_shootdown_user(uint64_t cpus, vaddr_t va, vm_size_t size, int asid);
uint32_t pmap_set_asid_limit(uint32_t limit);	/* self-tests: force ASID rollovers */

/* Self-tests: run fn(arg) on another cpu, in its IPI handler (see mp.c). */
#define IPI_CALL	3
void cpu_call(uint32_t cpuid, void (*fn)(void *), void *arg);
void cpu_call_async(uint32_t cpuid, void (*fn)(void *), void *arg);
void cpu_call_wait(uint32_t cpuid);
/* fn(arg) on cpu cpuid (or here, if this is it), interrupts off; waits.  Interrupts on. */
void cpu_run_on(uint32_t cpuid, void (*fn)(void *), void *arg);

void backtrace_from(uint64_t fp, uint64_t pc);
void kernel_stack_overflow_panic(uint64_t sepc, uint64_t stval, uint64_t scause);
struct trapframe;
void trap_handler(struct trapframe *tf);	/* trap.S: every trap but a system call */

int probe_store_u8(void *addr, uint8_t val);	/* 0 or EFAULT */
int probe_load_u8(const void *addr, uint8_t *out);

extern char _start_image[], _etext[], _erodata[], _end[];
extern char boot_stack_top[];

#endif
