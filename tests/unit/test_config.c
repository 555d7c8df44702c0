/* test_config.c - fcat.yaml parsing: defaults (as README.md states them),
 * store sections handed on untouched, the server section's schema, and
 * errors that name file:line:column. */
#include "testutil.h"

#include "config/defaults.h"
#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fcat_config *parse_ok(const char *text)
{
	fcat_config *c = NULL;
	int rc = fcat_config_parse(&c, "fcat.yaml", text, strlen(text));
	if (rc)
		fail_msg("unexpected error: %s", fcat_error_last());
	return c;
}

static void expect_error(const char *text, const char *message)
{
	fcat_config *c = (fcat_config *)1;
	assert_int_equal(fcat_config_parse(&c, "fcat.yaml", text, strlen(text)), FCAT_EINVALID);
	assert_null(c);
	if (!strstr(fcat_error_last(), message))
		fail_msg("expected '%s' in: %s", message, fcat_error_last());
}

static void test_config__minimal_file_gets_embedded_store_defaults(void **state)
{
	(void)state;
	fcat_config *c = parse_ok("project: demo\n");
	assert_string_equal(fcat_config_project(c), "demo");
	assert_string_equal(fcat_config_catalog_dir(c), "catalog");
	assert_string_equal(fcat_config_policies_dir(c), "policies");
	assert_string_equal(fcat_config_store_plugin(c, FCAT_ONLINE_STORE), "lmdb");
	assert_string_equal(fcat_config_store_plugin(c, FCAT_OFFLINE_STORE), "sqlite");
	assert_string_equal(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "path"),
	                    "data/online.lmdb");
	fcat_config_free(c);
}

static void test_config__the_readme_states_the_defaults_table(void **state)
{
	(void)state;
	char *readme = test_read_file(FCAT_SOURCE_DIR "/README.md");
	assert_non_null(readme);
	for (char *p = readme; *p; p++) /* sentences may wrap anywhere */
		if (*p == '\n')
			*p = ' ';
	const fcat__default *on = fcat__default_get(FCAT__DEFAULT_ONLINE);
	const fcat__default *off = fcat__default_get(FCAT__DEFAULT_OFFLINE);
	const fcat__default *files = fcat__default_get(FCAT__DEFAULT_FILES);
	char want[3][256];
	snprintf(want[0], sizeof want[0], "an absent `online_store` is `%s` at `%s`", on->plugin,
	         on->path);
	snprintf(want[1], sizeof want[1], "an absent `offline_store` is `%s` at `%s`", off->plugin,
	         off->path);
	snprintf(want[2], sizeof want[2], "a `path` ending in `%s`) are read by the `%s` plugin",
	         files->suffix, files->plugin);
	int missing = -1;
	for (int i = 0; i < 3; i++)
		if (!strstr(readme, want[i]))
			missing = i;
	free(readme);
	if (missing >= 0)
		fail_msg("README.md does not say: %s", want[missing]);
	/* and a file without store sections gets them */
	fcat_config *c = parse_ok("project: demo\n");
	assert_string_equal(fcat_config_store_plugin(c, FCAT_ONLINE_STORE), on->plugin);
	assert_string_equal(fcat_config_store_setting(c, FCAT_OFFLINE_STORE, "path"), off->path);
	fcat_config_free(c);
}

static void test_config__store_sections_are_handed_on_untouched(void **state)
{
	(void)state;
	fcat_config *c = parse_ok("project: demo\n"
	                          "online_store:\n"
	                          "  plugin: redis\n"
	                          "  url: redis://127.0.0.1:6379/0\n"
	                          "  tls:\n"
	                          "    ca_file: /etc/ca.pem\n"
	                          "  cluster_nodes: [a, b]\n"
	                          "offline_store:\n"
	                          "  plugin: postgres\n"
	                          "  dsn: host=127.0.0.1\n");
	assert_string_equal(fcat_config_store_plugin(c, FCAT_ONLINE_STORE), "redis");
	assert_string_equal(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "url"),
	                    "redis://127.0.0.1:6379/0");
	assert_string_equal(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "tls.ca_file"),
	                    "/etc/ca.pem");
	assert_null(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "cluster_nodes"));
	/* a list's items by their index, from 0 */
	assert_string_equal(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "cluster_nodes.0"),
	                    "a");
	assert_string_equal(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "cluster_nodes.1"),
	                    "b");
	assert_null(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "cluster_nodes.2"));
	assert_null(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "cluster_nodes.-1"));
	assert_null(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "cluster_nodes.1x"));
	assert_null(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "cluster_nodes.x"));
	assert_null(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "url.0"));
	assert_null(fcat_config_store_setting(c, FCAT_ONLINE_STORE, "nope"));
	assert_string_equal(fcat_config_store_setting(c, FCAT_OFFLINE_STORE, "dsn"),
	                    "host=127.0.0.1");
	char *json;
	assert_int_equal(fcat_config_store_json(&json, c, FCAT_ONLINE_STORE), 0);
	assert_string_equal(
	    json, "{\"plugin\":\"redis\",\"url\":\"redis://127.0.0.1:6379/0\","
	          "\"tls\":{\"ca_file\":\"/etc/ca.pem\"},\"cluster_nodes\":[\"a\",\"b\"]}");
	fcat_free(json);
	fcat_config_free(c);
}

static void test_config__unknown_key_names_line_and_column(void **state)
{
	(void)state;
	expect_error("project: demo\n  \nonlne_store:\n  plugin: lmdb\n",
	             "fcat.yaml:3:1: unknown key 'onlne_store'");
}

static void test_config__missing_project_is_an_error(void **state)
{
	(void)state;
	expect_error("catalog: defs\n", "fcat.yaml:1:1: missing required key 'project'");
}

static void test_config__wrong_types_name_the_key(void **state)
{
	(void)state;
	expect_error("project: [a, b]\n", "fcat.yaml:1:10: 'project' must be a single value");
	expect_error("project: demo\nonline_store: lmdb\n",
	             "fcat.yaml:2:15: 'online_store' must be a map");
	expect_error("project: demo\noffline_store:\n  path: x.db\n",
	             "fcat.yaml:3:3: 'offline_store' needs a 'plugin' key");
	expect_error("project: demo\ncatalog:\n  a: b\n", "'catalog' must be a single value");
	expect_error("project: demo\ncatalog: ../elsewhere\n",
	             "fcat.yaml:2:10: 'catalog' must be a path inside the repo");
	expect_error("project: my project\n", "project name 'my project' may hold only");
}

static void test_config__yaml_syntax_error_names_the_place(void **state)
{
	(void)state;
	expect_error("project: demo\nonline_store:\n  plugin: [lmdb\n", "fcat.yaml:4:");
	expect_error("project: demo\nproject: again\n",
	             "fcat.yaml:2:1: key 'project' appears twice");
	expect_error("- a\n- b\n", "the top level must be a map");
}

/* `first`, then nine levels of ten aliases: 10^9 values from 450 bytes. */
static const char *alias_bomb(const char *first)
{
	static char text[1024];
	int n = snprintf(text, sizeof text, "%sa0: &a0 [x, x, x, x, x, x, x, x, x, x]\n", first);
	for (int i = 1; i < 9; i++) {
		n += snprintf(text + n, sizeof text - (size_t)n, "a%d: &a%d [", i, i);
		for (int k = 0; k < 10; k++)
			n += snprintf(text + n, sizeof text - (size_t)n, "%s*a%d", k ? ", " : "",
			              i - 1);
		n += snprintf(text + n, sizeof text - (size_t)n, "]\n");
	}
	return text;
}

/* Found reading config/yaml_tree.c for fuzz_config, and confirmed there (441
 * bytes ran the target out of its 2 GB): aliases were copied wherever used
 * without a bound. Reuse of an anchor still works. */
static void test_config__an_alias_bomb_is_refused_not_expanded(void **state)
{
	(void)state;
	expect_error(alias_bomb("project: demo\n"), "aliases expand the document to more than");
	fcat_config *c = parse_ok("project: demo\nonline_store: &s {plugin: lmdb, path: a}\n"
	                          "offline_store: *s\n");
	assert_string_equal(fcat_config_store_plugin(c, FCAT_OFFLINE_STORE), "lmdb");
	fcat_config_free(c);
}

static void test_config__load_reports_a_missing_file(void **state)
{
	(void)state;
	fcat_config *c;
	assert_fails_with(fcat_config_load(&c, "/nonexistent/fcat.yaml"), FCAT_ENOTFOUND,
	                  "/nonexistent/fcat.yaml");
}

static void test_config__server_section_is_read_as_written(void **state)
{
	(void)state;
	fcat_config *c = parse_ok("project: demo\n"
	                          "server:\n"
	                          "  host: 0.0.0.0\n"
	                          "  port: 8080\n"
	                          "  threads: 4\n"
	                          "  max_body: 1048576\n"
	                          "  timeout: 10\n"
	                          "  access_log: data/access.log\n"
	                          "  token_secret_file: /etc/fcat/secret\n"
	                          "  token_public_key: /etc/fcat/key.pem\n"
	                          "  reload_check: 0\n"
	                          "  cors: { allow_origin: \"https://app.example\" }\n");
	static const char *const want[][2] = {{"host", "0.0.0.0"},
	                                      {"port", "8080"},
	                                      {"threads", "4"},
	                                      {"max_body", "1048576"},
	                                      {"timeout", "10"},
	                                      {"access_log", "data/access.log"},
	                                      {"token_secret_file", "/etc/fcat/secret"},
	                                      {"token_public_key", "/etc/fcat/key.pem"},
	                                      {"reload_check", "0"},
	                                      {"cors.allow_origin", "https://app.example"}};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		assert_string_equal(fcat_config_server_setting(c, want[i][0]), want[i][1]);
	assert_null(fcat_config_server_setting(c, "cors"));
	assert_null(fcat_config_server_setting(c, NULL));
	fcat_config_free(c);
	/* absent: every setting is NULL (the command's defaults apply) */
	c = parse_ok("project: demo\n");
	assert_null(fcat_config_server_setting(c, "port"));
	assert_null(fcat_config_server_setting(c, "cors.allow_origin"));
	fcat_config_free(c);
}

static void test_config__server_section_refuses_what_it_does_not_know(void **state)
{
	(void)state;
	expect_error("project: demo\nserver:\n  port: 6566\n  prot: 1\n",
	             "fcat.yaml:4:3: unknown key 'prot' in 'server'");
	expect_error("project: demo\nserver:\n  cors:\n    allow_origins: '*'\n",
	             "fcat.yaml:4:5: unknown key 'allow_origins' in 'server.cors'");
	expect_error("project: demo\nserver: 6566\n", "fcat.yaml:2:9: 'server' must be a map");
	expect_error("project: demo\nserver:\n  cors: '*'\n",
	             "fcat.yaml:3:9: 'server.cors' must be a map");
	expect_error("project: demo\nserver:\n  port: http\n",
	             "fcat.yaml:3:9: 'server.port' must be a whole number from 1 to 65535, not "
	             "'http'");
	expect_error("project: demo\nserver:\n  port: 65536\n",
	             "fcat.yaml:3:9: 'server.port' must be a whole number from 1 to 65535");
	expect_error("project: demo\nserver:\n  threads: 0\n",
	             "'server.threads' must be a whole number from 1 to 1024");
	expect_error("project: demo\nserver:\n  timeout: -5\n",
	             "'server.timeout' must be a whole number from 1 to 86400");
	expect_error("project: demo\nserver:\n  max_body: [1]\n",
	             "fcat.yaml:3:13: 'server.max_body' must be a whole number from 1 to "
	             "4294967296, not a list");
	expect_error("project: demo\nserver:\n  reload_check: 1.5\n",
	             "'server.reload_check' must be a whole number from 0 to 86400");
	expect_error("project: demo\nserver:\n  host: [a]\n",
	             "fcat.yaml:3:9: 'server.host' must be a single value");
	expect_error("project: demo\nserver:\n  access_log: ''\n",
	             "fcat.yaml:3:15: 'server.access_log' must not be empty");
	expect_error("project: demo\nserver:\n  cors: { allow_origin: {a: b} }\n",
	             "'server.cors.allow_origin' must be a single value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config__minimal_file_gets_embedded_store_defaults),
	    cmocka_unit_test(test_config__the_readme_states_the_defaults_table),
	    cmocka_unit_test(test_config__store_sections_are_handed_on_untouched),
	    cmocka_unit_test(test_config__unknown_key_names_line_and_column),
	    cmocka_unit_test(test_config__missing_project_is_an_error),
	    cmocka_unit_test(test_config__wrong_types_name_the_key),
	    cmocka_unit_test(test_config__yaml_syntax_error_names_the_place),
	    cmocka_unit_test(test_config__an_alias_bomb_is_refused_not_expanded),
	    cmocka_unit_test(test_config__load_reports_a_missing_file),
	    cmocka_unit_test(test_config__server_section_is_read_as_written),
	    cmocka_unit_test(test_config__server_section_refuses_what_it_does_not_know),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
