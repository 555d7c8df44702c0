/* csv_scan.c - reading the requested columns of a CSV file as typed batches:
 * the whole file (scan), or one of several byte ranges of it read at once
 * (scan_part). */
#include "csv_scan.h"

#include "csv_batch.h"
#include "plugin_scan.h"
#include "csv_message.h"
#include "csv_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct scan {
	const fcat_plugin_host *host;
	const fcat_scan_request *req;
	fcat_scan_fn fn;
	void *ctx;
	csv_reader r;
	fcatp_batch b;
	size_t *map; /* requested column -> field of the file */
	size_t nhead;
} scan;

static int check_request(const csv_store *st, const fcat_scan_request *req, fcat_scan_fn fn)
{
	const fcat_plugin_host *host = st->host;

	if (!req || !fn || (req->ncolumns && (!req->columns || !req->types)))
		return host->error(FCAT_EUSAGE, "csv: scan called without a request or callback");
	if (!req->path || !*req->path)
		return host->error(FCAT_EINVALID,
		                   "csv: the csv plugin reads files, and the source names none "
		                   "(give it a path)");
	return fcatp_check_ts_column(host, req, "csv", req->path);
}

char *csv_full_path(const csv_store *st, const char *path)
{
	if (path[0] == '/' || !st->root[0])
		return strdup(path);

	size_t a = strlen(st->root), b = strlen(path);
	char *p = malloc(a + b + 2);

	if (p) {
		memcpy(p, st->root, a);
		p[a] = '/';
		memcpy(p + a + 1, path, b + 1);
	}
	return p;
}

/* Reads records until one is whole (refilling freely: nothing is pending). */
static int next_record(scan *s)
{
	int rc;

	while ((rc = csv_reader_next(&s->r)) == CSV_REFILL)
		if ((rc = csv_reader_refill(&s->r)) != 0)
			return rc;
	return rc;
}

static int missing_column(scan *s, const char *column)
{
	const csv_reader *r = &s->r;
	size_t len = 1;

	for (size_t j = 0; j < r->nfields; j++)
		len += r->fields[j].len + 2;

	char *list = malloc(len), *p = list;

	if (!list)
		return s->host->error(FCAT_ENOMEM, "out of memory");
	for (size_t j = 0; j < r->nfields; j++) {
		if (j) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, r->fields[j].ptr, r->fields[j].len);
		p += r->fields[j].len;
	}
	*p = '\0';

	int rc = s->host->error(FCAT_EINVALID, "%s: no column '%s' in the header (columns: %s)",
	                        s->req->path, column, list);

	free(list);
	return rc;
}

/* Reads the header and maps the requested columns to fields. */
static int read_header(scan *s)
{
	const fcat_scan_request *req = s->req;
	int rc = next_record(s);

	if (rc < 0)
		return rc;
	if (rc == CSV_END) {
		if (req->ncolumns == 0)
			return 0;
		return s->host->error(FCAT_EINVALID,
		                      "%s: the file is empty, without even the "
		                      "header row that names its columns",
		                      req->path);
	}
	s->nhead = s->r.nfields;
	for (size_t i = 0; i < req->ncolumns; i++) {
		size_t n = strlen(req->columns[i]), j = 0;

		while (j < s->nhead && (s->r.fields[j].len != n ||
		                        memcmp(s->r.fields[j].ptr, req->columns[i], n) != 0))
			j++;
		if (j == s->nhead)
			return missing_column(s, req->columns[i]);
		s->map[i] = j;
	}
	return 0;
}

static int parse_cell(scan *s, fcat_value *cell, size_t i)
{
	const csv_field *f = &s->r.fields[s->map[i]];
	fcat_type type = s->req->types[i];
	int rc = csv_cell_parse(&s->b, cell, type, f->ptr, f->len, f->quoted);

	if (rc != 0) {
		csv_where w = {s->req->path, f->line, s->map[i] + 1, s->req->columns[i]};

		return csv_cell_error(s->host, rc, &w, type, f->ptr, f->len);
	}
	return 0;
}

/* Parses the current record into the next row of the batch. Returns 0 when
 * the row is kept, 1 when the time filter drops it, or an error. */
static int parse_row(scan *s)
{
	const fcat_scan_request *req = s->req;
	const csv_reader *r = &s->r;
	fcat_value *cells = s->b.cells + s->b.nrows * req->ncolumns;
	int ts = req->ts_column, rc;

	if (r->nfields != s->nhead)
		return s->host->error(FCAT_EINVALID,
		                      "%s:%lld: expected %zu fields (as in the "
		                      "header), found %zu",
		                      req->path, (long long)r->rec_line, s->nhead, r->nfields);
	if (ts >= 0) {
		if ((rc = parse_cell(s, &cells[ts], (size_t)ts)) != 0)
			return rc;
		if (cells[ts].is_null) {
			const csv_field *f = &r->fields[s->map[ts]];

			return s->host->error(FCAT_EINVALID,
			                      "%s:%lld:%zu (%s): the event timestamp "
			                      "is empty (a row needs one to be "
			                      "placed in time)",
			                      req->path, (long long)f->line, s->map[ts] + 1,
			                      req->columns[ts]);
		}
		if (cells[ts].u.ts < req->start || cells[ts].u.ts >= req->end)
			return 1;
	}
	for (size_t i = 0; i < req->ncolumns; i++)
		if ((int)i != ts && (rc = parse_cell(s, &cells[i], i)) != 0)
			return rc;
	s->b.nrows++;
	return 0;
}

/* Hands the batch to the callback. */
static int flush(scan *s)
{
	return fcatp_batch_flush(&s->b, s->fn, s->ctx);
}

/* Reads the records that start before file offset `limit`; span (may be
 * NULL) gets where the first one and the one after the last start. */
static int scan_rows(scan *s, uint64_t limit, fcat_scan_span *span)
{
	bool first = true;
	int rc;

	for (;;) {
		rc = csv_reader_next(&s->r);
		if (rc == CSV_REFILL) {
			/* the batch points into the buffer that moves */
			if ((rc = flush(s)) != 0 || (rc = csv_reader_refill(&s->r)) != 0)
				return rc;
			continue;
		}
		bool past = rc == CSV_RECORD && s->r.rec_off >= limit;

		if (rc == CSV_END || past) {
			if (span) {
				span->next = past ? s->r.rec_off : csv_reader_offset(&s->r);
				if (first)
					span->first = span->next;
			}
			return flush(s);
		}
		if (rc < 0)
			return rc;
		if (first && span)
			span->first = s->r.rec_off;
		first = false;
		if ((rc = parse_row(s)) < 0)
			return rc;
		if (s->b.nrows == s->b.rows_cap && (rc = flush(s)) != 0)
			return rc;
	}
}

int csv_scan(void *store, const fcat_scan_request *req, fcat_scan_fn fn, void *ctx)
{
	const csv_store *st = store;
	scan s = {.host = st->host, .req = req, .fn = fn, .ctx = ctx};
	int rc = check_request(st, req, fn);

	if (rc != 0)
		return rc;

	char *path = csv_full_path(st, req->path);

	s.r.fd = -1;
	s.map = malloc((req->ncolumns + 1) * sizeof *s.map);
	if (!path || !s.map) {
		rc = st->host->error(FCAT_ENOMEM, "out of memory");
		goto out;
	}
	rc = csv_reader_open(&s.r, st->host, path, req->path, st->chunk);
	if (rc == 0)
		rc = fcatp_batch_init(&s.b, st->host, req->ncolumns, st->batch_rows, CSV_BLOCK_SIZE,
		                      "");
	if (rc == 0)
		rc = read_header(&s);
	if (rc == 0)
		rc = scan_rows(&s, UINT64_MAX, NULL);
out:
	fcatp_batch_free(&s.b);
	csv_reader_close(&s.r);
	free(s.map);
	free(path);
	return rc;
}

/* Where part `part` of `nparts` of the data [from, size) is cut: a byte
 * offset. */
static uint64_t cut(uint64_t from, uint64_t size, unsigned part, unsigned nparts)
{
	uint64_t n = size - from;

	return from + n / nparts * part + n % nparts * part / nparts;
}

/* The guessed start of a part cut at `at` (> 0): just after the first
 * newline at or after at - 1, or the end of the file. The guess is wrong
 * when that newline is inside a quoted field; core finds out (the previous
 * part ends elsewhere). */
static int guess_start(scan *s, uint64_t at, uint64_t size, uint64_t *out)
{
	char buf[1 << 16];
	uint64_t off = at - 1;

	while (off < size) {
		ssize_t n = pread(s->r.fd, buf, sizeof buf, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return s->host->error(FCAT_EIO, "cannot read %s: %s", s->req->path,
			                      strerror(errno));
		if (n == 0)
			break;
		const char *nl = memchr(buf, '\n', (size_t)n);

		if (nl) {
			*out = off + (uint64_t)(nl - buf) + 1;
			return 0;
		}
		off += (uint64_t)n;
	}
	*out = size;
	return 0;
}

int csv_scan_part(void *store, const fcat_scan_request *req, fcat_scan_span *span, fcat_scan_fn fn,
                  void *ctx)
{
	const csv_store *st = store;
	scan s = {.host = st->host, .req = req, .fn = fn, .ctx = ctx};
	int rc = check_request(st, req, fn);

	if (rc != 0)
		return rc;
	if (!span || span->nparts == 0 || span->part >= span->nparts)
		return st->host->error(FCAT_EUSAGE, "csv: scan_part called with part %u of %u",
		                       span ? span->part : 0, span ? span->nparts : 0);

	char *path = csv_full_path(st, req->path);

	s.r.fd = -1;
	s.map = malloc((req->ncolumns + 1) * sizeof *s.map);
	if (!path || !s.map) {
		rc = st->host->error(FCAT_ENOMEM, "out of memory");
		goto out;
	}
	rc = csv_reader_open(&s.r, st->host, path, req->path, st->chunk);
	if (rc == 0)
		rc = fcatp_batch_init(&s.b, st->host, req->ncolumns, st->batch_rows, CSV_BLOCK_SIZE,
		                      "");
	if (rc == 0)
		rc = read_header(&s);
	if (rc != 0)
		goto out;

	/* the data after the header, cut in equal byte ranges; the last part
	 * reads to the end, as scan does, should the file have grown */
	struct stat sb;
	uint64_t from = csv_reader_offset(&s.r), size = from, limit = UINT64_MAX;

	if (fstat(s.r.fd, &sb) == 0 && (uint64_t)sb.st_size > from)
		size = (uint64_t)sb.st_size;
	if (span->part + 1 < span->nparts)
		limit = cut(from, size, span->part + 1, span->nparts);
	if (span->part > 0) {
		uint64_t start;

		rc = guess_start(&s, cut(from, size, span->part, span->nparts), size, &start);
		/* lines counted from the part's start: a failing part other
		 * than the first is scanned again whole by core */
		if (rc == 0)
			rc = csv_reader_seek(&s.r, start, 1);
	}
	if (rc == 0)
		rc = scan_rows(&s, limit, span);
out:
	fcatp_batch_free(&s.b);
	csv_reader_close(&s.r);
	free(s.map);
	free(path);
	return rc;
}

int csv_columns(void *store, const fcat_scan_request *req, fcat_columns_fn fn, void *ctx)
{
	const csv_store *st = store;
	scan s = {.host = st->host, .req = req};

	if (!req || !fn)
		return st->host->error(FCAT_EUSAGE, "csv: columns called without a request or "
		                                    "callback");
	if (!req->path || !*req->path)
		return st->host->error(FCAT_EINVALID, "csv: the csv plugin reads files, and the "
		                                      "source names none (give it a path)");

	char *path = csv_full_path(st, req->path);
	fcat_bytes *names = NULL;
	int rc;

	s.r.fd = -1;
	if (!path) {
		rc = st->host->error(FCAT_ENOMEM, "out of memory");
		goto out;
	}
	rc = csv_reader_open(&s.r, st->host, path, req->path, st->chunk);
	if (rc == 0)
		rc = next_record(&s);
	if (rc == CSV_END) {
		rc = fn(ctx, NULL, 0);
	} else if (rc == CSV_RECORD) {
		names = malloc((s.r.nfields + 1) * sizeof *names);
		if (!names) {
			rc = st->host->error(FCAT_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < s.r.nfields; i++)
			names[i] = (fcat_bytes){s.r.fields[i].ptr, s.r.fields[i].len};
		rc = fn(ctx, names, s.r.nfields);
	}
out:
	free(names);
	csv_reader_close(&s.r);
	free(path);
	return rc;
}
