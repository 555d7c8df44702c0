/* row.c - the binary encoding of feature rows, shared by every online
 * backend: a fixed header, the writer's data hash, then tagged values. */
#include "encoding/encoding.h"

#include "fcat_plugin.h"
#include "util/error.h"

#include <string.h>

#define ROW_FORMAT    1
#define HASH_OFFSET   FCAT_ROW_VERSION_OFFSET
#define VALUES_OFFSET (FCAT_ROW_HEADER_SIZE + 32)

static size_t scalar_size(fcat_scalar s)
{
	switch (s) {
	case FCAT_INT32:
	case FCAT_FLOAT32: return 4;
	case FCAT_INT64:
	case FCAT_FLOAT64:
	case FCAT_TIMESTAMP: return 8;
	case FCAT_BOOL: return 1;
	default: return 0; /* variable: string, bytes */
	}
}

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "fcat's encodings assume little-endian");

/* The bytes a value takes after its tag. */
static size_t value_size(const fcat_value *v)
{
	size_t w = scalar_size(v->type.scalar);
	if (!v->type.is_array)
		return w ? w : 4 + v->u.str.len;
	size_t size = 4;
	if (w) {
		size += w * v->u.array.len;
	} else {
		const fcat_bytes *x = v->u.array.items;
		for (size_t k = 0; k < v->u.array.len; k++)
			size += 4 + x[k].len;
	}
	return size;
}

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4); /* little-endian hosts only (checked above) */
	return p + 4;
}

/* one scalar element from its C representation at src */
static unsigned char *put_scalar(unsigned char *p, fcat_scalar s, const void *src)
{
	size_t w = scalar_size(s);
	if (w == 1) {
		*p = *(const bool *)src ? 1 : 0;
		return p + 1;
	}
	if (w) {
		memcpy(p, src, w);
		return p + w;
	}
	const fcat_bytes *x = src;
	p = put_u32(p, (uint32_t)x->len);
	if (x->len)
		memcpy(p, x->ptr, x->len);
	return p + x->len;
}

void fcat__row_encode(fcat__buf *out, const unsigned char data_hash[32], int64_t event_ts,
                      int64_t created_ts, const fcat_value *values, size_t n)
{
	size_t size = VALUES_OFFSET;
	for (size_t i = 0; i < n; i++)
		size += 1 + (values[i].is_null ? 0 : value_size(&values[i]));
	unsigned char *p = (unsigned char *)fcat__buf_grow(out, size);
	if (!p)
		return; /* out->oom says so */
	unsigned char hdr[FCAT_ROW_HEADER_SIZE] = {FCAT_ROW_MAGIC, ROW_FORMAT, (unsigned char)n,
	                                           (unsigned char)(n >> 8)};
	memcpy(hdr + FCAT_ROW_EVENT_TS_OFFSET, &event_ts, 8);
	memcpy(hdr + FCAT_ROW_CREATED_TS_OFFSET, &created_ts, 8);
	memcpy(p, hdr, sizeof hdr);
	memcpy(p + HASH_OFFSET, data_hash, 32);
	p += VALUES_OFFSET;
	for (size_t i = 0; i < n; i++) {
		const fcat_value *v = &values[i];
		if (v->is_null) {
			*p++ = 0;
			continue;
		}
		*p++ = (unsigned char)(v->type.scalar | (v->type.is_array ? 0x80 : 0));
		if (!v->type.is_array) {
			p = put_scalar(p, v->type.scalar, &v->u);
			continue;
		}
		size_t w = scalar_size(v->type.scalar);
		p = put_u32(p, (uint32_t)v->u.array.len);
		if (w > 1) {
			if (v->u.array.len)
				memcpy(p, v->u.array.items, w * v->u.array.len);
			p += w * v->u.array.len;
		} else {
			size_t stride = w == 1 ? sizeof(bool) : sizeof(fcat_bytes);
			for (size_t k = 0; k < v->u.array.len; k++)
				p = put_scalar(p, v->type.scalar,
				               (const char *)v->u.array.items + k * stride);
		}
	}
}

typedef struct cursor {
	const unsigned char *p, *end;
	bool bad;
} cursor;

static inline const unsigned char *take(cursor *c, size_t n)
{
	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	const unsigned char *p = c->p;
	c->p += n;
	return p;
}

static inline uint32_t take_u32(cursor *c)
{
	const unsigned char *p = take(c, 4);
	uint32_t v = 0;
	if (p)
		memcpy(&v, p, 4);
	return v;
}

/* reads one scalar into dst (its C representation); false when the bytes
 * end early or the tag names no scalar */
static inline bool get_scalar(cursor *c, fcat_scalar s, void *dst)
{
	const unsigned char *p;
	switch (s) {
	case FCAT_INT32:
	case FCAT_FLOAT32:
		if (!(p = take(c, 4)))
			return false;
		memcpy(dst, p, 4);
		return true;
	case FCAT_INT64:
	case FCAT_FLOAT64:
	case FCAT_TIMESTAMP:
		if (!(p = take(c, 8)))
			return false;
		memcpy(dst, p, 8);
		return true;
	case FCAT_BOOL:
		if (!(p = take(c, 1)))
			return false;
		*(bool *)dst = *p != 0;
		return true;
	case FCAT_STRING:
	case FCAT_BYTES: {
		fcat_bytes *x = dst;
		x->len = take_u32(c);
		x->ptr = (const char *)take(c, x->len);
		return !c->bad;
	}
	default: c->bad = true; return false;
	}
}

int fcat__row_decode(fcat__row_header *hdr, fcat_value *values, size_t n, const fcat_type *types,
                     size_t *mismatch, const unsigned char *row, size_t len, fcat__arena *scratch)
{
	*mismatch = 0;
	if (len < VALUES_OFFSET || row[0] != FCAT_ROW_MAGIC || row[1] != ROW_FORMAT)
		return fcat__error(FCAT_EINVALID, "not an fcat row (%zu bytes)", len);
	memcpy(&hdr->event_ts, row + FCAT_ROW_EVENT_TS_OFFSET, 8);
	memcpy(&hdr->created_ts, row + FCAT_ROW_CREATED_TS_OFFSET, 8);
	hdr->data_hash = row + HASH_OFFSET;
	hdr->count = (size_t)row[2] | (size_t)row[3] << 8;
	cursor c = {row + VALUES_OFFSET, row + len, false};
	size_t i = 0;
	for (; i < n && i < hdr->count && !c.bad; i++) {
		fcat_value *v = &values[i];
		*v = (fcat_value){.type = types[i], .is_null = true};
		const unsigned char *tagp = take(&c, 1);
		if (!tagp || !*tagp)
			continue;
		fcat_scalar s = (fcat_scalar)(*tagp & 0x7f);
		bool is_array = *tagp & 0x80;
		bool same = s == types[i].scalar && is_array == types[i].is_array;
		if (!is_array) {
			fcat_value tmp;
			if (get_scalar(&c, s, &tmp.u) && same) {
				v->u = tmp.u;
				v->is_null = false;
			} else if (!c.bad) {
				(*mismatch)++;
			}
			continue;
		}
		uint32_t count = take_u32(&c);
		size_t w = scalar_size(s);
		size_t stride = w > 1 ? w : w == 1 ? sizeof(bool) : sizeof(fcat_bytes);
		if (count > (size_t)(c.end - c.p) || (s != FCAT_STRING && s != FCAT_BYTES && !w)) {
			c.bad = true;
			break;
		}
		void *items = fcat__arena_alloc_uninit(scratch, stride * count + 1);
		if (!items)
			return fcat__error_oom();
		if (w > 1) {
			const unsigned char *p = take(&c, w * count);
			if (p)
				memcpy(items, p, w * count);
		} else {
			for (uint32_t k = 0; k < count && !c.bad; k++)
				get_scalar(&c, s, (char *)items + k * stride);
		}
		if (same && (!types[i].dim || types[i].dim == count)) {
			v->u.array.items = items;
			v->u.array.len = count;
			v->is_null = false;
		} else {
			(*mismatch)++;
		}
	}
	/* every stored value read: bytes after the last are damage (a cut
	 * length, say), not something to skip */
	if (i == hdr->count && c.p != c.end)
		c.bad = true;
	/* a row of an older view version may hold fewer values: nulls */
	for (size_t k = i; k < n; k++)
		values[k] = (fcat_value){.type = types[k], .is_null = true};
	if (n > hdr->count)
		*mismatch += n - hdr->count;
	if (c.bad)
		return fcat__error(FCAT_EINVALID, "a damaged fcat row (%zu bytes)", len);
	return 0;
}
