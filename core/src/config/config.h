/* config.h - the parsed fcat.yaml (internal view of fcat_config). */
#ifndef FCAT_CONFIG_CONFIG_H
#define FCAT_CONFIG_CONFIG_H

#include "config/yaml_tree.h"
#include "util/arena.h"

#include "fcat.h"

typedef struct fcat__store_section {
	const char *plugin;
	const fcat__ynode *node; /* the whole section map, "plugin" included */
} fcat__store_section;

struct fcat_config {
	fcat__arena arena;
	const char *name; /* file name used in messages */
	const char *project;
	const char *catalog_dir;
	const char *policies_dir;
	fcat__store_section stores[2];   /* by fcat_store_role */
	const char *trusted_keys;        /* policy.trusted_keys: PEM public keys, or NULL */
	const char *audit_log;           /* policy.audit_log: JSON lines, or NULL */
	size_t transform_memory;         /* bytes per Lua state */
	uint64_t transform_instructions; /* per call */
	const fcat__ynode *server;       /* the checked server: section, or NULL */
};

#endif
