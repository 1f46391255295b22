/*
 * procfs: /proc/PID, one directory per process (see procfs_internal.h).
 *
 *   stat      the one line ps and top read, Linux's 52 fields
 *   status    the same and more as "Name:\tvalue" lines (ids, memory,
 *             signals, capabilities, affinity, context switches)
 *   comm      its name (the program's file name, cut to 15 bytes)
 *   cmdline   the arguments, NUL-terminated, read from the process's own
 *             memory as Linux reads them (so setproctitle shows)
 *   maps      the address map (procfs.c)
 *   vmmap     the address map with its objects (procfs.c)
 *   vmcheck   the VM's consistency check of the address space (procfs.c)
 *   exe       a symbolic link to the program it runs (its absolute path)
 *   smaps     the address map with each mapping's pages counted (procfs.c)
 *   smaps_rollup  the same counts for the whole address space
 *   pagemap   a word per page: present, its frame, file or anonymous
 *   fd/       a symbolic link per open descriptor
 *
 * A snapshot of what the files report (struct proc_view) is taken under
 * proc_lock, holding references to what outlives it: the address space
 * and the group list.
 */
#include <kern/systm.h>
#include <kern/file.h>
#include <kern/proc.h>
#include <kern/resourcevar.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <vm/pmap.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_page.h>
#include <fs/procfs_internal.h>
#include <fs/vnode.h>
#include <uapi/resource.h>

#define PROCFS_FD_INO_BASE	0x100000000UL	/* fd links: apart from procfs_ino's */
#define CAP_FULL_SET		0x000001ffffffffffUL	/* Linux's 41 capabilities */
#define CMDLINE_PROCTITLE_MAX	PAGE_SIZE	/* setproctitle's string, as Linux reads it */
#define DEFAULT_PRIORITY	20		/* stat's priority of nice 0 */
#define FD_LINK_READ		0500	/* r-x: an fd link of a file open for reading */
#define FD_LINK_WRITE		0300	/* -wx: for writing */
#define NO_SESSION		0	/* no setsid yet: all are in the kernel's session, as
					   Linux shows processes that never left it */

/* What a process's files report, taken under proc_lock. */
struct proc_view {
	int		pid, ppid, pgid;
	char		comm[sizeof(((struct proc *)0)->p_comm)];
	char		state;		/* R, S, D or Z */
	const char	*state_name;
	uint32_t	uid[4], gid[4];	/* real, effective, saved, fs */
	struct groups	*groups;	/* held */
	uint64_t	sigpnd, sigblk, sigign, sigcgt;
	struct exec_layout exec;
	uint64_t	start_ns;
	uint32_t	cpu;
	uint64_t	cpumask;
	uint64_t	rlim_rss, rlim_sigpending;
	struct kusage	self, children;
	struct vmspace	*vm;		/* held; NULL for a zombie */
	uint64_t	maxrss_kb, maxvm_kb;
	uint32_t	nthreads;
	bool		privileged, may_be_privileged;
};

static void
view_state(struct thread *td, struct proc *p, struct proc_view *v)
{
	static const char *const names[] = { ['R'] = "R (running)", ['S'] = "S (sleeping)",
	    ['D'] = "D (disk sleep)", ['Z'] = "Z (zombie)" };

	if (p->p_state == PRS_ZOMBIE || td == NULL) {
		v->state = 'Z';
	} else {
		spin_lock(&sched_lock);
		if (td->td_state == TDS_SLEEPING)
			v->state = (td->td_flags & TDF_SLEEPINTR) ? 'S' : 'D';
		else
			v->state = 'R';
		v->cpu = td->td_cpu;
		spin_unlock(&sched_lock);
	}
	v->state_name = names[(int)v->state];
}

static void
view_signals(struct thread *td, struct proc *p, struct proc_view *v)
{
	v->sigpnd = __atomic_load_n(&p->p_sigpending, __ATOMIC_RELAXED);
	v->sigblk = td != NULL ? __atomic_load_n(&td->td_sigmask, __ATOMIC_RELAXED) : 0;
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		__sighandler_t h = __atomic_load_n(&p->p_sigacts[sig].sa_handler, __ATOMIC_RELAXED);

		if (h == SIG_IGN)
			v->sigign |= sigmask(sig);
		else if (h != SIG_DFL)
			v->sigcgt |= sigmask(sig);
	}
}

/*
 * Take process pid's view: 0, or ENOENT.  What is a thread's (state, cpu,
 * mask) is its first thread's; a process whose threads have all exited
 * is a zombie.
 */
static int
view_get(int pid, struct proc_view *v)
{
	struct thread *td;
	struct proc *p;

	memset(v, 0, sizeof(*v));
	spin_lock(&proc_lock);
	if ((p = proc_find(pid)) == NULL) {
		spin_unlock(&proc_lock);
		return ENOENT;
	}
	spin_lock(&p->p_threadlock);
	td = proc_first_thread(p);
	v->nthreads = p->p_numthreads;
	v->pid = p->p_pid;
	v->ppid = p->p_parent != NULL ? p->p_parent->p_pid : 0;
	v->pgid = p->p_pgid;
	memcpy(v->comm, p->p_comm, sizeof(v->comm));
	v->comm[sizeof(v->comm) - 1] = '\0';
	view_state(td, p, v);
	view_signals(td, p, v);
	v->cpumask = td != NULL ? sched_get_cpumask(td) : 0;
	spin_unlock(&p->p_threadlock);
	v->uid[0] = p->p_ruid, v->uid[1] = p->p_uid, v->uid[2] = p->p_suid, v->uid[3] = p->p_fsuid;
	v->gid[0] = p->p_rgid, v->gid[1] = p->p_gid, v->gid[2] = p->p_sgid, v->gid[3] = p->p_fsgid;
	v->privileged = proc_privileged(p);
	v->may_be_privileged = p->p_ruid == 0 || p->p_uid == 0 || p->p_suid == 0;
	v->groups = proc_groups_hold(p);
	v->exec = p->p_exec;
	v->start_ns = p->p_start_ns;
	v->rlim_rss = p->p_rlimit[RLIMIT_RSS].rlim_cur;
	v->rlim_sigpending = p->p_rlimit[RLIMIT_SIGPENDING].rlim_cur;
	proc_usage(p, &v->self);
	v->children = p->p_cusage;
	if ((v->vm = p->p_vmspace) != NULL) {
		__atomic_add_fetch(&v->vm->vm_refcnt, 1, __ATOMIC_RELAXED);
		proc_note_rss(p, v->vm);
	}
	v->maxrss_kb = __atomic_load_n(&p->p_maxrss_kb, __ATOMIC_RELAXED);
	v->maxvm_kb = __atomic_load_n(&p->p_maxvm_kb, __ATOMIC_RELAXED);
	spin_unlock(&proc_lock);
	return 0;
}

static void
view_put(struct proc_view *v)
{
	if (v->vm != NULL)
		vmspace_free(v->vm);
	groups_release(v->groups);
}

/* What the address space adds up to (Linux's mm counters). */
struct vm_totals {
	uint64_t	size;		/* bytes mapped */
	uint64_t	rss_pages;
	uint64_t	data;		/* private writable, not stack */
	uint64_t	stack;
	uint64_t	exec;		/* executable, not writable, not stack */
	uint64_t	locked;		/* wired */
	uint64_t	swap_pages;	/* copies in swap of its own pages (vm_map_swap_pages) */
};

static void
vm_totals_of(struct vmspace *vm, struct vm_totals *vt)
{
	struct vm_map *map = &vm->vm_map;

	memset(vt, 0, sizeof(*vt));
	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next) {
		uint64_t len = e->end - e->start;

		vt->size += len;
		if (e->eflags & MAP_ENTRY_STACK)
			vt->stack += len;
		else if ((e->protection & VM_PROT_WRITE) && (e->eflags & MAP_ENTRY_COW))
			vt->data += len;
		else if ((e->protection & VM_PROT_EXECUTE) && !(e->protection & VM_PROT_WRITE))
			vt->exec += len;
		if (e->wired_count > 0)
			vt->locked += len;
	}
	vm_map_unlock_read(map);
	vt->rss_pages = pmap_resident_count(vm->vm_pmap);
	vt->swap_pages = vm_map_swap_pages(map);
}

static uint64_t
ns_to_clock_ticks(uint64_t ns)
{
	return ns / (NSEC_PER_SEC / USER_HZ);
}

/* Linux's /proc/PID/stat: 52 fields on one line. */
static int
format_stat(struct textbuf *tb, int pid)
{
	struct proc_view v;
	struct vm_totals vt = { 0 };
	const struct exec_layout *el = &v.exec;

	if (view_get(pid, &v) != 0)
		return ENOENT;
	if (v.vm != NULL)
		vm_totals_of(v.vm, &vt);
	/* pid (comm) state ppid pgrp session tty_nr tpgid flags */
	tb_printf(tb, "%d (%s) %c %d %d %d 0 -1 0 ", v.pid, v.comm, v.state, v.ppid, v.pgid,
	    NO_SESSION);
	/* minflt cminflt majflt cmajflt utime stime cutime cstime */
	tb_printf(tb, "%lu %lu %lu %lu %lu %lu %lu %lu ", v.self.ku_minflt, v.children.ku_minflt,
	    v.self.ku_majflt, v.children.ku_majflt, ns_to_clock_ticks(v.self.ku_utime_ns),
	    ns_to_clock_ticks(v.self.ku_stime_ns), ns_to_clock_ticks(v.children.ku_utime_ns),
	    ns_to_clock_ticks(v.children.ku_stime_ns));
	/* priority nice num_threads itrealvalue starttime vsize rss rsslim */
	tb_printf(tb, "%d 0 %u 0 %lu %lu %lu %lu ", DEFAULT_PRIORITY, v.nthreads,
	    ns_to_clock_ticks(v.start_ns), vt.size, vt.rss_pages, v.rlim_rss);
	/* startcode endcode startstack kstkesp kstkeip signal blocked sigignore sigcatch */
	tb_printf(tb, "%lu %lu %lu 0 0 %lu %lu %lu %lu ", el->el_start_code, el->el_end_code,
	    el->el_start_stack, v.sigpnd, v.sigblk, v.sigign, v.sigcgt);
	/* wchan nswap cnswap exit_signal processor rt_priority policy blkio guest cguest */
	tb_printf(tb, "0 0 0 %d %u 0 0 0 0 0 ", SIGCHLD, v.cpu);
	/* start_data end_data start_brk arg_start arg_end env_start env_end exit_code */
	tb_printf(tb, "%lu %lu %lu %lu %lu %lu %lu 0\n", el->el_start_data, el->el_end_data,
	    v.vm != NULL ? v.vm->vm_brk_start : 0, el->el_arg_start, el->el_arg_end,
	    el->el_env_start, el->el_env_end);
	view_put(&v);
	return 0;
}

static void
tb_kb(struct textbuf *tb, const char *name, uint64_t kb)
{
	tb_printf(tb, "%s:\t%8lu kB\n", name, kb);
}

static void
status_ids(struct textbuf *tb, const struct proc_view *v)
{
	tb_printf(tb, "Uid:\t%u\t%u\t%u\t%u\n", v->uid[0], v->uid[1], v->uid[2], v->uid[3]);
	tb_printf(tb, "Gid:\t%u\t%u\t%u\t%u\n", v->gid[0], v->gid[1], v->gid[2], v->gid[3]);
	tb_printf(tb, "FDSize:\t%d\nGroups:\t", NOFILE_MAX);
	for (uint32_t i = 0; i < groups_count(v->groups); i++)
		tb_printf(tb, "%u ", groups_gid(v->groups, i));
	tb_printf(tb, "\n");
}

static void
status_memory(struct textbuf *tb, const struct proc_view *v)
{
	struct vm_totals vt = { 0 };
	uint64_t kb = PAGE_SIZE / 1024, text;

	if (v->vm == NULL)
		return;		/* a zombie has none, and Linux prints none */
	vm_totals_of(v->vm, &vt);
	tb_kb(tb, "VmPeak", MAX(v->maxvm_kb, vt.size / 1024));
	tb_kb(tb, "VmSize", vt.size / 1024);
	tb_kb(tb, "VmLck", vt.locked / 1024);
	tb_kb(tb, "VmPin", 0);
	tb_kb(tb, "VmHWM", MAX(v->maxrss_kb, vt.rss_pages * kb));
	tb_kb(tb, "VmRSS", vt.rss_pages * kb);
	tb_kb(tb, "VmData", vt.data / 1024);
	tb_kb(tb, "VmStk", vt.stack / 1024);
	/* Linux's split of the executable mappings: the program's text, the rest libraries'. */
	text = MIN(round_page(v->exec.el_end_code) - trunc_page(v->exec.el_start_code), vt.exec);
	tb_kb(tb, "VmExe", text / 1024);
	tb_kb(tb, "VmLib", (vt.exec - text) / 1024);
	tb_kb(tb, "VmSwap", vt.swap_pages * kb);
}

static void
tb_cpulist(struct textbuf *tb, uint64_t mask)
{
	const char *sep = "";

	for (int cpu = 0; cpu < 64; cpu++) {
		int last = cpu;

		if (!(mask & (1UL << cpu)))
			continue;
		while (last + 1 < 64 && (mask & (1UL << (last + 1))))
			last++;
		if (last == cpu)
			tb_printf(tb, "%s%d", sep, cpu);
		else
			tb_printf(tb, "%s%d-%d", sep, cpu, last);
		sep = ",";
		cpu = last;
	}
	tb_printf(tb, "\n");
}

/* Linux's /proc/PID/status, the lines that mean something here, in Linux's order. */
static int
format_status(struct textbuf *tb, int pid)
{
	struct proc_view v;
	uint64_t caps;

	if (view_get(pid, &v) != 0)
		return ENOENT;
	tb_printf(tb, "Name:\t%s\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
	    "TracerPid:\t0\n", v.comm, v.state_name, v.pid, v.pid, v.ppid);
	status_ids(tb, &v);
	tb_printf(tb, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", v.pid, v.pid, v.pgid,
	    NO_SESSION);
	status_memory(tb, &v);
	tb_printf(tb, "Threads:\t%u\nSigQ:\t%d/%lu\n", v.nthreads, __builtin_popcountl(v.sigpnd),
	    v.rlim_sigpending);
	tb_printf(tb, "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\n"
	    "SigCgt:\t%016lx\n", v.sigpnd, v.sigpnd, v.sigblk, v.sigign, v.sigcgt);
	/* Capabilities follow the uids (kern_prot.c). */
	caps = v.may_be_privileged ? CAP_FULL_SET : 0;
	tb_printf(tb, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\n"
	    "CapAmb:\t%016lx\nNoNewPrivs:\t0\nSeccomp:\t0\n", 0UL, caps,
	    v.privileged ? CAP_FULL_SET : 0, CAP_FULL_SET, 0UL);
	tb_printf(tb, "Cpus_allowed:\t%lx\nCpus_allowed_list:\t", v.cpumask);
	tb_cpulist(tb, v.cpumask);
	tb_printf(tb, "Mems_allowed:\t1\nMems_allowed_list:\t0\n");
	tb_printf(tb, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
	    v.self.ku_nvcsw, v.self.ku_nivcsw);
	view_put(&v);
	return 0;
}

/*
 * Reading another process's memory: page by page, under its map lock (so
 * the pages mapped stay put), faulting in what is not mapped.  Returns
 * the bytes read before the first unmapped byte.
 */
static size_t
read_process_memory(struct vmspace *vm, vaddr_t va, void *buf, size_t len)
{
	struct vm_map *map = &vm->vm_map;
	size_t done = 0;

	while (done < len) {
		size_t n = MIN(len - done, PAGE_SIZE - (va & PAGE_MASK));
		paddr_t pa;

		if (va >= USER_MAX)
			break;
		vm_map_lock_read(map);
		pa = pmap_extract(map->pmap, va);
		if (pa != 0)
			memcpy((char *)buf + done, (const void *)PHYS_TO_DMAP(pa), n);
		vm_map_unlock_read(map);
		if (pa == 0) {
			if (vm_fault(map, va, VM_PROT_READ, 0) != 0)
				break;
			continue;	/* mapped now (or again): look once more */
		}
		done += n;
		va += n;
	}
	return done;
}

/* Linux's cmdline: the argument strings, or setproctitle's string if it ran past them. */
/* comm: the program's name as ps shows it, with a newline. */
static int
format_comm(struct textbuf *tb, int pid)
{
	struct proc_view v;

	if (view_get(pid, &v) != 0)
		return ENOENT;
	tb_printf(tb, "%s\n", v.comm);
	view_put(&v);
	return 0;
}

static int
format_cmdline(struct textbuf *tb, int pid)
{
	struct proc_view v;
	const struct exec_layout *el = &v.exec;
	size_t len, got;
	char last = 0;

	if (view_get(pid, &v) != 0)
		return ENOENT;
	len = v.vm != NULL && el->el_arg_end > el->el_arg_start ?
	    el->el_arg_end - el->el_arg_start : 0;
	if (len > tb->size) {
		tb->overflow = true;
	} else if (len != 0) {
		read_process_memory(v.vm, el->el_arg_end - 1, &last, 1);
		if (last != '\0') {
			/* Overwritten: up to the first NUL, into the environment, a page at most. */
			len = MIN(MIN(el->el_env_end - el->el_arg_start, CMDLINE_PROCTITLE_MAX),
			    tb->size);
			got = read_process_memory(v.vm, el->el_arg_start, tb->buf, len);
			tb->len = strnlen(tb->buf, got);
		} else {
			tb->len = read_process_memory(v.vm, el->el_arg_start, tb->buf, len);
		}
	}
	view_put(&v);
	return 0;
}

/*
 * fd/: one entry per open descriptor of the process, a symbolic link
 * (lstat shows its open mode in the permissions, as Linux's do) to what
 * is open: a file's absolute path, "pipe:[INODE]", "socket:[INODE]".
 */

/*
 * May the calling process see what process pid has open and runs?  0,
 * EACCES (proc_can_inspect says no), or ENOENT (it is gone).
 */
static int
may_inspect(int pid)
{
	struct proc *p;
	int error = ENOENT;
	struct proc *self = curthread()->td_proc;	/* NULL: the kernel's own thread */

	spin_lock(&proc_lock);
	if ((p = proc_find(pid)) != NULL)
		error = self == NULL || proc_can_inspect(self, p) ? 0 : EACCES;
	spin_unlock(&proc_lock);
	return error;
}

/* The file at descriptor fd of process pid, held (file_drop it); NULL if none. */
static struct file *
file_of(int pid, int fd)
{
	struct file *fp = NULL;
	struct proc *p;

	spin_lock(&proc_lock);
	if ((p = proc_find(pid)) != NULL && p->p_fd != NULL && fd_get(p->p_fd, fd, &fp) != 0)
		fp = NULL;
	spin_unlock(&proc_lock);
	return fp;
}

static uint64_t
fd_ino(struct vnode *dir, int fd)
{
	return PROCFS_FD_INO_BASE + (uint64_t)procfs_dir_pid(dir) * NOFILE_MAX + (uint64_t)fd;
}

/* Where a fd/N link points (its inode number says which descriptor: fd_ino). */
static ssize_t
fd_readlink(struct vnode *vp, struct uio *uio)
{
	int fd = (int)((vp->v_ino - PROCFS_FD_INO_BASE) % NOFILE_MAX);
	struct file *fp;
	char *buf;
	size_t len, n = 0;
	int error;

	if ((error = may_inspect(procfs_dir_pid(vp))) != 0)
		return -error;
	if ((fp = file_of(procfs_dir_pid(vp), fd)) == NULL)
		return -ENOENT;
	if ((buf = malloc(PATH_MAX, M_PROCFS, M_WAITOK)) == NULL)
		error = ENOMEM;
	else if ((error = file_path(fp, buf, PATH_MAX, &len)) == 0) {
		n = MIN(len, uio->uio_resid);
		error = uiomove(buf, n, uio);
	}
	free(buf, M_PROCFS);
	file_drop(fp);
	return error ? -error : (ssize_t)n;
}

static const struct vnode_ops fd_link_ops = {
	.vop_readlink = fd_readlink,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

static int
fd_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	int fd = procfs_parse_number(name, len);
	struct file *fp;
	struct vnode *vp;
	uint32_t mode = 0;

	int error;

	if ((error = may_inspect(procfs_dir_pid(dir))) != 0)
		return error;
	if (fd < 0 || fd >= NOFILE_MAX || (fp = file_of(procfs_dir_pid(dir), fd)) == NULL)
		return ENOENT;
	if (file_readable(fp))
		mode |= FD_LINK_READ;
	if (file_writable(fp))
		mode |= FD_LINK_WRITE;
	file_drop(fp);
	if ((vp = procfs_vnode(VLNK, &fd_link_ops, dir->v_mount, NULL, name, len,
	    fd_ino(dir, fd))) == NULL)
		return ENOMEM;
	vp->v_mode = mode;
	vp->v_data = dir->v_data;
	*out = vp;
	return 0;
}

/* The lowest open descriptor >= from of the directory's process, or -1. */
static int
next_fd(struct vnode *dir, int from)
{
	int pid = procfs_dir_pid(dir);

	for (int fd = from; fd < NOFILE_MAX; fd++) {
		struct file *fp = file_of(pid, fd);

		if (fp != NULL) {
			file_drop(fp);
			return fd;
		}
	}
	return -1;
}

static ssize_t
fd_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	return procfs_list_numbered(dir, NULL, 0, next_fd, fd_ino, VLNK, offp, buf, len);
}

/* Listing what another user's process has open is as private as reading the links. */
static int
fd_dir_open(struct vnode *dir, int oflags __unused)
{
	return may_inspect(procfs_dir_pid(dir));
}

static const struct vnode_ops fd_dir_ops = {
	.vop_open = fd_dir_open,
	.vop_lookup = fd_lookup,
	.vop_getdents = fd_getdents,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

/*
 * pagemap: a 64-bit word per page of the address space, at offset
 * (va / PAGE_SIZE) * 8, in Linux's encoding: present, the page frame
 * number (to a privileged reader only, as Linux since 4.2), a file's page,
 * mapped by this mapping alone.  Generated for each read: the file is
 * as long as the address space, so it is never made whole.
 */
#define PM_ENTRY_BYTES		8
#define PM_PFN_MASK		((1UL << 55) - 1)
#define PM_MMAP_EXCLUSIVE	(1UL << 56)
#define PM_FILE			(1UL << 61)
#define PM_PRESENT		(1UL << 63)
#define PAGEMAP_CHUNK		512	/* entries made at a time */

/* Fill entries[0..n) for the pages from va (n at most PAGEMAP_CHUNK). */
static void
pagemap_fill(struct vmspace *vm, vaddr_t va, size_t n, uint64_t *entries, bool show_pfn)
{
	struct pmap_leaf leaves[PAGEMAP_CHUNK / 8];
	vaddr_t at = va, end = va + n * PAGE_SIZE;

	memset(entries, 0, n * sizeof(*entries));
	while (at < end) {
		size_t got = pmap_leaves(vm->vm_pmap, &at, end, leaves, nitems(leaves));

		for (size_t i = 0; i < got; i++) {
			struct vm_page *m = PHYS_TO_VM_PAGE(leaves[i].pa);
			uint64_t e = PM_PRESENT;

			if (show_pfn)
				e |= (leaves[i].pa >> PAGE_SHIFT) & PM_PFN_MASK;
			if (m != NULL && !procfs_page_is_anonymous(m))
				e |= PM_FILE;
			if (m != NULL && pmap_page_mapping_count(m) == 1)
				e |= PM_MMAP_EXCLUSIVE;
			entries[(leaves[i].va - va) / PAGE_SIZE] = e;
		}
	}
}

static ssize_t
pagemap_read(struct vnode *vp, struct uio *uio)
{
	struct proc *reader = curproc();
	bool show_pfn = reader != NULL && proc_privileged(reader);
	struct vmspace *vm;
	uint64_t *entries;
	ssize_t done = 0;
	int error = 0;

	if (uio->uio_offset % PM_ENTRY_BYTES != 0 || uio->uio_resid % PM_ENTRY_BYTES != 0)
		return -EINVAL;
	if ((vm = procfs_vmspace_hold(procfs_dir_pid(vp))) == NULL)
		return 0;		/* a zombie maps nothing */
	if ((entries = malloc(PAGEMAP_CHUNK * PM_ENTRY_BYTES, M_PROCFS, M_WAITOK)) == NULL) {
		vmspace_free(vm);
		return -ENOMEM;
	}
	while (uio->uio_resid > 0 && error == 0) {
		uint64_t page = uio->uio_offset / PM_ENTRY_BYTES;
		size_t n = MIN(uio->uio_resid / PM_ENTRY_BYTES, PAGEMAP_CHUNK);

		if (page >= USER_MAX / PAGE_SIZE)
			break;
		n = MIN(n, USER_MAX / PAGE_SIZE - page);
		pagemap_fill(vm, page * PAGE_SIZE, n, entries, show_pfn);
		if ((error = uiomove(entries, n * PM_ENTRY_BYTES, uio)) == 0)
			done += (ssize_t)(n * PM_ENTRY_BYTES);
	}
	free(entries, M_PROCFS);
	vmspace_free(vm);
	return done > 0 ? done : -error;
}

static int
read_only_open(struct vnode *vp, int oflags)
{
	(void)vp;
	return (oflags & O_ACCMODE) == O_RDONLY ? 0 : EACCES;
}

static const struct vnode_ops pagemap_ops = {
	.vop_read = pagemap_read,
	.vop_open = read_only_open,
	.vop_reclaim = procfs_reclaim,
};

/*
 * exe: where it points is the program's path, as exec found it.
 */

static ssize_t
exe_readlink(struct vnode *vp, struct uio *uio)
{
	char *buf = malloc(PATH_MAX, M_PROCFS, M_WAITOK);
	size_t len, n = 0;
	int error;

	if (buf == NULL)
		return -ENOMEM;
	if ((error = may_inspect(procfs_dir_pid(vp))) == 0 &&
	    (error = proc_exe_path(procfs_dir_pid(vp), buf, PATH_MAX, &len)) == 0) {
		n = MIN(len, uio->uio_resid);
		error = uiomove(buf, n, uio);
	}
	free(buf, M_PROCFS);
	return error ? -error : (ssize_t)n;
}

/* Followed (open, stat, execve), it is the program itself, wherever it now is. */
static int
exe_follow(struct vnode *vp, struct vnode **out)
{
	int error = may_inspect(procfs_dir_pid(vp));

	return error != 0 ? error : proc_exe_vnode(procfs_dir_pid(vp), out);
}

static const struct vnode_ops exe_link_ops = {
	.vop_readlink = exe_readlink,
	.vop_follow = exe_follow,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

/*
 * The directory.
 */

static const struct procfs_entry pid_entries[] = {
	{ "stat", VREG, PFS_PID_STAT, format_stat, NULL, 0 },
	{ "status", VREG, PFS_PID_STATUS, format_status, NULL, 0 },
	{ "cmdline", VREG, PFS_PID_CMDLINE, format_cmdline, NULL, 0 },
	{ "comm", VREG, PFS_PID_COMM, format_comm, NULL, 0 },
	{ "maps", VREG, PFS_MAPS, procfs_format_maps_of, NULL, 0 },
	{ "vmmap", VREG, PFS_VMMAP, procfs_format_vmmap_of, NULL, 0 },
	{ "vmcheck", VREG, PFS_VMCHECK, procfs_format_vmcheck_of, NULL, 0 },
	{ "exe", VLNK, PFS_PID_EXE, NULL, &exe_link_ops, 0 },
	{ "smaps", VREG, PFS_PID_SMAPS, procfs_format_smaps_of, NULL, 0 },
	{ "smaps_rollup", VREG, PFS_PID_SMAPS_ROLLUP, procfs_format_smaps_rollup_of, NULL, 0 },
	{ "pagemap", VREG, PFS_PID_PAGEMAP, NULL, &pagemap_ops, 0 },
	{ "fd", VDIR, PFS_PID_FDDIR, NULL, &fd_dir_ops, 0 },
};

static int
pid_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	return procfs_table_lookup(dir, pid_entries, nitems(pid_entries), name, len, out);
}

static ssize_t
pid_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	return procfs_list_table(dir, pid_entries, nitems(pid_entries), offp, buf, len);
}

const struct vnode_ops procfs_pid_ops = {
	.vop_lookup = pid_lookup,
	.vop_getdents = pid_getdents,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};
