/* test_offline_postgres_pit.c - the point-in-time join pushed down into a
 * real PostgreSQL the test starts itself: edge cases, answers in batches and
 * order, errors naming table and column, a read-only query, keys compared as
 * bytes, ties and ttl edges at scale against a brute-force reference, and the
 * index the join finds, creates or names. */
#include "testutil.h"
#include "pg_server.h"

#include "fcat.h"
#include "fcat_plugin.h"
#include "offline_conformance.h"
#include "offline_rows.h"
#include "pit_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct answers {
	test_rows text;
	size_t next, ncols, calls;
} answers;

/* Each entity row as "I:-" (no match) or "I:a|b|c". */
static int collect_join(void *ctx, size_t first, const fcat_value *cells, const bool *matched,
                        size_t nrows)
{
	answers *a = ctx;
	assert_int_equal(first, a->next);
	a->calls++;
	for (size_t i = 0; i < nrows; i++, a->next++) {
		char buf[32];
		snprintf(buf, sizeof buf, "%zu:", first + i);
		test_rows_append(&a->text, buf);
		if (!matched[i]) {
			test_rows_append(&a->text, "-\n");
			continue;
		}
		for (size_t j = 0; j < a->ncols; j++) {
			test_rows_append(&a->text, j ? "|" : "");
			test_rows_cell(&a->text, &cells[i * a->ncols + j]);
		}
		test_rows_append(&a->text, "\n");
	}
	return 0;
}

/* The join with settings dsn and, when not NULL, create_indexes. */
static int join_set(const char *dsn, const char *create_indexes, const fcat_pit_request *req,
                    answers *a)
{
	const char *kv[] = {"dsn", dsn, create_indexes ? "create_indexes" : NULL, create_indexes,
	                    NULL};
	fcat_plugin_config *c = test_plugin_config("/nonexistent", kv);
	void *store = NULL;
	if (test_offline_ops("postgres")->open(&store, c) != 0)
		fail_msg("open: %s", fcat_error_last());
	memset(a, 0, sizeof *a);
	a->ncols = req->ncolumns;
	assert_true(FCAT_OPS_HAS(test_offline_ops("postgres"), pit_join));
	int rc = test_offline_ops("postgres")->pit_join(store, req, collect_join, a);
	test_offline_ops("postgres")->close(store);
	free(c);
	return rc;
}

static int join_dsn(const char *dsn, const fcat_pit_request *req, answers *a)
{
	return join_set(dsn, NULL, req, a);
}

static int join(const fcat_pit_request *req, answers *a)
{
	return join_dsn(test_pg.dsn, req, a);
}

#define SEC(s) ((int64_t)(s)*1000000)

/* A join on key columns `keys` with event times in column ts, answering
 * `cols` for the entity rows kv/times (one key cell a row); the source,
 * a created column or a ttl are the caller's to add. */
static fcat_pit_request pit_request(const char *const *keys, const fcat_type *ktypes,
                                    const char *const *cols, const fcat_type *types,
                                    size_t ncolumns, const fcat_value *kv, const int64_t *times,
                                    size_t nrows)
{
	return (fcat_pit_request){.key_columns = keys,
	                          .key_types = ktypes,
	                          .nkeys = 1,
	                          .ts_column = "ts",
	                          .columns = cols,
	                          .types = types,
	                          .ncolumns = ncolumns,
	                          .keys = kv,
	                          .times = times,
	                          .nrows = nrows};
}

static fcat_value str_key(const char *s)
{
	if (!s)
		return (fcat_value){.type = T(STRING), .is_null = true};
	return (fcat_value){.type = T(STRING), .u.str = {s, strlen(s)}};
}

static fcat_value int_key(int64_t i)
{
	return (fcat_value){.type = T(INT64), .u.i64 = i};
}

/* A join answering one int64 column `col` on one string key column `key`
 * from `table`, for the entity rows `entities` (keys, NULL-terminated, at
 * most 4) all at time `at`; it holds its own arrays, which a test may
 * change between joins. */
typedef struct one_key_join {
	const char *keys[1], *cols[1];
	fcat_type ktypes[1], types[1];
	fcat_value kv[4];
	int64_t times[4];
	fcat_pit_request req;
} one_key_join;

static void one_key_join_init(one_key_join *j, const char *key, const char *col, const char *table,
                              const char *const *entities, int64_t at)
{
	size_t n = 0;
	for (; entities[n]; n++) {
		assert_true(n < 4);
		j->kv[n] = str_key(entities[n]);
		j->times[n] = at;
	}
	j->keys[0] = key;
	j->cols[0] = col;
	j->ktypes[0] = T(STRING);
	j->types[0] = T(INT64);
	j->req = pit_request(j->keys, j->ktypes, j->cols, j->types, 1, j->kv, j->times, n);
	j->req.table = table;
}

static void test_offline_postgres__pit_join_edge_cases(void **state)
{
	(void)state;
	/* times as epoch seconds (int8) and timestamptz, a composite key whose
	 * second part is int4 in the table and int64 in fcat */
	test_pg_exec(
	    "fcat_test",
	    "CREATE TABLE pj(uid text, sid int4, ts int8, created timestamptz, v int8, s text);\n"
	    "INSERT INTO pj VALUES\n"
	    " ('a', 1, 1000, NULL, 1, 'null created'),\n"
	    " ('a', 1, 1000, '1970-01-01T00:00:01Z', 2, 'a created beats null'),\n"
	    " ('a', 1, 1001, NULL, 9, 'after T'),\n"
	    " ('a', 2, 1000, NULL, 3, 'other store'),\n"
	    " (NULL, 1, 500, NULL, 5, 'null key'),\n"
	    " ('c', 1, NULL, NULL, 6, 'null time'),\n"
	    " (E'x\\ty\\\\z', 1, 0, NULL, 7, 'tab and backslash'),\n"
	    " ('d', 1, 10, NULL, NULL, NULL);\n");
	const char *keys[] = {"uid", "sid"};
	fcat_type ktypes[] = {T(STRING), T(INT64)};
	const char *cols[] = {"v", "s", "ts"};
	fcat_type types[] = {T(INT64), T(STRING), T(TIMESTAMP)};
	fcat_value kv[] = {
	    str_key("a"),       int_key(1), /* 0: ties: the non-null created wins */
	    str_key("a"),       int_key(1), /* 1: before every row */
	    str_key("a"),       int_key(2), /* 2: exactly T - ttl */
	    str_key("a"),       int_key(2), /* 3: a microsecond outside */
	    str_key(NULL),      int_key(1), /* 4: a null key */
	    str_key("a"),       int_key(1), /* 5: no time */
	    str_key("c"),       int_key(1), /* 6: its only row has no time */
	    str_key("a"),       int_key(1), /* 7: row 0 again */
	    str_key("x\ty\\z"), int_key(1), /* 8: escaped in COPY */
	    str_key("d"),       int_key(1), /* 9: matched, null values */
	    str_key("zzz"),     int_key(1), /* 10: no rows at all */
	};
	int64_t times[] = {SEC(1000), SEC(999),  SEC(5000), SEC(5000) + 1, SEC(1000), INT64_MIN,
	                   SEC(9999), SEC(1000), SEC(0),    SEC(10),       SEC(1000)};
	fcat_pit_request req = pit_request(keys, ktypes, cols, types, 3, kv, times, 11);
	req.table = "pj";
	req.nkeys = 2;
	req.created_column = "created";
	req.ttl = SEC(4000);
	answers a;
	if (join(&req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(a.text.text, "0:2|a created beats null|1970-01-01T00:16:40Z\n"
	                                 "1:-\n"
	                                 "2:3|other store|1970-01-01T00:16:40Z\n"
	                                 "3:-\n"
	                                 "4:-\n"
	                                 "5:-\n"
	                                 "6:-\n"
	                                 "7:2|a created beats null|1970-01-01T00:16:40Z\n"
	                                 "8:7|tab and backslash|1970-01-01T00:00:00Z\n"
	                                 "9:NULL|NULL|1970-01-01T00:00:10Z\n"
	                                 "10:-\n");
	free(a.text.text);
	/* no ttl: no lower bound; no created column: any of the tied rows */
	req.ttl = 0;
	req.created_column = NULL;
	req.ncolumns = 1;
	cols[0] = "sid";
	types[0] = T(INT32);
	assert_int_equal(join(&req, &a), 0);
	assert_string_equal(a.text.text,
	                    "0:1\n1:-\n2:2\n3:2\n4:-\n5:-\n6:-\n7:1\n8:1\n9:1\n10:-\n");
	free(a.text.text);
	/* a ttl reaching before every time is as none */
	req.ttl = INT64_MAX;
	assert_int_equal(join(&req, &a), 0);
	assert_string_equal(a.text.text,
	                    "0:1\n1:-\n2:2\n3:2\n4:-\n5:-\n6:-\n7:1\n8:1\n9:1\n10:-\n");
	free(a.text.text);
	/* a negative one means nothing in the request: declined, core decides */
	req.ttl = -1;
	assert_int_equal(join(&req, &a), FCAT_PIT_DECLINED);
	assert_int_equal(a.calls, 0);
	free(a.text.text);
}

static void test_offline_postgres__pit_join_answers_in_batches_in_order(void **state)
{
	(void)state;
	test_pg_exec("fcat_test",
	             "CREATE TABLE pjbig AS SELECT k::int8 AS k, "
	             "'2026-01-01T00:00:00Z'::timestamptz + k * interval '1 second' AS ts,"
	             " k * 10 AS v FROM generate_series(1, 6000) AS k;");
	enum { N = 10000 };
	fcat_value *kv = calloc(N, sizeof *kv);
	int64_t *times = calloc(N, sizeof *times);
	const char *keys[] = {"k"}, *cols[] = {"v"};
	fcat_type ktypes[] = {T(INT64)}, types[] = {T(INT64)};
	for (int i = 0; i < N; i++) {
		/* every key twice, in reverse, half of them before their row */
		kv[i] = int_key(N - i / 2);
		times[i] = SEC(1767225600) + SEC(N - i / 2) - (i % 2);
	}
	fcat_pit_request req = pit_request(keys, ktypes, cols, types, 1, kv, times, N);
	req.query = "SELECT * FROM pjbig";
	answers a;
	if (join(&req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(a.next, N);
	assert_int_equal(a.calls, 3); /* 4096 + 4096 + 1808 */
	char *p = a.text.text;
	for (int i = 0; i < N; i++) {
		char want[64];
		int64_t k = N - i / 2;
		if (k > 6000 || i % 2)
			snprintf(want, sizeof want, "%d:-\n", i);
		else
			snprintf(want, sizeof want, "%d:%lld\n", i, (long long)(k * 10));
		if (strncmp(p, want, strlen(want)) != 0)
			fail_msg("entity row %d: expected %s", i, want);
		p += strlen(want);
	}
	free(a.text.text);
	free(kv);
	free(times);
}

static void test_offline_postgres__pit_join_errors_name_table_and_column(void **state)
{
	(void)state;
	test_pg_exec("fcat_test",
	             "CREATE TABLE pjbad(id text, ts timestamptz, a text, t text);\n"
	             "INSERT INTO pjbad VALUES ('x', '2026-01-01Z', '1', '2026-01-01Z'),\n"
	             " ('y', '2026-01-01Z', 'twelve', '2026-01-01Z');\n");
	one_key_join j;
	one_key_join_init(&j, "id", "a", "pjbad", (const char *const[]){"x", "y", NULL},
	                  SEC(1767225600));
	fcat_pit_request *req = &j.req;
	answers a;
	/* a value of the wrong type */
	assert_fails_with(join(req, &a), FCAT_EINVALID,
	                  "table 'pjbad', column 'a', the row matched by "
	                  "entity row 2");
	assert_non_null(strstr(fcat_error_last(), "twelve"));
	free(a.text.text);
	/* a missing feature column, key column, time column */
	j.cols[0] = "zz";
	assert_fails_with(join(req, &a), FCAT_EINVALID, "no column 'zz' in table 'pjbad'");
	free(a.text.text);
	j.cols[0] = "a";
	j.keys[0] = "user";
	assert_fails_with(join(req, &a), FCAT_EINVALID, "no column 'user' in table 'pjbad'");
	free(a.text.text);
	j.keys[0] = "id";
	req->ts_column = "when";
	assert_fails_with(join(req, &a), FCAT_EINVALID, "no column 'when' in table 'pjbad'");
	free(a.text.text);
	/* no such table */
	req->ts_column = "ts";
	req->table = "nope";
	assert_fails_with(join(req, &a), FCAT_ENOTFOUND, "no table 'nope'");
	free(a.text.text);
	/* a text time or a key compared otherwise than fcat does: declined,
	 * before any answer, so core joins instead */
	req->table = "pjbad";
	req->ts_column = "t";
	assert_int_equal(join(req, &a), FCAT_PIT_DECLINED);
	assert_int_equal(a.calls, 0);
	free(a.text.text);
	req->ts_column = "ts";
	j.ktypes[0] = T(INT64);
	j.keys[0] = "a";
	fcat_value ik[] = {int_key(1), int_key(2)};
	req->keys = ik;
	assert_int_equal(join(req, &a), FCAT_PIT_DECLINED);
	assert_int_equal(a.calls, 0);
	free(a.text.text);
}

/* The catalog's query runs read-only and as one statement, through the scan
 * and the join alike: a data-modifying CTE, a volatile function that
 * deletes, a second statement after ';', or one that closes the query's
 * parenthesis to commit and delete, are refused, and the table keeps its
 * rows. */
static void test_offline_postgres__the_query_cannot_write(void **state)
{
	(void)state;
	test_pg_exec("fcat_test",
	             "CREATE TABLE ro(k text, ts timestamptz, v int8);\n"
	             "INSERT INTO ro VALUES ('a', '2026-01-01Z', 1), ('b', '2026-01-01Z', 2);\n"
	             "CREATE FUNCTION ro_wipe() RETURNS int8 LANGUAGE sql VOLATILE\n"
	             "  AS 'DELETE FROM ro; SELECT 1::int8';\n");
	const char *queries[] = {
	    "WITH d AS (DELETE FROM ro RETURNING *) SELECT * FROM d",
	    "SELECT k, ts, ro_wipe() AS v FROM ro",
	    "SELECT * FROM ro; DELETE FROM ro",
	    "SELECT * FROM ro) AS x LIMIT 0; COMMIT; DELETE FROM ro; COMMIT;\n"
	    "BEGIN READ ONLY; SELECT * FROM (SELECT * FROM ro",
	};
	const char *why[] = {"data-modifying statement", "read-only transaction", "syntax error",
	                     "multiple commands"};
	const char *keys[] = {"k"}, *cols[] = {"k", "ts", "v"};
	fcat_type ktypes[] = {T(STRING)}, types[] = {T(STRING), T(TIMESTAMP), T(INT64)};
	fcat_value kv[] = {str_key("a")};
	int64_t times[] = {SEC(1798761600)};
	const char *ro_cols[] = {"k"};
	fcat_scan_request all = test_scan_columns(ro_cols, ktypes, 1);
	all.query = "SELECT k FROM ro ORDER BY k";
	for (size_t i = 0; i < NCOLS(queries); i++) {
		fcat_scan_request sreq = test_scan_columns(cols, types, 3);
		sreq.query = queries[i];
		test_rows r;
		char msg[1024];
		int rc = test_pg_scan(NULL, &sreq, &r);
		snprintf(msg, sizeof msg, "%s", rc ? fcat_error_last() : "");
		free(r.text);
		/* the rows first: they are what must not change */
		assert_int_equal(test_pg_scan(NULL, &all, &r), 0);
		assert_string_equal(r.text ? r.text : "(no rows)", "a\nb\n");
		free(r.text);
		if (rc >= 0 || !strstr(msg, why[i]))
			fail_msg("scan of query %zu: %d, %s", i, rc, msg);
		fcat_pit_request jreq =
		    pit_request(keys, ktypes, cols + 2, types + 2, 1, kv, times, 1);
		jreq.query = queries[i];
		answers a;
		rc = join(&jreq, &a);
		snprintf(msg, sizeof msg, "%s", rc ? fcat_error_last() : "");
		free(a.text.text);
		assert_int_equal(test_pg_scan(NULL, &all, &r), 0);
		assert_string_equal(r.text ? r.text : "(no rows)", "a\nb\n");
		free(r.text);
		if (rc >= 0 || !strstr(msg, why[i]))
			fail_msg("join of query %zu: %d, %s", i, rc, msg);
		assert_int_equal(a.calls, 0);
	}
}

/* The entity table has a name of its own, always with its schema: a source
 * table called fcat_entities is the source's, not the entity rows. */
static void test_offline_postgres__a_source_named_like_the_entity_table(void **state)
{
	(void)state;
	test_pg_exec("fcat_test", "CREATE TABLE fcat_entities(k text, ts timestamptz, v int8);\n"
	                          "INSERT INTO fcat_entities VALUES ('a', '2026-01-01Z', 5);\n");
	one_key_join j;
	one_key_join_init(&j, "k", "v", "fcat_entities", (const char *const[]){"a", "b", NULL},
	                  SEC(1798761600));
	fcat_pit_request *req = &j.req;
	answers a;
	if (join(req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(a.text.text, "0:5\n1:-\n");
	free(a.text.text);
	req->table = NULL;
	req->query = "SELECT * FROM fcat_entities";
	if (join(req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(a.text.text, "0:5\n1:-\n");
	free(a.text.text);
}

/* Keys are compared byte for byte, as core compares them: a key that is not
 * UTF-8 (which COPY refuses) is declined to core, and a column with a
 * nondeterministic collation does not make 'U1' equal 'u1'. */
static void test_offline_postgres__pit_join_compares_keys_as_bytes(void **state)
{
	(void)state;
	test_pg_exec("fcat_test", "CREATE DATABASE fcat_utf8 ENCODING 'UTF8' LOCALE 'C' "
	                          "TEMPLATE template0");
	test_pg_exec("fcat_utf8", "CREATE TABLE kb(k text, ts timestamptz, v int8);\n"
	                          "INSERT INTO kb VALUES ('u1', '2026-01-01Z', 1);\n");
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=postgres dbname=fcat_utf8",
	         test_pg.port);
	one_key_join j; /* u\xff: not UTF-8 */
	one_key_join_init(&j, "k", "v", "kb", (const char *const[]){"u1", "U1", "u\xff", NULL},
	                  SEC(1798761600));
	fcat_pit_request *req = &j.req;
	answers a;
	int rc = join_dsn(dsn, req, &a);
	if (rc != FCAT_PIT_DECLINED)
		fail_msg("not UTF-8: %d, %s", rc, rc < 0 ? fcat_error_last() : "");
	assert_int_equal(a.calls, 0);
	free(a.text.text);
	req->nrows = 2;
	assert_int_equal(join_dsn(dsn, req, &a), 0);
	assert_string_equal(a.text.text, "0:1\n1:-\n");
	free(a.text.text);

	char msg[1024];
	if (!test_pg_try_exec(
	        "fcat_utf8",
	        "CREATE COLLATION fcat_ci (provider = icu, locale = 'und-u-ks-level2', "
	        "deterministic = false)",
	        msg, sizeof msg)) {
		print_message("no nondeterministic ICU collation here, collation case skipped: %s",
		              msg);
		return;
	}
	test_pg_exec("fcat_utf8",
	             "CREATE TABLE ci(k text COLLATE fcat_ci, ts timestamptz, v int8);\n"
	             "INSERT INTO ci VALUES ('U1', '2026-01-01Z', 1),\n"
	             " ('u1', '2025-01-01Z', 2);\n");
	req->table = "ci";
	fcat_value kv2[] = {str_key("u1"), str_key("U1"), str_key("u2")};
	req->keys = kv2;
	req->nrows = 3;
	assert_int_equal(join_dsn(dsn, req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:1\n2:-\n");
	free(a.text.text);
}

/* ---- the lateral lookup at scale, and its index ---------------------------------- */

/* A deterministic generator for the reference tests (an LCG's high bits). */
static uint32_t ref_next(uint64_t *st)
{
	*st = *st * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(*st >> 33);
}

enum { REF_ROWS = 3000, REF_ENTITIES = 2500, REF_KEYS = 40, REF_TTL_UNITS = 10 };

/* One source row: key index (-1 null), time and created in units (-1
 * null); its value is a function of the three, so rows equal in all three
 * answer alike and the expected answer is exact. */
typedef struct ref_row {
	int key, ts, created;
} ref_row;

static int64_t ref_value(const ref_row *r)
{
	return (int64_t)r->key * 1000000 + (int64_t)r->ts * 100 + r->created + 1;
}

/* The join as fcat_pit_request says, by brute force: "I:v" or "I:-" a line. */
static char *ref_answers(const ref_row *rows, const int *ekey, const int64_t *et, int64_t unit_us,
                         int64_t ttl)
{
	test_rows out = {0};
	for (int e = 0; e < REF_ENTITIES; e++) {
		const ref_row *best = NULL;
		for (int i = 0; i < REF_ROWS && ekey[e] >= 0 && et[e] != INT64_MIN; i++) {
			const ref_row *r = &rows[i];
			int64_t ts = (int64_t)r->ts * unit_us;
			if (r->key != ekey[e] || r->ts < 0 || ts > et[e] ||
			    (ttl && ts < et[e] - ttl))
				continue;
			if (!best || r->ts > best->ts ||
			    (r->ts == best->ts && r->created > best->created))
				best = r;
		}
		char buf[64];
		if (best)
			snprintf(buf, sizeof buf, "%d:%lld\n", e, (long long)ref_value(best));
		else
			snprintf(buf, sizeof buf, "%d:-\n", e);
		test_rows_append(&out, buf);
	}
	return out.text;
}

/* Thousands of rows with many ties on (keys, time) and on created, null
 * keys, times and created times, entity times exactly at a row's time, at
 * its time + ttl, a microsecond either side: the lateral lookup over the
 * index (a table) and the hash join (the same rows as a query) answer as
 * the contract does, computed here by brute force, for event times of
 * every type the join compares in the column's own type. */
static void test_offline_postgres__pit_join_ties_and_ttl_edges_at_scale(void **state)
{
	(void)state;
	static const struct {
		const char *type, *expr; /* the column type; %d is the time in units */
		int64_t unit_s;
	} kinds[] = {
	    {"timestamptz", "to_timestamp(%d)", 1},
	    {"timestamp", "'1970-01-01'::timestamp + interval '1 second' * %d", 1},
	    {"int8", "%d", 1},
	    {"date", "'1970-01-01'::date + %d", 86400},
	};
	static ref_row rows[REF_ROWS];
	static int ekey[REF_ENTITIES];
	static fcat_value kv[REF_ENTITIES];
	static int eunits[REF_ENTITIES], eoff[REF_ENTITIES]; /* eunits -1: no time */
	static char names[REF_KEYS + 2][8];
	uint64_t st = 16;
	for (int k = 0; k < REF_KEYS + 2; k++)
		snprintf(names[k], sizeof names[k], "k%02d", k);
	for (int i = 0; i < REF_ROWS; i++) {
		uint32_t x = ref_next(&st);
		rows[i].key = x % 33 == 0 ? -1 : (int)(ref_next(&st) % REF_KEYS);
		rows[i].ts = x % 51 == 0 ? -1 : (int)(ref_next(&st) % 200);
		rows[i].created = x % 5 == 0 ? -1 : (int)(ref_next(&st) % 4);
	}
	for (int e = 0; e < REF_ENTITIES; e++) {
		uint32_t x = ref_next(&st);
		const ref_row *r = &rows[ref_next(&st) % REF_ROWS];
		/* keys of the rows, two keys without rows, a few nulls */
		ekey[e] = x % 41 == 0 ? -1 : x % 7 == 0 ? REF_KEYS + (int)(x % 2) : r->key;
		kv[e] = str_key(ekey[e] >= 0 ? names[ekey[e]] : NULL);
		/* at a row's time or at its time + ttl, a microsecond either side */
		int at = r->ts >= 0 ? r->ts : 100;
		eunits[e] = x % 53 == 0 ? -1 : x % 3 == 0 ? at + REF_TTL_UNITS : at;
		eoff[e] = (int)(ref_next(&st) % 4) - 1; /* -1, 0, 0, 1 microseconds */
		eoff[e] = eoff[e] == 2 ? 0 : eoff[e];
	}
	const char *keys[] = {"k"}, *cols[] = {"v"};
	fcat_type ktypes[] = {T(STRING)}, types[] = {T(INT64)};
	for (size_t t = 0; t < NCOLS(kinds); t++) {
		char table[32], sql[64], buf[256];
		snprintf(table, sizeof table, "ref_%s", kinds[t].type);
		test_rows ins = {0};
		snprintf(buf, sizeof buf,
		         "CREATE TABLE %s(k text, ts %s, created timestamptz, v int8);\n"
		         "INSERT INTO %s VALUES\n",
		         table, kinds[t].type, table);
		test_rows_append(&ins, buf);
		for (int i = 0; i < REF_ROWS; i++) {
			char ts[96], k[16], cr[48];
			snprintf(k, sizeof k, rows[i].key < 0 ? "NULL" : "'%s'",
			         rows[i].key < 0 ? "" : names[rows[i].key]);
			if (rows[i].ts < 0)
				snprintf(ts, sizeof ts, "NULL");
			else
				snprintf(ts, sizeof ts, kinds[t].expr, rows[i].ts);
			if (rows[i].created < 0)
				snprintf(cr, sizeof cr, "NULL");
			else
				snprintf(cr, sizeof cr, "to_timestamp(%d)", rows[i].created);
			snprintf(buf, sizeof buf, "%s(%s, %s, %s, %lld)", i ? ",\n" : "", k, ts, cr,
			         (long long)ref_value(&rows[i]));
			test_rows_append(&ins, buf);
		}
		test_pg_exec("fcat_test", ins.text);
		free(ins.text);
		/* the entity times in microseconds of this type's unit */
		int64_t unit_us = kinds[t].unit_s * 1000000;
		static int64_t times[REF_ENTITIES];
		for (int e = 0; e < REF_ENTITIES; e++)
			times[e] = eunits[e] < 0 ? INT64_MIN : eunits[e] * unit_us + eoff[e];
		fcat_pit_request req =
		    pit_request(keys, ktypes, cols, types, 1, kv, times, REF_ENTITIES);
		req.created_column = "created";
		for (int pass = 0; pass < 2; pass++) {
			req.ttl = pass ? 0 : REF_TTL_UNITS * unit_us;
			char *want = ref_answers(rows, ekey, times, unit_us, req.ttl);
			answers a;
			req.table = table;
			req.query = NULL;
			if (join(&req, &a) != 0)
				fail_msg("%s: %s", table, fcat_error_last());
			if (strcmp(a.text.text, want) != 0)
				fail_msg(
				    "%s, ttl %lld, the lateral lookup differs from the reference",
				    table, (long long)req.ttl);
			free(a.text.text);
			snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
			req.table = NULL;
			req.query = sql;
			if (join(&req, &a) != 0)
				fail_msg("%s: %s", table, fcat_error_last());
			if (strcmp(a.text.text, want) != 0)
				fail_msg("%s, ttl %lld, the hash join differs from the reference",
				         table, (long long)req.ttl);
			free(a.text.text);
			free(want);
		}
		/* the table got the index the lookup needs, once */
		char n[16], q[160];
		snprintf(
		    q, sizeof q,
		    "SELECT count(*) FROM pg_indexes WHERE tablename = '%s' AND indexname LIKE "
		    "'fcat_pit_%%'",
		    table);
		test_pg_value("fcat_test", q, n, sizeof n);
		assert_string_equal(n, "1");
	}
}

/* The index: created on first join by default, used when one of the
 * table's own serves, named with the statement to run when the store may
 * not create it or the role cannot; a view needs none. */
static void test_offline_postgres__pit_join_creates_its_index_or_names_it(void **state)
{
	(void)state;
	test_pg_exec("fcat_test",
	             "CREATE TABLE ix_a(k text, ts timestamptz, created timestamptz, v int8);\n"
	             "INSERT INTO ix_a VALUES ('a', '2026-01-01Z', NULL, 1),\n"
	             " ('a', '2026-01-01Z', '2026-01-02Z', 2), ('b', '2026-01-03Z', NULL, 3);\n"
	             "CREATE TABLE ix_b AS SELECT * FROM ix_a;\n"
	             "CREATE INDEX ix_b_own ON ix_b (k, ts);\n"
	             "CREATE TABLE ix_c AS SELECT * FROM ix_a;\n"
	             "CREATE VIEW ix_v AS SELECT * FROM ix_a;\n"
	             "CREATE ROLE fcat_reader LOGIN;\n"
	             "GRANT SELECT ON ix_a, ix_b, ix_c, ix_v TO fcat_reader;\n");
	one_key_join j;
	one_key_join_init(&j, "k", "v", "ix_a", (const char *const[]){"a", "b", "c", NULL},
	                  SEC(1798761600));
	fcat_pit_request *req = &j.req;
	req->created_column = "created";
	answers a;
	char n[16];
	/* not allowed to create it: the error says what to run */
	assert_fails_with(join_set(test_pg.dsn, "false", req, &a), FCAT_EINVALID,
	                  "table 'ix_a' has no index on (k, ts, created)");
	assert_int_equal(a.calls, 0);
	free(a.text.text);
	char msg[1024], *run = strstr(fcat_error_last(), "run CREATE INDEX");
	assert_non_null(run);
	assert_non_null(strstr(fcat_error_last(), "create_indexes: true"));
	snprintf(msg, sizeof msg, "%s", run + 4);
	*strchr(msg, ';') = 0;
	assert_non_null(strstr(msg, "ON \"ix_a\" (\"k\", \"ts\", \"created\" NULLS FIRST)"));
	/* which, run, lets the join go on */
	test_pg_exec("fcat_test", msg);
	assert_int_equal(join_set(test_pg.dsn, "false", req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	/* the table's own index on (k, ts) serves: none is added */
	req->table = "ix_b";
	assert_int_equal(join_set(test_pg.dsn, "no", req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	assert_int_equal(join(req, &a), 0);
	free(a.text.text);
	test_pg_value("fcat_test", "SELECT count(*) FROM pg_indexes WHERE tablename = 'ix_b'", n,
	              sizeof n);
	assert_string_equal(n, "1");
	/* by default the first join creates it, the next ones find it */
	req->table = "ix_c";
	for (int i = 0; i < 2; i++) {
		assert_int_equal(join(req, &a), 0);
		assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
		free(a.text.text);
	}
	test_pg_value("fcat_test",
	              "SELECT indexdef FROM pg_indexes WHERE tablename = 'ix_c' AND indexname LIKE "
	              "'fcat_pit_ix_c_%'",
	              msg, sizeof msg);
	assert_non_null(strstr(msg, "btree (k, ts, created NULLS FIRST)"));
	test_pg_value("fcat_test", "SELECT count(*) FROM pg_indexes WHERE tablename = 'ix_c'", n,
	              sizeof n);
	assert_string_equal(n, "1");
	/* a view cannot be indexed: the hash join, no error, nothing created */
	req->table = "ix_v";
	assert_int_equal(join_set(test_pg.dsn, "false", req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	/* a role that does not own the table cannot create it: told so */
	test_pg_exec("fcat_test", "CREATE TABLE ix_d AS SELECT * FROM ix_a;\n"
	                          "GRANT SELECT ON ix_d TO fcat_reader;\n");
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=fcat_reader dbname=fcat_test",
	         test_pg.port);
	req->table = "ix_d";
	assert_fails_with(join_set(dsn, NULL, req, &a), FCAT_EINVALID,
	                  "table 'ix_d' has no index on (k, ts, created) for the point-in-time "
	                  "join, and creating it failed: ERROR:  must be owner of table ix_d");
	assert_non_null(strstr(fcat_error_last(), "run CREATE INDEX"));
	free(a.text.text);
	/* once there, that role joins */
	req->table = "ix_a";
	assert_int_equal(join_set(dsn, NULL, req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	/* a setting that is not a yes or no */
	const char *kv[] = {"dsn", test_pg.dsn, "create_indexes", "maybe", NULL};
	fcat_plugin_config *c = test_plugin_config("/nonexistent", kv);
	void *store = NULL;
	assert_fails_with(test_offline_ops("postgres")->open(&store, c), FCAT_EINVALID,
	                  ".create_indexes: 'maybe' is not true or false");
	free(c);
	/* work_mem goes into SET as written: only an amount passes */
	const char *bad[] = {"64MB'; DROP TABLE ix_a; --", "MB", "64 MB", "64mb", ""};
	for (size_t i = 0; i < NCOLS(bad); i++) {
		const char *wm[] = {"dsn", test_pg.dsn, "work_mem", bad[i], NULL};
		c = test_plugin_config("/nonexistent", wm);
		assert_fails_with(test_offline_ops("postgres")->open(&store, c), FCAT_EINVALID,
		                  ".work_mem: '");
		assert_non_null(strstr(fcat_error_last(), "is not an amount of memory"));
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offline_postgres__pit_join_edge_cases),
	    cmocka_unit_test(test_offline_postgres__pit_join_answers_in_batches_in_order),
	    cmocka_unit_test(test_offline_postgres__pit_join_errors_name_table_and_column),
	    cmocka_unit_test(test_offline_postgres__the_query_cannot_write),
	    cmocka_unit_test(test_offline_postgres__a_source_named_like_the_entity_table),
	    cmocka_unit_test(test_offline_postgres__pit_join_compares_keys_as_bytes),
	    cmocka_unit_test(test_offline_postgres__pit_join_ties_and_ttl_edges_at_scale),
	    cmocka_unit_test(test_offline_postgres__pit_join_creates_its_index_or_names_it),
	};
	return cmocka_run_group_tests_name("offline_postgres_pit", tests, test_pg_start,
	                                   test_pg_stop);
}
