/* testutil.h: small helpers shared by the test programs. */
#ifndef _TESTUTIL_H
#define _TESTUTIL_H

#define PGSZ 4096UL

/* Forks, runs fn(arg) in the child, exits with its result; returns the wait status (or -1). */
int run_child(int (*fn)(void *), void *arg);
/* True when run by qemu's user-mode emulator (which implements some calls partly). */
int under_qemu_user(void);
/*
 * execve, or under qemu-user (where the host cannot run a riscv64 file
 * without binfmt_misc) an exec of the emulator running path with argv,
 * the environment's QEMU_LD_PREFIX naming where its interpreter is.
 */
int execve_riscv(const char *path, char *const argv[], char *const envp[]);
/* A fresh private anonymous read-write mapping of npages, or NULL. */
char *map_pages(unsigned long npages);
/* A range of npages that is reserved and then freed: an address known to be unmapped. */
char *unmapped_pages(unsigned long npages);
/* The cpus this process may run on (sched_getaffinity; 1 if that fails). */
int cpus_available(void);

#endif
