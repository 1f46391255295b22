/* ls: list directory entries, one per line ('/' marks directories). */
#include <dirent.h>
#include <stdio.h>

static int
list(const char *dir)
{
	struct dirent *e;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.')
			printf("%s%s\n", e->d_name, e->d_type == DT_DIR ? "/" : "");
	}
	closedir(d);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, status = 0;

	if (argc == 1)
		return list(".");
	for (i = 1; i < argc; i++)
		status |= list(argv[i]);
	return status;
}
