/* load.c - a policy set from its files: which file is what, YAML parsing,
 * then reading, checking and resolving the whole set. */
#include "policy/parse.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

fcat__policy_file_kind fcat__policy_file_kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, FCAT__POLICY_SIGNATURE) == 0)
		return FCAT__PF_SIGNATURE;
	if (!ends_with(base, ".yaml") && !ends_with(base, ".yml"))
		return FCAT__PF_OTHER;
	if (ends_with(base, "_test.yaml") || ends_with(base, "_test.yml"))
		return FCAT__PF_TEST;
	for (const char *p = path; (p = strstr(p, "tests/")) != NULL; p++)
		if (p == path || p[-1] == '/')
			return FCAT__PF_TEST;
	return FCAT__PF_POLICY;
}

void fcat__policy_free(fcat__policy *p)
{
	if (!p)
		return;
	fcat__policy_cache_free(p->cache);
	fcat__strmap_free(&p->by_principal);
	fcat__strmap_free(&p->by_group);
	fcat__strmap_free(&p->by_role);
	fcat__arena_release(&p->arena);
	free(p);
}

static size_t seq_len(const fcat__ynode *root, const char *key)
{
	const fcat__ynode *n = root->kind == FCAT_Y_MAP ? fcat__ymap_get(root, key) : NULL;
	return n && n->kind == FCAT_Y_SEQ ? n->len : 0;
}

/* Sizes the set's arrays for everything the trees could define. */
static int size_arrays(fcat__policy *p, fcat__ynode **trees, const fcat__policy_file_kind *kinds,
                       size_t n)
{
	size_t np = 0, ng = 0, nr = 0, nt = 0;
	for (size_t i = 0; i < n; i++) {
		if (!trees[i])
			continue;
		if (kinds[i] == FCAT__PF_TEST) {
			nt += seq_len(trees[i], "tests");
		} else {
			np += seq_len(trees[i], "principals");
			ng += seq_len(trees[i], "groups");
			nr += seq_len(trees[i], "roles");
		}
	}
	p->principals = fcat__arena_alloc(&p->arena, (np + 1) * sizeof *p->principals);
	p->groups = fcat__arena_alloc(&p->arena, (ng + 1) * sizeof *p->groups);
	p->roles = fcat__arena_alloc(&p->arena, (nr + 1) * sizeof *p->roles);
	p->tests = fcat__arena_alloc(&p->arena, (nt + 1) * sizeof *p->tests);
	if (!p->principals || !p->groups || !p->roles || !p->tests)
		return fcat__error_oom();
	return 0;
}

/* Parses every file's YAML; syntax errors are problems, not failures. */
static int parse_yaml(fcat__policy *p, fcat__ynode **trees, fcat__policy_file_kind *kinds,
                      const char **names, const fcat__def_file *files, size_t n, fcat__buf *errors,
                      int *problems)
{
	for (size_t i = 0; i < n; i++) {
		kinds[i] = fcat__policy_file_kind_of(files[i].path);
		if (kinds[i] != FCAT__PF_POLICY && kinds[i] != FCAT__PF_TEST)
			continue;
		names[i] = fcat__arena_strdup(&p->arena, files[i].path);
		if (!names[i])
			return fcat__error_oom();
		if (kinds[i] == FCAT__PF_POLICY)
			p->nfiles++;
		int rc = fcat__yaml_load(&trees[i], &p->arena, names[i],
		                         files[i].text ? files[i].text : "", files[i].len);
		if (rc == FCAT_EINVALID) {
			fcat__buf_printf(errors, "%s\n", fcat_error_last());
			(*problems)++;
			trees[i] = NULL;
		} else if (rc) {
			return rc;
		}
	}
	return 0;
}

static int build(fcat__policy *p, const fcat__def_file *files, size_t n, fcat__buf *errors)
{
	fcat__ynode **trees = calloc(n + 1, sizeof *trees);
	fcat__policy_file_kind *kinds = calloc(n + 1, sizeof *kinds);
	const char **names = calloc(n + 1, sizeof *names);
	int problems = 0, rc = 0;
	if (!trees || !kinds || !names)
		rc = fcat__error_oom();
	if (rc == 0)
		rc = parse_yaml(p, trees, kinds, names, files, n, errors, &problems);
	if (rc == 0)
		rc = size_arrays(p, trees, kinds, n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!trees[i])
			continue;
		fcat__policy_pctx c = {.p = p, .file = names[i], .errors = errors};
		if (kinds[i] == FCAT__PF_TEST)
			fcat__policy_parse_tests(&c, trees[i]);
		else
			fcat__policy_parse_defs(&c, trees[i]);
		problems += c.problems;
		if (c.oom)
			rc = fcat__error_oom();
	}
	/* Names are resolved only in a set whose files all read cleanly:
	 * otherwise a broken definition would show up again as unknown. */
	if (rc == 0 && problems == 0) {
		int got = fcat__policy_resolve(p, errors);
		if (got < 0)
			rc = got;
		else
			problems += got;
	}
	if (rc == 0 && errors->oom)
		rc = fcat__error_oom();
	if (rc == 0 && problems) {
		if (errors->len && errors->ptr[errors->len - 1] == '\n')
			errors->ptr[--errors->len] = '\0';
		rc = fcat__error_set(FCAT_EINVALID, errors->ptr);
	}
	free(trees);
	free(kinds);
	free(names);
	return rc;
}

int fcat__policy_load(fcat__policy **out, const fcat__def_file *files, size_t n)
{
	*out = NULL;
	fcat__policy *p = calloc(1, sizeof *p);
	if (!p)
		return fcat__error_oom();
	fcat__arena_init(&p->arena, 64 * 1024);
	p->cache = fcat__policy_cache_new();
	if (!p->cache) {
		fcat__policy_free(p);
		return fcat__error_oom();
	}
	fcat__buf errors = {0};
	int rc = build(p, files, n, &errors);
	fcat__buf_free(&errors);
	if (rc) {
		fcat__policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}
