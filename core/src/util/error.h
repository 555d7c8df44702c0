/* error.h - the thread-local last error behind fcat_error_last(). */
#ifndef FCAT_UTIL_ERROR_H
#define FCAT_UTIL_ERROR_H

#include "fcat.h"

/* Sets the thread's last error message (printf format) and returns `code`,
 * so a failure reads `return fcat__error(FCAT_EINVALID, "...", ...);`. */
int fcat__error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets the message to `msg` verbatim (it may hold several lines). */
int fcat__error_set(int code, const char *msg);

/* Prefixes the current message with "prefix: ". Returns `code`. */
int fcat__error_wrap(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The out-of-memory failure: a fixed message, no allocation. */
int fcat__error_oom(void);

void fcat__error_clear(void);

#endif
