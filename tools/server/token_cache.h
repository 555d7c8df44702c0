/* token_cache.h - tokens verified before, remembered with their claims, so
 * a client that sends the same bearer token on every request (as clients
 * do) costs a lookup instead of a signature check and a JSON parse. A hit
 * still checks the token's times; the cache belongs to the keys that
 * verified its tokens and goes with them. */
#ifndef FSRV_TOKEN_CACHE_H
#define FSRV_TOKEN_CACHE_H

#include "jwt.h"

#include <stdbool.h>

typedef struct fsrv_token_cache fsrv_token_cache;

/* A new, empty cache; NULL when out of memory (the keys then verify every
 * token in full). */
fsrv_token_cache *fsrv_token_cache_new(void);

/* Frees the cache and what it holds; accepts NULL. */
void fsrv_token_cache_free(fsrv_token_cache *c);

/* Looks the token up: true with a copy of its claims in *out (free them
 * with fsrv_jwt_claims_free) when it was verified before and its times
 * still hold at `now`; false (and *out zeroed) otherwise, or when a copy
 * cannot be made. Safe from any thread. */
bool fsrv_token_cache_get(fsrv_token_cache *c, const char *token, size_t len, int64_t now,
                          fsrv_jwt_claims *out);

/* Remembers a verified token and its claims (copied), replacing whatever
 * held its slot; does nothing when out of memory. Safe from any thread. */
void fsrv_token_cache_put(fsrv_token_cache *c, const char *token, size_t len,
                          const fsrv_jwt_claims *claims);

#endif
