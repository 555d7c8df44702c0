/* fuzz_value_parse.c - fuzzes the text forms of values: fcat_value_parse
 * (a CSV cell of any type, scalars and arrays), fcat_timestamp_parse, and
 * fcat_json_decode_value (a JSON value of any type).
 *
 * Input: one byte choosing the type (scalar 1-8, array bit 0x10, fixed
 * dimension 0-3 in bits 5-6), then the text.
 * Properties: no crash, UB or leak; a failure leaves a null value; what
 * parses formats back to text that parses to the same value (floats bit for
 * bit, NaN as NaN) and formats to the same text again; a parsed timestamp
 * in years 0000-9999 formats and parses back to the same microseconds; a
 * decoded JSON value encodes, decodes and encodes to the same JSON. */
#include "fuzz_util.h"

#include "values/value_copy.h"

#include "fcat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* -62167219200 s is 0000-01-01T00:00:00Z, 253402300800 s is 10000-01-01. */
#define YEAR_0000_US  (INT64_C(-62167219200) * 1000000)
#define YEAR_10000_US (INT64_C(253402300800) * 1000000)

static bool scalar_equal(fcat_scalar s, const void *a, const void *b)
{
	switch (s) {
	case FCAT_FLOAT32: {
		float x = *(const float *)a, y = *(const float *)b;
		return isnan(x) ? isnan(y) : memcmp(&x, &y, sizeof x) == 0;
	}
	case FCAT_FLOAT64: {
		double x = *(const double *)a, y = *(const double *)b;
		return isnan(x) ? isnan(y) : memcmp(&x, &y, sizeof x) == 0;
	}
	case FCAT_BOOL: return *(const bool *)a == *(const bool *)b;
	case FCAT_STRING:
	case FCAT_BYTES: {
		const fcat_bytes *x = a, *y = b;
		return x->len == y->len && (!x->len || memcmp(x->ptr, y->ptr, x->len) == 0);
	}
	default: return memcmp(a, b, fcat__scalar_stride(s)) == 0;
	}
}

static bool value_equal(const fcat_value *a, const fcat_value *b)
{
	if (a->is_null || b->is_null)
		return a->is_null == b->is_null;
	fcat_scalar s = a->type.scalar;
	if (!a->type.is_array)
		return scalar_equal(s, &a->u, &b->u);
	if (a->u.array.len != b->u.array.len)
		return false;
	size_t stride = fcat__scalar_stride(s);
	for (size_t i = 0; i < a->u.array.len; i++)
		if (!scalar_equal(s, (const char *)a->u.array.items + i * stride,
		                  (const char *)b->u.array.items + i * stride))
			return false;
	return true;
}

/* Whether the value's text form can be read back: not for a timestamp
 * outside the years RFC 3339 writes, nor for a string holding a NUL
 * (fcat_value_format gives a C string). */
static bool text_readable(const fcat_value *v)
{
	if (v->type.scalar == FCAT_STRING && !v->type.is_array && !v->is_null)
		return !memchr(v->u.str.ptr, '\0', v->u.str.len);
	if (v->type.scalar != FCAT_TIMESTAMP || v->is_null)
		return true;
	const int64_t *ts = v->type.is_array ? v->u.array.items : &v->u.ts;
	size_t n = v->type.is_array ? v->u.array.len : 1;
	for (size_t i = 0; i < n; i++)
		if (ts[i] < YEAR_0000_US || ts[i] >= YEAR_10000_US)
			return false;
	return true;
}

static void text_round_trip(fcat_type type, const char *text, size_t len)
{
	fcat_value v, back;
	if (fcat_value_parse(&v, type, text, len) != 0) {
		fuzz_check(v.is_null, "a failed parse left a value");
		return;
	}
	char *s1 = NULL, *s2 = NULL;
	fuzz_check(fcat_value_format(&s1, &v) == 0, "format failed: %s", fcat_error_last());
	if (text_readable(&v)) {
		int rc = fcat_value_parse(&back, type, s1, strlen(s1));
		fuzz_check(rc == 0, "'%s' does not parse back: %s", s1, fcat_error_last());
		fuzz_check(value_equal(&v, &back), "'%s' parses back to another value", s1);
		fuzz_check(fcat_value_format(&s2, &back) == 0, "format failed");
		fuzz_check(strcmp(s1, s2) == 0, "'%s' formats again as '%s'", s1, s2);
		fcat_value_clear(&back);
	}
	fcat_free(s1);
	fcat_free(s2);
	fcat_value_clear(&v);
}

static void timestamp_round_trip(const char *text, size_t len)
{
	int64_t ts = 0, back = 0;
	if (fcat_timestamp_parse(&ts, text, len) != 0 || ts < YEAR_0000_US || ts >= YEAR_10000_US)
		return;
	char buf[40];
	int n = fcat_timestamp_format(buf, sizeof buf, ts);
	fuzz_check(n > 0 && (size_t)n < sizeof buf, "timestamp format gave %d", n);
	fuzz_check(fcat_timestamp_parse(&back, buf, (size_t)n) == 0, "'%s' does not parse", buf);
	fuzz_check(back == ts, "'%s' parses to %lld, not %lld", buf, (long long)back,
	           (long long)ts);
}

static void json_round_trip(fcat_type type, const char *text, size_t len)
{
	fcat_value v, back;
	if (fcat_json_decode_value(&v, type, text, len, "v") != 0) {
		fuzz_check(v.is_null, "a failed JSON decode left a value");
		return;
	}
	char *j1 = NULL, *j2 = NULL;
	/* NaN, infinities and invalid UTF-8 have no JSON form: refused */
	if (fcat_json_encode_value(&j1, &v) == 0) {
		int rc = fcat_json_decode_value(&back, type, j1, strlen(j1), "v");
		fuzz_check(rc == 0, "JSON %s does not decode back: %s", j1, fcat_error_last());
		fuzz_check(fcat_json_encode_value(&j2, &back) == 0, "re-encode failed");
		fuzz_check(strcmp(j1, j2) == 0, "JSON %s encodes again as %s", j1, j2);
		fcat_value_clear(&back);
	}
	fcat_free(j1);
	fcat_free(j2);
	fcat_value_clear(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fcat_type type = {.scalar = (fcat_scalar)(1 + data[0] % 8),
	                  .is_array = (data[0] & 0x10) != 0,
	                  .dim = (uint32_t)((data[0] >> 5) & 3)};
	/* a copy of exactly the text, so that reading past it is caught */
	char *text = fuzz_strndup((const char *)data + 1, size - 1);
	size_t len = size - 1;
	text_round_trip(type, text, len);
	timestamp_round_trip(text, len);
	json_round_trip(type, text, len);
	free(text);
	return 0;
}
