/* pg_cell.c - PostgreSQL values (text format) as typed fcat cells, and the
 * batch that holds them. */
#include "pg_offline.h"

#include "plugin_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK_SIZE ((size_t)1 << 16)
#define MAX_SHOWN  64

typedef enum kind {
	K_TEXT, /* text and everything else: read as CSV text */
	K_INT,
	K_NUMERIC,
	K_FLOAT,
	K_BOOL,
	K_TS,
	K_TS_NAIVE,
	K_DATE,
	K_BYTEA,
} kind;

static kind kind_of(Oid oid, bool *is_array)
{
	*is_array = true;
	switch (oid) {
	case OID_BOOL_ARR: return K_BOOL;
	case OID_BYTEA_ARR: return K_BYTEA;
	case OID_INT2_ARR:
	case OID_INT4_ARR:
	case OID_INT8_ARR: return K_INT;
	case OID_NUMERIC_ARR: return K_NUMERIC;
	case OID_FLOAT4_ARR:
	case OID_FLOAT8_ARR: return K_FLOAT;
	case OID_TEXT_ARR:
	case OID_BPCHAR_ARR:
	case OID_VARCHAR_ARR: return K_TEXT;
	case OID_TIMESTAMP_ARR: return K_TS_NAIVE;
	case OID_TIMESTAMPTZ_ARR: return K_TS;
	case OID_DATE_ARR: return K_DATE;
	default: break;
	}
	*is_array = false;
	switch (oid) {
	case OID_BOOL: return K_BOOL;
	case OID_BYTEA: return K_BYTEA;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8: return K_INT;
	case OID_NUMERIC: return K_NUMERIC;
	case OID_FLOAT4:
	case OID_FLOAT8: return K_FLOAT;
	case OID_TIMESTAMP: return K_TS_NAIVE;
	case OID_TIMESTAMPTZ: return K_TS;
	case OID_DATE: return K_DATE;
	default: return K_TEXT;
	}
}

static const char *kind_name(kind k, bool arr)
{
	static const char *const n[] = {"text",        "an integer", "numeric", "a float", "bool",
	                                "timestamptz", "timestamp",  "date",    "bytea"};
	return arr ? "an array" : n[k];
}

/* ---- the batch ------------------------------------------------------------ */

int pg_batch_init(fcatp_batch *b, size_t ncols)
{
	return fcatp_batch_init(b, pg_host, ncols, PG_BATCH_ROWS, BLOCK_SIZE, "postgres: ");
}

/* ---- messages ------------------------------------------------------------- */

static int where_error(int code, const pg_where *w, const char *msg)
{
	if (w->entity_row)
		return pg_host->error(code,
		                      "postgres: %s%s%s, column '%s', the row matched by entity "
		                      "row %lld: %s",
		                      w->table ? "table '" : "", w->table ? w->table : "query",
		                      w->table ? "'" : "", w->column, (long long)w->row, msg);
	if (w->table)
		return pg_host->error(code, "postgres: table '%s', row %lld, column '%s': %s",
		                      w->table, (long long)w->row, w->column, msg);
	return pg_host->error(code, "postgres: query, row %lld, column '%s': %s", (long long)w->row,
	                      w->column, msg);
}

static int wrong_kind(fcat_type type, kind k, bool arr, const char *text, size_t len,
                      const pg_where *w, const char *detail)
{
	char tn[48], msg[512];
	int shown = len > MAX_SHOWN ? MAX_SHOWN : (int)len;
	fcatp_type_name(tn, sizeof tn, type);
	snprintf(msg, sizeof msg, "expected %s, found %s '%.*s'%s%s%s", tn, kind_name(k, arr),
	         shown, text, len > MAX_SHOWN ? "..." : "", detail ? ": " : "",
	         detail ? detail : "");
	return where_error(FCAT_EINVALID, w, msg);
}

/* ---- conversions ---------------------------------------------------------- */

/* Text read as the CSV plugin reads a cell: through host->value_parse. */
static int host_parse(fcatp_batch *b, fcat_value *cell, fcat_type type, const char *text,
                      size_t len, const pg_where *w)
{
	int rc = pg_host->value_parse(cell, type, text, len);
	if (rc != 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", pg_host->error_last());
		return where_error(rc, w, msg);
	}
	if (fcatp_batch_keep(b, cell, type))
		return where_error(FCAT_ENOMEM, w, "out of memory");
	return 0;
}

/* ISO output in UTC ("2026-01-01 10:00:00.5+00", "2026-01-01 10:00:00",
 * "2026-01-01") as RFC 3339 into out; false when it is not of that shape
 * (infinity, BC dates, five-digit years). */
static bool iso_to_rfc3339(char *out, size_t size, kind k, const char *t, size_t n)
{
	if (n < 10 || n + 16 > size || t[4] != '-' || t[7] != '-')
		return false;
	memcpy(out, t, n);
	out[n] = 0;
	if (k == K_DATE) {
		if (n != 10)
			return false;
		memcpy(out + 10, "T00:00:00Z", 11);
		return true;
	}
	if (n < 19 || out[10] != ' ')
		return false;
	out[10] = 'T';
	if (k == K_TS_NAIVE) {
		memcpy(out + n, "Z", 2);
		return true;
	}
	/* the offset: +HH, +HH:MM or +HH:MM:SS; UTC's is +00 */
	char *sign = strpbrk(out + 19, "+-");
	if (!sign)
		return false;
	if (strcmp(sign, "+00") == 0) {
		memcpy(sign, "Z", 2);
		return true;
	}
	if (strlen(sign) == 3)
		memcpy(sign + 3, ":00", 4);
	return true;
}

static int timestamp(fcat_value *cell, kind k, fcat_type type, const char *text, size_t len,
                     const pg_where *w)
{
	char buf[96];
	if (!iso_to_rfc3339(buf, sizeof buf, k, text, len) ||
	    pg_host->timestamp_parse(&cell->u.ts, buf, strlen(buf)) != 0)
		return wrong_kind(type, k, false, text, len, w, "not a time fcat can hold");
	cell->is_null = false;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int bytea(fcatp_batch *b, fcat_value *cell, fcat_type type, const char *text, size_t len,
                 const pg_where *w)
{
	if (len < 2 || text[0] != '\\' || text[1] != 'x' || len % 2)
		return wrong_kind(type, K_BYTEA, false, text, len, w, "not in hex format");
	size_t n = (len - 2) / 2;
	char *p = fcatp_batch_alloc(b, n);
	if (!p)
		return where_error(FCAT_ENOMEM, w, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(text[2 + 2 * i]), lo = hex_digit(text[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			return wrong_kind(type, K_BYTEA, false, text, len, w, "bad hex");
		p[i] = (char)(hi << 4 | lo);
	}
	cell->u.str = (fcat_bytes){p, n};
	cell->is_null = false;
	return 0;
}

/* ---- arrays --------------------------------------------------------------- */

static void jstring(fcatp_text *j, const char *s, size_t n)
{
	fcatp_text_put(j, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			fcatp_text_put(j, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			fcatp_text_put(j, esc, 6);
		} else {
			fcatp_text_put(j, s + i, 1);
		}
	}
	fcatp_text_put(j, "\"", 1);
}

/* One element (unescaped) as the JSON-ish text host->value_parse reads. */
static bool element(fcatp_text *j, kind k, const char *e, size_t n, bool quoted)
{
	char ts[96];
	if (!quoted && n == 4 && strncasecmp(e, "NULL", 4) == 0) {
		fcatp_text_put(j, "null", 4);
		return true;
	}
	switch (k) {
	case K_BOOL:
		if (n != 1 || (e[0] != 't' && e[0] != 'f'))
			return false;
		fcatp_text_put(j, e[0] == 't' ? "true" : "false", e[0] == 't' ? 4 : 5);
		return true;
	case K_TS:
	case K_TS_NAIVE:
	case K_DATE:
		if (!iso_to_rfc3339(ts, sizeof ts, k, e, n))
			return false;
		jstring(j, ts, strlen(ts));
		return true;
	case K_TEXT: jstring(j, e, n); return true;
	case K_BYTEA: return false;
	default: fcatp_text_put(j, e, n); return true;
	}
}

/* "{1,2}" / "{\"a b\",NULL}" as "[1,2]" / "[\"a b\",null]"; false when it is
 * not a one-dimensional array of a kind we read. */
static bool pg_array_to_json(fcatp_text *j, kind k, const char *t, size_t n)
{
	size_t i = 0;
	const char *eq = memchr(t, '=', n);
	if (n && t[0] == '[' && eq) /* "[0:1]={...}": bounds other than 1 */
		i = (size_t)(eq - t) + 1;
	if (i >= n || t[i] != '{' || t[n - 1] != '}')
		return false;
	i++;
	fcatp_text_put(j, "[", 1);
	if (i == n - 1) {
		fcatp_text_put(j, "]", 1);
		return true;
	}
	fcatp_text el = {0};
	bool ok = true;
	for (bool first = true; ok; first = false) {
		bool quoted = false;
		el.len = 0;
		if (t[i] == '{') {
			ok = false; /* more than one dimension */
			break;
		}
		if (t[i] == '"') {
			quoted = true;
			for (i++; i < n - 1 && t[i] != '"'; i++) {
				if (t[i] == '\\' && i + 1 < n - 1)
					i++;
				fcatp_text_put(&el, t + i, 1);
			}
			if (i >= n - 1) {
				ok = false;
				break;
			}
			i++;
		} else {
			size_t s = i;
			while (i < n - 1 && t[i] != ',')
				i++;
			fcatp_text_put(&el, t + s, i - s);
		}
		if (!first)
			fcatp_text_put(j, ",", 1);
		ok = element(j, k, el.p ? el.p : "", el.len, quoted);
		if (i == n - 1)
			break;
		if (t[i] != ',')
			ok = false;
		i++;
	}
	free(el.p);
	fcatp_text_put(j, "]", 1);
	return ok && !el.oom;
}

static int array(fcatp_batch *b, fcat_value *cell, fcat_type type, kind k, const char *text,
                 size_t len, const pg_where *w)
{
	fcatp_text j = {0};
	bool numeric = type.scalar != FCAT_STRING && type.scalar != FCAT_BYTES &&
	               type.scalar != FCAT_BOOL && type.scalar != FCAT_TIMESTAMP;
	bool fits =
	    (k == K_TEXT && type.scalar == FCAT_STRING) ||
	    (k == K_BOOL && type.scalar == FCAT_BOOL) ||
	    ((k == K_TS || k == K_TS_NAIVE || k == K_DATE) && type.scalar == FCAT_TIMESTAMP) ||
	    ((k == K_INT || k == K_NUMERIC) && numeric) ||
	    (k == K_FLOAT && (type.scalar == FCAT_FLOAT32 || type.scalar == FCAT_FLOAT64));
	if (!fits || !pg_array_to_json(&j, k, text, len)) {
		bool oom = j.oom;
		free(j.p);
		if (oom)
			return where_error(FCAT_ENOMEM, w, "out of memory");
		return wrong_kind(type, k, true, text, len, w, NULL);
	}
	int rc = host_parse(b, cell, type, j.p, j.len, w);
	free(j.p);
	return rc;
}

/* ---- a cell --------------------------------------------------------------- */

int pg_cell(fcatp_batch *b, fcat_value *cell, fcat_type type, Oid oid, const char *text, size_t len,
            const pg_where *w)
{
	bool arr;
	kind k = kind_of(oid, &arr);
	*cell = (fcat_value){.type = type, .is_null = true};
	if (!text)
		return 0;
	if (arr) {
		if (!type.is_array)
			return wrong_kind(type, k, true, text, len, w, NULL);
		return array(b, cell, type, k, text, len, w);
	}
	fcat_scalar s = type.is_array ? FCAT_INVALID : type.scalar;
	switch (k) {
	case K_TEXT:
		if (s == FCAT_STRING) {
			cell->u.str = (fcat_bytes){text, len};
			cell->is_null = false;
			return 0;
		}
		return host_parse(b, cell, type, text, len, w);
	case K_INT:
		if (s == FCAT_STRING || s == FCAT_BYTES || s == FCAT_INVALID)
			break;
		return host_parse(b, cell, type, text, len, w);
	case K_NUMERIC:
	case K_FLOAT:
		if (s == FCAT_FLOAT32 || s == FCAT_FLOAT64 ||
		    (k == K_NUMERIC && (s == FCAT_INT32 || s == FCAT_INT64)))
			return host_parse(b, cell, type, text, len, w);
		break;
	case K_BOOL:
		if (s != FCAT_BOOL || len != 1 || (text[0] != 't' && text[0] != 'f'))
			break;
		cell->u.b = text[0] == 't';
		cell->is_null = false;
		return 0;
	case K_TS:
	case K_TS_NAIVE:
	case K_DATE:
		if (s != FCAT_TIMESTAMP)
			break;
		return timestamp(cell, k, type, text, len, w);
	case K_BYTEA:
		if (s != FCAT_BYTES)
			break;
		return bytea(b, cell, type, text, len, w);
	}
	return wrong_kind(type, k, false, text, len, w, NULL);
}
