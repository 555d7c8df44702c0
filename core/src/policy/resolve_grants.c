/* resolve_grants.c - names across the policy files checked, and each principal's
 * rules (its own roles', then its groups') and each group's rules (for callers
 * a token puts in the group) computed once at load. */
#include "policy/parse.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int unknown(fcat__buf *errors, const fcat__policy_ref *ref, const char *who,
                   const char *name, const char *what)
{
	fcat__buf_printf(errors, "%s:%d:%d: %s '%s' names unknown %s '%s'\n", ref->loc.file,
	                 ref->loc.line, ref->col, who, name, what, ref->name);
	return 1;
}

static int check_refs(fcat__policy *p, fcat__buf *errors)
{
	int problems = 0;
	for (size_t i = 0; i < p->nprincipals; i++) {
		const fcat__policy_principal *pr = &p->principals[i];
		for (size_t k = 0; k < pr->ngroups; k++)
			if (!fcat__strmap_get(&p->by_group, pr->groups[k].name))
				problems +=
				    unknown(errors, &pr->groups[k], "principal", pr->name, "group");
		for (size_t k = 0; k < pr->nroles; k++)
			if (!fcat__strmap_get(&p->by_role, pr->roles[k].name))
				problems +=
				    unknown(errors, &pr->roles[k], "principal", pr->name, "role");
	}
	for (size_t i = 0; i < p->ngroups; i++) {
		const fcat__policy_group *g = &p->groups[i];
		for (size_t k = 0; k < g->nroles; k++)
			if (!fcat__strmap_get(&p->by_role, g->roles[k].name))
				problems += unknown(errors, &g->roles[k], "group", g->name, "role");
		for (size_t k = 0; k < g->nmembers; k++)
			if (!fcat__strmap_get(&p->by_principal, g->members[k].name))
				problems +=
				    unknown(errors, &g->members[k], "group", g->name, "principal");
	}
	return problems;
}

typedef struct held {
	const fcat__policy_role *role;
	const fcat__policy_group *via;
} held;

typedef struct flatten {
	fcat__policy *p;
	size_t *role_stamp, *group_stamp; /* principal index + 1 when seen */
	held *roles;                      /* the principal's roles, in order */
	size_t nroles;
} flatten;

static void hold_role(flatten *f, size_t who, const char *name, const fcat__policy_group *via)
{
	const fcat__policy_role *r = fcat__strmap_get(&f->p->by_role, name);
	size_t i = (size_t)(r - f->p->roles);
	if (f->role_stamp[i] == who + 1)
		return;
	f->role_stamp[i] = who + 1;
	f->roles[f->nroles++] = (held){r, via};
}

static void hold_group(flatten *f, size_t who, const fcat__policy_group *g)
{
	size_t i = (size_t)(g - f->p->groups);
	if (f->group_stamp[i] == who + 1)
		return;
	f->group_stamp[i] = who + 1;
	for (size_t k = 0; k < g->nroles; k++)
		hold_role(f, who, g->roles[k].name, g);
}

static int grants(flatten *f, size_t who)
{
	fcat__policy *p = f->p;
	fcat__policy_principal *pr = &p->principals[who];
	f->nroles = 0;
	for (size_t k = 0; k < pr->nroles; k++)
		hold_role(f, who, pr->roles[k].name, NULL);
	for (size_t k = 0; k < pr->ngroups; k++)
		hold_group(f, who, fcat__strmap_get(&p->by_group, pr->groups[k].name));
	for (size_t g = 0; g < p->ngroups; g++)
		for (size_t k = 0; k < p->groups[g].nmembers; k++)
			if (strcmp(p->groups[g].members[k].name, pr->name) == 0)
				hold_group(f, who, &p->groups[g]);
	size_t n = 0;
	for (size_t k = 0; k < f->nroles; k++)
		n += f->roles[k].role->nrules;
	pr->grants = fcat__arena_alloc(&p->arena, (n + 1) * sizeof *pr->grants);
	if (!pr->grants)
		return fcat__error_oom();
	for (size_t k = 0; k < f->nroles; k++)
		for (size_t r = 0; r < f->roles[k].role->nrules; r++)
			pr->grants[pr->ngrants++] =
			    (fcat__policy_grant){&f->roles[k].role->rules[r], f->roles[k].via};
	return 0;
}

/* The rules of group g's roles, each role once, in the group's order. */
static int group_grants(fcat__policy *p, fcat__policy_group *g)
{
	size_t n = 0;
	for (size_t k = 0; k < g->nroles; k++)
		n += ((const fcat__policy_role *)fcat__strmap_get(&p->by_role, g->roles[k].name))
		         ->nrules;
	g->grants = fcat__arena_alloc(&p->arena, (n + 1) * sizeof *g->grants);
	if (!g->grants)
		return fcat__error_oom();
	for (size_t k = 0; k < g->nroles; k++) {
		bool again = false;
		for (size_t j = 0; j < k && !again; j++)
			again = strcmp(g->roles[j].name, g->roles[k].name) == 0;
		const fcat__policy_role *r = fcat__strmap_get(&p->by_role, g->roles[k].name);
		for (size_t i = 0; !again && i < r->nrules; i++)
			g->grants[g->ngrants++] = (fcat__policy_grant){&r->rules[i], g};
	}
	return 0;
}

int fcat__policy_resolve(fcat__policy *p, fcat__buf *errors)
{
	int problems = check_refs(p, errors);
	if (problems)
		return problems;
	flatten f = {
	    .p = p,
	    .role_stamp = calloc(p->nroles + 1, sizeof *f.role_stamp),
	    .group_stamp = calloc(p->ngroups + 1, sizeof *f.group_stamp),
	    .roles = calloc(p->nroles + 1, sizeof *f.roles),
	};
	int rc = 0;
	if (!f.role_stamp || !f.group_stamp || !f.roles)
		rc = fcat__error_oom();
	for (size_t i = 0; rc == 0 && i < p->nprincipals; i++)
		rc = grants(&f, i);
	for (size_t i = 0; rc == 0 && i < p->ngroups; i++)
		rc = group_grants(p, &p->groups[i]);
	free(f.role_stamp);
	free(f.group_stamp);
	free(f.roles);
	return rc;
}
