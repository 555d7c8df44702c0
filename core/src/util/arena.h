/* arena.h - a bump allocator for objects that live and die together. */
#ifndef FCAT_UTIL_ARENA_H
#define FCAT_UTIL_ARENA_H

#include <stddef.h>

typedef struct fcat__arena_block fcat__arena_block;
typedef struct fcat__arena {
	fcat__arena_block *head;
	size_t block_size;
} fcat__arena;

void fcat__arena_init(fcat__arena *a, size_t block_size);
void fcat__arena_release(fcat__arena *a);
/* Forgets every allocation but keeps the newest block for reuse. */
void fcat__arena_reset(fcat__arena *a);
/* Zeroed, 16-byte aligned memory; NULL when out of memory. */
void *fcat__arena_alloc(fcat__arena *a, size_t size);
/* 16-byte aligned memory that is not zeroed, for what is overwritten at
 * once. */
void *fcat__arena_alloc_uninit(fcat__arena *a, size_t size);
/* A NUL-terminated copy; NULL in -> NULL out. */
char *fcat__arena_strdup(fcat__arena *a, const char *s);
char *fcat__arena_strndup(fcat__arena *a, const char *s, size_t n);

#endif
