/* plugin_path.c - where a file store's data lives (see plugin_path.h). */
#include "plugin_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fcatp_setting_or(const fcat_plugin_config *config, const char *key,
                             const char *fallback)
{
	const char *v = config && config->get ? config->get(config, key) : NULL;
	return v && *v ? v : fallback;
}

char *fcatp_repo_path(const fcat_plugin_config *config, const char *path)
{
	char *out;
	if (path[0] == '/' || !config || !config->repo_root)
		out = strdup(path);
	else if (asprintf(&out, "%s/%s", config->repo_root, path) < 0)
		out = NULL;
	return out;
}
