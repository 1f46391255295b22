/*
 * The VM's settings as /proc/sys/vm shows them: one number per file,
 * Linux's names and meanings where Linux has the setting (writable, by
 * root, where Linux's is), FreeBSD's names for the page daemon's targets
 * that Linux does not have (read-only, in pages).
 *
 *   min_free_kbytes      rw  Linux's min watermark (vm_pageout.h)
 *   overcommit_memory    rw  0 heuristic, 1 always, 2 strict (vm_commit.h)
 *   overcommit_ratio     rw  percent of RAM in CommitLimit (clears overcommit_kbytes)
 *   overcommit_kbytes    rw  CommitLimit's RAM part in kB (clears overcommit_ratio)
 *   v_free_min, v_free_target, v_free_reserved, v_inactive_target,
 *   pageout_wakeup_thresh    ro  the daemon's targets
 *   dirty_writeback_centisecs  rw  the syncer's interval (fs/mount.h)
 *   drop_caches          w   1 clean file pages, 2 unused vnodes, 3 both;
 *                            reads as the last value written, as Linux's
 *   transparent_hugepage rw  always, madvise or never: Linux's
 *                            /sys/kernel/mm/transparent_hugepage/enabled
 *                            (vm_superpage.h), read as "[always] madvise never"
 *
 * A setting with words is a choice among them: its value is the index of
 * the word chosen, shown as Linux shows a choice (the one in force in
 * brackets) and written as one of the words.
 */
#ifndef _VM_VM_SYSCTL_H_
#define _VM_VM_SYSCTL_H_

#include <kern/types.h>

struct vm_sysctl {
	const char	*name;
	uint64_t	(*get)(void);
	int		(*set)(uint64_t value);	/* NULL: read-only; else 0 or EINVAL */
	uint32_t	mode;		/* its file's permission bits; 0: 0644 if set, else 0444 */
	const char *const *words;	/* NULL: a number; else the choices, NULL-ended */
};

/* The setting named name[0..len), or NULL. */
const struct vm_sysctl *vm_sysctl_find(const char *name, size_t len);
/* The i-th setting (for listing /proc/sys/vm), or NULL past the last. */
const struct vm_sysctl *vm_sysctl_at(size_t i);

#endif
