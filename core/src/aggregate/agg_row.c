/* agg_row.c - the online store's row of one entity of an aggregation
 * view. After the 24-byte row header of fcat_plugin.h (format byte 2; the
 * newest event's time and created time) and the 32-byte data hash of the
 * view version that wrote it:
 *   0xA2, a time unit byte (0: microseconds, 1: milliseconds, 2: seconds;
 *   the coarsest that divides every time of the row), varint inputs,
 *   varint events, then per event in time order: zigzag varint of ts
 *   minus the previous ts, in the unit; a byte whose bit 0 says a created
 *   time follows (zigzag varint of created minus ts, in the unit) and
 *   whose bits 1-7 hold the first input's tag; the created time; then per
 *   input its tag byte (the first's is in the event byte) and its value:
 *     0  null;
 *     1  integers as zigzag varints, reals as 8 bytes little-endian, text
 *        as varint length and bytes;
 *     2+p (p = 0..4)  a real that is exactly k / 10^p for an integer k, as
 *        the zigzag varint of k (prices, counts and ratings held as
 *        reals take 2 to 4 bytes instead of 8).
 * A row of a later body (0xA3 to 0xAF) is a newer fcat's:
 * FCAT_EVERSION, so that a push refuses it instead of rebuilding the row
 * from its own events. Rows are rewritten whole on every push, and the store's cost is the
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
#define BODY_MARK_LAST 0xAF /* marks after BODY_MARK up to here: a newer fcat's */
#define TAG_NULL       0
#define TAG_VALUE      1
#define TAG_DECIMAL    2 /* + digits */
#define MAX_DIGITS     4

static const int64_t units[] = {1, 1000, 1000000};
static const double pow10s[MAX_DIGITS + 1] = {1, 10, 100, 1000, 10000};

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
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

/* The tag of a value, and in *k the integer of a decimal. */
static unsigned char tag_of(const fcat__aval *x, fcat__aval_kind kind, int64_t *k)
{
	if (x->null)
		return TAG_NULL;
	int p = kind == FCAT__AV_REAL ? decimal_digits(x->u.d, k) : -1;
	return p >= 0 ? (unsigned char)(TAG_DECIMAL + p) : TAG_VALUE;
}

static unsigned char *put_value(unsigned char *p, const fcat__aval *x, fcat__aval_kind kind,
                                unsigned char tag, int64_t k)
{
	if (tag == TAG_NULL)
		return p;
	if (tag != TAG_VALUE)
		return put_varint(p, zigzag((uint64_t)k));
	switch (kind) {
	case FCAT__AV_INT: return put_varint(p, zigzag((uint64_t)x->u.i));
	case FCAT__AV_REAL: memcpy(p, &x->u.d, 8); return p + 8;
	case FCAT__AV_TEXT:
		p = put_varint(p, x->u.s.len);
		memcpy(p, x->u.s.ptr, x->u.s.len);
		return p + x->u.s.len;
	default: return p;
	}
}

/* The most bytes event i can take. */
static size_t event_bound(const fcat__agg_events *e, const fcat__aval_kind *kinds, size_t i)
{
	size_t n = 21; /* two varints and the event byte */
	for (size_t c = 0; c < e->ninputs; c++) {
		const fcat__aval *x = &e->vals[i * e->ninputs + c];
		n += 11 + (kinds[c] == FCAT__AV_TEXT && !x->null ? x->u.s.len : 0);
	}
	return n;
}

void fcat__agg_row_encode(fcat__buf *out, const fcat__view *v, const fcat__agg_events *e)
{
	fcat__agg_when newest = e->n ? e->when[e->n - 1] : (fcat__agg_when){INT64_MIN, INT64_MIN};
	const size_t k = e->ninputs;
	unsigned char head[FCAT_ROW_HEADER_SIZE + 32 + 2 + 20] = {FCAT_ROW_MAGIC, ROW_FORMAT_AGG};
	memcpy(head + FCAT_ROW_EVENT_TS_OFFSET, &newest.ts, 8);
	memcpy(head + FCAT_ROW_CREATED_TS_OFFSET, &newest.created, 8);
	memcpy(head + FCAT_ROW_VERSION_OFFSET, v->data_hash, 32);
	unsigned u = time_unit(e);
	unsigned char *p = head + FCAT_ROW_HEADER_SIZE + 32;
	*p++ = BODY_MARK;
	*p++ = (unsigned char)u;
	p = put_varint(p, k);
	p = put_varint(p, e->n);
	fcat__buf_append(out, head, (size_t)(p - head));
	fcat__aval_kind kinds[FCAT__MAX_VIEW_COLUMNS];
	for (size_t c = 0; c < k; c++)
		kinds[c] = fcat__aval_kind_of(v->agg_input_types[c]);
	const int64_t unit = units[u];
	uint64_t prev = 0;
	for (size_t i = 0; i < e->n; i++) {
		const size_t bound = event_bound(e, kinds, i);
		unsigned char *start = (unsigned char *)fcat__buf_grow(out, bound);
		if (!start)
			return; /* out->oom tells the caller */
		const fcat__agg_when w = e->when[i];
		const fcat__aval *x = &e->vals[i * k];
		uint64_t q = (uint64_t)(w.ts / unit);
		p = put_varint(start, zigzag(q - prev));
		prev = q;
		int64_t dec = 0;
		unsigned char tag = k ? tag_of(x, kinds[0], &dec) : 0;
		bool has = w.created != INT64_MIN;
		*p++ = (unsigned char)(has | tag << 1);
		if (has)
			p = put_varint(p, zigzag((uint64_t)(w.created / unit) - q));
		for (size_t c = 0; c < k; c++) {
			if (c > 0)
				*p++ = tag = tag_of(&x[c], kinds[c], &dec);
			p = put_value(p, &x[c], kinds[c], tag, dec);
		}
		out->len -= bound - (size_t)(p - start);
		out->ptr[out->len] = 0;
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

static void get_value(reader *r, fcat__aval *x, fcat__aval_kind kind, unsigned tag,
                      unsigned max_tag)
{
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
	if (len >= body + 2 && row[0] == FCAT_ROW_MAGIC && row[1] == ROW_FORMAT_AGG &&
	    row[body] > BODY_MARK && row[body] <= BODY_MARK_LAST)
		return fcat__error(FCAT_EVERSION,
		                   "an aggregation row of view '%s' was written by a newer fcat "
		                   "(body 0x%02X): upgrade this one",
		                   v->base.name, row[body]);
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
	fcat__aval_kind kinds[FCAT__MAX_VIEW_COLUMNS];
	for (size_t c = 0; c < k; c++)
		kinds[c] = fcat__aval_kind_of(v->agg_input_types[c]);
	uint64_t q = 0;
	fcat__aval vals[FCAT__MAX_VIEW_COLUMNS];
	for (uint64_t i = 0; i < n && !r.bad; i++) {
		fcat__agg_when w;
		q += unzigzag(get_varint(&r));
		w.ts = (int64_t)(q * unit);
		unsigned eb = get_byte(&r); /* the first body: only the created flag */
		if ((v1 || k == 0) && eb > 1)
			r.bad = true;
		w.created = eb & 1 ? (int64_t)((q + unzigzag(get_varint(&r))) * unit) : INT64_MIN;
		for (size_t c = 0; c < k && !r.bad; c++) {
			unsigned tag = c == 0 && !v1 ? eb >> 1 : get_byte(&r);
			get_value(&r, &vals[c], kinds[c], tag, max_tag);
		}
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
