/*
 * panic: stop the other cpus, say why, show where, power off -- or, with
 * "panic=0" on the command line (Linux's "never reboot"), stay stopped so
 * a debugger can look at the corpse (scripts/debug asks for that).
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/cons.h>
#include <kern/reboot.h>
#include <machine/cpu.h>

static uint32_t panic_cpu = UINT32_MAX;

/* Does the command line say "panic=0": wait forever rather than power off? */
static bool
panic_waits(void)
{
	char value[8];

	return cmdline_get("panic", value, sizeof(value)) && strcmp(value, "0") == 0;
}

static void __noreturn
vpanic(const char *prefix, const char *fmt, va_list ap)
{
	uint32_t me, expected = UINT32_MAX;

	intr_disable();
	me = cpu_id();
	if (!__atomic_compare_exchange_n(&panic_cpu, &expected, me, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) && expected != me) {
		/* Another cpu is already panicking: let it report. */
		cpu_halt();
	}
	cpu_stop_others();
	cons_enter_panic();
	printf("\n%s", prefix);
	vprintf(fmt, ap);
	printf("\ncpu %u\n", me);
	cpu_backtrace();
	if (panic_waits()) {
		printf("panic=0: halted for the debugger\n");
		cpu_halt();
	}
	machine_poweroff(POWEROFF_PANIC);
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic("panic: ", fmt, ap);
}

void
kassert_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic("panic: assertion failed: ", fmt, ap);
}
