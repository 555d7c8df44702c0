/* decimal_digits.h - the significant decimal digits of a double, exactly
 * as printf rounds them, for the text forms of reals (JSON, CSV). */
#ifndef FCAT_VALUES_DECIMAL_DIGITS_H
#define FCAT_VALUES_DECIMAL_DIGITS_H

#include <stdbool.h>
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

/* The digits laid out as printf's %g lays them out (json false: "1e+20",
 * "0.0001", "12") or as JSON's reals (json true: "1e20", "12.0"), with a
 * '-' first when `negative`; returns the length. out holds at least
 * FCAT__G_TEXT_MAX bytes. */
#define FCAT__G_TEXT_MAX 32
size_t fcat__digits_text(char *out, const fcat__digits *g, bool negative, bool json);

/* printf("%.*g", precision, d) for finite d, byte for byte. */
size_t fcat__g_text(char *out, double d, int precision);

#endif
