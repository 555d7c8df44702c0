/* feature_set.c - resolving feature references and services into a list of
 * features to serve, grouped by the view that stores them. */
#include "serve/feature_set.h"

#include "store/store.h"

#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void fcat_feature_set_free(fcat_feature_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nviews; i++) {
		free(set->views[i].key_index);
		free(set->views[i].feature_out);
		free(set->views[i].types);
	}
	for (size_t i = 0; i < set->nodvs; i++) {
		free(set->odvs[i].views);
		free(set->odvs[i].request);
		free(set->odvs[i].feature_out);
		free(set->odvs[i].names);
	}
	free(set->odvs);
	free(set->requests);
	free(set->views);
	free(set->keys);
	free(set->features);
	free(set->service);
	fcat__set_grants_free(set);
	free(set);
}

/* The index of f's name in list[0, *n) (the set's join keys, or its request
 * fields), added at the end when new; the same name with another type is an
 * error naming `what`. */
static int add_by_name(const fcat__field **list, size_t *n, const fcat__field *f, const char *what,
                       size_t *index)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(list[i]->base.name, f->base.name) != 0)
			continue;
		if (!fcat_type_equal(list[i]->type, f->type))
			return fcat__error(
			    FCAT_EINVALID, "%s '%s' has two types in this request (%s and %s)",
			    what, f->base.name, fcat_scalar_name(list[i]->type.scalar),
			    fcat_scalar_name(f->type.scalar));
		*index = i;
		return 0;
	}
	*index = *n;
	list[(*n)++] = f;
	return 0;
}

/* The set's entry for a view, added (with its join keys) on first use. */
static int view_entry(fcat_feature_set *set, const fcat__view *v, fcat__set_view **out)
{
	for (size_t k = 0; k < set->nviews; k++)
		if (set->views[k].view == v) {
			*out = &set->views[k];
			return 0;
		}
	if (!v->online)
		return fcat__error(FCAT_EINVALID, "view '%s' is not online (online = false)",
		                   v->base.name);
	fcat__set_view *sv = &set->views[set->nviews++];
	sv->view = v;
	for (size_t e = 0; e < v->nentities; e++)
		sv->nkeys += v->entities[e]->nkeys;
	sv->key_index = calloc(sv->nkeys + 1, sizeof *sv->key_index);
	sv->feature_out = malloc((v->nfeatures + 1) * sizeof *sv->feature_out);
	sv->types = calloc(v->nfeatures + 1, sizeof *sv->types);
	if (!sv->key_index || !sv->feature_out || !sv->types)
		return fcat__error_oom();
	size_t k = 0;
	for (size_t e = 0; e < v->nentities; e++)
		for (size_t j = 0; j < v->entities[e]->nkeys; j++) {
			int rc = add_by_name(set->keys, &set->nkeys, &v->entities[e]->keys[j],
			                     "join key", &sv->key_index[k++]);
			if (rc)
				return rc;
		}
	for (size_t f = 0; f < v->nfeatures; f++) {
		sv->feature_out[f] = SIZE_MAX;
		sv->types[f] = v->features[f].type;
	}
	*out = sv;
	return 0;
}

/* The set's entry for an on-demand view, with its source views kept. */
static int odv_entry(fcat_feature_set *set, const fcat__odv *o, fcat__set_odv **out)
{
	for (size_t k = 0; k < set->nodvs; k++)
		if (set->odvs[k].odv == o) {
			*out = &set->odvs[k];
			return 0;
		}
	fcat__set_odv *so = &set->odvs[set->nodvs++];
	so->odv = o;
	size_t ninputs = o->nrequest;
	for (size_t i = 0; i < o->nsources; i++)
		ninputs += o->sources[i]->nfeatures;
	so->views = calloc(o->nsources + 1, sizeof *so->views);
	so->request = calloc(o->nrequest + 1, sizeof *so->request);
	so->feature_out = malloc((o->nfeatures + 1) * sizeof *so->feature_out);
	so->names = calloc(ninputs + 1, sizeof *so->names);
	if (!so->views || !so->request || !so->feature_out || !so->names)
		return fcat__error_oom();
	for (size_t i = 0; i < o->nsources; i++) {
		fcat__set_view *sv = NULL;
		int rc = view_entry(set, o->sources[i], &sv);
		if (rc)
			return fcat__error_wrap(rc, "on-demand view '%s'", o->base.name);
		sv->keep = true;
		so->views[i] = (size_t)(sv - set->views);
		for (size_t f = 0; f < o->sources[i]->nfeatures; f++)
			so->names[so->ninputs++] = o->sources[i]->features[f].base.name;
	}
	for (size_t q = 0; q < o->nrequest; q++) {
		int rc = add_by_name(set->requests, &set->nrequests, &o->request[q],
		                     "request field", &so->request[q]);
		if (rc)
			return rc;
		so->names[so->ninputs++] = o->request[q].base.name;
	}
	for (size_t f = 0; f < o->nfeatures; f++)
		so->feature_out[f] = SIZE_MAX;
	*out = so;
	return 0;
}

/* Groups the features by the view that stores or computes them, and
 * collects the join keys and request fields they need. */
static int build(fcat_feature_set *set)
{
	size_t maxviews = 0, maxkeys = 0, maxreq = 0;
	for (size_t i = 0; i < set->nfeatures; i++) {
		const fcat_object *parent = set->features[i]->parent;
		const fcat__view *one = (const fcat__view *)parent;
		const fcat__view *const *views = &one;
		size_t nviews = 1;
		if (parent->kind == FCAT_OBJ_ON_DEMAND_VIEW) {
			const fcat__odv *o = (const fcat__odv *)parent;
			views = (const fcat__view *const *)o->sources;
			nviews = o->nsources;
			maxreq += o->nrequest;
		}
		maxviews += nviews;
		for (size_t k = 0; k < nviews; k++)
			for (size_t e = 0; e < views[k]->nentities; e++)
				maxkeys += views[k]->entities[e]->nkeys;
	}
	set->views = calloc(maxviews + 1, sizeof *set->views);
	set->keys = calloc(maxkeys + 1, sizeof *set->keys);
	set->odvs = calloc(set->nfeatures + 1, sizeof *set->odvs);
	set->requests = calloc(maxreq + 1, sizeof *set->requests);
	if (!set->views || !set->keys || !set->odvs || !set->requests)
		return fcat__error_oom();
	for (size_t i = 0; i < set->nfeatures; i++) {
		const fcat__field *f = set->features[i];
		int rc;
		if (f->parent->kind == FCAT_OBJ_VIEW) {
			fcat__set_view *sv = NULL;
			if ((rc = view_entry(set, (const fcat__view *)f->parent, &sv)))
				return fcat__error_wrap(rc, "feature '%s'", f->qualified);
			sv->feature_out[f->index] = i;
		} else {
			fcat__set_odv *so = NULL;
			if ((rc = odv_entry(set, (const fcat__odv *)f->parent, &so)))
				return rc;
			so->feature_out[f->index] = i;
		}
	}
	return 0;
}

static int finish(fcat_feature_set **out, fcat_feature_set *set, const fcat_store *store,
                  const char *service)
{
	set->store = store;
	int rc = build(set);
	if (rc == 0 && service && !(set->service = strdup(service)))
		rc = fcat__error_oom();
	if (rc) {
		fcat_feature_set_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

static bool contains(const fcat_feature_set *set, const fcat__field *f)
{
	for (size_t i = 0; i < set->nfeatures; i++)
		if (set->features[i] == f)
			return true;
	return false;
}

int fcat_feature_set_new(fcat_feature_set **out, const fcat_store *store, const char *const *refs,
                         size_t nrefs)
{
	*out = NULL;
	const fcat_catalog *c = store->catalog;
	size_t cap = 0;
	for (size_t i = 0; i < nrefs; i++) {
		const fcat_object *o = fcat__strmap_get(&c->by_name, refs[i]);
		cap += o ? fcat_object_feature_count(o) : 1;
	}
	fcat_feature_set *set = calloc(1, sizeof *set);
	if (!set || !(set->features = calloc(cap + 1, sizeof *set->features))) {
		free(set);
		return fcat__error_oom();
	}
	for (size_t i = 0; i < nrefs; i++) {
		const char *ref = refs[i];
		if (strchr(ref, ':')) {
			const fcat__field *f = fcat__strmap_get(&c->features, ref);
			if (!f) {
				fcat_feature_set_free(set);
				return fcat__error(FCAT_ENOTFOUND, "unknown feature '%s'", ref);
			}
			if (!contains(set, f))
				set->features[set->nfeatures++] = f;
			continue;
		}
		const fcat_object *o = fcat__strmap_get(&c->by_name, ref);
		if (!o || (o->kind != FCAT_OBJ_VIEW && o->kind != FCAT_OBJ_ON_DEMAND_VIEW)) {
			fcat_feature_set_free(set);
			return fcat__error(FCAT_ENOTFOUND,
			                   "unknown feature view '%s' (a reference is "
			                   "VIEW or VIEW:FEATURE)",
			                   ref);
		}
		for (size_t k = 0; k < fcat_object_feature_count(o); k++) {
			const fcat__field *f = (const fcat__field *)fcat_object_feature_at(o, k);
			if (!contains(set, f))
				set->features[set->nfeatures++] = f;
		}
	}
	return finish(out, set, store, NULL);
}

int fcat_feature_set_for_service(fcat_feature_set **out, const fcat_store *store,
                                 const char *service)
{
	*out = NULL;
	const fcat_object *o = fcat__strmap_get(&store->catalog->by_name, service);
	if (!o || o->kind != FCAT_OBJ_SERVICE)
		return fcat__error(FCAT_ENOTFOUND, "unknown feature service '%s'", service);
	const fcat__service *s = (const fcat__service *)o;
	fcat_feature_set *set = calloc(1, sizeof *set);
	if (!set || !(set->features = calloc(s->nfeatures + 1, sizeof *set->features))) {
		free(set);
		return fcat__error_oom();
	}
	for (size_t i = 0; i < s->nfeatures; i++)
		set->features[set->nfeatures++] = s->features[i];
	return finish(out, set, store, service);
}

size_t fcat_feature_set_count(const fcat_feature_set *set)
{
	return set->nfeatures;
}

const fcat_object *fcat_feature_set_feature(const fcat_feature_set *set, size_t i)
{
	return i < set->nfeatures ? &set->features[i]->base : NULL;
}

size_t fcat_feature_set_key_count(const fcat_feature_set *set)
{
	return set->nkeys;
}

const char *fcat_feature_set_key_name(const fcat_feature_set *set, size_t i)
{
	return i < set->nkeys ? set->keys[i]->base.name : NULL;
}

fcat_type fcat_feature_set_key_type(const fcat_feature_set *set, size_t i)
{
	return i < set->nkeys ? set->keys[i]->type : (fcat_type){0};
}

size_t fcat_feature_set_request_count(const fcat_feature_set *set)
{
	return set->nrequests;
}

const char *fcat_feature_set_request_name(const fcat_feature_set *set, size_t i)
{
	return i < set->nrequests ? set->requests[i]->base.name : NULL;
}

fcat_type fcat_feature_set_request_type(const fcat_feature_set *set, size_t i)
{
	return i < set->nrequests ? set->requests[i]->type : (fcat_type){0};
}
