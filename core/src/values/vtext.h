/* vtext.h - helpers shared by the value parsers and formatters. */
#ifndef FCAT_VALUES_VTEXT_H
#define FCAT_VALUES_VTEXT_H

#include <stddef.h>
#include <stdint.h>

/* strtod / strtof in the "C" locale, whatever the process locale is. */
double fcat__strtod_c(const char *s, char **end);
float fcat__strtof_c(const char *s, char **end);

/* snprintf in the "C" locale (for %g and friends). */
int fcat__snprintf_c(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Raises FCAT_EINVALID with `not a valid WHAT: "TEXT"` (the text cut to 64
 * bytes), followed by " (DETAIL)" when detail is not NULL. */
int fcat__value_invalid(const char *what, const char *text, size_t len, const char *detail);

/* Parses a timestamp like fcat_timestamp_parse without raising an error:
 * returns 0, or -1 with *why set to a static description. */
int fcat__timestamp_scan(int64_t *out, const char *text, size_t len, const char **why);

#endif
