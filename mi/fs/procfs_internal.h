/*
 * procfs's pieces and how they fit (procfs.c: the root, the system-wide
 * files and the machinery; procfs_pid.c: /proc/PID; procfs_sys.c:
 * /proc/sys).
 *
 * Every name in a procfs directory is a struct procfs_entry in that
 * directory's table: a text file, whose contents a format function
 * writes into a kernel buffer when the name is looked up (a snapshot that
 * every read of that open file sees), or a directory or special file with
 * its own vnode operations.  A directory's v_data is the pid it belongs to
 * (0 outside /proc/PID).  Vnodes live as long as their references: none
 * is linked anywhere but the root.
 *
 * Locking: none of procfs's own.  Format functions find their process
 * under proc_lock and take what they need while holding it (or take a
 * reference: the address space, the group list).
 */
#ifndef _FS_PROCFS_INTERNAL_H_
#define _FS_PROCFS_INTERNAL_H_

#include <kern/types.h>
#include <kern/malloc.h>
#include <fs/vnode.h>

MALLOC_DECLARE(M_PROCFS);

enum procfs_kind {
	PFS_ROOT, PFS_PIDDIR, PFS_MEMINFO, PFS_VMSTAT, PFS_MAPS, PFS_ZONEINFO, PFS_VMMAP,
	PFS_DISKSTATS, PFS_DISKS, PFS_LOCKS, PFS_LOCKDEP, PFS_LOCKDEP_STATS, PFS_CPUINFO, PFS_UPTIME, PFS_LOADAVG, PFS_STAT,
	PFS_PID_STAT, PFS_PID_STATUS, PFS_PID_CMDLINE, PFS_PID_SMAPS, PFS_PID_PAGEMAP,
	PFS_PID_FDDIR, PFS_PID_FD, PFS_SYSDIR, PFS_SYS_KERNEL, PFS_SYS_PID_MAX,
	PFS_SYS_SHMMAX, PFS_SYS_SHMALL, PFS_SYS_SHMMNI, PFS_SYS_CHILD_FIRST, PFS_SYS_VM, PFS_SWAPS,
	PFS_VMCHECK, PFS_VMCHECK_ALL, PFS_PID_EXE, PFS_PID_COMM, PFS_PID_SMAPS_ROLLUP,
	PFS_MOUNTS, PFS_SYSRQ, PFS_SYS_WRITEBACK, PFS_SYS_DROP_CACHES, PFS_FILESYSTEMS,
	PFS_NKINDS
};

/* Text being formatted into a fixed buffer; overflow means "try a bigger one". */
struct textbuf {
	char	*buf;
	size_t	size;
	size_t	len;
	bool	overflow;
};

void tb_printf(struct textbuf *tb, const char *fmt, ...) __printflike(2, 3);
/* Spaces up to column, counted from line_start (an offset in the text). */
void tb_pad_to(struct textbuf *tb, size_t line_start, size_t column);

/*
 * Write a text file's contents for process pid (0 for a system file):
 * 0, or ENOENT when the process is gone.  Running out of room is
 * tb->overflow: the caller tries again with a bigger buffer.
 */
typedef int procfs_format_fn(struct textbuf *tb, int pid);

struct procfs_entry {
	const char	*pe_name;
	enum vtype	pe_type;
	enum procfs_kind pe_kind;
	procfs_format_fn *pe_format;	/* a text file's contents; else: */
	const struct vnode_ops *pe_ops;	/* a directory's or special file's operations */
	uint32_t	pe_mode;	/* its permission bits; 0: 0555 directories, 0444 files */
};

/* A new procfs vnode (one reference) of mount mp, numbered ino. */
struct mount;
struct vnode *procfs_vnode(enum vtype type, const struct vnode_ops *ops, struct mount *mp,
    struct vnode *parent, const char *name, size_t len, uint64_t ino);
/* The inode number of kind in process pid's directory (pid 0: elsewhere). */
uint64_t procfs_ino(int pid, enum procfs_kind kind);
/* The pid a procfs directory belongs to. */
static inline int
procfs_dir_pid(const struct vnode *dir)
{
	return (int)(intptr_t)dir->v_data;
}
bool procfs_name_is(const char *name, size_t len, const char *what);

/* Look name up in the table ents of directory dir: ENOENT if it is not there. */
int procfs_table_lookup(struct vnode *dir, const struct procfs_entry *ents, size_t n,
    const char *name, size_t len, struct vnode **out);
/*
 * List ".", "..", then the table ents; returns the bytes put in buf, 0
 * when the table is done (*offp is then n + 2), or -EINVAL if nothing fit.
 */
ssize_t procfs_list_table(struct vnode *dir, const struct procfs_entry *ents, size_t n,
    uint64_t *offp, void *buf, size_t len);

/*
 * List a table (may be empty) and after it an entry per number (a pid, a
 * descriptor) of the given type, named by the number: next(dir, from)
 * gives the smallest number >= from, or -1; ino(dir, number) its inode
 * number.  Past the table the directory cookie is PROCFS_DYN_COOKIE
 * plus the next number to look at.
 */
#define PROCFS_DYN_COOKIE	(1UL << 32)
ssize_t procfs_list_numbered(struct vnode *dir, const struct procfs_entry *ents, size_t n,
    int (*next)(struct vnode *, int), uint64_t (*ino)(struct vnode *, int), enum vtype type,
    uint64_t *offp, void *buf, size_t len);

/* A decimal number of up to 10 digits naming a pid or descriptor, or -1. */
int procfs_parse_number(const char *name, size_t len);

void procfs_reclaim(struct vnode *vp);
/* stat's link count of a generated vnode (it has none): 2 for a directory, else 1. */
struct stat;
void procfs_getattr(struct vnode *vp, struct stat *st);

/* A read of a file whose contents are text[0, len): bytes copied, or -EFAULT. */
ssize_t procfs_text_read(const char *text, size_t len, struct uio *uio);

/* The address space of process pid, referenced (vmspace_free it); NULL if none. */
struct vmspace *procfs_vmspace_hold(int pid);

/* The per-process text files procfs.c keeps (the address map, its check). */
procfs_format_fn procfs_format_maps_of, procfs_format_vmmap_of, procfs_format_vmcheck_of,
    procfs_format_smaps_of, procfs_format_smaps_rollup_of;

/* Is m no file's page (anonymous memory, a private copy)?  Read unlocked: a snapshot. */
struct vm_page;
bool procfs_page_is_anonymous(const struct vm_page *m);

/* procfs_pid.c: a process's directory. */
extern const struct vnode_ops procfs_pid_ops;
/* procfs_sys.c: /proc/sys and below; /proc/sysrq-trigger. */
extern const struct vnode_ops procfs_sys_ops, procfs_sysrq_ops;

#endif
