/* setjmp.h: non-local jumps; sigsetjmp also saves the signal mask. */
#ifndef _SETJMP_H
#define _SETJMP_H

#include <sys/ucontext.h>

/* ra, sp, s0-s11, fs0-fs11, then the saved-mask flag and the mask. */
typedef struct {
	unsigned long __regs[26];
	unsigned long __mask_saved;
	sigset_t __mask;
} jmp_buf[1];
typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));
int sigsetjmp(sigjmp_buf env, int savemask) __attribute__((returns_twice));
void siglongjmp(sigjmp_buf env, int val) __attribute__((noreturn));

#endif
