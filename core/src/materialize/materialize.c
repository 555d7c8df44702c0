/* materialize.c - moving the latest source row of each entity key into the
 * online store: scan [start, end), keep the newest row per key, write in
 * transactional batches, record how far each view got. The step from source
 * rows to written online rows is shared with push (view_rows.h). */
#include "fault/fault.h"
#include "materialize/materialize_parts.h"
#include "materialize/view_rows.h"
#include "aggregate/agg_rows.h"
#include "materialize/view_columns.h"

#include "encoding/encoding.h"
#include "latest/latest.h"
#include "offline/scan_pipeline.h"
#include "serve/online_target.h"
#include "store/access.h"
#include "offline/source_scan.h"
#include "offline/source_scan_parts.h"
#include "transform/latest_rows.h"
#include "util/error.h"
#include "util/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Rows per online-store transaction. */
#define WRITE_BATCH 10000
#define META_PREFIX "materialized_until:"

/* The most columns a view reads from its source. */
#define MAX_COLUMNS 1100

typedef struct fcat__view_rows {
	const fcat__view *view;
	const char *cols[MAX_COLUMNS];
	fcat_type types[MAX_COLUMNS];
	bool transformed;        /* rows hold every source column, for the transform */
	size_t nkeys;            /* join key columns come first */
	int ts_col, created_col; /* column indexes, created -1 when none */
	size_t feat_col;         /* first feature column */
	size_t ncols;
	fcat__latest_map latest;
	fcat__key_batch batch; /* a scan batch's keys, hashed ahead */
	fcat__buf rowbuf;
	uint64_t rows, skipped;
	fcat_progress_fn progress;
	void *ctx;
	uint64_t next_report;
	fcat__agg_rows *agg; /* an aggregation view's rows take their own path */
} run;

int fcat__view_rows_add(void *ctx, const fcat_value *cells, size_t nrows)
{
	run *r = ctx;
	const fcat__view *v = r->view;
	if (r->agg)
		return fcat__agg_rows_add(r->agg, cells, nrows);
	int rc = fcat__key_batch_fill(&r->batch, cells, nrows, r->ncols, r->nkeys, r->ts_col,
	                              &r->latest);
	if (rc)
		return rc;
	for (size_t i = 0; i < nrows; i++) {
		const fcat_value *row = cells + i * r->ncols;
		fcat__latest *e;
		if ((rc = fcat__key_batch_entry(&r->batch, &r->latest, i, nrows, true, &e)))
			return rc;
		if (!e) {
			r->skipped++;
			continue;
		}
		int64_t ts = row[r->ts_col].u.ts;
		int64_t created = r->created_col >= 0 && !row[r->created_col].is_null
		                      ? row[r->created_col].u.ts
		                      : INT64_MIN;
		r->rows++;
		if (!fcat__latest_fold_row(e, ts, created))
			continue;
		r->rowbuf.len = 0;
		/* with a transform, keep the source row's other columns (its keys
		 * and times are in the entry): the transform runs once per key on
		 * the winner (fcat__transform_latest), not on every newer row */
		fcat__row_encode(&r->rowbuf, v->data_hash, ts, created, row + r->feat_col,
		                 r->ncols - r->feat_col);
		if (r->rowbuf.oom ||
		    fcat__latest_set_row(&r->latest, e, r->rowbuf.ptr, r->rowbuf.len))
			return fcat__error_oom();
	}
	if (r->progress && r->rows >= r->next_report) {
		r->progress(r->ctx, v->base.name, r->rows);
		r->next_report = r->rows + 250000;
	}
	return 0;
}

/* Sends the latest rows to the online store, WRITE_BATCH per transaction. */
int fcat__view_rows_write(run *r, const fcat__online *target, uint64_t *written)
{
	if (r->agg)
		return fcat__agg_rows_write(r->agg, target, written);
	const fcat_online_ops *ops = target->ops;
	void *handle = target->handle;
	fcat_online_row *batch = malloc(WRITE_BATCH * sizeof *batch);
	if (!batch)
		return fcat__error_oom();
	size_t n = 0;
	/* in key order: a B-tree then fills pages in sequence instead of
	 * rewriting pages all over the tree in every transaction */
	fcat__latest **sorted = fcat__latest_map_sorted(&r->latest);
	int rc = sorted ? 0 : fcat__error_oom();
	for (size_t i = 0; sorted && i < r->latest.len && rc == 0; i++) {
		const fcat__latest *e = sorted[i];
		if (!e->row)
			continue;
		batch[n++] = (fcat_online_row){{(const char *)fcat__latest_key(e), e->key_len},
		                               {(const char *)e->row, e->row_len},
		                               e->event_ts,
		                               e->created_ts};
		if (n == WRITE_BATCH) {
			rc = FCAT__PLUGIN_CALL(ops->write(handle, r->view->base.name, batch, n));
			*written += rc == 0 ? n : 0;
			n = 0;
		}
	}
	if (rc == 0 && n) {
		rc = FCAT__PLUGIN_CALL(ops->write(handle, r->view->base.name, batch, n));
		*written += rc == 0 ? n : 0;
	}
	free(batch);
	free(sorted);
	return rc ? fcat__error_wrap(rc, "writing view '%s' to the online store",
	                             r->view->base.name)
	          : 0;
}

int fcat__view_rows_new(fcat__view_rows **out, const fcat__view *v, fcat_progress_fn progress,
                        void *ctx)
{
	*out = NULL;
	if (v->nfeatures > FCAT__MAX_VIEW_COLUMNS || v->source->nschema > FCAT__MAX_VIEW_COLUMNS)
		return fcat__error(FCAT_EINVALID, "feature_view '%s' has more than %d features",
		                   v->base.name, FCAT__MAX_VIEW_COLUMNS); /* refused at load */
	run *r = calloc(1, sizeof *r);
	if (!r)
		return fcat__error_oom();
	r->view = v;
	r->progress = progress;
	r->ctx = ctx;
	fcat__latest_map_init(&r->latest);
	if (v->aggs) {
		int rc = fcat__agg_rows_new(&r->agg, v);
		if (rc) {
			free(r);
			return rc;
		}
		const char *const *names;
		const fcat_type *types;
		r->ncols = fcat__agg_rows_columns(r->agg, &names, &types, &r->ts_col);
		memcpy(r->cols, names, r->ncols * sizeof *names);
		memcpy(r->types, types, r->ncols * sizeof *types);
		*out = r;
		return 0;
	}
	fcat__view_layout at;
	size_t n = fcat__view_columns(r->cols, r->types, MAX_COLUMNS, &at, v);
	r->nkeys = at.nkeys;
	r->ts_col = at.ts_col;
	r->created_col = at.created_col;
	r->feat_col = at.feat_col;
	r->transformed = at.transformed;
	r->ncols = n;
	*out = r;
	return 0;
}

void fcat__view_rows_free(fcat__view_rows *r)
{
	if (!r)
		return;
	fcat__agg_rows_free(r->agg);
	fcat__latest_map_free(&r->latest);
	fcat__key_batch_free(&r->batch);
	fcat__buf_free(&r->rowbuf);
	free(r);
}

size_t fcat__view_rows_columns(const fcat__view_rows *r, const char *const **names,
                               const fcat_type **types, int *ts_column)
{
	*names = r->cols;
	*types = r->types;
	*ts_column = r->ts_col;
	return r->ncols;
}

int fcat__view_rows_transform(fcat_store *s, fcat__view_rows *r)
{
	if (r->agg)
		return fcat__agg_rows_transform(s, r->agg);
	if (!r->transformed)
		return 0;
	fcat__latest_input in = {r->cols,   r->types,       r->ncols,   r->nkeys,
	                         r->ts_col, r->created_col, r->feat_col};
	return fcat__transform_latest(s, r->view, &r->latest, &in);
}

void fcat__view_rows_set_range(fcat__view_rows *r, int64_t start, int64_t end)
{
	if (r->agg)
		fcat__agg_rows_set_range(r->agg, start, end);
}

int fcat__view_rows_merge(fcat__view_rows *into, const fcat__view_rows *from)
{
	if (into->agg || from->agg) /* not reached: aggregation views are read whole */
		return fcat__error(FCAT_EINVALID,
		                   "internal: the rows of aggregation view '%s' "
		                   "cannot be merged",
		                   into->view->base.name);
	if (fcat__latest_map_merge(&into->latest, &from->latest))
		return fcat__error_oom();
	into->rows += from->rows;
	into->skipped += from->skipped;
	return 0;
}

void fcat__view_rows_counts(const fcat__view_rows *r, uint64_t *rows, uint64_t *skipped)
{
	if (r->agg) {
		fcat__agg_rows_counts(r->agg, rows, skipped);
		return;
	}
	*rows = r->rows;
	*skipped = r->skipped;
}

int fcat__materialize_view(fcat_store *s, const fcat__view *v, int64_t start, int64_t end,
                           const fcat__online *target, fcat_materialize_stats *st,
                           fcat_progress_fn progress, void *ctx, unsigned jobs)
{
	run *r = NULL;
	if (jobs == 0 && fcat__materialize_jobs(&jobs, NULL))
		return -1; /* not reached: the defaults are valid */
	/* the source in parts at once, when its plugin can cut it (an
	 * aggregation view's tiles are not merged: it is read whole) */
	int rc = jobs > 1 && !v->aggs
	             ? fcat__view_rows_scan_parts(&r, s, v, start, end, jobs, progress, ctx)
	             : FCAT__SCAN_ONE;
	if (rc == FCAT__SCAN_ONE) {
		if ((rc = fcat__view_rows_new(&r, v, progress, ctx)) != 0)
			return rc;
		fcat__view_rows_set_range(r, start, end);
		/* parsing on this thread, keeping the latest row per key on another */
		rc = fcat__source_scan_pipelined(s, v->source, r->cols, r->types, r->ncols,
		                                 r->ts_col, start, end, fcat__view_rows_add, r);
	}
	if (!r)
		return rc;
	if (rc == 0)
		rc = fcat__view_rows_transform(s, r);
	if (rc == 0)
		rc = fcat__view_rows_write(r, target, &st->keys_written);
	if (rc == 0) {
		char key[512], value[32];
		snprintf(key, sizeof key, META_PREFIX "%s", v->base.name);
		snprintf(value, sizeof value, "%lld", (long long)end);
		rc = FCAT__PLUGIN_CALL(target->ops->meta_set(target->handle, key, value));
	}
	uint64_t rows, skipped;
	fcat__view_rows_counts(r, &rows, &skipped);
	if (progress)
		progress(ctx, v->base.name, rows);
	st->rows_read += rows;
	st->rows_skipped += skipped;
	st->views++;
	fcat__view_rows_free(r);
	return rc;
}

/* The views to run: the named ones, or every online view. */
static int pick_views(const fcat_store *s, const char *const *names, size_t n,
                      const fcat__view ***out, size_t *count)
{
	const fcat__objvec *all = &s->catalog->objects[FCAT_OBJ_VIEW];
	const fcat__view **v = calloc(all->len + n + 1, sizeof *v);
	if (!v)
		return fcat__error_oom();
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		const fcat_object *o = fcat__strmap_get(&s->catalog->by_name, names[i]);
		if (!o || o->kind != FCAT_OBJ_VIEW) {
			free(v);
			return fcat__error(FCAT_ENOTFOUND, "unknown feature view '%s'", names[i]);
		}
		if (!((const fcat__view *)o)->online) {
			free(v);
			return fcat__error(FCAT_EINVALID, "feature view '%s' is not online",
			                   names[i]);
		}
		v[(*count)++] = (const fcat__view *)o;
	}
	for (size_t i = 0; !n && i < all->len; i++)
		if (((const fcat__view *)all->items[i])->online)
			v[(*count)++] = (const fcat__view *)all->items[i];
	*out = v;
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_all(fcat_materialize_stats *stats, fcat_store *s, const int64_t *start, int64_t end,
                   const char *const *names, size_t n, fcat_progress_fn progress, void *ctx,
                   const fcat_materialize_options *options)
{
	unsigned jobs;
	int orc = fcat__materialize_jobs(&jobs, options);
	if (orc)
		return orc;
	fcat_materialize_stats st = {0};
	double t0 = now_seconds();
	const fcat__view **views = NULL;
	size_t count = 0;
	int rc = pick_views(s, names, n, &views, &count);
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = fcat__access_view(s, &s->caller, FCAT__PA_WRITE, views[i]);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		int64_t from = start ? *start : INT64_MIN;
		if (!start) {
			/* incremental: where the last run ended, else end - ttl */
			const fcat_online_ops *ops;
			void *handle;
			char key[512], value[64];
			snprintf(key, sizeof key, META_PREFIX "%s", views[i]->base.name);
			rc = fcat__store_online(s, &ops, &handle);
			if (rc)
				break;
			int got =
			    FCAT__PLUGIN_CALL(ops->meta_get(handle, key, value, sizeof value));
			if (got >= 0)
				from = strtoll(value, NULL, 10);
			else if (views[i]->ttl_seconds)
				from = end - views[i]->ttl_seconds * 1000000;
			fcat__error_clear();
		}
		fcat__online target;
		if (from < end && (rc = fcat__store_online(s, &target.ops, &target.handle)) == 0)
			rc = fcat__materialize_view(s, views[i], from, end, &target, &st, progress,
			                            ctx, jobs);
	}
	free(views);
	st.seconds = now_seconds() - t0;
	if (stats)
		*stats = st;
	return rc;
}

int fcat_materialize_ext(fcat_materialize_stats *stats, fcat_store *s, int64_t start, int64_t end,
                         const char *const *views, size_t nviews, fcat_progress_fn progress,
                         void *ctx, const fcat_materialize_options *options)
{
	if (start >= end)
		return fcat__error(FCAT_EINVALID, "materialize: START must be before END");
	return run_all(stats, s, &start, end, views, nviews, progress, ctx, options);
}

int fcat_materialize_incremental_ext(fcat_materialize_stats *stats, fcat_store *s, int64_t end,
                                     const char *const *views, size_t nviews,
                                     fcat_progress_fn progress, void *ctx,
                                     const fcat_materialize_options *options)
{
	return run_all(stats, s, NULL, end, views, nviews, progress, ctx, options);
}

int fcat_materialize(fcat_materialize_stats *stats, fcat_store *s, int64_t start, int64_t end,
                     const char *const *views, size_t nviews, fcat_progress_fn progress, void *ctx)
{
	return fcat_materialize_ext(stats, s, start, end, views, nviews, progress, ctx, NULL);
}

int fcat_materialize_incremental(fcat_materialize_stats *stats, fcat_store *s, int64_t end,
                                 const char *const *views, size_t nviews, fcat_progress_fn progress,
                                 void *ctx)
{
	return fcat_materialize_incremental_ext(stats, s, end, views, nviews, progress, ctx, NULL);
}
