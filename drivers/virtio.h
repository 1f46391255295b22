/*
 * Virtio devices (the OASIS Virtio 1.2 specification) as their drivers
 * see them: feature negotiation, the device's configuration space, its
 * virtqueues (virtqueue.h) and its interrupt, whatever the transport.
 *
 * There is one transport, virtio-mmio (virtio_mmio.c), in both register
 * layouts: version 1 ("legacy", what QEMU 7.2's virt machine offers by
 * default) and version 2 (virtio 1.0 and later, with
 * -global virtio-mmio.force-legacy=false).  The transport is a bus
 * driver: it attaches to every "virtio,mmio" node of the device tree,
 * ignores the empty slots (device id 0), and hands a device with id N to
 * the DRIVER_PASS_CHILD driver of "virtio,deviceN" (N in lower-case hex,
 * as the device-tree binding for virtio devices writes it), calling its
 * attach with the transport's struct device, whose dv_softc is the
 * struct virtio_dev.  A second transport (PCI) would turn the functions
 * below into an operations table.
 *
 * Initialisation, as the specification orders it: virtio_negotiate()
 * (reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK), then the queues
 * (virtqueue_alloc), then virtio_driver_ok().  After virtio_reset() the
 * same sequence starts the device again; queue memory can be reused
 * (virtqueue_restart).
 *
 * Memory the device reads or writes is named by physical address; the
 * kernel assumes DMA is cache-coherent.  That holds on QEMU (TCG has no
 * caches to speak of) and under hypervisors, which is where virtio
 * lives.  (The JH7110's own masters are not all coherent, but it has no
 * virtio devices; a driver for its SD controller will need explicit
 * cache maintenance.)  Ordering between our stores to the rings and the
 * device's view is by full fences (see virtqueue.c).
 *
 * Locking: the fields are (C) after attach.  The functions touch device
 * registers only; the device driver serializes them with its own lock
 * (virtio_intr_ack alone may run in the interrupt handler concurrently).
 */
#ifndef _DRIVERS_VIRTIO_H_
#define _DRIVERS_VIRTIO_H_

#include <kern/types.h>
#include <kern/intr.h>

struct device;

/* Device ids (virtio 1.2, 5). */
#define VIRTIO_ID_NONE		0	/* an empty virtio-mmio slot */
#define VIRTIO_ID_BLOCK		2

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Device-independent feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC	(1ULL << 28)	/* descriptors may point at a table */
#define VIRTIO_F_VERSION_1	(1ULL << 32)	/* a virtio 1.0 device, not legacy */

/* InterruptStatus bits. */
#define VIRTIO_INTR_VRING	0x1		/* a used ring has new entries */
#define VIRTIO_INTR_CONFIG	0x2		/* the configuration space changed */

struct virtio_dev {
	struct device	*vd_dev;	/* (C) the transport's device */
	volatile uint8_t *vd_regs;	/* (C) its registers, mapped */
	uint32_t	vd_version;	/* (C) 1: legacy layout; 2: virtio 1.0+ */
	uint32_t	vd_device_id;	/* (C) VIRTIO_ID_* */
	uint64_t	vd_features;	/* (C) negotiated (virtio_negotiate) */
	void		*vd_softc;	/* (C) the device driver's */
};

/*
 * Reset the device and agree on features: those of wanted the device
 * offers (plus VIRTIO_F_VERSION_1 on a version 2 device, which requires
 * it).  The result is in vd_features.  0, or ENXIO if the device refuses
 * them (FEATURES_OK not accepted); the device is then marked FAILED.
 */
int	virtio_negotiate(struct virtio_dev *vd, uint64_t wanted);

/* Is feature (a VIRTIO_F_* or device bit) negotiated? */
static inline bool
virtio_has(const struct virtio_dev *vd, uint64_t feature)
{
	return (vd->vd_features & feature) != 0;
}

/*
 * Read len bytes (1, 2, 4 or 8) of the device's configuration space at
 * off, consistently: a 64-bit field read as two halves is retried until
 * the device did not change it in between.
 */
uint64_t virtio_config_read(struct virtio_dev *vd, uint32_t off, size_t len);

/* Entries queue index can have at most (0: no such queue). */
uint32_t virtio_queue_max(struct virtio_dev *vd, uint32_t index);

/*
 * Tell the device where queue index lives: size entries, the descriptor
 * table, driver (avail) and device (used) rings at these physical
 * addresses.  The version 1 layout takes one page number: the rings must
 * then be laid out as legacy virtio wants (virtqueue.c does so always).
 */
void	virtio_queue_set(struct virtio_dev *vd, uint32_t index, uint32_t size,
	    paddr_t desc, paddr_t avail, paddr_t used);

/* The device may use queue index: it has new available buffers. */
void	virtio_queue_notify(struct virtio_dev *vd, uint32_t index);

/* Setup is done: the device may run (DRIVER_OK). */
void	virtio_driver_ok(struct virtio_dev *vd);

/*
 * Stop the device: once this returns true it touches no memory of ours.
 * false if it did not finish resetting in time (a dead device).
 */
bool	virtio_reset(struct virtio_dev *vd);

/* Read and acknowledge the interrupt status: VIRTIO_INTR_* bits. */
uint32_t virtio_intr_ack(struct virtio_dev *vd);

/* Route the device's interrupt to handler(arg): device_setup_intr's result. */
int	virtio_setup_intr(struct virtio_dev *vd, intr_handler_t *handler, void *arg);

/* "virtio-mmio v1", for messages. */
const char *virtio_transport_name(const struct virtio_dev *vd);

#endif
