/* test_json_write.c - the JSON writer writes what jansson's json_dumps
 * writes, byte for byte, with jansson itself as the oracle: reals (random
 * doubles and floats of every magnitude, ties, whole numbers, exponents),
 * integers, strings (every byte, random byte strings, valid and invalid
 * UTF-8, refused exactly when jansson refuses them), and timestamps written
 * without printf equal printf's. */
#include "testutil.h"

#include "json/json_write.h"
#include "json/real_text.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* jansson's text of a real, integer or string. */
static char *jansson_text(json_t *j)
{
	char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	assert_non_null(text);
	return text;
}

static void real_as_jansson(double d)
{
	if (!isfinite(d))
		return;
	char mine[FCAT__JSON_REAL_TEXT_MAX];
	size_t n = fcat__json_real_text(mine, d);
	char *want = jansson_text(json_real(d));
	if (strcmp(mine, want) != 0 || n != strlen(want))
		fail_msg("%.17g: written as '%s', jansson writes '%s'", d, mine, want);
	free(want);
}

static void test_json_write__reals_are_written_as_jansson_writes_them(void **state)
{
	(void)state;
	static const double special[] = {0.0,
	                                 1.0,
	                                 0.5,
	                                 0.1,
	                                 4.87,
	                                 1e-5,
	                                 1e-4,
	                                 0.0001234,
	                                 1e16,
	                                 1e17,
	                                 99999999999999999.0,
	                                 123456789012345678.0,
	                                 12345678901234567.5,
	                                 9007199254740993.0,
	                                 18446744073709549568.0,
	                                 1e19,
	                                 1e20,
	                                 5e-324,
	                                 2.2250738585072014e-308,
	                                 1.7976931348623157e308,
	                                 (double)0.9514f,
	                                 (double)-0.2759f};
	for (size_t i = 0; i < sizeof special / sizeof *special; i++) {
		real_as_jansson(special[i]);
		real_as_jansson(-special[i]);
	}
	real_as_jansson(-0.0);
	/* ties at the 17th digit: whole numbers of 18 digits ending in 5 */
	for (uint64_t v = UINT64_C(100000000000000005); v < UINT64_C(100000000000002005); v += 10)
		real_as_jansson((double)v);
	for (int i = 0; i < 300000; i++) {
		uint64_t bits = next();
		double d;
		memcpy(&d, &bits, sizeof d); /* every magnitude */
		real_as_jansson(d);
		uint32_t fbits = (uint32_t)next();
		float f;
		memcpy(&f, &fbits, sizeof f); /* float32 features, widened */
		real_as_jansson(f);
		real_as_jansson((float)((double)(next() % 100000) / 1000.0)); /* ratings */
		real_as_jansson(
		    ldexp((double)(next() % (UINT64_C(1) << 20)), (int)(next() % 80) - 40));
		real_as_jansson((double)(int64_t)(next() % 2000000) / (double)(1 + next() % 1000));
	}
}

static void test_json_write__integers_are_written_as_jansson_writes_them(void **state)
{
	(void)state;
	int64_t cases[] = {0, 1, -1, 9, 10, -10, INT64_MAX, INT64_MIN, 1234567890123, -987654321};
	for (size_t i = 0; i < sizeof cases / sizeof *cases + 10000; i++) {
		int64_t v = i < sizeof cases / sizeof *cases ? cases[i] : (int64_t)next();
		fcat__buf b = {0};
		fcat__json_put_int(&b, v);
		char *want = jansson_text(json_integer(v));
		assert_string_equal(b.ptr, want);
		free(want);
		fcat__buf_free(&b);
	}
}

/* Writes the n bytes at s both ways: refused by both, or the same text. */
static void string_as_jansson(const char *s, size_t n)
{
	fcat__buf b = {0};
	int rc = fcat__json_put_string(&b, s, n);
	json_t *j = json_stringn(s, n);
	if (!j) {
		if (rc != FCAT_EINVALID)
			fail_msg("jansson refuses %zu bytes (first %02x) that were written as %s",
			         n, n ? (unsigned char)s[0] : 0, b.ptr ? b.ptr : "");
		assert_int_equal(b.len, 0); /* nothing half-written */
		assert_non_null(strstr(fcat_error_last(), "not valid UTF-8"));
	} else {
		if (rc != 0)
			fail_msg("refused %zu bytes (first %02x) that jansson writes: %s", n,
			         n ? (unsigned char)s[0] : 0, fcat_error_last());
		char *want = jansson_text(j);
		assert_string_equal(b.ptr, want);
		free(want);
	}
	fcat__buf_free(&b);
}

static void test_json_write__strings_are_escaped_and_checked_as_jansson_does(void **state)
{
	(void)state;
	char s[8];
	for (int c = 0; c < 256; c++) {
		s[0] = (char)c;
		string_as_jansson(s, 1);
		s[1] = 'x';
		string_as_jansson(s, 2);
	}
	string_as_jansson("", 0);
	string_as_jansson("a\0b", 3);
	string_as_jansson("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 \"q\" \\ /", 24);
	/* random strings over the bytes that matter: ASCII, controls, the
	 * leading and continuation bytes of every UTF-8 length */
	static const unsigned char pool[] = {'a',  '"',  '\\', '/',  '\n', 0x01, 0x1f, 0x7f,
	                                     0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef,
	                                     0xf0, 0xf4, 0xf5, 0xa0, 0x9f, 0x90, 0x8f, 0xff};
	for (int i = 0; i < 400000; i++) {
		size_t n = next() % 7;
		for (size_t k = 0; k < n; k++)
			s[k] = (char)pool[next() % sizeof pool];
		string_as_jansson(s, n);
	}
}

static void test_json_write__timestamps_are_written_as_printf_writes_them(void **state)
{
	(void)state;
	for (int i = 0; i < 200000; i++) {
		/* years 1..9999 and a few outside, every sub-second form */
		int64_t micros =
		    (int64_t)(next() % UINT64_C(315537897600000000)) - INT64_C(62135596800000000);
		if (i % 3 == 0)
			micros -= micros % 1000000;
		else if (i % 3 == 1)
			micros -= micros % 1000;
		char fast[64], slow[64];
		int n = fcat_timestamp_format(fast, sizeof fast, micros);
		time_t secs = (time_t)(micros / 1000000 - (micros % 1000000 < 0));
		int64_t frac = micros - (int64_t)secs * 1000000;
		struct tm tm;
		assert_non_null(gmtime_r(&secs, &tm));
		char fr[16] = "";
		if (frac % 1000 == 0 && frac)
			snprintf(fr, sizeof fr, ".%03d", (int)(frac / 1000));
		else if (frac)
			snprintf(fr, sizeof fr, ".%06d", (int)frac);
		snprintf(slow, sizeof slow, "%04lld-%02d-%02dT%02d:%02d:%02d%sZ",
		         (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		         tm.tm_min, tm.tm_sec, fr);
		assert_string_equal(fast, slow);
		assert_int_equal(n, (int)strlen(slow));
	}
	char small[8]; /* too small: printf's truncation and length */
	assert_int_equal(fcat_timestamp_format(small, sizeof small, 0), 20);
	assert_string_equal(small, "1970-01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_write__reals_are_written_as_jansson_writes_them),
	    cmocka_unit_test(test_json_write__integers_are_written_as_jansson_writes_them),
	    cmocka_unit_test(test_json_write__strings_are_escaped_and_checked_as_jansson_does),
	    cmocka_unit_test(test_json_write__timestamps_are_written_as_printf_writes_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
