/*
 * pmap: print a process's memory map (default: its own), each line
 * prefixed with the mapping's size, then the total.  On our kernel it
 * reads /proc/PID/vmmap, which also shows the object behind each mapping
 * and the depth of its shadow chain; elsewhere /proc/PID/maps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vmstat.h>

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

	snprintf(path, sizeof(path), "/proc/%s/vmmap", argc > 1 ? argv[1] : "self");
	if (read_text_file(path, buf, sizeof(buf)) < 0) {
		snprintf(path, sizeof(path), "/proc/%s/maps", argc > 1 ? argv[1] : "self");
		if (read_text_file(path, buf, sizeof(buf)) < 0) {
			perror(path);
			return 1;
		}
	}
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
