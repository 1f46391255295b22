/*
 * Host unit test of split virtqueues (drivers/virtqueue.c), TAP output,
 * against a simulated device: it reads the available ring and each
 * request's descriptors (chained, or through an indirect table) the way
 * a virtio device must, checks them against what was offered, and
 * returns requests in the used ring in an order of its choosing.
 *
 * The transport calls are recorded here; "physical" addresses are host
 * addresses (tests/host/include/machine/param.h).  virtqueue.c is built
 * with kernel malloc renamed to kmalloc/kfree (meson.build), served here
 * by libc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/types.h>
#include <kern/errno.h>
#include <kern/mflags.h>
#include <machine/param.h>
#include <vm/kmem.h>

#include "drivers/virtio.h"
#include "drivers/virtqueue.h"
#include "host/tap.h"

#define QUEUE_SIZE	16
#define MAX_SEGS	6
#define TABLE_MAX	8
#define CYCLES		70000		/* past 65536: the 16-bit ring indices wrap */
#define AVAIL_IDX	1
#define AVAIL_RING	2
#define USED_FLAGS	0
#define USED_IDX	1
#define USED_RING_OFF	4
#define NO_NOTIFY	1

/* ---- The kernel and transport services virtqueue.c uses. ---- */

struct malloc_type;
void *kmalloc(size_t size, struct malloc_type *type, int flags);
void kfree(void *p, struct malloc_type *type);

static uint32_t queue_max = QUEUE_SIZE;
static int queue_sets, notifies;

void *
kmalloc(size_t size, struct malloc_type *type, int flags)
{
	return (flags & M_ZERO) ? calloc(1, size) : malloc(size);
}

void
kfree(void *p, struct malloc_type *type)
{
	free(p);
}

void *
kmem_alloc_contig(size_t size, paddr_t low, paddr_t high, size_t alignment,
    size_t boundary, int flags)
{
	void *p = aligned_alloc(PAGE_SIZE, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
kmem_free_contig(void *addr, size_t size)
{
	free(addr);
}

uint32_t
virtio_queue_max(struct virtio_dev *vd, uint32_t index)
{
	return queue_max;
}

void
virtio_queue_set(struct virtio_dev *vd, uint32_t index, uint32_t size, paddr_t desc,
    paddr_t avail, paddr_t used)
{
	queue_sets++;
}

void
virtio_queue_notify(struct virtio_dev *vd, uint32_t index)
{
	notifies++;
}

/* ---- The simulated device. ---- */

struct request {
	struct vq_seg	segs[MAX_SEGS];
	int		nout, nin;
	bool		indirect;	/* offered with a table */
	bool		in_flight;
	struct vring_desc table[TABLE_MAX];
	uint32_t	len;		/* what the device reports as written */
};

static struct request reqs[QUEUE_SIZE * 2];

struct device_side {
	struct virtqueue *vq;
	uint16_t	avail_seen;	/* the next available entry to take */
	uint16_t	used_idx;	/* the device's used index */
	uint16_t	taken[QUEUE_SIZE];	/* heads taken, not yet returned */
	int		ntaken;
	int		errors;		/* descriptors that did not match the request */
};

/* Check one descriptor against segment i of r. */
static bool
desc_matches(const struct vring_desc *d, const struct request *r, int i, int n)
{
	uint16_t want = (i >= r->nout ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0);

	return d->addr == r->segs[i].addr && d->len == r->segs[i].len &&
	    (d->flags & ~VRING_DESC_F_NEXT) == (want & ~VRING_DESC_F_NEXT) &&
	    ((d->flags & VRING_DESC_F_NEXT) != 0) == (i + 1 < n);
}

/* Walk the chain at head as a device would; does it describe cookie's request? */
static bool
chain_matches(struct virtqueue *vq, uint16_t head, const struct request *r)
{
	const struct vring_desc *d = &vq->vq_desc[head];
	int n = r->nout + r->nin;

	if (d->flags & VRING_DESC_F_INDIRECT) {
		const struct vring_desc *t = (const struct vring_desc *)(uintptr_t)d->addr;

		if (!r->indirect || d->len != n * sizeof(*t) || (d->flags & VRING_DESC_F_NEXT))
			return false;
		for (int i = 0; i < n; i++)
			if (!desc_matches(&t[i], r, i, n) || (i + 1 < n && t[i].next != i + 1))
				return false;
		return true;
	}
	if (r->indirect)
		return false;
	for (int i = 0; i < n; i++) {
		if (!desc_matches(d, r, i, n))
			return false;
		if (i + 1 < n)
			d = &vq->vq_desc[d->next];
	}
	return true;
}

/* Take everything newly available. */
static void
device_take(struct device_side *dev)
{
	struct virtqueue *vq = dev->vq;

	while (dev->avail_seen != vq->vq_avail[AVAIL_IDX]) {
		uint16_t head = vq->vq_avail[AVAIL_RING + (dev->avail_seen & (vq->vq_size - 1))];
		struct request *r = vq->vq_cookie[head];

		dev->avail_seen++;
		if (r == NULL || !chain_matches(vq, head, r))
			dev->errors++;
		dev->taken[dev->ntaken++] = head;
	}
}

/* Return the k'th taken request (k modulo how many are taken). */
static void
device_return(struct device_side *dev, unsigned k, uint32_t id_override)
{
	struct virtqueue *vq = dev->vq;
	volatile uint32_t *e;
	uint16_t head;

	k %= (unsigned)dev->ntaken;
	head = dev->taken[k];
	dev->taken[k] = dev->taken[--dev->ntaken];
	e = (volatile uint32_t *)((volatile uint8_t *)vq->vq_used + USED_RING_OFF) +
	    2 * (dev->used_idx & (vq->vq_size - 1));
	e[0] = id_override != UINT32_MAX ? id_override : head;
	e[1] = ((struct request *)vq->vq_cookie[head])->len;
	dev->used_idx++;
	vq->vq_used[USED_IDX] = dev->used_idx;
}

/* ---- Tests. ---- */

/* A request of 1..MAX_SEGS segments at made-up addresses. */
static struct request *
make_request(int slot, bool want_indirect)
{
	struct request *r = &reqs[slot];
	int n = 1 + (int)(tap_rand() % MAX_SEGS);

	memset(r->segs, 0, sizeof(r->segs));
	for (int i = 0; i < n; i++)
		r->segs[i] = (struct vq_seg){ 0x80000000UL + tap_rand() % (1UL << 30), 1 + tap_rand() % 8192 };
	r->nout = 1 + (int)(tap_rand() % (unsigned)n);
	r->nin = n - r->nout;
	r->indirect = want_indirect && n > 1;
	r->len = (uint32_t)(tap_rand() % 4096);
	return r;
}

static int
offer(struct virtqueue *vq, struct request *r, bool with_table)
{
	struct vq_indirect ind = { r->table, (paddr_t)(uintptr_t)r->table, TABLE_MAX };

	return virtqueue_enqueue(vq, r->segs, r->nout, r->nin, with_table ? &ind : NULL, r);
}

static struct virtqueue *
new_queue(struct virtio_dev *vd, bool indirect)
{
	struct virtqueue *vq = NULL;

	vd->vd_features = indirect ? VIRTIO_F_INDIRECT_DESC : 0;
	if (virtqueue_alloc(vd, 0, 256, &vq) != 0)
		return NULL;
	return vq;
}

/* Chains: fill the ring until ENOSPC, return out of order, all come back once. */
static void
test_chains(void)
{
	struct virtio_dev vd = { 0 };
	struct virtqueue *vq = new_queue(&vd, false);
	struct device_side dev = { vq, 0, 0, { 0 }, 0, 0 };
	int offered = 0, back = 0, error = 0, wrong = 0;
	uint32_t len;
	void *c;

	tap_ok(vq != NULL && vq->vq_size == QUEUE_SIZE && !vq->vq_indirect && queue_sets == 1,
	    "alloc: %d entries, given to the device", QUEUE_SIZE);
	for (int i = 0; i < QUEUE_SIZE * 2 && error == 0; i++) {
		struct request *r = make_request(i, false);

		if ((error = offer(vq, r, false)) == 0) {
			r->in_flight = true;
			offered++;
		}
	}
	virtqueue_notify(vq);
	device_take(&dev);
	tap_ok(error == ENOSPC && offered > 1 && dev.ntaken == offered && dev.errors == 0,
	    "chains: %d requests fill the ring, then ENOSPC; the device reads each as offered",
	    offered);
	tap_ok(virtqueue_dequeue(vq, &len) == NULL, "nothing is used before the device says so");
	while (dev.ntaken > 0)
		device_return(&dev, (unsigned)tap_rand(), UINT32_MAX);
	while ((c = virtqueue_dequeue(vq, &len)) != NULL) {
		struct request *r = c;

		wrong += !r->in_flight || len != r->len;
		r->in_flight = false;
		back++;
	}
	tap_ok(back == offered && wrong == 0 && virtqueue_nfree(vq) == QUEUE_SIZE,
	    "chains: all %d come back once, out of order, lengths as written; every "
	    "descriptor free again", back);
	tap_ok(notifies == 1, "one notification for the batch (%d)", notifies);
	virtqueue_free(vq);
}

/* Indirect tables: one ring entry each; a one-segment request needs none. */
static void
test_indirect(void)
{
	struct virtio_dev vd = { 0 };
	struct virtqueue *vq = new_queue(&vd, true);
	struct device_side dev = { vq, 0, 0, { 0 }, 0, 0 };
	int offered = 0, error = 0;

	for (int i = 0; i < QUEUE_SIZE * 2 && error == 0; i++)
		if ((error = offer(vq, make_request(i, true), true)) == 0)
			offered++;
	virtqueue_notify(vq);
	device_take(&dev);
	tap_ok(vq->vq_indirect && offered == QUEUE_SIZE && error == ENOSPC && dev.errors == 0,
	    "indirect: %d requests of up to %d segments in a %d-entry ring, read as offered",
	    offered, MAX_SEGS, QUEUE_SIZE);
	virtqueue_free(vq);
}

/* Many cycles, mixed, random completion order: the 16-bit indices wrap. */
static void
test_wrap(void)
{
	struct virtio_dev vd = { 0 };
	struct virtqueue *vq = new_queue(&vd, true);
	struct device_side dev = { vq, 0, 0, { 0 }, 0, 0 };
	int slot_busy[QUEUE_SIZE * 2] = { 0 }, wrong = 0;
	long done = 0;
	uint32_t len;
	void *c;

	while (done < CYCLES) {
		for (int s = 0; s < QUEUE_SIZE * 2; s++) {
			bool table = tap_rand() % 2;

			if (slot_busy[s] || tap_rand() % 3 == 0)
				continue;
			if (offer(vq, make_request(s, table), table) == 0)
				slot_busy[s] = 1;
		}
		virtqueue_notify(vq);
		device_take(&dev);
		for (int k = (int)(tap_rand() % (unsigned)(dev.ntaken + 1)); k > 0; k--)
			device_return(&dev, (unsigned)tap_rand(), UINT32_MAX);
		while ((c = virtqueue_dequeue(vq, &len)) != NULL) {
			int s = (int)((struct request *)c - reqs);

			wrong += !slot_busy[s] || len != reqs[s].len;
			slot_busy[s] = 0;
			done++;
		}
	}
	tap_ok(wrong == 0 && dev.errors == 0 && vq->vq_used_idx == dev.used_idx &&
	    (uint16_t)vq->vq_avail_idx == dev.avail_seen,
	    "wrap: %ld requests through the ring, every one read as offered and returned once",
	    done);
	virtqueue_free(vq);
}

static int forgotten;

static void
forget(void *cookie, void *arg)
{
	((struct request *)cookie)->in_flight = false;
	forgotten++;
}

/* A device naming a descriptor not in use is not believed; restart recovers. */
static void
test_broken_and_restart(void)
{
	struct virtio_dev vd = { 0 };
	struct virtqueue *vq = new_queue(&vd, false);
	struct device_side dev = { vq, 0, 0, { 0 }, 0, 0 };
	int offered = 0, sets;
	uint32_t len;

	for (int i = 0; i < 3; i++) {
		struct request *r = make_request(i, false);

		if (offer(vq, r, false) == 0) {
			r->in_flight = true;
			offered++;
		}
	}
	virtqueue_notify(vq);
	device_take(&dev);
	device_return(&dev, 0, QUEUE_SIZE + 5);	/* an id beyond the table */
	tap_ok(virtqueue_dequeue(vq, &len) == NULL && vq->vq_broken,
	    "a used entry naming descriptor %d is not believed; the queue is broken",
	    QUEUE_SIZE + 5);
	sets = queue_sets;
	virtqueue_restart(vq, forget, NULL);
	tap_ok(forgotten == offered && !vq->vq_broken && virtqueue_nfree(vq) == QUEUE_SIZE &&
	    queue_sets == sets + 1, "restart: the %d requests it held are forgotten once each, "
	    "the rings empty and given to the device again", offered);
	dev = (struct device_side){ vq, 0, 0, { 0 }, 0, 0 };
	tap_ok(offer(vq, make_request(0, false), false) == 0 &&
	    (virtqueue_notify(vq), device_take(&dev), dev.ntaken == 1 && dev.errors == 0) &&
	    (device_return(&dev, 0, UINT32_MAX), virtqueue_dequeue(vq, &len) == &reqs[0]),
	    "and works afterwards");
	virtqueue_free(vq);
}

/* The device may ask not to be notified. */
static void
test_no_notify(void)
{
	struct virtio_dev vd = { 0 };
	struct virtqueue *vq = new_queue(&vd, false);
	int before = notifies;

	vq->vq_used[USED_FLAGS] = NO_NOTIFY;
	offer(vq, make_request(0, false), false);
	virtqueue_notify(vq);
	tap_ok(notifies == before && vq->vq_avail[AVAIL_IDX] == 1,
	    "VRING_USED_F_NO_NOTIFY: the request is published, the device not notified");
	virtqueue_free(vq);
	queue_max = 0;
	tap_ok(virtqueue_alloc(&vd, 1, 256, &vq) == ENXIO, "a queue the device lacks: ENXIO");
}

int
main(void)
{
	test_chains();
	test_indirect();
	test_wrap();
	test_broken_and_restart();
	test_no_notify();
	return tap_done();
}
