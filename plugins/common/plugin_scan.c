/* plugin_scan.c - checks of a scan request every offline plugin makes. */
#include "plugin_scan.h"

int fcatp_check_ts_column(const fcat_plugin_host *host, const fcat_scan_request *req,
                          const char *plugin, const char *source)
{
	if (req->ts_column < 0)
		return 0;
	if ((size_t)req->ts_column >= req->ncolumns)
		return host->error(FCAT_EUSAGE, "%s: ts_column %d is not a requested column",
		                   plugin, req->ts_column);
	fcat_type t = req->types[req->ts_column];
	if (t.scalar != FCAT_TIMESTAMP || t.is_array)
		return host->error(
		    FCAT_EUSAGE, "%s: the event timestamp column '%s' must be read as a timestamp",
		    source, req->columns[req->ts_column]);
	return 0;
}
