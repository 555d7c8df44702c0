/* decide.c - the decision: default deny, and an explicit deny beats every
 * allow, over the rules a caller holds (its name's, and its vouched-for
 * groups'). */
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

/* The rules a caller holds, one after another: its name's (when the
 * policies declare it), then those of each vouched-for group they declare. */
typedef struct grants_iter {
	const fcat__policy *p;
	const fcat__caller *who;
	const fcat__policy_grant *cur;
	size_t ncur, i, next_group;
	bool known; /* the name or some group gave a list */
} grants_iter;

static void grants_begin(grants_iter *it, const fcat__policy *p, const fcat__caller *who)
{
	const fcat__policy_principal *pr = fcat__strmap_get(&p->by_principal, who->name);
	*it = (grants_iter){.p = p, .who = who, .known = pr != NULL};
	if (pr) {
		it->cur = pr->grants;
		it->ncur = pr->ngrants;
	}
	/* learn now whether any group is known: a caller with none is unknown */
	for (size_t g = 0; !it->known && g < who->ngroups; g++)
		it->known = who->groups[g] && fcat__strmap_get(&p->by_group, who->groups[g]);
}

static const fcat__policy_grant *grants_next(grants_iter *it)
{
	while (it->i == it->ncur) {
		if (it->next_group >= it->who->ngroups)
			return NULL;
		const char *name = it->who->groups[it->next_group++];
		const fcat__policy_group *g =
		    name ? fcat__strmap_get(&it->p->by_group, name) : NULL;
		it->cur = g ? g->grants : NULL;
		it->ncur = g ? g->ngrants : 0;
		it->i = 0;
	}
	return &it->cur[it->i++];
}

/* Checks the request. */
static int prepare(const fcat__policy *p, const fcat__caller *who, fcat__policy_action action,
                   const char *resource, const fcat__tag *tags, size_t ntags,
                   fcat__policy_resource *res)
{
	if (!p || !who || !who->name || (who->ngroups && !who->groups) || !resource ||
	    (ntags && !tags))
		return fcat__error(FCAT_EUSAGE, "policy decision: missing argument");
	if ((unsigned)action >= FCAT__PA_COUNT)
		return fcat__error(FCAT_EUSAGE, "policy decision: action %d out of range",
		                   (int)action);
	return fcat__policy_resource_parse(res, resource, false);
}

int fcat__policy_eval(const fcat__policy *p, const fcat__caller *who, fcat__policy_action action,
                      const char *resource, const fcat__tag *tags, size_t ntags,
                      const fcat__policy_rule **deciding)
{
	if (deciding)
		*deciding = NULL;
	fcat__policy_resource res;
	int rc = prepare(p, who, action, resource, tags, ntags, &res);
	if (rc)
		return rc;
	const fcat__policy_rule *allow = NULL;
	grants_iter it;
	grants_begin(&it, p, who);
	for (const fcat__policy_grant *g; (g = grants_next(&it));) {
		const fcat__policy_rule *r = g->rule;
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

/* "alice", or "alice (groups a, b)" for a caller with vouched-for groups. */
static char *caller_text(const fcat__caller *who)
{
	fcat__buf b = {0};
	fcat__buf_puts(&b, who->name);
	for (size_t g = 0; g < who->ngroups; g++) {
		fcat__buf_puts(&b, g ? ", " : " (groups ");
		fcat__buf_puts(&b, who->groups[g] ? who->groups[g] : "");
	}
	if (who->ngroups)
		fcat__buf_putc(&b, ')');
	return fcat__buf_detach(&b);
}

static bool already(const fcat__policy_decision *d, const fcat__policy_rule *r)
{
	for (size_t i = 0; i < d->nmatches; i++)
		if (d->matches[i]->rule == r)
			return true;
	return false;
}

int fcat__policy_decide(fcat__policy_decision *out, const fcat__policy *p, const fcat__caller *who,
                        fcat__policy_action action, const char *resource, const fcat__tag *tags,
                        size_t ntags)
{
	memset(out, 0, sizeof *out);
	fcat__policy_resource res;
	int rc = prepare(p, who, action, resource, tags, ntags, &res);
	if (rc)
		return rc;
	grants_iter it;
	grants_begin(&it, p, who);
	size_t held = 0;
	while (grants_next(&it))
		held++;
	grants_begin(&it, p, who);
	out->effect = FCAT__POLICY_DENY;
	out->why = it.known ? FCAT__WHY_NO_RULE : FCAT__WHY_UNKNOWN_PRINCIPAL;
	out->action = action;
	out->principal = caller_text(who);
	out->resource = strdup(resource);
	out->matches = calloc(held ? held : 1, sizeof *out->matches);
	if (!out->principal || !out->resource || !out->matches) {
		fcat__policy_decision_free(out);
		return fcat__error_oom();
	}
	const fcat__policy_grant *allow = NULL, *deny = NULL;
	for (const fcat__policy_grant *g; (g = grants_next(&it));) {
		/* a rule held twice (the name's group, vouched for again) counts once */
		if (!rule_matches(g->rule, action, &res, tags, ntags) || already(out, g->rule))
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
