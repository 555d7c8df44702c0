/* value_encode.c - a typed value in JSON as Feast's feature server writes
 * it: integers, epoch seconds, base64 bytes, arrays, null. */
#include "json/json_value.h"
#include "util/error.h"
#include "values/base64.h"
#include "values/value_copy.h"

#include <math.h>
#include <stdlib.h>

/* A JSON string of `len` bytes, refused when they are not UTF-8. */
static int string_json(json_t **out, const char *s, size_t len)
{
	if ((*out = json_stringn(s, len)))
		return 0;
	/* json_stringn fails for bad UTF-8 and for lack of memory: tell them
	 * apart by the variant that does not check */
	json_t *raw = json_stringn_nocheck(s, len);
	if (!raw)
		return fcat__error_oom();
	json_decref(raw);
	return fcat__error(FCAT_EINVALID, "a string that is not valid UTF-8 has no JSON form");
}

static int bytes_json(json_t **out, const fcat_bytes *b)
{
	size_t n = fcat__base64_encoded_len(b->len);
	char *text = malloc(n + 1);
	if (!text)
		return fcat__error_oom();
	fcat__base64_encode(text, b->ptr ? b->ptr : "", b->len);
	*out = json_stringn_nocheck(text, n);
	free(text);
	return *out ? 0 : fcat__error_oom();
}

static int float_json(json_t **out, double d)
{
	if (!isfinite(d))
		return fcat__error(FCAT_EINVALID,
		                   "%s has no JSON form (Feast's JSON allows no NaN or infinity)",
		                   isnan(d) ? "NaN"
		                   : d < 0  ? "-infinity"
		                            : "infinity");
	*out = json_real(d);
	return *out ? 0 : fcat__error_oom();
}

/* One scalar stored at p with the C type of `scalar`. */
static int scalar_json(json_t **out, fcat_scalar scalar, const void *p)
{
	*out = NULL;
	switch (scalar) {
	case FCAT_INT32: *out = json_integer(*(const int32_t *)p); break;
	case FCAT_INT64: *out = json_integer(*(const int64_t *)p); break;
	/* epoch seconds, as Feast; C division truncates toward zero */
	case FCAT_TIMESTAMP: *out = json_integer(*(const int64_t *)p / 1000000); break;
	case FCAT_FLOAT32: return float_json(out, *(const float *)p);
	case FCAT_FLOAT64: return float_json(out, *(const double *)p);
	case FCAT_BOOL: *out = json_boolean(*(const bool *)p); break;
	case FCAT_STRING: {
		const fcat_bytes *b = p;
		return string_json(out, b->ptr ? b->ptr : "", b->len);
	}
	case FCAT_BYTES: return bytes_json(out, p);
	default:
		return fcat__error(
		    FCAT_EUSAGE, "a value of unknown scalar type %d has no JSON form", (int)scalar);
	}
	return *out ? 0 : fcat__error_oom();
}

static int array_json(json_t **out, const fcat_value *v)
{
	json_t *a = json_array();
	if (!a)
		return fcat__error_oom();
	const char *items = v->u.array.items;
	size_t stride = fcat__scalar_stride(v->type.scalar);
	for (size_t i = 0; i < v->u.array.len; i++) {
		json_t *e;
		int rc = scalar_json(&e, v->type.scalar, items + i * stride);
		if (rc == 0 && json_array_append_new(a, e) != 0)
			rc = fcat__error_oom();
		if (rc) {
			json_decref(a);
			return rc == FCAT_ENOMEM ? rc : fcat__error_wrap(rc, "item %zu", i);
		}
	}
	*out = a;
	return 0;
}

int fcat__json_from_value(json_t **out, const fcat_value *value)
{
	*out = NULL;
	if (value->type.scalar < FCAT_INT32 || value->type.scalar > FCAT_TIMESTAMP)
		return fcat__error(FCAT_EUSAGE,
		                   "a value of unknown scalar type %d has no JSON form",
		                   (int)value->type.scalar);
	if (value->is_null) {
		*out = json_null();
		return 0;
	}
	if (value->type.is_array)
		return array_json(out, value);
	return scalar_json(out, value->type.scalar, &value->u);
}

int fcat_json_encode_value(char **out, const fcat_value *value)
{
	if (!out || !value) {
		if (out)
			*out = NULL;
		return fcat__error(FCAT_EUSAGE, "fcat_json_encode_value: NULL argument");
	}
	*out = NULL;
	json_t *j;
	int rc = fcat__json_from_value(&j, value);
	if (rc)
		return rc;
	*out = json_dumps(j, FCAT__JSON_DUMP_FLAGS | JSON_ENCODE_ANY);
	json_decref(j);
	return *out ? 0 : fcat__error_oom();
}
