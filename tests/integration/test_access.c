/* test_access.c - the policies through the real fcat binary: every read path
 * that exists refuses the PII feature to a principal without the grant and
 * serves it to one with it, both decisions land in the audit log, and signed
 * policies fail closed when unsigned or changed. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *new_repo(char **parent, const char *extra_yaml)
{
	*parent = test_mkdtemp();
	test_expect_exit(test_fcat(*parent, "init", "demo", NULL), 0, NULL);
	char *repo = malloc(strlen(*parent) + 8);
	sprintf(repo, "%s/demo", *parent);
	char yaml[4096];
	snprintf(yaml, sizeof yaml, "project: demo\npolicy:\n  audit_log: data/audit.log\n%s",
	         extra_yaml);
	test_write_file(repo, "fcat.yaml", yaml);
	test_expect_exit(test_fcat(repo, "materialize", "2020-01-01", "now", NULL), 0, NULL);
	return repo;
}

static void test_access__pii_is_refused_without_the_grant_and_served_with_it(void **state)
{
	(void)state;
	char *parent, *repo = new_repo(&parent, "");
	/* online read: a scientist is denied the language, by the scientist's deny rule */
	test_run r = test_fcat_as(
	    repo, "alice",
	    (const char *[]){"get-online", "--features",
	                     "user_features:total_conversations,user_features:preferred_language",
	                     "--entity", "user_id=u0001", NULL});
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err,
	                       "alice may not read_online "
	                       "feature:user_features:preferred_language: deny rule 2 of role "
	                       "scientist at policies/access.yaml:31"));
	assert_string_equal(r.out, ""); /* the request fails as a whole */
	test_run_free(&r);
	/* without the PII feature alice reads */
	test_expect_exit(test_fcat_as(repo, "alice",
	                              (const char *[]){"get-online", "--features",
	                                               "user_features:total_conversations",
	                                               "--entity", "user_id=u0001", NULL}),
	                 0, NULL);
	/* nor through an on-demand view that reads it (found in review) */
	test_expect_exit(
	    test_fcat_as(repo, "alice",
	                 (const char *[]){"get-online", "--features", "reply_style", "--entity",
	                                  "user_id=u0001", "--request", "message_length=5", NULL}),
	    1, "feature:user_features:preferred_language");
	/* the serving service reads it through its service */
	test_expect_output(
	    test_fcat_as(repo, "ranking-service",
	                 (const char *[]){"get-online", "--service", "chat_personalization",
	                                  "--entity", "user_id=u0001", NULL}),
	    0, "preferred_language");
	/* an unknown principal reads nothing and sees nothing */
	test_expect_exit(test_fcat_as(repo, "mallory",
	                              (const char *[]){"get-online", "--features",
	                                               "user_features:total_conversations",
	                                               "--entity", "user_id=u0001", NULL}),
	                 1, "default deny");
	r = test_fcat_as(repo, "mallory", (const char *[]){"list", "features", NULL});
	assert_int_equal(r.status, 0);
	assert_int_equal(test_count_lines(r.out), 1); /* the header alone */
	test_run_free(&r);
	test_expect_exit(
	    test_fcat_as(repo, "mallory", (const char *[]){"describe", "user_features", NULL}), 1,
	    "no object named 'user_features'");
	test_expect_exit(test_fcat_as(repo, "mallory",
	                              (const char *[]){"lineage", "chat_personalization", NULL}),
	                 1, NULL);
	/* materialize is a write */
	test_expect_exit(test_fcat_as(repo, "ranking-service",
	                              (const char *[]){"materialize", "2020-01-01", "now", NULL}),
	                 1, "ranking-service may not write view:user_activity");

	/* both decisions on the PII feature are in the audit log */
	char path[4096];
	snprintf(path, sizeof path, "%s/data/audit.log", repo);
	char *log = test_read_file(path);
	assert_non_null(log);
	assert_non_null(strstr(log, "\"principal\":\"alice\",\"action\":\"read_online\","
	                            "\"resource\":\"feature:user_features:preferred_language\","
	                            "\"decision\":\"deny\""));
	assert_non_null(strstr(log, "\"principal\":\"ranking-service\",\"action\":\"read_online\","
	                            "\"resource\":\"feature:user_features:preferred_language\","
	                            "\"decision\":\"allow\""));
	free(log);
	test_repo_done(parent, repo);
}

static void test_access__explain_and_test_the_policies(void **state)
{
	(void)state;
	char *parent, *repo = new_repo(&parent, "");
	test_run r = test_fcat(repo, "policy", "explain", "alice", "read_online",
	                       "feature:user_features:preferred_language", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "deny: alice may not read_online"));
	assert_non_null(strstr(r.out, "policies/access.yaml:31"));
	test_run_free(&r);
	test_expect_exit(test_fcat(repo, "policy", "test", NULL), 0, NULL);
	test_expect_exit(test_fcat(repo, "policy", "check", NULL), 0, NULL);
	test_expect_exit(test_fcat(repo, "policy", "explain", "alice", "steal", "project", NULL), 1,
	                 NULL);
	/* a malformed policy file names its place */
	test_write_file(repo, "policies/broken.yaml", "roles:\n  - name: x\n    rulez: []\n");
	test_expect_exit(test_fcat(repo, "policy", "check", "--worktree", NULL), 1,
	                 "policies/broken.yaml:3:");
	test_repo_done(parent, repo);
}

static void test_access__signed_policies_fail_closed(void **state)
{
	(void)state;
	char *keys = test_mkdtemp();
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
	         "openssl genpkey -algorithm ed25519 -out '%s/private.pem' 2>/dev/null && "
	         "openssl pkey -in '%s/private.pem' -pubout -out '%s/trusted.pem' 2>/dev/null",
	         keys, keys, keys);
	assert_int_equal(system(cmd), 0);
	char extra[4096];
	snprintf(extra, sizeof extra, "  trusted_keys: %s/trusted.pem\n", keys);
	char *parent, *repo = new_repo(&parent, "");
	char yaml[8192];
	snprintf(yaml, sizeof yaml, "project: demo\npolicy:\n  audit_log: data/audit.log\n%s",
	         extra);
	test_write_file(repo, "fcat.yaml", yaml);
	/* the policy settings come from the applied commit: uncommitted trusted
	 * keys change nothing yet */
	test_expect_exit(test_fcat(repo, "list", "views", NULL), 0, NULL);
	/* committed, unsigned: apply refuses, the applied version still serves */
	char commit[41];
	test_git_commit_all(repo, "Require signed policies", 1800000000, commit);
	test_expect_exit(test_fcat(repo, "apply", NULL), 1, "not signed");
	/* signed and committed: it applies and opens */
	char key[4096];
	snprintf(key, sizeof key, "%s/private.pem", keys);
	test_expect_exit(test_fcat(repo, "policy", "sign", "--key", key, NULL), 0, NULL);
	test_git_commit_all(repo, "Sign the policies", 1800000050, commit);
	test_expect_exit(test_fcat(repo, "apply", NULL), 0, NULL);
	test_expect_exit(test_fcat(repo, "list", "views", NULL), 0, NULL);
	/* a grant slipped in afterwards: apply refuses, naming the file */
	test_replace_in_file(repo, "policies/access.yaml", "groups: [data-science] }",
	                     "groups: [data-science, services] }");
	test_git_commit_all(repo, "Give myself the serving role", 1800000100, commit);
	test_expect_exit(test_fcat(repo, "apply", NULL), 1,
	                 "policies/access.yaml changed since the policies were signed");
	/* the applied policies fail closed when they no longer verify (the
	 * trusted key was replaced) ... */
	snprintf(cmd, sizeof cmd,
	         "openssl genpkey -algorithm ed25519 -out '%s/other.pem' 2>/dev/null && "
	         "openssl pkey -in '%s/other.pem' -pubout -out '%s/trusted.pem' 2>/dev/null",
	         keys, keys, keys);
	assert_int_equal(system(cmd), 0);
	test_expect_exit(test_fcat(repo, "list", "views", NULL), 1,
	                 "fail their signature check (policy.trusted_keys: ");
	/* ... and deleting policy.trusted_keys from the work tree does not
	 * switch the check off */
	test_write_file(repo, "fcat.yaml", "project: demo\npolicy:\n  audit_log: data/audit.log\n");
	test_expect_exit(test_fcat(repo, "list", "views", NULL), 1, "signature");
	test_dir_done(keys);
	test_repo_done(parent, repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_access__pii_is_refused_without_the_grant_and_served_with_it),
	    cmocka_unit_test(test_access__explain_and_test_the_policies),
	    cmocka_unit_test(test_access__signed_policies_fail_closed),
	};
	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
