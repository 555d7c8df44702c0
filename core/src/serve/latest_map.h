/* latest_map.h - per entity key, the latest row seen so far (by event time,
 * then created time): what materialize writes. */
#ifndef FCAT_SERVE_LATEST_MAP_H
#define FCAT_SERVE_LATEST_MAP_H

#include "util/arena.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fcat__latest {
	uint64_t hash;
	int64_t event_ts, created_ts;
	uint32_t key_len, row_len, row_cap;
	unsigned char *key, *row;
} fcat__latest;

typedef struct fcat__latest_map {
	fcat__arena arena;
	fcat__latest **slots;
	size_t cap, len;
} fcat__latest_map;

void fcat__latest_map_init(fcat__latest_map *m);
void fcat__latest_map_free(fcat__latest_map *m);

/* Finds the entry of a key, creating an empty one (event_ts INT64_MIN) when
 * there is none. NULL when out of memory. */
fcat__latest *fcat__latest_map_get(fcat__latest_map *m, const void *key, size_t len);

/* Stores a row in an entry, reusing its memory when it fits. */
int fcat__latest_set_row(fcat__latest_map *m, fcat__latest *e, const void *row, size_t len);

#endif
