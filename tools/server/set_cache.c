/* set_cache.c - feature sets resolved once and reused across requests: a
 * hash map from the request's exact references (or service) to the set,
 * under a read-write lock; sets themselves are safe to share for reads. */
#include "set_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 256

typedef struct entry {
	struct entry *next;
	uint64_t hash;
	char *key;
	size_t key_len;
	fcat_feature_set *set;
} entry;

struct srv_sets {
	pthread_rwlock_t lock;
	entry *buckets[NBUCKETS];
	size_t count, capacity;
};

int srv_sets_new(srv_sets **out, size_t capacity)
{
	srv_sets *c = calloc(1, sizeof *c);
	if (!c || pthread_rwlock_init(&c->lock, NULL) != 0) {
		free(c);
		return -1;
	}
	c->capacity = capacity;
	*out = c;
	return 0;
}

void srv_sets_free(srv_sets *c)
{
	if (!c)
		return;
	for (size_t b = 0; b < NBUCKETS; b++)
		for (entry *e = c->buckets[b], *next; e; e = next) {
			next = e->next;
			fcat_feature_set_free(e->set);
			free(e->key);
			free(e);
		}
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

/* The key: "s" and the service, or "f" and each reference as its length,
 * ':' and its bytes (so no two lists share a key). malloc'd. */
static char *make_key(size_t *len, const fcat_json_online_request *r)
{
	const char *service = fcat_json_online_request_service(r);
	size_t n = fcat_json_online_request_feature_count(r);
	const char *const *refs = fcat_json_online_request_features(r);
	size_t size = 2 + (service ? strlen(service) : 0);
	for (size_t i = 0; i < n; i++)
		size += strlen(refs[i]) + 24;
	char *key = malloc(size);
	if (!key)
		return NULL;
	size_t at = 0;
	if (service) {
		at = (size_t)snprintf(key, size, "s%s", service);
	} else {
		key[at++] = 'f';
		for (size_t i = 0; i < n; i++)
			at += (size_t)snprintf(key + at, size - at, "%zu:%s", strlen(refs[i]),
			                       refs[i]);
	}
	*len = at;
	return key;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static entry *find(srv_sets *c, uint64_t hash, const char *key, size_t len)
{
	for (entry *e = c->buckets[hash % NBUCKETS]; e; e = e->next)
		if (e->hash == hash && e->key_len == len && !memcmp(e->key, key, len))
			return e;
	return NULL;
}

static int build(fcat_feature_set **out, const fcat_store *store, const fcat_json_online_request *r)
{
	const char *service = fcat_json_online_request_service(r);
	if (service)
		return fcat_feature_set_for_service(out, store, service);
	return fcat_feature_set_new(out, store, fcat_json_online_request_features(r),
	                            fcat_json_online_request_feature_count(r));
}

int srv_sets_get(const fcat_feature_set **out, fcat_feature_set **owned, srv_sets *c,
                 const fcat_store *store, const fcat_json_online_request *r)
{
	*out = NULL;
	*owned = NULL;
	size_t len;
	char *key = make_key(&len, r);
	if (!key)
		return FCAT_ENOMEM;
	uint64_t hash = fnv1a(key, len);
	pthread_rwlock_rdlock(&c->lock);
	entry *e = find(c, hash, key, len);
	pthread_rwlock_unlock(&c->lock);
	if (e) {
		free(key);
		*out = e->set;
		return 0;
	}
	fcat_feature_set *set;
	int rc = build(&set, store, r);
	if (rc) {
		free(key);
		return rc;
	}
	pthread_rwlock_wrlock(&c->lock);
	if ((e = find(c, hash, key, len))) { /* another thread was faster */
		pthread_rwlock_unlock(&c->lock);
		fcat_feature_set_free(set);
		free(key);
		*out = e->set;
		return 0;
	}
	entry *n = c->count < c->capacity ? malloc(sizeof *n) : NULL;
	if (!n) {
		pthread_rwlock_unlock(&c->lock);
		free(key);
		*out = *owned = set;
		return 0;
	}
	*n = (entry){c->buckets[hash % NBUCKETS], hash, key, len, set};
	c->buckets[hash % NBUCKETS] = n;
	c->count++;
	pthread_rwlock_unlock(&c->lock);
	*out = set;
	return 0;
}
