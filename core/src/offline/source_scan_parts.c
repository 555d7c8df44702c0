/* source_scan_parts.c - reading a source in several parts at once: one
 * thread and one plugin handle per part, through the plugin's scan_part;
 * the parts are checked to line up end to start, and any failure stops
 * them all. */
#include "fault/fault.h"
#include "offline/source_scan_parts.h"

#include "offline/source_scan.h"
#include "util/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* What a part's fn returns once another part failed (positive: the
 * plugin hands it back as it is, and it is no error code). */
#define STOPPED 2

typedef struct shared {
	const fcat_offline_ops *ops;
	const fcat_scan_request *req;
	fcat_scan_fn fn;
	atomic_bool stop;
} shared;

typedef struct part {
	shared *sh;
	void *handle;
	void *ctx;
	fcat_scan_span span;
	pthread_t thread;
	bool started;
	bool fn_failed; /* the error came from fn, not from the plugin */
	int rc;
	char message[1024];
} part;

static int part_fn(void *ctx, const fcat_value *cells, size_t nrows)
{
	part *p = ctx;
	if (atomic_load_explicit(&p->sh->stop, memory_order_relaxed))
		return STOPPED;
	int rc = p->sh->fn(p->ctx, cells, nrows);
	if (rc) {
		p->fn_failed = true;
		atomic_store(&p->sh->stop, true);
	}
	return rc;
}

static void *run_part(void *arg)
{
	part *p = arg;
	p->rc =
	    FCAT__PLUGIN_CALL(p->sh->ops->scan_part(p->handle, p->sh->req, &p->span, part_fn, p));
	if (p->rc) {
		atomic_store(&p->sh->stop, true);
		snprintf(p->message, sizeof p->message, "%s", fcat_error_last());
	}
	return NULL;
}

int fcat__source_scan_parts(fcat_store *s, const fcat__source *src, const char *const *columns,
                            const fcat_type *types, size_t ncolumns, int ts_column, int64_t start,
                            int64_t end, unsigned nparts, fcat_scan_fn fn, void *const *ctxs)
{
	const char *name = NULL;
	int role = -1;
	int rc = fcat__source_plugin(s, src, &name, &role);
	if (rc)
		return rc;
	fcat__plugin plugin;
	if ((rc = fcat__plugin_load(&plugin, name, FCAT__PLUGIN_OFFLINE)) != 0)
		return fcat__error_wrap(rc, "source '%s'", src->base.name);
	const fcat_offline_ops *ops = plugin.api->offline;
	part *parts = NULL;
	if (nparts < 2 || !FCAT_OPS_HAS(ops, scan_part) ||
	    !(parts = calloc(nparts, sizeof *parts))) {
		fcat__plugin_unload(&plugin);
		return FCAT__SCAN_ONE;
	}
	fcat__plugin_config pc;
	fcat__plugin_config_init(&pc, s, role);
	fcat_scan_request req = {src->path, src->table, src->query, columns, types,
	                         ncolumns,  ts_column,  start,      end};
	shared sh = {ops, &req, fn, false};
	rc = 0;
	for (unsigned i = 0; i < nparts && rc == 0; i++) {
		parts[i] = (part){.sh = &sh, .ctx = ctxs[i], .span = {i, nparts, 0, 0}};
		rc = FCAT__PLUGIN_CALL(ops->open(&parts[i].handle, &pc.base));
	}
	/* a handle that does not open now would not open for one scan either:
	 * that scan reports it */
	for (unsigned i = 0; i < nparts && rc == 0; i++) {
		parts[i].started = pthread_create(&parts[i].thread, NULL, run_part, &parts[i]) == 0;
		if (!parts[i].started)
			atomic_store(&sh.stop, true);
	}
	bool lined_up = rc == 0;
	for (unsigned i = 0; i < nparts; i++) {
		if (parts[i].started)
			pthread_join(parts[i].thread, NULL);
		else
			lined_up = false;
		lined_up = lined_up && parts[i].rc == 0 &&
		           (i == 0 || parts[i - 1].span.next == parts[i].span.first);
	}
	int out = FCAT__SCAN_ONE;
	if (lined_up)
		out = 0;
	else if (rc == 0 && parts[0].started && parts[0].rc < 0 && !parts[0].fn_failed)
		out = fcat__error_wrap(fcat__error_set(parts[0].rc, parts[0].message),
		                       "source '%s'", src->base.name);
	for (unsigned i = 0; i < nparts; i++)
		ops->close(parts[i].handle);
	free(parts);
	fcat__plugin_unload(&plugin);
	if (out == FCAT__SCAN_ONE)
		fcat__error_clear();
	return out;
}
