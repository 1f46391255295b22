/*
 * /proc/sys: the kernel's tunables, as Linux's sysctl files.
 *
 *   /proc/sys/kernel/pid_max   the limit process and thread ids stay
 *                              below (pid.h)
 *   /proc/sys/kernel/shmmax    the largest System V shared memory
 *                              segment, in bytes (sysv_shm.h)
 *   /proc/sys/kernel/shmall    all segments together, in pages
 *   /proc/sys/kernel/shmmni    how many segments there may be
 *   /proc/sys/kernel/sched_child_runs_first
 *                              1: a forked child runs before its parent
 *                              goes on (sched.h), 0: the parent goes on
 *   /proc/sys/vm/NAME          one file per VM setting (vm_sysctl.h), with
 *                              write-back's: dirty_writeback_centisecs (the
 *                              syncer's interval) and drop_caches (write 1:
 *                              clean file pages, 2: unused vnodes, 3: both)
 *   /proc/sysrq-trigger        write 's' (sync), 'u' (every file system
 *                              read-only, clean), 'o' or 'b' (power off
 *                              now, without syncing: a power failure, for
 *                              tests); root's, write-only
 *
 * A kernel tunable reads as its value now, and takes a new one from a
 * single write at offset 0 of a decimal number (a newline may follow), by
 * root only; a value it refuses (a negative one, with all of these) is
 * EINVAL and changes nothing.  A VM setting's file holds the text of its
 * value when it was looked up (a snapshot, like every procfs file) and
 * the setting itself, which root's write goes to (blanks around the
 * number allowed, as Linux's proc_doulongvec takes it).  A setting that
 * is a choice of words (transparent_hugepage) reads as Linux shows one,
 * "[always] madvise never", and takes one of the words.
 *
 * Locking: none here; each tunable's owner keeps its value atomic, and a
 * setting's get and set take what they need.
 */
#include <kern/systm.h>
#include <kern/pid.h>
#include <kern/proc.h>
#include <kern/reboot.h>
#include <kern/sched.h>
#include <fs/mount.h>
#include <kern/sysv_shm.h>
#include <vm/vm_sysctl.h>
#include <fs/procfs_internal.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

#define TUNABLE_TEXT_MAX	24	/* a 64-bit decimal number, a sign and a newline */
#define TUNABLE_MODE		0644
#define SYSCTL_INO_BASE		0x6ffff000UL	/* apart from procfs_ino's (0x70000000 up) */
#define SYSCTL_TEXT		48		/* a number or a choice of words, and a newline */
#define SYSCTL_DOTS		2		/* "." and "..": directory cookies before the settings */

/* v_data of a setting's file. */
struct sysctl_file {
	const struct vm_sysctl *sc;
	size_t		len;
	char		text[SYSCTL_TEXT];
};


struct tunable {
	enum procfs_kind kind;
	uint64_t	(*get)(void);
	int		(*set)(uint64_t value);	/* 0 or an errno */
};

static uint64_t
pid_max_value(void)
{
	return (uint64_t)pid_max_get();
}

static int
pid_max_change(uint64_t value)
{
	return value > (uint64_t)__INT64_MAX__ ? EINVAL : pid_max_set((int64_t)value);
}

static const struct tunable tunables[] = {
	{ PFS_SYS_PID_MAX, pid_max_value, pid_max_change },
	{ PFS_SYS_SHMMAX, shm_max_get, shm_max_set },
	{ PFS_SYS_SHMALL, shm_all_get, shm_all_set },
	{ PFS_SYS_SHMMNI, shm_mni_get, shm_mni_set },
	{ PFS_SYS_CHILD_FIRST, sched_child_first_get, sched_child_first_set },
};

static const struct vnode_ops tunable_ops;
static const struct vnode_ops sys_kernel_ops;
static const struct vnode_ops procfs_sysvm_ops;
static const struct vnode_ops procfs_sysctl_ops;

static const struct procfs_entry sys_entries[] = {
	{ "kernel", VDIR, PFS_SYS_KERNEL, NULL, &sys_kernel_ops, 0 },
	{ "vm", VDIR, PFS_SYS_VM, NULL, &procfs_sysvm_ops, 0 },
};

static const struct procfs_entry kernel_entries[] = {
	{ "pid_max", VREG, PFS_SYS_PID_MAX, NULL, &tunable_ops, 0 },
	{ "sched_child_runs_first", VREG, PFS_SYS_CHILD_FIRST, NULL, &tunable_ops, 0 },
	{ "shmall", VREG, PFS_SYS_SHMALL, NULL, &tunable_ops, 0 },
	{ "shmmax", VREG, PFS_SYS_SHMMAX, NULL, &tunable_ops, 0 },
	{ "shmmni", VREG, PFS_SYS_SHMMNI, NULL, &tunable_ops, 0 },
};

/* The tunable a vnode is, found by its inode number. */
static const struct tunable *
tunable_of(struct vnode *vp)
{
	for (size_t i = 0; i < nitems(tunables); i++)
		if (vp->v_ino == procfs_ino(0, tunables[i].kind))
			return &tunables[i];
	panic("procfs_sys: vnode %lu is no tunable", (unsigned long)vp->v_ino);
}

static ssize_t
tunable_read(struct vnode *vp, struct uio *uio)
{
	char text[TUNABLE_TEXT_MAX];
	size_t len = (size_t)snprintf(text, sizeof(text), "%lu\n", tunable_of(vp)->get());
	size_t n;

	if (uio->uio_offset >= len)
		return 0;
	n = MIN(uio->uio_resid, len - uio->uio_offset);
	if (uiomove(text + uio->uio_offset, n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

/*
 * Parse a decimal number with one newline after it at most.  None of the
 * tunables takes a negative one.
 */
static int
parse_value(const char *text, uint64_t *value)
{
	char *end;
	unsigned long v;

	while (*text == ' ' || *text == '\t')
		text++;			/* as Linux's sysctl parser */
	if (*text < '0' || *text > '9')
		return EINVAL;
	v = strtoul(text, &end, 10);
	if ((*end == '\n' && end[1] != '\0') || (*end != '\n' && *end != '\0'))
		return EINVAL;
	*value = v;
	return 0;
}

static ssize_t
tunable_write(struct vnode *vp, struct uio *uio)
{
	size_t len = uio->uio_resid;
	char text[TUNABLE_TEXT_MAX];
	uint64_t value;
	int error;

	if (uio->uio_offset != 0 || len == 0 || len >= sizeof(text))
		return -EINVAL;
	if (uiomove(text, len, uio) != 0)
		return -EFAULT;
	text[len] = '\0';
	if ((error = parse_value(text, &value)) != 0 ||
	    (error = tunable_of(vp)->set(value)) != 0)
		return -error;
	return (ssize_t)len;
}

/* Anyone may read a tunable; only root may write one (the file is root's, TUNABLE_MODE). */
static int
tunable_open(struct vnode *vp, int oflags)
{
	struct proc *p = curproc();

	if ((oflags & O_ACCMODE) != O_RDONLY && (p == NULL || !proc_privileged(p)))
		return EACCES;
	return 0;
}

static int
sys_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	return procfs_table_lookup(dir, sys_entries, nitems(sys_entries), name, len, out);
}

static ssize_t
sys_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	return procfs_list_table(dir, sys_entries, nitems(sys_entries), offp, buf, len);
}

/* Every file in /proc/sys/kernel is a tunable: root's, readable by all (0644). */
static int
sys_kernel_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	int error = procfs_table_lookup(dir, kernel_entries, nitems(kernel_entries), name, len,
	    out);

	if (error == 0)
		(*out)->v_mode = TUNABLE_MODE;
	return error;
}

static ssize_t
sys_kernel_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	return procfs_list_table(dir, kernel_entries, nitems(kernel_entries), offp, buf, len);
}

/*
 * /proc/sys/vm: the settings vm_sysctl.c lists.
 */

/* A choice, as Linux shows one: the words, the one in force in brackets. */
static size_t
format_choice(char *buf, size_t size, const struct vm_sysctl *sc)
{
	uint64_t now = sc->get();
	size_t len = 0;

	for (uint64_t i = 0; sc->words[i] != NULL && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, i == now ? "%s[%s]" : "%s%s",
		    i == 0 ? "" : " ", sc->words[i]);
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, "\n");
	KASSERT(len < size, ("procfs: the choices of %s do not fit", sc->name));
	return len;
}

static uint64_t
setting_ino(const struct vm_sysctl *sc)
{
	return SYSCTL_INO_BASE + (uint64_t)(sc - vm_sysctl_at(0));
}

static int
sysvm_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	const struct vm_sysctl *sc = vm_sysctl_find(name, len);
	struct sysctl_file *f;
	struct vnode *vp;

	if (sc == NULL)
		return ENOENT;
	if ((f = malloc(sizeof(*f), M_PROCFS, M_WAITOK)) == NULL)
		return ENOMEM;
	f->sc = sc;
	f->len = sc->words != NULL ? format_choice(f->text, sizeof(f->text), sc) :
	    (size_t)snprintf(f->text, sizeof(f->text), "%lu\n", sc->get());
	if ((vp = procfs_vnode(VREG, &procfs_sysctl_ops, dir->v_mount, NULL, NULL, 0,
	    setting_ino(sc))) == NULL) {
		free(f, M_PROCFS);
		return ENOMEM;
	}
	if (sc->mode != 0)
		vp->v_mode = sc->mode;
	else if (sc->set != NULL)
		vp->v_mode = 0644;
	vp->v_data = f;
	vp->v_size = f->len;
	*out = vp;
	return 0;
}

static ssize_t
sysvm_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	struct vnode *up = dir->v_parent != NULL ? dir->v_parent : dir;
	uint64_t cookie = *offp;
	size_t used = 0, next;

	for (;; cookie++) {
		const struct vm_sysctl *sc =
		    cookie >= SYSCTL_DOTS ? vm_sysctl_at(cookie - SYSCTL_DOTS) : NULL;

		if (cookie == 0)
			next = dirent_add(buf, len, used, dir->v_ino, 1, VDIR, ".", 1);
		else if (cookie == 1)
			next = dirent_add(buf, len, used, up->v_ino, 2, VDIR, "..", 2);
		else if (sc == NULL)
			break;
		else
			next = dirent_add(buf, len, used, setting_ino(sc), cookie + 1, VREG,
			    sc->name, strlen(sc->name));
		if (next == 0)
			break;
		used = next;
	}
	if (used == 0 && (cookie < SYSCTL_DOTS || vm_sysctl_at(cookie - SYSCTL_DOTS) != NULL))
		return -EINVAL;
	*offp = cookie;
	return (ssize_t)used;
}

/*
 * A setting's file.
 */

/* Writing is for root, and only where the setting may change. */
static int
sysctl_open(struct vnode *vp, int oflags)
{
	const struct sysctl_file *f = vp->v_data;
	struct proc *p = curproc();

	if ((oflags & O_ACCMODE) == O_RDONLY)
		return 0;
	return f->sc->set != NULL && p != NULL && proc_privileged(p) ? 0 : EACCES;
}

static ssize_t
sysctl_read(struct vnode *vp, struct uio *uio)
{
	const struct sysctl_file *f = vp->v_data;

	return procfs_text_read(f->text, f->len, uio);
}

/* One of the words, with blanks around it: its index, or -1. */
static int64_t
parse_choice(const char *const *words, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	for (int64_t i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return i;
	return -1;
}

/* A decimal number with blanks around it, as Linux's proc_doulongvec takes it; -1 if not. */
static int64_t
parse_setting(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t v = 0;
	bool digits = false;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits = true) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	return digits && i == n ? (int64_t)v : -1;
}

static ssize_t
sysctl_write(struct vnode *vp, struct uio *uio)
{
	const struct sysctl_file *f = vp->v_data;
	char buf[SYSCTL_TEXT];
	size_t n = uio->uio_resid;
	int64_t v;
	int error;

	if (n == 0)
		return 0;
	if (n >= sizeof(buf))
		return -EINVAL;
	if (uiomove(buf, n, uio) != 0)
		return -EFAULT;
	v = f->sc->words != NULL ? parse_choice(f->sc->words, buf, n) : parse_setting(buf, n);
	if (v < 0)
		return -EINVAL;
	if ((error = f->sc->set((uint64_t)v)) != 0)
		return -error;
	return (ssize_t)n;
}

/*
 * /proc/sysrq-trigger.
 */

static void
sysrq(char c)
{
	switch (c) {
	case 's':
		vfs_sync_all(true);
		break;
	case 'u':
		vfs_shutdown();
		break;
	case 'o':
	case 'b':
		printf("sysrq: powering off now, nothing synced\n");
		machine_poweroff(POWEROFF_SUCCESS);
	default:
		break;		/* Linux ignores unknown keys */
	}
}

/* The first byte written is the key, as Linux takes it; the rest is ignored. */
static ssize_t
sysrq_write(struct vnode *vp __unused, struct uio *uio)
{
	size_t len = uio->uio_resid;
	char key;

	if (len == 0)
		return 0;
	if (uiomove(&key, 1, uio) != 0)
		return -EFAULT;
	sysrq(key);
	return (ssize_t)len;
}

/* Only root may open it, and only to write (0200). */
static int
sysrq_open(struct vnode *vp __unused, int oflags)
{
	struct proc *p = curproc();

	if ((oflags & O_ACCMODE) == O_RDONLY || p == NULL || !proc_privileged(p))
		return EACCES;
	return 0;
}

static void
sysctl_reclaim(struct vnode *vp)
{
	free(vp->v_data, M_PROCFS);
	vnode_free(vp);
}

const struct vnode_ops procfs_sys_ops = {
	.vop_lookup = sys_lookup,
	.vop_getdents = sys_getdents,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

const struct vnode_ops procfs_sysrq_ops = {
	.vop_write = sysrq_write,
	.vop_open = sysrq_open,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops sys_kernel_ops = {
	.vop_lookup = sys_kernel_lookup,
	.vop_getdents = sys_kernel_getdents,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops tunable_ops = {
	.vop_read = tunable_read,
	.vop_write = tunable_write,
	.vop_open = tunable_open,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_sysvm_ops = {
	.vop_lookup = sysvm_lookup,
	.vop_getdents = sysvm_getdents,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = procfs_reclaim,
};

static const struct vnode_ops procfs_sysctl_ops = {
	.vop_read = sysctl_read,
	.vop_write = sysctl_write,
	.vop_open = sysctl_open,
	.vop_getattr = procfs_getattr,
	.vop_reclaim = sysctl_reclaim,
};
