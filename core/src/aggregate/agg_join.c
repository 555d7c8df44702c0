/* agg_join.c - a training set's columns of an aggregation view: the
 * source's events (in the time range the entity rows can reach) grouped
 * per entity key, and for every entity row at time T each feature over
 * (T - window, T]. Per entity the rows go in time order: count, sum, mean
 * and stddev slide (an event enters once and leaves once, exactly, so the
 * cost is linear however heavy the entity); the other functions take the
 * window's events. Either way through the one state of agg_state.c. */
#include "aggregate/agg_rows.h"

#include "encoding/encoding.h"
#include "latest/latest.h"
#include "offline/source_scan.h"
#include "training/request.h"
#include "util/error.h"
#include "util/parallel.h"
#include "values/value_copy.h"

#include <stdlib.h>
#include <string.h>

static int add_rows(void *ctx, const fcat_value *cells, size_t nrows)
{
	return fcat__agg_rows_add(ctx, cells, nrows);
}

/* An entity row: its entity (or -1: no key or time) and its time. */
typedef struct erow {
	long entity;
	int64_t at;
	uint32_t row;
} erow;

static int cmp_erow(const void *a, const void *b)
{
	const erow *x = a, *y = b;
	if (x->entity != y->entity)
		return x->entity < y->entity ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

#define ROW_BATCH 4096

/* Appends entity row r's encoded key to keys, or nothing when it has no
 * time, a null key or one that does not encode (the row then gets no
 * features). A cell that does not read as its type is an error. */
static int row_key(fcat__buf *keys, const fcat__treq *q, const int *col, const fcat_type *types,
                   size_t nk, size_t r)
{
	if (q->ent->ts[r] == INT64_MIN)
		return 0;
	fcat_value kv[64];
	bool owned[64];
	size_t got = 0;
	bool ok = true;
	int rc = 0;
	for (; ok && got < nk; got++) {
		rc = fcat__entities_value(&kv[got], &owned[got], q->ent, col[got], r, types[got],
		                          "column");
		if (rc) {
			ok = false;
			break;
		}
		ok = !kv[got].is_null;
	}
	size_t before = keys->len;
	int krc = ok ? fcat__key_encode(keys, kv, nk) : 0;
	if (rc == 0 && krc == FCAT_ENOMEM)
		rc = fcat__error_oom();
	else if (rc == 0 && (krc || !ok))
		fcat__error_clear(); /* no features for this row, not an error */
	if (krc && krc != FCAT_ENOMEM)
		keys->len = before;
	for (size_t k = 0; k < got && k < nk; k++)
		if (owned[k])
			fcat_value_clear(&kv[k]);
	return rc;
}

/* Each entity row's entity, from its join key columns. */
static int entity_rows(fcat__treq *q, const fcat__view *v, fcat__agg_rows *ar, erow *rows,
                       int64_t *lo, int64_t *hi)
{
	const char *const *names;
	const fcat_type *types;
	int ts;
	fcat__agg_rows_columns(ar, &names, &types, &ts);
	size_t nk = (size_t)ts; /* the join keys come first */
	int col[64];
	for (size_t k = 0; k < nk; k++) {
		col[k] = fcat__entities_find(q->ent, names[k]);
		if (col[k] < 0)
			return fcat__error(FCAT_EINVALID,
			                   "the entity rows lack the join key column '%s' of "
			                   "feature_view '%s'",
			                   names[k], v->base.name);
		int rc = fcat__entities_check(q->ent, col[k], types[k]);
		if (rc)
			return rc;
	}
	fcat__buf keys = {0};
	size_t *kend = malloc(ROW_BATCH * sizeof *kend);
	uint64_t *hash = malloc(ROW_BATCH * sizeof *hash);
	bool *has = malloc(ROW_BATCH * sizeof *has);
	int rc = kend && hash && has ? 0 : fcat__error_oom();
	*lo = INT64_MAX;
	*hi = INT64_MIN;
	/* in batches: every key encoded, hashed and its slot fetched, then the
	 * lookups, each fetching the entry of one a few rows ahead */
	for (size_t at = 0; rc == 0 && at < q->ent->nrows; at += ROW_BATCH) {
		size_t n = q->ent->nrows - at < ROW_BATCH ? q->ent->nrows - at : ROW_BATCH;
		keys.len = 0;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			size_t from = keys.len;
			rc = row_key(&keys, q, col, types, nk, at + i);
			kend[i] = keys.len;
			has[i] = keys.len > from;
			if (has[i]) {
				hash[i] = fcat__latest_hash(keys.ptr + from, keys.len - from);
				fcat__agg_rows_prefetch(ar, hash[i], false);
			}
		}
		if (rc == 0 && keys.oom)
			rc = fcat__error_oom();
		for (size_t i = 0; rc == 0 && i < n; i++) {
			size_t r = at + i, from = i ? kend[i - 1] : 0;
			rows[r] = (erow){-1, q->ent->ts[r], (uint32_t)r};
			if (i + 8 < n && has[i + 8])
				fcat__agg_rows_prefetch(ar, hash[i + 8], true);
			if (!has[i])
				continue; /* no key or time: no features */
			rows[r].entity = fcat__agg_rows_entity_hashed(ar, keys.ptr + from,
			                                              kend[i] - from, hash[i]);
			if (rows[r].entity < 0)
				rc = fcat__error_oom();
			if (rows[r].at < *lo)
				*lo = rows[r].at;
			if (rows[r].at > *hi)
				*hi = rows[r].at;
		}
	}
	fcat__buf_free(&keys);
	free(kend);
	free(hash);
	free(has);
	return rc;
}

/* Sorts the entity rows by entity (those without first), then time, then
 * row: counted into place by entity, then each entity's few rows sorted. */
static int sort_rows(erow *rows, size_t n, size_t nent)
{
	size_t *start = calloc(nent + 2, sizeof *start);
	erow *out = malloc((n ? n : 1) * sizeof *out);
	if (!start || !out) {
		free(start);
		free(out);
		return fcat__error_oom();
	}
	for (size_t i = 0; i < n; i++)
		start[rows[i].entity + 2]++; /* -1 counts in start[1] */
	for (size_t e = 1; e <= nent + 1; e++)
		start[e] += start[e - 1];
	for (size_t i = 0; i < n; i++) /* in row order: stable */
		out[start[rows[i].entity + 1]++] = rows[i];
	/* start[e + 1] now ends entity e's rows (start[0], those without one) */
	for (size_t e = 0, from = start[0]; e < nent; from = start[e + 1], e++) {
		erow *g = out + from;
		size_t len = start[e + 1] - from;
		if (len > 32) {
			qsort(g, len, sizeof *g, cmp_erow);
			continue;
		}
		for (size_t i = 1; i < len; i++) { /* by time; rows already in order */
			erow x = g[i];
			size_t j = i;
			for (; j > 0 && g[j - 1].at > x.at; j--)
				g[j] = g[j - 1];
			g[j] = x;
		}
	}
	memcpy(rows, out, n * sizeof *out);
	free(start);
	free(out);
	return 0;
}

/* Keeps feature f's value for entity row `row`, when computing it
 * succeeded (rc 0); else, or when out of memory, the error naming the
 * feature and the row. */
static int keep(fcat__treq *q, fcat__hview *hv, size_t f, uint32_t row, const fcat_value *val,
                int rc)
{
	fcat_value *dst = &hv->values[(size_t)row * hv->view->nfeatures + f];
	if (rc == 0 && (val->is_null || (!val->type.is_array && val->type.scalar != FCAT_STRING &&
	                                 val->type.scalar != FCAT_BYTES)))
		*dst = *val;
	else if (rc == 0 && fcat__value_copy(&q->arena, dst, val))
		rc = fcat__error_oom();
	return rc ? fcat__error_wrap(rc, "feature '%s', entity row %u",
	                             hv->view->features[f].base.name, row + 1)
	          : 0;
}

/* The features of one window that slide (count, sum, mean, stddev) for one
 * entity's rows rows[0..n), in time order: each event enters once and
 * leaves once, whatever the number of rows. */
/* Event i enters (sign 1) or leaves (-1) the states of feats. */
static void take(fcat__agg_state *st, const size_t *feats, size_t nfeats, const fcat__view *v,
                 const fcat__agg_events *ev, size_t i, int sign)
{
	for (size_t j = 0; j < nfeats; j++)
		fcat__agg_state_add(&st[feats[j]], fcat__agg_event_value(ev, i, &v->aggs[feats[j]]),
		                    ev->when[i], sign);
}

static int slide(fcat__treq *q, fcat__hview *hv, const size_t *feats, size_t nfeats,
                 fcat__agg_state *st, const fcat__agg_events *ev, const erow *rows, size_t n,
                 fcat__arena *scratch)
{
	const fcat__view *v = hv->view;
	int64_t w = v->aggs[feats[0]].window * 1000000;
	size_t lo = 0, hi = 0;
	for (size_t j = 0; j < nfeats; j++)
		fcat__agg_state_reset(&st[feats[j]]);
	for (size_t i = 0; i < n; i++) {
		int64_t at = rows[i].at;
		for (; hi < ev->n && ev->when[hi].ts <= at; hi++)
			take(st, feats, nfeats, v, ev, hi, 1);
		int64_t from = at < INT64_MIN + w ? INT64_MIN : at - w;
		for (; lo < hi && ev->when[lo].ts <= from; lo++)
			take(st, feats, nfeats, v, ev, lo, -1);
		for (size_t j = 0; j < nfeats; j++) {
			size_t f = feats[j];
			fcat_value val;
			int rc = fcat__agg_state_value(&val, &st[f], v->features[f].type, scratch);
			if ((rc = keep(q, hv, f, rows[i].row, &val, rc)))
				return rc;
		}
	}
	return 0;
}

/* A feature that does not slide (min, max, last, last_distinct): each row
 * takes its window's events. */
static int each_window(fcat__treq *q, fcat__hview *hv, size_t f, fcat__agg_state *st,
                       const fcat__agg_events *ev, const erow *rows, size_t n, fcat__arena *scratch)
{
	const fcat__view *v = hv->view;
	for (size_t i = 0; i < n; i++) {
		fcat_value val;
		int rc = fcat__agg_eval(&val, v, f, st, ev, rows[i].at, scratch);
		if ((rc = keep(q, hv, f, rows[i].row, &val, rc)))
			return rc;
	}
	return 0;
}

/* The sliding features grouped by window: group g is feats[gstart[g] ..
 * gstart[g + 1]); the others follow, one each. */
typedef struct groups {
	size_t *feats, *gstart;
	size_t ngroups, nslide;
} groups;

static int make_groups(groups *g, const fcat__view *v)
{
	size_t nf = v->nfeatures;
	g->feats = calloc(nf + 1, sizeof *g->feats);
	g->gstart = calloc(nf + 2, sizeof *g->gstart);
	if (!g->feats || !g->gstart)
		return fcat__error_oom();
	bool *done = calloc(nf + 1, sizeof *done);
	if (!done)
		return fcat__error_oom();
	size_t n = 0;
	for (size_t f = 0; f < nf; f++) {
		if (done[f] || !fcat__agg_invertible(v->aggs[f].fn))
			continue;
		g->gstart[g->ngroups++] = n;
		for (size_t h = f; h < nf; h++)
			if (!done[h] && fcat__agg_invertible(v->aggs[h].fn) &&
			    v->aggs[h].window == v->aggs[f].window) {
				g->feats[n++] = h;
				done[h] = true;
			}
	}
	g->gstart[g->ngroups] = n;
	g->nslide = n;
	for (size_t f = 0; f < nf; f++)
		if (!done[f])
			g->feats[n++] = f;
	free(done);
	return 0;
}

/* The sweep over the entity rows, sorted by entity then time, in parts
 * that each start at an entity's first row. */
typedef struct sweep {
	fcat__treq *q;
	fcat__hview *hv;
	const erow *rows;
	size_t nrows;
	fcat__agg_events *events;
	const groups *gr;
} sweep;

/* The first row of part `part`: at an entity's first row. */
static size_t part_start(const sweep *w, size_t part, size_t nparts)
{
	size_t i = w->nrows * part / nparts;
	while (i > 0 && i < w->nrows && w->rows[i].entity == w->rows[i - 1].entity)
		i++;
	return i;
}

static int sweep_part(void *ctx, size_t part, size_t nparts)
{
	sweep *w = ctx;
	const fcat__view *v = w->hv->view;
	size_t nf = v->nfeatures, end = part_start(w, part + 1, nparts);
	const groups *gr = w->gr;
	fcat__arena scratch, states; /* values per entity; the states' sums */
	fcat__arena_init(&scratch, 1 << 16);
	fcat__arena_init(&states, 1 << 14);
	fcat__agg_state *st = calloc(nf + 1, sizeof *st);
	int rc = st ? 0 : fcat__error_oom();
	for (size_t f = 0; rc == 0 && f < nf; f++)
		rc = fcat__agg_state_init(&st[f], &v->aggs[f], &states);
	for (size_t i = part_start(w, part, nparts); rc == 0 && i < end;) {
		size_t j = i;
		while (j < end && w->rows[j].entity == w->rows[i].entity)
			j++;
		const fcat__agg_events *ev =
		    w->rows[i].entity >= 0 ? &w->events[w->rows[i].entity] : NULL;
		for (size_t g = 0; ev && rc == 0 && g < gr->ngroups; g++)
			rc = slide(w->q, w->hv, gr->feats + gr->gstart[g],
			           gr->gstart[g + 1] - gr->gstart[g], st, ev, w->rows + i, j - i,
			           &scratch);
		for (size_t k = gr->nslide; ev && rc == 0 && k < nf; k++)
			rc = each_window(w->q, w->hv, gr->feats[k], &st[gr->feats[k]], ev,
			                 w->rows + i, j - i, &scratch);
		fcat__arena_reset(&scratch);
		i = j;
	}
	fcat__arena_release(&scratch);
	fcat__arena_release(&states);
	free(st);
	return rc;
}

/* Text and arrays are copied into the request's arena, which is one
 * thread's: a view with such features sweeps on one. */
static bool sweeps_in_parallel(const fcat__view *v)
{
	for (size_t f = 0; f < v->nfeatures; f++) {
		fcat_type t = v->features[f].type;
		if (t.is_array || t.scalar == FCAT_STRING || t.scalar == FCAT_BYTES)
			return false;
	}
	return true;
}

int fcat__agg_join_view(fcat__treq *q, fcat__hview *hv)
{
	const fcat__view *v = hv->view;
	size_t nrows = q->ent->nrows, nf = v->nfeatures;
	hv->values = fcat__arena_alloc_uninit(&q->arena, (nrows * nf + 1) * sizeof *hv->values);
	erow *rows = calloc(nrows + 1, sizeof *rows);
	fcat__agg_rows *ar = NULL;
	int rc = hv->values && rows ? fcat__agg_rows_new(&ar, v) : fcat__error_oom();
	for (size_t r = 0; rc == 0 && r < nrows; r++)
		for (size_t f = 0; f < nf; f++)
			hv->values[r * nf + f] =
			    (fcat_value){.type = v->features[f].type, .is_null = true};
	groups gr = {0};
	if (rc == 0)
		rc = make_groups(&gr, v);
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	if (rc == 0)
		rc = entity_rows(q, v, ar, rows, &lo, &hi);
	/* the events any row's window can reach: (lo - span, hi] */
	if (rc == 0 && lo <= hi) {
		const char *const *cols;
		const fcat_type *types;
		int ts;
		size_t ncols = fcat__agg_rows_columns(ar, &cols, &types, &ts);
		int64_t span = v->agg_span * 1000000;
		rc =
		    fcat__source_scan_pipelined(q->s, v->source, cols, types, ncols, ts,
		                                lo < INT64_MIN + span ? INT64_MIN : lo - span,
		                                hi == INT64_MAX ? INT64_MAX : hi + 1, add_rows, ar);
		if (rc == 0)
			rc = fcat__agg_rows_transform(q->s, ar);
	}
	const fcat_bytes *keys;
	fcat__agg_events *events = NULL;
	size_t nent = 0;
	if (rc == 0)
		rc = fcat__agg_rows_entities(ar, &nent, &keys, &events);
	if (rc == 0)
		rc = sort_rows(rows, nrows, nent);
	sweep w = {q, hv, rows, nrows, events, &gr};
	size_t parts = sweeps_in_parallel(v) && nrows > 65536 ? fcat__parallel_parts(8) : 1;
	if (rc == 0)
		rc = fcat__parallel(parts, sweep_part, &w);
	fcat__agg_rows_free(ar);
	free(gr.feats);
	free(gr.gstart);
	free(rows);
	return rc ? fcat__error_wrap(rc, "feature_view '%s'", v->base.name) : 0;
}
