/* plugin_host.c - the check every plugin's entry makes of the host table. */
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
