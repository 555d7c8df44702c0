/* json_load.c - reading JSON text with jansson, with errors that say where. */
#include "json/json_value.h"
#include "util/error.h"

const char *fcat__json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "real";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "null";
	}
}

int fcat__json_load(json_t **out, const char *text, size_t len, bool any, const char *what)
{
	json_error_t err;
	*out = NULL;
	if (!text)
		return fcat__error(FCAT_EUSAGE, "%s: NULL text", what);
	/* duplicate keys would make "which column is it" ambiguous; strings
	 * may hold NUL, as fcat's strings and bytes do (jansson still refuses
	 * it in object keys) */
	size_t flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | (any ? JSON_DECODE_ANY : 0);
	*out = json_loadb(text, len, flags, &err);
	if (*out)
		return 0;
	if (json_error_code(&err) == json_error_out_of_memory)
		return fcat__error_oom();
	return fcat__error(FCAT_EINVALID, "%s: not valid JSON: %s (line %d, column %d)", what,
	                   err.text, err.line, err.column);
}
