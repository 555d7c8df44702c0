/* online_response.c - Feast's /get-online-features response: one column per
 * join key (always PRESENT at the epoch), then one per feature, each with
 * its values, statuses and event timestamps, then the metadata's names. */
#include "json/json_value.h"
#include "json/online_response.h"
#include "util/error.h"

#include <stdio.h>

#define EPOCH "1970-01-01T00:00:00Z"

/* One column of the response: {"values":[], "statuses":[],
 * "event_timestamps":[]}, appended to `results`; the arrays are borrowed. */
typedef struct column {
	json_t *values, *statuses, *timestamps;
} column;

static int column_open(column *c, json_t *results)
{
	json_t *o = json_object();
	c->values = json_array();
	c->statuses = json_array();
	c->timestamps = json_array();
	/* each _new steals its reference, even when it fails */
	int bad = json_object_set_new(o, "values", c->values);
	bad |= json_object_set_new(o, "statuses", c->statuses);
	bad |= json_object_set_new(o, "event_timestamps", c->timestamps);
	bad |= json_array_append_new(results, o);
	return bad || !o || !c->values || !c->statuses || !c->timestamps ? fcat__error_oom() : 0;
}

static int column_add(column *c, const fcat_value *v, const char *status, const char *ts)
{
	json_t *j;
	int rc = fcat__json_from_value(&j, v);
	if (rc)
		return rc;
	int bad = json_array_append_new(c->values, j);
	bad |= json_array_append_new(c->statuses, json_string(status));
	bad |= json_array_append_new(c->timestamps, json_string(ts));
	return bad ? fcat__error_oom() : 0;
}

static int key_columns(json_t *results, json_t *names, const fcat_feature_set *set,
                       const fcat_value *keys, size_t nrows)
{
	size_t nk = fcat_feature_set_key_count(set);
	for (size_t k = 0; k < nk; k++) {
		column c;
		const char *name = fcat_feature_set_key_name(set, k);
		int rc = column_open(&c, results);
		if (rc == 0 && json_array_append_new(names, json_string(name)))
			rc = fcat__error_oom();
		for (size_t r = 0; rc == 0 && r < nrows; r++)
			if ((rc = column_add(&c, &keys[r * nk + k], "PRESENT", EPOCH)) &&
			    rc != FCAT_ENOMEM)
				rc = fcat__error_wrap(rc, "join key %s, entity row %zu", name, r);
		if (rc)
			return rc;
	}
	return 0;
}

/* "feature", or "view__feature" with full names. */
static json_t *feature_name(const fcat_object *f, bool full)
{
	if (!full)
		return json_string(fcat_object_name(f));
	return json_sprintf("%s__%s", fcat_object_name(fcat_feature_view(f)), fcat_object_name(f));
}

static int feature_columns(json_t *results, json_t *names, const fcat_feature_set *set,
                           size_t nrows, fcat__json_cell_fn cell, const void *ctx, bool full)
{
	for (size_t f = 0; f < fcat_feature_set_count(set); f++) {
		const fcat_object *feature = fcat_feature_set_feature(set, f);
		column c;
		int rc = column_open(&c, results);
		if (rc == 0 && json_array_append_new(names, feature_name(feature, full)))
			rc = fcat__error_oom();
		for (size_t r = 0; rc == 0 && r < nrows; r++) {
			const fcat_feature_value *v = cell(ctx, r, f);
			char ts[40];
			if (!v)
				return fcat__error(FCAT_EUSAGE,
				                   "the online result has no value of feature %zu "
				                   "for entity row %zu: was it read with this "
				                   "feature set?",
				                   f, r);
			fcat_timestamp_format(ts, sizeof ts, v->event_ts);
			rc = column_add(&c, &v->value, fcat_status_name(v->status), ts);
			if (rc && rc != FCAT_ENOMEM)
				rc = fcat__error_wrap(rc, "feature %s:%s, entity row %zu",
				                      fcat_object_name(fcat_feature_view(feature)),
				                      fcat_object_name(feature), r);
		}
		if (rc)
			return rc;
	}
	return 0;
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
	json_t *doc = json_object(), *results = json_array(), *meta = json_object(),
	       *names = json_array();
	/* Feast's key order: results, then metadata; each _new steals its
	 * reference, even when it fails */
	int bad = json_object_set_new(doc, "results", results);
	bad |= json_object_set_new(meta, "feature_names", names);
	bad |= json_object_set_new(doc, "metadata", meta);
	int rc = bad || !doc || !results || !meta || !names ? fcat__error_oom() : 0;
	if (rc == 0)
		rc = key_columns(results, names, set, keys, nrows);
	if (rc == 0)
		rc = feature_columns(results, names, set, nrows, cell, ctx,
		                     flags & FCAT_JSON_FULL_FEATURE_NAMES);
	if (rc == 0 && !(*out = json_dumps(doc, FCAT__JSON_DUMP_FLAGS)))
		rc = fcat__error_oom();
	json_decref(doc);
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
