/* test_catalog_cache.c - the compiled catalog: it reads back what was
 * written, transforms run from their source text, and a damaged image is
 * refused before anything in it is used (a store then rebuilds it from git). */
#include "testutil.h"

#include "catalog/compiled_cache.h"
#include "catalog/model.h"
#include "transform/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char defs[] =
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "source { name = 's', path = 'd.csv', timestamp_field = 'ts', schema = {\n"
    "  field('user_id', string), field('ts', timestamp), field('n', int64) } }\n"
    "feature_view { name = 'v', entities = { 'user' }, source = 's',\n"
    "  schema = { field('a', int64, { tags = { pii = 'true' } }) },\n"
    "  transform = function(row)\n"
    "    if row.n < 0 then error('negative n') end\n"
    "    return { a = row.n * 3 }\n"
    "  end,\n"
    "}\n";

static fcat_catalog *load(const char *text, char **dir)
{
	*dir = test_mkdtemp();
	test_write_file(*dir, "catalog/defs.lua", text);
	fcat_catalog *c = NULL;
	if (fcat_catalog_load_dir(&c, *dir, "catalog") != 0)
		return NULL;
	return c;
}

/* Runs v's transform on n; returns the result, or -1 with the error. */
static int64_t run(const fcat_catalog *c, int64_t n, char *err, size_t size)
{
	const fcat__view *v = (const fcat__view *)c->objects[FCAT_OBJ_VIEW].items[0];
	static const char *const names[] = {"user_id", "ts", "n"};
	fcat_value in[] = {
	    {.type = {FCAT_STRING, false, 0}, .u.str = {"u1", 2}},
	    {.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = 0},
	    {.type = {FCAT_INT64, false, 0}, .u.i64 = n},
	};
	fcat_value out[1];
	fcat__tx *tx;
	fcat__sandbox_limits limits = {8u << 20, 100000};
	assert_int_equal(fcat__tx_new(&tx, &limits), 0);
	fcat__arena arena;
	fcat__arena_init(&arena, 0);
	int rc = fcat__tx_call(tx, &v->transform, names, in, 3, v->features, 1, out, &arena);
	snprintf(err, size, "%s", rc ? fcat_error_last() : "");
	fcat__arena_release(&arena);
	fcat__tx_free(tx);
	return rc ? -1 : out[0].u.i64;
}

static void test_catalog_cache__image_reads_back_and_transforms_run_from_source(void **state)
{
	(void)state;
	char *dir, err[1024];
	fcat_catalog *c = load(defs, &dir);
	assert_non_null(c);
	fcat__buf b = {0};
	fcat__cache_write(&b, c);
	assert_false(b.oom);
	fcat_catalog *back = NULL;
	char *blob = malloc(b.len);
	memcpy(blob, b.ptr, b.len);
	if (fcat__cache_read(&back, blob, b.len) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(run(back, 14, err, sizeof err), 42);
	/* errors keep the definition file's line numbers */
	assert_int_equal(run(back, -1, err, sizeof err), -1);
	assert_non_null(strstr(err, "catalog/defs.lua:7: negative n"));
	const fcat__view *v = (const fcat__view *)back->objects[FCAT_OBJ_VIEW].items[0];
	assert_string_equal(v->features[0].base.tags[0].value, "true");
	fcat_catalog_free(back);
	fcat_catalog_free(c);
	fcat__buf_free(&b);
	test_dir_done(dir);
}

static void test_catalog_cache__any_damaged_byte_or_truncation_is_refused(void **state)
{
	(void)state;
	char *dir;
	fcat_catalog *c = load(defs, &dir);
	assert_non_null(c);
	fcat__buf b = {0};
	fcat__cache_write(&b, c);
	/* every byte after the magic and version, flipped in turn: a changed
	 * tag or transform text must never be believed */
	for (size_t i = 12; i < b.len; i++) {
		char *blob = malloc(b.len);
		memcpy(blob, b.ptr, b.len);
		blob[i] ^= 0x20;
		fcat_catalog *back = NULL;
		int rc = fcat__cache_read(&back, blob, b.len);
		if (rc == 0)
			fail_msg("byte %zu changed and the image was believed", i);
		assert_non_null(strstr(fcat_error_last(), "damaged"));
	}
	char *blob = malloc(b.len - 1);
	memcpy(blob, b.ptr, b.len - 1);
	fcat_catalog *back = NULL;
	assert_int_not_equal(fcat__cache_read(&back, blob, b.len - 1), 0);
	fcat_catalog_free(c);
	fcat__buf_free(&b);
	test_dir_done(dir);
}

static void test_catalog_cache__transform_sharing_its_lines_is_refused(void **state)
{
	(void)state;
	char *dir;
	/* the word `function` comes earlier on the transform's first line: its
	 * text cannot be cut out on its own, so what would run is not what was
	 * defined */
	fcat_catalog *c =
	    load("entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	         "source { name = 's', path = 'd.csv', timestamp_field = 'ts',\n"
	         "  schema = { field('user_id', string), field('ts', timestamp) } }\n"
	         "feature_view { name = 'v', entities = { 'user' }, source = 's',\n"
	         "  schema = { field('a', int64) },\n"
	         "  description = 'a function', transform = function(row)\n"
	         "    return { a = 1 } end }\n",
	         &dir);
	assert_null(c);
	assert_non_null(strstr(fcat_error_last(), "catalog/defs.lua:6:"));
	assert_non_null(strstr(fcat_error_last(), "cannot cut the function of 'transform'"));
	fcat_catalog_free(c);
	test_dir_done(dir);
	/* one line of its own, or with its field name before it, is fine */
	c = load("entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	         "source { name = 's', path = 'd.csv', timestamp_field = 'ts',\n"
	         "  schema = { field('user_id', string), field('ts', timestamp) } }\n"
	         "feature_view { name = 'v', entities = { 'user' }, source = 's',\n"
	         "  schema = { field('a', int64) },\n"
	         "  transform = function(row) return { a = 1 } end }\n",
	         &dir);
	if (!c)
		fail_msg("%s", fcat_error_last());
	fcat_catalog_free(c);
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_cache__image_reads_back_and_transforms_run_from_source),
	    cmocka_unit_test(test_catalog_cache__any_damaged_byte_or_truncation_is_refused),
	    cmocka_unit_test(test_catalog_cache__transform_sharing_its_lines_is_refused),
	};
	return cmocka_run_group_tests_name("catalog_cache", tests, NULL, NULL);
}
