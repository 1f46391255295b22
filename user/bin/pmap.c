/*
 * pmap: print a process's memory map (default: its own), each line
 * prefixed with the mapping's size, then the total.  On our kernel it
 * reads /proc/PID/vmmap, which also shows the object behind each mapping
 * and the depth of its shadow chain; elsewhere /proc/PID/maps.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Prints one maps line with its size; returns the size in bytes. */
static unsigned long
print_line(char *line)
{
	char *end;
	unsigned long start, stop;

	start = strtoul(line, &end, 16);
	if (end == line || (*end != '-' && *end != ' ')) {
		printf("%8s   %s\n", "size", line);	/* a header */
		return 0;
	}
	stop = strtoul(end + 1, NULL, 16);
	printf("%8luK  %s\n", (stop - start) / 1024, line);
	return stop - start;
}

int
main(int argc, char **argv)
{
	static char buf[256 * 1024];
	char path[64], *line, *nl;
	unsigned long total = 0;
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/vmmap", argc > 1 ? argv[1] : "self");
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%s/maps", argc > 1 ? argv[1] : "self");
		fd = open(path, O_RDONLY);
	}
	if (fd < 0) {
		perror(path);
		return 1;
	}
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		total += print_line(line);
		if (nl == NULL)
			break;
	}
	printf("%8luK  total\n", total / 1024);
	return 0;
}
