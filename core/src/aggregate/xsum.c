/* xsum.c - the exact sum of doubles (see xsum.h): each double is a 53-bit
 * integer times a power of two, added into the 32-bit digits it covers; the
 * carries are settled only when needed and before rounding. */
#include "aggregate/xsum.h"

#include <math.h>
#include <string.h>

void fcat__xsum_init(fcat__xsum *s)
{
	memset(s, 0, sizeof *s);
	s->lo = FCAT__XSUM_LIMBS;
	s->hi = -1;
}

/* Settles carries over lo..hi: every limb below the top becomes a digit
 * in [0, 2^32), and the top, which carries the sign, lies in
 * [-2^32, 2^32). */
static void carry(int64_t *limb, int32_t *lo, int32_t *hi)
{
	const int64_t base = (int64_t)1 << 32;
	if (*lo > *hi)
		return;
	for (int32_t i = *lo; i < *hi; i++) {
		int64_t c = limb[i] >> 32; /* floor */
		limb[i] -= c * base;
		limb[i + 1] += c;
	}
	while (*hi < FCAT__XSUM_LIMBS - 1 && (limb[*hi] >= base || limb[*hi] < -base)) {
		int64_t c = limb[*hi] >> 32;
		limb[*hi] -= c * base;
		limb[++*hi] += c;
	}
}

static void settle(fcat__xsum *s)
{
	carry(s->limb, &s->lo, &s->hi);
	s->pending = 0;
}

void fcat__xsum_add(fcat__xsum *s, double x, int sign)
{
	if (x == 0)
		return;
	if (!isfinite(x)) {
		if (isnan(x))
			s->nan += sign;
		else if (x > 0)
			s->pinf += sign;
		else
			s->ninf += sign;
		return;
	}
	uint64_t bits;
	memcpy(&bits, &x, sizeof bits);
	int e = (int)((bits >> 52) & 0x7ff);
	uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
	if (e)
		m |= UINT64_C(1) << 52;
	else
		e = 1;
	int p = e - 1075 + FCAT__XSUM_BIAS; /* bit position of m's lowest bit */
	int i = p >> 5, sh = p & 31;
	unsigned __int128 w = (unsigned __int128)m << sh;
	int64_t d0 = (int64_t)(uint32_t)w, d1 = (int64_t)(uint32_t)(w >> 32),
	        d2 = (int64_t)(uint32_t)(w >> 64);
	if ((bits >> 63) != 0)
		sign = -sign;
	s->limb[i] += sign * d0;
	s->limb[i + 1] += sign * d1;
	s->limb[i + 2] += sign * d2;
	if (i < s->lo)
		s->lo = i;
	if (i + 2 > s->hi)
		s->hi = i + 2;
	if (++s->pending >= (1u << 30))
		settle(s);
}

void fcat__xsum_add_square(fcat__xsum *s, double x, int sign)
{
	double p = x * x;
	if (!isfinite(p)) {
		fcat__xsum_add(s, p, sign);
		return;
	}
	fcat__xsum_add(s, p, sign);
	fcat__xsum_add(s, fma(x, x, -p), sign);
}

void fcat__xsum_merge(fcat__xsum *a, const fcat__xsum *b)
{
	if (a->pending + b->pending + 2 >= (1u << 30))
		settle(a);
	for (int32_t i = b->lo; i <= b->hi; i++)
		a->limb[i] += b->limb[i];
	if (b->lo < a->lo)
		a->lo = b->lo;
	if (b->hi > a->hi)
		a->hi = b->hi;
	a->pending += b->pending + 1;
	if (b->pending + 1 >= (1u << 29))
		settle(a);
	a->nan += b->nan;
	a->pinf += b->pinf;
	a->ninf += b->ninf;
}

/* Rounds the settled digits (magnitude in limb[lo..hi], all in [0, 2^32))
 * to a double. */
static double round_digits(const int64_t *limb, int32_t lo, int32_t hi)
{
	while (hi >= lo && limb[hi] == 0)
		hi--;
	if (hi < lo)
		return 0.0;
	/* the top three digits, and whether anything below them is set */
	unsigned __int128 top = 0;
	int32_t k = hi;
	for (int n = 0; n < 3; n++, k--)
		top = (top << 32) + (uint64_t)(k >= lo ? limb[k] : 0);
	bool sticky = false;
	for (; k >= lo; k--)
		sticky |= limb[k] != 0;
	int exp = 32 * (hi - 2) - FCAT__XSUM_BIAS; /* weight of top's lowest bit */
	/* keep 64 significant bits, folding the rest into the lowest (sticky)
	 * bit: a 64-bit integer then rounds to 53 bits exactly as the whole
	 * would */
	int width = (uint64_t)(top >> 64) != 0 ? 128 - __builtin_clzll((uint64_t)(top >> 64))
	                                       : 64 - __builtin_clzll((uint64_t)top);
	int drop = width > 64 ? width - 64 : 0;
	uint64_t u = (uint64_t)(top >> drop);
	if (drop && (top & (((unsigned __int128)1 << drop) - 1)) != 0)
		sticky = true;
	if (sticky)
		u |= 1;
	return ldexp((double)u, exp + drop);
}

static double round_signed(int64_t *limb, int32_t lo, int32_t hi)
{
	if (lo > hi)
		return 0.0;
	if (limb[hi] >= 0)
		return round_digits(limb, lo, hi);
	/* negative: negate the digits (two's complement over lo..hi) */
	int64_t borrow = 0;
	for (int32_t i = lo; i <= hi; i++) {
		int64_t v = -limb[i] - borrow;
		borrow = 0;
		if (i < hi && v < 0) {
			v += (int64_t)1 << 32;
			borrow = 1;
		}
		limb[i] = v;
	}
	return -round_digits(limb, lo, hi);
}

static bool non_finite(const fcat__xsum *s, double *out)
{
	if (s->nan > 0 || (s->pinf > 0 && s->ninf > 0)) {
		*out = NAN;
		return true;
	}
	if (s->pinf > 0 || s->ninf > 0) {
		*out = s->pinf > 0 ? INFINITY : -INFINITY;
		return true;
	}
	return false;
}

double fcat__xsum_round(const fcat__xsum *s)
{
	double r;
	if (non_finite(s, &r))
		return r;
	int64_t limb[FCAT__XSUM_LIMBS];
	int32_t lo = s->lo, hi = s->hi;
	if (lo > hi)
		return 0.0;
	memcpy(limb + lo, s->limb + lo, (size_t)(hi - lo + 1) * sizeof *limb);
	for (int32_t i = hi + 1; i < FCAT__XSUM_LIMBS; i++)
		limb[i] = 0;
	carry(limb, &lo, &hi);
	return round_signed(limb, lo, hi);
}

void fcat__xsum_round2(const fcat__xsum *s, double *hi, double *lo)
{
	*hi = fcat__xsum_round(s);
	*lo = 0;
	if (!isfinite(*hi))
		return;
	fcat__xsum rest = *s;
	fcat__xsum_add(&rest, *hi, -1);
	*lo = fcat__xsum_round(&rest);
}
