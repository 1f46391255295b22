/*
 * The virtio-mmio transport (virtio 1.2, 4.2), both register layouts:
 * version 1, the legacy one, where a queue is one block of memory named
 * by its page number (QueuePFN, with GuestPageSize and QueueAlign), and
 * version 2, where the descriptor table and both rings have their own
 * 64-bit addresses and a queue is enabled with QueueReady.  See virtio.h.
 *
 * QEMU's virt machine has eight slots, one device-tree node each; a slot
 * with nothing plugged in answers with device id 0, and declines quietly.
 */
#include <kern/systm.h>
#include <kern/device.h>
#include <kern/malloc.h>
#include <machine/cpu.h>
#include <machine/param.h>
#include <vm/kmem.h>
#include "virtio.h"

MALLOC_DEFINE(M_VIRTIO, "virtio", "virtio transports");

/* Registers (virtio 1.2, 4.2.2 and 4.2.4). */
#define VMMIO_MAGIC		0x000	/* "virt" */
#define VMMIO_VERSION		0x004
#define VMMIO_DEVICE_ID		0x008
#define VMMIO_DEVICE_FEATURES	0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES	0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_GUEST_PAGE_SIZE	0x028	/* version 1 */
#define VMMIO_QUEUE_SEL		0x030
#define VMMIO_QUEUE_NUM_MAX	0x034
#define VMMIO_QUEUE_NUM		0x038
#define VMMIO_QUEUE_ALIGN	0x03c	/* version 1 */
#define VMMIO_QUEUE_PFN		0x040	/* version 1 */
#define VMMIO_QUEUE_READY	0x044	/* version 2 */
#define VMMIO_QUEUE_NOTIFY	0x050
#define VMMIO_INTERRUPT_STATUS	0x060
#define VMMIO_INTERRUPT_ACK	0x064
#define VMMIO_STATUS		0x070
#define VMMIO_QUEUE_DESC_LOW	0x080	/* version 2, and the rest */
#define VMMIO_QUEUE_DESC_HIGH	0x084
#define VMMIO_QUEUE_DRIVER_LOW	0x090
#define VMMIO_QUEUE_DRIVER_HIGH	0x094
#define VMMIO_QUEUE_DEVICE_LOW	0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VMMIO_CONFIG_GENERATION	0x0fc
#define VMMIO_CONFIG		0x100
#define VMMIO_REGS_SIZE		0x200

#define VMMIO_MAGIC_VALUE	0x74726976	/* "virt", little-endian */
#define VMMIO_LEGACY		1
#define VMMIO_MODERN		2
#define VMMIO_COMPAT_MAX	32	/* "virtio,device" and 8 hex digits */
#define VMMIO_RESET_WAIT_DIV	10	/* wait at most 1/10 s for a reset */

static inline uint32_t
reg_read(struct virtio_dev *vd, uint32_t off)
{
	return *(volatile uint32_t *)(vd->vd_regs + off);
}

static inline void
reg_write(struct virtio_dev *vd, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(vd->vd_regs + off) = v;
}

static void
status_set(struct virtio_dev *vd, uint32_t bits)
{
	reg_write(vd, VMMIO_STATUS, reg_read(vd, VMMIO_STATUS) | bits);
}

bool
virtio_reset(struct virtio_dev *vd)
{
	uint64_t deadline = cpu_time() + cpu_timebase_hz() / VMMIO_RESET_WAIT_DIV;

	reg_write(vd, VMMIO_STATUS, 0);
	/* A version 2 device may take its time; it reads 0 when done (4.2.3.1). */
	while (vd->vd_version == VMMIO_MODERN && reg_read(vd, VMMIO_STATUS) != 0)
		if (cpu_time() > deadline)
			return false;
	return true;
}

int
virtio_negotiate(struct virtio_dev *vd, uint64_t wanted)
{
	uint64_t offered;

	if (!virtio_reset(vd))
		return ENXIO;
	status_set(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	status_set(vd, VIRTIO_STATUS_DRIVER);
	reg_write(vd, VMMIO_DEVICE_FEATURES_SEL, 0);
	offered = reg_read(vd, VMMIO_DEVICE_FEATURES);
	reg_write(vd, VMMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)reg_read(vd, VMMIO_DEVICE_FEATURES) << 32;
	if (vd->vd_version == VMMIO_MODERN)
		wanted |= VIRTIO_F_VERSION_1;
	else
		wanted &= ~VIRTIO_F_VERSION_1;	/* legacy: the low 32 bits only */
	vd->vd_features = offered & wanted;
	reg_write(vd, VMMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(vd, VMMIO_DRIVER_FEATURES, (uint32_t)vd->vd_features);
	reg_write(vd, VMMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(vd, VMMIO_DRIVER_FEATURES, (uint32_t)(vd->vd_features >> 32));
	if (vd->vd_version == VMMIO_LEGACY) {
		reg_write(vd, VMMIO_GUEST_PAGE_SIZE, PAGE_SIZE);
		return 0;		/* legacy devices have no FEATURES_OK */
	}
	if (!(vd->vd_features & VIRTIO_F_VERSION_1))
		goto refused;
	status_set(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(reg_read(vd, VMMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		goto refused;
	return 0;
refused:
	status_set(vd, VIRTIO_STATUS_FAILED);
	return ENXIO;
}

/* One read of len bytes of the configuration space at off. */
static uint64_t
config_read_once(struct virtio_dev *vd, uint32_t off, size_t len)
{
	volatile uint8_t *p = vd->vd_regs + VMMIO_CONFIG + off;

	switch (len) {
	case 1:
		return *p;
	case 2:
		return *(volatile uint16_t *)p;
	case 4:
		return *(volatile uint32_t *)p;
	default:	/* 8: two 32-bit halves, the widest access the transport allows */
		return *(volatile uint32_t *)p | (uint64_t)*(volatile uint32_t *)(p + 4) << 32;
	}
}

uint64_t
virtio_config_read(struct virtio_dev *vd, uint32_t off, size_t len)
{
	uint64_t v, again;
	uint32_t gen;

	KASSERT(len == 1 || len == 2 || len == 4 || len == 8, ("virtio config: %zu bytes", len));
	if (vd->vd_version == VMMIO_MODERN) {
		do {
			gen = reg_read(vd, VMMIO_CONFIG_GENERATION);
			v = config_read_once(vd, off, len);
		} while (reg_read(vd, VMMIO_CONFIG_GENERATION) != gen);
		return v;
	}
	/* Legacy devices have no generation counter: read until two reads agree. */
	for (v = config_read_once(vd, off, len);
	    (again = config_read_once(vd, off, len)) != v; v = again)
		;
	return v;
}

uint32_t
virtio_queue_max(struct virtio_dev *vd, uint32_t index)
{
	reg_write(vd, VMMIO_QUEUE_SEL, index);
	if (vd->vd_version == VMMIO_LEGACY ? reg_read(vd, VMMIO_QUEUE_PFN) != 0 :
	    reg_read(vd, VMMIO_QUEUE_READY) != 0)
		return 0;		/* already in use: not ours to set up */
	return reg_read(vd, VMMIO_QUEUE_NUM_MAX);
}

void
virtio_queue_set(struct virtio_dev *vd, uint32_t index, uint32_t size,
    paddr_t desc, paddr_t avail, paddr_t used)
{
	reg_write(vd, VMMIO_QUEUE_SEL, index);
	reg_write(vd, VMMIO_QUEUE_NUM, size);
	if (vd->vd_version == VMMIO_LEGACY) {
		KASSERT((desc & PAGE_MASK) == 0, ("virtio: legacy queue at %lx", desc));
		reg_write(vd, VMMIO_QUEUE_ALIGN, PAGE_SIZE);
		reg_write(vd, VMMIO_QUEUE_PFN, (uint32_t)atop(desc));
		return;
	}
	reg_write(vd, VMMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	reg_write(vd, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	reg_write(vd, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	reg_write(vd, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	reg_write(vd, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	reg_write(vd, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	reg_write(vd, VMMIO_QUEUE_READY, 1);
}

void
virtio_queue_notify(struct virtio_dev *vd, uint32_t index)
{
	reg_write(vd, VMMIO_QUEUE_NOTIFY, index);
}

void
virtio_driver_ok(struct virtio_dev *vd)
{
	status_set(vd, VIRTIO_STATUS_DRIVER_OK);
}

uint32_t
virtio_intr_ack(struct virtio_dev *vd)
{
	uint32_t status = reg_read(vd, VMMIO_INTERRUPT_STATUS);

	if (status != 0)
		reg_write(vd, VMMIO_INTERRUPT_ACK, status);
	return status;
}

int
virtio_setup_intr(struct virtio_dev *vd, intr_handler_t *handler, void *arg)
{
	return device_setup_intr(vd->vd_dev, 0, handler, arg);
}

const char *
virtio_transport_name(const struct virtio_dev *vd)
{
	return vd->vd_version == VMMIO_LEGACY ? "virtio-mmio v1" : "virtio-mmio v2";
}

/*
 * Map the slot and pass a device in it to its driver.  ENXIO (quietly)
 * for an empty slot or a device no driver handles.
 */
static int
virtio_mmio_attach(struct device *dev)
{
	char compat[VMMIO_COMPAT_MAX];
	const struct driver *drv;
	struct virtio_dev *vd;
	int error;

	if (dev->dv_nreg == 0 || dev->dv_reg[0].size < VMMIO_CONFIG)
		return ENODEV;
	if ((vd = malloc(sizeof(*vd), M_VIRTIO, M_WAITOK | M_ZERO)) == NULL)
		return ENOMEM;
	vd->vd_dev = dev;
	vd->vd_regs = kmem_mapdev(dev->dv_reg[0].base, MAX(dev->dv_reg[0].size,
	    (uint64_t)VMMIO_REGS_SIZE));
	if (vd->vd_regs == NULL) {
		free(vd, M_VIRTIO);
		return ENOMEM;
	}
	vd->vd_version = reg_read(vd, VMMIO_VERSION);
	vd->vd_device_id = reg_read(vd, VMMIO_DEVICE_ID);
	error = ENXIO;
	if (reg_read(vd, VMMIO_MAGIC) != VMMIO_MAGIC_VALUE ||
	    (vd->vd_version != VMMIO_LEGACY && vd->vd_version != VMMIO_MODERN)) {
		error = ENODEV;
	} else if (vd->vd_device_id != VIRTIO_ID_NONE) {
		snprintf(compat, sizeof(compat), "virtio,device%x", vd->vd_device_id);
		if ((drv = driver_find(compat)) == NULL) {
			printf("%s: virtio device %u has no driver\n", dev->dv_name,
			    vd->vd_device_id);
		} else {
			dev->dv_softc = vd;
			if ((error = drv->dr_attach(dev)) == 0)
				return 0;
			dev->dv_softc = NULL;
		}
	}
	kmem_unmapdev((void *)vd->vd_regs, MAX(dev->dv_reg[0].size, (uint64_t)VMMIO_REGS_SIZE));
	free(vd, M_VIRTIO);
	return error;
}

static const char *const virtio_mmio_compat[] = { "virtio,mmio", NULL };
DRIVER(virtio_mmio, virtio_mmio_compat, DRIVER_PASS_DEVICE, virtio_mmio_attach);
