/* decimal_digits.h - the significant decimal digits of a double, exactly
 * as printf rounds them, for the text forms of reals (JSON, CSV). */
#ifndef FCAT_VALUES_DECIMAL_DIGITS_H
#define FCAT_VALUES_DECIMAL_DIGITS_H

#include <stddef.h>

#define FCAT__DIGITS_MAX 17

typedef struct fcat__digits {
	char d[FCAT__DIGITS_MAX + 1];
	int n;         /* how many (1..precision); trailing zeros removed */
	int exp10;     /* the power of ten of the first */
	int precision; /* asked for */
} fcat__digits;

/* The first `precision` (1..17) significant digits of finite |d|, rounded
 * to nearest with ties to even (as printf("%.*e") in the default rounding
 * mode), without printf for the magnitudes features hold. 0 gives "0". */
void fcat__decimal_digits(fcat__digits *g, double d, int precision);

/* printf("%.*g", precision, d) for finite d, byte for byte; returns the
 * length. out holds at least FCAT__G_TEXT_MAX bytes. */
#define FCAT__G_TEXT_MAX 32
size_t fcat__g_text(char *out, double d, int precision);

#endif
