/* test_catalog_validation.c - every definition error is reported with the
 * file and line of the offending definition, and nothing is loaded. */
#include "testutil.h"

#include "fcat.h"

#include <stdlib.h>
#include <string.h>

/* A valid prelude: entity at line 1, source at line 2. */
#define PRELUDE                                                                                    \
	"local user = entity { name = 'user', join_keys = { field('user_id', string) } }\n"        \
	"local src = source { name = 'src', path = 'd.csv', timestamp_field = 'ts' }\n"

/* Loads `text` as catalog/defs.lua and expects the whole report to be `want`
 * (one line per problem). */
static void expect(const char *text, const char *want)
{
	test_expect_catalog_invalid(text, want, false);
}

/* Like expect(), but only the start of the report must match. */
static void expect_prefix(const char *text, const char *want)
{
	test_expect_catalog_invalid(text, want, true);
}

static void test_catalog_validation__lua_syntax_error(void **state)
{
	(void)state;
	expect_prefix(PRELUDE "feature_view {\n  name = 'v',,\n}\n",
	              "catalog/defs.lua:4: unexpected symbol near ','");
}

static void test_catalog_validation__lua_runtime_error(void **state)
{
	(void)state;
	expect_prefix(PRELUDE "\nlocal x = nil\nx.y = 1\n",
	              "catalog/defs.lua:5: attempt to index a nil value");
	expect(PRELUDE "error('custom failure')\n", "catalog/defs.lua:3: custom failure");
}

static void test_catalog_validation__unknown_global_is_reported(void **state)
{
	(void)state;
	expect_prefix(PRELUDE "feature_view { name = 'v', entities = { user }, source = src,\n"
	                      "  schema = { field('a', strng) } }\n",
	              "catalog/defs.lua:4: unknown name 'strng'");
}

static void test_catalog_validation__unknown_entity(void **state)
{
	(void)state;
	expect(PRELUDE "\nfeature_view { name = 'v', entities = { 'usr' }, source = src,\n"
	               "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:4: feature_view 'v': unknown entity 'usr'");
}

static void test_catalog_validation__unknown_source(void **state)
{
	(void)state;
	expect(PRELUDE "feature_view { name = 'v', entities = { user }, source = 'nope',\n"
	               "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:3: feature_view 'v': unknown source 'nope'");
}

static void test_catalog_validation__reference_of_the_wrong_kind(void **state)
{
	(void)state;
	expect(PRELUDE "feature_view { name = 'v', entities = { src }, source = src,\n"
	               "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:3: feature_view 'v': entities[1] is the source 'src', not an "
	       "entity");
	expect(PRELUDE "feature_view { name = 'v', entities = { 'src' }, source = src,\n"
	               "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:3: feature_view 'v': 'src' is a source, not an entity");
}

static void test_catalog_validation__unknown_view_and_feature_in_service(void **state)
{
	(void)state;
	expect(PRELUDE "feature_view { name = 'v', entities = { user }, source = src,\n"
	               "  schema = { field('a', int64) } }\n"
	               "feature_service { name = 's', features = { 'v:b' } }\n"
	               "feature_service { name = 't', features = { 'w' } }\n",
	       "catalog/defs.lua:5: feature_service 's': unknown feature 'b' in feature_view 'v'\n"
	       "catalog/defs.lua:6: feature_service 't': unknown feature view or on-demand "
	       "view 'w'");
	expect(PRELUDE "on_demand_view { name = 'o', sources = { 'nov' },\n"
	               "  schema = { field('x', int64) }, transform = function(i) return i end }\n",
	       "catalog/defs.lua:3: on_demand_view 'o': unknown feature view 'nov'");
}

static void test_catalog_validation__unknown_type(void **state)
{
	(void)state;
	expect_prefix(PRELUDE "feature_view { name = 'v', entities = { user }, source = src,\n"
	                      "  schema = {\n    field('a', 'int46') } }\n",
	              "catalog/defs.lua:5: field 'a': unknown type 'int46'");
	expect_prefix(PRELUDE "\nlocal t = array(array(int64))\n",
	              "catalog/defs.lua:4: array: arrays of arrays are not supported");
	expect_prefix(PRELUDE "local t = field('x', {})\n",
	              "catalog/defs.lua:3: field 'x': expected a type");
}

static void test_catalog_validation__view_without_timestamp_field(void **state)
{
	(void)state;
	expect("entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	       "source { name = 'src', path = 'd.csv' }\n"
	       "feature_view { name = 'v', entities = { 'user' }, source = 'src',\n"
	       "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:3: feature_view 'v': has no timestamp field: set "
	       "'timestamp_field' on source 'src' or on the view");
}

static void test_catalog_validation__duplicate_names(void **state)
{
	(void)state;
	expect(PRELUDE "entity { name = 'user', join_keys = { field('id', int64) } }\n",
	       "catalog/defs.lua:3: entity 'user': the name is already used by the entity "
	       "defined at catalog/defs.lua:1");
	expect(PRELUDE "feature_view { name = 'src', entities = { user }, source = src,\n"
	               "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:3: feature_view 'src': the name is already used by the "
	       "source defined at catalog/defs.lua:2");
}

static void test_catalog_validation__duplicate_feature(void **state)
{
	(void)state;
	expect(PRELUDE "feature_view { name = 'v', entities = { user }, source = src,\n"
	               "  schema = {\n"
	               "    field('a', int64),\n"
	               "    field('a', float32),\n"
	               "  } }\n",
	       "catalog/defs.lua:6: feature_view 'v': field 'a' appears twice in 'schema' (first "
	       "at line 5)");
}

static void test_catalog_validation__feature_name_clashes(void **state)
{
	(void)state;
	expect(PRELUDE "feature_view { name = 'v', entities = { user }, source = src,\n"
	               "  schema = {\n"
	               "    field('user_id', string),\n"
	               "    field('ts', int64) } }\n",
	       "catalog/defs.lua:5: feature_view 'v': feature 'user_id' has the name of a join "
	       "key of entity 'user'\n"
	       "catalog/defs.lua:6: feature_view 'v': feature 'ts' has the name of the timestamp "
	       "field");
	expect(PRELUDE "entity { name = 'account', join_keys = { field('user_id', string) } }\n"
	               "feature_view { name = 'v', entities = { user, 'account' }, source = src,\n"
	               "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:4: feature_view 'v': entities 'user' and 'account' both have the "
	       "join key 'user_id'");
}

static void test_catalog_validation__bad_keys_and_values(void **state)
{
	(void)state;
	expect(PRELUDE "feature_view { name = 'v', entities = { user }, source = src,\n"
	               "  tll = days(1), online = 'yes', ttl = -5,\n"
	               "  schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:3: feature_view 'v': unknown key 'tll' (known: name, entities, "
	       "source, ttl, online, offline, schema, transform, timestamp_field, description, "
	       "owner, tags, aggregations, aggregation_interval)\n"
	       "catalog/defs.lua:3: feature_view 'v': 'ttl' must be a whole number of seconds "
	       "from 0 to 10,000 years, such as days(7) or hours(12), got -5\n"
	       "catalog/defs.lua:3: feature_view 'v': 'online' must be true or false, got string");
	/* a ttl in microseconds plus or minus a time must stay inside int64 */
	expect(PRELUDE "feature_view { name = 'v', entities = { user }, source = src,\n"
	               "  ttl = 400000000000, schema = { field('a', int64) } }\n",
	       "catalog/defs.lua:3: feature_view 'v': 'ttl' must be a whole number of seconds "
	       "from 0 to 10,000 years, such as days(7) or hours(12), got 400000000000");
	expect("entity { join_keys = {} }\n", "catalog/defs.lua:1: entity: needs a 'name' string");
	expect("entity { name = 'bad name', join_keys = { field('k', string) } }\n",
	       "catalog/defs.lua:1: entity 'bad name': the name must be an identifier (letters, "
	       "digits, '_')");
	expect("entity { name = 'e', join_keys = { field('k', float64) } }\n",
	       "catalog/defs.lua:1: entity 'e': join key 'k' must be a string, bytes, int32, "
	       "int64 or timestamp, not float64");
	expect("entity { name = 'e', join_keys = { k = field('k', string) } }\n",
	       "catalog/defs.lua:1: entity 'e': 'join_keys' must be a list (keys 1..n) so that "
	       "its order is kept; write { field(\"a\", int64), ... }");
	expect("source { name = 's', path = 'a.csv', table = 't' }\n",
	       "catalog/defs.lua:1: source 's': needs exactly one of 'path' (a file), 'table' or "
	       "'query' (in the offline store)");
	expect("entity 'user'\n",
	       "catalog/defs.lua:1: entity: expects one table: entity { name = \"...\", ... }");
}

static void test_catalog_validation__transform_must_be_self_contained(void **state)
{
	(void)state;
	expect(PRELUDE "local factor = 2\n"
	               "feature_view { name = 'v', entities = { user }, source = src,\n"
	               "  schema = { field('a', int64) },\n"
	               "  transform = function(r) return { a = r.a * factor } end }\n",
	       "catalog/defs.lua:4: feature_view 'v': 'transform' uses the local 'factor' from "
	       "outside the function; a transform must be self-contained (define helpers inside "
	       "it)");
	expect(PRELUDE "on_demand_view { name = 'o', request = { field('x', int64) },\n"
	               "  schema = { field('y', int64) } }\n",
	       "catalog/defs.lua:3: on_demand_view 'o': needs 'transform', a function");
}

static void test_catalog_validation__declared_source_schema_is_checked(void **state)
{
	(void)state;
	expect(
	    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	    "source { name = 'src', path = 'd.csv', timestamp_field = 'ts',\n"
	    "  schema = { field('user_id', string), field('ts', timestamp), field('a', int32) } }\n"
	    "feature_view { name = 'v', entities = { 'user' }, source = 'src',\n"
	    "  schema = {\n"
	    "    field('a', int64),\n"
	    "    field('b', int64) } }\n",
	    "catalog/defs.lua:6: feature_view 'v': feature 'a' is int64 but the source column "
	    "is int32\n"
	    "catalog/defs.lua:7: feature_view 'v': feature 'b' is not a column of source 'src' "
	    "(and the view has no transform)");
}

static void test_catalog_validation__errors_in_several_files_are_all_reported(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "catalog/a.lua", "entity { name = 'a' }\n");
	test_write_file(dir, "catalog/b.lua", "\nentity {\n");
	fcat_catalog *c = NULL;
	assert_int_equal(fcat_catalog_load_dir(&c, dir, "catalog"), FCAT_EINVALID);
	const char *m = fcat_error_last();
	assert_non_null(strstr(m, "catalog/a.lua:1: entity 'a': needs 'join_keys'"));
	assert_non_null(strstr(m, "\ncatalog/b.lua:3: "));
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_validation__lua_syntax_error),
	    cmocka_unit_test(test_catalog_validation__lua_runtime_error),
	    cmocka_unit_test(test_catalog_validation__unknown_global_is_reported),
	    cmocka_unit_test(test_catalog_validation__unknown_entity),
	    cmocka_unit_test(test_catalog_validation__unknown_source),
	    cmocka_unit_test(test_catalog_validation__reference_of_the_wrong_kind),
	    cmocka_unit_test(test_catalog_validation__unknown_view_and_feature_in_service),
	    cmocka_unit_test(test_catalog_validation__unknown_type),
	    cmocka_unit_test(test_catalog_validation__view_without_timestamp_field),
	    cmocka_unit_test(test_catalog_validation__duplicate_names),
	    cmocka_unit_test(test_catalog_validation__duplicate_feature),
	    cmocka_unit_test(test_catalog_validation__feature_name_clashes),
	    cmocka_unit_test(test_catalog_validation__bad_keys_and_values),
	    cmocka_unit_test(test_catalog_validation__transform_must_be_self_contained),
	    cmocka_unit_test(test_catalog_validation__declared_source_schema_is_checked),
	    cmocka_unit_test(test_catalog_validation__errors_in_several_files_are_all_reported),
	};
	return cmocka_run_group_tests_name("catalog_validation", tests, NULL, NULL);
}
