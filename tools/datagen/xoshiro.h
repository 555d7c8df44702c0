/* xoshiro.h - the generator of the data makers (fcat-datagen's demo rows,
 * fcat-bench-gen-pit's event log): xoshiro256** (Blackman and Vigna) seeded
 * through splitmix64. Inline, so that a row costs no call; the same stream
 * everywhere for the same seed. */
#ifndef FCAT_XOSHIRO_H
#define FCAT_XOSHIRO_H

#include <stdint.h>

/* splitmix64's finalizer: a well-mixed 64-bit function of z. */
static inline uint64_t xoshiro_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* splitmix64: the next number of the sequence *state stands in. */
static inline uint64_t xoshiro_splitmix64(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return xoshiro_mix64(*state);
}

static inline uint64_t xoshiro_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* A xoshiro256** state: fill s[] from xoshiro_splitmix64. */
typedef struct xoshiro {
	uint64_t s[4];
} xoshiro;

static inline uint64_t xoshiro_next(xoshiro *g)
{
	uint64_t *s = g->s;
	uint64_t result = xoshiro_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = xoshiro_rotl(s[3], 45);
	return result;
}

#endif
