/* generation.c - generations of the served catalog: a store and its set
 * cache, published whole and freed by whoever drops the last reference. */
#include "generation.h"

#include <stdlib.h>

int srv_gen_new(srv_gen **out, fcat_store *store)
{
	*out = NULL;
	srv_gen *g = calloc(1, sizeof *g);
	if (!g || srv_sets_new(&g->sets, 1024) != 0) {
		free(g);
		fcat_store_free(store);
		return -1;
	}
	atomic_init(&g->refs, 1);
	g->store = store;
	*out = g;
	return 0;
}

void srv_gen_release(srv_gen *g)
{
	if (!g || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	srv_sets_free(g->sets);
	fcat_store_free(g->store);
	free(g);
}

void srv_gens_init(srv_gens *gens, srv_gen *first)
{
	pthread_mutex_init(&gens->lock, NULL);
	gens->current = first;
}

/* Under the lock: the publisher cannot drop current's last reference
 * between our read of the pointer and our increment. */
srv_gen *srv_gens_acquire(srv_gens *gens)
{
	pthread_mutex_lock(&gens->lock);
	srv_gen *g = gens->current;
	atomic_fetch_add(&g->refs, 1);
	pthread_mutex_unlock(&gens->lock);
	return g;
}

void srv_gens_publish(srv_gens *gens, srv_gen *next)
{
	pthread_mutex_lock(&gens->lock);
	srv_gen *old = gens->current;
	gens->current = next;
	pthread_mutex_unlock(&gens->lock);
	srv_gen_release(old);
}

void srv_gens_destroy(srv_gens *gens)
{
	srv_gen_release(gens->current);
	gens->current = NULL;
	pthread_mutex_destroy(&gens->lock);
}
