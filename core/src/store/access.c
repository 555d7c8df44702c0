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
static int check(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                 const char *resource, const fcat__tag *tags, size_t ntags, int *allowed,
                 const fcat__policy_rule **rule)
{
	int r = fcat__policy_allowed(s->policy, who, action, resource, tags, ntags, rule);
	if (r < 0) {
		/* refused, as an error: the log says so too */
		if (s->audit) {
			char why[512];
			snprintf(why, sizeof why, "error: %s", fcat_error_last());
			fcat__audit_record(s->audit, who->name, who->groups, who->ngroups,
			                   fcat__policy_action_name(action), resource, false, why);
		}
		return r;
	}
	*allowed = r;
	return 0;
}

static void audit(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                  const char *resource, bool allowed, const fcat__policy_rule *rule)
{
	if (!s->audit)
		return;
	fcat__buf b = {0};
	if (rule)
		fcat__policy_rule_text(&b, rule);
	else
		fcat__buf_puts(&b, allowed ? "no policies" : "default deny: no rule allows it");
	fcat__audit_record(s->audit, who->name, who->groups, who->ngroups,
	                   fcat__policy_action_name(action), resource, allowed, b.ptr ? b.ptr : "");
	fcat__buf_free(&b);
}

static int denied(const fcat__caller *who, fcat__policy_action action, const char *what,
                  const fcat__policy_rule *rule)
{
	fcat__buf b = {0};
	if (rule)
		fcat__policy_rule_text(&b, rule);
	int rc = fcat__error(FCAT_EDENIED, "%s may not %s %s: %s", who->name,
	                     fcat__policy_action_name(action), what,
	                     rule ? b.ptr : "no policy rule allows it (default deny)");
	fcat__buf_free(&b);
	return rc;
}

/* Nothing applied: every read and write is refused, saying why. */
static int closed(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                  const char *what)
{
	return fcat__error(FCAT_EDENIED, "%s may not %s %s: %s", who->name,
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

static const fcat_object *applied_twin(const fcat_store *s, const fcat_object *o);

/* An object's tags for a decision. When the store reads another version
 * than the applied one, the tags of the object of the same name in the
 * applied catalog come first (a selector looks at the first tag of its
 * key), then the version's own: a tag removed or changed in the work tree
 * or in a commit opens nothing, and one added there still counts. */
static size_t tags_of(const fcat_store *s, const fcat_object *o, fcat__tag *tags)
{
	size_t n = 0;
	const fcat_object *a = s->applied_catalog ? applied_twin(s, o) : NULL;
	if (a)
		own_tags(tags, &n, a);
	own_tags(tags, &n, o);
	return n;
}

/* The applied object of o's name and kind, or NULL. */
static const fcat_object *applied_twin(const fcat_store *s, const fcat_object *o)
{
	char name[1024];
	if (o->kind == FCAT_OBJ_FEATURE)
		snprintf(name, sizeof name, "%s:%s", ((const fcat__field *)o)->parent->name,
		         o->name);
	else
		snprintf(name, sizeof name, "%s", o->name);
	const fcat_object *a = NULL;
	if (fcat_catalog_lookup(&a, s->applied_catalog, name) != 0 || a->kind != o->kind)
		a = NULL;
	fcat__error_clear();
	return a;
}

static bool same_hash(const fcat_object *a, const fcat_object *b)
{
	return a && b && memcmp(a->hash, b->hash, sizeof a->hash) == 0;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether a view computes its values as the applied one does: the same data
 * hash (entities, source name, time field, transform, feature names and
 * types) and the same source definition (path, table or query). */
static bool view_as_applied(const fcat__view *v, const fcat__view *a)
{
	return memcmp(v->data_hash, a->data_hash, sizeof v->data_hash) == 0 && v->source &&
	       a->source && same_hash(&v->source->base, &a->source->base);
}

/* The same for an on-demand view: its transform and its inputs' names. */
static bool odv_as_applied(const fcat__odv *o, const fcat__odv *a)
{
	if (!same_text(o->transform.code, a->transform.code) || o->nsources != a->nsources ||
	    o->nrequest != a->nrequest)
		return false;
	for (size_t i = 0; i < o->nsources; i++)
		if (!same_text(o->source_refs[i].name, a->source_refs[i].name))
			return false;
	return true;
}

/* Whether data read through o (a feature or a view) is read through the
 * applied definition of how it is computed. Descriptions and tags do not
 * matter here: tags are the applied ones first anyway (tags_of). */
static bool as_applied(const fcat_store *s, const fcat_object *o)
{
	const fcat_object *a = applied_twin(s, o);
	if (!a)
		return false;
	const fcat_object *v = o, *av = a;
	if (o->kind == FCAT_OBJ_FEATURE) {
		if (!fcat_type_equal(((const fcat__field *)o)->type,
		                     ((const fcat__field *)a)->type))
			return false;
		v = ((const fcat__field *)o)->parent;
		av = ((const fcat__field *)a)->parent;
	}
	if (v->kind != av->kind)
		return false;
	if (v->kind == FCAT_OBJ_VIEW)
		return view_as_applied((const fcat__view *)v, (const fcat__view *)av);
	if (v->kind == FCAT_OBJ_ON_DEMAND_VIEW) /* its inputs are checked as they are read */
		return odv_as_applied((const fcat__odv *)v, (const fcat__odv *)av);
	return false;
}

/* Reads through another version than the applied one: the applied policies
 * (and the applied tags) were written for the applied definitions, so data
 * may flow through a definition of another version only when it is the
 * applied one; through any other (a changed source query or transform, a
 * new view) it needs admin on project. */
static int version_guard(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                         const char *resource, const fcat_object *o)
{
	if (!s->applied_catalog || action == FCAT__PA_DESCRIBE || as_applied(s, o))
		return 0;
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	int rc = check(s, who, FCAT__PA_ADMIN, "project", NULL, 0, &allowed, &rule);
	if (rc)
		return rc;
	audit(s, who, action, resource, allowed, rule);
	if (allowed)
		return 0;
	return fcat__error(FCAT_EDENIED,
	                   "%s may not %s %s in this version: its definition differs from the "
	                   "applied one, and reading through a definition that is not applied "
	                   "needs admin on project",
	                   who->name, fcat__policy_action_name(action), resource);
}

/* Whether the applied feature service of this name holds f: a service
 * grant covers what the applied service serves, not what a work tree or
 * another commit adds to it. */
static bool applied_service_has(const fcat_store *s, const char *service, const fcat__field *f)
{
	if (!s->applied_catalog)
		return true;
	const fcat_object *o = NULL;
	if (fcat_catalog_lookup(&o, s->applied_catalog, service) != 0 ||
	    o->kind != FCAT_OBJ_SERVICE) {
		fcat__error_clear();
		return false;
	}
	const fcat__service *sv = (const fcat__service *)o;
	for (size_t i = 0; i < sv->nfeatures; i++)
		if (strcmp(sv->features[i]->base.name, f->base.name) == 0 &&
		    strcmp(sv->features[i]->parent->name, f->parent->name) == 0)
			return true;
	return false;
}

/* The decision on one feature or view, audited: the version guard, the
 * object's tags, and for a feature read through a service that the applied
 * catalog lists it in (f and service given) the service's own grant. */
static int access_object(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                         const char *resource, const fcat_object *o, const fcat__field *f,
                         const char *service)
{
	if (s->closed)
		return closed(s, who, action, resource);
	if (!s->policy)
		return 0;
	int grc = version_guard(s, who, action, resource, o);
	if (grc)
		return grc;
	fcat__tag tags[MAX_TAGS];
	size_t ntags = tags_of(s, o, tags);
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	int rc = check(s, who, action, resource, tags, ntags, &allowed, &rule);
	if (rc)
		return rc;
	bool explicit_deny = !allowed && rule && rule->effect == FCAT__POLICY_DENY;
	if (!allowed && !explicit_deny && service && applied_service_has(s, service, f)) {
		char sres[512];
		const fcat__policy_rule *srule = NULL;
		int sallowed = 0;
		snprintf(sres, sizeof sres, "service:%s", service);
		if ((rc = check(s, who, action, sres, NULL, 0, &sallowed, &srule)))
			return rc;
		if (sallowed) {
			allowed = 1;
			rule = srule;
		}
	}
	audit(s, who, action, resource, allowed, rule);
	return allowed ? 0 : denied(who, action, resource, rule);
}

int fcat__access_feature(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                         const fcat__field *f, const char *service)
{
	char resource[1024];
	snprintf(resource, sizeof resource, "feature:%s:%s", f->parent->name, f->base.name);
	return access_object(s, who, action, resource, &f->base, f, service);
}

int fcat__access_view(const fcat_store *s, const fcat__caller *who, fcat__policy_action action,
                      const fcat__view *v)
{
	char resource[512];
	snprintf(resource, sizeof resource, "view:%s", v->base.name);
	return access_object(s, who, action, resource, &v->base, NULL, NULL);
}

int fcat__access_project(const fcat_store *s, const fcat__caller *who, fcat__policy_action action)
{
	if (s->closed)
		return closed(s, who, action, "project");
	if (!s->policy)
		return 0;
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	int rc = check(s, who, action, "project", NULL, 0, &allowed, &rule);
	if (rc)
		return rc;
	audit(s, who, action, "project", allowed, rule);
	return allowed ? 0 : denied(who, action, "project", rule);
}

/* describe of a resource by its name; true when allowed. */
static bool describe(const fcat_store *s, const char *resource, const fcat__tag *tags, size_t ntags)
{
	if (!s->policy)
		return true; /* open, or nothing applied: the caller reads its own files */
	int allowed = 0;
	const fcat__policy_rule *rule = NULL;
	if (check(s, &s->caller, FCAT__PA_DESCRIBE, resource, tags, ntags, &allowed, &rule))
		return false;
	audit(s, &s->caller, FCAT__PA_DESCRIBE, resource, allowed, rule);
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
		int rc = fcat__access_project(s, &s->caller, FCAT__PA_ADMIN);
		return rc ? fcat__error(rc,
		                        "%s may not read the history of the file '%s' (it needs "
		                        "admin on project)",
		                        s->principal, name)
		          : 0;
	}
	if (fcat_catalog_lookup(&o, s->catalog, name) == 0 ||
	    (s->applied_catalog && fcat_catalog_lookup(&o, s->applied_catalog, name) == 0)) {
		fcat__error_clear();
		ok = fcat__access_describe(s, o);
	} else {
		/* a name only in history (deleted or renamed): its tags are not
		 * known here, so a tag rule (pii) cannot decide; it needs admin */
		fcat__error_clear();
		if (!s->policy)
			return 0;
		int rc = fcat__access_project(s, &s->caller, FCAT__PA_ADMIN);
		return rc ? fcat__error(rc,
		                        "%s may not describe '%s': it is in neither this version "
		                        "nor the applied one, so its tags are unknown (the history "
		                        "of a removed object needs admin on project)",
		                        s->principal, name)
		          : 0;
	}
	return ok ? 0 : fcat__error(FCAT_EDENIED, "%s may not describe '%s'", s->principal, name);
}
