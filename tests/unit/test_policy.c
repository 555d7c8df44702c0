/* test_policy.c - the policy engine: default deny, deny beats allow, globs,
 * tags, groups, explain, the test-case runner and the decision cache
 * (signed policy sets: test_policy_signatures.c). The line numbers the
 * tests expect are those of TEAM in tests/support/policy_fixture.c. */
#include "testutil.h"
#include "policy_fixture.h"

#include "policy/policy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fcat__tag PII[] = {{"owner", "growth"}, {"pii", "true"}};
static const fcat__tag NOT_PII[] = {{"pii", "false"}};

static fcat__policy *load_pairs(const char *const *pairs)
{
	size_t n;
	fcat__def_file *f = files_of(&n, pairs);
	fcat__policy *p = NULL;
	int rc = fcat__policy_load(&p, f, n);
	files_free(f, n);
	if (rc)
		fail_msg("unexpected error: %s", fcat_error_last());
	return p;
}

static fcat__policy *load_team(void)
{
	return load_pairs((const char *const[]){"policies/team.yaml", TEAM, NULL});
}

/* Loading must fail, and the report must hold every expected line. */
static void expect_errors(const char *const *pairs, const char *const *messages)
{
	size_t n;
	fcat__def_file *f = files_of(&n, pairs);
	fcat__policy *p = (fcat__policy *)1;
	assert_int_equal(fcat__policy_load(&p, f, n), FCAT_EINVALID);
	files_free(f, n);
	assert_null(p);
	for (size_t i = 0; messages[i]; i++)
		if (!strstr(fcat_error_last(), messages[i]))
			fail_msg("expected '%s' in:\n%s", messages[i], fcat_error_last());
}

static int allowed(const fcat__policy *p, const char *who, fcat__policy_action a,
                   const char *resource, const fcat__tag *tags, size_t ntags)
{
	int got = fcat__policy_eval(p, FCAT__CALLER(who), a, resource, tags, ntags, NULL);
	assert_true(got == 0 || got == 1);
	/* the cached path agrees, asked twice */
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER(who), a, resource, tags, ntags, NULL),
	                 got);
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER(who), a, resource, tags, ntags, NULL),
	                 got);
	return got;
}

static char *explain(const fcat__policy *p, const char *who, fcat__policy_action a,
                     const char *resource, const fcat__tag *tags, size_t ntags)
{
	fcat__policy_decision d;
	assert_int_equal(fcat__policy_decide(&d, p, FCAT__CALLER(who), a, resource, tags, ntags),
	                 0);
	fcat__buf b = {0};
	fcat__policy_explain_text(&b, &d);
	fcat__policy_decision_free(&d);
	return fcat__buf_detach(&b);
}

static void expect_in(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("expected '%s' in:\n%s", part, text);
}

static void test_policy__default_deny(void **state)
{
	(void)state;
	fcat__policy *empty = NULL;
	assert_int_equal(fcat__policy_load(&empty, NULL, 0), 0);
	assert_int_equal(allowed(empty, "alice", FCAT__PA_DESCRIBE, "project", NULL, 0), 0);
	fcat__policy_free(empty);

	fcat__policy *p = load_team();
	/* alice is known, but nothing grants her apply or writes */
	assert_int_equal(allowed(p, "alice", FCAT__PA_APPLY, "project", NULL, 0), 0);
	assert_int_equal(allowed(p, "alice", FCAT__PA_WRITE, "view:user_profile", NULL, 0), 0);
	assert_int_equal(allowed(p, "alice", FCAT__PA_READ_ONLINE, "view:user_profile", NULL, 0),
	                 0);
	fcat__policy_decision d;
	assert_int_equal(
	    fcat__policy_decide(&d, p, FCAT__CALLER("alice"), FCAT__PA_APPLY, "project", NULL, 0),
	    0);
	assert_int_equal(d.effect, FCAT__POLICY_DENY);
	assert_int_equal(d.why, FCAT__WHY_NO_RULE);
	assert_null(d.deciding);
	assert_int_equal(d.nmatches, 0);
	fcat__policy_decision_free(&d);
	char *text = explain(p, "alice", FCAT__PA_APPLY, "project", NULL, 0);
	expect_in(text, "deny: alice may not apply project\n");
	expect_in(text, "no rule matches: denied by default");
	free(text);
	assert_int_equal(
	    fcat__policy_require(p, FCAT__CALLER("alice"), FCAT__PA_APPLY, "project", NULL, 0),
	    FCAT_EDENIED);
	expect_in(fcat_error_last(), "policy denies alice apply on project (no rule allows it");
	fcat__policy_free(p);
}

static void test_policy__allow_rule_grants_the_action(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	assert_int_equal(allowed(p, "alice", FCAT__PA_READ_OFFLINE, "view:user_profile", NULL, 0),
	                 1);
	assert_int_equal(allowed(p, "alice", FCAT__PA_DESCRIBE, "feature:orders:total", NULL, 0),
	                 1);
	assert_int_equal(fcat__policy_require(p, FCAT__CALLER("alice"), FCAT__PA_DESCRIBE,
	                                      "view:orders", NULL, 0),
	                 0);
	const fcat__policy_rule *r = NULL;
	assert_int_equal(fcat__policy_eval(p, FCAT__CALLER("alice"), FCAT__PA_READ_OFFLINE,
	                                   "view:orders", NULL, 0, &r),
	                 1);
	assert_non_null(r);
	assert_string_equal(r->loc.file, "policies/team.yaml");
	assert_int_equal(r->loc.line, 15);
	assert_int_equal(r->effect, FCAT__POLICY_ALLOW);
	fcat__policy_free(p);
}

static void test_policy__deny_beats_allow(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	/* the scientist's allow on feature:*:* and deny on pii both match */
	assert_int_equal(
	    allowed(p, "alice", FCAT__PA_READ_OFFLINE, "feature:user_profile:email", PII, 2), 0);
	assert_int_equal(
	    allowed(p, "alice", FCAT__PA_READ_OFFLINE, "feature:user_profile:age", NOT_PII, 1), 1);
	fcat__policy_decision d;
	assert_int_equal(fcat__policy_decide(&d, p, FCAT__CALLER("alice"), FCAT__PA_READ_OFFLINE,
	                                     "feature:user_profile:email", PII, 2),
	                 0);
	assert_int_equal(d.effect, FCAT__POLICY_DENY);
	assert_int_equal(d.why, FCAT__WHY_DENIED);
	assert_int_equal(d.nmatches, 2);
	assert_int_equal(d.deciding->rule->loc.line, 17);
	fcat__policy_decision_free(&d);

	/* the deny wins wherever it is written: here in a later file */
	fcat__policy *q = load_pairs((const char *const[]){
	    "policies/a.yaml",
	    "principals: [{name: dan, kind: user, roles: [r1, r2]}]\n"
	    "roles:\n"
	    "  - {name: r1, rules: [{allow: [read_online], resources: [\"*\"]}]}\n",
	    "policies/b.yaml",
	    "roles:\n"
	    "  - {name: r2, rules: [{deny: [read_online], resources: [\"view:secret\"]}]}\n",
	    NULL});
	assert_int_equal(allowed(q, "dan", FCAT__PA_READ_ONLINE, "view:public", NULL, 0), 1);
	assert_int_equal(allowed(q, "dan", FCAT__PA_READ_ONLINE, "view:secret", NULL, 0), 0);
	assert_int_equal(allowed(q, "dan", FCAT__PA_READ_ONLINE, "feature:secret:x", NULL, 0), 0);
	assert_int_equal(fcat__policy_require(q, FCAT__CALLER("dan"), FCAT__PA_READ_ONLINE,
	                                      "view:secret", NULL, 0),
	                 FCAT_EDENIED);
	expect_in(fcat_error_last(), "policy denies dan read_online on view:secret "
	                             "(deny rule 1 of role r2 at policies/b.yaml:2)");
	fcat__policy_free(q);
	fcat__policy_free(p);
}

static void test_policy__globs_match_names(void **state)
{
	(void)state;
	assert_true(fcat__policy_glob("user_*", 6, "user_profile", 12));
	assert_true(fcat__policy_glob("*", 1, "", 0));
	assert_true(fcat__policy_glob("a*b*c", 5, "aXXbYYc", 7));
	assert_false(fcat__policy_glob("a*b*c", 5, "aXXbYY", 6));
	assert_true(fcat__policy_glob("total_?", 7, "total_7", 7));
	assert_false(fcat__policy_glob("total_?", 7, "total_77", 8));

	fcat__policy *p = load_team();
	const char *svc = "ranking-service";
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "view:user_profile", NULL, 0), 1);
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "view:orders", NULL, 0), 0);
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "service:ranking_v2", NULL, 0), 1);
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "service:search", NULL, 0), 0);
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "feature:orders:total_7", NULL, 0),
	                 1);
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "feature:orders:total_30", NULL, 0),
	                 0);
	/* a view rule covers the view's features */
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "feature:user_profile:age", NULL, 0),
	                 1);
	/* but a view pattern does not match a service of the same name */
	assert_int_equal(allowed(p, svc, FCAT__PA_READ_ONLINE, "service:user_x", NULL, 0), 0);
	/* "*" matches every kind, the project included */
	assert_int_equal(allowed(p, "carol", FCAT__PA_WRITE, "project", NULL, 0), 1);
	assert_int_equal(allowed(p, "carol", FCAT__PA_ADMIN, "project", NULL, 0), 0);
	assert_int_equal(allowed(p, "carol", FCAT__PA_ADMIN, "service:x", NULL, 0), 1);
	fcat__policy_free(p);
}

static void test_policy__tag_rules_select_resources_by_tag(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	/* bob holds only pii-reader: features tagged pii=true, offline */
	assert_int_equal(
	    allowed(p, "bob", FCAT__PA_READ_OFFLINE, "feature:user_profile:email", PII, 2), 1);
	assert_int_equal(
	    allowed(p, "bob", FCAT__PA_READ_OFFLINE, "feature:user_profile:age", NOT_PII, 1), 0);
	assert_int_equal(
	    allowed(p, "bob", FCAT__PA_READ_OFFLINE, "feature:user_profile:age", NULL, 0), 0);
	assert_int_equal(
	    allowed(p, "bob", FCAT__PA_READ_ONLINE, "feature:user_profile:email", PII, 2), 0);

	/* a selector value may be a glob; several tags must all match */
	fcat__policy *q =
	    load_pairs((const char *const[]){"policies/tags.yaml",
	                                     "principals: [{name: eve, kind: user, roles: [r]}]\n"
	                                     "roles:\n"
	                                     "  - name: r\n"
	                                     "    rules:\n"
	                                     "      - allow: [describe]\n"
	                                     "        resources: [\"feature:*:*\"]\n"
	                                     "        tags: { owner: \"*\", tier: gold }\n",
	                                     NULL});
	const fcat__tag gold[] = {{"owner", "growth"}, {"tier", "gold"}};
	const fcat__tag silver[] = {{"owner", "growth"}, {"tier", "silver"}};
	const fcat__tag no_owner[] = {{"tier", "gold"}};
	assert_int_equal(allowed(q, "eve", FCAT__PA_DESCRIBE, "feature:v:f", gold, 2), 1);
	assert_int_equal(allowed(q, "eve", FCAT__PA_DESCRIBE, "feature:v:f", silver, 2), 0);
	assert_int_equal(allowed(q, "eve", FCAT__PA_DESCRIBE, "feature:v:f", no_owner, 1), 0);
	/* resources and tags both apply */
	assert_int_equal(allowed(q, "eve", FCAT__PA_DESCRIBE, "view:v", gold, 2), 0);
	fcat__policy_free(q);
	fcat__policy_free(p);
}

static void test_policy__groups_give_their_roles_to_members(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	/* alice through her own groups: list; bob through the group's members */
	char *text = explain(p, "alice", FCAT__PA_READ_OFFLINE, "view:user_profile", NULL, 0);
	expect_in(text, "(via group data-science)");
	free(text);
	text = explain(p, "bob", FCAT__PA_READ_OFFLINE, "feature:user_profile:email", PII, 2);
	expect_in(text, "allow: bob may read_offline feature:user_profile:email\n");
	expect_in(text, "role pii-reader rule 1 (via group pii-readers)");
	free(text);
	/* carol holds her role directly */
	text = explain(p, "carol", FCAT__PA_DESCRIBE, "view:orders", NULL, 0);
	expect_in(text, "  allow  policies/team.yaml:30  role auditor rule 1: allow * on *\n");
	free(text);
	/* roles are not shared across groups: the service is no scientist */
	assert_int_equal(
	    allowed(p, "ranking-service", FCAT__PA_READ_OFFLINE, "view:user_profile", NULL, 0), 0);
	const fcat__policy_principal *svc = fcat__strmap_get(&p->by_principal, "ranking-service");
	assert_non_null(svc);
	assert_true(svc->service);
	assert_int_equal(svc->ngrants, 1);
	fcat__policy_free(p);
}

static void test_policy__unknown_principal_is_denied(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	assert_int_equal(allowed(p, "mallory", FCAT__PA_DESCRIBE, "project", NULL, 0), 0);
	fcat__policy_decision d;
	assert_int_equal(fcat__policy_decide(&d, p, FCAT__CALLER("mallory"), FCAT__PA_DESCRIBE,
	                                     "project", NULL, 0),
	                 0);
	assert_int_equal(d.effect, FCAT__POLICY_DENY);
	assert_int_equal(d.why, FCAT__WHY_UNKNOWN_PRINCIPAL);
	fcat__policy_decision_free(&d);
	char *text = explain(p, "mallory", FCAT__PA_DESCRIBE, "project", NULL, 0);
	expect_in(text, "'mallory' is not a known principal: denied by default");
	free(text);
	assert_int_equal(
	    fcat__policy_require(p, FCAT__CALLER("mallory"), FCAT__PA_DESCRIBE, "project", NULL, 0),
	    FCAT_EDENIED);
	expect_in(fcat_error_last(), "unknown principal");
	fcat__policy_free(p);
}

static void test_policy__unknown_action_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(fcat__policy_action_parse("read_online"), FCAT__PA_READ_ONLINE);
	assert_int_equal(fcat__policy_action_parse("admin"), FCAT__PA_ADMIN);
	assert_int_equal(fcat__policy_action_parse("frobnicate"), -1);
	expect_in(fcat_error_last(), "unknown action 'frobnicate' (expected describe, read_online");
	fcat__policy *p = load_team();
	fcat__policy_decision d;
	assert_int_equal(fcat__policy_decide(&d, p, FCAT__CALLER("alice"), (fcat__policy_action)42,
	                                     "project", NULL, 0),
	                 FCAT_EUSAGE);
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("alice"), (fcat__policy_action)42,
	                                      "project", NULL, 0, NULL),
	                 FCAT_EUSAGE);
	fcat__policy_free(p);
	/* in a rule and in a test case, with file:line:column */
	expect_errors(
	    (const char *const[]){
	        "policies/r.yaml",
	        "roles:\n"
	        "  - name: r\n"
	        "    rules:\n"
	        "      - allow: [read_offline, raed_online]\n"
	        "        resources: [\"*\"]\n",
	        "policies/tests/r_test.yaml",
	        "tests:\n"
	        "  - { principal: a, action: fly, resource: project, expect: deny }\n",
	        NULL},
	    (const char *const[]){"policies/r.yaml:4:31: unknown action 'raed_online'",
	                          "policies/tests/r_test.yaml:2:29: unknown action 'fly'", NULL});
}

static void test_policy__malformed_resource_is_an_error(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	fcat__policy_decision d;
	assert_int_equal(fcat__policy_decide(&d, p, FCAT__CALLER("alice"), FCAT__PA_DESCRIBE,
	                                     "table:x", NULL, 0),
	                 FCAT_EINVALID);
	expect_in(fcat_error_last(), "resource 'table:x' must be project, view:NAME");
	assert_int_equal(fcat__policy_eval(p, FCAT__CALLER("alice"), FCAT__PA_DESCRIBE, "feature:v",
	                                   NULL, 0, NULL),
	                 FCAT_EINVALID);
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("alice"), FCAT__PA_DESCRIBE,
	                                      "view:", NULL, 0, NULL),
	                 FCAT_EINVALID);
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("alice"), FCAT__PA_DESCRIBE,
	                                      "view:a:b", NULL, 0, NULL),
	                 FCAT_EINVALID);
	fcat__policy_free(p);
}

/* A policy file is what a feature author commits: an alias bomb in one
 * (nine levels of ten aliases, 10^9 values from 450 bytes) is a problem
 * named in the file, not gigabytes allocated by every process that loads
 * the policies. */
static void test_policy__an_alias_bomb_is_refused_not_expanded(void **state)
{
	(void)state;
	char text[1024];
	int n = snprintf(text, sizeof text, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 9; i++) {
		n += snprintf(text + n, sizeof text - (size_t)n, "a%d: &a%d [", i, i);
		for (int k = 0; k < 10; k++)
			n += snprintf(text + n, sizeof text - (size_t)n, "%s*a%d", k ? ", " : "",
			              i - 1);
		n += snprintf(text + n, sizeof text - (size_t)n, "]\n");
	}
	expect_errors((const char *const[]){"policies/bomb.yaml", text, NULL},
	              (const char *const[]){
	                  "policies/bomb.yaml:", "aliases expand the document to more than", NULL});
}

static void test_policy__malformed_files_name_file_line_and_column(void **state)
{
	(void)state;
	/* a YAML syntax error */
	expect_errors((const char *const[]){"policies/bad.yaml", "roles:\n  - name: [r\n", NULL},
	              (const char *const[]){"policies/bad.yaml:3:", NULL});
	/* several problems, all reported at once, in several files */
	expect_errors(
	    (const char *const[]){
	        "policies/a.yaml",
	        "principals:\n"
	        "  - { name: alice, kind: robot }\n"
	        "  - { name: bob, kind: user, grups: [x] }\n"
	        "rols: []\n"
	        "roles:\n"
	        "  - name: r\n"
	        "    rules:\n"
	        "      - { allow: [describe], deny: [describe], resources: [\"*\"] }\n"
	        "      - { allow: [describe] }\n"
	        "      - { allow: [describe], resources: [\"feature:*\"] }\n"
	        "      - { allow: [describe], resources: [\"table:x\"] }\n"
	        "      - { allow: [describe], tags: [pii] }\n"
	        "  - { name: \"bad name\", rules: [] }\n"
	        "  - { name: t, rules: [{ deny: [describe], tags: {} }] }\n",
	        "policies/b.yaml", "- just\n- a list\n", NULL},
	    (const char *const[]){
	        "policies/a.yaml:2:26: unknown principal kind 'robot' (expected user or "
	        "service)",
	        "policies/a.yaml:3:30: unknown key 'grups' in a principal (expected name, kind, "
	        "groups, roles, description)",
	        "policies/a.yaml:4:1: unknown key 'rols' in a policy file",
	        "policies/a.yaml:8:9: a rule has either 'allow' or 'deny', not both",
	        "policies/a.yaml:9:9: a rule needs 'resources', 'tags' or both",
	        "policies/a.yaml:10:42: resource 'feature:*' must be feature:VIEW:NAME "
	        "(every feature: feature:*:*)",
	        "policies/a.yaml:11:42: resource 'table:x' must be project, view:NAME, "
	        "feature:VIEW:NAME or service:NAME",
	        "policies/a.yaml:12:36: 'tags' must be a map of tag: value",
	        "policies/a.yaml:13:13: role name 'bad name' must be non-empty",
	        "policies/a.yaml:14:50: 'tags' needs at least one tag: value",
	        "policies/b.yaml:1:1: the top level must be a map", NULL});
	/* names are resolved across files; unknown ones are named where used */
	expect_errors(
	    (const char *const[]){
	        "policies/a.yaml",
	        "principals:\n"
	        "  - { name: alice, kind: user, groups: [ds, nope], roles: [ghost] }\n"
	        "groups:\n"
	        "  - { name: ds, roles: [r], members: [alice, zed] }\n",
	        "policies/b.yaml",
	        "roles:\n"
	        "  - { name: r, rules: [{ allow: [describe], resources: [\"*\"] }] }\n",
	        NULL},
	    (const char *const[]){
	        "policies/a.yaml:2:45: principal 'alice' names unknown group 'nope'",
	        "policies/a.yaml:2:60: principal 'alice' names unknown role 'ghost'",
	        "policies/a.yaml:4:46: group 'ds' names unknown principal 'zed'", NULL});
	/* a name defined twice names the first definition */
	expect_errors(
	    (const char *const[]){
	        "policies/a.yaml",
	        "roles:\n  - { name: r, rules: [{ allow: [describe], tags: {a: b} }] }\n",
	        "policies/b.yaml",
	        "\nroles:\n  - { name: r, rules: [{ deny: [describe], tags: {a: b} }] }\n", NULL},
	    (const char *const[]){"policies/b.yaml:3:5: role 'r' is defined twice (first "
	                          "at policies/a.yaml:2)",
	                          NULL});
	/* a test case with a bad expectation */
	expect_errors(
	    (const char *const[]){
	        "policies/tests/t.yaml",
	        "tests:\n"
	        "  - { principal: a, action: describe, resource: project, expect: yes }\n"
	        "  - { principal: a, action: describe, resource: \"view:*:x\", "
	        "expect: deny }\n"
	        "  - { principal: a, resource: project, expect: deny }\n",
	        NULL},
	    (const char *const[]){
	        "policies/tests/t.yaml:2:66: 'expect' must be allow or deny, not 'yes'",
	        "policies/tests/t.yaml:3:49: resource 'view:*:x' must be project",
	        "policies/tests/t.yaml:4:5: a test case needs 'action'", NULL});
}

static void test_policy__explain_lists_each_matching_rule_with_file_and_line(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	char *text =
	    explain(p, "alice", FCAT__PA_READ_OFFLINE, "feature:user_profile:email", PII, 2);
	assert_string_equal(
	    text,
	    "deny: alice may not read_offline feature:user_profile:email\n"
	    "  allow  policies/team.yaml:15  role scientist rule 1 (via group data-science): "
	    "allow describe, read_offline on view:*, feature:*:*\n"
	    "  deny   policies/team.yaml:17  role scientist rule 2 (via group data-science): "
	    "deny read_online, read_offline with tags pii=true\n"
	    "denied by deny rule 2 of role scientist at policies/team.yaml:17; an explicit deny "
	    "beats every allow\n");
	free(text);
	text = explain(p, "alice", FCAT__PA_DESCRIBE, "view:orders", NULL, 0);
	expect_in(text, "allowed by allow rule 1 of role scientist at policies/team.yaml:15; no "
	                "rule denies\n");
	free(text);
	fcat__policy_free(p);
}

static void test_policy__test_runner_reports_a_failing_case(void **state)
{
	(void)state;
	fcat__policy *p = load_pairs(
	    (const char *const[]){"policies/team.yaml", TEAM, "policies/tests/team_test.yaml",
	                          TEAM_TESTS, "policies/README.md", "not yaml: [", NULL});
	assert_int_equal(p->ntests, 3);
	assert_int_equal(p->nfiles, 1);
	fcat__buf report = {0};
	assert_int_equal(fcat__policy_run_tests(&report, p), 1);
	expect_in(report.ptr, "ok   policies/tests/team_test.yaml:2 alice reads offline: alice "
	                      "read_offline feature:user_profile:age -> allow\n");
	expect_in(report.ptr, "FAIL policies/tests/team_test.yaml:7 alice reads pii online: alice "
	                      "read_online feature:user_profile:email -> deny, expected allow\n");
	expect_in(report.ptr, "       deny   policies/team.yaml:17  role scientist rule 2");
	expect_in(report.ptr, "ok   policies/tests/team_test.yaml:13: mallory describe project -> "
	                      "deny\n");
	expect_in(report.ptr, "3 tests, 1 failed\n");
	fcat__buf_free(&report);
	fcat__policy_free(p);

	/* all passing: 0 failures */
	p = load_pairs((const char *const[]){"policies/team.yaml", TEAM, "policies/x_test.yaml",
	                                     "tests:\n  - { principal: carol, action: write, "
	                                     "resource: \"view:a\", expect: allow }\n",
	                                     NULL});
	assert_int_equal(fcat__policy_run_tests(&report, p), 0);
	expect_in(report.ptr, "1 test, 0 failed\n");
	fcat__buf_free(&report);
	fcat__policy_free(p);
}

static void test_policy__vouched_groups_add_their_roles_and_keep_denies(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	const char *serving[] = {"serving"}, *unknown[] = {"nobody"};
	const char *both[] = {"nobody", "serving"}, *pii[] = {"pii-readers"};
	fcat__caller dave = {"dave", serving, 1}, dave_unknown = {"dave", unknown, 1};
	fcat__caller dave_both = {"dave", both, 2}, alice_pii = {"alice", pii, 1};
	/* a name the policies do not know reads through a group they do */
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("dave"), FCAT__PA_READ_ONLINE,
	                                      "view:user_stats", NULL, 0, NULL),
	                 0);
	assert_int_equal(
	    fcat__policy_allowed(p, &dave, FCAT__PA_READ_ONLINE, "view:user_stats", NULL, 0, NULL),
	    1);
	assert_int_equal(fcat__policy_allowed(p, &dave_both, FCAT__PA_READ_ONLINE,
	                                      "view:user_stats", NULL, 0, NULL),
	                 1);
	/* an undeclared group gives nothing; the group's rules still bound it */
	assert_int_equal(fcat__policy_allowed(p, &dave_unknown, FCAT__PA_READ_ONLINE,
	                                      "view:user_stats", NULL, 0, NULL),
	                 0);
	assert_int_equal(
	    fcat__policy_allowed(p, &dave, FCAT__PA_READ_ONLINE, "view:orders", NULL, 0, NULL), 0);
	/* a vouched-for group adds an allow, and alice's deny on pii still wins */
	assert_int_equal(fcat__policy_allowed(p, &alice_pii, FCAT__PA_READ_OFFLINE,
	                                      "feature:user_profile:email", PII, 2, NULL),
	                 0);
	/* explain says who with which groups, and why */
	fcat__policy_decision d;
	assert_int_equal(
	    fcat__policy_decide(&d, p, &dave, FCAT__PA_READ_ONLINE, "view:user_stats", NULL, 0), 0);
	assert_int_equal(d.effect, FCAT__POLICY_ALLOW);
	assert_string_equal(d.principal, "dave (groups serving)");
	assert_string_equal(d.deciding->via->name, "serving");
	fcat__policy_decision_free(&d);
	assert_int_equal(fcat__policy_decide(&d, p, &dave_unknown, FCAT__PA_READ_ONLINE,
	                                     "view:user_stats", NULL, 0),
	                 0);
	assert_int_equal(d.why, FCAT__WHY_UNKNOWN_PRINCIPAL);
	fcat__policy_decision_free(&d);
	/* bob is in pii-readers by the policies: vouching for it again counts
	 * each rule once */
	fcat__caller bob_pii = {"bob", pii, 1};
	assert_int_equal(fcat__policy_decide(&d, p, &bob_pii, FCAT__PA_READ_OFFLINE,
	                                     "feature:user_profile:email", PII, 2),
	                 0);
	for (size_t i = 0; i < d.nmatches; i++)
		for (size_t k = 0; k < i; k++)
			assert_ptr_not_equal(d.matches[i]->rule, d.matches[k]->rule);
	fcat__policy_decision_free(&d);
	fcat__policy_free(p);
}

static void test_policy__file_kinds(void **state)
{
	(void)state;
	assert_int_equal(fcat__policy_file_kind_of("policies/pii.yaml"), FCAT__PF_POLICY);
	assert_int_equal(fcat__policy_file_kind_of("policies/team/pii.yml"), FCAT__PF_POLICY);
	assert_int_equal(fcat__policy_file_kind_of("policies/tests/pii.yaml"), FCAT__PF_TEST);
	assert_int_equal(fcat__policy_file_kind_of("policies/pii_test.yaml"), FCAT__PF_TEST);
	assert_int_equal(fcat__policy_file_kind_of("policies/mytests/pii.yaml"), FCAT__PF_POLICY);
	assert_int_equal(fcat__policy_file_kind_of("policies/SIGNATURE"), FCAT__PF_SIGNATURE);
	assert_int_equal(fcat__policy_file_kind_of("policies/README.md"), FCAT__PF_OTHER);
}

static void test_policy__cached_decisions_match_uncached(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	size_t hits0, misses0, hits, misses;
	fcat__policy_cache_stats(p->cache, &hits0, &misses0);
	const fcat__policy_rule *r = NULL;
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("alice"), FCAT__PA_READ_OFFLINE,
	                                      "feature:user_profile:email", PII, 2, &r),
	                 0);
	assert_int_equal(r->loc.line, 17);
	r = NULL;
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("alice"), FCAT__PA_READ_OFFLINE,
	                                      "feature:user_profile:email", PII, 2, &r),
	                 0);
	assert_non_null(r);
	assert_int_equal(r->loc.line, 17);
	fcat__policy_cache_stats(p->cache, &hits, &misses);
	assert_int_equal(hits - hits0, 1);
	assert_int_equal(misses - misses0, 1);
	/* the tags are part of the key: the same feature without pii differs */
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("alice"), FCAT__PA_READ_OFFLINE,
	                                      "feature:user_profile:email", NOT_PII, 1, &r),
	                 1);
	assert_int_equal(r->loc.line, 15);
	/* so is the action, and the principal */
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("alice"), FCAT__PA_DESCRIBE,
	                                      "feature:user_profile:email", PII, 2, NULL),
	                 1);
	assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("bob"), FCAT__PA_READ_OFFLINE,
	                                      "feature:user_profile:email", PII, 2, NULL),
	                 1);
	/* many distinct requests: the cache empties stripes, answers stay right */
	for (int i = 0; i < 20000; i++) {
		char res[64];
		snprintf(res, sizeof res, "feature:v%d:f", i);
		assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("bob"), FCAT__PA_READ_OFFLINE,
		                                      res, PII, 2, NULL),
		                 1);
		assert_int_equal(fcat__policy_allowed(p, FCAT__CALLER("bob"), FCAT__PA_READ_OFFLINE,
		                                      res, NULL, 0, NULL),
		                 0);
	}
	fcat__policy_free(p);
}

typedef struct hammer {
	const fcat__policy *p;
	int id, failures;
} hammer;

static void *hammer_run(void *arg)
{
	hammer *h = arg;
	for (int i = 0; i < 20000; i++) {
		char res[64];
		snprintf(res, sizeof res, "feature:v%d:f", (i * 7 + h->id) % 500);
		bool pii = (i + h->id) % 2;
		int want = pii ? 0 : 1;
		int got = fcat__policy_allowed(h->p, FCAT__CALLER("alice"), FCAT__PA_READ_OFFLINE,
		                               res, pii ? PII : NOT_PII, pii ? 2 : 1, NULL);
		h->failures += got != want;
	}
	return NULL;
}

static void test_policy__cache_is_shared_by_threads(void **state)
{
	(void)state;
	fcat__policy *p = load_team();
	pthread_t t[4];
	hammer h[4];
	for (int i = 0; i < 4; i++) {
		h[i] = (hammer){p, i, 0};
		assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(h[i].failures, 0);
	}
	fcat__policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy__default_deny),
	    cmocka_unit_test(test_policy__allow_rule_grants_the_action),
	    cmocka_unit_test(test_policy__deny_beats_allow),
	    cmocka_unit_test(test_policy__globs_match_names),
	    cmocka_unit_test(test_policy__tag_rules_select_resources_by_tag),
	    cmocka_unit_test(test_policy__groups_give_their_roles_to_members),
	    cmocka_unit_test(test_policy__unknown_principal_is_denied),
	    cmocka_unit_test(test_policy__unknown_action_is_an_error),
	    cmocka_unit_test(test_policy__malformed_resource_is_an_error),
	    cmocka_unit_test(test_policy__malformed_files_name_file_line_and_column),
	    cmocka_unit_test(test_policy__an_alias_bomb_is_refused_not_expanded),
	    cmocka_unit_test(test_policy__explain_lists_each_matching_rule_with_file_and_line),
	    cmocka_unit_test(test_policy__test_runner_reports_a_failing_case),
	    cmocka_unit_test(test_policy__file_kinds),
	    cmocka_unit_test(test_policy__vouched_groups_add_their_roles_and_keep_denies),
	    cmocka_unit_test(test_policy__cached_decisions_match_uncached),
	    cmocka_unit_test(test_policy__cache_is_shared_by_threads),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
