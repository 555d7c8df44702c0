/* test_catalog_dsl.c - the definition vocabulary: what entity, source,
 * feature_view, on_demand_view, feature_service, field, types and durations
 * produce in the catalog. */
#include "testutil.h"

#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char base_defs[] =
    "local user = entity { name = 'user', join_keys = { field('user_id', string) },\n"
    "  description = 'a person', owner = 'team@x', tags = { tier = 1, pii = false } }\n"
    "local conv = source { name = 'conversations', path = 'data/c.csv', timestamp_field = 'ts',\n"
    "  created_timestamp_field = 'created', schema = { field('user_id', string),\n"
    "  field('ts', timestamp), field('created', timestamp), field('total', int64) } }\n"
    "feature_view {\n"
    "  name = 'user_features', entities = { user }, source = conv, ttl = days(7),\n"
    "  schema = {\n"
    "    field('total', int64, { description = 'count' }),\n"
    "    field('rating', float32),\n"
    "    field('lang', string, { tags = { pii = 'true' } }),\n"
    "    field('emb', array(float32, 16)),\n"
    "    field('seen', 'timestamp'),\n"
    "  },\n"
    "  transform = function(row)\n"
    "    return { total = row.total + 1 }\n"
    "  end,\n"
    "}\n";

static fcat_catalog *load(const char *dir)
{
	fcat_catalog *c = NULL;
	int rc = fcat_catalog_load_dir(&c, dir, "catalog");
	if (rc)
		fail_msg("load failed: %s", fcat_error_last());
	return c;
}

/* Loads the catalog of a fresh directory holding catalog/a.lua with `defs`
 * and, unless `rel` is NULL, `rel` with `text`; the directory is gone again
 * when it returns. Loading must give `want` (0, or the error code); the
 * catalog, or NULL on an error, whose message fcat_error_last() keeps. */
static fcat_catalog *load_defs(int want, const char *defs, const char *rel, const char *text)
{
	char *dir = test_mkdtemp();
	test_write_file(dir, "catalog/a.lua", defs);
	if (rel)
		test_write_file(dir, rel, text);
	fcat_catalog *c = NULL;
	int rc = fcat_catalog_load_dir(&c, dir, "catalog");
	test_dir_done(dir);
	if (rc != want)
		fail_msg("loading gave %d, not %d: %s", rc, want, fcat_error_last());
	if (rc)
		assert_null(c);
	return c;
}

static void test_catalog_dsl__definitions_become_catalog_objects(void **state)
{
	(void)state;
	fcat_catalog *c = load_defs(0, base_defs, NULL, NULL);
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_ENTITY), 1);
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_SOURCE), 1);
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_VIEW), 1);
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_FEATURE), 5);

	const fcat_object *v;
	assert_int_equal(fcat_catalog_lookup(&v, c, "user_features"), 0);
	assert_int_equal(fcat_object_kind_of(v), FCAT_OBJ_VIEW);
	assert_int_equal(fcat_view_ttl_seconds(v), 7 * 86400);
	assert_string_equal(fcat_object_file(v), "catalog/a.lua");
	assert_int_equal(fcat_object_line(v), 6);
	assert_int_equal(fcat_object_feature_count(v), 5);

	const char *const names[] = {"total", "rating", "lang", "emb", "seen"};
	const char *const types[] = {"int64", "float32", "string", "float32[16]", "timestamp"};
	for (size_t i = 0; i < 5; i++) {
		const fcat_object *f = fcat_object_feature_at(v, i);
		char t[64];
		fcat_type_format(t, sizeof t, fcat_feature_type(f));
		assert_string_equal(fcat_object_name(f), names[i]);
		assert_string_equal(t, types[i]);
		assert_ptr_equal(fcat_feature_view(f), v);
	}
	const fcat_object *f;
	assert_int_equal(fcat_catalog_lookup(&f, c, "user_features:lang"), 0);
	assert_string_equal(fcat_object_tag_get(f, "pii"), "true");
	assert_int_equal(fcat_object_line(f), 11);
	assert_int_equal(fcat_catalog_lookup(&f, c, "user_features:total"), 0);
	assert_string_equal(fcat_object_description(f), "count");

	const fcat_object *e;
	assert_int_equal(fcat_catalog_lookup(&e, c, "user"), 0);
	assert_string_equal(fcat_object_owner(e), "team@x");
	assert_int_equal(fcat_object_tag_count(e), 2);
	const char *k, *val;
	assert_int_equal(fcat_object_tag(&k, &val, e, 0), 0);
	assert_string_equal(k, "pii"); /* tags sorted by key */
	assert_string_equal(val, "false");
	assert_string_equal(fcat_object_tag_get(e, "tier"), "1");
	assert_int_equal(fcat_catalog_lookup(&e, c, "nobody"), FCAT_ENOTFOUND);
	fcat_catalog_free(c);
}

static void test_catalog_dsl__transform_source_is_kept(void **state)
{
	(void)state;
	fcat_catalog *c = load_defs(0, base_defs, NULL, NULL);
	const fcat_object *v;
	assert_int_equal(fcat_catalog_lookup(&v, c, "user_features"), 0);
	char *json;
	assert_int_equal(fcat_object_describe_json(&json, v, false), 0);
	assert_non_null(strstr(json,
	                       "\"transform\":{\"file\":\"catalog/a.lua\",\"line\":15,"
	                       "\"code\":\"function(row)\\n    return { total = row.total + 1 "
	                       "}\\n  end\"}"));
	assert_non_null(strstr(json, "\"ttl_seconds\":604800"));
	assert_non_null(strstr(json, "\"join_keys\":[{\"name\":\"user_id\",\"type\":\"string\"}]"));
	assert_non_null(strstr(json, "\"source\":\"conversations\""));
	fcat_free(json);
	fcat_catalog_free(c);
}

static void test_catalog_dsl__files_reference_each_other_by_name(void **state)
{
	(void)state;
	fcat_catalog *c =
	    load_defs(0, base_defs, "catalog/sub/services.lua",
	              "on_demand_view { name = 'odv', sources = { 'user_features' },\n"
	              "  request = { field('msg_len', int64) },\n"
	              "  schema = { field('score', float64) },\n"
	              "  transform = function(inputs) return { score = 1.0 } end }\n"
	              "feature_service { name = 'svc', features = { 'user_features:total',\n"
	              "  'odv', 'user_features' } }\n");
	const fcat_object *s;
	assert_int_equal(fcat_catalog_lookup(&s, c, "svc"), 0);
	/* total first, then odv's score, then the rest of user_features once */
	assert_int_equal(fcat_object_feature_count(s), 6);
	assert_string_equal(fcat_object_name(fcat_object_feature_at(s, 0)), "total");
	assert_string_equal(fcat_object_name(fcat_object_feature_at(s, 1)), "score");
	assert_string_equal(fcat_object_name(fcat_object_feature_at(s, 2)), "rating");
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_ON_DEMAND_VIEW), 1);
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_FEATURE), 6);
	fcat_catalog_free(c);
}

static void test_catalog_dsl__string_is_both_a_type_and_the_library(void **state)
{
	(void)state;
	fcat_catalog *c =
	    load_defs(0,
	              "local names = {}\n"
	              "for i = 1, 3 do names[i] = string.format('e%d', i) end\n"
	              "for _, n in ipairs(names) do\n"
	              "  entity { name = n, join_keys = { field(n .. '_id', string) },\n"
	              "           description = ('x'):rep(3) }\n"
	              "end\n"
	              "assert(hours(2) == 7200 and minutes(3) == 180 and seconds(5) == 5)\n"
	              "assert(days(0.5) == 43200)\n",
	              NULL, NULL);
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_ENTITY), 3);
	const fcat_object *e;
	assert_int_equal(fcat_catalog_lookup(&e, c, "e2"), 0);
	assert_string_equal(fcat_object_description(e), "xxx");
	fcat_catalog_free(c);
}

static void test_catalog_dsl__sandbox_offers_no_io_os_or_require(void **state)
{
	(void)state;
	const char *const hostile[] = {
	    "io.open('/etc/passwd')", "os.execute('true')",        "require('os')",
	    "dofile('/etc/passwd')",  "loadfile('/etc/passwd')",   "load('return 1')",
	    "debug.getinfo(1)",       "package.loaded.os.exit(1)", "math.random()",
	    "collectgarbage()",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
		char text[256];
		snprintf(text, sizeof text, "\n%s\n", hostile[i]);
		load_defs(FCAT_EINVALID, text, NULL, NULL);
		if (strncmp(fcat_error_last(), "catalog/a.lua:2: ", 17) != 0)
			fail_msg("'%s' gave: %s", hostile[i], fcat_error_last());
	}
}

static void test_catalog_dsl__endless_loop_and_memory_bomb_are_stopped(void **state)
{
	(void)state;
	const char *const bombs[] = {
	    "while true do end",
	    "local t = {} for i = 1, 1e12 do t[i] = ('x'):rep(1000) .. i end",
	    "local s = 'x' while true do s = s .. s end",
	};
	for (size_t i = 0; i < sizeof bombs / sizeof *bombs; i++) {
		load_defs(FCAT_EINVALID, bombs[i], NULL, NULL);
		const char *m = fcat_error_last();
		if (!strstr(m, "instruction budget") && !strstr(m, "memory"))
			fail_msg("'%s' gave: %s", bombs[i], m);
	}
}

static void test_catalog_dsl__empty_catalog_is_valid(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "catalog/README.txt", "no definitions yet\n");
	fcat_catalog *c = load(dir);
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_VIEW), 0);
	fcat_catalog_free(c);
	assert_int_equal(fcat_catalog_load_dir(&c, dir, "missing"), FCAT_ENOTFOUND);
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_dsl__definitions_become_catalog_objects),
	    cmocka_unit_test(test_catalog_dsl__transform_source_is_kept),
	    cmocka_unit_test(test_catalog_dsl__files_reference_each_other_by_name),
	    cmocka_unit_test(test_catalog_dsl__string_is_both_a_type_and_the_library),
	    cmocka_unit_test(test_catalog_dsl__sandbox_offers_no_io_os_or_require),
	    cmocka_unit_test(test_catalog_dsl__endless_loop_and_memory_bomb_are_stopped),
	    cmocka_unit_test(test_catalog_dsl__empty_catalog_is_valid),
	};
	return cmocka_run_group_tests_name("catalog_dsl", tests, NULL, NULL);
}
