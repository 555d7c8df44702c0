/* access_log.c - fcat serve's access log: each request's line is formatted
 * on the request's thread into a stack buffer and copied into a bounded
 * ring of bytes; a writer thread appends whatever the ring holds with one
 * writev(2) on an O_APPEND descriptor (whole lines only, so other writers
 * of the file never split one). A full ring drops lines and counts them:
 * a request never waits for the disk. */
#include "access_log.h"

#include "fcat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define RING       (1u << 20) /* bytes of lines waiting for the disk at most */
#define LINE_BYTES 8192       /* one line at most; the parts are cut to fit */

struct srv_access_log {
	int fd;
	char *path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	char *ring;
	size_t head, len;    /* the bytes queued: [head, head + len) modulo RING */
	bool waiting;        /* the writer sleeps: signal it */
	bool stop;           /* close: write what is queued, then end */
	uint64_t unreported; /* dropped lines not yet noted in the file */
	srv_access_stats stats;
};

void srv_line_raw(srv_line *l, const char *text, size_t len)
{
	if (l->full || len > l->cap - l->len) {
		l->full = true;
		return;
	}
	memcpy(l->p + l->len, text, len);
	l->len += len;
}

void srv_line_u64(srv_line *l, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	srv_line_raw(l, num, (size_t)n);
}

/* The length of the UTF-8 character at s (n bytes left), or 0 when the
 * bytes there are not one. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
	             : s[0] >= 0xe0 && s[0] <= 0xef ? 3
	             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
	                                            : 0;
	if (!len || len > n)
		return 0;
	unsigned char lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

void srv_line_str(srv_line *l, const char *text, size_t max)
{
	if (!text)
		text = "-";
	srv_line_lit(l, "\"");
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), used = 0;
	while (used < n && !l->full) {
		size_t k = utf8_char(s + used, n - used);
		if (used + (k ? k : 1) > max)
			break;
		if (!k) {
			srv_line_lit(l, "?");
			used++;
		} else if (k > 1) {
			srv_line_raw(l, (const char *)s + used, k);
			used += k;
		} else if (s[used] == '"' || s[used] == '\\') {
			char esc[2] = {'\\', (char)s[used++]};
			srv_line_raw(l, esc, 2);
		} else if (s[used] < 0x20 || s[used] == 0x7f) {
			char esc[8];
			snprintf(esc, sizeof esc, "\\u%04x", s[used++]);
			srv_line_raw(l, esc, 6);
		} else {
			srv_line_raw(l, (const char *)s + used++, 1);
		}
	}
	srv_line_lit(l, "\"");
}

/* Appends the bytes [at, at + n) of the ring, whole, as one writev(2)
 * each time (the rest again after a short write). 0 or an errno. */
static int write_ring(srv_access_log *log, size_t at, size_t n)
{
	while (n) {
		size_t first = n < RING - at ? n : RING - at;
		struct iovec iov[2] = {{log->ring + at, first}, {log->ring, n - first}};
		ssize_t w = writev(log->fd, iov, n > first ? 2 : 1);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : ENOSPC;
		at = (at + (size_t)w) % RING;
		n -= (size_t)w;
	}
	return 0;
}

/* The lines among n bytes of the ring from at. */
static uint64_t lines_in(const srv_access_log *log, size_t at, size_t n)
{
	uint64_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += log->ring[(at + i) % RING] == '\n';
	return count;
}

static void *writer(void *p)
{
	srv_access_log *log = p;
	pthread_mutex_lock(&log->lock);
	for (;;) {
		while (!log->len && !log->unreported && !log->stop) {
			log->waiting = true;
			pthread_cond_wait(&log->wake, &log->lock);
			log->waiting = false;
		}
		if (!log->len && !log->unreported)
			break; /* stopping, and all written */
		/* requests append after head + len only: these bytes stay put */
		size_t at = log->head, n = log->len;
		uint64_t dropped = log->unreported;
		log->unreported = 0;
		pthread_mutex_unlock(&log->lock);
		int err = write_ring(log, at, n);
		uint64_t failed = err ? lines_in(log, at, n) : 0;
		if (dropped) {
			char note[128];
			int len = snprintf(note, sizeof note,
			                   "{\"dropped\":%llu,\"why\":\"the access log queue was "
			                   "full\"}\n",
			                   (unsigned long long)dropped);
			ssize_t w;
			do
				w = write(log->fd, note, (size_t)len);
			while (w < 0 && errno == EINTR);
		}
		pthread_mutex_lock(&log->lock);
		log->head = (log->head + n) % RING;
		log->len -= n;
		log->stats.failed += failed;
		if (err)
			log->stats.last_errno = err;
	}
	pthread_mutex_unlock(&log->lock);
	return NULL;
}

int srv_access_log_open(srv_access_log **out, const char *path, char *err, size_t errsize)
{
	*out = NULL;
	srv_access_log *log = calloc(1, sizeof *log);
	if (!log || !(log->path = strdup(path)) || !(log->ring = malloc(RING))) {
		if (log)
			free(log->path);
		free(log);
		snprintf(err, errsize, "access log %s: out of memory", path);
		return -1;
	}
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (log->fd < 0) {
		snprintf(err, errsize, "access log %s: %s", path, strerror(errno));
		goto fail;
	}
	if (pthread_mutex_init(&log->lock, NULL) != 0) {
		snprintf(err, errsize, "access log %s: out of memory", path);
		goto fail;
	}
	if (pthread_cond_init(&log->wake, NULL) != 0) {
		pthread_mutex_destroy(&log->lock);
		snprintf(err, errsize, "access log %s: out of memory", path);
		goto fail;
	}
	if (pthread_create(&log->thread, NULL, writer, log) != 0) {
		pthread_cond_destroy(&log->wake);
		pthread_mutex_destroy(&log->lock);
		snprintf(err, errsize, "access log %s: cannot start its writer", path);
		goto fail;
	}
	*out = log;
	return 0;
fail:
	if (log->fd >= 0)
		close(log->fd);
	free(log->ring);
	free(log->path);
	free(log);
	return -1;
}

void srv_access_log_record(srv_access_log *log, const srv_access *a)
{
	if (!log)
		return;
	char buf[LINE_BYTES];
	srv_line l = {.p = buf, .cap = sizeof buf - 2}; /* room for "}\n" */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char when[40];
	int wn = fcat_timestamp_format(when, sizeof when,
	                               (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	srv_line_lit(&l, "{\"time\":\"");
	srv_line_raw(&l, when, (size_t)wn);
	srv_line_lit(&l, "\",\"principal\":");
	srv_line_str(&l, a->principal, 512);
	srv_line_lit(&l, ",\"method\":");
	srv_line_str(&l, a->method, 32);
	srv_line_lit(&l, ",\"path\":");
	srv_line_str(&l, a->path, 1024);
	srv_line_lit(&l, ",\"status\":");
	srv_line_u64(&l, a->status);
	srv_line_lit(&l, ",\"latency_us\":");
	srv_line_u64(&l, a->latency_us);
	if (a->detail && !l.full && a->detail_len <= l.cap - l.len)
		srv_line_raw(&l, a->detail, a->detail_len);
	if (l.full) /* cannot happen with the cuts above; never a broken line */
		return;
	memcpy(buf + l.len, "}\n", 2);
	size_t n = l.len + 2;

	pthread_mutex_lock(&log->lock);
	if (n > RING - log->len) {
		log->stats.dropped++;
		log->unreported++;
	} else {
		size_t at = (log->head + log->len) % RING;
		size_t first = n < RING - at ? n : RING - at;
		memcpy(log->ring + at, buf, first);
		memcpy(log->ring, buf + first, n - first);
		log->len += n;
	}
	if (log->waiting)
		pthread_cond_signal(&log->wake);
	pthread_mutex_unlock(&log->lock);
}

const char *srv_access_log_path(const srv_access_log *log)
{
	return log->path;
}

void srv_access_log_close(srv_access_log *log, srv_access_stats *stats)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	if (!log)
		return;
	pthread_mutex_lock(&log->lock);
	log->stop = true;
	pthread_cond_signal(&log->wake);
	pthread_mutex_unlock(&log->lock);
	pthread_join(log->thread, NULL);
	if (close(log->fd) != 0 && !log->stats.failed)
		log->stats.last_errno = errno;
	if (stats)
		*stats = log->stats;
	pthread_cond_destroy(&log->wake);
	pthread_mutex_destroy(&log->lock);
	free(log->ring);
	free(log->path);
	free(log);
}
