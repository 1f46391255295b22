/* probe.c: touch memory with SIGSEGV/SIGBUS caught, for the tests. */
#include <probe.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>

static sigjmp_buf probe_env;
static struct fault probe_last;

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	probe_last.signo = sig;
	probe_last.code = si->si_code;
	probe_last.addr = si->si_addr;
	siglongjmp(probe_env, 1);
}

enum access { READ, WRITE, CALL };

/* Performs one access to addr with the fault handlers installed. */
static int
probe(volatile char *addr, enum access how, char value, struct fault *f)
{
	struct sigaction sa, old_segv, old_bus;

	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	probe_last.signo = 0;
	probe_last.code = 0;
	probe_last.addr = NULL;
	if (sigsetjmp(probe_env, 1) == 0) {
		if (how == WRITE)
			*addr = value;
		else if (how == READ)
			(void)*addr;
		else
			((void (*)(void))addr)();
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	if (f != NULL)
		*f = probe_last;
	return probe_last.signo;
}

int
probe_read(const volatile void *addr, struct fault *f)
{
	return probe((volatile char *)addr, READ, 0, f);
}

int
probe_write(volatile void *addr, char value, struct fault *f)
{
	return probe(addr, WRITE, value, f);
}

int
probe_call(void *addr, struct fault *f)
{
	return probe(addr, CALL, 0, f);
}
