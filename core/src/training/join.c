/* join.c - a training set's point-in-time join of one feature view:
 * scan the source's keys and times, answer every entity row through the
 * latest-row engine (fcat__latest_asof), scan again for the winning rows'
 * values and run the view's transform on them; or hand the whole join to
 * the offline store when its plugin offers one. */
#include "encoding/encoding.h"
#include "latest/latest.h"
#include "offline/pit_pushdown.h"
#include "offline/source_scan.h"
#include "training/request.h"
#include "transform/engine.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"
#include "values/value_copy.h"

#include <stdlib.h>
#include <string.h>

/* The scan of one view's source, twice: first the (key, time) records, then
 * the values of the rows that won. */
typedef struct vscan {
	fcat__treq *q;
	fcat__hview *hv;
	const char **cols;
	fcat_type *types;
	size_t ncols, nkeys;
	int ts_col, created_col;
	int key_col[64]; /* per join key: its entity column */
	uint32_t row;
	fcat__latest_row *right;
	size_t nright, cap;
	/* pass 2 */
	uint64_t *winners; /* (row << 32 | entity idx), sorted */
	size_t nwinners, next;
	fcat__tx *tx;
	fcat_value *out;
	fcat__arena scratch;
	fcat__buf key;
	/* a scan batch's winning rows, when the view has a transform: their
	 * index in the batch and their first entry in winners */
	size_t *batch_rows, *batch_first, batch_cap;
	const fcat_value *cells;
	fcat_value *in;
} vscan;

static int collect(void *ctx, const fcat_value *cells, size_t nrows)
{
	vscan *x = ctx;
	for (size_t i = 0; i < nrows; i++, x->row++) {
		const fcat_value *r = cells + i * x->ncols;
		if (r[x->ts_col].is_null)
			continue;
		x->key.len = 0;
		int krc = fcat__key_encode(&x->key, r, x->nkeys);
		if (krc == FCAT_ENOMEM)
			return krc;
		if (krc) {
			fcat__error_clear();
			continue; /* no key: never joined */
		}
		if (x->nright == x->cap &&
		    !fcat__grow(&x->right, &x->cap, x->nright, sizeof *x->right, 65536))
			return fcat__error_oom();
		fcat__latest_row *p = &x->right[x->nright++];
		fcat__latest_hash_wide(x->key.ptr, x->key.len, &p->h1, &p->h2);
		p->ts = r[x->ts_col].u.ts;
		p->created = x->created_col >= 0 && !r[x->created_col].is_null
		                 ? r[x->created_col].u.ts
		                 : INT64_MIN;
		p->row = x->row;
	}
	return 0;
}

/* The features of a winning source row r (all x->ncols columns): after the
 * view's transform when it has one, else its last columns. */
static int features_of(vscan *x, const fcat_value *r, const fcat_value **feats)
{
	const fcat__view *v = x->hv->view;
	*feats = r + (x->ncols - v->nfeatures);
	if (!x->tx)
		return 0;
	fcat__arena_reset(&x->scratch);
	int rc = fcat__tx_call(x->tx, &v->transform, x->cols, r, x->ncols, v->features,
	                       v->nfeatures, x->out, &x->scratch);
	if (rc) {
		char text[512];
		fcat__key_text(text, sizeof text, x->cols, r, x->nkeys);
		return fcat__error_wrap(rc, "feature_view '%s', entity %s", v->base.name, text);
	}
	*feats = x->out;
	return 0;
}

/* Keeps the features of entity row e. */
static int keep(vscan *x, size_t e, const fcat_value *feats)
{
	size_t nf = x->hv->view->nfeatures;
	for (size_t f = 0; f < nf; f++)
		if (fcat__value_copy(&x->q->arena, &x->hv->values[e * nf + f], &feats[f]))
			return fcat__error_oom();
	return 0;
}

/* The transform's input for the i-th winner of the batch. */
static int winner_input(void *ctx, size_t i, fcat_value *in)
{
	vscan *x = ctx;
	fcat__arena_reset(&x->scratch);
	memcpy(in, x->cells + x->batch_rows[i] * x->ncols, x->ncols * sizeof *in);
	return 0;
}

/* Its features, kept for every entity row it wins. */
static int winner_output(void *ctx, size_t i, const fcat_value *out)
{
	vscan *x = ctx;
	int rc = 0;
	for (size_t w = x->batch_first[i];
	     rc == 0 && w < x->nwinners &&
	     (uint32_t)(x->winners[w] >> 32) == (uint32_t)(x->winners[x->batch_first[i]] >> 32);
	     w++)
		rc = keep(x, (size_t)(x->winners[w] & 0xffffffffu), out);
	return rc;
}

/* fill for a view with a transform: the batch's winners through the engine
 * as one batch (one protected call), not one call each. */
static int fill_transformed(vscan *x, const fcat_value *cells, size_t nrows)
{
	const fcat__view *v = x->hv->view;
	if (nrows > x->batch_cap) {
		if (!fcat__resize(&x->batch_rows, nrows, sizeof *x->batch_rows) ||
		    !fcat__resize(&x->batch_first, nrows, sizeof *x->batch_first))
			return fcat__error_oom();
		x->batch_cap = nrows;
	}
	size_t n = 0;
	for (size_t i = 0; i < nrows; i++, x->row++) {
		if (x->next >= x->nwinners || (uint32_t)(x->winners[x->next] >> 32) != x->row)
			continue;
		x->batch_rows[n] = i;
		x->batch_first[n++] = x->next;
		while (x->next < x->nwinners && (uint32_t)(x->winners[x->next] >> 32) == x->row)
			x->next++;
	}
	if (!n)
		return 0;
	x->cells = cells;
	fcat__tx_rows b = {.names = x->cols,
	                   .nin = x->ncols,
	                   .out_fields = v->features,
	                   .nout = v->nfeatures,
	                   .nrows = n,
	                   .input = winner_input,
	                   .output = winner_output,
	                   .ctx = x,
	                   .in = x->in,
	                   .out = x->out,
	                   .arena = &x->scratch};
	int rc = fcat__tx_run(x->tx, &v->transform, &b);
	if (rc) {
		char text[512];
		fcat__key_text(text, sizeof text, x->cols, cells + x->batch_rows[b.row] * x->ncols,
		               x->nkeys);
		return fcat__error_wrap(rc, "feature_view '%s', entity %s", v->base.name, text);
	}
	return 0;
}

static int fill(void *ctx, const fcat_value *cells, size_t nrows)
{
	vscan *x = ctx;
	if (x->tx)
		return fill_transformed(x, cells, nrows);
	for (size_t i = 0; i < nrows; i++, x->row++) {
		if (x->next >= x->nwinners || (uint32_t)(x->winners[x->next] >> 32) != x->row)
			continue;
		const fcat_value *feats;
		int rc = features_of(x, cells + i * x->ncols, &feats);
		for (; rc == 0 && x->next < x->nwinners &&
		       (uint32_t)(x->winners[x->next] >> 32) == x->row;
		     x->next++)
			rc = keep(x, (size_t)(x->winners[x->next] & 0xffffffffu), feats);
		if (rc)
			return rc;
	}
	return 0;
}

/* The answers of the offline store's own join: each matched entity row
 * gets its winning row's features, as fill gives them. fcat__pit_pushdown
 * has checked the plugin's rows: first + nrows never passes the entity
 * rows, each comes once, in order. */
static int pushed(void *ctx, size_t first, const fcat_value *cells, const bool *matched,
                  size_t nrows)
{
	vscan *x = ctx;
	for (size_t i = 0; i < nrows; i++) {
		if (!matched[i])
			continue;
		const fcat_value *feats;
		int rc = features_of(x, cells + i * x->ncols, &feats);
		if (rc == 0)
			rc = keep(x, first + i, feats);
		if (rc)
			return rc;
	}
	return 0;
}

/* Entity row r's keys for the view of x (cleared by the caller with
 * clear_keys); *ok is false when the row can match nothing (a null key, no
 * time), and x->key holds the encoded key when it is true. */
static int row_keys(fcat__treq *q, vscan *x, size_t r, fcat_value *keys, bool *owned, bool *ok)
{
	int rc = 0;
	*ok = q->ent->ts[r] != INT64_MIN;
	for (size_t k = 0; k < x->nkeys; k++) {
		keys[k] = (fcat_value){.type = x->types[k], .is_null = true};
		owned[k] = false;
	}
	for (size_t k = 0; k < x->nkeys && *ok; k++) {
		rc = fcat__entities_value(&keys[k], &owned[k], q->ent, x->key_col[k], r,
		                          x->types[k], "column");
		*ok = rc == 0 && !keys[k].is_null;
	}
	x->key.len = 0;
	int krc = *ok ? fcat__key_encode(&x->key, keys, x->nkeys) : 0;
	if (krc == FCAT_ENOMEM)
		return krc; /* not a key that matches nothing: the set would be wrong */
	if (krc) {
		fcat__error_clear();
		*ok = false;
	}
	return rc;
}

static void clear_keys(fcat_value *keys, const bool *owned, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (owned[k])
			fcat_value_clear(&keys[k]);
}

/* Offers the join of x's view to the offline store: 0 when it ran there,
 * FCAT_PIT_DECLINED when core must join, or an error. */
static int push_down(fcat__treq *q, vscan *x)
{
	const fcat__view *v = x->hv->view;
	if (v->source->path || !fcat__pit_pushdown_enabled(q->s))
		return FCAT_PIT_DECLINED; /* no need to parse the keys twice */
	size_t nrows = q->ent->nrows, nk = x->nkeys;
	fcat_value *keys = calloc(nrows * nk + 1, sizeof *keys);
	bool *owned = calloc(nrows * nk + 1, sizeof *owned);
	int rc = keys && owned ? 0 : fcat__error_oom();
	for (size_t r = 0; rc == 0 && r < nrows; r++) {
		bool ok;
		rc = row_keys(q, x, r, keys + r * nk, owned + r * nk, &ok);
		if (!ok) { /* no key: nothing matches */
			clear_keys(keys + r * nk, owned + r * nk, nk);
			for (size_t k = 0; k < nk; k++)
				keys[r * nk + k] =
				    (fcat_value){.type = x->types[k], .is_null = true};
			memset(owned + r * nk, 0, nk * sizeof *owned);
		}
	}
	fcat_pit_request req = {
	    .key_columns = x->cols,
	    .key_types = x->types,
	    .nkeys = nk,
	    .ts_column = x->cols[x->ts_col],
	    .created_column = x->created_col >= 0 ? x->cols[x->created_col] : NULL,
	    .columns = x->cols,
	    .types = x->types,
	    .ncolumns = x->ncols,
	    .ttl = fcat__latest_ttl_us(v->ttl_seconds),
	    .keys = keys,
	    .times = q->ent->ts,
	    .nrows = nrows,
	};
	if (rc == 0)
		rc = fcat__pit_pushdown(q->s, v->source, &req, pushed, x);
	if (keys && owned)
		clear_keys(keys, owned, nrows * nk);
	free(keys);
	free(owned);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Joins one view: scan, join on keys and times, scan again for values. */
int fcat__join_view(fcat__treq *q, fcat__hview *hv)
{
	const fcat__view *v = hv->view;
	if (v->aggs)
		return fcat__agg_join_view(q, hv);
	vscan x = {0};
	x.q = q;
	x.hv = hv;
	size_t cap = 1100;
	x.cols = calloc(cap, sizeof *x.cols);
	x.types = calloc(cap, sizeof *x.types);
	hv->values =
	    fcat__arena_alloc(&q->arena, (q->ent->nrows * v->nfeatures + 1) * sizeof *hv->values);
	fcat__latest_ask *left = calloc(q->ent->nrows + 1, sizeof *left);
	uint32_t *match = calloc(q->ent->nrows + 1, sizeof *match);
	fcat__arena_init(&x.scratch, 16 * 1024);
	int rc = x.cols && x.types && hv->values && left && match ? 0 : fcat__error_oom();
	size_t n = 0;
	if (rc)
		goto done; /* the columns below are written unconditionally */
	for (size_t e = 0; rc == 0 && e < v->nentities; e++)
		for (size_t k = 0; k < v->entities[e]->nkeys && n < 64; k++) {
			x.cols[n] = v->entities[e]->keys[k].base.name;
			x.types[n++] = v->entities[e]->keys[k].type;
		}
	x.nkeys = n;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		x.key_col[k] = fcat__entities_find(q->ent, x.cols[k]);
		if (x.key_col[k] < 0)
			rc = fcat__error(FCAT_EINVALID,
			                 "the entity rows lack the join key column '%s' of "
			                 "feature_view '%s'",
			                 x.cols[k], v->base.name);
		else
			rc = fcat__entities_check(q->ent, x.key_col[k], x.types[k]);
	}
	x.ts_col = (int)n;
	x.cols[n] = v->timestamp_field;
	x.types[n++] = (fcat_type){FCAT_TIMESTAMP, false, 0};
	x.created_col = -1;
	if (v->source->created_timestamp_field) {
		x.created_col = (int)n;
		x.cols[n] = v->source->created_timestamp_field;
		x.types[n++] = (fcat_type){FCAT_TIMESTAMP, false, 0};
	}
	if (v->transform.code) {
		for (size_t c = 0; c < v->source->nschema && n < cap; c++) {
			bool have = false;
			for (size_t j = 0; j < n && !have; j++)
				have = !strcmp(x.cols[j], v->source->schema[c].base.name);
			if (!have) {
				x.cols[n] = v->source->schema[c].base.name;
				x.types[n++] = v->source->schema[c].type;
			}
		}
		if (rc == 0)
			rc = fcat__store_tx(q->s, &x.tx);
		if (rc == 0 && (!(x.out = calloc(v->nfeatures + 1, sizeof *x.out)) ||
		                !(x.in = calloc(n + 1, sizeof *x.in))))
			rc = fcat__error_oom();
	} else {
		for (size_t f = 0; f < v->nfeatures && n < cap; f++) {
			x.cols[n] = v->features[f].base.name;
			x.types[n++] = v->features[f].type;
		}
	}
	x.ncols = n;
	/* every row answers null until a match is found */
	for (size_t r = 0; rc == 0 && r < q->ent->nrows; r++)
		for (size_t f = 0; f < v->nfeatures; f++)
			hv->values[r * v->nfeatures + f] =
			    (fcat_value){.type = v->features[f].type, .is_null = true};
	/* the store's own engine joins when it can */
	if (rc == 0) {
		rc = push_down(q, &x);
		if (rc == 0) {
			q->pushed_down++;
			goto done;
		}
		if (rc == FCAT_PIT_DECLINED)
			rc = 0;
	}
	/* the entity rows' keys for this view */
	fcat_value keys[64];
	bool owned[64];
	for (size_t r = 0; rc == 0 && r < q->ent->nrows; r++) {
		bool ok;
		left[r].idx = (uint32_t)r;
		left[r].at = q->ent->ts[r];
		rc = row_keys(q, &x, r, keys, owned, &ok);
		if (ok)
			fcat__latest_hash_wide(x.key.ptr, x.key.len, &left[r].h1, &left[r].h2);
		else
			left[r].at = INT64_MIN; /* no key or no time: nothing matches */
		clear_keys(keys, owned, x.nkeys);
	}
	/* the first scan reads only the keys and times */
	size_t ncols = x.ncols;
	x.ncols = (size_t)(x.created_col >= 0 ? x.created_col : x.ts_col) + 1;
	if (rc == 0)
		rc = fcat__source_scan(q->s, v->source, x.cols, x.types, x.ncols, -1, 0, 0, collect,
		                       &x);
	x.ncols = ncols;
	if (rc == 0) {
		fcat__latest_asof(left, q->ent->nrows, x.right, x.nright,
		                  fcat__latest_ttl_us(v->ttl_seconds), match);
		x.winners = malloc((q->ent->nrows + 1) * sizeof *x.winners);
		if (!x.winners)
			rc = fcat__error_oom();
		for (size_t r = 0; rc == 0 && r < q->ent->nrows; r++)
			if (match[r] !=
			    FCAT_LATEST_NONE) /* rows without a key or time never match */
				x.winners[x.nwinners++] = (uint64_t)match[r] << 32 | r;
	}
	if (rc == 0) {
		qsort(x.winners, x.nwinners, sizeof *x.winners, cmp_u64);
		x.row = 0;
		rc = fcat__source_scan(q->s, v->source, x.cols, x.types, x.ncols, -1, 0, 0, fill,
		                       &x);
	}
done:
	free(x.cols);
	free(x.types);
	free(x.right);
	free(x.winners);
	free(x.out);
	free(x.in);
	free(x.batch_rows);
	free(x.batch_first);
	free(left);
	free(match);
	fcat__buf_free(&x.key);
	fcat__arena_release(&x.scratch);
	return rc;
}
