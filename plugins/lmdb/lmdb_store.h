/* lmdb_store.h - the LMDB online store's state, shared by its files. */
#ifndef FCAT_LMDB_STORE_H
#define FCAT_LMDB_STORE_H

#include "fcat_plugin.h"
#include "plugin_slots.h"

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

extern const fcat_plugin_host *lmdb_host;

/* The database of store metadata; no view may take its name. */
#define LMDB_META_DB "__meta"

/* A view's named database, opened once for the life of the store. */
typedef struct lmdb_view {
	char *name;
	MDB_dbi dbi;
} lmdb_view;

#define LMDB_SLOT_VIEWS 16

/* One thread's reader state for one store: a read-only transaction kept
 * reset between reads, the buffer read() copies rows into, and a private
 * cache of view handles. */
typedef struct lmdb_slot {
	fcatp_slot base;   /* first: in the store's readers (plugin_slots.h) */
	atomic_int active; /* inside read(): the map must not move */
	MDB_txn *txn;
	char *buf;
	size_t cap;
	struct {
		const char *name; /* the store's copy */
		MDB_dbi dbi;
	} views[LMDB_SLOT_VIEWS];
	unsigned nviews, next_view;
} lmdb_slot;

typedef struct lmdb_store {
	MDB_env *env;
	char *path;
	dev_t dev;
	ino_t ino;
	size_t max_key;
	MDB_dbi meta;
	pthread_mutex_t views_mu; /* guards views and every mdb_dbi_open */
	lmdb_view *views;
	size_t nviews, cap_views;
	pthread_mutex_t write_mu;  /* held by every transaction outside read() */
	pthread_mutex_t resize_mu; /* held while the map is resized */
	atomic_int resizing;
	fcatp_slots readers; /* every thread's lmdb_slot; live while open */
} lmdb_store;

/* Sets the error for an LMDB return code; returns the FCAT_E* code. */
int lmdb_fail(int rc, const char *what, const lmdb_store *s);

/* The handle of a view's database, opened (and created when `create`) on
 * first use. Returns 0, MDB_NOTFOUND (no such view, not created) or another
 * LMDB code; never holds a lock on return. */
int lmdb_view_dbi(lmdb_store *s, const char *view, bool create, MDB_dbi *dbi, const char **name);

/* 0 when `view` may name a view; FCAT_EINVALID (error set) otherwise. */
int lmdb_check_view(const lmdb_store *s, const char *view);

/* Live stores: registering one (refused with FCAT_EEXISTS when the same
 * directory is open already) and unregistering it, which frees every
 * thread's reader slot. lmdb_live_lock (the lock of plugin_slots.h) guards
 * open's check-then-add. */
void lmdb_live_lock(void);
void lmdb_live_unlock(void);
int lmdb_live_add_locked(lmdb_store *s);
void lmdb_live_remove(lmdb_store *s);

/* Stops readers (waiting for those inside read) while the map is resized. */
void lmdb_readers_pause(lmdb_store *s);
void lmdb_readers_resume(lmdb_store *s);

/* Adopts the map size another process set (after MDB_MAP_RESIZED); an
 * LMDB code. Called by a reader outside its slot's active section. */
int lmdb_adopt_mapsize(lmdb_store *s);

/* Opens (creating) the metadata database at open. */
int lmdb_open_meta(lmdb_store *s);

/* The online operations (fcat_plugin.h). */
int lmdb_write(void *store, const char *view, const fcat_online_row *rows, size_t n);
int lmdb_read(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_bytes *out);
int lmdb_meta_get(void *store, const char *key, char *buf, size_t size);
int lmdb_meta_set(void *store, const char *key, const char *value);
int lmdb_drop_view(void *store, const char *view);
int lmdb_update(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_update_fn fn,
                void *ctx);

#endif
