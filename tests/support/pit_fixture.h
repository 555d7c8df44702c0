/* pit_fixture.h - the point-in-time data of test_historical.c (every edge of
 * the window and the tie-breaks) as a feature repo whose sources are CSV
 * files or offline-store tables, the request that test runs, and a SQLite
 * loader; for test_historical.c and the offline plugin tests (header only). */
#ifndef FCAT_TEST_PIT_FIXTURE_H
#define FCAT_TEST_PIT_FIXTURE_H

#include "testutil.h"

#include "fcat.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The definitions: SRC_EVENTS and SRC_VISITS are either
 * "path = 'data/events.csv'" or "table = 'events'". */
#define PIT_DEFS(SRC_EVENTS, SRC_VISITS)                                                           \
	"entity { name = 'user', join_keys = { field('user_id', string) } }\n"                     \
	"entity { name = 'store', join_keys = { field('store_id', int64) } }\n"                    \
	"source { name = 'events', " SRC_EVENTS ", timestamp_field = 'ts',\n"                      \
	"         created_timestamp_field = 'created' }\n"                                         \
	"source { name = 'visits', " SRC_VISITS ", timestamp_field = 'ts' }\n"                     \
	"feature_view { name = 'v', entities = { 'user' }, source = 'events', ttl = hours(1),\n"   \
	"  schema = { field('a', int64), field('b', string) } }\n"                                 \
	"feature_view { name = 'w', entities = { 'user', 'store' }, source = 'visits',\n"          \
	"  schema = { field('n', int64) } }\n"

static const char pit_defs_csv[] = PIT_DEFS("path = 'data/events.csv'", "path = 'data/visits.csv'");
static const char pit_defs_tables[] = PIT_DEFS("table = 'events'", "table = 'visits'");

static const char pit_events_csv[] =
    "user_id,ts,created,a,b\n"
    "u1,2026-01-01T10:00:00Z,2026-01-01T10:00:00Z,1,at T\n"
    "u1,2026-01-01T11:00:00Z,2026-01-01T11:00:00Z,2,after T\n"
    "u2,2026-01-01T09:00:00Z,2026-01-01T09:00:00Z,3,exactly ttl before\n"
    "u3,2026-01-01T08:59:59Z,2026-01-01T08:59:59Z,4,one second outside\n"
    "u4,2026-01-01T09:30:00Z,2026-01-01T09:30:05Z,5,tie newer created\n"
    "u4,2026-01-01T09:30:00Z,2026-01-01T09:30:01Z,6,tie older created\n"
    "u5,2026-01-01T09:30:00Z,2026-01-01T09:30:00Z,,\n";

static const char pit_visits_csv[] = "user_id,store_id,ts,n\n"
                                     "u1,7,2025-06-01T00:00:00Z,70\n"
                                     "u1,8,2025-06-01T00:00:00Z,80\n"
                                     "u2,7,2026-01-01T12:00:00Z,99\n";

/* The events as SQL, for SQLite (text times) and PostgreSQL (timestamptz). */
static const char pit_rows_sql[] =
    "INSERT INTO events VALUES\n"
    " ('u1', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z', 1, 'at T'),\n"
    " ('u1', '2026-01-01T11:00:00Z', '2026-01-01T11:00:00Z', 2, 'after T'),\n"
    " ('u2', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', 3, 'exactly ttl before'),\n"
    " ('u3', '2026-01-01T08:59:59Z', '2026-01-01T08:59:59Z', 4, 'one second outside'),\n"
    " ('u4', '2026-01-01T09:30:00Z', '2026-01-01T09:30:05Z', 5, 'tie newer created'),\n"
    " ('u4', '2026-01-01T09:30:00Z', '2026-01-01T09:30:01Z', 6, 'tie older created'),\n"
    " ('u5', '2026-01-01T09:30:00Z', '2026-01-01T09:30:00Z', NULL, NULL);\n";

/* SQLite: events' times as RFC 3339 text, visits' as epoch seconds. */
static const char pit_sqlite_sql[] =
    "CREATE TABLE events(user_id TEXT, ts TEXT, created TEXT, a INTEGER, b TEXT);\n"
    "CREATE TABLE visits(user_id TEXT, store_id INTEGER, ts INTEGER, n INTEGER);\n"
    "INSERT INTO visits VALUES ('u1', 7, 1748736000, 70), ('u1', 8, 1748736000, 80),\n"
    " ('u2', 7, 1767268800, 99);\n";

static const char pit_entity_rows[] =
    "user_id,store_id,event_timestamp,label\n"
    "u1,7,2026-01-01T10:00:00Z,yes\n"      /* exactly at T; w has no ttl: 2025 row */
    "u2,7,2026-01-01T10:00:00Z,no\n"       /* exactly T - ttl; w's row is after T */
    "u3,8,2026-01-01T10:00:00Z,\"a, b\"\n" /* one second outside the ttl */
    "u4,8,2026-01-01T10:00:00Z,no\n"       /* equal event times: larger created wins */
    "u5,7,2026-01-01T10:00:00Z,no\n"       /* a null value */
    "u9,7,2026-01-01T10:00:00Z,no\n"       /* an entity with no rows */
    "u1,7,2026-01-01T10:00:00Z,again\n"    /* a duplicate entity row */
    "u1,8,2026-01-01T10:30:00Z,later\n";   /* composite key u1/8 */

static const char pit_expected[] = "user_id,store_id,event_timestamp,label,a,b,n\n"
                                   "u1,7,2026-01-01T10:00:00Z,yes,1,at T,70\n"
                                   "u2,7,2026-01-01T10:00:00Z,no,3,exactly ttl before,\n"
                                   "u3,8,2026-01-01T10:00:00Z,\"a, b\",,,\n"
                                   "u4,8,2026-01-01T10:00:00Z,no,5,tie newer created,\n"
                                   "u5,7,2026-01-01T10:00:00Z,no,,,\n"
                                   "u9,7,2026-01-01T10:00:00Z,no,,,\n"
                                   "u1,7,2026-01-01T10:00:00Z,again,1,at T,70\n"
                                   "u1,8,2026-01-01T10:30:00Z,later,1,at T,80\n";

/* A feature repo in a fresh directory: fcat.yaml (project, then `yaml_rest`),
 * the catalog, the entity rows, and the CSV files when `csv`. */
static inline char *pit_repo(const char *yaml_rest, bool csv)
{
	char *dir = test_mkdtemp();
	char yaml[2048];
	snprintf(yaml, sizeof yaml, "project: t\n%s", yaml_rest);
	test_write_file(dir, "fcat.yaml", yaml);
	test_write_file(dir, "catalog/defs.lua", csv ? pit_defs_csv : pit_defs_tables);
	test_write_file(dir, "entities.csv", pit_entity_rows);
	if (csv) {
		test_write_file(dir, "data/events.csv", pit_events_csv);
		test_write_file(dir, "data/visits.csv", pit_visits_csv);
	}
	return dir;
}

/* The catalog of the work tree of `dir` (not a git repo) as a store;
 * fails the test when it cannot be opened. */
static inline fcat_store *pit_open_worktree(const char *dir)
{
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	fcat_store *s;
	if (fcat_store_open_ext(&s, dir, &o) != 0)
		fail_msg("open %s: %s", dir, fcat_error_last());
	return s;
}

/* dir/entities.csv, the entity rows, and dir/training.csv, the output. */
static inline void pit_paths(const char *dir, char in[4096], char out[4096])
{
	snprintf(in, 4096, "%s/entities.csv", dir);
	snprintf(out, 4096, "%s/training.csv", dir);
}

/* The training set of `ref` for dir/entities.csv from the work tree of
 * `dir`, as written to dir/training.csv; fails the test on an error. */
static inline char *pit_training_of(const char *dir, const char *ref)
{
	fcat_store *s = pit_open_worktree(dir);
	char in[4096], out[4096];
	pit_paths(dir, in, out);
	if (fcat_get_historical(NULL, s, in, &ref, 1, NULL, out, NULL) != 0)
		fail_msg("get_historical of %s on %s: %s", ref, dir, fcat_error_last());
	fcat_store_free(s);
	char *got = test_read_file(out);
	assert_non_null(got);
	return got;
}

/* Runs the point-in-time request of test_historical.c on the work tree of
 * `dir` (not a git repo) and returns the training set's bytes; *pushed_down
 * (when not NULL) is how many views the offline store joined itself. */
static inline char *pit_historical_ext(const char *dir, size_t *pushed_down)
{
	fcat_store *s = pit_open_worktree(dir);
	char in[4096], out[4096];
	pit_paths(dir, in, out);
	const char *refs[] = {"v", "w:n"};
	fcat_historical_stats st;
	if (fcat_get_historical(&st, s, in, refs, 2, NULL, out, NULL) != 0)
		fail_msg("get_historical on %s: %s", dir, fcat_error_last());
	assert_int_equal(st.rows, 8);
	assert_int_equal(st.features, 3);
	if (pushed_down)
		*pushed_down = st.pushed_down;
	fcat_store_free(s);
	char *got = test_read_file(out);
	assert_non_null(got);
	return got;
}

static inline char *pit_historical(const char *dir)
{
	return pit_historical_ext(dir, NULL);
}

/* SQLite through dlopen: the tests link no client library of their own. */
typedef struct pit_sqlite_api {
	int (*open)(const char *path, void **db);
	int (*exec)(void *db, const char *sql, void *cb, void *arg, char **err);
	int (*close)(void *db);
	void (*free)(void *p);
} pit_sqlite_api;

static inline const pit_sqlite_api *pit_sqlite(void)
{
	static pit_sqlite_api api;
	if (api.exec)
		return &api;
	void *h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		fail_msg("cannot load libsqlite3.so.0 (run tools/scripts/deps.sh test): %s",
		         dlerror());
	*(void **)&api.open = dlsym(h, "sqlite3_open");
	*(void **)&api.close = dlsym(h, "sqlite3_close");
	*(void **)&api.free = dlsym(h, "sqlite3_free");
	*(void **)&api.exec = dlsym(h, "sqlite3_exec");
	assert_true(api.open && api.close && api.free && api.exec);
	return &api;
}

/* Runs `sql` on the SQLite database dir/rel (created when missing). */
static inline void pit_sqlite_exec(const char *dir, const char *rel, const char *sql)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	const pit_sqlite_api *api = pit_sqlite();
	void *db = NULL;
	char *err = NULL;
	if (api->open(path, &db) != 0)
		fail_msg("cannot open %s", path);
	if (api->exec(db, sql, NULL, NULL, &err) != 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", err ? err : "?");
		api->free(err);
		api->close(db);
		fail_msg("sqlite: %s in:\n%s", msg, sql);
	}
	api->close(db);
}

/* pit_repo with SQLite as the offline store: data/offline.db holds the
 * events and visits tables (events' times as text, visits' as epoch
 * seconds). Free with pit_repo_free. */
static inline char *pit_sqlite_repo(void)
{
	char *dir = pit_repo("offline_store:\n  plugin: sqlite\n  path: data/offline.db\n", false);
	test_write_file(dir, "data/.keep", "");
	pit_sqlite_exec(dir, "data/offline.db", pit_sqlite_sql);
	pit_sqlite_exec(dir, "data/offline.db", pit_rows_sql);
	return dir;
}

/* Removes a repo of pit_repo or pit_sqlite_repo and frees its path. */
static inline void pit_repo_free(char *dir)
{
	test_dir_done(dir);
}

#endif
