/* set_cache.h - feature sets resolved once and reused across requests,
 * keyed by the exact feature list or service a request names. */
#ifndef FCAT_SERVER_SET_CACHE_H
#define FCAT_SERVER_SET_CACHE_H

#include "fcat.h"

typedef struct srv_sets srv_sets;

/* A cache of at most `capacity` sets. Returns 0 or -1 (no memory). */
int srv_sets_new(srv_sets **out, size_t capacity);

/* Frees the cache and its sets; before the store they came from. */
void srv_sets_free(srv_sets *cache);

/* The feature set of a parsed request: its service's, or that of its
 * exact list of references. A cached set is shared, *owned NULL; when the
 * cache is full a new set is given in *owned as well, for the caller to
 * free. Returns 0 or the error of fcat_feature_set_new /
 * fcat_feature_set_for_service (nothing cached then). */
int srv_sets_get(const fcat_feature_set **out, fcat_feature_set **owned, srv_sets *cache,
                 const fcat_store *store, const fcat_json_online_request *request);

#endif
