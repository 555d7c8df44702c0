/* csv_append.c - appending pushed rows to a CSV file, all or nothing: under
 * an exclusive lock the lines go after the file's last byte, quoted as
 * csv_reader reads them, and are fsynced; on any failure the file is cut
 * back to its old length (a file this call created is removed). */
#include "csv_append.h"

#include "csv_reader.h"
#include "plugin_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* One field: quoted (inner quotes doubled) when it holds a separator, a
 * quote or a line break, as RFC 4180 and csv_reader want, when it is
 * empty: the reader takes an empty field for null and "" for the empty
 * text, and when it starts with a UTF-8 BOM, which the reader skips at the
 * start of a file (a new file's first header name). */
static void put_field(fcatp_text *t, const char *s, size_t n)
{
	if (n && !memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n) && !(n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)) {
		fcatp_text_put(t, s, n);
		return;
	}
	fcatp_text_put(t, "\"", 1);
	for (const char *q; n && (q = memchr(s, '"', n)) != NULL;) {
		fcatp_text_put(t, s, (size_t)(q - s) + 1);
		fcatp_text_put(t, "\"", 1);
		n -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	fcatp_text_put(t, s, n);
	fcatp_text_put(t, "\"", 1);
}

/* Opens the file for writing, creating it when it does not exist. */
static int open_file(int *fd, bool *created, const csv_store *st, const char *path,
                     const char *name)
{
	*created = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		*fd = open(path, O_RDWR | O_CLOEXEC);
		if (*fd >= 0 || errno != ENOENT)
			break;
		*fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (*fd >= 0) {
			*created = true;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	if (*fd < 0)
		return st->host->error(errno == ENOENT || errno == ENOTDIR ? FCAT_ENOTFOUND
		                                                           : FCAT_EIO,
		                       "cannot open %s to append: %s", name, strerror(errno));
	return 0;
}

/* Reads the header record; *n 0 when the file has none yet. The fields
 * stay in the reader. */
static int read_header(csv_reader *r, size_t *n)
{
	int rc;
	*n = 0;
	while ((rc = csv_reader_next(r)) == CSV_REFILL)
		if ((rc = csv_reader_refill(r)) != 0)
			return rc;
	if (rc < 0)
		return rc;
	if (rc == CSV_RECORD)
		*n = r->nfields;
	return 0;
}

static int unknown_column(const csv_store *st, const csv_reader *r, const char *name,
                          const char *column)
{
	fcatp_text list = {0};
	for (size_t j = 0; j < r->nfields; j++) {
		if (j)
			fcatp_text_put(&list, ", ", 2);
		fcatp_text_put(&list, r->fields[j].ptr, r->fields[j].len);
	}
	fcatp_text_put(&list, "", 1);
	int rc = st->host->error(FCAT_EINVALID,
	                         "%s: no column '%s' in the header to append to (columns: %s)",
	                         name, column, list.oom ? "?" : list.p);
	free(list.p);
	return rc;
}

/* The lines to append: a header first when the file has none, then one line
 * per row with a field per header column (map[j]: the request column, or -1
 * for an empty field). */
static void build(fcatp_text *t, const fcat_append_request *req, const long *map, size_t nhead,
                  bool header, bool newline_first)
{
	if (newline_first)
		fcatp_text_put(t, "\n", 1);
	for (size_t j = 0; header && j < nhead; j++) {
		if (j)
			fcatp_text_put(t, ",", 1);
		put_field(t, req->columns[j], strlen(req->columns[j]));
	}
	if (header)
		fcatp_text_put(t, "\n", 1);
	for (size_t row = 0; row < req->nrows; row++) {
		for (size_t j = 0; j < nhead; j++) {
			if (j)
				fcatp_text_put(t, ",", 1);
			const char *cell =
			    map[j] < 0 ? NULL : req->texts[row * req->ncolumns + (size_t)map[j]];
			if (cell)
				put_field(t, cell, strlen(cell));
		}
		fcatp_text_put(t, "\n", 1);
	}
}

static int write_all(int fd, const char *p, size_t n, off_t at)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
		at += w;
	}
	return fsync(fd);
}

/* Maps header fields to request columns; every request column must be in
 * the header. With no header, the request's columns become it. */
static int map_columns(long **map, size_t *nhead, const csv_store *st, const csv_reader *r,
                       const fcat_append_request *req, const char *name)
{
	if (!*nhead)
		*nhead = req->ncolumns;
	*map = malloc((*nhead + 1) * sizeof **map);
	if (!*map)
		return st->host->error(FCAT_ENOMEM, "out of memory");
	for (size_t j = 0; j < *nhead; j++)
		(*map)[j] = r->nfields ? -1 : (long)j;
	for (size_t i = 0; r->nfields && i < req->ncolumns; i++) {
		size_t n = strlen(req->columns[i]), j = 0;
		while (j < *nhead &&
		       (r->fields[j].len != n || memcmp(r->fields[j].ptr, req->columns[i], n) != 0))
			j++;
		if (j == *nhead)
			return unknown_column(st, r, name, req->columns[i]);
		(*map)[j] = (long)i;
	}
	return 0;
}

static int append_locked(const csv_store *st, int fd, const char *path, const char *name,
                         const fcat_append_request *req, off_t *old)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return st->host->error(FCAT_EIO, "cannot append to %s: %s", name, strerror(errno));
	*old = sb.st_size;
	csv_reader r;
	size_t nhead = 0;
	int rc = csv_reader_open(&r, st->host, path, name, 0);
	if (rc == 0)
		rc = read_header(&r, &nhead);
	long *map = NULL;
	bool header = nhead == 0;
	if (rc == 0)
		rc = map_columns(&map, &nhead, st, &r, req, name);
	csv_reader_close(&r);
	char last = '\n';
	if (rc == 0 && *old > 0 && pread(fd, &last, 1, *old - 1) != 1)
		rc = st->host->error(FCAT_EIO, "cannot read %s: %s", name, strerror(errno));
	fcatp_text t = {0};
	if (rc == 0) {
		build(&t, req, map, nhead, header, last != '\n');
		if (t.oom)
			rc = st->host->error(FCAT_ENOMEM, "out of memory");
	}
	if (rc == 0 && write_all(fd, t.p, t.len, *old) != 0)
		rc = st->host->error(FCAT_EIO, "cannot append to %s: %s", name, strerror(errno));
	free(t.p);
	free(map);
	return rc;
}

int csv_append(void *store, const fcat_append_request *req)
{
	const csv_store *st = store;
	if (!req || (req->nrows && !req->texts) || (req->ncolumns && !req->columns))
		return st->host->error(FCAT_EUSAGE, "csv: append called without a request");
	if (!req->path || !*req->path)
		return st->host->error(FCAT_EINVALID,
		                       "csv: the csv plugin appends to files, and the source names "
		                       "none (give it a path)");
	char *path = csv_full_path(st, req->path);
	if (!path)
		return st->host->error(FCAT_ENOMEM, "out of memory");
	int fd;
	bool created;
	int rc = open_file(&fd, &created, st, path, req->path);
	if (rc) {
		free(path);
		return rc;
	}
	off_t old = 0;
	if (flock(fd, LOCK_EX) != 0)
		rc = st->host->error(FCAT_EIO, "cannot lock %s: %s", req->path, strerror(errno));
	else
		rc = append_locked(st, fd, path, req->path, req, &old);
	if (rc) {
		/* nothing of this call stays: cut back, or remove what it made */
		if (created && old == 0)
			unlink(path);
		else if (ftruncate(fd, old) == 0)
			(void)fsync(fd);
	}
	close(fd); /* releases the lock */
	free(path);
	return rc;
}
