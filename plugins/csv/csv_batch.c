/* csv_batch.c - CSV text as typed cells of a batch: fast paths, then the host's parser. */
#include "csv_batch.h"

#include "csv_number.h"

#include <stdlib.h>
#include <string.h>

#define INT64_DIGITS 18 /* always in range */
#define INT32_DIGITS 9

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t item_size(fcat_scalar s)
{
	return s == FCAT_INT32     ? sizeof(int32_t)
	       : s == FCAT_FLOAT32 ? sizeof(float)
	       : s == FCAT_INT64   ? sizeof(int64_t)
	                           : sizeof(double);
}

/* Parses one element at p into items[k]; returns its end or NULL. */
static inline const char *fast_item(void *items, size_t k, fcat_scalar s, const char *p,
                                    const char *end)
{
	const char *q;
	int64_t i;
	double d;

	switch (s) {
	case FCAT_FLOAT32:
		if ((q = csv_fast_double(&d, p, end)))
			((float *)items)[k] = (float)d;
		return q;
	case FCAT_FLOAT64:
		if ((q = csv_fast_double(&d, p, end)))
			((double *)items)[k] = d;
		return q;
	case FCAT_INT32:
		if ((q = csv_fast_int(&i, p, end, INT32_DIGITS)))
			((int32_t *)items)[k] = (int32_t)i;
		return q;
	default:
		if ((q = csv_fast_int(&i, p, end, INT64_DIGITS)))
			((int64_t *)items)[k] = i;
		return q;
	}
}

/* A numeric array "[1, 2.5e3]": 1 when parsed, 0 to leave it to the host
 * (anything unusual, including every error), or FCAT_ENOMEM. */
static int fast_array(fcatp_batch *b, fcat_value *cell, fcat_type type, const char *s, size_t n)
{
	const char *p = s + 1, *end = s + n;
	size_t cap = (n - 1) / 2, k = 0; /* every element takes a byte and a separator */

	if (n < 3 || s[0] != '[' || end[-1] != ']')
		return 0;
	if (type.dim && type.dim < cap) {
		cap = type.dim;
	} else if (!type.dim) {
		cap = 1;
		for (const char *c = p; (c = memchr(c, ',', (size_t)(end - c))); c++)
			cap++;
	}

	void *items = fcatp_batch_alloc(b, cap * item_size(type.scalar));

	if (!items)
		return b->host->error(FCAT_ENOMEM, "out of memory");
	for (;;) {
		while (p < end && is_ws(*p))
			p++;
		if (k == cap || !(p = fast_item(items, k, type.scalar, p, end)))
			return 0;
		k++;
		while (p < end && is_ws(*p))
			p++;
		if (p == end)
			return 0;
		if (*p++ == ']')
			break;
		if (p[-1] != ',')
			return 0;
	}
	if (p != end || (type.dim && k != type.dim))
		return 0;
	cell->u.array.items = items;
	cell->u.array.len = k;
	cell->is_null = false;
	return 1;
}

/* Scalars the fast paths read: 1 when parsed, 0 to leave it to the host. */
static int fast_scalar(fcat_value *cell, fcat_scalar s, const char *text, size_t len)
{
	const char *end = text + len;
	int64_t i;
	double d;

	switch (s) {
	case FCAT_STRING: cell->u.str = (fcat_bytes){text, len}; break;
	case FCAT_INT64:
		if (csv_fast_int(&i, text, end, INT64_DIGITS) != end)
			return 0;
		cell->u.i64 = i;
		break;
	case FCAT_INT32:
		if (csv_fast_int(&i, text, end, INT32_DIGITS) != end)
			return 0;
		cell->u.i32 = (int32_t)i;
		break;
	case FCAT_FLOAT64:
		if (csv_fast_double(&d, text, end) != end)
			return 0;
		cell->u.f64 = d;
		break;
	case FCAT_FLOAT32:
		if (csv_fast_double(&d, text, end) != end)
			return 0;
		cell->u.f32 = (float)d;
		break;
	case FCAT_TIMESTAMP:
		if (!csv_fast_timestamp(&i, text, len))
			return 0;
		cell->u.ts = i;
		break;
	default: return 0;
	}
	cell->is_null = false;
	return 1;
}

static int host_parse(fcatp_batch *b, fcat_value *cell, fcat_type type, const char *text,
                      size_t len)
{
	int rc = b->host->value_parse(cell, type, text, len);

	if (rc != 0 || cell->is_null)
		return rc;
	if (fcatp_batch_keep(b, cell, type))
		return b->host->error(FCAT_ENOMEM, "out of memory");
	return 0;
}

int csv_cell_parse(fcatp_batch *b, fcat_value *cell, fcat_type type, const char *text, size_t len,
                   bool quoted)
{
	int rc;

	*cell = (fcat_value){.type = type, .is_null = true};
	if (len == 0) {
		/* "" is the empty text, as the writer (csv_write.c in core) puts it */
		cell->is_null = !(quoted && !type.is_array &&
		                  (type.scalar == FCAT_STRING || type.scalar == FCAT_BYTES));
		cell->u.str = (fcat_bytes){text, 0};
		return 0;
	}
	if (!type.is_array) {
		if (fast_scalar(cell, type.scalar, text, len))
			return 0;
	} else if (type.scalar == FCAT_FLOAT32 || type.scalar == FCAT_FLOAT64 ||
	           type.scalar == FCAT_INT32 || type.scalar == FCAT_INT64) {
		rc = fast_array(b, cell, type, text, len);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return host_parse(b, cell, type, text, len);
}
