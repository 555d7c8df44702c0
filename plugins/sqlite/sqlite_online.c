/* sqlite_online.c - SQLite as an online store: open, close, write, metadata. */
#include "sqlite_online.h"
#include "sqlite_offline.h"

#include "plugin_host.h"
#include "plugin_path.h"
#include "plugin_names.h"
#include "plugin_rows.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_PATH    "data/online.db"
#define MAX_VIEW_NAME   128
#define BUSY_TIMEOUT_MS 10000

const fcat_plugin_host *sq_host;

int sq_fail(sqlite3 *db, int rc, const char *what, const sq_store *s)
{
	int code = rc == SQLITE_NOMEM ? FCAT_ENOMEM : rc == SQLITE_BUSY ? FCAT_ETIMEOUT : FCAT_EIO;
	const char *msg = db && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	return sq_host->error(code, "sqlite: %s (%s): %s", what, s ? s->path : "?", msg);
}

int sq_check_view(const char *view)
{
	size_t len = view ? strlen(view) : 0;
	bool ok = len > 0 && len <= MAX_VIEW_NAME;
	for (size_t i = 0; ok && i < len; i++)
		ok = fcatp_ident_char(view[i]);
	if (!ok)
		return sq_host->error(FCAT_EINVALID,
		                      "sqlite: invalid view name '%s': use 1 to %d letters, digits "
		                      "and '_'",
		                      view ? view : "(null)", MAX_VIEW_NAME);
	return 0;
}

int sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
}

int sq_connect(sqlite3 **db, const sq_store *s, bool writer)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(s->path, db, flags, NULL);
	if (rc) {
		rc = sq_fail(*db, rc, "opening", s);
		sqlite3_close(*db);
		*db = NULL;
		return rc;
	}
	sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
	const char *sql = writer ? "PRAGMA synchronous=FULL; PRAGMA mmap_size=1073741824"
	                         : "PRAGMA query_only=1; PRAGMA mmap_size=1073741824";
	rc = sqlite3_exec(*db, sql, NULL, NULL, NULL);
	if (rc) {
		rc = sq_fail(*db, rc, "setting up a connection", s);
		sqlite3_close(*db);
		*db = NULL;
	}
	return rc;
}

int sq_view_exists(sqlite3 *db, const char *view, const sq_store *s)
{
	char name[MAX_VIEW_NAME + 8];
	snprintf(name, sizeof name, "online_%s", view);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db,
	                            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
	                            "name = ?1",
	                            -1, &st, NULL);
	if (rc)
		return sq_fail(db, rc, "looking a view up", s);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_fail(db, rc, "looking a view up", s);
}

/* Creates a directory and its parents. */
static int mkdir_p(char *path)
{
	for (char *c = path + 1;; c++) {
		if (*c != '/' && *c)
			continue;
		char was = *c;
		*c = 0;
		int failed = mkdir(path, 0755) != 0 && errno != EEXIST;
		if (failed)
			sq_host->error(FCAT_EIO, "sqlite: cannot create %s: %s", path,
			               strerror(errno));
		*c = was;
		if (failed)
			return FCAT_EIO;
		if (!was)
			return 0;
	}
}

static int make_parent(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = 0;
		rc = mkdir_p(dir);
	}
	free(dir);
	return rc;
}

/* WAL, the metadata table and the writer's statements. */
static int setup_writer(sq_store *s)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
	if (rc)
		return sq_fail(s->db, rc, "switching to WAL", s);
	rc = sqlite3_step(st);
	bool wal = rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	           strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (!wal)
		return sq_host->error(FCAT_EIO, "sqlite: %s cannot use WAL mode", s->path);
	rc = sqlite3_exec(s->db,
	                  "CREATE TABLE IF NOT EXISTS fcat_meta(key TEXT PRIMARY KEY, "
	                  "value TEXT)",
	                  NULL, NULL, NULL);
	if (!rc)
		rc = sq_prepare(s->db, "BEGIN IMMEDIATE", &s->begin);
	if (!rc)
		rc = sq_prepare(s->db, "COMMIT", &s->commit);
	if (!rc)
		rc = sq_prepare(s->db, "ROLLBACK", &s->rollback);
	if (!rc)
		rc = sq_prepare(s->db, "SELECT value FROM fcat_meta WHERE key = ?1", &s->meta_get);
	if (!rc)
		rc = sq_prepare(s->db,
		                "INSERT INTO fcat_meta(key, value) VALUES (?1, ?2) "
		                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		                &s->meta_set);
	if (rc)
		return sq_fail(s->db, rc, "preparing the store", s);
	return 0;
}

static void sq_close(void *store);

static int sq_open(void **out, const fcat_plugin_config *config)
{
	*out = NULL;
	sq_store *s = calloc(1, sizeof *s);
	if (!s)
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	s->path = fcatp_repo_path(config, fcatp_setting_or(config, "path", DEFAULT_PATH));
	int rc = s->path ? 0 : sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	if (!rc)
		rc = make_parent(s->path);
	if (!rc)
		rc = sq_connect(&s->db, s, true);
	if (!rc)
		rc = setup_writer(s);
	if (rc) {
		sq_close(s);
		return rc;
	}
	sq_live_add(s);
	*out = s;
	return 0;
}

static void sq_close(void *store)
{
	sq_store *s = store;
	if (!s)
		return;
	sq_live_remove(s);
	for (size_t i = 0; i < s->nupserts; i++) {
		sqlite3_finalize(s->upserts[i].stmt);
		free(s->upserts[i].view);
	}
	free(s->upserts);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	sqlite3_finalize(s->meta_get);
	sqlite3_finalize(s->meta_set);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* The view's upsert, creating its table on first use. */
static int upsert_stmt(sq_store *s, const char *view, sqlite3_stmt **out)
{
	for (size_t i = 0; i < s->nupserts; i++) {
		if (strcmp(s->upserts[i].view, view) == 0) {
			*out = s->upserts[i].stmt;
			return 0;
		}
	}
	if (s->nupserts == s->cap_upserts) {
		size_t cap = s->cap_upserts ? 2 * s->cap_upserts : 16;
		sq_view_stmt *u = realloc(s->upserts, cap * sizeof *u);
		if (!u)
			return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
		s->upserts = u;
		s->cap_upserts = cap;
	}
	char sql[512 + 2 * MAX_VIEW_NAME];
	snprintf(sql, sizeof sql,
	         "CREATE TABLE IF NOT EXISTS \"online_%s\"(key BLOB PRIMARY KEY, "
	         "event_ts INTEGER NOT NULL, created_ts INTEGER NOT NULL, row BLOB NOT NULL) "
	         "WITHOUT ROWID",
	         view);
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc)
		return sq_fail(s->db, rc, "creating a view's table", s);
	snprintf(sql, sizeof sql,
	         "INSERT INTO \"online_%s\"(key, event_ts, created_ts, row) "
	         "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET "
	         "event_ts = excluded.event_ts, created_ts = excluded.created_ts, "
	         "row = excluded.row "
	         "WHERE (excluded.event_ts, excluded.created_ts) > (event_ts, created_ts) "
	         "OR ((excluded.event_ts, excluded.created_ts) = (event_ts, created_ts) "
	         "AND substr(excluded.row, %d, %d) IS NOT substr(row, %d, %d))",
	         view, FCAT_ROW_VERSION_OFFSET + 1, FCAT_ROW_VERSION_SIZE,
	         FCAT_ROW_VERSION_OFFSET + 1, FCAT_ROW_VERSION_SIZE);
	sqlite3_stmt *st;
	rc = sq_prepare(s->db, sql, &st);
	if (rc)
		return sq_fail(s->db, rc, "preparing a write", s);
	char *name = strdup(view);
	if (!name) {
		sqlite3_finalize(st);
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	}
	s->upserts[s->nupserts++] = (sq_view_stmt){name, st};
	*out = st;
	return 0;
}

static int check_rows(const fcat_online_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const fcat_online_row *r = &rows[i];
		if (!r->key.ptr || r->key.len == 0 || r->key.len > INT_MAX)
			return sq_host->error(FCAT_EINVALID, "sqlite: row %zu: empty key", i);
		if (r->row.len > INT_MAX || !fcatp_row_header_ok(r))
			return sq_host->error(
			    FCAT_EINVALID, "sqlite: row %zu: not an encoded row (bad header)", i);
	}
	return 0;
}

/* Runs a statement without results to the end and resets it. */
static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int write_rows(sqlite3_stmt *st, const fcat_online_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const fcat_online_row *r = &rows[i];
		sqlite3_bind_blob(st, 1, r->key.ptr, (int)r->key.len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, r->event_ts);
		sqlite3_bind_int64(st, 3, r->created_ts);
		sqlite3_bind_blob(st, 4, r->row.ptr, (int)r->row.len, SQLITE_STATIC);
		int rc = run(st);
		if (rc)
			return rc;
	}
	return SQLITE_OK;
}

static int sq_write(void *store, const char *view, const fcat_online_row *rows, size_t n)
{
	sq_store *s = store;
	int rc = sq_check_view(view);
	if (!rc)
		rc = check_rows(rows, n);
	if (rc || n == 0)
		return rc;
	sqlite3_stmt *st;
	rc = upsert_stmt(s, view, &st);
	if (rc)
		return rc;
	rc = run(s->begin);
	if (rc)
		return sq_fail(s->db, rc, "starting a write", s);
	rc = write_rows(st, rows, n);
	if (!rc)
		rc = run(s->commit);
	sqlite3_clear_bindings(st);
	if (rc) {
		int code = sq_fail(s->db, rc, "writing rows", s);
		if (!sqlite3_get_autocommit(s->db))
			run(s->rollback);
		return code;
	}
	return 0;
}

/* Read-modify-write of n keys in one IMMEDIATE transaction: the write lock
 * is held from the first read, so no other writer comes between. */
static int update_rows(sqlite3_stmt *get, sqlite3_stmt *put, const fcat_bytes *keys, size_t n,
                       fcat_update_fn fn, void *ctx, int *fn_rc)
{
	for (size_t i = 0; i < n; i++) {
		if (!keys[i].ptr || keys[i].len == 0 || keys[i].len > INT_MAX)
			return *fn_rc =
			           sq_host->error(FCAT_EINVALID, "sqlite: key %zu: empty key", i);
		sqlite3_bind_blob(get, 1, keys[i].ptr, (int)keys[i].len, SQLITE_STATIC);
		int rc = sqlite3_step(get);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sqlite3_reset(get);
			return rc;
		}
		fcat_bytes old = {NULL, 0}, out = {NULL, 0};
		if (rc == SQLITE_ROW) {
			old.len = (size_t)sqlite3_column_bytes(get, 0);
			old.ptr = sqlite3_column_blob(get, 0);
			if (!old.ptr)
				old.ptr = "";
		}
		*fn_rc = fn(ctx, i, old, &out);
		sqlite3_reset(get);
		if (*fn_rc)
			return SQLITE_ABORT;
		if (!out.ptr)
			continue;
		if (out.len < FCAT_ROW_HEADER_SIZE || out.len > INT_MAX)
			return *fn_rc = sq_host->error(FCAT_EINVALID,
			                               "sqlite: key %zu: not an encoded row", i);
		int64_t ev, cr;
		memcpy(&ev, out.ptr + FCAT_ROW_EVENT_TS_OFFSET, 8);
		memcpy(&cr, out.ptr + FCAT_ROW_CREATED_TS_OFFSET, 8);
		sqlite3_bind_blob(put, 1, keys[i].ptr, (int)keys[i].len, SQLITE_STATIC);
		sqlite3_bind_int64(put, 2, ev);
		sqlite3_bind_int64(put, 3, cr);
		sqlite3_bind_blob(put, 4, out.ptr, (int)out.len, SQLITE_STATIC);
		if ((rc = run(put)))
			return rc;
	}
	return SQLITE_OK;
}

static int sq_update(void *store, const char *view, const fcat_bytes *keys, size_t n,
                     fcat_update_fn fn, void *ctx)
{
	sq_store *s = store;
	int rc = sq_check_view(view);
	sqlite3_stmt *upsert, *get = NULL, *put = NULL;
	if (!rc)
		rc = upsert_stmt(s, view, &upsert); /* makes the table */
	if (rc || n == 0)
		return rc;
	char sql[256 + MAX_VIEW_NAME];
	snprintf(sql, sizeof sql, "SELECT row FROM \"online_%s\" WHERE key = ?1", view);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &get, NULL);
	if (!rc) {
		snprintf(sql, sizeof sql,
		         "INSERT OR REPLACE INTO \"online_%s\"(key, event_ts, created_ts, row) "
		         "VALUES (?1, ?2, ?3, ?4)",
		         view);
		rc = sqlite3_prepare_v2(s->db, sql, -1, &put, NULL);
	}
	int fn_rc = 0;
	if (rc) {
		fn_rc = sq_fail(s->db, rc, "preparing an update", s);
	} else if ((rc = run(s->begin))) {
		fn_rc = sq_fail(s->db, rc, "starting an update", s);
	} else {
		rc = update_rows(get, put, keys, n, fn, ctx, &fn_rc);
		if (!rc)
			rc = run(s->commit);
		if (rc && !fn_rc)
			fn_rc = sq_fail(s->db, rc, "updating rows", s);
		if (rc && !sqlite3_get_autocommit(s->db))
			run(s->rollback);
	}
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	return fn_rc;
}

static int sq_meta_get(void *store, const char *key, char *buf, size_t size)
{
	sq_store *s = store;
	sqlite3_bind_text(s->meta_get, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s->meta_get);
	int out;
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s->meta_get, 0);
		size_t len = (size_t)sqlite3_column_bytes(s->meta_get, 0);
		if (len < size) {
			memcpy(buf, v ? (const char *)v : "", len);
			buf[len] = 0;
			out = (int)len;
		} else {
			out = sq_host->error(
			    FCAT_EINVALID, "sqlite: metadata '%s' holds %zu bytes, the buffer %zu",
			    key, len, size);
		}
	} else if (rc == SQLITE_DONE) {
		out = sq_host->error(FCAT_ENOTFOUND, "sqlite: no metadata '%s'", key);
	} else {
		out = sq_fail(s->db, rc, "reading metadata", s);
	}
	sqlite3_reset(s->meta_get);
	sqlite3_clear_bindings(s->meta_get);
	return out;
}

static int sq_meta_set(void *store, const char *key, const char *value)
{
	sq_store *s = store;
	sqlite3_bind_text(s->meta_set, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->meta_set, 2, value, -1, SQLITE_STATIC);
	int rc = run(s->meta_set);
	sqlite3_clear_bindings(s->meta_set);
	if (rc)
		return sq_fail(s->db, rc, "writing metadata", s);
	return 0;
}

/* Empties the view's table; the table stays, so prepared statements do. */
static int sq_drop_view(void *store, const char *view)
{
	sq_store *s = store;
	int rc = sq_check_view(view);
	if (rc)
		return rc;
	rc = sq_view_exists(s->db, view, s);
	if (rc <= 0)
		return rc;
	char sql[64 + MAX_VIEW_NAME];
	snprintf(sql, sizeof sql, "DELETE FROM \"online_%s\"", view);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc)
		return sq_fail(s->db, rc, "dropping a view", s);
	return 0;
}

static const fcat_online_ops sq_online = {
    .size = FCAT_OPS_SIZE(fcat_online_ops),
    .open = sq_open,
    .close = sq_close,
    .write = sq_write,
    .read = sq_read,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .drop_view = sq_drop_view,
    .update = sq_update,
};

static const fcat_plugin sq_plugin = {
    .abi_version = FCAT_PLUGIN_ABI_VERSION,
    .name = "sqlite",
    .description = "SQLite database file: an online store (WAL) and offline tables",
    .online = &sq_online,
    .offline = &sq_offline,
};

FCAT_PLUGIN_DEFINE_ENTRY(host)
{
	return fcatp_enter(&sq_host, host, &sq_plugin);
}
