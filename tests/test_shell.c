/*
 * Host unit test for the "#!" line parser (mi/kern/imgact_shell.c), TAP
 * output.  Each case is what Linux's binfmt_script makes of the same
 * first EXEC_HEADER_BYTES of a file (zero-padded when the file is
 * shorter): the interpreter, its one argument, or ENOEXEC.
 */
#include <stdio.h>
#include <string.h>

#include <kern/systm.h>
#include <kern/imgact.h>

#include "host/tap.h"

struct shell_case {
	const char	*what;
	const char	*text;		/* the file's start (NUL-padded) */
	size_t		textlen;	/* 0: strlen(text) */
	int		error;
	const char	*interp;
	const char	*arg;		/* NULL: none */
};

static const struct shell_case cases[] = {
	{ "a plain interpreter", "#!/bin/sh\necho hi\n", 0, 0, "/bin/sh", NULL },
	{ "one argument", "#!/bin/sh -x\n", 0, 0, "/bin/sh", "-x" },
	{ "the rest of the line is one argument", "#!/usr/bin/env python3 -u -B\n", 0, 0,
	  "/usr/bin/env", "python3 -u -B" },
	{ "blanks before the name and around the argument", "#! \t/bin/sh \t -e  \t\n", 0, 0,
	  "/bin/sh", "-e" },
	{ "trailing blanks are no argument", "#!/bin/sh \t \nexit\n", 0, 0, "/bin/sh", NULL },
	{ "a tab separates", "#!/bin/sh\t-v\n", 0, 0, "/bin/sh", "-v" },
	{ "a relative interpreter", "#!interp arg\n", 0, 0, "interp", "arg" },
	{ "no newline in a short file", "#!/bin/sh -x", 0, 0, "/bin/sh", "-x" },
	{ "a carriage return belongs to the argument", "#!/bin/sh -x\r\n", 0, 0, "/bin/sh",
	  "-x\r" },
	{ "a NUL right after the name: no argument", "#!/bin/sh\0 -x\n", 14, 0, "/bin/sh",
	  NULL },
	{ "a NUL inside the argument ends it", "#!/bin/sh -x\0junk\n", 18, 0, "/bin/sh", "-x" },
	{ "only #!", "#!\n", 0, ENOEXEC, NULL, NULL },
	{ "only blanks", "#!  \t \n", 0, ENOEXEC, NULL, NULL },
	/* Linux then looks up "" and fails with ENOENT. */
	{ "nothing after #! in the file: an empty name", "#!", 0, 0, "", NULL },
	{ "not a script", "#/bin/sh\n", 0, ENOEXEC, NULL, NULL },
	{ "an ELF file", "\177ELF\2\1\1", 0, ENOEXEC, NULL, NULL },
};

/* Run one case on a NUL-padded copy of EXEC_HEADER_BYTES, as execve reads it. */
static bool
run_case(const struct shell_case *c)
{
	char hdr[EXEC_HEADER_BYTES + 1];
	size_t len = c->textlen != 0 ? c->textlen : strlen(c->text);
	const char *interp = "unset", *arg = "unset";
	int error;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, c->text, len);
	error = shell_parse(hdr, EXEC_HEADER_BYTES, &interp, &arg);
	if (error != c->error)
		return false;
	if (error != 0)
		return true;
	if (strcmp(interp, c->interp) != 0)
		return false;
	return c->arg == NULL ? arg == NULL : arg != NULL && strcmp(arg, c->arg) == 0;
}

/* A first line longer than what is read: "#!" + name + " " + argument, no newline. */
static int
parse_long(size_t name_len, const char **interp, const char **arg, char *hdr)
{
	memset(hdr, 'a', EXEC_HEADER_BYTES);
	hdr[EXEC_HEADER_BYTES] = '\0';
	hdr[0] = '#';
	hdr[1] = '!';
	hdr[2] = '/';
	if (2 + name_len < EXEC_HEADER_BYTES)
		hdr[2 + name_len] = ' ';
	return shell_parse(hdr, EXEC_HEADER_BYTES, interp, arg);
}

int
main(void)
{
	char hdr[EXEC_HEADER_BYTES + 1];
	const char *interp, *arg;
	int error;

	tap_plan((int)(sizeof(cases) / sizeof(cases[0])) + 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_ok(run_case(&cases[i]), "%s", cases[i].what);

	/* A long argument is cut before the last byte read; the name is whole. */
	error = parse_long(10, &interp, &arg, hdr);
	tap_ok(error == 0 && strlen(interp) == 10 && arg != NULL &&
	    strlen(arg) == EXEC_HEADER_BYTES - 1 - 13,
	    "a long line: the argument is cut before the last byte (%zu bytes)",
	    arg != NULL ? strlen(arg) : 0);
	/* The name may end with the last byte read, if a blank is there. */
	error = parse_long(EXEC_HEADER_BYTES - 3, &interp, &arg, hdr);
	tap_ok(error == 0 && strlen(interp) == EXEC_HEADER_BYTES - 3 && arg == NULL,
	    "a name ended by a blank in the last byte read is whole");
	/* A name that runs to the end of what was read may be longer: refused. */
	tap_ok(parse_long(EXEC_HEADER_BYTES, &interp, &arg, hdr) == ENOEXEC,
	    "a name running past what was read -> ENOEXEC");
	memset(hdr, ' ', EXEC_HEADER_BYTES);
	hdr[0] = '#';
	hdr[1] = '!';
	tap_ok(shell_parse(hdr, EXEC_HEADER_BYTES, &interp, &arg) == ENOEXEC,
	    "a first line of nothing but blanks -> ENOEXEC");
	return tap_done();
}
