/* csv_reader.c - RFC 4180 tokenising of a file read in large chunks. */
#include "csv_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CSV_CHUNK_DEFAULT  ((size_t)4 << 20)
#define CSV_FIELDS_INITIAL 16

/* Bytes that end an unquoted field (a lone '\r' turns out to be data). */
static const unsigned char stop_plain[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1};

int csv_reader_open(csv_reader *r, const fcat_plugin_host *host, const char *path, const char *name,
                    size_t chunk)
{
	struct stat st;

	memset(r, 0, sizeof *r);
	r->host = host;
	r->name = name;
	r->line = 1;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = errno;

		return host->error(e == ENOENT || e == ENOTDIR ? FCAT_ENOTFOUND : FCAT_EIO,
		                   "cannot open %s: %s", name, strerror(e));
	}
	if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode))
		return host->error(FCAT_EIO, "cannot read %s: it is a directory", name);
	if (chunk == 0) {
		chunk = CSV_CHUNK_DEFAULT;
		/* a small file needs no large buffer */
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < chunk)
			chunk = (size_t)st.st_size + 1;
	}
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r->cap = chunk;
	r->buf = malloc(r->cap);
	r->fields_cap = CSV_FIELDS_INITIAL;
	r->fields = malloc(r->fields_cap * sizeof *r->fields);
	if (!r->buf || !r->fields)
		return host->error(FCAT_ENOMEM, "out of memory");
	return 0;
}

void csv_reader_close(csv_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->fields);
	r->fd = -1;
	r->buf = NULL;
	r->fields = NULL;
}

int csv_reader_refill(csv_reader *r)
{
	size_t keep = r->len - r->pos;

	r->base += r->pos;
	if (r->pos > 0 && keep > 0)
		memmove(r->buf, r->buf + r->pos, keep);
	r->pos = 0;
	r->len = keep;
	if (keep == r->cap) {
		/* one record longer than the buffer */
		char *nb = realloc(r->buf, r->cap * 2);

		if (!nb)
			return r->host->error(FCAT_ENOMEM, "out of memory");
		r->buf = nb;
		r->cap *= 2;
	}
	for (;;) {
		ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return r->host->error(FCAT_EIO, "cannot read %s: %s", r->name,
			                      strerror(errno));
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
		return 0;
	}
}

int csv_reader_seek(csv_reader *r, uint64_t off, int64_t line)
{
	if (lseek(r->fd, (off_t)off, SEEK_SET) < 0)
		return r->host->error(FCAT_EIO, "cannot read %s: %s", r->name, strerror(errno));
	r->base = off;
	r->pos = r->len = 0;
	r->eof = false;
	r->started = true;
	r->line = line;
	return 0;
}

/* Removes the doubled quotes of a quoted field's content, in place. */
static size_t unescape(char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		s[o++] = s[i];
		if (s[i] == '"')
			i++; /* the tokeniser saw its twin */
	}
	return o;
}

static int grow_fields(csv_reader *r)
{
	size_t cap = r->fields_cap * 2;
	csv_field *nf = realloc(r->fields, cap * sizeof *nf);

	if (!nf)
		return r->host->error(FCAT_ENOMEM, "out of memory");
	r->fields = nf;
	r->fields_cap = cap;
	return 0;
}

/* Skips the BOM (once) and empty lines; CSV_REFILL when more bytes decide. */
static int skip_to_record(csv_reader *r)
{
	if (!r->started) {
		if (r->len - r->pos < 3 && !r->eof)
			return CSV_REFILL;
		if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
			r->pos += 3;
		r->started = true;
	}
	for (;;) {
		if (r->pos == r->len)
			return r->eof ? CSV_END : CSV_REFILL;
		char c = r->buf[r->pos];

		if (c == '\n') {
			r->pos++;
			r->line++;
		} else if (c == '\r' && r->pos + 1 == r->len) {
			if (!r->eof)
				return CSV_REFILL;
			r->pos++;
		} else if (c == '\r' && r->buf[r->pos + 1] == '\n') {
			r->pos += 2;
			r->line++;
		} else {
			return CSV_RECORD;
		}
	}
}

/* Counts the newlines of [p, end). */
static int64_t count_newlines(const char *p, const char *end)
{
	int64_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Finds the closing quote of the quoted field whose content starts at p.
 * Returns it, NULL for CSV_REFILL, or `end` when the file ends first. */
static const char *closing_quote(const csv_reader *r, const char *p, const char *end, int64_t *line,
                                 bool *escaped)
{
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(end - p));

		*line += count_newlines(p, q ? q : end);
		if (!q)
			return r->eof ? end : NULL;
		if (q + 1 == end)
			return r->eof ? q : NULL;
		if (q[1] != '"')
			return q;
		*escaped = true;
		p = q + 2;
	}
}

/* The end of the unquoted field that starts at p; NULL for CSV_REFILL. */
static const char *plain_end(const csv_reader *r, const char *p, const char *end)
{
	for (;;) {
		while (p < end && !stop_plain[(unsigned char)*p])
			p++;
		if (p == end || *p != '\r')
			return p;
		if (p + 1 == end)
			return r->eof ? p : NULL;
		if (p[1] == '\n')
			return p;
		p++; /* a lone '\r' is data */
	}
}

static int after_quote_error(const csv_reader *r, int64_t line, size_t field, char c)
{
	if (c >= 0x20 && c < 0x7f)
		return r->host->error(FCAT_EINVALID,
		                      "%s:%lld:%zu: unexpected '%c' after the closing quote "
		                      "(a quote inside a quoted field is written \"\")",
		                      r->name, (long long)line, field, c);
	return r->host->error(FCAT_EINVALID,
	                      "%s:%lld:%zu: unexpected byte 0x%02x after the closing quote",
	                      r->name, (long long)line, field, (unsigned)(unsigned char)c);
}

int csv_reader_next(csv_reader *r)
{
	int rc = skip_to_record(r);

	if (rc != CSV_RECORD)
		return rc;

	const char *p = r->buf + r->pos, *end = r->buf + r->len;
	int64_t line = r->line;
	size_t nf = 0;
	bool any_escaped = false;

	r->rec_line = line;
	r->rec_off = r->base + r->pos;
	for (;;) {
		if (nf == r->fields_cap && (rc = grow_fields(r)) != 0)
			return rc;
		csv_field *f = &r->fields[nf++];
		bool quoted = p < end && *p == '"';

		f->line = line;
		f->quoted = quoted;
		f->escaped = false;
		if (quoted) {
			const char *q = closing_quote(r, p + 1, end, &line, &f->escaped);

			if (!q)
				return CSV_REFILL;
			if (q == end)
				return r->host->error(FCAT_EINVALID,
				                      "%s:%lld:%zu: the quoted field that starts "
				                      "here is never closed",
				                      r->name, (long long)f->line, nf);
			f->ptr = p + 1;
			f->len = (size_t)(q - (p + 1));
			any_escaped |= f->escaped;
			p = q + 1;
		} else {
			const char *q = plain_end(r, p, end);

			if (!q)
				return CSV_REFILL;
			f->ptr = p;
			f->len = (size_t)(q - p);
			p = q;
		}
		if (p == end) {
			if (!r->eof)
				return CSV_REFILL;
			break;
		}
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\n') {
			p++;
			line++;
			break;
		}
		if (*p == '\r' && p + 1 == end) {
			if (!r->eof)
				return CSV_REFILL;
			p++;
			break;
		}
		if (*p == '\r' && p[1] == '\n') {
			p += 2;
			line++;
			break;
		}
		return after_quote_error(r, line, nf, *p);
	}
	r->nfields = nf;
	r->pos = (size_t)(p - r->buf);
	r->line = line;
	if (any_escaped) {
		for (size_t i = 0; i < nf; i++)
			if (r->fields[i].escaped)
				r->fields[i].len =
				    unescape((char *)r->fields[i].ptr, r->fields[i].len);
	}
	return CSV_RECORD;
}
