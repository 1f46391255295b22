/*
 * mount: mount a file system, or list the mounted ones.
 *   mount                              print /proc/mounts
 *   mount [-t TYPE] [-o ro|rw] SOURCE DIR
 * TYPE defaults to ext2 (the only disk file system).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int
usage(void)
{
	dprintf(2, "usage: mount [-t TYPE] [-o ro|rw] SOURCE DIR\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *type = "ext2";
	unsigned long flags = 0;
	char buf[4096];
	ssize_t n;
	int i = 1, fd;

	if (argc == 1) {
		if ((fd = open("/proc/mounts", O_RDONLY)) < 0) {
			perror("/proc/mounts");
			return 1;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			write(1, buf, (size_t)n);
		close(fd);
		return 0;
	}
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-t") == 0)
			type = argv[i + 1];
		else if (strcmp(argv[i], "-o") == 0 && strcmp(argv[i + 1], "ro") == 0)
			flags |= MS_RDONLY;
		else if (strcmp(argv[i], "-o") != 0 || strcmp(argv[i + 1], "rw") != 0)
			return usage();
	}
	if (argc - i != 2)
		return usage();
	if (mount(argv[i], argv[i + 1], type, flags, NULL) != 0) {
		perror("mount");
		return 1;
	}
	return 0;
}
