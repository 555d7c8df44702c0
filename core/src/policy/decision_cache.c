/* decision_cache.c - a policy set's decision cache: (principal, action, resource,
 * tags) -> decision, in lock-striped hash tables shared by every thread.
 * The set is immutable, so an entry never goes stale; a full stripe is
 * simply emptied. */
#include "policy/policy.h"
#include "util/error.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STRIPES      16   /* a power of two */
#define STRIPE_SLOTS 4096 /* a power of two */
#define STRIPE_MAX   (STRIPE_SLOTS / 4 * 3)
#define KEY_MAX      1024 /* longer requests bypass the cache */

typedef struct entry {
	uint64_t hash;
	char *key; /* NULL: a free slot */
	size_t len;
	const fcat__policy_rule *deciding;
	int allowed;
} entry;

typedef struct stripe {
	_Alignas(64) pthread_mutex_t mu;
	entry *slots; /* allocated on first use */
	size_t len;
	size_t hits, misses;
} stripe;

struct fcat__policy_cache {
	stripe stripes[STRIPES];
};

struct fcat__policy_cache *fcat__policy_cache_new(void)
{
	size_t size = (sizeof(struct fcat__policy_cache) + 63) / 64 * 64;
	struct fcat__policy_cache *c = aligned_alloc(64, size);
	if (!c)
		return NULL;
	memset(c, 0, size);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->stripes[i].mu, NULL);
	return c;
}

static void empty(stripe *s)
{
	for (size_t i = 0; s->slots && i < STRIPE_SLOTS; i++) {
		free(s->slots[i].key);
		s->slots[i] = (entry){0};
	}
	s->len = 0;
}

void fcat__policy_cache_free(struct fcat__policy_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < STRIPES; i++) {
		empty(&c->stripes[i]);
		free(c->stripes[i].slots);
		pthread_mutex_destroy(&c->stripes[i].mu);
	}
	free(c);
}

static stripe *stripe_of(struct fcat__policy_cache *c, uint64_t hash)
{
	return &c->stripes[hash >> 60 & (STRIPES - 1)];
}

/* The slot holding the key, or the free slot where it would go. */
static entry *find(stripe *s, uint64_t hash, const char *key, size_t len)
{
	size_t i = hash & (STRIPE_SLOTS - 1);
	for (;;) {
		entry *e = &s->slots[i];
		if (!e->key || (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0))
			return e;
		i = (i + 1) & (STRIPE_SLOTS - 1);
	}
}

int fcat__policy_cache_get(struct fcat__policy_cache *c, uint64_t hash, const char *key, size_t len,
                           const fcat__policy_rule **deciding)
{
	stripe *s = stripe_of(c, hash);
	int got = -1;
	pthread_mutex_lock(&s->mu);
	if (s->slots) {
		const entry *e = find(s, hash, key, len);
		if (e->key) {
			got = e->allowed;
			if (deciding)
				*deciding = e->deciding;
		}
	}
	if (got < 0)
		s->misses++;
	else
		s->hits++;
	pthread_mutex_unlock(&s->mu);
	return got;
}

void fcat__policy_cache_put(struct fcat__policy_cache *c, uint64_t hash, const char *key,
                            size_t len, int allowed, const fcat__policy_rule *deciding)
{
	stripe *s = stripe_of(c, hash);
	pthread_mutex_lock(&s->mu);
	if (!s->slots)
		s->slots = calloc(STRIPE_SLOTS, sizeof *s->slots);
	if (s->slots) {
		if (s->len >= STRIPE_MAX)
			empty(s);
		entry *e = find(s, hash, key, len);
		if (!e->key && (e->key = malloc(len ? len : 1)) != NULL) {
			memcpy(e->key, key, len);
			e->hash = hash;
			e->len = len;
			s->len++;
		}
		if (e->key) {
			e->allowed = allowed;
			e->deciding = deciding;
		}
	}
	pthread_mutex_unlock(&s->mu);
}

void fcat__policy_cache_stats(struct fcat__policy_cache *c, size_t *hits, size_t *misses)
{
	size_t h = 0, m = 0;
	for (int i = 0; i < STRIPES; i++) {
		pthread_mutex_lock(&c->stripes[i].mu);
		h += c->stripes[i].hits;
		m += c->stripes[i].misses;
		pthread_mutex_unlock(&c->stripes[i].mu);
	}
	if (hits)
		*hits = h;
	if (misses)
		*misses = m;
}

static bool put_str(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	if (*len + n > KEY_MAX)
		return false;
	memcpy(buf + *len, s ? s : "", n);
	*len += n;
	return true;
}

/* The key: the action, then each string with its NUL, so that no two
 * requests share a key. */
static bool make_key(char *buf, size_t *len, const fcat__caller *who, fcat__policy_action action,
                     const char *resource, const fcat__tag *tags, size_t ntags)
{
	buf[0] = (char)action;
	*len = 1;
	/* the count of groups keeps a name apart from a name and its groups */
	bool ok = put_str(buf, len, who->name) && *len + 1 < KEY_MAX;
	buf[(*len)++] = (char)(who->ngroups < 255 ? who->ngroups : 255);
	for (size_t g = 0; ok && g < who->ngroups; g++)
		ok = put_str(buf, len, who->groups[g]);
	ok = ok && who->ngroups < 255 && put_str(buf, len, resource);
	for (size_t i = 0; ok && i < ntags; i++)
		ok = put_str(buf, len, tags[i].key) && put_str(buf, len, tags[i].value);
	return ok;
}

int fcat__policy_allowed(const fcat__policy *p, const fcat__caller *who, fcat__policy_action action,
                         const char *resource, const fcat__tag *tags, size_t ntags,
                         const fcat__policy_rule **deciding)
{
	char key[KEY_MAX];
	size_t len;
	if (!p || !who || !who->name || (who->ngroups && !who->groups) || !resource ||
	    (ntags && !tags) || (unsigned)action >= FCAT__PA_COUNT ||
	    !make_key(key, &len, who, action, resource, tags, ntags))
		return fcat__policy_eval(p, who, action, resource, tags, ntags, deciding);
	uint64_t h = fcat__hash_bytes(key, len);
	int got = fcat__policy_cache_get(p->cache, h, key, len, deciding);
	if (got >= 0)
		return got;
	const fcat__policy_rule *rule = NULL;
	got = fcat__policy_eval(p, who, action, resource, tags, ntags, &rule);
	if (got >= 0)
		fcat__policy_cache_put(p->cache, h, key, len, got, rule);
	if (deciding)
		*deciding = rule;
	return got;
}
