/* source_columns.c - the names of a source's columns, from the plugin that
 * reads it (for a CSV file, its header, through the csv plugin's reader):
 * the offline ops' `columns` slot, read through FCAT_OPS_HAS. */
#include "fault/fault.h"
#include "offline/source_columns.h"

#include "util/error.h"

int fcat__source_columns(fcat_store *s, const fcat__source *src, fcat_columns_fn fn, void *ctx)
{
	const char *plugin =
	    src->path ? "csv" : fcat_config_store_plugin(s->config, FCAT_OFFLINE_STORE);
	fcat__plugin p;
	int rc = fcat__plugin_load(&p, plugin, FCAT__PLUGIN_OFFLINE);
	if (rc)
		return fcat__error_wrap(rc, "source '%s'", src->base.name);
	const fcat_offline_ops *ops = p.api->offline;
	if (!FCAT_OPS_HAS(ops, columns)) {
		fcat__plugin_unload(&p);
		return fcat__error(FCAT_EINVALID,
		                   "source '%s': plugin '%s' cannot list a source's columns",
		                   src->base.name, plugin);
	}
	fcat__plugin_config pc;
	fcat__plugin_config_init(&pc, s, src->path ? -1 : FCAT_OFFLINE_STORE);
	void *h = NULL;
	rc = FCAT__PLUGIN_CALL(ops->open(&h, &pc.base));
	if (rc == 0) {
		fcat_scan_request req = {src->path, src->table, src->query, NULL, NULL,
		                         0,         -1,         0,          0};
		rc = FCAT__PLUGIN_CALL(ops->columns(h, &req, fn, ctx));
		ops->close(h);
	}
	fcat__plugin_unload(&p);
	return rc ? fcat__error_wrap(rc, "source '%s'", src->base.name) : 0;
}
