/*
 * Kernel random numbers: a ChaCha20-based generator seeded at boot from
 * the device tree's rng-seed (when the firmware provides one) and from
 * timer jitter.  Good enough for AT_RANDOM and getrandom(2); not a
 * cryptographic entropy pool.
 */
#ifndef _KERN_RANDOM_H_
#define _KERN_RANDOM_H_

#include <kern/types.h>

void random_seed(const void *seed, size_t len);	/* mix in more seed material */
void random_bytes(void *buf, size_t len);

#endif
