/* cmd_push.c - `fcat push --source NAME`: rows of a push source read from
 * standard input as JSON lines or CSV, each value decoded by the library by
 * its column's type, then pushed in one fcat_push call (all or nothing). */
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* The most rows one invocation reads: all of them are held in memory until
 * the one fcat_push call. */
#define PUSH_MAX_ROWS 1000000

static const char help[] =
    "usage: fcat push --source NAME [--to online|offline|online_and_offline]\n"
    "                 [--format jsonl|csv] [--as PRINCIPAL] [--repo DIR] < ROWS\n\n"
    "Pushes rows of a push source, read from standard input, through the library\n"
    "call the HTTP server's POST /push makes (fcat_push): every row is checked\n"
    "against the push source's schema, then appended to its batch source\n"
    "offline and/or written online through every online view over that source,\n"
    "through the view's transform exactly as materialize writes it. All or\n"
    "nothing: a bad row, a denied principal or a failing transform writes\n"
    "nothing. The applied catalog version is used.\n\n"
    "  --source NAME  the push source (fcat list push_sources)\n"
    "  --to WHERE     online (the default), offline, or online_and_offline\n"
    "  --format F     jsonl or csv; without it the input is JSON lines when its\n"
    "                 first non-blank byte is '{', and CSV otherwise\n\n"
    "JSON lines: one object per line, {\"column\": value, ...}, values as Feast's\n"
    "JSON has them (timestamps as epoch seconds or RFC 3339 strings, bytes as\n"
    "base64, arrays as JSON arrays); a column left out of a line is null.\n"
    "CSV: a header row of column names, then rows in the text form of CSV\n"
    "sources (RFC 4180 quoting; an empty cell is null, a quoted \"\" the empty\n"
    "string or bytes). A column absent from the whole input is left out of the\n"
    "push, which only the batch source's created timestamp may be. Blank lines\n"
    "are skipped; a UTF-8 byte order mark is ignored.\n\n"
    "At most 1000000 rows per invocation. Errors name the line of stdin and the\n"
    "column (stdin:3: column 'n': expected int64, got string) and exit 1. The\n"
    "principal (--as, else $FCAT_PRINCIPAL) needs `write` on every feature view\n"
    "over the push source's batch source. On success one line tells the rows\n"
    "pushed, the online views and keys written and the rows appended offline.\n";

/* Lines of standard input, numbered from 1, without their '\n'. */
typedef struct input {
	FILE *f;
	char *buf;
	size_t cap;
	size_t len;  /* of the current line */
	long lineno; /* of the current line */
	bool again;  /* next_line returns the current line once more */
} input;

static bool next_line(input *in)
{
	if (in->again) {
		in->again = false;
		return true;
	}
	ssize_t n = getline(&in->buf, &in->cap, in->f);
	if (n < 0)
		return false;
	in->lineno++;
	in->len = (size_t)n;
	if (in->len && in->buf[in->len - 1] == '\n')
		in->buf[--in->len] = '\0';
	if (in->lineno == 1 && in->len >= 3 && !memcmp(in->buf, "\xef\xbb\xbf", 3)) {
		memmove(in->buf, in->buf + 3, in->len - 2);
		in->len -= 3;
	}
	return true;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!memchr(" \t\r\f\v", s[i], 5))
			return false;
	return true;
}

/* The pushed rows, column by column: every column of the push source's
 * schema holds one value per row, null until the input gives one. */
typedef struct batch {
	const char *source_name;
	const fcat_object *source;
	size_t ncols;
	fcat_value **values; /* [column][row] */
	bool *given;         /* the input names the column */
	long *lines;         /* the stdin line of each row */
	size_t nrows, cap;
} batch;

static int oom(void)
{
	fprintf(stderr, "error: out of memory\n");
	return EXIT_USER;
}

static void batch_free(batch *b)
{
	for (size_t c = 0; b->values && c < b->ncols; c++) {
		for (size_t r = 0; b->values[c] && r < b->nrows; r++)
			fcat_value_clear(&b->values[c][r]);
		free(b->values[c]);
	}
	free(b->values);
	free(b->given);
	free(b->lines);
}

static int batch_init(batch *b, const char *name, const fcat_object *source)
{
	*b = (batch){.source_name = name, .source = source};
	b->ncols = fcat_source_column_count(source);
	b->values = calloc(b->ncols ? b->ncols : 1, sizeof *b->values);
	b->given = calloc(b->ncols ? b->ncols : 1, sizeof *b->given);
	return b->values && b->given ? 0 : oom();
}

/* Adds a row of nulls, read at stdin line `line`. */
static int batch_add_row(batch *b, long line)
{
	if (b->nrows == PUSH_MAX_ROWS) {
		fprintf(stderr,
		        "error: stdin:%ld: more than %d rows; fcat push takes at most %d rows at "
		        "a time (split the input)\n",
		        line, PUSH_MAX_ROWS, PUSH_MAX_ROWS);
		return EXIT_USER;
	}
	if (b->nrows == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		long *lines = realloc(b->lines, cap * sizeof *lines);
		if (!lines)
			return oom();
		b->lines = lines;
		for (size_t c = 0; c < b->ncols; c++) {
			fcat_value *v = realloc(b->values[c], cap * sizeof *v);
			if (!v)
				return oom();
			b->values[c] = v;
		}
		b->cap = cap;
	}
	for (size_t c = 0; c < b->ncols; c++)
		b->values[c][b->nrows] =
		    (fcat_value){.type = fcat_source_column_type(b->source, c), .is_null = true};
	b->lines[b->nrows++] = line;
	return 0;
}

static size_t column_index(const batch *b, const char *name, size_t len)
{
	for (size_t c = 0; c < b->ncols; c++) {
		const char *n = fcat_source_column_name(b->source, c);
		if (strlen(n) == len && !memcmp(n, name, len))
			return c;
	}
	return b->ncols;
}

static int unknown_column(const batch *b, long line, const char *name, size_t len)
{
	fprintf(stderr,
	        "error: stdin:%ld: column '%.*s' is not in push source '%s' (columns:", line,
	        (int)len, name, b->source_name);
	for (size_t c = 0; c < b->ncols; c++)
		fprintf(stderr, "%s %s", c ? "," : "", fcat_source_column_name(b->source, c));
	fprintf(stderr, ")\n");
	return EXIT_USER;
}

static int value_error(long line)
{
	fprintf(stderr, "error: stdin:%ld: %s\n", line, fcat_error_last());
	return EXIT_USER;
}

/* ---- JSON lines ---------------------------------------------------------- */

/* One line: an object whose members are columns; each value goes back to
 * JSON text for fcat_json_decode_value, which decides what it may be. */
static int jsonl_row(batch *b, const char *text, size_t len, long line)
{
	json_error_t err;
	json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (!obj) {
		fprintf(stderr, "error: stdin:%ld: not valid JSON: %s (column %d)\n", line,
		        err.text, err.column);
		return EXIT_USER;
	}
	int rc = 0;
	if (!json_is_object(obj)) {
		fprintf(stderr,
		        "error: stdin:%ld: expected a JSON object {\"column\": value, ...}\n",
		        line);
		rc = EXIT_USER;
	}
	if (rc == 0)
		rc = batch_add_row(b, line);
	const char *key;
	json_t *value;
	json_object_foreach(obj, key, value)
	{
		if (rc)
			break;
		size_t c = column_index(b, key, strlen(key));
		if (c == b->ncols) {
			rc = unknown_column(b, line, key, strlen(key));
			break;
		}
		char *json =
		    json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
		if (!json) {
			rc = oom();
			break;
		}
		char where[300];
		snprintf(where, sizeof where, "column '%s'", key);
		if (fcat_json_decode_value(&b->values[c][b->nrows - 1],
		                           fcat_source_column_type(b->source, c), json,
		                           strlen(json), where) != 0)
			rc = value_error(line);
		b->given[c] = true;
		free(json);
	}
	json_decref(obj);
	return rc;
}

static int read_jsonl(batch *b, input *in)
{
	int rc = 0;
	while (rc == 0 && next_line(in))
		if (!blank(in->buf, in->len))
			rc = jsonl_row(b, in->buf, in->len, in->lineno);
	return rc;
}

/* ---- CSV ----------------------------------------------------------------- */

typedef struct field {
	const char *ptr;
	size_t len;
	bool quoted;
} field;

/* Whether a record is inside a quoted field after the line `s`, which
 * starts inside one when `quoted`: a quote opens a field only at its start,
 * and "" inside one is a quote. */
static bool csv_scan(const char *s, size_t len, bool quoted)
{
	enum { START, PLAIN, QUOTED, AFTER_QUOTE } st = quoted ? QUOTED : START;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (st == QUOTED)
			st = c == '"' ? AFTER_QUOTE : QUOTED;
		else if (c == ',')
			st = START;
		else if (c == '"' && (st == START || st == AFTER_QUOTE))
			st = QUOTED;
		else
			st = PLAIN;
	}
	return st == QUOTED;
}

/* One record, which a quoted field may carry over several lines, read into
 * rec (without its line end). 0 with *nrec at its length, CSV_END at the
 * end of the input, or an exit code. */
#define CSV_END (-1)
static int csv_record(char **rec, size_t *cap, size_t *nrec, long *line, input *in)
{
	bool quoted = false;
	*nrec = 0;
	for (;;) {
		if (!next_line(in)) {
			if (!quoted)
				return CSV_END;
			fprintf(stderr,
			        "error: stdin:%ld: the quoted field that starts here is never "
			        "closed\n",
			        *line);
			return EXIT_USER;
		}
		if (!quoted) {
			*line = in->lineno;
			if (blank(in->buf, in->len))
				continue;
		}
		if (*nrec + in->len + 2 > *cap) {
			size_t ncap = (*nrec + in->len + 2) * 2;
			char *p = realloc(*rec, ncap);
			if (!p)
				return oom();
			*rec = p, *cap = ncap;
		}
		if (quoted)
			(*rec)[(*nrec)++] = '\n';
		memcpy(*rec + *nrec, in->buf, in->len);
		*nrec += in->len;
		(*rec)[*nrec] = '\0';
		quoted = csv_scan(in->buf, in->len, quoted);
		if (!quoted) {
			if (*nrec && (*rec)[*nrec - 1] == '\r')
				(*rec)[--*nrec] = '\0';
			return 0;
		}
	}
}

/* Splits a record into fields in place (RFC 4180: a quote inside a quoted
 * field is written ""). Returns the count or -1 after printing the error. */
static long csv_split(field **fields, size_t *cap, char *rec, size_t len, long line)
{
	size_t n = 0;
	char *p = rec, *end = rec + len;
	for (;;) {
		if (n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			field *f = realloc(*fields, ncap * sizeof *f);
			if (!f) {
				oom();
				return -1;
			}
			*fields = f, *cap = ncap;
		}
		field *f = &(*fields)[n++];
		if (p < end && *p == '"') {
			char *out = ++p;
			f->ptr = out;
			f->quoted = true;
			for (;;) {
				if (p == end) {
					fprintf(stderr,
					        "error: stdin:%ld: field %zu: the quoted field is "
					        "never closed\n",
					        line, n);
					return -1;
				}
				if (p + 1 < end && p[0] == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
			f->len = (size_t)(out - f->ptr);
			if (p < end && *p != ',') {
				fprintf(stderr,
				        "error: stdin:%ld: field %zu: unexpected '%c' after the "
				        "closing quote (a quote inside a quoted field is written "
				        "\"\")\n",
				        line, n, *p);
				return -1;
			}
		} else {
			char *comma = memchr(p, ',', (size_t)(end - p));
			f->ptr = p;
			f->quoted = false;
			p = comma ? comma : end;
			f->len = (size_t)(p - f->ptr);
		}
		if (p == end)
			return (long)n;
		p++; /* the comma */
	}
}

/* A cell as the CSV source reads it: fcat_value_parse, where the empty text
 * is null, except a quoted "" for a string or bytes column: the empty one. */
static int csv_cell(fcat_value *out, fcat_type type, const field *f, const char *column, long line)
{
	int rc;
	if (f->len == 0 && f->quoted && !type.is_array &&
	    (type.scalar == FCAT_STRING || type.scalar == FCAT_BYTES))
		rc = fcat_json_decode_value(out, type, "\"\"", 2, column);
	else
		rc = fcat_value_parse(out, type, f->ptr, f->len);
	if (rc == 0)
		return 0;
	fprintf(stderr, "error: stdin:%ld: column '%s': %s\n", line, column, fcat_error_last());
	return EXIT_USER;
}

static int read_csv(batch *b, input *in)
{
	char *rec = NULL;
	size_t rec_cap = 0, nrec, fields_cap = 0;
	field *fields = NULL;
	size_t *map = NULL; /* header field -> column */
	long line = 0, nheader = 0, header_line = 0;
	int rc = csv_record(&rec, &rec_cap, &nrec, &line, in);
	if (rc == 0) {
		header_line = line;
		nheader = csv_split(&fields, &fields_cap, rec, nrec, line);
		rc = nheader < 0 ? EXIT_USER : 0;
	}
	if (rc == 0 && !(map = calloc((size_t)nheader, sizeof *map)))
		rc = oom();
	for (long i = 0; rc == 0 && i < nheader; i++) {
		const field *f = &fields[i];
		map[i] = column_index(b, f->ptr, f->len);
		if (map[i] == b->ncols) {
			rc = unknown_column(b, line, f->ptr, f->len);
		} else if (b->given[map[i]]) {
			fprintf(stderr,
			        "error: stdin:%ld: column '%.*s' is named twice in the header\n",
			        line, (int)f->len, f->ptr);
			rc = EXIT_USER;
		}
		if (rc == 0)
			b->given[map[i]] = true;
	}
	while (rc == 0 && (rc = csv_record(&rec, &rec_cap, &nrec, &line, in)) == 0) {
		long n = csv_split(&fields, &fields_cap, rec, nrec, line);
		if (n < 0) {
			rc = EXIT_USER;
		} else if (n != nheader) {
			fprintf(stderr,
			        "error: stdin:%ld: %ld field%s, but the header (line %ld) has "
			        "%ld\n",
			        line, n, n == 1 ? "" : "s", header_line, nheader);
			rc = EXIT_USER;
		} else {
			rc = batch_add_row(b, line);
		}
		for (long i = 0; rc == 0 && i < n; i++) {
			size_t c = map[i];
			const char *name = fcat_source_column_name(b->source, c);
			rc =
			    csv_cell(&b->values[c][b->nrows - 1],
			             fcat_source_column_type(b->source, c), &fields[i], name, line);
		}
	}
	free(rec);
	free(fields);
	free(map);
	return rc == CSV_END ? 0 : rc;
}

/* ---- the command --------------------------------------------------------- */

/* The push source `name` of the store's applied catalog, or an exit code
 * after naming what is wrong. */
static int find_source(const fcat_object **out, const fcat_store *store, const char *name)
{
	const fcat_catalog *catalog = fcat_store_catalog(store);
	if (fcat_catalog_lookup(out, catalog, name) != 0) {
		size_t n = fcat_catalog_count(catalog, FCAT_OBJ_PUSH_SOURCE);
		fprintf(stderr, "error: unknown push source '%s' (push sources:", name);
		for (size_t i = 0; i < n; i++)
			fprintf(
			    stderr, "%s %s", i ? "," : "",
			    fcat_object_name(fcat_catalog_at(catalog, FCAT_OBJ_PUSH_SOURCE, i)));
		fprintf(stderr, "%s)\n", n ? "" : " none");
		return EXIT_USER;
	}
	fcat_object_kind kind = fcat_object_kind_of(*out);
	if (kind != FCAT_OBJ_PUSH_SOURCE) {
		const char *kn = fcat_object_kind_name(kind);
		fprintf(stderr, "error: '%s' is %s %s, not a push source\n", name,
		        strchr("aeiou", kn[0]) ? "an" : "a", kn);
		return EXIT_USER;
	}
	return 0;
}

/* The format the input's first non-blank line starts with: '{' JSON lines,
 * else CSV. That line is read again by the format's reader. */
static bool looks_like_jsonl(input *in)
{
	while (next_line(in)) {
		if (blank(in->buf, in->len))
			continue;
		in->again = true;
		size_t i = strspn(in->buf, " \t\r\f\v");
		return in->buf[i] == '{';
	}
	return false;
}

/* fcat_push's error, which names a row of the push (1-based), also naming
 * the line of stdin it came from. */
static int push_failed(int code, const batch *b)
{
	const char *msg = fcat_error_last(), *row = strstr(msg, ", row ");
	unsigned long long r;
	if (code != FCAT_EINVALID || !row || sscanf(row, ", row %llu,", &r) != 1 || r < 1 ||
	    r > b->nrows || strchr(msg, '\n'))
		return cli_fail(code);
	fprintf(stderr, "error: stdin:%ld: %s\n", b->lines[r - 1], msg);
	return EXIT_USER;
}

static int push(cli_ctx *ctx, const char *name, fcat_push_to to, const char *format)
{
	fcat_store *store;
	const fcat_object *source;
	int rc = cli_open_store(&store, ctx);
	if (rc)
		return rc;
	batch b = {0};
	if ((rc = find_source(&source, store, name)) || (rc = batch_init(&b, name, source))) {
		fcat_store_free(store);
		return rc;
	}
	input in = {.f = stdin};
	bool jsonl = format ? !strcmp(format, "jsonl") : looks_like_jsonl(&in);
	rc = jsonl ? read_jsonl(&b, &in) : read_csv(&b, &in);
	if (rc == 0 && ferror(stdin)) {
		fprintf(stderr, "error: cannot read stdin: %s\n", strerror(errno));
		rc = EXIT_USER;
	}
	free(in.buf);
	if (rc == 0 && b.nrows == 0) {
		fprintf(stderr, "error: stdin holds no rows to push (%s)\n",
		        jsonl ? "JSON lines" : "CSV with a header row");
		rc = EXIT_USER;
	}
	fcat_push_column *cols = rc ? NULL : calloc(b.ncols ? b.ncols : 1, sizeof *cols);
	if (rc == 0 && !cols)
		rc = oom();
	size_t ncols = 0;
	for (size_t c = 0; rc == 0 && c < b.ncols; c++)
		if (b.given[c])
			cols[ncols++] =
			    (fcat_push_column){fcat_source_column_name(source, c), b.values[c]};
	fcat_push_stats st;
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	o.principal = ctx->principal;
	o.to = to;
	int code = rc ? 0 : fcat_push(&st, store, name, cols, ncols, b.nrows, &o);
	if (code) {
		rc = push_failed(code, &b);
	} else if (rc == 0) {
		printf("pushed %llu row%s to %s: %zu view%s written online, %llu key%s written, "
		       "%llu row%s appended offline, %.2f s\n",
		       (unsigned long long)st.rows, st.rows == 1 ? "" : "s", name, st.views,
		       st.views == 1 ? "" : "s", (unsigned long long)st.keys_written,
		       st.keys_written == 1 ? "" : "s", (unsigned long long)st.rows_appended,
		       st.rows_appended == 1 ? "" : "s", st.seconds);
	}
	free(cols);
	batch_free(&b);
	fcat_store_free(store);
	return rc;
}

int cmd_push(cli_ctx *ctx, int argc, char **argv)
{
	const char *source = NULL, *to_opt = NULL, *format = NULL;
	const cli_opt opts[] = {{"source", 1, &source, NULL},
	                        {"to", 1, &to_opt, NULL},
	                        {"format", 1, &format, NULL},
	                        {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"push", help, 0, -1, NULL}; /* operands: a better message below */
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	if (first < argc)
		return cli_usage_error("push", "unexpected argument '%s' (rows come on stdin)",
		                       argv[first]);
	if (!source || !*source)
		return cli_usage_error("push", "give the push source: --source NAME");
	/* in the order of fcat_push_to */
	static const char *const targets[] = {"online", "offline", "online_and_offline", NULL};
	static const char *const formats[] = {"jsonl", "csv", NULL};
	int to = FCAT_PUSH_ONLINE, f;
	if (to_opt && (rc = cli_choice(&to, "push", "to", to_opt, targets)))
		return rc;
	if (format && (rc = cli_choice(&f, "push", "format", format, formats)))
		return rc;
	return push(ctx, source, (fcat_push_to)to, format);
}
