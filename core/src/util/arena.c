/* arena.c - a bump allocator for objects that live and die together.
 * Blocks of FCAT__BIG_MIN or more (a training set's values) come from
 * big.c, on huge pages: hundreds of megabytes filled once fault in 2 MiB
 * at a time. */
#include "util/arena.h"

#include "util/big.h"

#include <stdlib.h>
#include <string.h>

struct fcat__arena_block {
	fcat__arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void fcat__arena_init(fcat__arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
}

static fcat__arena_block *block_alloc(size_t cap)
{
	size_t bytes = sizeof(fcat__arena_block) + cap;
	return bytes >= FCAT__BIG_MIN ? fcat__big_alloc(bytes) : malloc(bytes);
}

static void block_free(fcat__arena_block *b)
{
	fcat__big_free(b, sizeof *b + b->cap); /* free() below FCAT__BIG_MIN */
}

void fcat__arena_release(fcat__arena *a)
{
	fcat__arena_block *b = a->head;
	while (b) {
		fcat__arena_block *next = b->next;
		block_free(b);
		b = next;
	}
	a->head = NULL;
}

void fcat__arena_reset(fcat__arena *a)
{
	if (!a->head)
		return;
	fcat__arena_block *keep = a->head, *b = keep->next;
	while (b) {
		fcat__arena_block *next = b->next;
		block_free(b);
		b = next;
	}
	keep->next = NULL;
	keep->used = 0;
}

void *fcat__arena_alloc(fcat__arena *a, size_t size)
{
	void *p = fcat__arena_alloc_uninit(a, size);
	return p ? memset(p, 0, size) : NULL;
}

void *fcat__arena_alloc_uninit(fcat__arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (!size)
		size = 16;
	fcat__arena_block *b = a->head;
	if (!b || b->cap - b->used < size) {
		size_t cap = size > a->block_size ? size : a->block_size;
		b = block_alloc(cap); /* zeroed per allocation, not per block */
		if (!b)
			return NULL;
		b->used = 0;
		b->next = NULL;
		b->cap = cap;
		if (a->head && size > a->block_size) {
			/* keep filling the current block after a large one */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

char *fcat__arena_strndup(fcat__arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = fcat__arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *fcat__arena_strdup(fcat__arena *a, const char *s)
{
	return s ? fcat__arena_strndup(a, s, strlen(s)) : NULL;
}
