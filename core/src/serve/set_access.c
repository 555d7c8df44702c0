/* set_access.c - the policy check of an online read, per call: may this
 * caller (a principal, with the groups a token vouches for) read every
 * feature of the set? The first allowed read of a caller decides feature by
 * feature (each decision audited under it) and the set remembers the
 * caller, so later reads by it cost
 * a few compares and no policy evaluation. The store's policies never
 * change while it is open, so a remembered grant never goes stale. */
#include "serve/feature_set.h"
#include "store/access.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* The caller's key: its name and each group, NUL-terminated, in `buf`;
 * 0 when it does not fit (such a caller is decided on every read). */
static size_t caller_key(char *buf, size_t size, const fcat__caller *who)
{
	size_t len = 0;
	for (size_t i = 0; i <= who->ngroups; i++) {
		const char *s = i ? who->groups[i - 1] : who->name;
		size_t n = strlen(s ? s : "") + 1;
		if (len + n > size)
			return 0;
		memcpy(buf + len, s ? s : "", n);
		len += n;
	}
	return len;
}

static bool remembered(const fcat_feature_set *set, const char *key, size_t len)
{
	for (size_t i = 0; i < FCAT__SET_GRANTS; i++) {
		const fcat__set_grant *g = atomic_load_explicit(
		    &((fcat_feature_set *)set)->grants[i], memory_order_acquire);
		if (!g)
			return false;
		if (g->len == len && memcmp(g->key, key, len) == 0)
			return true;
	}
	return false;
}

/* Publishes an allowed caller in the first free slot; when all are taken,
 * later callers are decided on every read (still correct). */
static void remember(const fcat_feature_set *set, const char *key, size_t len)
{
	fcat__set_grant *g = malloc(sizeof *g + len);
	if (!g)
		return;
	g->len = len;
	memcpy(g->key, key, len);
	for (size_t i = 0; i < FCAT__SET_GRANTS; i++) {
		fcat__set_grant *expected = NULL;
		if (atomic_compare_exchange_strong(&((fcat_feature_set *)set)->grants[i], &expected,
		                                   g))
			return;
	}
	free(g);
}

static int decide(const fcat_feature_set *set, const fcat_store *store, const fcat__caller *who)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < set->nfeatures; i++)
		rc = fcat__access_feature(store, who, FCAT__PA_READ_ONLINE, set->features[i],
		                          set->service);
	/* an on-demand view sees every feature of its sources: each must be
	 * readable too, or a transform could hand a denied value on */
	for (size_t o = 0; rc == 0 && o < set->nodvs; o++)
		for (size_t v = 0; rc == 0 && v < set->odvs[o].odv->nsources; v++) {
			const fcat__view *src = set->odvs[o].odv->sources[v];
			for (size_t f = 0; rc == 0 && f < src->nfeatures; f++)
				rc = fcat__access_feature(store, who, FCAT__PA_READ_ONLINE,
				                          &src->features[f], set->service);
		}
	return rc;
}

int fcat__set_authorize(const fcat_feature_set *set, const fcat_store *store,
                        const fcat__caller *who)
{
	char key[1024];
	size_t len = caller_key(key, sizeof key, who);
	if (len && remembered(set, key, len))
		return 0;
	int rc = decide(set, store, who);
	if (rc == 0 && len)
		remember(set, key, len);
	return rc;
}

void fcat__set_grants_free(fcat_feature_set *set)
{
	for (size_t i = 0; i < FCAT__SET_GRANTS; i++)
		free(atomic_load_explicit(&set->grants[i], memory_order_relaxed));
}
