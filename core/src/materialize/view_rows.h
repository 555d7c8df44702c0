/* view_rows.h - the one path from a view's source rows to its online rows,
 * shared by materialize and push: keep the latest row per entity key
 * (event time, then created time), run the view's transform once on each
 * winner, encode, write to the online store. Implemented in materialize.c,
 * beside the scan that feeds it. */
#ifndef FCAT_MATERIALIZE_VIEW_ROWS_H
#define FCAT_MATERIALIZE_VIEW_ROWS_H

#include "serve/online_target.h"

typedef struct fcat__view_rows fcat__view_rows;

/* Starts an empty set of latest rows for view `v`; `progress` (may be NULL)
 * hears of the rows added now and then. Free with fcat__view_rows_free. */
int fcat__view_rows_new(fcat__view_rows **out, const fcat__view *v, fcat_progress_fn progress,
                        void *ctx);

void fcat__view_rows_free(fcat__view_rows *r);

/* The columns source rows must come in, in order: the join keys, the event
 * time, the created time (when the source has one), then the features, or
 * with a transform the source's other declared columns. Borrowed from r. */
size_t fcat__view_rows_columns(const fcat__view_rows *r, const char *const **names,
                               const fcat_type **types, int *ts_column);

/* Adds a batch of source rows (nrows * columns values, row-major): an
 * fcat_scan_fn over a fcat__view_rows. Rows with a null key or time are
 * counted as skipped. */
int fcat__view_rows_add(void *r, const fcat_value *cells, size_t nrows);

/* Runs the view's transform on the latest row of every key (nothing to do
 * without a transform). On error nothing of r may be written. */
int fcat__view_rows_transform(fcat_store *s, fcat__view_rows *r);

/* Writes the latest rows to `target`, at most 10,000 per write call (one
 * transaction each), in key order; adds the keys written to *written. */
int fcat__view_rows_write(fcat__view_rows *r, const fcat__online *target, uint64_t *written);

/* Adds the rows of `from`, which came after all of `into`'s in the scan,
 * to `into` (the latest row per key, and the counts), as if they had been
 * added to it in turn. `from` is left as it was. Not for aggregation views
 * (FCAT_EINVALID): they are read with one scan. */
int fcat__view_rows_merge(fcat__view_rows *into, const fcat__view_rows *from);

/* Materialize's time range: an aggregation view's rows replace the stored
 * events in [start, end); without it (a push) they are added. */
void fcat__view_rows_set_range(fcat__view_rows *r, int64_t start, int64_t end);

/* Rows added, and rows skipped for a null key or event time. */
void fcat__view_rows_counts(const fcat__view_rows *r, uint64_t *rows, uint64_t *skipped);

#endif
