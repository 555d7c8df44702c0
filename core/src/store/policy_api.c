/* policy_api.c - the public face of the policy engine: explain a decision,
 * run the policy tests (both on the policies of the version a store reads),
 * sign the policy files (admin on project under the applied policies). */
#include "store/access.h"

#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tags a resource carries: a feature's own and its view's. */
static size_t resource_tags(const fcat_store *s, const char *resource, fcat__tag *tags, size_t max)
{
	size_t n = 0;
	const fcat_object *o = NULL;
	if (!strncmp(resource, "feature:", 8))
		fcat_catalog_lookup(&o, s->catalog, resource + 8);
	else if (!strncmp(resource, "view:", 5))
		fcat_catalog_lookup(&o, s->catalog, resource + 5);
	fcat__error_clear();
	if (!o)
		return 0;
	for (size_t i = 0; i < o->ntags && n < max; i++)
		tags[n++] = o->tags[i];
	if (o->kind == FCAT_OBJ_FEATURE) {
		const fcat_object *v = ((const fcat__field *)o)->parent;
		for (size_t i = 0; i < v->ntags && n < max; i++)
			tags[n++] = v->tags[i];
	}
	return n;
}

int fcat_policy_explain(char **out, const fcat_store *s, const char *principal, const char *action,
                        const char *resource)
{
	*out = NULL;
	if (!s->version_policy)
		return fcat__error(FCAT_ENOTFOUND, "this catalog version has no policies");
	int a = fcat__policy_action_parse(action);
	if (a < 0)
		return FCAT_EINVALID;
	fcat__tag tags[64];
	size_t ntags = resource_tags(s, resource, tags, 64);
	fcat__policy_decision d;
	int rc = fcat__policy_decide(&d, s->version_policy, FCAT__CALLER(principal),
	                             (fcat__policy_action)a, resource, tags, ntags);
	if (rc)
		return rc;
	fcat__buf b = {0};
	fcat__policy_explain_text(&b, &d);
	fcat__policy_decision_free(&d);
	*out = fcat__buf_detach(&b);
	return *out ? 0 : fcat__error_oom();
}

int fcat_policy_test(char **report, size_t *failures, const fcat_store *s)
{
	*report = NULL;
	*failures = 0;
	if (!s->version_policy)
		return fcat__error(FCAT_ENOTFOUND, "this catalog version has no policies to test");
	fcat__buf b = {0};
	int n = fcat__policy_run_tests(&b, s->version_policy);
	if (n < 0) {
		fcat__buf_free(&b);
		return n;
	}
	*failures = (size_t)n;
	*report = fcat__buf_detach(&b);
	return *report ? 0 : fcat__error_oom();
}

int fcat_policy_sign(char **out_path, const char *repo_path, const char *private_key_pem)
{
	return fcat_policy_sign_as(out_path, repo_path, private_key_pem, NULL);
}

int fcat_policy_sign_as(char **out_path, const char *repo_path, const char *private_key_pem,
                        const char *principal)
{
	*out_path = NULL;
	int rc = fcat__authorize_sign(repo_path, principal);
	if (rc)
		return rc;
	char *yaml = fcat__path_join(repo_path, "fcat.yaml");
	fcat_config *config = NULL;
	rc = yaml ? fcat_config_load(&config, yaml) : fcat__error_oom();
	free(yaml);
	if (rc)
		return rc;
	const char *dir = fcat_config_policies_dir(config);
	char *full = fcat__path_join(repo_path, dir);
	static const char *const suffixes[] = {".yaml", ".yml"};
	fcat__def_file *files = NULL;
	size_t n = 0;
	for (size_t k = 0; full && rc == 0 && k < 2; k++) {
		char **names;
		size_t m;
		if ((rc = fcat__list_files(&names, &m, full, suffixes[k])))
			break;
		fcat__def_file *p = realloc(files, (n + m + 1) * sizeof *p);
		if (!p) {
			fcat__strv_free(names);
			rc = fcat__error_oom();
			break;
		}
		files = p;
		for (size_t i = 0; i < m && rc == 0; i++) {
			fcat__def_file *f = &files[n++];
			memset(f, 0, sizeof *f);
			f->path = fcat__path_join(dir, names[i]);
			char *path = f->path ? fcat__path_join(repo_path, f->path) : NULL;
			rc = path ? fcat__read_file(&f->text, &f->len, path) : fcat__error_oom();
			free(path);
		}
		fcat__strv_free(names);
	}
	char *sig = NULL;
	if (rc == 0)
		rc = fcat__policy_sign(&sig, files, n, private_key_pem);
	if (rc == 0) {
		*out_path = fcat__path_join(full, FCAT__POLICY_SIGNATURE);
		FILE *f = *out_path ? fopen(*out_path, "w") : NULL;
		if (!f || fputs(sig, f) < 0 || fclose(f) != 0)
			rc = fcat__error(FCAT_EIO, "cannot write %s",
			                 *out_path ? *out_path : "SIGNATURE");
	}
	free(sig);
	free(full);
	fcat__def_files_free(files, n);
	fcat_config_free(config);
	if (rc) {
		free(*out_path);
		*out_path = NULL;
	}
	return rc;
}
