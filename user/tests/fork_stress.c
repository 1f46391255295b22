/* fork_stress: many fork/exit/wait cycles leave no zombies and leak no memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define CYCLES 1000

/* Forks n children one at a time; each exits with (i & 0x7f). */
static int
cycles(int n, char *touch)
{
	int i, st, bad = 0;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (touch != NULL)
				touch[(i % 16) * PGSZ] = (char)i;
			_exit(i & 0x7f);
		}
		if (wait4(pid, &st, 0, NULL) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != (i & 0x7f))
			bad++;
	}
	return bad;
}

/* The text of a /proc file (at most cap-1 bytes), for diagnostics. */
static void
snapshot(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	buf[0] = '\0';
	if (fd < 0)
		return;
	while (len < (ssize_t)cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd);
}

/* Print a snapshot as TAP comments. */
static void
print_snapshot(const char *title, const char *text)
{
	printf("# %s\n# ", title);
	for (const char *c = text; *c; c++)
		printf(c[0] == '\n' && c[1] ? "\n# " : "%c", *c);
	printf("\n");
}

/* Slab pages a run may leave fragmented without having leaked anything. */
#define SLAB_SLACK_KB	16

/* The free-page count after the zone caches have settled. */
static long
settled_free(void)
{
	int i;

	for (i = 0; i < 10; i++)
		sched_yield();
	return meminfo_get("MemFree");
}

int
main(void)
{
	char *region = map_pages(16);
	long before, after, objects_before, shadows_before;
	int i, st, bad;
	pid_t pid;

	tap_plan(7);
	bad = cycles(CYCLES, NULL);
	tap_ok(bad == 0,
	    "%d fork/exit/wait cycles, exit statuses right (%d bad)", CYCLES,
	    bad);
	for (i = 0; i < 16; i++)
		region[i * PGSZ] = 1;
	bad = cycles(200, region);
	tap_ok(bad == 0,
	    "200 cycles where each child takes a COW fault (%d bad)", bad);
	for (i = 0; i < 50; i++) {
		pid = fork();
		if (pid == 0) {
			pid = fork();
			if (pid == 0)
				_exit(3);
			_exit(waitpid(pid, &st, 0) == pid &&
			    WEXITSTATUS(st) == 3 ? 0 : 1);
		}
		if (waitpid(pid, &st, 0) != pid || st != 0)
			break;
	}
	tap_ok(i == 50, "50 children each fork and reap a grandchild");
	for (i = 0; i < 100; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			break;
	}
	for (bad = 0; i > 0; i--) {
		if (wait4(-1, &st, 0, NULL) < 0 || st != 0)
			bad++;
	}
	tap_ok(bad == 0, "100 children alive at once, all reaped");
	tap_ok(wait4(-1, &st, WNOHANG, NULL) == -1 && errno == ECHILD,
	    "no children left behind");
	if (!vmstat_is_sable()) {
		tap_skip("free-page accounting is checked on our kernel only");
		tap_skip("object counts are checked on our kernel only");
	} else {
		static char zones_before[8192], zones_after[8192];
		static char maps_before[4096], maps_after[4096];
		static char vm_before[4096], vm_after[4096];

		/* Touch the diagnostic buffers now: faulting them in later would look like a leak. */
		memset(zones_before, 0, sizeof(zones_before));
		memset(zones_after, 0, sizeof(zones_after));
		memset(maps_before, 0, sizeof(maps_before));
		memset(maps_after, 0, sizeof(maps_after));
		memset(vm_before, 0, sizeof(vm_before));
		memset(vm_after, 0, sizeof(vm_after));
		cycles(50, region);		/* warm the caches */
		objects_before = vmstat_get("objects_anon");
		shadows_before = vmstat_get("shadow_objects");
		before = settled_free();
		snapshot("/proc/zoneinfo", zones_before, sizeof(zones_before));
		snapshot("/proc/self/maps", maps_before, sizeof(maps_before));
		snapshot("/proc/vmstat", vm_before, sizeof(vm_before));
		cycles(CYCLES, region);
		/*
		 * A leak loses at least a page a cycle: a thousand pages here.
		 * What may legitimately stay behind is slab fragmentation: on
		 * several cpus a long-lived kernel object (say a radix node of
		 * an initramfs file) can land in a fresh slab page while an
		 * older slab keeps its free items, so a page or two may differ
		 * (/proc/zoneinfo shows which).  Reading /proc/meminfo also
		 * allocates; read again for a while before judging.
		 */
		after = settled_free();
		for (int tries = 0; tries < 20 && after < before - SLAB_SLACK_KB; tries++) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			after = settled_free();
		}
		if (after < before - SLAB_SLACK_KB) {
			snapshot("/proc/zoneinfo", zones_after, sizeof(zones_after));
			snapshot("/proc/self/maps", maps_after, sizeof(maps_after));
			snapshot("/proc/vmstat", vm_after, sizeof(vm_after));
			print_snapshot("zones before", zones_before);
			print_snapshot("zones after", zones_after);
			print_snapshot("maps before", maps_before);
			print_snapshot("maps after", maps_after);
			print_snapshot("vmstat before", vm_before);
			print_snapshot("vmstat after", vm_after);
		}
		tap_ok(vmstat_get("objects_anon") == objects_before &&
		    vmstat_get("shadow_objects") == shadows_before,
		    "object counts back where they were (anonymous %ld -> %ld, shadows %ld -> %ld)",
		    objects_before, vmstat_get("objects_anon"), shadows_before,
		    vmstat_get("shadow_objects"));
		tap_ok(after >= before - SLAB_SLACK_KB && before > 0,
		    "no memory lost in %d more cycles (MemFree %ld -> %ld kB, slab slack 16 kB)",
		    CYCLES, before, after);
	}
	return tap_done();
}
