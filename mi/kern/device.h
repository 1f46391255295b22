/*
 * Device drivers, and how they find and attach their devices.
 *
 * A driver declares itself with DRIVER(): its name, the device-tree
 * "compatible" strings it handles, the pass it attaches in, and its
 * attach function.  Adding a driver is adding its file (and the file to
 * meson.build); nothing else names it.
 *
 *	static const char *const uart_compat[] = { "ns16550a", NULL };
 *	DRIVER(uart, uart_compat, DRIVER_PASS_SYSTEM, uart_attach);
 *
 * Matching.  device_attach_all() walks the device tree once.  Every
 * enabled node is offered to the drivers; the first string of the node's
 * own compatible list (most specific first, by the binding's rule) that
 * some driver handles decides the driver.  A node whose reg cannot be
 * translated to CPU physical addresses (a bus without ranges) is skipped.
 *
 * Ordering.  Devices attach pass by pass, and within a pass in tree
 * order, except that the node /chosen/stdout-path names comes first in
 * its pass:
 *
 *	DRIVER_PASS_INTERRUPT	interrupt controllers: before any consumer
 *	DRIVER_PASS_SYSTEM	the console and power control, what a panic
 *				needs: as early as possible
 *	DRIVER_PASS_DEVICE	everything else (block devices, ...)
 *
 * What attach gets.  A struct device whose dv_reg[] are the node's reg
 * tuples translated through every bus's ranges (CPU physical addresses,
 * not yet mapped: map them with kmem_mapdev), whose dv_intr[] are its
 * interrupts (fdt.h: the controller's phandle and the interrupt number),
 * and whose dv_fdt/dv_node let the driver read its own properties.  The
 * tree stays mapped and unchanged for the kernel's lifetime.
 *
 * Attach runs once per device, on the boot cpu, before the other cpus
 * start and before interrupts are enabled; it may sleep for memory
 * (M_WAITOK).  It returns
 *	0	attached;
 *	ENXIO	declined, quietly: the node is not one this driver will
 *		drive (a second UART when the console is taken, say);
 *	other	failed: the kernel prints the error and boots without it.
 * A failed or declined device stays unattached; nothing is retried.
 *
 * Interrupts.  A driver asks for its index'th interrupt with
 * device_setup_intr(): the handler then runs on whichever cpu claims the
 * interrupt, with interrupts disabled, and must not sleep.  The
 * interrupt controller (drivers/plic.c, behind kern/intr.h) attached in
 * an earlier pass, but may have failed to: a driver must work, perhaps
 * polled, when device_setup_intr() fails.
 *
 * Locking: the device list is built and attached by the boot cpu alone,
 * then read-only (C).
 */
#ifndef _KERN_DEVICE_H_
#define _KERN_DEVICE_H_

#include <kern/types.h>
#include <kern/fdt.h>
#include <kern/intr.h>

#define DEVICE_MAX		64	/* matched devices the kernel keeps */
#define DEVICE_MAX_REG		4	/* reg tuples kept per device */
#define DEVICE_MAX_INTR		4	/* interrupts kept per device */

enum driver_pass {
	DRIVER_PASS_INTERRUPT,
	DRIVER_PASS_SYSTEM,
	DRIVER_PASS_DEVICE,
};

struct device;

struct driver {
	const char		*dr_name;	/* "uart": units print as uart0 */
	const char *const	*dr_compat;	/* NULL-terminated */
	enum driver_pass	dr_pass;
	int			(*dr_attach)(struct device *dev);
};

/* Declare a driver: an entry of the "drivers" linker set. */
#define DRIVER(name, compat, pass, attach)				\
	static const struct driver driver_##name			\
	__attribute__((used, section("drivers"), aligned(8))) =		\
	    { #name, compat, pass, attach }

struct device_reg {
	paddr_t		base;		/* CPU physical address */
	uint64_t	size;
};

struct device_intr {
	uint32_t	ctrl;		/* the controller's phandle */
	uint32_t	irq;		/* its interrupt number */
};

/* All fields (C) once attach has run. */
struct device {
	const struct driver	*dv_driver;
	const struct fdt	*dv_fdt;
	int			dv_node;	/* node offset in dv_fdt */
	const char		*dv_name;	/* node name: "serial@10000000" */
	const char		*dv_compat;	/* the compatible string matched */
	bool			dv_stdout;	/* /chosen/stdout-path names it */
	struct device_reg	dv_reg[DEVICE_MAX_REG];
	int			dv_nreg;
	struct device_intr	dv_intr[DEVICE_MAX_INTR];
	int			dv_nintr;
	uint32_t		dv_phandle;	/* 0: none */
	int			dv_error;	/* attach's result; -1 before */
	int			dv_unit;	/* among its driver's attached devices */
	int			dv_order;	/* attached n-th overall; -1: not */
	void			*dv_softc;	/* the driver's, if it wants one */
};

/* Boot: match the tree against every DRIVER() and attach, in order. */
void	device_attach_all(const struct fdt *fdt);

/*
 * The two halves of device_attach_all, for a given table of drivers.
 * device_match() fills devs[0 .. min(n, max)) with the matched devices
 * in attach order and returns n, the number that matched (more than max:
 * the rest were dropped).  device_attach() attaches devs[0 .. n) in
 * order and makes them the list device_find() and device_setup_intr()
 * search.
 */
int	device_match(const struct fdt *fdt, const struct driver *drivers,
	    size_t ndrivers, struct device *devs, int max);
void	device_attach(struct device *devs, int n);

/* The unit'th attached device of the named driver, or NULL. */
struct device *device_find(const char *driver, int unit);

/* The attached device after prev (NULL: the first), in attach order; NULL at the end. */
struct device *device_next(const struct device *prev);

/*
 * Route dev's index'th interrupt to handler(arg).  0; ENOENT if dev has
 * no such interrupt; ENODEV if its controller is not an attached
 * interrupt controller; else intr_establish()'s error.
 */
int	device_setup_intr(struct device *dev, int index, intr_handler_t *handler,
	    void *arg);

#endif
