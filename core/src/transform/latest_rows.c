/* latest_rows.c - runs a view's row transform on the latest source row
 * of every key before materialize writes anything: in batches through the
 * engine, split over the machine's cores, each thread with its own Lua
 * state (transforms are pure functions of their row, so the split changes
 * nothing but the time). A failing transform writes nothing. */
#include "transform/latest_rows.h"

#include "encoding/encoding.h"
#include "store/store.h"
#include "transform/engine.h"
#include "util/error.h"
#include "util/grow.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Threads at most, and keys per thread at least (below, one thread). */
#define MAX_THREADS     8
#define KEYS_PER_THREAD 16384

/* A row that did not fit where the source row was: stored by the calling
 * thread after the others finished (the map's arena is not shared). */
typedef struct overflow {
	fcat__latest *e;
	unsigned char *row;
	size_t len;
} overflow;

typedef struct worker {
	fcat_store *store;
	const fcat__view *view;
	const fcat__latest_input *input;
	fcat__latest *entries;
	size_t from, to, next; /* entries [from, to); next to decode */
	fcat__latest *current;
	fcat_value *in, *out;
	fcat__arena scratch; /* one row's decoded values and outputs */
	fcat__arena kept;    /* overflow rows */
	fcat__buf rowbuf;
	overflow *over;
	size_t nover, over_cap;
	pthread_t thread;
	bool started;
	int rc;
	char message[1024];
} worker;

static int next_input(void *ctx, size_t i, fcat_value *in)
{
	(void)i;
	worker *w = ctx;
	while (!w->entries[w->next].row)
		w->next++;
	fcat__latest *e = w->current = &w->entries[w->next++];
	fcat__arena_reset(&w->scratch);
	const fcat__latest_input *x = w->input;
	int rc =
	    fcat__key_decode(in, x->nkeys, x->types, e->key ? e->key : e->inline_key, e->key_len);
	if (rc)
		return rc;
	in[x->ts_col] = (fcat_value){.type = x->types[x->ts_col], .u.ts = e->event_ts};
	if (x->created_col >= 0)
		in[x->created_col] = (fcat_value){.type = x->types[x->created_col],
		                                  .is_null = e->created_ts == INT64_MIN,
		                                  .u.ts = e->created_ts};
	fcat__row_header h;
	size_t mismatch;
	return fcat__row_decode(&h, in + x->feat_col, x->ncols - x->feat_col,
	                        x->types + x->feat_col, &mismatch, e->row, e->row_len, &w->scratch);
}

static int keep_output(void *ctx, size_t i, const fcat_value *out)
{
	(void)i;
	worker *w = ctx;
	fcat__latest *e = w->current;
	const fcat__view *v = w->view;
	w->rowbuf.len = 0;
	fcat__row_encode(&w->rowbuf, v->data_hash, e->event_ts, e->created_ts, out, v->nfeatures);
	if (w->rowbuf.oom)
		return fcat__error_oom();
	if (w->rowbuf.len <= e->row_cap) {
		memcpy(e->row, w->rowbuf.ptr, w->rowbuf.len);
		e->row_len = (uint32_t)w->rowbuf.len;
		return 0;
	}
	if (!fcat__grow(&w->over, &w->over_cap, w->nover, sizeof *w->over, 64))
		return fcat__error_oom();
	unsigned char *p = fcat__arena_alloc_uninit(&w->kept, w->rowbuf.len);
	if (!p)
		return fcat__error_oom();
	memcpy(p, w->rowbuf.ptr, w->rowbuf.len);
	w->over[w->nover++] = (overflow){e, p, w->rowbuf.len};
	return 0;
}

static void work(worker *w)
{
	const fcat__view *v = w->view;
	const fcat__latest_input *x = w->input;
	size_t nrows = 0;
	for (size_t i = w->from; i < w->to; i++)
		nrows += w->entries[i].row != NULL;
	w->next = w->from;
	fcat__tx *tx;
	w->rc = fcat__store_tx(w->store, &tx);
	if (w->rc == 0 && nrows) {
		fcat__tx_rows b = {.names = x->names,
		                   .nin = x->ncols,
		                   .out_fields = v->features,
		                   .nout = v->nfeatures,
		                   .nrows = nrows,
		                   .input = next_input,
		                   .output = keep_output,
		                   .ctx = w,
		                   .in = w->in,
		                   .out = w->out,
		                   .arena = &w->scratch};
		w->rc = fcat__tx_run(tx, &v->transform, &b);
		if (w->rc) {
			char text[512];
			fcat__key_text(text, sizeof text, x->names, w->in, x->nkeys);
			fcat__error_wrap(w->rc, "feature_view '%s', entity %s", v->base.name, text);
		}
	}
	if (w->rc)
		snprintf(w->message, sizeof w->message, "%s", fcat_error_last());
}

static void *thread_main(void *p)
{
	work(p);
	return NULL;
}

static int thread_count(size_t keys)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = keys / KEYS_PER_THREAD + 1;
	if (cores < 1)
		cores = 1;
	if (n > (size_t)cores)
		n = (size_t)cores;
	return n > MAX_THREADS ? MAX_THREADS : (int)n;
}

int fcat__transform_latest(fcat_store *s, const fcat__view *v, fcat__latest_map *m,
                           const fcat__latest_input *input)
{
	int nthreads = thread_count(m->len);
	worker w[MAX_THREADS];
	memset(w, 0, sizeof w);
	int rc = 0;
	for (int t = 0; t < nthreads; t++) {
		w[t].store = s;
		w[t].view = v;
		w[t].input = input;
		w[t].entries = m->entries;
		w[t].from = m->len * (size_t)t / (size_t)nthreads;
		w[t].to = m->len * (size_t)(t + 1) / (size_t)nthreads;
		fcat__arena_init(&w[t].scratch, 16 * 1024);
		fcat__arena_init(&w[t].kept, 64 * 1024);
		w[t].in = calloc(input->ncols + 1, sizeof *w[t].in);
		w[t].out = calloc(v->nfeatures + 1, sizeof *w[t].out);
		if (!w[t].in || !w[t].out)
			rc = fcat__error_oom();
	}
	/* the others on threads of their own, the first on this one; a thread
	 * that cannot start runs here afterwards */
	for (int t = 1; rc == 0 && t < nthreads; t++)
		w[t].started = pthread_create(&w[t].thread, NULL, thread_main, &w[t]) == 0;
	if (rc == 0)
		work(&w[0]);
	for (int t = 1; t < nthreads; t++) {
		if (w[t].started)
			pthread_join(w[t].thread, NULL);
		else if (rc == 0)
			work(&w[t]);
	}
	for (int t = 0; rc == 0 && t < nthreads; t++)
		if (w[t].rc)
			rc = fcat__error_set(w[t].rc, w[t].message);
	for (int t = 0; t < nthreads; t++) {
		for (size_t i = 0; rc == 0 && i < w[t].nover; i++)
			if (fcat__latest_set_row(m, w[t].over[i].e, w[t].over[i].row,
			                         w[t].over[i].len))
				rc = fcat__error_oom();
		fcat__arena_release(&w[t].scratch);
		fcat__arena_release(&w[t].kept);
		fcat__buf_free(&w[t].rowbuf);
		free(w[t].over);
		free(w[t].in);
		free(w[t].out);
	}
	return rc;
}
