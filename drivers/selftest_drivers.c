/*
 * Self-tests of the attached devices: the attach order the device layer
 * promises, and console input arriving through the UART's interrupt and
 * the console's terminal.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/cons.h>
#include <kern/device.h>
#include <kern/intr.h>
#include <kern/selftest.h>
#include <kern/tty.h>
#include <kern/uio.h>
#include <machine/cpu.h>

/* The attached device with this phandle, or NULL. */
static const struct device *
attached_with_phandle(uint32_t phandle)
{
	const struct device *dev;

	for (dev = device_next(NULL); dev != NULL; dev = device_next(dev))
		if (phandle != 0 && dev->dv_phandle == phandle)
			return dev;
	return NULL;
}

static void
test_devices(void)
{
	const struct device *dev, *prev = NULL, *ctrl;
	bool passes = true, intr_first = true, numbered = true;
	int n = 0;

	for (dev = device_next(NULL); dev != NULL; prev = dev, dev = device_next(dev), n++) {
		numbered &= dev->dv_order == n && dev->dv_error == 0;
		if (prev != NULL)
			passes &= prev->dv_driver->dr_pass <= dev->dv_driver->dr_pass;
		for (int i = 0; i < dev->dv_nintr; i++)
			if ((ctrl = attached_with_phandle(dev->dv_intr[i].ctrl)) != NULL)
				intr_first &= ctrl->dv_order < dev->dv_order &&
				    ctrl->dv_driver->dr_pass == DRIVER_PASS_INTERRUPT;
	}
	selftest_ok(n > 0 && numbered, "%d devices attached, numbered in attach order", n);
	selftest_ok(passes, "devices attached pass by pass");
	selftest_ok(intr_first, "every interrupt controller attached before its consumers");
	if (device_find("uart", 0) != NULL)
		selftest_ok(strcmp(cons_name(), "uart") == 0, "the console is uart0 (%s)",
		    cons_name());
}

/*
 * The test runner types "ping" and Enter on the console; the line must
 * arrive through the UART's receive interrupt and the console's terminal
 * (as a line, "ping\n").  Only a run whose command line says
 * "console_input" has anyone typing: without it (selftest run by hand)
 * the check is skipped, as it is when the console has no interrupt.
 */
static void
test_console_rx(void)
{
	static const char expect[] = "ping\n";
	const struct device *uart = device_find("uart", 0);
	uint64_t deadline = cpu_time() + cpu_timebase_hz() * 5;
	size_t matched = 0;
	uint32_t irq;
	char buf[32];

	if (uart == NULL || uart->dv_nintr == 0) {
		selftest_skip("console_rx: the console has no receive interrupt");
		return;
	}
	if (!cmdline_has("console_input")) {
		selftest_skip("console_rx: nobody types (no console_input on the command line)");
		return;
	}
	irq = uart->dv_intr[0].irq;
	while (matched < sizeof(expect) - 1 && cpu_time() < deadline) {
		struct uio uio = { buf, sizeof(buf), 0, false, false, IO_NONBLOCK };
		ssize_t n = tty_read(cons_tty(), &uio);

		if (n <= 0) {
			cpu_wait_for_interrupt();
			continue;
		}
		for (ssize_t i = 0; i < n && matched < sizeof(expect) - 1; i++)
			matched = buf[i] == expect[matched] ? matched + 1 : buf[i] == expect[0];
	}
	selftest_ok(matched == sizeof(expect) - 1, "console input \"ping\" read as a line");
	selftest_ok(intr_source_count(irq) > 0,
	    "console input came by interrupt (%lu)", intr_source_count(irq));
}

SELFTEST(devices, test_devices);
SELFTEST(console_rx, test_console_rx);
