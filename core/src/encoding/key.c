/* key.c - the binary encoding of entity keys (composite keys in one
 * canonical order). */
#include "encoding/encoding.h"

#include "util/error.h"

#include <stdio.h>
#include <string.h>

static unsigned char *put_ordered_i64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v ^ (1ULL << 63);
	for (int i = 7; i >= 0; i--, u >>= 8)
		p[i] = (unsigned char)u;
	return p + 8;
}

/* Checks the keys and says how many bytes they encode to. */
static int key_size(size_t *out, const fcat_value *keys, size_t n)
{
	size_t size = 1;
	for (size_t i = 0; i < n; i++) {
		const fcat_value *k = &keys[i];
		if (k->is_null)
			return fcat__error(FCAT_EINVALID, "join key %zu is null", i + 1);
		if (k->type.is_array)
			return fcat__error(FCAT_EINVALID, "join key %zu is an array", i + 1);
		switch (k->type.scalar) {
		case FCAT_INT32:
		case FCAT_INT64:
		case FCAT_TIMESTAMP: size += 1 + 8; break;
		case FCAT_STRING:
		case FCAT_BYTES:
			if (k->u.str.len > UINT32_MAX)
				return fcat__error(FCAT_EINVALID, "join key %zu is too long",
				                   i + 1);
			size += 1 + 4 + k->u.str.len;
			break;
		default:
			return fcat__error(FCAT_EINVALID,
			                   "join key %zu has type %s, which cannot be a key", i + 1,
			                   fcat_scalar_name(k->type.scalar));
		}
	}
	*out = size;
	return 0;
}

int fcat__key_encode(fcat__buf *out, const fcat_value *keys, size_t n)
{
	size_t size = 0;
	int rc = key_size(&size, keys, n);
	if (rc)
		return rc;
	unsigned char *p = (unsigned char *)fcat__buf_grow(out, size);
	if (!p)
		return fcat__error_oom();
	*p++ = 1;
	for (size_t i = 0; i < n; i++) {
		const fcat_value *k = &keys[i];
		*p++ = (unsigned char)k->type.scalar;
		switch (k->type.scalar) {
		case FCAT_INT32: p = put_ordered_i64(p, k->u.i32); break;
		case FCAT_INT64: p = put_ordered_i64(p, k->u.i64); break;
		case FCAT_TIMESTAMP: p = put_ordered_i64(p, k->u.ts); break;
		default: { /* string, bytes: u32 LE length, then the bytes */
			uint32_t len = (uint32_t)k->u.str.len;
			p[0] = (unsigned char)len;
			p[1] = (unsigned char)(len >> 8);
			p[2] = (unsigned char)(len >> 16);
			p[3] = (unsigned char)(len >> 24);
			if (len)
				memcpy(p + 4, k->u.str.ptr, len);
			p += 4 + len;
		}
		}
	}
	return 0;
}

int fcat__key_decode(fcat_value *keys, size_t n, const fcat_type *types, const unsigned char *key,
                     size_t len)
{
	const unsigned char *p = key, *end = key + len;
	if (p == end || *p++ != 1)
		return fcat__error(FCAT_EINVALID, "not an fcat entity key");
	for (size_t i = 0; i < n; i++) {
		fcat_value *k = &keys[i];
		memset(k, 0, sizeof *k);
		k->type = types[i];
		if (p == end || *p++ != (unsigned char)types[i].scalar)
			return fcat__error(FCAT_EINVALID, "entity key %zu is not a %s", i + 1,
			                   fcat_scalar_name(types[i].scalar));
		if (types[i].scalar == FCAT_STRING || types[i].scalar == FCAT_BYTES) {
			if (end - p < 4)
				goto damaged;
			size_t l = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
			           (size_t)p[3] << 24;
			p += 4;
			if ((size_t)(end - p) < l)
				goto damaged;
			k->u.str.ptr = (const char *)p;
			k->u.str.len = l;
			p += l;
			continue;
		}
		if (end - p < 8)
			goto damaged;
		uint64_t u = 0;
		for (int b = 0; b < 8; b++)
			u = u << 8 | p[b];
		p += 8;
		int64_t v = (int64_t)(u ^ (1ULL << 63));
		if (types[i].scalar == FCAT_INT32 && (v < INT32_MIN || v > INT32_MAX))
			goto damaged; /* no int32 encodes to it */
		if (types[i].scalar == FCAT_INT32)
			k->u.i32 = (int32_t)v;
		else if (types[i].scalar == FCAT_INT64)
			k->u.i64 = v;
		else
			k->u.ts = v;
	}
	if (p == end)
		return 0;
damaged:
	return fcat__error(FCAT_EINVALID, "a damaged fcat entity key (%zu bytes)", len);
}

void fcat__key_text(char *buf, size_t size, const char *const *names, const fcat_value *keys,
                    size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		char *text = NULL;
		if (keys[i].is_null || fcat_value_format(&text, &keys[i]) != 0)
			text = NULL;
		int w = snprintf(buf + used, size - used, "%s%s=%s", i ? "," : "", names[i],
		                 text ? text : "null");
		fcat_free(text);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
