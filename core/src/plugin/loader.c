/* loader.c - finding, loading and checking plugins (dlopen). */
#include "plugin/loader.h"

#include "util/error.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const fcat_plugin_host fcat__plugin_host = {
    .abi_version = FCAT_PLUGIN_ABI_VERSION,
    .error = fcat__error,
    .value_parse = fcat_value_parse,
    .value_clear = fcat_value_clear,
    .timestamp_parse = fcat_timestamp_parse,
    .error_last = fcat_error_last,
    .size = sizeof(fcat_plugin_host),
};

/* Where a slot of an ops table ends. Every table core loads holds at least
 * the slots of FCAT_PLUGIN_ABI_MIN_VERSION (2): every slot core calls
 * without FCAT_OPS_HAS. Slots appended later are read through FCAT_OPS_HAS. */
#define SLOT_END(type, slot) (offsetof(type, slot) + sizeof(((type *)0)->slot))
#define ONLINE_MIN_SIZE      SLOT_END(fcat_online_ops, drop_view)
#define OFFLINE_MIN_SIZE     SLOT_END(fcat_offline_ops, pit_join)

static int short_table(const fcat__plugin *p, const char *kind, size_t size, size_t need)
{
	return fcat__error(FCAT_EVERSION,
	                   "%s: its %s ops table is %zu bytes, less than the %zu of plugin ABI "
	                   "version %u (is `size` set with FCAT_OPS_SIZE?)",
	                   p->path, kind, size, need, FCAT_PLUGIN_ABI_MIN_VERSION);
}

/* The version rule of fcat_plugin.h: versions MIN .. FCAT_PLUGIN_ABI_VERSION
 * load; a newer plugin may expect what this core does not offer. */
static int check_version(const fcat__plugin *p)
{
	unsigned v = p->api->abi_version;
	if (v > FCAT_PLUGIN_ABI_VERSION)
		return fcat__error(FCAT_EVERSION,
		                   "%s was built for plugin ABI version %u, newer than this fcat, "
		                   "which speaks version %u (upgrade fcat or rebuild the plugin)",
		                   p->path, v, FCAT_PLUGIN_ABI_VERSION);
	if (v < FCAT_PLUGIN_ABI_MIN_VERSION)
		return fcat__error(
		    FCAT_EVERSION,
		    "%s was built for plugin ABI version %u; this fcat speaks version "
		    "%u and loads plugins of version %u and later",
		    p->path, v, FCAT_PLUGIN_ABI_VERSION, FCAT_PLUGIN_ABI_MIN_VERSION);
	return 0;
}

static int check_slots(const fcat__plugin *p, fcat__plugin_role role)
{
	const fcat_plugin *a = p->api;
	if (role == FCAT__PLUGIN_ONLINE) {
		const fcat_online_ops *o = a->online;
		if (!o)
			return fcat__error(FCAT_EINVALID, "plugin '%s' (%s) is not an online store",
			                   a->name, p->path);
		if (o->size < ONLINE_MIN_SIZE)
			return short_table(p, "online", o->size, ONLINE_MIN_SIZE);
		const char *missing = !o->open       ? "open"
		                      : !o->close    ? "close"
		                      : !o->write    ? "write"
		                      : !o->read     ? "read"
		                      : !o->meta_get ? "meta_get"
		                      : !o->meta_set ? "meta_set"
		                                     : NULL;
		if (missing)
			return fcat__error(FCAT_EINVALID,
			                   "%s: the online store lacks the required "
			                   "function '%s'",
			                   p->path, missing);
	} else {
		const fcat_offline_ops *o = a->offline;
		if (!o)
			return fcat__error(FCAT_EINVALID,
			                   "plugin '%s' (%s) is not an offline store", a->name,
			                   p->path);
		if (o->size < OFFLINE_MIN_SIZE)
			return short_table(p, "offline", o->size, OFFLINE_MIN_SIZE);
		const char *missing = !o->open    ? "open"
		                      : !o->close ? "close"
		                      : !o->scan  ? "scan"
		                                  : NULL;
		if (missing)
			return fcat__error(FCAT_EINVALID,
			                   "%s: the offline store lacks the required "
			                   "function '%s'",
			                   p->path, missing);
	}
	return 0;
}

int fcat__plugin_load_path(fcat__plugin *out, const char *path, const char *name,
                           fcat__plugin_role role)
{
	memset(out, 0, sizeof *out);
	snprintf(out->path, sizeof out->path, "%s", path);
	/* never unmapped, even by the last dlclose: a plugin's thread-local
	 * storage and the destructors it registers (per-thread read
	 * transactions, client connections) may outlive its last store in
	 * threads that are still running, and must not point into freed code */
	out->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!out->dl) {
		const char *e = dlerror();
		return fcat__error(FCAT_EIO, "cannot load plugin %s: %s", path,
		                   e ? e : "dlopen failed");
	}
	int rc = 0;
	dlerror();
	fcat_plugin_entry_fn entry = (fcat_plugin_entry_fn)dlsym(out->dl, FCAT_PLUGIN_ENTRY_NAME);
	if (!entry) {
		rc = fcat__error(FCAT_EINVALID,
		                 "%s is not an fcat plugin: it exports no '%s' symbol", path,
		                 FCAT_PLUGIN_ENTRY_NAME);
		goto fail;
	}
	fcat__error_clear();
	out->api = entry(&fcat__plugin_host);
	if (!out->api) {
		rc = fcat__error_wrap(FCAT_EINVALID, "%s refused to load", path);
		goto fail;
	}
	if ((rc = check_version(out)))
		goto fail;
	if (!out->api->name || strcmp(out->api->name, name) != 0) {
		rc = fcat__error(FCAT_EINVALID, "%s calls itself '%s', expected '%s'", path,
		                 out->api->name ? out->api->name : "(no name)", name);
		goto fail;
	}
	if ((rc = check_slots(out, role)))
		goto fail;
	return 0;
fail:
	dlclose(out->dl);
	memset(out, 0, sizeof *out);
	return rc;
}

static bool valid_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

int fcat__plugin_load(fcat__plugin *out, const char *name, fcat__plugin_role role)
{
	memset(out, 0, sizeof *out);
	if (!valid_name(name))
		return fcat__error(FCAT_EINVALID, "bad plugin name '%s'", name);
	char dirs[8192] = "";
	const char *env = getenv("FCAT_PLUGIN_PATH");
	snprintf(dirs, sizeof dirs, "%s%s%s:%s", env ? env : "", env && *env ? ":" : "",
	         FCAT_PLUGIN_BUILD_DIR, FCAT_PLUGIN_INSTALL_DIR);
	char looked[8192] = "";
	for (char *dir = dirs, *next; dir && *dir; dir = next) {
		next = strchr(dir, ':');
		if (next)
			*next++ = '\0';
		if (!*dir)
			continue;
		char path[8400];
		snprintf(path, sizeof path, "%s/fcat_%s.so", dir, name);
		if (access(path, F_OK) == 0)
			return fcat__plugin_load_path(out, path, name, role);
		snprintf(looked + strlen(looked), sizeof looked - strlen(looked), "%s%s",
		         looked[0] ? ", " : "", dir);
	}
	return fcat__error(FCAT_ENOTFOUND,
	                   "plugin '%s' not found: no fcat_%s.so in %s (set "
	                   "FCAT_PLUGIN_PATH to add a directory)",
	                   name, name, looked);
}

void fcat__plugin_unload(fcat__plugin *p)
{
	if (p->dl)
		dlclose(p->dl);
	memset(p, 0, sizeof *p);
}
