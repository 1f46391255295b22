/* rdcsr.h: the user-readable counters (need scounteren to allow them). */
#ifndef _RDCSR_H
#define _RDCSR_H

static inline unsigned long
rdinstret(void)
{
	unsigned long v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static inline unsigned long
rdcycle(void)
{
	unsigned long v;

	__asm__ volatile("rdcycle %0" : "=r"(v));
	return v;
}

static inline unsigned long
rdtime(void)
{
	unsigned long v;

	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

#endif
