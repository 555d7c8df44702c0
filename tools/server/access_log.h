/* access_log.h - fcat serve's access log: one JSON line per request (time,
 * principal, method, path, status, latency, and what a read asked for),
 * queued in a bounded buffer and appended by a writer thread, so a slow or
 * full disk never holds up a request. */
#ifndef FCAT_SERVER_ACCESS_LOG_H
#define FCAT_SERVER_ACCESS_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A line being built in a caller's buffer: appends past `cap` are left out
 * and set `full` (the text so far stays valid up to `len`). */
typedef struct srv_line {
	char *p;
	size_t len, cap;
	bool full;
} srv_line;

/* Appends bytes as they are; srv_line_lit a string literal. */
void srv_line_raw(srv_line *l, const char *text, size_t len);
#define srv_line_lit(l, literal) srv_line_raw((l), "" literal, sizeof(literal) - 1)
/* Appends a JSON string: quoted, escaped, at most `max` bytes of `text`
 * (cut at a character), bytes that are not UTF-8 as '?'; NULL is "-". */
void srv_line_str(srv_line *l, const char *text, size_t max);
/* Appends a whole number. */
void srv_line_u64(srv_line *l, uint64_t v);

/* What one request tells the log. */
typedef struct srv_access {
	const char *principal; /* NULL: "-", refused (or open) before one was known */
	const char *method, *path;
	unsigned status;
	uint64_t latency_us;
	const char *detail; /* members to add (",\"features\":[...],\"rows\":N"), or NULL */
	size_t detail_len;
} srv_access;

/* What happened to the lines: counted, reported when the log closes. */
typedef struct srv_access_stats {
	uint64_t dropped; /* not queued: the buffer was full */
	uint64_t failed;  /* queued, but write(2) failed */
	int last_errno;   /* of the last failed write */
} srv_access_stats;

typedef struct srv_access_log srv_access_log;

/* Opens (appends to, creating it with mode 0640) the log and starts its
 * writer. On failure writes why, naming the path, into err and returns -1. */
int srv_access_log_open(srv_access_log **out, const char *path, char *err, size_t errsize);

/* Queues one line. Never waits for the disk: when the buffer is full the
 * line is dropped and counted (a note line says how many, later). */
void srv_access_log_record(srv_access_log *log, const srv_access *a);

/* Writes what is queued, stops the writer, closes the file, and fills
 * *stats when not NULL. NULL is a no-op. */
void srv_access_log_close(srv_access_log *log, srv_access_stats *stats);

/* The path it appends to, borrowed. */
const char *srv_access_log_path(const srv_access_log *log);

#endif
