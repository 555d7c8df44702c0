/* set_access.c - the policy check of an online read, per call: may this
 * principal read every feature of the set? The first allowed read of a
 * principal decides feature by feature (each decision audited under that
 * principal) and the set remembers the principal, so later reads by it cost
 * a few compares and no policy evaluation. The store's policies never
 * change while it is open, so a remembered grant never goes stale. */
#include "serve/feature_set.h"
#include "store/access.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static bool remembered(const fcat_feature_set *set, const char *who, size_t len)
{
	for (size_t i = 0; i < FCAT__SET_GRANTS; i++) {
		const fcat__set_grant *g = atomic_load_explicit(
		    &((fcat_feature_set *)set)->grants[i], memory_order_acquire);
		if (!g)
			return false;
		if (g->len == len && memcmp(g->name, who, len) == 0)
			return true;
	}
	return false;
}

/* Publishes an allowed principal in the first free slot; when all are
 * taken, later principals are decided on every read (still correct). */
static void remember(const fcat_feature_set *set, const char *who, size_t len)
{
	fcat__set_grant *g = malloc(sizeof *g + len + 1);
	if (!g)
		return;
	g->len = len;
	memcpy(g->name, who, len + 1);
	for (size_t i = 0; i < FCAT__SET_GRANTS; i++) {
		fcat__set_grant *expected = NULL;
		if (atomic_compare_exchange_strong(&((fcat_feature_set *)set)->grants[i], &expected,
		                                   g))
			return;
	}
	free(g);
}

static int decide(const fcat_feature_set *set, const fcat_store *store, const char *who)
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

int fcat__set_authorize(const fcat_feature_set *set, const fcat_store *store, const char *who)
{
	size_t len = strlen(who);
	if (remembered(set, who, len))
		return 0;
	int rc = decide(set, store, who);
	if (rc == 0)
		remember(set, who, len);
	return rc;
}

void fcat__set_grants_free(fcat_feature_set *set)
{
	for (size_t i = 0; i < FCAT__SET_GRANTS; i++)
		free(atomic_load_explicit(&set->grants[i], memory_order_relaxed));
}
