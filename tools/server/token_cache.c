/* token_cache.c - verified tokens by their bytes: 1024 slots chosen by a
 * hash of the token, each under its own lock, holding the whole token (a
 * hit compares every byte: a hash match alone is never trusted) and a copy
 * of its claims. A token whose slot is taken by another replaces it. */
#include "token_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024

typedef struct slot {
	pthread_mutex_t lock;
	char *token; /* NULL: empty */
	size_t len;
	fsrv_jwt_claims claims;
} slot;

struct fsrv_token_cache {
	slot slots[SLOTS];
};

static uint64_t hash_token(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

fsrv_token_cache *fsrv_token_cache_new(void)
{
	fsrv_token_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	for (size_t i = 0; i < SLOTS; i++)
		pthread_mutex_init(&c->slots[i].lock, NULL);
	return c;
}

void fsrv_token_cache_free(fsrv_token_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		free(c->slots[i].token);
		fsrv_jwt_claims_free(&c->slots[i].claims);
		pthread_mutex_destroy(&c->slots[i].lock);
	}
	free(c);
}

/* A deep copy of claims into *out; false (and *out zeroed) when out of
 * memory. */
static bool copy_claims(fsrv_jwt_claims *out, const fsrv_jwt_claims *in)
{
	*out = *in;
	out->sub = strdup(in->sub);
	out->groups = NULL;
	out->ngroups = 0;
	if (!out->sub)
		goto oom;
	if (in->ngroups) {
		if (!(out->groups = calloc(in->ngroups, sizeof *out->groups)))
			goto oom;
		for (; out->ngroups < in->ngroups; out->ngroups++)
			if (!(out->groups[out->ngroups] = strdup(in->groups[out->ngroups])))
				goto oom;
	}
	return true;
oom:
	fsrv_jwt_claims_free(out);
	return false;
}

bool fsrv_token_cache_get(fsrv_token_cache *c, const char *token, size_t len, int64_t now,
                          fsrv_jwt_claims *out)
{
	memset(out, 0, sizeof *out);
	if (!c)
		return false;
	slot *s = &c->slots[hash_token(token, len) % SLOTS];
	bool hit = false;
	pthread_mutex_lock(&s->lock);
	if (s->token && s->len == len && memcmp(s->token, token, len) == 0 &&
	    fsrv_jwt_in_time(&s->claims, now))
		hit = copy_claims(out, &s->claims);
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void fsrv_token_cache_put(fsrv_token_cache *c, const char *token, size_t len,
                          const fsrv_jwt_claims *claims)
{
	if (!c)
		return;
	char *copy = malloc(len ? len : 1);
	fsrv_jwt_claims held;
	if (!copy || !copy_claims(&held, claims)) {
		free(copy);
		return;
	}
	memcpy(copy, token, len);
	slot *s = &c->slots[hash_token(token, len) % SLOTS];
	pthread_mutex_lock(&s->lock);
	char *old = s->token;
	fsrv_jwt_claims old_claims = s->claims;
	s->token = copy;
	s->len = len;
	s->claims = held;
	pthread_mutex_unlock(&s->lock);
	free(old);
	fsrv_jwt_claims_free(&old_claims);
}
