/* audit.c - the audit log: every policy decision on a read, appended as a
 * JSON line by a background writer, so a slow disk never holds up a read. */
#include "store/audit.h"

#include "util/buf.h"
#include "util/error.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE 8192 /* records waiting for the disk at most */

struct fcat__audit {
	FILE *f;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	char *queue[QUEUE];
	size_t head, len;
	unsigned long long dropped;
	bool stop;
};

static void *writer(void *p)
{
	fcat__audit *a = p;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->len && !a->dropped && !a->stop)
			pthread_cond_wait(&a->wake, &a->lock);
		if (!a->len && !a->dropped && a->stop)
			break;
		char *batch[256];
		size_t n = 0;
		while (a->len && n < 256) {
			batch[n++] = a->queue[a->head];
			a->head = (a->head + 1) % QUEUE;
			a->len--;
		}
		unsigned long long dropped = a->dropped;
		a->dropped = 0;
		pthread_mutex_unlock(&a->lock);
		for (size_t i = 0; i < n; i++) {
			fputs(batch[i], a->f);
			free(batch[i]);
		}
		if (dropped)
			fprintf(a->f, "{\"dropped\":%llu,\"why\":\"the audit queue was full\"}\n",
			        dropped);
		fflush(a->f);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int fcat__audit_open(fcat__audit **out, const char *path)
{
	*out = NULL;
	fcat__audit *a = calloc(1, sizeof *a);
	if (!a)
		return fcat__error_oom();
	if (!(a->f = fopen(path, "a"))) {
		int rc = fcat__error(FCAT_EIO, "audit log %s: %s", path, strerror(errno));
		free(a);
		return rc;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		fclose(a->f);
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

void fcat__audit_record(fcat__audit *a, const char *principal, const char *action,
                        const char *resource, bool allowed, const char *rule)
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
		a->dropped++;
		free(line);
	} else {
		a->queue[(a->head + a->len) % QUEUE] = line;
		a->len++;
	}
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

void fcat__audit_close(fcat__audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	fclose(a->f);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->wake);
	free(a);
}
