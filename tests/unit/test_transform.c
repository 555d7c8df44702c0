/* test_transform.c - the transform sandbox and the one value conversion:
 * exact values, and hostile transforms that fail cleanly and leave the
 * process (and the next call) unharmed. */
#include "testutil.h"

#include "catalog/model.h"
#include "transform/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A catalog with one view whose transform body is `body`. */
static fcat_catalog *catalog_with(const char *body, char **dir)
{
	*dir = test_mkdtemp();
	char text[4096];
	snprintf(text, sizeof text,
	         "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	         "source { name = 's', path = 'd.csv', timestamp_field = 'ts', schema = {\n"
	         "  field('user_id', string), field('ts', timestamp), field('n', int64),\n"
	         "  field('x', float64), field('tags', array(string)) } }\n"
	         "feature_view { name = 'v', entities = { 'user' }, source = 's', schema = {\n"
	         "  field('a', int64), field('b', float32), field('c', string),\n"
	         "  field('d', array(float32, 2)) },\n"
	         "  transform = function(row)\n%s\n  end }\n",
	         body);
	test_write_file(*dir, "catalog/defs.lua", text);
	fcat_catalog *c = NULL;
	if (fcat_catalog_load_dir(&c, *dir, "catalog") != 0)
		fail_msg("%s", fcat_error_last());
	return c;
}

typedef struct call {
	int rc;
	fcat_value out[4];
	char message[1024];
} call;

static const char *const names[] = {"user_id", "ts", "n", "x", "tags"};

static call run(fcat__tx *tx, const char *body)
{
	char *dir;
	fcat_catalog *c = catalog_with(body, &dir);
	const fcat__view *v = (const fcat__view *)c->objects[FCAT_OBJ_VIEW].items[0];
	fcat_bytes tags[] = {{"a", 1}, {"bc", 2}};
	fcat_value in[] = {
	    {.type = {FCAT_STRING, false, 0}, .u.str = {"u1", 2}},
	    {.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = 1700000000000000},
	    {.type = {FCAT_INT64, false, 0}, .u.i64 = 41},
	    {.type = {FCAT_FLOAT64, false, 0}, .u.f64 = 0.1},
	    {.type = {FCAT_STRING, true, 0}, .u.array = {tags, 2}},
	};
	call r = {0};
	fcat__arena arena;
	fcat__arena_init(&arena, 0);
	r.rc = fcat__tx_call(tx, &v->transform, names, in, 5, v->features, 4, r.out, &arena);
	snprintf(r.message, sizeof r.message, "%s", fcat_error_last());
	/* keep what tests look at beyond the arena's life */
	if (r.rc == 0 && !r.out[2].is_null) {
		static char keep[256];
		snprintf(keep, sizeof keep, "%.*s", (int)r.out[2].u.str.len, r.out[2].u.str.ptr);
		r.out[2].u.str.ptr = keep;
	}
	if (r.rc == 0 && !r.out[3].is_null) {
		static float d[2];
		memcpy(d, r.out[3].u.array.items, sizeof d);
		r.out[3].u.array.items = d;
	}
	fcat__arena_release(&arena);
	fcat_catalog_free(c);
	test_dir_done(dir);
	return r;
}

static int setup(void **state)
{
	fcat__tx *tx;
	fcat__sandbox_limits limits = {32u << 20, 200000};
	assert_int_equal(fcat__tx_new(&tx, &limits), 0);
	*state = tx;
	return 0;
}

static int teardown(void **state)
{
	fcat__tx_free(*state);
	return 0;
}

static void test_transform__values_convert_exactly_both_ways(void **state)
{
	call r = run(*state, "    return { a = row.n + 1, b = row.x, c = row.user_id .. '/' .. "
	                     "row.tags[2] .. '/' .. #row.tags,\n"
	                     "      d = { row.ts // 1000000 % 7, 0.5 } }");
	if (r.rc)
		fail_msg("%s", r.message);
	assert_int_equal(r.out[0].u.i64, 42);
	assert_true(r.out[1].u.f32 == (float)0.1); /* rounded once, from the double */
	assert_string_equal(r.out[2].u.str.ptr, "u1/bc/2");
	const float *d = r.out[3].u.array.items;
	assert_true(d[0] == (float)(1700000000 % 7) && d[1] == 0.5f);
}

static void test_transform__null_is_explicit_and_nil_is_an_error(void **state)
{
	call r = run(*state, "    return { a = null, b = 1, c = 'x', d = { 1, 2 } }");
	assert_int_equal(r.rc, 0);
	assert_true(r.out[0].is_null);
	r = run(*state, "    return { b = 1, c = 'x', d = { 1, 2 } }");
	assert_int_equal(r.rc, FCAT_EINVALID);
	assert_non_null(strstr(r.message, "feature 'a': the transform returned no value for it"));
}

static void test_transform__wrong_types_name_the_feature(void **state)
{
	const char *const bodies[][2] = {
	    {"return { a = 'x', b = 1, c = 'x', d = { 1, 2 } }",
	     "feature 'a': the transform returned a wrong value: expected int64 (a whole number), "
	     "got string"},
	    {"return { a = 1.5, b = 1, c = 'x', d = { 1, 2 } }", "feature 'a'"},
	    {"return { a = 1, b = 1, c = 'x', d = { 1, 2, 3 } }",
	     "feature 'd': the transform returned a wrong value: expected 2 elements, got 3"},
	    {"return { a = 1, b = 1, c = 'x', d = { 1, 'two' } }", "element 2: expected float32"},
	    {"return { a = 1, b = 1, c = 'x', d = { 1, 2 }, e = 5 }",
	     "the transform returned 'e', which is not a feature of the view"},
	    {"return 5", "the transform returned number, not a table of features"},
	    {"return { a = 1, b = 1e39, c = 'x', d = { 1, 2 } }",
	     "feature 'b': the transform returned a wrong value: 1e+39 does not fit in float32"},
	    {"return { a = 1, b = 2, c = 'x', d = { -3.5e38, 2 } }",
	     "element 1: -3.5e+38 does not fit in float32"},
	};
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		call r = run(*state, bodies[i][0]);
		assert_int_equal(r.rc, FCAT_EINVALID);
		if (!strstr(r.message, bodies[i][1]))
			fail_msg("'%s' gave: %s", bodies[i][0], r.message);
	}
}

static void test_transform__hostile_transforms_fail_cleanly(void **state)
{
	const struct {
		const char *body;
		int rc;
		const char *message;
	} cases[] = {
	    {"while true do end", FCAT_ETIMEOUT, "instruction budget"},
	    {"local ok = pcall(function() while true do end end) while true do end", FCAT_ETIMEOUT,
	     "instruction budget"},
	    {"local s = string.rep('x', 1 << 30) return {}", FCAT_ENOMEM, "memory cap"},
	    {"local t = {} for i = 1, 1e9 do t[i] = i end", 0, NULL}, /* budget or memory */
	    {"os.execute('touch /tmp/fcat-pwned')", FCAT_EINVALID, "global 'os'"},
	    {"io.open('/etc/passwd')", FCAT_EINVALID, "global 'io'"},
	    {"require('os')", FCAT_EINVALID, "global 'require'"},
	    {"load('return 1')()", FCAT_EINVALID, "global 'load'"},
	    {"error('no luck')", FCAT_EINVALID, "catalog/defs.lua:9: no luck"},
	    {"coroutine.yield(1)", FCAT_EINVALID, "global 'coroutine'"},
	    {"string.lower = nil", FCAT_EINVALID, "transforms cannot change globals"},
	    {"counter = 1", FCAT_EINVALID, "transforms cannot change globals"},
	    {"rawset(_ENV, 'x', 1)", FCAT_EINVALID, "global 'rawset'"},
	    {"getmetatable('').__index.upper = nil", FCAT_EINVALID, "index a boolean value"},
	    {"math.random()", FCAT_EINVALID, "field 'random'"},
	    {"string.dump(function() end)", FCAT_EINVALID, "field 'dump'"},
	    {"string.find(string.rep('a', 20000), '.-.-.-.-b')", FCAT_ETIMEOUT,
	     "instruction budget"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		call r = run(*state, cases[i].body);
		if (cases[i].rc == 0) {
			assert_true(r.rc == FCAT_ETIMEOUT || r.rc == FCAT_ENOMEM);
			continue;
		}
		if (r.rc != cases[i].rc || !strstr(r.message, cases[i].message))
			fail_msg("'%s' gave %d: %s", cases[i].body, r.rc, r.message);
	}
	/* and the engine still works, with nothing left behind */
	call r =
	    run(*state, "    return { a = counter == nil and 1 or 2, b = 1, c = ('X'):lower(), "
	                "d = { 1, 2 } }");
	if (r.rc)
		fail_msg("%s", r.message);
	assert_int_equal(r.out[0].u.i64, 1);
	assert_string_equal(r.out[2].u.str.ptr, "x");
	assert_null(fopen("/tmp/fcat-pwned", "r"));
}

/* A batch over rows whose n is the row number and whose x is null on odd
 * rows; outputs kept per row. */
typedef struct batch {
	fcat_value in[5];
	int64_t a[64];
	bool a_null[64];
	size_t rows;
} batch;

static int batch_input(void *ctx, size_t i, fcat_value *in)
{
	batch *b = ctx;
	memcpy(in, b->in, sizeof b->in);
	in[2].u.i64 = (int64_t)i;
	in[3].is_null = i % 2 == 1;
	return 0;
}

static int batch_output(void *ctx, size_t i, const fcat_value *out)
{
	batch *b = ctx;
	b->a[i] = out[0].u.i64;
	b->a_null[i] = out[0].is_null;
	b->rows = i + 1;
	return 0;
}

static int run_batch(fcat__tx *tx, const char *body, batch *b, size_t nrows, size_t *failed)
{
	char *dir;
	fcat_catalog *c = catalog_with(body, &dir);
	const fcat__view *v = (const fcat__view *)c->objects[FCAT_OBJ_VIEW].items[0];
	memset(b, 0, sizeof *b);
	b->in[0] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {"u1", 2}};
	b->in[1] = (fcat_value){.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = 1700000000000000};
	b->in[2] = (fcat_value){.type = {FCAT_INT64, false, 0}};
	b->in[3] = (fcat_value){.type = {FCAT_FLOAT64, false, 0}, .u.f64 = 0.5};
	b->in[4] = (fcat_value){.type = {FCAT_STRING, true, 0}, .is_null = true};
	fcat_value in[5], out[4];
	fcat__arena arena;
	fcat__arena_init(&arena, 0);
	fcat__tx_rows r = {.names = names,
	                   .nin = 5,
	                   .out_fields = v->features,
	                   .nout = 4,
	                   .nrows = nrows,
	                   .input = batch_input,
	                   .output = batch_output,
	                   .ctx = b,
	                   .in = in,
	                   .out = out,
	                   .arena = &arena};
	int rc = fcat__tx_run(tx, &v->transform, &r);
	*failed = r.row;
	fcat__arena_release(&arena);
	fcat_catalog_free(c);
	test_dir_done(dir);
	return rc;
}

#define REST "b = 1, c = 'x', d = { 1, 2 }"

static void test_transform__batch_rows_see_only_their_own_input(void **state)
{
	batch b;
	size_t failed;
	/* a field the transform adds, or a null column it sets, must not be
	 * there for the next row: a = how many were left over */
	int rc = run_batch(*state,
	                   "    local left = (row.memo and 1 or 0) + (row.x == 7 and 10 or 0)\n"
	                   "    row.memo = true\n"
	                   "    if row.x == nil then row.x = 7 end\n"
	                   "    return { a = left + 100 * row.n, " REST " }",
	                   &b, 40, &failed);
	if (rc)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(b.rows, 40);
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(b.a[i], 100 * (int64_t)i);
	/* a column overwritten in place is set again for the next row */
	rc = run_batch(*state, "    local was = row.n row.n = -1 return { a = was, " REST " }", &b,
	               8, &failed);
	assert_int_equal(rc, 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(b.a[i], (int64_t)i);
	/* returning the input itself reads it like any table */
	rc = run_batch(*state, "    return row", &b, 2, &failed);
	assert_fails_with(rc, FCAT_EINVALID, "which is not a feature of the view");
}

static void test_transform__batch_budget_is_per_row_and_errors_name_the_row(void **state)
{
	batch b;
	size_t failed;
	/* 200,000 instructions per call: each row spends about half */
	int rc = run_batch(*state,
	                   "    local s = 0 for i = 1, 20000 do s = s + i end\n"
	                   "    return { a = s, " REST " }",
	                   &b, 30, &failed);
	if (rc)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(b.rows, 30);
	rc = run_batch(*state,
	               "    if row.n == 5 then error('row five') end\n"
	               "    if row.n == 9 then while true do end end\n"
	               "    return { a = row.n, " REST " }",
	               &b, 30, &failed);
	assert_int_equal(rc, FCAT_EINVALID);
	assert_int_equal(failed, 5);
	assert_int_equal(b.rows, 5);
	assert_non_null(strstr(fcat_error_last(), "row five"));
	rc = run_batch(*state,
	               "    if row.n == 9 then while true do end end\n"
	               "    return { a = row.n, " REST " }",
	               &b, 30, &failed);
	assert_int_equal(rc, FCAT_ETIMEOUT);
	assert_int_equal(failed, 9);
	/* and the engine goes on after a failed batch */
	rc = run_batch(*state, "    return { a = null, " REST " }", &b, 3, &failed);
	assert_int_equal(rc, 0);
	assert_true(b.a_null[0] && b.a_null[2]);
}

static void test_transform__long_feature_names_are_read_like_short_ones(void **state)
{
	/* Lua interns strings of up to 40 bytes only: longer output names are
	 * other objects than the result's keys and must be found by text */
	char *dir = test_mkdtemp();
	test_write_file(
	    dir, "catalog/defs.lua",
	    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	    "source { name = 's', path = 'd.csv', timestamp_field = 'ts', schema = {\n"
	    "  field('user_id', string), field('ts', timestamp) } }\n"
	    "feature_view { name = 'v', entities = { 'user' }, source = 's', schema = {\n"
	    "  field('a_feature_name_much_longer_than_forty_bytes_in_all', int64),\n"
	    "  field('short', int64) },\n"
	    "  transform = function(row)\n"
	    "    return { a_feature_name_much_longer_than_forty_bytes_in_all = 7,\n"
	    "             short = 8 }\n"
	    "  end }\n");
	fcat_catalog *c = NULL;
	if (fcat_catalog_load_dir(&c, dir, "catalog") != 0)
		fail_msg("%s", fcat_error_last());
	const fcat__view *v = (const fcat__view *)c->objects[FCAT_OBJ_VIEW].items[0];
	fcat_value in[] = {{.type = {FCAT_STRING, false, 0}, .u.str = {"u1", 2}},
	                   {.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = 0}};
	fcat_value out[2];
	fcat__arena arena;
	fcat__arena_init(&arena, 0);
	int rc = fcat__tx_call(*state, &v->transform, names, in, 2, v->features, 2, out, &arena);
	if (rc)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(out[0].u.i64, 7);
	assert_int_equal(out[1].u.i64, 8);
	fcat__arena_release(&arena);
	fcat_catalog_free(c);
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transform__values_convert_exactly_both_ways),
	    cmocka_unit_test(test_transform__null_is_explicit_and_nil_is_an_error),
	    cmocka_unit_test(test_transform__wrong_types_name_the_feature),
	    cmocka_unit_test(test_transform__hostile_transforms_fail_cleanly),
	    cmocka_unit_test(test_transform__batch_rows_see_only_their_own_input),
	    cmocka_unit_test(test_transform__long_feature_names_are_read_like_short_ones),
	    cmocka_unit_test(test_transform__batch_budget_is_per_row_and_errors_name_the_row),
	};
	return cmocka_run_group_tests_name("transform", tests, setup, teardown);
}
