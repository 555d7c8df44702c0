/* defaults.h - the one table of the backends fcat uses when fcat.yaml names
 * none: the embedded stores and the reader of file sources. Core names a
 * plugin nowhere else; README.md's fcat.yaml section lists these. */
#ifndef FCAT_CONFIG_DEFAULTS_H
#define FCAT_CONFIG_DEFAULTS_H

/* What a default is for. */
typedef enum fcat__default_kind {
	FCAT__DEFAULT_ONLINE = 0,  /* online_store when the section is absent */
	FCAT__DEFAULT_OFFLINE = 1, /* offline_store when the section is absent */
	FCAT__DEFAULT_FILES = 2,   /* the offline plugin that reads `path = ...` sources */
} fcat__default_kind;

typedef struct fcat__default {
	const char *plugin; /* the plugin's name */
	/* ONLINE, OFFLINE: the `path` setting of the section it stands for,
	 * relative to the repo. FILES: NULL (the source gives the path). */
	const char *path;
	/* FILES: the file name ending it reads (".csv", any case); else NULL. */
	const char *suffix;
} fcat__default;

/* The default of `kind`; static, never NULL. */
const fcat__default *fcat__default_get(fcat__default_kind kind);

#endif
