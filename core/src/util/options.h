/* options.h - taking a caller's options struct that opens with its own
 * size: fields the caller's build did not know keep their defaults. */
#ifndef FCAT_UTIL_OPTIONS_H
#define FCAT_UTIL_OPTIONS_H

#include <stddef.h>

/* Copies *src (whose first member is `size_t size`) over the defaults in
 * *dst (dst_size bytes). src NULL keeps the defaults. A size below `min`
 * (the first version's) or above dst_size (a newer library's) is
 * FCAT_EUSAGE naming `what`. */
int fcat__options_take(void *dst, size_t dst_size, const void *src, size_t min, const char *what);

#endif
