/* scratch_store.c - the private online store `fcat verify` materializes
 * into: the configured online plugin with its `path` in a scratch directory,
 * or the default embedded one for a store without a local path. */
#include "fault/fault.h"
#include "verify/scratch_store.h"

#include "config/defaults.h"
#include "util/error.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The section's settings (none for the default plugin), `path` replaced. */
static const char *scratch_setting(const fcat_plugin_config *base, const char *key)
{
	const fcat__scratch_store *sc =
	    (const fcat__scratch_store *)((const char *)base - offsetof(fcat__scratch_store, pc));
	if (strcmp(key, "path") == 0)
		return sc->path;
	if (sc->pc.role < 0)
		return NULL;
	return fcat_config_store_setting(sc->pc.config, (fcat_store_role)sc->pc.role, key);
}

int fcat__scratch_store_open(fcat__scratch_store *out, fcat_store *s, const char *dir)
{
	return fcat__scratch_store_open_for(out, s, dir, false);
}

int fcat__scratch_store_open_for(fcat__scratch_store *out, fcat_store *s, const char *dir,
                                 bool aggregations)
{
	memset(out, 0, sizeof *out);
	const fcat_config *c = s->config;
	bool local = fcat_config_store_setting(c, FCAT_ONLINE_STORE, "path") != NULL;
	const char *name = local ? fcat_config_store_plugin(c, FCAT_ONLINE_STORE)
	                         : fcat__default_get(FCAT__DEFAULT_ONLINE)->plugin;
	int rc = fcat__plugin_load(&out->plugin, name, FCAT__PLUGIN_ONLINE);
	if (rc)
		return fcat__error_wrap(rc, "verify's scratch online store");
	if (aggregations && local && !FCAT_OPS_HAS(out->plugin.api->online, update)) {
		/* a plugin without update cannot hold tiles: the default can */
		fcat__plugin_unload(&out->plugin);
		local = false;
		name = fcat__default_get(FCAT__DEFAULT_ONLINE)->plugin;
		if ((rc = fcat__plugin_load(&out->plugin, name, FCAT__PLUGIN_ONLINE)))
			return fcat__error_wrap(rc, "verify's scratch online store");
	}
	fcat__plugin_config_init(&out->pc, s, local ? FCAT_ONLINE_STORE : -1);
	out->pc.base.repo_root = dir;
	out->pc.base.get = scratch_setting;
	snprintf(out->path, sizeof out->path, "%s/online", dir);
	out->target.ops = out->plugin.api->online;
	rc = FCAT__PLUGIN_CALL(out->target.ops->open(&out->target.handle, &out->pc.base));
	if (rc) {
		fcat__plugin_unload(&out->plugin);
		return fcat__error_wrap(rc, "verify's scratch online store (plugin %s, in %s)",
		                        name, dir);
	}
	return 0;
}

void fcat__scratch_store_close(fcat__scratch_store *sc)
{
	if (sc->target.handle)
		sc->target.ops->close(sc->target.handle);
	sc->target.handle = NULL;
	fcat__plugin_unload(&sc->plugin);
}
