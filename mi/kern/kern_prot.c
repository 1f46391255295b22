/*
 * Process credentials and groups (after FreeBSD's kern_prot.c, with
 * Linux's rules): the real, effective, saved and file-system user and
 * group ids, the supplementary groups, and the calls that read and change
 * them; and the process group (setpgid is with the process life cycle,
 * proc.c).
 *
 * Privilege is Linux's capabilities reduced to what follows from the
 * effective uid: uid 0 holds CAP_SETUID, CAP_SETGID, CAP_KILL and the
 * rest, everyone else none.  Capabilities follow the effective uid in
 * Linux too (unless a program uses prctl's securebits), so a process
 * that keeps 0 as its saved uid can take it back, and one whose three
 * uids are all nonzero never can.
 *
 * The groups are an immutable, reference-counted array, sorted as Linux
 * keeps them, shared by fork and replaced by setgroups.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>

MALLOC_DEFINE(M_CRED, "cred", "supplementary group lists");

#define NGROUPS_MAX	65536		/* as Linux */
#define ID_UNCHANGED	UINT32_MAX	/* -1: leave this id as it is */

struct groups {
	uint32_t	g_refcnt;	/* (A) */
	uint32_t	g_count;	/* (C) */
	uint32_t	g_gid[];	/* (C) ascending */
};

static void
groups_hold(struct groups *g)
{
	if (g != NULL)
		__atomic_add_fetch(&g->g_refcnt, 1, __ATOMIC_RELAXED);
}

static void
groups_drop(struct groups *g)
{
	if (g != NULL && __atomic_sub_fetch(&g->g_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		free(g, M_CRED);
}

void
proc_cred_fork(struct proc *child, struct proc *parent)
{
	spin_lock(&proc_lock);
	child->p_uid = parent->p_uid;
	child->p_ruid = parent->p_ruid;
	child->p_suid = parent->p_suid;
	child->p_fsuid = parent->p_fsuid;
	child->p_gid = parent->p_gid;
	child->p_rgid = parent->p_rgid;
	child->p_sgid = parent->p_sgid;
	child->p_fsgid = parent->p_fsgid;
	child->p_groups = parent->p_groups;
	groups_hold(child->p_groups);
	spin_unlock(&proc_lock);
}

void
proc_cred_free(struct proc *p)
{
	groups_drop(p->p_groups);
	p->p_groups = NULL;
}

struct groups *
proc_groups_hold(struct proc *p)
{
	KASSERT(spin_owned(&proc_lock), ("proc_groups_hold: proc_lock not held"));
	groups_hold(p->p_groups);
	return p->p_groups;
}

void
groups_release(struct groups *g)
{
	groups_drop(g);
}

uint32_t
groups_count(const struct groups *g)
{
	return g != NULL ? g->g_count : 0;
}

uint32_t
groups_gid(const struct groups *g, uint32_t i)
{
	KASSERT(g != NULL && i < g->g_count, ("groups_gid: %u out of range", i));
	return g->g_gid[i];
}

bool
proc_in_group(struct proc *p, uint32_t gid)
{
	struct groups *g;
	bool found = p->p_gid == gid;

	if (found)
		return true;
	spin_lock(&proc_lock);
	g = proc_groups_hold(p);
	spin_unlock(&proc_lock);
	for (uint32_t i = 0; i < groups_count(g) && !found; i++)
		found = groups_gid(g, i) == gid;
	groups_release(g);
	return found;
}

bool
proc_privileged(const struct proc *p)
{
	return p->p_uid == 0;
}

bool
proc_can_signal(const struct proc *sender, const struct proc *target)
{
	KASSERT(spin_owned(&proc_lock), ("proc_can_signal: proc_lock not held"));
	return proc_privileged(sender) ||
	    sender->p_ruid == target->p_ruid || sender->p_ruid == target->p_suid ||
	    sender->p_uid == target->p_ruid || sender->p_uid == target->p_suid;
}

bool
proc_can_inspect(const struct proc *reader, const struct proc *target)
{
	KASSERT(spin_owned(&proc_lock), ("proc_can_inspect: proc_lock not held"));
	return reader == target || proc_privileged(reader) ||
	    (reader->p_fsuid == target->p_uid && reader->p_fsuid == target->p_ruid &&
	    reader->p_fsuid == target->p_suid && reader->p_fsgid == target->p_gid &&
	    reader->p_fsgid == target->p_rgid && reader->p_fsgid == target->p_sgid);
}

/*
 * Reading.
 */

SYSCALL(getuid) { return td->td_proc->p_ruid; }
SYSCALL(geteuid) { return td->td_proc->p_uid; }
SYSCALL(getgid) { return td->td_proc->p_rgid; }
SYSCALL(getegid) { return td->td_proc->p_gid; }

static long
copyout_ids(uint32_t r, uint32_t e, uint32_t s, const uint64_t a[6])
{
	if (copyout(&r, (void *)a[0], sizeof(r)) || copyout(&e, (void *)a[1], sizeof(e)) ||
	    copyout(&s, (void *)a[2], sizeof(s)))
		return -EFAULT;
	return 0;
}

/* getresuid(ruid, euid, suid) */
SYSCALL(getresuid)
{
	struct proc *p = td->td_proc;

	return copyout_ids(p->p_ruid, p->p_uid, p->p_suid, a);
}

SYSCALL(getresgid)
{
	struct proc *p = td->td_proc;

	return copyout_ids(p->p_rgid, p->p_gid, p->p_sgid, a);
}

/*
 * Changing.  The user and group calls follow one set of rules, so they
 * work on a struct ids pointing at either set of four.
 */

struct ids {
	uint32_t	*r, *e, *s, *fs;
};

static struct ids
user_ids(struct proc *p)
{
	return (struct ids){ &p->p_ruid, &p->p_uid, &p->p_suid, &p->p_fsuid };
}

static struct ids
group_ids(struct proc *p)
{
	return (struct ids){ &p->p_rgid, &p->p_gid, &p->p_sgid, &p->p_fsgid };
}

/* Is id one of the current real, effective or saved ids (or unchanged)? */
static bool
id_allowed(const struct ids *ids, uint32_t id)
{
	return id == ID_UNCHANGED || id == *ids->r || id == *ids->e || id == *ids->s;
}

/* Store the new ids (ID_UNCHANGED keeps one); the fs id follows the effective one. */
static void
ids_set(struct ids *ids, uint32_t r, uint32_t e, uint32_t s)
{
	if (r != ID_UNCHANGED)
		*ids->r = r;
	if (e != ID_UNCHANGED)
		*ids->e = e;
	if (s != ID_UNCHANGED)
		*ids->s = s;
	*ids->fs = *ids->e;
}

/* setresuid/setresgid: without privilege, each new id must be a current one. */
static long
set_res(struct thread *td, bool user, uint32_t r, uint32_t e, uint32_t s)
{
	struct proc *p = td->td_proc;
	struct ids ids = user ? user_ids(p) : group_ids(p);
	long error = 0;

	spin_lock(&proc_lock);
	if (!proc_privileged(p) && !(id_allowed(&ids, r) && id_allowed(&ids, e) &&
	    id_allowed(&ids, s)))
		error = -EPERM;
	else
		ids_set(&ids, r, e, s);
	spin_unlock(&proc_lock);
	return error;
}

/*
 * setreuid/setregid: without privilege the real id may become the
 * effective one and the effective id any current one; the saved id
 * follows the effective one when the real id is set or the effective
 * one becomes other than the real one.
 */
static long
set_re(struct thread *td, bool user, uint32_t r, uint32_t e)
{
	struct proc *p = td->td_proc;
	struct ids ids = user ? user_ids(p) : group_ids(p);
	uint32_t s = ID_UNCHANGED;
	long error = 0;

	spin_lock(&proc_lock);
	if (!proc_privileged(p) && ((r != ID_UNCHANGED && r != *ids.r && r != *ids.e) ||
	    !id_allowed(&ids, e))) {
		error = -EPERM;
	} else {
		if (r != ID_UNCHANGED || (e != ID_UNCHANGED && e != *ids.r))
			s = e != ID_UNCHANGED ? e : *ids.e;
		ids_set(&ids, r, e, s);
	}
	spin_unlock(&proc_lock);
	return error;
}

/*
 * setuid/setgid: with privilege all three ids; without, only the
 * effective one, to the real or saved id.  (Linux asks for CAP_SETUID
 * for setuid and CAP_SETGID for setgid; both are uid 0 here.)
 */
static long
set_one(struct thread *td, bool user, uint32_t id)
{
	struct proc *p = td->td_proc;
	struct ids ids = user ? user_ids(p) : group_ids(p);
	long error = 0;

	if (id == ID_UNCHANGED)
		return -EINVAL;
	spin_lock(&proc_lock);
	if (proc_privileged(p))
		ids_set(&ids, id, id, id);
	else if (id == *ids.r || id == *ids.s)
		ids_set(&ids, ID_UNCHANGED, id, ID_UNCHANGED);
	else
		error = -EPERM;
	spin_unlock(&proc_lock);
	return error;
}

/* setfsuid/setfsgid: the old fs id, whether or not the change was allowed. */
static long
set_fs(struct thread *td, bool user, uint32_t id)
{
	struct proc *p = td->td_proc;
	struct ids ids = user ? user_ids(p) : group_ids(p);
	uint32_t old;

	spin_lock(&proc_lock);
	old = *ids.fs;
	if (id != ID_UNCHANGED && (proc_privileged(p) || id_allowed(&ids, id) || id == old))
		*ids.fs = id;
	spin_unlock(&proc_lock);
	return old;
}

SYSCALL(setresuid) { return set_res(td, true, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]); }
SYSCALL(setresgid) { return set_res(td, false, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]); }
SYSCALL(setreuid) { return set_re(td, true, (uint32_t)a[0], (uint32_t)a[1]); }
SYSCALL(setregid) { return set_re(td, false, (uint32_t)a[0], (uint32_t)a[1]); }
SYSCALL(setuid) { return set_one(td, true, (uint32_t)a[0]); }
SYSCALL(setgid) { return set_one(td, false, (uint32_t)a[0]); }
SYSCALL(setfsuid) { return set_fs(td, true, (uint32_t)a[0]); }
SYSCALL(setfsgid) { return set_fs(td, false, (uint32_t)a[0]); }

/*
 * Supplementary groups.
 */

/* getgroups(size, list): the count; with size 0 only the count. */
SYSCALL(getgroups)
{
	struct groups *g = td->td_proc->p_groups;
	uint32_t n = g != NULL ? g->g_count : 0;
	int size = (int)a[0];

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return n;
	if ((uint32_t)size < n)
		return -EINVAL;
	if (n != 0 && copyout(g->g_gid, (void *)a[1], n * sizeof(uint32_t)))
		return -EFAULT;
	return n;
}

/* Sort n gids in place (an insertion sort: lists are short, and this runs rarely). */
static void
sort_gids(uint32_t *gid, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint32_t v = gid[i], j = i;

		for (; j > 0 && gid[j - 1] > v; j--)
			gid[j] = gid[j - 1];
		gid[j] = v;
	}
}

/* setgroups(size, list): privileged; the list is kept sorted, as Linux keeps it. */
SYSCALL(setgroups)
{
	struct proc *p = td->td_proc;
	uint32_t n = (uint32_t)a[0];
	struct groups *g = NULL, *old;

	if (!proc_privileged(p))
		return -EPERM;
	if (n > NGROUPS_MAX)
		return -EINVAL;
	if (n != 0) {
		g = malloc(sizeof(*g) + (size_t)n * sizeof(uint32_t), M_CRED, M_WAITOK);
		if (g == NULL)
			return -ENOMEM;
		g->g_refcnt = 1;
		g->g_count = n;
		if (copyin((const void *)a[1], g->g_gid, (size_t)n * sizeof(uint32_t))) {
			free(g, M_CRED);
			return -EFAULT;
		}
		sort_gids(g->g_gid, g->g_count);
	}
	spin_lock(&proc_lock);
	old = p->p_groups;
	p->p_groups = g;
	spin_unlock(&proc_lock);
	groups_drop(old);
	return 0;
}

/*
 * The process group.
 */

SYSCALL(getpgid)
{
	struct proc *p;
	int pgid = -ESRCH;

	spin_lock(&proc_lock);
	p = a[0] == 0 ? td->td_proc : proc_find((int)a[0]);
	if (p != NULL)
		pgid = p->p_pgid;
	spin_unlock(&proc_lock);
	return pgid;
}
