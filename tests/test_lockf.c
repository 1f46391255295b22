/*
 * Host unit test for the record lock manager (mi/kern/kern_lockf.c), TAP
 * output.
 *
 * Random requests of four owners (three POSIX, one OFD) over a small
 * file are replayed on a model that keeps each owner's lock type per
 * byte, with one more "byte" standing for everything from MODEL_BYTES to
 * the end of the file.  Every request must succeed exactly when the model
 * sees no conflicting byte, and afterwards the manager's own list of
 * locks (lockf_foreach) must say, byte by byte, what the model says, with
 * each owner's locks disjoint and its locks of one type never touching
 * (merged).  F_GETLK's answer is checked against the model too.
 *
 * Then the parts that need threads: a waiter woken by an unlock and by a
 * release (close), deadlock detection through a chain of three owners,
 * and the record limit (built small here).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kern/systm.h>
#include <kern/lockf.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>
#include <uapi/fcntl.h>

#include "host/host_kmalloc.h"
#include "host/tap.h"

#define MODEL_BYTES	48
#define TAIL		MODEL_BYTES		/* the model's index for [MODEL_BYTES, EOF] */
#define NOWNERS		4
#define ROUNDS		20000

static const char file_a, file_b;	/* two lockable objects */
static const struct lockf_ident ident = { 1, 42 };
static const char owner_ids[NOWNERS];

static struct lockf_owner
owner(int i)
{
	return (struct lockf_owner){ &owner_ids[i], i == NOWNERS - 1 ? LOCKF_OFD : LOCKF_POSIX,
	    100 + i };
}

/* model[o][b]: owner o's lock type on byte b (F_UNLCK for none). */
static int model[NOWNERS][MODEL_BYTES + 1];

static int
model_index(int64_t byte)
{
	return byte >= MODEL_BYTES ? TAIL : (int)byte;
}

static bool
model_conflicts(int o, const struct lockf_range *r)
{
	for (int b = model_index(r->lr_start); b <= model_index(r->lr_end); b++)
		for (int other = 0; other < NOWNERS; other++)
			if (other != o && model[other][b] != F_UNLCK &&
			    (r->lr_type == F_WRLCK || model[other][b] == F_WRLCK))
				return true;
	return false;
}

static void
model_apply(int o, const struct lockf_range *r)
{
	for (int b = model_index(r->lr_start); b <= model_index(r->lr_end); b++)
		model[o][b] = r->lr_type;
}

/* What lockf_foreach reports, rebuilt per owner and byte, with the invariants. */
struct dump {
	int	seen[NOWNERS][MODEL_BYTES + 1];
	bool	overlap;		/* an owner's locks overlap */
	bool	unmerged;		/* an owner's locks of one type touch */
	bool	bad;			/* a lock the model cannot hold */
	int	nlocks;
	struct lockf_info locks[4 * MODEL_BYTES];
};

static void
collect(void *arg, const struct lockf_info *li)
{
	struct dump *d = arg;
	int o = li->pid == -1 ? NOWNERS - 1 : li->pid - 100;

	if (li->waiting)
		return;
	if (o < 0 || o >= NOWNERS || d->nlocks == (int)nitems(d->locks) ||
	    (li->end != LOCKF_EOF && li->end >= MODEL_BYTES) || li->start > li->end ||
	    (li->flavor == LOCKF_OFD) != (o == NOWNERS - 1)) {
		d->bad = true;
		return;
	}
	for (int i = 0; i < d->nlocks; i++) {
		const struct lockf_info *x = &d->locks[i];
		bool same_owner = x->pid == li->pid;

		if (!same_owner)
			continue;
		if (x->start <= li->end && li->start <= x->end)
			d->overlap = true;
		if (x->type == li->type && ((x->end != LOCKF_EOF && x->end + 1 == li->start) ||
		    (li->end != LOCKF_EOF && li->end + 1 == x->start)))
			d->unmerged = true;
	}
	d->locks[d->nlocks++] = *li;
	for (int b = model_index(li->start); b <= model_index(li->end); b++)
		d->seen[o][b] = li->type;
}

/* Does the manager hold exactly what the model holds? */
static bool
matches_model(const char **why)
{
	static struct dump d;

	memset(&d, 0, sizeof(d));
	for (int o = 0; o < NOWNERS; o++)
		for (int b = 0; b <= TAIL; b++)
			d.seen[o][b] = F_UNLCK;
	lockf_foreach(collect, &d);
	*why = d.bad ? "a lock out of range" : d.overlap ? "an owner's locks overlap" :
	    d.unmerged ? "touching locks of one type not merged" : "bytes differ";
	return !d.bad && !d.overlap && !d.unmerged &&
	    memcmp(d.seen, model, sizeof(model)) == 0;
}

static struct lockf_range
random_range(void)
{
	int64_t start = (int64_t)tap_rand_below(MODEL_BYTES);
	int type = (int)tap_rand_below(3);	/* F_RDLCK, F_WRLCK, F_UNLCK */
	int64_t end;

	if (tap_rand_below(8) == 0)
		end = LOCKF_EOF;
	else
		end = start + (int64_t)tap_rand_below((uint64_t)(MODEL_BYTES - start));
	return (struct lockf_range){ type, start, end };
}

static void
test_random(void)
{
	bool good = true, getlk_good = true;
	const char *why = "";
	int conflicts = 0;

	for (int o = 0; o < NOWNERS; o++)
		for (int b = 0; b <= TAIL; b++)
			model[o][b] = F_UNLCK;
	for (int i = 0; i < ROUNDS && good; i++) {
		int o = (int)tap_rand_below(NOWNERS);
		struct lockf_owner ow = owner(o);
		struct lockf_range r = random_range(), conflict;
		bool expect_conflict = r.lr_type != F_UNLCK && model_conflicts(o, &r);
		int error = lockf_set(&file_a, &ident, &ow, &r, false), pid;

		CHECK(good, "result as the model predicts", error == (expect_conflict ? EAGAIN : 0));
		if (error == 0)
			model_apply(o, &r);
		conflicts += expect_conflict;
		if (good && !matches_model(&why)) {
			good = false;
			printf("# round %d: %s\n", i, why);
		}
		/* F_GETLK of a random range by a random owner. */
		r = random_range();
		if (r.lr_type == F_UNLCK)
			r.lr_type = F_WRLCK;
		o = (int)tap_rand_below(NOWNERS);
		ow = owner(o);
		if (lockf_test(&file_a, &ow, &r, &conflict, &pid) != model_conflicts(o, &r))
			getlk_good = false;
	}
	tap_ok(good, "%d random requests of 4 owners match the byte model (%d conflicts)",
	    ROUNDS, conflicts);
	tap_ok(getlk_good, "F_GETLK finds a conflict exactly when the model has one");
	for (int o = 0; o < NOWNERS; o++)
		lockf_release(&file_a, owner_ids + o, owner(o).lo_flavor);
	tap_ok(lockf_record_count() == 0 && host_kmalloc_outstanding == 0,
	    "releasing every owner frees every record and the object's state (%lu records)",
	    lockf_record_count());
}

/* The conflict F_GETLK reports is the lowest-starting one, with the holder's pid. */
static void
test_getlk_report(void)
{
	struct lockf_owner a = owner(0), b = owner(1), ofd = owner(3);
	struct lockf_range r1 = { F_RDLCK, 20, 29 }, r2 = { F_WRLCK, 5, 9 }, q = { F_WRLCK, 0, 100 };
	struct lockf_range r3 = { F_WRLCK, 40, LOCKF_EOF }, got;
	int pid = 0;

	lockf_set(&file_a, &ident, &a, &r1, false);
	lockf_set(&file_a, &ident, &b, &r2, false);
	tap_ok(lockf_test(&file_a, &ofd, &q, &got, &pid) && got.lr_start == 5 &&
	    got.lr_end == 9 && got.lr_type == F_WRLCK && pid == 101,
	    "F_GETLK reports the lowest conflicting lock and its pid");
	lockf_release(&file_a, b.lo_id, LOCKF_POSIX);
	lockf_set(&file_a, &ident, &ofd, &r3, false);
	q = (struct lockf_range){ F_RDLCK, 50, 50 };
	tap_ok(lockf_test(&file_a, &a, &q, &got, &pid) && pid == -1 && got.lr_end == LOCKF_EOF,
	    "an OFD lock is reported with pid -1");
	q = (struct lockf_range){ F_RDLCK, 0, 39 };
	tap_ok(!lockf_test(&file_a, &b, &q, &got, &pid) && !lockf_test(&file_b, &b, &q, &got, &pid),
	    "read locks do not conflict with a read request; another object is free");
	lockf_release(&file_a, a.lo_id, LOCKF_POSIX);
	lockf_release(&file_a, ofd.lo_id, LOCKF_OFD);
}

/* A thread asking for a lock, waiting if it must. */
struct request {
	pthread_t	thread;
	uint32_t	cpu;
	const void	*obj;
	struct lockf_owner owner;
	struct lockf_range range;
	int		result;
	bool		done;		/* (A) */
};

static void *
request_thread(void *arg)
{
	struct request *rq = arg;

	curcpu()->pc_cpuid = rq->cpu;	/* spin_owned tells holders apart by cpu */
	rq->result = lockf_set(rq->obj, &ident, &rq->owner, &rq->range, true);
	__atomic_store_n(&rq->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void
count_waiters(void *arg, const struct lockf_info *li)
{
	*(int *)arg += li->waiting;
}

/* Wait (up to 5 s) until n requests are waiting. */
static bool
waiters_reach(int n)
{
	for (int i = 0; i < 5000; i++) {
		int w = 0;
		struct timespec ms = { 0, 1000000 };

		lockf_foreach(count_waiters, &w);
		if (w == n)
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

static void
start_request(struct request *rq, uint32_t cpu, int o, int type, int64_t start, int64_t end)
{
	*rq = (struct request){ .cpu = cpu, .obj = &file_b, .owner = owner(o),
	    .range = { type, start, end } };
	pthread_create(&rq->thread, NULL, request_thread, rq);
}

static int
finish_request(struct request *rq)
{
	pthread_join(rq->thread, NULL);
	return rq->result;
}

static void
test_waiting(void)
{
	struct lockf_owner a = owner(0), b = owner(1), c = owner(2), ofd = owner(3);
	struct lockf_range byte0 = { F_WRLCK, 0, 0 }, byte1 = { F_WRLCK, 1, 1 };
	struct lockf_range byte2 = { F_WRLCK, 2, 2 }, unlock0 = { F_UNLCK, 0, 0 };
	struct request rb, rc;

	lockf_set(&file_b, &ident, &a, &byte0, false);
	start_request(&rb, 1, 1, F_RDLCK, 0, 5);
	tap_ok(waiters_reach(1) && !__atomic_load_n(&rb.done, __ATOMIC_ACQUIRE),
	    "a request that conflicts waits (and shows as a waiter)");
	lockf_set(&file_b, &ident, &a, &unlock0, false);
	tap_ok(finish_request(&rb) == 0, "the holder's unlock lets it through");
	lockf_release(&file_b, b.lo_id, LOCKF_POSIX);

	/* a holds 0, b holds 1, c holds 2; b waits for a, c waits for b. */
	lockf_set(&file_b, &ident, &a, &byte0, false);
	lockf_set(&file_b, &ident, &b, &byte1, false);
	lockf_set(&file_b, &ident, &c, &byte2, false);
	start_request(&rb, 1, 1, F_WRLCK, 0, 0);
	tap_ok(waiters_reach(1), "b waits for a's byte");
	start_request(&rc, 2, 2, F_WRLCK, 1, 1);
	tap_ok(waiters_reach(2), "c waits for b's byte");
	tap_ok(lockf_set(&file_b, &ident, &a, &byte2, true) == EDEADLK,
	    "a asking for c's byte closes the cycle a -> c -> b -> a: EDEADLK");
	tap_ok(lockf_set(&file_b, &ident, &ofd, &byte2, false) == EAGAIN,
	    "an OFD owner without wait just gets EAGAIN");
	lockf_release(&file_b, a.lo_id, LOCKF_POSIX);
	tap_ok(finish_request(&rb) == 0, "releasing a's locks (a close) wakes b, which gets byte 0");
	lockf_release(&file_b, b.lo_id, LOCKF_POSIX);
	tap_ok(finish_request(&rc) == 0, "and b's release lets c have byte 1");
	lockf_release(&file_b, c.lo_id, LOCKF_POSIX);
	tap_ok(lockf_record_count() == 0 && host_kmalloc_outstanding == 0,
	    "nothing is left behind");
}

/* A program alternating lock types byte by byte runs into the record limit. */
static void
test_limit(void)
{
	struct lockf_owner a = owner(0);
	struct lockf_range all = { F_UNLCK, 0, LOCKF_EOF };
	int error = 0, n;

	for (n = 0; n < 2 * LOCKF_MAX_RECORDS && error == 0; n++) {
		struct lockf_range r = { n % 2 ? F_RDLCK : F_WRLCK, n, n };

		error = lockf_set(&file_a, &ident, &a, &r, false);
	}
	tap_ok(error == ENOLCK && lockf_record_count() <= LOCKF_MAX_RECORDS,
	    "alternating types byte by byte stop at the record limit with ENOLCK (%lu records)",
	    lockf_record_count());
	tap_ok(lockf_set(&file_a, &ident, &a, &all, false) == 0 && lockf_record_count() == 0,
	    "and unlocking everything frees them");
	host_kmalloc_fail_after = 0;
	{
		struct lockf_range r = { F_WRLCK, 0, 0 };

		error = lockf_set(&file_a, &ident, &a, &r, false);
	}
	host_kmalloc_fail_after = -1;
	tap_ok(error == ENOLCK && lockf_record_count() == 0 && host_kmalloc_outstanding == 0,
	    "no memory for a record: ENOLCK, nothing held");
}

int
main(void)
{
	tap_seed_from_env("LOCKF_SEED");
	tap_plan(18);
	test_random();
	test_getlk_report();
	test_waiting();
	test_limit();
	return tap_done();
}
