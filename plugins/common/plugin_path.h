/* plugin_path.h - where a file store's data lives: its `path` setting,
 * relative to the feature repo unless absolute. */
#ifndef FCAT_PLUGIN_PATH_H
#define FCAT_PLUGIN_PATH_H

#include "fcat_plugin.h"

/* The setting `key` of config, or `fallback` when it is absent or empty
 * (or there is no config). */
const char *fcatp_setting_or(const fcat_plugin_config *config, const char *key,
                             const char *fallback);

/* `path` as a malloc'd string: as it is when absolute or without a repo
 * root, else under config->repo_root. NULL when out of memory. */
char *fcatp_repo_path(const fcat_plugin_config *config, const char *path);

#endif
