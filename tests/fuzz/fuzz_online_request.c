/* fuzz_online_request.c - fuzzes the JSON bodies of fcat serve, on the
 * server's own path: POST /get-online-features (fcat_json_online_request_parse,
 * the server's set cache, fcat_json_online_request_bind, an online read of
 * the bound keys and request data, fcat_json_encode_online_response) and
 * POST /push (srv_push_body_parse of tools/server/push_body.c: the body
 * decoded against the push source's columns). The store is the demo catalog
 * (users.lua, activity.lua and services.lua of catalog/) in a scratch repo,
 * with an empty LMDB online store, opened once.
 *
 * Input: one request body, given to both endpoints.
 * Properties: no crash, UB or leak; every refusal is FCAT_EINVALID,
 * FCAT_ENOTFOUND or FCAT_ENOMEM (a 4xx reply for /push, 500 only when out
 * of memory); a bound request has as many rows as it says; a read of an
 * empty store answers every row, and its response is JSON. */
#include "fuzz_util.h"

#include "push_body.h"
#include "set_cache.h"

#include "fcat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fcat_store *store;
static srv_sets *sets;
static fcat_online_result *result;

static void copy_file(const char *from, const char *to)
{
	FILE *f = fopen(from, "rb");
	fuzz_check(f != NULL, "cannot read %s", from);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	fuzz_write(to, buf, n);
}

static void open_store(void)
{
	static const char yaml[] = "project: fuzz\n"
	                           "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n";
	fuzz_write("repo/fcat.yaml", yaml, sizeof yaml - 1);
	copy_file(FCAT_SOURCE_DIR "/catalog/users.lua", "repo/catalog/users.lua");
	copy_file(FCAT_SOURCE_DIR "/catalog/activity.lua", "repo/catalog/activity.lua");
	copy_file(FCAT_SOURCE_DIR "/catalog/services.lua", "repo/catalog/services.lua");
	char repo[4096];
	snprintf(repo, sizeof repo, "%s/repo", fuzz_dir());
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	fuzz_check(fcat_store_open_ext(&store, repo, &o) == 0, "open: %s", fcat_error_last());
	fuzz_check(srv_sets_new(&sets, 64) == 0 && fcat_online_result_new(&result) == 0,
	           "out of memory");
}

static void refused(int rc, const char *what)
{
	fuzz_check(rc == FCAT_EINVALID || rc == FCAT_ENOTFOUND || rc == FCAT_ENOMEM, "%s: %d (%s)",
	           what, rc, fcat_error_last());
}

static void online(const char *body, size_t len)
{
	fcat_json_online_request *jr = NULL;
	fcat_feature_set *owned = NULL;
	const fcat_feature_set *set = NULL;
	const fcat_value *keys = NULL, *request = NULL;
	int rc = fcat_json_online_request_parse(&jr, body, len);
	if (rc) {
		fuzz_check(jr == NULL, "a refused request was returned");
		refused(rc, "parse");
		return;
	}
	if ((rc = srv_sets_get(&set, &owned, sets, store, jr)) != 0) {
		refused(rc, "feature set");
	} else if ((rc = fcat_json_online_request_bind(&keys, &request, jr, set)) != 0) {
		refused(rc, "bind");
	} else {
		size_t rows = fcat_json_online_request_rows(jr);
		fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
		ro.request = request;
		ro.now = INT64_C(1767323045) * 1000000;
		rc = fcat_online_read(result, store, set, keys, rows, &ro);
		fuzz_check(rc == 0 || rc == FCAT_EINVALID, "read: %d (%s)", rc, fcat_error_last());
		char *text = NULL;
		if (rc == 0) {
			fuzz_check(fcat_online_result_rows(result) == rows, "rows lost");
			unsigned flags = fcat_json_online_request_full_feature_names(jr)
			                     ? FCAT_JSON_FULL_FEATURE_NAMES
			                     : 0;
			rc = fcat_json_encode_online_response(&text, result, set, keys, flags);
			fuzz_check(rc == 0 || rc == FCAT_EINVALID, "encode: %d", rc);
		}
		if (text) {
			json_t *j = json_loads(text, JSON_ALLOW_NUL, NULL);
			fuzz_check(json_is_object(j), "the response is not JSON: %s", text);
			json_decref(j);
		}
		fcat_free(text);
	}
	fcat_feature_set_free(owned);
	fcat_json_online_request_free(jr);
}

static void push(const char *body, size_t len)
{
	srv_push_body b;
	srv_reply err = {0};
	if (srv_push_body_parse(&b, &err, fcat_store_catalog(store), body, len) == 0) {
		for (size_t c = 0; c < b.ncols; c++)
			for (size_t r = 0; r < b.nrows; r++)
				fuzz_check(b.cols[c].values[r].is_null ||
				               b.cols[c].values[r].type.scalar != FCAT_INVALID,
				           "an untyped cell");
	} else {
		fuzz_check(err.status == 400 || err.status == 404, "/push answers %u: %.*s",
		           err.status, (int)err.len, err.body ? err.body : "");
	}
	if (err.free_body)
		err.free_body(err.body);
	srv_push_body_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store)
		open_store();
	/* an exact copy, so that reading past its end is caught */
	char *body = fuzz_strndup((const char *)data, size);
	online(body, size);
	push(body, size);
	free(body);
	return 0;
}
