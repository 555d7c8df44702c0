/* agg_rows.c - an aggregation view's source rows grouped into events per
 * entity key, and merged into the online store's rows (see agg_rows.h). */
#include "aggregate/agg_rows.h"

#include "encoding/encoding.h"
#include "fault/fault.h"
#include "latest/latest.h"
#include "store/store.h"
#include "transform/engine.h"
#include "util/error.h"
#include "util/big.h"
#include "util/grow.h"
#include "util/parallel.h"
#include "values/value_copy.h"

#include <stdlib.h>
#include <string.h>

#define WRITE_BATCH 10000
#define MAX_COLUMNS 1100

struct fcat__agg_rows {
	const fcat__view *v;
	const char *cols[MAX_COLUMNS];
	fcat_type types[MAX_COLUMNS];
	size_t ncols, nkeys, in_col;
	int ts_col, created_col;
	bool transformed;
	fcat__field *in_fields; /* the aggregated columns, as the transform's outputs */
	fcat__latest_map keys;  /* entity key -> entry; entry i is entity i */
	/* the events as they come, flat: entity, time, values */
	uint32_t *eid;
	fcat__agg_when *when;
	fcat__aval *vals;
	size_t nev, evcap;
	size_t eid_bytes, when_bytes, vals_bytes; /* their mappings (util/big.h) */
	/* then grouped by entity (finish): ev[i] views entity i's events */
	fcat__agg_events *ev;
	bool finished;
	fcat_bytes *key_bytes; /* per entity, for fcat__agg_rows_entities */
	/* a batch's keys, hashed ahead of their lookups */
	fcat__key_batch batch;
	fcat__arena text; /* strings of the events */
	/* with a transform: the source rows, until it runs */
	fcat_value *raw;
	uint32_t *raw_entity;
	size_t nraw, raw_cap;
	uint64_t rows, skipped;
	int64_t start, end;
};

int fcat__agg_rows_new(fcat__agg_rows **out, const fcat__view *v)
{
	*out = NULL;
	fcat__agg_rows *r = calloc(1, sizeof *r);
	if (!r)
		return fcat__error_oom();
	r->v = v;
	fcat__latest_map_init(&r->keys);
	fcat__arena_init(&r->text, 1 << 16);
	size_t n = 0;
	for (size_t e = 0; e < v->nentities; e++)
		for (size_t k = 0; k < v->entities[e]->nkeys && n < 64; k++) {
			r->cols[n] = v->entities[e]->keys[k].base.name;
			r->types[n++] = v->entities[e]->keys[k].type;
		}
	r->nkeys = n;
	r->ts_col = (int)n;
	r->cols[n] = v->timestamp_field;
	r->types[n++] = (fcat_type){FCAT_TIMESTAMP, false, 0};
	r->created_col = -1;
	if (v->source->created_timestamp_field) {
		r->created_col = (int)n;
		r->cols[n] = v->source->created_timestamp_field;
		r->types[n++] = (fcat_type){FCAT_TIMESTAMP, false, 0};
	}
	r->in_col = n;
	r->transformed = v->transform.code != NULL;
	if (!r->transformed) {
		for (size_t c = 0; c < v->nagg_inputs; c++) {
			r->cols[n] = v->agg_inputs[c];
			r->types[n++] = v->agg_input_types[c];
		}
	} else {
		for (size_t c = 0; c < v->source->nschema && n < MAX_COLUMNS; c++) {
			const fcat__field *col = &v->source->schema[c];
			bool have = false;
			for (size_t j = 0; j < n && !have; j++)
				have = strcmp(r->cols[j], col->base.name) == 0;
			if (!have) {
				r->cols[n] = col->base.name;
				r->types[n++] = col->type;
			}
		}
		r->in_fields = calloc(v->nagg_inputs + 1, sizeof *r->in_fields);
		if (!r->in_fields) {
			fcat__agg_rows_free(r);
			return fcat__error_oom();
		}
		for (size_t c = 0; c < v->nagg_inputs; c++) {
			r->in_fields[c].base.kind = FCAT_OBJ_FEATURE;
			r->in_fields[c].base.name = v->agg_inputs[c];
			r->in_fields[c].type = v->agg_input_types[c];
			r->in_fields[c].index = c;
		}
	}
	r->ncols = n;
	*out = r;
	return 0;
}

void fcat__agg_rows_free(fcat__agg_rows *r)
{
	if (!r)
		return;
	free(r->ev);
	fcat__big_free(r->eid, r->eid_bytes);
	fcat__big_free(r->when, r->when_bytes);
	fcat__big_free(r->vals, r->vals_bytes);
	fcat__key_batch_free(&r->batch);
	free(r->key_bytes);
	fcat__latest_map_free(&r->keys);
	fcat__arena_release(&r->text);
	free(r->in_fields);
	free(r->raw);
	free(r->raw_entity);
	free(r);
}

size_t fcat__agg_rows_columns(const fcat__agg_rows *r, const char *const **names,
                              const fcat_type **types, int *ts_column)
{
	*names = r->cols;
	*types = r->types;
	*ts_column = r->ts_col;
	return r->ncols;
}

void fcat__agg_rows_set_range(fcat__agg_rows *r, int64_t start, int64_t end)
{
	r->start = start;
	r->end = end;
}

void fcat__agg_rows_counts(const fcat__agg_rows *r, uint64_t *rows, uint64_t *skipped)
{
	*rows = r->rows;
	*skipped = r->skipped;
}

/* The entity of an encoded key, made when new: its index, or -1 (out of
 * memory). */
static long entity_of(fcat__agg_rows *r, const char *key, size_t len, uint64_t hash)
{
	fcat__latest *e = fcat__latest_map_get(&r->keys, key, len, hash);
	return e ? (long)(e - r->keys.entries) : -1;
}

long fcat__agg_rows_entity(fcat__agg_rows *r, const char *key, size_t len)
{
	return entity_of(r, key, len, fcat__latest_hash(key, len));
}

long fcat__agg_rows_entity_hashed(fcat__agg_rows *r, const char *key, size_t len, uint64_t hash)
{
	return entity_of(r, key, len, hash);
}

void fcat__agg_rows_prefetch(const fcat__agg_rows *r, uint64_t hash, bool entry)
{
	if (entry)
		fcat__latest_map_prefetch_entry(&r->keys, hash);
	else
		fcat__latest_map_prefetch(&r->keys, hash);
}

/* An aval of the event, its text copied into r->text. */
static int event_value(fcat__agg_rows *r, fcat__aval *out, const fcat_value *v, fcat_type t)
{
	*out = fcat__aval_of(v, t);
	if (!out->null && fcat__aval_kind_of(t) == FCAT__AV_TEXT && out->u.s.len) {
		char *p = fcat__arena_alloc_uninit(&r->text, out->u.s.len);
		if (!p)
			return fcat__error_oom();
		memcpy(p, out->u.s.ptr, out->u.s.len);
		out->u.s.ptr = p;
	}
	return 0;
}

static int add_event(fcat__agg_rows *r, size_t entity, fcat__agg_when when, const fcat_value *vals)
{
	const fcat__view *v = r->v;
	size_t k = v->nagg_inputs;
	if (r->finished)
		return fcat__error(FCAT_EINVALID, "events added after they were grouped");
	if (r->nev == r->evcap) {
		size_t cap = r->evcap ? 2 * r->evcap : 1024, kk = k ? k : 1;
		uint32_t *eid = fcat__big_realloc(r->eid, r->eid_bytes, cap * sizeof *eid);
		if (!eid)
			return fcat__error_oom();
		r->eid = eid;
		r->eid_bytes = cap * sizeof *eid;
		fcat__agg_when *w = fcat__big_realloc(r->when, r->when_bytes, cap * sizeof *w);
		if (!w)
			return fcat__error_oom();
		r->when = w;
		r->when_bytes = cap * sizeof *w;
		fcat__aval *av = fcat__big_realloc(r->vals, r->vals_bytes, cap * kk * sizeof *av);
		if (!av)
			return fcat__error_oom();
		r->vals = av;
		r->vals_bytes = cap * kk * sizeof *av;
		r->evcap = cap;
	}
	fcat__aval *dst = r->vals + r->nev * k;
	for (size_t c = 0; c < k; c++) {
		int rc = event_value(r, &dst[c], &vals[c], v->agg_input_types[c]);
		if (rc)
			return rc;
	}
	r->eid[r->nev] = (uint32_t)entity;
	r->when[r->nev++] = when;
	return 0;
}

/* A sort key: an event's time and its place in arrival order. */
typedef struct sort_key {
	int64_t ts, created;
	uint32_t idx;
} sort_key;

static bool key_before(const sort_key *a, const sort_key *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	if (a->created != b->created)
		return a->created < b->created;
	return a->idx < b->idx;
}

/* Sorts keys[0..n) (quicksort, median of three, insertion below 16). */
static void sort_keys(sort_key *k, size_t n)
{
	while (n > 16) {
		size_t m = n / 2;
		if (key_before(&k[m], &k[0])) {
			sort_key t = k[m];
			k[m] = k[0];
			k[0] = t;
		}
		if (key_before(&k[n - 1], &k[0])) {
			sort_key t = k[n - 1];
			k[n - 1] = k[0];
			k[0] = t;
		}
		if (key_before(&k[n - 1], &k[m])) {
			sort_key t = k[n - 1];
			k[n - 1] = k[m];
			k[m] = t;
		}
		sort_key pivot = k[m];
		size_t i = 0, j = n - 1;
		for (;;) {
			while (key_before(&k[i], &pivot))
				i++;
			while (key_before(&pivot, &k[j]))
				j--;
			if (i >= j)
				break;
			sort_key t = k[i];
			k[i] = k[j];
			k[j] = t;
			i++;
			j--;
		}
		/* the smaller side by recursion, the larger by the loop */
		if (j + 1 < n - j - 1) {
			sort_keys(k, j + 1);
			k += j + 1;
			n -= j + 1;
		} else {
			sort_keys(k + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		sort_key x = k[i];
		size_t j = i;
		for (; j > 0 && key_before(&x, &k[j - 1]); j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

/* The second step of finish, for the entities of one part: each entity's
 * keys sorted, then its events gathered into place. */
typedef struct gather {
	fcat__agg_rows *r;
	const size_t *start;
	const uint32_t *order;
	fcat__agg_when *w;
	fcat__aval *v;
	fcat__agg_events *ev;
	size_t most;
} gather;

static int gather_part(void *ctx, size_t part, size_t nparts)
{
	gather *g = ctx;
	fcat__agg_rows *r = g->r;
	size_t ne = r->keys.len, k = r->v->nagg_inputs;
	sort_key *keys = malloc((g->most ? g->most : 1) * sizeof *keys);
	if (!keys)
		return fcat__error_oom();
	for (size_t e = ne * part / nparts; e < ne * (part + 1) / nparts; e++) {
		size_t from = g->start[e], len = g->start[e + 1] - from;
		const uint32_t *o = g->order + from;
		bool sorted = true;
		for (size_t i = 0; i < len; i++) {
			const fcat__agg_when *x = &r->when[o[i]];
			keys[i] = (sort_key){x->ts, x->created, o[i]};
			if (i && sorted && key_before(&keys[i], &keys[i - 1]))
				sorted = false;
		}
		if (!sorted)
			sort_keys(keys, len);
		for (size_t i = 0; i < len; i++) {
			g->w[from + i] = (fcat__agg_when){keys[i].ts, keys[i].created};
			if (k == 1)
				g->v[from + i] = r->vals[keys[i].idx];
			else if (k)
				memcpy(g->v + (from + i) * k, r->vals + (size_t)keys[i].idx * k,
				       k * sizeof *g->v);
		}
		g->ev[e] = (fcat__agg_events){.n = len,
		                              .ninputs = k,
		                              .when = g->w + from,
		                              .vals = g->v + from * k,
		                              .view = true};
	}
	free(keys);
	return 0;
}

/* Groups the events by entity, each entity's in time order (ties in
 * arrival order): a counting sort of their indexes by entity, then per
 * entity its keys sorted and its events gathered. ev[i] then views entity
 * i's events. */
static int finish(fcat__agg_rows *r)
{
	if (r->finished)
		return 0;
	size_t ne = r->keys.len, n = r->nev, k = r->v->nagg_inputs;
	size_t *start = calloc(ne + 2, sizeof *start);
	size_t order_bytes = (n ? n : 1) * sizeof(uint32_t),
	       w_bytes = (n ? n : 1) * sizeof(fcat__agg_when),
	       v_bytes = (n * k > 0 ? n * k : 1) * sizeof(fcat__aval);
	uint32_t *order = fcat__big_alloc(order_bytes);
	fcat__agg_events *ev = calloc(ne + 1, sizeof *ev);
	fcat__agg_when *w = fcat__big_alloc(w_bytes);
	fcat__aval *v = fcat__big_alloc(v_bytes);
	int rc = start && order && ev && w && v ? 0 : fcat__error_oom();
	size_t most = 0;
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			start[r->eid[i] + 2]++;
		for (size_t e = 0; e < ne; e++) {
			most = start[e + 2] > most ? start[e + 2] : most;
			start[e + 2] += start[e + 1];
		}
		for (size_t i = 0; i < n; i++)
			order[start[r->eid[i] + 1]++] = (uint32_t)i;
		/* start[e] .. start[e + 1] is entity e's slice of order */
	}
	gather g = {r, start, order, w, v, ev, most};
	if (rc == 0)
		rc = fcat__parallel(fcat__parallel_parts(8), gather_part, &g);
	free(start);
	fcat__big_free(order, order_bytes);
	if (rc) {
		free(ev);
		fcat__big_free(w, w_bytes);
		fcat__big_free(v, v_bytes);
		return rc;
	}
	fcat__big_free(r->eid, r->eid_bytes);
	fcat__big_free(r->when, r->when_bytes);
	fcat__big_free(r->vals, r->vals_bytes);
	r->eid = NULL;
	r->eid_bytes = 0;
	r->when = w; /* owned here; the entities view them */
	r->when_bytes = w_bytes;
	r->vals = v;
	r->vals_bytes = v_bytes;
	r->ev = ev;
	r->finished = true;
	return 0;
}

int fcat__agg_rows_add(fcat__agg_rows *r, const fcat_value *cells, size_t nrows)
{
	int rc =
	    fcat__key_batch_fill(&r->batch, cells, nrows, r->ncols, r->nkeys, r->ts_col, &r->keys);
	if (rc)
		return rc;
	for (size_t i = 0; i < nrows; i++) {
		const fcat_value *row = cells + i * r->ncols;
		fcat__latest *e;
		if ((rc = fcat__key_batch_entry(&r->batch, &r->keys, i, nrows, false, &e)))
			return rc;
		if (!e) {
			r->skipped++;
			continue;
		}
		size_t ent = (size_t)(e - r->keys.entries);
		r->rows++;
		fcat__agg_when when = {row[r->ts_col].u.ts,
		                       r->created_col >= 0 && !row[r->created_col].is_null
		                           ? row[r->created_col].u.ts
		                           : INT64_MIN};
		if (!r->transformed) {
			if ((rc = add_event(r, ent, when, row + r->in_col)))
				return rc;
			continue;
		}
		/* kept whole for the transform */
		if (r->nraw == r->raw_cap) {
			size_t cap = r->raw_cap ? 2 * r->raw_cap : 1024;
			fcat_value *raw = realloc(r->raw, cap * r->ncols * sizeof *raw);
			if (!raw)
				return fcat__error_oom();
			r->raw = raw;
			uint32_t *re = realloc(r->raw_entity, cap * sizeof *re);
			if (!re)
				return fcat__error_oom();
			r->raw_entity = re;
			r->raw_cap = cap;
		}
		for (size_t c = 0; c < r->ncols; c++)
			if (fcat__value_copy(&r->text, &r->raw[r->nraw * r->ncols + c], &row[c]))
				return fcat__error_oom();
		r->raw_entity[r->nraw++] = (uint32_t)ent;
	}
	return 0;
}

/* The transform's batch callbacks: row i in, its event (or nothing) out. */
static int tx_input(void *ctx, size_t i, fcat_value *in)
{
	fcat__agg_rows *r = ctx;
	memcpy(in, r->raw + i * r->ncols, r->ncols * sizeof *in);
	return 0;
}

static int tx_output(void *ctx, size_t i, const fcat_value *out)
{
	fcat__agg_rows *r = ctx;
	if (!out)
		return 0; /* filtered out */
	const fcat_value *row = r->raw + i * r->ncols;
	fcat__agg_when when = {row[r->ts_col].u.ts,
	                       r->created_col >= 0 && !row[r->created_col].is_null
	                           ? row[r->created_col].u.ts
	                           : INT64_MIN};
	return add_event(r, r->raw_entity[i], when, out);
}

int fcat__agg_rows_transform(fcat_store *s, fcat__agg_rows *r)
{
	if (!r->transformed || !r->nraw)
		return 0;
	fcat__tx *tx;
	int rc = fcat__store_tx(s, &tx);
	if (rc)
		return rc;
	fcat_value *in = calloc(r->ncols, sizeof *in);
	fcat_value *out = calloc(r->v->nagg_inputs + 1, sizeof *out);
	if (!in || !out) {
		free(in);
		free(out);
		return fcat__error_oom();
	}
	fcat__tx_rows b = {.names = r->cols,
	                   .nin = r->ncols,
	                   .out_fields = r->in_fields,
	                   .nout = r->v->nagg_inputs,
	                   .nrows = r->nraw,
	                   .input = tx_input,
	                   .output = tx_output,
	                   .ctx = r,
	                   .in = in,
	                   .out = out,
	                   .arena = &r->text,
	                   .may_drop = true};
	rc = fcat__tx_run(tx, &r->v->transform, &b);
	if (rc) {
		char key[512];
		fcat__key_text(key, sizeof key, r->cols, r->raw + b.row * r->ncols, r->nkeys);
		rc = fcat__error_wrap(rc, "feature_view '%s', entity %s", r->v->base.name, key);
	}
	free(in);
	free(out);
	free(r->raw);
	r->raw = NULL;
	r->nraw = r->raw_cap = 0;
	return rc;
}

int fcat__agg_rows_entities(fcat__agg_rows *r, size_t *n, const fcat_bytes **keys,
                            fcat__agg_events **events)
{
	*n = 0;
	*keys = NULL;
	*events = NULL;
	int rc = finish(r);
	if (rc)
		return rc;
	free(r->key_bytes);
	r->key_bytes = calloc(r->keys.len + 1, sizeof *r->key_bytes);
	for (size_t i = 0; r->key_bytes && i < r->keys.len; i++) {
		const fcat__latest *e = &r->keys.entries[i];
		r->key_bytes[i] = (fcat_bytes){(const char *)fcat__latest_key(e), e->key_len};
	}
	if (!r->key_bytes)
		return fcat__error_oom();
	*keys = r->key_bytes;
	*events = r->ev;
	*n = r->keys.len;
	return 0;
}

/* One update call: the entities of its keys, and the row being made. */
typedef struct merge_ctx {
	fcat__agg_rows *r;
	const fcat__latest **batch;
	fcat__agg_events old;
	fcat__buf row;
} merge_ctx;

static int merge_one(void *ctx, size_t i, fcat_bytes stored, fcat_bytes *out)
{
	merge_ctx *m = ctx;
	fcat__agg_rows *r = m->r;
	const fcat__view *v = r->v;
	size_t ent = (size_t)(m->batch[i] - r->keys.entries);
	m->old.ninputs = v->nagg_inputs;
	m->old.n = 0;
	int64_t newest;
	const unsigned char *hash = NULL;
	/* a row of another version of the view is not merged with: its
	 * events were computed by another definition */
	int drc = stored.ptr ? fcat__agg_row_decode(&m->old, &newest, &hash, v,
	                                            (const unsigned char *)stored.ptr, stored.len)
	                     : 0;
	if (drc == FCAT_ENOMEM || drc == FCAT_EVERSION)
		return drc; /* a newer fcat's row is not ours to rewrite */
	if (stored.ptr && (drc != 0 || memcmp(hash, v->data_hash, 32) != 0)) {
		m->old.n = 0; /* damaged, or another version's: made anew */
		fcat__error_clear();
	}
	int rc = fcat__agg_events_splice(&m->old, &r->ev[ent], r->start, r->end);
	if (rc)
		return rc;
	if (m->old.n)
		fcat__agg_events_prune(&m->old, v, m->old.when[m->old.n - 1].ts);
	m->row.len = 0;
	fcat__agg_row_encode(&m->row, v, &m->old);
	if (m->row.oom)
		return fcat__error_oom();
	*out = (fcat_bytes){m->row.ptr, m->row.len};
	return 0;
}

int fcat__agg_rows_write(fcat__agg_rows *r, const fcat__online *target, uint64_t *written)
{
	const fcat_online_ops *ops = target->ops;
	const fcat__view *v = r->v;
	if (!FCAT_OPS_HAS(ops, update))
		return fcat__error(FCAT_EINVALID,
		                   "view '%s' has window aggregations, which the online store's "
		                   "plugin cannot hold (it has no update)",
		                   v->base.name);
	int frc = finish(r);
	if (frc)
		return frc;
	fcat__latest **sorted = fcat__latest_map_sorted(&r->keys);
	/* A push adds its events in one update, one transaction: a push that
	 * fails leaves nothing, so sending it again counts each event once.
	 * Materialize replaces its range, which a rerun redoes, in batches. */
	size_t per = r->start == r->end ? r->keys.len : WRITE_BATCH;
	per = per ? per : 1;
	fcat_bytes *keys = malloc(per * sizeof *keys);
	merge_ctx m = {.r = r, .batch = malloc(per * sizeof *m.batch)};
	int rc = sorted && keys && m.batch ? 0 : fcat__error_oom();
	for (size_t at = 0; rc == 0 && at < r->keys.len; at += per) {
		size_t n = r->keys.len - at < per ? r->keys.len - at : per;
		for (size_t i = 0; i < n; i++) {
			m.batch[i] = sorted[at + i];
			keys[i] = (fcat_bytes){(const char *)fcat__latest_key(sorted[at + i]),
			                       sorted[at + i]->key_len};
		}
		rc = FCAT__PLUGIN_CALL(
		    ops->update(target->handle, v->base.name, keys, n, merge_one, &m));
		*written += rc == 0 ? n : 0;
	}
	fcat__agg_events_free(&m.old);
	fcat__buf_free(&m.row);
	free(m.batch);
	free(keys);
	free(sorted);
	return rc ? fcat__error_wrap(rc, "writing view '%s' to the online store", v->base.name) : 0;
}
