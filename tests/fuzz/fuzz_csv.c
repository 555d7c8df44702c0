/* fuzz_csv.c - fuzzes the CSV reader: the csv plugin (plugins/csv: the RFC
 * 4180 tokeniser over a chunked buffer, typed cells, its fast number and
 * time parsers, the header probe) scanning a fuzzed file, compiled into this
 * target and handed core's host table, as core's loader does.
 *
 * Input: byte 0 picks the read buffer size (1 to 64 bytes, so that every
 * record crosses refills, or the default), byte 1 the rows per batch, byte
 * 2 and 3 the types of the requested columns (and whether the first is the
 * event timestamp of a time window); the rest is the file.
 * Properties: no crash, UB or leak; a refusal is FCAT_EINVALID (or
 * FCAT_ENOMEM) naming the file; each cell scanned is null or of its
 * column's type; and the file read as text round-trips: its cells written
 * back with core's CSV writer (offline/csv_write.c) read back the same. */
#include "fuzz_util.h"

#include "offline/csv_write.h"
#include "plugin/loader.h"
#include "util/buf.h"

#include "fcat.h"
#include "fcat_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 32

const fcat_plugin *fcat_plugin_entry(const fcat_plugin_host *host);

static const fcat_offline_ops *ops;
static char buffer_size[16], batch_rows[16];

static const char *setting(const fcat_plugin_config *c, const char *key)
{
	(void)c;
	if (!strcmp(key, "buffer_size"))
		return buffer_size[0] ? buffer_size : NULL;
	if (!strcmp(key, "batch_rows"))
		return batch_rows[0] ? batch_rows : NULL;
	return NULL;
}

/* The header's names, as columns() gives them. */
typedef struct header {
	char *names[MAX_COLS];
	size_t n, total;
} header;

static int keep_header(void *ctx, const fcat_bytes *names, size_t n)
{
	header *h = ctx;
	h->total = n;
	for (size_t i = 0; i < n && h->n < MAX_COLS; i++) {
		/* a name holding a NUL cannot be asked for by name */
		if (memchr(names[i].ptr, '\0', names[i].len))
			continue;
		h->names[h->n++] = fuzz_strndup(names[i].ptr, names[i].len);
	}
	return 0;
}

/* What a scan gave: its cells one after the other, each a null flag, a
 * length and the bytes (strings), or its text form (other types). */
typedef struct cells {
	fcat__buf b;
	const fcat_type *types;
	size_t ncols, nrows;
	bool any_null;
} cells;

static int keep_cells(void *ctx, const fcat_value *v, size_t nrows)
{
	cells *c = ctx;
	for (size_t i = 0; i < nrows * c->ncols; i++) {
		const fcat_type *t = &c->types[i % c->ncols];
		fuzz_check(v[i].is_null || fcat_type_equal(v[i].type, *t),
		           "a cell of another type than its column's");
		c->any_null |= v[i].is_null;
		fcat__buf_putc(&c->b, v[i].is_null ? 'N' : 'V');
		if (v[i].is_null)
			continue;
		if (t->scalar == FCAT_STRING && !t->is_array) {
			fcat__buf_printf(&c->b, "%zu:", v[i].u.str.len);
			fcat__buf_append(&c->b, v[i].u.str.ptr, v[i].u.str.len);
		} else {
			char *s = NULL;
			fuzz_check(fcat_value_format(&s, &v[i]) == 0, "format failed");
			fcat__buf_puts(&c->b, s);
			fcat_free(s);
		}
	}
	c->nrows += nrows;
	return 0;
}

static int scan(void *store, const char *path, const char *const *names, const fcat_type *types,
                size_t n, int ts_column, cells *out)
{
	fcat_scan_request req = {
	    .path = path, .columns = names, .types = types, .ncolumns = n, .ts_column = ts_column};
	req.start = INT64_C(1767225600) * 1000000; /* 2026-01-01 */
	req.end = INT64_C(1798761600) * 1000000;   /* 2027-01-01 */
	*out = (cells){.types = types, .ncols = n};
	int rc = ops->scan(store, &req, keep_cells, out);
	if (rc != 0) {
		fuzz_check(rc == FCAT_EINVALID || rc == FCAT_ENOMEM, "scan: %d (%s)", rc,
		           fcat_error_last());
		fuzz_check(rc != FCAT_EINVALID || strstr(fcat_error_last(), path),
		           "the message does not name %s: %s", path, fcat_error_last());
	}
	return rc;
}

/* The columns with types taken from two bytes; the first may be the event
 * timestamp. */
static void scan_typed(void *store, const header *h, unsigned b2, unsigned b3)
{
	fcat_type types[MAX_COLS];
	for (size_t i = 0; i < h->n; i++)
		types[i] = (fcat_type){.scalar = (fcat_scalar)(1 + (b2 + i * 3) % 8),
		                       .is_array = (b3 >> (i % 8)) & 1,
		                       .dim = (b3 >> 7) ? 2 : 0};
	int ts = -1;
	if (h->n && (b2 & 0x80)) {
		types[0] = (fcat_type){FCAT_TIMESTAMP, false, 0};
		ts = 0;
	}
	cells c;
	(void)scan(store, "in.csv", (const char *const *)h->names, types, h->n, ts, &c);
	fcat__buf_free(&c.b);
}

/* Reads every column as text, writes the cells back as CSV, reads that:
 * the same cells. */
static void text_round_trip(void *store, const header *h)
{
	fcat_type types[MAX_COLS];
	for (size_t i = 0; i < h->n; i++)
		types[i] = (fcat_type){FCAT_STRING, false, 0};
	cells first, second;
	int rc = scan(store, "in.csv", (const char *const *)h->names, types, h->n, -1, &first);
	/* a duplicate name reads its first column: not the file's shape;
	 * a lone column's null is an empty line, which a reader skips */
	bool unique = h->n == h->total;
	for (size_t i = 0; unique && i < h->n; i++)
		for (size_t k = 0; k < i; k++)
			unique &= strcmp(h->names[i], h->names[k]) != 0;
	if (rc != 0 || !unique || (h->n == 1 && first.any_null)) {
		fcat__buf_free(&first.b);
		return;
	}
	fcat__buf out = {0};
	for (size_t i = 0; i < h->n; i++) {
		fcat__buf_puts(&out, i ? "," : "");
		fcat__csv_cell(&out, h->names[i], strlen(h->names[i]), false);
	}
	fcat__buf_putc(&out, '\n');
	const char *p = first.b.ptr;
	for (size_t r = 0; r < first.nrows; r++) {
		for (size_t i = 0; i < h->n; i++) {
			fcat__buf_puts(&out, i ? "," : "");
			if (*p++ == 'N')
				continue;
			char *end;
			size_t len = strtoull(p, &end, 10);
			fcat__csv_cell(&out, end + 1, len, false);
			p = end + 1 + len;
		}
		fcat__buf_putc(&out, '\n');
	}
	fuzz_check(!out.oom, "out of memory");
	fuzz_write("out.csv", out.ptr, out.len);
	rc = scan(store, "out.csv", (const char *const *)h->names, types, h->n, -1, &second);
	fuzz_check(rc == 0, "the written file does not read back: %s\n%s", fcat_error_last(),
	           out.ptr);
	fuzz_check(first.nrows == second.nrows && first.b.len == second.b.len &&
	               (!first.b.len || memcmp(first.b.ptr, second.b.ptr, first.b.len) == 0),
	           "the written file reads back other cells:\n%s", out.ptr);
	fcat__buf_free(&out);
	fcat__buf_free(&first.b);
	fcat__buf_free(&second.b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ops) {
		const fcat_plugin *p = fcat_plugin_entry(&fcat__plugin_host);
		fuzz_check(p && p->offline, "the csv plugin refused the host");
		ops = p->offline;
	}
	if (size < 4)
		return 0;
	if (data[0] < 192)
		snprintf(buffer_size, sizeof buffer_size, "%u", 1 + data[0] % 64);
	else
		buffer_size[0] = '\0';
	if (data[1] < 128)
		snprintf(batch_rows, sizeof batch_rows, "%u", 1 + data[1] % 5);
	else
		batch_rows[0] = '\0';
	fuzz_write("in.csv", data + 4, size - 4);
	fcat_plugin_config config = {
	    .repo_root = fuzz_dir(), .project = "fuzz", .section = "source", .get = setting};
	void *store = NULL;
	fuzz_check(ops->open(&store, &config) == 0, "open: %s", fcat_error_last());
	header h = {0};
	fcat_scan_request req = {.path = "in.csv", .ts_column = -1};
	int rc = ops->columns(store, &req, keep_header, &h);
	if (rc == 0) {
		scan_typed(store, &h, data[2], data[3]);
		text_round_trip(store, &h);
	} else {
		fuzz_check(rc == FCAT_EINVALID || rc == FCAT_ENOMEM, "columns: %d", rc);
	}
	for (size_t i = 0; i < h.n; i++)
		free(h.names[i]);
	ops->close(store);
	return 0;
}
