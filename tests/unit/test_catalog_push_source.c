/* test_catalog_push_source.c - push_source definitions: the schema defaults
 * to the batch source's, a declared one is checked against it and against
 * every view over the batch source, errors name file and line, and the
 * object survives the compiled image, hashes, describe and lineage. */
#include "testutil.h"

#include "catalog/compiled_cache.h"
#include "catalog/model.h"
#include "fcat.h"

#include <stdlib.h>
#include <string.h>

/* Lines 1-4: an entity, a source with a schema, a view over it. */
#define PRELUDE                                                                                    \
	"local user = entity { name = 'user', join_keys = { field('user_id', string) } }\n"        \
	"local ev = source { name = 'ev', path = 'd.csv', timestamp_field = 'ts', schema = {\n"    \
	"  field('user_id', string), field('ts', timestamp), field('n', int64) } }\n"              \
	"feature_view { name = 'v', entities = { user }, source = ev, schema = { field('n', "      \
	"int64) } }\n"

static fcat_catalog *load(char **dir, const char *text)
{
	*dir = test_mkdtemp();
	test_write_file(*dir, "catalog/defs.lua", text);
	fcat_catalog *c = NULL;
	if (fcat_catalog_load_dir(&c, *dir, "catalog") != 0)
		fail_msg("%s", fcat_error_last());
	return c;
}

static void done(fcat_catalog *c, char *dir)
{
	fcat_catalog_free(c);
	test_dir_done(dir);
}

/* Expects the whole report to be `want`. */
static void expect(const char *text, const char *want)
{
	test_expect_catalog_invalid(text, want, false);
}

/* Looks up `name` in c (it must be there) and writes its hash to out. */
static const fcat_object *hash_of(char out[65], const fcat_catalog *c, const char *name)
{
	const fcat_object *o;
	assert_int_equal(fcat_catalog_lookup(&o, c, name), 0);
	fcat_object_hash(out, o);
	return o;
}

static void test_catalog_push_source__schema_defaults_to_the_batch_sources(void **state)
{
	(void)state;
	char *dir;
	fcat_catalog *c = load(&dir, PRELUDE "push_source { name = 'p', batch_source = ev }\n"
	                                     "push_source { name = 'q', batch_source = 'ev',\n"
	                                     "  schema = { field('ts', timestamp),\n"
	                                     "             field('user_id', string),\n"
	                                     "             field('n', int64) } }\n");
	assert_int_equal(fcat_catalog_count(c, FCAT_OBJ_PUSH_SOURCE), 2);
	const fcat_object *p, *q, *ev;
	assert_int_equal(fcat_catalog_lookup(&p, c, "p"), 0);
	assert_int_equal(fcat_catalog_lookup(&q, c, "q"), 0);
	assert_int_equal(fcat_catalog_lookup(&ev, c, "ev"), 0);
	assert_int_equal(fcat_object_kind_of(p), FCAT_OBJ_PUSH_SOURCE);
	assert_string_equal(fcat_object_kind_name(FCAT_OBJ_PUSH_SOURCE), "push_source");
	assert_ptr_equal(fcat_push_source_batch(p), ev);
	assert_null(fcat_push_source_batch(ev));
	assert_int_equal(fcat_source_column_count(p), 3);
	assert_string_equal(fcat_source_column_name(p, 1), "ts");
	assert_int_equal(fcat_source_column_type(p, 2).scalar, FCAT_INT64);
	assert_null(fcat_source_column_name(p, 3));
	/* a declared schema keeps its own order */
	assert_string_equal(fcat_source_column_name(q, 0), "ts");
	assert_int_equal(fcat_object_line(q), 6);
	char *json;
	assert_int_equal(fcat_object_describe_json(&json, p, false), 0);
	assert_non_null(strstr(json, "\"kind\":\"push_source\""));
	assert_non_null(strstr(json, "\"batch_source\":\"ev\""));
	assert_non_null(strstr(json, "\"schema_declared\":false"));
	assert_non_null(strstr(json, "{\"name\":\"n\",\"type\":\"int64\"}"));
	fcat_free(json);
	/* lineage: pushed rows flow into the source, and on to its views */
	assert_int_equal(fcat_lineage(&json, c, "p", FCAT_LINEAGE_TEXT), 0);
	assert_non_null(strstr(json, "push_source p -> source ev"));
	assert_non_null(strstr(json, "source ev -> feature_view v"));
	fcat_free(json);
	done(c, dir);
}

static void test_catalog_push_source__hash_follows_the_definition(void **state)
{
	(void)state;
	char *d1, *d2, h1[65], h2[65];
	fcat_catalog *a = load(&d1, PRELUDE "push_source { name = 'p', batch_source = ev }\n");
	fcat_catalog *b = load(&d2, PRELUDE "push_source { name = 'p', batch_source = ev,\n"
	                                    "  schema = { field('user_id', string),\n"
	                                    "    field('ts', timestamp), field('n', int64) } }\n");
	hash_of(h1, a, "p");
	hash_of(h2, b, "p");
	assert_string_not_equal(h1, h2);
	fcat_diff *diff;
	assert_int_equal(fcat_catalog_diff(&diff, a, b), 0);
	assert_int_equal(fcat_diff_count(diff), 1);
	assert_int_equal(fcat_diff_at(diff, 0)->kind, FCAT_OBJ_PUSH_SOURCE);
	assert_int_equal(fcat_diff_at(diff, 0)->change, FCAT_CHANGE_CHANGED);
	fcat_diff_free(diff);
	done(a, d1);
	done(b, d2);
}

static void test_catalog_push_source__compiled_image_keeps_it(void **state)
{
	(void)state;
	char *dir, before[65], after[65];
	fcat_catalog *c = load(&dir, PRELUDE "push_source { name = 'p', batch_source = ev,\n"
	                                     "  schema = { field('user_id', string),\n"
	                                     "    field('ts', timestamp), field('n', int64) },\n"
	                                     "  description = 'pushed' }\n");
	fcat__buf b = {0};
	fcat__cache_write(&b, c);
	assert_false(b.oom);
	char *blob = malloc(b.len);
	memcpy(blob, b.ptr, b.len);
	fcat_catalog *back = NULL;
	if (fcat__cache_read(&back, blob, b.len) != 0)
		fail_msg("%s", fcat_error_last());
	hash_of(before, c, "p");
	const fcat_object *q = hash_of(after, back, "p");
	assert_string_equal(before, after);
	assert_string_equal(fcat_object_description(q), "pushed");
	assert_int_equal(fcat_object_line(q), 5);
	assert_string_equal(fcat_object_name(fcat_push_source_batch(q)), "ev");
	assert_int_equal(fcat_source_column_count(q), 3);
	assert_int_equal(fcat_source_column_type(q, 1).scalar, FCAT_TIMESTAMP);
	fcat_catalog_free(back);
	fcat__buf_free(&b);
	done(c, dir);
}

static void test_catalog_push_source__wrong_references_name_file_and_line(void **state)
{
	(void)state;
	expect(PRELUDE "\npush_source { name = 'p', batch_source = 'nope' }\n",
	       "catalog/defs.lua:6: push_source 'p': unknown source 'nope'");
	expect(PRELUDE "push_source { name = 'p', batch_source = 'v' }\n",
	       "catalog/defs.lua:5: push_source 'p': 'v' is a feature_view, not a source");
	expect(PRELUDE "push_source { name = 'p', batch_source = user }\n",
	       "catalog/defs.lua:5: push_source 'p': batch_source is the entity 'user', not a "
	       "source");
	expect(PRELUDE "push_source { name = 'p' }\n",
	       "catalog/defs.lua:5: push_source 'p': needs 'batch_source'");
	expect(PRELUDE "push_source { name = 'p', batch_source = ev, table = 't' }\n",
	       "catalog/defs.lua:5: push_source 'p': unknown key 'table' (known: name, "
	       "batch_source, schema, description, owner, tags)");
	expect(PRELUDE "push_source { name = 'v', batch_source = ev }\n",
	       "catalog/defs.lua:5: push_source 'v': the name is already used by the "
	       "feature_view defined at catalog/defs.lua:4");
}

static void test_catalog_push_source__without_any_schema_is_an_error(void **state)
{
	(void)state;
	expect("local s = source { name = 's', path = 'd.csv', timestamp_field = 'ts' }\n"
	       "push_source { name = 'p', batch_source = s }\n",
	       "catalog/defs.lua:2: push_source 'p': has no schema: declare 'schema' = { "
	       "field(...), ... } here or on its batch source 's' (catalog/defs.lua:1)");
}

static void test_catalog_push_source__declared_schema_is_checked(void **state)
{
	(void)state;
	/* unknown field, wrong type, duplicate field: each on its own line */
	expect(PRELUDE "push_source { name = 'p', batch_source = ev, schema = {\n"
	               "  field('user_id', string), field('ts', timestamp),\n"
	               "  field('nn', int64) } }\n",
	       "catalog/defs.lua:7: push_source 'p': field 'nn' is not a column of the batch "
	       "source 'ev'");
	expect(PRELUDE "push_source { name = 'p', batch_source = ev, schema = {\n"
	               "  field('user_id', string), field('ts', timestamp),\n"
	               "  field('n', float64) } }\n",
	       "catalog/defs.lua:7: push_source 'p': field 'n' is float64 here but int64 in the "
	       "batch source 'ev'");
	expect(PRELUDE "push_source { name = 'p', batch_source = ev, schema = {\n"
	               "  field('user_id', string), field('ts', timestamp),\n"
	               "  field('ts', timestamp) } }\n",
	       "catalog/defs.lua:7: push_source 'p': field 'ts' appears twice in 'schema' "
	       "(first at line 6)");
	/* the view over the batch source needs n, the pushed rows lack it */
	expect(PRELUDE "push_source { name = 'p', batch_source = ev, schema = {\n"
	               "  field('user_id', string), field('ts', timestamp) } }\n",
	       "catalog/defs.lua:5: push_source 'p': feature_view 'v' (catalog/defs.lua:4) "
	       "reads column 'n' of source 'ev', which the push schema lacks");
	/* without a batch schema, the push schema alone decides */
	expect("local user = entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	       "local s = source { name = 's', path = 'd.csv', timestamp_field = 'ts' }\n"
	       "feature_view { name = 'v', entities = { user }, source = s,\n"
	       "  schema = { field('n', int64) } }\n"
	       "push_source { name = 'p', batch_source = s, schema = {\n"
	       "  field('user_id', string), field('ts', string), field('n', int64) } }\n",
	       "catalog/defs.lua:6: push_source 'p': column 'ts' is string here but "
	       "feature_view 'v' (catalog/defs.lua:3) reads it as timestamp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_push_source__schema_defaults_to_the_batch_sources),
	    cmocka_unit_test(test_catalog_push_source__hash_follows_the_definition),
	    cmocka_unit_test(test_catalog_push_source__compiled_image_keeps_it),
	    cmocka_unit_test(test_catalog_push_source__wrong_references_name_file_and_line),
	    cmocka_unit_test(test_catalog_push_source__without_any_schema_is_an_error),
	    cmocka_unit_test(test_catalog_push_source__declared_schema_is_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
