/* The captured kernel log of host tests (host_klog.c). */
#ifndef _HOST_KLOG_H_
#define _HOST_KLOG_H_
#include <stdbool.h>
extern char host_klog_last[512];	/* the last message, without its newline */
extern unsigned host_klog_count;	/* messages printed so far */
extern bool host_klog_quiet;		/* keep messages out of the TAP output */
int host_kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
