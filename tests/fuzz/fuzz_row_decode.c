/* fuzz_row_decode.c - fuzzes the binary encodings read back from an online
 * store: a feature row (fcat__row_decode), an entity key (fcat__key_decode)
 * and an aggregation view's row of events (fcat__agg_row_decode), as bytes
 * a damaged or hostile store could hold.
 *
 * Input: byte 0 is the number n of expected values (0-15), bytes 1..n
 * their types (scalar 1-8, array bit 0x10, fixed dimension 0-3 in bits
 * 5-6; for the key, the key scalar each byte picks); the rest is the stored
 * row, and also the stored key.
 * Properties: no crash, UB or leak, and no read outside the bytes (they are
 * an exact heap copy); a row or key that does not decode is FCAT_EINVALID;
 * each decoded value is null or of its expected type and formats as text
 * and as JSON (what a read then does with it); a decoded row encodes to a
 * row that decodes without mismatches to the same encoding again, and a row
 * whose count is n and has no mismatch encodes to as many bytes as it came
 * in (nothing ignored); a decoded key encodes to the very bytes it came
 * from; an aggregation row (the types as its inputs) is FCAT_EINVALID or
 * FCAT_EVERSION when it does not decode, and otherwise its events come in
 * time order and encode to a row that decodes to the same times and bits,
 * which encodes to the same bytes again. */
#include "fuzz_util.h"

#include "aggregate/agg.h"
#include "encoding/encoding.h"
#include "util/arena.h"
#include "util/buf.h"

#include "fcat.h"

#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 15

static void use_values(const fcat_value *v, const fcat_type *types, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fuzz_check(v[i].is_null || fcat_type_equal(v[i].type, types[i]),
		           "value %zu is not of its type", i);
		char *s = NULL;
		fuzz_check(fcat_value_format(&s, &v[i]) == 0, "format failed");
		fcat_free(s);
		/* NaN, infinities and invalid UTF-8 have no JSON form */
		int rc = fcat_json_encode_value(&s, &v[i]);
		fuzz_check(rc == 0 || rc == FCAT_EINVALID, "JSON encode: %d", rc);
		fcat_free(s);
	}
}

static void row(const fcat_type *types, size_t n, const unsigned char *bytes, size_t len)
{
	fcat_value v[MAX_VALUES + 1], w[MAX_VALUES + 1];
	fcat__row_header h, h2;
	size_t mismatch = 0, mismatch2 = 0;
	fcat__arena scratch;
	fcat__arena_init(&scratch, 1024);
	int rc = fcat__row_decode(&h, v, n, types, &mismatch, bytes, len, &scratch);
	if (rc != 0) {
		fuzz_check(rc == FCAT_EINVALID || rc == FCAT_ENOMEM, "row decode: %d", rc);
		fcat__arena_release(&scratch);
		return;
	}
	use_values(v, types, n);
	fcat__buf once = {0}, twice = {0};
	fcat__row_encode(&once, h.data_hash, h.event_ts, h.created_ts, v, n);
	fuzz_check(!once.oom, "out of memory");
	if (h.count == n && mismatch == 0)
		fuzz_check(once.len == len, "a row of %zu bytes re-encodes to %zu: bytes ignored",
		           len, once.len);
	rc = fcat__row_decode(&h2, w, n, types, &mismatch2, (const unsigned char *)once.ptr,
	                      once.len, &scratch);
	fuzz_check(rc == 0 && mismatch2 == 0, "a re-encoded row does not decode: %d, %zu", rc,
	           mismatch2);
	fuzz_check(h2.event_ts == h.event_ts && h2.created_ts == h.created_ts && h2.count == n,
	           "the header changed");
	fcat__row_encode(&twice, h2.data_hash, h2.event_ts, h2.created_ts, w, n);
	fuzz_check(twice.len == once.len && memcmp(twice.ptr, once.ptr, once.len) == 0,
	           "a re-encoded row encodes differently");
	fcat__buf_free(&once);
	fcat__buf_free(&twice);
	fcat__arena_release(&scratch);
}

static void key(const uint8_t *type_bytes, size_t n, const unsigned char *bytes, size_t len)
{
	static const fcat_scalar key_scalars[] = {FCAT_INT32, FCAT_INT64, FCAT_STRING, FCAT_BYTES,
	                                          FCAT_TIMESTAMP};
	fcat_type types[MAX_VALUES + 1];
	fcat_value k[MAX_VALUES + 1];
	for (size_t i = 0; i < n; i++)
		types[i] = (fcat_type){key_scalars[type_bytes[i] % 5], false, 0};
	int rc = fcat__key_decode(k, n, types, bytes, len);
	if (rc != 0) {
		fuzz_check(rc == FCAT_EINVALID, "key decode: %d", rc);
		return;
	}
	use_values(k, types, n);
	fcat__buf b = {0};
	fuzz_check(fcat__key_encode(&b, k, n) == 0, "a decoded key does not encode: %s",
	           fcat_error_last());
	fuzz_check(b.len == len && memcmp(b.ptr, bytes, len) == 0,
	           "a decoded key encodes to other bytes");
	fcat__buf_free(&b);
}

static void same_events(const fcat__agg_events *a, const fcat__agg_events *b,
                        const fcat_type *types)
{
	fuzz_check(a->n == b->n, "%zu events re-decode as %zu", a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		fuzz_check(a->when[i].ts == b->when[i].ts &&
		               a->when[i].created == b->when[i].created,
		           "event %zu's times changed", i);
		fuzz_check(!i || a->when[i - 1].ts <= a->when[i].ts, "event %zu is out of order",
		           i);
		for (size_t c = 0; c < a->ninputs; c++) {
			const fcat__aval *x = &a->vals[i * a->ninputs + c],
			                 *y = &b->vals[i * b->ninputs + c];
			fuzz_check(x->null == y->null, "event %zu input %zu: null changed", i, c);
			if (x->null)
				continue;
			switch (fcat__aval_kind_of(types[c])) {
			case FCAT__AV_INT:
				fuzz_check(x->u.i == y->u.i, "an integer changed");
				break;
			case FCAT__AV_REAL:
				fuzz_check(memcmp(&x->u.d, &y->u.d, sizeof x->u.d) == 0,
				           "a real changed");
				break;
			case FCAT__AV_TEXT:
				fuzz_check(x->u.s.len == y->u.s.len &&
				               (!x->u.s.len ||
				                !memcmp(x->u.s.ptr, y->u.s.ptr, x->u.s.len)),
				           "a text changed");
				break;
			default: break;
			}
		}
	}
}

static void agg_row(fcat_type *types, size_t n, const unsigned char *bytes, size_t len)
{
	fcat__view v;
	memset(&v, 0, sizeof v);
	const char *names[MAX_VALUES + 1] = {0};
	v.base.name = "fuzz";
	v.agg_inputs = names;
	v.agg_input_types = types;
	v.nagg_inputs = n;
	fcat__agg_events e = {.ninputs = n}, again = {.ninputs = n};
	int64_t newest;
	const unsigned char *hash;
	int rc = fcat__agg_row_decode(&e, &newest, &hash, &v, bytes, len);
	if (rc != 0) {
		fuzz_check(rc == FCAT_EINVALID || rc == FCAT_EVERSION || rc == FCAT_ENOMEM,
		           "aggregation row decode: %d", rc);
		fcat__agg_events_free(&e);
		return;
	}
	memcpy(v.data_hash, hash, sizeof v.data_hash);
	fcat__buf once = {0}, twice = {0};
	fcat__agg_row_encode(&once, &v, &e);
	fuzz_check(!once.oom, "out of memory");
	rc = fcat__agg_row_decode(&again, &newest, &hash, &v, (const unsigned char *)once.ptr,
	                          once.len);
	fuzz_check(rc == 0, "a re-encoded aggregation row does not decode: %d", rc);
	same_events(&e, &again, types);
	fcat__agg_row_encode(&twice, &v, &again);
	fuzz_check(twice.len == once.len && memcmp(twice.ptr, once.ptr, once.len) == 0,
	           "a re-encoded aggregation row encodes differently");
	fcat__buf_free(&once);
	fcat__buf_free(&twice);
	fcat__agg_events_free(&e);
	fcat__agg_events_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n = data[0] % (MAX_VALUES + 1);
	if (size < 1 + n)
		return 0;
	fcat_type types[MAX_VALUES + 1];
	for (size_t i = 0; i < n; i++)
		types[i] = (fcat_type){.scalar = (fcat_scalar)(1 + data[1 + i] % 8),
		                       .is_array = (data[1 + i] & 0x10) != 0,
		                       .dim = (uint32_t)((data[1 + i] >> 5) & 3)};
	size_t len = size - 1 - n;
	/* an exact heap copy: ASan catches a read one byte past it */
	unsigned char *bytes = malloc(len ? len : 1);
	fuzz_check(bytes != NULL, "out of memory");
	memcpy(bytes, data + 1 + n, len);
	row(types, n, bytes, len);
	key(data + 1, n, bytes, len);
	agg_row(types, n, bytes, len);
	free(bytes);
	return 0;
}
