/* puts.c: unformatted output and perror. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int
fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);

	return write(f->fd, s, n) == (ssize_t)n ? 0 : EOF;
}

/* One writev, so the line and its newline are not split. */
int
puts(const char *s)
{
	struct iovec iov[2] = {
		{ (void *)s, strlen(s) },
		{ "\n", 1 },
	};

	return writev(1, iov, 2) < 0 ? EOF : 0;
}

int
fputc(int c, FILE *f)
{
	unsigned char ch = (unsigned char)c;

	return write(f->fd, &ch, 1) == 1 ? ch : EOF;
}

int
putchar(int c)
{
	return fputc(c, stdout);
}

int
fflush(FILE *f)
{
	(void)f;		/* nothing is buffered between calls */
	return 0;
}

void
perror(const char *s)
{
	int err = errno;

	if (s != NULL && *s != '\0')
		dprintf(2, "%s: %s\n", s, strerror(err));
	else
		dprintf(2, "%s\n", strerror(err));
}
