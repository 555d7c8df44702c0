/* plugin_host.c - what every plugin's entry does with the host table. */
#include "plugin_host.h"

bool fcatp_host_usable(const fcat_plugin_host *host, const char *plugin)
{
	if (!host)
		return false;
	if (host->abi_version >= FCAT_PLUGIN_ABI_MIN_VERSION && host->error && host->value_parse &&
	    host->value_clear && host->timestamp_parse && host->error_last)
		return true;
	if (host->error)
		host->error(FCAT_EVERSION,
		            "%s: built for plugin ABI version %u, works with hosts of version %u "
		            "and later; this host speaks version %u",
		            plugin, FCAT_PLUGIN_ABI_VERSION, FCAT_PLUGIN_ABI_MIN_VERSION,
		            host->abi_version);
	return false;
}

const fcat_plugin *fcatp_enter(const fcat_plugin_host **keep, const fcat_plugin_host *host,
                               const fcat_plugin *plugin)
{
	if (!fcatp_host_usable(host, plugin->name))
		return NULL;
	*keep = host;
	return plugin;
}
