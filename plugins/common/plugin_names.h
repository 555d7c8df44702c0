/* plugin_names.h - checks of the names a plugin puts into SQL text: table
 * names ("events", "schema.events") and the characters of identifiers. */
#ifndef FCAT_PLUGIN_NAMES_H
#define FCAT_PLUGIN_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* A letter, a digit or '_'. */
bool fcatp_ident_char(char c);

/* "events" or "schema.events": 1 to max_len letters, digits and '_' around
 * one dot at most. */
bool fcatp_valid_table(const char *t, size_t max_len);

#endif
