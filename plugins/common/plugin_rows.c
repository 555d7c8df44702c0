/* plugin_rows.c - the online stores' checks of an encoded row's fixed header. */
#include "plugin_rows.h"

int64_t fcatp_get_i64le(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | u[i];
	return (int64_t)v;
}

bool fcatp_row_header_ok(const fcat_online_row *r)
{
	return r->row.ptr && r->row.len >= FCAT_ROW_HEADER_SIZE &&
	       (unsigned char)r->row.ptr[0] == FCAT_ROW_MAGIC &&
	       fcatp_get_i64le(r->row.ptr + FCAT_ROW_EVENT_TS_OFFSET) == r->event_ts &&
	       fcatp_get_i64le(r->row.ptr + FCAT_ROW_CREATED_TS_OFFSET) == r->created_ts;
}
