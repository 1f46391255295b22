/* umount: unmount the file systems mounted on each DIR. */
#include <stdio.h>
#include <sys/mount.h>

int
main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		dprintf(2, "usage: umount DIR...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (umount(argv[i]) != 0) {
			perror(argv[i]);
			status = 1;
		}
	}
	return status;
}
