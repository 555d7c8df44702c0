/* materialize_parts.c - a view's source rows read in parts at once: each
 * part, on a thread of its own, folds its rows into latest rows of its own;
 * then the parts are merged in scan order, so the result is the one a
 * single scan gives, entry for entry. The transform and the writes that
 * follow are the single scan's (materialize.c). */
#include "materialize/materialize_parts.h"

#include "offline/source_scan_parts.h"
#include "util/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* Rows between two progress reports. */
#define REPORT_EVERY 250000

typedef struct progress_state {
	fcat_progress_fn fn;
	void *ctx;
	const char *view;
	atomic_uint_fast64_t rows;
	atomic_uint_fast64_t next_report; /* set under lock */
	pthread_mutex_t lock;
} progress_state;

typedef struct part_ctx {
	fcat__view_rows *rows;
	progress_state *progress;
} part_ctx;

static int add_part(void *ctx, const fcat_value *cells, size_t nrows)
{
	part_ctx *p = ctx;
	int rc = fcat__view_rows_add(p->rows, cells, nrows);
	progress_state *ps = p->progress;
	if (rc || !ps->fn)
		return rc;
	uint64_t rows = atomic_fetch_add(&ps->rows, nrows) + nrows;
	/* one thread reports at a time; the others go on */
	if (rows >= atomic_load_explicit(&ps->next_report, memory_order_relaxed) &&
	    pthread_mutex_trylock(&ps->lock) == 0) {
		if (rows >= atomic_load_explicit(&ps->next_report, memory_order_relaxed)) {
			ps->fn(ps->ctx, ps->view, rows);
			atomic_store_explicit(&ps->next_report, rows + REPORT_EVERY,
			                      memory_order_relaxed);
		}
		pthread_mutex_unlock(&ps->lock);
	}
	return 0;
}

int fcat__view_rows_scan_parts(fcat__view_rows **out, fcat_store *s, const fcat__view *v,
                               int64_t start, int64_t end, unsigned jobs, fcat_progress_fn progress,
                               void *ctx)
{
	*out = NULL;
	part_ctx *parts = calloc(jobs, sizeof *parts);
	void **ctxs = calloc(jobs, sizeof *ctxs);
	progress_state ps = {.fn = progress, .ctx = ctx, .view = v->base.name};
	atomic_init(&ps.rows, 0);
	atomic_init(&ps.next_report, 0);
	pthread_mutex_init(&ps.lock, NULL);
	int rc = parts && ctxs ? 0 : fcat__error_oom();
	for (unsigned i = 0; rc == 0 && i < jobs; i++) {
		rc = fcat__view_rows_new(&parts[i].rows, v, NULL, NULL);
		parts[i].progress = &ps;
		ctxs[i] = &parts[i];
	}
	if (rc == 0) {
		const char *const *cols;
		const fcat_type *types;
		int ts_col;
		size_t n = fcat__view_rows_columns(parts[0].rows, &cols, &types, &ts_col);
		rc = fcat__source_scan_parts(s, v->source, cols, types, n, ts_col, start, end, jobs,
		                             add_part, ctxs);
	}
	/* in scan order: part 0's rows came first */
	for (unsigned i = 1; rc == 0 && i < jobs; i++)
		rc = fcat__view_rows_merge(parts[0].rows, parts[i].rows);
	for (unsigned i = parts ? 1 : jobs; i < jobs; i++)
		fcat__view_rows_free(parts[i].rows);
	if (parts && rc != FCAT__SCAN_ONE)
		*out = parts[0].rows;
	else if (parts)
		fcat__view_rows_free(parts[0].rows);
	free(parts);
	free(ctxs);
	pthread_mutex_destroy(&ps.lock);
	return rc;
}
