/* strmap.c - an open-addressing hash map from strings to pointers. */
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t fcat__hash_bytes(const void *data, size_t len)
{
	/* FNV-1a, 64 bit, with a final avalanche */
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void fcat__strmap_free(fcat__strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

static fcat__strmap_slot *find(const fcat__strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		fcat__strmap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
	}
}

void *fcat__strmap_get(const fcat__strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	fcat__strmap_slot *s = find(m, key, fcat__hash_bytes(key, strlen(key)));
	return s->key ? s->value : NULL;
}

static int grow(fcat__strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	fcat__strmap_slot *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = calloc(cap, sizeof *m->slots);
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
	return 0;
}

int fcat__strmap_put(fcat__strmap *m, const char *key, void *value, void **existing)
{
	if ((m->len + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -1;
	uint64_t h = fcat__hash_bytes(key, strlen(key));
	fcat__strmap_slot *s = find(m, key, h);
	if (s->key) {
		if (existing)
			*existing = s->value;
		return 1;
	}
	s->key = key;
	s->value = value;
	s->hash = h;
	m->len++;
	return 0;
}

int fcat__strmap_set(fcat__strmap *m, const char *key, void *value)
{
	if (!m->cap)
		return -1;
	fcat__strmap_slot *s = find(m, key, fcat__hash_bytes(key, strlen(key)));
	if (!s->key)
		return -1;
	s->value = value;
	return 0;
}
