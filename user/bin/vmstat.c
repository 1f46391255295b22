/*
 * vmstat: print the VM counters.
 *
 * With no arguments prints /proc/vmstat and /proc/meminfo; with names
 * prints just those /proc/vmstat counters.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <vmstat.h>

static int
cat(const char *path)
{
	char buf[1024];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	printf("==> %s <==\n", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		write(1, buf, n);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, status = 0;
	long v;

	if (argc == 1)
		return cat("/proc/vmstat") | cat("/proc/meminfo");
	for (i = 1; i < argc; i++) {
		v = vmstat_get(argv[i]);
		if (v < 0) {
			printf("%s missing\n", argv[i]);
			status = 1;
		} else {
			printf("%s %ld\n", argv[i], v);
		}
	}
	return status;
}
