/* online_request.c - Feast's /get-online-features request body: which
 * features, the entity rows by column, request data; its columns are decoded
 * once the feature set that says their types is known. */
#include "json/json_value.h"
#include "json/online_request.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* Checks that every member of a column object is an array, all `rows` long;
 * `first` names the column that set rows ("" until one does). */
static int check_columns(const json_t *obj, const char *what, size_t *rows, char *first,
                         size_t size)
{
	const char *name;
	const json_t *col;
	json_object_foreach((json_t *)obj, name, col)
	{
		if (!json_is_array(col))
			return fcat__error(FCAT_EINVALID,
			                   "%s.%s: expected an array (one value per entity row), "
			                   "got %s",
			                   what, name, fcat__json_kind(col));
		size_t n = json_array_size(col);
		if (!first[0]) {
			*rows = n;
			snprintf(first, size, "%s.%s", what, name);
		} else if (n != *rows) {
			return fcat__error(
			    FCAT_EINVALID,
			    "%s.%s has %zu values but %s has %zu: every column needs "
			    "one value per entity row",
			    what, name, n, first, *rows);
		}
	}
	return 0;
}

static int read_features(fcat_json_online_request *req, const json_t *list)
{
	if (!json_is_array(list))
		return fcat__error(
		    FCAT_EINVALID,
		    "features: expected an array of \"view:feature\" strings, got %s",
		    fcat__json_kind(list));
	size_t n = json_array_size(list);
	if (n == 0 && !req->service)
		return fcat__error(FCAT_EINVALID, "features: the list is empty");
	req->features = fcat__arena_alloc(&req->arena, (n ? n : 1) * sizeof *req->features);
	if (!req->features)
		return fcat__error_oom();
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(list, i);
		if (!json_is_string(f))
			return fcat__error(FCAT_EINVALID,
			                   "features[%zu]: expected a string, got %s", i,
			                   fcat__json_kind(f));
		req->features[i] = json_string_value(f);
		if (strlen(req->features[i]) != json_string_length(f))
			return fcat__error(FCAT_EINVALID, "features[%zu]: holds a NUL character",
			                   i);
	}
	req->nfeatures = n;
	return 0;
}

static int read_request(fcat_json_online_request *req)
{
	const json_t *root = req->root, *j;
	if (!json_is_object(root))
		return fcat__error(FCAT_EINVALID, "request: expected an object, got %s",
		                   fcat__json_kind(root));
	if ((j = json_object_get(root, "feature_service")) && !json_is_null(j)) {
		if (!json_is_string(j))
			return fcat__error(FCAT_EINVALID,
			                   "feature_service: expected a string, got %s",
			                   fcat__json_kind(j));
		req->service = json_string_value(j);
		if (strlen(req->service) != json_string_length(j))
			return fcat__error(FCAT_EINVALID, "feature_service: holds a NUL character");
	}
	int rc;
	if ((j = json_object_get(root, "features")) && !json_is_null(j) &&
	    (rc = read_features(req, j)))
		return rc;
	if (!req->service && !req->features)
		return fcat__error(FCAT_EINVALID,
		                   "request: give \"features\" or \"feature_service\"");
	if (req->service) /* Feast: a service replaces the list */
		req->nfeatures = 0;
	if ((j = json_object_get(root, "full_feature_names")) && !json_is_null(j)) {
		if (!json_is_boolean(j))
			return fcat__error(FCAT_EINVALID,
			                   "full_feature_names: expected a bool, got %s",
			                   fcat__json_kind(j));
		req->full_names = json_is_true(j);
	}
	req->entities = json_object_get(root, "entities");
	if (!req->entities)
		return fcat__error(FCAT_EINVALID, "request: \"entities\" is missing");
	if (!json_is_object(req->entities))
		return fcat__error(FCAT_EINVALID, "entities: expected an object, got %s",
		                   fcat__json_kind(req->entities));
	if ((j = json_object_get(root, "request_context")) && !json_is_null(j)) {
		if (!json_is_object(j))
			return fcat__error(FCAT_EINVALID,
			                   "request_context: expected an object, got %s",
			                   fcat__json_kind(j));
		req->context = j;
	}
	char first[300] = "";
	if ((rc = check_columns(req->entities, "entities", &req->rows, first, sizeof first)))
		return rc;
	if (req->context &&
	    (rc = check_columns(req->context, "request_context", &req->rows, first, sizeof first)))
		return rc;
	return 0;
}

int fcat_json_online_request_parse(fcat_json_online_request **out, const char *json, size_t len)
{
	if (!out)
		return fcat__error(FCAT_EUSAGE, "fcat_json_online_request_parse: NULL out");
	*out = NULL;
	fcat_json_online_request *req = calloc(1, sizeof *req);
	if (!req)
		return fcat__error_oom();
	fcat__arena_init(&req->arena, 1024);
	fcat__arena_init(&req->values, 16 * 1024);
	int rc = fcat__json_load(&req->root, json, len, false, "request");
	if (rc == 0)
		rc = read_request(req);
	if (rc) {
		fcat_json_online_request_free(req);
		return rc;
	}
	*out = req;
	return 0;
}

void fcat_json_online_request_free(fcat_json_online_request *request)
{
	if (!request)
		return;
	json_decref(request->root);
	fcat__arena_release(&request->arena);
	fcat__arena_release(&request->values);
	free(request);
}

const char *fcat_json_online_request_service(const fcat_json_online_request *request)
{
	return request->service;
}

size_t fcat_json_online_request_feature_count(const fcat_json_online_request *request)
{
	return request->nfeatures;
}

const char *const *fcat_json_online_request_features(const fcat_json_online_request *request)
{
	return request->nfeatures ? request->features : NULL;
}

bool fcat_json_online_request_full_feature_names(const fcat_json_online_request *request)
{
	return request->full_names;
}

size_t fcat_json_online_request_rows(const fcat_json_online_request *request)
{
	return request->rows;
}
