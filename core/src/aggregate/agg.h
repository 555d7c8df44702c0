/* agg.h - window aggregations: the value of an aggregated column in an
 * event, the one implementation of each function (a state that takes
 * events, merges, and gives the feature's value), events in time order,
 * and the stored form of an entity's tiles in the online store.
 *
 * A feature at time T covers the events with T - window < ts <= T. The
 * unit of storage is the tile: the events of one entity within one
 * aggregation interval (floor(ts / interval)). Sums are exact (xsum.h) and
 * every tie is broken by a total order (time, created time, then value), so
 * any path that feeds a state the same events in any order, or merges the
 * states of any split of them, gets the same bits: training sets, online
 * reads over tiles and replayed pushes agree exactly. */
#ifndef FCAT_AGGREGATE_AGG_H
#define FCAT_AGGREGATE_AGG_H

#include "aggregate/xsum.h"
#include "catalog/model.h"
#include "util/arena.h"
#include "util/buf.h"

/* How a column's values are held: integers (int32, int64, bool,
 * timestamp), reals (float32, float64), text (string, bytes), or only
 * whether they are null (arrays, which can only be counted). */
typedef enum fcat__aval_kind {
	FCAT__AV_INT,
	FCAT__AV_REAL,
	FCAT__AV_TEXT,
	FCAT__AV_NONE
} fcat__aval_kind;

typedef struct fcat__aval {
	bool null;
	union {
		int64_t i;
		double d;
		fcat_bytes s;
	} u;
} fcat__aval;

fcat__aval_kind fcat__aval_kind_of(fcat_type t);
/* The value of v (of type t) as an aval; strings borrow v's bytes. */
fcat__aval fcat__aval_of(const fcat_value *v, fcat_type t);
/* A total order of values of one kind (reals by their IEEE total order). */
int fcat__aval_cmp(const fcat__aval *a, const fcat__aval *b, fcat__aval_kind k);

/* An event's place in time: newer is larger (ts, then created time, a
 * null created time, INT64_MIN, being the oldest). */
typedef struct fcat__agg_when {
	int64_t ts, created;
} fcat__agg_when;

/* One of last_distinct's values with the newest time it was seen. */
typedef struct fcat__agg_seen {
	fcat__aval v;
	fcat__agg_when when;
} fcat__agg_seen;

/* The partial aggregate of one feature over some events. */
typedef struct fcat__agg_state {
	const fcat__aggregation *agg;
	fcat__aval_kind kind;
	int64_t n;            /* values taken (events, for a count without column) */
	__int128 isum;        /* integer sums */
	fcat__xsum *sum, *sq; /* real sums; sums and squares for stddev */
	bool have, nan;
	fcat__aval best; /* min, max, last */
	fcat__agg_when best_when;
	fcat__agg_seen *seen; /* last_distinct: newest first, at most 2n */
	uint32_t nseen;
} fcat__agg_state;

/* Makes an empty state for `a` (memory from the arena, which must outlive
 * it). Returns 0 or FCAT_ENOMEM. */
int fcat__agg_state_init(fcat__agg_state *st, const fcat__aggregation *a, fcat__arena *arena);
void fcat__agg_state_reset(fcat__agg_state *st);
/* Takes one event's value (sign 1), or gives it back (sign -1: only for
 * count, sum, mean and stddev, whose states are exact). */
void fcat__agg_state_add(fcat__agg_state *st, const fcat__aval *v, fcat__agg_when when, int sign);
/* True when the function can give an event back (fcat__agg_state_add
 * with sign -1). */
bool fcat__agg_invertible(fcat__agg_fn fn);
/* Adds every event of b into a (states of the same aggregation). */
void fcat__agg_state_merge(fcat__agg_state *a, const fcat__agg_state *b);
/* The feature's value (of type `type`): count and sum of nothing are 0;
 * mean, min, max and last of nothing, and stddev of fewer than two values,
 * are null; last_distinct of nothing is an empty array. Arrays and strings
 * go into `out_arena`. Returns 0, FCAT_EINVALID (an integer sum past
 * int64), or FCAT_ENOMEM. */
int fcat__agg_state_value(fcat_value *out, const fcat__agg_state *st, fcat_type type,
                          fcat__arena *out_arena);

/* Events of one entity in time order: ts, created and one value per input
 * column. */
typedef struct fcat__agg_events {
	size_t n, cap, ninputs;
	fcat__agg_when *when;
	fcat__aval *vals; /* n * ninputs */
	bool view;        /* the arrays are another's (copied out before growing) */
} fcat__agg_events;

void fcat__agg_events_free(fcat__agg_events *e);

/* Event i's value of a's column (a null for a count of events, which
 * reads no column). */
static inline const fcat__aval *fcat__agg_event_value(const fcat__agg_events *e, size_t i,
                                                      const fcat__aggregation *a)
{
	static const fcat__aval none = {.null = true};
	return a->input >= 0 ? &e->vals[i * e->ninputs + (size_t)a->input] : &none;
}
/* Appends an event (strings borrowed). Returns 0 or FCAT_ENOMEM. */
int fcat__agg_events_push(fcat__agg_events *e, fcat__agg_when when, const fcat__aval *vals);
/* Sorts by time (stable among equal times). */
int fcat__agg_events_sort(fcat__agg_events *e);
/* First index with when.ts > t (events sorted). */
size_t fcat__agg_events_after(const fcat__agg_events *e, int64_t t);

/* The value of feature f of view v at time `at` over sorted events:
 * those with at - window < ts <= at. `states` holds one initialized state
 * per aggregation of v (reset here). */
int fcat__agg_eval(fcat_value *out, const fcat__view *v, size_t f, fcat__agg_state *st,
                   const fcat__agg_events *e, int64_t at, fcat__arena *out_arena);

/* The online store's row of one entity of an aggregation view: the
 * 24-byte row header (newest event time and its created time), the view's
 * data hash, then the events of the tiles still inside the longest window
 * (see agg_row.c for the bytes). */
void fcat__agg_row_encode(fcat__buf *out, const fcat__view *v, const fcat__agg_events *e);
/* Decodes a row's events (strings point into the row) and its header.
 * FCAT_EINVALID for bytes that are not such a row of this view's inputs. */
int fcat__agg_row_decode(fcat__agg_events *e, int64_t *newest, const unsigned char *hash_out[1],
                         const fcat__view *v, const unsigned char *row, size_t len);
/* Drops the tiles that no window can reach any more once `newest` is
 * the newest event: those ending at or before newest - the longest window. */
void fcat__agg_events_prune(fcat__agg_events *e, const fcat__view *v, int64_t newest);
/* Replaces the events with start <= ts < end by those of `fresh` in that
 * range (materialize), or with end == start adds all of fresh (push).
 * Result sorted. Returns 0 or FCAT_ENOMEM. */
int fcat__agg_events_splice(fcat__agg_events *into, const fcat__agg_events *fresh, int64_t start,
                            int64_t end);

/* An online read of one entity of aggregation view v: every feature of
 * the stored row at `now`, into out[0..nfeatures); h gets the row's data
 * hash and the newest event at or before `now`. `events` is scratch the
 * caller keeps between reads (fcat__agg_events_free); arrays and states
 * come from `scratch`. FCAT_EINVALID for a row that is not this view's.
 * A NULL row (an entity with none) gives the values of an empty window:
 * count and sum 0, the others null, as a training set gives them. */
struct fcat__row_header;
int fcat__agg_row_values(fcat_value *out, struct fcat__row_header *h, const fcat__view *v,
                         const unsigned char *row, size_t len, int64_t now,
                         fcat__agg_events *events, fcat__arena *scratch);

#endif
