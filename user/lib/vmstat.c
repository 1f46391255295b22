/* vmstat.c: counters from /proc/vmstat and /proc/meminfo. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tap.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

static char buf[32768];

ssize_t
read_text_file(const char *path, char *out, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	if (size == 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (len < size - 1 && (n = read(fd, out + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	out[len] = '\0';
	return (ssize_t)len;
}

int
write_text_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Finds a line starting with name followed by sep; returns the number. */
static long
lookup(const char *path, const char *name, char sep)
{
	static int buf_touched;
	size_t n = strlen(name);
	char *p;

	/*
	 * Fault the buffer in before the first reading: its zero-fill fault
	 * after the kernel made the text would change the very counters
	 * (objects, pages) being read, between a test's first and second look.
	 */
	if (!buf_touched) {
		memset(buf, 0, sizeof(buf));
		buf_touched = 1;
	}
	if (read_text_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, name, n) == 0 && p[n] == sep)
			return strtol(p + n + 1, NULL, 10);
		if (strchr(p, '\n') == NULL)
			break;
	}
	return -1;
}

int
maps_lookup(const char *path, unsigned long addr, unsigned long *lo, unsigned long *hi,
    char *perms, char *rest, size_t restsize)
{
	static char maps[65536];
	char *line, *next, *end;

	if (read_text_file(path, maps, sizeof(maps)) < 0)
		return -1;
	for (line = maps; *line != '\0'; line = next) {
		unsigned long a, b;

		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		a = strtoul(line, &end, 16);
		if (*end != '-')
			continue;
		b = strtoul(end + 1, &end, 16);
		if (*end != ' ' || addr < a || addr >= b)
			continue;
		*lo = a;
		*hi = b;
		memcpy(perms, end + 1, 4);
		perms[4] = '\0';
		if (rest != NULL && restsize > 0) {
			char *from = end + 6, *to = next;	/* past "rwxp " */
			size_t n;

			if (to > from && to[-1] == '\n')
				to--;
			n = to > from ? (size_t)(to - from) : 0;
			n = n < restsize - 1 ? n : restsize - 1;
			memcpy(rest, from, n);
			rest[n] = '\0';
		}
		return 0;
	}
	return -1;
}

long
vmstat_get(const char *name)
{
	return lookup("/proc/vmstat", name, ' ');
}

long
meminfo_get(const char *name)
{
	return lookup("/proc/meminfo", name, ':');
}

long
status_get(const char *name)
{
	return lookup("/proc/self/status", name, ':');
}

int
vmstat_is_sable(void)
{
	return vmstat_get("fork_pages_copied") >= 0;
}

long
vmcheck_problems(const char *path)
{
	return lookup(path, "problems", ' ');
}

long
vmcheck_value(const char *name)
{
	return lookup("/proc/vmcheck", name, ' ');
}

void
tap_vm_consistent(const char *after)
{
	long n = vmcheck_problems("/proc/self/vmcheck");
	char *line, *next;

	if (n < 0) {
		tap_skip("no /proc/self/vmcheck (not our kernel)");
		return;
	}
	if (n > 0)		/* buf still holds the check's text: show the problems */
		for (line = buf; (next = strchr(line, '\n')) != NULL; line = next + 1) {
			*next = '\0';
			tap_diag("vmcheck: %s", line);
		}
	tap_ok(n == 0, "the address space is consistent after %s (%ld problems)", after, n);
}

struct vm_snapshot
vm_snapshot_take(void)
{
	/*
	 * Reading /proc allocates and frees: read twice, keep the second.
	 * Later reads (/proc/vmcheck's text) may fill all of buf, whose far
	 * pages can lie in the program's bss beyond its file: touched first
	 * then, they would give it an anonymous object between the counts.
	 */
	memset(buf, 0, sizeof(buf));
	(void)meminfo_get("MemFree");
	(void)vmstat_get("objects_anon");
	return (struct vm_snapshot){ meminfo_get("MemFree"), vmstat_get("objects_anon"),
	    vmstat_get("objects_vnode"), vmstat_get("shadow_objects"),
	    vmstat_get("wired_pages") };
}

int
vm_snapshot_back(const struct vm_snapshot *before, struct vm_snapshot *after, long slack_kb)
{
	for (int tries = 0; tries < 20; tries++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		*after = vm_snapshot_take();
		if (after->free_kb >= before->free_kb - slack_kb && after->anon == before->anon &&
		    after->vnode == before->vnode && after->shadows == before->shadows &&
		    after->wired == before->wired)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}
