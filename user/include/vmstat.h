/* vmstat.h: reading /proc's text files, and the counters in /proc/vmstat and /proc/meminfo. */
#ifndef _VMSTAT_H
#define _VMSTAT_H

#include <sys/types.h>

/*
 * Read a whole small text file (those in /proc) into buf, at most
 * size - 1 bytes, NUL-terminated.  Its length, or -1 if it cannot be
 * opened.
 */
ssize_t read_text_file(const char *path, char *buf, size_t size);
/* The value of the "name value" line in /proc/vmstat, or -1 if absent. */
long vmstat_get(const char *name);
/* The value of the "Name: value kB" line in /proc/meminfo, or -1. */
long meminfo_get(const char *name);
/* True when /proc/vmstat has this kernel's own counters (not Linux). */
int vmstat_is_sable(void);

#endif
