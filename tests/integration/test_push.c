/* test_push.c - fcat_push through the library: pushed rows are read back
 * online (through the view's transform, exactly as materialize writes them)
 * and in training sets; a bad row or a denied principal refuses the whole
 * push with nothing written online or offline; stores that cannot append
 * are refused before anything is written. */
#include "testutil.h"

#include "fcat.h"
#include "pit_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 "2031-01-01T00:00:00Z"
#define T1 "2031-01-02T00:00:00Z"
#define T2 "2031-01-03T00:00:00Z"
#define AT "2031-01-03T01:00:00Z"

static int64_t t(const char *s)
{
	int64_t v;
	assert_int_equal(fcat_timestamp_parse(&v, s, strlen(s)), 0);
	return v;
}

static fcat_value str(const char *s)
{
	return (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {s, strlen(s)}};
}
static fcat_value i64(int64_t v)
{
	return (fcat_value){.type = {FCAT_INT64, false, 0}, .u.i64 = v};
}
static fcat_value f32(float v)
{
	return (fcat_value){.type = {FCAT_FLOAT32, false, 0}, .u.f32 = v};
}
static fcat_value ts(const char *s)
{
	return (fcat_value){.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = t(s)};
}
static fcat_value null(void)
{
	return (fcat_value){.is_null = true};
}

static const float emb[16] = {0.5f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15.25f};

static fcat_value embedding(size_t n)
{
	return (fcat_value){.type = {FCAT_FLOAT32, true, 0}, .u.array = {emb, n}};
}

/* Three rows of the demo's conversations_push: zz1 twice (the later one
 * wins), zz2 once; ratings out of range and upper-case languages, which
 * user_features' transform clamps and lowers. */
typedef struct rows {
	fcat_value user[3], when[3], created[3], total[3], rating[3], lang[3], vec[3];
	fcat_push_column cols[8];
	size_t ncols;
} rows;

static void demo_rows(rows *r)
{
	r->user[0] = str("zz1"), r->user[1] = str("zz1"), r->user[2] = str("zz2");
	r->when[0] = ts(T0), r->when[1] = ts(T1), r->when[2] = ts(T2);
	r->created[0] = ts(T0), r->created[1] = ts(T1), r->created[2] = null();
	r->total[0] = i64(1), r->total[1] = i64(2), r->total[2] = i64(40);
	r->rating[0] = f32(4.0f), r->rating[1] = f32(7.5f), r->rating[2] = f32(0.25f);
	r->lang[0] = str("FR"), r->lang[1] = str("EN"), r->lang[2] = null();
	for (int i = 0; i < 3; i++)
		r->vec[i] = embedding(16);
	const fcat_push_column cols[] = {{"user_id", r->user},
	                                 {"event_timestamp", r->when},
	                                 {"created_at", r->created},
	                                 {"total_conversations", r->total},
	                                 {"avg_response_rating", r->rating},
	                                 {"preferred_language", r->lang},
	                                 {"user_embedding", r->vec}};
	memcpy(r->cols, cols, sizeof cols);
	r->ncols = 7;
}

static int push(fcat_store *s, const rows *r, size_t nrows, fcat_push_to to)
{
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	o.to = to;
	return fcat_push(NULL, s, "conversations_push", r->cols, r->ncols, nrows, &o);
}

/* user_features of zz1 and zz2 at AT, each value as text with its status
 * and event time ("NOT_FOUND" when absent): "zz1 total_conversations=2
 * PRESENT 2031-01-02T00:00:00Z ...". */
static char *read_online(fcat_store *s)
{
	const char *refs[] = {"user_features"};
	fcat_feature_set *set;
	fcat_online_result *res;
	assert_int_equal(fcat_feature_set_new(&set, s, refs, 1), 0);
	assert_int_equal(fcat_online_result_new(&res), 0);
	fcat_value keys[2] = {str("zz1"), str("zz2")};
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.now = t(AT);
	if (fcat_online_read(res, s, set, keys, 2, &o) != 0)
		fail_msg("%s", fcat_error_last());
	char *out = calloc(1, 8192);
	for (size_t row = 0; row < 2; row++) {
		for (size_t f = 0; f < fcat_feature_set_count(set); f++) {
			const fcat_feature_value *v = fcat_online_result_at(res, row, f);
			char *text, when[40];
			assert_int_equal(fcat_value_format(&text, &v->value), 0);
			fcat_timestamp_format(when, sizeof when, v->event_ts);
			snprintf(out + strlen(out), 8192 - strlen(out), "zz%zu %s=%s %s %s\n",
			         row + 1, fcat_object_name(fcat_feature_set_feature(set, f)), text,
			         fcat_status_name(v->status), when);
			fcat_free(text);
		}
	}
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	return out;
}

static char *conversations(const char *repo)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/data/conversations.csv", repo);
	return test_read_file(path);
}

/* Each of the tests below gets its own demo repo (with its data), a store
 * on it as fcat-operator and demo_rows: a cmocka per-test fixture. */
typedef struct fixture {
	test_demo_store demo; /* first: test_demo_store_teardown frees the fixture */
	rows r;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	test_demo_store_open(&f->demo, true, "fcat-operator");
	demo_rows(&f->r);
	*state = f;
	return 0;
}

/* The training set of `refs` for the entity rows `ents` (written to the
 * repo's ents.csv), as text. */
static char *training(const fixture *f, const char *ents, const char *const *refs, size_t nrefs)
{
	test_write_file(f->demo.repo, "ents.csv", ents);
	char in[4096], out[4096];
	snprintf(in, sizeof in, "%s/ents.csv", f->demo.repo);
	snprintf(out, sizeof out, "%s/train.csv", f->demo.repo);
	if (fcat_get_historical(NULL, f->demo.store, in, refs, nrefs, NULL, out, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	return test_read_file(out);
}

static void test_push__rows_read_back_online_and_in_training_sets(void **state)
{
	fixture *f = *state;
	fcat_push_stats st;
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	o.to = FCAT_PUSH_ONLINE_AND_OFFLINE;
	if (fcat_push(&st, f->demo.store, "conversations_push", f->r.cols, f->r.ncols, 3, &o) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(st.rows, 3);
	assert_int_equal(st.views, 2); /* user_features and user_activity */
	assert_int_equal(st.keys_written, 4);
	assert_int_equal(st.rows_appended, 3);
	/* online: the latest row per key, after the transform (clamped, lower) */
	char *online = read_online(f->demo.store);
	assert_non_null(strstr(online, "zz1 total_conversations=2 PRESENT 2031-01-02T00:00:00Z\n"));
	assert_non_null(strstr(online, "zz1 avg_response_rating=5 PRESENT"));
	assert_non_null(strstr(online, "zz1 preferred_language=en PRESENT"));
	assert_non_null(strstr(online, "zz1 user_embedding=[0.5,1,2,3,4,5,6,7,8,9,10,11,12,13,14,"
	                               "15.25] PRESENT"));
	assert_non_null(strstr(online, "zz2 avg_response_rating=1 PRESENT 2031-01-03T00:00:00Z\n"));
	assert_non_null(strstr(online, "zz2 preferred_language= NULL_VALUE"));
	/* offline: appended to the CSV source, so a training set sees them */
	char *csv = conversations(f->demo.repo);
	assert_non_null(strstr(csv, "\nzz1,2031-01-02T00:00:00Z,2031-01-02T00:00:00Z,2,7.5,EN,"
	                            "\"[0.5,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15.25]\"\n"));
	assert_non_null(strstr(csv, "\nzz2,2031-01-03T00:00:00Z,,40,0.25,,\"[0.5,"));
	free(csv);
	const char *refs[] = {"user_features:total_conversations",
	                      "user_features:avg_response_rating",
	                      "user_features:preferred_language"};
	char *train =
	    training(f, "user_id,event_timestamp,label\nzz1," T0 ",a\nzz1," AT ",b\nzz2," T1 ",c\n",
	             refs, 3);
	assert_string_equal(train, "user_id,event_timestamp,label,total_conversations,"
	                           "avg_response_rating,preferred_language\n"
	                           "zz1," T0 ",a,1,4,fr\n"
	                           "zz1," AT ",b,2,5,en\n"
	                           "zz2," T1 ",c,,,\n");
	free(train);

	/* the same rows pushed offline only into a second repo, then
	 * materialized, give the very same online values */
	char *parent2, *repo2 = test_demo_repo(&parent2, true);
	fcat_store *s2 = test_store_open_as(repo2, "fcat-operator");
	if (push(s2, &f->r, 3, FCAT_PUSH_OFFLINE) != 0)
		fail_msg("%s", fcat_error_last());
	char *before = read_online(s2);
	assert_non_null(strstr(before, "zz1 total_conversations= NOT_FOUND"));
	free(before);
	const char *views[] = {"user_features"};
	if (fcat_materialize(NULL, s2, t(T0), t(AT), views, 1, NULL, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	char *materialized = read_online(s2);
	assert_string_equal(online, materialized);
	free(materialized);
	free(online);
	fcat_store_free(s2);
	test_repo_done(parent2, repo2);
}

static void test_push__an_empty_string_stays_empty_and_a_null_null_offline(void **state)
{
	fixture *f = *state;
	f->r.lang[1] = str(""); /* zz1's later row: empty; zz2's: null */
	if (push(f->demo.store, &f->r, 3, FCAT_PUSH_OFFLINE) != 0)
		fail_msg("%s", fcat_error_last());
	char *csv = conversations(f->demo.repo);
	assert_non_null(strstr(csv, "\nzz1,2031-01-02T00:00:00Z,2031-01-02T00:00:00Z,2,7.5,\"\","));
	assert_non_null(strstr(csv, "\nzz2,2031-01-03T00:00:00Z,,40,0.25,,"));
	free(csv);
	const char *refs[] = {"user_features:preferred_language"};
	char *train = training(f, "user_id,event_timestamp\nzz1," AT "\nzz2," AT "\n", refs, 1);
	assert_string_equal(train, "user_id,event_timestamp,preferred_language\n"
	                           "zz1," AT ",\"\"\n"
	                           "zz2," AT ",\n");
	free(train);
}

/* Pushes `r` (3 rows) and expects FCAT_EINVALID naming `where`, and
 * nothing written anywhere. */
static void expect_refused(fcat_store *s, const char *repo, const rows *r, const char *where)
{
	char *csv = conversations(repo);
	assert_int_equal(push(s, r, 3, FCAT_PUSH_ONLINE_AND_OFFLINE), FCAT_EINVALID);
	if (!strstr(fcat_error_last(), where))
		fail_msg("expected '%s' in: %s", where, fcat_error_last());
	char *after = conversations(repo);
	assert_string_equal(csv, after);
	char *online = read_online(s);
	assert_non_null(strstr(online, "zz1 total_conversations= NOT_FOUND"));
	assert_non_null(strstr(online, "zz2 total_conversations= NOT_FOUND"));
	free(online);
	free(after);
	free(csv);
}

static void test_push__a_bad_row_refuses_the_whole_push(void **state)
{
	fixture *f = *state;
	f->r.total[1] = (fcat_value){.type = {FCAT_INT32, false, 0}, .u.i32 = 2};
	expect_refused(f->demo.store, f->demo.repo, &f->r,
	               "push source 'conversations_push', row 2, column 'total_conversations': "
	               "expected int64, got int32");
	demo_rows(&f->r);
	f->r.user[2] = null();
	expect_refused(f->demo.store, f->demo.repo, &f->r,
	               "push source 'conversations_push', row 3, column 'user_id': a join key "
	               "must not be null");
	demo_rows(&f->r);
	f->r.when[0] = null();
	expect_refused(f->demo.store, f->demo.repo, &f->r,
	               "push source 'conversations_push', row 1, column 'event_timestamp': the "
	               "event timestamp must not be null");
	demo_rows(&f->r);
	f->r.vec[1] = embedding(3);
	expect_refused(f->demo.store, f->demo.repo, &f->r,
	               "row 2, column 'user_embedding': expected float32[16], got an array of 3 "
	               "items");
	demo_rows(&f->r);
	fcat_value mood[3] = {str("ok"), str("ok"), str("ok")};
	f->r.cols[f->r.ncols++] = (fcat_push_column){"mood", mood};
	expect_refused(f->demo.store, f->demo.repo, &f->r,
	               "push source 'conversations_push': column 'mood' (column 8 of the push) "
	               "is not in its schema (columns: user_id, event_timestamp, created_at, "
	               "total_conversations, avg_response_rating, preferred_language, "
	               "user_embedding)");
	demo_rows(&f->r);
	f->r.ncols = 6; /* no embedding */
	expect_refused(f->demo.store, f->demo.repo, &f->r,
	               "no column 'user_embedding' in the push (every column of the schema is "
	               "needed; only 'created_at' may be left out)");
	/* an unknown push source, and a view's name */
	demo_rows(&f->r);
	assert_int_equal(fcat_push(NULL, f->demo.store, "nope", f->r.cols, f->r.ncols, 3, NULL),
	                 FCAT_ENOTFOUND);
	assert_int_equal(
	    fcat_push(NULL, f->demo.store, "user_features", f->r.cols, f->r.ncols, 3, NULL),
	    FCAT_ENOTFOUND);
	assert_non_null(strstr(fcat_error_last(), "'user_features' is a feature_view, not a "
	                                          "push source"));
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	o.to = (fcat_push_to)7;
	assert_int_equal(
	    fcat_push(NULL, f->demo.store, "conversations_push", f->r.cols, f->r.ncols, 3, &o),
	    FCAT_EUSAGE);
}

static void test_push__a_denied_principal_is_refused_and_audited(void **state)
{
	fixture *f = *state;
	char *csv = conversations(f->demo.repo);
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	o.to = FCAT_PUSH_ONLINE_AND_OFFLINE;
	o.principal = "alice"; /* a scientist: reads, never writes */
	assert_int_equal(
	    fcat_push(NULL, f->demo.store, "conversations_push", f->r.cols, f->r.ncols, 3, &o),
	    FCAT_EDENIED);
	const char *msg = fcat_error_last();
	if (!strstr(msg, "alice") || !strstr(msg, "view:user_activity"))
		fail_msg("%s", msg);
	char *after = conversations(f->demo.repo);
	assert_string_equal(csv, after);
	char *online = read_online(f->demo.store);
	assert_non_null(strstr(online, "zz1 total_conversations= NOT_FOUND"));
	assert_int_equal(fcat_store_audit_check(NULL, f->demo.store), 0);
	char path[4096];
	snprintf(path, sizeof path, "%s/data/audit.log", f->demo.repo);
	char *log = test_read_file(path);
	const char *line = strstr(log, "\"alice\"");
	if (!line || !strstr(line, "view:user_activity") || !strstr(line, "write"))
		fail_msg("no audit record of alice's write: %s", log);
	free(log);
	free(online);
	free(after);
	free(csv);
}

static const char table_defs[] =
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "local ev = source { name = 'ev', table = 'events', timestamp_field = 'ts',\n"
    "  schema = { field('user_id', string), field('ts', timestamp), field('n', int64),\n"
    "             field('b', bytes) } }\n"
    "feature_view { name = 'v', entities = { 'user' }, source = ev,\n"
    "  schema = { field('n', int64), field('b', bytes) } }\n"
    "push_source { name = 'p', batch_source = ev }\n"
    "local q = source { name = 'q', query = 'SELECT * FROM events', timestamp_field = 'ts',\n"
    "  schema = { field('user_id', string), field('ts', timestamp) } }\n"
    "push_source { name = 'pq', batch_source = q }\n";

static fcat_store *table_repo(char **dir, const char *offline, const char *create)
{
	*dir = test_mkdtemp();
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
	         "project: t\noffline_store:\n  plugin: %s\n  path: data/offline.db\n", offline);
	test_write_file(*dir, "fcat.yaml", yaml);
	test_write_file(*dir, "catalog/defs.lua", table_defs);
	test_write_file(*dir, "data/.keep", "");
	if (create)
		pit_sqlite_exec(*dir, "data/offline.db", create);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	fcat_store *s;
	if (fcat_store_open_ext(&s, *dir, &o) != 0)
		fail_msg("%s", fcat_error_last());
	return s;
}

/* v's n for u1 and u2 as text: "u1=PRESENT:7 u2=NOT_FOUND:". */
static void read_n(char *buf, size_t size, fcat_store *s)
{
	const char *refs[] = {"v:n"};
	fcat_feature_set *set;
	fcat_online_result *res;
	assert_int_equal(fcat_feature_set_new(&set, s, refs, 1), 0);
	assert_int_equal(fcat_online_result_new(&res), 0);
	fcat_value keys[2] = {str("u1"), str("u2")};
	assert_int_equal(fcat_online_read(res, s, set, keys, 2, NULL), 0);
	buf[0] = 0;
	for (size_t i = 0; i < 2; i++) {
		const fcat_feature_value *v = fcat_online_result_at(res, i, 0);
		snprintf(buf + strlen(buf), size - strlen(buf), "%su%zu=%s:%lld", i ? " " : "",
		         i + 1, fcat_status_name(v->status),
		         v->value.is_null ? -1LL : (long long)v->value.u.i64);
	}
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
}

static void test_push__sqlite_tables_take_rows_all_or_nothing(void **state)
{
	(void)state;
	char *dir, got[256], in[4096], out[4096];
	fcat_store *s =
	    table_repo(&dir, "sqlite", "CREATE TABLE events(user_id TEXT, ts, n INTEGER, b BLOB);");
	fcat_value user[2] = {str("u1"), str("u2")}, when[2] = {ts(T0), ts(T1)},
	           n[2] = {i64(7), null()},
	           b[2] = {{.type = {FCAT_BYTES, false, 0}, .u.str = {"\0\1,\"", 4}}, null()};
	fcat_push_column cols[] = {{"user_id", user}, {"ts", when}, {"n", n}, {"b", b}};
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	o.to = FCAT_PUSH_ONLINE_AND_OFFLINE;
	if (fcat_push(NULL, s, "p", cols, 4, 2, &o) != 0)
		fail_msg("%s", fcat_error_last());
	read_n(got, sizeof got, s);
	assert_string_equal(got, "u1=PRESENT:7 u2=NULL_VALUE:-1");
	test_write_file(dir, "ents.csv", "user_id,event_timestamp\nu1," AT "\nu2," AT "\n");
	snprintf(in, sizeof in, "%s/ents.csv", dir);
	snprintf(out, sizeof out, "%s/train.csv", dir);
	const char *refs[] = {"v"};
	if (fcat_get_historical(NULL, s, in, refs, 1, NULL, out, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	char *train = test_read_file(out);
	assert_string_equal(train,
	                    "user_id,event_timestamp,n,b\nu1," AT ",7,AAEsIg==\nu2," AT ",,\n");
	free(train);
	/* a query cannot take rows: refused before anything is written */
	fcat_value u3[1] = {str("u3")}, w3[1] = {ts(T2)};
	fcat_push_column qcols[] = {{"user_id", u3}, {"ts", w3}};
	assert_fails_with(fcat_push(NULL, s, "pq", qcols, 2, 1, &o), FCAT_EINVALID,
	                  "is a query, which cannot take pushed rows");
	fcat_store_free(s);
	test_dir_done(dir);

	/* the table lacks a column: the insert fails, nothing is kept, and
	 * nothing goes online either (offline is written first) */
	s = table_repo(&dir, "sqlite",
	               "CREATE TABLE events(user_id TEXT, ts, n INTEGER);"
	               "INSERT INTO events VALUES ('u9', '" T0 "', 1);");
	assert_fails_with(fcat_push(NULL, s, "p", cols, 4, 2, &o), FCAT_EINVALID,
	                  "appending to source 'ev' (nothing was written)");
	assert_non_null(strstr(fcat_error_last(), "no column named b"));
	read_n(got, sizeof got, s);
	assert_string_equal(got, "u1=NOT_FOUND:-1 u2=NOT_FOUND:-1");
	/* the table keeps only its own row */
	pit_sqlite_exec(dir, "data/offline.db", "ALTER TABLE events ADD COLUMN b BLOB;");
	test_write_file(dir, "ents.csv", "user_id,event_timestamp\nu9," AT "\nu1," AT "\n");
	snprintf(in, sizeof in, "%s/ents.csv", dir);
	snprintf(out, sizeof out, "%s/train.csv", dir);
	if (fcat_get_historical(NULL, s, in, refs, 1, NULL, out, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	train = test_read_file(out);
	assert_string_equal(train, "user_id,event_timestamp,n,b\nu9," AT ",1,\nu1," AT ",,\n");
	free(train);
	fcat_store_free(s);
	test_dir_done(dir);
}

static void test_push__a_store_without_append_is_refused_first(void **state)
{
	(void)state;
	char *dir, got[256];
	fcat_store *s = table_repo(&dir, "postgres", NULL);
	fcat_value user[1] = {str("u1")}, when[1] = {ts(T0)}, n[1] = {i64(1)}, b[1] = {null()};
	fcat_push_column cols[] = {{"user_id", user}, {"ts", when}, {"n", n}, {"b", b}};
	fcat_push_options o = FCAT_PUSH_OPTIONS_INIT;
	o.to = FCAT_PUSH_ONLINE_AND_OFFLINE;
	assert_fails_with(fcat_push(NULL, s, "p", cols, 4, 1, &o), FCAT_EINVALID,
	                  "push source 'p': the store of its batch source "
	                  "'ev' (plugin postgres) cannot take pushes");
	read_n(got, sizeof got, s);
	assert_string_equal(got, "u1=NOT_FOUND:-1 u2=NOT_FOUND:-1");
	/* online only needs no offline store */
	o.to = FCAT_PUSH_ONLINE;
	if (fcat_push(NULL, s, "p", cols, 4, 1, &o) != 0)
		fail_msg("%s", fcat_error_last());
	read_n(got, sizeof got, s);
	assert_string_equal(got, "u1=PRESENT:1 u2=NOT_FOUND:-1");
	fcat_store_free(s);
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_push__rows_read_back_online_and_in_training_sets,
	                                    setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_push__an_empty_string_stays_empty_and_a_null_null_offline, setup,
	        test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_push__a_bad_row_refuses_the_whole_push, setup,
	                                    test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_push__a_denied_principal_is_refused_and_audited,
	                                    setup, test_demo_store_teardown),
	    cmocka_unit_test(test_push__sqlite_tables_take_rows_all_or_nothing),
	    cmocka_unit_test(test_push__a_store_without_append_is_refused_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
