/*
 * The machine-independent start of the kernel: report the machine, run
 * the self-tests if asked, then (until user space exists) power off.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/cons.h>
#include <kern/crashtest.h>
#include <kern/main.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <kern/reboot.h>
#include <kern/selftest.h>
#include <machine/cpu.h>
#include <vm/vm_page.h>
#include <vm/zone.h>

#define SYSTEM_NAME	"Sable"

extern uint64_t boot_instret_start;

static void
print_banner(uint64_t boot_instructions)
{
	printf("%s kernel for rv64 (Sv39), %u cpu%s, console %s\n", SYSTEM_NAME,
	    ncpu, ncpu == 1 ? "" : "s", cons_name());
	printf("memory: %lu pages managed, %lu free (%lu KiB)\n",
	    vm_page_count_total(), vm_page_count_free(),
	    vm_page_count_free() * (PAGE_SIZE / 1024));
	printf("command line: \"%s\"\n", cmdline_raw());
	printf("boot: %lu instructions from kernel entry\n", boot_instructions);
}

void
mi_startup(void)
{
	uint64_t boot_instructions = cpu_instret() - boot_instret_start;
	char selection[128];
	int failed;

	print_banner(boot_instructions);
	if (cmdline_get("crash", selection, sizeof(selection)))
		crashtest(selection);
	if (cmdline_get("selftest", selection, sizeof(selection))) {
		failed = selftest_run(selection);
		if (cmdline_has("stats")) {
			zone_print_stats();
			malloc_print_stats();
		}
		machine_poweroff(failed ? POWEROFF_TESTS_FAILED : POWEROFF_SUCCESS);
	}
	printf("no user space yet: powering off\n");
	machine_poweroff(POWEROFF_SUCCESS);
}
