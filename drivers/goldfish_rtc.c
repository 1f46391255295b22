/*
 * The "google,goldfish-rtc" real-time clock (QEMU virt): nanoseconds since
 * the epoch in two 32-bit registers.  Reading TIME_LOW latches TIME_HIGH,
 * so low then high is one consistent reading.  At attach the kernel's
 * time of day is set from it (clock_set_realtime); the clock is not read
 * again (the timebase keeps time from there) nor written.
 */
#include <kern/systm.h>
#include <kern/device.h>
#include <kern/time.h>
#include <machine/param.h>
#include <vm/kmem.h>

#define RTC_TIME_LOW	0x00
#define RTC_TIME_HIGH	0x04

#define SECS_PER_DAY	86400UL

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian). */
static void
civil_from_days(uint64_t days, uint64_t *year, unsigned *month, unsigned *day)
{
	/* Count from 0000-03-01, in 400-year eras of 146097 days, March first. */
	uint64_t z = days + 719468, era = z / 146097, doe = z % 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

static int
goldfish_rtc_attach(struct device *dev)
{
	volatile uint32_t *regs;
	uint64_t ns, secs, year;
	unsigned month, day;

	if (dev->dv_nreg == 0)
		return ENODEV;
	regs = kmem_mapdev(dev->dv_reg[0].base, MAX(dev->dv_reg[0].size, (uint64_t)PAGE_SIZE));
	if (regs == NULL)
		return ENOMEM;
	ns = regs[RTC_TIME_LOW / 4];
	ns |= (uint64_t)regs[RTC_TIME_HIGH / 4] << 32;
	clock_set_realtime(ns);
	secs = ns / NSEC_PER_SEC;
	civil_from_days(secs / SECS_PER_DAY, &year, &month, &day);
	printf("rtc: the time is %04lu-%02u-%02u %02lu:%02lu:%02lu UTC\n", year, month, day,
	    secs % SECS_PER_DAY / 3600, secs % 3600 / 60, secs % 60);
	return 0;
}

static const char *const goldfish_rtc_compat[] = { "google,goldfish-rtc", NULL };
DRIVER(goldfish_rtc, goldfish_rtc_compat, DRIVER_PASS_DEVICE, goldfish_rtc_attach);
