/* plugin_types.h - fcat types written out for messages ("int64", "float32[4]"). */
#ifndef FCAT_PLUGIN_TYPES_H
#define FCAT_PLUGIN_TYPES_H

#include "fcat_plugin.h"

#include <stddef.h>

/* The name of `t` into buf: "int64", "float32[4]", "string[]". */
void fcatp_type_name(char *buf, size_t size, fcat_type t);

#endif
