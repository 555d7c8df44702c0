/* test_plugin_loader.c - core loads plugins built for its ABI version or an
 * older one it still serves, and refuses those it cannot use, with errors
 * naming the file and, for another ABI version, both versions. */
#include "testutil.h"

#include "plugin/loader.h"

#include <stdlib.h>
#include <string.h>

static void expect_refused(const char *name, fcat__plugin_role role, int code,
                           const char *const *needles)
{
	fcat__plugin p;
	int rc = fcat__plugin_load(&p, name, role);
	if (rc != code)
		fail_msg("%s: expected %d, got %d (%s)", name, code, rc, fcat_error_last());
	for (const char *const *n = needles; *n; n++)
		if (!strstr(fcat_error_last(), *n))
			fail_msg("%s: expected '%s' in: %s", name, *n, fcat_error_last());
	assert_null(p.dl);
}

static int setup(void **state)
{
	(void)state;
	setenv("FCAT_PLUGIN_PATH", FCAT_TEST_FIXTURE_DIR, 1);
	return 0;
}

static void test_plugin_loader__a_newer_abi_version_is_refused_naming_both_versions(void **state)
{
	(void)state;
	expect_refused("badabi", FCAT__PLUGIN_ONLINE, FCAT_EVERSION,
	               (const char *[]){FCAT_TEST_FIXTURE_DIR "/fcat_badabi.so",
	                                "plugin ABI version 46", "speaks version 5", NULL});
	/* one version ahead, and an online store in every other respect */
	expect_refused("newabi", FCAT__PLUGIN_ONLINE, FCAT_EVERSION,
	               (const char *[]){FCAT_TEST_FIXTURE_DIR "/fcat_newabi.so",
	                                "plugin ABI version 6, newer than this fcat",
	                                "speaks version 5", NULL});
}

static void test_plugin_loader__version_1_is_refused_as_too_old(void **state)
{
	(void)state;
	expect_refused("oneabi", FCAT__PLUGIN_ONLINE, FCAT_EVERSION,
	               (const char *[]){"fcat_oneabi.so", "plugin ABI version 1",
	                                "speaks version 5", "version 2 and later", NULL});
}

static void write_row(const fcat_online_ops *ops, void *h, const char *view, const char *key,
                      const char *row, int64_t ts)
{
	fcat_online_row r = {{key, strlen(key)}, {row, strlen(row)}, ts, ts};
	if (ops->write(h, view, &r, 1) != 0)
		fail_msg("write %s: %s", key, fcat_error_last());
}

static void test_plugin_loader__a_version_2_plugin_loads_and_reads_its_writes(void **state)
{
	(void)state;
	fcat__plugin p;
	if (fcat__plugin_load(&p, "oldabi", FCAT__PLUGIN_ONLINE) != 0)
		fail_msg("oldabi: %s", fcat_error_last());
	const fcat_online_ops *ops = p.api->online;
	assert_int_equal(p.api->abi_version, 2);
	/* its table ends where version 2's did */
	assert_int_equal(ops->size, offsetof(fcat_online_ops, drop_view) + sizeof(ops->drop_view));
	assert_false(FCAT_OPS_HAS(ops, drop_view));
	fcat_plugin_config config = {0};
	void *h = NULL;
	assert_int_equal(ops->open(&h, &config), 0);
	write_row(ops, h, "v", "k1", "first", 10);
	write_row(ops, h, "v", "k2", "second", 10);
	write_row(ops, h, "v", "k1", "newer", 11);
	write_row(ops, h, "v", "k2", "older", 9);
	fcat_bytes keys[3] = {{"k1", 2}, {"k2", 2}, {"k3", 2}}, out[3];
	assert_int_equal(ops->read(h, "v", keys, 3, out), 0);
	assert_int_equal(out[0].len, 5);
	assert_memory_equal(out[0].ptr, "newer", 5);
	assert_int_equal(out[1].len, 6);
	assert_memory_equal(out[1].ptr, "second", 6);
	assert_null(out[2].ptr);
	char buf[32];
	assert_int_equal(ops->meta_set(h, "progress", "42"), 0);
	assert_int_equal(ops->meta_get(h, "progress", buf, sizeof buf), 2);
	assert_string_equal(buf, "42");
	/* its errors reach core through host->error at its version-2 offset */
	assert_int_equal(ops->read(h, "", keys, 1, out), FCAT_EINVALID);
	assert_string_equal(fcat_error_last(), "abi_online: an empty view name");
	ops->close(h);
	fcat__plugin_unload(&p);
}

static void test_plugin_loader__host_slots_are_read_through_its_size(void **state)
{
	(void)state;
	const fcat_plugin_host *host = &fcat__plugin_host;
	assert_int_equal(host->size, sizeof(fcat_plugin_host));
	assert_true(FCAT_HOST_HAS(host, error_last));
	/* a version-2 host ends before `size`: its version-2 slots still count */
	fcat_plugin_host v2 = *host;
	v2.abi_version = 2;
	v2.size = 0;
	assert_true(FCAT_HOST_HAS(&v2, error));
	assert_true(FCAT_HOST_HAS(&v2, error_last));
	v2.error_last = NULL;
	assert_false(FCAT_HOST_HAS(&v2, error_last));
}

static void test_plugin_loader__an_ops_table_without_its_size_is_refused(void **state)
{
	(void)state;
	/* a table shorter than version 2's: reading its slots would run past it */
	expect_refused("shortops", FCAT__PLUGIN_ONLINE, FCAT_EVERSION,
	               (const char *[]){"fcat_shortops.so", "online ops table is 0 bytes",
	                                "FCAT_OPS_SIZE", NULL});
}

static void test_plugin_loader__a_library_without_the_entry_symbol_is_refused(void **state)
{
	(void)state;
	expect_refused(
	    "noentry", FCAT__PLUGIN_ONLINE, FCAT_EINVALID,
	    (const char *[]){"fcat_noentry.so is not an fcat plugin", "'fcat_plugin_entry'", NULL});
}

static void test_plugin_loader__missing_required_slots_are_named(void **state)
{
	(void)state;
	expect_refused(
	    "halfonline", FCAT__PLUGIN_ONLINE, FCAT_EINVALID,
	    (const char *[]){"fcat_halfonline.so", "lacks the required function 'write'", NULL});
	expect_refused("halfonline", FCAT__PLUGIN_OFFLINE, FCAT_EINVALID,
	               (const char *[]){"is not an offline store", NULL});
}

static void test_plugin_loader__a_plugin_may_refuse_the_host(void **state)
{
	(void)state;
	expect_refused(
	    "refuses", FCAT__PLUGIN_ONLINE, FCAT_EINVALID,
	    (const char *[]){"fcat_refuses.so refused to load", "needs a newer host", NULL});
}

static void test_plugin_loader__unknown_plugin_lists_where_it_looked(void **state)
{
	(void)state;
	expect_refused("nosuchplugin", FCAT__PLUGIN_ONLINE, FCAT_ENOTFOUND,
	               (const char *[]){"plugin 'nosuchplugin' not found", FCAT_TEST_FIXTURE_DIR,
	                                "FCAT_PLUGIN_PATH", NULL});
	expect_refused("../etc", FCAT__PLUGIN_ONLINE, FCAT_EINVALID,
	               (const char *[]){"bad plugin name", NULL});
}

static void test_plugin_loader__the_real_plugins_load(void **state)
{
	(void)state;
	const char *const online[] = {"lmdb", "sqlite", "redis"};
	for (size_t i = 0; i < 3; i++) {
		fcat__plugin p;
		if (fcat__plugin_load(&p, online[i], FCAT__PLUGIN_ONLINE) != 0)
			fail_msg("%s: %s", online[i], fcat_error_last());
		assert_string_equal(p.api->name, online[i]);
		fcat__plugin_unload(&p);
	}
	const char *const offline[] = {"csv", "sqlite", "postgres"};
	for (size_t i = 0; i < 3; i++) {
		fcat__plugin p;
		if (fcat__plugin_load(&p, offline[i], FCAT__PLUGIN_OFFLINE) != 0)
			fail_msg("%s: %s", offline[i], fcat_error_last());
		/* only postgres runs the join itself; the others leave it to core */
		assert_int_equal(FCAT_OPS_HAS(p.api->offline, pit_join), i == 2);
		fcat__plugin_unload(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        test_plugin_loader__a_newer_abi_version_is_refused_naming_both_versions),
	    cmocka_unit_test(test_plugin_loader__version_1_is_refused_as_too_old),
	    cmocka_unit_test(test_plugin_loader__a_version_2_plugin_loads_and_reads_its_writes),
	    cmocka_unit_test(test_plugin_loader__host_slots_are_read_through_its_size),
	    cmocka_unit_test(test_plugin_loader__an_ops_table_without_its_size_is_refused),
	    cmocka_unit_test(test_plugin_loader__a_library_without_the_entry_symbol_is_refused),
	    cmocka_unit_test(test_plugin_loader__missing_required_slots_are_named),
	    cmocka_unit_test(test_plugin_loader__a_plugin_may_refuse_the_host),
	    cmocka_unit_test(test_plugin_loader__unknown_plugin_lists_where_it_looked),
	    cmocka_unit_test(test_plugin_loader__the_real_plugins_load),
	};
	return cmocka_run_group_tests_name("plugin_loader", tests, setup, NULL);
}
