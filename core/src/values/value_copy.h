/* value_copy.h - deep copies of values into an arena, for values that must
 * outlive the buffer they were read from. */
#ifndef FCAT_VALUES_VALUE_COPY_H
#define FCAT_VALUES_VALUE_COPY_H

#include "util/arena.h"

#include "fcat.h"

/* The size of one array element of a scalar type in memory (fcat_bytes for
 * strings and bytes). */
size_t fcat__scalar_stride(fcat_scalar scalar);

/* Copies a value, its string bytes and array items into `a` (strings
 * NUL-terminated). Returns 0 or FCAT_ENOMEM. */
int fcat__value_copy(fcat__arena *a, fcat_value *dst, const fcat_value *src);

/* Copies a value into one malloc'd block laid out as fcat_value_clear frees
 * it: a string's bytes, or an array's items followed by the bytes of its
 * strings (each NUL-terminated). Returns 0 or FCAT_ENOMEM (dst is then
 * null). */
int fcat__value_copy_heap(fcat_value *dst, const fcat_value *src);

#endif
