/* historical.c - training sets: every entity row (join keys, a time, any
 * extra columns such as a label) joined with the feature values as they were
 * at that time, never later ones; rows kept in input order; the catalog
 * commit and every feature's version recorded beside the result. */
#include "encoding/encoding.h"
#include "latest/latest.h"
#include "offline/pit_pushdown.h"
#include "offline/source_scan.h"
#include "store/access.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/options.h"
#include "values/value_copy.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIME_COLUMN "event_timestamp"

/* The entity file, every cell kept as its text. */
typedef struct entities {
	char **names;
	size_t ncols, nrows, cap;
	fcat_value *cells; /* nrows * ncols strings (or null) */
	fcat__arena arena;
	int64_t *ts;
	int ts_col;
} entities;

static int read_header(entities *e, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fcat__error(FCAT_ENOTFOUND, "%s: cannot read the entity file", path);
	fcat__buf line = {0};
	int c;
	bool quoted = false;
	while ((c = fgetc(f)) != EOF && (quoted || (c != '\n' && c != '\r'))) {
		if (c == '"')
			quoted = !quoted;
		fcat__buf_putc(&line, (char)c);
	}
	fclose(f);
	if (!line.len) {
		fcat__buf_free(&line);
		return fcat__error(FCAT_EINVALID, "%s:1: the entity file has no header", path);
	}
	const char *p = line.ptr;
	if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf)
		p += 3;
	size_t cap = 8;
	e->names = calloc(cap, sizeof *e->names);
	while (e->names) {
		fcat__buf name = {0};
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				fcat__buf_putc(&name, *p);
			}
			if (*p == '"')
				p++;
		} else {
			for (; *p && *p != ','; p++)
				fcat__buf_putc(&name, *p);
		}
		if (e->ncols + 1 == cap) {
			char **n = realloc(e->names, (cap *= 2) * sizeof *n);
			if (!n)
				break;
			e->names = n;
		}
		e->names[e->ncols++] = fcat__buf_detach(&name);
		if (*p != ',')
			break;
		p++;
	}
	fcat__buf_free(&line);
	e->ts_col = -1;
	for (size_t i = 0; i < e->ncols; i++)
		if (e->names[i] && !strcmp(e->names[i], TIME_COLUMN))
			e->ts_col = (int)i;
	if (e->ts_col < 0)
		return fcat__error(FCAT_EINVALID,
		                   "%s:1: the entity file needs a column '%s' (the time "
		                   "of each row)",
		                   path, TIME_COLUMN);
	return 0;
}

static int keep_entities(void *ctx, const fcat_value *cells, size_t nrows)
{
	entities *e = ctx;
	if (e->nrows + nrows > e->cap) {
		size_t cap = e->cap ? e->cap : 4096;
		while (cap < e->nrows + nrows)
			cap *= 2;
		fcat_value *c = realloc(e->cells, cap * e->ncols * sizeof *c);
		if (!c)
			return fcat__error_oom();
		e->cells = c;
		e->cap = cap;
	}
	for (size_t i = 0; i < nrows * e->ncols; i++) {
		fcat_value *d = &e->cells[e->nrows * e->ncols + i];
		*d = cells[i];
		if (!d->is_null && !(d->u.str.ptr = fcat__arena_strndup(
		                         &e->arena, cells[i].u.str.ptr, cells[i].u.str.len)))
			return fcat__error_oom();
	}
	e->nrows += nrows;
	return 0;
}

/* One view of the request: its features' columns in the output, and the
 * values found for each entity row. */
typedef struct hview {
	const fcat__view *view;
	fcat_value *values; /* nrows * nfeatures */
	bool needed_whole;  /* an on-demand view reads all its features */
} hview;

typedef struct request {
	fcat_store *s;
	const char *who; /* the principal the set is built for */
	entities ent;
	const fcat__field **features; /* output order */
	size_t nfeatures;
	hview *views;
	size_t nviews;
	const fcat__odv **odvs;
	size_t nodvs;
	fcat_value *odv_values; /* per odv: nrows * its nfeatures, in one block each */
	fcat_value **odv_out;
	fcat__arena arena;  /* feature values */
	size_t pushed_down; /* views joined inside the offline store */
} request;

static hview *view_of(request *q, const fcat__view *v)
{
	for (size_t i = 0; i < q->nviews; i++)
		if (q->views[i].view == v)
			return &q->views[i];
	q->views[q->nviews].view = v;
	return &q->views[q->nviews++];
}

/* The scan of one view's source, twice: first the (key, time) records, then
 * the values of the rows that won. */
typedef struct vscan {
	request *q;
	hview *hv;
	const char **cols;
	fcat_type *types;
	size_t ncols, nkeys;
	int ts_col, created_col;
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
		if (fcat__key_encode(&x->key, r, x->nkeys) != 0) {
			fcat__error_clear();
			continue; /* no key: never joined */
		}
		if (x->nright == x->cap) {
			size_t cap = x->cap ? x->cap * 2 : 65536;
			fcat__latest_row *p = realloc(x->right, cap * sizeof *p);
			if (!p)
				return fcat__error_oom();
			x->right = p;
			x->cap = cap;
		}
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
		size_t *r = realloc(x->batch_rows, nrows * sizeof *r);
		if (r)
			x->batch_rows = r;
		size_t *f = realloc(x->batch_first, nrows * sizeof *f);
		if (f)
			x->batch_first = f;
		if (!r || !f)
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

/* Entity row r's keys for the view of x, parsed from their text into keys
 * (cleared by the caller); *ok is false when the row can match nothing (a
 * null key, no time), and x->key holds the encoded key when it is true. */
static int row_keys(request *q, vscan *x, size_t r, fcat_value *keys, bool *ok)
{
	int rc = 0;
	*ok = q->ent.ts[r] != INT64_MIN;
	for (size_t k = 0; k < x->nkeys; k++)
		keys[k] = (fcat_value){.type = x->types[k], .is_null = true};
	for (size_t k = 0; k < x->nkeys && *ok; k++) {
		for (size_t c = 0; c < q->ent.ncols; c++) {
			const fcat_value *cell = &q->ent.cells[r * q->ent.ncols + c];
			if (strcmp(q->ent.names[c], x->cols[k]) || cell->is_null)
				continue;
			if (fcat_value_parse(&keys[k], x->types[k], cell->u.str.ptr,
			                     cell->u.str.len))
				rc = fcat__error_wrap(FCAT_EINVALID, "entity row %zu, column '%s'",
				                      r + 1, x->cols[k]);
		}
		*ok = rc == 0 && !keys[k].is_null;
	}
	x->key.len = 0;
	if (*ok && fcat__key_encode(&x->key, keys, x->nkeys) != 0) {
		fcat__error_clear();
		*ok = false;
	}
	return rc;
}

/* Offers the join of x's view to the offline store: 0 when it ran there,
 * FCAT_PIT_DECLINED when core must join, or an error. */
static int push_down(request *q, vscan *x)
{
	const fcat__view *v = x->hv->view;
	if (v->source->path || !fcat__pit_pushdown_enabled(q->s))
		return FCAT_PIT_DECLINED; /* no need to parse the keys twice */
	size_t nrows = q->ent.nrows, nk = x->nkeys;
	fcat_value *keys = calloc(nrows * nk + 1, sizeof *keys);
	if (!keys)
		return fcat__error_oom();
	int rc = 0;
	for (size_t r = 0; rc == 0 && r < nrows; r++) {
		bool ok;
		rc = row_keys(q, x, r, keys + r * nk, &ok);
		for (size_t k = 0; !ok && k < nk; k++) /* no key: nothing matches */
			fcat_value_clear(&keys[r * nk + k]);
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
	    .times = q->ent.ts,
	    .nrows = nrows,
	};
	if (rc == 0)
		rc = fcat__pit_pushdown(q->s, v->source, &req, pushed, x);
	for (size_t i = 0; i < nrows * nk; i++)
		fcat_value_clear(&keys[i]);
	free(keys);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Joins one view: scan, join on keys and times, scan again for values. */
static int join_view(request *q, hview *hv)
{
	const fcat__view *v = hv->view;
	vscan x = {0};
	x.q = q;
	x.hv = hv;
	size_t cap = 1100;
	x.cols = calloc(cap, sizeof *x.cols);
	x.types = calloc(cap, sizeof *x.types);
	hv->values =
	    fcat__arena_alloc(&q->arena, (q->ent.nrows * v->nfeatures + 1) * sizeof *hv->values);
	fcat__latest_ask *left = calloc(q->ent.nrows + 1, sizeof *left);
	uint32_t *match = calloc(q->ent.nrows + 1, sizeof *match);
	fcat__arena_init(&x.scratch, 16 * 1024);
	int rc = x.cols && x.types && hv->values && left && match ? 0 : fcat__error_oom();
	size_t n = 0;
	for (size_t e = 0; rc == 0 && e < v->nentities; e++)
		for (size_t k = 0; k < v->entities[e]->nkeys && n < 64; k++) {
			x.cols[n] = v->entities[e]->keys[k].base.name;
			x.types[n++] = v->entities[e]->keys[k].type;
		}
	x.nkeys = n;
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
	for (size_t r = 0; rc == 0 && r < q->ent.nrows; r++)
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
	/* the entity rows' keys for this view, parsed from their text */
	fcat_value keys[64];
	for (size_t r = 0; rc == 0 && r < q->ent.nrows; r++) {
		bool ok;
		left[r].idx = (uint32_t)r;
		left[r].at = q->ent.ts[r];
		rc = row_keys(q, &x, r, keys, &ok);
		if (ok)
			fcat__latest_hash_wide(x.key.ptr, x.key.len, &left[r].h1, &left[r].h2);
		else
			left[r].at = INT64_MIN; /* no key or no time: nothing matches */
		for (size_t k = 0; k < x.nkeys; k++)
			fcat_value_clear(&keys[k]);
	}
	/* the first scan reads only the keys and times */
	size_t ncols = x.ncols;
	x.ncols = (size_t)(x.created_col >= 0 ? x.created_col : x.ts_col) + 1;
	if (rc == 0)
		rc = fcat__source_scan(q->s, v->source, x.cols, x.types, x.ncols, -1, 0, 0, collect,
		                       &x);
	x.ncols = ncols;
	if (rc == 0) {
		fcat__latest_asof(left, q->ent.nrows, x.right, x.nright,
		                  fcat__latest_ttl_us(v->ttl_seconds), match);
		x.winners = malloc((q->ent.nrows + 1) * sizeof *x.winners);
		if (!x.winners)
			rc = fcat__error_oom();
		for (size_t r = 0; rc == 0 && r < q->ent.nrows; r++)
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

/* On-demand views: from the row's view values and its request columns. */
/* One on-demand view over every entity row, as one batch through the
 * engine: its source views' features of the row, then its request fields
 * taken from the entity file's columns of the same names. */
typedef struct odv_run {
	request *q;
	const fcat__odv *o;
	int *req_col;   /* per request field: its entity file column, or -1 */
	size_t nparsed; /* request values of the last row to clear */
	fcat_value *in;
	fcat_value *out; /* the view's rows of q->odv_out */
} odv_run;

static int odv_input(void *ctx, size_t r, fcat_value *in)
{
	odv_run *x = ctx;
	const fcat__odv *o = x->o;
	request *q = x->q;
	size_t n = 0;
	for (size_t s = 0; s < o->nsources; s++) {
		const hview *hv = view_of(q, o->sources[s]);
		size_t nf = o->sources[s]->nfeatures;
		memcpy(&in[n], &hv->values[r * nf], nf * sizeof *in);
		n += nf;
	}
	for (size_t k = 0; k < x->nparsed; k++)
		fcat_value_clear(&in[n + k]);
	x->nparsed = 0;
	for (size_t k = 0; k < o->nrequest; k++) {
		const fcat__field *req = &o->request[k];
		in[n + k] = (fcat_value){.type = req->type, .is_null = true};
		x->nparsed = k + 1;
		if (x->req_col[k] < 0)
			continue;
		const fcat_value *cell = &q->ent.cells[r * q->ent.ncols + (size_t)x->req_col[k]];
		if (!cell->is_null &&
		    fcat_value_parse(&in[n + k], req->type, cell->u.str.ptr, cell->u.str.len))
			return fcat__error_wrap(FCAT_EINVALID,
			                        "entity row %zu, request column '%s'", r + 1,
			                        req->base.name);
	}
	return 0;
}

static int odv_output(void *ctx, size_t r, const fcat_value *out)
{
	odv_run *x = ctx;
	/* strings and arrays are in q->arena already: the engine's arena */
	memcpy(&x->out[r * x->o->nfeatures], out, x->o->nfeatures * sizeof *out);
	return 0;
}

static int compute_odv(request *q, size_t oi)
{
	const fcat__odv *o = q->odvs[oi];
	fcat__tx *tx;
	int rc = fcat__store_tx(q->s, &tx);
	size_t nin = o->nrequest;
	for (size_t i = 0; i < o->nsources; i++)
		nin += o->sources[i]->nfeatures;
	const char **names = calloc(nin + 1, sizeof *names);
	fcat_value *in = calloc(nin + 1, sizeof *in);
	fcat_value *out = calloc(o->nfeatures + 1, sizeof *out);
	int *req_col = calloc(o->nrequest + 1, sizeof *req_col);
	q->odv_out[oi] = fcat__arena_alloc(&q->arena, (q->ent.nrows * o->nfeatures + 1) *
	                                                  sizeof *q->odv_out[oi]);
	if (!rc && (!names || !in || !out || !req_col || !q->odv_out[oi]))
		rc = fcat__error_oom();
	odv_run x = {q, o, req_col, 0, in, q->odv_out[oi]};
	if (rc == 0) {
		size_t n = 0;
		for (size_t s = 0; s < o->nsources; s++)
			for (size_t f = 0; f < o->sources[s]->nfeatures; f++)
				names[n++] = o->sources[s]->features[f].base.name;
		for (size_t k = 0; k < o->nrequest; k++) {
			names[n++] = o->request[k].base.name;
			req_col[k] = -1;
			for (size_t c = 0; c < q->ent.ncols && req_col[k] < 0; c++)
				if (!strcmp(q->ent.names[c], o->request[k].base.name))
					req_col[k] = (int)c;
		}
		fcat__tx_rows b = {.names = names,
		                   .nin = nin,
		                   .out_fields = o->features,
		                   .nout = o->nfeatures,
		                   .nrows = q->ent.nrows,
		                   .input = odv_input,
		                   .output = odv_output,
		                   .ctx = &x,
		                   .in = in,
		                   .out = out,
		                   .arena = &q->arena};
		rc = fcat__tx_run(tx, &o->transform, &b);
		if (rc)
			rc = fcat__error_wrap(rc, "on-demand view '%s', entity row %zu",
			                      o->base.name, b.row + 1);
		for (size_t k = 0; k < x.nparsed; k++)
			fcat_value_clear(&in[nin - o->nrequest + k]);
	}
	free(req_col);
	free(out);
	free(names);
	free(in);
	return rc;
}

static void csv_cell(FILE *f, const char *s, size_t len)
{
	bool quote = false;
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

static const fcat_value *feature_value(request *q, size_t r, const fcat__field *f)
{
	if (f->parent->kind == FCAT_OBJ_VIEW) {
		hview *hv = view_of(q, (const fcat__view *)f->parent);
		return &hv->values[r * hv->view->nfeatures + f->index];
	}
	for (size_t i = 0; i < q->nodvs; i++)
		if (&q->odvs[i]->base == f->parent)
			return &q->odv_out[i][r * q->odvs[i]->nfeatures + f->index];
	return NULL;
}

static int write_csv(request *q, const char *path, bool full)
{
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return fcat__error(FCAT_EIO, "%s: cannot write", tmp);
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	for (size_t c = 0; c < q->ent.ncols; c++) {
		fputs(c ? "," : "", f);
		csv_cell(f, q->ent.names[c], strlen(q->ent.names[c]));
	}
	for (size_t i = 0; i < q->nfeatures; i++) {
		const fcat__field *ft = q->features[i];
		fputc(',', f);
		if (full)
			fprintf(f, "%s__", ft->parent->name);
		fputs(ft->base.name, f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < q->ent.nrows; r++) {
		for (size_t c = 0; c < q->ent.ncols; c++) {
			const fcat_value *v = &q->ent.cells[r * q->ent.ncols + c];
			fputs(c ? "," : "", f);
			if (!v->is_null)
				csv_cell(f, v->u.str.ptr, v->u.str.len);
		}
		for (size_t i = 0; i < q->nfeatures; i++) {
			const fcat_value *v = feature_value(q, r, q->features[i]);
			char *text = NULL;
			fputc(',', f);
			if (v && !v->is_null && fcat_value_format(&text, v) == 0)
				csv_cell(f, text, strlen(text));
			fcat_free(text);
		}
		fputc('\n', f);
	}
	if (ferror(f) | (fclose(f) != 0) || rename(tmp, path) != 0) {
		remove(tmp);
		return fcat__error(FCAT_EIO, "%s: cannot write", path);
	}
	return 0;
}

/* OUT.meta.json: the catalog commit and the version of every feature used,
 * so the training set can be reproduced exactly. */
static int write_meta(request *q, const char *path, const char *entity_path)
{
	json_t *j = json_object(), *fs = json_array();
	json_object_set_new(j, "catalog_commit", json_string(fcat_catalog_commit(q->s->catalog)));
	json_object_set_new(j, "entity_file", json_string(entity_path));
	json_object_set_new(j, "rows", json_integer((json_int_t)q->ent.nrows));
	for (size_t i = 0; i < q->nfeatures; i++) {
		char hash[65], type[64];
		fcat_object_hash(hash, &q->features[i]->base);
		fcat_type_format(type, sizeof type, q->features[i]->type);
		json_t *x = json_object();
		json_object_set_new(x, "view", json_string(q->features[i]->parent->name));
		json_object_set_new(x, "name", json_string(q->features[i]->base.name));
		json_object_set_new(x, "type", json_string(type));
		json_object_set_new(x, "hash", json_string(hash));
		json_array_append_new(fs, x);
	}
	json_object_set_new(j, "features", fs);
	char meta[PATH_MAX + 16];
	snprintf(meta, sizeof meta, "%s.meta.json", path);
	int rc = json_dump_file(j, meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
	             ? fcat__error(FCAT_EIO, "%s: cannot write", meta)
	             : 0;
	json_decref(j);
	return rc;
}

static int add_feature(request *q, const fcat__field *f)
{
	for (size_t i = 0; i < q->nfeatures; i++)
		if (q->features[i] == f)
			return 0;
	int rc = fcat__access_feature(q->s, q->who, FCAT__PA_READ_OFFLINE, f, NULL);
	if (rc)
		return rc;
	q->features[q->nfeatures++] = f;
	if (f->parent->kind == FCAT_OBJ_VIEW) {
		view_of(q, (const fcat__view *)f->parent);
		return 0;
	}
	const fcat__odv *o = (const fcat__odv *)f->parent;
	for (size_t i = 0; i < q->nodvs; i++)
		if (q->odvs[i] == o)
			return 0;
	q->odvs[q->nodvs++] = o;
	for (size_t i = 0; i < o->nsources; i++) {
		view_of(q, o->sources[i])->needed_whole = true;
		/* its transform sees every input: each must be readable too */
		for (size_t k = 0; k < o->sources[i]->nfeatures; k++)
			if ((rc = fcat__access_feature(q->s, q->who, FCAT__PA_READ_OFFLINE,
			                               &o->sources[i]->features[k], NULL)))
				return rc;
	}
	return 0;
}

int fcat_get_historical(fcat_historical_stats *stats, fcat_store *s, const char *entity_file,
                        const char *const *refs, size_t nrefs, const char *service,
                        const char *out_path, const fcat_historical_options *options)
{
	fcat_historical_options o = FCAT_HISTORICAL_OPTIONS_INIT;
	int orc = fcat__options_take(&o, sizeof o, options, sizeof o, "fcat_historical_options");
	if (orc)
		return orc;
	bool full_names = o.full_names;
	request q = {0};
	q.s = s;
	q.who = o.principal ? o.principal : s->principal;
	fcat__arena_init(&q.arena, 1 << 20);
	fcat__arena_init(&q.ent.arena, 1 << 20);
	size_t cap = 16;
	for (size_t i = 0; i < s->catalog->objects[FCAT_OBJ_FEATURE].len; i++)
		cap++;
	q.features = calloc(cap, sizeof *q.features);
	q.views = calloc(s->catalog->objects[FCAT_OBJ_VIEW].len + 1, sizeof *q.views);
	q.odvs = calloc(s->catalog->objects[FCAT_OBJ_ON_DEMAND_VIEW].len + 1, sizeof *q.odvs);
	q.odv_out = calloc(s->catalog->objects[FCAT_OBJ_ON_DEMAND_VIEW].len + 1, sizeof *q.odv_out);
	char *abs = realpath(entity_file, NULL);
	int rc = q.features && q.views && q.odvs && q.odv_out ? 0 : fcat__error_oom();
	if (rc == 0 && !abs)
		rc = fcat__error(FCAT_ENOTFOUND, "%s: no such entity file", entity_file);
	/* the features, checked against the policies before anything is read */
	if (rc == 0 && service) {
		const fcat_object *o = fcat__strmap_get(&s->catalog->by_name, service);
		if (!o || o->kind != FCAT_OBJ_SERVICE)
			rc = fcat__error(FCAT_ENOTFOUND, "unknown feature service '%s'", service);
		for (size_t i = 0; rc == 0 && i < fcat_object_feature_count(o); i++)
			rc = add_feature(&q, (const fcat__field *)fcat_object_feature_at(o, i));
	}
	for (size_t i = 0; rc == 0 && i < nrefs; i++) {
		const fcat_object *o = NULL;
		if (fcat_catalog_lookup(&o, s->catalog, refs[i]) != 0 ||
		    (o->kind != FCAT_OBJ_FEATURE && o->kind != FCAT_OBJ_VIEW &&
		     o->kind != FCAT_OBJ_ON_DEMAND_VIEW)) {
			rc = fcat__error(FCAT_ENOTFOUND, "unknown feature or view '%s'", refs[i]);
			break;
		}
		if (o->kind == FCAT_OBJ_FEATURE)
			rc = add_feature(&q, (const fcat__field *)o);
		for (size_t k = 0;
		     rc == 0 && o->kind != FCAT_OBJ_FEATURE && k < fcat_object_feature_count(o);
		     k++)
			rc = add_feature(&q, (const fcat__field *)fcat_object_feature_at(o, k));
	}
	/* the entity rows, every column as text */
	if (rc == 0)
		rc = read_header(&q.ent, abs);
	if (rc == 0) {
		fcat_type *types = calloc(q.ent.ncols + 1, sizeof *types);
		for (size_t c = 0; types && c < q.ent.ncols; c++)
			types[c] = (fcat_type){FCAT_STRING, false, 0};
		fcat__source src = {.base = {.name = "entity file"}, .path = abs};
		rc = types ? fcat__source_scan(s, &src, (const char *const *)q.ent.names, types,
		                               q.ent.ncols, -1, 0, 0, keep_entities, &q.ent)
		           : fcat__error_oom();
		free(types);
	}
	if (rc == 0 && !(q.ent.ts = malloc((q.ent.nrows + 1) * sizeof *q.ent.ts)))
		rc = fcat__error_oom();
	for (size_t r = 0; rc == 0 && r < q.ent.nrows; r++) {
		const fcat_value *cell = &q.ent.cells[r * q.ent.ncols + (size_t)q.ent.ts_col];
		q.ent.ts[r] = INT64_MIN;
		if (!cell->is_null &&
		    fcat_timestamp_parse(&q.ent.ts[r], cell->u.str.ptr, cell->u.str.len) != 0)
			rc = fcat__error_wrap(FCAT_EINVALID, "%s: entity row %zu, column '%s'",
			                      entity_file, r + 1, TIME_COLUMN);
	}
	for (size_t i = 0; rc == 0 && i < q.nviews; i++)
		rc = join_view(&q, &q.views[i]);
	for (size_t i = 0; rc == 0 && i < q.nodvs; i++)
		rc = compute_odv(&q, i);
	if (rc == 0)
		rc = write_csv(&q, out_path, full_names);
	if (rc == 0)
		rc = write_meta(&q, out_path, abs);
	if (stats) {
		stats->rows = q.ent.nrows;
		stats->features = q.nfeatures;
		stats->pushed_down = q.pushed_down;
	}
	for (size_t c = 0; c < q.ent.ncols; c++)
		free(q.ent.names[c]);
	free(q.ent.names);
	free(q.ent.cells);
	free(q.ent.ts);
	fcat__arena_release(&q.ent.arena);
	fcat__arena_release(&q.arena);
	free(q.features);
	free(q.views);
	free(q.odvs);
	free(q.odv_out);
	free(abs);
	return rc;
}
