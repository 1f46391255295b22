/*
 * The kernel's printf for host tests of MI code, built with
 * -Dprintf=host_kprintf: messages become TAP comments, and the last one
 * is kept so a test can check what the code said.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host_klog.h"

char host_klog_last[512];
unsigned host_klog_count;

int
host_kprintf(const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(host_klog_last, sizeof(host_klog_last), fmt, ap);
	va_end(ap);
	n = strlen(host_klog_last);
	if (n > 0 && host_klog_last[n - 1] == '\n')
		host_klog_last[--n] = '\0';
	host_klog_count++;
	if (!host_klog_quiet)
		printf("# kernel: %s\n", host_klog_last);
	return (int)n;
}

bool host_klog_quiet;
