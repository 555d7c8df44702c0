/* verify_aggregations.c - `fcat verify` for a view with window
 * aggregations: for sampled entities and cut-off times (the end of the
 * data, exactly at an event, exactly one window after it and just before),
 * each feature through three paths, compared bit for bit:
 *   offline   - a training set (fcat_get_historical_columns),
 *   materialized - materialize into a scratch store, read online at the cut,
 *   pushed    - the same source rows replayed in a shuffled order, in
 *               batches of random sizes, through push's online path into
 *               another scratch store (late and out-of-order events), read
 *               online at the cut. */
#include "aggregate/agg_rows.h"
#include "encoding/encoding.h"
#include "materialize/view_rows.h"
#include "offline/source_scan.h"
#include "serve/feature_set.h"
#include "training/column.h"
#include "util/error.h"
#include "util/fs.h"
#include "values/value_copy.h"
#include "verify/scratch_store.h"
#include "verify/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCUTS        5
#define MAX_REPORTED 50

typedef struct agg_verify {
	fcat_store *s;
	const fcat__view *v;
	fcat__verify_counts *out;
	uint64_t rng;
	fcat__agg_rows *all; /* every event, to draw entities and times from */
	const fcat_bytes *keys;
	fcat__agg_events *events;
	size_t nentities;
	/* one cut */
	int64_t cut;
	fcat_bytes *sample; /* encoded keys of the sampled entities */
	fcat_bytes *sorted; /* the same, sorted: every source row is looked up */
	fcat_value *skeys;  /* their key values, nkeys each */
	size_t nsample, nkeys;
	const char *const *cols;
	const fcat_type *types;
	size_t ncols;
	fcat__arena arena;
	/* replay: the source rows of the sampled entities up to the cut */
	fcat_value *rows;
	size_t nrows, cap;
	fcat__buf keybuf;
} agg_verify;

static int bytes_cmp(const void *a, const void *b)
{
	const fcat_bytes *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->len ? memcmp(x->ptr, y->ptr, x->len) : 0;
}

static bool sampled(const agg_verify *x, const fcat__buf *key)
{
	fcat_bytes k = {key->ptr, key->len};
	return bsearch(&k, x->sorted, x->nsample, sizeof k, bytes_cmp) != NULL;
}

/* Keeps the source rows (up to the cut) of sampled entities. */
static int keep_rows(void *ctx, const fcat_value *cells, size_t nrows)
{
	agg_verify *x = ctx;
	for (size_t i = 0; i < nrows; i++) {
		const fcat_value *row = cells + i * x->ncols;
		x->keybuf.len = 0;
		int krc = fcat__key_encode(&x->keybuf, row, x->nkeys);
		if (krc == FCAT_ENOMEM || x->keybuf.oom)
			return fcat__error_oom();
		if (krc) { /* a null key: never pushed either */
			fcat__error_clear();
			continue;
		}
		if (!sampled(x, &x->keybuf))
			continue;
		if (x->nrows == x->cap) {
			size_t cap = x->cap ? 2 * x->cap : 256;
			fcat_value *r = realloc(x->rows, cap * x->ncols * sizeof *r);
			if (!r)
				return fcat__error_oom();
			x->rows = r;
			x->cap = cap;
		}
		for (size_t c = 0; c < x->ncols; c++)
			if (fcat__value_copy(&x->arena, &x->rows[x->nrows * x->ncols + c], &row[c]))
				return fcat__error_oom();
		x->nrows++;
	}
	return 0;
}

/* Replays the kept rows into `target` shuffled, in batches of 1 to 64
 * rows, each through push's online path (view_rows.h). */
static int replay(agg_verify *x, const fcat__online *target)
{
	size_t n = x->nrows, w = x->ncols;
	fcat_value tmp[1100];
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(fcat__verify_rand(&x->rng) % i);
		memcpy(tmp, &x->rows[(i - 1) * w], w * sizeof *tmp);
		memcpy(&x->rows[(i - 1) * w], &x->rows[j * w], w * sizeof *tmp);
		memcpy(&x->rows[j * w], tmp, w * sizeof *tmp);
	}
	int rc = 0;
	uint64_t written = 0;
	for (size_t at = 0; rc == 0 && at < n;) {
		size_t len = 1 + (size_t)(fcat__verify_rand(&x->rng) % 64);
		if (len > n - at)
			len = n - at;
		fcat__view_rows *r;
		if ((rc = fcat__view_rows_new(&r, x->v, NULL, NULL)))
			break;
		rc = fcat__view_rows_add(r, &x->rows[at * w], len);
		if (rc == 0)
			rc = fcat__view_rows_transform(x->s, r);
		if (rc == 0)
			rc = fcat__view_rows_write(r, target, &written);
		fcat__view_rows_free(r);
		at += len;
	}
	return rc;
}

/* The offline values: a training set of the sampled entities at the cut. */
static int offline_values(agg_verify *x, fcat_training_set **out)
{
	size_t nk = x->nkeys, n = x->nsample;
	fcat__colbuild b[65];
	fcat_column cols[65];
	for (size_t k = 0; k <= nk; k++)
		fcat__colbuild_init(&b[k],
		                    k < nk ? x->types[k] : (fcat_type){FCAT_TIMESTAMP, false, 0});
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		for (size_t k = 0; rc == 0 && k < nk; k++)
			rc = fcat__colbuild_add(&b[k], &x->skeys[i * nk + k]);
		fcat_value t = {.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = x->cut};
		if (rc == 0)
			rc = fcat__colbuild_add(&b[nk], &t);
	}
	for (size_t k = 0; k <= nk; k++)
		cols[k] = fcat__colbuild_column(&b[k], k < nk ? x->cols[k] : "event_timestamp");
	const char *ref = x->v->base.name;
	if (rc == 0)
		rc =
		    fcat_get_historical_columns(out, NULL, x->s, cols, nk + 1, &ref, 1, NULL, NULL);
	for (size_t k = 0; k <= nk; k++)
		fcat__colbuild_free(&b[k]);
	return rc;
}

static void difference(agg_verify *x, const char *path, size_t i, const char *feature,
                       const fcat_value *offline, const fcat_value *online)
{
	x->out->differences++;
	if (x->out->differences > MAX_REPORTED)
		return;
	char key[256], cut[40], *a = NULL, *b = NULL;
	fcat__key_text(key, sizeof key, x->cols, &x->skeys[i * x->nkeys], x->nkeys);
	fcat_timestamp_format(cut, sizeof cut, x->cut);
	if (!offline->is_null)
		fcat_value_format(&a, offline);
	if (!online->is_null)
		fcat_value_format(&b, online);
	fcat__buf_printf(x->out->details,
	                 "feature_view feature '%s', entity %s at %s: offline %s, %s %s\n", feature,
	                 key, cut, a ? a : "null", path, b ? b : "null");
	fcat_free(a);
	fcat_free(b);
}

/* Reads the sampled entities at the cut from `target` and compares each
 * value with the training set's. */
static int compare(agg_verify *x, const fcat__online *target, const char *path,
                   const fcat_training_set *ts)
{
	const fcat__view *v = x->v;
	fcat_feature_set *set = NULL;
	fcat_online_result *res = NULL;
	const char *ref = v->base.name;
	int rc = fcat_feature_set_new(&set, x->s, &ref, 1);
	if (rc == 0)
		rc = fcat_online_result_new(&res);
	if (rc == 0)
		rc = fcat__online_read(res, x->s, target, set, x->skeys, NULL, x->nsample, x->cut);
	fcat__buf scratch = {0};
	for (size_t f = 0; rc == 0 && f < v->nfeatures; f++) {
		fcat_column col;
		if ((rc = fcat_training_set_column(&col, ts, x->nkeys + 1 + f)))
			break;
		for (size_t i = 0; rc == 0 && i < x->nsample; i++) {
			fcat_value off;
			scratch.len = 0;
			if ((rc = fcat__column_cell(&off, &col, i, &scratch)))
				break;
			const fcat_feature_value *on = fcat_online_result_at(res, i, f);
			x->out->checked++;
			if (!fcat__same_value(&off, &on->value))
				difference(x, path, i, v->features[f].base.name, &off, &on->value);
		}
	}
	fcat__buf_free(&scratch);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	return rc;
}

/* Draws the entities of one cut (and, every 50th, one nobody has seen). */
static int draw(agg_verify *x, size_t n)
{
	x->nsample = 0;
	for (size_t i = 0; i < n; i++) {
		fcat_bytes key = x->keys[fcat__verify_rand(&x->rng) % x->nentities];
		fcat_value *kv = &x->skeys[x->nsample * x->nkeys];
		if (fcat__key_decode(kv, x->nkeys, x->types, (const unsigned char *)key.ptr,
		                     key.len) != 0)
			return fcat__error(FCAT_EINVALID, "verify: an entity key does not decode");
		if (i % 50 == 49) {
			if (kv[0].type.scalar == FCAT_STRING || kv[0].type.scalar == FCAT_BYTES)
				kv[0].u.str = (fcat_bytes){"\x01unknown-entity", 15};
			else if (kv[0].type.scalar == FCAT_INT32)
				kv[0].u.i32 = INT32_MIN + 7;
			else
				kv[0].u.i64 = INT64_MIN + 7;
			x->keybuf.len = 0;
			if (fcat__key_encode(&x->keybuf, kv, x->nkeys) || x->keybuf.oom)
				return fcat__error_oom();
			char *p = fcat__arena_alloc_uninit(&x->arena, x->keybuf.len);
			if (!p)
				return fcat__error_oom();
			memcpy(p, x->keybuf.ptr, x->keybuf.len);
			key = (fcat_bytes){p, x->keybuf.len};
		}
		x->sample[x->nsample++] = key;
	}
	memcpy(x->sorted, x->sample, x->nsample * sizeof *x->sorted);
	qsort(x->sorted, x->nsample, sizeof *x->sorted, bytes_cmp);
	return 0;
}

static int run_cut(agg_verify *x, const char *scratch, int cutno, size_t per_cut)
{
	int rc = draw(x, per_cut);
	fcat_training_set *ts = NULL;
	if (rc == 0)
		rc = offline_values(x, &ts);
	char dir[4200];
	for (int path = 0; rc == 0 && path < 2; path++) {
		snprintf(dir, sizeof dir, "%s/agg%d-%d", scratch, cutno, path);
		fcat__scratch_store st;
		if ((rc = fcat__scratch_store_open_for(&st, x->s, dir, true))) {
			fcat__remove_tree(dir);
			break;
		}
		if (path == 0) {
			fcat_materialize_stats ms = {0};
			rc = fcat__materialize_view(x->s, x->v, INT64_MIN, x->cut + 1, &st.target,
			                            &ms, NULL, NULL, 0);
		} else {
			x->nrows = 0;
			rc = fcat__source_scan(x->s, x->v->source, x->cols, x->types, x->ncols,
			                       x->nkeys /* the event time */, INT64_MIN, x->cut + 1,
			                       keep_rows, x);
			if (rc == 0)
				rc = replay(x, &st.target);
		}
		if (rc == 0)
			rc = compare(x, &st.target, path == 0 ? "materialized" : "pushed", ts);
		fcat__scratch_store_close(&st);
		fcat__remove_tree(dir);
	}
	fcat_training_set_free(ts);
	x->out->samples += x->nsample;
	return rc;
}

static int add_all(void *ctx, const fcat_value *cells, size_t nrows)
{
	return fcat__agg_rows_add(ctx, cells, nrows);
}

int fcat__verify_aggregations(fcat__verify_counts *out, fcat_store *s, const fcat__view *v,
                              const char *scratch, size_t sample, uint64_t seed)
{
	agg_verify x = {.s = s, .v = v, .out = out, .rng = seed};
	fcat__arena_init(&x.arena, 1 << 16);
	int rc = fcat__agg_rows_new(&x.all, v);
	int ts = 0;
	if (rc == 0)
		x.ncols = fcat__agg_rows_columns(x.all, &x.cols, &x.types, &ts);
	x.nkeys = (size_t)ts;
	if (rc == 0)
		rc = fcat__source_scan(s, v->source, x.cols, x.types, x.ncols, -1, 0, 0, add_all,
		                       x.all);
	if (rc == 0)
		rc = fcat__agg_rows_transform(s, x.all);
	if (rc == 0)
		rc = fcat__agg_rows_entities(x.all, &x.nentities, &x.keys, &x.events);
	int64_t lo = INT64_MAX, hi = INT64_MIN, some = INT64_MIN, wmin = INT64_MAX;
	for (size_t e = 0; e < x.nentities; e++)
		for (size_t i = 0; i < x.events[e].n; i++) {
			int64_t t = x.events[e].when[i].ts;
			lo = t < lo ? t : lo;
			hi = t > hi ? t : hi;
			if (fcat__verify_rand(&x.rng) % (i + 1) == 0)
				some = t;
		}
	for (size_t f = 0; f < v->naggs; f++)
		wmin = v->aggs[f].window < wmin ? v->aggs[f].window : wmin;
	size_t per_cut = (sample + NCUTS - 1) / NCUTS;
	if (per_cut > 2000)
		per_cut = 2000; /* each sampled entity's rows are replayed */
	x.sample = calloc(per_cut + 1, sizeof *x.sample);
	x.sorted = calloc(per_cut + 1, sizeof *x.sorted);
	x.skeys = calloc((per_cut + 1) * (x.nkeys + 1), sizeof *x.skeys);
	if (rc == 0 && (!x.sample || !x.sorted || !x.skeys))
		rc = fcat__error_oom();
	/* the end of the data; exactly at an event (in its windows); exactly
	 * the shortest window after it (out) and a microsecond before (in);
	 * the middle */
	bool any = hi >= lo; /* events exist (times are within years 1..9999) */
	int64_t cuts[NCUTS] = {hi, some, 0, 0, 0};
	if (any) {
		cuts[2] = some + wmin * 1000000;
		cuts[3] = cuts[2] - 1;
		cuts[4] = lo + (hi - lo) / 2;
	}
	for (int c = 0; rc == 0 && any && c < NCUTS; c++) {
		x.cut = cuts[c];
		rc = run_cut(&x, scratch, c, per_cut);
	}
	fcat__agg_rows_free(x.all);
	free(x.sample);
	free(x.sorted);
	free(x.skeys);
	free(x.rows);
	fcat__buf_free(&x.keybuf);
	fcat__arena_release(&x.arena);
	return rc ? fcat__error_wrap(rc, "verify feature_view '%s'", v->base.name) : 0;
}
