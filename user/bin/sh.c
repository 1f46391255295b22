/*
 * sh: a small shell.
 *
 * Reads a line at a time, splits it into words ('...' and "..." quote,
 * # starts a comment), and runs builtins (cd, exit, echo, pwd) or a
 * program found by name in /bin, /sbin, /tests and /bench.  < file,
 * > file and >> file redirect the program's input and output.  $?
 * expands to the last exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXLINE	1024
#define MAXARGS	64

static const char *const search[] = { "/bin", "/sbin", "/tests", "/bench" };
static int last_status;

struct cmd {
	char *argv[MAXARGS];
	int argc;
	char *in, *out;		/* redirection targets, or NULL */
	int append;
};

/* Reads one line from fd 0 without the newline; -1 at end of input. */
static int
read_line(char *buf, size_t size)
{
	size_t n = 0;
	char c;

	for (;;) {
		if (read(0, &c, 1) != 1)
			return n > 0 ? (int)n : -1;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return (int)n;
}

/* Cuts the next word out of *s in place, handling quotes; NULL at the end. */
static char *
next_word(char **s)
{
	char *p = *s, *w, *d;
	char q = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return NULL;
	w = d = p;
	for (; *p != '\0'; p++) {
		if (q != 0 && *p == q) {
			q = 0;
		} else if (q == 0 && (*p == '\'' || *p == '"')) {
			q = *p;
		} else if (q == 0 && (*p == ' ' || *p == '\t')) {
			p++;
			break;
		} else {
			*d++ = *p;
		}
	}
	*d = '\0';
	*s = p;
	return w;
}

/* Splits a line into a command; returns -1 on a syntax error. */
static int
parse(char *line, struct cmd *c)
{
	static char status[16];
	char *w;

	memset(c, 0, sizeof(*c));
	while ((w = next_word(&line)) != NULL) {
		if (strcmp(w, "<") == 0 || strcmp(w, ">") == 0 ||
		    strcmp(w, ">>") == 0) {
			char *target = next_word(&line);

			if (target == NULL)
				return -1;
			if (w[0] == '<')
				c->in = target;
			else
				c->out = target;
			c->append = strcmp(w, ">>") == 0;
			continue;
		}
		if (strcmp(w, "$?") == 0) {
			snprintf(status, sizeof(status), "%d", last_status);
			w = status;
		}
		if (c->argc == MAXARGS - 1)
			return -1;
		c->argv[c->argc++] = w;
	}
	c->argv[c->argc] = NULL;
	return 0;
}

/* Finds a program: a name with a slash as is, otherwise in search[]. */
static int
find_program(const char *name, char *path, size_t size)
{
	size_t i;

	if (strchr(name, '/') != NULL) {
		snprintf(path, size, "%s", name);
		return access(path, X_OK);
	}
	for (i = 0; i < sizeof(search) / sizeof(search[0]); i++) {
		snprintf(path, size, "%s/%s", search[i], name);
		if (access(path, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* In the child: applies < and > before exec. */
static void
redirect(const struct cmd *c)
{
	int fd;

	if (c->in != NULL) {
		fd = open(c->in, O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0) {
			perror(c->in);
			_exit(1);
		}
		close(fd);
	}
	if (c->out != NULL) {
		fd = open(c->out, O_WRONLY | O_CREAT |
		    (c->append ? O_APPEND : O_TRUNC), 0644);
		if (fd < 0 || dup2(fd, 1) < 0) {
			perror(c->out);
			_exit(1);
		}
		close(fd);
	}
}

static int
run_program(const struct cmd *c)
{
	char path[256];
	pid_t pid;
	int st;

	if (find_program(c->argv[0], path, sizeof(path)) < 0) {
		dprintf(2, "sh: %s: not found\n", c->argv[0]);
		return 127;
	}
	pid = fork();
	if (pid < 0) {
		perror("sh: fork");
		return 1;
	}
	if (pid == 0) {
		redirect(c);
		execve(path, c->argv, environ);
		perror(path);
		_exit(126);
	}
	if (wait4(pid, &st, 0, NULL) < 0)
		return 1;
	if (WIFSIGNALED(st)) {
		dprintf(2, "sh: %s: killed by signal %d\n", c->argv[0],
		    WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

/* Runs a builtin and returns 1, or returns 0 if c is not one. */
static int
builtin(const struct cmd *c, int *status)
{
	char cwd[256];
	int i;

	if (strcmp(c->argv[0], "exit") == 0) {
		exit(c->argc > 1 ? atoi(c->argv[1]) : last_status);
	} else if (strcmp(c->argv[0], "cd") == 0) {
		*status = chdir(c->argc > 1 ? c->argv[1] : "/") < 0;
		if (*status)
			perror("cd");
	} else if (strcmp(c->argv[0], "echo") == 0) {
		for (i = 1; i < c->argc; i++)
			printf("%s%s", c->argv[i], i + 1 < c->argc ? " " : "");
		printf("\n");
		*status = 0;
	} else if (strcmp(c->argv[0], "pwd") == 0) {
		*status = getcwd(cwd, sizeof(cwd)) == NULL;
		if (!*status)
			printf("%s\n", cwd);
	} else {
		return 0;
	}
	return 1;
}

int
main(void)
{
	char line[MAXLINE];
	struct cmd c;
	int status;

	for (;;) {
		fputs("$ ", stdout);
		if (read_line(line, sizeof(line)) < 0)
			break;
		if (parse(line, &c) < 0) {
			dprintf(2, "sh: syntax error\n");
			last_status = 2;
			continue;
		}
		if (c.argc == 0)
			continue;
		if (!builtin(&c, &status))
			status = run_program(&c);
		last_status = status;
	}
	return last_status;
}
