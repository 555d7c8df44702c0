/* sqlite_online.h - the SQLite online store's state, shared by its files. */
#ifndef FCAT_SQLITE_ONLINE_H
#define FCAT_SQLITE_ONLINE_H

#include "fcat_plugin.h"
#include "plugin_slots.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

extern const fcat_plugin_host *sq_host;

/* A statement prepared for one view. */
typedef struct sq_view_stmt {
	char *view;
	sqlite3_stmt *stmt;
} sq_view_stmt;

#define SQ_SLOT_VIEWS 16

/* One thread's reader state for one store: its own connection (WAL lets
 * it read while the writer writes), its statements, and the buffer read()
 * copies rows into. */
typedef struct sq_slot {
	fcatp_slot base; /* first: in the store's readers (plugin_slots.h) */
	sqlite3 *db;
	sqlite3_stmt *begin, *commit;
	sq_view_stmt sel[SQ_SLOT_VIEWS];
	unsigned nsel, next_sel;
	char *buf;
	size_t cap;
} sq_slot;

typedef struct sq_store {
	sqlite3 *db; /* the writer's connection: every call but read */
	char *path;
	sqlite3_stmt *begin, *commit, *rollback, *meta_get, *meta_set;
	sq_view_stmt *upserts;
	size_t nupserts, cap_upserts;
	fcatp_slots readers; /* every thread's sq_slot; live while open */
} sq_store;

/* Sets the error from a connection's last failure; returns FCAT_E*. */
int sq_fail(sqlite3 *db, int rc, const char *what, const sq_store *s);

/* 0 when `view` is a valid view name (letters, digits, '_'), else
 * FCAT_EINVALID with the error set. */
int sq_check_view(const char *view);

/* Opens a connection to the store's file (the writer creates it). */
int sq_connect(sqlite3 **db, const sq_store *s, bool writer);

/* Prepares `sql` on db as a long-lived statement; returns an SQLite code. */
int sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt);

/* Whether the table of a view exists: 1, 0, or a negative FCAT_E*. */
int sq_view_exists(sqlite3 *db, const char *view, const sq_store *s);

/* Makes the store's reader slots live, and frees every thread's slot. */
void sq_live_add(sq_store *s);
void sq_live_remove(sq_store *s);

int sq_read(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_bytes *out);

#endif
