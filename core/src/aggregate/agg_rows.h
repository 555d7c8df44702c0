/* agg_rows.h - the rows of an aggregation view on their way from its
 * source (materialize) or a push to the online store: source rows laid out
 * as the view reads them, through its transform (a filter and reshaper:
 * nil drops the row), grouped into events per entity key, then merged into
 * each entity's stored tiles with the store's update (read-modify-write):
 * materialize replaces the events of its time range, a push adds. This is
 * what view_rows.h does for an aggregation view. */
#ifndef FCAT_AGGREGATE_AGG_ROWS_H
#define FCAT_AGGREGATE_AGG_ROWS_H

#include "aggregate/agg.h"
#include "serve/online_target.h"

typedef struct fcat__agg_rows fcat__agg_rows;

int fcat__agg_rows_new(fcat__agg_rows **out, const fcat__view *v);
void fcat__agg_rows_free(fcat__agg_rows *r);

/* The scan columns: the join keys, the event time, the created time (when
 * the source has one), then the aggregated columns, or with a transform
 * the source's other declared columns. Borrowed from r. */
size_t fcat__agg_rows_columns(const fcat__agg_rows *r, const char *const **names,
                              const fcat_type **types, int *ts_column);
/* Adds a batch of source rows in that layout (rows with a null key or time
 * are counted as skipped). */
int fcat__agg_rows_add(fcat__agg_rows *r, const fcat_value *cells, size_t nrows);
/* Runs the view's transform over the rows added (nothing without one). */
int fcat__agg_rows_transform(fcat_store *s, fcat__agg_rows *r);
/* Materialize: the events replace the stored ones in [start, end). Without
 * it (a push) they are added. */
void fcat__agg_rows_set_range(fcat__agg_rows *r, int64_t start, int64_t end);
/* Merges the events into the stored rows, 10,000 keys per update call. */
int fcat__agg_rows_write(fcat__agg_rows *r, const fcat__online *target, uint64_t *written);
void fcat__agg_rows_counts(const fcat__agg_rows *r, uint64_t *rows, uint64_t *skipped);

/* The entities and their sorted events, after add (and transform): for
 * fcat verify and training sets. Entity i's encoded key is keys[i]. */
int fcat__agg_rows_entities(fcat__agg_rows *r, size_t *n, const fcat_bytes **keys,
                            fcat__agg_events **events);

/* The index of the entity of an encoded key (made, without events, when
 * new), or -1 when out of memory. */
long fcat__agg_rows_entity(fcat__agg_rows *r, const char *key, size_t len);
/* The same with the key's fcat__latest_hash given, and the two prefetches
 * that go ahead of a batch of lookups: the hash's slot (entry false), then,
 * a few lookups later, the entry the slot points to (entry true). */
long fcat__agg_rows_entity_hashed(fcat__agg_rows *r, const char *key, size_t len, uint64_t hash);
void fcat__agg_rows_prefetch(const fcat__agg_rows *r, uint64_t hash, bool entry);

#endif
