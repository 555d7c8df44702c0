/* types.c - names of scalar and array types, and their parsing. */
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const scalar_names[] = {
    [FCAT_INVALID] = "invalid", [FCAT_INT32] = "int32",     [FCAT_INT64] = "int64",
    [FCAT_FLOAT32] = "float32", [FCAT_FLOAT64] = "float64", [FCAT_STRING] = "string",
    [FCAT_BYTES] = "bytes",     [FCAT_BOOL] = "bool",       [FCAT_TIMESTAMP] = "timestamp",
};

const char *fcat_scalar_name(fcat_scalar scalar)
{
	if ((unsigned)scalar >= sizeof scalar_names / sizeof *scalar_names)
		return "invalid";
	return scalar_names[scalar];
}

int fcat_type_format(char *buf, size_t size, fcat_type type)
{
	const char *name = fcat_scalar_name(type.scalar);
	if (!type.is_array)
		return snprintf(buf, size, "%s", name);
	if (type.dim)
		return snprintf(buf, size, "%s[%u]", name, (unsigned)type.dim);
	return snprintf(buf, size, "%s[]", name);
}

bool fcat_type_equal(fcat_type a, fcat_type b)
{
	return a.scalar == b.scalar && a.is_array == b.is_array && (!a.is_array || a.dim == b.dim);
}

int fcat_type_parse(fcat_type *out, const char *name)
{
	*out = (fcat_type){0};
	size_t n = strcspn(name, "[");
	for (int s = FCAT_INT32; s <= FCAT_TIMESTAMP; s++) {
		if (strlen(scalar_names[s]) != n || strncmp(name, scalar_names[s], n) != 0)
			continue;
		if (name[n] == '\0') {
			out->scalar = (fcat_scalar)s;
			return 0;
		}
		const char *p = name + n + 1;
		char *end = (char *)p;
		unsigned long dim = 0;
		if (*p != ']') {
			if (*p < '1' || *p > '9')
				break;
			dim = strtoul(p, &end, 10);
			if (dim > UINT32_MAX)
				break;
		}
		if (end[0] != ']' || end[1] != '\0')
			break;
		out->scalar = (fcat_scalar)s;
		out->is_array = true;
		out->dim = (uint32_t)dim;
		return 0;
	}
	return fcat__error(FCAT_EINVALID,
	                   "unknown type '%s' (expected int32, int64, float32, float64, "
	                   "string, bytes, bool, timestamp, or TYPE[] / TYPE[N])",
	                   name);
}
