/* vmstat.c: counters from /proc/vmstat and /proc/meminfo. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

int
vmstat_is_sable(void)
{
	return vmstat_get("fork_pages_copied") >= 0;
}
