/*
 * Byte-range record locks (see lockf.h).
 *
 * Each object with locks has a lockf_state in a small hash table: its
 * locks, in no particular order (one owner's never overlap), and how many
 * requests wait for them.  Every change to an owner's locks wakes the
 * object's waiters, which look again.  A waiting request is a
 * lockf_waiter on its sleeping thread's stack, on one global list that
 * deadlock detection walks.
 *
 * Memory: the records a request may need (the new lock, and one more if
 * it splits an old one) and the object's state are allocated before
 * lockf_lock is taken; what is left over, and records removed, are freed
 * after it is released.
 */
#include <kern/systm.h>
#include <kern/list.h>
#include <kern/lockf.h>
#include <kern/malloc.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <uapi/fcntl.h>

MALLOC_DEFINE(M_LOCKF, "lockf", "byte-range record locks");

#define LOCKF_HASH_SIZE	64		/* buckets of objects with locks */
#define LOCKF_SPARES	2		/* records one request may add */

struct lockf_entry {
	struct list_node le_link;	/* (l) on its state's ls_locks */
	const void	*le_owner;	/* (l) */
	enum lockf_flavor le_flavor;	/* (l) */
	int		le_pid;		/* (l) */
	int		le_type;	/* (l) F_RDLCK or F_WRLCK */
	int64_t		le_start;	/* (l) */
	int64_t		le_end;		/* (l) inclusive, or LOCKF_EOF */
};

struct lockf_state {
	struct list_node ls_hash;	/* (l) on its bucket */
	const void	*ls_obj;	/* (l) the object, the hash key */
	struct lockf_ident ls_ident;	/* (l) */
	struct list_node ls_locks;	/* (l) lockf_entry by le_link */
	uint32_t	ls_waiters;	/* (l) requests sleeping on this state */
};

struct lockf_waiter {
	struct list_node lw_link;	/* (l) on lockf_waiters */
	struct lockf_state *lw_state;	/* (l) */
	struct lockf_owner lw_owner;	/* (l) */
	struct lockf_range lw_range;	/* (l) */
};

static struct spinlock lockf_lock = SPINLOCK_INITIALIZER("lockf");
static struct list_node lockf_hash[LOCKF_HASH_SIZE];	/* (l) */
static struct list_node lockf_waiters = LIST_HEAD_INIT(lockf_waiters);	/* (l) */
static bool lockf_hash_ready;		/* (l) */
static uint64_t lockf_records;		/* (l) lock records in use */

/* Records to free once lockf_lock is released. */
struct lockf_freelist {
	struct lockf_entry *spare[LOCKF_SPARES];
	struct list_node dead;		/* removed records */
	struct lockf_state *state;	/* a spare or a state that emptied */
};

static void
freelist_init(struct lockf_freelist *fl)
{
	memset(fl, 0, sizeof(*fl));
	list_init(&fl->dead);
}

static void
freelist_free(struct lockf_freelist *fl)
{
	struct list_node *n, *tmp;

	for (int i = 0; i < LOCKF_SPARES; i++)
		if (fl->spare[i] != NULL)
			free(fl->spare[i], M_LOCKF);
	list_foreach_safe(n, tmp, &fl->dead)
		free(list_entry(n, struct lockf_entry, le_link), M_LOCKF);
	if (fl->state != NULL)
		free(fl->state, M_LOCKF);
}

static struct lockf_entry *
take_spare(struct lockf_freelist *fl)
{
	for (int i = 0; i < LOCKF_SPARES; i++) {
		struct lockf_entry *le = fl->spare[i];

		if (le != NULL) {
			fl->spare[i] = NULL;
			return le;
		}
	}
	panic("lockf: no spare record");
}

/*
 * Ranges and owners.
 */

static bool
overlaps(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

/* Do [s1, e1] and [s2, e2] overlap or sit side by side? */
static bool
touches(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return (e1 == LOCKF_EOF || e1 + 1 >= s2) && (e2 == LOCKF_EOF || e2 + 1 >= s1);
}

static bool
owned_by(const struct lockf_entry *le, const struct lockf_owner *o)
{
	return le->le_owner == o->lo_id && le->le_flavor == o->lo_flavor;
}

static bool
conflicts(const struct lockf_entry *le, const struct lockf_owner *o,
    const struct lockf_range *r)
{
	return !owned_by(le, o) && overlaps(le->le_start, le->le_end, r->lr_start, r->lr_end) &&
	    (r->lr_type == F_WRLCK || le->le_type == F_WRLCK);
}

/*
 * The state table.
 */

static struct list_node *
bucket(const void *obj)
{
	uintptr_t h = (uintptr_t)obj;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15UL;
	return &lockf_hash[(h >> 32) % LOCKF_HASH_SIZE];
}

static struct lockf_state *
state_lookup(const void *obj)
{
	struct list_node *b, *n;

	if (!lockf_hash_ready) {
		for (int i = 0; i < LOCKF_HASH_SIZE; i++)
			list_init(&lockf_hash[i]);
		lockf_hash_ready = true;
	}
	b = bucket(obj);
	list_foreach(n, b) {
		struct lockf_state *ls = list_entry(n, struct lockf_state, ls_hash);

		if (ls->ls_obj == obj)
			return ls;
	}
	return NULL;
}

/* The state of obj, made from the spare in fl if there is none yet (or NULL). */
static struct lockf_state *
state_get(const void *obj, const struct lockf_ident *ident, struct lockf_freelist *fl)
{
	struct lockf_state *ls = state_lookup(obj);

	if (ls != NULL || fl->state == NULL)
		return ls;
	ls = fl->state;
	fl->state = NULL;
	ls->ls_obj = obj;
	ls->ls_ident = *ident;
	list_init(&ls->ls_locks);
	ls->ls_waiters = 0;
	list_append(bucket(obj), &ls->ls_hash);
	return ls;
}

/* Forget a state with no locks and no waiters (freed with fl). */
static void
state_put(struct lockf_state *ls, struct lockf_freelist *fl)
{
	if (!list_empty(&ls->ls_locks) || ls->ls_waiters != 0)
		return;
	list_remove(&ls->ls_hash);
	KASSERT(fl->state == NULL, ("lockf: two states to free"));
	fl->state = ls;
}

static void
entry_remove(struct lockf_entry *le, struct lockf_freelist *fl)
{
	list_remove(&le->le_link);
	list_append(&fl->dead, &le->le_link);
	lockf_records--;
}

static void
entry_insert(struct lockf_state *ls, struct lockf_entry *le)
{
	list_append(&ls->ls_locks, &le->le_link);
	lockf_records++;
}

/*
 * The conflicting lock with the lowest start (F_GETLK reports one; the
 * lowest makes the answer not depend on the order locks were set).
 */
static struct lockf_entry *
find_conflict(struct lockf_state *ls, const struct lockf_owner *o, const struct lockf_range *r)
{
	struct lockf_entry *best = NULL;
	struct list_node *n;

	list_foreach(n, &ls->ls_locks) {
		struct lockf_entry *le = list_entry(n, struct lockf_entry, le_link);

		if (conflicts(le, o, r) && (best == NULL || le->le_start < best->le_start))
			best = le;
	}
	return best;
}

/*
 * Make owner o's locks on ls what range r says: take o's locks out of r
 * (trimming or splitting those that stick out), merge o's locks of r's
 * type that touch r into it, and add it (unless it unlocks).  Needs at
 * most LOCKF_SPARES new records from fl.
 */
static void
apply(struct lockf_state *ls, const struct lockf_owner *o, struct lockf_range r,
    struct lockf_freelist *fl)
{
	struct list_node *n, *tmp;
	struct lockf_entry *le, *tail;

	list_foreach_safe(n, tmp, &ls->ls_locks) {
		le = list_entry(n, struct lockf_entry, le_link);
		if (!owned_by(le, o))
			continue;
		if (r.lr_type == le->le_type && touches(le->le_start, le->le_end, r.lr_start, r.lr_end)) {
			r.lr_start = MIN(r.lr_start, le->le_start);
			r.lr_end = MAX(r.lr_end, le->le_end);
			entry_remove(le, fl);
		} else if (!overlaps(le->le_start, le->le_end, r.lr_start, r.lr_end)) {
			continue;
		} else if (le->le_start < r.lr_start && le->le_end > r.lr_end) {
			tail = take_spare(fl);
			*tail = *le;
			tail->le_start = r.lr_end + 1;
			le->le_end = r.lr_start - 1;
			entry_insert(ls, tail);
		} else if (le->le_start < r.lr_start) {
			le->le_end = r.lr_start - 1;
		} else if (le->le_end > r.lr_end) {
			le->le_start = r.lr_end + 1;
		} else {
			entry_remove(le, fl);
		}
	}
	if (r.lr_type == F_UNLCK)
		return;
	le = take_spare(fl);
	*le = (struct lockf_entry){ .le_owner = o->lo_id, .le_flavor = o->lo_flavor,
	    .le_pid = o->lo_pid, .le_type = r.lr_type, .le_start = r.lr_start,
	    .le_end = r.lr_end };
	entry_insert(ls, le);
}

/* New records apply() will take: the lock itself, and the tail of a lock it splits. */
static uint64_t
records_needed(struct lockf_state *ls, const struct lockf_owner *o, const struct lockf_range *r)
{
	uint64_t n = r->lr_type != F_UNLCK;
	struct list_node *it;

	list_foreach(it, &ls->ls_locks) {
		struct lockf_entry *le = list_entry(it, struct lockf_entry, le_link);

		if (owned_by(le, o) && le->le_type != r->lr_type &&
		    le->le_start < r->lr_start && le->le_end > r->lr_end)
			return n + 1;
	}
	return n;
}

/*
 * Deadlock detection.
 */

/* A POSIX request of owner_id that is waiting, or NULL. */
static struct lockf_waiter *
waiter_of(const void *owner_id)
{
	struct list_node *n;

	list_foreach(n, &lockf_waiters) {
		struct lockf_waiter *w = list_entry(n, struct lockf_waiter, lw_link);

		if (w->lw_owner.lo_flavor == LOCKF_POSIX && w->lw_owner.lo_id == owner_id)
			return w;
	}
	return NULL;
}

/*
 * Would POSIX owner caller, by waiting for blocker, close a cycle of
 * POSIX owners each waiting for the next?
 */
static bool
would_deadlock(const void *caller, const struct lockf_entry *blocker)
{
	for (int i = 0; i < LOCKF_DEADLOCK_DEPTH && blocker != NULL; i++) {
		struct lockf_waiter *w;

		if (blocker->le_flavor != LOCKF_POSIX)
			return false;
		if ((w = waiter_of(blocker->le_owner)) == NULL)
			return false;
		blocker = find_conflict(w->lw_state, &w->lw_owner, &w->lw_range);
		if (blocker != NULL && blocker->le_flavor == LOCKF_POSIX &&
		    blocker->le_owner == caller)
			return true;
	}
	return false;
}

/*
 * The interface.
 */

static int
alloc_spares(struct lockf_freelist *fl, bool unlock)
{
	for (int i = 0; i < LOCKF_SPARES; i++)
		if ((fl->spare[i] = malloc(sizeof(struct lockf_entry), M_LOCKF, M_WAITOK)) == NULL)
			return ENOLCK;
	/* Unlocking an object with no state has nothing to do: no state needed. */
	if (!unlock && (fl->state = malloc(sizeof(struct lockf_state), M_LOCKF, M_WAITOK)) == NULL)
		return ENOLCK;
	return 0;
}

/* Sleep until ls changes; ERESTARTSYS on a signal.  lockf_lock held. */
static int
wait_for_change(struct lockf_state *ls, const struct lockf_owner *o,
    const struct lockf_range *r)
{
	struct lockf_waiter w = { .lw_state = ls, .lw_owner = *o, .lw_range = *r };
	int error;

	list_append(&lockf_waiters, &w.lw_link);
	ls->ls_waiters++;
	error = sleep_on_intr(ls, &lockf_lock);
	ls->ls_waiters--;
	list_remove(&w.lw_link);
	return error;
}

int
lockf_set(const void *obj, const struct lockf_ident *ident, const struct lockf_owner *owner,
    const struct lockf_range *range, bool wait)
{
	struct lockf_freelist fl;
	struct lockf_state *ls;
	struct lockf_entry *blocker;
	int error;

	KASSERT(range->lr_start >= 0 && range->lr_start <= range->lr_end,
	    ("lockf_set: bad range %ld-%ld", range->lr_start, range->lr_end));
	freelist_init(&fl);
	if ((error = alloc_spares(&fl, range->lr_type == F_UNLCK)) != 0) {
		freelist_free(&fl);
		return error;
	}
	spin_lock(&lockf_lock);
	if ((ls = state_get(obj, ident, &fl)) == NULL)
		goto out;		/* unlocking what has no locks */
	for (;;) {
		blocker = range->lr_type == F_UNLCK ? NULL : find_conflict(ls, owner, range);
		if (blocker == NULL)
			break;
		if (!wait) {
			error = EAGAIN;
			break;
		}
		if (owner->lo_flavor == LOCKF_POSIX && would_deadlock(owner->lo_id, blocker)) {
			error = EDEADLK;
			break;
		}
		if ((error = wait_for_change(ls, owner, range)) != 0)
			break;
	}
	if (error == 0 && lockf_records + records_needed(ls, owner, range) > LOCKF_MAX_RECORDS)
		error = ENOLCK;
	if (error == 0) {
		apply(ls, owner, *range, &fl);
		if (ls->ls_waiters != 0)
			wakeup(ls);
	}
	state_put(ls, &fl);
out:
	spin_unlock(&lockf_lock);
	freelist_free(&fl);
	return error;
}

bool
lockf_test(const void *obj, const struct lockf_owner *owner, const struct lockf_range *range,
    struct lockf_range *conflict, int *pid)
{
	struct lockf_state *ls;
	struct lockf_entry *le = NULL;

	spin_lock(&lockf_lock);
	if ((ls = state_lookup(obj)) != NULL && (le = find_conflict(ls, owner, range)) != NULL) {
		*conflict = (struct lockf_range){ le->le_type, le->le_start, le->le_end };
		*pid = le->le_flavor == LOCKF_OFD ? -1 : le->le_pid;
	}
	spin_unlock(&lockf_lock);
	return le != NULL;
}

void
lockf_release(const void *obj, const void *owner_id, enum lockf_flavor flavor)
{
	struct lockf_owner o = { .lo_id = owner_id, .lo_flavor = flavor };
	struct lockf_range all = { F_UNLCK, 0, LOCKF_EOF };
	struct lockf_freelist fl;
	struct lockf_state *ls;

	freelist_init(&fl);
	spin_lock(&lockf_lock);
	if ((ls = state_lookup(obj)) != NULL) {
		apply(ls, &o, all, &fl);	/* unlocking everything splits nothing */
		if (ls->ls_waiters != 0)
			wakeup(ls);
		state_put(ls, &fl);
	}
	spin_unlock(&lockf_lock);
	freelist_free(&fl);
}

static struct lockf_info
entry_info(const struct lockf_state *ls, const struct lockf_entry *le, uint32_t id)
{
	return (struct lockf_info){ .id = id, .flavor = le->le_flavor, .type = le->le_type,
	    .pid = le->le_flavor == LOCKF_OFD ? -1 : le->le_pid, .ident = ls->ls_ident,
	    .start = le->le_start, .end = le->le_end };
}

/* The requests waiting on ls that le is (now) what blocks. */
static void
foreach_waiter(struct lockf_state *ls, struct lockf_entry *le, uint32_t id,
    void (*fn)(void *, const struct lockf_info *), void *arg)
{
	struct list_node *n;

	list_foreach(n, &lockf_waiters) {
		struct lockf_waiter *w = list_entry(n, struct lockf_waiter, lw_link);
		struct lockf_info info;

		if (w->lw_state != ls || find_conflict(ls, &w->lw_owner, &w->lw_range) != le)
			continue;
		info = (struct lockf_info){ .id = id, .waiting = true,
		    .flavor = w->lw_owner.lo_flavor, .type = w->lw_range.lr_type,
		    .pid = w->lw_owner.lo_flavor == LOCKF_OFD ? -1 : w->lw_owner.lo_pid,
		    .ident = ls->ls_ident, .start = w->lw_range.lr_start,
		    .end = w->lw_range.lr_end };
		fn(arg, &info);
	}
}

void
lockf_foreach(void (*fn)(void *arg, const struct lockf_info *info), void *arg)
{
	uint32_t id = 0;

	spin_lock(&lockf_lock);
	for (int b = 0; lockf_hash_ready && b < LOCKF_HASH_SIZE; b++) {
		struct list_node *sn, *ln;

		list_foreach(sn, &lockf_hash[b]) {
			struct lockf_state *ls = list_entry(sn, struct lockf_state, ls_hash);

			list_foreach(ln, &ls->ls_locks) {
				struct lockf_entry *le = list_entry(ln, struct lockf_entry, le_link);
				struct lockf_info info = entry_info(ls, le, ++id);

				fn(arg, &info);
				foreach_waiter(ls, le, id, fn, arg);
			}
		}
	}
	spin_unlock(&lockf_lock);
}

uint64_t
lockf_record_count(void)
{
	uint64_t n;

	spin_lock(&lockf_lock);
	n = lockf_records;
	spin_unlock(&lockf_lock);
	return n;
}
