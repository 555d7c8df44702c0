/* request.h - one training set being built: the entity rows, the requested
 * features, and per view the values found for every entity row; shared by
 * the join (join.c), on-demand views (odv.c) and the builder (build.c). */
#ifndef FCAT_TRAINING_REQUEST_H
#define FCAT_TRAINING_REQUEST_H

#include "store/store.h"
#include "training/entities.h"
#include "util/arena.h"

/* One view of the request and the values found for each entity row. */
typedef struct fcat__hview {
	const fcat__view *view;
	fcat_value *values; /* nrows * nfeatures, in the request's arena */
	bool needed_whole;  /* an on-demand view reads all its features */
} fcat__hview;

typedef struct fcat__treq {
	fcat_store *s;
	fcat__caller who; /* the principal the set is built for, with its groups */
	const fcat__entities *ent;
	const fcat__field **features; /* output order */
	size_t nfeatures;
	fcat__hview *views;
	size_t nviews;
	const fcat__odv **odvs;
	size_t nodvs;
	fcat_value **odv_out; /* per odv: nrows * its nfeatures */
	fcat__arena arena;    /* feature values */
	size_t pushed_down;   /* views joined inside the offline store */
} fcat__treq;

/* The request's entry of a view, added when it is new. */
fcat__hview *fcat__treq_view(fcat__treq *q, const fcat__view *v);

/* Fills hv->values: the latest source row of each entity row's key at its
 * time, within the view's ttl, after the view's transform (by the offline
 * store's own join when it offers one). */
int fcat__join_view(fcat__treq *q, fcat__hview *hv);

/* fcat__join_view for a view with window aggregations (aggregate/). */
int fcat__agg_join_view(fcat__treq *q, fcat__hview *hv);

/* Fills q->odv_out[i]: on-demand view i over every entity row, from the
 * row's view values and its request columns. */
int fcat__compute_odv(fcat__treq *q, size_t i);

#endif
