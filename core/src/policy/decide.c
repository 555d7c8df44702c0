/* decide.c - the decision: default deny, and an explicit deny beats every
 * allow, over the rules a principal holds. */
#include "policy/policy.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static bool tags_match(const fcat__policy_rule *r, const fcat__tag *tags, size_t ntags)
{
	for (size_t i = 0; i < r->ntags; i++) {
		const fcat__tag *sel = &r->tags[i];
		bool found = false;
		for (size_t k = 0; k < ntags && !found; k++) {
			if (strcmp(tags[k].key, sel->key) != 0)
				continue;
			const char *v = tags[k].value ? tags[k].value : "";
			if (!fcat__policy_glob(sel->value, strlen(sel->value), v, strlen(v)))
				return false;
			found = true;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool rule_matches(const fcat__policy_rule *r, fcat__policy_action action,
                         const fcat__policy_resource *res, const fcat__tag *tags, size_t ntags)
{
	if (!(r->actions & (1u << action)))
		return false;
	if (r->nresources) {
		bool any = false;
		for (size_t i = 0; i < r->nresources && !any; i++)
			any = fcat__policy_pattern_match(&r->resources[i].r, res);
		if (!any)
			return false;
	}
	return tags_match(r, tags, ntags);
}

/* Checks the request; *pr is NULL for an unknown principal. */
static int prepare(const fcat__policy *p, const char *principal, fcat__policy_action action,
                   const char *resource, const fcat__tag *tags, size_t ntags,
                   fcat__policy_resource *res, const fcat__policy_principal **pr)
{
	if (!p || !principal || !resource || (ntags && !tags))
		return fcat__error(FCAT_EUSAGE, "policy decision: missing argument");
	if ((unsigned)action >= FCAT__PA_COUNT)
		return fcat__error(FCAT_EUSAGE, "policy decision: action %d out of range",
		                   (int)action);
	int rc = fcat__policy_resource_parse(res, resource, false);
	if (rc)
		return rc;
	*pr = fcat__strmap_get(&p->by_principal, principal);
	return 0;
}

int fcat__policy_eval(const fcat__policy *p, const char *principal, fcat__policy_action action,
                      const char *resource, const fcat__tag *tags, size_t ntags,
                      const fcat__policy_rule **deciding)
{
	if (deciding)
		*deciding = NULL;
	fcat__policy_resource res;
	const fcat__policy_principal *pr = NULL;
	int rc = prepare(p, principal, action, resource, tags, ntags, &res, &pr);
	if (rc)
		return rc;
	if (!pr)
		return 0;
	const fcat__policy_rule *allow = NULL;
	for (size_t i = 0; i < pr->ngrants; i++) {
		const fcat__policy_rule *r = pr->grants[i].rule;
		if (!rule_matches(r, action, &res, tags, ntags))
			continue;
		if (r->effect == FCAT__POLICY_DENY) {
			if (deciding)
				*deciding = r;
			return 0;
		}
		if (!allow)
			allow = r;
	}
	if (deciding)
		*deciding = allow;
	return allow != NULL;
}

void fcat__policy_decision_free(fcat__policy_decision *d)
{
	if (!d)
		return;
	free(d->matches);
	free(d->principal);
	free(d->resource);
	memset(d, 0, sizeof *d);
}

int fcat__policy_decide(fcat__policy_decision *out, const fcat__policy *p, const char *principal,
                        fcat__policy_action action, const char *resource, const fcat__tag *tags,
                        size_t ntags)
{
	memset(out, 0, sizeof *out);
	fcat__policy_resource res;
	const fcat__policy_principal *pr = NULL;
	int rc = prepare(p, principal, action, resource, tags, ntags, &res, &pr);
	if (rc)
		return rc;
	out->effect = FCAT__POLICY_DENY;
	out->why = pr ? FCAT__WHY_NO_RULE : FCAT__WHY_UNKNOWN_PRINCIPAL;
	out->action = action;
	out->principal = strdup(principal);
	out->resource = strdup(resource);
	out->matches = calloc(pr && pr->ngrants ? pr->ngrants : 1, sizeof *out->matches);
	if (!out->principal || !out->resource || !out->matches) {
		fcat__policy_decision_free(out);
		return fcat__error_oom();
	}
	const fcat__policy_grant *allow = NULL, *deny = NULL;
	for (size_t i = 0; pr && i < pr->ngrants; i++) {
		const fcat__policy_grant *g = &pr->grants[i];
		if (!rule_matches(g->rule, action, &res, tags, ntags))
			continue;
		out->matches[out->nmatches++] = g;
		if (g->rule->effect == FCAT__POLICY_DENY && !deny)
			deny = g;
		else if (g->rule->effect == FCAT__POLICY_ALLOW && !allow)
			allow = g;
	}
	if (deny) {
		out->why = FCAT__WHY_DENIED;
		out->deciding = deny;
	} else if (allow) {
		out->effect = FCAT__POLICY_ALLOW;
		out->why = FCAT__WHY_ALLOWED;
		out->deciding = allow;
	}
	return 0;
}
