/* apply_access.c - who may apply and sign: `apply` on project for fcat
 * apply, `admin` on project for a change of the policy settings or of the
 * policy files and for fcat policy sign, decided by the applied policies. Before anything is
 * applied there is no authority yet: the first apply (fcat init makes it)
 * and signing are open. */
#include "store/access.h"

#include "git/apply.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The applied store for deciding (NULL when nothing is applied yet). */
static int open_authority(fcat_store **out, const char *repo, const char *principal)
{
	*out = NULL;
	fcat__git g;
	git_oid applied;
	int rc = fcat__git_open(&g, repo);
	if (rc)
		return rc;
	rc = fcat__git_applied(&g, &applied);
	fcat__git_close(&g);
	if (rc == FCAT_ENOTFOUND) {
		fcat__error_clear();
		return 0; /* nothing applied: no authority yet */
	}
	if (rc)
		return rc;
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = principal;
	rc = fcat_store_open_ext(out, repo, &o);
	if (rc)
		fcat__error_wrap(rc, "cannot decide who may change the applied version");
	return rc;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* A change of a policy setting between the applied fcat.yaml and the one
 * to apply needs admin: it changes which policies decide, their signature
 * check or the audit log. */
static int check_settings(fcat_store *s, const fcat_config *next)
{
	const fcat_config *now = s->applied_config;
	static const char *const names[] = {"policies", "policy.trusted_keys", "policy.audit_log"};
	const char *before[] = {fcat_config_policies_dir(now), now->trusted_keys, now->audit_log};
	const char *after[] = {fcat_config_policies_dir(next), next->trusted_keys, next->audit_log};
	for (size_t i = 0; i < 3; i++) {
		if (same(before[i], after[i]))
			continue;
		int rc = fcat__access_project(s, &s->caller, FCAT__PA_ADMIN);
		if (rc)
			return fcat__error_wrap(rc,
			                        "refusing to apply a change of %s in fcat.yaml "
			                        "(applied: %s, to apply: %s): it needs admin on "
			                        "project",
			                        names[i], before[i] ? before[i] : "(not set)",
			                        after[i] ? after[i] : "(not set)");
	}
	return 0;
}

/* A change of the policy files needs admin too: with `apply` alone a
 * principal could otherwise commit policies that grant it everything, or
 * delete them (no policy files: every read open). Compared by the git tree
 * of the policy directory, at the applied commit and at the one to apply. */
static int check_policy_files(fcat_store *s, fcat__git *g, const git_oid *commit,
                              const fcat_config *next)
{
	git_oid applied, before, after;
	int rc = fcat__git_applied(g, &applied);
	if (rc == 0)
		rc = fcat__git_dir_tree(g, &applied, fcat_config_policies_dir(s->applied_config),
		                        &before);
	if (rc == 0)
		rc = fcat__git_dir_tree(g, commit, fcat_config_policies_dir(next), &after);
	if (rc)
		return rc;
	if (git_oid_equal(&before, &after))
		return 0;
	rc = fcat__access_project(s, &s->caller, FCAT__PA_ADMIN);
	if (rc)
		return fcat__error_wrap(rc,
		                        "refusing to apply a change of the policy files (%s/): it "
		                        "needs admin on project",
		                        fcat_config_policies_dir(next));
	return 0;
}

int fcat_apply_as(char out_commit[41], const char *repo_path, const char *rev,
                  const char *principal)
{
	out_commit[0] = '\0';
	char *yaml = fcat__path_join(repo_path, "fcat.yaml");
	fcat_config *worktree = NULL, *committed = NULL;
	int rc = yaml ? fcat_config_load(&worktree, yaml) : fcat__error_oom();
	free(yaml);
	if (rc)
		return rc;
	fcat__git g = {0};
	git_oid commit;
	fcat_store *authority = NULL;
	rc = fcat__git_open(&g, repo_path);
	if (rc == 0)
		rc = fcat__git_resolve(&g, rev ? rev : "HEAD", &commit);
	if (rc == 0)
		rc = fcat__git_config_at(&committed, &g, &commit);
	if (rc == 0)
		rc = open_authority(&authority, repo_path,
		                    principal && *principal ? principal : "anonymous");
	if (rc == 0 && authority)
		rc = fcat__access_project(authority, &authority->caller, FCAT__PA_APPLY);
	if (rc == 0 && authority)
		rc = check_settings(authority, committed);
	if (rc == 0 && authority)
		rc = check_policy_files(authority, &g, &commit, committed);
	/* the policies to apply must load, and pass their signature check:
	 * otherwise every store would refuse to open after the apply */
	fcat__policy *p = NULL;
	if (rc == 0) {
		char id[GIT_OID_HEXSZ + 1], what[64];
		git_oid_tostr(id, sizeof id, &commit);
		snprintf(what, sizeof what, "commit %.12s", id);
		rc = fcat__access_read_set(&p, repo_path, committed, &g, &commit, what);
		if (rc)
			fcat__error_wrap(rc, "refusing to apply %.12s", id);
	}
	fcat__policy_free(p);
	if (rc == 0)
		rc = fcat__apply_commit(out_commit, &g, worktree, committed, &commit);
	fcat_store_free(authority);
	fcat__git_close(&g);
	fcat_config_free(committed);
	fcat_config_free(worktree);
	return rc;
}

int fcat_apply(char out_commit[41], const char *repo_path, const char *rev)
{
	return fcat_apply_as(out_commit, repo_path, rev, NULL);
}

int fcat_store_check_project(const fcat_store *s, const char *action)
{
	int a = fcat__policy_action_parse(action);
	if (a < 0)
		return FCAT_EINVALID;
	return fcat__access_project(s, &s->caller, (fcat__policy_action)a);
}

int fcat__authorize_sign(const char *repo_path, const char *principal)
{
	fcat_store *s = NULL;
	int rc = open_authority(&s, repo_path, principal && *principal ? principal : "anonymous");
	if (rc == 0 && s) {
		rc = fcat__access_project(s, &s->caller, FCAT__PA_ADMIN);
		if (rc)
			fcat__error_wrap(rc, "refusing to sign the policies");
	}
	fcat_store_free(s);
	return rc;
}
