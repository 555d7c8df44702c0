/* csv_message.c - error messages that say where in the file a cell is. */
#include "csv_message.h"

#include <stdio.h>
#include <string.h>

/* The host's message for text that does not parse, copied into buf. */
static void host_message(char *buf, size_t size, const fcat_plugin_host *host, fcat_type type,
                         const char *text, size_t len)
{
	fcat_value v;

	if (host->value_parse(&v, type, text, len) != 0) {
		snprintf(buf, size, "%s", host->error_last());
		return;
	}
	host->value_clear(&v); /* the fast path refused what the host accepts */
	snprintf(buf, size, "a value the fast path could not read");
}

int csv_cell_error(const fcat_plugin_host *host, int code, const csv_where *where, fcat_type type,
                   const char *text, size_t len)
{
	char msg[1024];

	if (code == FCAT_ENOMEM)
		snprintf(msg, sizeof msg, "%s", "out of memory");
	else
		host_message(msg, sizeof msg, host, type, text, len);
	return host->error(code, "%s:%lld:%zu (%s): %s", where->file, (long long)where->line,
	                   where->field, where->column, msg);
}
