/* fault_alloc.h - included first in every file of libfcat in FCAT_FAULT
 * builds (the compiler's -include): the allocation functions become ones
 * that fail when fault.h's armed fault says so. Nothing else changes:
 * free() is free(), and a function's name without a call is the real one. */
#ifndef FCAT_FAULT_FAULT_ALLOC_H
#define FCAT_FAULT_FAULT_ALLOC_H

#include <stdlib.h>
#include <string.h>

void *fcat__fault_malloc(size_t n);
void *fcat__fault_calloc(size_t n, size_t size);
void *fcat__fault_realloc(void *p, size_t n);
char *fcat__fault_strdup(const char *s);
char *fcat__fault_strndup(const char *s, size_t n);

#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef strndup
#define malloc(n)       fcat__fault_malloc(n)
#define calloc(n, size) fcat__fault_calloc(n, size)
#define realloc(p, n)   fcat__fault_realloc(p, n)
#define strdup(s)       fcat__fault_strdup(s)
#define strndup(s, n)   fcat__fault_strndup(s, n)

#endif
