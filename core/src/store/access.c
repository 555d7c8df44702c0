/* access.c - the policy checks every read path makes before a value leaves
 * the store, each decision written to the audit log. */
#include "store/access.h"

#include "git/repo.h"
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

static int read_worktree(fcat__def_file **all, size_t *n, const fcat_store *s, const char *dir)
{
	char *full = fcat__path_join(s->root, dir);
	if (!full)
		return fcat__error_oom();
	int rc = 0;
	for (size_t k = 0; k < 3 && rc == 0; k++) {
		char **names;
		size_t m;
		rc = fcat__list_files(&names, &m, full, suffixes[k]);
		if (rc == FCAT_ENOTFOUND) {
			rc = 0;
			break; /* no policies directory: no policies */
		}
		fcat__def_file *more = rc ? NULL : calloc(m + 1, sizeof *more);
		if (!rc && !more)
			rc = fcat__error_oom();
		for (size_t i = 0; rc == 0 && i < m; i++) {
			more[i].path = fcat__path_join(dir, names[i]);
			char *path = more[i].path ? fcat__path_join(s->root, more[i].path) : NULL;
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

int fcat__access_load(fcat_store *s, fcat__git *g, const git_oid *commit)
{
	const char *dir = fcat_config_policies_dir(s->config);
	fcat__def_file *files = NULL;
	size_t n = 0;
	int rc = 0;
	if (g) {
		for (size_t k = 0; k < 3 && rc == 0; k++) {
			fcat__def_file *more;
			size_t m;
			rc = fcat__git_read_dir(g, commit, dir, suffixes[k], &more, &m);
			if (rc == 0)
				rc = append(&files, &n, more, m);
		}
	} else {
		rc = read_worktree(&files, &n, s, dir);
	}
	if (rc == 0 && s->config->trusted_keys) {
		/* fail closed: unsigned or changed policies do not open */
		const fcat__def_file *sig = NULL;
		for (size_t i = 0; i < n; i++)
			if (fcat__policy_file_kind_of(files[i].path) == FCAT__PF_SIGNATURE)
				sig = &files[i];
		char signame[4096];
		snprintf(signame, sizeof signame, "%s/%s", dir, FCAT__POLICY_SIGNATURE);
		rc = fcat__policy_verify(files, n, signame, sig ? sig->text : NULL,
		                         sig ? sig->len : 0, s->config->trusted_keys);
		if (rc)
			fcat__error_wrap(rc,
			                 "refusing to open: the policies fail their signature "
			                 "check (trusted keys %s)",
			                 s->config->trusted_keys);
	}
	fcat__policy *p = NULL;
	if (rc == 0)
		rc = fcat__policy_load(&p, files, n);
	fcat__def_files_free(files, n);
	if (rc)
		return rc;
	if (p->nfiles == 0) {
		fcat__policy_free(p); /* no policies: open, as Feast without permissions */
		return 0;
	}
	s->policy = p;
	if (s->config->audit_log) {
		char *path = s->config->audit_log[0] == '/'
		                 ? strdup(s->config->audit_log)
		                 : fcat__path_join(s->root, s->config->audit_log);
		rc = path ? fcat__audit_open(&s->audit, path) : fcat__error_oom();
		free(path);
	}
	return rc;
}

/* Decides, writes the audit record, and says why on a denial. */
static int check(const fcat_store *s, fcat__policy_action action, const char *resource,
                 const fcat__tag *tags, size_t ntags, int *allowed, const fcat__policy_rule **rule)
{
	int r = fcat__policy_allowed(s->policy, s->principal, action, resource, tags, ntags, rule);
	if (r < 0)
		return r;
	*allowed = r;
	return 0;
}

static void audit(const fcat_store *s, fcat__policy_action action, const char *resource,
                  bool allowed, const fcat__policy_rule *rule)
{
	if (!s->audit)
		return;
	fcat__buf b = {0};
	if (rule)
		fcat__policy_rule_text(&b, rule);
	else
		fcat__buf_puts(&b, allowed ? "no policies" : "default deny: no rule allows it");
	fcat__audit_record(s->audit, s->principal, fcat__policy_action_name(action), resource,
	                   allowed, b.ptr ? b.ptr : "");
	fcat__buf_free(&b);
}

static int denied(const fcat_store *s, fcat__policy_action action, const char *what,
                  const fcat__policy_rule *rule)
{
	fcat__buf b = {0};
	if (rule)
		fcat__policy_rule_text(&b, rule);
	int rc = fcat__error(FCAT_EDENIED, "%s may not %s %s: %s", s->principal,
	                     fcat__policy_action_name(action), what,
	                     rule ? b.ptr : "no policy rule allows it (default deny)");
	fcat__buf_free(&b);
	return rc;
}

int fcat__access_feature(const fcat_store *s, fcat__policy_action action, const fcat__field *f,
                         const char *service)
{
	if (!s->policy)
		return 0;
	char resource[1024];
	snprintf(resource, sizeof resource, "feature:%s:%s", f->parent->name, f->base.name);
	/* a feature carries its own tags and its view's */
	fcat__tag tags[64];
	size_t ntags = 0;
	for (size_t i = 0; i < f->base.ntags && ntags < 64; i++)
		tags[ntags++] = f->base.tags[i];
	for (size_t i = 0; i < f->parent->ntags && ntags < 64; i++)
		tags[ntags++] = f->parent->tags[i];
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	int rc = check(s, action, resource, tags, ntags, &allowed, &rule);
	if (rc)
		return rc;
	bool explicit_deny = !allowed && rule && rule->effect == FCAT__POLICY_DENY;
	if (!allowed && !explicit_deny && service) {
		char sres[512];
		const fcat__policy_rule *srule = NULL;
		int sallowed = 0;
		snprintf(sres, sizeof sres, "service:%s", service);
		if ((rc = check(s, action, sres, NULL, 0, &sallowed, &srule)))
			return rc;
		if (sallowed) {
			allowed = 1;
			rule = srule;
		}
	}
	audit(s, action, resource, allowed, rule);
	return allowed ? 0 : denied(s, action, resource + 0, rule);
}

int fcat__access_view(const fcat_store *s, fcat__policy_action action, const fcat__view *v)
{
	if (!s->policy)
		return 0;
	char resource[512];
	snprintf(resource, sizeof resource, "view:%s", v->base.name);
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	int rc = check(s, action, resource, v->base.tags, v->base.ntags, &allowed, &rule);
	if (rc)
		return rc;
	audit(s, action, resource, allowed, rule);
	return allowed ? 0 : denied(s, action, resource, rule);
}

bool fcat__access_describe(const fcat_store *s, const fcat_object *o)
{
	if (!s->policy)
		return true;
	char resource[1024];
	switch (o->kind) {
	case FCAT_OBJ_VIEW:
	case FCAT_OBJ_ON_DEMAND_VIEW:
		snprintf(resource, sizeof resource, "view:%s", o->name);
		break;
	case FCAT_OBJ_SERVICE: snprintf(resource, sizeof resource, "service:%s", o->name); break;
	case FCAT_OBJ_FEATURE:
		snprintf(resource, sizeof resource, "feature:%s:%s",
		         ((const fcat__field *)o)->parent->name, o->name);
		break;
	default: snprintf(resource, sizeof resource, "project"); break;
	}
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	if (check(s, FCAT__PA_DESCRIBE, resource, o->tags, o->ntags, &allowed, &rule))
		return false;
	audit(s, FCAT__PA_DESCRIBE, resource, allowed, rule);
	return allowed;
}
