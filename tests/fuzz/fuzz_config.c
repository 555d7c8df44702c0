/* fuzz_config.c - fuzzes fcat.yaml: fcat_config_parse (libyaml, the node
 * tree of config/yaml_tree.c and every key check of config/config.c), then
 * every reader of a parsed configuration.
 *
 * Input: the text of an fcat.yaml.
 * Properties: no crash, UB or leak; a refusal is FCAT_EINVALID (or
 * FCAT_ENOMEM) with a message that names fcat.yaml; a parsed configuration
 * has a project and both store plugins, and each store section reads back as
 * a JSON object holding its plugin. */
#include "fuzz_util.h"

#include "fcat.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const store_keys[] = {"plugin", "path", "pushdown", "url", "a.b", NULL};
static const char *const server_keys[] = {"host",
                                          "port",
                                          "threads",
                                          "max_body",
                                          "timeout",
                                          "cors",
                                          "access_log",
                                          "token_secret_file",
                                          "token_public_key",
                                          "reload_check",
                                          "cors.allow_origin",
                                          "",
                                          "a.b.c",
                                          NULL};

static void read_store(const fcat_config *c, fcat_store_role role)
{
	const char *plugin = fcat_config_store_plugin(c, role);
	fuzz_check(plugin && *plugin, "a store without a plugin");
	for (const char *const *k = store_keys; *k; k++)
		(void)fcat_config_store_setting(c, role, *k);
	char *text = NULL;
	if (fcat_config_store_json(&text, c, role) != 0)
		return;
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	fuzz_check(json_is_object(j), "store JSON is not an object: %s", text);
	fuzz_check(json_is_string(json_object_get(j, "plugin")), "no plugin in %s", text);
	json_decref(j);
	fcat_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact copy, so that reading past its end is caught */
	char *text = fuzz_strndup((const char *)data, size);
	fcat_config *c = NULL;
	int rc = fcat_config_parse(&c, "fcat.yaml", text, size);
	if (rc != 0) {
		fuzz_check(c == NULL, "a refused configuration was returned");
		fuzz_check(rc == FCAT_EINVALID || rc == FCAT_ENOMEM, "unexpected code %d", rc);
		fuzz_check(rc != FCAT_EINVALID || strncmp(fcat_error_last(), "fcat.yaml:", 10) == 0,
		           "the message does not name the file: %s", fcat_error_last());
	} else {
		fuzz_check(fcat_config_project(c)[0] != '\0', "an empty project name");
		fuzz_check(fcat_config_catalog_dir(c) && fcat_config_policies_dir(c),
		           "no catalog or policies directory");
		read_store(c, FCAT_ONLINE_STORE);
		read_store(c, FCAT_OFFLINE_STORE);
		for (const char *const *k = server_keys; *k; k++)
			(void)fcat_config_server_setting(c, *k);
	}
	fcat_config_free(c);
	free(text);
	return 0;
}
