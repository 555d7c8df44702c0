/* value_decode.c - JSON values of a known type into typed values, strictly:
 * a wrong JSON type, an integer out of range or bad base64 is refused with
 * where it is ("entities.user_id[3]: expected int64, got string"). */
#include "json/json_value.h"
#include "util/error.h"
#include "values/base64.h"
#include "values/value_copy.h"
#include "values/vtext.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Where a value is: "name[row][item]", the parts < 0 left out. */
typedef struct where {
	const char *name;
	long row, item;
} where;

static int invalid(const where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int invalid(const where *w, const char *fmt, ...)
{
	char msg[256], row[32] = "", item[32] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (w->row >= 0)
		snprintf(row, sizeof row, "[%ld]", w->row);
	if (w->item >= 0)
		snprintf(item, sizeof item, "[%ld]", w->item);
	return fcat__error(FCAT_EINVALID, "%s%s%s: %s", w->name, row, item, msg);
}

static int expected(const where *w, fcat_type type, const json_t *j)
{
	char name[64];
	fcat_type_format(name, sizeof name, type);
	return invalid(w, "expected %s, got %s", name, fcat__json_kind(j));
}

static int copy_string(fcat_bytes *out, fcat__arena *a, const char *s, size_t len)
{
	char *p = fcat__arena_alloc_uninit(a, len + 1);
	if (!p)
		return fcat__error_oom();
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	*out = (fcat_bytes){p, len};
	return 0;
}

static int decode_bytes(fcat_bytes *out, fcat__arena *a, const json_t *j, const where *w)
{
	const char *s = json_string_value(j);
	size_t len = json_string_length(j), n;
	char *p = fcat__arena_alloc_uninit(a, fcat__base64_decoded_max(len) + 1);
	if (!p)
		return fcat__error_oom();
	if (fcat__base64_decode(p, &n, s, len) != 0)
		return invalid(w, "not valid base64: \"%.64s\"", s);
	p[n] = '\0';
	*out = (fcat_bytes){p, n};
	return 0;
}

/* Integer epoch seconds (what the encoder writes) or RFC 3339 text. */
static int decode_timestamp(int64_t *out, const json_t *j, const where *w)
{
	if (json_is_integer(j)) {
		json_int_t s = json_integer_value(j);
		if (s > INT64_MAX / 1000000 || s < INT64_MIN / 1000000)
			return invalid(
			    w, "%" JSON_INTEGER_FORMAT " is out of range for a timestamp", s);
		*out = (int64_t)s * 1000000;
		return 0;
	}
	const char *why = NULL;
	if (fcat__timestamp_scan(out, json_string_value(j), json_string_length(j), &why) != 0)
		return invalid(w, "not a timestamp: \"%.64s\" (%s)", json_string_value(j), why);
	return 0;
}

/* One scalar into dst, which has the C type of `scalar`. */
static int decode_scalar(void *dst, fcat__arena *a, const json_t *j, fcat_scalar scalar,
                         const where *w)
{
	const fcat_type type = {scalar, false, 0};
	switch (scalar) {
	case FCAT_INT32:
	case FCAT_INT64: {
		if (!json_is_integer(j))
			return expected(w, type, j);
		json_int_t v = json_integer_value(j);
		if (scalar == FCAT_INT64) {
			*(int64_t *)dst = v;
			return 0;
		}
		if (v < INT32_MIN || v > INT32_MAX)
			return invalid(w, "%" JSON_INTEGER_FORMAT " is out of range for int32", v);
		*(int32_t *)dst = (int32_t)v;
		return 0;
	}
	case FCAT_FLOAT32:
	case FCAT_FLOAT64: {
		if (!json_is_number(j))
			return expected(w, type, j);
		double d = json_number_value(j);
		if (!isfinite(d))
			return invalid(w, "not a finite number");
		if (scalar == FCAT_FLOAT64) {
			*(double *)dst = d;
			return 0;
		}
		float f = (float)d;
		if (isinf(f))
			return invalid(w, "%g is out of range for float32", d);
		*(float *)dst = f;
		return 0;
	}
	case FCAT_BOOL:
		if (!json_is_boolean(j))
			return expected(w, type, j);
		*(bool *)dst = json_is_true(j);
		return 0;
	case FCAT_STRING:
		if (!json_is_string(j))
			return expected(w, type, j);
		return copy_string(dst, a, json_string_value(j), json_string_length(j));
	case FCAT_BYTES:
		if (!json_is_string(j))
			return expected(w, type, j);
		return decode_bytes(dst, a, j, w);
	case FCAT_TIMESTAMP:
		if (!json_is_integer(j) && !json_is_string(j))
			return expected(w, type, j);
		return decode_timestamp(dst, j, w);
	default: return fcat__error(FCAT_EUSAGE, "%s: unknown scalar type %d", w->name, scalar);
	}
}

static int decode_array(fcat_value *out, fcat__arena *a, const json_t *j, where *w)
{
	if (!json_is_array(j))
		return expected(w, out->type, j);
	size_t n = json_array_size(j), stride = fcat__scalar_stride(out->type.scalar);
	if (out->type.dim && n != out->type.dim)
		return invalid(w, "expected %" PRIu32 " items, got %zu", out->type.dim, n);
	char *items = fcat__arena_alloc(a, n ? n * stride : 1);
	if (!items)
		return fcat__error_oom();
	for (size_t i = 0; i < n; i++) {
		w->item = (long)i;
		int rc =
		    decode_scalar(items + i * stride, a, json_array_get(j, i), out->type.scalar, w);
		if (rc)
			return rc;
	}
	out->u.array.items = items;
	out->u.array.len = n;
	return 0;
}

int fcat__json_to_value(fcat_value *out, fcat__arena *a, const json_t *j, fcat_type type,
                        const char *name, long row)
{
	*out = (fcat_value){.type = type, .is_null = true};
	where w = {name, row, -1};
	if (type.scalar < FCAT_INT32 || type.scalar > FCAT_TIMESTAMP)
		return fcat__error(FCAT_EUSAGE, "%s: unknown scalar type %d", name, type.scalar);
	if (json_is_null(j))
		return 0;
	fcat_value v = {.type = type, .is_null = false};
	int rc =
	    type.is_array ? decode_array(&v, a, j, &w) : decode_scalar(&v.u, a, j, type.scalar, &w);
	if (rc == 0)
		*out = v;
	return rc;
}

int fcat_json_decode_value(fcat_value *out, fcat_type type, const char *json, size_t len,
                           const char *where)
{
	if (!out)
		return fcat__error(FCAT_EUSAGE, "fcat_json_decode_value: NULL out");
	*out = (fcat_value){.type = type, .is_null = true};
	const char *name = where ? where : "value";
	json_t *j;
	int rc = fcat__json_load(&j, json, len, true, name);
	if (rc)
		return rc;
	fcat__arena a;
	fcat__arena_init(&a, 4096);
	fcat_value v;
	rc = fcat__json_to_value(&v, &a, j, type, name, -1);
	if (rc == 0)
		rc = fcat__value_copy_heap(out, &v);
	fcat__arena_release(&a);
	json_decref(j);
	return rc;
}
