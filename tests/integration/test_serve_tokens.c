/* test_serve_tokens.c - fcat serve with bearer tokens: a read needs a valid
 * JWT and acts as its sub, with the roles the policies give the groups of
 * its groups claim, so one server gives each caller what its policies allow
 * (audited with its groups); no token, an unsigned one, a forged or an
 * expired one is a 401 saying why, and the server keeps serving. */
#include "fcat.h"
#include "fcat_server.h"
#include "http_client.h"
#include "jwt_sign.h"
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET "an HS256 secret of more than thirty-two bytes"

static const char pii_request[] = "{\"features\":[\"user_features:preferred_language\"],"
                                  "\"entities\":{\"user_id\":[\"u0001\"]}}";

static test_served_repo f;

static int setup(void **state)
{
	*state = &f;
	f.repo = test_materialized_demo(&f.parent);
	test_write_file(f.parent, "token.secret", SECRET "\n");
	char secret_file[4096];
	snprintf(secret_file, sizeof secret_file, "%s/token.secret", f.parent);
	/* started as alice: with tokens, that principal must not be used */
	test_server_start(&f.srv, f.repo, "alice",
	                  (const char *[]){"--token-secret-file", secret_file, NULL});
	return 0;
}

/* POST /get-online-features with the pii request and this Authorization
 * header (NULL: none). Frees `tok`. */
static test_http_reply read_with(const char *scheme, char *tok)
{
	char req[8192];
	char auth[4200] = "";
	if (scheme)
		snprintf(auth, sizeof auth, "Authorization: %s%s\r\n", scheme, tok ? tok : "");
	int n = snprintf(req, sizeof req,
	                 "POST /get-online-features HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                 "Content-Type: application/json\r\n%sContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n%s",
	                 auth, strlen(pii_request), pii_request);
	free(tok);
	return test_http_raw(f.srv.port, req, (size_t)n);
}

static void expect(test_http_reply r, int status, const char *text)
{
	if (r.status != status || (text && !strstr(r.body, text)))
		fail_msg("expected %d with '%s', got %d: %s", status, text ? text : "", r.status,
		         r.body);
	test_http_reply_free(&r);
}

/* A valid token still gets its answer. */
static void still_serves(void)
{
	expect(read_with("Bearer ", test_jwt_for("ranking-service", 60, SECRET)), 200,
	       "\"PRESENT\"");
}

static void test_serve_tokens__each_token_reads_as_its_sub(void **state)
{
	(void)state;
	/* the serving account reads the PII feature... */
	expect(read_with("Bearer ", test_jwt_for("ranking-service", 60, SECRET)), 200,
	       "\"PRESENT\"");
	/* ...a scientist's token is denied it, naming her, on the same server */
	expect(read_with("Bearer ", test_jwt_for("alice", 60, SECRET)), 403,
	       "alice may not read_online feature:user_features:preferred_language");
	expect(read_with("Bearer ", test_jwt_for("mallory", 60, SECRET)), 403, "mallory may not");
}

/* An HS256 token for sub with this groups claim (JSON array text). */
static char *token_with_groups(const char *sub, const char *groups)
{
	char claims[512];
	snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"groups\":%s,\"exp\":%lld}", sub, groups,
	         (long long)time(NULL) + 60);
	return test_jwt_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, SECRET);
}

/* Waits (up to 5 s) for the audit log to hold a line with both texts. */
static bool audited(const char *a, const char *b)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/data/audit.log", f.repo);
	for (int i = 0; i < 100; i++) {
		char *log = test_read_file(path);
		bool found = false;
		for (char *line = log; line && *line && !found;) {
			char *end = strchr(line, '\n');
			if (end)
				*end = '\0';
			found = strstr(line, a) && strstr(line, b);
			line = end ? end + 1 : line + strlen(line);
		}
		free(log);
		if (found)
			return true;
		struct timespec pause = {0, 50 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	return false;
}

static void test_serve_tokens__groups_in_a_token_give_their_roles(void **state)
{
	(void)state;
	/* a service the policies do not name reads through the group its
	 * identity provider puts it in (services: the serving role)... */
	expect(read_with("Bearer ", token_with_groups("svc-new", "[\"services\"]")), 200,
	       "\"PRESENT\"");
	/* ...and is denied without it, or with a group the policies do not know */
	expect(read_with("Bearer ", token_with_groups("svc-new", "[]")), 403,
	       "svc-new may not read_online");
	expect(read_with("Bearer ", token_with_groups("svc-new", "[\"nobody\"]")), 403,
	       "svc-new may not read_online");
	/* a group adds roles, it takes no deny away: alice's scientist role
	 * denies personal data, and that deny beats the serving role's allow */
	expect(read_with("Bearer ", token_with_groups("alice", "[\"services\"]")), 403,
	       "alice may not read_online feature:user_features:preferred_language");
	/* each decision is audited with the groups it was made for */
	assert_true(audited("\"principal\":\"svc-new\",\"groups\":[\"services\"]",
	                    "\"decision\":\"allow\""));
	assert_true(audited("\"principal\":\"svc-new\",\"action\"", "\"decision\":\"deny\""));
	still_serves();
}

static void test_serve_tokens__no_or_bad_tokens_get_401_and_it_keeps_serving(void **state)
{
	(void)state;
	expect(read_with(NULL, NULL), 401, "missing bearer token");
	still_serves();
	expect(read_with("Basic ", strdup("YWxpY2U6cHc=")), 401, "missing bearer token");
	still_serves();
	expect(read_with("Bearer ", strdup("not.a.token")), 401, "bad bearer token");
	still_serves();
	/* unsigned */
	char claims[256];
	snprintf(claims, sizeof claims, "{\"sub\":\"ranking-service\",\"exp\":%lld}",
	         (long long)time(NULL) + 60);
	expect(read_with("Bearer ", test_jwt_sign("{\"alg\":\"none\"}", claims, NULL)), 401,
	       "alg none is refused");
	still_serves();
	/* signed with another secret */
	expect(read_with("Bearer ", test_jwt_sign("{\"alg\":\"HS256\"}", claims,
	                                          "another secret of thirty-two bytes!!")),
	       401, "signature does not verify");
	still_serves();
	/* expired an hour ago */
	expect(read_with("Bearer ", test_jwt_for("ranking-service", -3600, SECRET)), 401,
	       "token expired");
	still_serves();
	/* no sub */
	snprintf(claims, sizeof claims, "{\"exp\":%lld}", (long long)time(NULL) + 60);
	expect(read_with("Bearer ", test_jwt_sign("{\"alg\":\"HS256\"}", claims, SECRET)), 401,
	       "no sub claim");
	still_serves();
}

static void test_serve_tokens__health_and_metrics_need_no_token(void **state)
{
	(void)state;
	test_http_reply r = test_http(f.srv.port, "GET", "/health", NULL);
	assert_int_equal(r.status, 200);
	test_http_reply_free(&r);
	r = test_http(f.srv.port, "GET", "/metrics", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "status=\"401\""));
	test_http_reply_free(&r);
	/* and a push needs one like a read */
	r = test_http(f.srv.port, "POST", "/push",
	              "{\"push_source_name\":\"conversations_push\",\"df\":{}}");
	assert_int_equal(r.status, 401);
	test_http_reply_free(&r);
}

static void test_serve_tokens__sigterm_stops_it_with_exit_0(void **state)
{
	(void)state;
	test_server_stop_cleanly(&f.srv, SIGTERM, "as each bearer token's sub");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serve_tokens__each_token_reads_as_its_sub),
	    cmocka_unit_test(test_serve_tokens__groups_in_a_token_give_their_roles),
	    cmocka_unit_test(test_serve_tokens__no_or_bad_tokens_get_401_and_it_keeps_serving),
	    cmocka_unit_test(test_serve_tokens__health_and_metrics_need_no_token),
	    cmocka_unit_test(test_serve_tokens__sigterm_stops_it_with_exit_0),
	};
	return cmocka_run_group_tests(tests, setup, test_served_repo_teardown);
}
