/* resource.c - action names, resource names and patterns, and globbing. */
#include "policy/policy.h"
#include "util/error.h"

#include <string.h>

static const char *const action_names[FCAT__PA_COUNT] = {
    [FCAT__PA_DESCRIBE] = "describe",
    [FCAT__PA_READ_ONLINE] = "read_online",
    [FCAT__PA_READ_OFFLINE] = "read_offline",
    [FCAT__PA_WRITE] = "write",
    [FCAT__PA_APPLY] = "apply",
    [FCAT__PA_ADMIN] = "admin",
};

int fcat__policy_action_parse(const char *name)
{
	for (int a = 0; a < FCAT__PA_COUNT; a++)
		if (strcmp(name, action_names[a]) == 0)
			return a;
	fcat__error(FCAT_EINVALID,
	            "unknown action '%s' (expected describe, read_online, read_offline, "
	            "write, apply or admin)",
	            name);
	return -1;
}

const char *fcat__policy_action_name(fcat__policy_action a)
{
	return (unsigned)a < FCAT__PA_COUNT ? action_names[a] : "?";
}

static const struct {
	const char *prefix;
	fcat__policy_rkind kind;
	int names;
} shapes[] = {
    {"project", FCAT__PR_PROJECT, 0},
    {"view", FCAT__PR_VIEW, 1},
    {"feature", FCAT__PR_FEATURE, 2},
    {"service", FCAT__PR_SERVICE, 1},
};

static int shape_error(const char *text)
{
	return fcat__error(FCAT_EINVALID,
	                   "resource '%s' must be project, view:NAME, feature:VIEW:NAME or "
	                   "service:NAME",
	                   text);
}

int fcat__policy_resource_parse(fcat__policy_resource *out, const char *text, bool pattern)
{
	memset(out, 0, sizeof *out);
	if (pattern && strcmp(text, "*") == 0) {
		out->kind = FCAT__PR_ANY;
		return 0;
	}
	const char *colon = strchr(text, ':');
	size_t plen = colon ? (size_t)(colon - text) : strlen(text);
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		if (strlen(shapes[i].prefix) != plen || memcmp(text, shapes[i].prefix, plen) != 0)
			continue;
		out->kind = shapes[i].kind;
		const char *p = colon ? colon + 1 : NULL;
		int got = 0;
		while (p && got < 2) {
			const char *next = strchr(p, ':');
			out->name[got] = p;
			out->len[got] = next ? (size_t)(next - p) : strlen(p);
			if (out->len[got] == 0)
				return shape_error(text);
			got++;
			p = next ? next + 1 : NULL;
		}
		if (p || got != shapes[i].names) {
			if (pattern && shapes[i].kind == FCAT__PR_FEATURE && got == 1)
				return fcat__error(FCAT_EINVALID,
				                   "resource '%s' must be feature:VIEW:NAME "
				                   "(every feature: feature:*:*)",
				                   text);
			return shape_error(text);
		}
		return 0;
	}
	return shape_error(text);
}

bool fcat__policy_glob(const char *pat, size_t plen, const char *s, size_t slen)
{
	size_t p = 0, i = 0;
	size_t star = (size_t)-1, mark = 0;
	while (i < slen) {
		if (p < plen && (pat[p] == '?' || pat[p] == s[i])) {
			p++;
			i++;
		} else if (p < plen && pat[p] == '*') {
			star = p++;
			mark = i;
		} else if (star != (size_t)-1) {
			p = star + 1;
			i = ++mark;
		} else {
			return false;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

bool fcat__policy_pattern_match(const fcat__policy_resource *pattern,
                                const fcat__policy_resource *r)
{
	if (pattern->kind == FCAT__PR_ANY)
		return true;
	if (pattern->kind == r->kind) {
		for (int i = 0; i < 2 && pattern->name[i]; i++)
			if (!fcat__policy_glob(pattern->name[i], pattern->len[i], r->name[i],
			                       r->len[i]))
				return false;
		return true;
	}
	/* a view pattern covers the view's features */
	if (pattern->kind == FCAT__PR_VIEW && r->kind == FCAT__PR_FEATURE)
		return fcat__policy_glob(pattern->name[0], pattern->len[0], r->name[0], r->len[0]);
	return false;
}
