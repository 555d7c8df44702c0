/* plugin_scan.h - checks of a scan request (fcat_scan_request) that every
 * offline plugin makes the same way. */
#ifndef FCAT_PLUGIN_SCAN_H
#define FCAT_PLUGIN_SCAN_H

#include "fcat_plugin.h"

/* When req->ts_column >= 0: that it is a requested column, read as a
 * timestamp. Returns 0, or FCAT_EUSAGE with host->error set to
 * "<plugin>: ts_column N is not a requested column" or "<source>: the event
 * timestamp column 'c' must be read as a timestamp". */
int fcatp_check_ts_column(const fcat_plugin_host *host, const fcat_scan_request *req,
                          const char *plugin, const char *source);

#endif
