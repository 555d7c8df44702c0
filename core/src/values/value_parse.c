/* value_parse.c - parsing the text form of typed values, and clearing them. */
#include "util/buf.h"
#include "util/error.h"
#include "values/base64.h"
#include "values/value_copy.h"
#include "values/vtext.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One parsed scalar that fits in a machine word. */
typedef union scalar_val {
	int32_t i32;
	int64_t i64;
	float f32;
	double f64;
	bool b;
} scalar_val;

/* Where a string or bytes item of an array lies in the data buffer. */
typedef struct span {
	size_t off, len;
} span;

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int parse_int(int64_t *out, const char *t, size_t n, int64_t min, int64_t max,
                     const char **why)
{
	size_t i = 0;
	bool neg = false;
	if (n > 0 && (t[0] == '-' || t[0] == '+'))
		neg = t[i++] == '-';
	if (i == n)
		return -1;
	uint64_t limit = neg ? (uint64_t) - (min + 1) + 1 : (uint64_t)max;
	uint64_t v = 0;
	for (; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -1;
		unsigned d = (unsigned)(t[i] - '0');
		if (v > (limit - d) / 10) {
			*why = "out of range";
			/* keep scanning so that "99x" is a syntax error */
			for (i++; i < n; i++)
				if (t[i] < '0' || t[i] > '9') {
					*why = NULL;
					break;
				}
			return -1;
		}
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* strtod over a length-bounded text, which must be consumed entirely. */
static int parse_double(double *out, const char *t, size_t n, const char **why)
{
	char small[128], *s = small;
	if (n == 0 || is_ws(t[0]) || t[0] == '\v' || t[0] == '\f')
		return -1;
	if (memchr(t, '\0', n))
		return -1;
	if (n >= sizeof small) {
		s = malloc(n + 1);
		if (!s) {
			*why = "out of memory";
			return -1;
		}
	}
	memcpy(s, t, n);
	s[n] = '\0';
	char *end;
	double v = fcat__strtod_c(s, &end);
	bool ok = end == s + n;
	bool inf_literal = ok && isinf(v) && (strcasestr(s, "inf") != NULL);
	if (s != small)
		free(s);
	if (!ok)
		return -1;
	if (isinf(v) && !inf_literal) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_bool(bool *out, const char *t, size_t n)
{
	if ((n == 4 && strncasecmp(t, "true", 4) == 0) || (n == 1 && t[0] == '1')) {
		*out = true;
		return 0;
	}
	if ((n == 5 && strncasecmp(t, "false", 5) == 0) || (n == 1 && t[0] == '0')) {
		*out = false;
		return 0;
	}
	return -1;
}

/* Parses a scalar that is not a string or bytes. Returns 0 or -1 with *why
 * set to a detail (or NULL). */
static int parse_word(scalar_val *out, fcat_scalar s, const char *t, size_t n, const char **why)
{
	int64_t i;
	double d;
	*why = NULL;
	switch (s) {
	case FCAT_INT32:
		if (parse_int(&i, t, n, INT32_MIN, INT32_MAX, why) != 0)
			return -1;
		out->i32 = (int32_t)i;
		return 0;
	case FCAT_INT64: return parse_int(&out->i64, t, n, INT64_MIN, INT64_MAX, why);
	case FCAT_FLOAT32:
		if (parse_double(&d, t, n, why) != 0)
			return -1;
		out->f32 = (float)d;
		if (isinf(out->f32) && !isinf(d)) {
			*why = "out of range";
			return -1;
		}
		return 0;
	case FCAT_FLOAT64: return parse_double(&out->f64, t, n, why);
	case FCAT_BOOL: return parse_bool(&out->b, t, n);
	case FCAT_TIMESTAMP: return fcat__timestamp_scan(&out->i64, t, n, why);
	default: return -1;
	}
}

static void put_utf8(fcat__buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	fcat__buf_append(b, u, n);
}

static bool hex4(uint32_t *out, const char *t, size_t n, size_t i)
{
	uint32_t v = 0;
	if (n - i < 4)
		return false;
	for (size_t k = i; k < i + 4; k++) {
		char c = t[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/* Decodes the JSON string that starts at t[*pos] (a '"') and appends its
 * bytes to out; *pos ends past the closing quote. */
static int json_string(fcat__buf *out, const char *t, size_t n, size_t *pos, const char **why)
{
	size_t i = *pos + 1;
	for (;;) {
		size_t start = i;
		while (i < n && t[i] != '"' && t[i] != '\\')
			i++;
		fcat__buf_append(out, t + start, i - start);
		if (i >= n) {
			*why = "unterminated string";
			return -1;
		}
		if (t[i] == '"')
			break;
		if (++i >= n) {
			*why = "unterminated string";
			return -1;
		}
		char c = t[i++];
		uint32_t cp, lo;
		switch (c) {
		case '"': fcat__buf_putc(out, '"'); break;
		case '\\': fcat__buf_putc(out, '\\'); break;
		case '/': fcat__buf_putc(out, '/'); break;
		case 'b': fcat__buf_putc(out, '\b'); break;
		case 'f': fcat__buf_putc(out, '\f'); break;
		case 'n': fcat__buf_putc(out, '\n'); break;
		case 'r': fcat__buf_putc(out, '\r'); break;
		case 't': fcat__buf_putc(out, '\t'); break;
		case 'u':
			if (!hex4(&cp, t, n, i)) {
				*why = "bad \\u escape";
				return -1;
			}
			i += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF) {
				*why = "lone low surrogate in \\u escape";
				return -1;
			}
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (n - i < 6 || t[i] != '\\' || t[i + 1] != 'u' ||
				    !hex4(&lo, t, n, i + 2) || lo < 0xDC00 || lo > 0xDFFF) {
					*why = "high surrogate without a low surrogate";
					return -1;
				}
				i += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			put_utf8(out, cp);
			break;
		default: *why = "bad escape in string"; return -1;
		}
	}
	*pos = i + 1;
	return 0;
}

static int parse_scalar(fcat_value *out, fcat_type type, const char *text, size_t len)
{
	const char *name = fcat_scalar_name(type.scalar);
	const char *why = NULL;
	scalar_val v;
	char *block;
	size_t n;

	switch (type.scalar) {
	case FCAT_STRING:
		block = malloc(len + 1);
		if (!block)
			return fcat__error_oom();
		memcpy(block, text, len);
		block[len] = '\0';
		out->u.str = (fcat_bytes){block, len};
		break;
	case FCAT_BYTES:
		block = malloc(fcat__base64_decoded_max(len) + 1);
		if (!block)
			return fcat__error_oom();
		if (fcat__base64_decode(block, &n, text, len) != 0) {
			free(block);
			return fcat__value_invalid(name, text, len, "bad base64");
		}
		block[n] = '\0';
		out->u.str = (fcat_bytes){block, n};
		break;
	default:
		if (parse_word(&v, type.scalar, text, len, &why) != 0)
			return fcat__value_invalid(name, text, len, why);
		switch (type.scalar) {
		case FCAT_INT32: out->u.i32 = v.i32; break;
		case FCAT_FLOAT32: out->u.f32 = v.f32; break;
		case FCAT_FLOAT64: out->u.f64 = v.f64; break;
		case FCAT_BOOL: out->u.b = v.b; break;
		case FCAT_TIMESTAMP: out->u.ts = v.i64; break;
		default: out->u.i64 = v.i64; break;
		}
	}
	out->is_null = false;
	return 0;
}

/* The state of an array parse: items (or spans for strings and bytes) and
 * the string bytes. */
typedef struct array_parse {
	fcat_type type;
	const char *text;
	size_t len, pos, count;
	fcat__buf items, data, tmp;
	char detail[160];
} array_parse;

static int array_fail(array_parse *a, const char *detail)
{
	char name[48];
	fcat_type_format(name, sizeof name, a->type);
	return fcat__value_invalid(name, a->text, a->len, detail);
}

static int element_fail(array_parse *a, const char *why)
{
	snprintf(a->detail, sizeof a->detail, "element %zu is not a valid %s%s%s", a->count + 1,
	         fcat_scalar_name(a->type.scalar), why ? ": " : "", why ? why : "");
	return array_fail(a, a->detail);
}

static void skip_ws(array_parse *a)
{
	while (a->pos < a->len && is_ws(a->text[a->pos]))
		a->pos++;
}

static bool at_null(const array_parse *a)
{
	size_t i = a->pos;
	if (a->len - i < 4 || memcmp(a->text + i, "null", 4) != 0)
		return false;
	i += 4;
	while (i < a->len && is_ws(a->text[i]))
		i++;
	return i == a->len || a->text[i] == ',' || a->text[i] == ']';
}

/* A string or bytes element: a JSON string. */
static int string_element(array_parse *a)
{
	const char *why = NULL;
	if (a->pos >= a->len || a->text[a->pos] != '"')
		return element_fail(a, "expected a JSON string");
	span sp = {a->data.len, 0};
	if (a->type.scalar == FCAT_STRING) {
		if (json_string(&a->data, a->text, a->len, &a->pos, &why) != 0)
			return element_fail(a, why);
		sp.len = a->data.len - sp.off;
	} else {
		a->tmp.len = 0;
		if (json_string(&a->tmp, a->text, a->len, &a->pos, &why) != 0)
			return element_fail(a, why);
		if (a->tmp.oom)
			return fcat__error_oom();
		size_t max = fcat__base64_decoded_max(a->tmp.len);
		char *dst = malloc(max + 1);
		if (!dst)
			return fcat__error_oom();
		int rc =
		    fcat__base64_decode(dst, &sp.len, a->tmp.ptr ? a->tmp.ptr : "", a->tmp.len);
		if (rc == 0)
			fcat__buf_append(&a->data, dst, sp.len);
		free(dst);
		if (rc != 0)
			return element_fail(a, "bad base64");
	}
	fcat__buf_append(&a->items, &sp, sizeof sp);
	return 0;
}

/* Any other element: the text up to the next ',' or ']', or a JSON string
 * for a timestamp. */
static int word_element(array_parse *a)
{
	const char *why = NULL, *t;
	size_t n;
	scalar_val v;
	if (a->type.scalar == FCAT_TIMESTAMP && a->pos < a->len && a->text[a->pos] == '"') {
		a->tmp.len = 0;
		if (json_string(&a->tmp, a->text, a->len, &a->pos, &why) != 0)
			return element_fail(a, why);
		if (a->tmp.oom)
			return fcat__error_oom();
		t = a->tmp.ptr ? a->tmp.ptr : "";
		n = a->tmp.len;
	} else {
		size_t start = a->pos;
		while (a->pos < a->len && a->text[a->pos] != ',' && a->text[a->pos] != ']')
			a->pos++;
		n = a->pos - start;
		while (n > 0 && is_ws(a->text[start + n - 1]))
			n--;
		t = a->text + start;
		if (n == 0)
			return element_fail(a, "empty element");
	}
	if (parse_word(&v, a->type.scalar, t, n, &why) != 0)
		return element_fail(a, why);
	fcat__buf_append(&a->items, &v, fcat__scalar_stride(a->type.scalar));
	return 0;
}

static int scan_array(array_parse *a)
{
	bool strings = a->type.scalar == FCAT_STRING || a->type.scalar == FCAT_BYTES;
	if (a->len < 2 || a->text[0] != '[')
		return array_fail(a, "expected '[' ... ']'");
	a->pos = 1;
	skip_ws(a);
	if (a->pos < a->len && a->text[a->pos] == ']') {
		a->pos++;
	} else {
		for (;;) {
			skip_ws(a);
			if (at_null(a))
				return array_fail(a, "null elements are not allowed");
			int rc = strings ? string_element(a) : word_element(a);
			if (rc != 0)
				return rc;
			a->count++;
			skip_ws(a);
			if (a->pos < a->len && a->text[a->pos] == ',') {
				a->pos++;
				continue;
			}
			if (a->pos < a->len && a->text[a->pos] == ']') {
				a->pos++;
				break;
			}
			return array_fail(a, "expected ',' or ']'");
		}
	}
	if (a->pos != a->len)
		return array_fail(a, "unexpected text after ']'");
	if (a->items.oom || a->data.oom || a->tmp.oom)
		return fcat__error_oom();
	if (a->type.dim != 0 && a->count != a->type.dim) {
		snprintf(a->detail, sizeof a->detail, "expected %u elements, got %zu",
		         (unsigned)a->type.dim, a->count);
		return array_fail(a, a->detail);
	}
	return 0;
}

/* Moves the parsed items into one block owned by the value. */
static int finish_array(fcat_value *out, array_parse *a)
{
	if (a->count == 0) {
		out->u.array.items = NULL;
	} else if (a->type.scalar == FCAT_STRING || a->type.scalar == FCAT_BYTES) {
		size_t head = a->count * sizeof(fcat_bytes);
		char *block = malloc(head + a->data.len + 1);
		if (!block)
			return fcat__error_oom();
		fcat_bytes *items = (fcat_bytes *)(void *)block;
		char *data = block + head;
		if (a->data.len)
			memcpy(data, a->data.ptr, a->data.len);
		data[a->data.len] = '\0';
		const span *sp = (const span *)(void *)a->items.ptr;
		for (size_t i = 0; i < a->count; i++)
			items[i] = (fcat_bytes){data + sp[i].off, sp[i].len};
		out->u.array.items = block;
	} else {
		out->u.array.items = fcat__buf_detach(&a->items);
		if (!out->u.array.items)
			return fcat__error_oom();
	}
	out->u.array.len = a->count;
	out->is_null = false;
	return 0;
}

static int parse_array(fcat_value *out, fcat_type type, const char *text, size_t len)
{
	array_parse a = {.type = type, .text = text, .len = len};
	int rc = scan_array(&a);
	if (rc == 0)
		rc = finish_array(out, &a);
	fcat__buf_free(&a.items);
	fcat__buf_free(&a.data);
	fcat__buf_free(&a.tmp);
	return rc;
}

int fcat_value_parse(fcat_value *out, fcat_type type, const char *text, size_t len)
{
	*out = (fcat_value){.type = type, .is_null = true};
	if (type.scalar < FCAT_INT32 || type.scalar > FCAT_TIMESTAMP)
		return fcat__error(FCAT_EINVALID, "cannot parse a value of type %s",
		                   fcat_scalar_name(type.scalar));
	if (len == 0)
		return 0;
	if (!text)
		return fcat__error(FCAT_EUSAGE, "fcat_value_parse: NULL text");
	if (type.is_array)
		return parse_array(out, type, text, len);
	return parse_scalar(out, type, text, len);
}

void fcat_value_clear(fcat_value *value)
{
	if (!value)
		return;
	if (!value->is_null) {
		if (value->type.is_array)
			free((void *)value->u.array.items);
		else if (value->type.scalar == FCAT_STRING || value->type.scalar == FCAT_BYTES)
			free((void *)value->u.str.ptr);
	}
	memset(&value->u, 0, sizeof value->u);
	value->is_null = true;
}
