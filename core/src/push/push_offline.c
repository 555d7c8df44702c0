/* push_offline.c - appending pushed rows to the batch source's storage
 * through the plugin that serves it (the csv plugin for a file, the offline
 * store for a table), whose append slot keeps it all or nothing. */
#include "fault/fault.h"
#include "push/push.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int fcat__push_offline_open(fcat__push_offline *o, const fcat__push *p)
{
	memset(o, 0, sizeof *o);
	const fcat__source *src = p->ps->batch;
	const char *plugin;
	int role;
	if (src->query)
		return fcat__error(FCAT_EINVALID,
		                   "push source '%s': its batch source '%s' is a query, which "
		                   "cannot take pushed rows offline (push online only, or use a "
		                   "table or a file)",
		                   p->ps->base.name, src->base.name);
	if (src->path) {
		size_t n = strlen(src->path);
		if (n < 4 || strcasecmp(src->path + n - 4, ".csv") != 0)
			return fcat__error(FCAT_EINVALID,
			                   "push source '%s': cannot append to '%s': file sources "
			                   "are CSV files (*.csv)",
			                   p->ps->base.name, src->path);
		plugin = "csv";
		role = -1;
	} else {
		plugin = fcat_config_store_plugin(p->store->config, FCAT_OFFLINE_STORE);
		role = FCAT_OFFLINE_STORE;
	}
	int rc = fcat__plugin_load(&o->plugin, plugin, FCAT__PLUGIN_OFFLINE);
	if (rc)
		return fcat__error_wrap(rc, "push source '%s'", p->ps->base.name);
	o->loaded = true;
	if (!FCAT_OPS_HAS(o->plugin.api->offline, append))
		return fcat__error(FCAT_EINVALID,
		                   "push source '%s': the store of its batch source '%s' (plugin "
		                   "%s) cannot take pushes: the plugin has no append",
		                   p->ps->base.name, src->base.name, plugin);
	fcat__plugin_config pc;
	fcat__plugin_config_init(&pc, p->store, role);
	rc = FCAT__PLUGIN_CALL(o->plugin.api->offline->open(&o->handle, &pc.base));
	if (rc) {
		o->handle = NULL;
		return fcat__error_wrap(rc, "push source '%s': opening the store of source '%s'",
		                        p->ps->base.name, src->base.name);
	}
	return 0;
}

/* Every cell's text, as fcat_value_parse reads it back (NULL for a null). */
static int cell_texts(char ***out, const fcat__push *p)
{
	size_t n = p->nrows * p->ncols;
	char **t = calloc(n + 1, sizeof *t);
	if (!t)
		return fcat__error_oom();
	for (size_t i = 0; i < n; i++) {
		if (p->cells[i].is_null)
			continue;
		int rc = fcat_value_format(&t[i], &p->cells[i]);
		if (rc) {
			for (size_t j = 0; j < i; j++)
				free(t[j]);
			free(t);
			return rc;
		}
	}
	*out = t;
	return 0;
}

int fcat__push_offline_append(fcat__push_offline *o, const fcat__push *p)
{
	const fcat__source *src = p->ps->batch;
	const char **names = calloc(p->ncols + 1, sizeof *names);
	fcat_type *types = calloc(p->ncols + 1, sizeof *types);
	char **texts = NULL;
	int rc = names && types ? cell_texts(&texts, p) : fcat__error_oom();
	if (rc == 0) {
		for (size_t c = 0; c < p->ncols; c++) {
			names[c] = p->field[c]->base.name;
			types[c] = p->field[c]->type;
		}
		fcat_append_request req = {src->path,
		                           src->table,
		                           names,
		                           types,
		                           p->ncols,
		                           p->cells,
		                           (const char *const *)texts,
		                           p->nrows};
		rc = FCAT__PLUGIN_CALL(o->plugin.api->offline->append(o->handle, &req));
		if (rc)
			fcat__error_wrap(rc,
			                 "push source '%s': appending to source '%s' (nothing "
			                 "was written)",
			                 p->ps->base.name, src->base.name);
	}
	for (size_t i = 0; texts && i < p->nrows * p->ncols; i++)
		free(texts[i]);
	free(texts);
	free(names);
	free(types);
	return rc;
}

void fcat__push_offline_close(fcat__push_offline *o)
{
	if (o->handle)
		o->plugin.api->offline->close(o->handle);
	if (o->loaded)
		fcat__plugin_unload(&o->plugin);
	memset(o, 0, sizeof *o);
}
