/* store.h - the store handle's insides: configuration, catalog, and the
 * online store plugin, opened on first use. */
#ifndef FCAT_STORE_STORE_H
#define FCAT_STORE_STORE_H

#include "catalog/model.h"
#include "config/config.h"
#include "plugin/loader.h"

#include <pthread.h>

/* fcat_plugin_config over a section of fcat.yaml. */
typedef struct fcat__plugin_config {
	fcat_plugin_config base;
	const fcat_config *config;
	int role; /* fcat_store_role, or -1 for a source (no settings) */
} fcat__plugin_config;

struct fcat_store {
	char *root;
	fcat_config *config;
	fcat_catalog *catalog;
	pthread_mutex_t lock; /* guards opening the online store */
	fcat__plugin online_plugin;
	fcat__plugin_config online_config;
	void *online; /* the plugin's handle; NULL until first use */
};

/* The online store, opened on first use. */
int fcat__store_online(fcat_store *s, const fcat_online_ops **ops, void **handle);

/* Fills a plugin config for a store section (role) or a source (-1). */
void fcat__plugin_config_init(fcat__plugin_config *pc, const fcat_store *s, int role);

#endif
