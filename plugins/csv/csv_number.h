/* csv_number.h - fast parsers for the common shapes of numbers and times.
 *
 * Each accepts only a strict, common subset of what host->value_parse reads
 * and yields bit-identical results for it; anything else returns NULL (or
 * false) so that the caller falls back to the host, which has the last word
 * on both the value and the error message.
 */
#ifndef FCAT_CSV_NUMBER_H
#define FCAT_CSV_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [+-]?[0-9]{1,max_digits} at p; returns the end, or NULL. max_digits <= 18. */
const char *csv_fast_int(int64_t *out, const char *p, const char *end, int max_digits);

/* A decimal [+-]?D*[.D*]([eE][+-]?D+)? whose value the double arithmetic
 * gives exactly as strtod does (Clinger's fast path); returns the end, or
 * NULL. */
const char *csv_fast_double(double *out, const char *p, const char *end);

/* "YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z", the whole text, as microseconds. */
bool csv_fast_timestamp(int64_t *out, const char *s, size_t n);

#endif
