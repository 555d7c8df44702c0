/* yaml_tree.h - a YAML document loaded into a small tree that remembers the
 * line and column of every node, for messages that say where. */
#ifndef FCAT_CONFIG_YAML_TREE_H
#define FCAT_CONFIG_YAML_TREE_H

#include "util/arena.h"

#include <stddef.h>

typedef enum fcat__ykind {
	FCAT_Y_SCALAR,
	FCAT_Y_MAP,
	FCAT_Y_SEQ,
} fcat__ykind;

typedef struct fcat__ynode fcat__ynode;
struct fcat__ynode {
	fcat__ykind kind;
	int line, col;       /* 1-based */
	const char *scalar;  /* FCAT_Y_SCALAR: the text */
	size_t len;          /* map: pairs; seq: items */
	fcat__ynode **keys;  /* map: key nodes (scalars) */
	fcat__ynode **items; /* map: values; seq: items */
};

/* Parses one YAML document. An empty document gives an empty map. Aliases
 * are resolved (copied where used, up to 16 times the document's own values
 * and 10000 more: a nested "alias bomb" is an error, not an allocation of
 * gigabytes); a map key that is not a scalar or appears twice is an error.
 * All memory comes from `arena`. Returns 0 or FCAT_EINVALID with a message
 * "NAME:LINE:COL: problem". */
int fcat__yaml_load(fcat__ynode **out, fcat__arena *arena, const char *name, const char *text,
                    size_t len);

/* The value under a key of a map node, or NULL. */
const fcat__ynode *fcat__ymap_get(const fcat__ynode *map, const char *key);

/* "a map", "a list", "a scalar". */
const char *fcat__ykind_name(fcat__ykind kind);

#endif
