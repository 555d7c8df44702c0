/* plugin_types.c - fcat types written out for messages. */
#include "plugin_types.h"

#include <stdio.h>

void fcatp_type_name(char *buf, size_t size, fcat_type t)
{
	static const char *const names[] = {"invalid", "int32", "int64", "float32",  "float64",
	                                    "string",  "bytes", "bool",  "timestamp"};
	const char *n =
	    (unsigned)t.scalar < sizeof names / sizeof *names ? names[t.scalar] : "invalid";
	if (!t.is_array)
		snprintf(buf, size, "%s", n);
	else if (t.dim)
		snprintf(buf, size, "%s[%u]", n, (unsigned)t.dim);
	else
		snprintf(buf, size, "%s[]", n);
}
