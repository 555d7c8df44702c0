/* access.c - the policy checks every read path makes before a value leaves
 * the store, each decision written to the audit log. */
#include "store/access.h"

#include "store/audit.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAGS 128

/* Decides, and says why on a denial. */
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

/* Nothing applied: every read and write is refused, saying why. */
static int closed(const fcat_store *s, fcat__policy_action action, const char *what)
{
	return fcat__error(FCAT_EDENIED, "%s may not %s %s: %s", s->principal,
	                   fcat__policy_action_name(action), what, s->closed);
}

static void add_tags(fcat__tag *tags, size_t *n, const fcat_object *o)
{
	for (size_t i = 0; o && i < o->ntags && *n < MAX_TAGS; i++)
		tags[(*n)++] = o->tags[i];
}

/* An object's own tags for a decision: a feature's, then its view's. */
static void own_tags(fcat__tag *tags, size_t *n, const fcat_object *o)
{
	add_tags(tags, n, o);
	if (o->kind == FCAT_OBJ_FEATURE)
		add_tags(tags, n, ((const fcat__field *)o)->parent);
}

/* An object's tags for a decision. When the store reads another version
 * than the applied one, the tags of the object of the same name in the
 * applied catalog come first (a selector looks at the first tag of its
 * key), then the version's own: a tag removed or changed in the work tree
 * or in a commit opens nothing, and one added there still counts. */
static size_t tags_of(const fcat_store *s, const fcat_object *o, fcat__tag *tags)
{
	size_t n = 0;
	if (s->applied_catalog) {
		char name[1024];
		if (o->kind == FCAT_OBJ_FEATURE)
			snprintf(name, sizeof name, "%s:%s", ((const fcat__field *)o)->parent->name,
			         o->name);
		else
			snprintf(name, sizeof name, "%s", o->name);
		const fcat_object *a = NULL;
		if (fcat_catalog_lookup(&a, s->applied_catalog, name) == 0 && a->kind == o->kind)
			own_tags(tags, &n, a);
		fcat__error_clear();
	}
	own_tags(tags, &n, o);
	return n;
}

int fcat__access_feature(const fcat_store *s, fcat__policy_action action, const fcat__field *f,
                         const char *service)
{
	char resource[1024];
	snprintf(resource, sizeof resource, "feature:%s:%s", f->parent->name, f->base.name);
	if (s->closed)
		return closed(s, action, resource);
	if (!s->policy)
		return 0;
	fcat__tag tags[MAX_TAGS];
	size_t ntags = tags_of(s, &f->base, tags);
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
	return allowed ? 0 : denied(s, action, resource, rule);
}

int fcat__access_view(const fcat_store *s, fcat__policy_action action, const fcat__view *v)
{
	char resource[512];
	snprintf(resource, sizeof resource, "view:%s", v->base.name);
	if (s->closed)
		return closed(s, action, resource);
	if (!s->policy)
		return 0;
	fcat__tag tags[MAX_TAGS];
	size_t ntags = tags_of(s, &v->base, tags);
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	int rc = check(s, action, resource, tags, ntags, &allowed, &rule);
	if (rc)
		return rc;
	audit(s, action, resource, allowed, rule);
	return allowed ? 0 : denied(s, action, resource, rule);
}

int fcat__access_project(const fcat_store *s, fcat__policy_action action)
{
	if (s->closed)
		return closed(s, action, "project");
	if (!s->policy)
		return 0;
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	int rc = check(s, action, "project", NULL, 0, &allowed, &rule);
	if (rc)
		return rc;
	audit(s, action, "project", allowed, rule);
	return allowed ? 0 : denied(s, action, "project", rule);
}

/* describe of a resource by its name; true when allowed. */
static bool describe(const fcat_store *s, const char *resource, const fcat__tag *tags, size_t ntags)
{
	if (!s->policy)
		return true; /* open, or nothing applied: the caller reads its own files */
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	if (check(s, FCAT__PA_DESCRIBE, resource, tags, ntags, &allowed, &rule))
		return false;
	audit(s, FCAT__PA_DESCRIBE, resource, allowed, rule);
	return allowed;
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
	fcat__tag tags[MAX_TAGS];
	size_t ntags = tags_of(s, o, tags);
	return describe(s, resource, tags, ntags);
}

bool fcat__access_describe_project(const fcat_store *s)
{
	return describe(s, "project", NULL, 0);
}

int fcat__access_describe_name(const fcat_store *s, const char *name)
{
	const fcat_object *o = NULL;
	bool ok;
	if (strchr(name, '/')) {
		/* a file may hold any object's definition, or the policies */
		if (!s->policy)
			return 0;
		int rc = fcat__access_project(s, FCAT__PA_ADMIN);
		return rc ? fcat__error(rc,
		                        "%s may not read the history of the file '%s' (it needs "
		                        "admin on project)",
		                        s->principal, name)
		          : 0;
	}
	if (fcat_catalog_lookup(&o, s->catalog, name) == 0) {
		ok = fcat__access_describe(s, o);
	} else {
		fcat__error_clear();
		char res[1024];
		const char *colon = strchr(name, ':');
		if (colon) {
			snprintf(res, sizeof res, "feature:%s", name);
			ok = describe(s, res, NULL, 0);
		} else {
			char sres[1024];
			snprintf(res, sizeof res, "view:%s", name);
			snprintf(sres, sizeof sres, "service:%s", name);
			ok = describe(s, "project", NULL, 0) && describe(s, res, NULL, 0) &&
			     describe(s, sres, NULL, 0);
		}
	}
	return ok ? 0 : fcat__error(FCAT_EDENIED, "%s may not describe '%s'", s->principal, name);
}
