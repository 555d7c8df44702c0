/* grow.h - room in a growable array: for one more item at its end, or for
 * n items. */
#ifndef FCAT_UTIL_GROW_H
#define FCAT_UTIL_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* `itemsp` is the address of the array's pointer (T **), `size` is sizeof
 * (T). When `len` has reached *cap, doubles the array (to `first` items when
 * it has none) and updates *cap. False, the array left as it was, when
 * memory runs out; it sets no error. */
bool fcat__grow(void *itemsp, size_t *cap, size_t len, size_t size, size_t first);

/* Resizes the array at `itemsp` (T **) to `n` items of `size` bytes. False,
 * the array left as it was, when memory runs out; it sets no error. */
bool fcat__resize(void *itemsp, size_t n, size_t size);

#endif
