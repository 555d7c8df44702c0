/* test_encoding.c - entity keys and feature rows: one byte layout, round
 * trips for every type, keys that sort like their values, and rows of an
 * older view version recognised instead of misread. */
#include "testutil.h"

#include "encoding/encoding.h"
#include "fcat_plugin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static fcat_value str(const char *s)
{
	return (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {s, strlen(s)}};
}

static fcat_value i64(int64_t v)
{
	return (fcat_value){.type = {FCAT_INT64, false, 0}, .u.i64 = v};
}

static void test_encoding__composite_keys_are_canonical_and_distinct(void **state)
{
	(void)state;
	fcat__buf a = {0}, b = {0};
	fcat_value k1[] = {str("u1"), i64(7)}, k2[] = {str("u1"), i64(8)},
	           k3[] = {str("u17"), i64(7)};
	assert_int_equal(fcat__key_encode(&a, k1, 2), 0);
	assert_int_equal(fcat__key_encode(&b, k1, 2), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	b.len = 0;
	assert_int_equal(fcat__key_encode(&b, k2, 2), 0);
	assert_true(a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0);
	b.len = 0;
	assert_int_equal(fcat__key_encode(&b, k3, 2), 0); /* no ambiguity from lengths */
	assert_true(a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0);
	/* the layout: format 1, STRING tag, u32 length, bytes, INT64 tag, 8 bytes */
	assert_int_equal(a.len, 1 + 1 + 4 + 2 + 1 + 8);
	assert_int_equal((unsigned char)a.ptr[0], 1);
	assert_int_equal((unsigned char)a.ptr[1], FCAT_STRING);
	fcat__buf_free(&a);
	fcat__buf_free(&b);
}

static void test_encoding__keys_decode_to_the_values_encoded(void **state)
{
	(void)state;
	fcat_value k[] = {str("user-\xc3\xa9"),
	                  i64(INT64_MIN),
	                  {.type = {FCAT_INT32, false, 0}, .u.i32 = -7},
	                  {.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = 1767225600123456}};
	fcat_type types[] = {k[0].type, k[1].type, k[2].type, k[3].type};
	fcat__buf b = {0};
	assert_int_equal(fcat__key_encode(&b, k, 4), 0);
	fcat_value back[4];
	assert_int_equal(fcat__key_decode(back, 4, types, (const unsigned char *)b.ptr, b.len), 0);
	assert_int_equal(back[0].u.str.len, k[0].u.str.len);
	assert_memory_equal(back[0].u.str.ptr, k[0].u.str.ptr, k[0].u.str.len);
	assert_true(back[1].u.i64 == INT64_MIN);
	assert_int_equal(back[2].u.i32, -7);
	assert_true(back[3].u.ts == 1767225600123456);
	for (size_t i = 0; i < 4; i++)
		assert_true(fcat_type_equal(back[i].type, types[i]) && !back[i].is_null);
	/* a key of other types, or cut short, or with bytes left over */
	fcat_type wrong[] = {types[1], types[0], types[2], types[3]};
	assert_int_equal(fcat__key_decode(back, 4, wrong, (const unsigned char *)b.ptr, b.len),
	                 FCAT_EINVALID);
	for (size_t len = 0; len < b.len; len++)
		assert_int_equal(
		    fcat__key_decode(back, 4, types, (const unsigned char *)b.ptr, len),
		    FCAT_EINVALID);
	assert_int_equal(fcat__key_decode(back, 3, types, (const unsigned char *)b.ptr, b.len),
	                 FCAT_EINVALID);
	fcat__buf_free(&b);
}

/* Found by fuzz_row_decode: an int32 key's 8 bytes holding a number no
 * int32 has was cut to 32 bits, so a damaged key read as another entity. */
static void test_encoding__an_int32_key_out_of_range_is_damaged(void **state)
{
	(void)state;
	const fcat_type t32[] = {{FCAT_INT32, false, 0}};
	const int64_t in_range[] = {INT32_MIN, -1, 0, INT32_MAX};
	const int64_t outside[] = {INT64_MIN, (int64_t)INT32_MIN - 1, (int64_t)INT32_MAX + 1,
	                           INT64_C(1) << 40};
	fcat__buf b = {0};
	fcat_value back;
	for (size_t i = 0; i < 4; i++) {
		b.len = 0;
		fcat_value k = i64(in_range[i]);
		assert_int_equal(fcat__key_encode(&b, &k, 1), 0);
		b.ptr[1] = FCAT_INT32; /* the layout of an int32 key */
		assert_int_equal(
		    fcat__key_decode(&back, 1, t32, (const unsigned char *)b.ptr, b.len), 0);
		assert_int_equal(back.u.i32, in_range[i]);
	}
	for (size_t i = 0; i < 4; i++) {
		b.len = 0;
		fcat_value k = i64(outside[i]);
		assert_int_equal(fcat__key_encode(&b, &k, 1), 0);
		b.ptr[1] = FCAT_INT32;
		assert_fails_with(
		    fcat__key_decode(&back, 1, t32, (const unsigned char *)b.ptr, b.len),
		    FCAT_EINVALID, "a damaged fcat entity key");
	}
	fcat__buf_free(&b);
}

static void test_encoding__integer_keys_sort_like_numbers(void **state)
{
	(void)state;
	const int64_t v[] = {INT64_MIN, -5, -1, 0, 1, 42, INT64_MAX};
	fcat__buf prev = {0}, cur = {0};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		cur.len = 0;
		fcat_value k = i64(v[i]);
		assert_int_equal(fcat__key_encode(&cur, &k, 1), 0);
		if (i)
			assert_true(memcmp(prev.ptr, cur.ptr, cur.len) < 0);
		prev.len = 0;
		fcat__buf_append(&prev, cur.ptr, cur.len);
	}
	fcat__buf_free(&prev);
	fcat__buf_free(&cur);
}

static void test_encoding__null_and_float_keys_are_refused(void **state)
{
	(void)state;
	fcat__buf b = {0};
	fcat_value k = str("x");
	k.is_null = true;
	assert_int_equal(fcat__key_encode(&b, &k, 1), FCAT_EINVALID);
	fcat_value f = {.type = {FCAT_FLOAT64, false, 0}, .u.f64 = 1.5};
	assert_int_equal(fcat__key_encode(&b, &f, 1), FCAT_EINVALID);
	fcat__buf_free(&b);
}

static void test_encoding__rows_round_trip_every_type(void **state)
{
	(void)state;
	float emb[16];
	for (int i = 0; i < 16; i++)
		emb[i] = (float)i / 7.0f - 1.0f;
	fcat_bytes names[] = {{"a", 1}, {"", 0}, {"ünï", 5}};
	bool flags[] = {true, false, true};
	fcat_value in[] = {
	    {.type = {FCAT_INT32, false, 0}, .u.i32 = -123456},
	    i64(INT64_MIN),
	    {.type = {FCAT_FLOAT32, false, 0}, .u.f32 = 0.1f},
	    {.type = {FCAT_FLOAT64, false, 0}, .u.f64 = -0.0},
	    str("hello, world"),
	    {.type = {FCAT_BYTES, false, 0}, .u.str = {"\0\1\2", 3}},
	    {.type = {FCAT_BOOL, false, 0}, .u.b = true},
	    {.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = 1767225600123456},
	    {.type = {FCAT_FLOAT32, true, 16}, .u.array = {emb, 16}},
	    {.type = {FCAT_STRING, true, 0}, .u.array = {names, 3}},
	    {.type = {FCAT_BOOL, true, 0}, .u.array = {flags, 3}},
	    {.type = {FCAT_INT64, false, 0}, .is_null = true},
	};
	size_t n = sizeof in / sizeof *in;
	fcat_type types[sizeof in / sizeof *in];
	for (size_t i = 0; i < n; i++)
		types[i] = in[i].type;
	unsigned char hash[32];
	memset(hash, 0xab, 32);
	fcat__buf row = {0};
	fcat__row_encode(&row, hash, 1000, 2000, in, n);
	assert_int_equal((unsigned char)row.ptr[0], FCAT_ROW_MAGIC);
	int64_t ts;
	memcpy(&ts, row.ptr + FCAT_ROW_EVENT_TS_OFFSET, 8);
	assert_int_equal(ts, 1000);
	memcpy(&ts, row.ptr + FCAT_ROW_CREATED_TS_OFFSET, 8);
	assert_int_equal(ts, 2000);

	fcat__arena scratch;
	fcat__arena_init(&scratch, 0);
	fcat_value out[sizeof in / sizeof *in];
	fcat__row_header h;
	size_t mismatch;
	assert_int_equal(fcat__row_decode(&h, out, n, types, &mismatch,
	                                  (const unsigned char *)row.ptr, row.len, &scratch),
	                 0);
	assert_int_equal(mismatch, 0);
	assert_int_equal(h.event_ts, 1000);
	assert_int_equal(h.created_ts, 2000);
	assert_memory_equal(h.data_hash, hash, 32);
	assert_int_equal(out[0].u.i32, -123456);
	assert_true(out[1].u.i64 == INT64_MIN);
	assert_true(out[2].u.f32 == 0.1f);
	assert_true(out[3].u.f64 == 0.0 && signbit(out[3].u.f64));
	assert_int_equal(out[4].u.str.len, 12);
	assert_memory_equal(out[4].u.str.ptr, "hello, world", 12);
	assert_memory_equal(out[5].u.str.ptr, "\0\1\2", 3);
	assert_true(out[6].u.b);
	assert_true(out[7].u.ts == 1767225600123456);
	assert_int_equal(out[8].u.array.len, 16);
	assert_memory_equal(out[8].u.array.items, emb, sizeof emb);
	const fcat_bytes *s = out[9].u.array.items;
	assert_int_equal(out[9].u.array.len, 3);
	assert_memory_equal(s[2].ptr, "ünï", 5);
	assert_int_equal(s[1].len, 0);
	const bool *bb = out[10].u.array.items;
	assert_true(bb[0] && !bb[1] && bb[2]);
	assert_true(out[11].is_null);
	fcat__arena_release(&scratch);
	fcat__buf_free(&row);
}

static void test_encoding__a_row_of_another_schema_is_counted_not_misread(void **state)
{
	(void)state;
	fcat_value in[] = {i64(5), str("x")};
	unsigned char hash[32] = {0};
	fcat__buf row = {0};
	fcat__row_encode(&row, hash, 1, 1, in, 2);
	fcat_type now[] = {{FCAT_INT32, false, 0}, {FCAT_STRING, false, 0}, {FCAT_BOOL, false, 0}};
	fcat_value out[3];
	fcat__row_header h;
	size_t mismatch;
	fcat__arena scratch;
	fcat__arena_init(&scratch, 0);
	assert_int_equal(fcat__row_decode(&h, out, 3, now, &mismatch,
	                                  (const unsigned char *)row.ptr, row.len, &scratch),
	                 0);
	assert_int_equal(mismatch, 2); /* int64 stored, int32 wanted; the third is missing */
	assert_true(out[0].is_null);
	assert_false(out[1].is_null);
	assert_true(out[2].is_null);
	/* truncated bytes are an error, not a crash */
	assert_int_equal(fcat__row_decode(&h, out, 3, now, &mismatch,
	                                  (const unsigned char *)row.ptr, row.len - 1, &scratch),
	                 FCAT_EINVALID);
	assert_int_equal(fcat__row_decode(&h, out, 3, now, &mismatch,
	                                  (const unsigned char *)row.ptr, 10, &scratch),
	                 FCAT_EINVALID);
	fcat__arena_release(&scratch);
	fcat__buf_free(&row);
}

/* Found by fuzz_row_decode: bytes after a row's last value were skipped,
 * so a damaged length (a string's, cut short) could still read as a row.
 * A row of a newer version, with more values than asked for, still reads. */
static void test_encoding__a_row_with_bytes_after_its_values_is_damaged(void **state)
{
	(void)state;
	fcat_value in[] = {i64(5), str("abc")};
	const fcat_type types[] = {in[0].type, in[1].type};
	unsigned char hash[32] = {0};
	fcat__buf row = {0};
	fcat__row_encode(&row, hash, 1, 1, in, 2);
	fcat_value out[2];
	fcat__row_header h;
	size_t mismatch;
	fcat__arena scratch;
	fcat__arena_init(&scratch, 0);
	const unsigned char *bytes = (const unsigned char *)row.ptr;
	assert_int_equal(fcat__row_decode(&h, out, 2, types, &mismatch, bytes, row.len, &scratch),
	                 0);
	assert_int_equal(fcat__row_decode(&h, out, 1, types, &mismatch, bytes, row.len, &scratch),
	                 0);
	fcat__buf_putc(&row, 0); /* one byte more: a null value no count covers */
	bytes = (const unsigned char *)row.ptr;
	assert_fails_with(fcat__row_decode(&h, out, 2, types, &mismatch, bytes, row.len, &scratch),
	                  FCAT_EINVALID, "a damaged fcat row");
	/* the string's length cut from 3 to 2: its last byte is left over */
	row.len--;
	row.ptr[row.len - 7] = 2;
	bytes = (const unsigned char *)row.ptr;
	assert_fails_with(fcat__row_decode(&h, out, 2, types, &mismatch, bytes, row.len, &scratch),
	                  FCAT_EINVALID, "a damaged fcat row");
	fcat__arena_release(&scratch);
	fcat__buf_free(&row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encoding__composite_keys_are_canonical_and_distinct),
	    cmocka_unit_test(test_encoding__keys_decode_to_the_values_encoded),
	    cmocka_unit_test(test_encoding__an_int32_key_out_of_range_is_damaged),
	    cmocka_unit_test(test_encoding__integer_keys_sort_like_numbers),
	    cmocka_unit_test(test_encoding__null_and_float_keys_are_refused),
	    cmocka_unit_test(test_encoding__rows_round_trip_every_type),
	    cmocka_unit_test(test_encoding__a_row_of_another_schema_is_counted_not_misread),
	    cmocka_unit_test(test_encoding__a_row_with_bytes_after_its_values_is_damaged),
	};
	return cmocka_run_group_tests_name("encoding", tests, NULL, NULL);
}
