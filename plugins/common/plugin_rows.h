/* plugin_rows.h - the online stores' checks of an encoded row's fixed header
 * (FCAT_ROW_* in fcat_plugin.h) before a write. */
#ifndef FCAT_PLUGIN_ROWS_H
#define FCAT_PLUGIN_ROWS_H

#include "fcat_plugin.h"

#include <stdbool.h>
#include <stdint.h>

/* The little-endian int64 at p (8 bytes). */
int64_t fcatp_get_i64le(const char *p);

/* True when r->row holds a whole header that opens with FCAT_ROW_MAGIC and
 * whose times are r->event_ts and r->created_ts. */
bool fcatp_row_header_ok(const fcat_online_row *r);

#endif
