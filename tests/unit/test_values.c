/* test_values.c - value types, text parsing and formatting, timestamps. */
#include "testutil.h"

#include "value_types.h"

#include "util/error.h"
#include "values/decimal_digits.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses text, asserting success. */
static fcat_value parse_ok(fcat_type type, const char *text)
{
	fcat_value v;
	int rc = fcat_value_parse(&v, type, text, strlen(text));
	if (rc != 0)
		fail_msg("parsing \"%s\" failed: %s", text, fcat_error_last());
	return v;
}

/* Parses text, asserting FCAT_EINVALID with a message containing `want`. */
static void parse_bad(fcat_type type, const char *text, const char *want)
{
	fcat_value v;
	int rc = fcat_value_parse(&v, type, text, strlen(text));
	if (rc == 0) {
		char *s = NULL;
		fcat_value_format(&s, &v);
		fail_msg("parsing \"%s\" should fail, got \"%s\"", text, s);
	}
	assert_int_equal(rc, FCAT_EINVALID);
	assert_true(v.is_null);
	if (want && !strstr(fcat_error_last(), want))
		fail_msg("message \"%s\" lacks \"%s\"", fcat_error_last(), want);
}

/* Formats a value; the caller frees. */
static char *format(const fcat_value *v)
{
	char *s = NULL;
	assert_int_equal(fcat_value_format(&s, v), 0);
	assert_non_null(s);
	return s;
}

/* parse(text) formats back to `want` (text itself when NULL). */
static void check_text(fcat_type type, const char *text, const char *want)
{
	fcat_value v = parse_ok(type, text);
	char *s = format(&v);
	assert_string_equal(s, want ? want : text);
	fcat_free(s);
	fcat_value_clear(&v);
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void roundtrip_f32(float f)
{
	fcat_value v = {.type = T_F32, .u.f32 = f};
	char *s = format(&v);
	fcat_value back = parse_ok(T_F32, s);
	if (memcmp(&back.u.f32, &f, sizeof f) != 0)
		fail_msg("float32 %a formatted as \"%s\" read back as %a", (double)f, s,
		         (double)back.u.f32);
	fcat_free(s);
}

static void roundtrip_f64(double d)
{
	fcat_value v = {.type = T_F64, .u.f64 = d};
	char *s = format(&v);
	fcat_value back = parse_ok(T_F64, s);
	if (memcmp(&back.u.f64, &d, sizeof d) != 0)
		fail_msg("float64 %a formatted as \"%s\" read back as %a", d, s, back.u.f64);
	fcat_free(s);
}

static int64_t ts_ok(const char *text)
{
	int64_t t = 0;
	int rc = fcat_timestamp_parse(&t, text, strlen(text));
	if (rc != 0)
		fail_msg("timestamp \"%s\" failed: %s", text, fcat_error_last());
	return t;
}

static void ts_bad(const char *text)
{
	int64_t t = 42;
	int rc = fcat_timestamp_parse(&t, text, strlen(text));
	if (rc == 0)
		fail_msg("timestamp \"%s\" should fail, got %lld", text, (long long)t);
	assert_int_equal(rc, FCAT_EINVALID);
	assert_int_equal(t, 42);
	assert_non_null(strstr(fcat_error_last(), "not a valid timestamp"));
	char quoted[128];
	snprintf(quoted, sizeof quoted, "\"%s\"", text);
	assert_non_null(strstr(fcat_error_last(), quoted));
}

static void ts_format_is(int64_t micros, const char *want)
{
	char buf[64];
	int n = fcat_timestamp_format(buf, sizeof buf, micros);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
	assert_true(n <= 32);
}

/* ---- integers ------------------------------------------------------- */

static void test_values__int32_round_trip(void **state)
{
	(void)state;
	check_text(T_INT32, "0", NULL);
	check_text(T_INT32, "-17", NULL);
	check_text(T_INT32, "2147483647", NULL);
	check_text(T_INT32, "-2147483648", NULL);
	check_text(T_INT32, "+42", "42");
	check_text(T_INT32, "007", "7");
	fcat_value v = parse_ok(T_INT32, "-2147483648");
	assert_int_equal(v.u.i32, INT32_MIN);
	assert_false(v.is_null);
}

static void test_values__int64_round_trip(void **state)
{
	(void)state;
	check_text(T_INT64, "9223372036854775807", NULL);
	check_text(T_INT64, "-9223372036854775808", NULL);
	check_text(T_INT64, "1700000000123456", NULL);
	fcat_value v = parse_ok(T_INT64, "-9223372036854775808");
	assert_true(v.u.i64 == INT64_MIN);
	for (int i = 0; i < 1000; i++) {
		int64_t x = (int64_t)((uint64_t)rng() << 32 | rng());
		fcat_value a = {.type = T_INT64, .u.i64 = x};
		char *s = format(&a);
		fcat_value b = parse_ok(T_INT64, s);
		assert_true(b.u.i64 == x);
		fcat_free(s);
	}
}

static void test_values__int_overflow_is_an_error(void **state)
{
	(void)state;
	parse_bad(T_INT32, "2147483648", "out of range");
	parse_bad(T_INT32, "-2147483649", "out of range");
	parse_bad(T_INT32, "99999999999999999999999", "out of range");
	parse_bad(T_INT64, "9223372036854775808", "out of range");
	parse_bad(T_INT64, "-9223372036854775809", "out of range");
	parse_bad(T_INT64, "18446744073709551616", "out of range");
	parse_bad(T_INT64, "9223372036854775808x", "not a valid int64");
}

static void test_values__int_syntax_errors(void **state)
{
	(void)state;
	parse_bad(T_INT64, "12x", "not a valid int64: \"12x\"");
	parse_bad(T_INT32, "12x", "not a valid int32: \"12x\"");
	parse_bad(T_INT64, " 1", NULL);
	parse_bad(T_INT64, "1 ", NULL);
	parse_bad(T_INT64, "-", NULL);
	parse_bad(T_INT64, "+", NULL);
	parse_bad(T_INT64, "1.5", NULL);
	parse_bad(T_INT64, "0x10", NULL);
}

static void test_values__error_message_truncates_long_text(void **state)
{
	(void)state;
	char text[200];
	memset(text, '7', sizeof text - 2);
	text[sizeof text - 2] = 'x';
	text[sizeof text - 1] = '\0';
	parse_bad(T_INT64, text, "...\"");
	assert_true(strlen(fcat_error_last()) < 120);
}

/* ---- floats ----------------------------------------------------------- */

static void test_values__float32_round_trip(void **state)
{
	(void)state;
	const float cases[] = {0.1f,    1e-45f,      -0.0f,   0.0f,        1.0f / 3,
	                       FLT_MAX, -FLT_MAX,    FLT_MIN, 16777217.0f, 3.4e38f,
	                       1e-40f,  123456.789f, -2.5f};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		roundtrip_f32(cases[i]);
	for (int i = 0; i < 200000; i++) {
		uint32_t bits = rng();
		float f;
		memcpy(&f, &bits, sizeof f);
		if (isnan(f))
			continue;
		roundtrip_f32(f);
	}
}

static void test_values__float64_round_trip(void **state)
{
	(void)state;
	const double cases[] = {0.1,
	                        -0.0,
	                        0.0,
	                        DBL_MAX,
	                        -DBL_MAX,
	                        DBL_MIN,
	                        5e-324,
	                        1.0 / 3,
	                        1e22,
	                        1e23,
	                        0.30000000000000004,
	                        9007199254740993.0,
	                        2.5e-308};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		roundtrip_f64(cases[i]);
	for (int i = 0; i < 200000; i++) {
		uint64_t bits = (uint64_t)rng() << 32 | rng();
		double d;
		memcpy(&d, &bits, sizeof d);
		if (isnan(d))
			continue;
		roundtrip_f64(d);
	}
}

static void test_values__float_shortest_text(void **state)
{
	(void)state;
	check_text(T_F32, "0.1", NULL);
	check_text(T_F64, "0.1", NULL);
	check_text(T_F64, "-0", NULL);
	check_text(T_F32, "1e-45", "1.4013e-45");
	check_text(T_F64, "1.5", NULL);
	check_text(T_F64, "1e+22", NULL);
	check_text(T_F64, "0.30000000000000004", NULL);
	check_text(T_F32, "16777216", NULL);
	check_text(T_F64, "1e300", "1e+300");
}

/* The %g text made without printf is printf's, byte for byte, at every
 * precision: random bit patterns (every magnitude, subnormals too), short
 * decimals, and the values whose rounding carries into a new digit. */
static void test_values__g_text_is_printf_g_byte_for_byte(void **state)
{
	(void)state;
	uint64_t r = 0x9E3779B97F4A7C15ULL;
	const double edges[] = {0.0,
	                        -0.0,
	                        1.0,
	                        9.5,
	                        0.5,
	                        99999.5,
	                        1e-5,
	                        1e-4,
	                        0.0001234,
	                        123456789012345678.0,
	                        9.999999999999999e22,
	                        1e23,
	                        5e-324,
	                        DBL_MAX,
	                        DBL_MIN,
	                        0.1,
	                        1e15,
	                        1e16,
	                        1e17,
	                        2.5,
	                        -7.25e-300};
	char mine[FCAT__G_TEXT_MAX], want[64];
	for (size_t i = 0; i < 200000; i++) {
		double d;
		if (i < sizeof edges / sizeof *edges) {
			d = edges[i];
		} else {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			if (i % 3 == 0) {
				memcpy(&d, &r, sizeof d);
				if (!isfinite(d))
					continue;
			} else if (i % 3 == 1) {
				d = (double)(int64_t)(r % 100000000) / 100.0;
			} else {
				d = ldexp((double)(r >> 11), (int)(r % 200) - 150);
			}
		}
		for (int p = 1; p <= 17; p++) {
			fcat__g_text(mine, d, p);
			snprintf(want, sizeof want, "%.*g", p, d);
			if (strcmp(mine, want) != 0)
				fail_msg("%%.%dg of %a: '%s', printf '%s'", p, d, mine, want);
		}
	}
}

static void test_values__float_special_values(void **state)
{
	(void)state;
	fcat_value v = parse_ok(T_F64, "nan");
	assert_true(isnan(v.u.f64));
	v = parse_ok(T_F32, "NaN");
	assert_true(isnan(v.u.f32));
	v = parse_ok(T_F64, "-inf");
	assert_true(isinf(v.u.f64) && v.u.f64 < 0);
	v = parse_ok(T_F32, "inf");
	assert_true(isinf(v.u.f32) && v.u.f32 > 0);
	check_text(T_F64, "nan", NULL);
	check_text(T_F64, "inf", NULL);
	check_text(T_F64, "-inf", NULL);
	check_text(T_F32, "-inf", NULL);
	check_text(T_F32, "Infinity", "inf");
	parse_bad(T_F64, "1e400", "out of range");
	parse_bad(T_F32, "1e39", "out of range");
	parse_bad(T_F64, "1.5.", "not a valid float64: \"1.5.\"");
	parse_bad(T_F64, " 1", NULL);
	parse_bad(T_F64, "1 ", NULL);
	parse_bad(T_F32, "abc", "not a valid float32");
	parse_bad(T_F64, "1,5", NULL);
}

/* ---- bool, string, bytes ---------------------------------------------- */

static void test_values__bool_parse_and_format(void **state)
{
	(void)state;
	check_text(T_BOOL, "true", NULL);
	check_text(T_BOOL, "false", NULL);
	check_text(T_BOOL, "TRUE", "true");
	check_text(T_BOOL, "False", "false");
	check_text(T_BOOL, "1", "true");
	check_text(T_BOOL, "0", "false");
	parse_bad(T_BOOL, "yes", "not a valid bool: \"yes\"");
	parse_bad(T_BOOL, "2", NULL);
	parse_bad(T_BOOL, "truee", NULL);
}

static void test_values__string_is_copied_as_is(void **state)
{
	(void)state;
	char text[] = "h\xc3\xa9llo, \"world\" [1,2]";
	fcat_value v = parse_ok(T_STRING, text);
	assert_int_equal(v.u.str.len, strlen(text));
	assert_ptr_not_equal(v.u.str.ptr, text);
	text[0] = 'X';
	assert_memory_equal(v.u.str.ptr, "h\xc3\xa9llo", 6);
	char *s = format(&v);
	assert_string_equal(s, "h\xc3\xa9llo, \"world\" [1,2]");
	fcat_free(s);
	fcat_value_clear(&v);
	assert_true(v.is_null);
	fcat_value_clear(&v);
}

static void test_values__empty_text_is_null(void **state)
{
	(void)state;
	const fcat_type types[] = {
	    T_INT32, T_INT64, T_F32, T_F64, T_STRING, T_BYTES, T_BOOL, T_TS, {FCAT_INT64, true, 3}};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		fcat_value v;
		assert_int_equal(fcat_value_parse(&v, types[i], "", 0), 0);
		assert_true(v.is_null);
		assert_true(fcat_type_equal(v.type, types[i]));
		char *s = format(&v);
		assert_string_equal(s, "");
		fcat_free(s);
		fcat_value_clear(&v);
	}
}

static void test_values__bytes_base64_round_trip(void **state)
{
	(void)state;
	check_text(T_BYTES, "aGVsbG8=", NULL);
	check_text(T_BYTES, "aGVsbG8h", NULL);
	check_text(T_BYTES, "aGk=", NULL);
	check_text(T_BYTES, "YQ==", NULL);
	fcat_value v = parse_ok(T_BYTES, "AP8Q");
	assert_int_equal(v.u.str.len, 3);
	assert_memory_equal(v.u.str.ptr, "\x00\xff\x10", 3);
	fcat_value_clear(&v);
	unsigned char data[300];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof data; n += 7) {
		fcat_value a = {.type = T_BYTES, .u.str = {(const char *)data, n}};
		char *s = format(&a);
		assert_int_equal(strlen(s), (n + 2) / 3 * 4);
		if (n == 0) {
			fcat_free(s);
			continue;
		}
		fcat_value b = parse_ok(T_BYTES, s);
		assert_int_equal(b.u.str.len, n);
		assert_memory_equal(b.u.str.ptr, data, n);
		fcat_value_clear(&b);
		fcat_free(s);
	}
}

static void test_values__bad_base64_is_an_error(void **state)
{
	(void)state;
	parse_bad(T_BYTES, "abc", "not a valid bytes: \"abc\"");
	parse_bad(T_BYTES, "ab!d", "bad base64");
	parse_bad(T_BYTES, "a===", NULL);
	parse_bad(T_BYTES, "=abc", NULL);
	parse_bad(T_BYTES, "ab=c", NULL);
	parse_bad(T_BYTES, "YQ==YQ==", NULL);
	parse_bad(T_BYTES, "aGVs bG8=", NULL);
	parse_bad(T_BYTES, "aGVsbG8", NULL);
	parse_bad(array_of(FCAT_BYTES, 0), "[\"YQ==\",\"Y*==\"]", "element 2");
}

/* ---- timestamps ------------------------------------------------------- */

static void test_values__timestamp_basic_forms(void **state)
{
	(void)state;
	assert_true(ts_ok("1970-01-01T00:00:00Z") == 0);
	assert_true(ts_ok("2026-01-02T03:04:05Z") == INT64_C(1767323045000000));
	assert_true(ts_ok("2026-01-02t03:04:05z") == INT64_C(1767323045000000));
	assert_true(ts_ok("2026-01-02 03:04:05") == INT64_C(1767323045000000));
	assert_true(ts_ok("2026-01-02T03:04:05") == INT64_C(1767323045000000));
	assert_true(ts_ok("2026-01-02 03:04:05+00:00") == INT64_C(1767323045000000));
	assert_true(ts_ok("2026-01-02") == INT64_C(1767312000000000));
	assert_true(ts_ok("2000-03-01") == INT64_C(11017) * 86400 * 1000000);
	assert_true(ts_ok("1767323045") == INT64_C(1767323045000000));
	assert_true(ts_ok("0") == 0);
	assert_true(ts_ok("-1") == -1000000);
	assert_true(ts_ok("+5") == 5000000);
}

static void test_values__timestamp_offsets(void **state)
{
	(void)state;
	int64_t utc = ts_ok("2026-01-02T03:04:05Z");
	assert_true(ts_ok("2026-01-02T08:34:05+05:30") == utc);
	assert_true(ts_ok("2026-01-01T22:04:05-05:00") == utc);
	assert_true(ts_ok("2026-01-02T03:04:05-00:00") == utc);
	assert_true(ts_ok("2026-01-02T03:04:05.250+01:00") == utc - INT64_C(3600000000) + 250000);
	ts_bad("2026-01-02T03:04:05+0530");
	ts_bad("2026-01-02T03:04:05+05");
	ts_bad("2026-01-02T03:04:05+24:00");
	ts_bad("2026-01-02T03:04:05+05:60");
}

static void test_values__timestamp_fractions(void **state)
{
	(void)state;
	int64_t base = ts_ok("2026-01-02T03:04:05Z");
	assert_true(ts_ok("2026-01-02T03:04:05.5Z") == base + 500000);
	assert_true(ts_ok("2026-01-02T03:04:05.123Z") == base + 123000);
	assert_true(ts_ok("2026-01-02T03:04:05.123456Z") == base + 123456);
	assert_true(ts_ok("2026-01-02T03:04:05.123456789Z") == base + 123456);
	assert_true(ts_ok("2026-01-02T03:04:05.000001") == base + 1);
	ts_bad("2026-01-02T03:04:05.1234567890Z");
	ts_bad("2026-01-02T03:04:05.Z");
	ts_bad("2026-01-02T03:04:05,5Z");
}

static void test_values__timestamp_leap_years(void **state)
{
	(void)state;
	assert_true(ts_ok("2024-02-29") + INT64_C(86400000000) == ts_ok("2024-03-01"));
	assert_true(ts_ok("2000-02-29T12:00:00Z") > 0);
	ts_bad("2023-02-29");
	ts_bad("1900-02-29");
	ts_bad("2024-02-30");
	ts_bad("2024-04-31");
	assert_true(ts_ok("2024-12-31") + INT64_C(86400000000) == ts_ok("2025-01-01"));
}

static void test_values__timestamp_rejects_garbage(void **state)
{
	(void)state;
	ts_bad("");
	ts_bad("2026-13-01");
	ts_bad("2026-00-01");
	ts_bad("2026-01-32");
	ts_bad("2026-01-00");
	ts_bad("2026-01-02T24:00:00Z");
	ts_bad("2026-01-02T23:60:00Z");
	ts_bad("2026-01-02T23:59:60Z");
	ts_bad("2026-01-02T03:04:05Zjunk");
	ts_bad("2026-01-02T03:04:05 ");
	ts_bad("2026-01-02 ");
	ts_bad(" 2026-01-02");
	ts_bad("2026-1-2");
	ts_bad("26-01-02");
	ts_bad("2026-01-02T03:04");
	ts_bad("2026/01/02");
	ts_bad("12x");
	ts_bad("1.5");
	ts_bad("-");
	ts_bad("99999999999999999999");
	ts_bad("9223372036855");
	parse_bad(T_TS, "yesterday", "not a valid timestamp: \"yesterday\"");
}

static void test_values__timestamp_negative_epochs(void **state)
{
	(void)state;
	assert_true(ts_ok("1969-12-31T23:59:59Z") == -1000000);
	assert_true(ts_ok("1969-12-31T23:59:59.999999Z") == -1);
	assert_true(ts_ok("1900-01-01") == INT64_C(-2208988800) * 1000000);
	assert_true(ts_ok("0001-01-01") == INT64_C(-62135596800) * 1000000);
	ts_format_is(-1, "1969-12-31T23:59:59.999999Z");
	ts_format_is(-1000, "1969-12-31T23:59:59.999Z");
	ts_format_is(-1500, "1969-12-31T23:59:59.998500Z");
	ts_format_is(-1000000, "1969-12-31T23:59:59Z");
	ts_format_is(INT64_C(-86400000000), "1969-12-31T00:00:00Z");
	ts_format_is(INT64_C(-2208988800) * 1000000, "1900-01-01T00:00:00Z");
	ts_format_is(INT64_C(-62135596800) * 1000000, "0001-01-01T00:00:00Z");
}

static void test_values__timestamp_format_digits(void **state)
{
	(void)state;
	int64_t base = INT64_C(1767323045000000);
	ts_format_is(0, "1970-01-01T00:00:00Z");
	ts_format_is(base, "2026-01-02T03:04:05Z");
	ts_format_is(base + 500000, "2026-01-02T03:04:05.500Z");
	ts_format_is(base + 1000, "2026-01-02T03:04:05.001Z");
	ts_format_is(base + 1, "2026-01-02T03:04:05.000001Z");
	ts_format_is(base + 123456, "2026-01-02T03:04:05.123456Z");
	ts_format_is(base + 120000, "2026-01-02T03:04:05.120Z");
	char small[8];
	int n = fcat_timestamp_format(small, sizeof small, base);
	assert_int_equal(n, 20);
	assert_string_equal(small, "2026-01");
	char buf[64];
	assert_true(fcat_timestamp_format(buf, sizeof buf, INT64_MAX) <= 32);
	assert_true(fcat_timestamp_format(buf, sizeof buf, INT64_MIN) <= 32);
}

static void test_values__timestamp_round_trip(void **state)
{
	(void)state;
	int64_t lo = ts_ok("0000-01-01"), hi = ts_ok("9999-12-31T23:59:59.999999Z");
	for (int i = 0; i < 100000; i++) {
		uint64_t r = (uint64_t)rng() << 32 | rng();
		int64_t t = lo + (int64_t)(r % (uint64_t)(hi - lo + 1));
		if (i % 3 == 0)
			t -= t % 1000000;
		else if (i % 3 == 1)
			t -= t % 1000;
		fcat_value v = {.type = T_TS, .u.ts = t};
		char *s = format(&v);
		fcat_value back = parse_ok(T_TS, s);
		if (back.u.ts != t)
			fail_msg("%lld -> \"%s\" -> %lld", (long long)t, s, (long long)back.u.ts);
		fcat_free(s);
	}
	/* Every day of a few centuries, around the 1970 and 2000 boundaries. */
	for (int64_t day = -100000; day <= 100000; day++) {
		char buf[40];
		int64_t t = day * INT64_C(86400000000) + 45296789000; /* 12:34:56.789 */
		fcat_timestamp_format(buf, sizeof buf, t);
		int64_t back = 0;
		assert_int_equal(fcat_timestamp_parse(&back, buf, strlen(buf)), 0);
		assert_true(back == t);
	}
}

/* ---- arrays ----------------------------------------------------------- */

static void test_values__int_array_round_trip(void **state)
{
	(void)state;
	fcat_value v = parse_ok(array_of(FCAT_INT32, 0), "[1,-2,3]");
	assert_false(v.is_null);
	assert_int_equal(v.u.array.len, 3);
	const int32_t *i32 = v.u.array.items;
	assert_int_equal(i32[0], 1);
	assert_int_equal(i32[1], -2);
	assert_int_equal(i32[2], 3);
	fcat_value_clear(&v);
	assert_true(v.is_null);
	check_text(array_of(FCAT_INT32, 0), "[ 1 , 2 ,3 ]", "[1,2,3]");
	check_text(array_of(FCAT_INT64, 2), "[9223372036854775807,-9223372036854775808]", NULL);
	check_text(array_of(FCAT_INT64, 0), "[]", NULL);
	check_text(array_of(FCAT_INT64, 0), "[ ]", "[]");
	check_text(array_of(FCAT_INT64, 0), "[\t7\n]", "[7]");
	v = parse_ok(array_of(FCAT_INT64, 0), "[]");
	assert_false(v.is_null);
	assert_int_equal(v.u.array.len, 0);
	fcat_value_clear(&v);
}

static void test_values__float_array_round_trip(void **state)
{
	(void)state;
	check_text(array_of(FCAT_FLOAT32, 4), "[0.1,-0,1e-45,nan]", "[0.1,-0,1.4013e-45,nan]");
	check_text(array_of(FCAT_FLOAT64, 0), "[0.1,inf,-inf,1.7976931348623157e+308]", NULL);
	float f[16];
	for (int i = 0; i < 16; i++)
		f[i] = (float)i / 7.0f;
	fcat_type t = array_of(FCAT_FLOAT32, 16);
	fcat_value v = {.type = t, .u.array = {f, 16}};
	char *s = format(&v);
	fcat_value back = parse_ok(t, s);
	assert_int_equal(back.u.array.len, 16);
	assert_memory_equal(back.u.array.items, f, sizeof f);
	fcat_value_clear(&back);
	fcat_free(s);
}

static void test_values__bool_and_timestamp_arrays(void **state)
{
	(void)state;
	check_text(array_of(FCAT_BOOL, 0), "[true, FALSE,1,0]", "[true,false,true,false]");
	check_text(array_of(FCAT_TIMESTAMP, 0),
	           "[\"2026-01-02T03:04:05Z\",\"1969-12-31T23:59:59.999Z\"]", NULL);
	check_text(array_of(FCAT_TIMESTAMP, 0), "[2026-01-02 03:04:05+05:30, 0, 2024-02-29]",
	           "[\"2026-01-01T21:34:05Z\",\"1970-01-01T00:00:00Z\","
	           "\"2024-02-29T00:00:00Z\"]");
	parse_bad(array_of(FCAT_TIMESTAMP, 0), "[2023-02-29]", "element 1");
	parse_bad(array_of(FCAT_BOOL, 0), "[true,maybe]", "element 2 is not a valid bool");
}

static void test_values__string_array_escapes(void **state)
{
	(void)state;
	fcat_type t = array_of(FCAT_STRING, 0);
	fcat_value v = parse_ok(t, "[\"a\\\"b\", \"c\\\\d\",\"e\\nf\\tg\",\"\",\"x,]y\"]");
	assert_int_equal(v.u.array.len, 5);
	const fcat_bytes *s = v.u.array.items;
	assert_int_equal(s[0].len, 3);
	assert_memory_equal(s[0].ptr, "a\"b", 3);
	assert_memory_equal(s[1].ptr, "c\\d", 3);
	assert_memory_equal(s[2].ptr, "e\nf\tg", 5);
	assert_int_equal(s[3].len, 0);
	assert_memory_equal(s[4].ptr, "x,]y", 4);
	char *out = format(&v);
	assert_string_equal(out, "[\"a\\\"b\",\"c\\\\d\",\"e\\nf\\tg\",\"\",\"x,]y\"]");
	fcat_free(out);
	fcat_value_clear(&v);
	check_text(t, "[\"\\u0001\\u001f\\u007f\\r\\b\\f\",\"\\/\"]",
	           "[\"\\u0001\\u001f\\u007f\\r\\b\\f\",\"/\"]");
}

static void test_values__unicode_escapes(void **state)
{
	(void)state;
	fcat_type t = array_of(FCAT_STRING, 0);
	fcat_value v = parse_ok(t, "[\"\\u00e9\",\"\\u20AC\",\"\\ud83d\\ude00\",\"\\u0000\"]");
	const fcat_bytes *s = v.u.array.items;
	assert_int_equal(s[0].len, 2);
	assert_memory_equal(s[0].ptr, "\xc3\xa9", 2);
	assert_int_equal(s[1].len, 3);
	assert_memory_equal(s[1].ptr, "\xe2\x82\xac", 3);
	assert_int_equal(s[2].len, 4);
	assert_memory_equal(s[2].ptr, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(s[3].len, 1);
	assert_int_equal(s[3].ptr[0], 0);
	char *out = format(&v);
	assert_string_equal(out,
	                    "[\"\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"\\u0000\"]");
	fcat_value back = parse_ok(t, out);
	assert_int_equal(back.u.array.len, 4);
	for (int i = 0; i < 4; i++) {
		const fcat_bytes *b = back.u.array.items;
		assert_int_equal(b[i].len, s[i].len);
		assert_memory_equal(b[i].ptr, s[i].ptr, s[i].len);
	}
	fcat_value_clear(&back);
	fcat_free(out);
	fcat_value_clear(&v);
	parse_bad(t, "[\"\\ud83d\"]", "surrogate");
	parse_bad(t, "[\"\\ude00\"]", "surrogate");
	parse_bad(t, "[\"\\ud83d\\u0041\"]", "surrogate");
	parse_bad(t, "[\"\\u12g4\"]", "\\u escape");
	parse_bad(t, "[\"\\q\"]", "bad escape");
}

static void test_values__bytes_array_round_trip(void **state)
{
	(void)state;
	fcat_type t = array_of(FCAT_BYTES, 3);
	fcat_value v = parse_ok(t, "[\"aGVsbG8=\", \"\", \"AP8=\"]");
	const fcat_bytes *b = v.u.array.items;
	assert_int_equal(b[0].len, 5);
	assert_memory_equal(b[0].ptr, "hello", 5);
	assert_int_equal(b[1].len, 0);
	assert_int_equal(b[2].len, 2);
	assert_memory_equal(b[2].ptr, "\x00\xff", 2);
	char *out = format(&v);
	assert_string_equal(out, "[\"aGVsbG8=\",\"\",\"AP8=\"]");
	fcat_free(out);
	fcat_value_clear(&v);
	parse_bad(t, "[aGVsbG8=,\"\",\"\"]", "expected a JSON string");
}

static void test_values__array_dim_mismatch(void **state)
{
	(void)state;
	parse_bad(array_of(FCAT_INT32, 3), "[1,2]", "expected 3 elements, got 2");
	parse_bad(array_of(FCAT_FLOAT32, 2), "[1,2,3]", "expected 2 elements, got 3");
	parse_bad(array_of(FCAT_STRING, 1), "[]", "expected 1 elements, got 0");
	parse_bad(array_of(FCAT_INT32, 3), "[1,2]", "not a valid int32[3]: \"[1,2]\"");
	check_text(array_of(FCAT_INT32, 2), "[1,2]", NULL);
}

static void test_values__array_syntax_errors(void **state)
{
	(void)state;
	fcat_type t = array_of(FCAT_INT64, 0);
	parse_bad(t, "[1,null,3]", "null elements are not allowed");
	parse_bad(array_of(FCAT_STRING, 0), "[\"a\", null]", "null elements");
	parse_bad(t, "[1,,3]", "empty element");
	parse_bad(t, "[1,]", "empty element");
	parse_bad(t, "[,1]", "empty element");
	parse_bad(t, "[1,2", NULL);
	parse_bad(t, "1,2]", NULL);
	parse_bad(t, "1", NULL);
	parse_bad(t, "[", NULL);
	parse_bad(t, "[1]x", "after ']'");
	parse_bad(t, " [1]", NULL);
	parse_bad(t, "[1 2]", "element 1");
	parse_bad(t, "[1,x]", "element 2 is not a valid int64");
	parse_bad(array_of(FCAT_INT32, 0), "[1,3000000000]", "out of range");
	parse_bad(array_of(FCAT_STRING, 0), "[\"abc]", "unterminated");
	parse_bad(array_of(FCAT_STRING, 0), "[\"a\" \"b\"]", "expected ',' or ']'");
	parse_bad(array_of(FCAT_STRING, 0), "[abc]", "expected a JSON string");
}

/* ---- types and misc --------------------------------------------------- */

static void test_values__type_name_parse_and_format(void **state)
{
	(void)state;
	static const char *const names[] = {
	    "int32",     "int64",       "float32",  "float64",  "string",  "bytes",       "bool",
	    "timestamp", "float32[16]", "string[]", "int64[1]", "bytes[]", "timestamp[3]"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		fcat_type t;
		assert_int_equal(fcat_type_parse(&t, names[i]), 0);
		char buf[64];
		int n = fcat_type_format(buf, sizeof buf, t);
		assert_string_equal(buf, names[i]);
		assert_int_equal(n, (int)strlen(names[i]));
	}
	fcat_type t;
	assert_int_equal(fcat_type_parse(&t, "float32[16]"), 0);
	assert_int_equal(t.scalar, FCAT_FLOAT32);
	assert_true(t.is_array);
	assert_int_equal(t.dim, 16);
	assert_int_equal(fcat_type_parse(&t, "string[]"), 0);
	assert_true(t.is_array);
	assert_int_equal(t.dim, 0);
	static const char *const bad[] = {"int46",     "",      "float32[0]", "float32[",
	                                  "string[]x", "Int64", "int64[-1]",  "[]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_fails_with(fcat_type_parse(&t, bad[i]), FCAT_EINVALID, "unknown type");
	}
	assert_non_null(strstr(fcat_error_last(), "'[]'"));
	assert_fails_with(fcat_type_parse(&t, "int46"), FCAT_EINVALID, "int46");
	assert_string_equal(fcat_scalar_name(FCAT_TIMESTAMP), "timestamp");
	assert_string_equal(fcat_scalar_name((fcat_scalar)99), "invalid");
}

static void test_values__parse_rejects_invalid_type(void **state)
{
	(void)state;
	fcat_value v;
	fcat_type t = {FCAT_INVALID, false, 0};
	assert_int_equal(fcat_value_parse(&v, t, "1", 1), FCAT_EINVALID);
	assert_true(v.is_null);
}

static void test_values__parse_honours_length(void **state)
{
	(void)state;
	fcat_value v;
	assert_int_equal(fcat_value_parse(&v, T_INT64, "12345", 3), 0);
	assert_true(v.u.i64 == 123);
	assert_int_equal(fcat_value_parse(&v, T_F64, "1.25xyz", 4), 0);
	assert_true(v.u.f64 == 1.25);
	assert_int_equal(fcat_value_parse(&v, T_STRING, "abcdef", 2), 0);
	assert_int_equal(v.u.str.len, 2);
	assert_memory_equal(v.u.str.ptr, "ab", 2);
	fcat_value_clear(&v);
	assert_int_equal(fcat_value_parse(&v, array_of(FCAT_INT32, 0), "[1,2]]", 5), 0);
	assert_int_equal(v.u.array.len, 2);
	fcat_value_clear(&v);
	int64_t ts;
	assert_int_equal(fcat_timestamp_parse(&ts, "2026-01-02T03:04:05Zgarbage", 20), 0);
	assert_true(ts == INT64_C(1767323045000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values__int32_round_trip),
	    cmocka_unit_test(test_values__int64_round_trip),
	    cmocka_unit_test(test_values__int_overflow_is_an_error),
	    cmocka_unit_test(test_values__int_syntax_errors),
	    cmocka_unit_test(test_values__error_message_truncates_long_text),
	    cmocka_unit_test(test_values__float32_round_trip),
	    cmocka_unit_test(test_values__float64_round_trip),
	    cmocka_unit_test(test_values__float_shortest_text),
	    cmocka_unit_test(test_values__g_text_is_printf_g_byte_for_byte),
	    cmocka_unit_test(test_values__float_special_values),
	    cmocka_unit_test(test_values__bool_parse_and_format),
	    cmocka_unit_test(test_values__string_is_copied_as_is),
	    cmocka_unit_test(test_values__empty_text_is_null),
	    cmocka_unit_test(test_values__bytes_base64_round_trip),
	    cmocka_unit_test(test_values__bad_base64_is_an_error),
	    cmocka_unit_test(test_values__timestamp_basic_forms),
	    cmocka_unit_test(test_values__timestamp_offsets),
	    cmocka_unit_test(test_values__timestamp_fractions),
	    cmocka_unit_test(test_values__timestamp_leap_years),
	    cmocka_unit_test(test_values__timestamp_rejects_garbage),
	    cmocka_unit_test(test_values__timestamp_negative_epochs),
	    cmocka_unit_test(test_values__timestamp_format_digits),
	    cmocka_unit_test(test_values__timestamp_round_trip),
	    cmocka_unit_test(test_values__int_array_round_trip),
	    cmocka_unit_test(test_values__float_array_round_trip),
	    cmocka_unit_test(test_values__bool_and_timestamp_arrays),
	    cmocka_unit_test(test_values__string_array_escapes),
	    cmocka_unit_test(test_values__unicode_escapes),
	    cmocka_unit_test(test_values__bytes_array_round_trip),
	    cmocka_unit_test(test_values__array_dim_mismatch),
	    cmocka_unit_test(test_values__array_syntax_errors),
	    cmocka_unit_test(test_values__type_name_parse_and_format),
	    cmocka_unit_test(test_values__parse_rejects_invalid_type),
	    cmocka_unit_test(test_values__parse_honours_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
