/* value_copy.c - deep copies of values into an arena, for values that must
 * outlive the buffer they were read from. */
#include "values/value_copy.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

size_t fcat__scalar_stride(fcat_scalar scalar)
{
	switch (scalar) {
	case FCAT_INT32:
	case FCAT_FLOAT32: return 4;
	case FCAT_BOOL: return sizeof(bool);
	case FCAT_STRING:
	case FCAT_BYTES: return sizeof(fcat_bytes);
	default: return 8;
	}
}

static const char *copy_bytes(fcat__arena *a, const char *p, size_t len)
{
	char *q = fcat__arena_alloc_uninit(a, len + 1);
	if (q) {
		if (len)
			memcpy(q, p, len);
		q[len] = '\0';
	}
	return q;
}

int fcat__value_copy(fcat__arena *a, fcat_value *dst, const fcat_value *src)
{
	*dst = *src;
	if (src->is_null)
		return 0;
	bool str = src->type.scalar == FCAT_STRING || src->type.scalar == FCAT_BYTES;
	if (!src->type.is_array) {
		if (str && !(dst->u.str.ptr = copy_bytes(a, src->u.str.ptr, src->u.str.len)))
			return fcat__error_oom();
		return 0;
	}
	size_t bytes = fcat__scalar_stride(src->type.scalar) * src->u.array.len;
	void *items = fcat__arena_alloc_uninit(a, bytes ? bytes : 1);
	if (!items)
		return fcat__error_oom();
	if (bytes)
		memcpy(items, src->u.array.items, bytes);
	dst->u.array.items = items;
	if (str) {
		fcat_bytes *b = items;
		for (size_t i = 0; i < src->u.array.len; i++)
			if (!(b[i].ptr = copy_bytes(a, b[i].ptr, b[i].len)))
				return fcat__error_oom();
	}
	return 0;
}

int fcat__value_copy_heap(fcat_value *dst, const fcat_value *src)
{
	*dst = *src;
	if (src->is_null)
		return 0;
	bool str = src->type.scalar == FCAT_STRING || src->type.scalar == FCAT_BYTES;
	if (!src->type.is_array) {
		if (!str)
			return 0;
		char *p = malloc(src->u.str.len + 1);
		if (!p)
			goto oom;
		if (src->u.str.len)
			memcpy(p, src->u.str.ptr, src->u.str.len);
		p[src->u.str.len] = '\0';
		dst->u.str.ptr = p;
		return 0;
	}
	size_t n = src->u.array.len, head = fcat__scalar_stride(src->type.scalar) * n, total = head;
	const fcat_bytes *from = src->u.array.items;
	for (size_t i = 0; str && i < n; i++)
		total += from[i].len + 1;
	char *block = malloc(total ? total : 1);
	if (!block)
		goto oom;
	if (head)
		memcpy(block, src->u.array.items, head);
	if (str) {
		fcat_bytes *to = (fcat_bytes *)(void *)block;
		char *q = block + head;
		for (size_t i = 0; i < n; i++) {
			if (from[i].len)
				memcpy(q, from[i].ptr, from[i].len);
			q[from[i].len] = '\0';
			to[i].ptr = q;
			q += from[i].len + 1;
		}
	}
	dst->u.array.items = block;
	return 0;
oom:
	memset(&dst->u, 0, sizeof dst->u);
	dst->is_null = true;
	return fcat__error_oom();
}
