/* online_conn.c - the online store connection of a store: the plugin
 * loaded and opened on first use, shared (counted) by reopened stores. */
#include "fault/fault.h"
#include "store/online_conn.h"

#include "store/store.h"
#include "util/error.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct fcat__online_conn {
	atomic_uint refs;
	char *root;
	fcat_config *config;  /* the settings the plugin reads, for its life */
	pthread_mutex_t lock; /* guards opening */
	fcat__plugin plugin;
	fcat__plugin_config pc;
	void *handle;     /* NULL until first use */
	atomic_bool open; /* set once handle is open: reads skip the lock */
};

int fcat__online_conn_new(fcat__online_conn **out, const char *root, const char *yaml)
{
	*out = NULL;
	fcat__online_conn *c = calloc(1, sizeof *c);
	if (!c || !(c->root = strdup(root))) {
		free(c);
		return fcat__error_oom();
	}
	int rc = fcat_config_load(&c->config, yaml);
	if (rc) {
		free(c->root);
		free(c);
		return rc;
	}
	atomic_init(&c->refs, 1);
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

fcat__online_conn *fcat__online_conn_ref(fcat__online_conn *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

void fcat__online_conn_unref(fcat__online_conn *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	if (c->handle)
		c->plugin.api->online->close(c->handle);
	fcat__plugin_unload(&c->plugin);
	pthread_mutex_destroy(&c->lock);
	fcat_config_free(c->config);
	free(c->root);
	free(c);
}

int fcat__online_conn_get(fcat__online_conn *c, const fcat_online_ops **ops, void **handle)
{
	if (atomic_load_explicit(&c->open, memory_order_acquire)) {
		*ops = c->plugin.api->online;
		*handle = c->handle;
		return 0;
	}
	pthread_mutex_lock(&c->lock);
	int rc = 0;
	if (!c->handle) {
		const char *name = fcat_config_store_plugin(c->config, FCAT_ONLINE_STORE);
		rc = fcat__plugin_load(&c->plugin, name, FCAT__PLUGIN_ONLINE);
		if (rc == 0) {
			fcat__plugin_config_init_at(&c->pc, c->root, c->config, FCAT_ONLINE_STORE);
			rc =
			    FCAT__PLUGIN_CALL(c->plugin.api->online->open(&c->handle, &c->pc.base));
			if (rc) {
				c->handle = NULL;
				fcat__error_wrap(rc, "opening the online store (plugin %s)", name);
				fcat__plugin_unload(&c->plugin);
			} else {
				atomic_store_explicit(&c->open, true, memory_order_release);
			}
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (rc == 0) {
		*ops = c->plugin.api->online;
		*handle = c->handle;
	}
	return rc;
}
