/* online_read.c - reading feature vectors from the online store: encode the
 * entity keys, read each view's rows, decode them, judge each value's status
 * (present, null, not found, older than the ttl) and its writer's version. */
#include "encoding/encoding.h"
#include "serve/feature_set.h"
#include "store/store.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fcat_online_result {
	fcat__arena scratch;    /* decoded arrays, per read */
	fcat_feature_value *cells; /* rows * cols */
	size_t rows, cols, cap;
	fcat__buf keybuf;
	size_t *key_end;  /* end offset of each row's key in keybuf */
	fcat_bytes *keys, *vals;
	fcat_value *decoded; /* one view's values of one row */
	size_t row_cap, view_cap;
};

const char *fcat_status_name(fcat_status status)
{
	static const char *const names[] = {"INVALID", "PRESENT", "NULL_VALUE", "NOT_FOUND",
					    "OUTSIDE_MAX_AGE"};
	return (unsigned)status <= FCAT_STATUS_OUTSIDE_MAX_AGE ? names[status] : "INVALID";
}

int fcat_online_result_new(fcat_online_result **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return fcat__error_oom();
	fcat__arena_init(&(*out)->scratch, 16 * 1024);
	return 0;
}

void fcat_online_result_free(fcat_online_result *r)
{
	if (!r)
		return;
	fcat__arena_release(&r->scratch);
	fcat__buf_free(&r->keybuf);
	free(r->cells);
	free(r->key_end);
	free(r->keys);
	free(r->vals);
	free(r->decoded);
	free(r);
}

size_t fcat_online_result_rows(const fcat_online_result *r) { return r->rows; }

const fcat_feature_value *fcat_online_result_at(const fcat_online_result *r, size_t row,
						size_t feature)
{
	if (row >= r->rows || feature >= r->cols)
		return NULL;
	return &r->cells[row * r->cols + feature];
}

static int reserve(fcat_online_result *r, const fcat_feature_set *set, size_t nrows)
{
	size_t cells = nrows * set->nfeatures;
	if (cells > r->cap) {
		fcat_feature_value *p = realloc(r->cells, (cells + 1) * sizeof *p);
		if (!p)
			return fcat__error_oom();
		r->cells = p;
		r->cap = cells;
	}
	if (nrows > r->row_cap) {
		size_t *ke = realloc(r->key_end, (nrows + 1) * sizeof *ke);
		fcat_bytes *k = realloc(r->keys, (nrows + 1) * sizeof *k);
		fcat_bytes *v = realloc(r->vals, (nrows + 1) * sizeof *v);
		if (ke)
			r->key_end = ke;
		if (k)
			r->keys = k;
		if (v)
			r->vals = v;
		if (!ke || !k || !v)
			return fcat__error_oom();
		r->row_cap = nrows;
	}
	for (size_t i = 0; i < set->nviews; i++) {
		size_t n = set->views[i].view->nfeatures;
		if (n > r->view_cap) {
			fcat_value *d = realloc(r->decoded, (n + 1) * sizeof *d);
			if (!d)
				return fcat__error_oom();
			r->decoded = d;
			r->view_cap = n;
		}
	}
	return 0;
}

/* Encodes the keys of every row for one view. */
static int encode_keys(fcat_online_result *r, const fcat_feature_set *set,
		       const fcat__set_view *sv, const fcat_value *keys, size_t nrows)
{
	fcat_value kv[16];
	if (sv->nkeys > 16)
		return fcat__error(FCAT_EINVALID, "view '%s' has more than 16 join keys",
				   sv->view->base.name);
	r->keybuf.len = 0;
	for (size_t row = 0; row < nrows; row++) {
		for (size_t k = 0; k < sv->nkeys; k++) {
			kv[k] = keys[row * set->nkeys + sv->key_index[k]];
			fcat_type want = set->keys[sv->key_index[k]]->type;
			if (!kv[k].is_null && !fcat_type_equal(kv[k].type, want))
				return fcat__error(FCAT_EINVALID, "entity row %zu: join key '%s' is %s, "
								  "expected %s",
						   row + 1, set->keys[sv->key_index[k]]->base.name,
						   fcat_scalar_name(kv[k].type.scalar),
						   fcat_scalar_name(want.scalar));
		}
		int rc = fcat__key_encode(&r->keybuf, kv, sv->nkeys);
		if (rc)
			return fcat__error_wrap(rc, "entity row %zu", row + 1);
		r->key_end[row] = r->keybuf.len;
	}
	if (r->keybuf.oom)
		return fcat__error_oom();
	size_t start = 0;
	for (size_t row = 0; row < nrows; row++) {
		r->keys[row].ptr = r->keybuf.ptr + start;
		r->keys[row].len = r->key_end[row] - start;
		start = r->key_end[row];
	}
	return 0;
}

/* Strings point into the plugin's buffer, which the next view's read
 * replaces: copy them into the result. */
static int own_strings(fcat__arena *a, fcat_value *v)
{
	if (v->is_null || (v->type.scalar != FCAT_STRING && v->type.scalar != FCAT_BYTES))
		return 0;
	fcat_bytes *items = v->type.is_array ? (fcat_bytes *)v->u.array.items : &v->u.str;
	size_t n = v->type.is_array ? v->u.array.len : 1;
	for (size_t i = 0; i < n; i++) {
		char *p = fcat__arena_strndup(a, items[i].ptr ? items[i].ptr : "", items[i].len);
		if (!p)
			return fcat__error_oom();
		items[i].ptr = p;
	}
	return 0;
}

static void fill_view(fcat_online_result *r, const fcat__set_view *sv, size_t row,
		      const fcat__row_header *h, bool found, int64_t now)
{
	const fcat__view *v = sv->view;
	bool stale = found && memcmp(h->data_hash, v->data_hash, 32) != 0;
	bool expired = found && v->ttl_seconds > 0 && now - h->event_ts > v->ttl_seconds * 1000000;
	for (size_t f = 0; f < v->nfeatures; f++) {
		size_t out = sv->feature_out[f];
		if (out == SIZE_MAX)
			continue;
		fcat_feature_value *c = &r->cells[row * r->cols + out];
		memset(c, 0, sizeof *c);
		c->value.type = v->features[f].type;
		c->value.is_null = true;
		if (!found) {
			c->status = FCAT_STATUS_NOT_FOUND;
			continue;
		}
		c->event_ts = h->event_ts;
		c->stale_version = stale;
		c->value = r->decoded[f];
		c->status = c->value.is_null ? FCAT_STATUS_NULL_VALUE
			    : expired	     ? FCAT_STATUS_OUTSIDE_MAX_AGE
					     : FCAT_STATUS_PRESENT;
	}
}

int fcat_online_read_at(fcat_online_result *r, fcat_store *store, const fcat_feature_set *set,
			const fcat_value *keys, size_t nrows, int64_t now)
{
	const fcat_online_ops *ops;
	void *handle;
	int rc = fcat__store_online(store, &ops, &handle);
	if (rc)
		return rc;
	fcat__arena_reset(&r->scratch);
	r->rows = 0;
	r->cols = set->nfeatures;
	if ((rc = reserve(r, set, nrows)))
		return rc;
	for (size_t i = 0; i < set->nviews; i++) {
		const fcat__set_view *sv = &set->views[i];
		if ((rc = encode_keys(r, set, sv, keys, nrows)))
			return rc;
		if ((rc = ops->read(handle, sv->view->base.name, r->keys, nrows, r->vals)))
			return fcat__error_wrap(rc, "reading view '%s'", sv->view->base.name);
		for (size_t row = 0; row < nrows; row++) {
			fcat__row_header h = {0};
			size_t mismatch = 0;
			bool found = r->vals[row].ptr != NULL;
			if (found &&
			    (rc = fcat__row_decode(&h, r->decoded, sv->view->nfeatures, sv->types,
						   &mismatch, (const unsigned char *)r->vals[row].ptr,
						   r->vals[row].len, &r->scratch)))
				return fcat__error_wrap(rc, "view '%s', entity row %zu",
							sv->view->base.name, row + 1);
			for (size_t f = 0; found && f < sv->view->nfeatures; f++)
				if (sv->feature_out[f] != SIZE_MAX &&
				    (rc = own_strings(&r->scratch, &r->decoded[f])))
					return rc;
			fill_view(r, sv, row, &h, found, now);
		}
	}
	r->rows = nrows;
	return 0;
}

int fcat_online_read(fcat_online_result *r, fcat_store *store, const fcat_feature_set *set,
		     const fcat_value *keys, size_t nrows)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return fcat_online_read_at(r, store, set, keys, nrows,
				   (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}
