/* agg_row.c - the online store's row of one entity of an aggregation
 * view. After the 24-byte row header of fcat_plugin.h (format byte 2; the
 * newest event's time and created time) and the 32-byte data hash of the
 * view version that wrote it:
 *   0xA1, varint inputs, varint events, then per event in time order:
 *   zigzag varint of ts minus the previous ts, a byte (1: a created time
 *   follows as zigzag varint of created minus ts; 0: none), and per input a
 *   tag byte (0 null, 1 value) and the value: integers as zigzag varints,
 *   reals as 8 bytes little-endian, text as varint length and bytes.
 * The events are those of the tiles a window can still reach. */
#include "aggregate/agg.h"

#include "fcat_plugin.h"
#include "util/error.h"

#include <string.h>

#define ROW_FORMAT_AGG 2
#define BODY_MARK      0xA1

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

void fcat__agg_row_encode(fcat__buf *out, const fcat__view *v, const fcat__agg_events *e)
{
	fcat__agg_when newest = e->n ? e->when[e->n - 1] : (fcat__agg_when){INT64_MIN, INT64_MIN};
	unsigned char head[FCAT_ROW_HEADER_SIZE] = {FCAT_ROW_MAGIC, ROW_FORMAT_AGG};
	memcpy(head + FCAT_ROW_EVENT_TS_OFFSET, &newest.ts, 8);
	memcpy(head + FCAT_ROW_CREATED_TS_OFFSET, &newest.created, 8);
	fcat__buf_append(out, head, sizeof head);
	fcat__buf_append(out, v->data_hash, 32);
	unsigned char mark = BODY_MARK;
	fcat__buf_append(out, &mark, 1);
	size_t k = e->ninputs;
	put_varint(out, k);
	put_varint(out, e->n);
	uint64_t prev = 0;
	for (size_t i = 0; i < e->n; i++) {
		const fcat__agg_when w = e->when[i];
		put_varint(out, zigzag((uint64_t)w.ts - prev));
		prev = (uint64_t)w.ts;
		unsigned char has = w.created != INT64_MIN;
		fcat__buf_append(out, &has, 1);
		if (has)
			put_varint(out, zigzag((uint64_t)w.created - (uint64_t)w.ts));
		for (size_t c = 0; c < k; c++) {
			const fcat__aval *x = &e->vals[i * k + c];
			unsigned char tag = !x->null;
			fcat__buf_append(out, &tag, 1);
			if (x->null)
				continue;
			switch (fcat__aval_kind_of(v->agg_input_types[c])) {
			case FCAT__AV_INT: put_varint(out, zigzag((uint64_t)x->u.i)); break;
			case FCAT__AV_REAL: fcat__buf_append(out, &x->u.d, 8); break;
			case FCAT__AV_TEXT:
				put_varint(out, x->u.s.len);
				fcat__buf_append(out, x->u.s.ptr, x->u.s.len);
				break;
			default: break;
			}
		}
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

int fcat__agg_row_decode(fcat__agg_events *e, int64_t *newest, const unsigned char *hash_out[1],
                         const fcat__view *v, const unsigned char *row, size_t len)
{
	e->n = 0;
	e->ninputs = v->nagg_inputs;
	if (len < FCAT_ROW_HEADER_SIZE + 32 + 1 || row[0] != FCAT_ROW_MAGIC ||
	    row[1] != ROW_FORMAT_AGG || row[FCAT_ROW_HEADER_SIZE + 32] != BODY_MARK)
		return fcat__error(FCAT_EINVALID, "not an aggregation row of view '%s'",
		                   v->base.name);
	memcpy(newest, row + FCAT_ROW_EVENT_TS_OFFSET, 8);
	*hash_out = row + FCAT_ROW_VERSION_OFFSET;
	reader r = {row + FCAT_ROW_HEADER_SIZE + 33, row + len, false};
	size_t k = (size_t)get_varint(&r);
	uint64_t n = get_varint(&r);
	if (r.bad || k != v->nagg_inputs || n > len)
		return fcat__error(
		    FCAT_EINVALID,
		    "an aggregation row of view '%s' has %zu columns, not %zu (written "
		    "by another version: materialize again)",
		    v->base.name, k, v->nagg_inputs);
	uint64_t prev = 0;
	fcat__aval vals[FCAT__MAX_VIEW_COLUMNS];
	for (uint64_t i = 0; i < n && !r.bad; i++) {
		fcat__agg_when w;
		prev += unzigzag(get_varint(&r));
		w.ts = (int64_t)prev;
		w.created =
		    get_byte(&r) ? (int64_t)((uint64_t)w.ts + unzigzag(get_varint(&r))) : INT64_MIN;
		for (size_t c = 0; c < k && !r.bad; c++) {
			fcat__aval *x = &vals[c];
			*x = (fcat__aval){.null = get_byte(&r) == 0};
			if (x->null)
				continue;
			switch (fcat__aval_kind_of(v->agg_input_types[c])) {
			case FCAT__AV_INT: x->u.i = (int64_t)unzigzag(get_varint(&r)); break;
			case FCAT__AV_REAL:
				if (r.end - r.p < 8) {
					r.bad = true;
					break;
				}
				memcpy(&x->u.d, r.p, 8);
				r.p += 8;
				break;
			case FCAT__AV_TEXT: {
				uint64_t sl = get_varint(&r);
				if (sl > (uint64_t)(r.end - r.p)) {
					r.bad = true;
					break;
				}
				x->u.s = (fcat_bytes){(const char *)r.p, (size_t)sl};
				r.p += sl;
				break;
			}
			default: break;
			}
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
