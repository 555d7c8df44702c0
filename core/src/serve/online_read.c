/* online_read.c - reading feature vectors from the online store: encode the
 * entity keys, read each view's rows, decode them, judge each value's status
 * (present, null, not found, older than the ttl) and its writer's version. */
#include "aggregate/agg.h"
#include "fault/fault.h"
#include "encoding/encoding.h"
#include "latest/latest.h"
#include "serve/feature_set.h"
#include "serve/online_target.h"
#include "store/store.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/options.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fcat_online_result {
	fcat__arena scratch;       /* decoded arrays, per read */
	fcat_feature_value *cells; /* rows * cols */
	size_t rows, cols, cap;
	fcat__buf keybuf;
	size_t *key_end; /* end offset of each row's key in keybuf */
	fcat_bytes *keys, *vals;
	fcat_value *decoded; /* one view's values of one row */
	size_t row_cap, view_cap;
	/* for on-demand views: every value of the kept views, per row */
	fcat_value **kept;
	int64_t **kept_ts; /* event time per row, INT64_MIN when not found */
	size_t kept_views, kept_rows;
	fcat_value *inputs, *outputs;
	size_t io_cap;
	fcat__agg_events agg_events; /* an aggregation row's, per read */
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
	fcat__agg_events_free(&r->agg_events);
	fcat__buf_free(&r->keybuf);
	free(r->cells);
	free(r->key_end);
	free(r->keys);
	free(r->vals);
	free(r->decoded);
	for (size_t i = 0; i < r->kept_views; i++) {
		free(r->kept[i]);
		free(r->kept_ts[i]);
	}
	free(r->kept);
	free(r->kept_ts);
	free(r->inputs);
	free(r->outputs);
	free(r);
}

size_t fcat_online_result_rows(const fcat_online_result *r)
{
	return r->rows;
}

const fcat_feature_value *fcat_online_result_at(const fcat_online_result *r, size_t row,
                                                size_t feature)
{
	if (row >= r->rows || feature >= r->cols)
		return NULL;
	return &r->cells[row * r->cols + feature];
}

const fcat_feature_value *fcat_online_result_values(const fcat_online_result *r)
{
	if (!r || !r->rows || !r->cols)
		return NULL;
	return r->cells;
}

static int reserve(fcat_online_result *r, const fcat_feature_set *set, size_t nrows)
{
	size_t cells = nrows * set->nfeatures;
	if (cells > r->cap) {
		if (!fcat__resize(&r->cells, cells + 1, sizeof *r->cells))
			return fcat__error_oom();
		r->cap = cells;
	}
	if (nrows > r->row_cap) {
		if (!fcat__resize(&r->key_end, nrows + 1, sizeof *r->key_end) ||
		    !fcat__resize(&r->keys, nrows + 1, sizeof *r->keys) ||
		    !fcat__resize(&r->vals, nrows + 1, sizeof *r->vals))
			return fcat__error_oom();
		r->row_cap = nrows;
	}
	if (set->nodvs && (set->nviews > r->kept_views || nrows > r->kept_rows)) {
		for (size_t i = 0; i < r->kept_views; i++) {
			free(r->kept[i]);
			free(r->kept_ts[i]);
		}
		free(r->kept);
		free(r->kept_ts);
		r->kept_views = r->kept_rows = 0;
		r->kept = calloc(set->nviews, sizeof *r->kept);
		r->kept_ts = calloc(set->nviews, sizeof *r->kept_ts);
		if (!r->kept || !r->kept_ts)
			return fcat__error_oom();
		r->kept_views = set->nviews;
		r->kept_rows = nrows;
		for (size_t i = 0; i < set->nviews; i++) {
			r->kept[i] =
			    calloc(nrows * set->views[i].view->nfeatures + 1, sizeof **r->kept);
			r->kept_ts[i] = calloc(nrows + 1, sizeof **r->kept_ts);
			if (!r->kept[i] || !r->kept_ts[i])
				return fcat__error_oom();
		}
	}
	size_t io = 0;
	for (size_t i = 0; i < set->nodvs; i++) {
		size_t n = set->odvs[i].ninputs + set->odvs[i].odv->nfeatures;
		io = n > io ? n : io;
	}
	if (io > r->io_cap) {
		if (!fcat__resize(&r->inputs, io + 1, sizeof *r->inputs) ||
		    !fcat__resize(&r->outputs, io + 1, sizeof *r->outputs))
			return fcat__error_oom();
		r->io_cap = io;
	}
	for (size_t i = 0; i < set->nviews; i++) {
		size_t n = set->views[i].view->nfeatures;
		if (n > r->view_cap) {
			if (!fcat__resize(&r->decoded, n + 1, sizeof *r->decoded))
				return fcat__error_oom();
			r->view_cap = n;
		}
	}
	return 0;
}

/* Encodes the keys of every row for one view. */
static int encode_keys(fcat_online_result *r, const fcat_feature_set *set, const fcat__set_view *sv,
                       const fcat_value *keys, size_t nrows)
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
				return fcat__error(FCAT_EINVALID,
				                   "entity row %zu: join key '%s' is %s, "
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

static const unsigned char *copy_row(fcat_online_result *r, const fcat_bytes *val)
{
	unsigned char *p = fcat__arena_alloc_uninit(&r->scratch, val->len + 1);
	if (p)
		memcpy(p, val->ptr, val->len);
	return p;
}

static void fill_view(fcat_online_result *r, const fcat__set_view *sv, size_t row,
                      const fcat__row_header *h, bool found, int64_t now)
{
	const fcat__view *v = sv->view;
	fcat_feature_value *cells = &r->cells[row * r->cols];
	if (!found) {
		/* null, or an aggregation's value over an empty window */
		for (size_t f = 0; f < v->nfeatures; f++)
			if (sv->feature_out[f] != SIZE_MAX)
				cells[sv->feature_out[f]] = (fcat_feature_value){
				    .value = v->aggs ? r->decoded[f]
				                     : (fcat_value){.type = sv->types[f],
				                                    .is_null = true},
				    .status = FCAT_STATUS_NOT_FOUND};
		return;
	}
	bool stale = memcmp(h->data_hash, v->data_hash, 32) != 0;
	/* past the ttl a row is outside the window, whatever its values */
	bool expired = !fcat__latest_within(h->event_ts, now, fcat__latest_ttl_us(v->ttl_seconds));
	for (size_t f = 0; f < v->nfeatures; f++) {
		size_t out = sv->feature_out[f];
		if (out == SIZE_MAX)
			continue;
		const fcat_value *d = &r->decoded[f];
		cells[out] = (fcat_feature_value){.value = *d,
		                                  .status = expired ? FCAT_STATUS_OUTSIDE_MAX_AGE
		                                            : d->is_null ? FCAT_STATUS_NULL_VALUE
		                                                         : FCAT_STATUS_PRESENT,
		                                  .event_ts = h->event_ts,
		                                  .stale_version = stale};
	}
}

/* Computes the on-demand views of one row from kept values and requests. */
static int compute_odvs(fcat_online_result *r, fcat_store *store, const fcat_feature_set *set,
                        const fcat_value *keys, const fcat_value *request, size_t row)
{
	fcat__tx *tx;
	int rc = fcat__store_tx(store, &tx);
	if (rc)
		return rc;
	for (size_t i = 0; i < set->nodvs; i++) {
		const fcat__set_odv *so = &set->odvs[i];
		const fcat__odv *o = so->odv;
		size_t n = 0;
		int64_t newest = INT64_MIN;
		for (size_t s = 0; s < o->nsources; s++) {
			size_t vi = so->views[s], nf = set->views[vi].view->nfeatures;
			memcpy(r->inputs + n, r->kept[vi] + row * nf, nf * sizeof *r->inputs);
			n += nf;
			if (r->kept_ts[vi][row] > newest)
				newest = r->kept_ts[vi][row];
		}
		for (size_t q = 0; q < o->nrequest; q++) {
			const fcat_value *v =
			    request ? &request[row * set->nrequests + so->request[q]] : NULL;
			if (!v || (!v->is_null && !fcat_type_equal(v->type, o->request[q].type)))
				return fcat__error(FCAT_EINVALID,
				                   "entity row %zu: on-demand view '%s' needs "
				                   "the request field '%s' (%s)",
				                   row + 1, o->base.name, o->request[q].base.name,
				                   fcat_scalar_name(o->request[q].type.scalar));
			r->inputs[n++] = *v;
		}
		rc = fcat__tx_call(tx, &o->transform, so->names, r->inputs, n, o->features,
		                   o->nfeatures, r->outputs, &r->scratch);
		if (rc) {
			char key[512];
			const char *names[64];
			size_t nk = set->nkeys < 64 ? set->nkeys : 64;
			for (size_t k = 0; k < nk; k++)
				names[k] = set->keys[k]->base.name;
			fcat__key_text(key, sizeof key, names, keys + row * set->nkeys, nk);
			return fcat__error_wrap(rc, "on-demand view '%s', entity %s", o->base.name,
			                        key);
		}
		for (size_t f = 0; f < o->nfeatures; f++) {
			size_t out = so->feature_out[f];
			if (out == SIZE_MAX)
				continue;
			fcat_feature_value *c = &r->cells[row * r->cols + out];
			memset(c, 0, sizeof *c);
			c->value = r->outputs[f];
			c->status = c->value.is_null ? FCAT_STATUS_NULL_VALUE : FCAT_STATUS_PRESENT;
			c->event_ts = newest == INT64_MIN ? 0 : newest;
		}
	}
	return 0;
}

int fcat_online_read(fcat_online_result *r, fcat_store *store, const fcat_feature_set *set,
                     const fcat_value *keys, size_t nrows, const fcat_read_options *options)
{
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	/* the first version ended before groups: a caller built then still works */
	int rc = fcat__options_take(&o, sizeof o, options, offsetof(fcat_read_options, groups),
	                            "fcat_read_options");
	if (rc)
		return rc;
	if (set->store != store)
		return fcat__error(FCAT_EUSAGE, "the feature set was made for another store");
	fcat__caller who = {o.principal ? o.principal : store->principal, o.groups, o.ngroups};
	if ((rc = fcat__set_authorize(set, store, &who)))
		return rc;
	int64_t now = o.now;
	if (now < 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	}
	fcat__online target;
	rc = fcat__store_online(store, &target.ops, &target.handle);
	return rc ? rc : fcat__online_read(r, store, &target, set, keys, o.request, nrows, now);
}

int fcat__online_read(fcat_online_result *r, fcat_store *store, const fcat__online *target,
                      const fcat_feature_set *set, const fcat_value *keys,
                      const fcat_value *request, size_t nrows, int64_t now)
{
	const fcat_online_ops *ops = target->ops;
	void *handle = target->handle;
	int rc;
	fcat__arena_reset(&r->scratch);
	r->rows = 0;
	r->cols = set->nfeatures;
	if ((rc = reserve(r, set, nrows)))
		return rc;
	for (size_t i = 0; i < set->nviews; i++) {
		const fcat__set_view *sv = &set->views[i];
		if ((rc = encode_keys(r, set, sv, keys, nrows)))
			return rc;
		if ((rc = FCAT__PLUGIN_CALL(
		         ops->read(handle, sv->view->base.name, r->keys, nrows, r->vals))))
			return fcat__error_wrap(rc, "reading view '%s'", sv->view->base.name);
		for (size_t row = 0; row < nrows; row++) {
			fcat__row_header h = {0};
			size_t mismatch = 0;
			bool found = r->vals[row].ptr != NULL;
			/* the plugin's buffer is replaced by the next read: the row is
			 * copied once into the result, and its strings point there */
			const unsigned char *bytes = NULL;
			if (found && !(bytes = copy_row(r, &r->vals[row])))
				return fcat__error_oom();
			/* an aggregation view's windows are computed at `now`, an
			 * entity without a row's too (an empty window: count 0) */
			rc = 0;
			if (sv->view->aggs)
				rc = fcat__agg_row_values(r->decoded, &h, sv->view, bytes,
				                          found ? r->vals[row].len : 0, now,
				                          &r->agg_events, &r->scratch);
			else if (found)
				rc = fcat__row_decode(&h, r->decoded, sv->view->nfeatures,
				                      sv->types, &mismatch, bytes, r->vals[row].len,
				                      &r->scratch);
			if (rc)
				return fcat__error_wrap(rc, "view '%s', entity row %zu",
				                        sv->view->base.name, row + 1);
			fill_view(r, sv, row, &h, found, now);
			if (sv->keep) {
				/* an on-demand view sees what a training set would: nothing
				 * for a row older than the ttl */
				const fcat__view *v = sv->view;
				bool usable = found && fcat__latest_within(
				                           h.event_ts, now,
				                           fcat__latest_ttl_us(v->ttl_seconds));
				fcat_value *dst = r->kept[i] + row * v->nfeatures;
				for (size_t f = 0; f < v->nfeatures; f++)
					dst[f] = usable ? r->decoded[f]
					                : (fcat_value){.type = sv->types[f],
					                               .is_null = true};
				r->kept_ts[i][row] = usable ? h.event_ts : INT64_MIN;
			}
		}
	}
	for (size_t row = 0; set->nodvs && row < nrows; row++)
		if ((rc = compute_odvs(r, store, set, keys, request, row)))
			return rc;
	r->rows = nrows;
	return 0;
}
