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
/* Write text to the file at path (a /proc/sys tunable) in one write: 0, or -1. */
int write_text_file(const char *path, const char *text);
/*
 * The line of a maps file (/proc/self/maps, /proc/PID/maps) whose range
 * holds addr: its bounds in *lo and *hi, its permissions ("r-xp") in
 * perms (5 bytes), the rest of the line (offset, device, inode, path)
 * in rest (restsize bytes, may be NULL).  0, or -1 if no line holds it.
 */
int maps_lookup(const char *path, unsigned long addr, unsigned long *lo, unsigned long *hi,
    char *perms, char *rest, size_t restsize);
/* The value of the "name value" line in /proc/vmstat, or -1 if absent. */
long vmstat_get(const char *name);
/* The value of the "Name: value kB" line in /proc/meminfo, or -1. */
long meminfo_get(const char *name);
/* The value of the "Name:\tvalue" line in /proc/self/status (VmSwap in kB...), or -1. */
long status_get(const char *name);
/* True when /proc/vmstat has this kernel's own counters (not Linux). */
int vmstat_is_sable(void);
/*
 * The number of problems the kernel's VM consistency check reports in
 * path (/proc/self/vmcheck, /proc/PID/vmcheck, /proc/vmcheck), or -1 if
 * there is no such file (Linux).
 */
long vmcheck_problems(const char *path);
/* A "name value" line of /proc/vmcheck (swap_slots_used, swap_slots_held), or -1. */
long vmcheck_value(const char *name);
/* One TAP line: this process's address space passes the check (a skip on Linux). */
void tap_vm_consistent(const char *after);

/* The system-wide figures a stress run must leave as it found them. */
struct vm_snapshot {
	long	free_kb, anon, vnode, shadows, wired;
};
struct vm_snapshot vm_snapshot_take(void);
/*
 * Are they back (free memory within slack_kb, the rest exactly)?  Retries
 * for a second, while exits finish; *after gets the last figures.
 */
int vm_snapshot_back(const struct vm_snapshot *before, struct vm_snapshot *after,
    long slack_kb);

#endif
