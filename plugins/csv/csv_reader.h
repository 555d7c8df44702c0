/* csv_reader.h - RFC 4180 records from a file, read in large chunks. */
#ifndef FCAT_CSV_READER_H
#define FCAT_CSV_READER_H

#include "fcat_plugin.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One field of the current record. `ptr` points into the reader's buffer
 * (quotes removed, "" unescaped) and stays valid until csv_reader_refill. */
typedef struct csv_field {
	const char *ptr;
	size_t len;
	int64_t line; /* the physical line (1-based) where the field starts */
	bool quoted;  /* written in quotes: "" is an empty text, an empty field null */
	bool escaped; /* quoted with "" inside (unescaped once the record is whole) */
} csv_field;

/* What csv_reader_next returns besides errors. */
enum {
	CSV_END = 0,    /* no more records */
	CSV_RECORD = 1, /* r->fields holds the next record */
	CSV_REFILL = 2, /* call csv_reader_refill (which moves the buffer), retry */
};

typedef struct csv_reader {
	const fcat_plugin_host *host;
	const char *name; /* the file as messages name it */
	int fd;
	char *buf;
	size_t cap, len, pos; /* unread bytes are buf[pos, len) */
	bool eof, started;
	int64_t line;     /* the physical line at buf[pos] */
	int64_t rec_line; /* the line where the current record starts */
	uint64_t base;    /* the file offset of buf[0] */
	uint64_t rec_off; /* the file offset where the current record starts */
	csv_field *fields;
	size_t nfields, fields_cap;
} csv_reader;

/* Opens `path` with a read buffer of `chunk` bytes (0: the default, 4 MiB;
 * it grows for longer records). Errors name `name`: FCAT_ENOTFOUND, FCAT_EIO,
 * FCAT_ENOMEM. */
int csv_reader_open(csv_reader *r, const fcat_plugin_host *host, const char *path, const char *name,
                    size_t chunk);

void csv_reader_close(csv_reader *r);

/* Tokenises the next record. Empty lines are skipped; a UTF-8 BOM at the
 * start of the file is skipped. Returns CSV_RECORD, CSV_END, CSV_REFILL or a
 * negative code (an unterminated quote, text after a closing quote). */
int csv_reader_next(csv_reader *r);

/* Keeps the unread bytes, reads more: every csv_field pointer dies. */
int csv_reader_refill(csv_reader *r);

/* Goes on reading at file offset `off` (after the header: no BOM is looked
 * for), counting lines from `line`. Every csv_field pointer dies. */
int csv_reader_seek(csv_reader *r, uint64_t off, int64_t line);

/* The file offset of the first byte not yet tokenised. */
static inline uint64_t csv_reader_offset(const csv_reader *r)
{
	return r->base + r->pos;
}

#endif
