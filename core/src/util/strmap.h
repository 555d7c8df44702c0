/* strmap.h - an open-addressing hash map from strings to pointers. */
#ifndef FCAT_UTIL_STRMAP_H
#define FCAT_UTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct fcat__strmap_slot {
	const char *key; /* borrowed: must outlive the map */
	void *value;
	uint64_t hash;
} fcat__strmap_slot;

typedef struct fcat__strmap {
	fcat__strmap_slot *slots;
	size_t cap, len;
} fcat__strmap;

uint64_t fcat__hash_bytes(const void *data, size_t len);
void fcat__strmap_free(fcat__strmap *m);
/* Returns the value stored under key, or NULL. */
void *fcat__strmap_get(const fcat__strmap *m, const char *key);
/* Inserts key -> value. When the key exists, leaves the map unchanged and
 * stores the old value in *existing (if given). Returns -1 when out of
 * memory, 1 when the key existed, 0 when inserted. */
int fcat__strmap_put(fcat__strmap *m, const char *key, void *value, void **existing);

/* Replaces the value of an existing key; returns -1 when it is absent. */
int fcat__strmap_set(fcat__strmap *m, const char *key, void *value);

#endif
