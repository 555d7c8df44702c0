/* loader.h - finding, loading and checking plugins (dlopen), and the host
 * table and settings core hands them. */
#ifndef FCAT_PLUGIN_LOADER_H
#define FCAT_PLUGIN_LOADER_H

#include "fcat_plugin.h"

/* A loaded plugin. */
typedef struct fcat__plugin {
	void *dl;
	const fcat_plugin *api;
	char path[4096];
} fcat__plugin;

/* What a caller needs the plugin to be. */
typedef enum fcat__plugin_role {
	FCAT__PLUGIN_ONLINE = 1,
	FCAT__PLUGIN_OFFLINE = 2,
} fcat__plugin_role;

/* Finds fcat_<name>.so on the search path ($FCAT_PLUGIN_PATH, the build
 * tree, the install prefix), loads it and checks its entry symbol, ABI
 * version, name, and the required slots of `role`. Errors name the file and,
 * for a version mismatch, both versions. */
int fcat__plugin_load(fcat__plugin *out, const char *name, fcat__plugin_role role);

/* Loads a plugin from an exact path (tests, and fcat__plugin_load). */
int fcat__plugin_load_path(fcat__plugin *out, const char *path, const char *name,
                           fcat__plugin_role role);

void fcat__plugin_unload(fcat__plugin *p);

/* The host table every plugin receives. */
extern const fcat_plugin_host fcat__plugin_host;

#endif
