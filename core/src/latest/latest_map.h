/* latest_map.h - per entity key, the latest row seen so far (by event time,
 * then created time): what materialize writes. */
#ifndef FCAT_LATEST_LATEST_MAP_H
#define FCAT_LATEST_LATEST_MAP_H

#include "util/arena.h"

#include <stddef.h>
#include <stdint.h>

/* Keys up to this long live inside the entry: one cache miss less. */
#define FCAT_LATEST_INLINE_KEY 32

typedef struct fcat__latest {
	int64_t event_ts, created_ts;
	uint32_t key_len, row_len, row_cap;
	unsigned char *row;
	unsigned char *key; /* = inline_key for short keys */
	unsigned char inline_key[FCAT_LATEST_INLINE_KEY];
} fcat__latest;

/* A slot keeps the hash beside the entry's index, so a probe that does not
 * match never touches the entry (one cache miss per lookup, not two). */
typedef struct fcat__latest_slot {
	uint64_t hash;
	size_t index; /* entry + 1; 0 when empty */
} fcat__latest_slot;

typedef struct fcat__latest_map {
	fcat__arena arena; /* keys and rows */
	fcat__latest_slot *slots;
	size_t cap;
	fcat__latest *entries; /* in insertion order */
	size_t len, entries_cap;
} fcat__latest_map;

void fcat__latest_map_init(fcat__latest_map *m);
void fcat__latest_map_free(fcat__latest_map *m);

uint64_t fcat__latest_hash(const void *key, size_t len);

/* Asks the CPU to fetch the slot of a hash ahead of a lookup; the second
 * form, called later, fetches the entry the slot points to. */
void fcat__latest_map_prefetch(const fcat__latest_map *m, uint64_t hash);
void fcat__latest_map_prefetch_entry(const fcat__latest_map *m, uint64_t hash);

/* Finds the entry of a key, creating an empty one (event_ts INT64_MIN) when
 * there is none. The pointer is valid until the next call. NULL when out of
 * memory. */
fcat__latest *fcat__latest_map_get(fcat__latest_map *m, const void *key, size_t len, uint64_t hash);

/* Stores a row in an entry, reusing its memory when it fits. */
int fcat__latest_set_row(fcat__latest_map *m, fcat__latest *e, const void *row, size_t len);

/* The entries in key-byte order (the order LMDB and B-trees store them
 * in), as an array the caller frees. NULL when out of memory. */
fcat__latest **fcat__latest_map_sorted(const fcat__latest_map *m);

#endif
