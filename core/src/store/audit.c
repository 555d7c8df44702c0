/* audit.c - the audit log: every policy decision on a read, appended as a
 * JSON line by a background writer, so a slow or full disk never holds up a
 * read. One write(2) per whole line on an O_APPEND descriptor: concurrent
 * writers never split each other's lines; failures are counted. */
#include "store/audit.h"

#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUEUE 8192 /* records waiting for the disk at most */
#define BATCH 256

struct fcat__audit {
	int fd;
	char *path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the writer waits for records */
	pthread_cond_t idle; /* sync waits for the writer */
	char *queue[QUEUE];
	size_t head, len;
	uint64_t unreported; /* dropped records not yet noted in the log */
	bool busy;           /* the writer holds a batch outside the lock */
	bool stop;
	fcat__audit_stats stats;
};

/* One whole line in one write(2); true when it all went out. */
static bool write_line(fcat__audit *a, const char *line, size_t len, int *err)
{
	ssize_t n;
	do
		n = write(a->fd, line, len);
	while (n < 0 && errno == EINTR);
	*err = n < 0 ? errno : n < (ssize_t)len ? ENOSPC : 0;
	/* a short write is not completed: the rest would be a line of its own,
	 * interleaved with other writers' lines. The fragment is ended with a
	 * newline (best effort) so that the records after it stay lines of
	 * their own; it counts as a failed record. */
	if (n > 0 && n < (ssize_t)len) {
		ssize_t m;
		do
			m = write(a->fd, "\n", 1);
		while (m < 0 && errno == EINTR);
	}
	return n == (ssize_t)len;
}

static void *writer(void *p)
{
	fcat__audit *a = p;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->len && !a->unreported && !a->stop)
			pthread_cond_wait(&a->wake, &a->lock);
		if (!a->len && !a->unreported && a->stop)
			break;
		char *batch[BATCH];
		size_t n = 0;
		while (a->len && n < BATCH) {
			batch[n++] = a->queue[a->head];
			a->head = (a->head + 1) % QUEUE;
			a->len--;
		}
		uint64_t dropped = a->unreported;
		a->unreported = 0;
		a->busy = true;
		pthread_mutex_unlock(&a->lock);
		uint64_t ok = 0, failed = 0;
		int err = 0, last = 0;
		for (size_t i = 0; i < n; i++) {
			if (write_line(a, batch[i], strlen(batch[i]), &err))
				ok++;
			else {
				failed++;
				last = err;
			}
			free(batch[i]);
		}
		if (dropped) {
			char note[128];
			int len =
			    snprintf(note, sizeof note,
			             "{\"dropped\":%llu,\"why\":\"the audit queue was full\"}\n",
			             (unsigned long long)dropped);
			write_line(a, note, (size_t)len, &err);
		}
		pthread_mutex_lock(&a->lock);
		a->stats.written += ok;
		a->stats.failed += failed;
		if (failed)
			a->stats.last_errno = last;
		a->busy = false;
		pthread_cond_broadcast(&a->idle);
	}
	a->busy = false;
	pthread_cond_broadcast(&a->idle);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int fcat__audit_open(fcat__audit **out, const char *path)
{
	*out = NULL;
	fcat__audit *a = calloc(1, sizeof *a);
	if (!a || !(a->path = strdup(path))) {
		free(a);
		return fcat__error_oom();
	}
	int rc = fcat__make_parent_dirs(path);
	if (rc) {
		rc = fcat__error_wrap(rc, "audit log %s", path);
		free(a->path);
		free(a);
		return rc;
	}
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (a->fd < 0) {
		rc = fcat__error(FCAT_EIO, "audit log %s: %s", path, strerror(errno));
		free(a->path);
		free(a);
		return rc;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	pthread_cond_init(&a->idle, NULL);
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		close(a->fd);
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->wake);
		pthread_cond_destroy(&a->idle);
		free(a->path);
		free(a);
		return fcat__error(FCAT_EIO, "audit log %s: cannot start its writer", path);
	}
	*out = a;
	return 0;
}

static void put_json_string(fcat__buf *b, const char *s)
{
	fcat__buf_putc(b, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fcat__buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			fcat__buf_printf(b, "\\u%04x", c);
		else
			fcat__buf_putc(b, (char)c);
	}
	fcat__buf_putc(b, '"');
}

void fcat__audit_record(fcat__audit *a, const char *principal, const char *const *groups,
                        size_t ngroups, const char *action, const char *resource, bool allowed,
                        const char *rule)
{
	if (!a)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char when[40];
	fcat_timestamp_format(when, sizeof when, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	fcat__buf b = {0};
	fcat__buf_printf(&b, "{\"time\":\"%s\",\"principal\":", when);
	put_json_string(&b, principal);
	for (size_t g = 0; g < ngroups; g++) {
		fcat__buf_puts(&b, g ? "," : ",\"groups\":[");
		put_json_string(&b, groups[g]);
	}
	if (ngroups)
		fcat__buf_putc(&b, ']');
	fcat__buf_puts(&b, ",\"action\":");
	put_json_string(&b, action);
	fcat__buf_puts(&b, ",\"resource\":");
	put_json_string(&b, resource);
	fcat__buf_printf(&b, ",\"decision\":\"%s\",\"rule\":", allowed ? "allow" : "deny");
	put_json_string(&b, rule);
	fcat__buf_puts(&b, "}\n");
	char *line = fcat__buf_detach(&b);
	pthread_mutex_lock(&a->lock);
	if (!line || a->len == QUEUE) {
		a->stats.dropped++;
		a->unreported++;
		free(line);
	} else {
		a->queue[(a->head + a->len) % QUEUE] = line;
		a->len++;
	}
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

bool fcat__audit_sync(fcat__audit *a, int timeout_ms, fcat__audit_stats *stats)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&a->lock);
	int rc = 0;
	while ((a->len || a->busy) && rc == 0)
		rc = pthread_cond_timedwait(&a->idle, &a->lock, &until);
	bool drained = !a->len && !a->busy;
	if (stats)
		*stats = a->stats;
	pthread_mutex_unlock(&a->lock);
	return drained;
}

const char *fcat__audit_path(const fcat__audit *a)
{
	return a->path;
}

void fcat__audit_close(fcat__audit *a, fcat__audit_stats *stats)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	if (close(a->fd) != 0 && !a->stats.failed)
		a->stats.last_errno = errno;
	if (stats)
		*stats = a->stats;
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->wake);
	pthread_cond_destroy(&a->idle);
	free(a->path);
	free(a);
}
