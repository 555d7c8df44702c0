/* online_conn.h - a store's online store connection, opened on first use
 * and shared, counted, by the stores fcat_store_reopen makes of one repo. */
#ifndef FCAT_STORE_ONLINE_CONN_H
#define FCAT_STORE_ONLINE_CONN_H

#include "fcat_plugin.h"

typedef struct fcat__online_conn fcat__online_conn;

/* A connection to the online store of fcat.yaml at `yaml` (the repo's root
 * `root`), not opened yet; it keeps its own copy of the settings, so it
 * outlives the store that made it. One reference. Returns 0, or an error of
 * fcat_config_load, or FCAT_ENOMEM. */
int fcat__online_conn_new(fcat__online_conn **out, const char *root, const char *yaml);

/* Takes another reference; returns `c`. */
fcat__online_conn *fcat__online_conn_ref(fcat__online_conn *c);

/* Drops a reference; the last one closes the plugin's handle. NULL is a
 * no-op. */
void fcat__online_conn_unref(fcat__online_conn *c);

/* The plugin's ops and handle, opening it on first use (once, whichever
 * store asks first). Returns 0 or the plugin's error, wrapped. */
int fcat__online_conn_get(fcat__online_conn *c, const fcat_online_ops **ops, void **handle);

#endif
