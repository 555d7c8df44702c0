/* build.c - building a training set: the requested features resolved and
 * checked against the policies, every view joined and every on-demand view
 * computed over the entity rows, the values laid out as columns;
 * fcat_get_historical_columns, the in-memory entry point. */
#include "training/training_set.h"

#include "store/access.h"
#include "util/error.h"
#include "util/options.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fcat__hview *fcat__treq_view(fcat__treq *q, const fcat__view *v)
{
	for (size_t i = 0; i < q->nviews; i++)
		if (q->views[i].view == v)
			return &q->views[i];
	q->views[q->nviews].view = v;
	return &q->views[q->nviews++];
}

int fcat__treq_init(fcat__treq *q, fcat_store *s, const fcat_historical_options *o)
{
	memset(q, 0, sizeof *q);
	q->s = s;
	q->who = (fcat__caller){o->principal ? o->principal : s->principal, o->groups, o->ngroups};
	fcat__arena_init(&q->arena, 1 << 20);
	const fcat__objvec *objs = s->catalog->objects;
	q->features = calloc(objs[FCAT_OBJ_FEATURE].len + 16, sizeof *q->features);
	q->views = calloc(objs[FCAT_OBJ_VIEW].len + 1, sizeof *q->views);
	q->odvs = calloc(objs[FCAT_OBJ_ON_DEMAND_VIEW].len + 1, sizeof *q->odvs);
	q->odv_out = calloc(objs[FCAT_OBJ_ON_DEMAND_VIEW].len + 1, sizeof *q->odv_out);
	return q->features && q->views && q->odvs && q->odv_out ? 0 : fcat__error_oom();
}

void fcat__treq_free(fcat__treq *q)
{
	fcat__arena_release(&q->arena);
	free(q->features);
	free(q->views);
	free(q->odvs);
	free(q->odv_out);
	memset(q, 0, sizeof *q);
}

static int add_feature(fcat__treq *q, const fcat__field *f)
{
	for (size_t i = 0; i < q->nfeatures; i++)
		if (q->features[i] == f)
			return 0;
	int rc = fcat__access_feature(q->s, &q->who, FCAT__PA_READ_OFFLINE, f, NULL);
	if (rc)
		return rc;
	q->features[q->nfeatures++] = f;
	if (f->parent->kind == FCAT_OBJ_VIEW) {
		fcat__treq_view(q, (const fcat__view *)f->parent);
		return 0;
	}
	const fcat__odv *o = (const fcat__odv *)f->parent;
	for (size_t i = 0; i < q->nodvs; i++)
		if (q->odvs[i] == o)
			return 0;
	q->odvs[q->nodvs++] = o;
	for (size_t i = 0; i < o->nsources; i++) {
		fcat__treq_view(q, o->sources[i])->needed_whole = true;
		/* its transform sees every input: each must be readable too */
		for (size_t k = 0; k < o->sources[i]->nfeatures; k++)
			if ((rc = fcat__access_feature(q->s, &q->who, FCAT__PA_READ_OFFLINE,
			                               &o->sources[i]->features[k], NULL)))
				return rc;
	}
	return 0;
}

int fcat__treq_add(fcat__treq *q, const char *const *refs, size_t nrefs, const char *service)
{
	const fcat_catalog *cat = q->s->catalog;
	int rc = 0;
	if (service) {
		const fcat_object *o = fcat__strmap_get(&cat->by_name, service);
		if (!o || o->kind != FCAT_OBJ_SERVICE)
			return fcat__error(FCAT_ENOTFOUND, "unknown feature service '%s'", service);
		for (size_t i = 0; rc == 0 && i < fcat_object_feature_count(o); i++)
			rc = add_feature(q, (const fcat__field *)fcat_object_feature_at(o, i));
	}
	for (size_t i = 0; rc == 0 && i < nrefs; i++) {
		const fcat_object *o = NULL;
		if (!refs[i] || fcat_catalog_lookup(&o, cat, refs[i]) != 0 ||
		    (o->kind != FCAT_OBJ_FEATURE && o->kind != FCAT_OBJ_VIEW &&
		     o->kind != FCAT_OBJ_ON_DEMAND_VIEW))
			return fcat__error(FCAT_ENOTFOUND, "unknown feature or view '%s'",
			                   refs[i] ? refs[i] : "(null)");
		if (o->kind == FCAT_OBJ_FEATURE)
			rc = add_feature(q, (const fcat__field *)o);
		for (size_t k = 0;
		     rc == 0 && o->kind != FCAT_OBJ_FEATURE && k < fcat_object_feature_count(o);
		     k++)
			rc = add_feature(q, (const fcat__field *)fcat_object_feature_at(o, k));
	}
	return rc;
}

int fcat__treq_run(fcat__treq *q, const fcat__entities *ent)
{
	int rc = 0;
	q->ent = ent;
	for (size_t i = 0; rc == 0 && i < q->nviews; i++)
		rc = fcat__join_view(q, &q->views[i]);
	for (size_t i = 0; rc == 0 && i < q->nodvs; i++)
		rc = fcat__compute_odv(q, i);
	return rc;
}

int fcat__treq_start(fcat__treq *q, fcat_historical_options *o, fcat_store *s,
                     const fcat_historical_options *options, const char *const *refs, size_t nrefs,
                     const char *service)
{
	memset(q, 0, sizeof *q);
	*o = (fcat_historical_options)FCAT_HISTORICAL_OPTIONS_INIT;
	/* the first version ended before groups: a caller built then still works */
	int rc =
	    fcat__options_take(o, sizeof *o, options, offsetof(fcat_historical_options, groups),
	                       "fcat_historical_options");
	if (rc == 0)
		rc = fcat__treq_init(q, s, o);
	if (rc == 0)
		rc = fcat__treq_add(q, refs, nrefs, service);
	return rc;
}

void fcat__treq_stats(fcat_historical_stats *stats, const fcat__treq *q)
{
	if (!stats)
		return;
	stats->rows = q->ent ? q->ent->nrows : 0;
	stats->features = q->nfeatures;
	stats->pushed_down = q->pushed_down;
}

int fcat_get_historical_columns(fcat_training_set **out, fcat_historical_stats *stats,
                                fcat_store *s, const fcat_column *columns, size_t ncolumns,
                                const char *const *refs, size_t nrefs, const char *service,
                                const fcat_historical_options *options)
{
	if (!out || !s)
		return fcat__error(FCAT_EUSAGE, "fcat_get_historical_columns: NULL out or store");
	*out = NULL;
	fcat_historical_options o;
	fcat__treq q;
	fcat__entities ent = {0};
	int rc = fcat__treq_start(&q, &o, s, options, refs, nrefs, service);
	if (rc == 0)
		rc = fcat__entities_init(&ent, columns, ncolumns, NULL);
	if (rc == 0)
		rc = fcat__treq_run(&q, &ent);
	if (rc == 0)
		rc = fcat__treq_result(out, &q, o.full_names);
	fcat__treq_stats(stats, &q);
	fcat__entities_free(&ent);
	fcat__treq_free(&q);
	return rc;
}
