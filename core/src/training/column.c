/* column.c - fcat_column, the columnar layout of training sets (Arrow's):
 * reading one cell as a value, and building a column from values. */
#include "training/column.h"

#include "util/error.h"

#include <string.h>

size_t fcat__scalar_size(fcat_scalar s)
{
	switch (s) {
	case FCAT_INT32: return sizeof(int32_t);
	case FCAT_FLOAT32: return sizeof(float);
	case FCAT_FLOAT64: return sizeof(double);
	case FCAT_INT64:
	case FCAT_TIMESTAMP: return sizeof(int64_t);
	default: return 0;
	}
}

static bool is_text(fcat_scalar s)
{
	return s == FCAT_STRING || s == FCAT_BYTES;
}

/* Item i of a scalar buffer into a value's union. */
static void scalar_at(fcat_value *out, const fcat_column *c, size_t i)
{
	const void *v = c->values;
	switch (c->type.scalar) {
	case FCAT_INT32: out->u.i32 = ((const int32_t *)v)[i]; break;
	case FCAT_INT64: out->u.i64 = ((const int64_t *)v)[i]; break;
	case FCAT_TIMESTAMP: out->u.ts = ((const int64_t *)v)[i]; break;
	case FCAT_FLOAT32: out->u.f32 = ((const float *)v)[i]; break;
	case FCAT_FLOAT64: out->u.f64 = ((const double *)v)[i]; break;
	case FCAT_BOOL: out->u.b = fcat__bit(v, i); break;
	default:
		out->u.str = (fcat_bytes){c->data + c->offsets[i],
		                          (size_t)(c->offsets[i + 1] - c->offsets[i])};
	}
}

int fcat__column_cell(fcat_value *out, const fcat_column *c, size_t row, fcat__buf *scratch)
{
	*out = (fcat_value){.type = c->type, .is_null = !fcat__bit(c->validity, row)};
	if (out->is_null)
		return 0;
	if (!c->type.is_array) {
		scalar_at(out, c, row);
		return 0;
	}
	size_t first = c->type.dim ? row * c->type.dim : (size_t)c->offsets[row];
	size_t n = c->type.dim ? c->type.dim : (size_t)(c->offsets[row + 1] - c->offsets[row]);
	out->u.array.len = n;
	size_t size = fcat__scalar_size(c->type.scalar);
	if (size) {
		out->u.array.items = (const char *)c->values + first * size;
		return 0;
	}
	/* bits and byte strings: unpacked into the C items of fcat_value */
	scratch->len = 0;
	size_t item = c->type.scalar == FCAT_BOOL ? sizeof(bool) : sizeof(fcat_bytes);
	fcat__buf_append(scratch, NULL, 0);
	for (size_t i = 0; i < n && !scratch->oom; i++) {
		if (c->type.scalar == FCAT_BOOL) {
			bool b = fcat__bit(c->values, first + i);
			fcat__buf_append(scratch, &b, item);
		} else {
			const int64_t *o = c->item_offsets + first + i;
			fcat_bytes s = {c->data + o[0], (size_t)(o[1] - o[0])};
			fcat__buf_append(scratch, &s, item);
		}
	}
	if (scratch->oom)
		return fcat__error_oom();
	out->u.array.items = scratch->ptr;
	return 0;
}

void fcat__colbuild_init(fcat__colbuild *b, fcat_type type)
{
	memset(b, 0, sizeof *b);
	b->type = type;
	int64_t zero = 0;
	if (is_text(type.scalar) || (type.is_array && !type.dim))
		fcat__buf_append(&b->offsets, &zero, sizeof zero);
	if (type.is_array && is_text(type.scalar))
		fcat__buf_append(&b->item_offsets, &zero, sizeof zero);
}

/* Sets or clears bit i of a bitmap buffer, growing it a byte at a time. */
static void put_bit(fcat__buf *bits, size_t i, bool set)
{
	if (i % 8 == 0)
		fcat__buf_putc(bits, 0);
	if (set && !bits->oom)
		bits->ptr[i >> 3] |= (char)(1u << (i & 7));
}

/* Appends one scalar item (the value's, or zero for a null row). */
static void put_item(fcat__colbuild *b, const void *item, fcat_bytes text)
{
	fcat_scalar s = b->type.scalar;
	if (s == FCAT_BOOL) {
		put_bit(&b->values, b->items, item && *(const bool *)item);
	} else if (is_text(s)) {
		fcat__buf_append(&b->data, text.ptr, text.len);
		int64_t end = (int64_t)b->data.len;
		fcat__buf_append(b->type.is_array ? &b->item_offsets : &b->offsets, &end,
		                 sizeof end);
	} else {
		static const char zero[8];
		fcat__buf_append(&b->values, item ? item : zero, fcat__scalar_size(s));
	}
	b->items++;
}

int fcat__colbuild_add(fcat__colbuild *b, const fcat_value *v)
{
	fcat_type t = b->type;
	bool null = v->is_null;
	put_bit(&b->validity, b->rows, !null);
	b->nulls += null;
	if (!t.is_array) {
		const void *item = null ? NULL : &v->u;
		fcat_bytes text = null || !is_text(t.scalar) ? (fcat_bytes){"", 0} : v->u.str;
		if (t.scalar == FCAT_BOOL)
			item = null ? NULL : &v->u.b;
		put_item(b, item, text);
	} else {
		size_t n = null ? 0 : v->u.array.len;
		if (t.dim && !null && n != t.dim)
			return fcat__error(FCAT_EINVALID, "an array of %zu items where %u are due",
			                   n, (unsigned)t.dim);
		size_t size = fcat__scalar_size(t.scalar);
		for (size_t i = 0; i < (t.dim ? t.dim : n); i++) {
			const char *items = null ? NULL : v->u.array.items;
			if (!items)
				put_item(b, NULL, (fcat_bytes){"", 0});
			else if (is_text(t.scalar))
				put_item(b, NULL, ((const fcat_bytes *)items)[i]);
			else if (t.scalar == FCAT_BOOL)
				put_item(b, &((const bool *)items)[i], (fcat_bytes){"", 0});
			else
				put_item(b, items + i * size, (fcat_bytes){"", 0});
		}
		if (!t.dim) {
			int64_t end = (int64_t)b->items;
			fcat__buf_append(&b->offsets, &end, sizeof end);
		}
	}
	b->rows++;
	bool oom = b->validity.oom || b->values.oom || b->offsets.oom || b->item_offsets.oom ||
	           b->data.oom;
	return oom ? fcat__error_oom() : 0;
}

fcat_column fcat__colbuild_column(const fcat__colbuild *b, const char *name)
{
	return (fcat_column){
	    .name = name,
	    .type = b->type,
	    .length = b->rows,
	    .validity = b->nulls ? (const uint8_t *)b->validity.ptr : NULL,
	    .values = b->values.ptr,
	    .offsets = (const int64_t *)b->offsets.ptr,
	    .item_offsets = (const int64_t *)b->item_offsets.ptr,
	    .data = b->data.ptr ? b->data.ptr : "",
	};
}

void fcat__colbuild_free(fcat__colbuild *b)
{
	fcat__buf_free(&b->validity);
	fcat__buf_free(&b->values);
	fcat__buf_free(&b->offsets);
	fcat__buf_free(&b->item_offsets);
	fcat__buf_free(&b->data);
}
