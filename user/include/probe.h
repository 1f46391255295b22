/*
 * probe.h: touch an address and report whether it faulted.
 *
 * The probes catch SIGSEGV and SIGBUS with sigaction, jump back with
 * siglongjmp, and restore the previous handlers before returning.
 */
#ifndef _PROBE_H
#define _PROBE_H

struct fault {
	int signo;		/* 0 if the access did not fault */
	int code;		/* si_code */
	void *addr;		/* si_addr */
};

/* Each returns the signal number (0 if none) and fills *f if not NULL. */
int probe_read(const volatile void *addr, struct fault *f);
int probe_write(volatile void *addr, char value, struct fault *f);
/* Calls addr as a function taking and returning nothing. */
int probe_call(void *addr, struct fault *f);

#endif
