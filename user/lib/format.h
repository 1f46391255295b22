/* format.h: the printf engine's output sink (private to the library). */
#ifndef _FORMAT_H
#define _FORMAT_H

#include <stdarg.h>
#include <stddef.h>

struct out {
	char *buf;
	size_t size;		/* capacity of buf */
	size_t len;		/* bytes held in buf */
	size_t total;		/* bytes produced, stored or not */
	int fd;			/* >= 0: flush buf to this descriptor */
};

void out_format(struct out *o, const char *fmt, va_list ap);
void out_flush(struct out *o);

#endif
