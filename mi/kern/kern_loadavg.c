/*
 * The load average (see loadavg.h).
 */
#include <kern/systm.h>
#include <kern/loadavg.h>
#include <kern/sched.h>
#include <kern/time.h>

_Static_assert(LOAD_FREQ_TICKS == 5 * HZ + 1, "LOAD_FREQ_TICKS follows HZ");

static const uint64_t load_exp[3] = { EXP_1, EXP_5, EXP_15 };
static uint64_t avenrun[3];		/* (A) written by cpu 0's clock only */
static uint32_t ticks_to_sample = LOAD_FREQ_TICKS;	/* cpu 0's clock only */

uint64_t
loadavg_next(uint64_t load, uint64_t exp, uint64_t active)
{
	uint64_t next = load * exp + active * (FIXED_1 - exp);

	/* Rounded up while the load rises, so a steady load is reached, not approached. */
	if (active >= load)
		next += FIXED_1 - 1;
	return next / FIXED_1;
}

void
loadavg_tick(void)
{
	uint32_t running, blocked, nthreads;
	uint64_t active;

	if (--ticks_to_sample != 0)
		return;
	ticks_to_sample = LOAD_FREQ_TICKS;
	sched_load_sample(&running, &blocked, &nthreads);
	active = (uint64_t)(running + blocked) * FIXED_1;
	for (int i = 0; i < 3; i++)
		__atomic_store_n(&avenrun[i], loadavg_next(avenrun[i], load_exp[i], active),
		    __ATOMIC_RELAXED);
}

void
loadavg_get(uint64_t avg[3])
{
	for (int i = 0; i < 3; i++)
		avg[i] = __atomic_load_n(&avenrun[i], __ATOMIC_RELAXED);
}
