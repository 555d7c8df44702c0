/* consistency.c - `fcat verify`: proof against training-serving skew. For sampled
 * entity keys and cut-off times, computes every feature through the offline
 * path (the latest source row in the ttl window, then the view's transform)
 * and through the online path (materialize into a scratch online store,
 * scratch_store.h, then an online read, on-demand views included), and
 * reports every difference. */
#include "encoding/encoding.h"
#include "latest/latest.h"
#include "materialize/view_columns.h"
#include "serve/feature_set.h"
#include "serve/online_target.h"
#include "offline/source_scan.h"
#include "store/access.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "values/value_copy.h"
#include "util/strmap.h"
#include "values/value_copy.h"
#include "verify/scratch_store.h"
#include "verify/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REPORTED 50
#define NCUTS        4

static bool same_bytes(const fcat_bytes *a, const fcat_bytes *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/* Bit-for-bit equality of two values of one type: floats by their bits
 * (so -0.0 is not 0.0, and NaNs compare by payload), text and bytes by
 * their bytes. Allocates nothing, so it cannot fail. */
bool fcat__same_value(const fcat_value *a, const fcat_value *b)
{
	if (a->is_null || b->is_null)
		return a->is_null == b->is_null;
	if (!fcat_type_equal(a->type, b->type))
		return false;
	fcat_scalar s = a->type.scalar;
	bool text = s == FCAT_STRING || s == FCAT_BYTES;
	if (a->type.is_array) {
		if (a->u.array.len != b->u.array.len)
			return false;
		if (!text)
			return a->u.array.len == 0 ||
			       memcmp(a->u.array.items, b->u.array.items,
			              a->u.array.len * fcat__scalar_stride(s)) == 0;
		const fcat_bytes *x = a->u.array.items, *y = b->u.array.items;
		for (size_t i = 0; i < a->u.array.len; i++)
			if (!same_bytes(&x[i], &y[i]))
				return false;
		return true;
	}
	if (text)
		return same_bytes(&a->u.str, &b->u.str);
	switch (s) {
	case FCAT_INT32: return a->u.i32 == b->u.i32;
	case FCAT_FLOAT32: return memcmp(&a->u.f32, &b->u.f32, sizeof(float)) == 0;
	case FCAT_FLOAT64: return memcmp(&a->u.f64, &b->u.f64, sizeof(double)) == 0;
	case FCAT_BOOL: return a->u.b == b->u.b;
	default: return a->u.i64 == b->u.i64; /* int64, timestamp */
	}
}

/* One sampled entity: its key values, and per cut what the offline path
 * found. */
typedef struct sample {
	fcat_value *keys;
	fcat_value *request; /* for on-demand views */
	bool found;
	int64_t ts, created;
	fcat_value *row; /* the source row's columns (offline) */
} sample;

typedef struct verify {
	fcat_store *s;
	const fcat__view *v;
	const char **cols;
	fcat_type *types;
	size_t ncols, nkeys;
	int ts_col, created_col;
	fcat__arena arena;
	/* pass 1: a reservoir of rows (key values + time) */
	sample *pool;
	size_t npool, cap_pool;
	uint64_t seen, rng;
	int64_t min_ts, max_ts;
	/* pass 2: the offline lookup for one cut */
	fcat__strmap index; /* encoded key -> sample list head (index+1) */
	sample *samples;
	size_t nsamples;
	size_t *next_same; /* samples sharing a key */
	int64_t cut, ttl_us;
	fcat__buf keybuf;
	/* the report */
	fcat__buf details;
	uint64_t checked, differences, nsampled;
} verify;

static int pass1(void *ctx, const fcat_value *cells, size_t nrows)
{
	verify *x = ctx;
	for (size_t i = 0; i < nrows; i++) {
		const fcat_value *row = cells + i * x->ncols;
		bool null_key = row[x->ts_col].is_null;
		for (size_t k = 0; k < x->nkeys; k++)
			null_key |= row[k].is_null;
		if (null_key)
			continue;
		int64_t ts = row[x->ts_col].u.ts;
		x->min_ts = ts < x->min_ts ? ts : x->min_ts;
		x->max_ts = ts > x->max_ts ? ts : x->max_ts;
		x->seen++;
		size_t slot = x->npool < x->cap_pool
		                  ? x->npool++
		                  : (size_t)(fcat__verify_rand(&x->rng) % x->seen);
		if (slot >= x->cap_pool)
			continue;
		sample *p = &x->pool[slot];
		p->keys = fcat__arena_alloc(&x->arena, x->nkeys * sizeof *p->keys);
		if (!p->keys)
			return fcat__error_oom();
		for (size_t k = 0; k < x->nkeys; k++)
			if (fcat__value_copy(&x->arena, &p->keys[k], &row[k]))
				return FCAT_ENOMEM;
		p->ts = ts;
	}
	return 0;
}

/* Encoded keys hold NULs: the index is keyed by their hex form. */
static bool hex_key(char *out, size_t size, const fcat__buf *key)
{
	static const char digits[] = "0123456789abcdef";
	if (key->len * 2 + 1 > size)
		return false;
	for (size_t i = 0; i < key->len; i++) {
		out[2 * i] = digits[(unsigned char)key->ptr[i] >> 4];
		out[2 * i + 1] = digits[(unsigned char)key->ptr[i] & 15];
	}
	out[key->len * 2] = '\0';
	return true;
}

static int pass2(void *ctx, const fcat_value *cells, size_t nrows)
{
	verify *x = ctx;
	for (size_t i = 0; i < nrows; i++) {
		const fcat_value *row = cells + i * x->ncols;
		if (row[x->ts_col].is_null)
			continue;
		int64_t ts = row[x->ts_col].u.ts;
		if (ts > x->cut || !fcat__latest_within(ts, x->cut, x->ttl_us))
			continue;
		x->keybuf.len = 0;
		int krc = fcat__key_encode(&x->keybuf, row, x->nkeys);
		if (krc == FCAT_ENOMEM)
			return krc;
		if (krc)
			continue; /* a null key: never served either */
		char hex[1024];
		if (!hex_key(hex, sizeof hex, &x->keybuf))
			continue;
		uintptr_t head = (uintptr_t)fcat__strmap_get(&x->index, hex);
		int64_t created = x->created_col >= 0 && !row[x->created_col].is_null
		                      ? row[x->created_col].u.ts
		                      : INT64_MIN;
		for (size_t si = head; si; si = x->next_same[si - 1]) {
			sample *p = &x->samples[si - 1];
			if (p->found && !fcat__latest_newer(ts, created, p->ts, p->created))
				continue;
			p->found = true;
			p->ts = ts;
			p->created = created;
			if (!p->row &&
			    !(p->row = fcat__arena_alloc(&x->arena, x->ncols * sizeof *p->row)))
				return fcat__error_oom();
			for (size_t c = 0; c < x->ncols; c++)
				if (fcat__value_copy(&x->arena, &p->row[c], &row[c]))
					return FCAT_ENOMEM;
		}
	}
	return 0;
}

static void difference(verify *x, const char *what, const sample *p, const char *feature,
                       const fcat_value *offline, const fcat_feature_value *online)
{
	x->differences++;
	if (x->differences > MAX_REPORTED)
		return;
	char key[256], cut[40], *a = NULL, *b = NULL;
	fcat__key_text(key, sizeof key, x->cols, p->keys, x->nkeys);
	fcat_timestamp_format(cut, sizeof cut, x->cut);
	if (offline && !offline->is_null)
		fcat_value_format(&a, offline);
	if (!online->value.is_null)
		fcat_value_format(&b, &online->value);
	fcat__buf_printf(&x->details,
	                 "%s feature '%s', entity %s at %s: offline %s, online %s (%s)\n", what,
	                 feature, key, cut, offline ? (a ? a : "null") : "no row", b ? b : "null",
	                 fcat_status_name(online->status));
	fcat_free(a);
	fcat_free(b);
}

/* Offline features of one sample: the row's transform, or its columns. */
static int offline_features(verify *x, fcat__tx *tx, const sample *p, fcat_value *out)
{
	const fcat__view *v = x->v;
	if (!p->found) {
		for (size_t f = 0; f < v->nfeatures; f++)
			out[f] = (fcat_value){.type = v->features[f].type, .is_null = true};
		return 0;
	}
	if (!v->transform.code) {
		for (size_t f = 0; f < v->nfeatures; f++)
			out[f] = p->row[x->ncols - v->nfeatures + f];
		return 0;
	}
	int rc = fcat__tx_call(tx, &v->transform, x->cols, p->row, x->ncols, v->features,
	                       v->nfeatures, out, &x->arena);
	if (rc) {
		char key[256];
		fcat__key_text(key, sizeof key, x->cols, p->keys, x->nkeys);
		return fcat__error_wrap(rc, "feature_view '%s', entity %s", v->base.name, key);
	}
	return 0;
}

/* The on-demand views computable from this view alone. */
static bool odv_of(const fcat__odv *o, const fcat__view *v)
{
	return o->nsources == 1 && o->sources[0] == v;
}

static void random_request(verify *x, const fcat_feature_set *set, sample *p)
{
	size_t nq = fcat_feature_set_request_count(set);
	p->request = fcat__arena_alloc(&x->arena, (nq + 1) * sizeof *p->request);
	for (size_t q = 0; p->request && q < nq; q++) {
		fcat_value *r = &p->request[q];
		r->type = fcat_feature_set_request_type(set, q);
		uint64_t n = fcat__verify_rand(&x->rng);
		switch (r->type.scalar) {
		case FCAT_INT32: r->u.i32 = (int32_t)(n % 2000) - 1000; break;
		case FCAT_INT64: r->u.i64 = (int64_t)(n % 2000000) - 1000000; break;
		case FCAT_TIMESTAMP: r->u.ts = x->cut - (int64_t)(n % 86400000000ULL); break;
		case FCAT_FLOAT32: r->u.f32 = (float)(n % 100000) / 977.0f; break;
		case FCAT_FLOAT64: r->u.f64 = (double)(n % 100000) / 977.0; break;
		case FCAT_BOOL: r->u.b = n & 1; break;
		default: {
			char *s = fcat__arena_alloc(&x->arena, 24);
			if (s)
				snprintf(s, 24, "r%llu", (unsigned long long)(n % 100000));
			r->u.str.ptr = s ? s : "";
			r->u.str.len = s ? strlen(s) : 0;
		}
		}
		if (r->type.is_array) /* no array request fields in practice: pass null */
			r->is_null = true;
	}
}

/* Compares the online read with the offline computation for every sample. */
static int compare(verify *x, const fcat__online *target, fcat__tx *tx)
{
	const fcat__view *v = x->v;
	const fcat_catalog *c = x->s->catalog;
	const char *refs[64];
	size_t nrefs = 0;
	refs[nrefs++] = v->base.name;
	const fcat__objvec *odvs = &c->objects[FCAT_OBJ_ON_DEMAND_VIEW];
	for (size_t i = 0; i < odvs->len && nrefs < 64; i++)
		if (odv_of((const fcat__odv *)odvs->items[i], v))
			refs[nrefs++] = odvs->items[i]->name;
	fcat_feature_set *set;
	int rc = fcat_feature_set_new(&set, x->s, refs, nrefs);
	if (rc)
		return rc;
	size_t nk = fcat_feature_set_key_count(set), nq = fcat_feature_set_request_count(set);
	fcat_value *keys = calloc(x->nsamples * nk + 1, sizeof *keys);
	fcat_value *req = calloc(x->nsamples * nq + 1, sizeof *req);
	fcat_value *expect = calloc(v->nfeatures + 64, sizeof *expect);
	fcat_value *odv_out = calloc(256, sizeof *odv_out);
	fcat_value *odv_in = calloc(v->nfeatures + 64, sizeof *odv_in);
	fcat_online_result *res = NULL;
	if (!keys || !req || !expect || !odv_out || !odv_in ||
	    (rc = fcat_online_result_new(&res))) {
		rc = rc ? rc : fcat__error_oom();
		goto out;
	}
	for (size_t i = 0; i < x->nsamples; i++) {
		memcpy(keys + i * nk, x->samples[i].keys, nk * sizeof *keys);
		random_request(x, set, &x->samples[i]);
		if (nq && x->samples[i].request)
			memcpy(req + i * nq, x->samples[i].request, nq * sizeof *req);
	}
	if ((rc = fcat__online_read(res, x->s, target, set, keys, nq ? req : NULL, x->nsamples,
	                            x->cut)))
		goto out;
	for (size_t i = 0; i < x->nsamples; i++) {
		sample *p = &x->samples[i];
		if ((rc = offline_features(x, tx, p, expect)))
			goto out;
		size_t col = 0;
		for (size_t f = 0; f < v->nfeatures; f++, col++) {
			const fcat_feature_value *on = fcat_online_result_at(res, i, col);
			x->checked++;
			bool online_absent = on->status == FCAT_STATUS_NOT_FOUND ||
			                     on->status == FCAT_STATUS_OUTSIDE_MAX_AGE;
			if (!p->found ? !online_absent
			              : online_absent || on->event_ts != p->ts ||
			                    !fcat__same_value(&expect[f], &on->value))
				difference(x, "feature_view", p, v->features[f].base.name,
				           p->found ? &expect[f] : NULL, on);
		}
		for (size_t r = 1; r < nrefs; r++) {
			const fcat__odv *o =
			    (const fcat__odv *)fcat__strmap_get(&c->by_name, refs[r]);
			size_t n = 0;
			for (size_t f = 0; f < v->nfeatures; f++)
				odv_in[n++] = expect[f];
			for (size_t q = 0; q < o->nrequest; q++)
				for (size_t j = 0; j < nq; j++)
					if (!strcmp(fcat_feature_set_request_name(set, j),
					            o->request[q].base.name))
						odv_in[n++] = p->request[j];
			const char *names[320];
			size_t nn = 0;
			for (size_t f = 0; f < v->nfeatures; f++)
				names[nn++] = v->features[f].base.name;
			for (size_t q = 0; q < o->nrequest; q++)
				names[nn++] = o->request[q].base.name;
			if ((rc = fcat__tx_call(tx, &o->transform, names, odv_in, n, o->features,
			                        o->nfeatures, odv_out, &x->arena)))
				goto out;
			for (size_t f = 0; f < o->nfeatures; f++, col++) {
				const fcat_feature_value *on = fcat_online_result_at(res, i, col);
				x->checked++;
				if (!fcat__same_value(&odv_out[f], &on->value))
					difference(x, "on_demand_view", p, o->features[f].base.name,
					           &odv_out[f], on);
			}
		}
	}
out:
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	free(keys);
	free(req);
	free(expect);
	free(odv_out);
	free(odv_in);
	return rc;
}

/* One cut: materialize into a fresh scratch store, look up offline, compare. */
static int run_cut(verify *x, const char *scratch, int cutno, fcat__tx *tx)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/cut%d", scratch, cutno);
	fcat__scratch_store scratch_store;
	int rc = fcat__scratch_store_open(&scratch_store, x->s, dir);
	if (rc) {
		fcat__remove_tree(dir);
		return rc;
	}
	const fcat__online target = scratch_store.target;
	fcat_materialize_stats st = {0};
	rc = fcat__materialize_view(x->s, x->v, INT64_MIN, x->cut + 1, &target, &st, NULL, NULL, 0);
	if (rc == 0) {
		fcat__strmap_free(&x->index);
		for (size_t i = 0; i < x->nsamples && rc == 0; i++) {
			sample *s = &x->samples[i];
			x->keybuf.len = 0;
			rc = fcat__key_encode(&x->keybuf, s->keys, x->nkeys);
			char hex[1024];
			if (rc)
				break;
			if (!hex_key(hex, sizeof hex, &x->keybuf))
				continue;
			char *key = fcat__arena_strdup(&x->arena, hex);
			if (!key) {
				rc = fcat__error_oom();
				break;
			}
			void *old = NULL;
			int put =
			    fcat__strmap_put(&x->index, key, (void *)(uintptr_t)(i + 1), &old);
			if (put < 0) {
				rc = fcat__error_oom();
			} else if (put == 1) { /* another sample of the same key: chain it */
				x->next_same[i] = (size_t)(uintptr_t)old;
				fcat__strmap_set(&x->index, key, (void *)(uintptr_t)(i + 1));
			} else {
				x->next_same[i] = 0;
			}
		}
	}
	if (rc == 0)
		rc = fcat__source_scan(x->s, x->v->source, x->cols, x->types, x->ncols, -1, 0, 0,
		                       pass2, x);
	if (rc == 0)
		rc = compare(x, &target, tx);
	fcat__scratch_store_close(&scratch_store);
	fcat__remove_tree(dir);
	return rc;
}

/* Picks the samples of one cut from the reservoir, with a few unknown keys. */
static void draw(verify *x, size_t n)
{
	x->nsamples = 0;
	for (size_t i = 0; i < n && x->npool; i++) {
		sample *s = &x->samples[x->nsamples++];
		memset(s, 0, sizeof *s);
		s->keys = x->pool[fcat__verify_rand(&x->rng) % x->npool].keys;
		if (i % 50 == 49) { /* an entity nobody has seen */
			fcat_value *k = fcat__arena_alloc(&x->arena, x->nkeys * sizeof *k);
			if (!k)
				continue;
			memcpy(k, s->keys, x->nkeys * sizeof *k);
			if (k[0].type.scalar == FCAT_STRING || k[0].type.scalar == FCAT_BYTES)
				k[0].u.str = (fcat_bytes){"\x01unknown-entity", 15};
			else if (k[0].type.scalar == FCAT_INT32)
				k[0].u.i32 = INT32_MIN + 7;
			else
				k[0].u.i64 = INT64_MIN + 7;
			s->keys = k;
		}
	}
}

static int verify_view(verify *x, const char *scratch, size_t sample, fcat__tx *tx)
{
	const fcat__view *v = x->v;
	const char *cols[1100];
	fcat_type types[1100];
	fcat__view_layout at;
	size_t n = fcat__view_columns(cols, types, 1100, &at, v);
	x->nkeys = at.nkeys;
	x->ts_col = at.ts_col;
	x->created_col = at.created_col;
	x->cols = cols;
	x->types = types;
	x->ncols = n;
	x->ttl_us = fcat__latest_ttl_us(v->ttl_seconds);
	x->min_ts = INT64_MAX;
	x->max_ts = INT64_MIN;
	size_t per_cut = (sample + NCUTS - 1) / NCUTS;
	x->cap_pool = per_cut < 4096 ? per_cut : 4096;
	x->pool = calloc(x->cap_pool + 1, sizeof *x->pool);
	x->samples = calloc(per_cut + 1, sizeof *x->samples);
	x->next_same = calloc(per_cut + 1, sizeof *x->next_same);
	if (!x->pool || !x->samples || !x->next_same)
		return fcat__error_oom();
	int rc = fcat__source_scan(x->s, v->source, cols, types, n, -1, 0, 0, pass1, x);
	if (rc || !x->npool)
		return rc;
	/* the cut-offs: the end of the data, a row's exact time, exactly one
	 * ttl after a row, and the middle of the data */
	int64_t row_ts = x->pool[fcat__verify_rand(&x->rng) % x->npool].ts;
	int64_t cuts[NCUTS] = {x->max_ts, row_ts, row_ts + (x->ttl_us ? x->ttl_us : 1),
	                       x->min_ts + (x->max_ts - x->min_ts) / 2};
	for (int i = 0; i < NCUTS && rc == 0; i++) {
		x->cut = cuts[i];
		draw(x, per_cut);
		rc = run_cut(x, scratch, i, tx);
		x->nsampled += x->nsamples;
	}
	return rc;
}

/* verify reads source data (the offline path) and online values of every
 * feature it compares, and prints both: it needs read_offline and
 * read_online on each, checked before anything is read. */
static int check_access(fcat_store *s)
{
	static const fcat_object_kind kinds[] = {FCAT_OBJ_VIEW, FCAT_OBJ_ON_DEMAND_VIEW};
	static const fcat__policy_action actions[] = {FCAT__PA_READ_OFFLINE, FCAT__PA_READ_ONLINE};
	for (size_t k = 0; k < 2; k++) {
		const fcat__objvec *objs = &s->catalog->objects[kinds[k]];
		for (size_t i = 0; i < objs->len; i++) {
			const fcat__field *f;
			size_t n;
			if (kinds[k] == FCAT_OBJ_VIEW) {
				const fcat__view *v = (const fcat__view *)objs->items[i];
				if (!v->online)
					continue;
				f = v->features;
				n = v->nfeatures;
			} else {
				const fcat__odv *o = (const fcat__odv *)objs->items[i];
				f = o->features;
				n = o->nfeatures;
			}
			for (size_t j = 0; j < n; j++)
				for (size_t a = 0; a < 2; a++) {
					int rc = fcat__access_feature(s, &s->caller, actions[a],
					                              &f[j], NULL);
					if (rc)
						return fcat__error_wrap(rc, "verify compares every "
						                            "feature");
				}
		}
	}
	return 0;
}

int fcat_verify(fcat_verify_report *out, fcat_store *s, size_t sample, uint64_t seed)
{
	memset(out, 0, sizeof *out);
	int arc = check_access(s);
	if (arc)
		return arc;
	char scratch[4096];
	int trc = fcat__temp_dir(scratch, sizeof scratch, "fcat-verify");
	if (trc)
		return trc;
	fcat__tx *tx;
	int rc = fcat__store_tx(s, &tx);
	fcat__buf details = {0};
	const fcat__objvec *views = &s->catalog->objects[FCAT_OBJ_VIEW];
	for (size_t i = 0; rc == 0 && i < views->len; i++) {
		const fcat__view *v = (const fcat__view *)views->items[i];
		if (!v->online)
			continue;
		if (v->aggs) {
			fcat__verify_counts c = {.details = &details};
			rc = fcat__verify_aggregations(&c, s, v, scratch, sample ? sample : 1000,
			                               seed + i);
			out->views++;
			out->checked += c.checked;
			out->samples += c.samples;
			out->differences += c.differences;
			continue;
		}
		verify x = {0};
		x.s = s;
		x.v = v;
		x.rng = seed + i;
		fcat__arena_init(&x.arena, 1 << 20);
		rc = verify_view(&x, scratch, sample ? sample : 1000, tx);
		out->views++;
		out->checked += x.checked;
		out->samples += x.nsampled;
		out->differences += x.differences;
		if (x.details.len)
			fcat__buf_append(&details, x.details.ptr, x.details.len);
		fcat__buf_free(&x.details);
		fcat__buf_free(&x.keybuf);
		fcat__strmap_free(&x.index);
		free(x.pool);
		free(x.samples);
		free(x.next_same);
		fcat__arena_release(&x.arena);
	}
	fcat__remove_tree(scratch);
	out->details = details.len ? fcat__buf_detach(&details) : NULL;
	fcat__buf_free(&details);
	return rc;
}
