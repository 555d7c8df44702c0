/* verify.h - what the parts of `fcat verify` share: bit-for-bit value
 * equality, and the counts one view's check adds to the report. */
#ifndef FCAT_VERIFY_VERIFY_H
#define FCAT_VERIFY_VERIFY_H

#include "store/store.h"
#include "util/buf.h"

/* splitmix64: the small deterministic generator of verify's samples. */
static inline uint64_t fcat__verify_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Bit-for-bit equality of two values of one type: floats by their bits,
 * text and bytes by their bytes. */
bool fcat__same_value(const fcat_value *a, const fcat_value *b);

typedef struct fcat__verify_counts {
	uint64_t samples, checked, differences;
	fcat__buf *details; /* one line per difference (the first 50) */
} fcat__verify_counts;

/* Checks an aggregation view: offline, materialized and pushed values of
 * sampled entities at cut-off times (verify_aggregations.c). */
int fcat__verify_aggregations(fcat__verify_counts *out, fcat_store *s, const fcat__view *v,
                              const char *scratch, size_t sample, uint64_t seed);

#endif
