/* value_format.c - the text form of typed values, read back by fcat_value_parse. */
#include "util/buf.h"
#include "util/error.h"
#include "values/base64.h"
#include "values/decimal_digits.h"
#include "values/value_copy.h"
#include "values/vtext.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "nan", "inf" or "-inf" for a value that is not finite; false for one
 * that is. */
static bool format_nonfinite(char *buf, size_t size, double v)
{
	if (isnan(v))
		fcat__snprintf_c(buf, size, "nan");
	else if (isinf(v))
		fcat__snprintf_c(buf, size, "%s", v < 0 ? "-inf" : "inf");
	else
		return false;
	return true;
}

/* The shortest of %.15g, %.16g, %.17g that reads back to the same bits. */
static void format_f64(char *buf, size_t size, double v)
{
	if (format_nonfinite(buf, size, v))
		return;
	assert(size >= FCAT__G_TEXT_MAX);
	for (int prec = 15; prec <= 17; prec++) {
		fcat__g_text(buf, v, prec); /* printf's "%.*g", without printf */
		double back = fcat__strtod_c(buf, NULL);
		if (memcmp(&back, &v, sizeof v) == 0)
			return;
	}
}

/* The shortest of %.6g .. %.9g that reads back to the same bits, both with
 * strtof and the way fcat_value_parse reads a float32 (a double, rounded). */
static void format_f32(char *buf, size_t size, float v)
{
	if (format_nonfinite(buf, size, v))
		return;
	assert(size >= FCAT__G_TEXT_MAX);
	for (int prec = 6; prec <= 9; prec++) {
		fcat__g_text(buf, v, prec);
		float back = fcat__strtof_c(buf, NULL);
		float cast = (float)fcat__strtod_c(buf, NULL);
		if (memcmp(&back, &v, sizeof v) == 0 && memcmp(&cast, &v, sizeof v) == 0)
			return;
	}
}

/* A JSON string. */
static void put_json_string(fcat__buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	fcat__buf_putc(b, '"');
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				memcpy(u, "\\u00", 4);
				u[4] = hex[c >> 4];
				u[5] = hex[c & 15];
				u[6] = '\0';
				esc = u;
			}
		}
		if (!esc)
			continue;
		fcat__buf_append(b, s + start, i - start);
		fcat__buf_puts(b, esc);
		start = i + 1;
	}
	fcat__buf_append(b, s + start, len - start);
	fcat__buf_putc(b, '"');
}

static void put_base64(fcat__buf *b, const char *data, size_t len, bool quoted)
{
	size_t n = fcat__base64_encoded_len(len);
	char small[256], *s = n <= sizeof small ? small : malloc(n);
	if (!s) {
		b->oom = true;
		return;
	}
	fcat__base64_encode(s, data, len);
	if (quoted)
		fcat__buf_putc(b, '"');
	fcat__buf_append(b, s, n);
	if (quoted)
		fcat__buf_putc(b, '"');
	if (s != small)
		free(s);
}

/* One scalar, stored at p with the C type of `scalar`; in_array quotes
 * strings, bytes and timestamps as JSON strings. */
static void put_scalar(fcat__buf *b, fcat_scalar scalar, const void *p, bool in_array)
{
	char tmp[64];
	const fcat_bytes *str;
	switch (scalar) {
	case FCAT_INT32: fcat__buf_printf(b, "%" PRId32, *(const int32_t *)p); break;
	case FCAT_INT64: fcat__buf_printf(b, "%" PRId64, *(const int64_t *)p); break;
	case FCAT_FLOAT32:
		format_f32(tmp, sizeof tmp, *(const float *)p);
		fcat__buf_puts(b, tmp);
		break;
	case FCAT_FLOAT64:
		format_f64(tmp, sizeof tmp, *(const double *)p);
		fcat__buf_puts(b, tmp);
		break;
	case FCAT_BOOL: fcat__buf_puts(b, *(const bool *)p ? "true" : "false"); break;
	case FCAT_TIMESTAMP:
		fcat_timestamp_format(tmp, sizeof tmp, *(const int64_t *)p);
		if (in_array)
			fcat__buf_printf(b, "\"%s\"", tmp);
		else
			fcat__buf_puts(b, tmp);
		break;
	case FCAT_STRING:
		str = p;
		if (in_array)
			put_json_string(b, str->ptr ? str->ptr : "", str->len);
		else
			fcat__buf_append(b, str->ptr ? str->ptr : "", str->len);
		break;
	case FCAT_BYTES:
		str = p;
		put_base64(b, str->ptr ? str->ptr : "", str->len, in_array);
		break;
	default: break;
	}
}

int fcat_value_format(char **out, const fcat_value *value)
{
	fcat__buf b = {0};
	*out = NULL;
	if (!value)
		return fcat__error(FCAT_EUSAGE, "fcat_value_format: NULL value");
	fcat_scalar s = value->type.scalar;
	if (value->is_null || s < FCAT_INT32 || s > FCAT_TIMESTAMP) {
		fcat__buf_append(&b, "", 0);
	} else if (!value->type.is_array) {
		put_scalar(&b, s, &value->u, false);
		fcat__buf_append(&b, "", 0);
	} else {
		const char *items = value->u.array.items;
		size_t size = fcat__scalar_stride(s);
		fcat__buf_putc(&b, '[');
		for (size_t i = 0; i < value->u.array.len; i++) {
			if (i)
				fcat__buf_putc(&b, ',');
			put_scalar(&b, s, items + i * size, true);
		}
		fcat__buf_putc(&b, ']');
	}
	*out = fcat__buf_detach(&b);
	return *out ? 0 : fcat__error_oom();
}
