/* repo_template.h - the demo feature repo embedded at build time, written
 * by `fcat init` (see tools/cmake/embed_template.cmake). */
#ifndef FCAT_CLI_REPO_TEMPLATE_H
#define FCAT_CLI_REPO_TEMPLATE_H

#include <stddef.h>

typedef struct fcat_template_file {
	const char *path; /* relative to the repo root; NULL ends the table */
	const char *data;
	size_t len;
} fcat_template_file;

extern const fcat_template_file fcat_repo_template[];

#endif
