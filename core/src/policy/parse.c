/* parse.c - one policy definition file (principals, groups, roles and their
 * rules) read from its YAML tree, every problem named by file:line:column. */
#include "policy/parse.h"
#include "util/error.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

void fcat__policy_problem(fcat__policy_pctx *c, int line, int col, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fcat__buf_printf(c->errors, "%s:%d:%d: %s\n", c->file, line, col, msg);
	c->problems++;
}

#define PROBLEM(c, n, ...) fcat__policy_problem((c), (n)->line, (n)->col, __VA_ARGS__)

static void *alloc(fcat__policy_pctx *c, size_t size)
{
	void *p = fcat__arena_alloc(&c->p->arena, size ? size : 1);
	if (!p)
		c->oom = true;
	return p;
}

const char *fcat__policy_scalar(fcat__policy_pctx *c, const fcat__ynode *n, const char *what)
{
	if (n->kind == FCAT_Y_SCALAR)
		return n->scalar;
	PROBLEM(c, n, "'%s' must be a single value, not %s", what, fcat__ykind_name(n->kind));
	return NULL;
}

bool fcat__policy_keys_ok(fcat__policy_pctx *c, const fcat__ynode *map, const char *what,
                          const char *const *allowed)
{
	bool ok = true;
	for (size_t i = 0; i < map->len; i++) {
		const char *key = map->keys[i]->scalar;
		bool known = false;
		for (size_t k = 0; allowed[k] && !known; k++)
			known = strcmp(key, allowed[k]) == 0;
		if (known)
			continue;
		char list[256] = "";
		for (size_t k = 0; allowed[k]; k++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", k ? ", " : "", allowed[k]);
		}
		PROBLEM(c, map->keys[i], "unknown key '%s' in %s (expected %s)", key, what, list);
		ok = false;
	}
	return ok;
}

/* A name that can be written in a test or a token: no space, no glob. */
static bool name_ok(fcat__policy_pctx *c, const fcat__ynode *n, const char *what)
{
	const char *s = n->scalar;
	bool ok = *s != '\0';
	for (; *s && ok; s++)
		ok = (unsigned char)*s > ' ' && *s != '*' && *s != 0x7f;
	if (!ok)
		PROBLEM(c, n, "%s name '%s' must be non-empty, without spaces or '*'", what,
		        n->scalar);
	return ok;
}

/* The items of a list, or of one value standing for a list of one (*np
 * itself); a problem "'what' must be a list of <of>" for anything else. */
static bool list_items(fcat__policy_pctx *c, const fcat__ynode *const *np, const char *what,
                       const char *of, const fcat__ynode *const **items, size_t *len)
{
	const fcat__ynode *n = *np;
	*items = np;
	*len = 1;
	if (n->kind == FCAT_Y_SEQ) {
		*items = (const fcat__ynode *const *)n->items;
		*len = n->len;
	} else if (n->kind != FCAT_Y_SCALAR) {
		PROBLEM(c, n, "'%s' must be a list of %s", what, of);
		return false;
	}
	return true;
}

/* A list of names, or one name, into references. */
static bool refs(fcat__policy_pctx *c, const fcat__ynode *n, const char *what,
                 fcat__policy_ref **out, size_t *count)
{
	const fcat__ynode *const *items;
	size_t len;
	if (!list_items(c, &n, what, "names", &items, &len))
		return false;
	*out = alloc(c, len * sizeof **out);
	if (!*out)
		return false;
	*count = 0;
	bool ok = true;
	for (size_t i = 0; i < len; i++) {
		const char *s = fcat__policy_scalar(c, items[i], what);
		if (!s) {
			ok = false;
			continue;
		}
		(*out)[(*count)++] = (fcat__policy_ref){
		    .name = s,
		    .loc = {c->file, items[i]->line},
		    .col = items[i]->col,
		};
	}
	return ok;
}

bool fcat__policy_tag_map(fcat__policy_pctx *c, const fcat__ynode *n, const char *what,
                          fcat__tag **out, size_t *count)
{
	if (n->kind != FCAT_Y_MAP) {
		PROBLEM(c, n, "'%s' must be a map of tag: value", what);
		return false;
	}
	*out = alloc(c, n->len * sizeof **out);
	if (!*out)
		return false;
	*count = 0;
	bool ok = true;
	for (size_t i = 0; i < n->len; i++) {
		const char *v = fcat__policy_scalar(c, n->items[i], n->keys[i]->scalar);
		if (!v) {
			ok = false;
			continue;
		}
		(*out)[(*count)++] = (fcat__tag){n->keys[i]->scalar, v};
	}
	return ok;
}

/* Registers a name in one of the set's maps; a second definition is a
 * problem that names the first. */
static bool define(fcat__policy_pctx *c, fcat__strmap *m, const fcat__ynode *at, const char *what,
                   const char *name, void *obj, size_t loc_offset)
{
	void *old = NULL;
	int rc = fcat__strmap_put(m, name, obj, &old);
	if (rc < 0) {
		c->oom = true;
		return false;
	}
	if (rc == 1) {
		const fcat__loc *first = (const fcat__loc *)((const char *)old + loc_offset);
		PROBLEM(c, at, "%s '%s' is defined twice (first at %s:%d)", what, name, first->file,
		        first->line);
		return false;
	}
	return true;
}

/* The name of an item, checked, or NULL after a problem. */
static const char *item_name(fcat__policy_pctx *c, const fcat__ynode *item, const char *what)
{
	const fcat__ynode *n = fcat__ymap_get(item, "name");
	if (!n) {
		PROBLEM(c, item, "a %s needs a 'name'", what);
		return NULL;
	}
	const char *s = fcat__policy_scalar(c, n, "name");
	return s && name_ok(c, n, what) ? s : NULL;
}

static const char *const principal_keys[] = {"name",  "kind",        "groups",
                                             "roles", "description", NULL};

static void principal(fcat__policy_pctx *c, const fcat__ynode *item)
{
	if (!fcat__policy_keys_ok(c, item, "a principal", principal_keys))
		return;
	const char *name = item_name(c, item, "principal");
	if (!name)
		return;
	fcat__policy_principal *pr = &c->p->principals[c->p->nprincipals];
	*pr = (fcat__policy_principal){.name = name, .loc = {c->file, item->line}};
	const fcat__ynode *kind = fcat__ymap_get(item, "kind");
	if (!kind) {
		PROBLEM(c, item, "principal '%s' needs a 'kind' (user or service)", name);
		return;
	}
	const char *k = fcat__policy_scalar(c, kind, "kind");
	if (!k)
		return;
	if (strcmp(k, "service") == 0) {
		pr->service = true;
	} else if (strcmp(k, "user") != 0) {
		PROBLEM(c, kind, "unknown principal kind '%s' (expected user or service)", k);
		return;
	}
	const fcat__ynode *n;
	if ((n = fcat__ymap_get(item, "groups")) &&
	    !refs(c, n, "groups", &pr->groups, &pr->ngroups))
		return;
	if ((n = fcat__ymap_get(item, "roles")) && !refs(c, n, "roles", &pr->roles, &pr->nroles))
		return;
	if (define(c, &c->p->by_principal, item, "principal", name, pr,
	           offsetof(fcat__policy_principal, loc)))
		c->p->nprincipals++;
}

static const char *const group_keys[] = {"name", "roles", "members", "description", NULL};

static void group(fcat__policy_pctx *c, const fcat__ynode *item)
{
	if (!fcat__policy_keys_ok(c, item, "a group", group_keys))
		return;
	const char *name = item_name(c, item, "group");
	if (!name)
		return;
	fcat__policy_group *g = &c->p->groups[c->p->ngroups];
	*g = (fcat__policy_group){.name = name, .loc = {c->file, item->line}};
	const fcat__ynode *n;
	if ((n = fcat__ymap_get(item, "roles")) && !refs(c, n, "roles", &g->roles, &g->nroles))
		return;
	if ((n = fcat__ymap_get(item, "members")) &&
	    !refs(c, n, "members", &g->members, &g->nmembers))
		return;
	if (define(c, &c->p->by_group, item, "group", name, g, offsetof(fcat__policy_group, loc)))
		c->p->ngroups++;
}

static const char *const rule_keys[] = {"allow", "deny", "resources", "tags", "description", NULL};

static bool actions(fcat__policy_pctx *c, const fcat__ynode *n, const char *what, unsigned *out)
{
	const fcat__ynode *const *items;
	size_t len;
	if (!list_items(c, &n, what, "actions", &items, &len))
		return false;
	if (len == 0) {
		PROBLEM(c, n, "'%s' needs at least one action", what);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < len; i++) {
		const char *s = fcat__policy_scalar(c, items[i], "action");
		if (!s) {
			ok = false;
		} else if (strcmp(s, "*") == 0) {
			*out |= (1u << FCAT__PA_COUNT) - 1;
		} else {
			int a = fcat__policy_action_parse(s);
			if (a < 0) {
				PROBLEM(c, items[i], "%s", fcat_error_last());
				ok = false;
			} else {
				*out |= 1u << a;
			}
		}
	}
	return ok;
}

static bool patterns(fcat__policy_pctx *c, const fcat__ynode *n, fcat__policy_rule *r)
{
	const fcat__ynode *const *items;
	size_t len;
	if (!list_items(c, &n, "resources", "resource patterns", &items, &len))
		return false;
	if (len == 0) {
		PROBLEM(c, n, "'resources' needs at least one pattern (every resource: \"*\")");
		return false;
	}
	r->resources = alloc(c, len * sizeof *r->resources);
	if (!r->resources)
		return false;
	bool ok = true;
	for (size_t i = 0; i < len; i++) {
		const char *s = fcat__policy_scalar(c, items[i], "resource");
		if (!s) {
			ok = false;
			continue;
		}
		fcat__policy_pattern *pt = &r->resources[r->nresources];
		if (fcat__policy_resource_parse(&pt->r, s, true)) {
			PROBLEM(c, items[i], "%s", fcat_error_last());
			ok = false;
			continue;
		}
		pt->text = s;
		r->nresources++;
	}
	return ok;
}

static bool rule(fcat__policy_pctx *c, const fcat__ynode *item, fcat__policy_rule *r)
{
	if (item->kind != FCAT_Y_MAP) {
		PROBLEM(c, item, "a rule must be a map (allow or deny, resources, tags)");
		return false;
	}
	if (!fcat__policy_keys_ok(c, item, "a rule", rule_keys))
		return false;
	r->loc = (fcat__loc){c->file, item->line};
	const fcat__ynode *allow = fcat__ymap_get(item, "allow");
	const fcat__ynode *deny = fcat__ymap_get(item, "deny");
	if (allow && deny) {
		PROBLEM(c, item, "a rule has either 'allow' or 'deny', not both");
		return false;
	}
	if (!allow && !deny) {
		PROBLEM(c, item, "a rule needs 'allow' or 'deny' with a list of actions");
		return false;
	}
	r->effect = allow ? FCAT__POLICY_ALLOW : FCAT__POLICY_DENY;
	bool ok = actions(c, allow ? allow : deny, allow ? "allow" : "deny", &r->actions);
	const fcat__ynode *res = fcat__ymap_get(item, "resources");
	const fcat__ynode *tags = fcat__ymap_get(item, "tags");
	if (res && !patterns(c, res, r))
		ok = false;
	if (tags && !fcat__policy_tag_map(c, tags, "tags", &r->tags, &r->ntags)) {
		ok = false;
	} else if (tags && r->ntags == 0) {
		PROBLEM(c, tags, "'tags' needs at least one tag: value");
		ok = false;
	}
	if (!res && !tags) {
		PROBLEM(c, item,
		        "a rule needs 'resources', 'tags' or both "
		        "(every resource: resources: [\"*\"])");
		ok = false;
	}
	return ok;
}

static const char *const role_keys[] = {"name", "rules", "description", NULL};

static void role(fcat__policy_pctx *c, const fcat__ynode *item)
{
	if (!fcat__policy_keys_ok(c, item, "a role", role_keys))
		return;
	const char *name = item_name(c, item, "role");
	if (!name)
		return;
	fcat__policy_role *ro = &c->p->roles[c->p->nroles];
	*ro = (fcat__policy_role){.name = name, .loc = {c->file, item->line}};
	const fcat__ynode *rules = fcat__ymap_get(item, "rules");
	if (!rules) {
		PROBLEM(c, item, "role '%s' needs 'rules'", name);
		return;
	}
	if (rules->kind != FCAT_Y_SEQ) {
		PROBLEM(c, rules, "'rules' must be a list of rules");
		return;
	}
	ro->rules = alloc(c, rules->len * sizeof *ro->rules);
	if (!ro->rules)
		return;
	bool ok = true;
	for (size_t i = 0; i < rules->len; i++) {
		fcat__policy_rule *r = &ro->rules[ro->nrules];
		if (!rule(c, rules->items[i], r)) {
			ok = false;
			continue;
		}
		r->role = ro;
		r->index = ++ro->nrules;
	}
	if (ok &&
	    define(c, &c->p->by_role, item, "role", name, ro, offsetof(fcat__policy_role, loc))) {
		c->p->nroles++;
		c->p->nrules += ro->nrules;
	}
}

static const struct {
	const char *key;
	const char *what;
	void (*read)(fcat__policy_pctx *c, const fcat__ynode *item);
} sections[] = {
    {"principals", "a principal", principal},
    {"groups", "a group", group},
    {"roles", "a role", role},
};

void fcat__policy_parse_defs(fcat__policy_pctx *c, const fcat__ynode *root)
{
	if (root->kind != FCAT_Y_MAP) {
		PROBLEM(c, root, "the top level must be a map (principals, groups, roles)");
		return;
	}
	static const char *const top_keys[] = {"principals", "groups", "roles", "description",
	                                       NULL};
	fcat__policy_keys_ok(c, root, "a policy file", top_keys);
	for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
		const fcat__ynode *list = fcat__ymap_get(root, sections[s].key);
		if (!list)
			continue;
		if (list->kind != FCAT_Y_SEQ) {
			PROBLEM(c, list, "'%s' must be a list", sections[s].key);
			continue;
		}
		for (size_t i = 0; i < list->len && !c->oom; i++) {
			const fcat__ynode *item = list->items[i];
			if (item->kind != FCAT_Y_MAP) {
				PROBLEM(c, item, "%s must be a map with a 'name'",
				        sections[s].what);
				continue;
			}
			sections[s].read(c, item);
		}
	}
}
