/* scratch_store.h - the private online store `fcat verify` materializes
 * into, so that the store's own online store is never touched. */
#ifndef FCAT_VERIFY_SCRATCH_STORE_H
#define FCAT_VERIFY_SCRATCH_STORE_H

#include "plugin/loader.h"
#include "serve/online_target.h"
#include "store/store.h"

typedef struct fcat__scratch_store {
	fcat__plugin plugin;
	fcat__plugin_config pc; /* first in its own wrapper: see scratch_store.c */
	char path[4200];        /* the `path` setting the scratch store gets */
	fcat__online target;    /* ops and handle, once open */
} fcat__scratch_store;

/*
 * Opens an empty online store in the scratch directory `dir` (which it
 * creates or reuses; the caller removes it after fcat__scratch_store_close).
 *
 * When fcat.yaml's online store sets `path` (a store that keeps its data in
 * local files, such as lmdb or sqlite), the scratch store is the same plugin
 * with the same settings and `path` replaced by DIR/online. A store without
 * `path` (a server such as redis, where a scratch write would be seen by
 * every reader of the shared store) gets instead the default embedded online
 * plugin of the defaults table, at DIR/online. Errors name the plugin.
 */
int fcat__scratch_store_open(fcat__scratch_store *out, fcat_store *s, const char *dir);

/* The same for an aggregation view: when the configured plugin has no
 * update (it cannot hold tiles), the default embedded plugin instead. */
int fcat__scratch_store_open_for(fcat__scratch_store *out, fcat_store *s, const char *dir,
                                 bool aggregations);

/* Closes the store and unloads its plugin. */
void fcat__scratch_store_close(fcat__scratch_store *sc);

#endif
