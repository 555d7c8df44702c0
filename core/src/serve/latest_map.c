/* latest_map.c - per entity key, the latest row seen so far (by event time,
 * then created time): an open-addressing table over arena-held entries. */
#include "serve/latest_map.h"

#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

void fcat__latest_map_init(fcat__latest_map *m)
{
	memset(m, 0, sizeof *m);
	fcat__arena_init(&m->arena, 1 << 20);
}

void fcat__latest_map_free(fcat__latest_map *m)
{
	fcat__arena_release(&m->arena);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static int grow(fcat__latest_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	fcat__latest **slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		fcat__latest *e = m->slots[i];
		if (!e)
			continue;
		size_t j = e->hash & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = e;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

fcat__latest *fcat__latest_map_get(fcat__latest_map *m, const void *key, size_t len)
{
	if ((m->len + 1) * 10 > m->cap * 7 && grow(m) < 0)
		return NULL;
	uint64_t h = fcat__hash_bytes(key, len);
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		fcat__latest *e = m->slots[i];
		if (!e) {
			e = fcat__arena_alloc(&m->arena, sizeof *e + len);
			if (!e)
				return NULL;
			e->hash = h;
			e->event_ts = INT64_MIN;
			e->created_ts = INT64_MIN;
			e->key = (unsigned char *)(e + 1);
			e->key_len = (uint32_t)len;
			memcpy(e->key, key, len);
			m->slots[i] = e;
			m->len++;
			return e;
		}
		if (e->hash == h && e->key_len == len && memcmp(e->key, key, len) == 0)
			return e;
	}
}

int fcat__latest_set_row(fcat__latest_map *m, fcat__latest *e, const void *row, size_t len)
{
	if (len > e->row_cap) {
		unsigned char *p = fcat__arena_alloc(&m->arena, len);
		if (!p)
			return -1;
		e->row = p;
		e->row_cap = (uint32_t)len;
	}
	memcpy(e->row, row, len);
	e->row_len = (uint32_t)len;
	return 0;
}
