/* real_text.c - a double in JSON exactly as jansson writes it (printf's
 * "%.17g"; ".0" added when that reads as a whole number; the exponent
 * without '+' or leading zeros), on the digits of decimal_digits.c. */
#include "json/real_text.h"

#include "values/decimal_digits.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PRECISION 17

static size_t put_uint(char *out, unsigned v)
{
	char tmp[12];
	size_t n = 0, len = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		out[len++] = tmp[--n];
	return len;
}

size_t fcat__json_real_text(char out[FCAT__JSON_REAL_TEXT_MAX], double d)
{
	fcat__digits g;
	size_t len = 0;
	fcat__decimal_digits(&g, d, PRECISION);
	if (d < 0 || (d == 0 && 1 / d < 0))
		out[len++] = '-';
	int x = g.exp10;
	if (x < -4 || x >= PRECISION) { /* %g's exponent form: d.ddde-X */
		out[len++] = g.d[0];
		if (g.n > 1) {
			out[len++] = '.';
			memcpy(out + len, g.d + 1, (size_t)g.n - 1);
			len += (size_t)g.n - 1;
		}
		out[len++] = 'e';
		if (x < 0)
			out[len++] = '-';
		len += put_uint(out + len, (unsigned)(x < 0 ? -x : x));
	} else if (x >= 0) { /* ddd.ddd, or ddd.0 for a whole number */
		for (int k = 0; k <= x; k++)
			out[len++] = k < g.n ? g.d[k] : '0';
		out[len++] = '.';
		if (g.n > x + 1) {
			memcpy(out + len, g.d + x + 1, (size_t)(g.n - x - 1));
			len += (size_t)(g.n - x - 1);
		} else {
			out[len++] = '0';
		}
	} else { /* 0.000ddd */
		out[len++] = '0';
		out[len++] = '.';
		for (int k = -1; k > x; k--)
			out[len++] = '0';
		memcpy(out + len, g.d, (size_t)g.n);
		len += (size_t)g.n;
	}
	out[len] = '\0';
	return len;
}
