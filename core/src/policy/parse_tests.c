/* parse_tests.c - one policy test file: cases of (principal, action,
 * resource, tags) and the decision expected for each. */
#include "policy/parse.h"
#include "util/error.h"

#include <string.h>

#define PROBLEM(c, n, ...) fcat__policy_problem((c), (n)->line, (n)->col, __VA_ARGS__)

static const char *const case_keys[] = {"name", "principal", "action",      "resource",
                                        "tags", "expect",    "description", NULL};

/* A required scalar key of a case, or NULL after a problem. */
static const char *need(fcat__policy_pctx *c, const fcat__ynode *item, const char *key,
                        const fcat__ynode **node)
{
	*node = fcat__ymap_get(item, key);
	if (!*node) {
		PROBLEM(c, item, "a test case needs '%s'", key);
		return NULL;
	}
	return fcat__policy_scalar(c, *node, key);
}

static void test_case(fcat__policy_pctx *c, const fcat__ynode *item)
{
	if (item->kind != FCAT_Y_MAP) {
		PROBLEM(c, item, "a test case must be a map (principal, action, resource, expect)");
		return;
	}
	if (!fcat__policy_keys_ok(c, item, "a test case", case_keys))
		return;
	fcat__policy_test *t = &c->p->tests[c->p->ntests];
	*t = (fcat__policy_test){.name = "", .loc = {c->file, item->line}};
	const fcat__ynode *n;
	if ((n = fcat__ymap_get(item, "name")) && !(t->name = fcat__policy_scalar(c, n, "name")))
		return;
	t->principal = need(c, item, "principal", &n);
	const char *action = need(c, item, "action", &n);
	if (action) {
		int a = fcat__policy_action_parse(action);
		if (a < 0) {
			PROBLEM(c, n, "%s", fcat_error_last());
			return;
		}
		t->action = (fcat__policy_action)a;
	}
	t->resource = need(c, item, "resource", &n);
	if (t->resource) {
		fcat__policy_resource r;
		if (fcat__policy_resource_parse(&r, t->resource, false)) {
			PROBLEM(c, n, "%s", fcat_error_last());
			return;
		}
	}
	const char *expect = need(c, item, "expect", &n);
	if (expect) {
		if (strcmp(expect, "allow") == 0) {
			t->expect = FCAT__POLICY_ALLOW;
		} else if (strcmp(expect, "deny") == 0) {
			t->expect = FCAT__POLICY_DENY;
		} else {
			PROBLEM(c, n, "'expect' must be allow or deny, not '%s'", expect);
			return;
		}
	}
	if ((n = fcat__ymap_get(item, "tags")) &&
	    !fcat__policy_tag_map(c, n, "tags", &t->tags, &t->ntags))
		return;
	if (t->principal && action && t->resource && expect)
		c->p->ntests++;
}

void fcat__policy_parse_tests(fcat__policy_pctx *c, const fcat__ynode *root)
{
	if (root->kind != FCAT_Y_MAP) {
		PROBLEM(c, root, "the top level of a test file must be a map with 'tests'");
		return;
	}
	static const char *const top_keys[] = {"tests", "description", NULL};
	fcat__policy_keys_ok(c, root, "a policy test file", top_keys);
	const fcat__ynode *list = fcat__ymap_get(root, "tests");
	if (!list)
		return;
	if (list->kind != FCAT_Y_SEQ) {
		PROBLEM(c, list, "'tests' must be a list of test cases");
		return;
	}
	for (size_t i = 0; i < list->len && !c->oom; i++)
		test_case(c, list->items[i]);
}
