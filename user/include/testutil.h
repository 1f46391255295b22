/* testutil.h: small helpers shared by the test programs. */
#ifndef _TESTUTIL_H
#define _TESTUTIL_H

#include <stdint.h>

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
/*
 * The same, len bytes starting at a multiple of align (a power of two: a
 * superpage's 2 MiB), cut from a larger mapping; NULL if none.
 */
char *map_aligned(unsigned long len, unsigned long align);
/* A range of npages that is reserved and then freed: an address known to be unmapped. */
char *unmapped_pages(unsigned long npages);
/* The cpus this process may run on (sched_getaffinity; 1 if that fails). */
int cpus_available(void);

/*
 * The data pattern of the disk and file tests, which scripts/fs-test and
 * scripts/disk-test compute on the host too: byte o of generation g is
 * byte (o % 8), little-endian, of the word (o & ~7) + (g << 48) + (0x5a << 56).
 * pattern_fill writes [off, off + len) of generation gen to p;
 * pattern_mismatch returns the first offset in it where p differs, or -1.
 */
unsigned char pattern_byte(unsigned long off, unsigned long gen);
void pattern_fill(void *p, unsigned long off, unsigned long len, unsigned long gen);
long pattern_mismatch(const void *p, unsigned long off, unsigned long len, unsigned long gen);

/*
 * Is the block device at path a spare ext2 disk: an ext2 file system (its
 * superblock's magic) that nothing has mounted (not in /proc/mounts: not
 * the root disk)?
 */
int spare_ext2_disk(const char *path);

/* Did a call fail (-1) with errno err? */
int fails_with(long ret, int err);

/*
 * A fresh directory for a test's files, TEST_DIR/NAME.PID (TEST_DIR
 * defaults to /tmp), made with mode 0755: 0, or -1 with a TAP diagnostic.
 * tpath(name) is the path of name inside it (in one of four static
 * buffers, so up to four may be used at once).
 */
int test_dir_make(const char *name);
const char *test_dir(void);
const char *tpath(const char *name);

/* A well-mixed 64-bit value of x (splitmix64's finalizer): patterns and random streams. */
uint64_t test_mix64(uint64_t x);

/* order[0..n) := a permutation of 0..n-1, the same for the same seed (xorshift). */
void test_permutation(unsigned long *order, unsigned long n, unsigned long seed);

#endif
