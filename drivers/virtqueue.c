/*
 * Split virtqueues (see virtqueue.h).
 *
 * The memory block, for a queue of N entries:
 *	0			descriptor table, 16 * N bytes
 *	16 * N			available ring: flags, idx, ring[N], used_event
 *	(next page)		used ring: flags, idx, {id, len}[N], avail_event
 * which is exactly the legacy layout with a 4 KiB QueueAlign; version 2
 * devices are simply given the three addresses.
 *
 * Free descriptors form a list through their next fields.  A chain's
 * descriptors go back on the list when the device returns its head; the
 * chain's length is found by following its NEXT flags (the device never
 * writes descriptors).
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <machine/param.h>
#include <vm/kmem.h>
#include "virtio.h"
#include "virtqueue.h"

MALLOC_DEFINE(M_VIRTQUEUE, "virtqueue", "virtqueue bookkeeping");

#define VQ_AVAIL_FLAGS	0
#define VQ_AVAIL_IDX	1
#define VQ_AVAIL_RING	2		/* in uint16_t units */
#define VQ_USED_FLAGS	0
#define VQ_USED_IDX	1
#define VQ_USED_RING_OFF 4		/* bytes: where the {id, len} pairs start */
#define VRING_USED_F_NO_NOTIFY	0x1	/* the device does not need notifications */
#define VQ_LEGACY_ALIGN	PAGE_SIZE	/* where a legacy device wants the used ring */
#define VQ_PHYS_LIMIT	(1UL << 44)	/* a legacy QueuePFN is 32 bits of page number */

struct vring_used_elem {
	uint32_t	id;
	uint32_t	len;
};

static size_t
avail_bytes(uint16_t n)
{
	return sizeof(uint16_t) * (3 + (size_t)n);
}

static size_t
used_bytes(uint16_t n)
{
	return VQ_USED_RING_OFF + sizeof(struct vring_used_elem) * n + sizeof(uint16_t);
}

static volatile struct vring_used_elem *
used_elem(struct virtqueue *vq, uint16_t slot)
{
	return (volatile struct vring_used_elem *)((volatile uint8_t *)vq->vq_used +
	    VQ_USED_RING_OFF) + (slot & (vq->vq_size - 1));
}

/* Every descriptor free, the rings empty, and the device told where they are. */
static void
vq_reset_rings(struct virtqueue *vq)
{
	memset(vq->vq_mem, 0, vq->vq_mem_size);
	for (uint16_t i = 0; i < vq->vq_size; i++) {
		vq->vq_desc[i].next = (uint16_t)(i + 1);
		vq->vq_cookie[i] = NULL;
	}
	vq->vq_free_head = 0;
	vq->vq_nfree = vq->vq_size;
	vq->vq_avail_idx = 0;
	vq->vq_used_idx = 0;
	vq->vq_pending = 0;
	vq->vq_broken = false;
	virtio_queue_set(vq->vq_dev, vq->vq_index, vq->vq_size, vq->vq_mem_pa,
	    vq->vq_avail_pa, vq->vq_used_pa);
}

int
virtqueue_alloc(struct virtio_dev *vd, uint32_t index, uint16_t max, struct virtqueue **vqp)
{
	uint32_t devmax = virtio_queue_max(vd, index);
	struct virtqueue *vq;
	size_t used_off;
	uint16_t n;

	if (devmax == 0 || max == 0)
		return ENXIO;
	for (n = 1; (uint32_t)n * 2 <= MIN(devmax, (uint32_t)max); n *= 2)
		;
	if ((vq = malloc(sizeof(*vq), M_VIRTQUEUE, M_WAITOK | M_ZERO)) == NULL)
		return ENOMEM;
	vq->vq_cookie = malloc(sizeof(void *) * n, M_VIRTQUEUE, M_WAITOK | M_ZERO);
	used_off = roundup2(sizeof(struct vring_desc) * n + avail_bytes(n), VQ_LEGACY_ALIGN);
	vq->vq_mem_size = round_page(used_off + used_bytes(n));
	vq->vq_mem = kmem_alloc_contig(vq->vq_mem_size, 0, VQ_PHYS_LIMIT, PAGE_SIZE, 0,
	    M_WAITOK | M_ZERO);
	if (vq->vq_cookie == NULL || vq->vq_mem == NULL) {
		if (vq->vq_mem != NULL)
			kmem_free_contig(vq->vq_mem, vq->vq_mem_size);
		free(vq->vq_cookie, M_VIRTQUEUE);
		free(vq, M_VIRTQUEUE);
		return ENOMEM;
	}
	vq->vq_dev = vd;
	vq->vq_index = index;
	vq->vq_size = n;
	vq->vq_indirect = virtio_has(vd, VIRTIO_F_INDIRECT_DESC);
	vq->vq_mem_pa = DMAP_TO_PHYS((vaddr_t)vq->vq_mem);
	vq->vq_desc = vq->vq_mem;
	vq->vq_avail = (volatile uint16_t *)(vq->vq_desc + n);
	vq->vq_used = (volatile uint16_t *)((uint8_t *)vq->vq_mem + used_off);
	vq->vq_avail_pa = vq->vq_mem_pa + sizeof(struct vring_desc) * n;
	vq->vq_used_pa = vq->vq_mem_pa + used_off;
	vq_reset_rings(vq);
	*vqp = vq;
	return 0;
}

void
virtqueue_free(struct virtqueue *vq)
{
	kmem_free_contig(vq->vq_mem, vq->vq_mem_size);
	free(vq->vq_cookie, M_VIRTQUEUE);
	free(vq, M_VIRTQUEUE);
}

/* Fill table[0 .. n) with the segments, chained in order. */
static void
fill_chain(struct vring_desc *table, const uint16_t *ids, const struct vq_seg *segs,
    int nout, int n)
{
	for (int i = 0; i < n; i++) {
		struct vring_desc *d = &table[ids != NULL ? ids[i] : i];

		d->addr = segs[i].addr;
		d->len = segs[i].len;
		d->flags = (i >= nout ? VRING_DESC_F_WRITE : 0) |
		    (i + 1 < n ? VRING_DESC_F_NEXT : 0);
		d->next = (uint16_t)(i + 1 < n ? (ids != NULL ? ids[i + 1] : i + 1) : 0);
	}
}

/* Take n descriptors off the free list into ids[]. */
static void
take_free(struct virtqueue *vq, uint16_t *ids, int n)
{
	for (int i = 0; i < n; i++) {
		ids[i] = vq->vq_free_head;
		vq->vq_free_head = vq->vq_desc[ids[i]].next;
	}
	vq->vq_nfree -= (uint16_t)n;
}

int
virtqueue_enqueue(struct virtqueue *vq, const struct vq_seg *segs, int nout, int nin,
    const struct vq_indirect *ind, void *cookie)
{
	int n = nout + nin;
	uint16_t ids[VQ_MAX_SEGS], head;
	bool indirect = vq->vq_indirect && ind != NULL && n > 1 && (uint32_t)n <= ind->max;

	KASSERT(n > 0 && n <= VQ_MAX_SEGS && cookie != NULL,
	    ("virtqueue_enqueue: %d segments", n));
	if (vq->vq_nfree < (indirect ? 1 : n))
		return ENOSPC;
	if (indirect) {
		fill_chain(ind->table, NULL, segs, nout, n);
		take_free(vq, &head, 1);
		vq->vq_desc[head] = (struct vring_desc){ .addr = ind->pa,
		    .len = (uint32_t)(sizeof(struct vring_desc) * n),
		    .flags = VRING_DESC_F_INDIRECT };
	} else {
		take_free(vq, ids, n);
		fill_chain(vq->vq_desc, ids, segs, nout, n);
		head = ids[0];
	}
	vq->vq_cookie[head] = cookie;
	vq->vq_avail[VQ_AVAIL_RING + (vq->vq_avail_idx & (vq->vq_size - 1))] = head;
	vq->vq_avail_idx++;
	vq->vq_pending++;
	return 0;
}

void
virtqueue_notify(struct virtqueue *vq)
{
	if (vq->vq_pending == 0)
		return;
	vq->vq_pending = 0;
	/* Descriptors and ring entries before the index that publishes them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->vq_avail[VQ_AVAIL_IDX] = vq->vq_avail_idx;
	/* The index before we look at the device's flags and notify it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(vq->vq_used[VQ_USED_FLAGS] & VRING_USED_F_NO_NOTIFY))
		virtio_queue_notify(vq->vq_dev, vq->vq_index);
}

/* Put the chain starting at head back on the free list. */
static void
free_chain(struct virtqueue *vq, uint16_t head)
{
	uint16_t id = head, n = 1;

	while (vq->vq_desc[id].flags & VRING_DESC_F_NEXT) {
		id = vq->vq_desc[id].next;
		n++;
	}
	vq->vq_desc[id].next = vq->vq_free_head;
	vq->vq_free_head = head;
	vq->vq_nfree += n;
	vq->vq_cookie[head] = NULL;
}

void *
virtqueue_dequeue(struct virtqueue *vq, uint32_t *len)
{
	volatile struct vring_used_elem *e;
	uint16_t head;
	void *cookie;

	uint32_t id;

	if (vq->vq_broken || vq->vq_used[VQ_USED_IDX] == vq->vq_used_idx)
		return NULL;
	/* The index before the entry it covers. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	e = used_elem(vq, vq->vq_used_idx);
	id = e->id;
	if (id >= vq->vq_size || vq->vq_cookie[id] == NULL) {
		printf("virtqueue %u: the device returned descriptor %u, which is not in use\n",
		    vq->vq_index, id);
		vq->vq_broken = true;
		return NULL;
	}
	vq->vq_used_idx++;
	head = (uint16_t)id;
	cookie = vq->vq_cookie[head];
	if (len != NULL)
		*len = e->len;
	free_chain(vq, head);
	return cookie;
}

void
virtqueue_restart(struct virtqueue *vq, void (*forget)(void *cookie, void *arg), void *arg)
{
	for (uint16_t i = 0; i < vq->vq_size; i++)
		if (vq->vq_cookie[i] != NULL && forget != NULL)
			forget(vq->vq_cookie[i], arg);
	vq_reset_rings(vq);
}

uint16_t
virtqueue_nfree(const struct virtqueue *vq)
{
	return vq->vq_nfree;
}
