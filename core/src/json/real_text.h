/* real_text.h - a double's JSON text, byte for byte what jansson writes. */
#ifndef FCAT_JSON_REAL_TEXT_H
#define FCAT_JSON_REAL_TEXT_H

#include <stddef.h>

/* The longest text with its NUL: "-d.dddddddddddddddde-308". */
#define FCAT__JSON_REAL_TEXT_MAX 32

/* Writes finite `d` as jansson's json_dumps does with its default precision
 * (17 significant digits as printf's %.17g; "1.0" for a whole number; "1e20",
 * "1e-5" for exponents) and returns the length. NaN and infinities have no
 * JSON form: the caller refuses them first. */
size_t fcat__json_real_text(char out[FCAT__JSON_REAL_TEXT_MAX], double d);

#endif
