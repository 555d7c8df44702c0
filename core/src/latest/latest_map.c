/* latest_map.c - the latest-row engine's per-key state: per entity key, the
 * latest row seen so far, in an open-addressing table of (hash, index) slots
 * over a compact array of entries whose keys and rows live in an arena. */
#include "latest/latest.h"

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
	free(m->entries);
	memset(m, 0, sizeof *m);
}

static int grow(fcat__latest_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 4096;
	fcat__latest_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].index)
			continue;
		size_t j = m->slots[i].hash & (cap - 1);
		while (slots[j].index)
			j = (j + 1) & (cap - 1);
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

void fcat__latest_map_prefetch(const fcat__latest_map *m, uint64_t hash)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[hash & (m->cap - 1)]);
}

void fcat__latest_map_prefetch_entry(const fcat__latest_map *m, uint64_t hash)
{
	if (!m->cap)
		return;
	const fcat__latest_slot *s = &m->slots[hash & (m->cap - 1)];
	if (s->index && s->hash == hash)
		__builtin_prefetch(&m->entries[s->index - 1]);
}

void fcat__latest_map_prefetch_row(const fcat__latest_map *m, uint64_t hash)
{
	if (!m->cap)
		return;
	const fcat__latest_slot *s = &m->slots[hash & (m->cap - 1)];
	if (!s->index || s->hash != hash)
		return;
	const fcat__latest *e = &m->entries[s->index - 1];
	/* for writing: a newer row is copied over it */
	for (uint32_t at = 0; e->row && at < e->row_cap && at < 256; at += 64)
		__builtin_prefetch(e->row + at, 1);
}

fcat__latest *fcat__latest_map_get(fcat__latest_map *m, const void *key, size_t len, uint64_t h)
{
	if ((m->len + 1) * 10 > m->cap * 7 && grow(m) < 0)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		fcat__latest_slot *s = &m->slots[i];
		if (s->index) {
			fcat__latest *e = &m->entries[s->index - 1];
			if (s->hash == h && e->key_len == len &&
			    memcmp(fcat__latest_key(e), key, len) == 0)
				return e;
			continue;
		}
		if (m->len == m->entries_cap) {
			size_t cap = m->entries_cap ? m->entries_cap * 2 : 4096;
			fcat__latest *p = realloc(m->entries, cap * sizeof *p);
			if (!p)
				return NULL;
			m->entries = p;
			m->entries_cap = cap;
		}
		fcat__latest *e = &m->entries[m->len];
		*e = (fcat__latest){
		    .event_ts = INT64_MIN, .created_ts = INT64_MIN, .key_len = (uint32_t)len};
		e->key =
		    len <= FCAT_LATEST_INLINE_KEY ? NULL : fcat__arena_alloc_uninit(&m->arena, len);
		if (len > FCAT_LATEST_INLINE_KEY && !e->key)
			return NULL;
		memcpy(e->key ? e->key : e->inline_key, key, len);
		m->len++;
		s->hash = h;
		s->index = m->len;
		return e;
	}
}

int fcat__latest_set_row(fcat__latest_map *m, fcat__latest *e, const void *row, size_t len)
{
	if (len > e->row_cap) {
		unsigned char *p = fcat__arena_alloc_uninit(&m->arena, len);
		if (!p)
			return -1;
		e->row = p;
		e->row_cap = (uint32_t)len;
	}
	memcpy(e->row, row, len);
	e->row_len = (uint32_t)len;
	return 0;
}

static int by_key(const void *pa, const void *pb)
{
	const fcat__latest *a = *(fcat__latest *const *)pa, *b = *(fcat__latest *const *)pb;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(fcat__latest_key(a), fcat__latest_key(b), n);
	return c ? c : (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

fcat__latest **fcat__latest_map_sorted(const fcat__latest_map *m)
{
	fcat__latest **v = malloc((m->len + 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < m->len; i++)
		v[i] = &m->entries[i];
	if (m->len > 1)
		qsort(v, m->len, sizeof *v, by_key);
	return v;
}

int fcat__latest_map_merge(fcat__latest_map *into, const fcat__latest_map *from)
{
	for (size_t i = 0; i < from->len; i++) {
		const fcat__latest *src = &from->entries[i];
		const unsigned char *key = fcat__latest_key(src);
		fcat__latest *e = fcat__latest_map_get(into, key, src->key_len,
		                                       fcat__latest_hash(key, src->key_len));
		if (!e)
			return -1;
		if (src->row && fcat__latest_fold_row(e, src->event_ts, src->created_ts) &&
		    fcat__latest_set_row(into, e, src->row, src->row_len))
			return -1;
	}
	return 0;
}
