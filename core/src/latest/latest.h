/* latest.h - the latest-row engine: which source row of an entity key is
 * "the latest" at a time, one rule for materialize and for training sets.
 *
 * The rule, in three parts every caller shares:
 *  - order: rows of one key are ordered by (event time, created time), a
 *    null created time (INT64_MIN) below every other; of rows equal in both,
 *    the first in scan order stays (fcat__latest_newer);
 *  - window: the latest row at T is the newest with T - ttl <= ts <= T, no
 *    lower bound without a ttl (fcat__latest_ttl_us, fcat__latest_within);
 *  - keys: encoded entity keys (encoding.h), hashed by fcat__latest_hash.
 *
 * Its shape is "per-key state, fold a row, answer at T":
 *  - fcat__latest_map holds one state per key (fcat__latest, the newest
 *    row so far) and folds rows as they are scanned: materialize answers at
 *    the end of its range, for every key;
 *  - fcat__latest_asof answers at many times T: it sorts keys and rows, then
 *    per key folds the rows up to each T in time order (fcat__latest_fold)
 *    and answers from the state (fcat__latest_answer).
 * A window aggregation is the same shape with another state (partial
 * aggregates per time tile) and another answer (tiles combined over
 * (T - window, T]). */
#ifndef FCAT_LATEST_LATEST_H
#define FCAT_LATEST_LATEST_H

#include "util/arena.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* The rule                                                                  */
/* ------------------------------------------------------------------------ */

/* True when a row at (ts, created) replaces the latest row so far at
 * (than_ts, than_created): it is strictly greater in (event, created)
 * time. A tie keeps the row seen first. */
static inline bool fcat__latest_newer(int64_t ts, int64_t created, int64_t than_ts,
                                      int64_t than_created)
{
	return ts > than_ts || (ts == than_ts && created > than_created);
}

/* A view's ttl in microseconds: 0 (no lower bound) without one, INT64_MAX
 * when the seconds do not fit in int64 microseconds (past 292,000 years: a
 * window bound only where T - ttl is an int64, which is as good as none). */
static inline int64_t fcat__latest_ttl_us(int64_t ttl_seconds)
{
	if (ttl_seconds <= 0)
		return 0;
	return ttl_seconds > INT64_MAX / 1000000 ? INT64_MAX : ttl_seconds * 1000000;
}

/* True when a row at ts <= at is inside the window of `at`: no lower bound
 * without a ttl (ttl_us <= 0) or where at - ttl_us is below INT64_MIN,
 * else ts >= at - ttl_us. */
static inline bool fcat__latest_within(int64_t ts, int64_t at, int64_t ttl_us)
{
	return ttl_us <= 0 || at < INT64_MIN + ttl_us || ts >= at - ttl_us;
}

/* The hash of an encoded key (the map's, and the first half of the wide
 * one). */
uint64_t fcat__latest_hash(const void *key, size_t len);

/* A 128-bit hash of an encoded key: h1 is fcat__latest_hash, h2 an
 * independent one. fcat__latest_asof compares keys by it alone: a
 * collision of both among even 10^9 keys has a probability below 10^-20. */
void fcat__latest_hash_wide(const void *key, size_t len, uint64_t *h1, uint64_t *h2);

/* ------------------------------------------------------------------------ */
/* Per-key state, folded as rows come (materialize)                          */
/* ------------------------------------------------------------------------ */

/* Keys up to this long live inside the entry: one cache miss less. */
#define FCAT_LATEST_INLINE_KEY 32

/* The state of one key: the latest row so far. */
typedef struct fcat__latest {
	int64_t event_ts, created_ts; /* INT64_MIN, INT64_MIN: no row yet */
	uint32_t key_len, row_len, row_cap;
	unsigned char *row;
	unsigned char *key; /* NULL for short keys: then in inline_key */
	unsigned char inline_key[FCAT_LATEST_INLINE_KEY];
} fcat__latest;

/* Folds a row at (ts, created) into a key's state: true when it is the new
 * latest row (its times are kept; the caller then stores its bytes with
 * fcat__latest_set_row), false when the state stays. */
static inline bool fcat__latest_fold_row(fcat__latest *e, int64_t ts, int64_t created)
{
	if (!fcat__latest_newer(ts, created, e->event_ts, e->created_ts))
		return false;
	e->event_ts = ts;
	e->created_ts = created;
	return true;
}

/* The encoded key of an entry. */
static inline const unsigned char *fcat__latest_key(const fcat__latest *e)
{
	return e->key ? e->key : e->inline_key;
}

/* A slot keeps the hash beside the entry's index, so a probe that does not
 * match never touches the entry (one cache miss per lookup, not two). */
typedef struct fcat__latest_slot {
	uint64_t hash;
	size_t index; /* entry + 1; 0 when empty */
} fcat__latest_slot;

/* Per entity key, the latest row seen so far: an open-addressing table of
 * (hash, index) slots over a compact array of entries whose keys and rows
 * live in an arena. */
typedef struct fcat__latest_map {
	fcat__arena arena; /* keys and rows */
	fcat__latest_slot *slots;
	size_t cap;
	fcat__latest *entries; /* in insertion order */
	size_t len, entries_cap;
} fcat__latest_map;

void fcat__latest_map_init(fcat__latest_map *m);
void fcat__latest_map_free(fcat__latest_map *m);

/* Asks the CPU to fetch the slot of a hash ahead of a lookup; the second
 * form, called later, fetches the entry the slot points to. */
void fcat__latest_map_prefetch(const fcat__latest_map *m, uint64_t hash);
void fcat__latest_map_prefetch_entry(const fcat__latest_map *m, uint64_t hash);
/* The third, later still: fetches the first lines of the entry's row for
 * writing (a newer row of the key is copied over it). */
void fcat__latest_map_prefetch_row(const fcat__latest_map *m, uint64_t hash);

/* Finds the entry of a key (hash: fcat__latest_hash), creating an empty one
 * when there is none. The pointer is valid until the next call. NULL when
 * out of memory. */
fcat__latest *fcat__latest_map_get(fcat__latest_map *m, const void *key, size_t len, uint64_t hash);

/* A batch of rows' encoded keys, each hashed and its slot in a map asked
 * for ahead of the lookups (key_batch.c). Row i's key is keys[end[i - 1]
 * .. end[i]) (from 0 for the first); end[i] is 0 for a row with a null key
 * or event time, which has none. */
typedef struct fcat__key_batch {
	fcat__buf keys;
	size_t *end;
	uint64_t *hash;
	size_t cap;
	size_t next; /* where the next keyed row's key starts (fcat__key_batch_entry) */
} fcat__key_batch;

/* Fills the batch from nrows rows of ncols cells, the first nkeys the join
 * keys, ts_col the event time. 0, FCAT_ENOMEM, or the encoding's error. */
struct fcat_value;
int fcat__key_batch_fill(fcat__key_batch *b, const struct fcat_value *cells, size_t nrows,
                         size_t ncols, size_t nkeys, int ts_col, const fcat__latest_map *m);
void fcat__key_batch_free(fcat__key_batch *b);
/* Row i's entry in m, the map the batch was filled for (created when new),
 * into *out, or NULL when the row has no key; the rows are taken in order,
 * i from 0 to n - 1. Fetches the entry of the row 8 ahead and, with
 * `rows`, the row of the one 4 ahead (a newer row is copied over it).
 * 0, or FCAT_ENOMEM. */
int fcat__key_batch_entry(fcat__key_batch *b, fcat__latest_map *m, size_t i, size_t n, bool rows,
                          fcat__latest **out);

/* Stores a row's bytes in an entry, reusing its memory when it fits. */
int fcat__latest_set_row(fcat__latest_map *m, fcat__latest *e, const void *row, size_t len);

/* Folds the entries of `from`, whose rows were scanned after every row
 * of `into`, into `into` in from's insertion order: `into` then is the map
 * one fold of both scans in turn would have made, its entries in the same
 * order. -1 when out of memory. */
int fcat__latest_map_merge(fcat__latest_map *into, const fcat__latest_map *from);

/* The entries in key-byte order (the order LMDB and B-trees store them
 * in), as an array the caller frees. NULL when out of memory. */
fcat__latest **fcat__latest_map_sorted(const fcat__latest_map *m);

/* ------------------------------------------------------------------------ */
/* Answers at many times (the point-in-time join of training sets)           */
/* ------------------------------------------------------------------------ */

#define FCAT_LATEST_NONE UINT32_MAX

/* A question: the latest row of the key (wide hash h1, h2) at time `at`,
 * for entity row `idx`. An `at` of INT64_MIN asks nothing (no key, no
 * time): its answer is FCAT_LATEST_NONE. */
typedef struct fcat__latest_ask {
	uint64_t h1, h2;
	int64_t at;
	uint32_t idx;
} fcat__latest_ask;

/* A source row: its key's wide hash, its event and created times, its
 * position in the scan. */
typedef struct fcat__latest_row {
	uint64_t h1, h2;
	int64_t ts, created;
	uint32_t row;
} fcat__latest_row;

/* The state of one key while its rows are folded in time order. */
typedef struct fcat__latest_state {
	int64_t ts, created;
	uint32_t row; /* FCAT_LATEST_NONE: no row yet */
} fcat__latest_state;

/* Folds a source row into the state, by the one order. */
static inline void fcat__latest_fold(fcat__latest_state *st, const fcat__latest_row *r)
{
	if (st->row == FCAT_LATEST_NONE ||
	    fcat__latest_newer(r->ts, r->created, st->ts, st->created))
		*st = (fcat__latest_state){r->ts, r->created, r->row};
}

/* The answer at `at` of a state holding every row at or before `at`: its
 * row when inside the window, else FCAT_LATEST_NONE. */
static inline uint32_t fcat__latest_answer(const fcat__latest_state *st, int64_t at, int64_t ttl_us)
{
	return st->row != FCAT_LATEST_NONE && fcat__latest_within(st->ts, at, ttl_us)
	           ? st->row
	           : FCAT_LATEST_NONE;
}

/* Sorts both arrays and writes match[ask.idx] = the latest row at the ask's
 * time within ttl_us (fcat__latest_ttl_us), or FCAT_LATEST_NONE. `match`
 * has one slot per ask index. Keys are compared by their wide hashes. */
void fcat__latest_asof(fcat__latest_ask *asks, size_t nasks, fcat__latest_row *rows, size_t nrows,
                       int64_t ttl_us, uint32_t *match);

#endif
