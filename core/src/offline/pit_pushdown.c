/* pit_pushdown.c - a point-in-time join run inside the offline store, when
 * the plugin that serves a source offers pit_join and push-down is on. */
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
	rc = p.api->offline->open(&h, &pc.base);
	if (rc == 0) {
		req->path = NULL;
		req->table = src->table;
		req->query = src->query;
		rc = p.api->offline->pit_join(h, req, fn, ctx);
		p.api->offline->close(h);
	}
	fcat__plugin_unload(&p);
	if (rc == FCAT_PIT_DECLINED)
		return rc;
	return rc ? fcat__error_wrap(rc, "source '%s'", src->base.name) : 0;
}
