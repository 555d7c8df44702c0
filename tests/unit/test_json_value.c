/* test_json_value.c - values in Feast's JSON: fcat_json_encode_value writes
 * every type as Feast does, fcat_json_decode_value reads them back strictly,
 * refusing wrong types, ranges and malformed text with where and why. */
#include "testutil.h"

#include "value_types.h"

#include "fcat.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fcat_value scalar(fcat_type t)
{
	return (fcat_value){.type = t, .is_null = false};
}

static fcat_value array(fcat_scalar s, const void *items, size_t n)
{
	fcat_value v = {.type = {s, true, 0}, .is_null = false};
	v.u.array.items = items;
	v.u.array.len = n;
	return v;
}

/* Encodes v and asserts the exact text. */
static void encodes_as(const fcat_value *v, const char *want)
{
	char *text = NULL;
	int rc = fcat_json_encode_value(&text, v);
	if (rc != 0)
		fail_msg("encoding for %s failed: %s", want, fcat_error_last());
	assert_string_equal(text, want);
	fcat_free(text);
}

/* Asserts encoding fails with `code` and a message containing `want`. */
static void encode_refused(const fcat_value *v, int code, const char *want)
{
	char *text = (char *)"untouched";
	assert_int_equal(fcat_json_encode_value(&text, v), code);
	assert_null(text);
	if (!strstr(fcat_error_last(), want))
		fail_msg("message \"%s\" lacks \"%s\"", fcat_error_last(), want);
}

/* Decodes json, asserting success; the caller clears the value. */
static fcat_value decoded(fcat_type t, const char *json)
{
	fcat_value v;
	int rc = fcat_json_decode_value(&v, t, json, strlen(json), NULL);
	if (rc != 0)
		fail_msg("decoding %s failed: %s", json, fcat_error_last());
	assert_false(v.is_null && strcmp(json, "null") != 0);
	return v;
}

/* Asserts decoding fails with FCAT_EINVALID, a null value and exactly the
 * message `want` (or a message starting with it when `prefix`). */
static void decode_refused_as(fcat_type t, const char *json, size_t len, const char *where,
                              const char *want, bool prefix)
{
	fcat_value v = {.is_null = false};
	int rc = fcat_json_decode_value(&v, t, json, len, where);
	if (rc == 0)
		fail_msg("decoding %.80s should fail", json);
	assert_int_equal(rc, FCAT_EINVALID);
	assert_true(v.is_null);
	const char *msg = fcat_error_last();
	if (prefix ? strncmp(msg, want, strlen(want)) != 0 : strcmp(msg, want) != 0)
		fail_msg("message \"%s\", wanted \"%s\"", msg, want);
}

static void decode_refused(fcat_type t, const char *json, const char *want)
{
	decode_refused_as(t, json, strlen(json), "x", want, false);
}

static void test_json_value__encodes_every_scalar_as_feast(void **state)
{
	(void)state;
	fcat_value v = scalar(T_INT32);
	v.u.i32 = INT32_MIN;
	encodes_as(&v, "-2147483648");
	v = scalar(T_INT64);
	v.u.i64 = INT64_MAX;
	encodes_as(&v, "9223372036854775807"); /* an integer, not a string */
	v = scalar(T_F32);
	v.u.f32 = 0.7f;
	encodes_as(&v, "0.69999998807907104"); /* widened to double */
	v.u.f32 = 1.0f;
	encodes_as(&v, "1.0");
	v = scalar(T_F64);
	v.u.f64 = 0.1;
	encodes_as(&v, "0.10000000000000001");
	v.u.f64 = -0.0;
	encodes_as(&v, "-0.0");
	v.u.f64 = 1e300;
	encodes_as(&v, "1.0000000000000001e300");
	v = scalar(T_BOOL);
	v.u.b = true;
	encodes_as(&v, "true");
	v = scalar(T_STRING);
	v.u.str = (fcat_bytes){"q\"\\\t\x01\xc3\xa9\0z", 9};
	encodes_as(&v, "\"q\\\"\\\\\\t\\u0001\xc3\xa9\\u0000z\"");
	v = scalar(T_BYTES);
	v.u.str = (fcat_bytes){"\x00\x01\x02\xff", 4};
	encodes_as(&v, "\"AAEC/w==\"");
	v.u.str = (fcat_bytes){NULL, 0};
	encodes_as(&v, "\"\"");
	v = scalar(T_TS);
	v.u.ts = 1767225600500000; /* epoch seconds, the fraction cut */
	encodes_as(&v, "1767225600");
	v.u.ts = -1500000; /* toward zero, as Python's int() */
	encodes_as(&v, "-1");
}

static void test_json_value__encodes_nulls_of_every_type_as_null(void **state)
{
	(void)state;
	for (fcat_scalar s = FCAT_INT32; s <= FCAT_TIMESTAMP; s++) {
		fcat_value v = {.type = {s, false, 0}, .is_null = true};
		encodes_as(&v, "null");
		v.type.is_array = true;
		encodes_as(&v, "null");
	}
}

static void test_json_value__encodes_arrays_item_by_item(void **state)
{
	(void)state;
	const int32_t i32[] = {1, -2, INT32_MAX};
	fcat_value v = array(FCAT_INT32, i32, 3);
	encodes_as(&v, "[1,-2,2147483647]");
	const int64_t i64[] = {INT64_MIN, 0};
	v = array(FCAT_INT64, i64, 2);
	encodes_as(&v, "[-9223372036854775808,0]");
	const float f32[] = {0.7f, 1.0f};
	v = array(FCAT_FLOAT32, f32, 2);
	v.type.dim = 2;
	encodes_as(&v, "[0.69999998807907104,1.0]");
	const double f64[] = {1.0, -0.0, 2.5};
	v = array(FCAT_FLOAT64, f64, 3);
	encodes_as(&v, "[1.0,-0.0,2.5]");
	const fcat_bytes strs[] = {{"a", 1}, {"b\"c", 3}, {"", 0}};
	v = array(FCAT_STRING, strs, 3);
	encodes_as(&v, "[\"a\",\"b\\\"c\",\"\"]");
	const fcat_bytes blobs[] = {{"\0", 1}, {"", 0}};
	v = array(FCAT_BYTES, blobs, 2);
	encodes_as(&v, "[\"AA==\",\"\"]");
	const bool flags[] = {true, false};
	v = array(FCAT_BOOL, flags, 2);
	encodes_as(&v, "[true,false]");
	const int64_t ts[] = {1767225600000000, 1999000};
	v = array(FCAT_TIMESTAMP, ts, 2);
	encodes_as(&v, "[1767225600,1]");
	v = array(FCAT_STRING, NULL, 0);
	encodes_as(&v, "[]");
}

static void test_json_value__encoding_refuses_what_json_cannot_hold(void **state)
{
	(void)state;
	fcat_value v = scalar(T_F64);
	v.u.f64 = NAN;
	encode_refused(&v, FCAT_EINVALID, "NaN has no JSON form");
	v = scalar(T_F32);
	v.u.f32 = INFINITY;
	encode_refused(&v, FCAT_EINVALID, "infinity has no JSON form");
	v.u.f32 = -INFINITY;
	encode_refused(&v, FCAT_EINVALID, "-infinity has no JSON form");
	const double f64[] = {1.0, NAN};
	v = array(FCAT_FLOAT64, f64, 2);
	encode_refused(&v, FCAT_EINVALID, "item 1: NaN has no JSON form");
	v = scalar(T_STRING);
	v.u.str = (fcat_bytes){"ok\xff", 3};
	encode_refused(&v, FCAT_EINVALID, "a string that is not valid UTF-8 has no JSON form");
	const fcat_bytes strs[] = {{"a", 1}, {"\xc3", 1}};
	v = array(FCAT_STRING, strs, 2);
	encode_refused(&v, FCAT_EINVALID, "item 1: a string that is not valid UTF-8");
	v = (fcat_value){.type = {(fcat_scalar)42, false, 0}, .is_null = false};
	encode_refused(&v, FCAT_EUSAGE, "unknown scalar type 42");
	char *text = (char *)"untouched";
	assert_int_equal(fcat_json_encode_value(&text, NULL), FCAT_EUSAGE);
	assert_null(text);
}

static void test_json_value__decodes_every_scalar(void **state)
{
	(void)state;
	fcat_value v = decoded(T_INT32, "-2147483648");
	assert_int_equal(v.u.i32, INT32_MIN);
	v = decoded(T_INT64, "-9223372036854775808");
	assert_true(v.u.i64 == INT64_MIN);
	v = decoded(T_F32, "0.5");
	assert_true(v.u.f32 == 0.5f);
	v = decoded(T_F32, "3"); /* JSON integers are numbers too */
	assert_true(v.u.f32 == 3.0f);
	v = decoded(T_F64, "-1e300");
	assert_true(v.u.f64 == -1e300);
	v = decoded(T_BOOL, "false");
	assert_false(v.u.b);
	v = decoded(T_TS, "1767225600");
	assert_true(v.u.ts == 1767225600000000);
	v = decoded(T_TS, "\"2026-01-01T00:00:00.5Z\"");
	assert_true(v.u.ts == 1767225600500000);
	v = decoded(T_STRING, "\"h\\u00e9\\u0000x\"");
	assert_int_equal(v.u.str.len, 5);
	assert_memory_equal(v.u.str.ptr, "h\xc3\xa9\0x", 5);
	fcat_value_clear(&v);
	v = decoded(T_BYTES, "\"AAEC/w==\"");
	assert_int_equal(v.u.str.len, 4);
	assert_memory_equal(v.u.str.ptr, "\x00\x01\x02\xff", 4);
	fcat_value_clear(&v);
	for (fcat_scalar s = FCAT_INT32; s <= FCAT_TIMESTAMP; s++) {
		v = decoded((fcat_type){s, s == FCAT_FLOAT32, 0}, "null");
		assert_true(v.is_null);
		assert_int_equal(v.type.scalar, s);
	}
}

static void test_json_value__decodes_arrays_with_their_dim(void **state)
{
	(void)state;
	fcat_value v = decoded(array_of(FCAT_FLOAT32, 3), " [1, 0.25, -2e3] ");
	assert_int_equal(v.u.array.len, 3);
	const float *f = v.u.array.items;
	assert_true(f[0] == 1.0f && f[1] == 0.25f && f[2] == -2000.0f);
	fcat_value_clear(&v);
	v = decoded(array_of(FCAT_STRING, 0), "[\"a\",\"\",\"\\u2713\"]");
	const fcat_bytes *s = v.u.array.items;
	assert_int_equal(v.u.array.len, 3);
	assert_string_equal(s[0].ptr, "a");
	assert_int_equal(s[1].len, 0);
	assert_string_equal(s[2].ptr, "\xe2\x9c\x93");
	fcat_value_clear(&v);
	v = decoded(array_of(FCAT_BYTES, 0), "[\"AA==\",\"\"]");
	s = v.u.array.items;
	assert_int_equal(s[0].len, 1);
	assert_int_equal(s[0].ptr[0], 0);
	assert_int_equal(s[1].len, 0);
	fcat_value_clear(&v);
	v = decoded(array_of(FCAT_TIMESTAMP, 0), "[0,\"1970-01-01T00:00:01Z\"]");
	const int64_t *ts = v.u.array.items;
	assert_true(ts[0] == 0 && ts[1] == 1000000);
	fcat_value_clear(&v);
	v = decoded(array_of(FCAT_BOOL, 0), "[]");
	assert_false(v.is_null);
	assert_int_equal(v.u.array.len, 0);
	fcat_value_clear(&v);
}

static void test_json_value__decoding_refuses_a_wrong_json_type(void **state)
{
	(void)state;
	decode_refused(T_INT64, "\"5\"", "x: expected int64, got string");
	decode_refused(T_INT32, "1.0", "x: expected int32, got real");
	decode_refused(T_F64, "true", "x: expected float64, got bool");
	decode_refused(T_BOOL, "1", "x: expected bool, got integer");
	decode_refused(T_STRING, "[\"a\"]", "x: expected string, got array");
	decode_refused(T_BYTES, "{}", "x: expected bytes, got object");
	decode_refused(T_TS, "1.5", "x: expected timestamp, got real");
	decode_refused(array_of(FCAT_FLOAT32, 2), "\"[1,2]\"",
	               "x: expected float32[2], got string");
	decode_refused(array_of(FCAT_INT64, 0), "[1,\"2\"]", "x[1]: expected int64, got string");
	decode_refused(array_of(FCAT_INT64, 0), "[null]", "x[0]: expected int64, got null");
	decode_refused(array_of(FCAT_INT32, 0), "[[1]]", "x[0]: expected int32, got array");
	/* without a name, messages say "value" */
	decode_refused_as(T_BOOL, "0", 1, NULL, "value: expected bool, got integer", false);
}

static void test_json_value__decoding_refuses_out_of_range_and_bad_text(void **state)
{
	(void)state;
	decode_refused(T_INT32, "2147483648", "x: 2147483648 is out of range for int32");
	decode_refused(T_INT32, "-2147483649", "x: -2147483649 is out of range for int32");
	decode_refused(array_of(FCAT_INT32, 0), "[0,1,99999999999]",
	               "x[2]: 99999999999 is out of range for int32");
	decode_refused(T_F32, "1e39", "x: 1e+39 is out of range for float32");
	decode_refused(T_TS, "9223372036854775807",
	               "x: 9223372036854775807 is out of range for a timestamp");
	decode_refused_as(T_TS, "\"yesterday\"", 11, "x", "x: not a timestamp: \"yesterday\" (",
	                  true);
	decode_refused(T_BYTES, "\"abc\"", "x: not valid base64: \"abc\"");
	decode_refused(array_of(FCAT_BYTES, 0), "[\"AA==\",\"A*==\"]",
	               "x[1]: not valid base64: \"A*==\"");
	decode_refused(array_of(FCAT_FLOAT32, 16), "[1,2]", "x: expected 16 items, got 2");
	/* beyond int64 and beyond double, jansson refuses the text itself */
	decode_refused_as(T_INT64, "9223372036854775808", 19, "x", "x: not valid JSON: too big",
	                  true);
	decode_refused_as(T_F64, "1e400", 5, "x", "x: not valid JSON: real number overflow", true);
	decode_refused_as(T_F64, "NaN", 3, "x", "x: not valid JSON:", true);
	decode_refused_as(T_F64, "Infinity", 8, "x", "x: not valid JSON:", true);
}

static void test_json_value__malformed_text_fails_cleanly(void **state)
{
	(void)state;
	const char *bad[] = {"",          "[1,2",    "{\"a\":", "[1}",          "\"open",
	                     "1 2",       "tru",     "[,1]",    "[1,]",         "-",
	                     "\"\\u12\"", "\"\\x\"", "nul",     "[\"a\"\"b\"]", "\xff"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		decode_refused_as(array_of(FCAT_INT64, 0), bad[i], strlen(bad[i]), "x",
		                  "x: not valid JSON:", true);
	/* the length counts, not a NUL: a truncated buffer is refused */
	decode_refused_as(T_INT64, "12345", 0, "x", "x: not valid JSON:", true);
	decode_refused_as(T_STRING, "\"ab\"", 3, "x", "x: not valid JSON:", true);
	/* a huge integer and deep nesting: refused, not a crash */
	size_t n = 100000;
	char *big = malloc(n + 1);
	memset(big, '9', n);
	big[n] = '\0';
	decode_refused_as(T_INT64, big, n, "x", "x: not valid JSON: too big integer", true);
	memset(big, '[', n);
	decode_refused_as(array_of(FCAT_INT64, 0), big, n, "x", "x: not valid JSON:", true);
	free(big);
	/* a raw NUL inside the text (an escaped one is a character) */
	decode_refused_as(T_STRING, "\"a\0b\"", 5, "x", "x: not valid JSON:", true);
}

/* Encodes v, decodes the text with v's type and asserts the same value. */
static void round_trips(const fcat_value *v)
{
	char *text;
	assert_int_equal(fcat_json_encode_value(&text, v), 0);
	fcat_value back;
	if (fcat_json_decode_value(&back, v->type, text, strlen(text), NULL) != 0)
		fail_msg("%s does not decode: %s", text, fcat_error_last());
	char *again;
	assert_int_equal(fcat_json_encode_value(&again, &back), 0);
	assert_string_equal(text, again);
	assert_int_equal(back.is_null, v->is_null);
	if (!v->is_null && v->type.is_array) {
		assert_int_equal(back.u.array.len, v->u.array.len);
		size_t stride = v->type.scalar == FCAT_INT32 || v->type.scalar == FCAT_FLOAT32 ? 4
		                : v->type.scalar == FCAT_BOOL                                  ? 1
		                                                                               : 8;
		if (v->type.scalar != FCAT_STRING && v->type.scalar != FCAT_BYTES)
			assert_memory_equal(back.u.array.items, v->u.array.items,
			                    stride * v->u.array.len);
	} else if (!v->is_null && v->type.scalar != FCAT_STRING && v->type.scalar != FCAT_BYTES) {
		assert_memory_equal(&back.u, &v->u, v->type.scalar == FCAT_BOOL ? 1 : 4);
	}
	fcat_free(again);
	fcat_free(text);
	fcat_value_clear(&back);
}

static void test_json_value__every_type_round_trips(void **state)
{
	(void)state;
	fcat_value v = scalar(T_INT32);
	v.u.i32 = -7;
	round_trips(&v);
	v = scalar(T_INT64);
	v.u.i64 = INT64_MIN;
	round_trips(&v);
	v = scalar(T_F32);
	v.u.f32 = FLT_MAX; /* the float32 survives the double in the text */
	round_trips(&v);
	v.u.f32 = 0.1f;
	round_trips(&v);
	v.u.f32 = FLT_TRUE_MIN;
	round_trips(&v);
	v = scalar(T_F64);
	v.u.f64 = 0.1 + 0.2;
	round_trips(&v);
	v.u.f64 = DBL_MIN;
	round_trips(&v);
	v = scalar(T_BOOL);
	v.u.b = true;
	round_trips(&v);
	v = scalar(T_TS);
	v.u.ts = -86400000000; /* whole seconds survive */
	round_trips(&v);
	v = scalar(T_STRING);
	v.u.str = (fcat_bytes){"\"\\\n\xe2\x9c\x93\0", 7};
	round_trips(&v);
	v = scalar(T_BYTES);
	v.u.str = (fcat_bytes){"\xff\0\x80", 3};
	round_trips(&v);
	const double f64[] = {DBL_MAX, -0.0, 1e-300};
	v = array(FCAT_FLOAT64, f64, 3);
	v.type.dim = 3;
	round_trips(&v);
	const float f32[] = {0.7f, -3.4e38f};
	v = array(FCAT_FLOAT32, f32, 2);
	round_trips(&v);
	const int64_t ts[] = {0, 1767225600000000, -1000000};
	v = array(FCAT_TIMESTAMP, ts, 3);
	round_trips(&v);
	const fcat_bytes strs[] = {{"x", 1}, {"", 0}, {"\xc3\xa9", 2}};
	v = array(FCAT_STRING, strs, 3);
	round_trips(&v);
	v = array(FCAT_BYTES, strs, 3);
	round_trips(&v);
	const bool flags[] = {false, true, true};
	v = array(FCAT_BOOL, flags, 3);
	round_trips(&v);
	v = (fcat_value){.type = {FCAT_FLOAT32, true, 16}, .is_null = true};
	round_trips(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_value__encodes_every_scalar_as_feast),
	    cmocka_unit_test(test_json_value__encodes_nulls_of_every_type_as_null),
	    cmocka_unit_test(test_json_value__encodes_arrays_item_by_item),
	    cmocka_unit_test(test_json_value__encoding_refuses_what_json_cannot_hold),
	    cmocka_unit_test(test_json_value__decodes_every_scalar),
	    cmocka_unit_test(test_json_value__decodes_arrays_with_their_dim),
	    cmocka_unit_test(test_json_value__decoding_refuses_a_wrong_json_type),
	    cmocka_unit_test(test_json_value__decoding_refuses_out_of_range_and_bad_text),
	    cmocka_unit_test(test_json_value__malformed_text_fails_cleanly),
	    cmocka_unit_test(test_json_value__every_type_round_trips),
	};
	return cmocka_run_group_tests_name("json_value", tests, NULL, NULL);
}
