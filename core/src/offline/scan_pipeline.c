/* scan_pipeline.c - runs a scan's batch consumer on a second thread: the
 * scanning thread copies each batch into a free buffer and goes on parsing
 * while the consumer works on the previous one. */
#include "offline/scan_pipeline.h"

#include "util/arena.h"
#include "util/error.h"
#include "util/grow.h"
#include "values/value_copy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 2

typedef struct slot {
	fcat_value *cells;
	size_t nrows, cap;
	fcat__arena arena; /* the batch's strings and arrays */
	bool full;
} slot;

typedef struct pipe {
	size_t ncols;
	fcat_scan_fn consume;
	void *consume_ctx;
	slot slots[SLOTS];
	size_t next_fill, next_take;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool done; /* the scan ended */
	int rc;    /* the consumer's error */
	char message[4096];
} pipe_t;

/* The scanning thread: copy the batch into the next free slot. */
static int produce(void *ctx, const fcat_value *cells, size_t nrows)
{
	pipe_t *p = ctx;
	pthread_mutex_lock(&p->lock);
	slot *s = &p->slots[p->next_fill];
	while (s->full && !p->rc)
		pthread_cond_wait(&p->changed, &p->lock);
	int rc = p->rc;
	pthread_mutex_unlock(&p->lock);
	if (rc)
		return rc; /* the consumer failed: stop scanning */
	size_t n = nrows * p->ncols;
	if (n > s->cap) {
		if (!fcat__resize(&s->cells, n, sizeof *s->cells))
			return fcat__error_oom();
		s->cap = n;
	}
	fcat__arena_reset(&s->arena);
	for (size_t i = 0; i < n; i++)
		if (fcat__value_copy(&s->arena, &s->cells[i], &cells[i]))
			return fcat__error_oom();
	s->nrows = nrows;
	pthread_mutex_lock(&p->lock);
	s->full = true;
	p->next_fill = (p->next_fill + 1) % SLOTS;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void *consumer(void *arg)
{
	pipe_t *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		slot *s = &p->slots[p->next_take];
		while (!s->full && !p->done)
			pthread_cond_wait(&p->changed, &p->lock);
		if (!s->full) { /* done, and nothing left */
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		pthread_mutex_unlock(&p->lock);
		int rc = p->consume(p->consume_ctx, s->cells, s->nrows);
		pthread_mutex_lock(&p->lock);
		if (rc) {
			p->rc = rc;
			snprintf(p->message, sizeof p->message, "%s", fcat_error_last());
		}
		s->full = false;
		p->next_take = (p->next_take + 1) % SLOTS;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		if (rc)
			return NULL;
	}
}

int fcat__scan_pipelined(fcat__scan_run_fn scan, void *scan_ctx, size_t ncols, fcat_scan_fn consume,
                         void *consume_ctx)
{
	pipe_t *p = calloc(1, sizeof *p);
	if (!p)
		return fcat__error_oom();
	p->ncols = ncols;
	p->consume = consume;
	p->consume_ctx = consume_ctx;
	for (int i = 0; i < SLOTS; i++)
		fcat__arena_init(&p->slots[i].arena, 1 << 20);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	pthread_t thread;
	int rc;
	if (pthread_create(&thread, NULL, consumer, p) != 0) {
		rc = scan(scan_ctx, consume, consume_ctx); /* no thread: do it in line */
	} else {
		rc = scan(scan_ctx, produce, p);
		pthread_mutex_lock(&p->lock);
		p->done = true;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		pthread_join(thread, NULL);
		if (p->rc) /* the consumer's failure, with its own message */
			rc = fcat__error_set(p->rc, p->message);
	}
	for (int i = 0; i < SLOTS; i++) {
		free(p->slots[i].cells);
		fcat__arena_release(&p->slots[i].arena);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->changed);
	free(p);
	return rc;
}
