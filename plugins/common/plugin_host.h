/* plugin_host.h - the check every plugin's entry makes of the host table it
 * is handed, by the version rule of fcat_plugin.h. */
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

#endif
