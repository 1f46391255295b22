/* What tests/host/host_support.c gives host unit tests: knobs, output, fixtures. */
#ifndef _HOST_SUPPORT_H_
#define _HOST_SUPPORT_H_
#include <stddef.h>
#include <stdint.h>
extern uint64_t host_pages_in_use;		/* pages held through kmem_page_alloc */
extern int host_page_alloc_fail_after;		/* fail after N more allocations; -1: never */
#include <stdbool.h>
int host_kprintf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
extern char host_klog_last[512];	/* host_kprintf's last line, without its newline */
extern unsigned host_klog_count;	/* lines printed so far */
extern bool host_klog_quiet;		/* keep them out of the TAP output */
uint8_t *host_load_file(const char *dir, const char *name, size_t *lenp);
#endif
