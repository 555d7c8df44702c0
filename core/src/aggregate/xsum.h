/* xsum.h - an exact sum of doubles (a superaccumulator): every addition
 * and subtraction is exact, so the same values added (and removed) in any
 * order, by any path, round to the very same double. This is what keeps a
 * windowed sum or mean bit for bit equal between a training set's sliding
 * window, an online read's tiles and a replay of pushed events. */
#ifndef FCAT_AGGREGATE_XSUM_H
#define FCAT_AGGREGATE_XSUM_H

#include <stdbool.h>
#include <stdint.h>

/* 32-bit digits of weight 2^(32 i - FCAT__XSUM_BIAS), kept in int64 limbs
 * so that 2^30 additions need no carry; 68 limbs span every double and
 * more than 2^30 times the largest. */
#define FCAT__XSUM_LIMBS 68
#define FCAT__XSUM_BIAS  1088

typedef struct fcat__xsum {
	int64_t limb[FCAT__XSUM_LIMBS];
	int32_t lo, hi;          /* the limbs touched: lo > hi when none */
	uint32_t pending;        /* additions since the last carry pass */
	int64_t nan, pinf, ninf; /* non-finite values added minus removed */
} fcat__xsum;

void fcat__xsum_init(fcat__xsum *s);
/* Adds (sign 1) or removes (sign -1) x, exactly. */
void fcat__xsum_add(fcat__xsum *s, double x, int sign);
/* Adds x * x exactly (as the two halves of an exact product). */
void fcat__xsum_add_square(fcat__xsum *s, double x, int sign);
/* Adds every value of b into a. */
void fcat__xsum_merge(fcat__xsum *a, const fcat__xsum *b);
/* The sum rounded to the nearest double (ties to even). Non-finite values
 * decide as IEEE addition would: a NaN, or +inf with -inf, give NaN. */
double fcat__xsum_round(const fcat__xsum *s);
/* The sum as a double-double: hi = round(sum), lo = round(sum - hi). */
void fcat__xsum_round2(const fcat__xsum *s, double *hi, double *lo);

#endif
