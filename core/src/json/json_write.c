/* json_write.c - JSON text written straight into a buffer, byte for byte as
 * jansson's compact dump: strings checked as UTF-8 (jansson's rule: no
 * overlong forms, no surrogates, nothing past U+10FFFF) and escaped, whole
 * numbers, reals through real_text.c, and typed values as Feast writes them
 * (fcat_json_encode_value). */
#include "json/json_write.h"
#include "json/real_text.h"
#include "util/error.h"
#include "values/base64.h"
#include "values/value_copy.h"

#include <math.h>
#include <string.h>

/* The length of the UTF-8 sequence at s (at most n bytes), or 0 when it is
 * not one jansson accepts. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0; /* a continuation byte, an overlong pair, or past U+10FFFF */
	if (c < 0xE0) {
		len = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		cp = c & 0x0F;
	} else {
		len = 4;
		cp = c & 0x07;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static bool plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
}

int fcat__json_put_string(fcat__buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) { /* check first: nothing half-written */
		if (plain(u[i])) {
			i++;
			continue;
		}
		size_t n = utf8_len(u + i, len - i);
		if (!n)
			return fcat__error(FCAT_EINVALID,
			                   "a string that is not valid UTF-8 has no JSON form");
		i += n;
	}
	fcat__buf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = u[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue; /* UTF-8 sequences pass as they are */
		fcat__buf_append(b, s + run, i - run);
		run = i + 1;
		char esc[8] = {'\\', 0};
		size_t n = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = "0123456789ABCDEF"[c >> 4];
			esc[5] = "0123456789ABCDEF"[c & 15];
			n = 6;
		}
		fcat__buf_append(b, esc, n);
	}
	fcat__buf_append(b, s + run, len - run);
	fcat__buf_putc(b, '"');
	return 0;
}

void fcat__json_put_int(fcat__buf *b, int64_t v)
{
	char tmp[24];
	size_t n = sizeof tmp;
	/* through unsigned: INT64_MIN has no positive twin */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		tmp[--n] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		tmp[--n] = '-';
	fcat__buf_append(b, tmp + n, sizeof tmp - n);
}

static int put_real(fcat__buf *b, double d)
{
	if (!isfinite(d))
		return fcat__error(FCAT_EINVALID,
		                   "%s has no JSON form (Feast's JSON allows no NaN or infinity)",
		                   isnan(d) ? "NaN"
		                   : d < 0  ? "-infinity"
		                            : "infinity");
	char text[FCAT__JSON_REAL_TEXT_MAX];
	fcat__buf_append(b, text, fcat__json_real_text(text, d));
	return 0;
}

static void put_bytes(fcat__buf *b, const fcat_bytes *v)
{
	size_t n = fcat__base64_encoded_len(v->len);
	char *p = fcat__buf_grow(b, n + 2);
	if (!p)
		return;
	p[0] = '"';
	fcat__base64_encode(p + 1, v->ptr ? v->ptr : "", v->len);
	p[n + 1] = '"';
}

/* One scalar stored at p with the C type of `scalar`. */
static int put_scalar(fcat__buf *b, fcat_scalar scalar, const void *p)
{
	switch (scalar) {
	case FCAT_INT32: fcat__json_put_int(b, *(const int32_t *)p); return 0;
	case FCAT_INT64: fcat__json_put_int(b, *(const int64_t *)p); return 0;
	/* epoch seconds, as Feast; C division truncates toward zero */
	case FCAT_TIMESTAMP: fcat__json_put_int(b, *(const int64_t *)p / 1000000); return 0;
	case FCAT_FLOAT32: return put_real(b, *(const float *)p);
	case FCAT_FLOAT64: return put_real(b, *(const double *)p);
	case FCAT_BOOL: fcat__buf_puts(b, *(const bool *)p ? "true" : "false"); return 0;
	case FCAT_STRING: {
		const fcat_bytes *s = p;
		return fcat__json_put_string(b, s->ptr ? s->ptr : "", s->len);
	}
	case FCAT_BYTES: put_bytes(b, p); return 0;
	default:
		return fcat__error(
		    FCAT_EUSAGE, "a value of unknown scalar type %d has no JSON form", (int)scalar);
	}
}

int fcat__json_put_value(fcat__buf *b, const fcat_value *value)
{
	if (value->type.scalar < FCAT_INT32 || value->type.scalar > FCAT_TIMESTAMP)
		return fcat__error(FCAT_EUSAGE,
		                   "a value of unknown scalar type %d has no JSON form",
		                   (int)value->type.scalar);
	if (value->is_null) {
		fcat__buf_append(b, "null", 4);
		return 0;
	}
	if (!value->type.is_array)
		return put_scalar(b, value->type.scalar, &value->u);
	const char *items = value->u.array.items;
	size_t stride = fcat__scalar_stride(value->type.scalar);
	fcat__buf_putc(b, '[');
	for (size_t i = 0; i < value->u.array.len; i++) {
		if (i)
			fcat__buf_putc(b, ',');
		int rc = put_scalar(b, value->type.scalar, items + i * stride);
		if (rc)
			return fcat__error_wrap(rc, "item %zu", i);
	}
	fcat__buf_putc(b, ']');
	return 0;
}

int fcat_json_encode_value(char **out, const fcat_value *value)
{
	if (!out || !value) {
		if (out)
			*out = NULL;
		return fcat__error(FCAT_EUSAGE, "fcat_json_encode_value: NULL argument");
	}
	*out = NULL;
	fcat__buf b = {0};
	int rc = fcat__json_put_value(&b, value);
	if (rc) {
		fcat__buf_free(&b);
		return rc;
	}
	return (*out = fcat__buf_detach(&b)) ? 0 : fcat__error_oom();
}
