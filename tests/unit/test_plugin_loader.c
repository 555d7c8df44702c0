/* test_plugin_loader.c - core refuses plugins it cannot use, with errors
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

static void test_plugin_loader__another_abi_version_names_both_versions(void **state)
{
	(void)state;
	expect_refused("badabi", FCAT__PLUGIN_ONLINE, FCAT_EVERSION,
	               (const char *[]){FCAT_TEST_FIXTURE_DIR "/fcat_badabi.so",
	                                "plugin ABI version 43", "speaks version 2", NULL});
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
	    cmocka_unit_test(test_plugin_loader__another_abi_version_names_both_versions),
	    cmocka_unit_test(test_plugin_loader__an_ops_table_without_its_size_is_refused),
	    cmocka_unit_test(test_plugin_loader__a_library_without_the_entry_symbol_is_refused),
	    cmocka_unit_test(test_plugin_loader__missing_required_slots_are_named),
	    cmocka_unit_test(test_plugin_loader__a_plugin_may_refuse_the_host),
	    cmocka_unit_test(test_plugin_loader__unknown_plugin_lists_where_it_looked),
	    cmocka_unit_test(test_plugin_loader__the_real_plugins_load),
	};
	return cmocka_run_group_tests_name("plugin_loader", tests, setup, NULL);
}
