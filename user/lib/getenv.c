/* getenv.c: look a name up in the environment. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
getenv(const char *name)
{
	size_t n = strlen(name);
	char **e;

	if (environ == NULL)
		return NULL;
	for (e = environ; *e != NULL; e++) {
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	}
	return NULL;
}
