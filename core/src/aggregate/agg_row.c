/* agg_row.c - the online store's row of one entity of an aggregation
 * view. After the 24-byte row header of fcat_plugin.h (format byte 2; the
 * newest event's time and created time) and the 32-byte data hash of the
 * view version that wrote it:
 *   0xA2, a time unit byte (0: microseconds, 1: milliseconds, 2: seconds;
 *   the coarsest that divides every time of the row), varint inputs,
 *   varint events, then per event in time order: zigzag varint of ts
 *   minus the previous ts, in the unit; a byte (1: a created time follows
 *   as zigzag varint of created minus ts, in the unit; 0: none); and per
 *   input a tag byte and the value:
 *     0  null;
 *     1  integers as zigzag varints, reals as 8 bytes little-endian, text
 *        as varint length and bytes;
 *     2+p (p = 0..4)  a real that is exactly k / 10^p for an integer k, as
 *        the zigzag varint of k (prices, counts and ratings held as
 *        reals take 2 to 4 bytes instead of 8).
 * Rows are rewritten whole on every push, and the store's cost is the
 * pages they fill, so the bytes per event decide push throughput. Rows of
 * the first body (0xA1: microseconds, tags 0 and 1 only) still decode.
 * The events are those of the tiles a window can still reach. */
#include "aggregate/agg.h"

#include "fcat_plugin.h"
#include "util/error.h"

#include <math.h>
#include <string.h>

#define ROW_FORMAT_AGG 2
#define BODY_MARK_V1   0xA1
#define BODY_MARK      0xA2
#define TAG_NULL       0
#define TAG_VALUE      1
#define TAG_DECIMAL    2 /* + digits */
#define MAX_DIGITS     4

static const int64_t units[] = {1, 1000, 1000000};
static const double pow10s[MAX_DIGITS + 1] = {1, 10, 100, 1000, 10000};

static void put_varint(fcat__buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	while (v >= 0x80) {
		tmp[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (unsigned char)v;
	fcat__buf_append(b, tmp, n);
}

static uint64_t zigzag(uint64_t v)
{
	return (v << 1) ^ (uint64_t)((int64_t)v >> 63);
}

static uint64_t unzigzag(uint64_t v)
{
	return (v >> 1) ^ (uint64_t) - (int64_t)(v & 1);
}

/* The coarsest unit (index into units) dividing every time of e. */
static unsigned time_unit(const fcat__agg_events *e)
{
	unsigned u = 2;
	for (size_t i = 0; i < e->n && u > 0; i++) {
		const fcat__agg_when w = e->when[i];
		while (u > 0 && (w.ts % units[u] != 0 ||
		                 (w.created != INT64_MIN && w.created % units[u] != 0)))
			u--;
	}
	return u;
}

/* The digits p with d == k / 10^p exactly (k in *k), or -1. */
static int decimal_digits(double d, int64_t *k)
{
	if (!(fabs(d) < 1e14)) /* k * 10^4 stays far inside int64; NaN fails */
		return -1;
	for (int p = 0; p <= MAX_DIGITS; p++) {
		int64_t q = llround(d * pow10s[p]);
		double back = (double)q / pow10s[p];
		if (memcmp(&back, &d, sizeof d) == 0) { /* bits: -0.0 is not 0 */
			*k = q;
			return p;
		}
	}
	return -1;
}

static void put_value(fcat__buf *out, const fcat__aval *x, fcat__aval_kind kind)
{
	unsigned char tag = x->null ? TAG_NULL : TAG_VALUE;
	int64_t k = 0;
	int p = !x->null && kind == FCAT__AV_REAL ? decimal_digits(x->u.d, &k) : -1;
	if (p >= 0)
		tag = (unsigned char)(TAG_DECIMAL + p);
	fcat__buf_append(out, &tag, 1);
	if (tag != TAG_VALUE) {
		if (tag != TAG_NULL)
			put_varint(out, zigzag((uint64_t)k));
		return;
	}
	switch (kind) {
	case FCAT__AV_INT: put_varint(out, zigzag((uint64_t)x->u.i)); break;
	case FCAT__AV_REAL: fcat__buf_append(out, &x->u.d, 8); break;
	case FCAT__AV_TEXT:
		put_varint(out, x->u.s.len);
		fcat__buf_append(out, x->u.s.ptr, x->u.s.len);
		break;
	default: break;
	}
}

void fcat__agg_row_encode(fcat__buf *out, const fcat__view *v, const fcat__agg_events *e)
{
	fcat__agg_when newest = e->n ? e->when[e->n - 1] : (fcat__agg_when){INT64_MIN, INT64_MIN};
	unsigned char head[FCAT_ROW_HEADER_SIZE] = {FCAT_ROW_MAGIC, ROW_FORMAT_AGG};
	memcpy(head + FCAT_ROW_EVENT_TS_OFFSET, &newest.ts, 8);
	memcpy(head + FCAT_ROW_CREATED_TS_OFFSET, &newest.created, 8);
	fcat__buf_append(out, head, sizeof head);
	fcat__buf_append(out, v->data_hash, 32);
	unsigned u = time_unit(e);
	unsigned char mark[2] = {BODY_MARK, (unsigned char)u};
	fcat__buf_append(out, mark, 2);
	size_t k = e->ninputs;
	put_varint(out, k);
	put_varint(out, e->n);
	const int64_t unit = units[u];
	uint64_t prev = 0;
	for (size_t i = 0; i < e->n; i++) {
		const fcat__agg_when w = e->when[i];
		uint64_t q = (uint64_t)(w.ts / unit);
		put_varint(out, zigzag(q - prev));
		prev = q;
		unsigned char has = w.created != INT64_MIN;
		fcat__buf_append(out, &has, 1);
		if (has)
			put_varint(out, zigzag((uint64_t)(w.created / unit) - q));
		for (size_t c = 0; c < k; c++)
			put_value(out, &e->vals[i * k + c],
			          fcat__aval_kind_of(v->agg_input_types[c]));
	}
}

typedef struct reader {
	const unsigned char *p, *end;
	bool bad;
} reader;

static uint64_t get_varint(reader *r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		unsigned char c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static unsigned char get_byte(reader *r)
{
	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static void get_value(reader *r, fcat__aval *x, fcat__aval_kind kind, unsigned max_tag)
{
	unsigned tag = get_byte(r);
	*x = (fcat__aval){.null = tag == TAG_NULL};
	if (tag > max_tag || (tag > TAG_VALUE && kind != FCAT__AV_REAL)) {
		r->bad = true;
		return;
	}
	if (tag > TAG_VALUE) {
		x->u.d = (double)(int64_t)unzigzag(get_varint(r)) / pow10s[tag - TAG_DECIMAL];
		return;
	}
	if (x->null)
		return;
	switch (kind) {
	case FCAT__AV_INT: x->u.i = (int64_t)unzigzag(get_varint(r)); break;
	case FCAT__AV_REAL:
		if (r->end - r->p < 8) {
			r->bad = true;
			break;
		}
		memcpy(&x->u.d, r->p, 8);
		r->p += 8;
		break;
	case FCAT__AV_TEXT: {
		uint64_t sl = get_varint(r);
		if (sl > (uint64_t)(r->end - r->p)) {
			r->bad = true;
			break;
		}
		x->u.s = (fcat_bytes){(const char *)r->p, (size_t)sl};
		r->p += sl;
		break;
	}
	default: break;
	}
}

int fcat__agg_row_decode(fcat__agg_events *e, int64_t *newest, const unsigned char *hash_out[1],
                         const fcat__view *v, const unsigned char *row, size_t len)
{
	e->n = 0;
	e->ninputs = v->nagg_inputs;
	const size_t body = FCAT_ROW_HEADER_SIZE + 32;
	if (len < body + 2 || row[0] != FCAT_ROW_MAGIC || row[1] != ROW_FORMAT_AGG ||
	    (row[body] != BODY_MARK && row[body] != BODY_MARK_V1) ||
	    (row[body] == BODY_MARK && row[body + 1] >= sizeof units / sizeof *units))
		return fcat__error(FCAT_EINVALID, "not an aggregation row of view '%s'",
		                   v->base.name);
	memcpy(newest, row + FCAT_ROW_EVENT_TS_OFFSET, 8);
	*hash_out = row + FCAT_ROW_VERSION_OFFSET;
	bool v1 = row[body] == BODY_MARK_V1;
	const uint64_t unit = (uint64_t)(v1 ? 1 : units[row[body + 1]]);
	unsigned max_tag = v1 ? TAG_VALUE : TAG_DECIMAL + MAX_DIGITS;
	reader r = {row + body + (v1 ? 1 : 2), row + len, false};
	size_t k = (size_t)get_varint(&r);
	uint64_t n = get_varint(&r);
	if (r.bad || k != v->nagg_inputs || n > len)
		return fcat__error(
		    FCAT_EINVALID,
		    "an aggregation row of view '%s' has %zu columns, not %zu (written "
		    "by another version: materialize again)",
		    v->base.name, k, v->nagg_inputs);
	uint64_t q = 0;
	fcat__aval vals[FCAT__MAX_VIEW_COLUMNS];
	for (uint64_t i = 0; i < n && !r.bad; i++) {
		fcat__agg_when w;
		q += unzigzag(get_varint(&r));
		w.ts = (int64_t)(q * unit);
		w.created =
		    get_byte(&r) ? (int64_t)((q + unzigzag(get_varint(&r))) * unit) : INT64_MIN;
		for (size_t c = 0; c < k && !r.bad; c++)
			get_value(&r, &vals[c], fcat__aval_kind_of(v->agg_input_types[c]), max_tag);
		if (!r.bad) {
			int rc = fcat__agg_events_push(e, w, vals);
			if (rc)
				return rc;
		}
	}
	if (r.bad || r.p != r.end)
		return fcat__error(FCAT_EINVALID, "a damaged aggregation row of view '%s'",
		                   v->base.name);
	return fcat__agg_events_sort(e);
}
