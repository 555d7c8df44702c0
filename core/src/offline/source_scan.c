/* source_scan.c - reading a source's rows through the offline plugin that
 * serves it: the csv plugin for file sources, the offline store for tables
 * and queries. */
#include "offline/source_scan.h"

#include "util/error.h"

#include <string.h>

static bool is_csv(const char *path)
{
	size_t n = strlen(path);
	return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
}

int fcat__source_scan(fcat_store *s, const fcat__source *src, const char *const *columns,
                      const fcat_type *types, size_t ncolumns, int ts_column, int64_t start,
                      int64_t end, fcat_scan_fn fn, void *ctx)
{
	const char *plugin;
	int role;
	if (src->path) {
		if (!is_csv(src->path))
			return fcat__error(FCAT_EINVALID,
			                   "source '%s': cannot read '%s': file "
			                   "sources are CSV files (*.csv)",
			                   src->base.name, src->path);
		plugin = "csv";
		role = -1;
	} else {
		plugin = fcat_config_store_plugin(s->config, FCAT_OFFLINE_STORE);
		role = FCAT_OFFLINE_STORE;
	}
	fcat__plugin p;
	int rc = fcat__plugin_load(&p, plugin, FCAT__PLUGIN_OFFLINE);
	if (rc)
		return fcat__error_wrap(rc, "source '%s'", src->base.name);
	fcat__plugin_config pc;
	fcat__plugin_config_init(&pc, s, role);
	void *h = NULL;
	rc = p.api->offline->open(&h, &pc.base);
	if (rc == 0) {
		fcat_scan_request req = {src->path, src->table, src->query, columns, types,
		                         ncolumns,  ts_column,  start,      end};
		rc = p.api->offline->scan(h, &req, fn, ctx);
		p.api->offline->close(h);
	}
	fcat__plugin_unload(&p);
	return rc ? fcat__error_wrap(rc, "source '%s'", src->base.name) : 0;
}
