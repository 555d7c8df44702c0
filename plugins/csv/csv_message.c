/* csv_message.c - error messages that say where in the file a cell is. */
#include "csv_message.h"

#include <stdio.h>
#include <string.h>

/*
 * The plugin ABI has no way to read the host's last message back, so this
 * looks for libfcat's public fcat_error_last() in the process: a weak
 * reference, NULL when the process does not export it (then the message is
 * rebuilt below). A probe checks it reads the same thread-local message the
 * host's error function writes before trusting it.
 */
#pragma weak fcat_error_last

#define QUOTE_MAX 64 /* as the host cuts texts in messages */
#define PROBE     "\001csv-probe"

static const char *scalar_name(fcat_scalar s)
{
	static const char *const names[] = {
	    [FCAT_INVALID] = "invalid", [FCAT_INT32] = "int32",     [FCAT_INT64] = "int64",
	    [FCAT_FLOAT32] = "float32", [FCAT_FLOAT64] = "float64", [FCAT_STRING] = "string",
	    [FCAT_BYTES] = "bytes",     [FCAT_BOOL] = "bool",       [FCAT_TIMESTAMP] = "timestamp",
	};

	return (unsigned)s < sizeof names / sizeof *names ? names[s] : "invalid";
}

/* The host's message for text that does not parse, copied into buf. */
static void host_message(char *buf, size_t size, const fcat_plugin_host *host, fcat_type type,
                         const char *text, size_t len)
{
	if (fcat_error_last) {
		host->error(FCAT_EINVALID, "%s", PROBE);
		if (strcmp(fcat_error_last(), PROBE) == 0) {
			fcat_value v;

			if (host->value_parse(&v, type, text, len) != 0) {
				snprintf(buf, size, "%s", fcat_error_last());
				return;
			}
			host->value_clear(&v);
		}
	}

	char name[48];
	int shown = len > QUOTE_MAX ? QUOTE_MAX : (int)len;

	if (!type.is_array)
		snprintf(name, sizeof name, "%s", scalar_name(type.scalar));
	else if (type.dim)
		snprintf(name, sizeof name, "%s[%u]", scalar_name(type.scalar), (unsigned)type.dim);
	else
		snprintf(name, sizeof name, "%s[]", scalar_name(type.scalar));
	snprintf(buf, size, "not a valid %s: \"%.*s%s\"", name, shown, text,
	         len > QUOTE_MAX ? "..." : "");
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
