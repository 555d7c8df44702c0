/* request_bind.c - a parsed /get-online-features request's columns decoded
 * in a feature set's order and types: the join keys and the request data
 * fcat_online_read takes (keys, and request data in its options). */
#include "json/json_value.h"
#include "json/online_request.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

/* The names a set needs, for messages: " user_id, message_length" or
 * " none". Returns a static-size buffer's text, cut when long. */
static const char *needed(char *buf, size_t size, const fcat_feature_set *set, bool keys,
                          bool requests)
{
	size_t used = 0;
	buf[0] = '\0';
	size_t nk = keys ? fcat_feature_set_key_count(set) : 0;
	size_t nq = requests ? fcat_feature_set_request_count(set) : 0;
	for (size_t i = 0; i < nk + nq && used < size; i++) {
		const char *name = i < nk ? fcat_feature_set_key_name(set, i)
		                          : fcat_feature_set_request_name(set, i - nk);
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name);
		used += n > 0 ? (size_t)n : 0;
	}
	if (nk + nq == 0)
		snprintf(buf, size, "none");
	return buf;
}

static bool is_key(const fcat_feature_set *set, const char *name)
{
	for (size_t k = 0; k < fcat_feature_set_key_count(set); k++)
		if (strcmp(fcat_feature_set_key_name(set, k), name) == 0)
			return true;
	return false;
}

static bool is_request(const fcat_feature_set *set, const char *name)
{
	for (size_t q = 0; q < fcat_feature_set_request_count(set); q++)
		if (strcmp(fcat_feature_set_request_name(set, q), name) == 0)
			return true;
	return false;
}

/* Refuses a column the set has no use for: a typo would otherwise read as a
 * missing key, and `fcat get-online` refuses the same. */
static int check_unknown(const json_t *obj, const char *what, const fcat_feature_set *set,
                         bool keys)
{
	const char *name;
	const json_t *col;
	char buf[512];
	json_object_foreach((json_t *)obj, name, col)
	{
		if ((keys && is_key(set, name)) || is_request(set, name))
			continue;
		return fcat__error(FCAT_EINVALID,
		                   "%s.%s: not a %s of these features (they need: %s)", what, name,
		                   keys ? "join key or request field" : "request field",
		                   needed(buf, sizeof buf, set, keys, true));
	}
	return 0;
}

/* Decodes column `col` (of `what`, for the set's `role` `name`) into
 * out[r * stride] for every row; a missing column and nulls are refused, as
 * `fcat get-online` refuses a key without a value. */
static int decode_column(fcat_value *out, size_t stride, fcat_json_online_request *req,
                         const fcat_feature_set *set, const json_t *col, fcat_type type,
                         const char *what, const char *name, const char *role)
{
	if (!col) {
		char buf[512];
		return fcat__error(FCAT_EINVALID,
		                   "%s: no column for the %s '%s' (these features need: %s)", what,
		                   role, name, needed(buf, sizeof buf, set, true, true));
	}
	char path[300];
	snprintf(path, sizeof path, "%s.%s", what, name);
	for (size_t r = 0; r < req->rows; r++) {
		fcat_value *v = &out[r * stride];
		int rc = fcat__json_to_value(v, &req->values, json_array_get(col, r), type, path,
		                             (long)r);
		if (rc)
			return rc;
		if (v->is_null)
			return fcat__error(FCAT_EINVALID, "%s[%zu]: null, but a %s needs a value",
			                   path, r, role);
	}
	return 0;
}

int fcat_json_online_request_bind(const fcat_value **keys, const fcat_value **request_data,
                                  fcat_json_online_request *request, const fcat_feature_set *set)
{
	if (!keys || !request_data || !request || !set)
		return fcat__error(FCAT_EUSAGE, "fcat_json_online_request_bind: NULL argument");
	*keys = *request_data = NULL;
	fcat_json_online_request *req = request;
	fcat__arena_reset(&req->values);
	req->keys = req->request = NULL;
	int rc = check_unknown(req->entities, "entities", set, true);
	if (rc == 0 && req->context)
		rc = check_unknown(req->context, "request_context", set, false);
	if (rc)
		return rc;
	size_t nk = fcat_feature_set_key_count(set), nq = fcat_feature_set_request_count(set);
	fcat_value *kv = fcat__arena_alloc(&req->values, (req->rows * nk + 1) * sizeof *kv);
	fcat_value *qv = fcat__arena_alloc(&req->values, (req->rows * nq + 1) * sizeof *qv);
	if (!kv || !qv)
		return fcat__error_oom();
	for (size_t k = 0; k < nk; k++) {
		const char *name = fcat_feature_set_key_name(set, k);
		const json_t *col = json_object_get(req->entities, name);
		rc = decode_column(kv + k, nk, req, set, col, fcat_feature_set_key_type(set, k),
		                   "entities", name, "join key");
		if (rc)
			return rc;
	}
	for (size_t q = 0; q < nq; q++) {
		const char *name = fcat_feature_set_request_name(set, q), *what = "request_context";
		const json_t *col = req->context ? json_object_get(req->context, name) : NULL;
		if (!col && (col = json_object_get(req->entities, name)))
			what = "entities"; /* where Feast's Python server takes it */
		rc = decode_column(qv + q, nq, req, set, col, fcat_feature_set_request_type(set, q),
		                   what, name, "request field");
		if (rc)
			return rc;
	}
	req->keys = kv;
	req->request = nq ? qv : NULL;
	*keys = req->keys;
	*request_data = req->request;
	return 0;
}
