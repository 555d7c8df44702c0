/* defaults.c - the one table of the backends fcat uses when fcat.yaml names
 * none (see defaults.h; README.md's fcat.yaml section says the same). */
#include "config/defaults.h"

#include <stddef.h>

static const fcat__default defaults[] = {
    [FCAT__DEFAULT_ONLINE] = {"lmdb", "data/online.lmdb", NULL},
    [FCAT__DEFAULT_OFFLINE] = {"sqlite", "data/offline.db", NULL},
    [FCAT__DEFAULT_FILES] = {"csv", NULL, ".csv"},
};

const fcat__default *fcat__default_get(fcat__default_kind kind)
{
	return &defaults[kind];
}
