/*
 * Split virtqueues (virtio 1.2, 2.7): a descriptor table, the driver's
 * "available" ring of chain heads it offers, and the device's "used"
 * ring of chains it has finished, in one physically contiguous block laid
 * out as legacy devices need it (the used ring on a page boundary), so
 * both virtio-mmio versions take the same memory.
 *
 * A request is a list of segments, the device-readable ones first, then
 * the device-writable ones.  It is offered either as a chain of ring
 * descriptors (one per segment) or, when the device takes
 * VIRTIO_F_INDIRECT_DESC and the caller supplies a table, as one ring
 * descriptor pointing at an indirect table that holds the segments: then
 * the ring never runs out of descriptors before the caller runs out of
 * tables.
 *
 * Memory ordering (the device may be another cpu): descriptors and ring
 * entries are written before the available index that publishes them,
 * and that index before the notification, with full fences in between;
 * the used index is read before the entries it covers.  DMA is assumed
 * cache-coherent (see virtio.h).
 *
 * Locking: a virtqueue has no lock of its own; its user serializes every
 * call with one lock of its own (L).  Fields marked (C) are constant
 * after virtqueue_alloc.
 */
#ifndef _DRIVERS_VIRTQUEUE_H_
#define _DRIVERS_VIRTQUEUE_H_

#include <kern/types.h>

struct virtio_dev;

/* A descriptor, in the table or in an indirect table (2.7.5). */
struct vring_desc {
	uint64_t	addr;		/* physical */
	uint32_t	len;
	uint16_t	flags;		/* VRING_DESC_F_* */
	uint16_t	next;
};

#define VRING_DESC_F_NEXT	0x1	/* the chain continues at next */
#define VRING_DESC_F_WRITE	0x2	/* the device writes this buffer */
#define VRING_DESC_F_INDIRECT	0x4	/* addr is a table of len / 16 descriptors */

#define VQ_MAX_SEGS	128	/* segments in one request */

/* One segment of a request. */
struct vq_seg {
	paddr_t		addr;
	uint32_t	len;
};

/* An indirect table the caller owns: room for max descriptors. */
struct vq_indirect {
	struct vring_desc *table;	/* kernel address */
	paddr_t		pa;		/* its physical address */
	uint32_t	max;
};

struct vring_used_elem;

struct virtqueue {
	struct virtio_dev *vq_dev;	/* (C) */
	uint32_t	vq_index;	/* (C) queue number on the device */
	uint16_t	vq_size;	/* (C) entries: a power of two */
	bool		vq_indirect;	/* (C) the device takes indirect tables */
	void		*vq_mem;	/* (C) the rings, direct-mapped */
	size_t		vq_mem_size;	/* (C) */
	paddr_t		vq_mem_pa;	/* (C) */
	struct vring_desc *vq_desc;	/* (C) the descriptor table */
	volatile uint16_t *vq_avail;	/* (C) flags, idx, ring[size], used_event */
	volatile uint16_t *vq_used;	/* (C) flags, idx, then vring_used_elem[size] */
	paddr_t		vq_avail_pa;	/* (C) */
	paddr_t		vq_used_pa;	/* (C) */
	void		**vq_cookie;	/* (L) [size]: each chain head's owner */
	uint16_t	vq_free_head;	/* (L) free descriptors, linked by next */
	uint16_t	vq_nfree;	/* (L) */
	uint16_t	vq_avail_idx;	/* (L) the next available slot to fill */
	uint16_t	vq_used_idx;	/* (L) the next used entry to look at */
	uint16_t	vq_pending;	/* (L) offered since the last notify */
	bool		vq_broken;	/* (L) the device returned nonsense */
};

/*
 * Set up queue index of vd with at most max entries (fewer if the device
 * has fewer; a power of two), and give it to the device.  indirect: use
 * indirect tables if the device negotiated VIRTIO_F_INDIRECT_DESC.
 * 0, ENXIO (the device has no such queue) or ENOMEM.
 * => between virtio_negotiate and virtio_driver_ok
 */
int	virtqueue_alloc(struct virtio_dev *vd, uint32_t index, uint16_t max,
	    struct virtqueue **vqp);

/* Free vq.  => the device is reset (it holds none of vq's memory) */
void	virtqueue_free(struct virtqueue *vq);

/*
 * Offer a request of nout device-readable then nin device-writable
 * segments, remembered by cookie (not NULL).  ind, if not NULL, is a
 * table the request may use (when the device takes them and the request
 * has more than one segment); it stays the device's until the request
 * comes back from virtqueue_dequeue.  0, or ENOSPC when the ring has not
 * enough free descriptors (try again after something completes).  The
 * device hears of it at the next virtqueue_notify.
 */
int	virtqueue_enqueue(struct virtqueue *vq, const struct vq_seg *segs, int nout,
	    int nin, const struct vq_indirect *ind, void *cookie);

/* Publish what was enqueued and tell the device, unless it asked not to be told. */
void	virtqueue_notify(struct virtqueue *vq);

/*
 * The cookie of the next request the device has finished, or NULL if
 * none; *len is how many bytes it wrote.  Its descriptors are free again.
 * A used entry naming a descriptor that is not a chain head in use is
 * not believed: the queue is marked vq_broken and returns nothing more
 * until virtqueue_restart (the caller's requests then time out and the
 * device is reset).
 */
void	*virtqueue_dequeue(struct virtqueue *vq, uint32_t *len);

/*
 * After virtio_reset and virtio_negotiate: forget every request (their
 * cookies are passed to forget(cookie, arg) first), empty the rings and
 * give them to the device again.
 */
void	virtqueue_restart(struct virtqueue *vq, void (*forget)(void *cookie, void *arg),
	    void *arg);

/* Descriptors not in use (tests, assertions). */
uint16_t virtqueue_nfree(const struct virtqueue *vq);

#endif
