/* pit_pushdown.c - a point-in-time join run inside the offline store, when
 * the plugin that serves a source offers pit_join and push-down is on. */
#include "fault/fault.h"
#include "offline/pit_pushdown.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PUSHDOWN_ENV "FCAT_OFFLINE_PUSHDOWN"

static bool is_off(const char *v)
{
	return !strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	       !strcasecmp(v, "off");
}

bool fcat__pit_pushdown_enabled(const fcat_store *s)
{
	const char *env = getenv(PUSHDOWN_ENV);
	if (env && *env)
		return !is_off(env);
	const char *set = fcat_config_store_setting(s->config, FCAT_OFFLINE_STORE, "pushdown");
	return !set || !is_off(set);
}

/* What core holds a plugin's pit_join to (fcat_offline_ops): the callback's
 * rows stay inside the request and come each once, in order; a join that
 * succeeds answered every row; a decline comes before any answer. A plugin
 * that breaks this is an error naming it, before its rows reach core's
 * arrays. */
typedef struct guard {
	const char *plugin;
	size_t nrows, next; /* the entity rows, the next one due */
	fcat_pit_fn fn;
	void *ctx;
	int stopped; /* what a callback returned to stop the join */
} guard;

static int guarded(void *ctx, size_t first, const fcat_value *cells, const bool *matched,
                   size_t nrows)
{
	guard *g = ctx;
	if (g->stopped)
		return g->stopped; /* called again after being told to stop */
	if (first != g->next || nrows > g->nrows - first || (nrows && (!cells || !matched)))
		return g->stopped = fcat__error(
		           FCAT_EIO,
		           "offline store plugin '%s': pit_join answered entity rows %zu to %zu "
		           "when row %zu of %zu was due (rows come once each, in order)",
		           g->plugin, first + 1, first + nrows, g->next + 1, g->nrows);
	g->next += nrows;
	return g->stopped = g->fn(g->ctx, first, cells, matched, nrows);
}

/* The plugin's result, held to what its callbacks saw. */
static int checked(const guard *g, int rc)
{
	if (g->stopped)
		return rc < 0 ? rc : g->stopped; /* stopped: an error, whatever it says */
	if (rc == FCAT_PIT_DECLINED && g->next)
		return fcat__error(FCAT_EIO,
		                   "offline store plugin '%s': pit_join declined after answering "
		                   "%zu entity rows (it may decline only before the first)",
		                   g->plugin, g->next);
	if (rc > 0 && rc != FCAT_PIT_DECLINED)
		return fcat__error(FCAT_EIO, "offline store plugin '%s': pit_join returned %d",
		                   g->plugin, rc);
	if (rc == 0 && g->next != g->nrows)
		return fcat__error(FCAT_EIO,
		                   "offline store plugin '%s': pit_join answered %zu of %zu entity "
		                   "rows",
		                   g->plugin, g->next, g->nrows);
	return rc;
}

int fcat__pit_pushdown(fcat_store *s, const fcat__source *src, fcat_pit_request *req,
                       fcat_pit_fn fn, void *ctx)
{
	/* file sources are the csv plugin's (as in fcat__source_scan); only
	 * tables and queries live in the offline store */
	if (src->path || !fcat__pit_pushdown_enabled(s))
		return FCAT_PIT_DECLINED;
	const char *plugin = fcat_config_store_plugin(s->config, FCAT_OFFLINE_STORE);
	fcat__plugin p;
	int rc = fcat__plugin_load(&p, plugin, FCAT__PLUGIN_OFFLINE);
	if (rc)
		return fcat__error_wrap(rc, "source '%s'", src->base.name);
	if (!FCAT_OPS_HAS(p.api->offline, pit_join)) {
		fcat__plugin_unload(&p);
		return FCAT_PIT_DECLINED;
	}
	fcat__plugin_config pc;
	fcat__plugin_config_init(&pc, s, FCAT_OFFLINE_STORE);
	void *h = NULL;
	rc = FCAT__PLUGIN_CALL(p.api->offline->open(&h, &pc.base));
	if (rc == 0) {
		req->path = NULL;
		req->table = src->table;
		req->query = src->query;
		guard g = {.plugin = plugin, .nrows = req->nrows, .fn = fn, .ctx = ctx};
		rc = checked(&g, FCAT__PLUGIN_CALL(p.api->offline->pit_join(h, req, guarded, &g)));
		p.api->offline->close(h);
	}
	fcat__plugin_unload(&p);
	if (rc == FCAT_PIT_DECLINED)
		return rc;
	return rc ? fcat__error_wrap(rc, "source '%s'", src->base.name) : 0;
}
