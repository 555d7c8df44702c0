/* generation.h - what one version of the served catalog needs: the store
 * and its feature set cache, counted by the requests that use it, so a
 * reload publishes a new one while requests in flight finish on theirs. */
#ifndef FCAT_SERVER_GENERATION_H
#define FCAT_SERVER_GENERATION_H

#include "fcat.h"
#include "set_cache.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct srv_gen {
	atomic_uint refs; /* the publisher's (while current) + one per request */
	fcat_store *store;
	srv_sets *sets; /* sets borrow from store: freed before it */
} srv_gen;

/* The generation requests begin on: the current one, replaced whole. */
typedef struct srv_gens {
	pthread_mutex_t lock; /* held only to take a reference to current */
	srv_gen *current;
} srv_gens;

/* A generation over `store`, taken over (freed with the generation, also
 * on failure), with an empty set cache; one reference (the publisher's).
 * Returns 0 or -1 (no memory). */
int srv_gen_new(srv_gen **out, fcat_store *store);

/* Drops a reference; the last frees the sets, then the store. NULL is a
 * no-op. */
void srv_gen_release(srv_gen *g);

void srv_gens_init(srv_gens *gens, srv_gen *first);

/* A reference to the current generation, for one request. */
srv_gen *srv_gens_acquire(srv_gens *gens);

/* Makes `next` current (the publisher's reference moves in) and drops the
 * publisher's reference to the one it replaces: that one is freed when
 * its last request completes. */
void srv_gens_publish(srv_gens *gens, srv_gen *next);

/* Drops the current generation (at stop, after the last request). */
void srv_gens_destroy(srv_gens *gens);

#endif
