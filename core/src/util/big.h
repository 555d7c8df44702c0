/* big.h - large arrays straight from the kernel, backed by huge pages where
 * the system allows (transparent huge pages in "madvise" mode): one page
 * fault per 2 MiB instead of per 4 KiB, which is most of the cost of
 * filling hundreds of megabytes once (the events of a training set). Small
 * arrays come from the C heap; the size given to each call says which. */
#ifndef FCAT_UTIL_BIG_H
#define FCAT_UTIL_BIG_H

#include <stddef.h>

/* The size from which arrays come from the kernel (below it, the heap). */
#define FCAT__BIG_MIN ((size_t)32 << 20)

/* `size` bytes, zeroed, or NULL (out of memory). */
void *fcat__big_alloc(size_t size);
/* Grows (or shrinks) p from old to size bytes, keeping its contents
 * (moving them when needed); NULL when out of memory, p then unchanged.
 * p may be NULL (old 0). */
void *fcat__big_realloc(void *p, size_t old, size_t size);
/* Frees p of `size` bytes (NULL is allowed). */
void fcat__big_free(void *p, size_t size);

#endif
