/*
 * sh: a small shell.
 *
 * Reads a line at a time, splits it into words ('...' and "..." quote,
 * # starts a comment), and runs builtins (cd, exit, echo, pwd, jobs, fg,
 * bg) or a program found by name in /bin, /sbin, /tests and /bench.
 * < file, > file and >> file redirect the program's input and output; a
 * trailing & runs it in the background.  $? expands to the last exit
 * status.
 *
 * Job control, when its input is its controlling terminal: each program
 * runs in a process group of its own, which the shell puts in the
 * terminal's foreground while it waits for it, so ^C, ^\ and ^Z (the
 * terminal's signals) reach the program and not the shell.  A program
 * stopped by ^Z becomes a job: jobs lists them, fg continues one in the
 * foreground and bg in the background.  The shell itself ignores the
 * stop signals; ^C at the prompt abandons the line.  Line editing is the
 * terminal's (erase, kill, word erase, ^D at an empty line ends the
 * shell).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAXLINE	1024
#define MAXARGS	64
#define MAXJOBS	16
#define CMDNAME	48		/* how much of a command a job remembers */

static const char *const search[] = { "/bin", "/sbin", "/tests", "/bench" };
static int last_status;
static int job_control;		/* input is our controlling terminal */
static pid_t shell_pgrp;

struct cmd {
	char *argv[MAXARGS];
	int argc;
	char *in, *out;		/* redirection targets, or NULL */
	int append;
	int background;		/* ended with & */
};

enum job_state { JOB_FREE, JOB_RUNNING, JOB_STOPPED };

/* A program running in the background or stopped: its process (and group) id. */
struct job {
	enum job_state state;
	pid_t pid;
	char name[CMDNAME];
};

static struct job jobs[MAXJOBS];

/* The signals a job control shell ignores, and its children take back. */
static const int job_signals[] = { SIGTSTP, SIGTTIN, SIGTTOU, SIGQUIT };

/* Reads one line from fd 0 without the newline; -1 at end of input, -2 after ^C. */
static int
read_line(char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			return -2;
		if (r != 1)
			return n > 0 ? (int)n : -1;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return (int)n;
}

static void
on_interrupt(int sig)
{
	(void)sig;
}

/*
 * Job control if fd 0 is our controlling terminal: wait to be in its
 * foreground, lead a group of our own, ignore the stop signals, and let
 * ^C end a read rather than the shell.
 */
static void
job_control_init(void)
{
	struct sigaction sa;
	size_t i;

	if (!isatty(0) || tcgetpgrp(0) < 0)
		return;
	while (tcgetpgrp(0) != getpgrp())
		kill(-getpgrp(), SIGTTIN);
	for (i = 0; i < sizeof(job_signals) / sizeof(job_signals[0]); i++)
		signal(job_signals[i], SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;	/* no SA_RESTART: the read ends with EINTR */
	sigaction(SIGINT, &sa, NULL);
	if (getsid(0) != getpid())
		setpgid(0, 0);
	shell_pgrp = getpgrp();
	tcsetpgrp(0, shell_pgrp);
	job_control = 1;
}

/* In a child: its own group (in the foreground unless background), default signals. */
static void
job_child(int background)
{
	size_t i;

	if (!job_control)
		return;
	setpgid(0, 0);
	if (!background)
		tcsetpgrp(0, getpid());
	for (i = 0; i < sizeof(job_signals) / sizeof(job_signals[0]); i++)
		signal(job_signals[i], SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

static struct job *
job_add(pid_t pid, const char *name, enum job_state state)
{
	for (int i = 0; i < MAXJOBS; i++) {
		if (jobs[i].state == JOB_FREE) {
			jobs[i].state = state;
			jobs[i].pid = pid;
			snprintf(jobs[i].name, sizeof(jobs[i].name), "%s", name);
			return &jobs[i];
		}
	}
	return NULL;
}

static struct job *
job_by_pid(pid_t pid)
{
	for (int i = 0; i < MAXJOBS; i++)
		if (jobs[i].state != JOB_FREE && jobs[i].pid == pid)
			return &jobs[i];
	return NULL;
}

static void
job_report(const struct job *j, const char *what)
{
	printf("[%d]  %-22s %s\n", (int)(j - jobs) + 1, what, j->name);
}

/*
 * Wait for the program pid in the foreground (the terminal's, with job
 * control) until it exits or stops; its status as $? has it.
 */
static int
wait_foreground(pid_t pid, const char *name)
{
	struct job *j;
	int st;

	while (waitpid(pid, &st, job_control ? WUNTRACED : 0) < 0) {
		if (errno != EINTR) {
			st = -1;
			break;
		}
	}
	if (job_control)
		tcsetpgrp(0, shell_pgrp);
	if (st != -1 && WIFSTOPPED(st)) {
		if ((j = job_by_pid(pid)) == NULL)
			j = job_add(pid, name, JOB_STOPPED);
		if (j != NULL) {
			j->state = JOB_STOPPED;
			printf("\n");
			job_report(j, "Stopped");
		}
		return 128 + WSTOPSIG(st);
	}
	if ((j = job_by_pid(pid)) != NULL)
		j->state = JOB_FREE;
	if (st == -1)
		return 1;
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGINT)
			printf("\n");
		else
			dprintf(2, "sh: %s: killed by signal %d\n", name, WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

/* Note background jobs that ended, stopped or went on. */
static void
reap_jobs(void)
{
	struct job *j;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
		if ((j = job_by_pid(pid)) == NULL)
			continue;
		if (WIFSTOPPED(st)) {
			j->state = JOB_STOPPED;
			job_report(j, "Stopped");
		} else if (WIFCONTINUED(st)) {
			j->state = JOB_RUNNING;
		} else {
			job_report(j, "Done");
			j->state = JOB_FREE;
		}
	}
}

/* The job a fg or bg argument (%N, or none: the last one) names. */
static struct job *
job_arg(const struct cmd *c)
{
	int n;

	if (c->argc < 2) {
		for (n = MAXJOBS - 1; n >= 0; n--)
			if (jobs[n].state != JOB_FREE)
				return &jobs[n];
		return NULL;
	}
	n = atoi(c->argv[1][0] == '%' ? c->argv[1] + 1 : c->argv[1]);
	if (n < 1 || n > MAXJOBS || jobs[n - 1].state == JOB_FREE)
		return NULL;
	return &jobs[n - 1];
}

/* fg and bg: continue a job, in the foreground (waiting for it) or not. */
static int
job_continue(const struct cmd *c, int foreground)
{
	struct job *j = job_arg(c);

	if (!job_control) {
		dprintf(2, "sh: %s: no job control\n", c->argv[0]);
		return 1;
	}
	if (j == NULL) {
		dprintf(2, "sh: %s: no such job\n", c->argv[0]);
		return 1;
	}
	if (!foreground) {
		j->state = JOB_RUNNING;
		kill(-j->pid, SIGCONT);
		printf("[%d]  %s &\n", (int)(j - jobs) + 1, j->name);
		return 0;
	}
	printf("%s\n", j->name);
	j->state = JOB_RUNNING;
	tcsetpgrp(0, j->pid);
	kill(-j->pid, SIGCONT);
	return wait_foreground(j->pid, j->name);
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
		if (strcmp(w, "&") == 0) {
			c->background = 1;
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
		job_child(c->background);
		redirect(c);
		execve(path, c->argv, environ);
		perror(path);
		_exit(126);
	}
	if (job_control) {
		/* Both sides set the group, so neither waits on the other. */
		setpgid(pid, pid);
		if (!c->background)
			tcsetpgrp(0, pid);
	}
	if (c->background) {
		struct job *j = job_add(pid, c->argv[0], JOB_RUNNING);

		if (j != NULL)
			printf("[%d] %d\n", (int)(j - jobs) + 1, pid);
		return 0;
	}
	return wait_foreground(pid, c->argv[0]);
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
	} else if (strcmp(c->argv[0], "jobs") == 0) {
		for (i = 0; i < MAXJOBS; i++)
			if (jobs[i].state != JOB_FREE)
				job_report(&jobs[i],
				    jobs[i].state == JOB_STOPPED ? "Stopped" : "Running");
		*status = 0;
	} else if (strcmp(c->argv[0], "fg") == 0 || strcmp(c->argv[0], "bg") == 0) {
		*status = job_continue(c, c->argv[0][0] == 'f');
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
	int status, n;

	job_control_init();
	for (;;) {
		reap_jobs();
		fputs("$ ", stdout);
		fflush(stdout);
		if ((n = read_line(line, sizeof(line))) == -2) {
			printf("\n");		/* ^C: the terminal dropped the line */
			continue;
		}
		if (n < 0)
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
