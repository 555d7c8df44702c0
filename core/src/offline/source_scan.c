/* source_scan.c - reading a source's rows through the offline plugin that
 * serves it: the file-source plugin of the defaults table for file sources,
 * the offline store for tables and queries. */
#include "fault/fault.h"
#include "offline/source_scan.h"
#include "offline/scan_pipeline.h"

#include "config/defaults.h"
#include "util/error.h"

#include <string.h>
#include <strings.h>

static bool has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);
	return n >= k && strcasecmp(path + n - k, suffix) == 0;
}

int fcat__source_plugin(const fcat_store *s, const fcat__source *src, const char **plugin,
                        int *role)
{
	if (src->path) {
		const fcat__default *files = fcat__default_get(FCAT__DEFAULT_FILES);
		if (!has_suffix(src->path, files->suffix))
			return fcat__error(FCAT_EINVALID,
			                   "source '%s': cannot read '%s': file sources are read "
			                   "by the %s plugin, which takes *%s files",
			                   src->base.name, src->path, files->plugin, files->suffix);
		*plugin = files->plugin;
		*role = -1;
	} else {
		*plugin = fcat_config_store_plugin(s->config, FCAT_OFFLINE_STORE);
		*role = FCAT_OFFLINE_STORE;
	}
	return 0;
}

int fcat__source_scan(fcat_store *s, const fcat__source *src, const char *const *columns,
                      const fcat_type *types, size_t ncolumns, int ts_column, int64_t start,
                      int64_t end, fcat_scan_fn fn, void *ctx)
{
	const char *plugin = NULL;
	int role = -1;
	int rc = fcat__source_plugin(s, src, &plugin, &role);
	if (rc)
		return rc;
	fcat__plugin p;
	rc = fcat__plugin_load(&p, plugin, FCAT__PLUGIN_OFFLINE);
	if (rc)
		return fcat__error_wrap(rc, "source '%s'", src->base.name);
	fcat__plugin_config pc;
	fcat__plugin_config_init(&pc, s, role);
	void *h = NULL;
	rc = FCAT__PLUGIN_CALL(p.api->offline->open(&h, &pc.base));
	if (rc == 0) {
		fcat_scan_request req = {src->path, src->table, src->query, columns, types,
		                         ncolumns,  ts_column,  start,      end};
		rc = FCAT__PLUGIN_CALL(p.api->offline->scan(h, &req, fn, ctx));
		p.api->offline->close(h);
	}
	fcat__plugin_unload(&p);
	return rc ? fcat__error_wrap(rc, "source '%s'", src->base.name) : 0;
}

/* The arguments of one pipelined scan. */
typedef struct scan_args {
	fcat_store *s;
	const fcat__source *src;
	const char *const *cols;
	const fcat_type *types;
	size_t n;
	int ts_col;
	int64_t start, end;
} scan_args;

static int run_scan(void *ctx, fcat_scan_fn fn, void *fn_ctx)
{
	scan_args *a = ctx;
	return fcat__source_scan(a->s, a->src, a->cols, a->types, a->n, a->ts_col, a->start, a->end,
	                         fn, fn_ctx);
}

int fcat__source_scan_pipelined(fcat_store *s, const fcat__source *src, const char *const *columns,
                                const fcat_type *types, size_t ncolumns, int ts_column,
                                int64_t start, int64_t end, fcat_scan_fn consume, void *ctx)
{
	scan_args a = {s, src, columns, types, ncolumns, ts_column, start, end};
	return fcat__scan_pipelined(run_scan, &a, ncolumns, consume, ctx);
}
