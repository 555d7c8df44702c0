/* real_text.c - a double in JSON exactly as jansson writes it (printf's
 * "%.17g"; ".0" added when that reads as a whole number; the exponent
 * without '+' or leading zeros), on the digits of decimal_digits.c. */
#include "json/real_text.h"

#include "values/decimal_digits.h"

#define PRECISION 17

size_t fcat__json_real_text(char out[FCAT__JSON_REAL_TEXT_MAX], double d)
{
	fcat__digits g;
	fcat__decimal_digits(&g, d, PRECISION);
	return fcat__digits_text(out, &g, d < 0 || (d == 0 && 1 / d < 0), true);
}
