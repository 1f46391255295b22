/*
 * The "#!" image activator (see imgact.h): a script names the program
 * that runs it.  Linux's rules, which programs depend on: only the first
 * EXEC_HEADER_BYTES of the file count; spaces and tabs separate; the
 * interpreter's path ends at the first space, tab or NUL; everything
 * after it (trailing spaces and tabs trimmed) is one argument, not split
 * further; a line with no newline in those bytes is used as far as it
 * goes, unless that cuts the interpreter's path short.  A file shorter
 * than EXEC_HEADER_BYTES is read as if padded with NULs.
 *
 * The parsing is a pure function of the bytes, so the host tests check
 * it (tests/test_shell.c); kern_exec.c does the rest.
 */
#include <kern/systm.h>
#include <kern/imgact.h>

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool
shell_is_script(const uint8_t *hdr, size_t len)
{
	return len >= 2 && hdr[0] == '#' && hdr[1] == '!';
}

/* The first byte in [p, last] (last included) that is not blank, or NULL. */
static char *
find_nonblank(char *p, char *last)
{
	for (; p <= last; p++)
		if (!is_blank(*p))
			return p;
	return NULL;
}

/* The first blank or NUL in [p, last] (last included), or NULL. */
static char *
find_separator(char *p, char *last)
{
	for (; p <= last; p++)
		if (is_blank(*p) || *p == '\0')
			return p;
	return NULL;
}

int
shell_parse(char *hdr, size_t len, const char **interp, const char **arg)
{
	char *end, *name, *sep, *rest;

	if (!shell_is_script((const uint8_t *)hdr, len) || len < 3)
		return ENOEXEC;
	/*
	 * The line ends at its newline.  Without one it ends before the last
	 * byte read, and the interpreter's name must end (blank or NUL) in
	 * what was read: a name running off the end may be cut short.
	 */
	for (end = hdr; end < hdr + len && *end != '\n'; end++)
		;
	if (end == hdr + len) {
		char *last = hdr + len - 1;

		if ((name = find_nonblank(hdr + 2, last)) == NULL ||
		    find_separator(name, last) == NULL)
			return ENOEXEC;
		end = last;
	}
	while (is_blank(end[-1]))
		end--;
	name = find_nonblank(hdr + 2, end);
	if (name == NULL || name == end)
		return ENOEXEC;			/* no interpreter named */
	/* A NUL right after the name ends the line: no argument. */
	sep = find_separator(name, end);
	rest = sep != NULL && *sep != '\0' ? find_nonblank(sep, end) : NULL;
	*end = '\0';
	if (rest != NULL)
		*sep = '\0';
	*interp = name;
	*arg = rest;
	return 0;
}
