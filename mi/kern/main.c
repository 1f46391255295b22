/*
 * The machine-independent start of the kernel: report the machine, then
 * start the self-tests (if the command line asks for them) or init, and
 * become cpu 0's idle thread.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/cons.h>
#include <kern/crashtest.h>
#include <kern/disk.h>
#include <kern/main.h>
#include <kern/pcpu.h>
#include <kern/platform.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <kern/reboot.h>
#include <kern/selftest.h>
#include <kern/witness.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/swap_device.h>
#include <vm/vm_pageout.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>

#define SYSTEM_NAME	"Sable"


static void
print_banner(uint64_t boot_instructions)
{
	printf("%s kernel for %s, %u cpu%s, console %s\n", SYSTEM_NAME, MACHINE_DESCRIPTION,
	    ncpu, ncpu == 1 ? "" : "s", cons_name());
	printf("memory: %lu pages managed, %lu free (%lu KiB)\n",
	    vm_page_count_total(), vm_page_count_free(),
	    vm_page_count_free() * (PAGE_SIZE / 1024));
	printf("command line: \"%s\"\n", cmdline_raw());
	printf("boot: %lu instructions from kernel entry\n", boot_instructions);
}

#define INIT_MAX_ARGS	16

/*
 * The first program, as Linux names it: rdinit=PATH (default /sbin/init)
 * and the words after "--" on the command line as its arguments.
 */
static void
start_init(void)
{
	static char path[128] = "/sbin/init", args[PLAT_BOOTARGS_MAX];
	static char *argv[INIT_MAX_ARGS + 2];
	static char *envp[] = { "HOME=/", "PATH=/bin:/sbin:/tests", "TERM=vt100", NULL };
	const char *dashes = cmdline_after_dashes();
	int argc = 0;

	cmdline_get(fs_root_on_disk ? "init" : "rdinit", path, sizeof(path));
	argv[argc++] = path;
	if (dashes != NULL) {
		strlcpy(args, dashes, sizeof(args));
		for (char *p = args; *p && argc < INIT_MAX_ARGS + 1;) {
			while (*p == ' ')
				*p++ = '\0';
			if (*p == '\0')
				break;
			argv[argc++] = p;
			while (*p && *p != ' ')
				p++;
		}
	}
	argv[argc] = NULL;
	proc_create_init(path, argv, envp);
}

static void
mount_root(void)
{
	const struct platform *p = &platform;
	size_t len = p->initrd_end > p->initrd_start ? p->initrd_end - p->initrd_start : 0;

	fs_init(len ? (const void *)PHYS_TO_DMAP(p->initrd_start) : NULL, len);
}

void
mi_startup(void)
{
	uint64_t boot_instructions = cpu_instret() - boot_instret_start;
	static char selection[128];

	witness_init();
	vm_object_init();
	sched_init();
	vm_pageout_init();
	disk_init();
	syncer_init();
	proc_init();
	mount_root();
	swap_device_boot();
	print_banner(boot_instructions);
	if (cmdline_get("crash", selection, sizeof(selection)))
		crashtest(selection);
	if (cmdline_get("selftest", selection, sizeof(selection)))
		selftest_start(selection, cmdline_has("stats"));
	else
		start_init();
	sched_start_secondaries();
	sched_loop();
}
