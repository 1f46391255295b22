/*
 * Kernel random numbers (see random.h): ChaCha20 blocks from a 256-bit
 * key and a counter; the key is replaced by fresh output after every
 * request (fast key erasure), so earlier output cannot be recomputed.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/random.h>
#include <kern/spinlock.h>
#include <kern/syscall.h>
#include <machine/cpu.h>
#include <uapi/random.h>

#define CHACHA_ROUNDS	20
#define GETRANDOM_MAX	(32UL << 20)	/* bytes one getrandom returns at most */

static struct spinlock random_lock = SPINLOCK_INITIALIZER("random");
static uint32_t key[8];		/* (random_lock) */
static uint64_t counter;	/* (random_lock) */

static inline uint32_t rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

#define QUARTER(a, b, c, d) do {				\
	a += b; d ^= a; d = rotl(d, 16);			\
	c += d; b ^= c; b = rotl(b, 12);			\
	a += b; d ^= a; d = rotl(d, 8);				\
	c += d; b ^= c; b = rotl(b, 7);				\
} while (0)

static void
chacha_block(uint32_t out[16])
{
	static const uint32_t sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t x[16], in[16];

	memcpy(in, sigma, sizeof(sigma));
	memcpy(in + 4, key, sizeof(key));
	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	in[14] = in[15] = 0;
	counter++;
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < CHACHA_ROUNDS; i += 2) {
		QUARTER(x[0], x[4], x[8], x[12]);
		QUARTER(x[1], x[5], x[9], x[13]);
		QUARTER(x[2], x[6], x[10], x[14]);
		QUARTER(x[3], x[7], x[11], x[15]);
		QUARTER(x[0], x[5], x[10], x[15]);
		QUARTER(x[1], x[6], x[11], x[12]);
		QUARTER(x[2], x[7], x[8], x[13]);
		QUARTER(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

void
random_seed(const void *seed, size_t len)
{
	const uint8_t *s = seed;
	uint64_t t = cpu_time();

	spin_lock(&random_lock);
	for (size_t i = 0; i < len; i++)
		((uint8_t *)key)[i % sizeof(key)] ^= s[i];
	key[0] ^= (uint32_t)t;
	key[1] ^= (uint32_t)(t >> 32);
	spin_unlock(&random_lock);
}

void
random_bytes(void *buf, size_t len)
{
	uint8_t *out = buf;
	uint32_t block[16];

	spin_lock(&random_lock);
	key[2] ^= (uint32_t)cpu_time();
	while (len > 0) {
		size_t n = MIN(len, sizeof(block));

		chacha_block(block);
		memcpy(out, block, n);
		out += n;
		len -= n;
	}
	chacha_block(block);
	memcpy(key, block, sizeof(key));	/* fast key erasure */
	spin_unlock(&random_lock);
	memset(block, 0, sizeof(block));
}

/* getrandom(buf, len, flags) */
SYSCALL(getrandom)
{
	uint8_t chunk[256];
	uint64_t len = MIN(a[1], GETRANDOM_MAX);

	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM))
		return -EINVAL;
	for (uint64_t done = 0; done < len;) {
		size_t n = MIN(len - done, sizeof(chunk));

		random_bytes(chunk, n);
		if (copyout(chunk, (void *)(a[0] + done), n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}
