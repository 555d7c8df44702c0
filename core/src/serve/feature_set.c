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
	free(set->views);
	free(set->keys);
	free(set->features);
	free(set);
}

static int add_key(fcat_feature_set *set, const fcat__field *key, size_t *index)
{
	for (size_t i = 0; i < set->nkeys; i++) {
		if (strcmp(set->keys[i]->base.name, key->base.name) != 0)
			continue;
		if (!fcat_type_equal(set->keys[i]->type, key->type))
			return fcat__error(FCAT_EINVALID, "join key '%s' has two types in this "
							  "request (%s and %s)",
					   key->base.name, fcat_scalar_name(set->keys[i]->type.scalar),
					   fcat_scalar_name(key->type.scalar));
		*index = i;
		return 0;
	}
	*index = set->nkeys;
	set->keys[set->nkeys++] = key;
	return 0;
}

/* Groups the features by view and collects the join keys. */
static int build(fcat_feature_set *set)
{
	size_t maxkeys = 0;
	for (size_t i = 0; i < set->nfeatures; i++) {
		const fcat_object *parent = set->features[i]->parent;
		if (parent->kind != FCAT_OBJ_VIEW)
			return fcat__error(FCAT_EINVALID, "feature '%s' belongs to the on-demand view "
							  "'%s': on-demand views cannot be served yet "
							  "(transformations are not built)",
					   set->features[i]->qualified, parent->name);
		const fcat__view *v = (const fcat__view *)parent;
		if (!v->online)
			return fcat__error(FCAT_EINVALID, "feature '%s': view '%s' is not online "
							  "(online = false)",
					   set->features[i]->qualified, v->base.name);
		for (size_t e = 0; e < v->nentities; e++)
			maxkeys += v->entities[e]->nkeys;
	}
	set->views = calloc(set->nfeatures + 1, sizeof *set->views);
	set->keys = calloc(maxkeys + 1, sizeof *set->keys);
	if (!set->views || !set->keys)
		return fcat__error_oom();
	for (size_t i = 0; i < set->nfeatures; i++) {
		const fcat__view *v = (const fcat__view *)set->features[i]->parent;
		fcat__set_view *sv = NULL;
		for (size_t k = 0; k < set->nviews && !sv; k++)
			if (set->views[k].view == v)
				sv = &set->views[k];
		if (!sv) {
			sv = &set->views[set->nviews++];
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
					int rc = add_key(set, &v->entities[e]->keys[j], &sv->key_index[k++]);
					if (rc)
						return rc;
				}
			for (size_t f = 0; f < v->nfeatures; f++) {
				sv->feature_out[f] = SIZE_MAX;
				sv->types[f] = v->features[f].type;
			}
		}
		sv->feature_out[set->features[i]->index] = i;
	}
	return 0;
}

static int finish(fcat_feature_set **out, fcat_feature_set *set)
{
	int rc = build(set);
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

int fcat_feature_set_new(fcat_feature_set **out, const fcat_store *store,
			 const char *const *refs, size_t nrefs)
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
			return fcat__error(FCAT_ENOTFOUND, "unknown feature view '%s' (a reference is "
							   "VIEW or VIEW:FEATURE)",
					   ref);
		}
		for (size_t k = 0; k < fcat_object_feature_count(o); k++) {
			const fcat__field *f = (const fcat__field *)fcat_object_feature_at(o, k);
			if (!contains(set, f))
				set->features[set->nfeatures++] = f;
		}
	}
	return finish(out, set);
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
	return finish(out, set);
}

size_t fcat_feature_set_count(const fcat_feature_set *set) { return set->nfeatures; }

const fcat_object *fcat_feature_set_feature(const fcat_feature_set *set, size_t i)
{
	return i < set->nfeatures ? &set->features[i]->base : NULL;
}

size_t fcat_feature_set_key_count(const fcat_feature_set *set) { return set->nkeys; }

const char *fcat_feature_set_key_name(const fcat_feature_set *set, size_t i)
{
	return i < set->nkeys ? set->keys[i]->base.name : NULL;
}

fcat_type fcat_feature_set_key_type(const fcat_feature_set *set, size_t i)
{
	return i < set->nkeys ? set->keys[i]->type : (fcat_type){0};
}
