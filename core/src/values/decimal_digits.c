/* decimal_digits.c - a double's significant decimal digits without printf:
 * a finite double is m * 2^e, and when that binary fraction fits 64 bits
 * its decimal digits come exactly by long division, rounded as printf
 * rounds. Other magnitudes go through snprintf("%.*e"). On these digits,
 * printf's %g layout (fcat__g_text), which CSV's shortest round-trip text
 * tries at 15, 16 and 17 digits per value. */
#include "values/decimal_digits.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int bit_length(uint64_t v)
{
	return v ? 64 - __builtin_clzll(v) : 0;
}

/* Rounds the digits up by one unit of the last; 99.9 becomes 100. */
static void round_up(fcat__digits *g)
{
	int i = g->n - 1;
	while (i >= 0 && g->d[i] == '9')
		g->d[i--] = '0';
	if (i >= 0) {
		g->d[i]++;
		return;
	}
	g->d[0] = '1'; /* all nines: one more digit before the point */
	for (int k = 1; k < g->n; k++)
		g->d[k] = '0';
	g->exp10++;
}

/* Rounds to nearest, ties to even (printf in the default rounding mode):
 * `cmp` says whether what follows the digits is below (<0), at (0) or above
 * (>0) half a unit of the last; `rest` whether anything follows at all. */
static void round_digits(fcat__digits *g, int cmp, bool rest)
{
	if (rest && (cmp > 0 || (cmp == 0 && (g->d[g->n - 1] - '0') % 2)))
		round_up(g);
	while (g->n > 1 && g->d[g->n - 1] == '0')
		g->n--;
}

/* The digits of the integer v (>= 1) with what follows it: a fraction
 * `frac` / 2^s (s <= 60; 0 when there is none). */
static void from_integer(fcat__digits *g, uint64_t v, uint64_t frac, int s)
{
	char tmp[24];
	int len = 0;
	for (uint64_t x = v; x; x /= 10)
		tmp[len++] = (char)('0' + x % 10);
	g->exp10 = len - 1;
	if (len > g->precision) {
		/* v's digits past the precision decide the rounding */
		uint64_t scale = 1;
		for (int k = 0; k < len - g->precision; k++)
			scale *= 10;
		uint64_t low = v % scale, half = scale / 2;
		g->n = g->precision;
		for (int k = 0; k < g->precision; k++)
			g->d[k] = tmp[len - 1 - k];
		int cmp = low > half || (low == half && frac) ? 1 : low == half ? 0 : -1;
		round_digits(g, cmp, low || frac);
		return;
	}
	g->n = len;
	for (int k = 0; k < len; k++)
		g->d[k] = tmp[len - 1 - k];
	uint64_t mask = s ? (UINT64_C(1) << s) - 1 : 0;
	while (g->n < g->precision && frac) {
		frac *= 10;
		g->d[g->n++] = (char)('0' + (frac >> s));
		frac &= mask;
	}
	uint64_t twice = frac << 1, unit = s ? UINT64_C(1) << s : 0;
	round_digits(g, twice < unit ? -1 : twice == unit ? 0 : 1, frac != 0);
}

/* The digits of frac / 2^s (0 < frac < 2^s, s <= 60). */
static void from_fraction(fcat__digits *g, uint64_t frac, int s)
{
	uint64_t mask = (UINT64_C(1) << s) - 1;
	g->exp10 = 0;
	do { /* leading zeros */
		frac *= 10;
		g->exp10--;
	} while ((frac >> s) == 0);
	g->n = 0;
	for (;;) {
		g->d[g->n++] = (char)('0' + (frac >> s));
		frac &= mask;
		if (g->n == g->precision || !frac)
			break;
		frac *= 10;
	}
	uint64_t twice = frac << 1, unit = UINT64_C(1) << s;
	round_digits(g, twice < unit ? -1 : twice == unit ? 0 : 1, frac != 0);
}

/* The exact digits of a finite positive |d|, when its binary fraction fits
 * the arithmetic here; false otherwise. */
static bool exact_digits(fcat__digits *g, double d)
{
	uint64_t bits;
	memcpy(&bits, &d, sizeof bits);
	int biased = (int)((bits >> 52) & 0x7ff);
	uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
	int e;
	if (biased == 0) {
		e = -1074;
	} else {
		m |= UINT64_C(1) << 52;
		e = biased - 1075;
	}
	if (m == 0) {
		g->d[0] = '0';
		g->n = 1;
		g->exp10 = 0;
		return true;
	}
	int tz = __builtin_ctzll(m);
	m >>= tz;
	e += tz;
	if (e >= 0) {
		if (bit_length(m) + e > 64)
			return false;
		from_integer(g, m << e, 0, 0);
		return true;
	}
	int s = -e;
	if (s > 60)
		return false;
	uint64_t whole = m >> s, frac = m & ((UINT64_C(1) << s) - 1);
	if (whole)
		from_integer(g, whole, frac, s);
	else
		from_fraction(g, frac, s);
	return true;
}

/* The digits printf("%.17g") chose, read back from its text. */
static void printf_digits(fcat__digits *g, double d)
{
	char text[64];
	snprintf(text, sizeof text, "%.*e", g->precision - 1, d < 0 ? -d : d);
	/* d.dddddddddddddddde[+-]XX */
	g->n = 0;
	const char *p = text;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			g->d[g->n++] = *p;
	int x = 0, sign = 1;
	if (*p == 'e') {
		p++;
		if (*p == '-' || *p == '+')
			sign = *p++ == '-' ? -1 : 1;
		while (*p >= '0' && *p <= '9')
			x = x * 10 + (*p++ - '0');
	}
	g->exp10 = sign * x;
	while (g->n > 1 && g->d[g->n - 1] == '0')
		g->n--;
}

void fcat__decimal_digits(fcat__digits *g, double d, int precision)
{
	g->precision = precision < 1                  ? 1
	               : precision > FCAT__DIGITS_MAX ? FCAT__DIGITS_MAX
	                                              : precision;
	if (!exact_digits(g, d))
		printf_digits(g, d);
}

/* The exponent of %g ("e+05", "e-123") or of JSON ("e5", "e-123"). */
static size_t put_exponent(char *out, int x, bool json)
{
	size_t len = 0;
	out[len++] = 'e';
	if (x < 0 || !json)
		out[len++] = x < 0 ? '-' : '+';
	unsigned u = (unsigned)(x < 0 ? -x : x);
	if (u < 10 && !json)
		out[len++] = '0';
	char tmp[12];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	while (n)
		out[len++] = tmp[--n];
	return len;
}

size_t fcat__digits_text(char *out, const fcat__digits *g, bool negative, bool json)
{
	size_t len = 0;
	if (negative)
		out[len++] = '-';
	int x = g->exp10;
	if (x < -4 || x >= g->precision) { /* d.ddde+XX */
		out[len++] = g->d[0];
		if (g->n > 1) {
			out[len++] = '.';
			memcpy(out + len, g->d + 1, (size_t)g->n - 1);
			len += (size_t)g->n - 1;
		}
		len += put_exponent(out + len, x, json);
	} else if (x >= 0) { /* ddd.ddd, ddd (or ddd.0 in JSON) */
		for (int k = 0; k <= x; k++)
			out[len++] = k < g->n ? g->d[k] : '0';
		if (g->n > x + 1) {
			out[len++] = '.';
			memcpy(out + len, g->d + x + 1, (size_t)(g->n - x - 1));
			len += (size_t)(g->n - x - 1);
		} else if (json) {
			out[len++] = '.';
			out[len++] = '0';
		}
	} else { /* 0.000ddd */
		out[len++] = '0';
		out[len++] = '.';
		for (int k = -1; k > x; k--)
			out[len++] = '0';
		memcpy(out + len, g->d, (size_t)g->n);
		len += (size_t)g->n;
	}
	out[len] = '\0';
	return len;
}

size_t fcat__g_text(char *out, double d, int precision)
{
	fcat__digits g;
	fcat__decimal_digits(&g, d, precision);
	return fcat__digits_text(out, &g, d < 0 || (d == 0 && 1 / d < 0), false);
}
