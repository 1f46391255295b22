/* vmstat.h: reading counters from /proc/vmstat and /proc/meminfo. */
#ifndef _VMSTAT_H
#define _VMSTAT_H

/* The value of the "name value" line in /proc/vmstat, or -1 if absent. */
long vmstat_get(const char *name);
/* The value of the "Name: value kB" line in /proc/meminfo, or -1. */
long meminfo_get(const char *name);
/* True when /proc/vmstat has this kernel's own counters (not Linux). */
int vmstat_is_sable(void);

#endif
