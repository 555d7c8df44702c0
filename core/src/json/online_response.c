/* online_response.c - Feast's /get-online-features response: one column per
 * join key (always PRESENT at the epoch), then one per feature, each with
 * its values, statuses and event timestamps, then the metadata's names. */
#include "json/json_write.h"
#include "json/online_response.h"
#include "util/error.h"

#define EPOCH "\"1970-01-01T00:00:00Z\""

/* The join key columns: {"values":[...],"statuses":["PRESENT",...],
 * "event_timestamps":[EPOCH,...]} for each. */
static int key_columns(fcat__buf *b, const fcat_feature_set *set, const fcat_value *keys,
                       size_t nrows)
{
	size_t nk = fcat_feature_set_key_count(set);
	for (size_t k = 0; k < nk; k++) {
		fcat__buf_puts(b, k ? ",{\"values\":[" : "{\"values\":[");
		for (size_t r = 0; r < nrows; r++) {
			if (r)
				fcat__buf_putc(b, ',');
			int rc = fcat__json_put_value(b, &keys[r * nk + k]);
			if (rc)
				return fcat__error_wrap(rc, "join key %s, entity row %zu",
				                        fcat_feature_set_key_name(set, k), r);
		}
		fcat__buf_puts(b, "],\"statuses\":[");
		for (size_t r = 0; r < nrows; r++)
			fcat__buf_puts(b, r ? ",\"PRESENT\"" : "\"PRESENT\"");
		fcat__buf_puts(b, "],\"event_timestamps\":[");
		for (size_t r = 0; r < nrows; r++) {
			if (r)
				fcat__buf_putc(b, ',');
			fcat__buf_puts(b, EPOCH);
		}
		fcat__buf_puts(b, "]}");
	}
	return 0;
}

/* Feature f's column, its values checked to be there first. */
static int feature_column(fcat__buf *b, const fcat_feature_set *set, size_t f, size_t nrows,
                          fcat__json_cell_fn cell, const void *ctx)
{
	const fcat_object *feature = fcat_feature_set_feature(set, f);
	for (size_t r = 0; r < nrows; r++)
		if (!cell(ctx, r, f))
			return fcat__error(FCAT_EUSAGE,
			                   "the online result has no value of feature %zu for "
			                   "entity row %zu: was it read with this feature set?",
			                   f, r);
	fcat__buf_puts(b, "{\"values\":[");
	for (size_t r = 0; r < nrows; r++) {
		if (r)
			fcat__buf_putc(b, ',');
		int rc = fcat__json_put_value(b, &cell(ctx, r, f)->value);
		if (rc)
			return fcat__error_wrap(rc, "feature %s:%s, entity row %zu",
			                        fcat_object_name(fcat_feature_view(feature)),
			                        fcat_object_name(feature), r);
	}
	fcat__buf_puts(b, "],\"statuses\":[");
	for (size_t r = 0; r < nrows; r++) {
		fcat__buf_puts(b, r ? ",\"" : "\"");
		fcat__buf_puts(b, fcat_status_name(cell(ctx, r, f)->status));
		fcat__buf_putc(b, '"');
	}
	fcat__buf_puts(b, "],\"event_timestamps\":[");
	for (size_t r = 0; r < nrows; r++) {
		char ts[48];
		size_t n = 0;
		if (r)
			ts[n++] = ',';
		ts[n++] = '"';
		n += (size_t)fcat_timestamp_format(ts + n, sizeof ts - n - 1,
		                                   cell(ctx, r, f)->event_ts);
		ts[n++] = '"';
		fcat__buf_append(b, ts, n);
	}
	fcat__buf_puts(b, "]}");
	return 0;
}

/* The metadata's names: "feature", or "view__feature" with full names. */
static int feature_names(fcat__buf *b, const fcat_feature_set *set, bool full)
{
	size_t nk = fcat_feature_set_key_count(set), nf = fcat_feature_set_count(set);
	fcat__buf name = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nk + nf; i++) {
		name.len = 0;
		if (i < nk) {
			fcat__buf_puts(&name, fcat_feature_set_key_name(set, i));
		} else {
			const fcat_object *f = fcat_feature_set_feature(set, i - nk);
			if (full) {
				fcat__buf_puts(&name, fcat_object_name(fcat_feature_view(f)));
				fcat__buf_puts(&name, "__");
			}
			fcat__buf_puts(&name, fcat_object_name(f));
		}
		if (name.oom)
			rc = fcat__error_oom();
		if (rc == 0 && i)
			fcat__buf_putc(b, ',');
		if (rc == 0)
			rc = fcat__json_put_string(b, name.ptr, name.len);
	}
	fcat__buf_free(&name);
	return rc;
}

int fcat__json_online_response(char **out, const fcat_feature_set *set, const fcat_value *keys,
                               size_t nrows, fcat__json_cell_fn cell, const void *ctx,
                               unsigned flags)
{
	*out = NULL;
	if (flags & ~(unsigned)FCAT_JSON_FULL_FEATURE_NAMES)
		return fcat__error(FCAT_EUSAGE,
		                   "fcat_json_encode_online_response: unknown flags %#x", flags);
	if (nrows && fcat_feature_set_key_count(set) && !keys)
		return fcat__error(FCAT_EUSAGE, "fcat_json_encode_online_response: NULL keys");
	/* Feast's key order: results, then metadata */
	fcat__buf b = {0};
	fcat__buf_puts(&b, "{\"results\":[");
	int rc = key_columns(&b, set, keys, nrows);
	for (size_t f = 0; rc == 0 && f < fcat_feature_set_count(set); f++) {
		if (f || fcat_feature_set_key_count(set))
			fcat__buf_putc(&b, ',');
		rc = feature_column(&b, set, f, nrows, cell, ctx);
	}
	if (rc == 0) {
		fcat__buf_puts(&b, "],\"metadata\":{\"feature_names\":[");
		rc = feature_names(&b, set, flags & FCAT_JSON_FULL_FEATURE_NAMES);
		fcat__buf_puts(&b, "]}}");
	}
	if (rc == 0 && !(*out = fcat__buf_detach(&b)))
		rc = fcat__error_oom();
	fcat__buf_free(&b);
	return rc;
}

static const fcat_feature_value *result_cell(const void *ctx, size_t row, size_t feature)
{
	return fcat_online_result_at(ctx, row, feature);
}

int fcat_json_encode_online_response(char **out, const fcat_online_result *result,
                                     const fcat_feature_set *set, const fcat_value *keys,
                                     unsigned flags)
{
	if (!out || !result || !set) {
		if (out)
			*out = NULL;
		return fcat__error(FCAT_EUSAGE, "fcat_json_encode_online_response: NULL argument");
	}
	return fcat__json_online_response(out, set, keys, fcat_online_result_rows(result),
	                                  result_cell, result, flags);
}
