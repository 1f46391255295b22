/*
 * Finding devices in the device tree and attaching their drivers.  See
 * device.h for the contract drivers rely on.
 */
#include <kern/systm.h>
#include <kern/errno.h>
#include <kern/device.h>

static struct device device_table[DEVICE_MAX];	/* the boot-time list */
static struct device *devices;			/* (C) what device_find searches */
static int ndevices;				/* (C) */

/*
 * The driver for node, or NULL: the first string of the node's own
 * compatible list that some driver handles.  *compatp is set to it.
 */
static const struct driver *
match_driver(const struct fdt *fdt, int node, const struct driver *drivers,
    size_t ndrivers, const char **compatp)
{
	const char *s;
	size_t n, d;
	int len;

	s = fdt_getprop(fdt, node, "compatible", &len);
	for (; s != NULL && len > 0; s += n + 1, len -= (int)n + 1) {
		if ((n = strnlen(s, (size_t)len)) == (size_t)len)
			return NULL;		/* unterminated */
		for (d = 0; d < ndrivers; d++)
			for (const char *const *c = drivers[d].dr_compat; *c != NULL; c++)
				if (strcmp(*c, s) == 0) {
					*compatp = s;
					return &drivers[d];
				}
	}
	return NULL;
}

/* Fill dev's reg and interrupts from node; false if reg is not usable. */
static bool
describe(const struct fdt *fdt, int node, struct device *dev)
{
	struct fdt_intr_iter it;
	uint64_t base, size;
	int i, error;

	for (i = 0; (error = fdt_reg_phys(fdt, node, i, &base, &size)) == 0; i++)
		if (dev->dv_nreg < DEVICE_MAX_REG) {
			dev->dv_reg[dev->dv_nreg].base = base;
			dev->dv_reg[dev->dv_nreg].size = size;
			dev->dv_nreg++;
		}
	if (error != ENOENT)
		return false;		/* untranslatable or malformed */
	fdt_intr_first(fdt, node, &it);
	while (dev->dv_nintr < DEVICE_MAX_INTR &&
	    fdt_intr_next(fdt, &it, &dev->dv_intr[dev->dv_nintr].ctrl,
	    &dev->dv_intr[dev->dv_nintr].irq) == 0)
		dev->dv_nintr++;
	return true;
}

/* The node /chosen/stdout-path (or linux,stdout-path) names, or < 0. */
static int
stdout_node(const struct fdt *fdt)
{
	const char *path;
	int chosen;

	if ((chosen = fdt_find_path(fdt, "/chosen")) < 0)
		return chosen;
	path = fdt_getprop_string(fdt, chosen, "stdout-path");
	if (path == NULL)
		path = fdt_getprop_string(fdt, chosen, "linux,stdout-path");
	return path != NULL ? fdt_find_path(fdt, path) : -ENOENT;
}

/* Does a attach before b?  By pass, then the stdout node first. */
static bool
attaches_before(const struct device *a, const struct device *b)
{
	if (a->dv_driver->dr_pass != b->dv_driver->dr_pass)
		return a->dv_driver->dr_pass < b->dv_driver->dr_pass;
	return a->dv_stdout && !b->dv_stdout;
}

/*
 * Put dev into devs[0 .. *n), kept in attach order (stable: tree order
 * survives within a pass).  When the array is full the last in attach
 * order is dropped, so an overflow costs the latest-pass devices, never
 * an interrupt controller their consumers need.
 */
static void
insert_device(struct device *devs, int *n, int max, const struct device *dev)
{
	int i = *n;

	if (i == max) {
		if (max == 0 || !attaches_before(dev, &devs[max - 1]))
			return;
		i--;
	} else {
		(*n)++;
	}
	for (; i > 0 && attaches_before(dev, &devs[i - 1]); i--)
		devs[i] = devs[i - 1];
	devs[i] = *dev;
}

int
device_match(const struct fdt *fdt, const struct driver *drivers,
    size_t ndrivers, struct device *devs, int max)
{
	const struct driver *drv;
	struct device dev;
	int node, depth = 0, out = stdout_node(fdt), n = 0, kept = 0;

	for (node = fdt_root(fdt); node >= 0; node = fdt_next_node(fdt, node, &depth)) {
		if (!fdt_node_enabled(fdt, node))
			continue;
		memset(&dev, 0, sizeof(dev));
		if ((drv = match_driver(fdt, node, drivers, ndrivers, &dev.dv_compat)) == NULL ||
		    !describe(fdt, node, &dev))
			continue;
		dev.dv_driver = drv;
		dev.dv_fdt = fdt;
		dev.dv_node = node;
		dev.dv_name = fdt_node_name(fdt, node);
		dev.dv_stdout = node == out;
		dev.dv_phandle = fdt_node_phandle(fdt, node);
		dev.dv_error = -1;
		dev.dv_order = -1;
		insert_device(devs, &kept, max, &dev);
		n++;
	}
	return n;
}

struct device *
device_next(const struct device *prev)
{
	for (int i = prev != NULL ? (int)(prev - devices) + 1 : 0; i < ndevices; i++)
		if (devices[i].dv_order >= 0)
			return &devices[i];
	return NULL;
}

struct device *
device_find(const char *driver, int unit)
{
	struct device *dev;

	for (dev = device_next(NULL); dev != NULL; dev = device_next(dev))
		if (dev->dv_unit == unit && strcmp(dev->dv_driver->dr_name, driver) == 0)
			return dev;
	return NULL;
}

/* The attached interrupt controller with this phandle, or NULL. */
static const struct device *
find_intr_controller(uint32_t phandle)
{
	struct device *dev;

	for (dev = device_next(NULL); dev != NULL; dev = device_next(dev))
		if (phandle != 0 && dev->dv_phandle == phandle &&
		    dev->dv_driver->dr_pass == DRIVER_PASS_INTERRUPT)
			return dev;
	return NULL;
}

/*
 * One line per attached device: "uart0: ns16550a at 0x10000000, irq 10".
 * An interrupt is shown when it is one of ours: the PLIC's own entries
 * name the harts' local controllers (with the firmware's M-mode ones
 * hidden as ~0), which no driver serves.
 */
static void
announce(const struct device *dev)
{
	char at[32] = "", irq[24] = "";

	if (dev->dv_nreg > 0)
		snprintf(at, sizeof(at), " at %#lx", (unsigned long)dev->dv_reg[0].base);
	if (dev->dv_nintr > 0 && find_intr_controller(dev->dv_intr[0].ctrl) != NULL)
		snprintf(irq, sizeof(irq), ", irq %u", dev->dv_intr[0].irq);
	printf("%s%d: %s%s%s\n", dev->dv_driver->dr_name, dev->dv_unit,
	    dev->dv_compat, at, irq);
}

/* The number of devs[0 .. n) of drv that have attached. */
static int
units_of(const struct device *devs, int n, const struct driver *drv)
{
	int units = 0;

	for (int i = 0; i < n; i++)
		units += devs[i].dv_driver == drv && devs[i].dv_order >= 0;
	return units;
}

void
device_attach(struct device *devs, int n)
{
	struct device *dev;
	int attached = 0;

	devices = devs;
	ndevices = n;
	for (int i = 0; i < n; i++) {
		dev = &devs[i];
		dev->dv_unit = units_of(devs, i, dev->dv_driver);
		dev->dv_error = dev->dv_driver->dr_attach(dev);
		if (dev->dv_error == 0) {
			dev->dv_order = attached++;
			announce(dev);
		} else if (dev->dv_error != ENXIO) {
			printf("%s: %s driver failed to attach (error %d)\n",
			    dev->dv_name, dev->dv_driver->dr_name, dev->dv_error);
		}
	}
}

extern const struct driver __start_drivers[], __stop_drivers[];

void
device_attach_all(const struct fdt *fdt)
{
	int n;

	n = device_match(fdt, __start_drivers, (size_t)(__stop_drivers - __start_drivers),
	    device_table, DEVICE_MAX);
	if (n > DEVICE_MAX) {
		printf("devices: %d matched the drivers, only the first %d attach\n",
		    n, DEVICE_MAX);
		n = DEVICE_MAX;
	}
	device_attach(device_table, n);
}

int
device_setup_intr(struct device *dev, int index, intr_handler_t *handler, void *arg)
{
	if (index < 0 || index >= dev->dv_nintr)
		return ENOENT;
	if (find_intr_controller(dev->dv_intr[index].ctrl) == NULL)
		return ENODEV;
	return intr_establish(dev->dv_intr[index].irq, handler, arg);
}
