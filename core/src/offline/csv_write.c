/* csv_write.c - writing CSV, the exact inverse of the csv plugin's reader:
 * a null cell is empty, an empty text is "", a cell holding a comma, a
 * quote, CR or LF (or starting with a BOM) is quoted with its quotes
 * doubled, any other as it is. */
#include "offline/csv_write.h"

#include "training/column.h"
#include "util/error.h"
#include "util/parallel.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that make the reader end or quote a field. */
static const unsigned char special[256] = {[','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1};

void fcat__csv_cell(fcat__buf *out, const char *s, size_t len, bool null)
{
	if (null)
		return;
	/* a cell starting with a UTF-8 BOM is quoted: at the start of a file
	 * the reader would skip those bytes as the file's byte order mark */
	bool quote = len == 0 || (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0);
	for (size_t i = 0; i < len && !quote; i++)
		quote = special[(unsigned char)s[i]];
	if (!quote) {
		fcat__buf_append(out, s, len);
		return;
	}
	fcat__buf_putc(out, '"');
	for (const char *p = s, *end = s + len; p < end;) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		const char *stop = q ? q + 1 : end;
		fcat__buf_append(out, p, (size_t)(stop - p));
		if (q)
			fcat__buf_putc(out, '"'); /* doubled */
		p = stop;
	}
	fcat__buf_putc(out, '"');
}

/* One value in its text form. */
static int put_value(fcat__buf *out, const fcat_value *v)
{
	if (v->is_null || (v->type.scalar == FCAT_STRING && !v->type.is_array)) {
		fcat__csv_cell(out, v->u.str.ptr, v->u.str.len, v->is_null);
		return 0;
	}
	char *text = NULL;
	int rc = fcat_value_format(&text, v);
	if (rc == 0)
		fcat__csv_cell(out, text, strlen(text), false);
	fcat_free(text);
	return rc;
}

/* Writes out what `b` holds once it is large, or when `all`. */
static int flush(FILE *f, fcat__buf *b, bool all)
{
	if (b->oom)
		return fcat__error_oom();
	if (b->len < (1u << 20) && !all)
		return 0;
	size_t n = fwrite(b->ptr, 1, b->len, f);
	int rc = n == b->len ? 0 : -1;
	b->len = 0;
	return rc;
}

/* Rows [from, to) of the set as CSV text into b. */
static int format_rows(fcat__buf *b, const fcat_column *cols, size_t nc, size_t from, size_t to)
{
	fcat__buf scratch = {0};
	int rc = 0;
	for (size_t r = from; rc == 0 && r < to; r++) {
		for (size_t c = 0; rc == 0 && c < nc; c++) {
			fcat_value v;
			if (c)
				fcat__buf_putc(b, ',');
			rc = fcat__column_cell(&v, &cols[c], r, &scratch);
			if (rc == 0)
				rc = put_value(b, &v);
		}
		fcat__buf_putc(b, '\n');
	}
	fcat__buf_free(&scratch);
	return rc ? rc : b->oom ? fcat__error_oom() : 0;
}

/* Rows are formatted in chunks, a round of them at once on as many
 * threads (formatting numbers is most of a large set's writing), and
 * written in order. */
#define CHUNK_ROWS  32768
#define MAX_THREADS 8

typedef struct round {
	const fcat_column *cols;
	size_t nc, nr, first; /* the round's first row */
	fcat__buf text[MAX_THREADS];
} round;

static int format_chunk(void *ctx, size_t part, size_t nparts)
{
	(void)nparts;
	round *k = ctx;
	size_t from = k->first + part * CHUNK_ROWS;
	size_t to = k->nr - from < CHUNK_ROWS ? k->nr : from + CHUNK_ROWS;
	k->text[part].len = 0;
	return from < k->nr ? format_rows(&k->text[part], k->cols, k->nc, from, to) : 0;
}

static int write_rows(FILE *f, const fcat_training_set *set)
{
	size_t nc = fcat_training_set_column_count(set), nr = fcat_training_set_rows(set);
	fcat_column *cols = calloc(nc + 1, sizeof *cols);
	fcat__buf b = {0};
	int rc = cols ? 0 : fcat__error_oom();
	for (size_t c = 0; rc == 0 && c < nc; c++) {
		fcat_training_set_column(&cols[c], set, c);
		fcat__buf_puts(&b, c ? "," : "");
		fcat__csv_cell(&b, cols[c].name, strlen(cols[c].name), false);
	}
	fcat__buf_putc(&b, '\n');
	if (rc == 0)
		rc = flush(f, &b, true);
	round k = {.cols = cols, .nc = nc, .nr = nr};
	size_t threads = fcat__parallel_parts(MAX_THREADS);
	for (; rc == 0 && k.first < nr; k.first += threads * CHUNK_ROWS) {
		size_t left = (nr - k.first + CHUNK_ROWS - 1) / CHUNK_ROWS;
		size_t parts = left < threads ? left : threads;
		rc = fcat__parallel(parts, format_chunk, &k);
		for (size_t i = 0; rc == 0 && i < parts; i++)
			rc = flush(f, &k.text[i], true);
	}
	for (size_t i = 0; i < MAX_THREADS; i++)
		fcat__buf_free(&k.text[i]);
	fcat__buf_free(&b);
	free(cols);
	return rc;
}

int fcat__csv_write_set(const fcat_training_set *set, const char *path)
{
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return fcat__error(FCAT_EIO, "%s: cannot write", tmp);
	int rc = write_rows(f, set);
	bool bad = ferror(f) != 0;
	bad |= fclose(f) != 0;
	if (rc == 0 && (bad || rename(tmp, path) != 0))
		rc = fcat__error(FCAT_EIO, "%s: cannot write", path);
	if (rc)
		remove(tmp);
	return rc;
}
