/* test_json_online.c - Feast's /get-online-features in libfcat: a request
 * body parsed and bound to a feature set's keys and request data, read, and
 * encoded as the response; every refusal names what and where. */
#include "testutil.h"

#include "fcat.h"
#include "json/online_response.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef test_demo_store fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	test_demo_store_open(f, false, "fcat-operator");
	*state = f;
	return 0;
}

static fcat_json_online_request *parsed(const char *body)
{
	fcat_json_online_request *req = NULL;
	if (fcat_json_online_request_parse(&req, body, strlen(body)) != 0)
		fail_msg("parsing %s: %s", body, fcat_error_last());
	return req;
}

/* The feature set a request asks for. */
static fcat_feature_set *set_for(const fixture *f, const fcat_json_online_request *req)
{
	fcat_feature_set *set = NULL;
	int rc = fcat_json_online_request_service(req)
	             ? fcat_feature_set_for_service(&set, f->store,
	                                            fcat_json_online_request_service(req))
	             : fcat_feature_set_new(&set, f->store, fcat_json_online_request_features(req),
	                                    fcat_json_online_request_feature_count(req));
	if (rc != 0)
		fail_msg("feature set: %s", fcat_error_last());
	return set;
}

/* Asserts parsing fails with FCAT_EINVALID and exactly `want`. */
static void parse_refused(const char *body, const char *want)
{
	fcat_json_online_request *req = (fcat_json_online_request *)1;
	assert_int_equal(fcat_json_online_request_parse(&req, body, strlen(body)), FCAT_EINVALID);
	assert_null(req);
	assert_string_equal(fcat_error_last(), want);
}

/* Asserts binding the request to the service's set fails with exactly
 * `want` (only its start when `prefix`). */
static void bind_refused(const fixture *f, const char *body, const char *want, bool prefix)
{
	fcat_json_online_request *req = parsed(body);
	fcat_feature_set *set = set_for(f, req);
	const fcat_value *keys = (const fcat_value *)1, *request = (const fcat_value *)1;
	int rc = fcat_json_online_request_bind(&keys, &request, req, set);
	fcat_feature_set_free(set);
	fcat_json_online_request_free(req);
	assert_int_equal(rc, FCAT_EINVALID);
	assert_null(keys);
	assert_null(request);
	const char *msg = fcat_error_last();
	if (prefix ? strncmp(msg, want, strlen(want)) != 0 : strcmp(msg, want) != 0)
		fail_msg("message \"%s\", wanted \"%s\"", msg, want);
}

static void test_json_online__a_feast_request_binds_in_the_sets_order(void **state)
{
	fixture *f = *state;
	fcat_json_online_request *req =
	    parsed("{\"features\":[\"user_features:preferred_language\",\"reply_style\"],"
	           "\"entities\":{\"user_id\":[\"u1\",\"u\\u0000 2\"]},"
	           "\"request_context\":{\"message_length\":[40,-3]},"
	           "\"full_feature_names\":true,\"include_feature_view_version_metadata\":false,"
	           "\"unknown_key\":{\"ignored\":1}}");
	assert_null(fcat_json_online_request_service(req));
	assert_int_equal(fcat_json_online_request_feature_count(req), 2);
	assert_string_equal(fcat_json_online_request_features(req)[1], "reply_style");
	assert_true(fcat_json_online_request_full_feature_names(req));
	assert_int_equal(fcat_json_online_request_rows(req), 2);
	fcat_feature_set *set = set_for(f, req);
	const fcat_value *keys, *request;
	assert_int_equal(fcat_json_online_request_bind(&keys, &request, req, set), 0);
	assert_int_equal(keys[1].type.scalar, FCAT_STRING);
	assert_int_equal(keys[1].u.str.len, 4);
	assert_memory_equal(keys[1].u.str.ptr, "u\0 2", 4);
	assert_non_null(request);
	assert_true(request[0].u.i64 == 40 && request[1].u.i64 == -3);
	/* a second bind gives the same values again */
	assert_int_equal(fcat_json_online_request_bind(&keys, &request, req, set), 0);
	assert_string_equal(keys[0].u.str.ptr, "u1");
	assert_true(request[1].u.i64 == -3);
	fcat_feature_set_free(set);
	fcat_json_online_request_free(req);

	/* Feast's Python clients put request data among the entities */
	req = parsed("{\"feature_service\":\"chat_reply\",\"features\":[\"ignored:x\"],"
	             "\"entities\":{\"message_length\":[7],\"user_id\":[\"u1\"]}}");
	assert_string_equal(fcat_json_online_request_service(req), "chat_reply");
	assert_int_equal(fcat_json_online_request_feature_count(req), 0);
	assert_null(fcat_json_online_request_features(req));
	assert_false(fcat_json_online_request_full_feature_names(req));
	set = set_for(f, req);
	assert_int_equal(fcat_json_online_request_bind(&keys, &request, req, set), 0);
	assert_string_equal(keys[0].u.str.ptr, "u1");
	assert_true(request[0].u.i64 == 7);
	fcat_feature_set_free(set);
	fcat_json_online_request_free(req);

	/* a set without request data gets NULL, as fcat_online_read's options want */
	req = parsed("{\"features\":[\"user_features\"],\"entities\":{\"user_id\":[]}}");
	set = set_for(f, req);
	assert_int_equal(fcat_json_online_request_rows(req), 0);
	assert_int_equal(fcat_json_online_request_bind(&keys, &request, req, set), 0);
	assert_non_null(keys);
	assert_null(request);
	fcat_feature_set_free(set);
	fcat_json_online_request_free(req);
}

static void test_json_online__a_malformed_request_is_refused_naming_the_field(void **state)
{
	(void)state;
	parse_refused("", "request: not valid JSON: '[' or '{' expected near end of file "
	                  "(line 1, column 0)");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{\"user_id\":[1,2]",
	              "request: not valid JSON: '}' expected near end of file (line 1, column "
	              "47)");
	parse_refused("[\"v:f\"]", "request: expected an object, got array");
	parse_refused("{\"entities\":{}}", "request: give \"features\" or \"feature_service\"");
	parse_refused("{\"features\":\"v:f\",\"entities\":{}}",
	              "features: expected an array of \"view:feature\" strings, got string");
	parse_refused("{\"features\":[\"v:f\",3],\"entities\":{}}",
	              "features[1]: expected a string, got integer");
	parse_refused("{\"features\":[\"v:f\\u0000x\"],\"entities\":{}}",
	              "features[0]: holds a NUL character");
	parse_refused("{\"features\":[],\"entities\":{}}", "features: the list is empty");
	parse_refused("{\"feature_service\":[\"s\"],\"entities\":{}}",
	              "feature_service: expected a string, got array");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{},\"full_feature_names\":\"yes\"}",
	              "full_feature_names: expected a bool, got string");
	parse_refused("{\"features\":[\"v:f\"]}", "request: \"entities\" is missing");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":[[\"u1\"]]}",
	              "entities: expected an object, got array");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{\"user_id\":\"u1\"}}",
	              "entities.user_id: expected an array (one value per entity row), got "
	              "string");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{\"a\":[1,2],\"b\":[1]}}",
	              "entities.b has 1 values but entities.a has 2: every column needs one "
	              "value per entity row");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{\"a\":[1,2]},"
	              "\"request_context\":{\"n\":[1,2,3]}}",
	              "request_context.n has 3 values but entities.a has 2: every column "
	              "needs one value per entity row");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{},\"request_context\":[1]}",
	              "request_context: expected an object, got array");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{\"a\\u0000b\":[1]}}",
	              "request: not valid JSON: NUL byte in object key not supported near "
	              "'\"a\\u0000b\"' (line 1, column 42)");
	parse_refused("{\"features\":[\"v:f\"],\"entities\":{\"a\":[1],\"a\":[2]}}",
	              "request: not valid JSON: duplicate object key near '\"a\"' (line 1, "
	              "column 43)");
}

static void test_json_online__binding_refuses_missing_unknown_and_mistyped_columns(void **state)
{
	fixture *f = *state;
	bind_refused(f, "{\"feature_service\":\"chat_reply\",\"entities\":{\"user\":[\"u1\"]}}",
	             "entities.user: not a join key or request field of these features (they "
	             "need: user_id, message_length)",
	             false);
	bind_refused(f,
	             "{\"feature_service\":\"chat_reply\",\"entities\":{},"
	             "\"request_context\":{\"message_length\":[]}}",
	             "entities: no column for the join key 'user_id' (these features need: "
	             "user_id, message_length)",
	             false);
	bind_refused(f, "{\"feature_service\":\"chat_reply\",\"entities\":{\"user_id\":[\"u1\"]}}",
	             "request_context: no column for the request field 'message_length' "
	             "(these features need: user_id, message_length)",
	             false);
	bind_refused(f,
	             "{\"feature_service\":\"chat_reply\",\"entities\":{\"user_id\":[\"u\"]},"
	             "\"request_context\":{\"message_length\":[1],\"user_id\":[\"u\"]}}",
	             "request_context.user_id: not a request field of these features (they "
	             "need: message_length)",
	             false);
	bind_refused(f,
	             "{\"features\":[\"user_features\"],"
	             "\"entities\":{\"user_id\":[\"u1\",\"u2\",\"u3\",4]}}",
	             "entities.user_id[3]: expected string, got integer", false);
	bind_refused(f,
	             "{\"features\":[\"user_features\"],\"entities\":{\"user_id\":[\"u1\",null]}}",
	             "entities.user_id[1]: null, but a join key needs a value", false);
	bind_refused(f,
	             "{\"feature_service\":\"chat_reply\",\"entities\":{\"user_id\":[\"u\",\"v\"]},"
	             "\"request_context\":{\"message_length\":[1,\"2\"]}}",
	             "request_context.message_length[1]: expected int64, got string", false);
	bind_refused(f,
	             "{\"feature_service\":\"chat_reply\","
	             "\"entities\":{\"user_id\":[\"u\"],\"message_length\":[1.5]}}",
	             "entities.message_length[0]: expected int64, got real", false);
	bind_refused(f,
	             "{\"feature_service\":\"chat_reply\",\"entities\":{\"user_id\":[\"u\"]},"
	             "\"request_context\":{\"message_length\":[null]}}",
	             "request_context.message_length[0]: null, but a request field needs a value",
	             false);
}

static void test_json_online__a_request_reads_and_encodes_as_feasts_response(void **state)
{
	fixture *f = *state;
	/* nothing is materialized: the view's features are NOT_FOUND, the
	 * on-demand view's come from its transform's defaults */
	fcat_json_online_request *req =
	    parsed("{\"feature_service\":\"chat_reply\",\"full_feature_names\":true,"
	           "\"entities\":{\"user_id\":[\"u1\",\"n\\u00e9\"]},"
	           "\"request_context\":{\"message_length\":[5,300]}}");
	fcat_feature_set *set = set_for(f, req);
	const fcat_value *keys, *request;
	assert_int_equal(fcat_json_online_request_bind(&keys, &request, req, set), 0);
	fcat_online_result *res;
	assert_int_equal(fcat_online_result_new(&res), 0);
	fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
	ro.now = 0;
	ro.request = request;
	if (fcat_online_read(res, f->store, set, keys, fcat_json_online_request_rows(req), &ro) !=
	    0)
		fail_msg("read: %s", fcat_error_last());
	char *text;
	unsigned flags =
	    fcat_json_online_request_full_feature_names(req) ? FCAT_JSON_FULL_FEATURE_NAMES : 0;
	assert_int_equal(fcat_json_encode_online_response(&text, res, set, keys, flags), 0);
	assert_string_equal(
	    text, "{\"results\":["
	          "{\"values\":[\"u1\",\"n\xc3\xa9\"],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	          "\"event_timestamps\":[\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},"
	          "{\"values\":[null,null],\"statuses\":[\"NOT_FOUND\",\"NOT_FOUND\"],"
	          "\"event_timestamps\":[\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},"
	          "{\"values\":[false,false],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	          "\"event_timestamps\":[\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},"
	          "{\"values\":[20,400],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	          "\"event_timestamps\":[\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]}],"
	          "\"metadata\":{\"feature_names\":[\"user_id\","
	          "\"user_features__preferred_language\",\"reply_style__is_regular\","
	          "\"reply_style__reply_length_hint\"]}}");
	fcat_free(text);
	/* unknown flags and a missing argument are usage errors */
	text = (char *)"untouched";
	assert_int_equal(fcat_json_encode_online_response(&text, res, set, keys, 2), FCAT_EUSAGE);
	assert_null(text);
	assert_int_equal(fcat_json_encode_online_response(&text, res, set, NULL, 0), FCAT_EUSAGE);
	assert_int_equal(fcat_json_encode_online_response(&text, NULL, set, keys, 0), FCAT_EUSAGE);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_json_online_request_free(req);
}

/* Cells of a fake read: nfeatures per row, row-major; NULL past `ncells`. */
typedef struct cells {
	const fcat_feature_value *v;
	size_t nfeatures, ncells;
} cells;

static const fcat_feature_value *cell_at(const void *ctx, size_t row, size_t feature)
{
	const cells *c = ctx;
	size_t i = row * c->nfeatures + feature;
	return i < c->ncells ? &c->v[i] : NULL;
}

static void test_json_online__a_response_refuses_values_json_cannot_hold(void **state)
{
	fixture *f = *state;
	const char *refs[] = {"user_features:preferred_language",
	                      "user_features:avg_response_rating"};
	fcat_feature_set *set;
	assert_int_equal(fcat_feature_set_new(&set, f->store, refs, 2), 0);
	fcat_value keys[2] = {{.type = {FCAT_STRING, false, 0}, .u.str = {"u1", 2}},
	                      {.type = {FCAT_STRING, false, 0}, .u.str = {"u2", 2}}};
	fcat_feature_value v[4] = {
	    {.value = {.type = {FCAT_STRING, false, 0}, .u.str = {"en", 2}},
	     .status = FCAT_STATUS_OUTSIDE_MAX_AGE,
	     .event_ts = 1767225600123456},
	    {.value = {.type = {FCAT_FLOAT32, false, 0}, .u.f32 = 2.5f},
	     .status = FCAT_STATUS_PRESENT,
	     .event_ts = 1767225600000000},
	    {.value = {.type = {FCAT_STRING, false, 0}, .is_null = true},
	     .status = FCAT_STATUS_NULL_VALUE,
	     .event_ts = 1767225600500000},
	    {.value = {.type = {FCAT_FLOAT32, false, 0}, .u.f32 = NAN},
	     .status = FCAT_STATUS_PRESENT},
	};
	cells c = {v, 2, 4};
	char *text;
	assert_int_equal(fcat__json_online_response(&text, set, keys, 2, cell_at, &c, 0),
	                 FCAT_EINVALID);
	assert_null(text);
	assert_string_equal(fcat_error_last(),
	                    "feature user_features:avg_response_rating, entity row 1: NaN has no "
	                    "JSON form (Feast's JSON allows no NaN or infinity)");
	v[3].value.u.f32 = 0.5f; /* now it encodes, statuses and times as read */
	assert_int_equal(fcat__json_online_response(&text, set, keys, 2, cell_at, &c, 0), 0);
	assert_string_equal(text,
	                    "{\"results\":["
	                    "{\"values\":[\"u1\",\"u2\"],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	                    "\"event_timestamps\":[\"1970-01-01T00:00:00Z\","
	                    "\"1970-01-01T00:00:00Z\"]},"
	                    "{\"values\":[\"en\",null],"
	                    "\"statuses\":[\"OUTSIDE_MAX_AGE\",\"NULL_VALUE\"],"
	                    "\"event_timestamps\":[\"2026-01-01T00:00:00.123456Z\","
	                    "\"2026-01-01T00:00:00.500Z\"]},"
	                    "{\"values\":[2.5,0.5],\"statuses\":[\"PRESENT\",\"PRESENT\"],"
	                    "\"event_timestamps\":[\"2026-01-01T00:00:00Z\","
	                    "\"1970-01-01T00:00:00Z\"]}],"
	                    "\"metadata\":{\"feature_names\":[\"user_id\","
	                    "\"preferred_language\",\"avg_response_rating\"]}}");
	fcat_free(text);
	keys[0].u.str = (fcat_bytes){"\xc3(", 2};
	assert_int_equal(fcat__json_online_response(&text, set, keys, 2, cell_at, &c, 0),
	                 FCAT_EINVALID);
	assert_string_equal(fcat_error_last(), "join key user_id, entity row 0: a string that is "
	                                       "not valid UTF-8 has no JSON form");
	keys[0].u.str = (fcat_bytes){"u1", 2};
	c.ncells = 3; /* a result that does not match the set */
	assert_int_equal(fcat__json_online_response(&text, set, keys, 2, cell_at, &c, 0),
	                 FCAT_EUSAGE);
	assert_non_null(strstr(fcat_error_last(), "no value of feature 1 for entity row 1"));
	assert_null(text);
	fcat_feature_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_online__a_feast_request_binds_in_the_sets_order),
	    cmocka_unit_test(test_json_online__a_malformed_request_is_refused_naming_the_field),
	    cmocka_unit_test(
	        test_json_online__binding_refuses_missing_unknown_and_mistyped_columns),
	    cmocka_unit_test(test_json_online__a_request_reads_and_encodes_as_feasts_response),
	    cmocka_unit_test(test_json_online__a_response_refuses_values_json_cannot_hold),
	};
	return cmocka_run_group_tests_name("json_online", tests, setup, test_demo_store_teardown);
}
