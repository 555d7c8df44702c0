/* plugin_names.c - checks of table names and identifier characters. */
#include "plugin_names.h"

#include <string.h>

bool fcatp_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

bool fcatp_valid_table(const char *t, size_t max_len)
{
	size_t len = strlen(t), dots = 0;
	if (len == 0 || len > max_len || t[0] == '.' || t[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (t[i] == '.')
			dots++;
		else if (!fcatp_ident_char(t[i]))
			return false;
	}
	return dots <= 1 && !strstr(t, "..");
}
