/* policy_load.c - which policies decide: the applied version's, read with
 * the settings (policies, policy.trusted_keys, policy.audit_log) of fcat.yaml
 * as committed in the applied commit. The work tree's fcat.yaml and policy
 * files never decide; they are only checked, explained and tested. */
#include "store/access.h"

#include "store/audit.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int append(fcat__def_file **all, size_t *n, fcat__def_file *more, size_t m)
{
	if (!m) {
		free(more);
		return 0;
	}
	fcat__def_file *p = realloc(*all, (*n + m) * sizeof *p);
	if (!p) {
		fcat__def_files_free(more, m);
		return fcat__error_oom();
	}
	memcpy(p + *n, more, m * sizeof *p);
	free(more);
	*all = p;
	*n += m;
	return 0;
}

static const char *const suffixes[] = {".yaml", ".yml", "SIGNATURE"};

static int read_worktree(fcat__def_file **all, size_t *n, const char *root, const char *dir)
{
	char *full = fcat__path_join(root, dir);
	if (!full)
		return fcat__error_oom();
	int rc = 0;
	for (size_t k = 0; k < 3 && rc == 0; k++) {
		char **names;
		size_t m;
		rc = fcat__list_files(&names, &m, full, suffixes[k]);
		if (rc == FCAT_ENOTFOUND) {
			rc = 0;
			fcat__error_clear();
			break; /* no policies directory: no policies */
		}
		fcat__def_file *more = rc ? NULL : calloc(m + 1, sizeof *more);
		if (!rc && !more)
			rc = fcat__error_oom();
		for (size_t i = 0; rc == 0 && i < m; i++) {
			more[i].path = fcat__path_join(dir, names[i]);
			char *path = more[i].path ? fcat__path_join(root, more[i].path) : NULL;
			rc = path ? fcat__read_file(&more[i].text, &more[i].len, path)
			          : fcat__error_oom();
			free(path);
		}
		if (!rc)
			rc = append(all, n, more, m);
		else if (more)
			fcat__def_files_free(more, m);
		fcat__strv_free(names);
	}
	free(full);
	return rc;
}

static int read_commit(fcat__def_file **all, size_t *n, fcat__git *g, const git_oid *commit,
                       const char *dir)
{
	int rc = 0;
	for (size_t k = 0; k < 3 && rc == 0; k++) {
		fcat__def_file *more;
		size_t m;
		rc = fcat__git_read_dir(g, commit, dir, suffixes[k], &more, &m);
		if (rc == 0)
			rc = append(all, n, more, m);
	}
	return rc;
}

/* Fail closed: unsigned or changed policies do not load. */
static int verify(const fcat__def_file *files, size_t n, const fcat_config *c, const char *what)
{
	const char *dir = fcat_config_policies_dir(c);
	const fcat__def_file *sig = NULL;
	for (size_t i = 0; i < n; i++)
		if (fcat__policy_file_kind_of(files[i].path) == FCAT__PF_SIGNATURE)
			sig = &files[i];
	char signame[4096];
	snprintf(signame, sizeof signame, "%s/%s", dir, FCAT__POLICY_SIGNATURE);
	int rc = fcat__policy_verify(files, n, signame, sig ? sig->text : NULL, sig ? sig->len : 0,
	                             c->trusted_keys);
	if (rc)
		fcat__error_wrap(rc,
		                 "refusing to open: the policies of %s fail their signature check "
		                 "(policy.trusted_keys: %s, in %s)",
		                 what, c->trusted_keys, c->name);
	return rc;
}

int fcat__access_read_set(fcat__policy **out, const char *root, const fcat_config *c, fcat__git *g,
                          const git_oid *commit, const char *what)
{
	*out = NULL;
	fcat__def_file *files = NULL;
	size_t n = 0;
	const char *dir = fcat_config_policies_dir(c);
	int rc = g ? read_commit(&files, &n, g, commit, dir) : read_worktree(&files, &n, root, dir);
	if (rc == 0 && c->trusted_keys)
		rc = verify(files, n, c, what);
	fcat__policy *p = NULL;
	if (rc == 0)
		rc = fcat__policy_load(&p, files, n);
	fcat__def_files_free(files, n);
	if (rc)
		return rc;
	if (p->nfiles == 0)
		fcat__policy_free(p); /* no policies: open, as Feast without permissions */
	else
		*out = p;
	return 0;
}

int fcat__access_load_applied(fcat_store *s, fcat__git *g, const git_oid *applied)
{
	char id[GIT_OID_HEXSZ + 1], what[80];
	git_oid_tostr(id, sizeof id, applied);
	snprintf(what, sizeof what, "the applied version %.12s", id);
	int rc = fcat__git_config_at(&s->applied_config, g, applied);
	if (rc)
		return fcat__error_wrap(rc, "reading the policy settings of %s", what);
	const fcat_config *c = s->applied_config;
	if ((rc = fcat__access_read_set(&s->policy, s->root, c, g, applied, what)))
		return rc;
	if (s->policy && c->audit_log) {
		char *path = c->audit_log[0] == '/' ? strdup(c->audit_log)
		                                    : fcat__path_join(s->root, c->audit_log);
		rc = path ? fcat__audit_open(&s->audit, path) : fcat__error_oom();
		free(path);
	}
	return rc;
}
