/* parse.h - what the policy loader's files share: reading one parsed YAML
 * file into the policy set, and resolving names across files. */
#ifndef FCAT_POLICY_PARSE_H
#define FCAT_POLICY_PARSE_H

#include "config/yaml_tree.h"
#include "policy/policy.h"

/* Reading one file. Arrays of the set were sized beforehand (load.c). */
typedef struct fcat__policy_pctx {
	fcat__policy *p;
	const char *file; /* in the set's arena */
	fcat__buf *errors;
	int problems;
	bool oom;
} fcat__policy_pctx;

/* Appends "FILE:LINE:COL: message" to the errors and counts it. */
void fcat__policy_problem(fcat__policy_pctx *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A definition file's principals, groups and roles (parse.c). */
void fcat__policy_parse_defs(fcat__policy_pctx *c, const fcat__ynode *root);

/* A test file's cases (parse_tests.c). */
void fcat__policy_parse_tests(fcat__policy_pctx *c, const fcat__ynode *root);

/* Helpers shared by both readers (parse.c). */
const char *fcat__policy_scalar(fcat__policy_pctx *c, const fcat__ynode *n, const char *what);
bool fcat__policy_keys_ok(fcat__policy_pctx *c, const fcat__ynode *map, const char *what,
                          const char *const *allowed);
/* A map of tag -> value into an arena array; false after a problem. */
bool fcat__policy_tag_map(fcat__policy_pctx *c, const fcat__ynode *n, const char *what,
                          fcat__tag **out, size_t *count);

/* Resolves the names of the whole set and computes each principal's
 * grants (resolve_grants.c). Returns the number of problems, or FCAT_ENOMEM. */
int fcat__policy_resolve(fcat__policy *p, fcat__buf *errors);

#endif
