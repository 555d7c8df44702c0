/* plugin_host.h - what every plugin's entry does with the host table it is
 * handed: the check, by the version rule of fcat_plugin.h, and keeping it. */
#ifndef FCAT_PLUGIN_HOST_H
#define FCAT_PLUGIN_HOST_H

#include "fcat_plugin.h"

#include <stdbool.h>

/* True when `host` is one this plugin can work with: not NULL, of ABI
 * version FCAT_PLUGIN_ABI_MIN_VERSION or later (a newer core appends host
 * slots and keeps the older ones where they were), and holding every
 * version-2 slot. Otherwise sets the error, when the host can take one,
 * naming `plugin` and both versions, and returns false. */
bool fcatp_host_usable(const fcat_plugin_host *host, const char *plugin);

/* The body of a plugin's entry: when `host` is usable (named by
 * plugin->name), keeps it in *keep and returns `plugin`; otherwise NULL. */
const fcat_plugin *fcatp_enter(const fcat_plugin_host **keep, const fcat_plugin_host *host,
                               const fcat_plugin *plugin);

#endif
