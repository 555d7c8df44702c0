/* test_catalog_hash.c - content hashes change exactly when a definition
 * changes, not when it moves. */
#include "testutil.h"

#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFS(PAD, A_TYPE, A_DESC, B_TYPE)                                                          \
	PAD "entity { name = 'user', join_keys = { field('user_id', string) } }\n"                 \
	    "source { name = 'src', path = 'd.csv', timestamp_field = 'ts' }\n"                    \
	    "feature_view { name = 'v', entities = { 'user' }, source = 'src',\n"                  \
	    "  schema = { field('a', " A_TYPE ", { description = '" A_DESC "' }),\n"               \
	    "             field('b', " B_TYPE ") } }\n"

/* Loads the text and returns the hash of `name`. */
static void hash_of(char out[65], const char *text, const char *name)
{
	char *dir = test_mkdtemp();
	test_write_file(dir, "catalog/defs.lua", text);
	fcat_catalog *c;
	if (fcat_catalog_load_dir(&c, dir, "catalog") != 0)
		fail_msg("%s", fcat_error_last());
	const fcat_object *o;
	assert_int_equal(fcat_catalog_lookup(&o, c, name), 0);
	fcat_object_hash(out, o);
	fcat_catalog_free(c);
	test_dir_done(dir);
}

static void test_catalog_hash__moving_a_definition_keeps_its_hash(void **state)
{
	(void)state;
	char a[65], b[65];
	hash_of(a, DEFS("", "int64", "x", "int64"), "v:a");
	hash_of(b, DEFS("\n\n-- moved down\n", "int64", "x", "int64"), "v:a");
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
}

static void test_catalog_hash__type_and_description_changes_change_the_hash(void **state)
{
	(void)state;
	char a[65], b[65], c[65];
	hash_of(a, DEFS("", "int64", "x", "int64"), "v:a");
	hash_of(b, DEFS("", "int32", "x", "int64"), "v:a");
	hash_of(c, DEFS("", "int32", "y", "int64"), "v:a");
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, c);
	hash_of(a, DEFS("", "int64", "x", "int64"), "v");
	hash_of(b, DEFS("", "int32", "x", "int64"), "v");
	assert_string_not_equal(a, b);
}

static void test_catalog_hash__a_sibling_change_keeps_a_feature_hash(void **state)
{
	(void)state;
	char a[65], b[65], va[65], vb[65];
	hash_of(a, DEFS("", "int64", "x", "int64"), "v:a");
	hash_of(b, DEFS("", "int64", "x", "float64"), "v:a");
	assert_string_equal(a, b);
	hash_of(va, DEFS("", "int64", "x", "int64"), "v");
	hash_of(vb, DEFS("", "int64", "x", "float64"), "v");
	assert_string_not_equal(va, vb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_hash__moving_a_definition_keeps_its_hash),
	    cmocka_unit_test(test_catalog_hash__type_and_description_changes_change_the_hash),
	    cmocka_unit_test(test_catalog_hash__a_sibling_change_keeps_a_feature_hash),
	};
	return cmocka_run_group_tests_name("catalog_hash", tests, NULL, NULL);
}
