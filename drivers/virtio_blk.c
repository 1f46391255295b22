/*
 * virtio-blk (virtio 1.2, 5.2): virtio block devices as disks (kern/disk.h).
 *
 * One request queue.  Each request in flight owns a slot: a small block
 * of DMA memory with the request header the device reads, the status
 * byte it writes, and an indirect descriptor table, so that with
 * VIRTIO_F_INDIRECT_DESC a request of any size takes one ring entry and
 * up to VTBLK_SLOTS requests are in flight at once.  A device without
 * indirect descriptors gets chains instead (header, data segments,
 * status), as many as the ring holds.  Bios that find no slot or no room
 * in the ring wait on sc_waiting, in order, and start as earlier ones
 * complete.
 *
 * The data goes straight to and from the bio's pages: one segment per
 * physically contiguous run of them (at most size_max bytes, if the
 * device says so).  The disk allows as many pages per bio as the device
 * allows segments (seg_max), at most BIO_MAX_PAGES.
 *
 * Completion.  The interrupt handler (or, for a device whose interrupt
 * could not be set up or when the command line says disk_polled, the
 * disk watchdog once a clock tick, through d_poll) takes finished
 * requests off the used ring, maps the status byte to 0 or EIO, starts
 * waiting bios, and only then, with the driver's lock dropped, completes
 * the finished ones (bio_complete may call back into vtblk_start).
 *
 * Reset.  When the disk layer reports a request overdue (d_reset), the
 * device is reset (it lets go of all our memory), every request it held
 * completes with EIO, and it is initialised again with the same features
 * and the same memory.  A device that does not come back is dead: every
 * request fails with EIO from then on.
 *
 * Locking: sc_lock (a spin lock, taken in the interrupt handler) guards
 * the queue, the slots and sc_waiting (L); the rest is (C) after attach.
 * It is never held while calling bio_complete.
 */
#include <kern/systm.h>
#include <kern/bio.h>
#include <kern/cmdline.h>
#include <kern/device.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/spinlock.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>
#include "virtio.h"
#include "virtqueue.h"

MALLOC_DEFINE(M_VTBLK, "vtblk", "virtio-blk devices");

/* Feature bits (5.2.3). */
#define VTBLK_F_SIZE_MAX	(1ULL << 1)	/* size_max: bytes per segment */
#define VTBLK_F_SEG_MAX		(1ULL << 2)	/* seg_max: segments per request */
#define VTBLK_F_RO		(1ULL << 5)	/* read-only */
#define VTBLK_F_BLK_SIZE	(1ULL << 6)	/* blk_size: the logical block size */
#define VTBLK_F_FLUSH		(1ULL << 9)	/* a volatile cache, and the FLUSH command */
#define VTBLK_FEATURES		(VTBLK_F_SIZE_MAX | VTBLK_F_SEG_MAX | VTBLK_F_RO | \
				 VTBLK_F_BLK_SIZE | VTBLK_F_FLUSH | VIRTIO_F_INDIRECT_DESC)

/* Configuration space (5.2.4). */
#define VTBLK_CONFIG_CAPACITY	0	/* 64 bits: in 512-byte sectors */
#define VTBLK_CONFIG_SIZE_MAX	8
#define VTBLK_CONFIG_SEG_MAX	12
#define VTBLK_CONFIG_BLK_SIZE	20

/* Requests (5.2.6). */
#define VTBLK_T_IN		0
#define VTBLK_T_OUT		1
#define VTBLK_T_FLUSH		4
#define VTBLK_S_OK		0
#define VTBLK_S_IOERR		1
#define VTBLK_S_UNSUPP		2
#define VTBLK_S_NONE		0xff	/* ours: the device has not written it */
#define VTBLK_SECTOR		512	/* the unit of the header's sector field */

#define VTBLK_QUEUE		0	/* the request queue */
#define VTBLK_QUEUE_MAX		256	/* ring entries to ask for */
#define VTBLK_SLOTS		64	/* requests in flight at once, at most */
#define VTBLK_MAX_SEGS		BIO_MAX_PAGES	/* data segments per request */
#define VTBLK_REQ_SEGS		2	/* the header and the status byte */

struct vtblk_hdr {
	uint32_t	type;		/* VTBLK_T_* */
	uint32_t	ioprio;
	uint64_t	sector;		/* in units of VTBLK_SECTOR */
};

/* The part of a slot the device reads and writes; in contiguous memory. */
struct vtblk_dma {
	struct vtblk_hdr	hdr;
	uint8_t			status;	/* VTBLK_S_* */
	uint8_t			pad[7];
	struct vring_desc	indirect[VTBLK_MAX_SEGS + VTBLK_REQ_SEGS];
};

struct vtblk_slot {
	struct bio		*bio;	/* (L) the request it carries; NULL: free */
	struct vtblk_dma	*dma;	/* (C) */
	paddr_t			dma_pa;	/* (C) */
};

struct vtblk {
	struct spinlock		sc_lock;
	struct virtio_dev	*sc_vd;		/* (C) */
	struct virtqueue	*sc_vq;		/* (L) */
	struct disk		sc_disk;	/* (C) the layer's fields: its own locks */
	uint32_t		sc_size_max;	/* (C) bytes per segment */
	uint64_t		sc_features;	/* (C) negotiated at attach */
	bool			sc_dead;	/* (L) did not come back from a reset */
	struct vtblk_dma	*sc_dma;	/* (C) the slots' DMA memory */
	size_t			sc_dma_size;	/* (C) */
	struct vtblk_slot	sc_slots[VTBLK_SLOTS];	/* (L) */
	uint16_t		sc_free[VTBLK_SLOTS];	/* (L) a stack of free slots */
	uint16_t		sc_nfree;	/* (L) */
	struct list_node	sc_waiting;	/* (L) bios not yet started, oldest first */
};

/*
 * Starting requests.
 */

/*
 * The data segments of bp: one per run of physically contiguous pages,
 * each at most size_max bytes.  The number written to segs[].
 */
static int
data_segments(const struct vtblk *sc, const struct bio *bp, struct vq_seg *segs)
{
	size_t left = bp->bio_length;
	uint32_t off = bp->bio_page_offset;
	int n = 0;

	for (uint32_t i = 0; left > 0; i++, off = 0) {
		paddr_t pa = VM_PAGE_TO_PHYS(bp->bio_pages[i]) + off;
		uint32_t len = (uint32_t)MIN(left, PAGE_SIZE - off);

		if (n > 0 && segs[n - 1].addr + segs[n - 1].len == pa &&
		    segs[n - 1].len + len <= sc->sc_size_max)
			segs[n - 1].len += len;
		else
			segs[n++] = (struct vq_seg){ pa, len };
		left -= len;
	}
	return n;
}

/* Offer bp to the device in a free slot: 0, or ENOSPC when the ring is full. */
static int
vtblk_issue(struct vtblk *sc, struct bio *bp)
{
	struct vq_seg segs[VTBLK_MAX_SEGS + VTBLK_REQ_SEGS];
	uint16_t slot = sc->sc_free[sc->sc_nfree - 1];
	struct vtblk_slot *s = &sc->sc_slots[slot];
	struct vtblk_dma *d = s->dma;
	struct vq_indirect ind = { d->indirect, s->dma_pa + offsetof(struct vtblk_dma, indirect),
	    nitems(d->indirect) };
	int ndata = 0, error;

	d->hdr = (struct vtblk_hdr){
		.type = bp->bio_cmd == BIO_READ ? VTBLK_T_IN :
		    bp->bio_cmd == BIO_WRITE ? VTBLK_T_OUT : VTBLK_T_FLUSH,
		.sector = bp->bio_offset / VTBLK_SECTOR,
	};
	d->status = VTBLK_S_NONE;
	segs[0] = (struct vq_seg){ s->dma_pa + offsetof(struct vtblk_dma, hdr), sizeof(d->hdr) };
	if (bp->bio_cmd != BIO_FLUSH)
		ndata = data_segments(sc, bp, &segs[1]);
	segs[1 + ndata] = (struct vq_seg){ s->dma_pa + offsetof(struct vtblk_dma, status), 1 };
	/* Device-readable first: the header, and a write's data. */
	if (bp->bio_cmd == BIO_READ)
		error = virtqueue_enqueue(sc->sc_vq, segs, 1, ndata + 1, &ind, s);
	else
		error = virtqueue_enqueue(sc->sc_vq, segs, 1 + ndata, 1, &ind, s);
	if (error != 0)
		return error;
	s->bio = bp;
	sc->sc_nfree--;
	return 0;
}

/*
 * Start waiting bios while there are slots and ring room, and tell the
 * device.  On a dead device they move to done, failed.  sc_lock held.
 */
static void
vtblk_run(struct vtblk *sc, struct list_node *done)
{
	struct list_node *n;
	struct bio *bp;

	while ((n = list_first(&sc->sc_waiting)) != NULL) {
		bp = list_entry(n, struct bio, bio_queue);
		if (sc->sc_dead) {
			bp->bio_error = EIO;	/* the driver's until bio_complete */
		} else if (sc->sc_nfree == 0 || vtblk_issue(sc, bp) != 0) {
			break;			/* wait for a completion */
		}
		list_remove(n);
		if (sc->sc_dead)
			list_append(done, &bp->bio_queue);
	}
	if (!sc->sc_dead)
		virtqueue_notify(sc->sc_vq);
}

/* Complete the bios on done, each with the error stashed in it.  No locks held. */
static void
complete_all(struct list_node *done)
{
	struct list_node *n;

	while ((n = list_first(done)) != NULL) {
		struct bio *bp = list_entry(n, struct bio, bio_queue);

		list_remove(n);
		bio_complete(bp, bp->bio_error);
	}
}

static void
vtblk_start(struct disk *dp, struct bio *bp)
{
	struct vtblk *sc = dp->d_softc;
	struct list_node done;

	list_init(&done);
	spin_lock(&sc->sc_lock);
	list_append(&sc->sc_waiting, &bp->bio_queue);
	vtblk_run(sc, &done);
	spin_unlock(&sc->sc_lock);
	complete_all(&done);
}

/*
 * Completion.
 */

/* Slot s is finished (error 0 or EIO): free it and move its bio to done. */
static void
slot_finish(struct vtblk *sc, struct vtblk_slot *s, int error, struct list_node *done)
{
	struct bio *bp = s->bio;

	KASSERT(bp != NULL, ("vtblk: slot %ld finished twice", (long)(s - sc->sc_slots)));
	s->bio = NULL;
	sc->sc_free[sc->sc_nfree++] = (uint16_t)(s - sc->sc_slots);
	bp->bio_error = error;
	list_append(done, &bp->bio_queue);
}

/* Take every finished request off the ring, start waiting ones, then complete. */
static void
vtblk_poll(struct disk *dp)
{
	struct vtblk *sc = dp->d_softc;
	struct vtblk_slot *s;
	struct list_node done;
	struct bio *bp;

	list_init(&done);
	spin_lock(&sc->sc_lock);
	while ((s = virtqueue_dequeue(sc->sc_vq, NULL)) != NULL) {
		bp = s->bio;
		if (s->dma->status != VTBLK_S_OK)
			printf("%s: %s error (status %u) at sector %lu\n", dp->d_name,
			    bp->bio_cmd == BIO_READ ? "read" : bp->bio_cmd == BIO_WRITE ?
			    "write" : "flush", s->dma->status, bp->bio_offset / VTBLK_SECTOR);
		slot_finish(sc, s, s->dma->status == VTBLK_S_OK ? 0 : EIO, &done);
	}
	vtblk_run(sc, &done);
	spin_unlock(&sc->sc_lock);
	complete_all(&done);
}

static void
vtblk_intr(void *arg)
{
	struct vtblk *sc = arg;

	virtio_intr_ack(sc->sc_vd);
	vtblk_poll(&sc->sc_disk);
}

/*
 * Reset.
 */

struct forget_ctx {
	struct vtblk		*sc;
	struct list_node	*done;
};

/* virtqueue_restart's forget: a request the device will never finish. */
static void
forget_slot(void *cookie, void *arg)
{
	struct forget_ctx *ctx = arg;

	slot_finish(ctx->sc, cookie, EIO, ctx->done);
}

/*
 * Reset the device, fail what it held onto done, and start it again with
 * the features it had.  Whether it came back.  sc_lock held.
 *
 * A device that does not even finish resetting may, in principle, still
 * write to the pages of the requests we fail here; we fail them anyway,
 * since waiting forever is worse, and such a device is dead to us.
 */
static bool
vtblk_restart(struct vtblk *sc, struct list_node *done)
{
	struct forget_ctx ctx = { sc, done };
	struct virtio_dev *vd = sc->sc_vd;
	bool back;

	back = virtio_reset(vd) && virtio_negotiate(vd, sc->sc_features) == 0 &&
	    vd->vd_features == sc->sc_features;
	virtqueue_restart(sc->sc_vq, forget_slot, &ctx);
	if (back)
		virtio_driver_ok(vd);
	else
		virtio_reset(vd);
	return back;
}

static bool
vtblk_reset(struct disk *dp)
{
	struct vtblk *sc = dp->d_softc;
	struct list_node done;
	bool back;

	list_init(&done);
	spin_lock(&sc->sc_lock);
	if (!sc->sc_dead)
		sc->sc_dead = !vtblk_restart(sc, &done);
	back = !sc->sc_dead;
	vtblk_run(sc, &done);	/* the waiting ones: started again, or failed */
	spin_unlock(&sc->sc_lock);
	complete_all(&done);
	return back;
}

/*
 * Attaching.
 */

/* Read the geometry and limits from the configuration space into the disk. */
static int
read_config(struct vtblk *sc)
{
	struct virtio_dev *vd = sc->sc_vd;
	struct disk *dp = &sc->sc_disk;
	uint64_t sectors = virtio_config_read(vd, VTBLK_CONFIG_CAPACITY, 8);
	uint32_t blk = VTBLK_SECTOR, segs = VTBLK_MAX_SEGS;

	if (virtio_has(vd, VTBLK_F_BLK_SIZE))
		blk = (uint32_t)virtio_config_read(vd, VTBLK_CONFIG_BLK_SIZE, 4);
	if (!powerof2(blk) || blk < VTBLK_SECTOR || blk > PAGE_SIZE) {
		printf("virtio-blk: a block size of %u bytes is not supported\n", blk);
		return ENXIO;
	}
	if (virtio_has(vd, VTBLK_F_SEG_MAX))
		segs = MIN(segs, (uint32_t)virtio_config_read(vd, VTBLK_CONFIG_SEG_MAX, 4));
	sc->sc_size_max = UINT32_MAX;
	if (virtio_has(vd, VTBLK_F_SIZE_MAX))
		sc->sc_size_max = (uint32_t)virtio_config_read(vd, VTBLK_CONFIG_SIZE_MAX, 4);
	if (sc->sc_size_max < PAGE_SIZE)
		segs = 0;		/* a page must fit in a segment */
	/* Without indirect tables a request's whole chain must fit in the ring. */
	if (!sc->sc_vq->vq_indirect)
		segs = MIN(segs, (uint32_t)sc->sc_vq->vq_size - VTBLK_REQ_SEGS);
	if (segs < 2 || sectors > UINT64_MAX / VTBLK_SECTOR) {
		printf("virtio-blk: unusable limits (%u segments of %u bytes)\n", segs,
		    sc->sc_size_max);
		return ENXIO;
	}
	dp->d_sector_size = blk;
	dp->d_size = rounddown2(sectors * VTBLK_SECTOR, (uint64_t)blk);
	dp->d_max_pages = segs;
	dp->d_flags = (virtio_has(vd, VTBLK_F_FLUSH) ? DISK_WRITE_CACHE : 0) |
	    (virtio_has(vd, VTBLK_F_RO) ? DISK_READONLY : 0);
	return 0;
}

/* The slots and their DMA memory. */
static int
alloc_slots(struct vtblk *sc)
{
	sc->sc_dma_size = round_page(sizeof(struct vtblk_dma) * VTBLK_SLOTS);
	sc->sc_dma = kmem_alloc_contig(sc->sc_dma_size, 0, ~(paddr_t)0, PAGE_SIZE, 0,
	    M_WAITOK | M_ZERO);
	if (sc->sc_dma == NULL)
		return ENOMEM;
	for (int i = 0; i < VTBLK_SLOTS; i++) {
		sc->sc_slots[i].dma = &sc->sc_dma[i];
		sc->sc_slots[i].dma_pa = DMAP_TO_PHYS((vaddr_t)&sc->sc_dma[i]);
		sc->sc_free[i] = (uint16_t)(VTBLK_SLOTS - 1 - i);
	}
	sc->sc_nfree = VTBLK_SLOTS;
	return 0;
}

static const struct disk_ops vtblk_disk_ops = {
	.d_start = vtblk_start,
	.d_reset = vtblk_reset,
	.d_poll = vtblk_poll,
};

static int
vtblk_attach(struct device *dev)
{
	struct virtio_dev *vd = dev->dv_softc;
	struct vtblk *sc;
	struct disk *dp;
	int error;

	if (vd == NULL || vd->vd_device_id != VIRTIO_ID_BLOCK)
		return ENXIO;
	if ((sc = malloc(sizeof(*sc), M_VTBLK, M_WAITOK | M_ZERO)) == NULL)
		return ENOMEM;
	spin_init(&sc->sc_lock, "vtblk");
	list_init(&sc->sc_waiting);
	sc->sc_vd = vd;
	vd->vd_softc = sc;
	dp = &sc->sc_disk;
	if ((error = virtio_negotiate(vd, VTBLK_FEATURES)) != 0 ||
	    (error = virtqueue_alloc(vd, VTBLK_QUEUE, VTBLK_QUEUE_MAX, &sc->sc_vq)) != 0 ||
	    (error = read_config(sc)) != 0 || (error = alloc_slots(sc)) != 0)
		goto fail;
	sc->sc_features = vd->vd_features;
	dp->d_ops = &vtblk_disk_ops;
	dp->d_softc = sc;
	dp->d_info = virtio_transport_name(vd);
	if (cmdline_has("disk_polled") || virtio_setup_intr(vd, vtblk_intr, sc) != 0)
		dp->d_flags |= DISK_POLLED;
	if ((error = disk_register(dp)) != 0)
		goto fail;
	virtio_driver_ok(vd);
	printf("%s: virtio-blk on %s (%s), %lu MiB, %u-byte sectors, %u pages per request, "
	    "%s%s%s%s\n", dp->d_name, dev->dv_name, dp->d_info, dp->d_size >> 20,
	    dp->d_sector_size, dp->d_max_pages,
	    sc->sc_vq->vq_indirect ? "indirect descriptors" : "chained descriptors",
	    (dp->d_flags & DISK_WRITE_CACHE) ? ", write cache" : "",
	    (dp->d_flags & DISK_READONLY) ? ", read-only" : "",
	    (dp->d_flags & DISK_POLLED) ? ", polled" : "");
	return 0;
fail:
	/* (An interrupt, if set up, stays routed: the device raises none once reset.) */
	virtio_reset(vd);
	if (sc->sc_vq != NULL)
		virtqueue_free(sc->sc_vq);
	if (sc->sc_dma != NULL)
		kmem_free_contig(sc->sc_dma, sc->sc_dma_size);
	vd->vd_softc = NULL;
	free(sc, M_VTBLK);
	return error;
}

static const char *const vtblk_compat[] = { "virtio,device2", NULL };
DRIVER(virtio_blk, vtblk_compat, DRIVER_PASS_CHILD, vtblk_attach);
