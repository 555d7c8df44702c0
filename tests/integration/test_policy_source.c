/* test_policy_source.c - the review's ways around the policies, closed: the
 * applied version's policies, settings and tags decide whatever the work
 * tree or another commit says; describe, diff, log and show reveal nothing
 * the principal may not describe; apply and sign need apply and admin. */
#include "testutil.h"

#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AS(repo, who, ...) test_fcat_as(repo, who, (const char *[]){__VA_ARGS__, NULL})

static const char pii_read[] = "user_features:preferred_language";

/* get-historical of one feature for one user, from the version given */
static test_run historical(const char *repo, const char *who, const char *feature,
                           const char *version, const char *rev)
{
	test_write_file(repo, "ents.csv", "user_id,event_timestamp\nu0001,2030-01-01T00:00:00Z\n");
	if (rev)
		return AS(repo, who, "get-historical", "--entities", "ents.csv", "--features",
		          feature, "-o", "out.csv", version, rev);
	return AS(repo, who, "get-historical", "--entities", "ents.csv", "--features", feature,
	          "-o", "out.csv", version);
}

static void test_policy_source__worktree_settings_do_not_decide(void **state)
{
	const char *repo = test_demo_of(state);
	/* an uncommitted `policies:` pointing at nothing used to open everything */
	test_replace_in_file(repo, "fcat.yaml", "policies: policies", "policies: elsewhere");
	test_run r = AS(repo, "mallory", "list", "features");
	assert_int_equal(r.status, 0);
	assert_int_equal(test_count_lines(r.out), 1); /* the header alone */
	test_run_free(&r);
	test_expect_exit(historical(repo, "alice", pii_read, "--commit", "HEAD"), 1,
	                 "alice may not read_offline feature:user_features:preferred_language");
	/* nor does an uncommitted audit_log move the decisions elsewhere */
	test_replace_in_file(repo, "fcat.yaml", "audit_log: data/audit.log",
	                     "audit_log: data/other.log");
	test_expect_exit(AS(repo, "mallory", "describe", "user_features"), 1, "no object named");
	char path[4096];
	snprintf(path, sizeof path, "%s/data/other.log", repo);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof path, "%s/data/audit.log", repo);
	char *log = test_read_file(path);
	assert_non_null(log);
	assert_non_null(strstr(log, "\"principal\":\"mallory\",\"action\":\"describe\""));
	free(log);
}

static void test_policy_source__other_versions_use_the_applied_policies(void **state)
{
	const char *repo = test_demo_of(state);
	/* alice grants herself the serving role and drops the pii tag, locally */
	test_replace_in_file(repo, "policies/access.yaml", "groups: [data-science] }",
	                     "groups: [data-science], roles: [serving, operator] }");
	test_replace_in_file(repo, "policies/access.yaml", "tags: { pii: \"true\" }",
	                     "tags: { pii: \"never\" }");
	test_replace_in_file(repo, "catalog/users.lua", "tags = { pii = \"true\" }",
	                     "tags = { pii = \"false\" }");
	test_expect_exit(
	    historical(repo, "alice", pii_read, "--worktree", NULL), 1,
	    "alice may not read_offline feature:user_features:preferred_language: deny rule 2 "
	    "of role scientist at policies/access.yaml:31");
	test_run r = AS(repo, "mallory", "list", "features", "--worktree");
	assert_int_equal(r.status, 0);
	assert_int_equal(test_count_lines(r.out), 1);
	test_run_free(&r);
	/* committed but not applied: the same */
	char commit[41];
	test_git_commit_all(repo, "Grant myself", 1800000000, commit);
	test_expect_exit(historical(repo, "alice", pii_read, "--commit", "HEAD"), 1,
	                 "deny rule 2 of role scientist at policies/access.yaml:31");
	/* and alice may not apply it */
	test_expect_exit(AS(repo, "alice", "apply"), 1, "alice may not apply project");
	/* policy check and test still look at the version asked for */
	test_expect_output(test_fcat(repo, "policy", "explain", "alice", "read_offline",
	                             "feature:user_features:total_conversations", "--worktree",
	                             NULL),
	                   0, "role operator");
}

static void test_policy_source__nothing_applied_denies_reads(void **state)
{
	const char *repo = test_demo_of(state);
	char ref[4096];
	snprintf(ref, sizeof ref, "%s/.git/refs/fcat/applied", repo);
	assert_int_equal(unlink(ref), 0);
	test_expect_exit(historical(repo, "fcat-operator", "user_features:total_conversations",
	                            "--worktree", NULL),
	                 1,
	                 "nothing has been applied yet, and reads are denied until `fcat apply`");
	/* the first apply is open: there is no authority yet */
	test_expect_exit(AS(repo, "fcat-operator", "apply"), 0, NULL);
	test_expect_exit(historical(repo, "fcat-operator", "user_features:total_conversations",
	                            "--worktree", NULL),
	                 0, NULL);
}

/* bob may describe everything but personal data, and apply (not admin) */
static const char bob_yaml[] = "principals:\n"
                               "  - { name: bob, kind: user, roles: [limited] }\n"
                               "roles:\n"
                               "  - name: limited\n"
                               "    rules:\n"
                               "      - allow: [describe, apply]\n"
                               "        resources: [\"*\"]\n"
                               "      - deny: describe\n"
                               "        tags: { pii: \"true\" }\n";

/* test_demo_setup, with bob's policy applied. */
static int setup_with_bob(void **state)
{
	test_demo_setup(state);
	test_write_file(test_demo_of(state), "policies/bob.yaml", bob_yaml);
	test_commit_and_apply(test_demo_of(state), "Add bob");
	return 0;
}

static void test_policy_source__describe_hides_what_it_may_not_describe(void **state)
{
	const char *repo = test_demo_of(state);
	test_run r = AS(repo, "bob", "describe", "user_features", "--json");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "total_conversations"));
	assert_null(strstr(r.out, "preferred_language"));
	assert_non_null(strstr(r.out, "\"transform\": \"hidden"));
	test_run_free(&r);
	r = AS(repo, "bob", "describe", "user_features");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "total_conversations"));
	assert_null(strstr(r.out, "preferred_language"));
	test_run_free(&r);
	r = AS(repo, "bob", "describe", "chat_personalization", "--json");
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "preferred_language"));
	test_run_free(&r);
	/* the text listing's feature counts leave the hidden one out too */
	r = AS(repo, "bob", "list", "views");
	assert_int_equal(r.status, 0);
	const char *line = strstr(r.out, "user_features ");
	assert_non_null(line);
	int nfeatures = 0;
	assert_int_equal(sscanf(line, "user_features %*s %d", &nfeatures), 1);
	assert_int_equal(nfeatures, 3);
	test_run_free(&r);
	/* verify prints both paths' values of every feature: alice, who may
	 * not read the pii one, may not run it */
	test_expect_exit(AS(repo, "alice", "verify", "--sample", "10"), 1,
	                 "alice may not read_offline feature:user_features:preferred_language");
	r = AS(repo, "bob", "list", "views", "--json");
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "preferred_language"));
	test_run_free(&r);
	/* the operator sees it all */
	r = AS(repo, "fcat-operator", "describe", "user_features", "--json");
	assert_non_null(strstr(r.out, "preferred_language"));
	test_run_free(&r);
}

static void test_policy_source__diff_log_show_reveal_nothing_hidden(void **state)
{
	const char *repo = test_demo_of(state);
	test_replace_in_file(repo, "catalog/users.lua", "language the user writes in",
	                     "the language of the user");
	test_replace_in_file(repo, "catalog/users.lua", "conversations so far",
	                     "conversations until now");
	char commit[41];
	test_git_commit_all(repo, "Reword two descriptions", 1800000100, commit);
	test_run r = AS(repo, "fcat-operator", "diff", "APPLIED", "HEAD");
	assert_non_null(strstr(r.out, "preferred_language"));
	test_run_free(&r);
	r = AS(repo, "bob", "diff", "APPLIED", "HEAD");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "total_conversations"));
	assert_null(strstr(r.out, "preferred_language"));
	test_run_free(&r);
	test_expect_exit(AS(repo, "bob", "log", pii_read), 1,
	                 "bob may not describe 'user_features:preferred_language'");
	test_expect_exit(AS(repo, "bob", "log", "user_features:total_conversations"), 0, NULL);
	test_expect_exit(AS(repo, "bob", "log", "policies/access.yaml"), 1,
	                 "needs admin on project");
	r = AS(repo, "bob", "show", "user_features:preferred_language@HEAD~1");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	test_run_free(&r);
	r = AS(repo, "bob", "show", "user_features@HEAD~1", "--json");
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "preferred_language"));
	test_run_free(&r);
}

static void test_policy_source__apply_and_sign_need_their_actions(void **state)
{
	const char *repo = test_demo_of(state);
	test_expect_exit(AS(repo, "alice", "apply"), 1,
	                 "alice may not apply project: no policy rule allows it (default deny)");
	test_expect_exit(AS(repo, "bob", "apply"), 0, NULL);
	/* a policy setting is admin's: bob may apply, but not move the audit log */
	test_replace_in_file(repo, "fcat.yaml", "audit_log: data/audit.log",
	                     "audit_log: /dev/null");
	char commit[41];
	test_git_commit_all(repo, "Quiet the audit log", 1800000200, commit);
	test_expect_exit(AS(repo, "bob", "apply"), 1,
	                 "refusing to apply a change of policy.audit_log in fcat.yaml (applied: "
	                 "data/audit.log, to apply: /dev/null): it needs admin on project");
	test_expect_exit(AS(repo, "fcat-operator", "apply"), 0, NULL);
	/* signing is admin's */
	test_expect_exit(AS(repo, "bob", "policy", "sign", "--key", "/nonexistent.pem"), 1,
	                 "refusing to sign the policies: bob may not admin project");
}

static void test_policy_source__policy_files_need_admin_to_change(void **state)
{
	const char *repo = test_demo_of(state);
	/* bob may apply, but granting himself reads is a policy change */
	test_replace_in_file(repo, "policies/bob.yaml", "[describe, apply]",
	                     "[describe, apply, read_offline]");
	char commit[41];
	test_git_commit_all(repo, "More for bob", 1800000300, commit);
	test_expect_exit(
	    AS(repo, "bob", "apply"), 1,
	    "refusing to apply a change of the policy files (policies/): it needs admin on "
	    "project");
	/* nor may he remove every policy file (no policies: everything open) */
	test_run r = test_exec(
	    repo, NULL, (const char *[]){"/usr/bin/git", "rm", "-q", "-r", "policies", NULL});
	assert_int_equal(r.status, 0);
	test_run_free(&r);
	test_git_commit_all(repo, "No policies", 1800000400, commit);
	test_expect_exit(AS(repo, "bob", "apply"), 1, "needs admin on project");
	test_expect_exit(
	    historical(repo, "bob", "user_features:total_conversations", "--commit", "HEAD"), 1,
	    "bob may not read_offline");
}

static void
test_policy_source__other_versions_read_data_only_through_applied_definitions(void **state)
{
	(void)state;
	char *parent, *repo = test_demo_repo(&parent, true);
	/* a description is not how values are computed: reads go on */
	test_replace_in_file(repo, "catalog/users.lua", "path = \"data/conversations.csv\",",
	                     "path = \"data/conversations.csv\", description = \"moved\",");
	test_expect_exit(
	    historical(repo, "alice", "user_features:total_conversations", "--worktree", NULL), 0,
	    NULL);
	/* another source (it could be a query selecting anything into an
	 * untagged feature) is not what the applied policies were written for */
	test_replace_in_file(repo, "catalog/users.lua", "path = \"data/conversations.csv\",",
	                     "path = \"data/other.csv\",");
	test_expect_exit(
	    historical(repo, "alice", "user_features:total_conversations", "--worktree", NULL), 1,
	    "alice may not read_offline feature:user_features:total_conversations in this "
	    "version: its definition differs from the applied one");
	/* the operator holds admin: it may try a definition before applying it */
	test_expect_exit(historical(repo, "fcat-operator", "user_features:total_conversations",
	                            "--worktree", NULL),
	                 1, "data/other.csv");
	test_repo_done(parent, repo);
}

static const char carol_yaml[] = "principals:\n"
                                 "  - { name: carol, kind: service, roles: [reply] }\n"
                                 "roles:\n"
                                 "  - name: reply\n"
                                 "    rules:\n"
                                 "      - allow: read_online\n"
                                 "        resources: [\"service:chat_reply\"]\n";

static void test_policy_source__service_grants_cover_the_applied_service(void **state)
{
	const char *repo = test_demo_of(state);
	test_write_file(repo, "policies/carol.yaml", carol_yaml);
	test_commit_and_apply(repo, "Add carol");
	test_expect_exit(
	    test_fcat(repo, "materialize", "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", NULL), 0,
	    NULL);
	test_expect_exit(AS(repo, "carol", "get-online", "--service", "chat_reply", "--entity",
	                    "user_id=u0001", "--request", "message_length=40"),
	                 0, NULL);
	/* carol swaps the service's features in her work tree (the command line
	 * reads online only from the applied version; the library opens any) */
	test_replace_in_file(repo, "catalog/services.lua",
	                     "features = { \"user_features:preferred_language\", \"reply_style\" }",
	                     "features = { \"user_features:total_conversations\" }");
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	o.principal = "carol";
	fcat_store *st;
	if (fcat_store_open_ext(&st, repo, &o))
		fail_msg("%s", fcat_error_last());
	fcat_feature_set *set = NULL;
	fcat_online_result *res = NULL;
	assert_int_equal(fcat_feature_set_for_service(&set, st, "chat_reply"), 0);
	assert_int_equal(fcat_online_result_new(&res), 0);
	fcat_value key = {.type = {FCAT_STRING, false, 0}, .u.str = {"u0001", 5}};
	assert_fails_with(fcat_online_read(res, st, set, &key, 1, NULL), FCAT_EDENIED,
	                  "carol may not read_online feature:user_features:total_conversations");
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_store_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_policy_source__worktree_settings_do_not_decide,
	                                    test_demo_setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_policy_source__other_versions_use_the_applied_policies, test_demo_setup,
	        test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_policy_source__nothing_applied_denies_reads,
	                                    test_demo_setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_policy_source__describe_hides_what_it_may_not_describe, setup_with_bob,
	        test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_policy_source__diff_log_show_reveal_nothing_hidden,
	                                    setup_with_bob, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_policy_source__apply_and_sign_need_their_actions,
	                                    setup_with_bob, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_policy_source__policy_files_need_admin_to_change,
	                                    setup_with_bob, test_demo_store_teardown),
	    cmocka_unit_test(
	        test_policy_source__other_versions_read_data_only_through_applied_definitions),
	    cmocka_unit_test_setup_teardown(
	        test_policy_source__service_grants_cover_the_applied_service, test_demo_setup,
	        test_demo_store_teardown),
	};
	return cmocka_run_group_tests_name("policy_source", tests, NULL, NULL);
}
