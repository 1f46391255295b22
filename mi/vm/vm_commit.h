/*
 * Commit accounting: how much memory the system has promised (after
 * Linux's overcommit accounting, Documentation/mm/overcommit-accounting).
 *
 * Memory a program may write without asking again is committed when it
 * is mapped: private writable mappings (mmap, brk, an executable's data
 * and bss) for their whole length, and shared anonymous memory for its
 * object's size.  /proc/meminfo's Committed_AS is the total; CommitLimit
 * is swap plus overcommit_ratio percent of RAM (or overcommit_kbytes when
 * that is set).  /proc/sys/vm/overcommit_memory chooses what a request
 * may do:
 *   0 (heuristic, the default)  refuse one request larger than RAM plus
 *                               swap; MAP_NORESERVE mappings are not
 *                               counted at all;
 *   1 (always)                  never refuse (MAP_NORESERVE not counted);
 *   2 (strict)                  refuse whatever would take Committed_AS
 *                               past CommitLimit; MAP_NORESERVE counts.
 * A refused request is ENOMEM: mmap, brk, mprotect making a private
 * mapping writable, mremap growing one, fork copying the parent's.
 *
 * Where this differs from Linux: the stack is one fixed reservation
 * (RLIMIT_STACK) made at exec, not a region that grows, and is not
 * counted (Linux counts what it has grown to); the administrator and
 * user reserves of mode 2 (admin_reserve_kbytes, user_reserve_kbytes)
 * are not kept.
 *
 * Who holds what: a map entry with MAP_ENTRY_ACCOUNTED holds its length
 * (released when the range is unmapped; a clipped entry's halves hold
 * their own parts), an object with OBJ_ACCOUNTED its size (released when
 * it dies).  /proc/vmcheck checks the entries' part against the counter.
 *
 * Locking: the counters are atomic; the settings are written under
 * commit_lock (a /proc write) and read without it.
 */
#ifndef _VM_VM_COMMIT_H_
#define _VM_VM_COMMIT_H_

#include <kern/types.h>

#define OVERCOMMIT_GUESS	0
#define OVERCOMMIT_ALWAYS	1
#define OVERCOMMIT_NEVER	2

/*
 * Commit pages more, as overcommit_memory allows: 0, or ENOMEM (nothing
 * committed).  entry: held by a map entry (else by an object).
 */
int vm_commit_reserve(uint64_t pages, bool entry);
/* Give back what vm_commit_reserve took. */
void vm_commit_release(uint64_t pages, bool entry);

/* Whether a private writable mapping with MAP_NORESERVE goes uncounted (modes 0 and 1). */
bool vm_commit_noreserve_honoured(void);

/* Committed_AS and CommitLimit, in pages; the map entries' part of Committed_AS. */
uint64_t vm_committed_pages(void);
uint64_t vm_commit_limit_pages(void);
uint64_t vm_committed_entry_pages(void);

/* /proc/sys/vm: the mode, the ratio (percent of RAM), the limit in kB (0: use the ratio). */
uint64_t vm_commit_get_mode(void);
int vm_commit_set_mode(uint64_t mode);
uint64_t vm_commit_get_ratio(void);
int vm_commit_set_ratio(uint64_t ratio);
uint64_t vm_commit_get_kbytes(void);
int vm_commit_set_kbytes(uint64_t kbytes);

#endif
